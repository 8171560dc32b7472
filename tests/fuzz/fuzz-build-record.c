/* The build record, BUILD/smokegate.json, as read back after a crash or a
 * person's edit, and written out again as the status model does. The
 * input is the file. */

#include "sg-build-record.h"
#include "sg-fuzz.h"

static gchar *build_dir;
static gchar *record_path;

static void
sg_fuzz_setup(const gchar *dir)
{
	build_dir = g_strdup(dir);
	record_path = g_build_filename(build_dir, "smokegate.json", NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(SgBuildRecord) record = NULL;
	g_autoptr(JsonBuilder) builder = NULL;
	g_autoptr(JsonNode) root = NULL;
	g_autofree gchar *text = NULL;
	g_autoptr(GError) error = NULL;

	sg_fuzz_write(record_path, data, size);
	record = sg_build_record_load(build_dir, &error);
	if (record == NULL) {
		g_assert(error != NULL);
		return 0;
	}
	(void)sg_build_state_to_string(record->state);
	(void)sg_build_state_is_good(record->state);
	builder = json_builder_new();
	json_builder_begin_object(builder);
	sg_build_record_add_events(builder, record);
	json_builder_end_object(builder);
	root = json_builder_get_root(builder);
	text = json_to_string(root, FALSE);
	g_assert(g_utf8_validate(text, -1, NULL));
	return 0;
}
