/* What an inspection takes from text (a boot's console) when no disk
 * tells, and the inspection's way through JSON from the inspecting child
 * process to the coordinator. */
#include "sg-error.h"
#include "sg-inspection.h"

/* A boot's serial console, \r\n and all, gives the three facts; another
 * user's session is not the answer file's. */
static void
test_console_text(void)
{
	g_autoptr(SgInspection) inspection = sg_inspection_new();
	JsonArray *evidence;

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

/* An inspection with every field set, as a read of a journal-less disk
 * with a crashed installer and a failed desktop would leave it. */
static SgInspection *
full_inspection(void)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	SgInspection *inspection;

	g_assert_true(json_parser_load_from_data(
		parser,
		"{\"os\": {\"root\": \"/dev/sda1\", \"product\": \"Debian GNU/Linux 12\", "
		"\"distro\": \"debian\", \"version\": \"12.0\", \"hostname\": \"smoketest\"},"
		" \"installer_logs\": [{\"path\": \"/var/log/installer/syslog\", \"size\": "
		"5368709120}, {\"path\": \"/var/log/installer/subiquity-traceback.txt\", "
		"\"size\": 0}], \"user\": \"/etc/passwd: "
		"tester:x:1000:1000::/home/tester:/bin/sh\"}",
		-1, &error));
	g_assert_no_error(error);
	inspection = sg_inspection_new();
	json_node_unref(inspection->report);
	inspection->report = json_node_copy(json_parser_get_root(parser));
	inspection->os_summary = g_strdup("Debian GNU/Linux 12 (debian 12.0, hostname smoketest)");
	inspection->installer_logs =
		g_strdup("/var/log/installer: syslog, subiquity-traceback.txt");
	inspection->installer_crash =
		g_strdup("/var/log/installer/subiquity-traceback.txt: Traceback | \"quoted\" \\ é");
	inspection->user = g_strdup("/etc/passwd: tester:x:1000:1000::/home/tester:/bin/sh");
	sg_inspection_read_text(inspection, "/var/log/syslog",
				"systemd[1]: Reached target Graphical Interface.\n"
				"lightdm[9]: pam_unix(lightdm-autologin:session): session opened "
				"for user tester(uid=1000) by (uid=0)\n",
				"tester");
	sg_inspection_add_evidence(inspection, SG_EVIDENCE_DESKTOP_SESSION, "journal",
				   "Entering running state");
	sg_inspection_add_evidence(inspection, SG_EVIDENCE_DESKTOP_FAILURE, "journal",
				   "gnome-session failed\twith a tab");
	sg_inspection_set_journal_entries(inspection, -1);
	return inspection;
}

/* Through the text the child prints and back: every field and the report,
 * member order included (inspection.json is written from it). */
static SgInspection *
round_trip(const SgInspection *inspection)
{
	g_autoptr(JsonNode) node = sg_inspection_to_json(inspection);
	g_autoptr(JsonGenerator) generator = json_generator_new();
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *text = NULL;
	SgInspection *copy;

	json_generator_set_root(generator, node);
	text = json_generator_to_data(generator, NULL);
	g_assert_true(json_parser_load_from_data(parser, text, -1, &error));
	g_assert_no_error(error);
	copy = sg_inspection_from_json(json_parser_get_root(parser), &error);
	g_assert_no_error(error);
	g_assert_nonnull(copy);
	return copy;
}

static gchar *
report_text(const SgInspection *inspection)
{
	g_autoptr(JsonGenerator) generator = json_generator_new();

	json_generator_set_root(generator, inspection->report);
	json_generator_set_pretty(generator, TRUE);
	return json_generator_to_data(generator, NULL);
}

