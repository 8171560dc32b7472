/* The status model (status.json, the status page) built from a tree whose
 * records and configuration are the input: a small tree of one flavour,
 * three builds, `current` and `pending` links. The input is split at NUL
 * bytes: smokegate.conf, then each build's smokegate.json, newest first. */

#include <string.h>

#include "sg-fuzz.h"
#include "sg-status.h"

#define N_BUILDS 3

static const gchar *const build_ids[N_BUILDS] = {"20261130.1", "20261130", "20261129"};
static gchar *tree;
static gchar *conf_path;
static gchar *record_paths[N_BUILDS];

static void
sg_fuzz_setup(const gchar *dir)
{
	g_autofree gchar *type_dir = NULL;

	tree = g_strdup(dir);
	conf_path = g_build_filename(tree, "smokegate.conf", NULL);
	type_dir = g_build_filename(tree, "smoketest", "desktop", NULL);
	for (guint i = 0; i < N_BUILDS; i++) {
		g_autofree gchar *build = g_build_filename(type_dir, build_ids[i], NULL);
		g_autofree gchar *smoke = g_build_filename(build, "smoke", NULL);
		g_autofree gchar *evidence = g_build_filename(smoke, "result.json", NULL);

		g_mkdir_with_parents(smoke, 0755);
		if (i == 1)
			sg_fuzz_write(evidence, "{}", 2);
		record_paths[i] = g_build_filename(build, "smokegate.json", NULL);
	}
	{
		g_autofree gchar *current = g_build_filename(type_dir, "current", NULL);
		g_autofree gchar *pending = g_build_filename(type_dir, "pending", NULL);
		g_assert(symlink(build_ids[2], current) == 0);
		g_assert(symlink(build_ids[0], pending) == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *end = data + size;
	const uint8_t *part = data;
	g_autoptr(SgTreeConfig) config = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_utc(2026, 11, 30, 7, 30, 0);
	g_autoptr(JsonNode) model = NULL;
	g_autofree gchar *text = NULL;

	for (guint i = 0; i <= N_BUILDS; i++) {
		const uint8_t *nul = part < end ? memchr(part, '\0', end - part) : NULL;
		const uint8_t *stop = nul != NULL ? nul : end;
		const gchar *path = i == 0 ? conf_path : record_paths[i - 1];

		if (part < end)
			sg_fuzz_write(path, part, stop - part);
		else
			g_unlink(path); /* a build folder without a record */
		part = nul != NULL ? nul + 1 : end;
	}
	config = sg_tree_config_load(tree, NULL);
	if (config == NULL) {
		/* A bad configuration stops the gate; the model is then built
		 * with the defaults. */
		g_unlink(conf_path);
		config = sg_tree_config_load(tree, NULL);
		g_assert(config != NULL);
	}
	model = sg_status_build_model(tree, config, now);
	text = json_to_string(model, TRUE);
	g_assert(g_utf8_validate(text, -1, NULL));
	return 0;
}
