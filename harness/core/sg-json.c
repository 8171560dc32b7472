#include "sg-json.h"

#include "sg-files.h"

void
sg_json_add_string(JsonBuilder *builder, const gchar *name, const gchar *value)
{
	json_builder_set_member_name(builder, name);
	if (value != NULL)
		json_builder_add_string_value(builder, value);
	else
		json_builder_add_null_value(builder);
}

void
sg_json_add_int(JsonBuilder *builder, const gchar *name, gint64 value)
{
	json_builder_set_member_name(builder, name);
	json_builder_add_int_value(builder, value);
}

void
sg_json_add_boolean(JsonBuilder *builder, const gchar *name, gboolean value)
{
	json_builder_set_member_name(builder, name);
	json_builder_add_boolean_value(builder, value);
}

const gchar *
sg_json_get_string(JsonObject *object, const gchar *name)
{
	JsonNode *node = json_object_get_member(object, name);

	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(node);
}

gboolean
sg_json_get_boolean(JsonObject *object, const gchar *name)
{
	JsonNode *node = json_object_get_member(object, name);

	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_BOOLEAN)
		return FALSE;
	return json_node_get_boolean(node);
}

gint64
sg_json_get_int(JsonObject *object, const gchar *name)
{
	JsonNode *node = json_object_get_member(object, name);

	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node))
		return -1;
	return json_node_get_int(node);
}

JsonObject *
sg_json_get_object(JsonObject *object, const gchar *name)
{
	JsonNode *node = json_object_get_member(object, name);

	if (node == NULL || !JSON_NODE_HOLDS_OBJECT(node))
		return NULL;
	return json_node_get_object(node);
}

JsonArray *
sg_json_get_array(JsonObject *object, const gchar *name)
{
	JsonNode *node = json_object_get_member(object, name);

	if (node == NULL || !JSON_NODE_HOLDS_ARRAY(node))
		return NULL;
	return json_node_get_array(node);
}

gboolean
sg_json_load_file(JsonParser *parser, const gchar *path, GError **error)
{
	g_autofree gchar *text = NULL;
	gsize length = 0;

	if (!sg_files_read_regular(path, SG_FILES_NOFOLLOW, SG_JSON_FILE_MAX_BYTES, &text, &length,
				   error))
		return FALSE;
	return json_parser_load_from_data(parser, text, length, error);
}
