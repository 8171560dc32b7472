#include <string.h>

#include "sg-tap.h"

/* The TAP reader on real TAP (data/tap/README says where each sample came
 * from), fed whole, in odd chunks and byte by byte. */

static gchar *
load_sample(const gchar *name)
{
	g_autofree gchar *path = g_test_build_filename(G_TEST_DIST, "data", "tap", name, NULL);
	gchar *contents = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_true(g_file_get_contents(path, &contents, NULL, &error));
	g_assert_no_error(error);
	return contents;
}

static SgTap *
read_in_chunks(const gchar *text, gsize chunk)
{
	SgTap *tap = sg_tap_new();
	gsize length = strlen(text);

	for (gsize offset = 0; offset < length; offset += chunk)
		sg_tap_feed(tap, text + offset, MIN(chunk, length - offset));
	sg_tap_end(tap);
	return tap;
}

/* Everything the reader says, as text, so two ways of feeding compare. */
static gchar *
summarise(SgTap *tap)
{
	GPtrArray *cases = sg_tap_get_cases(tap);
	GString *text = g_string_new(NULL);
	g_autofree gchar *reason = NULL;
	SgVerdict verdict = sg_tap_verdict(tap, &reason);

	g_string_append_printf(text, "plan %d finished %d %s: %s\n", sg_tap_get_planned(tap),
			       sg_tap_finished(tap), sg_verdict_to_string(verdict), reason);
	for (guint i = 0; i < cases->len; i++) {
		SgTapCase *tap_case = g_ptr_array_index(cases, i);
		g_string_append_printf(text, "%u %s [%s] (%s) %.6f {%s} <%s>\n", tap_case->number,
				       sg_tap_outcome_to_string(tap_case->outcome),
				       tap_case->description, tap_case->directive,
				       tap_case->duration_s, tap_case->diagnostics,
				       tap_case->message);
	}
	return g_string_free(text, FALSE);
}

static SgTapCase *
get_case(SgTap *tap, guint index)
{
	GPtrArray *cases = sg_tap_get_cases(tap);
	g_assert_cmpuint(index, <, cases->len);
	return g_ptr_array_index(cases, index);
}

/* Whole, byte by byte and in chunks of 7 bytes, the reader says the same. */
static void
assert_chunking_agrees(const gchar *text)
{
	g_autoptr(SgTap) whole = read_in_chunks(text, strlen(text) + 1);
	g_autofree gchar *expected = summarise(whole);
	const gsize chunks[] = {1, 2, 7, 64};

	for (guint i = 0; i < G_N_ELEMENTS(chunks); i++) {
		g_autoptr(SgTap) tap = read_in_chunks(text, chunks[i]);
		g_autofree gchar *got = summarise(tap);
		g_assert_cmpstr(got, ==, expected);
	}
}

static SgVerdict
verdict(SgTap *tap, gchar **reason)
{
	SgVerdict result = sg_tap_verdict(tap, reason);
	g_test_message("%s: %s", sg_verdict_to_string(result), *reason);
	return result;
}

/* Test::More: plan first, a failure with its diagnostics, a skip, a TODO,
 * an escaped hash, a test without a description. */
static void
test_test_more_fail(void)
{
	g_autofree gchar *text = load_sample("test-more-fail.tap");
	g_autoptr(SgTap) tap = read_in_chunks(text, 1);
	g_autofree gchar *reason = NULL;
	SgTapCase *tap_case;

	assert_chunking_agrees(text);
	g_assert_cmpint(sg_tap_get_planned(tap), ==, 6);
	g_assert_cmpuint(sg_tap_get_cases(tap)->len, ==, 6);
	g_assert_true(sg_tap_finished(tap));
	g_assert_cmpint(get_case(tap, 0)->outcome, ==, SG_TAP_PASS);
	g_assert_cmpstr(get_case(tap, 0)->description, ==, "the session user exists");
	tap_case = get_case(tap, 1);
	g_assert_cmpint(tap_case->outcome, ==, SG_TAP_FAIL);
	g_assert_cmpstr(tap_case->diagnostics, ==,
			"  Failed test 'home is writable'\n"
			"  at fail.t line 4.\n"
			"         got: '2'\n"
			"    expected: '3'");
	tap_case = get_case(tap, 2);
	g_assert_cmpint(tap_case->outcome, ==, SG_TAP_SKIP);
	g_assert_cmpstr(tap_case->description, ==, "");
	g_assert_cmpstr(tap_case->directive, ==, "no network in the guest");
	tap_case = get_case(tap, 3);
	g_assert_cmpint(tap_case->outcome, ==, SG_TAP_TODO);
	g_assert_cmpstr(tap_case->description, ==, "compositor running");
	g_assert_cmpstr(tap_case->directive, ==, "compositor not ready on 2013 images");
	tap_case = get_case(tap, 4);
	g_assert_cmpint(tap_case->outcome, ==, SG_TAP_PASS);
	g_assert_cmpstr(tap_case->description, ==, "DISPLAY is set # with a hash");
	g_assert_cmpstr(tap_case->diagnostics, ==, "a note for people");
	g_assert_cmpuint(get_case(tap, 5)->number, ==, 6);
	g_assert_cmpfloat(get_case(tap, 5)->duration_s, ==, -1);

	g_assert_cmpint(verdict(tap, &reason), ==, SG_VERDICT_FAIL);
	g_assert_cmpstr(reason, ==,
			"test 2 'home is writable' failed: Failed test 'home is writable' / at "
			"fail.t line 4. / got: '2' / expected: '3'");
}

