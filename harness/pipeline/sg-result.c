#include "sg-result.h"

#include "sg-files.h"
#include "sg-json.h"
#include "sg-tap.h"

void
sg_boot_record_free(SgBootRecord *record)
{
	if (record == NULL)
		return;
	g_free(record->firmware);
	g_free(record->loader);
	g_free(record->menu_entry);
	g_free(record->cmdline);
	g_free(record->keys);
	g_free(record->menu);
	g_free(record);
}

static void
sg_phase_free(SgPhase *phase)
{
	g_free(phase->name);
	g_free(phase->console);
	g_free(phase->detail);
	sg_boot_record_free(phase->boot);
	g_free(phase);
}

static void
sg_firmware_result_free(SgFirmwareResult *firmware)
{
	g_free(firmware->firmware);
	g_free(firmware->phase);
	g_free(firmware->reason);
	g_free(firmware);
}

SgFirmwareResult *
sg_result_add_firmware(SgResult *result, const gchar *firmware, gboolean required)
{
	SgFirmwareResult *entry = g_new0(SgFirmwareResult, 1);

	entry->firmware = g_strdup(firmware);
	entry->required = required;
	g_ptr_array_add(result->firmware, entry);
	return entry;
}

SgFirmwareResult *
sg_result_find_firmware(SgResult *result, const gchar *firmware)
{
	for (guint i = 0; i < result->firmware->len; i++) {
		SgFirmwareResult *entry = g_ptr_array_index(result->firmware, i);
		if (g_strcmp0(entry->firmware, firmware) == 0)
			return entry;
	}
	return NULL;
}

const gchar *
sg_firmware_status_to_string(SgFirmwareStatus status)
{
	switch (status) {
	case SG_FIRMWARE_BOOTED:
		return "booted";
	case SG_FIRMWARE_FAILED:
		return "failed";
	case SG_FIRMWARE_NOT_JUDGED:
		return "not-judged";
	case SG_FIRMWARE_NOT_APPLICABLE:
		return "not-applicable";
	default:
		return "not-checked";
	}
}

static void
sg_suite_result_free(SgSuiteResult *suite)
{
	g_free(suite->name);
	g_free(suite->reason);
	g_free(suite->evidence);
	if (suite->cases != NULL)
		g_ptr_array_unref(suite->cases);
	g_free(suite);
}

SgResult *
sg_result_new(void)
{
	SgResult *result = g_new0(SgResult, 1);
	result->phases = g_ptr_array_new_with_free_func((GDestroyNotify)sg_phase_free);
	result->firmware = g_ptr_array_new_with_free_func((GDestroyNotify)sg_firmware_result_free);
	result->answers_fetched_s = -1;
	result->started_us = g_get_real_time();
	result->fail_fast_s = -1;
	result->image_uploaded_bytes = -1;
	return result;
}

void
sg_result_free(SgResult *result)
{
	if (result == NULL)
		return;
	g_free(result->reason);
	g_free(result->flavour);
	g_free(result->generic_hint);
	g_free(result->profile_verified);
	g_free(result->screen_kind);
	g_free(result->screen_description);
	g_free(result->image);
	g_free(result->sha256);
	g_free(result->accelerator);
	g_free(result->accelerator_reason);
	g_free(result->connection);
	g_free(result->screenshot);
	g_free(result->inspection);
	g_free(result->evidence_dir);
	g_ptr_array_unref(result->phases);
	g_ptr_array_unref(result->firmware);
	g_free(result->boot_method);
	g_free(result->boot_method_reason);
	g_free(result->arch);
	g_free(result->arch_source);
	g_free(result->emulation);
	g_free(result->answers_url);
	if (result->suites != NULL)
		g_ptr_array_unref(result->suites);
	g_free(result);
}

SgPhase *
sg_result_begin_phase(SgResult *result, const gchar *name)
{
	SgPhase *phase = g_new0(SgPhase, 1);
	phase->name = g_strdup(name);
	phase->status = SG_PHASE_RUNNING;
	phase->started_us = g_get_real_time();
	g_ptr_array_add(result->phases, phase);
	return phase;
}

