#include <json-glib/json-glib.h>
#include <string.h>

#include "sg-files.h"
#include "sg-json.h"
#include "sg-junit.h"
#include "sg-tap.h"

/* The JUnit writer and result.json's "suites", on a run with a failed
 * phase and four suites: failed, passed, stopped half-way, never started. */

static void
add_suite(SgResult *result, const gchar *name, gboolean gating, const gchar *tap_text)
{
	SgSuiteResult *suite = sg_result_begin_suite(result, name, gating);
	g_autoptr(SgTap) tap = sg_tap_new();

	sg_tap_feed(tap, tap_text, strlen(tap_text));
	sg_tap_end(tap);
	sg_tap_to_suite_result(tap, suite);
	suite->started_us = 1764500000000000;
	suite->finished_us = suite->started_us + 42500000;
	suite->evidence = g_strdup_printf("suites/%s", name);
}

static SgResult *
make_result(gboolean with_suites)
{
	SgResult *result = sg_result_new();
	SgPhase *phase;

	result->flavour = g_strdup("ubuntu");
	result->image = g_strdup("/srv/images/noble-desktop-amd64.iso");
	result->started_us = 1764499000000000;
	result->finished_us = 1764500100000000;
	phase = sg_result_begin_phase(result, "install");
	sg_phase_finish(phase, SG_PHASE_PASSED, NULL);
	phase = sg_result_begin_phase(result, "boot");
	/* markup, quotes, a console's escape sequence, a newline */
	sg_phase_finish(phase, SG_PHASE_FAILED,
			"lightdm: <session> \"failed\" & 'gave up'\n\x1b[31mERROR\x1b[0m");
	sg_result_decide(result, SG_VERDICT_FAIL, "the display manager failed");
	if (!with_suites)
		return result;
	add_suite(result, "desktop-basics", TRUE,
		  "1..3\nok 1 - the session has a display\nnot ok 2 - home is writable <~>\n"
		  "# touch: cannot touch '/home/u/x': Read-only file system\n"
		  "ok 3 - mirror # SKIP no network\n");
	add_suite(result, "system-health", TRUE, "1..1\nok 1 - not degraded # time=12ms\n");
	add_suite(result, "session-environment", FALSE, "1..4\nok 1 - runtime dir\n");
	add_suite(result, "unity", FALSE, "Ubuntu 13.04 ubuntu tty1\n");
	return result;
}

/* What GMarkup saw: elements by name, the text of <failure>s, and the
 * attributes of the root. */
typedef struct {
	GHashTable *elements;
	GPtrArray *failures;
	GPtrArray *case_names;
	gchar *root_tests;
	gchar *root_failures;
	gchar *root_errors;
	gboolean in_failure;
} Parsed;

static void
on_start(GMarkupParseContext *context, const gchar *element, const gchar **names,
	 const gchar **values, gpointer user_data, GError **error)
{
	Parsed *parsed = user_data;
	guint seen = GPOINTER_TO_UINT(g_hash_table_lookup(parsed->elements, element));

	g_hash_table_insert(parsed->elements, g_strdup(element), GUINT_TO_POINTER(seen + 1));
	for (guint i = 0; names[i] != NULL; i++) {
		if (g_str_equal(element, "testsuites") && g_str_equal(names[i], "tests"))
			parsed->root_tests = g_strdup(values[i]);
		if (g_str_equal(element, "testsuites") && g_str_equal(names[i], "failures"))
			parsed->root_failures = g_strdup(values[i]);
		if (g_str_equal(element, "testsuites") && g_str_equal(names[i], "errors"))
			parsed->root_errors = g_strdup(values[i]);
		if (g_str_equal(element, "testcase") && g_str_equal(names[i], "name"))
			g_ptr_array_add(parsed->case_names, g_strdup(values[i]));
	}
	if (g_str_equal(element, "failure")) {
		parsed->in_failure = TRUE;
		g_ptr_array_add(parsed->failures, g_strdup(""));
	}
}

