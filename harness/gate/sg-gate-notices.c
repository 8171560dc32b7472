#include "sg-gate-notices.h"

#include "sg-gate-candidates.h"
#include "sg-status.h"
#include "sg-tree.h"

void
sg_gate_announce_missing_builds(SgPublisher *publisher, SgTreeModel *tree,
				const gchar *const *flavours, GDateTime *now)
{
	g_autofree gchar *today = g_date_time_format(now, "%Y%m%d");

	for (guint t = 0; t < tree->types->len; t++) {
		SgTreeType *type = g_ptr_array_index(tree->types, t);
		g_autofree gchar *marker_name = g_strdup_printf("no-build-%s-%s-%s", type->flavour,
								type->image_type, today);
		g_autofree gchar *marker =
			g_build_filename(publisher->tree, SG_TREE_STATE_DIR, marker_name, NULL);

		if (!sg_gate_flavour_selected(flavours, type->flavour) ||
		    g_file_test(marker, G_FILE_TEST_EXISTS) ||
		    !sg_status_daily_build_missing(type, publisher->config, now))
			continue;
		sg_publisher_notify(publisher, "no-build", type->flavour, type->image_type, NULL,
				    "no daily build yet: it probably failed to build (FTBFS)");
		g_file_set_contents(marker, "", 0, NULL);
	}
}
