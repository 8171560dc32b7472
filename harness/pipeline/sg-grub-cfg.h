#pragma once

#include "sg-boot-media.h"
#include "sg-boot-menu.h"

G_BEGIN_DECLS

/* How a GRUB starts: where it was loaded from and what was built into it. */
typedef struct {
	const gchar *platform; /* grub_platform: "efi", "pc" */
	const gchar *cpu;      /* grub_cpu: "x86_64", "i386", "arm64" */
	const gchar *device;   /* the device it was loaded from: "efiimg", "cd0" */
	const gchar *cmdpath;  /* "(efiimg)/EFI/BOOT" */
	const gchar *prefix;   /* built in; without "(device)" it is on @device;
				  NULL: the binary's folder, as GRUB does */
	const gchar *embedded; /* the built-in config, NULL when none */
} SgGrubStart;

/* Runs GRUB's start-up as far as it can be decided without booting: the
 * built-in config, then normal mode's $prefix/grub.cfg, following source,
 * configfile and normal into other files (bounded), evaluating `if` where
 * the answer is known (grub_platform, a file's presence, search) and
 * marking settings made in other branches MAYBE. Fills @loader's config,
 * entries, default, timeout, timeout_style, graphics and notes. */
void sg_grub_run(SgBootMedia *media, const SgGrubStart *start, SgBootLoader *loader);

G_END_DECLS
