#pragma once

#include "sg-result.h"

G_BEGIN_DECLS

/* What became of one test line. A "not ok # TODO" is an expected failure
 * and a "ok # TODO" an unexpected pass: both are TODO, neither fails. */
typedef enum {
	SG_TAP_PASS,
	SG_TAP_FAIL,
	SG_TAP_SKIP,
	SG_TAP_TODO,
} SgTapOutcome;

/* One "ok" / "not ok" line and what followed it. */
typedef struct {
	guint number;
	gchar *description; /* without the leading "- ", unescaped; "" when none */
	SgTapOutcome outcome;
	gchar *directive; /* the SKIP or TODO reason, NULL without a directive */
	/* The YAML block (dedented) and "# " comment lines after the test
	 * line, one per line, NULL when none. */
	gchar *diagnostics;
	/* The YAML block's message: or error: as one line, NULL when none. */
	gchar *message;
	gdouble duration_s; /* YAML duration_ms or "# time=...ms"; -1 when not given */
} SgTapCase;

/* An incremental TAP reader (TAP 12 and 13) for a suite's results as
 * they arrive on the results channel. */
typedef struct _SgTap SgTap;

SgTap *sg_tap_new(void);
void sg_tap_free(SgTap *tap);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgTap, sg_tap_free)

/* Reads @length bytes, any part of a line: a line is read once its
 * newline has come. */
void sg_tap_feed(SgTap *tap, const gchar *data, gsize length);
/* The stream ended (the guest is gone, or the file was read to its end):
 * a last line without a newline is read. */
void sg_tap_end(SgTap *tap);

/* A plan or a test line came: the suite started (its start limit holds
 * no more). */
gboolean sg_tap_started(SgTap *tap);
/* The harness need wait no longer: the plan is complete (the planned
 * number of tests came, or a plan at the end came) or the suite bailed
 * out. Comment lines after the last test may still follow at once: read
 * what is already there before judging. */
gboolean sg_tap_finished(SgTap *tap);

/* The verdict of the suite so far, and why, without the suite's name (the
 * caller prefixes it): pass (the plan complete, nothing failed but TODOs),
 * fail (a "not ok", a "Bail out!", or stopped before the plan was
 * complete; the reason names the first failing test and quotes its
 * diagnostics) or error (no plan nor test line: it never started). */
SgVerdict sg_tap_verdict(SgTap *tap, gchar **reason);

/* The test cases in the order they came (SgTapCase), owned by @tap. */
GPtrArray *sg_tap_get_cases(SgTap *tap);
/* The planned number of tests, -1 before a plan line. */
gint sg_tap_get_planned(SgTap *tap);
/* "1..0 # SKIP reason": the reason ("" without one), else NULL. */
const gchar *sg_tap_get_skip_all(SgTap *tap);
/* The "Bail out!" reason ("" without one), NULL when it did not bail out. */
const gchar *sg_tap_get_bail_out(SgTap *tap);
/* Lines that were not TAP (console noise, stray output), for the record. */
guint sg_tap_get_junk_lines(SgTap *tap);

const gchar *sg_tap_outcome_to_string(SgTapOutcome outcome);

/* Gives @suite the verdict, reason, plan and cases read so far (the cases
 * are shared: feed @tap no more) and, unless set, the time it finished. */
void sg_tap_to_suite_result(SgTap *tap, SgSuiteResult *suite);

G_END_DECLS
