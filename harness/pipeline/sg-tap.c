#include "sg-tap.h"

#include <string.h>

/* A line longer than this (no TAP line is) is read in pieces, so junk on
 * the channel cannot grow the buffer without end. */
#define MAX_LINE 65536
/* How much of a failing test's diagnostics a reason quotes. */
#define MAX_QUOTE 200

struct _SgTap {
	GString *partial; /* the bytes of a line whose newline has not come */
	GPtrArray *cases; /* SgTapCase */
	gint planned;
	gboolean plan_at_end; /* the plan came after the tests */
	gchar *skip_all;
	gchar *bail_out;
	GString *notes; /* comments that belong to no test */
	GString *yaml;	/* the open YAML block of the last test */
	gsize yaml_indent;
	gboolean after_test; /* the previous line was a test line */
	guint junk;
};

static void
sg_tap_case_free(SgTapCase *tap_case)
{
	g_free(tap_case->description);
	g_free(tap_case->directive);
	g_free(tap_case->diagnostics);
	g_free(tap_case->message);
	g_free(tap_case);
}

SgTap *
sg_tap_new(void)
{
	SgTap *tap = g_new0(SgTap, 1);
	tap->partial = g_string_new(NULL);
	tap->cases = g_ptr_array_new_with_free_func((GDestroyNotify)sg_tap_case_free);
	tap->notes = g_string_new(NULL);
	tap->planned = -1;
	return tap;
}

void
sg_tap_free(SgTap *tap)
{
	if (tap == NULL)
		return;
	g_string_free(tap->partial, TRUE);
	g_ptr_array_unref(tap->cases);
	g_string_free(tap->notes, TRUE);
	if (tap->yaml != NULL)
		g_string_free(tap->yaml, TRUE);
	g_free(tap->skip_all);
	g_free(tap->bail_out);
	g_free(tap);
}

static SgTapCase *
last_case(SgTap *tap)
{
	if (tap->cases->len == 0)
		return NULL;
	return g_ptr_array_index(tap->cases, tap->cases->len - 1);
}

static void
append_line(gchar **text, const gchar *line)
{
	gchar *joined = *text == NULL ? g_strdup(line) : g_strconcat(*text, "\n", line, NULL);
	g_free(*text);
	*text = joined;
}

/* A YAML scalar as one line: quotes dropped, a block scalar's lines joined. */
static gchar *
yaml_value(gchar **lines, guint key_line, const gchar *value)
{
	g_autoptr(GString) joined = g_string_new(NULL);
	g_autofree gchar *first = g_strstrip(g_strdup(value));
	gsize len = strlen(first);

	if (len > 0 && first[0] != '|' && first[0] != '>') {
		if (len >= 2 && (first[0] == '\'' || first[0] == '"') &&
		    first[len - 1] == first[0]) {
			first[len - 1] = '\0';
			return g_strdup(first + 1);
		}
		return g_steal_pointer(&first);
	}
	for (guint i = key_line + 1; lines[i] != NULL; i++) {
		const gchar *line = lines[i];
		if (line[0] != '\0' && !g_ascii_isspace(line[0]))
			break; /* the next top-level key */
		g_autofree gchar *stripped = g_strstrip(g_strdup(line));
		if (stripped[0] == '\0')
			continue;
		if (joined->len > 0)
			g_string_append(joined, " / ");
		g_string_append(joined, stripped);
	}
	return g_string_free(g_steal_pointer(&joined), FALSE);
}

/* The block's top-level keys that matter here: why it failed, how long
 * it took. */
static void
read_yaml(SgTapCase *tap_case, const gchar *yaml)
{
	g_auto(GStrv) lines = g_strsplit(yaml, "\n", -1);

	for (guint i = 0; lines[i] != NULL; i++) {
		const gchar *line = lines[i];
		if (tap_case->message == NULL &&
		    (g_str_has_prefix(line, "message:") || g_str_has_prefix(line, "error:")))
			tap_case->message = yaml_value(lines, i, strchr(line, ':') + 1);
		if (g_str_has_prefix(line, "duration_ms:")) {
			gchar *end = NULL;
			gdouble ms = g_ascii_strtod(line + strlen("duration_ms:"), &end);
			if (end != line + strlen("duration_ms:") && ms >= 0)
				tap_case->duration_s = ms / 1000;
		}
	}
}