static void
on_end(GMarkupParseContext *context, const gchar *element, gpointer user_data, GError **error)
{
	Parsed *parsed = user_data;
	if (g_str_equal(element, "failure"))
		parsed->in_failure = FALSE;
}

static void
on_text(GMarkupParseContext *context, const gchar *text, gsize length, gpointer user_data,
	GError **error)
{
	Parsed *parsed = user_data;
	gchar **last;

	if (!parsed->in_failure)
		return;
	g_autofree gchar *piece = g_strndup(text, length);
	last = (gchar **)&parsed->failures->pdata[parsed->failures->len - 1];
	g_autofree gchar *earlier = *last;
	*last = g_strconcat(earlier, piece, NULL);
}

static guint
elements(Parsed *parsed, const gchar *name)
{
	return GPOINTER_TO_UINT(g_hash_table_lookup(parsed->elements, name));
}

static void
test_junit_parses_back(void)
{
	g_autoptr(SgResult) result = make_result(TRUE);
	g_autofree gchar *xml = sg_junit_to_string(result);
	GMarkupParser parser = {on_start, on_end, on_text, NULL, NULL};
	Parsed parsed = {
		.elements = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
		.failures = g_ptr_array_new_with_free_func(g_free),
		.case_names = g_ptr_array_new_with_free_func(g_free),
	};
	g_autoptr(GMarkupParseContext) context =
		g_markup_parse_context_new(&parser, 0, &parsed, NULL);
	g_autoptr(GError) error = NULL;

	g_test_message("%s", xml);
	g_assert_true(g_str_has_prefix(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
	g_assert_true(g_markup_parse_context_parse(context, xml, -1, &error));
	g_assert_true(g_markup_parse_context_end_parse(context, &error));
	g_assert_no_error(error);

	g_assert_cmpuint(elements(&parsed, "testsuites"), ==, 1);
	g_assert_cmpuint(elements(&parsed, "testsuite"), ==, 5);
	/* smoke: install, boot; desktop-basics: 3; system-health: 1;
	 * session-environment: 1 and "suite"; unity: "suite" */
	g_assert_cmpuint(elements(&parsed, "testcase"), ==, 9);
	g_assert_cmpstr(parsed.root_tests, ==, "9");
	g_assert_cmpuint(elements(&parsed, "failure"), ==, 3);
	g_assert_cmpstr(parsed.root_failures, ==, "3");
	g_assert_cmpuint(elements(&parsed, "error"), ==, 1);
	g_assert_cmpstr(parsed.root_errors, ==, "1");
	g_assert_cmpuint(elements(&parsed, "skipped"), ==, 1);
	g_assert_cmpuint(elements(&parsed, "property"), ==, 4);

	/* the text comes back as it was, but the escape XML cannot hold */
	g_assert_cmpstr(g_ptr_array_index(parsed.failures, 0), ==,
			"lightdm: <session> \"failed\" & 'gave up'\n\\x1b[31mERROR\\x1b[0m");
	g_assert_cmpstr(g_ptr_array_index(parsed.failures, 1), ==,
			"touch: cannot touch '/home/u/x': Read-only file system");
	g_assert_cmpstr(g_ptr_array_index(parsed.case_names, 3), ==, "2 home is writable <~>");
	g_assert_cmpstr(g_ptr_array_index(parsed.case_names, 7), ==, "suite");

	g_hash_table_unref(parsed.elements);
	g_ptr_array_unref(parsed.failures);
	g_ptr_array_unref(parsed.case_names);
	g_free(parsed.root_tests);
	g_free(parsed.root_failures);
	g_free(parsed.root_errors);
}

/* xmllint (libxml2) checks the file against data/junit/junit.xsd. */
static void
test_junit_schema(void)
{
	g_autoptr(SgResult) result = make_result(TRUE);
	g_autoptr(SgResult) smoke_only = make_result(FALSE);
	g_autofree gchar *xmllint = g_find_program_in_path("xmllint");
	g_autofree gchar *schema =
		g_test_build_filename(G_TEST_DIST, "data", "junit", "junit.xsd", NULL);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *tmp = NULL;
	SgResult *results[] = {result, smoke_only};

	if (xmllint == NULL) {
		g_test_skip("no xmllint (libxml2-utils)");
		return;
	}
	tmp = g_dir_make_tmp("sg-junit-XXXXXX", &error);
	g_assert_no_error(error);
	for (guint i = 0; i < G_N_ELEMENTS(results); i++) {
		g_autofree gchar *path = g_build_filename(tmp, "junit.xml", NULL);
		const gchar *argv[] = {xmllint, "--noout", "--schema", schema, path, NULL};
		g_autofree gchar *out = NULL;
		gint status = 0;

		g_assert_true(sg_junit_write(results[i], path, &error));
		g_assert_no_error(error);
		g_assert_true(g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
					   NULL, &out, &status, &error));
		g_assert_no_error(error);
		g_test_message("xmllint: %s", out);
		g_assert_true(g_spawn_check_wait_status(status, &error));
		g_assert_no_error(error);
	}
	sg_files_remove_tree(tmp);
}

/* result.json: no "suites" when none ran (the output as before), every
 * suite and test case when they did. */
static void
test_result_json_suites(void)
{
	g_autoptr(SgResult) smoke_only = make_result(FALSE);
	g_autoptr(SgResult) result = make_result(TRUE);
	g_autofree gchar *plain = sg_result_to_json(smoke_only);
	g_autofree gchar *json = sg_result_to_json(result);
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	JsonObject *root;
	JsonArray *suites;
	JsonObject *suite;
	JsonObject *second;

	g_assert_null(strstr(plain, "\"suites\""));
	g_assert_true(json_parser_load_from_data(parser, json, -1, &error));
	g_assert_no_error(error);
	root = json_node_get_object(json_parser_get_root(parser));
	suites = sg_json_get_array(root, "suites");
	g_assert_nonnull(suites);
	g_assert_cmpuint(json_array_get_length(suites), ==, 4);
	suite = json_array_get_object_element(suites, 0);
	g_assert_cmpstr(sg_json_get_string(suite, "name"), ==, "desktop-basics");
	g_assert_cmpstr(sg_json_get_string(suite, "verdict"), ==, "fail");
	g_assert_cmpstr(sg_json_get_string(suite, "reason"), ==,
			"test 2 'home is writable <~>' failed: touch: cannot touch '/home/u/x': "
			"Read-only file system");
	g_assert_true(sg_json_get_boolean(suite, "gating"));
	g_assert_cmpint(sg_json_get_int(suite, "planned"), ==, 3);
	g_assert_cmpstr(sg_json_get_string(suite, "evidence"), ==, "suites/desktop-basics");
	g_assert_cmpfloat(json_object_get_double_member(suite, "duration_s"), ==, 42.5);
	g_assert_cmpuint(json_array_get_length(sg_json_get_array(suite, "cases")), ==, 3);
	second = json_array_get_object_element(sg_json_get_array(suite, "cases"), 2);
	g_assert_cmpstr(sg_json_get_string(second, "outcome"), ==, "skip");
	g_assert_cmpstr(sg_json_get_string(second, "directive"), ==, "no network");
	g_assert_true(json_object_get_null_member(second, "duration_s"));
	suite = json_array_get_object_element(suites, 1);
	second = json_array_get_object_element(sg_json_get_array(suite, "cases"), 0);
	g_assert_cmpfloat(json_object_get_double_member(second, "duration_s"), ==, 0.012);
	suite = json_array_get_object_element(suites, 3);
	g_assert_cmpstr(sg_json_get_string(suite, "verdict"), ==, "error");
	g_assert_false(sg_json_get_boolean(suite, "gating"));
	g_assert_true(json_object_get_null_member(suite, "planned"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/junit/parses-back", test_junit_parses_back);
	g_test_add_func("/junit/schema", test_junit_schema);
	g_test_add_func("/result/suites-json", test_result_json_suites);
	return g_test_run();
}
