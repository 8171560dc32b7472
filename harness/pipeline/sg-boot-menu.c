#include "sg-boot-menu.h"

#include <gio/gio.h>
#include <string.h>

#include "sg-boot-media.h"
#include "sg-el-torito.h"
#include "sg-error.h"
#include "sg-fat.h"
#include "sg-grub-cfg.h"
#include "sg-grub-image.h"
#include "sg-syslinux-cfg.h"

/* Bounds on what is read into memory: real EFI images are a few MiB, GRUB
 * binaries a few MiB, isolinux.bin 40 KiB. */
#define BOOT_IMAGE_PROBE (64 * 1024)
#define MAX_EFI_IMAGE (256 * 1024 * 1024)
#define MAX_EFI_BINARY (64 * 1024 * 1024)

/* Where distributions keep isolinux.bin; the El Torito entry gives only a
 * sector, and naming the file is for people. */
static const gchar *const isolinux_bins[] = {
	"/isolinux/isolinux.bin", "/boot/isolinux/isolinux.bin",
	"/syslinux/isolinux.bin", "/boot/syslinux/isolinux.bin",
	"/isolinux.bin",	  NULL,
};
static const gchar *const grub_eltorito_images[] = {
	"/boot/grub/i386-pc/eltorito.img",
	"/boot/grub/grub_eltorito",
	"/boot/grub/eltorito.img",
	NULL,
};

void
sg_boot_entry_free(SgBootEntry *entry)
{
	if (entry == NULL)
		return;
	g_free(entry->title);
	g_free(entry->label);
	g_free(entry->submenu);
	g_free(entry->kernel);
	g_strfreev(entry->initrds);
	g_free(entry->args);
	g_strfreev(entry->editor_lines);
	g_free(entry);
}

void
sg_boot_loader_free(SgBootLoader *loader)
{
	if (loader == NULL)
		return;
	g_free(loader->arch);
	g_free(loader->loader);
	g_free(loader->second_stage);
	g_free(loader->grub_prefix);
	g_free(loader->grub_embedded);
	g_free(loader->config);
	g_ptr_array_unref(loader->config_files);
	g_ptr_array_unref(loader->entries);
	g_free(loader->timeout_style);
	g_ptr_array_unref(loader->notes);
	g_free(loader);
}

static void
problem_free(SgBootProblem *problem)
{
	g_free(problem->arch);
	g_free(problem->message);
	g_free(problem);
}

void
sg_boot_menu_free(SgBootMenu *menu)
{
	if (menu == NULL)
		return;
	sg_boot_loader_free(menu->bios);
	g_ptr_array_unref(menu->uefi);
	g_ptr_array_unref(menu->problems);
	g_free(menu);
}

static SgBootLoader *
loader_new(SgBootFirmware firmware, const gchar *arch)
{
	SgBootLoader *loader = g_new0(SgBootLoader, 1);
	loader->firmware = firmware;
	loader->arch = g_strdup(arch);
	loader->config_files = g_ptr_array_new_with_free_func(g_free);
	loader->entries = g_ptr_array_new_with_free_func((GDestroyNotify)sg_boot_entry_free);
	loader->default_entry = -1;
	loader->timeout_ds = -1;
	loader->timeout_known = SG_BOOT_YES;
	loader->graphical = SG_BOOT_NO;
	loader->notes = g_ptr_array_new_with_free_func(g_free);
	return loader;
}

gchar *
sg_boot_loader_describe(const SgBootLoader *loader)
{
	if (loader->firmware == SG_BOOT_FIRMWARE_BIOS)
		return g_strdup("BIOS");
	return g_strdup_printf("UEFI (%s)", loader->arch);
}

static void add_problem(SgBootMenu *menu, SgBootFirmware firmware, const gchar *arch,
			const gchar *format, ...) G_GNUC_PRINTF(4, 5);