static void
close_yaml(SgTap *tap)
{
	SgTapCase *tap_case = last_case(tap);
	g_autofree gchar *yaml = g_string_free(g_steal_pointer(&tap->yaml), FALSE);

	read_yaml(tap_case, yaml);
	if (yaml[0] != '\0')
		append_line(&tap_case->diagnostics, yaml);
}

/* "\#" and "\\" are the escapes TAP 13 allows in a description. */
static gchar *
unescape(const gchar *text, gsize length)
{
	GString *out = g_string_sized_new(length);
	for (gsize i = 0; i < length; i++) {
		if (text[i] == '\\' && i + 1 < length &&
		    (text[i + 1] == '#' || text[i + 1] == '\\'))
			i++;
		g_string_append_c(out, text[i]);
	}
	return g_strstrip(g_string_free(out, FALSE));
}

static const gchar *
find_directive(const gchar *text)
{
	for (const gchar *p = text; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '#')
			return p;
	}
	return NULL;
}

/* "# time=12.5ms" (node-tap) gives the duration; any other comment after
 * the description is part of it. */
static gboolean
read_time(const gchar *directive, gdouble *seconds)
{
	gchar *end = NULL;
	gdouble value;

	if (!g_str_has_prefix(directive, "time="))
		return FALSE;
	value = g_ascii_strtod(directive + strlen("time="), &end);
	if (end == directive + strlen("time=") || value < 0)
		return FALSE;
	if (g_str_equal(end, "ms"))
		*seconds = value / 1000;
	else if (g_str_equal(end, "s") || end[0] == '\0')
		*seconds = value;
	else
		return FALSE;
	return TRUE;
}

/* The word after '#' is SKIP or TODO (any case, "skipped" too). */
static gboolean
read_directive(SgTapCase *tap_case, const gchar *directive, gboolean ok)
{
	const gchar *reason = directive;

	while (g_ascii_isalpha(*reason))
		reason++;
	if (g_ascii_strncasecmp(directive, "todo", 4) == 0) {
		tap_case->outcome = SG_TAP_TODO;
	} else if (g_ascii_strncasecmp(directive, "skip", 4) == 0) {
		/* like prove: "not ok # SKIP" still fails */
		tap_case->outcome = ok ? SG_TAP_SKIP : SG_TAP_FAIL;
	} else {
		return read_time(directive, &tap_case->duration_s);
	}
	tap_case->directive = g_strstrip(g_strdup(reason));
	return TRUE;
}

static void
read_test_line(SgTap *tap, const gchar *line)
{
	gboolean ok = g_str_has_prefix(line, "ok");
	const gchar *p = line + (ok ? strlen("ok") : strlen("not ok"));
	SgTapCase *previous = last_case(tap);
	SgTapCase *tap_case = g_new0(SgTapCase, 1);
	const gchar *hash;

	tap_case->outcome = ok ? SG_TAP_PASS : SG_TAP_FAIL;
	tap_case->duration_s = -1;
	tap_case->number = previous != NULL ? previous->number + 1 : 1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (g_ascii_isdigit(*p)) {
		guint64 number = g_ascii_strtoull(p, (gchar **)&p, 10);
		tap_case->number = MIN(number, G_MAXUINT);
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '-' && (p[1] == ' ' || p[1] == '\t' || p[1] == '\0'))
		p++;
	hash = find_directive(p);
	if (hash != NULL) {
		g_autofree gchar *directive = g_strstrip(g_strdup(hash + 1));
		if (read_directive(tap_case, directive, ok))
			tap_case->description = unescape(p, hash - p);
	}
	if (tap_case->description == NULL)
		tap_case->description = unescape(p, strlen(p));
	g_ptr_array_add(tap->cases, tap_case);
}

