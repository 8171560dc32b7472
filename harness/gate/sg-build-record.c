#include "sg-build-record.h"

#include <string.h>

#include "sg-error.h"
#include "sg-files.h"
#include "sg-json.h"
#include "sg-tree.h"

#define RECORD_FILE "smokegate.json"

static const gchar *const state_names[] = {
	[SG_BUILD_UNTESTED] = "untested", [SG_BUILD_PASSED] = "passed",
	[SG_BUILD_FAILED] = "failed",	  [SG_BUILD_MARKED_CURRENT] = "marked-current",
	[SG_BUILD_YANKED] = "yanked",
};

const gchar *
sg_build_state_to_string(SgBuildState state)
{
	return state_names[state];
}

static SgBuildState
state_from_string(const gchar *name)
{
	for (guint i = 0; i < G_N_ELEMENTS(state_names); i++) {
		if (g_strcmp0(name, state_names[i]) == 0)
			return (SgBuildState)i;
	}
	return SG_BUILD_UNTESTED;
}

gboolean
sg_build_state_is_good(SgBuildState state)
{
	return state == SG_BUILD_PASSED || state == SG_BUILD_MARKED_CURRENT;
}

gchar *
sg_build_who(void)
{
	return g_strdup_printf("%s@%s", g_get_user_name(), g_get_host_name());
}

static void
event_free(SgBuildEvent *event)
{
	g_free(event->what);
	g_free(event->who);
	g_free(event->when);
	g_free(event->why);
	g_free(event);
}

SgBuildRecord *
sg_build_record_new(const gchar *build_dir)
{
	SgBuildRecord *record = g_new0(SgBuildRecord, 1);
	record->dir = g_strdup(build_dir);
	record->events = g_ptr_array_new_with_free_func((GDestroyNotify)event_free);
	return record;
}

void
sg_build_record_free(SgBuildRecord *record)
{
	if (record == NULL)
		return;
	g_free(record->dir);
	g_free(record->image);
	g_free(record->sha256);
	g_free(record->verdict);
	g_free(record->reason);
	g_free(record->host);
	g_free(record->arch);
	g_ptr_array_unref(record->events);
	g_free(record);
}

void
sg_build_record_add_event(SgBuildRecord *record, const gchar *what, const gchar *why)
{
	SgBuildEvent *event = g_new0(SgBuildEvent, 1);
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();

	event->what = g_strdup(what);
	event->who = sg_build_who();
	event->when = g_date_time_format_iso8601(now);
	event->why = g_strdup(why);
	g_ptr_array_add(record->events, event);
}

gchar *
sg_build_record_path(const gchar *build_dir)
{
	return g_build_filename(build_dir, RECORD_FILE, NULL);
}

