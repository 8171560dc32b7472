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

G_END_DECLS