/* "1..N" with an optional "# SKIP reason"; FALSE when the line is not one. */
static gboolean
read_plan(SgTap *tap, const gchar *line)
{
	const gchar *p = line + strlen("1..");
	gchar *end = NULL;
	guint64 planned;

	if (!g_str_has_prefix(line, "1..") || !g_ascii_isdigit(*p))
		return FALSE;
	planned = g_ascii_strtoull(p, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end != '\0' && *end != '#')
		return FALSE;
	if (tap->planned >= 0) {
		tap->junk++; /* a second plan: the first one stands */
		return TRUE;
	}
	tap->planned = MIN(planned, G_MAXINT);
	tap->plan_at_end = tap->cases->len > 0;
	if (planned == 0) {
		g_autofree gchar *directive = g_strstrip(g_strdup(*end == '#' ? end + 1 : end));
		const gchar *reason = directive;
		while (g_ascii_isalpha(*reason))
			reason++;
		tap->skip_all = g_strstrip(g_strdup(reason));
	}
	return TRUE;
}

static gboolean
starts_word(const gchar *line, const gchar *word)
{
	gsize len = strlen(word);
	return strncmp(line, word, len) == 0 && (line[len] == '\0' || line[len] == ' ' ||
						 line[len] == '\t' || g_ascii_isdigit(line[len]));
}

static void
read_comment(SgTap *tap, const gchar *line)
{
	SgTapCase *tap_case = last_case(tap);
	const gchar *text = line + 1;

	if (*text == ' ')
		text++;
	/* Test::More and node announce subtests; the summary line follows */
	if (g_str_has_prefix(text, "Subtest:"))
		return;
	/* After a plan at the end the comments are the run's summary */
	if (tap_case != NULL && !tap->plan_at_end) {
		append_line(&tap_case->diagnostics, text);
		return;
	}
	if (tap->notes->len > 0)
		g_string_append_c(tap->notes, '\n');
	g_string_append(tap->notes, text);
}

static gsize
indentation(const gchar *line)
{
	gsize n = 0;
	while (line[n] == ' ' || line[n] == '\t')
		n++;
	return n;
}

/* One whole line, without its newline. */
static void
read_line(SgTap *tap, const gchar *line)
{
	gboolean after_test = tap->after_test;
	gsize indent = indentation(line);

	tap->after_test = FALSE;
	if (tap->yaml != NULL) {
		if (indent > 0 && g_str_has_prefix(line + indent, "...") &&
		    line[indent + 3 + indentation(line + indent + 3)] == '\0') {
			close_yaml(tap);
			return;
		}
		if (line[indent] == '\0' || indent >= tap->yaml_indent) {
			if (tap->yaml->len > 0)
				g_string_append_c(tap->yaml, '\n');
			g_string_append(tap->yaml, line + MIN(indent, tap->yaml_indent));
			return;
		}
		/* a block that never ended: keep what it had */
		close_yaml(tap);
	}
	if (line[indent] == '\0')
		return;
	if (indent > 0) {
		if (after_test && g_str_has_prefix(line + indent, "---") &&
		    line[indent + 3 + indentation(line + indent + 3)] == '\0') {
			tap->yaml = g_string_new(NULL);
			tap->yaml_indent = indent;
		}
		/* else a subtest's own lines: its summary test line counts */
		return;
	}
	if (starts_word(line, "ok") || starts_word(line, "not ok")) {
		read_test_line(tap, line);
		tap->after_test = TRUE;
	} else if (g_str_has_prefix(line, "Bail out!")) {
		if (tap->bail_out == NULL)
			tap->bail_out = g_strstrip(g_strdup(line + strlen("Bail out!")));
	} else if (line[0] == '#') {
		read_comment(tap, line);
	} else if (!read_plan(tap, line) && !g_str_has_prefix(line, "TAP version ") &&
		   !g_str_has_prefix(line, "pragma ")) {
		tap->junk++;
	}
}

