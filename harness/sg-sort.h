#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sorts an array of strings in byte order (g_ptr_array_sort hands its
 * comparator pointers to the elements, not the strings). */
void sg_sort_strings(GPtrArray *strings);

G_END_DECLS