SgSuiteResult *
sg_result_begin_suite(SgResult *result, const gchar *name, gboolean gating)
{
	SgSuiteResult *suite = g_new0(SgSuiteResult, 1);

	suite->name = g_strdup(name);
	suite->gating = gating;
	suite->planned = -1;
	suite->started_us = g_get_real_time();
	if (result->suites == NULL)
		result->suites =
			g_ptr_array_new_with_free_func((GDestroyNotify)sg_suite_result_free);
	g_ptr_array_add(result->suites, suite);
	return suite;
}

void
sg_phase_finish(SgPhase *phase, SgPhaseStatus status, const gchar *detail)
{
	phase->status = status;
	phase->finished_us = g_get_real_time();
	g_free(phase->detail);
	phase->detail = g_strdup(detail);
}

void
sg_result_decide(SgResult *result, SgVerdict verdict, const gchar *format, ...)
{
	va_list args;

	if (result->decided)
		return;
	result->decided = TRUE;
	result->verdict = verdict;
	va_start(args, format);
	result->reason = g_strdup_vprintf(format, args);
	va_end(args);
}

void
sg_result_overrule(SgResult *result, SgVerdict verdict, const gchar *format, ...)
{
	va_list args;
	g_autofree gchar *words = NULL;
	g_autofree gchar *earlier = g_steal_pointer(&result->reason);

	va_start(args, format);
	words = g_strdup_vprintf(format, args);
	va_end(args);
	result->decided = TRUE;
	result->verdict = verdict;
	result->reason = earlier != NULL
				 ? g_strdup_printf("%s (the guest had shown: %s)", words, earlier)
				 : g_steal_pointer(&words);
}

const gchar *
sg_verdict_to_string(SgVerdict verdict)
{
	switch (verdict) {
	case SG_VERDICT_PASS:
		return "pass";
	case SG_VERDICT_FAIL:
		return "fail";
	default:
		return "error";
	}
}

int
sg_verdict_exit_status(SgVerdict verdict)
{
	switch (verdict) {
	case SG_VERDICT_PASS:
		return SG_EXIT_PASS;
	case SG_VERDICT_FAIL:
		return SG_EXIT_FAIL;
	default:
		return SG_EXIT_ERROR;
	}
}

static const gchar *
phase_status_to_string(SgPhaseStatus status)
{
	static const gchar *const names[] = {"running", "pass", "fail", "error"};
	return names[status];
}

static void
add_time(JsonBuilder *builder, const gchar *member, gint64 real_us)
{
	g_autoptr(GDateTime) seconds = NULL;
	g_autoptr(GDateTime) time = NULL;
	g_autofree gchar *text = NULL;

	json_builder_set_member_name(builder, member);
	if (real_us == 0) {
		json_builder_add_null_value(builder);
		return;
	}
	seconds = g_date_time_new_from_unix_utc(real_us / G_USEC_PER_SEC);
	time = g_date_time_add(seconds, real_us % G_USEC_PER_SEC);
	text = g_date_time_format_iso8601(time);
	json_builder_add_string_value(builder, text);
}

static void
add_seconds(JsonBuilder *builder, const gchar *member, gint64 from_us, gint64 to_us)
{
	json_builder_set_member_name(builder, member);
	if (from_us == 0 || to_us == 0)
		json_builder_add_null_value(builder);
	else
		json_builder_add_double_value(builder, (to_us - from_us) / 1e6);
}

static void
add_optional_seconds(JsonBuilder *builder, const gchar *member, gdouble seconds)
{
	json_builder_set_member_name(builder, member);
	if (seconds >= 0)
		json_builder_add_double_value(builder, seconds);
	else
		json_builder_add_null_value(builder);
}