static void
test_json_round_trip(void)
{
	g_autoptr(SgInspection) inspection = full_inspection();
	g_autoptr(SgInspection) copy = round_trip(inspection);
	g_autofree gchar *report = report_text(inspection);
	g_autofree gchar *copied_report = report_text(copy);

	g_assert_cmpstr(copy->os_summary, ==, inspection->os_summary);
	g_assert_cmpstr(copy->installer_logs, ==, inspection->installer_logs);
	g_assert_cmpstr(copy->installer_crash, ==, inspection->installer_crash);
	g_assert_cmpstr(copy->user, ==, inspection->user);
	g_assert_cmpstr(copy->graphical_target, ==,
			"/var/log/syslog: systemd[1]: Reached target Graphical Interface.");
	g_assert_cmpstr(copy->graphical_target, ==, inspection->graphical_target);
	g_assert_cmpstr(copy->login_session, ==, inspection->login_session);
	g_assert_cmpstr(copy->desktop_session, ==, "journal: Entering running state");
	g_assert_cmpstr(copy->desktop_failure, ==, "journal: gnome-session failed\twith a tab");
	g_assert_true(sg_inspection_has_desktop(copy));
	g_assert_true(json_node_equal(copy->report, inspection->report));
	g_assert_cmpstr(copied_report, ==, report);
	g_assert_cmpint(
		json_object_get_int_member(json_node_get_object(copy->report), "journal_entries"),
		==, -1);
	g_assert_cmpint(
		json_object_get_int_member(
			json_array_get_object_element(
				json_object_get_array_member(json_node_get_object(copy->report),
							     "installer_logs"),
				0),
			"size"),
		==, G_GINT64_CONSTANT(5368709120));
}

/* A base read of a disk without a system: nothing found stays nothing, and
 * evidence added after the trip (the console's, the journal's) still goes
 * where it would have gone. */
static void
test_json_round_trip_empty(void)
{
	g_autoptr(SgInspection) inspection = sg_inspection_new();
	g_autoptr(SgInspection) copy = round_trip(inspection);
	JsonObject *report;

	g_assert_null(copy->os_summary);
	g_assert_null(copy->installer_logs);
	g_assert_null(copy->installer_crash);
	g_assert_null(copy->user);
	g_assert_null(copy->graphical_target);
	g_assert_null(copy->login_session);
	g_assert_null(copy->desktop_session);
	g_assert_null(copy->desktop_failure);
	g_assert_false(sg_inspection_has_desktop(copy));
	report = json_node_get_object(copy->report);
	g_assert_cmpuint(json_object_get_size(report), ==, 0);
	sg_inspection_add_evidence(copy, SG_EVIDENCE_LOGIN_SESSION, "console", "session opened");
	sg_inspection_add_evidence(copy, SG_EVIDENCE_LOGIN_SESSION, "journal", "a second one");
	g_assert_cmpstr(copy->login_session, ==, "console: session opened");
	g_assert_cmpuint(json_array_get_length(json_object_get_array_member(
				 json_node_get_object(copy->report), "desktop_evidence")),
			 ==, 1);
}

/* What is not an inspection is an error of the lab, never a verdict. */
static void
test_json_not_an_inspection(void)
{
	const gchar *const bad[] = {
		"[]",
		"\"text\"",
		"{}",
		"{\"report\": []}",
		"{\"report\": {}, \"user\": 1000}",
		"{\"report\": {}, \"desktop_session\": {\"text\": \"x\"}}",
		NULL,
	};

	for (guint i = 0; bad[i] != NULL; i++) {
		g_autoptr(JsonParser) parser = json_parser_new();
		g_autoptr(GError) error = NULL;
		g_autoptr(SgInspection) inspection = NULL;

		g_assert_true(json_parser_load_from_data(parser, bad[i], -1, NULL));
		inspection = sg_inspection_from_json(json_parser_get_root(parser), &error);
		g_assert_null(inspection);
		g_assert_error(error, SG_ERROR, SG_ERROR_LAB);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/inspection/console-text", test_console_text);
	g_test_add_func("/inspection/json-round-trip", test_json_round_trip);
	g_test_add_func("/inspection/json-round-trip-empty", test_json_round_trip_empty);
	g_test_add_func("/inspection/json-not-an-inspection", test_json_not_an_inspection);
	return g_test_run();
}