/* Test::More's done_testing(): the plan at the end, a subtest, notes. */
static void
test_test_more_plan_at_end(void)
{
	g_autofree gchar *text = load_sample("test-more-plan-at-end.tap");
	g_autofree gchar *reason = NULL;
	g_autoptr(SgTap) tap = sg_tap_new();
	const gchar *plan = strstr(text, "1..3\n");

	assert_chunking_agrees(text);
	g_assert_nonnull(plan);
	sg_tap_feed(tap, text, plan - text);
	g_assert_true(sg_tap_started(tap));
	g_assert_false(sg_tap_finished(tap));
	g_assert_cmpint(sg_tap_get_planned(tap), ==, -1);
	g_assert_cmpint(verdict(tap, &reason), ==, SG_VERDICT_FAIL);
	g_assert_cmpstr(reason, ==, "stopped after 3 tests without a plan, the last test 3 'last'");
	g_clear_pointer(&reason, g_free);

	sg_tap_feed(tap, plan, strlen(plan));
	sg_tap_end(tap);
	g_assert_true(sg_tap_finished(tap));
	g_assert_cmpuint(sg_tap_get_cases(tap)->len, ==, 3);
	/* the subtest's own lines do not count, its summary line does */
	g_assert_cmpstr(get_case(tap, 1)->description, ==, "a subtest");
	g_assert_cmpstr(get_case(tap, 1)->diagnostics, ==, "a note goes to stdout");
	g_assert_null(get_case(tap, 0)->diagnostics);
	g_assert_cmpuint(sg_tap_get_junk_lines(tap), ==, 0);
	g_assert_cmpint(verdict(tap, &reason), ==, SG_VERDICT_PASS);
	g_assert_cmpstr(reason, ==, "3 tests passed");
}

static void
test_test_more_bail_out(void)
{
	g_autofree gchar *text = load_sample("test-more-bail.tap");
	g_autoptr(SgTap) tap = sg_tap_new();
	g_autofree gchar *reason = NULL;
	const gchar *bail = strstr(text, "Bail out!");

	assert_chunking_agrees(text);
	sg_tap_feed(tap, text, bail - text);
	g_assert_false(sg_tap_finished(tap));
	/* finished the moment the line is whole, without waiting for the end */
	sg_tap_feed(tap, bail, strlen(bail));
	g_assert_true(sg_tap_finished(tap));
	g_assert_cmpstr(sg_tap_get_bail_out(tap), ==, "the session never started");
	g_assert_cmpint(verdict(tap, &reason), ==, SG_VERDICT_FAIL);
	g_assert_cmpstr(reason, ==, "bailed out after 2 of 5 tests: the session never started");
}

static void
test_test_more_skip_all(void)
{
	g_autofree gchar *text = load_sample("test-more-skip-all.tap");
	g_autoptr(SgTap) tap = read_in_chunks(text, 1);
	g_autofree gchar *reason = NULL;

	g_assert_true(sg_tap_finished(tap));
	g_assert_cmpint(sg_tap_get_planned(tap), ==, 0);
	g_assert_cmpstr(sg_tap_get_skip_all(tap), ==, "no systemd on this image");
	g_assert_cmpint(verdict(tap, &reason), ==, SG_VERDICT_PASS);
	g_assert_cmpstr(reason, ==, "skipped: no systemd on this image");
}

/* node's test runner: TAP 13 YAML blocks with durations and the error,
 * the plan at the end followed by a summary in comments. */
