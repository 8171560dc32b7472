#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* One object member each: "name": value (a NULL string is written as null). */
void sg_json_add_string(JsonBuilder *builder, const gchar *name, const gchar *value);
void sg_json_add_int(JsonBuilder *builder, const gchar *name, gint64 value);
void sg_json_add_boolean(JsonBuilder *builder, const gchar *name, gboolean value);

/* Members read leniently: absent, null or of another type, a member reads as
 * NULL (string, object, array), FALSE (boolean) or -1 (int). */
const gchar *sg_json_get_string(JsonObject *object, const gchar *name);
gboolean sg_json_get_boolean(JsonObject *object, const gchar *name);
gint64 sg_json_get_int(JsonObject *object, const gchar *name);
JsonObject *sg_json_get_object(JsonObject *object, const gchar *name);
JsonArray *sg_json_get_array(JsonObject *object, const gchar *name);

/* The most of a JSON file in the tree anything here reads. */
#define SG_JSON_FILE_MAX_BYTES (16 * 1024 * 1024)

/* Parses the JSON file @path of the tree or a state folder: a regular file,
 * never a link (sg_files_open_regular(), SG_FILES_NOFOLLOW), at most
 * SG_JSON_FILE_MAX_BYTES. */
gboolean sg_json_load_file(JsonParser *parser, const gchar *path, GError **error);

G_END_DECLS
