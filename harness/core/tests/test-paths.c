/* Where the shipped data is read from: the source tree for a binary in its
 * build folder, the installed data folder for any other, and
 * $SMOKEGATE_DATA_DIR over both. */
#include <glib/gstdio.h>

#include "sg-paths.h"

static void
assert_paths(const gchar *flavours, const gchar *answers, const gchar *suites)
{
	g_autofree gchar *got_flavours = sg_paths_builtin_flavours();
	g_autofree gchar *got_answers = sg_paths_builtin_answers();
	g_autofree gchar *got_suites = sg_paths_builtin_suites();

	g_assert_cmpstr(got_flavours, ==, flavours);
	g_assert_cmpstr(got_answers, ==, answers);
	g_assert_cmpstr(got_suites, ==, suites);
}

/* This test runs from the build folder: the source tree's data, which is
 * there. An empty override counts as none. */
static void
test_build_tree(void)
{
	g_autofree gchar *flavours = NULL;

	g_setenv("SMOKEGATE_DATA_DIR", "", TRUE);
	assert_paths(SG_SOURCE_ROOT "/guests/flavours", SG_SOURCE_ROOT "/preseed",
		     SG_SOURCE_ROOT "/guests/suites");
	flavours = sg_paths_builtin_flavours();
	g_assert_true(g_file_test(flavours, G_FILE_TEST_IS_DIR));
	g_unsetenv("SMOKEGATE_DATA_DIR");
}

static void
test_override(void)
{
	g_setenv("SMOKEGATE_DATA_DIR", "/srv/smokegate-data", TRUE);
	assert_paths("/srv/smokegate-data/flavours", "/srv/smokegate-data/preseed",
		     "/srv/smokegate-data/suites");
	g_unsetenv("SMOKEGATE_DATA_DIR");
}

/* A copy of this program outside the build folder, as an installed binary
 * is, reads the installed data: never a leftover checkout. */
static void
test_installed(void)
{
	g_autofree gchar *dir = g_dir_make_tmp("sg-paths-XXXXXX", NULL);
	g_autofree gchar *copy = g_build_filename(dir, "test-paths", NULL);
	g_autofree gchar *self = NULL;
	g_autofree gchar *contents = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *expected =
		g_strdup_printf("%s/flavours\n%s/preseed\n%s/suites\n", SG_INSTALLED_DATADIR,
				SG_INSTALLED_DATADIR, SG_INSTALLED_DATADIR);
	const gchar *argv[] = {copy, "--print-paths", NULL};
	g_autoptr(GError) error = NULL;
	gsize len = 0;
	gint status = 0;

	self = g_file_read_link("/proc/self/exe", &error);
	g_assert_no_error(error);
	g_assert_true(g_file_get_contents(self, &contents, &len, NULL));
	g_assert_true(g_file_set_contents_full(copy, contents, len, G_FILE_SET_CONTENTS_NONE, 0755,
					       &error));
	g_unsetenv("SMOKEGATE_DATA_DIR");
	g_assert_true(g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
				   NULL, &status, &error));
	g_assert_no_error(error);
	g_assert_true(g_spawn_check_wait_status(status, NULL));
	g_assert_cmpstr(out, ==, expected);
	g_unlink(copy);
	g_rmdir(dir);
}

int
main(int argc, char **argv)
{
	if (argc == 2 && g_str_equal(argv[1], "--print-paths")) {
		g_autofree gchar *flavours = sg_paths_builtin_flavours();
		g_autofree gchar *answers = sg_paths_builtin_answers();
		g_autofree gchar *suites = sg_paths_builtin_suites();

		g_print("%s\n%s\n%s\n", flavours, answers, suites);
		return 0;
	}
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/paths/build-tree", test_build_tree);
	g_test_add_func("/paths/override", test_override);
	g_test_add_func("/paths/installed", test_installed);
	return g_test_run();
}
