#include <glib-unix.h>
#include <libvirt-glib/libvirt-glib.h>
#include <signal.h>
#include <stdio.h>

#include "sg-cmd.h"
#include "sg-flavour.h"
#include "sg-paths.h"
#include "sg-result.h"
#include "sg-runner.h"
#include "sg-systemd.h"
#include "sg-virt.h"

typedef struct {
	GMainLoop *loop;
	SgRunner *runner;
	SgCmdLabOptions *lab;
	gboolean json;
	gboolean journal;
} SgServe;

static void
on_verdict(const gchar *tree, const gchar *build, const gchar *verdict, const gchar *host,
	   const gchar *reason, gpointer user_data)
{
	SgServe *serve = user_data;

	if (serve->journal)
		sg_systemd_log_verdict(tree, build, verdict, host, reason);
	/* With --json the gate's own "finished" events say it. */
	else if (!serve->json)
		printf("%s: %s %s on %s: %s\n", tree, build, verdict,
		       host != NULL ? host : "no host", reason != NULL ? reason : "");
	fflush(stdout);
}

static void
on_changed(SgRunner *runner, gpointer user_data)
{
	g_autofree gchar *status = sg_runner_describe(runner);
	sg_systemd_status(status);
}

static void
on_stopped(SgRunner *runner, gpointer user_data)
{
	SgServe *serve = user_data;
	g_main_loop_quit(serve->loop);
}

/* The profiles are read again by every test; a broken one is said now,
 * while the operator who changed it is looking. */
static void
check_flavour_profiles(const gchar *flavours_dir)
{
	g_autoptr(GPtrArray) flavours = NULL;
	g_autoptr(GError) error = NULL;

	flavours = sg_flavour_load_all(flavours_dir, &error);
	if (flavours == NULL)
		g_warning("flavour profiles: %s (the tests of that flavour fail until it is fixed)",
			  error->message);
}

static gboolean
on_reload(gpointer user_data)
{
	SgServe *serve = user_data;
	g_autoptr(SgLabConfig) lab = NULL;
	g_autoptr(GError) error = NULL;

	sg_systemd_reloading();
	g_message("SIGHUP: reading the configuration again");
	lab = sg_cmd_lab_config(serve->lab, "serve", &error);
	if (lab == NULL || !sg_runner_reload(serve->runner, lab, &error))
		g_warning("refused the new configuration, kept the old one: %s", error->message);
	else {
		g_steal_pointer(&lab);
		g_message("configuration reloaded");
	}
	check_flavour_profiles(serve->lab->flavours_dir);
	sg_systemd_notify("READY=1");
	on_changed(serve->runner, serve);
	return G_SOURCE_CONTINUE;
}

static gboolean
on_stop(gpointer user_data)
{
	SgServe *serve = user_data;

	g_message("stopping: cancelling the running tests, their builds stay untested");
	sg_systemd_notify("STOPPING=1");
	sg_runner_stop(serve->runner);
	return G_SOURCE_CONTINUE;
}

int
sg_cmd_serve(int argc, char **argv)
{
	g_auto(GStrv) trees = NULL;
	g_autofree gchar *suites_dir = NULL;
	g_auto(SgCmdLabOptions) lab = {NULL};
	gint jobs = 0;
	gboolean json = FALSE;
	gboolean journal = FALSE;
	g_autoptr(SgLabConfig) lab_config = NULL;
	g_autoptr(SgRunner) runner = NULL;
	g_autoptr(GMainLoop) loop = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *status = NULL;
	g_autofree gchar *names = NULL;
	const GOptionEntry entries[] = {
		{"tree", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &trees, "An image tree (repeatable)",
		 "TREE"},
		{"jobs", 'j', 0, G_OPTION_ARG_INT, &jobs,
		 "Tests to run at once over all hosts (default: 1 without a lab file, else "
		 "what the hosts' MaxGuests allow)",
		 "N"},
		{"suites-dir", 0, 0, G_OPTION_ARG_FILENAME, &suites_dir,
		 "More downstream suites, for the profiles' and the trees' Suites=", "DIR"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &json, "The gate's JSON events on stdout", NULL},
		{"journal", 0, 0, G_OPTION_ARG_NONE, &journal,
		 "Log verdicts to the journal with fields (default when started by systemd)", NULL},
		{NULL}};
	g_autoptr(GOptionContext) context = g_option_context_new(NULL);
	SgRunnerOptions options = {0};
	SgServe serve = {0};
	guint sighup, sigterm, sigint, watchdog;

	g_option_context_set_summary(
		context, "Gates each build the moment it is staged, until stopped (SIGTERM).\n"
			 "SIGHUP reads the trees' smokegate.conf and the lab file again.\n"
			 "Required: --tree.\n"
			 "Exit status: 0 stopped, 2 error, 64 usage or a refused configuration, "
			 "75 a gate holds a tree.");
	g_option_context_add_main_entries(context, entries, NULL);
	sg_cmd_add_lab_options(context, &lab);
	if (!sg_cmd_parse(context, "serve", &argc, &argv))
		return SG_EXIT_USAGE;
	if (argc != 1)
		return sg_cmd_usage_error("serve", "unexpected arguments");
	if (trees == NULL)
		return sg_cmd_usage_error("serve", "--tree is required");
	if (jobs < 0 || jobs > 64)
		return sg_cmd_usage_error("serve", "--jobs must be between 1 and 64");
	if (sg_cmd_check_suites_dir("serve", suites_dir) != 0)
		return SG_EXIT_USAGE;
	lab_config = sg_cmd_lab_config(&lab, "serve", &error);
	if (lab_config == NULL)
		return sg_cmd_fail("serve", error);
	/* As gate: a laptop without a lab file runs one test at a time unless told. */
	if (jobs == 0 && lab_config->path == NULL)
		jobs = 1;

	/* The tests run on libvirt's event loop, which is this thread's main loop. */
	sg_virt_init();
	gvir_event_register();
	loop = g_main_loop_new(NULL, FALSE);
	serve.loop = loop;
	serve.lab = &lab;
	serve.json = json;
	serve.journal = journal || sg_systemd_under_journal();
	options = (SgRunnerOptions){
		.jobs = (guint)jobs,
		.flavours_dir = lab.flavours_dir,
		.suites_dir = suites_dir,
		.accel = lab.accel,
		.json = json,
		.on_verdict = on_verdict,
		.on_changed = on_changed,
		.on_stopped = on_stopped,
		.user_data = &serve,
	};
	runner = sg_runner_new((const gchar *const *)trees, g_steal_pointer(&lab_config), &options,
			       &error);
	if (runner == NULL)
		return sg_cmd_fail("serve", error);
	serve.runner = runner;

	sighup = g_unix_signal_add(SIGHUP, on_reload, &serve);
	sigterm = g_unix_signal_add(SIGTERM, on_stop, &serve);
	sigint = g_unix_signal_add(SIGINT, on_stop, &serve);
	sg_runner_start(runner);
	watchdog = sg_systemd_watchdog_start();
	status = sg_runner_describe(runner);
	names = g_strjoinv(" ", trees);
	g_message("serving %s: %s", names, status);
	{
		g_autofree gchar *ready = g_strdup_printf("READY=1\nSTATUS=%s", status);
		sg_systemd_notify(ready);
	}
	g_main_loop_run(loop);

	sg_systemd_notify("STOPPING=1\nSTATUS=stopped");
	g_source_remove(sighup);
	g_source_remove(sigterm);
	g_source_remove(sigint);
	if (watchdog != 0)
		g_source_remove(watchdog);
	g_message("stopped");
	return SG_EXIT_PASS;
}
