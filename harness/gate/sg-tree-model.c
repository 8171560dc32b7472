#include "sg-tree-model.h"

#include <string.h>

#include "sg-files.h"
#include "sg-tree.h"

static void
build_free(SgTreeBuild *build)
{
	g_free(build->id);
	g_free(build->dir);
	sg_build_record_free(build->record);
	g_clear_error(&build->error);
	g_free(build);
}

static void
type_free(SgTreeType *type)
{
	g_free(type->flavour);
	g_free(type->image_type);
	g_free(type->path);
	g_free(type->dir);
	g_free(type->current);
	g_free(type->pending);
	g_ptr_array_unref(type->builds);
	g_free(type);
}

void
sg_tree_model_free(SgTreeModel *model)
{
	if (model == NULL)
		return;
	g_free(model->tree);
	g_ptr_array_unref(model->types);
	g_free(model);
}

static SgTreeBuild *
build_read(const gchar *type_dir, const gchar *id)
{
	SgTreeBuild *build = g_new0(SgTreeBuild, 1);
	build->id = g_strdup(id);
	build->dir = g_build_filename(type_dir, id, NULL);
	build->record = sg_build_record_load(build->dir, &build->error);
	return build;
}

static gint
compare_newest_first(gconstpointer a, gconstpointer b)
{
	const SgTreeBuild *left = *(const SgTreeBuild *const *)a;
	const SgTreeBuild *right = *(const SgTreeBuild *const *)b;
	guint left_day = 0, right_day = 0;
	gint left_respin = sg_tree_parse_build_id(left->id, &left_day);
	gint right_respin = sg_tree_parse_build_id(right->id, &right_day);

	if (left_day != right_day)
		return left_day > right_day ? -1 : 1;
	return right_respin - left_respin;
}

/* A build is a real folder with a build id's name (`current` and
 * `pending` are links). */
static gboolean
keep_build(const gchar *type_dir, const gchar *name)
{
	g_autofree gchar *path = g_build_filename(type_dir, name, NULL);
	return sg_tree_is_build_id(name) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK) &&
	       g_file_test(path, G_FILE_TEST_IS_DIR);
}

/* The links and builds of @type->dir, read again. */
static void
type_fill(SgTreeType *type)
{
	g_autoptr(GPtrArray) ids = sg_files_list(type->dir, keep_build);

	g_free(type->current);
	g_free(type->pending);
	type->current = sg_tree_read_link(type->dir, SG_TREE_CURRENT);
	type->pending = sg_tree_read_link(type->dir, SG_TREE_PENDING);
	g_ptr_array_set_size(type->builds, 0);
	for (guint i = 0; i < ids->len; i++)
		g_ptr_array_add(type->builds, build_read(type->dir, g_ptr_array_index(ids, i)));
	g_ptr_array_sort(type->builds, compare_newest_first);
}

static SgTreeType *
type_new(const gchar *tree, const gchar *flavour, const gchar *image_type)
{
	SgTreeType *type = g_new0(SgTreeType, 1);

	type->flavour = g_strdup(flavour);
	type->image_type = g_strdup(image_type);
	type->path = g_build_filename(flavour, image_type, NULL);
	type->dir = g_build_filename(tree, flavour, image_type, NULL);
	type->builds = g_ptr_array_new_with_free_func((GDestroyNotify)build_free);
	return type;
}

static gint
compare_types(gconstpointer a, gconstpointer b)
{
	const SgTreeType *left = *(const SgTreeType *const *)a;
	const SgTreeType *right = *(const SgTreeType *const *)b;

	/* "a-b/x" sorts before "a/x", as the names do in byte order. */
	return strcmp(left->path, right->path);
}

SgTreeModel *
sg_tree_model_read(const gchar *tree)
{
	SgTreeModel *model = g_new0(SgTreeModel, 1);
	g_autoptr(GPtrArray) flavours = sg_files_list(tree, sg_files_keep_folder);

	model->tree = g_canonicalize_filename(tree, NULL);
	model->types = g_ptr_array_new_with_free_func((GDestroyNotify)type_free);
	for (guint i = 0; i < flavours->len; i++) {
		const gchar *flavour = g_ptr_array_index(flavours, i);
		g_autofree gchar *flavour_dir = g_build_filename(model->tree, flavour, NULL);
		g_autoptr(GPtrArray) names = sg_files_list(flavour_dir, sg_files_keep_folder);

		for (guint j = 0; j < names->len; j++) {
			SgTreeType *type =
				type_new(model->tree, flavour, g_ptr_array_index(names, j));

			type_fill(type);
			/* An image type folder holds builds or at least one of the links. */
			if (type->builds->len == 0 && type->current == NULL &&
			    type->pending == NULL) {
				type_free(type);
				continue;
			}
			g_ptr_array_add(model->types, type);
		}
	}
	g_ptr_array_sort(model->types, compare_types);
	return model;
}

SgTreeType *
sg_tree_model_find_type(SgTreeModel *model, const gchar *flavour, const gchar *image_type)
{
	for (guint i = 0; i < model->types->len; i++) {
		SgTreeType *type = g_ptr_array_index(model->types, i);
		if (g_str_equal(type->flavour, flavour) &&
		    g_str_equal(type->image_type, image_type))
			return type;
	}
	return NULL;
}

SgTreeBuild *
sg_tree_type_find_build(SgTreeType *type, const gchar *build_id)
{
	for (guint i = 0; i < type->builds->len; i++) {
		SgTreeBuild *build = g_ptr_array_index(type->builds, i);
		if (g_str_equal(build->id, build_id))
			return build;
	}
	return NULL;
}

void
sg_tree_type_reread(SgTreeType *type)
{
	type_fill(type);
}

gboolean
sg_tree_type_point(SgTreeType *type, const gchar *link, const gchar *build_id, GError **error)
{
	gchar **field = g_str_equal(link, SG_TREE_CURRENT) ? &type->current : &type->pending;

	if (!sg_tree_point(type->dir, link, build_id, error))
		return FALSE;
	g_free(*field);
	*field = g_strdup(build_id);
	return TRUE;
}

gchar *
sg_tree_type_next_build_id(SgTreeType *type, GDateTime *day)
{
	g_autofree gchar *date = g_date_time_format(day, "%Y%m%d");
	guint wanted = (guint)g_ascii_strtoull(date, NULL, 10);
	gint highest = -1;

	for (guint i = 0; type != NULL && i < type->builds->len; i++) {
		SgTreeBuild *build = g_ptr_array_index(type->builds, i);
		guint build_day = 0;
		gint respin = sg_tree_parse_build_id(build->id, &build_day);
		if (build_day == wanted)
			highest = MAX(highest, respin);
	}
	if (highest < 0)
		return g_steal_pointer(&date);
	return g_strdup_printf("%s.%d", date, highest + 1);
}

SgTreeType *
sg_tree_model_add_build(SgTreeModel *model, const gchar *flavour, const gchar *image_type,
			const gchar *build_id)
{
	SgTreeType *type = sg_tree_model_find_type(model, flavour, image_type);

	if (type == NULL) {
		type = type_new(model->tree, flavour, image_type);
		g_ptr_array_add(model->types, type);
		g_ptr_array_sort(model->types, compare_types);
	}
	g_ptr_array_add(type->builds, build_read(type->dir, build_id));
	g_ptr_array_sort(type->builds, compare_newest_first);
	return type;
}
