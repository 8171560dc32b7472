/* The installed disks a tree keeps (sg-kept-disk.h), on a real temporary
 * tree: the retention rule after a verdict, a mark-current and a yank;
 * [Tree] KeepFailedDisks=; the status model naming the kept disk and the
 * build's downstream suites. */
#include <glib/gstdio.h>
#include <string.h>

#include "sg-build-record.h"
#include "sg-error.h"
#include "sg-files.h"
#include "sg-json.h"
#include "sg-kept-disk.h"
#include "sg-publish.h"
#include "sg-status.h"
#include "sg-tree-config.h"
#include "sg-tree-model.h"
#include "sg-tree.h"

typedef struct {
	gchar *tree;
	gchar *type_dir;
} Tree;

static void
write_file(const gchar *path, const gchar *contents)
{
	g_autofree gchar *folder = g_path_get_dirname(path);
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(g_mkdir_with_parents(folder, 0755), ==, 0);
	g_file_set_contents(path, contents, -1, &error);
	g_assert_no_error(error);
}

/* A build in @state whose evidence holds a disk (and, in @attempts earlier
 * attempts, one each). */
static void
add_build(Tree *tree, const gchar *id, SgBuildState state, guint attempts)
{
	g_autofree gchar *dir = g_build_filename(tree->type_dir, id, NULL);
	g_autoptr(SgBuildRecord) record = sg_build_record_new(dir);
	g_autofree gchar *disk = g_build_filename(dir, "smoke", SG_KEPT_DISK_NAME, NULL);
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
	record->state = state;
	record->image = g_strdup("daily-desktop-amd64.iso");
	g_assert_true(sg_build_record_save(record, &error));
	g_assert_no_error(error);
	write_file(disk, "QFI\xfb");
	for (guint n = 1; n <= attempts; n++) {
		g_autofree gchar *name = g_strdup_printf("smoke.attempt-%u", n);
		g_autofree gchar *old = g_build_filename(dir, name, SG_KEPT_DISK_NAME, NULL);
		write_file(old, "QFI\xfb");
	}
}

static gboolean
has_disk(Tree *tree, const gchar *id)
{
	g_autofree gchar *dir = g_build_filename(tree->type_dir, id, NULL);
	g_autofree gchar *disk = sg_kept_disk_path(dir);
	return disk != NULL;
}

static gboolean
attempt_has_disk(Tree *tree, const gchar *id, guint n)
{
	g_autofree gchar *name = g_strdup_printf("smoke.attempt-%u", n);
	g_autofree gchar *disk =
		g_build_filename(tree->type_dir, id, name, SG_KEPT_DISK_NAME, NULL);
	return g_file_test(disk, G_FILE_TEST_EXISTS);
}

/* The retention rule on the type as it is on disk now. */
static guint
prune(Tree *tree, gboolean keep_failed)
{
	g_autoptr(SgTreeModel) model = sg_tree_model_read(tree->tree);
	SgTreeType *type = sg_tree_model_find_type(model, "alpha", "daily-live");

	g_assert_nonnull(type);
	return sg_kept_disk_prune(type, keep_failed);
}

static void
point_current(Tree *tree, const gchar *id)
{
	g_autoptr(GError) error = NULL;
	g_assert_true(sg_tree_point(tree->type_dir, SG_TREE_CURRENT, id, &error));
	g_assert_no_error(error);
}

static void
tree_setup(Tree *tree, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	tree->tree = g_dir_make_tmp("smokegate-kept-disk-XXXXXX", &error);
	g_assert_no_error(error);
	tree->type_dir = g_build_filename(tree->tree, "alpha", "daily-live", NULL);
	/* Oldest first: 01 passed long ago, 02 failed, 03 current, 04 failed
	 * after two errors, 05 being tested. */
	add_build(tree, "20261101", SG_BUILD_PASSED, 0);
	add_build(tree, "20261102", SG_BUILD_FAILED, 0);
	add_build(tree, "20261103", SG_BUILD_PASSED, 1);
	add_build(tree, "20261104", SG_BUILD_FAILED, 2);
	add_build(tree, "20261105", SG_BUILD_UNTESTED, 1);
	point_current(tree, "20261103");
}

static void
tree_teardown(Tree *tree, gconstpointer data)
{
	sg_files_remove_tree(tree->tree);
	g_free(tree->tree);
	g_free(tree->type_dir);
}

/* Only current's disk stays, and the one an untested build's test may be
 * writing; earlier attempts' go even there. */
static void
test_prune(Tree *tree, gconstpointer data)
{
	g_assert_cmpuint(prune(tree, FALSE), ==, 7);
	g_assert_false(has_disk(tree, "20261101"));
	g_assert_false(has_disk(tree, "20261102"));
	g_assert_true(has_disk(tree, "20261103"));
	g_assert_false(attempt_has_disk(tree, "20261103", 1));
	g_assert_false(has_disk(tree, "20261104"));
	g_assert_false(attempt_has_disk(tree, "20261104", 1));
	g_assert_false(attempt_has_disk(tree, "20261104", 2));
	g_assert_true(has_disk(tree, "20261105"));
	g_assert_false(attempt_has_disk(tree, "20261105", 1));
	/* Nothing more to remove: the rule is stable. */
	g_assert_cmpuint(prune(tree, FALSE), ==, 0);
	/* The evidence around the disks is not touched. */
	g_assert_true(g_file_test(tree->type_dir, G_FILE_TEST_IS_DIR));
}

