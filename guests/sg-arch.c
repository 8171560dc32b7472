#include "sg-arch.h"

#include <sys/utsname.h>

#include "sg-error.h"

/* The console each machine's first serial port is: the PC's 16550, the
 * virt machine's PL011, pseries' hypervisor console, s390's SCLP line. */
static const SgArch arches[] = {
	{"amd64", "x86_64", "x64", "ttyS0", TRUE, FALSE},
	{"i386", "i686", "ia32", "ttyS0", TRUE, FALSE},
	{"arm64", "aarch64", "aa64", "ttyAMA0", TRUE, FALSE},
	{"armhf", "armv7l", "arm", "ttyAMA0", FALSE, FALSE},
	{"ppc64el", "ppc64le", NULL, "hvc0", TRUE, TRUE},
	{"s390x", "s390x", NULL, "ttysclp0", FALSE, FALSE},
	{"riscv64", "riscv64", "riscv64", "ttyS0", FALSE, FALSE},
};

const SgArch *
sg_arch_find(const gchar *word)
{
	for (guint i = 0; word != NULL && i < G_N_ELEMENTS(arches); i++)
		if (g_str_equal(word, arches[i].name) || g_str_equal(word, arches[i].qemu))
			return &arches[i];
	return NULL;
}

const SgArch *
sg_arch_find_efi(const gchar *efi)
{
	for (guint i = 0; efi != NULL && i < G_N_ELEMENTS(arches); i++)
		if (arches[i].efi != NULL && g_ascii_strcasecmp(efi, arches[i].efi) == 0)
			return &arches[i];
	return NULL;
}

const SgArch *
sg_arch_machine(const SgArch *arch)
{
	return g_str_equal(arch->name, "i386") ? sg_arch_find("amd64") : arch;
}

const SgArch *
sg_arch_parse(const gchar *word, const gchar *what, GError **error)
{
	const SgArch *arch = sg_arch_find(word);
	g_autoptr(GString) known = g_string_new(NULL);

	if (arch != NULL && arch->guest)
		return arch;
	for (guint i = 0; i < G_N_ELEMENTS(arches); i++)
		if (arches[i].guest)
			g_string_append_printf(known, "%s%s", known->len > 0 ? ", " : "",
					       arches[i].name);
	g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s must be one of %s%s", what, known->str,
		    arch != NULL ? " (no guests of that architecture yet)" : "");
	return NULL;
}

const SgArch *
sg_arch_from_file_name(const gchar *path)
{
	g_autofree gchar *base = g_path_get_basename(path);
	gchar *dash;

	if (!g_str_has_suffix(base, ".iso"))
		return NULL;
	base[strlen(base) - strlen(".iso")] = '\0';
	/* A machine's own build: noble-desktop-arm64+x13s.iso. */
	if (strchr(base, '+') != NULL)
		*strchr(base, '+') = '\0';
	dash = strrchr(base, '-');
	return dash != NULL ? sg_arch_find(dash + 1) : NULL;
}

const SgArch *
sg_arch_host(void)
{
	struct utsname name;

	if (uname(&name) != 0)
		return NULL;
	return sg_arch_find(name.machine);
}

gchar *
sg_arch_console_args(const SgArch *arch, const gchar *args)
{
	g_auto(GStrv) words = g_strsplit(args != NULL ? args : "", " ", -1);

	for (guint i = 0; words[i] != NULL; i++) {
		const gchar *rest;
		if (!g_str_has_prefix(words[i], "console=ttyS0"))
			continue;
		rest = words[i] + strlen("console=ttyS0");
		if (rest[0] != '\0' && rest[0] != ',')
			continue;
		g_autofree gchar *old = words[i];
		words[i] = g_strconcat("console=", arch->console, rest, NULL);
	}
	return g_strjoinv(" ", words);
}

gchar *
sg_arch_host_from_capabilities(const gchar *caps)
{
	g_autoptr(GRegex) regex = g_regex_new("<host>.*?<cpu>.*?<arch>\\s*([^<\\s]+)\\s*</arch>",
					      G_REGEX_DOTALL, 0, NULL);
	g_autoptr(GMatchInfo) match = NULL;
	g_autofree gchar *word = NULL;
	const SgArch *arch;

	if (caps == NULL || !g_regex_match(regex, caps, 0, &match))
		return NULL;
	word = g_match_info_fetch(match, 1);
	arch = sg_arch_find(word);
	return arch != NULL ? g_strdup(arch->name) : NULL;
}
