#pragma once

#include "sg-boot-media.h"
#include "sg-boot-menu.h"

G_BEGIN_DECLS

/* Where isolinux looks for its config, in order (syslinux 6,
 * core/fs/iso9660: search_directories x filenames). */
extern const gchar *const sg_syslinux_config_paths[];

/* Fills @loader's config, entries, default, timeout and graphics from the
 * isolinux/syslinux config that isolinux finds on @media, following its
 * INCLUDE chain. No config is a note, not an error: the caller judges it. */
void sg_syslinux_read(SgBootMedia *media, SgBootLoader *loader);

G_END_DECLS
