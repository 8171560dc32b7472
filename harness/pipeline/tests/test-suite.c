#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "sg-error.h"
#include "sg-files.h"
#include "sg-suite-run.h"
#include "sg-suite.h"
#include "sg-tap.h"

static gchar *
shipped_dir(void)
{
	return g_test_build_filename(G_TEST_DIST, "..", "..", "..", "guests", "suites", NULL);
}

/* A suite folder NAME under @parent with @conf as its suite.conf and an
 * executable run.sh. */
static gchar *
write_suite(const gchar *parent, const gchar *name, const gchar *conf)
{
	gchar *dir = g_build_filename(parent, name, NULL);
	g_autofree gchar *conf_path = g_build_filename(dir, "suite.conf", NULL);
	g_autofree gchar *run = g_build_filename(dir, "run.sh", NULL);

	g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
	g_assert_true(g_file_set_contents(conf_path, conf, -1, NULL));
	g_assert_true(g_file_set_contents(run, "#!/bin/sh\necho 1..0\n", -1, NULL));
	return dir;
}

static gchar *
make_tmp_dir(void)
{
	g_autoptr(GError) error = NULL;
	gchar *dir = g_dir_make_tmp("sg-suite-XXXXXX", &error);
	g_assert_no_error(error);
	return dir;
}

/* Every shipped suite loads; lib/ is the shared folder, not a suite. */
static void
test_shipped(void)
{
	g_autofree gchar *dir = shipped_dir();
	const gchar *dirs[] = {dir, NULL};
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) suites = sg_suite_load_dirs(dirs, &error);
	SgSuite *suite;

	g_assert_no_error(error);
	g_assert_null(sg_suite_find(suites, "lib"));
	suite = sg_suite_find(suites, "desktop-session");
	g_assert_nonnull(suite);
	g_assert_cmpint(suite->run_as, ==, SG_SUITE_RUN_AS_SESSION);
	g_assert_true(suite->gating);
	g_assert_cmpstr(suite->command, ==, "run.sh");
	g_assert_cmpuint(g_strv_length(suite->flavours), ==, 0);
	g_assert_true(g_strv_contains((const gchar *const *)suite->files, "suite.conf"));
	g_assert_true(g_strv_contains((const gchar *const *)suite->files, "run.sh"));
	suite = sg_suite_find(suites, "system-health");
	g_assert_nonnull(suite);
	g_assert_cmpint(suite->run_as, ==, SG_SUITE_RUN_AS_ROOT);
	g_assert_true(suite->gating);
	suite = sg_suite_find(suites, "unity");
	g_assert_nonnull(suite);
	g_assert_false(suite->gating);
	/* the shipped set is the issue's: desktop-session, system-health, unity */
	g_assert_cmpuint(suites->len, ==, 3);
	for (guint i = 0; i < suites->len; i++) {
		suite = g_ptr_array_index(suites, i);
		g_assert_cmpuint(suite->start_seconds, <=, suite->seconds);
		g_assert_cmpstr(suite->description, !=, suite->name);
	}
}

