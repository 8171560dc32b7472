#include "sg-tree-model.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sg-error.h"
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
	g_ptr_array_unref(type->damage);
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
	g_autofree gchar *record_path = NULL;
	g_autofree gchar *target = NULL;
	GStatBuf st;

	build->id = g_strdup(id);
	build->dir = g_build_filename(type_dir, id, NULL);
	record_path = sg_build_record_path(build->dir);
	target = g_file_read_link(build->dir, NULL);
	/* Nothing is read through a link: it may lead out of the tree. */
	if (target != NULL) {
		build->error =
			g_error_new(SG_ERROR, SG_ERROR_DAMAGED,
				    "%s is a link (to %s), not a build folder", build->dir, target);
		return build;
	}
	if (g_lstat(record_path, &st) != 0) {
		build->error = g_error_new(SG_ERROR, SG_ERROR_DAMAGED,
					   "%s has no record (smokegate.json)", build->dir);
		return build;
	}
	build->record = sg_build_record_load(build->dir, &build->error);
	if (build->record == NULL && build->error->domain != SG_ERROR) {
		GError *damaged =
			g_error_new_literal(SG_ERROR, SG_ERROR_DAMAGED, build->error->message);
		g_error_free(build->error);
		build->error = damaged;
	} else if (build->record == NULL) {
		build->error->code = SG_ERROR_DAMAGED;
	}
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

/* A build is a folder with a build id's name (`current` and `pending` are
 * links); one that is a link is kept too, to be reported as damaged. */
static gboolean
keep_build(const gchar *type_dir, const gchar *name)
{
	g_autofree gchar *path = g_build_filename(type_dir, name, NULL);
	return sg_tree_is_build_id(name) &&
	       (g_file_test(path, G_FILE_TEST_IS_SYMLINK) || g_file_test(path, G_FILE_TEST_IS_DIR));
}

/* The build id @link points at. A link that leads anywhere but to a build
 * id of its own folder (/etc, ../../other-tree/...) is damage: NULL, and
 * a line in @type->damage. */
static gchar *
read_link(SgTreeType *type, const gchar *link)
{
	g_autofree gchar *path = g_build_filename(type->dir, link, NULL);
	g_autofree gchar *target = g_file_read_link(path, NULL);

	if (target == NULL)
		return NULL;
	if (sg_tree_is_build_id(target))
		return g_steal_pointer(&target);
	g_ptr_array_add(type->damage,
			g_strdup_printf("%s/%s points at %s, outside the builds of %s; point it "
					"at a build again (smokegate mark-current) or remove it",
					type->path, link, target, type->path));
	return NULL;
}

/* The links and builds of @type->dir, read again. */
static void
type_fill(SgTreeType *type)
{
	g_autoptr(GPtrArray) ids = sg_files_list(type->dir, keep_build);

	g_free(type->current);
	g_free(type->pending);
	g_ptr_array_set_size(type->damage, 0);
	type->current = read_link(type, SG_TREE_CURRENT);
	type->pending = read_link(type, SG_TREE_PENDING);
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
	type->damage = g_ptr_array_new_with_free_func(g_free);
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
			    type->pending == NULL && type->damage->len == 0) {
				type_free(type);
				continue;
			}
			g_ptr_array_add(model->types, type);
		}
	}
	g_ptr_array_sort(model->types, compare_types);
	return model;
}

void
sg_tree_type_add_damage(SgTreeType *type, GPtrArray *damage)
{
	for (guint i = 0; i < type->damage->len; i++)
		g_ptr_array_add(damage, g_strdup(g_ptr_array_index(type->damage, i)));
	for (guint i = 0; i < type->builds->len; i++) {
		SgTreeBuild *build = g_ptr_array_index(type->builds, i);
		if (build->record == NULL)
			g_ptr_array_add(damage,
					g_strdup_printf("%s/%s is damaged: %s; %s", type->path,
							build->id, build->error->message,
							SG_TREE_REPAIR_HINT));
	}
}

GPtrArray *
sg_tree_model_damage(SgTreeModel *model)
{
	GPtrArray *damage = g_ptr_array_new_with_free_func(g_free);

	for (guint t = 0; t < model->types->len; t++)
		sg_tree_type_add_damage(g_ptr_array_index(model->types, t), damage);
	return damage;
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
