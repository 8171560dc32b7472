/* The pipeline's judgement of what was read off a disk, and what it takes
 * from the answer files. */
#include "sg-answers.h"
#include "sg-flavour.h"
#include "sg-judge.h"

static void
test_judge(void)
{
	SgInspection inspection = {
		.os_summary = (gchar *)"Debian",
		.installer_logs = (gchar *)"/var/log/installer: syslog",
		.user = (gchar *)"/etc/passwd: tester:x:1000",
		.graphical_target = (gchar *)"journal: Reached target",
		.login_session = (gchar *)"journal: New session 1 of user tester.",
		.desktop_session = (gchar *)"journal: Entering running state",
	};
	g_autofree gchar *reason = NULL;

	g_assert_true(sg_judge_inspection(&inspection, "tester", &reason));
	g_assert_null(reason);
	inspection.login_session = NULL;
	g_assert_false(sg_judge_inspection(&inspection, "tester", &reason));
	g_assert_cmpstr(reason, ==, "the disk's logs do not show a session opened for 'tester'");
	g_clear_pointer(&reason, g_free);
	inspection.user = NULL;
	g_assert_false(sg_judge_inspection(&inspection, "tester", &reason));
	g_assert_nonnull(strstr(reason, "'tester'"));
	g_clear_pointer(&reason, g_free);
	inspection.installer_crash = (gchar *)"subiquity-traceback.txt: Traceback";
	g_assert_false(sg_judge_inspection(&inspection, "tester", &reason));
	g_assert_nonnull(strstr(reason, "installer crashed"));
	g_clear_pointer(&reason, g_free);
	inspection.os_summary = NULL;
	g_assert_false(sg_judge_inspection(&inspection, "tester", &reason));
	g_assert_nonnull(strstr(reason, "no operating system"));
}

static void
test_answers(void)
{
	g_autofree gchar *preseed = sg_answers_get_username(
		SG_FAMILY_DEBIAN_INSTALLER,
		"# d-i passwd/username string commented\nd-i passwd/user-fullname string A B\n"
		"d-i  passwd/username  string tester\n");
	g_autofree gchar *autoinstall = sg_answers_get_username(
		SG_FAMILY_SUBIQUITY, "#cloud-config\nautoinstall:\n  version: 1\n  identity:\n    "
				     "hostname: x\n    username: ubuntu\n");
	g_autofree gchar *none =
		sg_answers_get_username(SG_FAMILY_UBIQUITY, "d-i foo/bar string x\n");

	g_assert_cmpstr(preseed, ==, "tester");
	g_assert_cmpstr(autoinstall, ==, "ubuntu");
	g_assert_null(none);
}

/* Everything the suites expect, from each family's answer file: d-i's
 * keymap without its variant, netcfg/hostname over get_hostname, ubiquity's
 * layoutcode, autoinstall's keyboard block; a value that is no such value
 * is left out. */
static void
test_answers_parse(void)
{
	g_autoptr(SgAnswers) di = sg_answers_parse(
		SG_FAMILY_DEBIAN_INSTALLER,
		"d-i debian-installer/locale string fr_FR.UTF-8\n"
		"d-i keyboard-configuration/xkb-keymap select fr(latin9)\n"
		"d-i netcfg/get_hostname string unassigned\nd-i netcfg/hostname string smoke\n"
		"d-i time/zone string Europe/Paris\nd-i passwd/username string tester\n");
	g_autoptr(SgAnswers) ubiquity = sg_answers_parse(
		SG_FAMILY_UBIQUITY, "d-i keyboard-configuration/layoutcode string de\n"
				    "d-i time/zone string $(reboot)\n");
	g_autoptr(SgAnswers) autoinstall = sg_answers_parse(
		SG_FAMILY_SUBIQUITY,
		"#cloud-config\nautoinstall:\n  version: 1\n  locale: en_GB.UTF-8\n"
		"  keyboard:\n    layout: gb\n    variant: ''\n  timezone: \"America/New_York\"\n"
		"  identity:\n    hostname: smoketest\n    username: tester\n"
		"  storage:\n    layout:\n      name: direct\n");
	g_autoptr(SgAnswers) no_keyboard = sg_answers_parse(
		SG_FAMILY_SUBIQUITY, "autoinstall:\n  storage:\n    layout:\n      name: lvm\n");

	g_assert_cmpstr(di->locale, ==, "fr_FR.UTF-8");
	g_assert_cmpstr(di->keyboard, ==, "fr");
	g_assert_cmpstr(di->hostname, ==, "smoke");
	g_assert_cmpstr(di->timezone, ==, "Europe/Paris");
	g_assert_cmpstr(di->username, ==, "tester");
	g_assert_cmpstr(ubiquity->keyboard, ==, "de");
	g_assert_null(ubiquity->timezone);
	g_assert_null(ubiquity->locale);
	g_assert_cmpstr(autoinstall->locale, ==, "en_GB.UTF-8");
	g_assert_cmpstr(autoinstall->keyboard, ==, "gb");
	g_assert_cmpstr(autoinstall->timezone, ==, "America/New_York");
	g_assert_cmpstr(autoinstall->hostname, ==, "smoketest");
	g_assert_cmpstr(autoinstall->username, ==, "tester");
	g_assert_null(no_keyboard->keyboard);
}

/* Every shipped profile's answer file names the user whose session proves
 * the desktop, and powers the installed system off (autoinstall: its own
 * way). */
static void
test_shipped_answers(void)
{
	g_autofree gchar *flavours_dir =
		g_test_build_filename(G_TEST_DIST, "..", "..", "..", "guests", "flavours", NULL);
	g_autofree gchar *answers_dir =
		g_test_build_filename(G_TEST_DIST, "..", "..", "..", "preseed", NULL);
	const gchar *dirs[] = {flavours_dir, NULL};
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) flavours = sg_flavour_load_dirs(dirs, &error);
	guint checked = 0;

	g_assert_no_error(error);
	for (guint i = 0; i < flavours->len; i++) {
		SgFlavour *flavour = g_ptr_array_index(flavours, i);
		g_autofree gchar *answers = NULL;
		g_autofree gchar *contents = NULL;
		g_autofree gchar *username = NULL;

		if (!flavour->plan_install)
			continue;
		g_test_message("profile %s: %s", flavour->name, flavour->answers);
		answers = g_build_filename(answers_dir, flavour->answers, NULL);
		g_assert_true(g_file_get_contents(answers, &contents, NULL, NULL));
		username = sg_answers_get_username(flavour->family, contents);
		g_assert_nonnull(username);
		if (flavour->family == SG_FAMILY_SUBIQUITY)
			g_assert_nonnull(strstr(contents, "autoinstall:"));
		else
			g_assert_nonnull(strstr(contents, "poweroff boolean true"));
		checked++;
	}
	g_assert_cmpuint(checked, >, 0);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/evidence/judge", test_judge);
	g_test_add_func("/evidence/answers", test_answers);
	g_test_add_func("/evidence/answers-parse", test_answers_parse);
	g_test_add_func("/evidence/shipped-answers", test_shipped_answers);
	return g_test_run();
}
