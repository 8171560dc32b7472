#pragma once

#include <glib.h>

#include "sg-config.h"

G_BEGIN_DECLS

/*
 * Where smokegate's files are. The shipped data (flavour profiles, answer
 * files, downstream suites) is read from the source tree when smokegate runs
 * from its build folder, else from DATADIR/smokegate as meson installed it;
 * $SMOKEGATE_DATA_DIR overrides both (with flavours/, preseed/ and suites/
 * in it). Operators' files are under SYSCONFDIR/smokegate (/etc/smokegate
 * with prefix /usr).
 *
 * Profiles are loaded in this order, a later one overriding an earlier one of
 * the same name: the shipped ones, SG_PATHS_SYSTEM_FLAVOURS, --flavours-dir.
 */
gchar *sg_paths_builtin_flavours(void);
gchar *sg_paths_builtin_answers(void);
gchar *sg_paths_builtin_suites(void);

/* Operators' folder: the lab file, drop-in profiles and suites. */
#define SG_PATHS_SYSCONFDIR SG_SYSCONFDIR
/* Operators' drop-in folder for added or overriding profiles. */
#define SG_PATHS_SYSTEM_FLAVOURS SG_SYSCONFDIR "/flavours.d"
/* Tracker credentials, outside every tree (sg-credentials.h); under systemd
 * the credential SG_PATHS_TRACKER_CREDENTIAL of $CREDENTIALS_DIRECTORY
 * (LoadCredential=) comes first. */
#define SG_PATHS_TRACKER_CREDENTIALS SG_SYSCONFDIR "/trackers.conf"
#define SG_PATHS_TRACKER_CREDENTIAL "smokegate-trackers"
/* Operators' drop-in folder for added or overriding suites. */
#define SG_PATHS_SYSTEM_SUITES SG_SYSCONFDIR "/suites.d"

G_END_DECLS
