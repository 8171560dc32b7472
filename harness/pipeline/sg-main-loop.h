#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * The process's one event loop, which drives every guest: libvirt's event
 * loop runs on GLib's default main context (libvirt-glib), so a guest's
 * console bytes, lifecycle events and the embedded QEMU driver's own work
 * arrive there; blocking work goes to threads that hand their results
 * back to it.
 */

/* Registers libvirt's event loop on the default main context and silences
 * libvirt's own error printing; once per process, before any connection. */
void sg_main_loop_init(void);

/* Runs @loop on this thread (the default main context's owner) until
 * g_main_loop_quit(); SIGINT, SIGTERM and SIGHUP meanwhile cancel
 * @cancellable, so the work on the loop stops its guests, cleans up and
 * quits it. */
void sg_main_loop_run(GMainLoop *loop, GCancellable *cancellable);

G_END_DECLS
