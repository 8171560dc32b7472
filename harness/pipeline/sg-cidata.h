#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Writes @output: a small ISO 9660 volume labelled CIDATA holding
 * `user-data` (the autoinstall answer file) and `meta-data`, the NoCloud
 * seed cloud-init finds on any attached disk. Attached to the guest only, so
 * the answers are served to nobody else.
 */
gboolean sg_cidata_write(const gchar *user_data_path, const gchar *output, GError **error);

G_END_DECLS
