#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "sg-error.h"
#include "sg-files.h"
#include "sg-suite-guest.h"
#include "sg-tap.h"

/* What goes into the guest for a suite, applied under a local folder as
 * libguestfs would apply it to the disk, then run from there. */

static gchar *
shipped_dir(void)
{
	return g_test_build_filename(G_TEST_DIST, "..", "..", "..", "guests", "suites", NULL);
}

static SgSuite *
load_shipped(const gchar *name)
{
	g_autofree gchar *shipped = shipped_dir();
	g_autofree gchar *dir = g_build_filename(shipped, name, NULL);
	g_autoptr(GError) error = NULL;
	SgSuite *suite = sg_suite_load(dir, &error);

	g_assert_no_error(error);
	return suite;
}

/* The order of @files as libguestfs would follow it: mkdir_p and chmod,
 * write and chmod, ln_sf. */
static void
apply_under(GPtrArray *files, const gchar *root)
{
	for (guint i = 0; i < files->len; i++) {
		SgGuestFile *file = g_ptr_array_index(files, i);
		g_autofree gchar *path = g_build_filename(root, file->path, NULL);
		g_autofree gchar *parent = g_path_get_dirname(path);

		g_assert_true(g_path_is_absolute(file->path));
		g_assert_cmpint(g_mkdir_with_parents(parent, 0755), ==, 0);
		if (file->link_target != NULL) {
			g_assert_cmpint(symlink(file->link_target, path), ==, 0);
			continue;
		}
		if (file->contents == NULL)
			g_assert_cmpint(g_mkdir_with_parents(path, 0755), ==, 0);
		else
			g_assert_true(g_file_set_contents(path,
							  g_bytes_get_data(file->contents, NULL),
							  g_bytes_get_size(file->contents), NULL));
		g_assert_cmpint(g_chmod(path, file->mode), ==, 0);
	}
}

static guint
mode_of(const gchar *root, const gchar *path)
{
	g_autofree gchar *full = g_build_filename(root, path, NULL);
	GStatBuf info;

	g_assert_cmpint(g_stat(full, &info), ==, 0);
	return info.st_mode & 07777;
}

static gchar *
read_under(const gchar *root, const gchar *path)
{
	g_autofree gchar *full = g_build_filename(root, path, NULL);
	gchar *contents = NULL;

	g_assert_true(g_file_get_contents(full, &contents, NULL, NULL));
	return contents;
}

/* A root suite on a systemd image: the unit and its link, the lib, the
 * expectations; run from there, it reads them. */