static void
test_defaults_and_files(void)
{
	g_autofree gchar *tmp = make_tmp_dir();
	g_autofree gchar *dir = write_suite(tmp, "team-suite",
					    "[Suite]\nRunAs=root\nCommand=bin/check --fast\n"
					    "Flavours=ubuntu*;kubuntu\n");
	g_autofree gchar *bin = g_build_filename(dir, "bin", NULL);
	g_autofree gchar *check = g_build_filename(bin, "check", NULL);
	g_autofree gchar *hidden = g_build_filename(dir, ".check.swp", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(SgSuite) suite = NULL;
	const gchar *expected[] = {"bin/check", "run.sh", "suite.conf", NULL};

	g_assert_cmpint(g_mkdir(bin, 0755), ==, 0);
	g_assert_true(g_file_set_contents(check, "#!/bin/sh\n", -1, NULL));
	g_assert_true(g_file_set_contents(hidden, "", -1, NULL));
	suite = sg_suite_load(dir, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(suite->name, ==, "team-suite");
	g_assert_cmpstr(suite->description, ==, "team-suite");
	g_assert_true(suite->gating);
	g_assert_cmpuint(suite->start_seconds, ==, 900);
	g_assert_cmpuint(suite->seconds, ==, 1800);
	g_assert_cmpstrv(suite->files, expected);
	g_assert_cmpstr(suite->flavours[0], ==, "ubuntu*");
	g_assert_cmpstr(suite->flavours[1], ==, "kubuntu");
	sg_files_remove_tree(tmp);
}

/* Each bad suite.conf is refused with one line naming the file and key. */
static void
test_refused(void)
{
	struct {
		const gchar *conf;
		const gchar *words;
	} cases[] = {
		{"[Suite]\nCommand=run.sh\n", "[Suite] RunAs= is missing (session or root)"},
		{"[Suite]\nRunAs=sometimes\nCommand=run.sh\n",
		 "[Suite] RunAs=sometimes is not session or root"},
		{"[Suite]\nRunAs=root\nGating=maybe\nCommand=run.sh\n",
		 "[Suite] Gating=maybe is not true or false"},
		{"[Suite]\nRunAs=root\nStartSeconds=0\nCommand=run.sh\n",
		 "[Suite] StartSeconds=0 is not a number of seconds above zero"},
		{"[Suite]\nRunAs=root\nSeconds=ten\nCommand=run.sh\n",
		 "[Suite] Seconds=ten is not a number of seconds above zero"},
		{"[Suite]\nRunAs=root\nStartSeconds=600\nSeconds=300\nCommand=run.sh\n",
		 "[Suite] StartSeconds=600 is more than Seconds=300"},
		{"[Suite]\nRunAs=root\nGatting=false\nCommand=run.sh\n",
		 "[Suite] Gatting= is not a key of a suite"},
		{"[Suite]\nRunAs=root\n", "[Suite] Command= is missing"},
		{"[Suite]\nRunAs=root\nCommand=run\n",
		 "[Suite] Command=run: run is not a file of the suite"},
		{"[Suite]\nRunAs=root\nCommand=../other/run.sh\n", "is not a file of the suite"},
		{"[Suite]\nRunAs=root\nCommand=run.sh 'open\n", "[Suite] Command=run.sh 'open: "},
		{"[Test]\nRunAs=root\n", "no [Suite] group"},
		{"[Suite\nRunAs=root\n", "suite.conf:1: "},
		{"[Suite]\nRunAs=root\nCommand=run.sh\n[Extra]\nX=1\n",
		 "unknown group [Extra] (a suite holds [Suite] only)"},
		{"[Suite]\nRunAs=root\n[Suite]\nCommand=run.sh\n",
		 "suite.conf:3: [Suite] again (first on line 1)"},
	};
	g_autofree gchar *tmp = make_tmp_dir();

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *name = g_strdup_printf("case-%u", i);
		g_autofree gchar *dir = write_suite(tmp, name, cases[i].conf);
		g_autofree gchar *conf = g_build_filename(dir, "suite.conf", NULL);
		g_autoptr(GError) error = NULL;
		g_autoptr(SgSuite) suite = sg_suite_load(dir, &error);

		g_test_message("%s", error != NULL ? error->message : "(loaded)");
		g_assert_null(suite);
		g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);
		g_assert_true(g_str_has_prefix(error->message, conf));
		g_assert_nonnull(strstr(error->message, cases[i].words));
		g_assert_null(strchr(error->message, '\n'));
	}
	sg_files_remove_tree(tmp);
}

static void
test_refused_folders(void)
{
	g_autofree gchar *tmp = make_tmp_dir();
	g_autofree gchar *upper =
		write_suite(tmp, "Desktop", "[Suite]\nRunAs=root\nCommand=run.sh\n");
	g_autofree gchar *lib = write_suite(tmp, "lib", "[Suite]\nRunAs=root\nCommand=run.sh\n");
	g_autofree gchar *linked =
		write_suite(tmp, "linked", "[Suite]\nRunAs=root\nCommand=run.sh\n");
	g_autofree gchar *link = g_build_filename(linked, "passwd", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(SgSuite) suite = NULL;

	suite = sg_suite_load(upper, &error);
	g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);
	g_clear_error(&error);
	suite = sg_suite_load(lib, &error);
	g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);
	g_clear_error(&error);
	g_assert_cmpint(symlink("/etc/passwd", link), ==, 0);
	suite = sg_suite_load(linked, &error);
	g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);
	g_assert_true(g_str_has_prefix(error->message, link));
	sg_files_remove_tree(tmp);
}

