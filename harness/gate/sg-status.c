#include "sg-status.h"

#include "sg-json.h"
#include "sg-build-record.h"
#include "sg-kept-disk.h"
#include "sg-tree.h"

/* Older builds stay on disk; the page shows the recent ones. */
#define MAX_BUILDS_SHOWN 14

gboolean
sg_status_daily_build_missing(SgTreeType *type, SgTreeConfig *config, GDateTime *now)
{
	g_autofree gchar *today = g_date_time_format(now, "%Y%m%d");
	g_autofree gchar *time_of_day = g_date_time_format(now, "%H:%M");

	if (config->expected_by == NULL || g_strcmp0(time_of_day, config->expected_by) < 0)
		return FALSE;
	for (guint i = 0; i < type->builds->len; i++) {
		SgTreeBuild *build = g_ptr_array_index(type->builds, i);
		if (g_str_has_prefix(build->id, today))
			return FALSE;
	}
	return TRUE;
}

/* A file of the build's evidence, relative to the tree, when it exists. */
static gchar *
evidence_file(const gchar *tree, const gchar *build_path, const gchar *name)
{
	g_autofree gchar *relative = g_build_filename(build_path, "smoke", name, NULL);
	g_autofree gchar *absolute = g_build_filename(tree, relative, NULL);

	if (!g_file_test(absolute, G_FILE_TEST_EXISTS))
		return NULL;
	return g_steal_pointer(&relative);
}

/* "suites": each downstream suite of the build's last test (its name,
 * whether it gates, its verdict and reason), from its result.json; empty
 * when none ran. */
