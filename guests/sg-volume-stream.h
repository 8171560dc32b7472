#pragma once

#include <gio/gio.h>

#include "sg-virt.h"

G_BEGIN_DECLS

/*
 * What a storage volume holds, sent and fetched over the libvirt
 * connection alone: files as streams that skip their holes (as virsh
 * vol-upload --sparse does), so only allocated data crosses the wire, and
 * small volumes (markers) read and written whole. Blocking: called from
 * worker threads, or where the caller may wait.
 */

/* Writes the local file @path into @vol, which has exactly its size, as a
 * sparse stream when the file has holes. Adds the bytes of data sent to
 * @sent (or NULL) as they go. Stops with SG_ERROR_CANCELLED once @cancellable (or
 * NULL) is cancelled. */
gboolean sg_volume_stream_upload(virStorageVolPtr vol, const gchar *path, GCancellable *cancellable,
				 guint64 *sent, GError **error);
/* Writes @vol into the new local file @local (made, or emptied), holes left
 * as holes; nothing is left at @local when it fails. */
gboolean sg_volume_stream_download(virStorageVolPtr vol, const gchar *local,
				   GCancellable *cancellable, GError **error);
/* The first @size bytes of a small volume. */
GByteArray *sg_volume_stream_read_small(virStorageVolPtr vol, gsize size, GError **error);
/* Writes @data over a small volume of @size bytes, padded with newlines to
 * that size (@data is cut there). */
gboolean sg_volume_stream_write_small(virStorageVolPtr vol, const gchar *data, gsize size,
				      GError **error);

G_END_DECLS
