#pragma once

#include <gio/gio.h>

#include "sg-lab-config.h"

G_BEGIN_DECLS

/*
 * The lab runner behind `smokegate serve`: gate passes over image trees on
 * the GLib main loop of the thread that made it. Each tree is gated once at
 * start (builds staged while nobody ran), then whenever `stage` moves an
 * image type's `pending` link (inotify through GFileMonitor, one monitor a
 * folder: the tree, each flavour, each image type, added as they appear),
 * at the tree's ExpectedBy= time (a timer for that moment, set again each
 * day) and never on a poll. Tracker notices left spooled are delivered
 * again with an exponential backoff while any wait.
 *
 * One piece of work runs at a time over all the trees, as an asynchronous
 * operation on the runner's main loop (a gate pass, sg_gate_run_async; a
 * delivery of spooled notices, in a thread of its own): passes of several
 * trees would each count the lab's whole room as theirs.
 * A change seen during a pass asks for another pass after it. The runner
 * holds each tree's gate lock while it lives, so a `gate` (or a second
 * runner) on the same tree is refused with SG_ERROR_LOCKED.
 */
typedef struct _SgRunner SgRunner;

/* Called on the runner's main loop for every verdict recorded; @build is
 * FLAVOUR/TYPE/ID, @host NULL when no host took the build. */
typedef void (*SgRunnerVerdictFunc)(const gchar *tree, const gchar *build, const gchar *verdict,
				    const gchar *host, const gchar *reason, gpointer user_data);
/* Called on the runner's main loop when what it does changed (see
 * sg_runner_describe), and once when it has stopped after sg_runner_stop. */
typedef void (*SgRunnerFunc)(SgRunner *runner, gpointer user_data);

typedef struct {
	guint jobs;		   /* tests at once over all hosts, 0: what the hosts allow */
	const gchar *flavours_dir; /* extra flavour profiles, or NULL */
	const gchar *suites_dir;   /* more downstream suites, or NULL */
	const gchar *accel;	   /* NULL: each host's Accel= */
	gboolean json;		   /* the gate's JSON events on stdout */
	SgRunnerVerdictFunc on_verdict;
	SgRunnerFunc on_changed;
	SgRunnerFunc on_stopped;
	gpointer user_data;
} SgRunnerOptions;

/*
 * Reads each tree's smokegate.conf and takes its gate lock; takes @lab
 * (freed on failure too).
 * Fails on a tree that is not a folder, a broken configuration, or a tree
 * another gate holds (SG_ERROR_LOCKED). @options is copied (not its strings:
 * they must outlive the runner).
 */
SgRunner *sg_runner_new(const gchar *const *trees, SgLabConfig *lab, const SgRunnerOptions *options,
			GError **error);
/* Queues a pass over every tree and starts watching them. */
void sg_runner_start(SgRunner *runner);
/*
 * Reads every tree's smokegate.conf again and takes @lab (NULL: keep the
 * lab). When any configuration is broken nothing changes and @lab is not
 * taken: the error names the file. Passes started later use the new lab;
 * the ExpectedBy timers are set again.
 */
gboolean sg_runner_reload(SgRunner *runner, SgLabConfig *lab, GError **error);
/* Takes no more work and cancels the running pass (its tests' builds stay
 * untested); on_stopped is called once nothing runs. */
void sg_runner_stop(SgRunner *runner);
/* What runs now, for people ("gating TREE: N verdicts so far", "idle, next
 * ExpectedBy check at ..."). */
gchar *sg_runner_describe(SgRunner *runner);
/* Must not be called while work runs (after on_stopped, or before start). */
void sg_runner_free(SgRunner *runner);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgRunner, sg_runner_free)

G_END_DECLS
