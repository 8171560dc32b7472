/* The tree model (sg-tree-model.h) on a real temporary tree: what it reads
 * (types in byte order, builds newest first with their records, the
 * links, an unreadable record kept with its error), and the changes a
 * command makes through it (a link moved, a build added, a type read
 * again). */
#include <glib/gstdio.h>

#include "sg-build-record.h"
#include "sg-files.h"
#include "sg-tree-model.h"
#include "sg-tree.h"

typedef struct {
	gchar *tree;
} Tree;

static void
add_build(Tree *tree, const gchar *type, const gchar *id, SgBuildState state)
{
	g_autofree gchar *dir = g_build_filename(tree->tree, type, id, NULL);
	g_autoptr(SgBuildRecord) record = sg_build_record_new(dir);
	g_autoptr(GError) error = NULL;

	g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
	record->state = state;
	record->image = g_strdup("daily-desktop-amd64.iso");
	g_assert_true(sg_build_record_save(record, &error));
	g_assert_no_error(error);
}

static void
point(Tree *tree, const gchar *type, const gchar *link, const gchar *id)
{
	g_autofree gchar *dir = g_build_filename(tree->tree, type, NULL);
	g_autoptr(GError) error = NULL;

	g_assert_true(sg_tree_point(dir, link, id, &error));
	g_assert_no_error(error);
}

static void
tree_setup(Tree *tree, gconstpointer data)
{
	g_autofree gchar *broken = NULL;
	g_autofree gchar *empty = NULL;
	g_autoptr(GError) error = NULL;

	tree->tree = g_dir_make_tmp("smokegate-tree-model-XXXXXX", &error);
	g_assert_no_error(error);
	add_build(tree, "alpha/daily-live", "20261101", SG_BUILD_PASSED);
	add_build(tree, "alpha/daily-live", "20261102", SG_BUILD_FAILED);
	add_build(tree, "alpha/daily-live", "20261102.1", SG_BUILD_UNTESTED);
	add_build(tree, "alpha/daily-live", "20261102.10", SG_BUILD_UNTESTED);
	point(tree, "alpha/daily-live", SG_TREE_CURRENT, "20261101");
	point(tree, "alpha/daily-live", SG_TREE_PENDING, "20261102.10");
	/* "alpha-beta/x" sorts before "alpha/daily-live", as in byte order. */
	add_build(tree, "alpha-beta/x", "20261101", SG_BUILD_UNTESTED);
	/* A record that is not JSON: the build is there, its record is not. */
	broken = g_build_filename(tree->tree, "alpha/daily-live/20261103/smokegate.json", NULL);
	add_build(tree, "alpha/daily-live", "20261103", SG_BUILD_UNTESTED);
	g_assert_true(g_file_set_contents(broken, "{\"state\":", -1, &error));
	/* Neither builds nor links: not an image type. */
	empty = g_build_filename(tree->tree, "alpha", "empty", NULL);
	g_assert_cmpint(g_mkdir_with_parents(empty, 0755), ==, 0);
}

static void
tree_teardown(Tree *tree, gconstpointer data)
{
	sg_files_remove_tree(tree->tree);
	g_free(tree->tree);
}

static const gchar *
build_id(SgTreeType *type, guint i)
{
	return ((SgTreeBuild *)g_ptr_array_index(type->builds, i))->id;
}

