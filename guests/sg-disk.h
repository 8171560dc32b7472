#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Creates an empty qcow2 disk of @size_gib GiB (sparse: costs nothing). */
gboolean sg_disk_create(const gchar *path, guint size_gib, GError **error);
/* Creates @overlay, a new qcow2 whose backing file is @base (qcow2), which
 * its guests only read. */
gboolean sg_disk_create_overlay(const gchar *base, const gchar *overlay, GError **error);
/* Points the qcow2 @overlay at @backing (qcow2) without reading either's
 * data (qemu-img rebase -u): @backing is where the overlay will be used,
 * a lab host's path that need not exist here. */
gboolean sg_disk_set_backing(const gchar *overlay, const gchar *backing, GError **error);
/* The backing file named in @path's header, "" for none. */
gchar *sg_disk_get_backing(const gchar *path, GError **error);

G_END_DECLS
