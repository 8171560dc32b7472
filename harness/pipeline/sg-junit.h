#pragma once

#include "sg-result.h"

G_BEGIN_DECLS

/*
 * JUnit XML of one run, for the dashboards QA teams already have (Jenkins,
 * GitLab): <testsuites> with one <testsuite name="smoke"> whose test cases
 * are the run's phases, then one <testsuite> per downstream suite with its
 * TAP test cases. A failed test has <failure>, a phase or suite that could
 * not be judged <error>, SKIP and TODO tests <skipped>; diagnostics go in
 * the element's text. A suite whose verdict no test case explains (it
 * stopped half-way, bailed out, never started) gets a test case named
 * "suite" that carries it; the smoke suite likewise one named "verdict".
 */
gchar *sg_junit_to_string(SgResult *result);
/* Writes @path atomically and durably. */
gboolean sg_junit_write(SgResult *result, const gchar *path, GError **error);
/* Whether the report can be written at @path (its folder exists and takes
 * a file; an existing @path is a regular file that can be written):
 * checked before the test, SG_ERROR_USAGE naming --junit when not. */
gboolean sg_junit_check_path(const gchar *path, GError **error);

G_END_DECLS