/* The drop-ins override the shipped suite of the same name; a folder
 * without suite.conf is not a suite. */
static void
test_drop_in_overrides(void)
{
	g_autofree gchar *shipped = shipped_dir();
	g_autofree gchar *tmp = make_tmp_dir();
	g_autofree gchar *override = write_suite(
		tmp, "system-health", "[Suite]\nRunAs=root\nGating=false\nCommand=run.sh\n");
	g_autofree gchar *helpers = g_build_filename(tmp, "helpers", NULL);
	const gchar *dirs[] = {shipped, "/nonexistent", tmp, NULL};
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) suites = NULL;
	g_autoptr(GPtrArray) builtin = NULL;
	SgSuite *suite;

	g_assert_cmpint(g_mkdir(helpers, 0755), ==, 0);
	suites = sg_suite_load_dirs(dirs, &error);
	g_assert_no_error(error);
	suite = sg_suite_find(suites, "system-health");
	g_assert_cmpstr(suite->dir, ==, override);
	g_assert_false(suite->gating);
	g_assert_null(sg_suite_find(suites, "helpers"));

	/* --suites-dir is the last word; a missing one is a usage error */
	builtin = sg_suite_load_all(tmp, &error);
	g_assert_no_error(error);
	g_assert_false(sg_suite_find(builtin, "system-health")->gating);
	g_assert_nonnull(sg_suite_find(builtin, "desktop-session"));
	g_assert_null(sg_suite_load_all("/nonexistent/suites", &error));
	g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);
	g_assert_cmpstr(error->message, ==, "/nonexistent/suites: no such folder");
	sg_files_remove_tree(tmp);
}

static void
test_applies_and_select(void)
{
	g_autofree gchar *tmp = make_tmp_dir();
	g_autofree gchar *team = write_suite(
		tmp, "unity",
		"[Suite]\nRunAs=session\nCommand=run.sh\nFlavours=ubuntu-2013;*unity\n");
	g_autofree gchar *root =
		write_suite(tmp, "health", "[Suite]\nRunAs=root\nCommand=run.sh\n");
	const gchar *dirs[] = {tmp, NULL};
	SgFlavour ubuntu_2013 = {.name = "ubuntu-2013", .display_manager = "lightdm"};
	SgFlavour kubuntu = {.name = "kubuntu", .display_manager = "sddm"};
	SgFlavour server = {.name = "ubuntu-unity", .display_manager = NULL};
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) suites = sg_suite_load_dirs(dirs, &error);
	g_autoptr(GPtrArray) selected = NULL;
	const gchar *names[] = {"unity", "health", "unity", NULL};
	const gchar *unknown[] = {"health", "desktop", NULL};
	SgSuite *unity;
	SgSuite *health;

	g_assert_no_error(error);
	unity = sg_suite_find(suites, "unity");
	health = sg_suite_find(suites, "health");
	g_assert_true(sg_suite_applies_to(unity, &ubuntu_2013));
	g_assert_false(sg_suite_applies_to(unity, &kubuntu));
	/* a session suite needs a desktop session */
	g_assert_false(sg_suite_applies_to(unity, &server));
	g_assert_true(sg_suite_applies_to(health, &server));
	g_assert_true(sg_suite_applies_to(health, &kubuntu));

	selected = sg_suite_select(suites, names, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(selected->len, ==, 2);
	g_assert_true(g_ptr_array_index(selected, 0) == unity);
	g_assert_null(sg_suite_select(suites, unknown, &error));
	g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);
	g_assert_cmpstr(error->message, ==, "no suite named desktop (known: health, unity)");
	sg_files_remove_tree(tmp);
}

/* The shipped suites run here through lib/run-suite, with each shell a
 * guest may have as /bin/sh, and write TAP whose plan is complete: what
 * they find on a build machine is no desktop, so only the form is judged. */
