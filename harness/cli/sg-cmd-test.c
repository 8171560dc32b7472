#include <stdio.h>

#include "sg-cmd.h"
#include "sg-error.h"
#include "sg-junit.h"
#include "sg-lab-survey.h"
#include "sg-result.h"
#include "sg-test-run.h"
#include "sg-worker.h"

typedef struct {
	SgTestOptions options;
	SgLabConfig *lab;
	SgProgress *progress;
	GCancellable *cancellable;
	GError *error;
} SgTestJob;

/* The host of the lab with the most free guest places now; NULL (with
 * @error) when none is reachable with room. A lab of one host is used as
 * it is: there is nothing to choose. */
static SgLabHost *
choose_host(SgLabConfig *lab, GError **error)
{
	g_autoptr(GPtrArray) surveys = NULL;
	g_autoptr(GString) why = g_string_new(NULL);
	SgLabHost *best = NULL;
	SgLabSurvey *best_survey = NULL;

	if (lab->hosts->len == 1)
		return g_ptr_array_index(lab->hosts, 0);
	surveys = sg_lab_survey_all(lab, SG_LAB_SURVEY_TIMEOUT_MS);
	for (guint i = 0; i < surveys->len; i++) {
		SgLabSurvey *survey = g_ptr_array_index(surveys, i);
		g_string_append_printf(why, "%s%s: ", i > 0 ? "; " : "", survey->name);
		if (!survey->reachable) {
			g_string_append(why, survey->problem);
			continue;
		}
		g_string_append_printf(why, "%u of %u guests", survey->running, survey->max_guests);
		if (survey->free_slots == 0)
			continue;
		if (best_survey == NULL || survey->free_slots > best_survey->free_slots ||
		    (survey->free_slots == best_survey->free_slots &&
		     survey->usable_memory_mib > best_survey->usable_memory_mib)) {
			best_survey = survey;
			best = g_ptr_array_index(lab->hosts, i);
		}
	}
	if (best == NULL)
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "no lab host has room now (%s)",
			    why->str);
	return best;
}

static gpointer
run_test(gpointer user_data)
{
	SgTestJob *job = user_data;
	SgLabHost *host = choose_host(job->lab, &job->error);

	if (host == NULL)
		return NULL;
	job->options.connect_uri = host->uri;
	job->options.max_guests = job->lab->path != NULL ? host->max_guests : 0;
	if (job->options.accel == NULL)
		job->options.accel = host->accel != NULL ? host->accel : "auto";
	if (job->lab->path != NULL)
		sg_progress_note(job->progress, "testing on lab host %s", host->name);
	return sg_test_run(&job->options, job->progress, job->cancellable, &job->error);
}

int
sg_cmd_test(int argc, char **argv)
{
	g_autofree gchar *flavour = NULL;
	g_autofree gchar *answers = NULL;
	g_autofree gchar *evidence = NULL;
	g_auto(SgCmdLabOptions) lab = {NULL};
	g_auto(GStrv) suites = NULL;
	g_autofree gchar *suites_dir = NULL;
	g_autofree gchar *junit = NULL;
	gboolean keep_disk = FALSE;
	gboolean json = FALSE;
	const GOptionEntry entries[] = {
		{"flavour", 0, 0, G_OPTION_ARG_STRING, &flavour,
		 "Flavour of the image (default: told from the image)", "NAME"},
		{"answers", 0, 0, G_OPTION_ARG_FILENAME, &answers,
		 "Answer file (default: the flavour's)", "FILE"},
		{"evidence", 0, 0, G_OPTION_ARG_FILENAME, &evidence,
		 "Evidence folder (default: ./smokegate-evidence/IMAGE-TIME)", "DIR"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print result.json on stdout", NULL},
		{"suite", 0, 0, G_OPTION_ARG_STRING_ARRAY, &suites,
		 "Run this downstream suite on the installed disk (repeatable)", "NAME"},
		{"suites-dir", 0, 0, G_OPTION_ARG_FILENAME, &suites_dir,
		 "More suites (override shipped ones of the same name)", "DIR"},
		{"junit", 0, 0, G_OPTION_ARG_FILENAME, &junit,
		 "Write the phases and the suites' test cases as JUnit XML", "FILE"},
		{"keep-disk", 0, 0, G_OPTION_ARG_NONE, &keep_disk,
		 "Keep the installed disk as installed.qcow2 in the evidence", NULL},
		{NULL}};
	g_autoptr(GOptionContext) context = g_option_context_new("IMAGE.iso");
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	g_autoptr(SgProgress) progress = sg_progress_new();
	g_autoptr(SgResult) result = NULL;
	g_autoptr(SgLabConfig) lab_config = NULL;
	g_autoptr(GError) error = NULL;
	SgTestJob job = {0};

	g_option_context_set_summary(
		context, "Installs IMAGE in a guest, boots it to its desktop and judges it.\n"
			 "Exit status: 0 pass, 1 fail (the image is bad), 2 error (not judged), "
			 "64 usage.");
	g_option_context_add_main_entries(context, entries, NULL);
	sg_cmd_add_lab_options(context, &lab);
	if (!sg_cmd_parse(context, "test", &argc, &argv))
		return SG_EXIT_USAGE;
	if (argc != 2)
		return sg_cmd_usage_error("test", "expected exactly one IMAGE argument");

	job.options = (SgTestOptions){
		.image = argv[1],
		.flavour = flavour,
		.answers = answers,
		.evidence_dir = evidence,
		.flavours_dir = lab.flavours_dir,
		.accel = lab.accel,
		.suites = (const gchar *const *)suites,
		.suites_dir = suites_dir,
		.keep_disk = keep_disk,
	};
	job.lab = lab_config = sg_cmd_lab_config(&lab, "test", &error);
	if (lab_config == NULL)
		return sg_cmd_fail("test", error);
	job.progress = progress;
	job.cancellable = cancellable;
	result = sg_worker_run(run_test, &job, cancellable);
	if (result == NULL) {
		int status = g_error_matches(job.error, SG_ERROR, SG_ERROR_USAGE) ? SG_EXIT_USAGE
										  : SG_EXIT_ERROR;
		g_printerr("smokegate test: %s\n", job.error->message);
		g_error_free(job.error);
		return status;
	}
	if (junit != NULL && !sg_junit_write(result, junit, &error)) {
		g_printerr("smokegate test: cannot write %s: %s\n", junit, error->message);
		return SG_EXIT_ERROR;
	}
	if (json) {
		g_autofree gchar *text = sg_result_to_json(result);
		printf("%s\n", text);
	} else {
		printf("%s: %s\n", sg_verdict_to_string(result->verdict), result->reason);
		if (result->generic_hint != NULL)
			g_printerr("note: %s\n", result->generic_hint);
		if (result->flavour != NULL && result->profile_verified == NULL)
			g_printerr("note: the %s profile's markers were not checked against a real "
				   "image's console (no Verified= in it): they are assumed\n",
				   result->flavour);
		sg_progress_note(progress, "evidence: %s", result->evidence_dir);
	}
	return sg_verdict_exit_status(result->verdict);
}
