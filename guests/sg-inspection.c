#include "sg-inspection.h"

#include "sg-error.h"
#include "sg-json.h"

SgInspection *
sg_inspection_new(void)
{
	SgInspection *inspection = g_new0(SgInspection, 1);

	inspection->report = json_node_init_object(json_node_alloc(), json_object_new());
	return inspection;
}

static gchar **
evidence_slot(SgInspection *inspection, SgEvidenceKind kind)
{
	switch (kind) {
	case SG_EVIDENCE_GRAPHICAL_TARGET:
		return &inspection->graphical_target;
	case SG_EVIDENCE_LOGIN_SESSION:
		return &inspection->login_session;
	case SG_EVIDENCE_DESKTOP_SESSION:
		return &inspection->desktop_session;
	case SG_EVIDENCE_DESKTOP_FAILURE:
		return &inspection->desktop_failure;
	default:
		return NULL;
	}
}

/* The report's "desktop_evidence", made on first use: the base read has
 * none, the console or the boot's logs add it later. */
static JsonArray *
evidence_array(SgInspection *inspection)
{
	JsonObject *root = json_node_get_object(inspection->report);

	if (!json_object_has_member(root, "desktop_evidence"))
		json_object_set_array_member(root, "desktop_evidence", json_array_new());
	return json_object_get_array_member(root, "desktop_evidence");
}

void
sg_inspection_add_evidence(SgInspection *inspection, SgEvidenceKind kind, const gchar *source,
			   const gchar *text)
{
	gchar **slot = evidence_slot(inspection, kind);
	JsonObject *entry;

	if (slot == NULL || *slot != NULL)
		return;
	*slot = g_strdup_printf("%s: %s", source, text);
	entry = json_object_new();
	json_object_set_string_member(entry, "kind", sg_evidence_kind_to_string(kind));
	json_object_set_string_member(entry, "source", source);
	json_object_set_string_member(entry, "text", text);
	json_array_add_object_element(evidence_array(inspection), entry);
}

void
sg_inspection_set_journal_entries(SgInspection *inspection, gint64 entries)
{
	evidence_array(inspection);
	json_object_set_int_member(json_node_get_object(inspection->report), "journal_entries",
				   entries);
}

void
sg_inspection_read_text(SgInspection *inspection, const gchar *source, const gchar *text,
			const gchar *username)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	for (guint i = 0; lines[i] != NULL; i++) {
		SgEvidenceKind kind;
		/* a serial console ends its lines with \r\n, and a login
		 * prompt's \r can come mid-line */
		g_strdelimit(lines[i], "\r", ' ');
		kind = sg_evidence_match_text(g_strstrip(lines[i]), username);
		if (kind != SG_EVIDENCE_NONE)
			sg_inspection_add_evidence(inspection, kind, source, lines[i]);
	}
}

gboolean
sg_inspection_has_desktop(const SgInspection *inspection)
{
	return inspection->graphical_target != NULL && inspection->login_session != NULL &&
	       inspection->desktop_session != NULL;
}

/* The string fields, by the names their JSON gives them. */
typedef struct {
	const gchar *name;
	gsize offset;
} SgInspectionField;

static const SgInspectionField fields[] = {
	{"os_summary", G_STRUCT_OFFSET(SgInspection, os_summary)},
	{"installer_logs", G_STRUCT_OFFSET(SgInspection, installer_logs)},
	{"installer_crash", G_STRUCT_OFFSET(SgInspection, installer_crash)},
	{"user", G_STRUCT_OFFSET(SgInspection, user)},
	{"graphical_target", G_STRUCT_OFFSET(SgInspection, graphical_target)},
	{"login_session", G_STRUCT_OFFSET(SgInspection, login_session)},
	{"desktop_session", G_STRUCT_OFFSET(SgInspection, desktop_session)},
	{"desktop_failure", G_STRUCT_OFFSET(SgInspection, desktop_failure)},
};

JsonNode *
sg_inspection_to_json(const SgInspection *inspection)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();

	json_builder_begin_object(builder);
	for (guint i = 0; i < G_N_ELEMENTS(fields); i++)
		sg_json_add_string(builder, fields[i].name,
				   G_STRUCT_MEMBER(gchar *, inspection, fields[i].offset));
	json_builder_set_member_name(builder, "report");
	json_builder_add_value(builder, json_node_copy(inspection->report));
	json_builder_end_object(builder);
	return json_builder_get_root(builder);
}

SgInspection *
sg_inspection_from_json(JsonNode *node, GError **error)
{
	g_autoptr(SgInspection) inspection = g_new0(SgInspection, 1);
	JsonObject *object;
	JsonNode *report;

	if (node == NULL || !JSON_NODE_HOLDS_OBJECT(node)) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "an inspection is not a JSON object");
		return NULL;
	}
	object = json_node_get_object(node);
	for (guint i = 0; i < G_N_ELEMENTS(fields); i++) {
		JsonNode *member = json_object_get_member(object, fields[i].name);
		if (member == NULL || JSON_NODE_HOLDS_NULL(member))
			continue;
		if (!JSON_NODE_HOLDS_VALUE(member) ||
		    json_node_get_value_type(member) != G_TYPE_STRING) {
			g_set_error(error, SG_ERROR, SG_ERROR_LAB,
				    "an inspection's \"%s\" is not a string", fields[i].name);
			return NULL;
		}
		G_STRUCT_MEMBER(gchar *, inspection, fields[i].offset) =
			g_strdup(json_node_get_string(member));
	}
	report = json_object_get_member(object, "report");
	if (report == NULL || !JSON_NODE_HOLDS_OBJECT(report)) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB,
			    "an inspection has no \"report\" object");
		return NULL;
	}
	inspection->report = json_node_copy(report);
	return g_steal_pointer(&inspection);
}

void
sg_inspection_free(SgInspection *inspection)
{
	if (inspection == NULL)
		return;
	for (guint i = 0; i < G_N_ELEMENTS(fields); i++)
		g_free(G_STRUCT_MEMBER(gchar *, inspection, fields[i].offset));
	if (inspection->report != NULL)
		json_node_unref(inspection->report);
	g_free(inspection);
}

GBytes *
sg_inspection_to_bytes(const SgInspection *inspection)
{
	g_autoptr(JsonGenerator) generator = json_generator_new();
	g_autoptr(JsonNode) node = sg_inspection_to_json(inspection);
	gsize length = 0;
	gchar *text;

	json_generator_set_root(generator, node);
	text = json_generator_to_data(generator, &length);
	return g_bytes_new_take(text, length);
}
