#pragma once

#include <json-glib/json-glib.h>

#include "sg-evidence-match.h"

G_BEGIN_DECLS

/*
 * What the installed disk says, read with libguestfs after the guest is
 * gone (sg-inspect, in a child process: sg-inspect-process). Each evidence
 * field quotes where it came from ("journal: ...",
 * "/var/log/lightdm/lightdm.log: ...") or is NULL when that evidence is
 * missing; the verdict is made from these, the JSON is kept for people.
 */
typedef struct {
	gchar *os_summary;	 /* NULL: no operating system found */
	gchar *installer_logs;	 /* e.g. "/var/log/installer: syslog, status" */
	gchar *installer_crash;	 /* first lines of a subiquity traceback */
	gchar *user;		 /* the passwd line of the answer file's user */
	gchar *graphical_target; /* the boot reached the graphical target */
	gchar *login_session;	 /* the user's session was opened */
	gchar *desktop_session;	 /* the desktop session said it runs */
	gchar *desktop_failure;	 /* the desktop session said it failed */
	JsonNode *report;	 /* everything above and more, for inspection.json */
} SgInspection;

/* An inspection with no evidence and an empty report. */
SgInspection *sg_inspection_new(void);
void sg_inspection_free(SgInspection *inspection);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgInspection, sg_inspection_free)

/* Records the evidence @text of @kind, quoted as "@source: @text", unless
 * evidence of that kind was recorded already; the report lists it under
 * "desktop_evidence". */
void sg_inspection_add_evidence(SgInspection *inspection, SgEvidenceKind kind, const gchar *source,
				const gchar *text);
/* The disk's logs were searched for desktop evidence: the report says how
 * many journal entries were read (-1: no journal) and lists the evidence
 * found, if none. */
void sg_inspection_set_journal_entries(SgInspection *inspection, gint64 entries);
/* Adds the desktop evidence in the lines of @text (a boot's console log),
 * each quoted as "@source: LINE". */
void sg_inspection_read_text(SgInspection *inspection, const gchar *source, const gchar *text,
			     const gchar *username);
/* Whether the graphical target, the user's session and the desktop
 * session running were all seen. */
gboolean sg_inspection_has_desktop(const SgInspection *inspection);

/* The whole inspection as JSON (the fields and the report), as the
 * inspecting child process hands it to the coordinator. */
JsonNode *sg_inspection_to_json(const SgInspection *inspection);
/* The same as text: what `inspect-disk` prints and reads. */
GBytes *sg_inspection_to_bytes(const SgInspection *inspection);
/* The inspection @node holds (from sg_inspection_to_json); NULL with an
 * SG_ERROR_LAB @error when it is not one. */
SgInspection *sg_inspection_from_json(JsonNode *node, GError **error);

G_END_DECLS
