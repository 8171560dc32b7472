#pragma once

#include "sg-gate-candidates.h"
#include "sg-gate.h"
#include "sg-lab-config.h"
#include "sg-progress.h"
#include "sg-result.h"

G_BEGIN_DECLS

/*
 * One test of one build on one lab host, on the main loop: the build's
 * evidence folder made fresh (a build tried again keeps the evidence of
 * the attempts before, as smoke.attempt-N), the pipeline run
 * (sg_test_run_async) with the flavour told from the image, the tree's
 * folder name when the image does not say, then the thumbnail of its
 * screenshot for the status page, drawn in a thread. Every test keeps its
 * installed disk: whether the tree keeps it is known only with the verdict
 * (sg-kept-disk.h).
 */
void sg_gate_attempt_run_async(const SgCandidate *candidate, SgLabHost *host,
			       const SgGateOptions *options, gchar **suites, SgProgress *progress,
			       GCancellable *cancellable, GAsyncReadyCallback callback,
			       gpointer user_data);
/* The test's result, or NULL with @failure saying why there is none. */
SgResult *sg_gate_attempt_run_finish(GAsyncResult *result, gchar **failure);

G_END_DECLS
