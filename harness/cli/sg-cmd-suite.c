#include <stdio.h>

#include "sg-cmd.h"
#include "sg-error.h"
#include "sg-junit.h"
#include "sg-suite-run.h"

/* smokegate suite run --disk INSTALLED.qcow2 --flavour F --suite NAME... */
int
sg_cmd_suite(int argc, char **argv)
{
	g_autofree gchar *disk = NULL;
	g_autofree gchar *flavour = NULL;
	g_auto(GStrv) suites = NULL;
	g_autofree gchar *suites_dir = NULL;
	g_autofree gchar *evidence = NULL;
	g_autofree gchar *junit = NULL;
	g_autofree gchar *answers = NULL;
	g_auto(SgCmdLabOptions) lab = {NULL};
	gboolean json = FALSE;
	const GOptionEntry entries[] = {
		{"disk", 0, 0, G_OPTION_ARG_FILENAME, &disk,
		 "The installed disk (test --keep-disk's installed.qcow2); it is not changed",
		 "FILE"},
		{"flavour", 0, 0, G_OPTION_ARG_STRING, &flavour, "Its flavour", "NAME"},
		{"answers", 0, 0, G_OPTION_ARG_FILENAME, &answers,
		 "The answer file it was installed with, whose values the suites expect "
		 "(default: the flavour's)",
		 "FILE"},
		{"suite", 0, 0, G_OPTION_ARG_STRING_ARRAY, &suites, "A suite to run (repeatable)",
		 "NAME"},
		{"suites-dir", 0, 0, G_OPTION_ARG_FILENAME, &suites_dir,
		 "More suites (override shipped ones of the same name)", "DIR"},
		{"evidence", 0, 0, G_OPTION_ARG_FILENAME, &evidence,
		 "Evidence folder (default: ./smokegate-evidence/suites-TIME)", "DIR"},
		{"junit", 0, 0, G_OPTION_ARG_FILENAME, &junit,
		 "Write the suites' test cases as JUnit XML", "FILE"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print result.json on stdout", NULL},
		{NULL}};
	g_autoptr(GOptionContext) context = g_option_context_new("run");
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	g_autoptr(SgProgress) progress = sg_progress_new();
	g_autoptr(SgResult) result = NULL;
	g_autoptr(SgLabConfig) lab_config = NULL;
	g_autoptr(GError) error = NULL;
	SgTestOptions options;

	g_option_context_set_summary(
		context, "Runs downstream suites on a kept installed disk, without installing.\n"
			 "Required: --disk, --flavour and --suite.\n"
			 "Exit status: 0 pass, 1 fail (a gating suite failed), 2 error, 64 usage.");
	g_option_context_add_main_entries(context, entries, NULL);
	sg_cmd_add_lab_options(context, &lab);
	if (!sg_cmd_parse(context, "suite", &argc, &argv))
		return SG_EXIT_USAGE;
	if (argc != 2 || g_strcmp0(argv[1], "run") != 0)
		return sg_cmd_usage_error("suite", "expected the action 'run'");
	if (disk == NULL || flavour == NULL || suites == NULL)
		return sg_cmd_usage_error("suite", "run needs --disk, --flavour and --suite");
	if (junit != NULL && !sg_junit_check_path(junit, &error))
		return sg_cmd_fail("suite", error);
	options = (SgTestOptions){
		.image = disk,
		.flavour = flavour,
		.suites = (const gchar *const *)suites,
		.suites_dir = suites_dir,
		.flavours_dir = lab.flavours_dir,
		.answers = answers,
		.evidence_dir = evidence,
		.accel = lab.accel,
	};
	lab_config = sg_cmd_lab_config(&lab, "suite", &error);
	if (lab_config == NULL)
		return sg_cmd_fail("suite", error);
	result = sg_cmd_run_on_main_loop(lab_config, &options, progress, cancellable,
					 sg_suite_run_disk_async,
					 (SgCmdRunFinish)sg_suite_run_disk_finish, &error);
	if (result == NULL)
		return sg_cmd_fail("suite", error);
	if (junit != NULL && !sg_junit_write(result, junit, &error))
		return sg_cmd_fail("suite", error);
	if (json) {
		g_autofree gchar *text = sg_result_to_json(result);
		printf("%s\n", text);
	} else {
		printf("%s: %s\n", sg_verdict_to_string(result->verdict), result->reason);
		sg_progress_note(progress, "evidence: %s", result->evidence_dir);
	}
	return sg_verdict_exit_status(result->verdict);
}
