#pragma once

#include "sg-virt.h"

G_BEGIN_DECLS

/*
 * The storage pool of smokegate's volumes on a lab host: "smokegate", type
 * dir, at /var/lib/libvirt/smokegate on that host (defined, built, started
 * and set to autostart when missing), owned by the daemon, so that a system
 * daemon's QEMU (libvirt-qemu) can open its volumes and no path is shared
 * with the coordinator. Its volumes are made, listed and deleted here; what
 * they hold goes through sg-volume-stream.
 */
#define SG_STORAGE_POOL_NAME "smokegate"

/* The pool on the host of @conn, made ready. */
virStoragePoolPtr sg_storage_pool_ensure(virConnectPtr conn, GError **error);
/* The names of the pool's volumes, sorted. */
GPtrArray *sg_storage_pool_list_volumes(virStoragePoolPtr pool, GError **error);
/* Volume @name, or NULL (libvirt's last error says why). */
virStorageVolPtr sg_storage_pool_lookup_volume(virStoragePoolPtr pool, const gchar *name);
/* Deletes volume @name; FALSE when it cannot (libvirt's last error says
 * why: VIR_ERR_NO_STORAGE_VOL when it is gone already). */
gboolean sg_storage_pool_delete_volume(virStoragePoolPtr pool, const gchar *name);
/* Creates volume @name (raw unless @format) of @capacity bytes, allocating
 * nothing: an upload writes its data, holes stay holes. With @backing (a
 * qcow2 volume's path) it is a qcow2 overlay of it, made by libvirt. */
virStorageVolPtr sg_storage_pool_create_volume(virStoragePoolPtr pool, const gchar *name,
					       guint64 capacity, const gchar *format,
					       const gchar *backing, GError **error);
/* The path of @vol on its host: what goes into a domain's XML. */
gchar *sg_storage_volume_get_path(virStorageVolPtr vol, GError **error);

G_END_DECLS
