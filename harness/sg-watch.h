#pragma once

#include <gio/gio.h>

#include "sg-console.h"
#include "sg-guest.h"
#include "sg-progress.h"

G_BEGIN_DECLS

/* How watching one phase of one guest ended. */
typedef enum {
	SG_WATCH_GUEST_STOPPED, /* the guest powered off or reset on its own */
	SG_WATCH_MARKERS_SEEN,	/* every success marker is on the console */
	SG_WATCH_PROBLEM,	/* the console showed a problem: see the console */
	SG_WATCH_SILENT,	/* nothing on the console for too long */
	SG_WATCH_TIMEOUT,	/* the phase took longer than it may */
	SG_WATCH_CANCELLED,
} SgWatchOutcome;

typedef struct {
	const gchar *phase;
	SgGuest *guest;
	SgConsole *console;
	const gchar *console_path;
	guint timeout_seconds;
	guint silence_seconds;
	gboolean stop_on_markers;
	GCancellable *cancellable;
	SgProgress *progress;
} SgWatch;

/* Follows the console and the guest until something decides the phase.
 * Returns at once when that happens: no waiting for an overall timeout. */
SgWatchOutcome sg_watch_run(const SgWatch *watch);

G_END_DECLS
