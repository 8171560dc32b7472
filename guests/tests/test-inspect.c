/* What an inspection takes from text (a boot's console) when no disk
 * tells. */
#include "sg-inspect.h"

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

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/inspect/console-text", test_console_text);
	return g_test_run();
}
