#pragma once

#include <gio/gio.h>

#include "sg-inspection.h"

G_BEGIN_DECLS

/* The reads of an installed disk with libguestfs, in this process: the
 * coordinator runs them in a child process (sg-inspect-process). */

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

G_END_DECLS
