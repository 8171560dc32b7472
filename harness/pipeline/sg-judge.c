#include "sg-judge.h"

gboolean
sg_judge_inspection(const SgInspection *inspection, const gchar *username, gchar **reason)
{
	if (inspection->os_summary == NULL) {
		*reason = g_strdup(
			"the installed disk holds no operating system libguestfs can find");
		return FALSE;
	}
	if (inspection->installer_crash != NULL) {
		*reason = g_strdup_printf("the installer crashed: %s", inspection->installer_crash);
		return FALSE;
	}
	if (inspection->installer_logs == NULL) {
		*reason =
			g_strdup("the installed disk has no installer logs in /var/log/installer");
		return FALSE;
	}
	if (username != NULL && inspection->user == NULL) {
		*reason = g_strdup_printf("the user '%s' the answer file asked for is not in "
					  "/etc/passwd on the installed disk",
					  username);
		return FALSE;
	}
	if (inspection->desktop_failure != NULL) {
		*reason = g_strdup_printf("the desktop session failed: %s",
					  inspection->desktop_failure);
		return FALSE;
	}
	if (inspection->graphical_target == NULL) {
		*reason = g_strdup("the disk's logs do not show the graphical target reached");
		return FALSE;
	}
	if (inspection->login_session == NULL) {
		*reason = g_strdup_printf("the disk's logs do not show a session opened for '%s'",
					  username != NULL ? username : "the user");
		return FALSE;
	}
	if (inspection->desktop_session == NULL) {
		*reason = g_strdup("the disk's logs do not show the desktop session running");
		return FALSE;
	}
	*reason = NULL;
	return TRUE;
}
