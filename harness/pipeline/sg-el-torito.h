#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The El Torito boot catalog of an ISO: what a firmware reads to boot a CD.
 * BIOS starts the x86 entry's image (isolinux.bin, GRUB's eltorito.img);
 * UEFI mounts the EFI entry's image, a FAT file system, and starts
 * /EFI/BOOT/BOOT<ARCH>.EFI from it. */
#define SG_EL_TORITO_PLATFORM_X86 0x00
#define SG_EL_TORITO_PLATFORM_EFI 0xef

typedef struct {
	guint8 platform;
	gboolean bootable;
	guint32 lba;	 /* where the image starts, in 2048-byte sectors */
	guint16 sectors; /* its length as the catalog says, in 512-byte sectors */
} SgElToritoEntry;

/* The catalog's boot entries in order (the initial entry first). An ISO
 * without a boot record gives an empty array; a file that is not ISO 9660,
 * or a catalog that is broken, is SG_ERROR_IMAGE. */
GArray *sg_el_torito_read(const gchar *iso, GError **error);

/* The first bootable entry for @platform, or NULL. */
const SgElToritoEntry *sg_el_torito_find(GArray *entries, guint8 platform);

/* Where @entry's image starts in the ISO, in bytes. */
goffset sg_el_torito_image_offset(const SgElToritoEntry *entry);

/* @len bytes of the ISO from @entry's image on (a short read at the end of
 * the file gives fewer). */
GBytes *sg_el_torito_read_image(const gchar *iso, const SgElToritoEntry *entry, gsize len,
				GError **error);

G_END_DECLS
