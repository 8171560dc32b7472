#include "sg-family.h"

static const gchar *const family_names[] = {
	[SG_FAMILY_DEBIAN_INSTALLER] = "debian-installer",
	[SG_FAMILY_UBIQUITY] = "ubiquity",
	[SG_FAMILY_SUBIQUITY] = "subiquity",
	[SG_FAMILY_LIVE] = "live",
};

SgFamily
sg_family_from_string(const gchar *name)
{
	for (guint i = 0; i < G_N_ELEMENTS(family_names); i++) {
		if (g_strcmp0(name, family_names[i]) == 0)
			return (SgFamily)i;
	}
	return SG_FAMILY_UNKNOWN;
}

const gchar *
sg_family_to_string(SgFamily family)
{
	if ((guint)family < G_N_ELEMENTS(family_names))
		return family_names[family];
	return "unknown";
}