static void
test_node_yaml(void)
{
	g_autofree gchar *text = load_sample("node-test.tap");
	g_autoptr(SgTap) tap = read_in_chunks(text, 1);
	g_autofree gchar *reason = NULL;
	SgTapCase *tap_case;

	assert_chunking_agrees(text);
	g_assert_true(sg_tap_finished(tap));
	g_assert_cmpuint(sg_tap_get_cases(tap)->len, ==, 4);
	tap_case = get_case(tap, 0);
	g_assert_cmpfloat_with_epsilon(tap_case->duration_s, 0.00633443, 1e-9);
	g_assert_cmpstr(tap_case->diagnostics, ==, "duration_ms: 6.33443");
	tap_case = get_case(tap, 1);
	g_assert_cmpint(tap_case->outcome, ==, SG_TAP_FAIL);
	g_assert_cmpstr(tap_case->message, ==, "window never mapped / 1 !== 2");
	g_assert_true(g_str_has_prefix(tap_case->diagnostics, "duration_ms: 6.189858\nlocation:"));
	g_assert_nonnull(strstr(tap_case->diagnostics, "\nerror: |-\n  window never mapped\n"));
	g_assert_cmpint(get_case(tap, 2)->outcome, ==, SG_TAP_SKIP);
	g_assert_cmpstr(get_case(tap, 2)->directive, ==, "no layout in the answer file");
	tap_case = get_case(tap, 3);
	g_assert_cmpint(tap_case->outcome, ==, SG_TAP_TODO);
	/* the summary after the plan is no test's diagnostics */
	g_assert_null(strstr(tap_case->diagnostics, "# tests"));
	g_assert_null(strstr(tap_case->diagnostics, "tests 4"));

	g_assert_cmpint(verdict(tap, &reason), ==, SG_VERDICT_FAIL);
	g_assert_cmpstr(reason, ==,
			"test 2 'window can be mapped' failed: window never mapped / 1 !== 2");
}

/* GLib's --tap: its messages come before the test line they are about, so
 * they read as the previous test's diagnostics, as TAP says; a failure
 * makes GLib bail out. */
static void
test_glib(void)
{
	g_autofree gchar *text = load_sample("glib-test.tap");
	g_autoptr(SgTap) tap = read_in_chunks(text, 3);
	g_autofree gchar *reason = NULL;

	assert_chunking_agrees(text);
	g_assert_true(sg_tap_finished(tap));
	g_assert_cmpint(sg_tap_get_planned(tap), ==, 4);
	g_assert_cmpuint(sg_tap_get_cases(tap)->len, ==, 4);
	g_assert_cmpstr(get_case(tap, 0)->description, ==, "/session/display");
	g_assert_cmpint(get_case(tap, 1)->outcome, ==, SG_TAP_SKIP);
	g_assert_cmpint(get_case(tap, 2)->outcome, ==, SG_TAP_TODO);
	g_assert_cmpstr(get_case(tap, 2)->diagnostics, ==, "xterm never mapped");
	g_assert_cmpint(get_case(tap, 3)->outcome, ==, SG_TAP_FAIL);
	g_assert_cmpstr(sg_tap_get_bail_out(tap), ==, "");
	g_assert_cmpint(verdict(tap, &reason), ==, SG_VERDICT_FAIL);
	g_assert_cmpstr(reason, ==,
			"bailed out after 4 of 4 tests; test 4 '/session/window' failed");
}

/* The suite that stops half-way: the guest hangs after two of five tests. */
static void
test_stopped_half_way(void)
{
	const gchar *text = "TAP version 13\n1..5\nok 1 - DISPLAY is set\nok 2 - a window "
			    "manager runs\nok 3 - the ses";
	g_autoptr(SgTap) tap = sg_tap_new();
	g_autofree gchar *reason = NULL;

	sg_tap_feed(tap, text, strlen(text));
	g_assert_true(sg_tap_started(tap));
	g_assert_false(sg_tap_finished(tap));
	g_assert_cmpuint(sg_tap_get_cases(tap)->len, ==, 2);
	g_assert_cmpint(verdict(tap, &reason), ==, SG_VERDICT_FAIL);
	g_assert_cmpstr(reason, ==,
			"stopped after 2 of 5 tests, the last test 2 'a window manager runs'");
	g_clear_pointer(&reason, g_free);
	/* the end of the stream reads the last line without its newline */
	sg_tap_end(tap);
	g_assert_cmpuint(sg_tap_get_cases(tap)->len, ==, 3);
	g_assert_cmpstr(get_case(tap, 2)->description, ==, "the ses");
}

/* Console noise and nothing else: it never started, an error. */
static void
test_never_started(void)
{
	const gchar *text = "\r\nDebian GNU/Linux 12 smoke ttyS0\r\n\r\nsmoke login: okay\n"
			    "# Looks like your test exited with 127 before it could output "
			    "anything.\n";
	g_autoptr(SgTap) tap = read_in_chunks(text, 5);
	g_autofree gchar *reason = NULL;

	g_assert_false(sg_tap_started(tap));
	g_assert_false(sg_tap_finished(tap));
	g_assert_cmpuint(sg_tap_get_junk_lines(tap), ==, 2);
	g_assert_cmpint(verdict(tap, &reason), ==, SG_VERDICT_ERROR);
	g_assert_cmpstr(reason, ==,
			"never started: no TAP plan or test line came (it said: Looks like "
			"your test exited with 127 before it could output anything.)");
}

