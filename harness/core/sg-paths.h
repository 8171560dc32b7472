#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Where the shipped flavour profiles and answer files are: the source tree
 * when smokegate runs from its build folder, the installed data otherwise
 * ($SMOKEGATE_DATA_DIR overrides both, with flavours/ and preseed/ in it). */
gchar *sg_paths_builtin_flavours(void);
gchar *sg_paths_builtin_answers(void);
/* Operators' drop-in folder for added or overriding profiles. */
#define SG_PATHS_SYSTEM_FLAVOURS "/etc/smokegate/flavours.d"

G_END_DECLS