/* KeepFailedDisks=true: failed builds' latest disks stay too. */
static void
test_prune_keep_failed(Tree *tree, gconstpointer data)
{
	g_assert_cmpuint(prune(tree, TRUE), ==, 5);
	g_assert_false(has_disk(tree, "20261101"));
	g_assert_true(has_disk(tree, "20261102"));
	g_assert_true(has_disk(tree, "20261103"));
	g_assert_true(has_disk(tree, "20261104"));
	g_assert_false(attempt_has_disk(tree, "20261104", 2));
	g_assert_true(has_disk(tree, "20261105"));
}

/* When current moves (a verdict, mark-current, yank), the disk of the build
 * it left goes. */
static void
test_current_moves(Tree *tree, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SgPublisher) publisher = sg_publisher_open(tree->tree, &error);

	g_assert_no_error(error);
	/* Back to an older build by hand (its disk still there): 03's goes. */
	g_assert_true(sg_publisher_mark_current(publisher, "alpha", "daily-live", "20261101",
						"back to the last known good", &error));
	g_assert_no_error(error);
	g_assert_true(has_disk(tree, "20261101"));
	g_assert_false(has_disk(tree, "20261103"));
	g_assert_true(has_disk(tree, "20261105"));
	/* Yanked while current: current goes away with its disk. */
	g_assert_true(sg_publisher_yank(publisher, "alpha", "daily-live", "20261101",
					"broken after all", &error));
	g_assert_no_error(error);
	g_assert_null(sg_tree_read_link(tree->type_dir, SG_TREE_CURRENT));
	g_assert_false(has_disk(tree, "20261101"));
	g_assert_true(has_disk(tree, "20261105"));
}

static void
test_config(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp("smokegate-kept-disk-conf-XXXXXX", &error);
	g_autofree gchar *path = g_build_filename(dir, "smokegate.conf", NULL);
	g_autoptr(SgTreeConfig) none = NULL;
	g_autoptr(SgTreeConfig) yes = NULL;
	g_autoptr(SgTreeConfig) copy = NULL;
	g_autoptr(SgTreeConfig) bad = NULL;

	g_assert_no_error(error);
	none = sg_tree_config_load(dir, &error);
	g_assert_no_error(error);
	g_assert_false(none->keep_failed_disks);
	write_file(path, "[Tree]\nKeepFailedDisks=true\n");
	yes = sg_tree_config_load(dir, &error);
	g_assert_no_error(error);
	g_assert_true(yes->keep_failed_disks);
	copy = sg_tree_config_copy(yes);
	g_assert_true(copy->keep_failed_disks);
	/* A typo must not quietly delete the disks a team asked to keep. */
	write_file(path, "[Tree]\nKeepFailedDisks=yes please\n");
	bad = sg_tree_config_load(dir, &error);
	g_assert_null(bad);
	g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);
	g_assert_nonnull(strstr(error->message, "KeepFailedDisks"));
	g_unlink(path);
	g_rmdir(dir);
}

static JsonObject *
find_build(JsonNode *model, const gchar *id)
{
	JsonArray *types = sg_json_get_array(json_node_get_object(model), "flavours");
	JsonArray *builds = sg_json_get_array(json_array_get_object_element(types, 0), "builds");

	for (guint i = 0; i < json_array_get_length(builds); i++) {
		JsonObject *build = json_array_get_object_element(builds, i);
		if (g_strcmp0(sg_json_get_string(build, "id"), id) == 0)
			return build;
	}
	g_assert_not_reached();
}

/* status.json's model says where the kept disk is and which suites failed. */
static void
test_status_model(Tree *tree, gconstpointer data)
{
	g_autofree gchar *result =
		g_build_filename(tree->type_dir, "20261103", "smoke", "result.json", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(SgTreeConfig) config = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autoptr(JsonNode) model = NULL;
	JsonObject *current;
	JsonArray *suites;

	write_file(result, "{\"verdict\":\"pass\",\"suites\":["
			   "{\"name\":\"smoke-ok\",\"gating\":true,\"verdict\":\"pass\","
			   "\"reason\":\"3 tests passed\",\"cases\":[]},"
			   "{\"name\":\"smoke-advisory\",\"gating\":false,\"verdict\":\"fail\","
			   "\"reason\":\"test 2 failed\",\"cases\":[]}]}");
	prune(tree, FALSE);
	config = sg_tree_config_load(tree->tree, &error);
	g_assert_no_error(error);
	model = sg_status_build_model(tree->tree, config, now);
	current = find_build(model, "20261103");
	g_assert_cmpstr(sg_json_get_string(current, "kept_disk"), ==,
			"alpha/daily-live/20261103/smoke/installed.qcow2");
	suites = sg_json_get_array(current, "suites");
	g_assert_cmpuint(json_array_get_length(suites), ==, 2);
	g_assert_cmpstr(sg_json_get_string(json_array_get_object_element(suites, 1), "name"), ==,
			"smoke-advisory");
	g_assert_false(sg_json_get_boolean(json_array_get_object_element(suites, 1), "gating"));
	g_assert_cmpstr(sg_json_get_string(json_array_get_object_element(suites, 1), "verdict"), ==,
			"fail");
	g_assert_null(sg_json_get_string(find_build(model, "20261101"), "kept_disk"));
	g_assert_cmpuint(
		json_array_get_length(sg_json_get_array(find_build(model, "20261101"), "suites")),
		==, 0);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/kept-disk/prune", Tree, NULL, tree_setup, test_prune, tree_teardown);
	g_test_add("/kept-disk/prune-keep-failed", Tree, NULL, tree_setup, test_prune_keep_failed,
		   tree_teardown);
	g_test_add("/kept-disk/current-moves", Tree, NULL, tree_setup, test_current_moves,
		   tree_teardown);
	g_test_add_func("/kept-disk/config", test_config);
	g_test_add("/kept-disk/status-model", Tree, NULL, tree_setup, test_status_model,
		   tree_teardown);
	return g_test_run();
}
