#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * Runs @func(@data) in a worker thread while this thread runs the GLib main
 * loop. The main loop carries libvirt's event loop (libvirt-glib), which an
 * embedded QEMU driver needs to talk to its QEMU processes, and turns
 * SIGINT, SIGTERM and SIGHUP into cancelling @cancellable so the work can clean up.
 * Returns what @func returned.
 */
gpointer sg_worker_run(GThreadFunc func, gpointer data, GCancellable *cancellable);

/*
 * From a thread other than the main loop's: runs @start(@data) on the main
 * loop and blocks until the work it started calls sg_worker_wait_done(@wait).
 * For blocking wrappers around work that lives on the main loop.
 */
typedef struct {
	GMutex lock;
	GCond cond;
	gboolean done;
} SgWorkerWait;

void sg_worker_wait(SgWorkerWait *wait, GSourceFunc start, gpointer data);
void sg_worker_wait_done(SgWorkerWait *wait);

G_END_DECLS
