#include "sg-junit.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "sg-error.h"
#include "sg-files.h"
#include "sg-tap.h"

/* What one <testcase> says. */
typedef enum {
	CASE_PASS,
	CASE_FAILURE,
	CASE_ERROR,
	CASE_SKIPPED,
} CaseKind;

/* Counts for a <testsuite> or <testsuites> element's attributes. */
typedef struct {
	guint tests;
	guint failures;
	guint errors;
	guint skipped;
} Counts;

/* Text made fit for XML 1.0: valid UTF-8, markup escaped, and the control
 * characters XML 1.0 cannot hold even as references (a console's ESC)
 * written out as \xNN. In attributes a newline is kept as a reference, as
 * a parser turns a raw one into a space. */
static void
append_escaped(GString *xml, const gchar *text, gboolean attribute)
{
	g_autofree gchar *valid = g_utf8_make_valid(text != NULL ? text : "", -1);

	for (const gchar *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		switch (c) {
		case '&':
			g_string_append(xml, "&amp;");
			break;
		case '<':
			g_string_append(xml, "&lt;");
			break;
		case '>':
			g_string_append(xml, "&gt;");
			break;
		case '"':
			g_string_append(xml, "&quot;");
			break;
		case '\'':
			g_string_append(xml, "&apos;");
			break;
		case '\n':
			g_string_append(xml, attribute ? "&#10;" : "\n");
			break;
		case '\t':
			g_string_append(xml, attribute ? "&#9;" : "\t");
			break;
		default:
			if (c < 0x20 || c == 0xfffe || c == 0xffff)
				g_string_append_printf(xml, "\\x%02x", c);
			else
				g_string_append_len(xml, p, g_utf8_next_char(p) - p);
		}
	}
}

static void
append_attribute(GString *xml, const gchar *name, const gchar *value)
{
	g_string_append_printf(xml, " %s=\"", name);
	append_escaped(xml, value, TRUE);
	g_string_append_c(xml, '"');
}

static void
append_seconds(GString *xml, gdouble seconds)
{
	gchar buffer[G_ASCII_DTOSTR_BUF_SIZE];
	g_string_append_printf(xml, " time=\"%s\"",
			       g_ascii_formatd(buffer, sizeof buffer, "%.3f", MAX(seconds, 0)));
}

static gdouble
span(gint64 from_us, gint64 to_us)
{
	return from_us != 0 && to_us >= from_us ? (to_us - from_us) / 1e6 : 0;
}

static void
count(Counts *counts, CaseKind kind)
{
	counts->tests++;
	counts->failures += kind == CASE_FAILURE;
	counts->errors += kind == CASE_ERROR;
	counts->skipped += kind == CASE_SKIPPED;
}

static void
add_counts(Counts *total, const Counts *counts)
{
	total->tests += counts->tests;
	total->failures += counts->failures;
	total->errors += counts->errors;
	total->skipped += counts->skipped;
}

static void
append_counts(GString *xml, const Counts *counts)
{
	g_string_append_printf(xml, " tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"%u\"",
			       counts->tests, counts->failures, counts->errors, counts->skipped);
}

/* The first line of @text, for a message attribute. */
static gchar *
first_line(const gchar *text)
{
	const gchar *end;

	if (text == NULL)
		return NULL;
	end = strchr(text, '\n');
	return end != NULL ? g_strndup(text, end - text) : g_strdup(text);
}

static void
append_case(GString *xml, const gchar *classname, const gchar *name, gdouble seconds, CaseKind kind,
	    const gchar *message, const gchar *text)
{
	static const gchar *const elements[] = {NULL, "failure", "error", "skipped"};

	g_string_append(xml, "    <testcase");
	append_attribute(xml, "name", name);
	append_attribute(xml, "classname", classname);
	if (seconds >= 0)
		append_seconds(xml, seconds);
	if (kind == CASE_PASS && text == NULL) {
		g_string_append(xml, "/>\n");
		return;
	}
	g_string_append(xml, ">\n");
	if (kind != CASE_PASS) {
		g_string_append_printf(xml, "      <%s", elements[kind]);
		if (message != NULL)
			append_attribute(xml, "message", message);
		if (kind != CASE_SKIPPED)
			append_attribute(xml, "type", kind == CASE_ERROR ? "error" : "fail");
		if (kind == CASE_SKIPPED || text == NULL) {
			g_string_append(xml, "/>\n");
		} else {
			g_string_append_c(xml, '>');
			append_escaped(xml, text, FALSE);
			g_string_append_printf(xml, "</%s>\n", elements[kind]);
		}
	}
	if (text != NULL && (kind == CASE_PASS || kind == CASE_SKIPPED)) {
		g_string_append(xml, "      <system-out>");
		append_escaped(xml, text, FALSE);
		g_string_append(xml, "</system-out>\n");
	}
	g_string_append(xml, "    </testcase>\n");
}

