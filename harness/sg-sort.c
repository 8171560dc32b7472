#include "sg-sort.h"

static gint
compare_indirect(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const gchar *const *)a, *(const gchar *const *)b);
}

void
sg_sort_strings(GPtrArray *strings)
{
	g_ptr_array_sort(strings, compare_indirect);
}