static void
test_root_suite_systemd(void)
{
	g_autoptr(SgSuite) suite = load_shipped("system-health");
	g_autofree gchar *root = g_dir_make_tmp("sg-guest-XXXXXX", NULL);
	g_autofree gchar *suites = g_build_filename(root, SG_SUITE_GUEST_DIR, NULL);
	g_autofree gchar *log = g_build_filename(root, SG_SUITE_GUEST_LOG, NULL);
	g_autofree gchar *run_suite = g_build_filename(suites, "lib", "run-suite", NULL);
	g_autofree gchar *tap_path = sg_suite_guest_tap_path(suite);
	g_autofree gchar *wants = g_build_filename(
		root,
		"/etc/systemd/system/multi-user.target.wants/smokegate-suite@system-health.service",
		NULL);
	g_autofree gchar *link = NULL;
	g_autofree gchar *env_text = NULL;
	g_autofree gchar *tap_text = NULL;
	g_autofree gchar *reason = NULL;
	SgSuiteExpect expect = {
		.flavour = "debian-live",
		/* borrowed: the struct is only read */
		.user = (gchar *)g_get_user_name(),
		.hostname = (gchar *)g_get_host_name(),
		.locale = "it's \"quoted\"",
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) files =
		sg_suite_guest_files(suite, NULL, &expect, SG_GUEST_INIT_SYSTEMD, &error);
	g_autoptr(SgTap) tap = sg_tap_new();
	g_auto(GStrv) env = g_get_environ();
	const gchar *argv[] = {"/bin/sh", run_suite, "system-health", NULL};
	GPtrArray *cases;

	g_assert_no_error(error);
	g_assert_cmpstr(tap_path, ==, "/var/log/smokegate/system-health.tap");
	apply_under(files, root);
	g_assert_cmpuint(mode_of(root, "/var/lib/smokegate/suites/lib/run-suite"), ==, 0755);
	g_assert_cmpuint(mode_of(root, "/var/lib/smokegate/suites/system-health/run.sh"), ==, 0755);
	g_assert_cmpuint(mode_of(root, "/var/lib/smokegate/suites/system-health/suite.conf"), ==,
			 0644);
	g_assert_cmpuint(mode_of(root, "/var/log/smokegate"), ==, 01777);
	g_assert_cmpuint(mode_of(root, "/etc/udev/rules.d/60-smokegate-results.rules"), ==, 0644);
	g_assert_cmpuint(mode_of(root, "/etc/systemd/system/smokegate-suite@.service"), ==, 0644);
	link = g_file_read_link(wants, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(link, ==, "/etc/systemd/system/smokegate-suite@.service");
	env_text = read_under(root, "/var/lib/smokegate/suites/lib/expect.env");
	g_assert_nonnull(strstr(env_text, "SMOKEGATE_FLAVOUR='debian-live'\n"));
	g_assert_null(strstr(env_text, "SMOKEGATE_TIMEZONE"));

	/* run from that root, with a port nobody reads: the file has it all */
	env = g_environ_setenv(env, "SMOKEGATE_SUITES", suites, TRUE);
	env = g_environ_setenv(env, "SMOKEGATE_LOG", log, TRUE);
	env = g_environ_setenv(env, "SMOKEGATE_PORT", "/nonexistent", TRUE);
	env = g_environ_setenv(env, "SMOKEGATE_SUITE_WAIT", "1", TRUE);
	g_assert_true(g_spawn_sync(root, (gchar **)argv, env, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
				   NULL, NULL, NULL, NULL, &error));
	g_assert_no_error(error);
	tap_text = read_under(root, tap_path);
	sg_tap_feed(tap, tap_text, strlen(tap_text));
	sg_tap_end(tap);
	sg_tap_verdict(tap, &reason);
	g_test_message("%s", reason);
	g_assert_true(sg_tap_finished(tap));
	cases = sg_tap_get_cases(tap);
	g_assert_cmpuint(cases->len, ==, 9);
	/* the hostname and user are this machine's: the expectations came */
	g_assert_cmpint(((SgTapCase *)g_ptr_array_index(cases, 5))->outcome, ==, SG_TAP_PASS);
	g_assert_cmpint(((SgTapCase *)g_ptr_array_index(cases, 6))->outcome, ==, SG_TAP_PASS);
	g_assert_cmpint(((SgTapCase *)g_ptr_array_index(cases, 7))->outcome, ==, SG_TAP_SKIP);
	/* the locale did not match: its quoting survived the shell */
	g_assert_nonnull(strstr(((SgTapCase *)g_ptr_array_index(cases, 8))->diagnostics,
				"the answer file set it's \"quoted\""));
	sg_files_remove_tree(root);
}

static void
test_root_suite_upstart(void)
{
	g_autoptr(SgSuite) suite = load_shipped("system-health");
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) files =
		sg_suite_guest_files(suite, NULL, NULL, SG_GUEST_INIT_UPSTART, &error);
	gboolean job = FALSE;

	g_assert_no_error(error);
	for (guint i = 0; i < files->len; i++) {
		SgGuestFile *file = g_ptr_array_index(files, i);
		g_assert_false(g_str_has_prefix(file->path, "/etc/systemd"));
		if (g_str_equal(file->path, "/etc/init/smokegate-suite-system-health.conf")) {
			const gchar *text = g_bytes_get_data(file->contents, NULL);
			job = TRUE;
			g_assert_nonnull(strstr(text, "lib/run-suite system-health\n"));
			g_assert_null(strstr(text, "@NAME@"));
		}
	}
	g_assert_true(job);
}

/* Neither systemd nor upstart (busybox init, sysvinit): rc.local starts
 * it in the background. */
static void
test_root_suite_rc_local(void)
{
	g_autoptr(SgSuite) suite = load_shipped("system-health");
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) files =
		sg_suite_guest_files(suite, NULL, NULL, SG_GUEST_INIT_RC_LOCAL, &error);
	gboolean found = FALSE;

	g_assert_no_error(error);
	for (guint i = 0; i < files->len; i++) {
		SgGuestFile *file = g_ptr_array_index(files, i);
		g_assert_false(g_str_has_prefix(file->path, "/etc/systemd"));
		g_assert_false(g_str_has_prefix(file->path, "/etc/init/"));
		if (g_str_equal(file->path, "/etc/rc.local")) {
			const gchar *text = g_bytes_get_data(file->contents, NULL);
			found = TRUE;
			g_assert_cmpuint(file->mode, ==, 0755);
			g_assert_true(g_str_has_prefix(text, "#!/bin/sh\n"));
			g_assert_nonnull(strstr(text, "lib/run-suite system-health </dev/null "
						      ">/dev/null 2>&1 &\n"));
		}
	}
	g_assert_true(found);
}

