#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virConnect, virConnectClose)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomain, virDomainFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStream, virStreamFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStoragePool, virStoragePoolFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStorageVol, virStorageVolFree)

/* Stops libvirt printing its errors on stderr: we report them ourselves. */
void sg_virt_init(void);

/* Turns libvirt's last error into a SG_ERROR_LAB GError, with a prefix. */
void sg_virt_set_error(GError **error, const gchar *format, ...) G_GNUC_PRINTF(2, 3);

/* libvirt's last error of this thread, for a debug line that goes on: never
 * NULL. A failure the caller reports or returns goes through
 * sg_virt_set_error(). */
const gchar *sg_virt_last_error(void);

G_END_DECLS
