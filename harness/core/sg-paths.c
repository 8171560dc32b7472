#include "sg-paths.h"

#include "sg-config.h"

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
