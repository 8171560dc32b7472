/*
 * The coordinator's side of the inspecting child process, with this test
 * program as the child: /proc/self/exe is what sg_inspect_process_async
 * runs, and `test-inspect-process inspect-disk ... DISK` plays the
 * command, as DISK says: "good" prints an inspection (the one on its
 * standard input with evidence added, for --part journal), "fail" exits
 * as a libguestfs error does, "crash" aborts, "garbage" prints no JSON,
 * "hang" starts a grandchild (an appliance's QEMU) and waits.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "sg-error.h"
#include "sg-inspect-process.h"

/* ---- the child ----------------------------------------------------------- */

static int
print_inspection(SgInspection *inspection)
{
	g_autoptr(JsonGenerator) generator = json_generator_new();
	g_autoptr(JsonNode) node = sg_inspection_to_json(inspection);
	g_autofree gchar *text = NULL;

	json_generator_set_root(generator, node);
	text = json_generator_to_data(generator, NULL);
	puts(text);
	return 0;
}

static int
play_child(int argc, char **argv)
{
	const gchar *disk = argv[argc - 1];
	gboolean journal = FALSE;
	g_autoptr(SgInspection) inspection = NULL;

	sg_inspect_process_child_init();
	for (int i = 0; i < argc - 1; i++)
		journal |= g_str_equal(argv[i], "journal");
	g_printerr("a debug line of the child\n");
	/* G_MESSAGES_DEBUG is set: this goes to stderr, not into the JSON. */
	g_debug("inspect: a debug message of the child");
	if (g_str_equal(disk, "fail")) {
		g_printerr("smokegate inspect-disk: libguestfs cannot start its appliance: no\n");
		return 2;
	}
	if (g_str_equal(disk, "crash"))
		abort();
	if (g_str_equal(disk, "garbage")) {
		puts("{\"report\": ");
		return 0;
	}
	if (g_str_equal(disk, "hang")) {
		pid_t qemu = fork();
		if (qemu == 0) {
			for (;;)
				pause();
		}
		g_autofree gchar *text = g_strdup_printf("%d", (int)qemu);
		g_file_set_contents(g_getenv("SG_TEST_QEMU_PID_FILE"), text, -1, NULL);
		for (;;)
			pause();
	}
	if (journal) {
		g_autoptr(GIOChannel) input = g_io_channel_unix_new(STDIN_FILENO);
		g_autoptr(JsonParser) parser = json_parser_new();
		g_autofree gchar *text = NULL;
		gsize length = 0;
		g_io_channel_set_encoding(input, NULL, NULL);
		g_io_channel_read_to_end(input, &text, &length, NULL);
		if (!json_parser_load_from_data(parser, text, length, NULL))
			return 3;
		inspection = sg_inspection_from_json(json_parser_get_root(parser), NULL);
		if (inspection == NULL)
			return 3;
		sg_inspection_add_evidence(inspection, SG_EVIDENCE_DESKTOP_SESSION, "journal",
					   "Entering running state");
		sg_inspection_set_journal_entries(inspection, 42);
	} else {
		inspection = sg_inspection_new();
		inspection->os_summary = g_strdup("Debian GNU/Linux 12");
		inspection->user = g_strdup("/etc/passwd: tester:x:1000");
	}
	return print_inspection(inspection);
}

/* ---- the coordinator ----------------------------------------------------- */

typedef struct {
	GMainLoop *loop;
	SgInspection *inspection;
	GError *error;
} SgWait;

static void
on_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SgWait *wait = user_data;

	wait->inspection = sg_inspect_process_finish(result, &wait->error);
	g_main_loop_quit(wait->loop);
}

static SgInspection *
inspect(const SgInspectRequest *request, GCancellable *cancellable, GError **error)
{
	SgWait wait = {.loop = g_main_loop_new(NULL, FALSE)};

	sg_inspect_process_async(request, cancellable, on_done, &wait);
	g_main_loop_run(wait.loop);
	g_main_loop_unref(wait.loop);
	if (wait.error != NULL)
		g_propagate_error(error, wait.error);
	return wait.inspection;
}

static void
test_good(void)
{
	SgInspectRequest request = {.disk = "good",
				    .username = "tester",
				    .force_tcg = TRUE,
				    .part = SG_INSPECT_PART_BASE,
				    .nice = 10};
	g_autoptr(GError) error = NULL;
	g_autoptr(SgInspection) inspection = inspect(&request, NULL, &error);

	g_assert_no_error(error);
	g_assert_cmpstr(inspection->os_summary, ==, "Debian GNU/Linux 12");
	g_assert_cmpstr(inspection->user, ==, "/etc/passwd: tester:x:1000");
}

/* The journal's read starts from the coordinator's inspection (the
 * console's evidence) and adds to it. */