static void
test_read(Tree *tree, gconstpointer data)
{
	g_autoptr(SgTreeModel) model = sg_tree_model_read(tree->tree);
	SgTreeType *type;
	SgTreeBuild *broken;

	g_assert_cmpuint(model->types->len, ==, 2);
	g_assert_cmpstr(((SgTreeType *)g_ptr_array_index(model->types, 0))->path, ==,
			"alpha-beta/x");
	type = sg_tree_model_find_type(model, "alpha", "daily-live");
	g_assert_true(type == g_ptr_array_index(model->types, 1));
	g_assert_null(sg_tree_model_find_type(model, "alpha", "empty"));
	g_assert_cmpstr(type->current, ==, "20261101");
	g_assert_cmpstr(type->pending, ==, "20261102.10");
	/* Newest first, respins by number, not as text; the links are no builds. */
	g_assert_cmpuint(type->builds->len, ==, 5);
	g_assert_cmpstr(build_id(type, 0), ==, "20261103");
	g_assert_cmpstr(build_id(type, 1), ==, "20261102.10");
	g_assert_cmpstr(build_id(type, 2), ==, "20261102.1");
	g_assert_cmpstr(build_id(type, 3), ==, "20261102");
	g_assert_cmpstr(build_id(type, 4), ==, "20261101");
	g_assert_cmpint(sg_tree_type_find_build(type, "20261102")->record->state, ==,
			SG_BUILD_FAILED);
	broken = sg_tree_type_find_build(type, "20261103");
	g_assert_null(broken->record);
	g_assert_nonnull(broken->error);
	g_assert_null(sg_tree_type_find_build(type, "20261104"));
}

static void
test_changes(Tree *tree, gconstpointer data)
{
	g_autoptr(SgTreeModel) model = sg_tree_model_read(tree->tree);
	SgTreeType *type = sg_tree_model_find_type(model, "alpha", "daily-live");
	g_autoptr(GDateTime) day = g_date_time_new_local(2026, 11, 2, 12, 0, 0);
	g_autoptr(GDateTime) other_day = g_date_time_new_local(2026, 11, 5, 12, 0, 0);
	g_autofree gchar *next = sg_tree_type_next_build_id(type, day);
	g_autofree gchar *first = sg_tree_type_next_build_id(type, other_day);
	g_autofree gchar *link =
		g_build_filename(tree->tree, "alpha/daily-live", SG_TREE_CURRENT, NULL);
	g_autofree gchar *on_disk = NULL;
	g_autoptr(GError) error = NULL;
	SgTreeType *added;

	g_assert_cmpstr(next, ==, "20261102.11");
	g_assert_cmpstr(first, ==, "20261105");

	/* A link moved: on disk and in the model. */
	g_assert_true(sg_tree_type_point(type, SG_TREE_CURRENT, "20261102.1", &error));
	g_assert_no_error(error);
	g_assert_cmpstr(type->current, ==, "20261102.1");
	on_disk = g_file_read_link(link, NULL);
	g_assert_cmpstr(on_disk, ==, "20261102.1");
	g_assert_true(sg_tree_type_point(type, SG_TREE_CURRENT, NULL, &error));
	g_assert_null(type->current);

	/* A build moved into a new type: the type appears in its place. */
	add_build(tree, "alpha/daily-dvd", "20261105", SG_BUILD_UNTESTED);
	added = sg_tree_model_add_build(model, "alpha", "daily-dvd", "20261105");
	g_assert_true(added == sg_tree_model_find_type(model, "alpha", "daily-dvd"));
	g_assert_true(added == g_ptr_array_index(model->types, 1));
	g_assert_cmpuint(added->builds->len, ==, 1);
	g_assert_cmpint(sg_tree_type_find_build(added, "20261105")->record->state, ==,
			SG_BUILD_UNTESTED);

	/* Someone else changed the type: read again, the model says so. */
	add_build(tree, "alpha/daily-live", "20261104", SG_BUILD_UNTESTED);
	point(tree, "alpha/daily-live", SG_TREE_CURRENT, "20261102");
	sg_tree_type_reread(type);
	g_assert_cmpstr(type->current, ==, "20261102");
	g_assert_cmpuint(type->builds->len, ==, 6);
	g_assert_cmpstr(build_id(type, 0), ==, "20261104");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/tree-model/read", Tree, NULL, tree_setup, test_read, tree_teardown);
	g_test_add("/tree-model/changes", Tree, NULL, tree_setup, test_changes, tree_teardown);
	return g_test_run();
}