static void
add_suites(JsonBuilder *builder, GPtrArray *suites)
{
	json_builder_set_member_name(builder, "suites");
	json_builder_begin_array(builder);
	for (guint i = 0; i < suites->len; i++) {
		SgSuiteResult *suite = g_ptr_array_index(suites, i);
		json_builder_begin_object(builder);
		sg_json_add_string(builder, "name", suite->name);
		sg_json_add_boolean(builder, "gating", suite->gating);
		sg_json_add_string(builder, "verdict",
				   suite->decided ? sg_verdict_to_string(suite->verdict) : NULL);
		sg_json_add_string(builder, "reason", suite->reason);
		add_time(builder, "started", suite->started_us);
		add_time(builder, "finished", suite->finished_us);
		add_seconds(builder, "duration_s", suite->started_us, suite->finished_us);
		json_builder_set_member_name(builder, "planned");
		if (suite->planned >= 0)
			json_builder_add_int_value(builder, suite->planned);
		else
			json_builder_add_null_value(builder);
		sg_json_add_string(builder, "evidence", suite->evidence);
		json_builder_set_member_name(builder, "cases");
		json_builder_begin_array(builder);
		for (guint c = 0; suite->cases != NULL && c < suite->cases->len; c++) {
			SgTapCase *tap_case = g_ptr_array_index(suite->cases, c);
			json_builder_begin_object(builder);
			sg_json_add_int(builder, "number", tap_case->number);
			sg_json_add_string(builder, "description", tap_case->description);
			sg_json_add_string(builder, "outcome",
					   sg_tap_outcome_to_string(tap_case->outcome));
			sg_json_add_string(builder, "directive", tap_case->directive);
			sg_json_add_string(builder, "diagnostics", tap_case->diagnostics);
			add_optional_seconds(builder, "duration_s", tap_case->duration_s);
			json_builder_end_object(builder);
		}
		json_builder_end_array(builder);
		json_builder_end_object(builder);
	}
	json_builder_end_array(builder);
}

static void
add_boot(JsonBuilder *builder, const SgBootRecord *boot)
{
	json_builder_set_member_name(builder, "boot");
	json_builder_begin_object(builder);
	sg_json_add_string(builder, "firmware", boot->firmware);
	sg_json_add_boolean(builder, "secure_boot", boot->secure_boot);
	sg_json_add_string(builder, "loader", boot->loader);
	sg_json_add_string(builder, "menu_entry", boot->menu_entry);
	sg_json_add_string(builder, "cmdline", boot->cmdline);
	sg_json_add_string(builder, "keys", boot->keys);
	add_optional_seconds(builder, "seconds_to_kernel", boot->seconds_to_kernel);
	sg_json_add_string(builder, "menu", boot->menu);
	json_builder_end_object(builder);
}

static void
add_firmware(JsonBuilder *builder, GPtrArray *firmware)
{
	json_builder_set_member_name(builder, "firmware");
	json_builder_begin_array(builder);
	for (guint i = 0; i < firmware->len; i++) {
		SgFirmwareResult *entry = g_ptr_array_index(firmware, i);
		json_builder_begin_object(builder);
		sg_json_add_string(builder, "firmware", entry->firmware);
		sg_json_add_boolean(builder, "required", entry->required);
		sg_json_add_string(builder, "status", sg_firmware_status_to_string(entry->status));
		sg_json_add_string(builder, "phase", entry->phase);
		sg_json_add_string(builder, "reason", entry->reason);
		json_builder_end_object(builder);
	}
	json_builder_end_array(builder);
}

