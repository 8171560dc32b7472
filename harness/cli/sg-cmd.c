#include "sg-cmd.h"

#include "sg-error.h"
#include "sg-lab-survey.h"
#include "sg-main-loop.h"
#include "sg-result.h"

int
sg_cmd_usage_error(const gchar *command, const gchar *message)
{
	g_printerr("smokegate %s: %s (see 'smokegate %s --help')\n", command, message, command);
	return SG_EXIT_USAGE;
}

int
sg_cmd_check_suites_dir(const gchar *command, const gchar *suites_dir)
{
	g_autofree gchar *message = NULL;

	if (suites_dir == NULL || g_file_test(suites_dir, G_FILE_TEST_IS_DIR))
		return 0;
	message = g_strdup_printf("--suites-dir %s: no such folder", suites_dir);
	return sg_cmd_usage_error(command, message);
}

int
sg_cmd_fail(const gchar *command, GError *error)
{
	g_printerr("smokegate %s: %s\n", command, error->message);
	if (error->domain != SG_ERROR)
		return SG_EXIT_ERROR;
	switch (error->code) {
	case SG_ERROR_USAGE:
		return SG_EXIT_USAGE;
	case SG_ERROR_CHECKSUM:
	case SG_ERROR_DAMAGED:
	case SG_ERROR_SIGNATURE:
		return SG_EXIT_CHECKSUM;
	case SG_ERROR_FETCH:
		return SG_EXIT_FETCH;
	case SG_ERROR_TREE:
		return SG_EXIT_TREE;
	case SG_ERROR_LOCKED:
		return SG_EXIT_LOCKED;
	default:
		return SG_EXIT_ERROR;
	}
}

gboolean
sg_cmd_parse(GOptionContext *context, const gchar *command, int *argc, char ***argv)
{
	g_autoptr(GError) error = NULL;

	if (!g_option_context_parse(context, argc, argv, &error)) {
		sg_cmd_usage_error(command, error->message);
		return FALSE;
	}
	return TRUE;
}

void
sg_cmd_add_lab_options(GOptionContext *context, SgCmdLabOptions *options)
{
	const GOptionEntry entries[] = {{"connect", 'c', 0, G_OPTION_ARG_STRING, &options->connect,
					 "libvirt URI (default: embedded QEMU driver)", "URI"},
					{"flavours-dir", 0, 0, G_OPTION_ARG_FILENAME,
					 &options->flavours_dir, "Extra flavour profiles", "DIR"},
					{"accel", 0, 0, G_OPTION_ARG_STRING, &options->accel,
					 "auto (default), kvm or tcg", "ACCEL"},
					{"lab", 0, 0, G_OPTION_ARG_FILENAME, &options->lab,
					 "Lab hosts file (default " SG_LAB_CONFIG_DEFAULT_PATH ")",
					 "FILE"},
					{NULL}};

	/* GOption copies the entries; only @options must outlive the parse. */
	g_option_context_add_main_entries(context, entries, NULL);
}

void
sg_cmd_lab_options_clear(SgCmdLabOptions *options)
{
	g_clear_pointer(&options->connect, g_free);
	g_clear_pointer(&options->flavours_dir, g_free);
	g_clear_pointer(&options->accel, g_free);
	g_clear_pointer(&options->lab, g_free);
}

/* The host of the lab with the most free guest places now; NULL (with
 * @error) when none is reachable with room. */
static SgLabHost *
choose_host(SgLabConfig *lab, GError **error)
{
	g_autoptr(GPtrArray) surveys = sg_lab_survey_all(lab, SG_LAB_SURVEY_TIMEOUT_MS);
	g_autoptr(GString) why = g_string_new(NULL);
	SgLabHost *best = NULL;
	SgLabSurvey *best_survey = NULL;

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

static void
choose_host_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	GError *error = NULL;
	SgLabHost *host = choose_host(data, &error);

	if (host == NULL)
		g_task_return_error(task, error);
	else
		g_task_return_pointer(task, host, NULL);
}

/* One run of a command on the main loop: its host, then its work. */
typedef struct {
	SgLabConfig *lab;
	SgTestOptions *options;
	SgProgress *progress;
	GCancellable *cancellable;
	SgCmdRunStart start;
	SgCmdRunFinish finish;
	GMainLoop *loop;
	gpointer result;
	GError *error;
} SgCmdRun;

static void
on_run_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SgCmdRun *run = user_data;

	run->result = run->finish(result, &run->error);
	g_main_loop_quit(run->loop);
}

static void
on_host_chosen(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SgCmdRun *run = user_data;
	SgLabHost *host = g_task_propagate_pointer(G_TASK(result), &run->error);

	if (host == NULL) {
		g_main_loop_quit(run->loop);
		return;
	}
	run->options->connect_uri = host->uri;
	run->options->max_guests = run->lab->path != NULL ? host->max_guests : 0;
	run->options->emulation_factor = host->emulation_factor;
	if (run->options->accel == NULL)
		run->options->accel = host->accel != NULL ? host->accel : "auto";
	if (run->lab->path != NULL)
		sg_progress_note(run->progress, "testing on lab host %s", host->name);
	run->start(run->options, run->progress, run->cancellable, on_run_done, run);
}

gpointer
sg_cmd_run_on_main_loop(SgLabConfig *lab, SgTestOptions *options, SgProgress *progress,
			GCancellable *cancellable, SgCmdRunStart start, SgCmdRunFinish finish,
			GError **error)
{
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	g_autoptr(GTask) task = NULL;
	SgCmdRun run = {lab, options, progress, cancellable, start, finish, loop};

	sg_main_loop_init();
	task = g_task_new(NULL, NULL, on_host_chosen, &run);
	g_task_set_task_data(task, lab, NULL);
	/* A lab of one host is used as it is: there is nothing to choose. */
	if (lab->hosts->len == 1)
		g_task_return_pointer(task, g_ptr_array_index(lab->hosts, 0), NULL);
	else
		g_task_run_in_thread(task, choose_host_thread);
	g_clear_object(&task);
	sg_main_loop_run(loop, cancellable);
	if (run.error != NULL)
		g_propagate_error(error, run.error);
	return run.result;
}

SgLabConfig *
sg_cmd_lab_config(SgCmdLabOptions *options, const gchar *command, GError **error)
{
	SgLabConfig *config;

	if (options->connect != NULL && options->lab != NULL) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "--connect and --lab exclude each other (see 'smokegate %s --help')",
			    command);
		return NULL;
	}
	if (options->connect != NULL)
		return sg_lab_config_new_single(options->connect, options->accel);
	config = sg_lab_config_load(options->lab, error);
	/* No lab file: the default host takes --accel, exactly as before. */
	if (config != NULL && config->path == NULL && options->accel != NULL) {
		SgLabHost *host = g_ptr_array_index(config->hosts, 0);
		g_free(host->accel);
		host->accel = g_strdup(options->accel);
	}
	return config;
}
