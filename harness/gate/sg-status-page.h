#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * The page people read: TREE/status.json for machines and TREE/index.html for
 * people, one self-contained HTML file (inline CSS, no script, nothing fetched
 * from elsewhere) whose links are relative to TREE, so it can be served as is
 * or opened from the disk.
 */

/* Writes TREE/status.json and TREE/index.html from @status, both atomically
 * (temporary name, fsync, rename). */
gboolean sg_status_page_write(const gchar *tree, JsonNode *status, GError **error);

G_END_DECLS