static void
open_suite(GString *xml, const gchar *name, const Counts *counts, gdouble seconds,
	   gint64 started_us)
{
	g_string_append(xml, "  <testsuite");
	append_attribute(xml, "name", name);
	append_counts(xml, counts);
	append_seconds(xml, seconds);
	if (started_us != 0) {
		g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc(started_us / 1000000);
		g_autofree gchar *text = g_date_time_format(time, "%Y-%m-%dT%H:%M:%S");
		append_attribute(xml, "timestamp", text);
	}
	g_string_append(xml, ">\n");
}

static void
close_suite(GString *xml, const gchar *system_out)
{
	if (system_out != NULL) {
		g_string_append(xml, "    <system-out>");
		append_escaped(xml, system_out, FALSE);
		g_string_append(xml, "</system-out>\n");
	}
	g_string_append(xml, "  </testsuite>\n");
}

static CaseKind
phase_kind(SgPhaseStatus status)
{
	switch (status) {
	case SG_PHASE_PASSED:
		return CASE_PASS;
	case SG_PHASE_FAILED:
		return CASE_FAILURE;
	default:
		return CASE_ERROR; /* an error, or a phase interrupted before its end */
	}
}

static void
append_smoke(GString *xml, SgResult *result, const gchar *prefix, Counts *total)
{
	g_autoptr(GString) cases = g_string_new(NULL);
	g_autofree gchar *classname = g_strconcat(prefix, ".smoke", NULL);
	g_autofree gchar *verdict = NULL;
	Counts counts = {0};

	for (guint i = 0; i < result->phases->len; i++) {
		SgPhase *phase = g_ptr_array_index(result->phases, i);
		CaseKind kind = phase_kind(phase->status);
		g_autofree gchar *message = kind == CASE_PASS ? NULL : first_line(phase->detail);

		if (kind != CASE_PASS && message == NULL)
			message = g_strdup(phase->status == SG_PHASE_RUNNING ? "did not finish"
									     : result->reason);
		append_case(cases, classname, phase->name,
			    span(phase->started_us, phase->finished_us), kind, message,
			    kind == CASE_PASS ? NULL : phase->detail);
		count(&counts, kind);
	}
	/* a verdict no phase explains (decided outside them, or undecided) */
	if ((!result->decided || result->verdict != SG_VERDICT_PASS) && counts.failures == 0 &&
	    counts.errors == 0) {
		CaseKind kind = result->decided && result->verdict == SG_VERDICT_FAIL ? CASE_FAILURE
										      : CASE_ERROR;
		append_case(cases, classname, "verdict", -1, kind,
			    result->reason != NULL ? result->reason : "not judged", NULL);
		count(&counts, kind);
	}
	open_suite(xml, "smoke", &counts, span(result->started_us, result->finished_us),
		   result->started_us);
	g_string_append(xml, cases->str);
	verdict = g_strdup_printf(
		"%s: %s", result->decided ? sg_verdict_to_string(result->verdict) : "undecided",
		result->reason != NULL ? result->reason : "");
	close_suite(xml, verdict);
	add_counts(total, &counts);
}

static CaseKind
tap_kind(const SgTapCase *tap_case)
{
	switch (tap_case->outcome) {
	case SG_TAP_PASS:
		return CASE_PASS;
	case SG_TAP_FAIL:
		return CASE_FAILURE;
	default:
		return CASE_SKIPPED;
	}
}

