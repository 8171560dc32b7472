#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sorts an array of strings in byte order (g_ptr_array_sort hands its
 * comparator pointers to the elements, not the strings). */
void sg_sort_strings(GPtrArray *strings);

/* The names in @dir that @keep accepts (all when NULL), sorted; empty when
 * @dir cannot be read. */
GPtrArray *sg_files_list(const gchar *dir, gboolean (*keep)(const gchar *dir, const gchar *name));

/* Removes @path and everything below it, never following a symlink out. */
void sg_files_remove_tree(const gchar *path);

G_END_DECLS
