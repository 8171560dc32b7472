#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Recognises the log records that prove a desktop came up, in the journal
 * (by systemd's catalogue MESSAGE_IDs first, message text second) and in
 * the classic text logs of images older than the journal.
 */
typedef enum {
	SG_EVIDENCE_NONE,
	SG_EVIDENCE_GRAPHICAL_TARGET,
	SG_EVIDENCE_LOGIN_SESSION,
	SG_EVIDENCE_DESKTOP_SESSION,
	SG_EVIDENCE_DESKTOP_FAILURE,
} SgEvidenceKind;

/* @fields: journal field name -> value (both strings). */
SgEvidenceKind sg_evidence_match_journal(GHashTable *fields, const gchar *username);
/* One line of /var/log/syslog, lightdm.log or sddm's log. */
SgEvidenceKind sg_evidence_match_text(const gchar *line, const gchar *username);
const gchar *sg_evidence_kind_to_string(SgEvidenceKind kind);

G_END_DECLS