static void
add_problem(SgBootMenu *menu, SgBootFirmware firmware, const gchar *arch, const gchar *format, ...)
{
	SgBootProblem *problem = g_new0(SgBootProblem, 1);
	va_list args;

	va_start(args, format);
	problem->firmware = firmware;
	problem->arch = g_strdup(arch);
	problem->message = g_strdup_vprintf(format, args);
	va_end(args);
	g_ptr_array_add(menu->problems, problem);
}

static gboolean
contains(GBytes *bytes, const gchar *text)
{
	gsize len;
	const guint8 *data = g_bytes_get_data(bytes, &len);
	return memmem(data, len, text, strlen(text)) != NULL;
}

static gchar *
first_present(SgBootMedia *media, const gchar *const *paths)
{
	for (guint i = 0; paths[i] != NULL; i++) {
		gchar *found = sg_boot_media_find(media, SG_BOOT_DEVICE_ISO, paths[i], TRUE);
		if (found != NULL)
			return found;
	}
	return NULL;
}

/* BIOS runs the x86 entry's image: isolinux.bin says "ISOLINUX", GRUB's
 * cdboot.img (the start of eltorito.img) "cdrom read fails". */
static SgBootLoader *
read_bios(SgBootMedia *media, const SgElToritoEntry *entry, GError **error)
{
	g_autoptr(SgBootLoader) loader = loader_new(SG_BOOT_FIRMWARE_BIOS, "x86");
	g_autoptr(GBytes) image = sg_el_torito_read_image(sg_boot_media_iso_path(media), entry,
							  BOOT_IMAGE_PROBE, error);

	if (image == NULL)
		return NULL;
	if (contains(image, "ISOLINUX")) {
		loader->loader = first_present(media, isolinux_bins);
		sg_syslinux_read(media, loader);
	} else if (contains(image, "cdrom read fails")) {
		SgGrubStart start = {
			.platform = "pc",
			.cpu = "i386",
			.device = SG_BOOT_DEVICE_ISO,
			.cmdpath = "(cd0)/boot/grub/i386-pc",
			.prefix = "/boot/grub",
		};
		loader->loader = first_present(media, grub_eltorito_images);
		g_ptr_array_add(loader->notes,
				g_strdup("GRUB (BIOS): its built-in prefix is compressed in "
					 "core.img and not read; /boot/grub is assumed, as "
					 "grub-mkrescue and Ubuntu's images use"));
		sg_grub_run(media, &start, loader);
	} else {
		loader->kind = SG_BOOT_LOADER_UNKNOWN;
		g_ptr_array_add(loader->notes,
				g_strdup_printf("the El Torito image at sector %u is neither "
						"isolinux nor GRUB: its menu is not read",
						entry->lba));
	}
	if (loader->loader == NULL)
		loader->loader = g_strdup_printf("(El Torito image at sector %u)", entry->lba);
	return g_steal_pointer(&loader);
}

/* /EFI/BOOT/BOOT<ARCH>.EFI: the name says the architecture (UEFI spec
 * 3.5.1.1), and GRUB's cpu follows from it. */
static const struct {
	const gchar *arch;
	const gchar *grub_cpu;
} efi_arches[] = {
	{"x64", "x86_64"}, {"ia32", "i386"},	   {"aa64", "arm64"},
	{"arm", "arm"},	   {"riscv64", "riscv64"}, {"loongarch64", "loongarch64"},
};

static const gchar *
grub_cpu_of(const gchar *arch)
{
	for (guint i = 0; i < G_N_ELEMENTS(efi_arches); i++)
		if (g_str_equal(efi_arches[i].arch, arch))
			return efi_arches[i].grub_cpu;
	return arch;
}

