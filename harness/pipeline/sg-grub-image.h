#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What grub-mkimage built into a GRUB EFI binary (its "mimg" module area,
 * include/grub/kernel.h): the prefix it starts from, the config it runs
 * before normal mode, and a memdisk (Debian's and Ubuntu's signed CD GRUB
 * carry a FAT memdisk whose grub.cfg finds the CD by /.disk/info;
 * grub-mkstandalone's is a tar). The EFI binary is not compressed, so all of
 * this is readable in place. */
typedef struct {
	gchar *prefix; /* NULL when none was built in */
	gchar *config; /* NULL when none was built in */
	GBytes *memdisk;
} SgGrubImage;

void sg_grub_image_free(SgGrubImage *image);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgGrubImage, sg_grub_image_free)

/* NULL when @binary holds no GRUB module area (not GRUB, or not readable). */
SgGrubImage *sg_grub_image_read(GBytes *binary);

/* Whether @binary is shim: it names the second stage it loads
 * (L"\\grubx64.efi"), which GRUB itself does not. */
gboolean sg_grub_image_is_shim(GBytes *binary, const gchar *second_stage);

G_END_DECLS
