#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sorts an array of strings in byte order (g_ptr_array_sort hands its
 * comparator pointers to the elements, not the strings). */
void sg_sort_strings(GPtrArray *strings);

/* The names in @dir that @keep accepts (all when NULL), sorted; empty when
 * @dir cannot be read. */
GPtrArray *sg_files_list(const gchar *dir, gboolean (*keep)(const gchar *dir, const gchar *name));
/* For sg_files_list(): folders (or links to folders) whose name does not
 * start with a dot. */
gboolean sg_files_keep_folder(const gchar *dir, const gchar *name);

/* Removes @path and everything below it, never following a symlink out. */
void sg_files_remove_tree(const gchar *path);

/* Writes @contents (@length bytes, -1: a string) to @path atomically and
 * durably: a temporary name, fsync, rename, so a reader sees the old file,
 * the new one or none, never half of one, and the new one survives a power
 * cut. Errors are G_FILE_ERROR. */
gboolean sg_files_write_durably(const gchar *path, const gchar *contents, gssize length,
				GError **error);

/* Removes what sg_files_write_durably() left of @path when its writer was
 * killed before the rename: the siblings named @path + "." + six letters or
 * digits (GLib's temporary names). Only for a caller that knows no writer
 * of @path runs (it holds the lock every writer holds). */
void sg_files_remove_stale_temporaries(const gchar *path);

/* fsync of a file or a folder (a rename in a folder survives a crash only
 * once the folder is synced). */
gboolean sg_files_sync(const gchar *path, GError **error);

G_END_DECLS
