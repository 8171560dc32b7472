/* The FAT reader on the EFI El Torito image and GRUB's memdisk: both come
 * from the image under test. Every folder's listing and every file found
 * in the root, /EFI and /EFI/BOOT are read.
 *
 * Input: a FAT image. Seeds are small FAT12 images made by mkfs.fat and
 * mcopy, holding EFI/BOOT/BOOTX64.EFI and boot/grub/grub.cfg. */

#include "sg-fat.h"
#include "sg-fuzz.h"

static void
sg_fuzz_setup(const gchar *dir)
{
	/* nothing on disk: the input is handed over in memory */
}

static void
read_folder(SgFat *fat, const gchar *folder)
{
	g_auto(GStrv) names = sg_fat_list(fat, folder);

	for (guint i = 0; names != NULL && names[i] != NULL; i++) {
		g_autofree gchar *path = g_build_path("/", folder, names[i], NULL);
		g_autoptr(GBytes) bytes = sg_fat_read(fat, path, NULL);
		(void)sg_fat_exists(fat, path);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(GBytes) image = g_bytes_new(data, size);
	g_autoptr(SgFat) fat = sg_fat_new(image, "the fuzzed image", NULL);

	if (fat == NULL)
		return 0;
	read_folder(fat, "/");
	read_folder(fat, "/EFI");
	read_folder(fat, "/EFI/BOOT");
	read_folder(fat, "/boot/grub");
	return 0;
}
