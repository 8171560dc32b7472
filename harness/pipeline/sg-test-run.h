#pragma once

#include <gio/gio.h>

#include "sg-prepare.h"
#include "sg-progress.h"
#include "sg-result.h"

G_BEGIN_DECLS

/*
 * Tests one image from boot to verdict and writes the evidence, on the
 * main loop: prepare (sg-prepare.h) makes the plan on a thread, then the
 * run carries out its steps: guests' consoles and lifecycles arrive as
 * libvirt events, the blocking parts (libguestfs, destroying a guest, a
 * screenshot) run on threads. result.json is written the moment a verdict
 * is reached and again once every guest and volume is gone, when
 * @callback runs. Returns NULL with SG_ERROR_USAGE only for bad input found
 * before anything ran (missing path, unknown flavour); every other outcome,
 * including lab trouble, is a result with a verdict and a reason.
 */
void sg_test_run_async(const SgTestOptions *options, SgProgress *progress,
		       GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
SgResult *sg_test_run_finish(GAsyncResult *result, GError **error);
/* The same, waiting for the result: call it from a thread other than the
 * main loop's, which runs the test (sg_worker_run() sets that up).
 * Only the gate's attempt threads still use it: it goes once the gate runs
 * its tests with sg_test_run_async() on its main loop. */
SgResult *sg_test_run(const SgTestOptions *options, SgProgress *progress, GCancellable *cancellable,
		      GError **error);

G_END_DECLS
