#pragma once

#include "sg-virt.h"

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
void sg_lab_close(SgLab *lab);
virConnectPtr sg_lab_get_connection(SgLab *lab);
const gchar *sg_lab_get_uri(SgLab *lab);
gboolean sg_lab_is_local(SgLab *lab);
/* Folder for this process's scratch files (disks, initrds); removed on close. */
const gchar *sg_lab_get_scratch_dir(SgLab *lab);
/* A guest name no other run, live or dead, can hold: smokegate-HOST-PID-LAB-N-PHASE */
gchar *sg_lab_new_guest_name(SgLab *lab, const gchar *phase);
/* The base folder of smokegate's per-user state (embed roots, probe cache). */
gchar *sg_lab_state_dir(void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgLab, sg_lab_close)

G_END_DECLS