/* The EFI El Torito image's FAT, read from the ISO where it lies. */
static SgFat *
open_efi_image(SgBootMedia *media, const SgElToritoEntry *entry, GError **error)
{
	/* The catalog's sector count is often 0 or 1 for images over 32 MiB:
	 * the FAT's own size is the one to trust. */
	return sg_fat_open_file(sg_boot_media_iso_path(media), sg_el_torito_image_offset(entry),
				MAX_EFI_IMAGE, "the EFI El Torito image", error);
}

static void
run_grub(SgBootMedia *media, SgBootLoader *loader, GBytes *binary)
{
	g_autoptr(SgGrubImage) image = sg_grub_image_read(binary);
	SgGrubStart start = {
		.platform = "efi",
		.cpu = grub_cpu_of(loader->arch),
		.device = SG_BOOT_DEVICE_EFI_IMAGE,
		.cmdpath = "(efiimg)/EFI/BOOT",
	};

	loader->kind = SG_BOOT_LOADER_GRUB;
	loader->grub_prefix = g_strdup(image->prefix);
	loader->grub_embedded = g_strdup(image->config);
	start.prefix = image->prefix;
	start.embedded = image->config;
	if (image->memdisk != NULL) {
		g_autoptr(GError) error = NULL;
		SgFat *fat = sg_fat_new(image->memdisk, "GRUB's memdisk", &error);
		if (fat != NULL)
			sg_boot_media_add_fat(media, SG_BOOT_DEVICE_MEMDISK, fat);
		else if (!sg_boot_media_add_tar(media, SG_BOOT_DEVICE_MEMDISK, image->memdisk))
			g_ptr_array_add(
				loader->notes,
				g_strdup("GRUB's memdisk is neither FAT nor tar: not read"));
	}
	sg_grub_run(media, &start, loader);
}

static GBytes *
read_efi_file(SgBootMedia *media, const gchar *path)
{
	return sg_boot_media_read(media, SG_BOOT_DEVICE_EFI_IMAGE, path, MAX_EFI_BINARY, NULL);
}

static SgBootLoader *
read_uefi_loader(SgBootMenu *menu, SgBootMedia *media, const gchar *file, const gchar *arch)
{
	g_autoptr(SgBootLoader) loader = loader_new(SG_BOOT_FIRMWARE_UEFI, arch);
	g_autofree gchar *path = g_strconcat("/EFI/BOOT/", file, NULL);
	g_autoptr(GBytes) binary = read_efi_file(media, path);
	g_autofree gchar *second = g_strdup_printf("grub%s.efi", arch);
	g_autoptr(SgGrubImage) grub = NULL;

	loader->loader = g_strdup_printf("(efiimg)%s", path);
	if (binary == NULL) {
		add_problem(menu, SG_BOOT_FIRMWARE_UEFI, arch, "the EFI image's %s cannot be read",
			    path);
		return g_steal_pointer(&loader);
	}
	grub = sg_grub_image_read(binary);
	if (grub != NULL) {
		run_grub(media, loader, binary);
		return g_steal_pointer(&loader);
	}
	if (sg_grub_image_is_shim(binary, second)) {
		g_autofree gchar *second_path = g_strconcat("/EFI/BOOT/", second, NULL);
		g_autofree gchar *found =
			sg_boot_media_find(media, SG_BOOT_DEVICE_EFI_IMAGE, second_path, TRUE);
		g_autoptr(GBytes) stage = NULL;

		loader->second_stage =
			g_strdup_printf("(efiimg)%s", found != NULL ? found : second_path);
		if (found == NULL) {
			add_problem(
				menu, SG_BOOT_FIRMWARE_UEFI, arch,
				"the EFI image's %s is shim, and the %s it starts is not beside "
				"it",
				path, second);
			return g_steal_pointer(&loader);
		}
		stage = read_efi_file(media, found);
		if (stage != NULL)
			grub = sg_grub_image_read(stage);
		if (grub != NULL) {
			run_grub(media, loader, stage);
			return g_steal_pointer(&loader);
		}
	}
	loader->kind = SG_BOOT_LOADER_UNKNOWN;
	g_ptr_array_add(loader->notes,
			g_strdup_printf("%s is neither GRUB nor shim starting GRUB: its menu is "
					"not read",
					loader->second_stage != NULL ? loader->second_stage
								     : loader->loader));
	return g_steal_pointer(&loader);
}