static void
read_partial(SgTap *tap)
{
	g_autofree gchar *line = g_utf8_make_valid(tap->partial->str, tap->partial->len);
	g_string_truncate(tap->partial, 0);
	read_line(tap, line);
}

void
sg_tap_feed(SgTap *tap, const gchar *data, gsize length)
{
	for (gsize i = 0; i < length; i++) {
		/* a serial channel's NULs and CRs carry nothing */
		if (data[i] == '\0' || data[i] == '\r')
			continue;
		if (data[i] == '\n') {
			read_partial(tap);
			continue;
		}
		g_string_append_c(tap->partial, data[i]);
		if (tap->partial->len >= MAX_LINE)
			read_partial(tap);
	}
}

void
sg_tap_end(SgTap *tap)
{
	if (tap->partial->len > 0)
		read_partial(tap);
	if (tap->yaml != NULL)
		close_yaml(tap);
}

gboolean
sg_tap_started(SgTap *tap)
{
	return tap->planned >= 0 || tap->cases->len > 0;
}

gboolean
sg_tap_finished(SgTap *tap)
{
	if (tap->bail_out != NULL)
		return TRUE;
	if (tap->planned < 0)
		return FALSE;
	if (tap->plan_at_end)
		return TRUE;
	return tap->cases->len >= (guint)tap->planned && tap->yaml == NULL;
}

/* The diagnostics as one short line: the YAML message when there is one,
 * else the lines joined. */
static gchar *
quote(const gchar *message, const gchar *diagnostics)
{
	g_autoptr(GString) text = g_string_new(NULL);
	g_auto(GStrv) lines = NULL;

	if (message != NULL && message[0] != '\0') {
		g_string_append(text, message);
	} else if (diagnostics != NULL) {
		lines = g_strsplit(diagnostics, "\n", -1);
		for (guint i = 0; lines[i] != NULL; i++) {
			const gchar *line = g_strstrip(lines[i]);
			if (line[0] == '\0')
				continue;
			if (text->len > 0)
				g_string_append(text, " / ");
			g_string_append(text, line);
		}
	}
	if (text->len == 0)
		return NULL;
	if (g_utf8_strlen(text->str, -1) > MAX_QUOTE) {
		gchar *cut = g_utf8_offset_to_pointer(text->str, MAX_QUOTE);
		g_string_truncate(text, cut - text->str);
		g_string_append(text, "…");
	}
	return g_string_free(g_steal_pointer(&text), FALSE);
}

/* "test" or "tests" after @count. */
static const gchar *
tests(gint64 count)
{
	return count == 1 ? "test" : "tests";
}

static gchar *
name_case(const SgTapCase *tap_case)
{
	if (tap_case->description[0] == '\0')
		return g_strdup_printf("test %u", tap_case->number);
	return g_strdup_printf("test %u '%s'", tap_case->number, tap_case->description);
}

/* Why the plan is not complete, or NULL when it is. */
static gchar *
describe_stop(SgTap *tap)
{
	guint count = tap->cases->len;
	SgTapCase *last = last_case(tap);
	g_autofree gchar *last_name = last != NULL ? name_case(last) : NULL;
	g_autofree gchar *after =
		last != NULL ? g_strdup_printf(", the last %s", last_name) : g_strdup("");

	if (tap->planned < 0)
		return g_strdup_printf("stopped after %u %s without a plan%s", count, tests(count),
				       after);
	if (count < (guint)tap->planned)
		return g_strdup_printf("stopped after %u of %d %s%s", count, tap->planned,
				       tests(tap->planned), after);
	if (count > (guint)tap->planned)
		return g_strdup_printf("ran %u %s but planned %d", count, tests(count),
				       tap->planned);
	return NULL;
}

