#pragma once

#include <gio/gio.h>

#include "sg-boot-driver.h"
#include "sg-console.h"
#include "sg-guest.h"
#include "sg-progress.h"

G_BEGIN_DECLS

/* How watching one phase of one guest ended. */
typedef enum {
	SG_WATCH_GUEST_STOPPED, /* the guest powered off or reset on its own */
	SG_WATCH_MARKERS_SEEN,	/* every success marker is on the console */
	SG_WATCH_PROBLEM,	/* the console showed a problem: see the console */
	SG_WATCH_SILENT,	/* nothing meaningful on the console for too long */
	SG_WATCH_TIMEOUT,	/* the phase took longer than it may */
	SG_WATCH_CANCELLED,
	SG_WATCH_CONSOLE_LOST, /* the console closed while the guest ran: not judged */
	SG_WATCH_STARVED,      /* silent, but only because the lab host left it no CPU */
	/* With a boot driver: the firmware or the bootloader did not boot the
	 * image (a fail), or did not answer the keys (not judged); see the
	 * driver's reason. */
	SG_WATCH_BOOT_FAILED,
	SG_WATCH_BOOT_NOT_JUDGED,
	SG_WATCH_KERNEL_STARTED, /* with stop_on_kernel: the kernel's first line came */
} SgWatchOutcome;

typedef void (*SgWatchFirstBytes)(gpointer user_data);

typedef struct {
	const gchar *phase;
	SgGuest *guest; /* created paused: the watch resumes it */
	SgConsole *console;
	const gchar *console_path; /* the raw bytes are written here as they come */
	guint timeout_seconds;
	guint silence_seconds;
	gboolean stop_on_markers;
	GCancellable *cancellable;
	SgProgress *progress;
	/* Called once on the main loop, with the watch's user data, when the
	 * console says its first bytes (the guest's firmware or kernel runs;
	 * with a boot driver, when its kernel starts); NULL: not wanted. */
	SgWatchFirstBytes first_bytes;
	/* The guest boots through its firmware and bootloader: the console
	 * goes to this driver (which types at the menu) until the kernel's
	 * first line, and only then to @console, whose silence is counted
	 * from there; the driver's limit governs until then. NULL: the
	 * console's judge reads everything. Borrowed. */
	SgBootDriver *boot;
	/* End the watch when the kernel starts (a boot check). */
	gboolean stop_on_kernel;
} SgWatchSpec;

typedef struct _SgWatch SgWatch;
typedef void (*SgWatchDone)(SgWatchOutcome outcome, gpointer user_data);

/* Opens the guest's console over the connection, resumes the guest and
 * follows its console and lifecycle on the main loop; @done runs there (from
 * an idle, so it may free the watch) the moment something decides the
 * phase: no polling, no waiting for an overall timeout. */
SgWatch *sg_watch_start(const SgWatchSpec *spec, SgWatchDone done, gpointer user_data,
			GError **error);
/* Lets the guest's console go while the guest still runs: before a
 * destroy, as libvirt needs (see sg-console-stream.c). */
void sg_watch_close_console(SgWatch *watch);
/* With SG_WATCH_STARVED: the figures that showed the guest starved. */
const gchar *sg_watch_get_starved_reason(SgWatch *watch);
/* Monotonic µs when the watch ended, 0 while it runs. */
gint64 sg_watch_get_finished(SgWatch *watch);
void sg_watch_free(SgWatch *watch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgWatch, sg_watch_free)

G_END_DECLS
