#include "sg-answers.h"
#include "sg-domain-xml.h"
#include "sg-evidence-match.h"
#include "sg-judge.h"

static GHashTable *
fields(const gchar *first, ...)
{
	GHashTable *table = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, NULL);
	va_list args;
	const gchar *key = first;

	va_start(args, first);
	while (key != NULL) {
		g_hash_table_insert(table, (gpointer)key, va_arg(args, gpointer));
		key = va_arg(args, const gchar *);
	}
	va_end(args);
	return table;
}

static void
test_journal_matches(void)
{
	g_autoptr(GHashTable) target =
		fields("MESSAGE_ID", "39f53479d3a045ac8e11786248231fbf", "UNIT", "graphical.target",
		       "MESSAGE", "Reached target x", NULL);
	g_autoptr(GHashTable) other_unit =
		fields("MESSAGE_ID", "39f53479d3a045ac8e11786248231fbf", "UNIT",
		       "multi-user.target", "MESSAGE", "Reached target Multi-User System.", NULL);
	g_autoptr(GHashTable) session =
		fields("MESSAGE_ID", "8d45620c1a4348dbb17410da57c60c66", "USER_ID", "tester", NULL);
	g_autoptr(GHashTable) wrong_user =
		fields("MESSAGE_ID", "8d45620c1a4348dbb17410da57c60c66", "USER_ID", "gdm",
		       "MESSAGE", "New session c1 of user gdm.", NULL);
	g_autoptr(GHashTable) running =
		fields("MESSAGE_ID", "0ce153587afa4095832d233c17a88001", NULL);
	g_autoptr(GHashTable) failed =
		fields("MESSAGE_ID", "10dd2dc188b54a5e98970f56499d1f73", NULL);

	g_assert_cmpint(sg_evidence_match_journal(target, "tester"), ==,
			SG_EVIDENCE_GRAPHICAL_TARGET);
	g_assert_cmpint(sg_evidence_match_journal(other_unit, "tester"), ==, SG_EVIDENCE_NONE);
	g_assert_cmpint(sg_evidence_match_journal(session, "tester"), ==,
			SG_EVIDENCE_LOGIN_SESSION);
	g_assert_cmpint(sg_evidence_match_journal(wrong_user, "tester"), ==, SG_EVIDENCE_NONE);
	g_assert_cmpint(sg_evidence_match_journal(running, "tester"), ==,
			SG_EVIDENCE_DESKTOP_SESSION);
	g_assert_cmpint(sg_evidence_match_journal(failed, "tester"), ==,
			SG_EVIDENCE_DESKTOP_FAILURE);
}

static void
test_text_logs(void)
{
	g_assert_cmpint(sg_evidence_match_text(
				"Session pid=1021: Started with service 'lightdm-autologin', "
				"username 'tester'",
				"tester"),
			==, SG_EVIDENCE_LOGIN_SESSION);
	g_assert_cmpint(sg_evidence_match_text(
				"Session pid=1021: Started with service 'lightdm-autologin', "
				"username 'other'",
				"tester"),
			==, SG_EVIDENCE_NONE);
	g_assert_cmpint(
		sg_evidence_match_text("pam_unix(sddm-autologin:session): session opened for user "
				       "tester(uid=1000) by (uid=0)",
				       "tester"),
		==, SG_EVIDENCE_LOGIN_SESSION);
	g_assert_cmpint(
		sg_evidence_match_text("init: Reached target Graphical Interface.", "tester"), ==,
		SG_EVIDENCE_GRAPHICAL_TARGET);
}

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

/* A boot's serial console, \r\n and all, gives the three facts; another
 * user's session is not the answer file's. */