SgVerdict
sg_tap_verdict(SgTap *tap, gchar **reason)
{
	SgTapCase *failed = NULL;
	guint skipped = 0;
	guint todo = 0;
	g_autofree gchar *stop = NULL;
	g_autofree gchar *failure = NULL;

	for (guint i = 0; i < tap->cases->len; i++) {
		SgTapCase *tap_case = g_ptr_array_index(tap->cases, i);
		if (tap_case->outcome == SG_TAP_FAIL && failed == NULL)
			failed = tap_case;
		skipped += tap_case->outcome == SG_TAP_SKIP;
		todo += tap_case->outcome == SG_TAP_TODO;
	}
	if (!sg_tap_started(tap) && tap->bail_out == NULL) {
		g_autofree gchar *said = quote(NULL, tap->notes->str);
		*reason = said != NULL ? g_strdup_printf("never started: no TAP plan or test line "
							 "came (it said: %s)",
							 said)
				       : g_strdup("never started: no TAP plan or test line came");
		return SG_VERDICT_ERROR;
	}
	if (failed != NULL) {
		g_autofree gchar *name = name_case(failed);
		g_autofree gchar *said = quote(failed->message, failed->diagnostics);
		failure = said != NULL ? g_strdup_printf("%s failed: %s", name, said)
				       : g_strdup_printf("%s failed", name);
	}
	if (tap->bail_out != NULL) {
		g_autofree gchar *bail =
			tap->planned > 0
				? g_strdup_printf("bailed out after %u of %d %s", tap->cases->len,
						  tap->planned, tests(tap->planned))
				: g_strdup_printf("bailed out after %u %s", tap->cases->len,
						  tests(tap->cases->len));
		if (tap->bail_out[0] != '\0') {
			g_autofree gchar *with = g_strdup_printf("%s: %s", bail, tap->bail_out);
			g_free(bail);
			bail = g_steal_pointer(&with);
		}
		*reason = failure != NULL ? g_strdup_printf("%s; %s", bail, failure)
					  : g_steal_pointer(&bail);
		return SG_VERDICT_FAIL;
	}
	stop = describe_stop(tap);
	if (failure != NULL || stop != NULL) {
		if (failure != NULL && stop != NULL)
			*reason = g_strdup_printf("%s; %s", failure, stop);
		else
			*reason = g_strdup(failure != NULL ? failure : stop);
		return SG_VERDICT_FAIL;
	}
	if (tap->skip_all != NULL && tap->skip_all[0] != '\0')
		*reason = g_strdup_printf("skipped: %s", tap->skip_all);
	else if (tap->skip_all != NULL)
		*reason = g_strdup("skipped");
	else if (skipped > 0 || todo > 0)
		*reason = g_strdup_printf("%u %s passed (%u skipped, %u todo)",
					  tap->cases->len - skipped - todo,
					  tests(tap->cases->len - skipped - todo), skipped, todo);
	else
		*reason = g_strdup_printf("%u %s passed", tap->cases->len, tests(tap->cases->len));
	return SG_VERDICT_PASS;
}

GPtrArray *
sg_tap_get_cases(SgTap *tap)
{
	return tap->cases;
}

gint
sg_tap_get_planned(SgTap *tap)
{
	return tap->planned;
}

const gchar *
sg_tap_get_skip_all(SgTap *tap)
{
	return tap->skip_all;
}

const gchar *
sg_tap_get_bail_out(SgTap *tap)
{
	return tap->bail_out;
}

guint
sg_tap_get_junk_lines(SgTap *tap)
{
	return tap->junk;
}

const gchar *
sg_tap_outcome_to_string(SgTapOutcome outcome)
{
	static const gchar *const names[] = {"pass", "fail", "skip", "todo"};
	return names[outcome];
}

void
sg_tap_to_suite_result(SgTap *tap, SgSuiteResult *suite)
{
	g_free(suite->reason);
	suite->verdict = sg_tap_verdict(tap, &suite->reason);
	suite->decided = TRUE;
	suite->planned = tap->planned;
	if (suite->cases != NULL)
		g_ptr_array_unref(suite->cases);
	suite->cases = g_ptr_array_ref(tap->cases);
	if (suite->finished_us == 0)
		suite->finished_us = g_get_real_time();
}
