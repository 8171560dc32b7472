#pragma once

#include "sg-domain-xml.h"
#include "sg-lab.h"

G_BEGIN_DECLS

/* One running transient guest. Freeing it destroys the guest. */
typedef struct {
	virDomainPtr domain;
	gchar *name;
} SgGuest;

SgGuest *sg_guest_start(SgLab *lab, const SgDomainSpec *spec, GError **error);
/* TRUE while QEMU runs the guest; FALSE once it stopped (poweroff, reset). */
gboolean sg_guest_is_running(SgGuest *guest);
/* Saves the screen as PNG (converting QEMU's PPM when libvirt hands one). */
gboolean sg_guest_screenshot(SgGuest *guest, const gchar *png_path, GError **error);
/* Asks the guest to shut down (ACPI) and waits up to @seconds, so its
 * journal reaches the disk; destroys it after that. */
void sg_guest_shutdown(SgGuest *guest, guint seconds);
void sg_guest_destroy(SgGuest *guest);
void sg_guest_free(SgGuest *guest);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgGuest, sg_guest_free)

G_END_DECLS