static void
test_shipped_run_here(void)
{
	g_autofree gchar *shipped = shipped_dir();
	g_autofree gchar *run_suite = g_build_filename(shipped, "lib", "run-suite", NULL);
	const gchar *dirs[] = {shipped, NULL};
	const gchar *shells[] = {"dash", "busybox", "bash"};
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) suites = sg_suite_load_dirs(dirs, &error);

	g_assert_no_error(error);
	for (guint s = 0; s < G_N_ELEMENTS(shells); s++) {
		g_autofree gchar *shell = g_find_program_in_path(shells[s]);
		if (shell == NULL) {
			g_test_message("no %s here", shells[s]);
			continue;
		}
		for (guint i = 0; i < suites->len; i++) {
			SgSuite *suite = g_ptr_array_index(suites, i);
			g_autofree gchar *tmp = make_tmp_dir();
			g_autofree gchar *tap_path = g_strdup_printf("%s/%s.tap", tmp, suite->name);
			g_autofree gchar *text = NULL;
			g_autofree gchar *reason = NULL;
			g_autoptr(SgTap) tap = sg_tap_new();
			g_auto(GStrv) env = g_get_environ();
			g_autoptr(GPtrArray) argv = g_ptr_array_new();
			gint status;

			env = g_environ_setenv(env, "SMOKEGATE_SUITES", shipped, TRUE);
			env = g_environ_setenv(env, "SMOKEGATE_LOG", tmp, TRUE);
			env = g_environ_setenv(env, "SMOKEGATE_PORT", "/nonexistent", TRUE);
			env = g_environ_setenv(env, "SMOKEGATE_SUITE_WAIT", "1", TRUE);
			env = g_environ_setenv(env, "HOME", tmp, TRUE);
			g_ptr_array_add(argv, shell);
			if (g_str_equal(shells[s], "busybox"))
				g_ptr_array_add(argv, "sh");
			g_ptr_array_add(argv, run_suite);
			g_ptr_array_add(argv, suite->name);
			g_ptr_array_add(argv, NULL);
			g_assert_true(g_spawn_sync(tmp, (gchar **)argv->pdata, env,
						   G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
						   NULL, &status, &error));
			g_assert_no_error(error);
			g_assert_true(g_file_get_contents(tap_path, &text, NULL, &error));
			sg_tap_feed(tap, text, strlen(text));
			sg_tap_end(tap);
			sg_tap_verdict(tap, &reason);
			g_test_message("%s %s: %s", shells[s], suite->name, reason);
			g_assert_true(sg_tap_finished(tap));
			g_assert_cmpuint(sg_tap_get_cases(tap)->len, ==, sg_tap_get_planned(tap));
			g_assert_cmpuint(sg_tap_get_junk_lines(tap), ==, 0);
			sg_files_remove_tree(tmp);
		}
	}
}

/* desktop-session from run-suite with SMOKEGATE_* as expect.env would set
 * them (@keyboard the answer file's layout); the TAP as the reader saw it. */