/* A session suite: the autostart file, nothing for the init system. */
static void
test_session_suite(void)
{
	g_autoptr(SgSuite) suite = load_shipped("desktop-session");
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) files =
		sg_suite_guest_files(suite, NULL, NULL, SG_GUEST_INIT_SYSTEMD, &error);
	g_autoptr(GKeyFile) desktop = g_key_file_new();
	g_autofree gchar *exec = NULL;
	gboolean found = FALSE;

	g_assert_no_error(error);
	for (guint i = 0; i < files->len; i++) {
		SgGuestFile *file = g_ptr_array_index(files, i);
		g_assert_false(g_str_has_prefix(file->path, "/etc/systemd"));
		if (!g_str_equal(file->path,
				 "/etc/xdg/autostart/smokegate-suite-desktop-session.desktop"))
			continue;
		found = TRUE;
		g_assert_true(g_key_file_load_from_bytes(desktop, file->contents, G_KEY_FILE_NONE,
							 &error));
		g_assert_no_error(error);
	}
	g_assert_true(found);
	exec = g_key_file_get_string(desktop, "Desktop Entry", "Exec", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(exec, ==,
			"/bin/sh /var/lib/smokegate/suites/lib/run-suite desktop-session");
}

static void
test_missing_lib(void)
{
	g_autoptr(SgSuite) suite = load_shipped("desktop-session");
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) files =
		sg_suite_guest_files(suite, "/nonexistent", NULL, SG_GUEST_INIT_SYSTEMD, &error);

	g_assert_null(files);
	g_assert_error(error, SG_ERROR, SG_ERROR_LAB);
	g_assert_true(g_str_has_prefix(error->message, "cannot read /nonexistent/tap.sh: "));
}

/* What `test` and `suite run` tell the suites of a debian-netinst disk:
 * its profile's name and shell, its answer file's user, hostname, time
 * zone, locale and keyboard, all in expect.env. */
static void
test_expect_from_profile_and_answers(void)
{
	g_autofree gchar *profile = g_test_build_filename(G_TEST_DIST, "..", "..", "..", "guests",
							  "flavours", "debian-netinst.conf", NULL);
	g_autofree gchar *seed = g_test_build_filename(G_TEST_DIST, "..", "..", "..", "preseed",
						       "debian-netinst.seed", NULL);
	g_autofree gchar *answers = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(SgFlavour) flavour = sg_flavour_load_file(profile, &error);
	g_autoptr(SgSuiteExpect) expect = NULL;
	g_autoptr(SgSuiteExpect) no_answers = NULL;
	g_autoptr(SgSuite) suite = load_shipped("desktop-session");
	g_autoptr(GPtrArray) files = NULL;
	const gchar *env_text = NULL;

	g_assert_no_error(error);
	g_assert_true(g_file_get_contents(seed, &answers, NULL, &error));
	expect = sg_suite_expect_new(flavour, answers);
	g_assert_cmpstr(expect->flavour, ==, "debian-netinst");
	g_assert_cmpstr(expect->shell_processes, ==, "xfce4-panel");
	g_assert_cmpstr(expect->user, ==, "tester");
	g_assert_cmpstr(expect->hostname, ==, "smoketest");
	g_assert_cmpstr(expect->timezone, ==, "Etc/UTC");
	g_assert_cmpstr(expect->locale, ==, "en_US.UTF-8");
	g_assert_cmpstr(expect->keyboard, ==, "us");
	files = sg_suite_guest_files(suite, NULL, expect, SG_GUEST_INIT_SYSTEMD, &error);
	g_assert_no_error(error);
	for (guint i = 0; i < files->len; i++) {
		SgGuestFile *file = g_ptr_array_index(files, i);
		if (g_str_has_suffix(file->path, "/lib/expect.env"))
			env_text = g_bytes_get_data(file->contents, NULL);
	}
	g_assert_nonnull(env_text);
	g_assert_nonnull(strstr(env_text, "SMOKEGATE_KEYBOARD='us'\n"));
	g_assert_nonnull(strstr(env_text, "SMOKEGATE_SHELL_PROCESSES='xfce4-panel'\n"));
	g_assert_nonnull(strstr(env_text, "SMOKEGATE_HOSTNAME='smoketest'\n"));

	no_answers = sg_suite_expect_new(flavour, NULL);
	g_assert_null(no_answers->user);
	g_assert_null(no_answers->keyboard);
	g_assert_cmpstr(no_answers->shell_processes, ==, "xfce4-panel");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/suite-guest/root-suite-systemd", test_root_suite_systemd);
	g_test_add_func("/suite-guest/root-suite-upstart", test_root_suite_upstart);
	g_test_add_func("/suite-guest/root-suite-rc-local", test_root_suite_rc_local);
	g_test_add_func("/suite-guest/session-suite", test_session_suite);
	g_test_add_func("/suite-guest/missing-lib", test_missing_lib);
	g_test_add_func("/suite-guest/expect-from-profile-and-answers",
			test_expect_from_profile_and_answers);
	return g_test_run();
}
