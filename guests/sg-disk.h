#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Creates an empty qcow2 disk of @size_gib GiB (sparse: costs nothing). */
gboolean sg_disk_create(const gchar *path, guint size_gib, GError **error);

G_END_DECLS