static SgTap *
run_desktop_session(const gchar *display, const gchar *home, const gchar *wait,
		    const gchar *keyboard)
{
	g_autofree gchar *shipped = shipped_dir();
	g_autofree gchar *run_suite = g_build_filename(shipped, "lib", "run-suite", NULL);
	g_autofree gchar *tap_path = g_build_filename(home, "desktop-session.tap", NULL);
	g_autofree gchar *text = NULL;
	g_autofree gchar *reason = NULL;
	const gchar *argv[] = {"/bin/sh", run_suite, "desktop-session", NULL};
	g_auto(GStrv) env = g_get_environ();
	g_autoptr(GError) error = NULL;
	SgTap *tap = sg_tap_new();

	env = g_environ_setenv(env, "SMOKEGATE_SUITES", shipped, TRUE);
	env = g_environ_setenv(env, "SMOKEGATE_LOG", home, TRUE);
	env = g_environ_setenv(env, "SMOKEGATE_PORT", "/nonexistent", TRUE);
	env = g_environ_setenv(env, "SMOKEGATE_SUITE_WAIT", wait, TRUE);
	env = g_environ_setenv(env, "SMOKEGATE_USER", g_get_user_name(), TRUE);
	env = g_environ_setenv(env, "SMOKEGATE_SHELL_PROCESSES", "icewm", TRUE);
	env = g_environ_setenv(env, "SMOKEGATE_KEYBOARD", keyboard, TRUE);
	/* C.UTF-8 is there on every glibc system, written as glibc lists it */
	env = g_environ_setenv(env, "SMOKEGATE_LOCALE", "C.utf8", TRUE);
	env = g_environ_setenv(env, "LANG", "C.UTF-8", TRUE);
	env = g_environ_unsetenv(env, "LC_ALL");
	env = g_environ_setenv(env, "DISPLAY", display, TRUE);
	env = g_environ_setenv(env, "HOME", home, TRUE);
	env = g_environ_unsetenv(env, "WAYLAND_DISPLAY");
	g_assert_true(g_spawn_sync(home, (gchar **)argv, env, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
				   NULL, NULL, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(g_file_get_contents(tap_path, &text, NULL, NULL));
	g_test_message("%s", text);
	sg_tap_feed(tap, text, strlen(text));
	sg_tap_end(tap);
	sg_tap_verdict(tap, &reason);
	g_test_message("%s: %s", display, reason);
	return tap;
}

static SgTapOutcome
outcome(SgTap *tap, guint index)
{
	SgTapCase *tap_case = g_ptr_array_index(sg_tap_get_cases(tap), index);
	return tap_case->outcome;
}

/* desktop-session against a real X server and window manager (Xvfb and
 * IceWM, the window manager of the live fixtures; xmessage, xwininfo,
 * xprop, setxkbmap): it passes, fails on the keyboard layout when the
 * answer file set another, then on the window once IceWM is gone (the
 * window is viewable but no manager takes it), then on the
 * display once the server is gone. */
static void
test_desktop_session_on_xvfb(void)
{
	const gchar *programs[] = {"Xvfb", "icewm", "xmessage", "xwininfo", "xprop", "setxkbmap"};
	g_autofree gchar *xvfb_path = g_find_program_in_path("Xvfb");
	g_autofree gchar *icewm_path = g_find_program_in_path("icewm");
	g_autofree gchar *home = NULL;
	g_autofree gchar *number = NULL;
	g_autofree gchar *display = NULL;
	g_autoptr(GSubprocess) xvfb = NULL;
	g_autoptr(GSubprocess) icewm = NULL;
	g_autoptr(GSubprocessLauncher) launcher = NULL;
	g_autoptr(GDataInputStream) lines = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(SgTap) passing = NULL;
	g_autoptr(SgTap) other_layout = NULL;
	g_autoptr(SgTap) no_window_manager = NULL;
	g_autoptr(SgTap) no_server = NULL;

	for (guint i = 0; i < G_N_ELEMENTS(programs); i++) {
		g_autofree gchar *path = g_find_program_in_path(programs[i]);
		if (path == NULL) {
			g_test_skip("needs Xvfb, icewm, x11-utils and x11-xkb-utils");
			return;
		}
	}
	home = g_dir_make_tmp("sg-desktop-XXXXXX", &error);
	g_assert_no_error(error);
	/* -displayfd: the server picks a free display and says which */
	xvfb = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
				&error, xvfb_path, "-displayfd", "1", "-nolisten", "tcp", NULL);
	g_assert_no_error(error);
	lines = g_data_input_stream_new(g_subprocess_get_stdout_pipe(xvfb));
	number = g_data_input_stream_read_line(lines, NULL, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(number);
	display = g_strdup_printf(":%s", g_strstrip(number));
	launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
					     G_SUBPROCESS_FLAGS_STDERR_SILENCE);
	g_subprocess_launcher_setenv(launcher, "DISPLAY", display, TRUE);
	g_subprocess_launcher_setenv(launcher, "HOME", home, TRUE);
	icewm = g_subprocess_launcher_spawn(launcher, &error, icewm_path, NULL);
	g_assert_no_error(error);

	/* IceWM may take a moment: the suite waits for it as for a session's */
	passing = run_desktop_session(display, home, "10", "us");
	g_assert_cmpuint(sg_tap_get_cases(passing)->len, ==, 8);
	for (guint i = 0; i < 8; i++)
		g_assert_cmpint(outcome(passing, i), ==, SG_TAP_PASS);

	other_layout = run_desktop_session(display, home, "10", "fr");
	for (guint i = 0; i < 8; i++)
		g_assert_cmpint(outcome(other_layout, i), ==, (i == 4 ? SG_TAP_FAIL : SG_TAP_PASS));

	g_subprocess_force_exit(icewm);
	g_assert_true(g_subprocess_wait(icewm, NULL, NULL));
	no_window_manager = run_desktop_session(display, home, "1", "us");
	/* Not the shell check: another test's IceWM may run as this user
	 * on another display. The window is this display's own. */
	g_assert_cmpint(outcome(no_window_manager, 1), ==, SG_TAP_PASS);
	g_assert_cmpint(outcome(no_window_manager, 3), ==, SG_TAP_FAIL);

	g_subprocess_force_exit(xvfb);
	g_assert_true(g_subprocess_wait(xvfb, NULL, NULL));
	no_server = run_desktop_session(display, home, "1", "us");
	g_assert_cmpint(outcome(no_server, 0), ==, SG_TAP_PASS);
	g_assert_cmpint(outcome(no_server, 1), ==, SG_TAP_FAIL);
	sg_files_remove_tree(home);
}

static void
add_suite(SgResult *result, const gchar *name, gboolean gating, SgVerdict verdict,
	  const gchar *reason)
{
	SgSuiteResult *suite = sg_result_begin_suite(result, name, gating);

	suite->verdict = verdict;
	suite->decided = TRUE;
	suite->reason = g_strdup(reason);
}

/* A failing gating suite fails the run, naming itself; an advisory one is
 * reported in the reason only; an error of a gating one is an error. */
static void
test_judge(void)
{
	g_autoptr(SgResult) advisory = sg_result_new();
	g_autoptr(SgResult) gating = sg_result_new();
	g_autoptr(SgResult) error = sg_result_new();
	g_autoptr(GString) passed = g_string_new("installed");
	g_autoptr(GString) passed2 = g_string_new(NULL);
	g_autoptr(GString) passed3 = g_string_new(NULL);
	g_autofree gchar *reason = NULL;
	g_autofree gchar *reason2 = NULL;
	g_autofree gchar *reason3 = NULL;

	add_suite(advisory, "ok", TRUE, SG_VERDICT_PASS, "3 tests passed");
	add_suite(advisory, "team", FALSE, SG_VERDICT_FAIL, "test 2 'x' failed");
	g_assert_cmpint(sg_suite_run_judge(advisory->suites, passed, &reason), ==, SG_VERDICT_PASS);
	g_assert_null(reason);
	g_assert_cmpstr(
		passed->str, ==,
		"installed; suites passed: ok; advisory suite team fail: test 2 'x' failed");

	add_suite(gating, "team", FALSE, SG_VERDICT_FAIL, "test 1 'y' failed");
	add_suite(gating, "health", TRUE, SG_VERDICT_FAIL, "test 2 'x' failed");
	g_assert_cmpint(sg_suite_run_judge(gating->suites, passed2, &reason2), ==, SG_VERDICT_FAIL);
	g_assert_cmpstr(reason2, ==, "suite health: test 2 'x' failed");

	add_suite(error, "health", TRUE, SG_VERDICT_ERROR, "never started");
	g_assert_cmpint(sg_suite_run_judge(error->suites, passed3, &reason3), ==, SG_VERDICT_ERROR);
	g_assert_cmpstr(reason3, ==, "suite health: never started");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/suite/shipped", test_shipped);
	g_test_add_func("/suite/judge", test_judge);
	g_test_add_func("/suite/defaults-and-files", test_defaults_and_files);
	g_test_add_func("/suite/refused", test_refused);
	g_test_add_func("/suite/refused-folders", test_refused_folders);
	g_test_add_func("/suite/drop-in-overrides", test_drop_in_overrides);
	g_test_add_func("/suite/applies-and-select", test_applies_and_select);
	g_test_add_func("/suite/shipped-run-here", test_shipped_run_here);
	g_test_add_func("/suite/desktop-session-on-xvfb", test_desktop_session_on_xvfb);
	return g_test_run();
}