static void
read_uefi(SgBootMenu *menu, SgBootMedia *media, const SgElToritoEntry *entry)
{
	g_autoptr(GError) error = NULL;
	SgFat *fat = open_efi_image(media, entry, &error);
	g_auto(GStrv) names = NULL;

	if (fat == NULL) {
		add_problem(menu, SG_BOOT_FIRMWARE_UEFI, NULL, "%s: UEFI cannot read it",
			    error->message);
		return;
	}
	sg_boot_media_add_fat(media, SG_BOOT_DEVICE_EFI_IMAGE, fat);
	names = sg_fat_list(fat, "/EFI/BOOT");
	for (guint i = 0; names != NULL && names[i] != NULL; i++) {
		g_autofree gchar *upper = g_ascii_strup(names[i], -1);
		g_autofree gchar *arch = NULL;
		if (!g_str_has_prefix(upper, "BOOT") || !g_str_has_suffix(upper, ".EFI"))
			continue;
		arch = g_ascii_strdown(upper + 4, strlen(upper) - 8);
		g_ptr_array_add(menu->uefi, read_uefi_loader(menu, media, names[i], arch));
	}
	if (menu->uefi->len == 0)
		add_problem(menu, SG_BOOT_FIRMWARE_UEFI, NULL,
			    "the EFI El Torito image has no /EFI/BOOT/BOOT<arch>.EFI: a UEFI "
			    "machine finds nothing to start on it");
}

/* Whether the loader finds @path: isolinux reads ISO 9660 names without
 * regard to case; GRUB's other devices keep their "(device)" prefix. */
static gboolean
on_image(SgBootMedia *media, const SgBootLoader *loader, const gchar *path)
{
	g_autofree gchar *found = NULL;
	const gchar *device = SG_BOOT_DEVICE_ISO;
	g_autofree gchar *inner = NULL;

	if (path[0] == '(') {
		const gchar *close = strchr(path, ')');
		if (close == NULL)
			return FALSE;
		g_autofree gchar *dev = g_strndup(path + 1, close - path - 1);
		inner = g_strdup(close + 1);
		found = sg_boot_media_find(media, dev, inner, TRUE);
	} else {
		found = sg_boot_media_find(media, device, path,
					   loader->kind == SG_BOOT_LOADER_ISOLINUX);
	}
	return found != NULL;
}