gchar *
sg_result_to_json(SgResult *result)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object(builder);
	sg_json_add_string(builder, "verdict",
			   result->decided ? sg_verdict_to_string(result->verdict) : NULL);
	sg_json_add_string(builder, "reason", result->reason);
	sg_json_add_string(builder, "flavour", result->flavour);
	sg_json_add_boolean(builder, "generic", result->generic);
	json_builder_set_member_name(builder, "profile");
	json_builder_begin_object(builder);
	sg_json_add_string(builder, "name", result->flavour);
	sg_json_add_boolean(builder, "generic", result->generic);
	sg_json_add_string(builder, "hint", result->generic_hint);
	sg_json_add_boolean(builder, "verified", result->profile_verified != NULL);
	sg_json_add_string(builder, "verified_against", result->profile_verified);
	json_builder_end_object(builder);
	json_builder_set_member_name(builder, "image");
	json_builder_begin_object(builder);
	sg_json_add_string(builder, "path", result->image);
	sg_json_add_string(builder, "sha256", result->sha256);
	sg_json_add_int(builder, "size", (gint64)result->size);
	json_builder_end_object(builder);
	sg_json_add_string(builder, "sha256", result->sha256);
	sg_json_add_int(builder, "size", (gint64)result->size);
	sg_json_add_string(builder, "accelerator", result->accelerator);
	sg_json_add_string(builder, "accelerator_reason", result->accelerator_reason);
	sg_json_add_string(builder, "connection", result->connection);
	if (result->lab_lost)
		sg_json_add_boolean(builder, "lab_lost", TRUE);
	json_builder_set_member_name(builder, "image_uploaded_bytes");
	if (result->image_uploaded_bytes >= 0)
		json_builder_add_int_value(builder, result->image_uploaded_bytes);
	else
		json_builder_add_null_value(builder);
	add_time(builder, "started", result->started_us);
	add_time(builder, "finished", result->finished_us);
	add_seconds(builder, "duration_s", result->started_us, result->finished_us);
	json_builder_set_member_name(builder, "fail_fast_s");
	if (result->fail_fast_s >= 0)
		json_builder_add_double_value(builder, result->fail_fast_s);
	else
		json_builder_add_null_value(builder);
	json_builder_set_member_name(builder, "phases");
	json_builder_begin_array(builder);
	for (guint i = 0; i < result->phases->len; i++) {
		SgPhase *phase = g_ptr_array_index(result->phases, i);
		json_builder_begin_object(builder);
		sg_json_add_string(builder, "name", phase->name);
		sg_json_add_string(builder, "status", phase_status_to_string(phase->status));
		add_time(builder, "started", phase->started_us);
		add_time(builder, "finished", phase->finished_us);
		add_seconds(builder, "duration_s", phase->started_us, phase->finished_us);
		sg_json_add_string(builder, "console", phase->console);
		sg_json_add_string(builder, "detail", phase->detail);
		if (phase->boot != NULL)
			add_boot(builder, phase->boot);
		json_builder_end_object(builder);
	}
	json_builder_end_array(builder);
	sg_json_add_string(builder, "boot_method", result->boot_method);
	sg_json_add_string(builder, "boot_method_reason", result->boot_method_reason);
	sg_json_add_string(builder, "arch", result->arch);
	sg_json_add_string(builder, "arch_source", result->arch_source);
	if (result->emulation != NULL) {
		sg_json_add_string(builder, "emulation", result->emulation);
		json_builder_set_member_name(builder, "limit_factor");
		json_builder_add_double_value(builder, result->limit_factor);
	}
	add_firmware(builder, result->firmware);
	if (result->answers_url != NULL) {
		json_builder_set_member_name(builder, "answers");
		json_builder_begin_object(builder);
		sg_json_add_string(builder, "url", result->answers_url);
		add_optional_seconds(builder, "fetched_s", result->answers_fetched_s);
		json_builder_end_object(builder);
	}
	sg_json_add_string(builder, "screenshot", result->screenshot);
	json_builder_set_member_name(builder, "screen");
	if (result->screen_kind == NULL) {
		json_builder_add_null_value(builder);
	} else {
		json_builder_begin_object(builder);
		sg_json_add_string(builder, "kind", result->screen_kind);
		sg_json_add_string(builder, "picture", result->screen_description);
		json_builder_set_member_name(builder, "seconds_after_markers");
		json_builder_add_double_value(builder, result->screen_seconds);
		json_builder_end_object(builder);
	}
	sg_json_add_string(builder, "inspection", result->inspection);
	sg_json_add_string(builder, "evidence", result->evidence_dir);
	if (result->suites != NULL)
		add_suites(builder, result->suites);
	json_builder_end_object(builder);

	root = json_builder_get_root(builder);
	return json_to_string(root, TRUE);
}

gboolean
sg_result_write(SgResult *result, const gchar *dir, GError **error)
{
	g_autofree gchar *path = g_build_filename(dir, "result.json", NULL);
	g_autofree gchar *json = sg_result_to_json(result);
	g_autofree gchar *text = g_strconcat(json, "\n", NULL);

	return sg_files_write_durably(path, text, -1, error);
}
