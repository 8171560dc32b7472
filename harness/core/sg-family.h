#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How an installer is driven unattended and how it shows trouble. */
typedef enum {
	SG_FAMILY_DEBIAN_INSTALLER,
	SG_FAMILY_UBIQUITY,
	SG_FAMILY_SUBIQUITY,
	SG_FAMILY_LIVE, /* no installer: the live session is the test */
	SG_FAMILY_UNKNOWN,
} SgFamily;

SgFamily sg_family_from_string(const gchar *name);
const gchar *sg_family_to_string(SgFamily family);

G_END_DECLS
