/* serve's runner without guests: which changes of a tree start a pass
 * (inotify on real folders), the gate lock, a refused reload. The trees hold
 * no build to test, so each pass ends at once without libvirt. */
#include <glib/gstdio.h>
#include <unistd.h>

#include "sg-error.h"
#include "sg-files.h"
#include "sg-runner.h"
#include "sg-tree.h"

typedef struct {
	guint passes;
	gboolean gating;
	gboolean stopped;
	gint64 last_start_us;
} SgRunnerWatch;

static void
on_changed(SgRunner *runner, gpointer user_data)
{
	SgRunnerWatch *watch = user_data;
	g_autofree gchar *status = sg_runner_describe(runner);
	gboolean gating = g_str_has_prefix(status, "gating ");

	if (gating && !watch->gating) {
		watch->passes++;
		watch->last_start_us = g_get_monotonic_time();
	}
	watch->gating = gating;
}

static void
on_stopped(SgRunner *runner, gpointer user_data)
{
	SgRunnerWatch *watch = user_data;
	watch->stopped = TRUE;
}

/* Runs the main loop until @passes passes have started and ended, or @ms pass. */
static gboolean
wait_for_passes(SgRunnerWatch *watch, guint passes, guint ms)
{
	gint64 deadline = g_get_monotonic_time() + ms * 1000;

	while (g_get_monotonic_time() < deadline) {
		if (watch->passes >= passes && !watch->gating)
			return TRUE;
		g_main_context_iteration(NULL, FALSE);
		g_usleep(5000);
	}
	return watch->passes >= passes && !watch->gating;
}

static SgRunner *
runner_new(const gchar *tree, SgRunnerWatch *watch, GError **error)
{
	const gchar *trees[] = {tree, NULL};
	SgRunnerOptions options = {
		.jobs = 1,
		.on_changed = on_changed,
		.on_stopped = on_stopped,
		.user_data = watch,
	};
	return sg_runner_new(trees, sg_lab_config_new_single(NULL, "tcg"), &options, error);
}

static void
test_watch(void)
{
	g_autofree gchar *tree = g_dir_make_tmp("sg-runner-XXXXXX", NULL);
	g_autofree gchar *type_dir = g_build_filename(tree, "alpha", "daily-live", NULL);
	g_autofree gchar *other_type = g_build_filename(tree, "alpha", "daily-dvd", NULL);
	g_autofree gchar *page = g_build_filename(tree, "index.html", NULL);
	g_autoptr(SgRunner) runner = NULL;
	g_autoptr(GError) error = NULL;
	SgRunnerWatch watch = {0};
	gint64 moved_us;
	guint passes;

	runner = runner_new(tree, &watch, &error);
	g_assert_no_error(error);
	sg_runner_start(runner);
	/* The pass at start. */
	g_assert_true(wait_for_passes(&watch, 1, 5000));

	/* A new flavour and image type: the folders are watched as they
	 * appear, and a pass looks at what is already in them. */
	g_assert_cmpint(g_mkdir_with_parents(type_dir, 0755), ==, 0);
	g_assert_true(sg_tree_point(type_dir, SG_TREE_PENDING, "20260101", &error));
	g_assert_no_error(error);
	g_assert_true(wait_for_passes(&watch, 2, 5000));
	/* The pass's own writes (status page, state) start no other pass. */
	passes = watch.passes;
	g_assert_false(wait_for_passes(&watch, passes + 1, 1000));

	/* `pending` moved in a folder watched since: one pass, soon. */
	moved_us = g_get_monotonic_time();
	g_assert_true(sg_tree_point(type_dir, SG_TREE_PENDING, "20260102", &error));
	g_assert_no_error(error);
	g_assert_true(wait_for_passes(&watch, passes + 1, 5000));
	g_test_message("pending moved -> pass started: %.3f s",
		       (watch.last_start_us - moved_us) / 1e6);
	g_assert_cmpint(watch.last_start_us - moved_us, <, G_USEC_PER_SEC);

	/* What the gate changes (current, files in the tree) is not asked about. */
	passes = watch.passes;
	g_assert_true(sg_tree_point(type_dir, SG_TREE_CURRENT, "20260102", &error));
	g_assert_true(g_file_set_contents(page, "<html></html>", -1, &error));
	g_assert_false(wait_for_passes(&watch, passes + 1, 1000));

	/* A second image type of a flavour already watched. */
	g_assert_cmpint(g_mkdir_with_parents(other_type, 0755), ==, 0);
	g_assert_true(wait_for_passes(&watch, passes + 1, 5000));
	passes = watch.passes;
	g_assert_true(sg_tree_point(other_type, SG_TREE_PENDING, "20260101", &error));
	g_assert_true(wait_for_passes(&watch, passes + 1, 5000));

	sg_runner_stop(runner);
	while (!watch.stopped)
		g_main_context_iteration(NULL, TRUE);
	g_clear_pointer(&runner, sg_runner_free);
	sg_files_remove_tree(tree);
}

/* The runner holds the gate lock: a second one (or a gate) is refused. */
static void
test_lock(void)
{
	g_autofree gchar *tree = g_dir_make_tmp("sg-runner-XXXXXX", NULL);
	g_autoptr(SgRunner) runner = NULL;
	g_autoptr(SgRunner) second = NULL;
	g_autoptr(GError) error = NULL;
	SgRunnerWatch watch = {0};

	runner = runner_new(tree, &watch, &error);
	g_assert_no_error(error);
	second = runner_new(tree, &watch, &error);
	g_assert_error(error, SG_ERROR, SG_ERROR_LOCKED);
	g_assert_null(second);
	g_assert_nonnull(strstr(error->message, "smokegate serve"));
	g_clear_pointer(&runner, sg_runner_free);
	sg_files_remove_tree(tree);
}

/* A broken configuration is refused and the old one kept; a good one
 * sets the ExpectedBy timer. */
static void
test_reload(void)
{
	g_autofree gchar *tree = g_dir_make_tmp("sg-runner-XXXXXX", NULL);
	g_autofree gchar *conf = g_build_filename(tree, "smokegate.conf", NULL);
	g_autoptr(SgRunner) runner = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *before = NULL;
	g_autofree gchar *after = NULL;
	SgRunnerWatch watch = {0};

	runner = runner_new(tree, &watch, &error);
	g_assert_no_error(error);
	before = sg_runner_describe(runner);
	g_assert_cmpstr(before, ==, "idle");

	g_assert_true(g_file_set_contents(conf, "[Tree]\nExpectedBy=25:00\n", -1, NULL));
	g_assert_false(sg_runner_reload(runner, NULL, &error));
	g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);
	g_assert_nonnull(strstr(error->message, conf));
	g_clear_error(&error);
	after = sg_runner_describe(runner);
	g_assert_cmpstr(after, ==, "idle");
	g_clear_pointer(&after, g_free);

	g_assert_true(g_file_set_contents(conf, "[Tree]\nExpectedBy=06:00\n", -1, NULL));
	g_assert_true(sg_runner_reload(runner, sg_lab_config_new_single(NULL, "tcg"), &error));
	g_assert_no_error(error);
	after = sg_runner_describe(runner);
	g_assert_true(g_str_has_prefix(after, "idle, next ExpectedBy check at "));
	g_assert_true(g_str_has_suffix(after, " 06:00"));
	g_clear_pointer(&runner, sg_runner_free);
	sg_files_remove_tree(tree);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/runner/watch", test_watch);
	g_test_add_func("/runner/lock", test_lock);
	g_test_add_func("/runner/reload", test_reload);
	return g_test_run();
}