SgBuildRecord *
sg_build_record_load(const gchar *build_dir, GError **error)
{
	g_autofree gchar *path = sg_build_record_path(build_dir);
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(SgBuildRecord) record = sg_build_record_new(build_dir);
	JsonObject *root;
	JsonArray *events;

	if (!g_file_test(path, G_FILE_TEST_EXISTS) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK))
		return g_steal_pointer(&record);
	/* An empty file parses to no root at all. */
	if (!sg_json_load_file(parser, path, error) || json_parser_get_root(parser) == NULL ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
		if (error != NULL && *error == NULL)
			g_set_error(error, SG_ERROR, SG_ERROR_TREE, "%s is not a JSON object",
				    path);
		/* Named once: the file's own errors already name it. */
		else if (error != NULL && strstr((*error)->message, path) == NULL)
			g_prefix_error(error, "%s: ", path);
		return NULL;
	}
	root = json_node_get_object(json_parser_get_root(parser));
	record->state = state_from_string(sg_json_get_string(root, "state"));
	record->image = g_strdup(sg_json_get_string(root, "image"));
	record->sha256 = g_strdup(sg_json_get_string(root, "sha256"));
	record->size = json_object_get_int_member_with_default(root, "size", 0);
	record->oversized = json_object_get_boolean_member_with_default(root, "oversized", FALSE);
	record->respin = json_object_get_boolean_member_with_default(root, "respin", FALSE);
	record->verdict = g_strdup(sg_json_get_string(root, "verdict"));
	record->reason = g_strdup(sg_json_get_string(root, "reason"));
	record->errors = json_object_get_int_member_with_default(root, "errors", 0);
	record->host = g_strdup(sg_json_get_string(root, "host"));
	record->arch = g_strdup(sg_json_get_string(root, "arch"));
	record->test_seconds = json_object_get_double_member_with_default(root, "test_seconds", 0);
	events = sg_json_get_array(root, "events");
	for (guint i = 0; events != NULL && i < json_array_get_length(events); i++) {
		JsonNode *node = json_array_get_element(events, i);
		JsonObject *object;
		SgBuildEvent *event;

		/* An event that does not say what happened is no event: the
		 * status model and the gate read every event's "what". */
		if (!JSON_NODE_HOLDS_OBJECT(node) ||
		    sg_json_get_string(json_node_get_object(node), "what") == NULL)
			continue;
		object = json_node_get_object(node);
		event = g_new0(SgBuildEvent, 1);
		event->what = g_strdup(sg_json_get_string(object, "what"));
		event->who = g_strdup(sg_json_get_string(object, "who"));
		event->when = g_strdup(sg_json_get_string(object, "when"));
		event->why = g_strdup(sg_json_get_string(object, "why"));
		g_ptr_array_add(record->events, event);
	}
	return g_steal_pointer(&record);
}

JsonNode *
sg_build_event_to_json(const SgBuildEvent *event)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();

	json_builder_begin_object(builder);
	sg_json_add_string(builder, "what", event->what);
	sg_json_add_string(builder, "who", event->who);
	sg_json_add_string(builder, "when", event->when);
	sg_json_add_string(builder, "why", event->why);
	json_builder_end_object(builder);
	return json_builder_get_root(builder);
}

void
sg_build_record_add_events(JsonBuilder *builder, const SgBuildRecord *record)
{
	json_builder_set_member_name(builder, "events");
	json_builder_begin_array(builder);
	for (guint i = 0; i < record->events->len; i++)
		json_builder_add_value(
			builder, sg_build_event_to_json(g_ptr_array_index(record->events, i)));
	json_builder_end_array(builder);
}

gboolean
sg_build_record_save(SgBuildRecord *record, GError **error)
{
	g_autofree gchar *path = sg_build_record_path(record->dir);
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree gchar *text = NULL;

	json_builder_begin_object(builder);
	sg_json_add_string(builder, "state", sg_build_state_to_string(record->state));
	sg_json_add_string(builder, "image", record->image);
	sg_json_add_string(builder, "sha256", record->sha256);
	sg_json_add_int(builder, "size", (gint64)record->size);
	sg_json_add_boolean(builder, "oversized", record->oversized);
	sg_json_add_boolean(builder, "respin", record->respin);
	sg_json_add_string(builder, "verdict", record->verdict);
	sg_json_add_string(builder, "reason", record->reason);
	sg_json_add_int(builder, "errors", record->errors);
	if (record->host != NULL)
		sg_json_add_string(builder, "host", record->host);
	if (record->arch != NULL)
		sg_json_add_string(builder, "arch", record->arch);
	if (record->test_seconds > 0) {
		json_builder_set_member_name(builder, "test_seconds");
		json_builder_add_double_value(builder, record->test_seconds);
	}
	sg_build_record_add_events(builder, record);
	json_builder_end_object(builder);

	root = json_builder_get_root(builder);
	text = json_to_string(root, TRUE);
	if (!sg_files_write_durably(path, text, -1, error)) {
		g_prefix_error(error, "cannot record the build: ");
		return FALSE;
	}
	return TRUE;
}
