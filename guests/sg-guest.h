#pragma once

#include <gio/gio.h>

#include "sg-domain-xml.h"
#include "sg-lab.h"

G_BEGIN_DECLS

typedef void (*SgGuestStopped)(gpointer user_data);

/* One running transient guest. Freeing it destroys the guest. */
typedef struct {
	virDomainPtr domain;
	gchar *name;
	int lifecycle_callback; /* libvirt's id, -1 when none */
	gboolean stopped;	/* the lifecycle event said so */
	SgGuestStopped on_stopped;
	gpointer on_stopped_data;
	guint shutdown_timeout;
	SgGuestStopped on_shutdown;
	gpointer on_shutdown_data;
} SgGuest;

/* Creates the guest paused, so its console can be opened before it runs
 * its first instruction; sg_guest_resume() starts it. */
SgGuest *sg_guest_start(SgLab *lab, const SgDomainSpec *spec, GError **error);
gboolean sg_guest_resume(SgGuest *guest, GError **error);
/* Calls @callback on the main loop once the guest stops (poweroff, reset,
 * crash, destroy), from libvirt's lifecycle events: no polling. */
gboolean sg_guest_watch_lifecycle(SgGuest *guest, SgGuestStopped callback, gpointer user_data,
				  GError **error);
/* TRUE while QEMU runs the guest; FALSE once it stopped (poweroff, reset). */
gboolean sg_guest_is_running(SgGuest *guest);
/* Saves the screen as PNG (converting QEMU's PPM when libvirt hands one);
 * blocks for about 0.1 s: not for the main loop. */
gboolean sg_guest_screenshot(SgGuest *guest, const gchar *png_path, GError **error);
/* The same on a thread of its own, for the main loop: @callback runs there
 * when the picture is saved. The guest may be freed meanwhile (the thread
 * holds its own reference to the domain); a guest gone by then gives no
 * picture, an error. */
void sg_guest_screenshot_async(SgGuest *guest, const gchar *png_path, GCancellable *cancellable,
			       GAsyncReadyCallback callback, gpointer user_data);
gboolean sg_guest_screenshot_finish(GAsyncResult *result, GError **error);
/* Asks the guest to shut down (ACPI), so its journal reaches the disk, and
 * destroys it if it has not stopped after @seconds; @callback runs on the
 * main loop when it is gone. Needs sg_guest_watch_lifecycle() first. */
void sg_guest_shutdown_async(SgGuest *guest, guint seconds, SgGuestStopped callback,
			     gpointer user_data);
void sg_guest_destroy(SgGuest *guest);
void sg_guest_free(SgGuest *guest);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgGuest, sg_guest_free)

G_END_DECLS