static void
check_loader(SgBootMenu *menu, SgBootMedia *media, SgBootLoader *loader)
{
	g_autofree gchar *name = sg_boot_loader_describe(loader);
	const SgBootEntry *chosen;

	for (guint i = 0; i < loader->entries->len; i++) {
		SgBootEntry *entry = g_ptr_array_index(loader->entries, i);
		if (entry->kernel != NULL && !on_image(media, loader, entry->kernel))
			entry->missing = TRUE;
		for (guint r = 0; entry->initrds != NULL && entry->initrds[r] != NULL; r++)
			if (!on_image(media, loader, entry->initrds[r]))
				entry->missing = TRUE;
	}
	if (loader->kind == SG_BOOT_LOADER_UNKNOWN)
		return;
	if (loader->config == NULL) {
		if (loader->kind == SG_BOOT_LOADER_ISOLINUX)
			add_problem(menu, loader->firmware, loader->arch,
				    "%s: isolinux finds no isolinux.cfg or syslinux.cfg in "
				    "/boot/isolinux, /isolinux, /boot/syslinux, /syslinux or /",
				    name);
		else
			add_problem(menu, loader->firmware, loader->arch,
				    "%s: GRUB finds no grub.cfg (prefix %s): it stops at its "
				    "grub> prompt",
				    name,
				    loader->grub_prefix != NULL ? loader->grub_prefix : "unset");
		return;
	}
	if (loader->entries->len == 0) {
		g_ptr_array_add(loader->config_files, NULL);
		g_autofree gchar *files = g_strjoinv(", ", (gchar **)loader->config_files->pdata);
		g_ptr_array_remove_index(loader->config_files, loader->config_files->len - 1);
		if (loader->kind == SG_BOOT_LOADER_GRUB)
			add_problem(menu, loader->firmware, loader->arch,
				    "%s: GRUB finds no menu entry in what it reads (%s): it stops "
				    "at its grub> prompt",
				    name, files);
		else
			add_problem(menu, loader->firmware, loader->arch,
				    "%s: isolinux finds no entry that boots a kernel in %s", name,
				    files);
		return;
	}
	chosen = sg_boot_loader_default(loader);
	if (chosen == NULL || chosen->kernel == NULL)
		return;
	if (!on_image(media, loader, chosen->kernel))
		add_problem(menu, loader->firmware, loader->arch,
			    "the %s menu's default entry '%s' boots %s, which is not on the image",
			    name, chosen->title, chosen->kernel);
	for (guint r = 0; chosen->initrds[r] != NULL; r++)
		if (!on_image(media, loader, chosen->initrds[r]))
			add_problem(menu, loader->firmware, loader->arch,
				    "the %s menu's default entry '%s' loads the initrd %s, which "
				    "is not on the image",
				    name, chosen->title, chosen->initrds[r]);
}

SgBootMenu *
sg_boot_menu_read(const gchar *iso, GError **error)
{
	g_autoptr(SgBootMenu) menu = g_new0(SgBootMenu, 1);
	g_autoptr(SgBootMedia) media = NULL;
	g_autoptr(GArray) catalog = NULL;
	const SgElToritoEntry *bios, *efi;

	menu->uefi = g_ptr_array_new_with_free_func((GDestroyNotify)sg_boot_loader_free);
	menu->problems = g_ptr_array_new_with_free_func((GDestroyNotify)problem_free);
	catalog = sg_el_torito_read(iso, error);
	if (catalog == NULL)
		return NULL;
	media = sg_boot_media_open(iso, error);
	if (media == NULL)
		return NULL;

	bios = sg_el_torito_find(catalog, SG_EL_TORITO_PLATFORM_X86);
	if (bios != NULL) {
		menu->bios = read_bios(media, bios, error);
		if (menu->bios == NULL)
			return NULL;
		check_loader(menu, media, menu->bios);
	} else {
		add_problem(menu, SG_BOOT_FIRMWARE_BIOS, NULL,
			    "the image has no El Torito boot entry for BIOS: a BIOS machine finds "
			    "nothing to boot on it");
	}

	efi = sg_el_torito_find(catalog, SG_EL_TORITO_PLATFORM_EFI);
	if (efi != NULL) {
		read_uefi(menu, media, efi);
		for (guint i = 0; i < menu->uefi->len; i++)
			check_loader(menu, media, g_ptr_array_index(menu->uefi, i));
	} else {
		add_problem(menu, SG_BOOT_FIRMWARE_UEFI, NULL,
			    "the image has no EFI El Torito boot entry: a UEFI machine finds "
			    "nothing to boot on it");
	}
	return g_steal_pointer(&menu);
}

SgBootLoader *
sg_boot_menu_uefi(const SgBootMenu *menu, const gchar *arch)
{
	for (guint i = 0; i < menu->uefi->len; i++) {
		SgBootLoader *loader = g_ptr_array_index(menu->uefi, i);
		if (g_str_equal(loader->arch, arch))
			return loader;
	}
	return NULL;
}

const SgBootEntry *
sg_boot_loader_default(const SgBootLoader *loader)
{
	if (loader->default_entry < 0 || (guint)loader->default_entry >= loader->entries->len)
		return NULL;
	return g_ptr_array_index(loader->entries, loader->default_entry);
}

