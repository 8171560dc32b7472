#pragma once

#include "sg-media.h"

G_BEGIN_DECLS

/*
 * The connection to the hypervisor that runs the guests, and the hygiene
 * around it: guests left by a crashed earlier run are found and removed
 * when a lab is opened, and every guest this process started is removed
 * when it is closed.
 *
 * With no URI the lab embeds libvirt's QEMU driver in this process
 * (qemu:///embed?root=...), so nothing has to be configured or running. Each
 * process gets its own root, named after its pid: the driver locks its root,
 * and a root whose process is gone marks guests to clean up. Several labs
 * may be open in one process (a gate running tests side by side).
 */
typedef struct _SgLab SgLab;

SgLab *sg_lab_open(const gchar *uri, GError **error);
/* Removes what runs of this machine killed before they cleaned up left in
 * the state folder: their embedded roots (and any QEMU still running
 * there) and their scratch folders. Once per process; sg_lab_open does it
 * too, so only a caller that may open no lab needs it. */
void sg_lab_remove_stale(void);
void sg_lab_close(SgLab *lab);
virConnectPtr sg_lab_get_connection(SgLab *lab);
/* Whether the connection to the lab host closed under us: the host went
 * away, its daemon stopped, or it missed its keepalive answers. */
gboolean sg_lab_is_lost(SgLab *lab);
/* Calls @func on the main loop when that happens; the id undoes it. */
typedef void (*SgLabLostFunc)(gpointer user_data);
guint sg_lab_watch_lost(SgLab *lab, SgLabLostFunc func, gpointer user_data);
void sg_lab_unwatch_lost(SgLab *lab, guint id);
const gchar *sg_lab_get_uri(SgLab *lab);
gboolean sg_lab_is_local(SgLab *lab);
/* Whether @uri names no host (embed, system, session): this machine. */
gboolean sg_lab_uri_is_local(const gchar *uri);
/* Whether the QEMU driver is embedded in this process (qemu:///embed): it
 * has no storage driver, so its media are plain local files. */
gboolean sg_lab_is_embedded(SgLab *lab);
/* Folder for this process's scratch files (disks, initrds); removed on close. */
const gchar *sg_lab_get_scratch_dir(SgLab *lab);
/* A guest or volume name no other run, live or dead, can hold (see
 * sg-run-names.h). */
gchar *sg_lab_new_guest_name(SgLab *lab, const gchar *phase);
/* Whether @name (a guest or volume) was made by a run on this coordinator
 * whose process is gone. Names of other coordinators are never stale here:
 * their own next run removes them. */
gboolean sg_lab_name_is_stale(SgLab *lab, const gchar *name);
/* The lab media of this test (see sg-media.h), made on first use: for a
 * connection with a storage driver this readies the smokegate pool and
 * removes the volumes dead runs left. The lab owns it: closing the lab
 * destroys the guests first, then deletes the test's volumes. */
SgMedia *sg_lab_get_media(SgLab *lab, GError **error);
/* The base folder of smokegate's per-user state (embed roots, probe cache). */
gchar *sg_lab_state_dir(void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgLab, sg_lab_close)

G_END_DECLS
