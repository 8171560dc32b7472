/* Desktop evidence in the journal's fields and in text logs' lines. */
#include "sg-evidence-match.h"

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

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/evidence-match/journal", test_journal_matches);
	g_test_add_func("/evidence-match/text-logs", test_text_logs);
	return g_test_run();
}
