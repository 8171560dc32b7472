#pragma once

#include <gio/gio.h>

#include "sg-lab-config.h"
#include "sg-lock.h"
#include "sg-tree-config.h"

G_BEGIN_DECLS

/* A build's verdict as recorded: @build is FLAVOUR/TYPE/ID, @verdict "pass",
 * "fail" or "error", @host the lab host (NULL when none took it). */
typedef void (*SgGateVerdictFunc)(const gchar *build, const gchar *verdict, const gchar *host,
				  const gchar *reason, gpointer user_data);

typedef struct {
	const gchar *tree;
	const SgTreeConfig *config;   /* NULL: the tree's smokegate.conf, read now */
	const gchar *const *flavours; /* NULL: every flavour in the tree */
	guint jobs;		      /* tests at once over all hosts, 0: no cap */
	SgLabConfig *lab;	      /* the hosts to test on */
	const gchar *flavours_dir;
	const gchar *suites_dir; /* more downstream suites (--suites-dir), or NULL */
	const gchar *accel;	 /* NULL: each host's Accel= */
	gboolean json;		 /* one JSON object an event on stdout */
	/* Optional, called on the main loop after each verdict is saved. */
	SgGateVerdictFunc on_verdict;
	gpointer user_data;
	/* The caller holds the tree's gate lock for longer than a run (serve). */
	gboolean gate_locked;
} SgGateOptions;

typedef struct {
	guint passed;
	guint failed;
	guint errors;
	guint retries;	 /* attempts tried again after a lab fault */
	guint hosts_out; /* hosts unreachable, lost or drained */
	/* Who holds the tree's gate lock, when the run was refused
	 * (SG_ERROR_LOCKED); free with sg_gate_summary_clear. */
	SgLockHolder *refused_by;
} SgGateSummary;

void sg_gate_summary_clear(SgGateSummary *summary);

/*
 * Tests every staged build without a verdict. A pass moves `current` to the
 * build (atomically); its advisory suites' failures are announced
 * (downstream-failed) but do not keep it back, its gating suites' do. Each
 * test keeps its installed disk in the evidence, and the tree keeps
 * current's (and, when asked, failed builds') only: see sg-kept-disk.h.
 * A fail keeps the build and its evidence, marked; an
 * error leaves the build untested, to be tried on the next run, and is
 * raised as a lab problem after repeated errors. Nothing untested is ever
 * published.
 *
 * The tests are spread over the lab's hosts (see sg-schedule.h). A host
 * that cannot be reached, is lost in the middle of a test or keeps ending
 * tests in errors is taken out for the rest of the run with a lab-problem
 * notice; the build it was testing is queued again on another host. Only
 * a build's last attempt of the run is recorded, so no retry publishes,
 * fails or counts a build twice. Fails when the gate could not run
 * (SG_ERROR_LOCKED when another gate holds the tree), or with SG_ERROR_TREE
 * (and @summary filled) when a verdict or `current` could not be written
 * (a full filesystem): the run starts no further test then, and what it
 * could not record stays untested.
 *
 * The run lives on the caller's main loop (the thread-default context),
 * which carries libvirt's events: the tests run side by side as pipelines
 * on that loop (sg_test_run_async), and each test that ends starts what
 * fits next. Only blocking work runs in threads: the survey of the lab's
 * hosts, thumbnails, tracker deliveries, the waits for the tree's lock.
 * @options, and what it points to, must outlive the run.
 */
void sg_gate_run_async(const SgGateOptions *options, GCancellable *cancellable,
		       GAsyncReadyCallback callback, gpointer user_data);
/* Fills @summary (clear it with sg_gate_summary_clear) whether or not the
 * run succeeded. */
gboolean sg_gate_run_finish(GAsyncResult *result, SgGateSummary *summary, GError **error);

G_END_DECLS