static void
add_suites(JsonBuilder *builder, const gchar *tree, const gchar *evidence)
{
	g_autofree gchar *path = evidence != NULL ? g_build_filename(tree, evidence, NULL) : NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonArray *suites = NULL;

	if (path != NULL && sg_json_load_file(parser, path, NULL) &&
	    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
		suites = sg_json_get_array(json_node_get_object(json_parser_get_root(parser)),
					   "suites");
	json_builder_set_member_name(builder, "suites");
	json_builder_begin_array(builder);
	for (guint i = 0; suites != NULL && i < json_array_get_length(suites); i++) {
		JsonObject *suite = json_array_get_object_element(suites, i);
		if (suite == NULL)
			continue;
		json_builder_begin_object(builder);
		sg_json_add_string(builder, "name", sg_json_get_string(suite, "name"));
		sg_json_add_boolean(builder, "gating", sg_json_get_boolean(suite, "gating"));
		sg_json_add_string(builder, "verdict", sg_json_get_string(suite, "verdict"));
		sg_json_add_string(builder, "reason", sg_json_get_string(suite, "reason"));
		json_builder_end_object(builder);
	}
	json_builder_end_array(builder);
}

static const gchar *
display_state(SgBuildRecord *record)
{
	if (record->state == SG_BUILD_UNTESTED && record->errors > 0)
		return "error";
	return sg_build_state_to_string(record->state);
}

/* A damaged build: what is known of it is its id and what is wrong;
 * nothing is read through it (it may be a link out of the tree). */
static void
add_damaged_build(JsonBuilder *builder, SgTreeBuild *build)
{
	json_builder_begin_object(builder);
	sg_json_add_string(builder, "id", build->id);
	sg_json_add_string(builder, "state", "damaged");
	sg_json_add_boolean(builder, "damaged", TRUE);
	sg_json_add_string(builder, "verdict", NULL);
	sg_json_add_string(builder, "reason", build->error->message);
	sg_json_add_boolean(builder, "respin", FALSE);
	sg_json_add_boolean(builder, "oversized", FALSE);
	json_builder_set_member_name(builder, "images");
	json_builder_begin_array(builder);
	json_builder_end_array(builder);
	json_builder_set_member_name(builder, "suites");
	json_builder_begin_array(builder);
	json_builder_end_array(builder);
	json_builder_end_object(builder);
}

static void
add_build(JsonBuilder *builder, const gchar *tree, const gchar *type_path, SgTreeBuild *build)
{
	const gchar *id = build->id;
	g_autofree gchar *build_path = NULL;
	g_autofree gchar *evidence = NULL;
	g_autofree gchar *screenshot = NULL;
	g_autofree gchar *thumbnail = NULL;
	g_autofree gchar *kept_disk = NULL;
	SgBuildRecord *record = build->record;
	SgBuildEvent *yank = NULL;

	if (record == NULL) {
		add_damaged_build(builder, build);
		return;
	}
	build_path = g_build_filename(type_path, id, NULL);
	evidence = evidence_file(tree, build_path, "result.json");
	screenshot = evidence_file(tree, build_path, "screenshot.png");
	thumbnail = evidence_file(tree, build_path, "thumbnail.png");
	kept_disk = evidence_file(tree, build_path, SG_KEPT_DISK_NAME);
	for (guint i = 0; i < record->events->len; i++) {
		SgBuildEvent *event = g_ptr_array_index(record->events, i);
		if (g_str_equal(event->what, "yanked"))
			yank = event;
	}
	json_builder_begin_object(builder);
	sg_json_add_string(builder, "id", id);
	sg_json_add_boolean(builder, "damaged", FALSE);
	sg_json_add_string(builder, "state", display_state(record));
	sg_json_add_string(builder, "verdict", record->verdict);
	sg_json_add_string(builder, "reason", record->reason);
	sg_json_add_boolean(builder, "respin", record->respin);
	sg_json_add_boolean(builder, "oversized", record->oversized);
	sg_json_add_int(builder, "errors", record->errors);
	sg_json_add_string(builder, "host", record->host);
	sg_json_add_string(builder, "arch", record->arch);
	json_builder_set_member_name(builder, "yanked");
	if (yank != NULL && record->state == SG_BUILD_YANKED)
		json_builder_add_value(builder, sg_build_event_to_json(yank));
	else
		json_builder_add_null_value(builder);
	json_builder_set_member_name(builder, "images");
	json_builder_begin_array(builder);
	if (record->image != NULL) {
		json_builder_begin_object(builder);
		sg_json_add_string(builder, "file", record->image);
		sg_json_add_int(builder, "size", (gint64)record->size);
		sg_json_add_string(builder, "sha256", record->sha256);
		json_builder_end_object(builder);
	}
	json_builder_end_array(builder);
	if (evidence != NULL) {
		g_autofree gchar *folder = g_path_get_dirname(evidence);
		g_autofree gchar *with_slash = g_strconcat(folder, "/", NULL);
		sg_json_add_string(builder, "evidence", with_slash);
	} else {
		sg_json_add_string(builder, "evidence", NULL);
	}
	sg_json_add_string(builder, "screenshot", screenshot);
	sg_json_add_string(builder, "thumbnail", thumbnail);
	/* What `smokegate suite run --disk` takes (see sg-kept-disk.h). */
	sg_json_add_string(builder, "kept_disk", kept_disk);
	add_suites(builder, tree, evidence);
	sg_build_record_add_events(builder, record);
	json_builder_end_object(builder);
}

static void
add_type(JsonBuilder *builder, const gchar *tree, SgTreeType *type, SgTreeConfig *config,
	 GDateTime *now)
{
	json_builder_begin_object(builder);
	sg_json_add_string(builder, "flavour", type->flavour);
	sg_json_add_string(builder, "image_type", type->image_type);
	sg_json_add_string(builder, "current", type->current);
	sg_json_add_string(builder, "pending", type->pending);
	sg_json_add_boolean(builder, "no_daily_build",
			    sg_status_daily_build_missing(type, config, now));
	sg_json_add_string(builder, "expected_by", config->expected_by);
	json_builder_set_member_name(builder, "damage");
	json_builder_begin_array(builder);
	for (guint i = 0; i < type->damage->len; i++)
		json_builder_add_string_value(builder, g_ptr_array_index(type->damage, i));
	json_builder_end_array(builder);
	json_builder_set_member_name(builder, "builds");
	json_builder_begin_array(builder);
	for (guint i = 0; i < type->builds->len && i < MAX_BUILDS_SHOWN; i++)
		add_build(builder, tree, type->path, g_ptr_array_index(type->builds, i));
	json_builder_end_array(builder);
	json_builder_end_object(builder);
}

/* What the last gate saw of the lab hosts (TREE/.smokegate/lab.json), as
 * "lab"; null when no gate has run since lab files exist. */
static void
add_lab(JsonBuilder *builder, const gchar *tree)
{
	g_autofree gchar *path = g_build_filename(tree, SG_TREE_STATE_DIR, "lab.json", NULL);
	g_autoptr(JsonParser) parser = json_parser_new();

	json_builder_set_member_name(builder, "lab");
	if (!g_file_test(path, G_FILE_TEST_EXISTS) || !sg_json_load_file(parser, path, NULL) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
		json_builder_add_null_value(builder);
		return;
	}
	json_builder_add_value(builder, json_node_copy(json_parser_get_root(parser)));
}

JsonNode *
sg_status_from_tree(SgTreeModel *tree, SgTreeConfig *config, GDateTime *now)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autoptr(GDateTime) utc = g_date_time_to_utc(now);
	g_autofree gchar *generated = g_date_time_format_iso8601(utc);

	json_builder_begin_object(builder);
	sg_json_add_string(builder, "generated", generated);
	json_builder_set_member_name(builder, "flavours");
	json_builder_begin_array(builder);
	for (guint i = 0; i < tree->types->len; i++)
		add_type(builder, tree->tree, g_ptr_array_index(tree->types, i), config, now);
	json_builder_end_array(builder);
	/* All of it, the builds past those shown too: damage is never skipped. */
	json_builder_set_member_name(builder, "damage");
	json_builder_begin_array(builder);
	{
		g_autoptr(GPtrArray) damage = sg_tree_model_damage(tree);
		for (guint i = 0; i < damage->len; i++)
			json_builder_add_string_value(builder, g_ptr_array_index(damage, i));
	}
	json_builder_end_array(builder);
	add_lab(builder, tree->tree);
	json_builder_end_object(builder);
	return json_builder_get_root(builder);
}

JsonNode *
sg_status_build_model(const gchar *tree, SgTreeConfig *config, GDateTime *now)
{
	g_autoptr(SgTreeModel) model = sg_tree_model_read(tree);
	return sg_status_from_tree(model, config, now);
}
