#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * What the installed disk says, read with libguestfs after the guest is
 * gone. Each evidence field quotes where it came from ("journal: ...",
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

void sg_inspection_free(SgInspection *inspection);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgInspection, sg_inspection_free)

/* Reads @disk read-only. @username is the user the answer file asked for.
 * Fails (SG_ERROR_LAB) only when the disk could not be read at all. */
SgInspection *sg_inspect_disk(const gchar *disk, const gchar *username, gboolean force_tcg,
			      GError **error);

G_END_DECLS
