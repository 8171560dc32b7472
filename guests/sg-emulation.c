#include "sg-emulation.h"

#include <string.h>

#include "sg-arch.h"
#include "sg-error.h"

gboolean
sg_emulation_parse_factor(const gchar *text, gdouble *factor, GError **error)
{
	g_autofree gchar *word = g_strstrip(g_strdup(text != NULL ? text : ""));
	gchar *end = NULL;
	gdouble value = word[0] != '\0' ? g_ascii_strtod(word, &end) : 0;

	/* strtod takes "inf", "nan" and hex: only plain decimals are meant. */
	if (end == NULL || *end != '\0' || !g_ascii_isdigit(word[0]) ||
	    strpbrk(word, "xXeE") != NULL ||
	    !(value >= SG_EMULATION_FACTOR_MIN && value <= SG_EMULATION_FACTOR_MAX)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "EmulationFactor=%s is not a number from %g to %g", word,
			    SG_EMULATION_FACTOR_MIN, SG_EMULATION_FACTOR_MAX);
		return FALSE;
	}
	*factor = value;
	return TRUE;
}

gchar *
sg_emulation_describe(const gchar *guest_arch, const gchar *host_arch)
{
	const SgArch *guest = sg_arch_find(guest_arch);
	const SgArch *host = sg_arch_find(host_arch);

	if (guest == NULL || host == NULL || guest == host || sg_arch_machine(guest) == host)
		return NULL;
	/* "an x86_64", "an s390x", "a ppc64le": as the names are read out. */
	return g_strdup_printf("%s on %s %s host", guest->name,
			       strchr("aeiosx", host->qemu[0]) != NULL ? "an" : "a", host->qemu);
}

gchar *
sg_emulation_host_arch(virConnectPtr conn)
{
	char *caps = virConnectGetCapabilities(conn);
	gchar *arch = sg_arch_host_from_capabilities(caps);

	free(caps);
	return arch;
}

guint
sg_emulation_scale(guint seconds, gdouble factor)
{
	gdouble scaled = (gdouble)seconds * factor;
	guint whole;

	if (scaled >= (gdouble)G_MAXUINT)
		return G_MAXUINT;
	whole = (guint)scaled;
	return whole < scaled ? whole + 1 : whole;
}