static void
append_downstream(GString *xml, SgSuiteResult *suite, const gchar *prefix, Counts *total)
{
	g_autoptr(GString) cases = g_string_new(NULL);
	g_autofree gchar *classname = g_strconcat(prefix, ".", suite->name, NULL);
	g_autofree gchar *verdict = NULL;
	SgVerdict outcome = suite->decided ? suite->verdict : SG_VERDICT_ERROR;
	gboolean explained = outcome == SG_VERDICT_PASS;
	Counts counts = {0};

	for (guint i = 0; suite->cases != NULL && i < suite->cases->len; i++) {
		SgTapCase *tap_case = g_ptr_array_index(suite->cases, i);
		CaseKind kind = tap_kind(tap_case);
		g_autofree gchar *name =
			tap_case->description[0] != '\0'
				? g_strdup_printf("%u %s", tap_case->number, tap_case->description)
				: g_strdup_printf("%u", tap_case->number);
		g_autofree gchar *message = NULL;

		if (tap_case->outcome == SG_TAP_SKIP || tap_case->outcome == SG_TAP_TODO)
			message = g_strdup_printf(
				"%s %s", tap_case->outcome == SG_TAP_SKIP ? "SKIP" : "TODO",
				tap_case->directive != NULL ? tap_case->directive : "");
		else if (kind == CASE_FAILURE)
			message = tap_case->message != NULL ? g_strdup(tap_case->message)
							    : first_line(tap_case->diagnostics);
		explained |= kind == CASE_FAILURE;
		append_case(cases, classname, name, tap_case->duration_s, kind,
			    message != NULL ? g_strstrip(message) : NULL, tap_case->diagnostics);
		count(&counts, kind);
	}
	/* stopped half-way, bailed out, never started: no case says it */
	if (!explained) {
		CaseKind kind = outcome == SG_VERDICT_FAIL ? CASE_FAILURE : CASE_ERROR;
		append_case(cases, classname, "suite", -1, kind,
			    suite->reason != NULL ? suite->reason : "not judged", NULL);
		count(&counts, kind);
	}
	open_suite(xml, suite->name, &counts, span(suite->started_us, suite->finished_us),
		   suite->started_us);
	g_string_append_printf(xml,
			       "    <properties>\n"
			       "      <property name=\"gating\" value=\"%s\"/>\n"
			       "    </properties>\n",
			       suite->gating ? "true" : "false");
	g_string_append(xml, cases->str);
	verdict = g_strdup_printf(
		"%s: %s", suite->decided ? sg_verdict_to_string(suite->verdict) : "undecided",
		suite->reason != NULL ? suite->reason : "");
	close_suite(xml, verdict);
	add_counts(total, &counts);
}

gchar *
sg_junit_to_string(SgResult *result)
{
	g_autoptr(GString) body = g_string_new(NULL);
	g_autoptr(GString) xml = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	/* dashboards group by class name: smokegate.FLAVOUR.SUITE */
	g_autofree gchar *prefix = g_strconcat(
		"smokegate.", result->flavour != NULL ? result->flavour : "unknown", NULL);
	g_autofree gchar *name = NULL;
	Counts total = {0};

	append_smoke(body, result, prefix, &total);
	for (guint i = 0; result->suites != NULL && i < result->suites->len; i++)
		append_downstream(body, g_ptr_array_index(result->suites, i), prefix, &total);

	name = result->image != NULL ? g_path_get_basename(result->image) : g_strdup("smokegate");
	g_string_append(xml, "<testsuites");
	append_attribute(xml, "name", name);
	append_counts(xml, &total);
	append_seconds(xml, span(result->started_us, result->finished_us));
	g_string_append(xml, ">\n");
	g_string_append(xml, body->str);
	g_string_append(xml, "</testsuites>\n");
	return g_string_free(g_steal_pointer(&xml), FALSE);
}

gboolean
sg_junit_write(SgResult *result, const gchar *path, GError **error)
{
	g_autofree gchar *xml = sg_junit_to_string(result);
	return sg_files_write_durably(path, xml, -1, error);
}

gboolean
sg_junit_check_path(const gchar *path, GError **error)
{
	g_autofree gchar *folder = g_path_get_dirname(path);

	if (!g_file_test(folder, G_FILE_TEST_IS_DIR)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "--junit %s: no such folder %s", path,
			    folder);
		return FALSE;
	}
	if (g_file_test(path, G_FILE_TEST_EXISTS) &&
	    (!g_file_test(path, G_FILE_TEST_IS_REGULAR) || g_access(path, W_OK) != 0)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "--junit %s: not a regular file that can be written", path);
		return FALSE;
	}
	if (!sg_files_check_writable_folder(folder, error)) {
		g_prefix_error(error, "--junit %s: ", path);
		return FALSE;
	}
	return TRUE;
}
