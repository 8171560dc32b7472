/* The tree's configuration, TREE/smokegate.conf: trackers, ExpectedBy,
 * MaxErrors and per-flavour size limits. The input is the file. */

#include "sg-fuzz.h"
#include "sg-tree-config.h"

static gchar *tree;
static gchar *conf_path;

static void
sg_fuzz_setup(const gchar *dir)
{
	tree = g_strdup(dir);
	conf_path = g_build_filename(tree, "smokegate.conf", NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(SgTreeConfig) config = NULL;
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) groups = NULL;

	sg_fuzz_write(conf_path, data, size);
	config = sg_tree_config_load(tree, &error);
	if (config == NULL) {
		g_assert(error != NULL);
		return 0;
	}
	g_assert(config->tracker_urls != NULL && config->max_errors > 0);
	if (config->expected_by != NULL)
		g_assert(strlen(config->expected_by) >= 3);
	(void)sg_tree_config_size_limit(config, "smoketest", 0);
	groups = g_key_file_get_groups(config->keyfile, NULL);
	for (guint i = 0; groups[i] != NULL; i++) {
		if (g_str_has_prefix(groups[i], "Flavour "))
			(void)sg_tree_config_size_limit(config, groups[i] + strlen("Flavour "), 1);
	}
	return 0;
}
