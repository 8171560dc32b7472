#pragma once

#include <gio/gio.h>

#include "sg-lab-config.h"
#include "sg-schedule.h"

G_BEGIN_DECLS

/*
 * The lab hosts as one gate run sees them: each probed when the run starts
 * (reachable? how much room?), then taken out when it is lost or drained.
 * What the run saw is kept in TREE/.smokegate/lab.json for the status page.
 */
typedef struct _SgGateLab SgGateLab;

/* Adds every host of @config to @schedule, probed (in threads: a host that
 * does not answer is waited for up to SG_LAB_SURVEY_TIMEOUT_MS). A host of
 * a lab file gets the room the file or the host says; the default host of
 * a laptop (no lab file) gets @default_guests guests and no other limit,
 * as before lab files existed. Hosts that cannot be reached are added
 * taken out. @config must outlive the lab. */
void sg_gate_lab_open_async(SgLabConfig *config, guint default_guests, SgSchedule *schedule,
			    GAsyncReadyCallback callback, gpointer user_data);
SgGateLab *sg_gate_lab_open_finish(GAsyncResult *result);
void sg_gate_lab_free(SgGateLab *lab);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgGateLab, sg_gate_lab_free)

SgLabHost *sg_gate_lab_host_config(SgScheduleHost *host);
/* Whether @host answers now (asked in a thread, a few seconds at most);
 * when not, @reason says why. */
void sg_gate_lab_check_host_async(SgScheduleHost *host, GAsyncReadyCallback callback,
				  gpointer user_data);
gboolean sg_gate_lab_check_host_finish(GAsyncResult *result, gchar **reason);
/* Writes what the run saw of each host into @tree's state folder. */
void sg_gate_lab_save(SgGateLab *lab, const gchar *tree);

G_END_DECLS
