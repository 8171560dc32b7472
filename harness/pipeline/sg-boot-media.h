#pragma once

#include <glib.h>

#include "sg-fat.h"

G_BEGIN_DECLS

/* The file systems a bootloader reads while it starts: the ISO itself
 * (GRUB's "cd0"), the EFI El Torito image ("efiimg") and GRUB's memdisk
 * ("memdisk"). Paths are absolute inside their device ("/boot/grub/grub.cfg").
 * The ISO is listed once; small config files are kept from that pass and
 * others are read on demand. */
typedef struct _SgBootMedia SgBootMedia;

#define SG_BOOT_DEVICE_ISO "cd0"
#define SG_BOOT_DEVICE_EFI_IMAGE "efiimg"
#define SG_BOOT_DEVICE_MEMDISK "memdisk"

void sg_boot_media_free(SgBootMedia *media);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgBootMedia, sg_boot_media_free)

/* Lists @iso; SG_ERROR_IMAGE when it is not a readable ISO 9660 image. */
SgBootMedia *sg_boot_media_open(const gchar *iso, GError **error);

const gchar *sg_boot_media_iso_path(SgBootMedia *media);

/* The ISO's volume id, and its UUID as GRUB spells it (from the volume's
 * creation time: "2023-06-10-10-37-41-00"); NULL when unreadable. */
const gchar *sg_boot_media_volume_id(SgBootMedia *media);
const gchar *sg_boot_media_uuid(SgBootMedia *media);

/* Makes @fat readable as @device (takes it). */
void sg_boot_media_add_fat(SgBootMedia *media, const gchar *device, SgFat *fat);

/* Makes the files of a tar archive in @archive readable as @device (GRUB's
 * memdisk from grub-mkstandalone); FALSE when it is no tar. */
gboolean sg_boot_media_add_tar(SgBootMedia *media, const gchar *device, GBytes *archive);

/* The path of a file or folder on @device as it is spelled there, matching
 * @path exactly or, with @any_case (ISO 9660 names as isolinux reads them;
 * FAT always), without regard to case; NULL when absent. */
gchar *sg_boot_media_find(SgBootMedia *media, const gchar *device, const gchar *path,
			  gboolean any_case);

/* Whether @path on @device is a folder (FALSE when absent). */
gboolean sg_boot_media_is_folder(SgBootMedia *media, const gchar *device, const gchar *path);

/* A file of at most @max bytes; G_IO_ERROR_NOT_FOUND when absent,
 * SG_ERROR_IMAGE when larger or unreadable. */
GBytes *sg_boot_media_read(SgBootMedia *media, const gchar *device, const gchar *path, gsize max,
			   GError **error);

G_END_DECLS
