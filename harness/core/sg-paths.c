#include "sg-paths.h"

/* Only a binary still in its build folder reads the source tree: the one
 * meson installs (or a package ships) has left it, so it cannot mistake a
 * leftover checkout for its data. */
static gboolean
running_from_build_tree(void)
{
	g_autofree gchar *self = g_file_read_link("/proc/self/exe", NULL);
	return self != NULL && g_str_has_prefix(self, SG_BUILD_ROOT "/");
}

static gchar *
data_path(const gchar *installed, const gchar *in_source)
{
	const gchar *override = g_getenv("SMOKEGATE_DATA_DIR");

	if (override != NULL && override[0] != '\0')
		return g_build_filename(override, installed, NULL);
	if (running_from_build_tree())
		return g_build_filename(SG_SOURCE_ROOT, in_source, NULL);
	return g_build_filename(SG_INSTALLED_DATADIR, installed, NULL);
}

gchar *
sg_paths_builtin_flavours(void)
{
	return data_path("flavours", "guests/flavours");
}

gchar *
sg_paths_builtin_answers(void)
{
	return data_path("preseed", "preseed");
}

gchar *
sg_paths_builtin_suites(void)
{
	return data_path("suites", "guests/suites");
}
