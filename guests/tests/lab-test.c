#include "lab-test.h"

const gchar *
sg_lab_test_kernel(void)
{
	static gchar *kernel;
	g_autoptr(GDir) dir = g_dir_open("/boot", 0, NULL);
	const gchar *name;

	while (kernel == NULL && dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		if (g_str_has_prefix(name, "vmlinuz"))
			kernel = g_build_filename("/boot", name, NULL);
	}
	return kernel;
}

gboolean
sg_lab_test_skip_without(const gchar *needed, const gchar *why)
{
	if (needed != NULL)
		return FALSE;
	g_test_skip(why);
	return TRUE;
}

SgLab *
sg_lab_test_open(const gchar *uri)
{
	g_autoptr(GError) error = NULL;
	SgLab *lab = sg_lab_open(uri, &error);

	g_assert_no_error(error);
	return lab;
}
