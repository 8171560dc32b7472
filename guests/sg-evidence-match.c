#include "sg-evidence-match.h"

#include <string.h>

/* systemd's catalogue: unit started, logind new session; gnome-session. */
#define MESSAGE_ID_UNIT_STARTED "39f53479d3a045ac8e11786248231fbf"
#define MESSAGE_ID_NEW_SESSION "8d45620c1a4348dbb17410da57c60c66"
#define MESSAGE_ID_SESSION_RUNNING "0ce153587afa4095832d233c17a88001"
#define MESSAGE_ID_SESSION_FAILED "10dd2dc188b54a5e98970f56499d1f73"

static gboolean
mentions_autologin_session_of(const gchar *text, const gchar *username)
{
	g_autofree gchar *opened = g_strdup_printf("session opened for user %s", username);
	g_autofree gchar *started = g_strdup_printf("username '%s'", username);

	if (strstr(text, opened) != NULL && strstr(text, "-autologin") != NULL)
		return TRUE;
	/* lightdm.log: Session pid=N: Started with service 'lightdm-autologin', username 'x' */
	return strstr(text, "Started with service") != NULL && strstr(text, started) != NULL;
}

static gboolean
is_graphical_target_text(const gchar *text)
{
	return strstr(text, "Reached target") != NULL &&
	       strstr(text, "Graphical Interface") != NULL;
}

static gboolean
is_desktop_running_text(const gchar *text)
{
	/* gnome-session; SDDM's log says "Session started true" */
	return strstr(text, "Entering running state") != NULL ||
	       strstr(text, "Session started true") != NULL;
}

SgEvidenceKind
sg_evidence_match_journal(GHashTable *fields, const gchar *username)
{
	const gchar *message_id = g_hash_table_lookup(fields, "MESSAGE_ID");
	const gchar *message = g_hash_table_lookup(fields, "MESSAGE");
	const gchar *unit = g_hash_table_lookup(fields, "UNIT");
	const gchar *user_id = g_hash_table_lookup(fields, "USER_ID");

	if (g_strcmp0(message_id, MESSAGE_ID_UNIT_STARTED) == 0 &&
	    g_strcmp0(unit, "graphical.target") == 0)
		return SG_EVIDENCE_GRAPHICAL_TARGET;
	if (g_strcmp0(message_id, MESSAGE_ID_NEW_SESSION) == 0 && g_strcmp0(user_id, username) == 0)
		return SG_EVIDENCE_LOGIN_SESSION;
	if (g_strcmp0(message_id, MESSAGE_ID_SESSION_RUNNING) == 0)
		return SG_EVIDENCE_DESKTOP_SESSION;
	if (g_strcmp0(message_id, MESSAGE_ID_SESSION_FAILED) == 0)
		return SG_EVIDENCE_DESKTOP_FAILURE;
	if (message == NULL)
		return SG_EVIDENCE_NONE;
	return sg_evidence_match_text(message, username);
}

SgEvidenceKind
sg_evidence_match_text(const gchar *line, const gchar *username)
{
	if (is_graphical_target_text(line))
		return SG_EVIDENCE_GRAPHICAL_TARGET;
	if (mentions_autologin_session_of(line, username))
		return SG_EVIDENCE_LOGIN_SESSION;
	if (is_desktop_running_text(line))
		return SG_EVIDENCE_DESKTOP_SESSION;
	return SG_EVIDENCE_NONE;
}

const gchar *
sg_evidence_kind_to_string(SgEvidenceKind kind)
{
	switch (kind) {
	case SG_EVIDENCE_GRAPHICAL_TARGET:
		return "graphical-target";
	case SG_EVIDENCE_LOGIN_SESSION:
		return "login-session";
	case SG_EVIDENCE_DESKTOP_SESSION:
		return "desktop-session";
	case SG_EVIDENCE_DESKTOP_FAILURE:
		return "desktop-failure";
	default:
		return "none";
	}
}