static void
test_journal(void)
{
	g_autoptr(SgInspection) base = sg_inspection_new();
	SgInspectRequest request = {
		.disk = "good", .part = SG_INSPECT_PART_JOURNAL, .inspection = base};
	g_autoptr(GError) error = NULL;
	g_autoptr(SgInspection) inspection = NULL;

	base->user = g_strdup("/etc/passwd: tester:x:1000");
	sg_inspection_add_evidence(base, SG_EVIDENCE_GRAPHICAL_TARGET, "console",
				   "Reached target Graphical Interface.");
	inspection = inspect(&request, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(inspection->user, ==, base->user);
	g_assert_cmpstr(inspection->graphical_target, ==,
			"console: Reached target Graphical Interface.");
	g_assert_cmpstr(inspection->desktop_session, ==, "journal: Entering running state");
	g_assert_cmpint(json_object_get_int_member(json_node_get_object(inspection->report),
						   "journal_entries"),
			==, 42);
}

/* We could not judge: each is SG_ERROR_LAB, never a verdict on the image. */
static void
test_child_errors(void)
{
	const struct {
		const gchar *disk;
		const gchar *message;
	} cases[] = {
		{"fail", "libguestfs cannot start its appliance: no"},
		{"crash", "the inspection of crash ended by signal 6 (Aborted)"},
		{"garbage", "the inspection of garbage: its inspection is not JSON: "},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		SgInspectRequest request = {.disk = cases[i].disk, .part = SG_INSPECT_PART_DISK};
		g_autoptr(GError) error = NULL;
		g_autoptr(SgInspection) inspection = inspect(&request, NULL, &error);

		g_assert_null(inspection);
		g_assert_error(error, SG_ERROR, SG_ERROR_LAB);
		g_assert_true(g_str_has_prefix(error->message, cases[i].message));
	}
}

static gboolean
cancel_soon(gpointer user_data)
{
	g_cancellable_cancel(user_data);
	return G_SOURCE_REMOVE;
}

static gboolean
process_gone(pid_t pid)
{
	g_autofree gchar *path = g_strdup_printf("/proc/%d/stat", (int)pid);
	g_autofree gchar *stat = NULL;

	/* A zombie, its parent gone, waits for init: gone as well. */
	if (!g_file_get_contents(path, &stat, NULL, NULL))
		return TRUE;
	return strstr(stat, ") Z ") != NULL;
}

/* A SIGKILL sent to another process takes effect as the kernel schedules
 * it: a moment, even on a loaded machine. */
static gboolean
gone_soon(pid_t pid)
{
	for (guint i = 0; i < 200; i++) {
		if (process_gone(pid))
			return TRUE;
		g_usleep(10 * 1000);
	}
	return FALSE;
}

/* Cancelled: the child is gone when the task returns, and what it started
 * (killed with it) a moment later. */
static void
test_cancel_ends_all(void)
{
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	SgInspectRequest request = {.disk = "hang", .part = SG_INSPECT_PART_BASE};
	g_autoptr(GError) error = NULL;
	g_autoptr(SgInspection) inspection = NULL;
	g_autofree gchar *children = NULL;
	gint64 started = g_get_monotonic_time();
	g_autofree gchar *path = g_strdup_printf("/proc/%d/task/%d/children", getpid(), getpid());
	const gchar *pid_file = g_getenv("SG_TEST_QEMU_PID_FILE");
	g_autofree gchar *qemu = NULL;

	g_timeout_add(1000, cancel_soon, cancellable);
	inspection = inspect(&request, cancellable, &error);
	g_assert_null(inspection);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_assert_cmpint(g_get_monotonic_time() - started, <, 5 * G_USEC_PER_SEC);
	/* No child of ours is left, not even a zombie. */
	g_assert_true(g_file_get_contents(path, &children, NULL, NULL));
	g_assert_cmpstr(g_strstrip(children), ==, "");
	/* Nor what the child started. */
	g_assert_true(g_file_get_contents(pid_file, &qemu, NULL, NULL));
	g_assert_true(gone_soon(atoi(qemu)));
}

int
main(int argc, char **argv)
{
	g_autofree gchar *dir = NULL;
	g_autofree gchar *pid_file = NULL;
	int status;

	if (argc > 1 && g_str_equal(argv[1], SG_INSPECT_PROCESS_COMMAND))
		return play_child(argc, argv);
	/* Where the "hang" child says which process it started. */
	dir = g_dir_make_tmp("test-inspect-process-XXXXXX", NULL);
	pid_file = g_build_filename(dir, "qemu.pid", NULL);
	g_setenv("SG_TEST_QEMU_PID_FILE", pid_file, TRUE);
	/* As bench/overlap.sh and the remote test run the coordinator. */
	g_setenv("G_MESSAGES_DEBUG", "all", TRUE);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/inspect-process/good", test_good);
	g_test_add_func("/inspect-process/journal", test_journal);
	g_test_add_func("/inspect-process/child-errors", test_child_errors);
	g_test_add_func("/inspect-process/cancel-ends-all", test_cancel_ends_all);
	status = g_test_run();
	g_unlink(pid_file);
	g_rmdir(dir);
	return status;
}
