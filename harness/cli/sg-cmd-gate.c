#include <glib-unix.h>
#include <libvirt-glib/libvirt-glib.h>
#include <signal.h>
#include <stdio.h>

#include "sg-cmd.h"
#include "sg-error.h"
#include "sg-gate.h"
#include "sg-lock.h"
#include "sg-result.h"
#include "sg-systemd.h"
#include "sg-virt.h"

/* --jobs not given: what the lab allows (G_OPTION_ARG_INT takes any int). */
#define JOBS_UNSET G_MININT

typedef struct {
	GMainLoop *loop;
	gboolean ok;
	SgGateSummary summary;
	GError *error;
} SgGateJob;

static void
on_gate_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SgGateJob *job = user_data;

	job->ok = sg_gate_run_finish(result, &job->summary, &job->error);
	g_main_loop_quit(job->loop);
}

static gboolean
on_signal(gpointer user_data)
{
	g_message("interrupted: stopping guests and cleaning up");
	g_cancellable_cancel(user_data);
	return G_SOURCE_CONTINUE;
}

/* The gate on this thread's main loop, which carries libvirt's events;
 * SIGINT, SIGTERM and SIGHUP (a closed terminal, a dropped ssh session)
 * cancel it, and it cleans up before it returns. */
static void
run_gate(const SgGateOptions *options, GCancellable *cancellable, SgGateJob *job)
{
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	guint signals[] = {
		g_unix_signal_add(SIGINT, on_signal, cancellable),
		g_unix_signal_add(SIGTERM, on_signal, cancellable),
		g_unix_signal_add(SIGHUP, on_signal, cancellable),
	};

	sg_virt_init();
	gvir_event_register();
	job->loop = loop;
	sg_gate_run_async(options, cancellable, on_gate_done, job);
	g_main_loop_run(loop);
	for (guint i = 0; i < G_N_ELEMENTS(signals); i++)
		g_source_remove(signals[i]);
}

/* Each verdict a journal entry with its fields, as serve logs them: a
 * timer's pass is found by the same `journalctl MESSAGE_ID=...`. */
static void
on_verdict(const gchar *build, const gchar *verdict, const gchar *host, const gchar *reason,
	   gpointer user_data)
{
	const gchar *tree = user_data;
	sg_systemd_log_verdict(tree, build, verdict, host, reason);
}

/* The summary and the exit status. */
static int
report(SgGateJob *job, gboolean json, gboolean cancelled)
{
	/* A tree that could not be changed still has a summary of the run. */
	if (!job->ok && !g_error_matches(job->error, SG_ERROR, SG_ERROR_TREE)) {
		/* A timer's pass on a tree the runner serves has nothing to do:
		 * the runner gates every build the moment it is staged. */
		if (job->summary.refused_by != NULL &&
		    g_strcmp0(job->summary.refused_by->what, "serve") == 0) {
			printf("gate: smokegate serve gates this tree already, nothing to do "
			       "(%s)\n",
			       job->error->message);
			return SG_EXIT_PASS;
		}
		return sg_cmd_fail("gate", job->error);
	}
	if (json)
		printf("{\"event\":\"summary\",\"passed\":%u,\"failed\":%u,\"not_judged\":%u,"
		       "\"retries\":%u,\"hosts_out\":%u}\n",
		       job->summary.passed, job->summary.failed, job->summary.errors,
		       job->summary.retries, job->summary.hosts_out);
	else
		printf("gate: %u passed, %u failed, %u not judged\n", job->summary.passed,
		       job->summary.failed, job->summary.errors);
	if (!job->ok)
		return sg_cmd_fail("gate", job->error);
	if (job->summary.errors > 0 || cancelled)
		return SG_EXIT_ERROR;
	return job->summary.failed > 0 ? SG_EXIT_FAIL : SG_EXIT_PASS;
}

int
sg_cmd_gate(int argc, char **argv)
{
	g_autofree gchar *tree = NULL;
	g_auto(GStrv) flavours = NULL;
	g_autofree gchar *suites_dir = NULL;
	g_auto(SgCmdLabOptions) lab = {NULL};
	gint jobs = JOBS_UNSET;
	gboolean json = FALSE;
	gboolean journal = FALSE;
	g_autoptr(SgLabConfig) lab_config = NULL;
	g_autoptr(GError) error = NULL;
	const GOptionEntry entries[] = {
		{"tree", 0, 0, G_OPTION_ARG_FILENAME, &tree, "The image tree", "TREE"},
		{"flavour", 0, 0, G_OPTION_ARG_STRING_ARRAY, &flavours,
		 "Only this flavour (repeatable)", "NAME"},
		{"jobs", 'j', 0, G_OPTION_ARG_INT, &jobs,
		 "Tests to run at once over all hosts (default: 1 without a lab file, else "
		 "what the hosts' MaxGuests allow)",
		 "N"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &json,
		 "One JSON object an event on stdout (queued, started, phase, finished, retry, "
		 "host-out)",
		 NULL},
		{"suites-dir", 0, 0, G_OPTION_ARG_FILENAME, &suites_dir,
		 "More downstream suites, for the profiles' and the tree's Suites=", "DIR"},
		{"journal", 0, 0, G_OPTION_ARG_NONE, &journal,
		 "Log verdicts to the journal with fields (default when started by systemd)", NULL},
		{NULL}};
	g_autoptr(GOptionContext) context = g_option_context_new(NULL);
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	SgGateOptions options;
	SgGateJob job = {0};
	int status;

	g_option_context_set_summary(
		context, "Tests every staged build without a verdict; a pass becomes current.\n"
			 "Required: --tree.\n"
			 "Exit status: 0 all passed (or nothing to do), 1 a build failed, "
			 "2 a build could not be judged, 74 the tree could not be changed, "
			 "75 another gate runs.");
	g_option_context_add_main_entries(context, entries, NULL);
	sg_cmd_add_lab_options(context, &lab);
	if (!sg_cmd_parse(context, "gate", &argc, &argv))
		return SG_EXIT_USAGE;
	if (argc != 1)
		return sg_cmd_usage_error("gate", "unexpected arguments");
	if (tree == NULL)
		return sg_cmd_usage_error("gate", "--tree is required");
	if (jobs != JOBS_UNSET && (jobs < 1 || jobs > 64))
		return sg_cmd_usage_error("gate", "--jobs must be between 1 and 64");
	if (jobs == JOBS_UNSET)
		jobs = 0;
	if (sg_cmd_check_suites_dir("gate", suites_dir) != 0)
		return SG_EXIT_USAGE;
	lab_config = sg_cmd_lab_config(&lab, "gate", &error);
	if (lab_config == NULL)
		return sg_cmd_fail("gate", error);
	/* A laptop without a lab file runs one test at a time unless told. */
	if (jobs == 0 && lab_config->path == NULL)
		jobs = 1;
	options = (SgGateOptions){
		.tree = tree,
		.flavours = (const gchar *const *)flavours,
		.jobs = (guint)jobs,
		.lab = lab_config,
		.flavours_dir = lab.flavours_dir,
		.suites_dir = suites_dir,
		.accel = lab.accel,
		.json = json,
		.on_verdict = journal || sg_systemd_under_journal() ? on_verdict : NULL,
		.user_data = tree,
	};
	run_gate(&options, cancellable, &job);
	status = report(&job, json, g_cancellable_is_cancelled(cancellable));
	sg_gate_summary_clear(&job.summary);
	g_clear_error(&job.error);
	return status;
}
