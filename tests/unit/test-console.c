#include "sg-console.h"

static SgConsole *
new_install_console(void)
{
	g_autoptr(GError) error = NULL;
	SgConsole *console = sg_console_new(SG_FAMILY_DEBIAN_INSTALLER, SG_CONSOLE_PHASE_INSTALL,
					    NULL, NULL, &error);
	g_assert_no_error(error);
	return console;
}

static void
feed(SgConsole *console, const gchar *text)
{
	sg_console_feed(console, text, strlen(text), g_get_monotonic_time());
}

static void
test_panic(void)
{
	g_autoptr(SgConsole) console = new_install_console();

	feed(console, "[    1.2] Run /init as init process\n");
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_NONE);
	feed(console, "[    1.3] Kernel panic - not syncing: No working init found.\n");
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_KERNEL_PANIC);
	g_assert_nonnull(strstr(sg_console_get_problem_quote(console), "No working init found"));
	g_assert_cmpint(sg_console_get_problem_time(console), >, 0);
}

static void
test_question_without_newline(void)
{
	g_autoptr(SgConsole) console = new_install_console();

	feed(console, "\x1b[1m[!] Choose a mirror of the Debian archive\x1b[0m\r\n\n"
		      "Debian archive mirror country:\n\n");
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_NONE);
	/* d-i waits for input right after the prompt: no newline comes. */
	feed(console, "Prompt: '?' for help> ");
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_INSTALLER_QUESTION);
	g_assert_cmpstr(
		sg_console_get_problem_quote(console), ==,
		"[!] Choose a mirror of the Debian archive: Debian archive mirror country:");
}

static void
test_error_dialog(void)
{
	g_autoptr(SgConsole) console = new_install_console();

	feed(console,
	     "[!!] Partition disks\n\nThe creation of an ext4 file system on partition "
	     "#1 of Virtio Block Device (vda) failed.\n\nPrompt: '?' for help, default=1>\n");
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_INSTALLER_ERROR);
	g_assert_nonnull(strstr(sg_console_get_problem_quote(console), "[!!] Partition disks:"));
}

static void
test_mirror_error_dialog(void)
{
	g_autoptr(SgConsole) console = new_install_console();

	/* d-i's mirror error says neither "error" nor "failed". */
	feed(console, "[!!] Choose a mirror of the Debian archive\n\nThe specified Debian archive "
		      "mirror is either not available, or does not have a valid Release file on "
		      "it.\n\nPrompt: '?' for help>\n");
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_INSTALLER_ERROR);
}

static void
test_harmless_error_lines(void)
{
	g_autoptr(SgConsole) console = new_install_console();

	/* Healthy boots print "error" lines; only positive rules decide. */
	feed(console, "ACPI Error: AE_NOT_FOUND, While resolving a named reference\n"
		      "lightdm: Error getting user list from org.freedesktop.Accounts\n");
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_NONE);
	g_assert_cmpstr(sg_console_get_last_line(console), ==,
			"lightdm: Error getting user list from org.freedesktop.Accounts");
}

static void
test_markers_split_across_reads(void)
{
	const gchar *markers[] = {"Reached target .*Graphical Interface", "Entering running state",
				  NULL};
	g_autoptr(GError) error = NULL;
	g_autoptr(SgConsole) console = sg_console_new(
		SG_FAMILY_DEBIAN_INSTALLER, SG_CONSOLE_PHASE_DESKTOP, "lightdm", markers, &error);

	g_assert_no_error(error);
	feed(console, "[\x1b[0;32m  OK  \x1b[0m] Reached target graph");
	feed(console, "ical.target - Graphical Interface.\n");
	g_assert_false(sg_console_markers_complete(console));
	g_assert_cmpstr(sg_console_first_missing_marker(console), ==, "Entering running state");
	/* A login prompt has no newline; the next line runs on after it. */
	feed(console, "smoketest login: gnome-session-binary[412]: Entering running state\n");
	g_assert_true(sg_console_markers_complete(console));
	g_assert_cmpstr(sg_console_get_marker_line(console, 0), ==,
			"[  OK  ] Reached target graphical.target - Graphical Interface.");
}

static void
test_display_manager_failure(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SgConsole) console = sg_console_new(
		SG_FAMILY_DEBIAN_INSTALLER, SG_CONSOLE_PHASE_DESKTOP, "lightdm", NULL, &error);

	feed(console, "[FAILED] Failed to start plymouth-quit.service - Hide splash.\n");
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_NONE);
	feed(console, "[FAILED] Failed to start lightdm.service - Light Display Manager.\n");
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_DESKTOP_FAILED);
}

static void
test_subiquity_rules(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SgConsole) console =
		sg_console_new(SG_FAMILY_SUBIQUITY, SG_CONSOLE_PHASE_INSTALL, NULL, NULL, &error);

	feed(console, "start: subiquity/Install/install: installing\n");
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_NONE);
	feed(console,
	     "finish: subiquity/Install/install/curtin: FAIL: curtin command block-meta\n");
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_INSTALLER_ERROR);
}

static void
test_bad_marker(void)
{
	const gchar *markers[] = {"unclosed (group", NULL};
	g_autoptr(GError) error = NULL;
	SgConsole *console =
		sg_console_new(SG_FAMILY_LIVE, SG_CONSOLE_PHASE_DESKTOP, NULL, markers, &error);
	g_assert_null(console);
	g_assert_nonnull(error);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/console/panic", test_panic);
	g_test_add_func("/console/question-without-newline", test_question_without_newline);
	g_test_add_func("/console/error-dialog", test_error_dialog);
	g_test_add_func("/console/mirror-error-dialog", test_mirror_error_dialog);
	g_test_add_func("/console/harmless-error-lines", test_harmless_error_lines);
	g_test_add_func("/console/markers-split-across-reads", test_markers_split_across_reads);
	g_test_add_func("/console/display-manager-failure", test_display_manager_failure);
	g_test_add_func("/console/subiquity", test_subiquity_rules);
	g_test_add_func("/console/bad-marker", test_bad_marker);
	return g_test_run();
}