static void
test_console_text(void)
{
	g_autoptr(SgInspection) inspection = g_new0(SgInspection, 1);
	JsonArray *evidence;

	inspection->report = json_node_init_object(json_node_alloc(), json_object_new());
	sg_inspection_read_text(
		inspection, "console",
		"[  OK  ] Reached target graphical.target - Graphical Interface.\r\n"
		"lightdm[9]: pam_unix(lightdm-autologin:session): session opened "
		"for user other(uid=1001) by (uid=0)\r\n",
		"tester");
	g_assert_false(sg_inspection_has_desktop(inspection));
	g_assert_cmpstr(inspection->graphical_target, ==,
			"console: [  OK  ] Reached target graphical.target - Graphical Interface.");
	sg_inspection_read_text(inspection, "console",
				"lightdm[9]: pam_unix(lightdm-autologin:session): session opened "
				"for user tester(uid=1000) by (uid=0)\r\n\r\r\n"
				"gnome-session-binary[27]: Entering running state\r\n",
				"tester");
	g_assert_true(sg_inspection_has_desktop(inspection));
	g_assert_cmpstr(inspection->desktop_session, ==,
			"console: gnome-session-binary[27]: Entering running state");
	evidence = json_object_get_array_member(json_node_get_object(inspection->report),
						"desktop_evidence");
	g_assert_cmpuint(json_array_get_length(evidence), ==, 3);
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

static void
test_domain_xml(void)
{
	SgDomainSpec install = {
		.name = "smokegate-h-1-1-install",
		.domain_type = "qemu",
		.memory_mib = 512,
		.vcpus = 1,
		.kernel = "/s/kernel",
		.initrd = "/s/initrd",
		.cmdline = "auto=true a<b",
		.disk = "/s/disk.qcow2",
		.cdrom = "/images/it's.iso",
	};
	SgDomainSpec boot = install;
	g_autofree gchar *install_xml = sg_domain_xml_build(&install);
	g_autofree gchar *boot_xml = NULL;
	g_autofree gchar *mirror_xml = NULL;

	g_assert_true(g_str_has_prefix(install_xml, "<domain type='qemu' "));
	g_assert_null(strstr(install_xml, "<qemu:commandline>"));
	g_assert_nonnull(strstr(install_xml, "<cmdline>auto=true a&lt;b</cmdline>"));
	g_assert_nonnull(strstr(install_xml, "it&apos;s.iso"));
	g_assert_nonnull(strstr(install_xml, "<on_reboot>destroy</on_reboot>"));
	/* The console is a pty read over the connection: no host path. */
	g_assert_nonnull(strstr(install_xml, "<serial type='pty'>"));
	g_assert_null(strstr(install_xml, "console.log"));
	g_assert_null(strstr(install_xml, "<interface"));
	boot.kernel = NULL;
	boot.cdrom = NULL;
	boot_xml = sg_domain_xml_build(&boot);
	g_assert_null(strstr(boot_xml, "<kernel>"));
	g_assert_null(strstr(boot_xml, "device='cdrom'"));
	g_assert_nonnull(strstr(boot_xml, "<boot dev='hd'/>"));

	/* A guest that needs a mirror reaches that and nothing else. */
	install.mirror = "mirror.example:8080";
	mirror_xml = sg_domain_xml_build(&install);
	g_assert_nonnull(strstr(mirror_xml, "restrict=on"));
	g_assert_nonnull(strstr(mirror_xml,
				"guestfwd=tcp:10.0.2.100:80-cmd:socat - TCP:mirror.example:8080"));
	g_assert_null(strstr(mirror_xml, "<interface"));
}

/* A suite's results port: a UNIX socket channel (virDomainOpenChannel reads
 * no other kind), at a short path when given one. */
static void
test_domain_xml_channel(void)
{
	SgDomainSpec spec = {
		.name = "g",
		.domain_type = "qemu",
		.memory_mib = 512,
		.vcpus = 1,
		.disk = "/s/suite.qcow2",
		.channel = "org.smokegate.results.0",
	};
	g_autofree gchar *xml = sg_domain_xml_build(&spec);
	g_autofree gchar *socket_xml = NULL;

	g_assert_nonnull(strstr(xml,
				"<channel type='unix'>\n"
				"      <source mode='bind'/>\n"
				"      <target type='virtio' name='org.smokegate.results.0'/>"));
	spec.channel_socket = "/tmp/sg-1-0.sock";
	socket_xml = sg_domain_xml_build(&spec);
	g_assert_nonnull(strstr(socket_xml, "<source mode='bind' path='/tmp/sg-1-0.sock'/>"));
	spec.channel = NULL;
	g_free(socket_xml);
	socket_xml = sg_domain_xml_build(&spec);
	g_assert_null(strstr(socket_xml, "<channel"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/evidence/journal", test_journal_matches);
	g_test_add_func("/evidence/text-logs", test_text_logs);
	g_test_add_func("/evidence/judge", test_judge);
	g_test_add_func("/evidence/console-text", test_console_text);
	g_test_add_func("/evidence/answers", test_answers);
	g_test_add_func("/evidence/answers-parse", test_answers_parse);
	g_test_add_func("/evidence/domain-xml", test_domain_xml);
	g_test_add_func("/evidence/domain-xml-channel", test_domain_xml_channel);
	return g_test_run();
}
