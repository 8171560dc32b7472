#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A read-only FAT12/16/32 file system: the EFI El Torito
 * image of an ISO and the memdisk inside a GRUB EFI binary are both small
 * FAT images, so they are read here rather than by spawning mtools on a
 * temporary copy. Names match without regard to case, as FAT's do; long
 * (VFAT) names and 8.3 names both match. */
typedef struct _SgFat SgFat;

void sg_fat_free(SgFat *fat);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgFat, sg_fat_free)

/* Fails with SG_ERROR_IMAGE when @image is not a FAT file system; @what
 * names it in the message ("the EFI El Torito image"). */
SgFat *sg_fat_new(GBytes *image, const gchar *what, GError **error);

/* The FAT file system at @offset of the file at @path, as long as its own
 * BIOS parameter block says and at most @max_len bytes, read from the file
 * as it is needed (the file stays open until freed). A file that cannot be
 * opened is SG_ERROR_LAB. */
SgFat *sg_fat_open_file(const gchar *path, goffset offset, gsize max_len, const gchar *what,
			GError **error);

/* The file at @path ("/EFI/BOOT/BOOTX64.EFI", "EFI/boot/grub.cfg"); NULL
 * with G_IO_ERROR_NOT_FOUND when it is absent or a folder, SG_ERROR_IMAGE
 * when its clusters are broken. */
GBytes *sg_fat_read(SgFat *fat, const gchar *path, GError **error);

/* Whether a file or folder is at @path. */
gboolean sg_fat_exists(SgFat *fat, const gchar *path);

/* The names in the folder at @path as the file system spells them (long
 * names where there are), without "." and "..", or NULL when it is no folder. */
GStrv sg_fat_list(SgFat *fat, const gchar *path);

G_END_DECLS