/* More tests than planned, numbers left out, junk between, a second plan. */
static void
test_odd_streams(void)
{
	const gchar *text = "1..2\nok\nrandom junk\nok - second\nnot ok\n1..3\n";
	g_autoptr(SgTap) tap = read_in_chunks(text, 4);
	g_autofree gchar *reason = NULL;

	g_assert_cmpuint(sg_tap_get_cases(tap)->len, ==, 3);
	g_assert_cmpuint(get_case(tap, 1)->number, ==, 2);
	g_assert_cmpstr(get_case(tap, 1)->description, ==, "second");
	g_assert_cmpuint(sg_tap_get_junk_lines(tap), ==, 2);
	g_assert_cmpint(verdict(tap, &reason), ==, SG_VERDICT_FAIL);
	g_assert_cmpstr(reason, ==, "test 3 failed; ran 3 tests but planned 2");
}

/* The plan is complete with the last test line, but an open YAML block
 * keeps the reader waiting for the diagnostics. */
static void
test_finished_waits_for_yaml(void)
{
	g_autoptr(SgTap) tap = sg_tap_new();
	g_autofree gchar *reason = NULL;
	const gchar *lines[] = {"1..1\n", "not ok 1 - home is writable # time=12.5ms\n", "  ---\n",
				"  message: 'touch: cannot touch: Read-only file system'\n",
				"  ...\n"};
	const gboolean finished[] = {FALSE, TRUE, FALSE, FALSE, TRUE};

	for (guint i = 0; i < G_N_ELEMENTS(lines); i++) {
		sg_tap_feed(tap, lines[i], strlen(lines[i]));
		g_assert_cmpint(sg_tap_finished(tap), ==, finished[i]);
	}
	g_assert_cmpfloat_with_epsilon(get_case(tap, 0)->duration_s, 0.0125, 1e-9);
	g_assert_cmpstr(get_case(tap, 0)->description, ==, "home is writable");
	g_assert_cmpint(verdict(tap, &reason), ==, SG_VERDICT_FAIL);
	g_assert_cmpstr(reason, ==,
			"test 1 'home is writable' failed: touch: cannot touch: Read-only file "
			"system");
}

/* A TODO that passes, "not ok # SKIP" (fails, as with prove), long
 * diagnostics cut short in the reason, bytes that are not UTF-8. */
static void
test_directives_and_quotes(void)
{
	g_autoptr(GString) text = g_string_new("1..3\nok 1 - later # TODO fix\n"
					       "not ok 2 - mirror # skip no network\n");
	g_autoptr(SgTap) tap = NULL;
	g_autofree gchar *reason = NULL;

	for (guint i = 0; i < 30; i++)
		g_string_append_printf(text, "# failed unit %u.service\n", i);
	g_string_append(text, "ok 3 - caf\xe9\n");
	tap = read_in_chunks(text->str, 1);
	g_assert_cmpint(get_case(tap, 0)->outcome, ==, SG_TAP_TODO);
	g_assert_cmpint(get_case(tap, 1)->outcome, ==, SG_TAP_FAIL);
	g_assert_cmpstr(get_case(tap, 1)->directive, ==, "no network");
	g_assert_true(g_utf8_validate(get_case(tap, 2)->description, -1, NULL));
	g_assert_cmpint(verdict(tap, &reason), ==, SG_VERDICT_FAIL);
	g_assert_true(g_str_has_prefix(reason, "test 2 'mirror' failed: failed unit 0.service / "
					       "failed unit 1.service / "));
	g_assert_true(g_str_has_suffix(reason, "…"));
	g_assert_cmpuint(g_utf8_strlen(reason, -1), <, 260);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/tap/test-more-fail", test_test_more_fail);
	g_test_add_func("/tap/test-more-plan-at-end", test_test_more_plan_at_end);
	g_test_add_func("/tap/test-more-bail-out", test_test_more_bail_out);
	g_test_add_func("/tap/test-more-skip-all", test_test_more_skip_all);
	g_test_add_func("/tap/node-yaml", test_node_yaml);
	g_test_add_func("/tap/glib", test_glib);
	g_test_add_func("/tap/stopped-half-way", test_stopped_half_way);
	g_test_add_func("/tap/never-started", test_never_started);
	g_test_add_func("/tap/odd-streams", test_odd_streams);
	g_test_add_func("/tap/finished-waits-for-yaml", test_finished_waits_for_yaml);
	g_test_add_func("/tap/directives-and-quotes", test_directives_and_quotes);
	return g_test_run();
}
