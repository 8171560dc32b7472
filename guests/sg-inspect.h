#pragma once

#include <gio/gio.h>
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

/*
 * The installed disk read in parts, so that the read of what the installer
 * left (sg_inspect_base) runs while the guest boots an overlay of it. The
 * boot's desktop evidence comes from its console (sg_inspection_read_text)
 * or, when the console does not show it all, from the overlay's logs after
 * power-off (sg_inspect_journal: one more appliance start).
 */

/* The system, the installer logs and @username's account on @disk, which
 * must not change while it is read; no desktop evidence. Fails like
 * sg_inspect_disk, or with G_IO_ERROR_CANCELLED when @cancellable was
 * cancelled while the appliance started (the start itself runs to its end). */
SgInspection *sg_inspect_base(const gchar *disk, const gchar *username, gboolean force_tcg,
			      GCancellable *cancellable, GError **error);
/* Adds the desktop evidence in the journal and logs of @disk (the booted
 * overlay) to @inspection. */
gboolean sg_inspect_journal(const gchar *disk, const gchar *username, gboolean force_tcg,
			    SgInspection *inspection, GError **error);
/* Adds the desktop evidence in the lines of @text (a boot's console log),
 * each quoted as "@source: LINE". */
void sg_inspection_read_text(SgInspection *inspection, const gchar *source, const gchar *text,
			     const gchar *username);
/* Whether the graphical target, the user's session and the desktop
 * session running were all seen. */
gboolean sg_inspection_has_desktop(const SgInspection *inspection);

G_END_DECLS
