#include "sg-gate-resume.h"

#include "sg-files.h"
#include "sg-gate-candidates.h"
#include "sg-tree.h"

/* Every writer of these files holds the tree lock, so under it none of
 * them is anyone's work in progress. */
static void
remove_stale_temporaries(SgTreeModel *tree)
{
	g_autofree gchar *page = g_build_filename(tree->tree, "index.html", NULL);
	g_autofree gchar *status = g_build_filename(tree->tree, "status.json", NULL);

	sg_files_remove_stale_temporaries(page);
	sg_files_remove_stale_temporaries(status);
	for (guint t = 0; t < tree->types->len; t++) {
		SgTreeType *type = g_ptr_array_index(tree->types, t);

		for (guint i = 0; i < type->builds->len; i++) {
			SgTreeBuild *build = g_ptr_array_index(type->builds, i);
			g_autofree gchar *record = sg_build_record_path(build->dir);

			sg_files_remove_stale_temporaries(record);
		}
	}
}

/* Whether a person changed which build is current (mark-current, yank) in
 * @type after @since. */
static gboolean
person_changed_current_since(SgTreeType *type, GDateTime *since)
{
	for (guint i = 0; i < type->builds->len; i++) {
		SgTreeBuild *build = g_ptr_array_index(type->builds, i);

		for (guint e = 0; build->record != NULL && e < build->record->events->len; e++) {
			SgBuildEvent *event = g_ptr_array_index(build->record->events, e);
			g_autoptr(GDateTime) when = NULL;

			if (g_strcmp0(event->what, "marked-current") != 0 &&
			    g_strcmp0(event->what, "yanked") != 0)
				continue;
			when = g_date_time_new_from_iso8601(event->when, NULL);
			if (when == NULL || g_date_time_compare(when, since) > 0)
				return TRUE;
		}
	}
	return FALSE;
}

/* Newest first, down to current: the newest passed build only. */
static void
finish_publishing(SgPublisher *publisher, SgTreeType *type)
{
	g_autoptr(GError) error = NULL;

	for (guint i = 0; i < type->builds->len; i++) {
		SgTreeBuild *build = g_ptr_array_index(type->builds, i);
		SgBuildRecord *record = build->record;
		g_autoptr(GDateTime) passed = NULL;
		SgBuildEvent *last;

		if (g_strcmp0(build->id, type->current) == 0)
			break;
		if (record == NULL || record->state != SG_BUILD_PASSED || record->events->len == 0)
			continue;
		last = g_ptr_array_index(record->events, record->events->len - 1);
		passed = g_date_time_new_from_iso8601(last->when, NULL);
		if (g_strcmp0(last->what, "passed") != 0 || passed == NULL ||
		    person_changed_current_since(type, passed))
			break;
		if (!sg_tree_type_point(type, SG_TREE_CURRENT, build->id, &error)) {
			g_warning("%s", error->message);
			break;
		}
		sg_publisher_notify(publisher, "passed", type->flavour, type->image_type, build->id,
				    record->reason);
		break;
	}
}

void
sg_gate_resume(SgPublisher *publisher, SgTreeModel *tree, const gchar *const *flavours)
{
	remove_stale_temporaries(tree);
	for (guint t = 0; t < tree->types->len; t++) {
		SgTreeType *type = g_ptr_array_index(tree->types, t);

		if (sg_gate_flavour_selected(flavours, type->flavour))
			finish_publishing(publisher, type);
	}
}
