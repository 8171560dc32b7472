#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* One object member each: "name": value (a NULL string is written as null). */
void sg_json_add_string(JsonBuilder *builder, const gchar *name, const gchar *value);
void sg_json_add_int(JsonBuilder *builder, const gchar *name, gint64 value);
void sg_json_add_boolean(JsonBuilder *builder, const gchar *name, gboolean value);

G_END_DECLS