static const gchar *
answer_name(SgBootAnswer answer)
{
	return answer == SG_BOOT_YES ? "yes" : answer == SG_BOOT_NO ? "no" : "maybe";
}

static const gchar *
kind_name(SgBootLoaderKind kind)
{
	return kind == SG_BOOT_LOADER_ISOLINUX ? "isolinux"
	       : kind == SG_BOOT_LOADER_GRUB   ? "grub"
					       : "unknown";
}

static void
describe_loader(GString *out, const SgBootLoader *loader)
{
	g_autofree gchar *name = sg_boot_loader_describe(loader);

	g_string_append_printf(out, "%s: %s %s", name, kind_name(loader->kind), loader->loader);
	if (loader->second_stage != NULL)
		g_string_append_printf(out, " -> %s", loader->second_stage);
	g_string_append_c(out, '\n');
	if (loader->grub_prefix != NULL)
		g_string_append_printf(out, "  prefix: %s\n", loader->grub_prefix);
	g_string_append_printf(out, "  config: %s\n",
			       loader->config != NULL ? loader->config : "none");
	for (guint i = 0; i < loader->config_files->len; i++)
		g_string_append_printf(out, "  read: %s\n",
				       (const gchar *)g_ptr_array_index(loader->config_files, i));
	if (loader->timeout_ds < 0)
		g_string_append(out, "  timeout: waits for a key");
	else
		g_string_append_printf(out, "  timeout: %d.%d s", loader->timeout_ds / 10,
				       loader->timeout_ds % 10);
	if (loader->timeout_known != SG_BOOT_YES)
		g_string_append_printf(out, " (certain: %s)", answer_name(loader->timeout_known));
	g_string_append_c(out, '\n');
	if (loader->timeout_style != NULL)
		g_string_append_printf(out, "  timeout_style: %s\n", loader->timeout_style);
	g_string_append_printf(out, "  graphical: %s\n", answer_name(loader->graphical));
	g_string_append_printf(out, "  default: %d\n", loader->default_entry);
	for (guint i = 0; i < loader->entries->len; i++) {
		const SgBootEntry *entry = g_ptr_array_index(loader->entries, i);
		g_autofree gchar *initrds =
			entry->initrds != NULL ? g_strjoinv(",", entry->initrds) : g_strdup("");
		g_string_append_printf(out, "  entry %u: '%s'", i, entry->title);
		if (entry->submenu != NULL)
			g_string_append_printf(out, " in '%s'", entry->submenu);
		g_string_append_printf(out, " kernel=%s initrd=%s args=%s",
				       entry->kernel != NULL ? entry->kernel : "-", initrds,
				       entry->args != NULL ? entry->args : "");
		if (entry->editor_lines != NULL)
			g_string_append_printf(out, " linux-line=%d", entry->editor_linux_line);
		if (entry->hidden)
			g_string_append(out, " hidden");
		if (entry->missing)
			g_string_append(out, " missing");
		g_string_append_c(out, '\n');
	}
	for (guint i = 0; i < loader->notes->len; i++)
		g_string_append_printf(out, "  note: %s\n",
				       (const gchar *)g_ptr_array_index(loader->notes, i));
}

gchar *
sg_boot_menu_to_string(const SgBootMenu *menu)
{
	GString *out = g_string_new(NULL);

	if (menu->bios != NULL)
		describe_loader(out, menu->bios);
	for (guint i = 0; i < menu->uefi->len; i++)
		describe_loader(out, g_ptr_array_index(menu->uefi, i));
	for (guint i = 0; i < menu->problems->len; i++) {
		const SgBootProblem *problem = g_ptr_array_index(menu->problems, i);
		g_string_append_printf(out, "problem: %s\n", problem->message);
	}
	return g_string_free(out, FALSE);
}
