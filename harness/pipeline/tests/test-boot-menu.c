#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "sg-boot-menu.h"
#include "sg-error.h"
#include "sg-fat.h"

/* Real bootloaders and menus from Debian's packages, laid out on ISOs made
 * by xorriso as the distributions' tools lay them out (data/README). */
#define ISOLINUX_BIN "/usr/lib/ISOLINUX/isolinux.bin"
#define LDLINUX_C32 "/usr/lib/syslinux/modules/bios/ldlinux.c32"
#define GCDX64 "/usr/lib/grub/x86_64-efi/monolithic/gcdx64.efi"
#define GRUB_PC_DIR "/usr/lib/grub/i386-pc"
#define DI_TEXT "/usr/lib/debian-installer/images/12/amd64/text"
#define DI_AMD64 DI_TEXT "/debian-installer/amd64"

typedef struct {
	gchar *dir;
	gchar *tree;
	gchar *iso;
} Fixture;

static void
run(const gchar *const *argv)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *out = NULL;
	g_autofree gchar *err = NULL;
	gint status = -1;

	/* Their chatter on stdout would break the TAP stream. */
	g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
		     &status, &error);
	g_assert_no_error(error);
	if (!g_spawn_check_wait_status(status, NULL))
		g_error("%s failed: %s", argv[0], err);
}

static gchar *
data_path(const gchar *name)
{
	return g_test_build_filename(G_TEST_DIST, "data", "boot-menu", name, NULL);
}

static gchar *
tree_path(Fixture *f, const gchar *path)
{
	g_autofree gchar *full = g_build_filename(f->tree, path, NULL);
	g_autofree gchar *dir = g_path_get_dirname(full);
	g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
	return g_steal_pointer(&full);
}

static void
put(Fixture *f, const gchar *path, const gchar *contents)
{
	g_autofree gchar *full = tree_path(f, path);
	g_assert_true(g_file_set_contents(full, contents, -1, NULL));
}

static gchar *
read_text(const gchar *file)
{
	g_autofree gchar *contents = NULL;
	g_autoptr(GError) error = NULL;
	g_assert_true(g_file_get_contents(file, &contents, NULL, &error));
	g_assert_no_error(error);
	return g_steal_pointer(&contents);
}

static void
copy(Fixture *f, const gchar *path, const gchar *source)
{
	g_autofree gchar *full = tree_path(f, path);
	g_autoptr(GFile) from = g_file_new_for_path(source);
	g_autoptr(GFile) to = g_file_new_for_path(full);
	g_autoptr(GError) error = NULL;
	g_assert_true(g_file_copy(from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error));
}

/* A data file with @from replaced by @to, as the distributions' build
 * scripts fill in their templates. */
static void
put_rendered(Fixture *f, const gchar *path, const gchar *data, const gchar *const *replace)
{
	g_autofree gchar *source = data_path(data);
	g_autofree gchar *text = read_text(source);
	for (guint i = 0; replace != NULL && replace[i] != NULL; i += 2) {
		g_auto(GStrv) parts = g_strsplit(text, replace[i], -1);
		g_free(text);
		text = g_strjoinv(replace[i + 1], parts);
	}
	put(f, path, text);
}

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
	f->dir = g_dir_make_tmp("sg-boot-menu-XXXXXX", NULL);
	f->tree = g_build_filename(f->dir, "tree", NULL);
	f->iso = g_build_filename(f->dir, "test.iso", NULL);
	g_assert_cmpint(g_mkdir(f->tree, 0755), ==, 0);
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
	const gchar *argv[] = {"rm", "-rf", f->dir, NULL};
	run(argv);
	g_free(f->dir);
	g_free(f->tree);
	g_free(f->iso);
}

static gboolean
have(const gchar *file)
{
	if (g_file_test(file, G_FILE_TEST_EXISTS))
		return TRUE;
	g_test_skip_printf("%s is not installed", file);
	return FALSE;
}

/* A FAT image of @size_kib holding the folder @stage, as debian-cd and
 * live-build make efi.img: mkfs.msdos, then mcopy. */
static void
make_fat(const gchar *image, guint size_kib, const gchar *stage, const gchar *const *fat_args)
{
	g_autofree gchar *size = g_strdup_printf("%u", size_kib);
	g_autoptr(GStrvBuilder) mkfs = g_strv_builder_new();
	g_auto(GStrv) mkfs_argv = NULL;
	g_autoptr(GDir) dir = g_dir_open(stage, 0, NULL);
	const gchar *name;

	g_strv_builder_add_many(mkfs, "mkfs.fat", "-C", NULL);
	if (fat_args != NULL)
		g_strv_builder_addv(mkfs, (const gchar **)fat_args);
	g_strv_builder_add_many(mkfs, image, size, NULL);
	mkfs_argv = g_strv_builder_end(mkfs);
	run((const gchar *const *)mkfs_argv);
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *source = g_build_filename(stage, name, NULL);
		const gchar *argv[] = {"mcopy", "-s", "-i", image, source, "::", NULL};
		run(argv);
	}
}

/* The EFI El Torito image from the files of @stage (made under f->dir). */
static gchar *
make_efi_image(Fixture *f, const gchar *stage, guint size_kib)
{
	gchar *image = g_build_filename(f->dir, "efi.img", NULL);
	make_fat(image, size_kib, stage, NULL);
	return image;
}

static gchar *
stage_dir(Fixture *f, const gchar *name)
{
	gchar *dir = g_build_filename(f->dir, name, NULL);
	g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
	return dir;
}

static void
stage_copy(const gchar *stage, const gchar *path, const gchar *source)
{
	g_autofree gchar *full = g_build_filename(stage, path, NULL);
	g_autofree gchar *dir = g_path_get_dirname(full);
	g_autoptr(GFile) from = g_file_new_for_path(source);
	g_autoptr(GFile) to = g_file_new_for_path(full);
	g_autoptr(GError) error = NULL;
	g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
	g_assert_true(g_file_copy(from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error));
}

typedef enum {
	BIOS_NONE,
	BIOS_ISOLINUX,
	BIOS_GRUB, /* /boot/grub/i386-pc/eltorito.img, as Ubuntu's images */
} BiosBoot;

typedef enum {
	EFI_NONE,
	EFI_IN_TREE,  /* /boot/grub/efi.img, as debian-cd and live-build */
	EFI_APPENDED, /* an appended partition, as Ubuntu's images */
} EfiBoot;

static void
make_iso(Fixture *f, BiosBoot bios, EfiBoot efi, const gchar *efi_image)
{
	g_autoptr(GStrvBuilder) args = g_strv_builder_new();
	g_auto(GStrv) argv = NULL;

	g_strv_builder_add_many(args, "xorriso", "-as", "mkisofs", "-quiet", "-R", "-J", "-V",
				"TEST_BOOT", "-o", f->iso, NULL);
	if (bios == BIOS_ISOLINUX) {
		copy(f, "isolinux/isolinux.bin", ISOLINUX_BIN);
		copy(f, "isolinux/ldlinux.c32", LDLINUX_C32);
		g_strv_builder_add_many(args, "-b", "isolinux/isolinux.bin", "-c",
					"isolinux/boot.cat", "-no-emul-boot", "-boot-load-size",
					"4", "-boot-info-table", NULL);
	} else if (bios == BIOS_GRUB) {
		g_autofree gchar *image = tree_path(f, "boot/grub/i386-pc/eltorito.img");
		const gchar *mkimage[] = {"grub-mkimage", "-O",	      "i386-pc-eltorito", "-d",
					  GRUB_PC_DIR,	  "-p",	      "/boot/grub",	  "-o",
					  image,	  "biosdisk", "iso9660",	  "normal",
					  "search",	  NULL};
		run(mkimage);
		g_strv_builder_add_many(args, "-b", "boot/grub/i386-pc/eltorito.img", "-c",
					"boot.catalog", "-no-emul-boot", "-boot-load-size", "4",
					"-boot-info-table", NULL);
	}
	if (efi == EFI_IN_TREE) {
		copy(f, "boot/grub/efi.img", efi_image);
		if (bios != BIOS_NONE)
			g_strv_builder_add(args, "-eltorito-alt-boot");
		g_strv_builder_add_many(args, "-e", "boot/grub/efi.img", "-no-emul-boot", NULL);
	} else if (efi == EFI_APPENDED) {
		g_strv_builder_add_many(args, "-append_partition", "2", "0xef", efi_image, NULL);
		if (bios != BIOS_NONE)
			g_strv_builder_add(args, "-eltorito-alt-boot");
		g_strv_builder_add_many(
			args, "-e", "--interval:appended_partition_2:all::", "-no-emul-boot", NULL);
	}
	g_strv_builder_add(args, f->tree);
	argv = g_strv_builder_end(args);
	run((const gchar *const *)argv);
}

/* An ISO whose EFI image of @size_kib holds @files (pairs: the path in the
 * image, the file to copy there). */
static void
make_iso_with_efi(Fixture *f, BiosBoot bios, EfiBoot efi, guint size_kib, const gchar *const *files)
{
	g_autofree gchar *stage = stage_dir(f, "efi");
	g_autofree gchar *image = NULL;

	for (guint i = 0; files[i] != NULL; i += 2)
		stage_copy(stage, files[i], files[i + 1]);
	image = make_efi_image(f, stage, size_kib);
	make_iso(f, bios, efi, image);
}

static SgBootMenu *
read_menu(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	SgBootMenu *menu = sg_boot_menu_read(f->iso, &error);
	g_assert_no_error(error);
	g_assert_nonnull(menu);
	if (g_test_verbose()) {
		g_autofree gchar *text = sg_boot_menu_to_string(menu);
		g_test_message("%s", text);
	}
	return menu;
}

static gboolean
has_string(GPtrArray *strings, const gchar *wanted)
{
	for (guint i = 0; i < strings->len; i++)
		if (g_str_equal(g_ptr_array_index(strings, i), wanted))
			return TRUE;
	return FALSE;
}

static guint
count_problems(const SgBootMenu *menu)
{
	return menu->problems->len;
}

static const SgBootProblem *
problem(const SgBootMenu *menu, guint i)
{
	g_assert_cmpuint(i, <, menu->problems->len);
	return g_ptr_array_index(menu->problems, i);
}

static const SgBootEntry *
entry_titled(const SgBootLoader *loader, const gchar *title)
{
	for (guint i = 0; i < loader->entries->len; i++) {
		const SgBootEntry *entry = g_ptr_array_index(loader->entries, i);
		if (g_str_equal(entry->title, title))
			return entry;
	}
	return NULL;
}

/* ---- Debian live (live-build) */

static void
lay_out_live_build(Fixture *f, const gchar *menu_kernel)
{
	const gchar *isolinux_vars[] = {"@KERNEL@", "vmlinuz", NULL};
	const gchar *grub_vars[] = {"@KERNEL@", menu_kernel, "@INITRD@",
				    "initrd.img-6.1.0-18-amd64", NULL};
	const gchar *isolinux_broken[] = {"@KERNEL@", menu_kernel, NULL};
	g_autofree gchar *efi_cfg = data_path("live-build/efi/grub.cfg");

	put(f, ".disk/info", "Debian GNU/Linux 12 \"Bookworm\" - Official Live amd64");
	put(f, "live/vmlinuz", "kernel");
	put(f, "live/initrd.img", "initrd");
	put(f, "live/vmlinuz-6.1.0-18-amd64", "kernel");
	put(f, "live/initrd.img-6.1.0-18-amd64", "initrd");
	put(f, "live/filesystem.squashfs", "root");
	for (const gchar *const *name =
		     (const gchar *const[]){"isolinux.cfg", "menu.cfg", "stdmenu.cfg",
					    "utilities.cfg", NULL};
	     *name != NULL; name++) {
		g_autofree gchar *from = g_strconcat("live-build/isolinux/", *name, NULL);
		g_autofree gchar *to = g_strconcat("isolinux/", *name, NULL);
		g_autofree gchar *source = data_path(from);
		copy(f, to, source);
	}
	put_rendered(f, "isolinux/live.cfg", "live-build/isolinux/live.cfg.in",
		     g_str_equal(menu_kernel, "vmlinuz-6.1.0-18-amd64") ? isolinux_vars
									: isolinux_broken);
	put_rendered(f, "boot/grub/grub.cfg", "live-build/grub/grub.cfg.in", grub_vars);
	for (const gchar *const *name = (const gchar *const[]){"config.cfg", "theme.cfg", NULL};
	     *name != NULL; name++) {
		g_autofree gchar *from = g_strconcat("live-build/grub/", *name, NULL);
		g_autofree gchar *to = g_strconcat("boot/grub/", *name, NULL);
		g_autofree gchar *source = data_path(from);
		copy(f, to, source);
	}
	/* binary_grub-efi: GRUB for CDs as EFI/boot/boot<arch>.efi (shim
	 * when Secure Boot is on: see the shim test) and its grub.cfg. */
	make_iso_with_efi(f, BIOS_ISOLINUX, EFI_IN_TREE, 8192,
			  (const gchar *const[]){"EFI/boot/bootx64.efi", GCDX64,
						 "boot/grub/grub.cfg", efi_cfg, NULL});
}

static void
test_live_build(Fixture *f, gconstpointer data)
{
	g_autoptr(SgBootMenu) menu = NULL;
	const SgBootLoader *bios, *uefi;
	const SgBootEntry *entry;

	if (!have(GCDX64))
		return;
	lay_out_live_build(f, "vmlinuz-6.1.0-18-amd64");
	menu = read_menu(f);
	g_assert_cmpuint(count_problems(menu), ==, 0);

	bios = menu->bios;
	g_assert_nonnull(bios);
	g_assert_cmpint(bios->kind, ==, SG_BOOT_LOADER_ISOLINUX);
	g_assert_cmpstr(bios->loader, ==, "/isolinux/isolinux.bin");
	g_assert_cmpstr(bios->config, ==, "/isolinux/isolinux.cfg");
	g_assert_true(has_string(bios->config_files, "/isolinux/live.cfg"));
	g_assert_true(has_string(bios->config_files, "/isolinux/utilities.cfg"));
	/* "default vesamenu.c32" starts the graphical menu; "timeout 0" waits. */
	g_assert_cmpint(bios->graphical, ==, SG_BOOT_YES);
	g_assert_cmpint(bios->timeout_ds, ==, -1);
	entry = sg_boot_loader_default(bios);
	g_assert_nonnull(entry);
	g_assert_cmpstr(entry->title, ==, "Live system (amd64)");
	g_assert_cmpstr(entry->label, ==, "live-amd64");
	g_assert_cmpstr(entry->kernel, ==, "/live/vmlinuz");
	g_assert_cmpstr(entry->initrds[0], ==, "/live/initrd.img");
	g_assert_null(entry->initrds[1]);
	g_assert_cmpstr(entry->args, ==, "boot=live components quiet splash");
	g_assert_cmpint(entry->editor_linux_line, ==, -1);
	/* The Utilities submenu's HDT runs a COM32 module, not a kernel. */
	entry = entry_titled(bios, "Hardware Detection Tool (HDT)");
	g_assert_nonnull(entry);
	g_assert_cmpstr(entry->submenu, ==, "Utilities");
	g_assert_null(entry->kernel);

	g_assert_cmpuint(menu->uefi->len, ==, 1);
	uefi = sg_boot_menu_uefi(menu, "x64");
	g_assert_nonnull(uefi);
	g_assert_cmpint(uefi->kind, ==, SG_BOOT_LOADER_GRUB);
	g_assert_cmpstr(uefi->loader, ==, "(efiimg)/EFI/BOOT/bootx64.efi");
	g_assert_cmpstr(uefi->grub_prefix, ==, "/boot/grub");
	/* gcdx64's memdisk config finds /boot/grub on the EFI image, whose
	 * grub.cfg finds the CD by /.disk/info and hands over to its menu. */
	g_assert_true(has_string(uefi->config_files, "(memdisk)/grub.cfg"));
	g_assert_true(has_string(uefi->config_files, "(efiimg)/boot/grub/grub.cfg"));
	g_assert_true(has_string(uefi->config_files, "(cd0)/boot/grub/config.cfg"));
	g_assert_cmpstr(uefi->config, ==, "(cd0)/boot/grub/grub.cfg");
	g_assert_cmpint(uefi->graphical, ==, SG_BOOT_YES); /* terminal_output gfxterm */
	g_assert_cmpint(uefi->timeout_ds, ==, -1);	   /* no timeout: it waits */
	g_assert_cmpstr(uefi->timeout_style, ==, "menu");
	entry = sg_boot_loader_default(uefi);
	g_assert_nonnull(entry);
	g_assert_cmpstr(entry->title, ==, "Live system (amd64)");
	g_assert_cmpstr(entry->kernel, ==, "/live/vmlinuz-6.1.0-18-amd64");
	g_assert_cmpstr(entry->initrds[0], ==, "/live/initrd.img-6.1.0-18-amd64");
	/* ${iso_path} is unset when booted from the CD. */
	g_assert_cmpstr(entry->args, ==, "boot=live components quiet splash findiso=");
	g_assert_cmpstr(entry->editor_lines[0], ==, "setparams 'Live system (amd64)'");
	g_assert_cmpstr(entry->editor_lines[1], ==, "");
	g_assert_cmpint(entry->editor_linux_line, ==, 2);
	g_assert_true(g_str_has_prefix(entry->editor_lines[2], "\tlinux\t/live/vmlinuz-"));
	/* grub_platform is efi: the firmware entry is in its Utilities. */
	entry = entry_titled(uefi, "UEFI Firmware Settings");
	g_assert_nonnull(entry);
	g_assert_cmpstr(entry->submenu, ==, "Utilities...");
}

/* The issue's broken image: both menus name a kernel that is not there. */
static void
test_live_build_missing_kernel(Fixture *f, gconstpointer data)
{
	g_autoptr(SgBootMenu) menu = NULL;
	const SgBootEntry *entry;

	if (!have(GCDX64))
		return;
	lay_out_live_build(f, "vmlinuz-6.1.0-99-amd64");
	menu = read_menu(f);
	g_assert_cmpuint(count_problems(menu), ==, 2);
	g_assert_cmpint(problem(menu, 0)->firmware, ==, SG_BOOT_FIRMWARE_BIOS);
	g_assert_cmpstr(problem(menu, 0)->message, ==,
			"the BIOS menu's default entry 'Live system (amd64)' boots "
			"/live/vmlinuz-6.1.0-99-amd64, which is not on the image");
	g_assert_cmpint(problem(menu, 1)->firmware, ==, SG_BOOT_FIRMWARE_UEFI);
	g_assert_cmpstr(problem(menu, 1)->arch, ==, "x64");
	g_assert_cmpstr(problem(menu, 1)->message, ==,
			"the UEFI (x64) menu's default entry 'Live system (amd64)' boots "
			"/live/vmlinuz-6.1.0-99-amd64, which is not on the image");
	entry = sg_boot_loader_default(menu->bios);
	g_assert_true(entry->missing);
}

/* ---- Debian netinst: d-i's menus as debian-cd puts them on the CD */

static void
lay_out_netinst(Fixture *f, gboolean with_font)
{
	g_autofree gchar *efi_debian = data_path("debian-cd/efi-debian-grub.cfg");
	g_autoptr(GDir) screens = g_dir_open(DI_AMD64 "/boot-screens", 0, NULL);
	const gchar *name;

	put(f, ".disk/info", "Debian GNU/Linux 12.5.0 \"Bookworm\" - Official amd64 NETINST");
	/* d-i's menus name their files from the TFTP root, as a netinst's
	 * from its CD root: the same tree, with the pxelinux default as the
	 * isolinux.cfg isolinux finds at the root. */
	copy(f, "isolinux.cfg", DI_TEXT "/pxelinux.cfg/default");
	while ((name = g_dir_read_name(screens)) != NULL) {
		g_autofree gchar *from = g_build_filename(DI_AMD64, "boot-screens", name, NULL);
		g_autofree gchar *to =
			g_build_filename("debian-installer/amd64/boot-screens", name, NULL);
		copy(f, to, from);
	}
	put(f, "debian-installer/amd64/linux", "kernel");
	put(f, "debian-installer/amd64/initrd.gz", "initrd");
	copy(f, "boot/grub/grub.cfg", DI_AMD64 "/grub/grub.cfg");
	copy(f, "boot/grub/x86_64-efi/grub.cfg", DI_AMD64 "/grub/x86_64-efi/grub.cfg");
	copy(f, "boot/grub/font.pf2", DI_AMD64 "/grub/font.pf2");
	if (with_font)
		copy(f, "boot/grub/fonts/unicode.pf2", DI_AMD64 "/grub/font.pf2");
	/* debian-cd's efi.img: efi/boot/bootx64.efi, grubx64.efi, and the
	 * /efi/debian/grub.cfg that GRUB for CDs does not read. */
	make_iso_with_efi(f, BIOS_ISOLINUX, EFI_IN_TREE, 4096,
			  (const gchar *const[]){"efi/boot/bootx64.efi", GCDX64,
						 "efi/debian/grub.cfg", efi_debian, NULL});
}

static void
test_debian_netinst(Fixture *f, gconstpointer data)
{
	g_autoptr(SgBootMenu) menu = NULL;
	const SgBootLoader *bios, *uefi;
	const SgBootEntry *entry;

	if (!have(GCDX64) || !have(DI_AMD64 "/grub/grub.cfg"))
		return;
	lay_out_netinst(f, FALSE);
	menu = read_menu(f);
	g_assert_cmpuint(count_problems(menu), ==, 0);

	bios = menu->bios;
	g_assert_cmpstr(bios->config, ==, "/isolinux.cfg");
	g_assert_true(
		has_string(bios->config_files, "/debian-installer/amd64/boot-screens/txt.cfg"));
	/* The text installer has no gtk.cfg: isolinux skips that INCLUDE. */
	g_assert_false(
		has_string(bios->config_files, "/debian-installer/amd64/boot-screens/gtk.cfg"));
	g_assert_cmpint(bios->graphical, ==, SG_BOOT_YES); /* default ...vesamenu.c32 */
	g_assert_cmpint(bios->timeout_ds, ==, -1);
	entry = sg_boot_loader_default(bios);
	g_assert_cmpstr(entry->title, ==, "Install");
	g_assert_cmpstr(entry->kernel, ==, "/debian-installer/amd64/linux");
	g_assert_cmpstr(entry->initrds[0], ==, "/debian-installer/amd64/initrd.gz");
	g_assert_cmpstr(entry->args, ==,
			"vga=788 initrd=debian-installer/amd64/initrd.gz --- quiet");
	entry = entry_titled(bios, "Automated install");
	g_assert_nonnull(entry);
	g_assert_cmpstr(entry->submenu, ==, "Advanced options");

	uefi = sg_boot_menu_uefi(menu, "x64");
	g_assert_nonnull(uefi);
	g_assert_true(has_string(uefi->config_files, "(cd0)/boot/grub/x86_64-efi/grub.cfg"));
	g_assert_false(has_string(uefi->config_files, "(efiimg)/efi/debian/grub.cfg"));
	g_assert_cmpstr(uefi->config, ==, "(cd0)/boot/grub/grub.cfg");
	/* `if loadfont unicode`: $prefix/fonts/unicode.pf2 is not on this CD,
	 * but Debian's GRUB finds the font in its memdisk, and d-i's menu is
	 * drawn in gfxterm (seen on OVMF's screen with smokegate's d-i image,
	 * whose CD has no font either). */
	g_assert_cmpint(uefi->graphical, ==, SG_BOOT_YES);
	entry = sg_boot_loader_default(uefi);
	g_assert_cmpstr(entry->title, ==, "Install");
	g_assert_cmpint(entry->editor_linux_line, ==, 3);
	g_assert_cmpstr(entry->editor_lines[2], ==, "    set background_color=black");
	g_assert_cmpstr(entry->editor_lines[3], ==,
			"    linux    /debian-installer/amd64/linux vga=788 --- quiet");
	entry = entry_titled(uefi, "... Automated install");
	g_assert_nonnull(entry);
	g_assert_cmpstr(entry->submenu, ==, "Advanced options ...");
	g_assert_cmpstr(entry->args, ==, "auto=true priority=critical vga=788 --- quiet");
}

static void
test_debian_netinst_font(Fixture *f, gconstpointer data)
{
	g_autoptr(SgBootMenu) menu = NULL;

	if (!have(GCDX64) || !have(DI_AMD64 "/grub/grub.cfg"))
		return;
	lay_out_netinst(f, TRUE);
	menu = read_menu(f);
	g_assert_cmpint(sg_boot_menu_uefi(menu, "x64")->graphical, ==, SG_BOOT_YES);
}

/* ---- Ubuntu live-server: GRUB for BIOS too, the EFI image appended */

static void
test_ubuntu_server(Fixture *f, gconstpointer data)
{
	g_autoptr(SgBootMenu) menu = NULL;
	g_autofree gchar *cfg = data_path("ubuntu-server/grub.cfg");
	const SgBootLoader *bios, *uefi;
	const SgBootEntry *entry;

	if (!have(GCDX64) || !have(GRUB_PC_DIR "/cdboot.img"))
		return;
	put(f, ".disk/info", "Ubuntu-Server 24.04 LTS \"Noble Numbat\" - Release amd64");
	put(f, "casper/vmlinuz", "kernel");
	put(f, "casper/initrd", "initrd");
	copy(f, "boot/grub/grub.cfg", cfg);
	make_iso_with_efi(f, BIOS_GRUB, EFI_APPENDED, 4096,
			  (const gchar *const[]){"EFI/boot/bootx64.efi", GCDX64, NULL});
	menu = read_menu(f);
	g_assert_cmpuint(count_problems(menu), ==, 0);

	bios = menu->bios;
	g_assert_cmpint(bios->kind, ==, SG_BOOT_LOADER_GRUB);
	g_assert_cmpstr(bios->loader, ==, "/boot/grub/i386-pc/eltorito.img");
	g_assert_cmpint(bios->timeout_ds, ==, 300);
	g_assert_cmpint(bios->graphical, ==, SG_BOOT_NO);
	entry = sg_boot_loader_default(bios);
	g_assert_cmpstr(entry->title, ==, "Try or Install Ubuntu Server");
	g_assert_cmpstr(entry->kernel, ==, "/casper/vmlinuz");
	g_assert_cmpstr(entry->args, ==, "---");
	g_assert_cmpint(entry->editor_linux_line, ==, 3);
	g_assert_cmpstr(entry->editor_lines[3], ==, "\tlinux\t/casper/vmlinuz  ---");
	/* The platform test is decided per firmware. */
	g_assert_nonnull(entry_titled(bios, "Test memory"));
	g_assert_null(entry_titled(bios, "UEFI Firmware Settings"));

	uefi = sg_boot_menu_uefi(menu, "x64");
	g_assert_cmpint(uefi->kind, ==, SG_BOOT_LOADER_GRUB);
	g_assert_cmpstr(uefi->config, ==, "(cd0)/boot/grub/grub.cfg");
	g_assert_cmpint(uefi->timeout_ds, ==, 300);
	g_assert_cmpstr(sg_boot_loader_default(uefi)->title, ==, "Try or Install Ubuntu Server");
	g_assert_nonnull(entry_titled(uefi, "UEFI Firmware Settings"));
	g_assert_null(entry_titled(uefi, "Test memory"));
}

/* ---- GRUB script forms and bounds */

static void
test_grub_syntax(Fixture *f, gconstpointer data)
{
	g_autoptr(SgBootMenu) menu = NULL;
	g_autofree gchar *cfg = data_path("grub-syntax/grub.cfg");
	g_autofree gchar *loop = data_path("grub-syntax/loop.cfg");
	const SgBootLoader *uefi;
	const SgBootEntry *entry;
	gboolean noted_loop = FALSE, noted_depth = FALSE;

	if (!have(GCDX64))
		return;
	put(f, ".disk/info", "Test");
	for (const gchar *const *file =
		     (const gchar *const[]){"k1", "i1", "k2", "i2", "k3", "i3a", "i3b", NULL};
	     *file != NULL; file++)
		put(f, *file, "x");
	copy(f, "boot/grub/grub.cfg", cfg);
	copy(f, "boot/grub/loop.cfg", loop);
	make_iso_with_efi(f, BIOS_NONE, EFI_IN_TREE, 4096,
			  (const gchar *const[]){"EFI/BOOT/BOOTX64.EFI", GCDX64, NULL});
	menu = read_menu(f);

	g_assert_cmpuint(count_problems(menu), ==, 1);
	g_assert_cmpint(problem(menu, 0)->firmware, ==, SG_BOOT_FIRMWARE_BIOS);
	g_assert_cmpstr(problem(menu, 0)->message, ==,
			"the image has no El Torito boot entry for BIOS: a BIOS machine finds "
			"nothing to boot on it");
	uefi = sg_boot_menu_uefi(menu, "x64");
	g_assert_cmpuint(uefi->entries->len, ==, 3);

	entry = g_ptr_array_index(uefi->entries, 0);
	g_assert_cmpstr(entry->title, ==, "It's \"quoted\"");
	g_assert_cmpstr(entry->label, ==, "first");
	g_assert_cmpstr(entry->editor_lines[0], ==, "setparams 'It'\\''s \"quoted\"'");
	g_assert_cmpstr(entry->kernel, ==, "/k1");
	g_assert_cmpstr(entry->args, ==, "one two");
	/* A continued linux line: the cursor goes to its last line. */
	g_assert_cmpint(entry->editor_linux_line, ==, 4);
	g_assert_cmpstr(entry->editor_lines[4], ==, "\t      two");

	entry = g_ptr_array_index(uefi->entries, 1);
	g_assert_cmpstr(entry->title, ==, "Zero");
	g_assert_cmpstr(entry->submenu, ==, "Advanced");
	/* `linux ...; initrd ...` on one line: typing at its end is wrong. */
	g_assert_cmpint(entry->editor_linux_line, ==, -1);
	g_assert_cmpstr(entry->initrds[0], ==, "/i2");

	/* default "Advanced>1" */
	g_assert_cmpint(uefi->default_entry, ==, 2);
	entry = sg_boot_loader_default(uefi);
	g_assert_cmpstr(entry->title, ==, "One");
	g_assert_cmpstr(entry->kernel, ==, "/k3");
	g_assert_cmpstr(entry->args, ==, "efi=yes quoted arg");
	g_assert_cmpstr(entry->initrds[0], ==, "/i3a");
	g_assert_cmpstr(entry->initrds[1], ==, "/i3b");
	g_assert_cmpint(entry->editor_linux_line, ==, 3);

	/* `if smbios ...` cannot be decided: its timeout may or may not hold. */
	g_assert_cmpint(uefi->timeout_ds, ==, 50);
	g_assert_cmpint(uefi->timeout_known, ==, SG_BOOT_MAYBE);
	for (guint i = 0; i < uefi->notes->len; i++) {
		const gchar *note = g_ptr_array_index(uefi->notes, i);
		noted_loop |= strstr(note, "loop is not evaluated") != NULL;
		noted_depth |= strstr(note, "not followed") != NULL;
	}
	g_assert_true(noted_loop);
	g_assert_true(noted_depth);
}

/* ---- What stops a machine before any menu */

static void
test_efi_without_grub_cfg(Fixture *f, gconstpointer data)
{
	g_autoptr(SgBootMenu) menu = NULL;

	if (!have(GCDX64))
		return;
	put(f, ".disk/info", "Test");
	put(f, "live/vmlinuz", "kernel");
	make_iso_with_efi(f, BIOS_NONE, EFI_IN_TREE, 4096,
			  (const gchar *const[]){"EFI/BOOT/BOOTX64.EFI", GCDX64, NULL});
	menu = read_menu(f);
	g_assert_cmpuint(count_problems(menu), ==, 2);
	g_assert_cmpstr(problem(menu, 1)->message, ==,
			"UEFI (x64): GRUB finds no menu entry in what it reads ((built-in "
			"config), (memdisk)/grub.cfg): it stops at its grub> prompt");
}

static void
test_no_efi_entry(Fixture *f, gconstpointer data)
{
	g_autoptr(SgBootMenu) menu = NULL;

	put(f, "isolinux/isolinux.cfg",
	    "# syslinux's plain boot: prompt, no menu module\n"
	    "PROMPT 1\nTIMEOUT 50\nDEFAULT linux console=ttyS0\n"
	    "LABEL linux\n  KERNEL /boot/vmlinuz\n  INITRD /boot/initrd.gz\n  APPEND quiet\n");
	put(f, "boot/vmlinuz", "kernel");
	make_iso(f, BIOS_ISOLINUX, EFI_NONE, NULL);
	menu = read_menu(f);
	g_assert_cmpint(menu->bios->graphical, ==, SG_BOOT_NO);
	g_assert_cmpint(menu->bios->timeout_ds, ==, 50);
	g_assert_cmpuint(count_problems(menu), ==, 2);
	g_assert_cmpstr(problem(menu, 0)->message, ==,
			"the BIOS menu's default entry 'linux' loads the initrd /boot/initrd.gz, "
			"which is not on the image");
	g_assert_cmpint(problem(menu, 1)->firmware, ==, SG_BOOT_FIRMWARE_UEFI);
	g_assert_null(problem(menu, 1)->arch);
	g_assert_cmpstr(problem(menu, 1)->message, ==,
			"the image has no EFI El Torito boot entry: a UEFI machine finds nothing "
			"to boot on it");
	g_assert_cmpuint(menu->uefi->len, ==, 0);
}

static void
test_isolinux_without_config(Fixture *f, gconstpointer data)
{
	g_autoptr(SgBootMenu) menu = NULL;

	put(f, "boot/vmlinuz", "kernel");
	make_iso(f, BIOS_ISOLINUX, EFI_NONE, NULL);
	menu = read_menu(f);
	g_assert_cmpint(menu->bios->kind, ==, SG_BOOT_LOADER_ISOLINUX);
	g_assert_null(menu->bios->config);
	g_assert_cmpstr(problem(menu, 0)->message, ==,
			"BIOS: isolinux finds no isolinux.cfg or syslinux.cfg in /boot/isolinux, "
			"/isolinux, /boot/syslinux, /syslinux or /");
}

static void
test_not_an_iso(Fixture *f, gconstpointer data)
{
	g_autofree gchar *file = g_build_filename(f->dir, "not.iso", NULL);
	g_autoptr(GError) error = NULL;
	SgBootMenu *menu;

	g_assert_true(g_file_set_contents(file, "plain text, not ISO 9660", -1, NULL));
	menu = sg_boot_menu_read(file, &error);
	g_assert_null(menu);
	g_assert_error(error, SG_ERROR, SG_ERROR_IMAGE);
}

/* With Debian's signed shim (where the efi-loaders fixture or the package
 * put it): BOOTX64.EFI is shim, and the menu is read from the GRUB it
 * starts; without its grubx64.efi, shim has nothing to start. */
static gchar *
find_shim(void)
{
	const gchar *env = g_getenv("SG_TEST_SHIM");
	const gchar *cache = g_getenv("SMOKEGATE_FIXTURE_CACHE");
	g_autofree gchar *cache_dir =
		g_strdup(cache != NULL ? cache : "/var/cache/smokegate/fixtures");
	g_autoptr(GDir) dir = g_dir_open(cache_dir, 0, NULL);
	const gchar *name;

	if (env != NULL)
		return g_strdup(env);
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *shim =
			g_build_filename(cache_dir, name, "shimx64.efi.signed", NULL);
		if (g_str_has_prefix(name, "efi-loaders") && g_file_test(shim, G_FILE_TEST_EXISTS))
			return g_steal_pointer(&shim);
	}
	if (g_file_test("/usr/lib/shim/shimx64.efi.signed", G_FILE_TEST_EXISTS))
		return g_strdup("/usr/lib/shim/shimx64.efi.signed");
	return NULL;
}

static void
test_shim(Fixture *f, gconstpointer data)
{
	g_autofree gchar *shim = find_shim();
	g_autofree gchar *stage = NULL;
	g_autofree gchar *image = NULL;
	g_autofree gchar *cfg = data_path("ubuntu-server/grub.cfg");
	g_autoptr(SgBootMenu) menu = NULL;
	g_autoptr(SgBootMenu) alone = NULL;
	const SgBootLoader *uefi;

	if (shim == NULL) {
		g_test_skip("no signed shim (SG_TEST_SHIM, the efi-loaders fixture, shim-signed)");
		return;
	}
	if (!have(GCDX64))
		return;
	stage = stage_dir(f, "efi");
	put(f, ".disk/info", "Test");
	put(f, "casper/vmlinuz", "kernel");
	put(f, "casper/initrd", "initrd");
	copy(f, "boot/grub/grub.cfg", cfg);
	stage_copy(stage, "EFI/BOOT/BOOTX64.EFI", shim);
	stage_copy(stage, "EFI/BOOT/grubx64.efi", GCDX64);
	image = make_efi_image(f, stage, 8192);
	make_iso(f, BIOS_NONE, EFI_IN_TREE, image);
	menu = read_menu(f);
	uefi = sg_boot_menu_uefi(menu, "x64");
	g_assert_cmpint(uefi->kind, ==, SG_BOOT_LOADER_GRUB);
	g_assert_cmpstr(uefi->second_stage, ==, "(efiimg)/EFI/BOOT/grubx64.efi");
	g_assert_cmpstr(sg_boot_loader_default(uefi)->kernel, ==, "/casper/vmlinuz");

	{
		const gchar *mdel[] = {"mdel", "-i", image, "::EFI/BOOT/grubx64.efi", NULL};
		run(mdel);
	}
	g_unlink(f->iso);
	make_iso(f, BIOS_NONE, EFI_IN_TREE, image);
	alone = read_menu(f);
	g_assert_cmpstr(problem(alone, 1)->message, ==,
			"the EFI image's /EFI/BOOT/BOOTX64.EFI is shim, and the grubx64.efi it "
			"starts is not beside it");
}

/* ---- The FAT reader on images mkfs.fat makes */

/* What the test file system holds, read through @fat. */
static void
check_fat_files(SgFat *fat)
{
	g_autoptr(GBytes) file = NULL;
	g_autoptr(GBytes) big = NULL;
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) names = NULL;

	file = sg_fat_read(fat, "/efi/BOOT/a LONG name.TXT", &error);
	g_assert_no_error(error);
	g_assert_cmpmem(g_bytes_get_data(file, NULL), g_bytes_get_size(file), "long name contents",
			18);
	big = sg_fat_read(fat, "big.bin", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_bytes_get_size(big), ==, 70000);
	g_assert_cmpint(((const gchar *)g_bytes_get_data(big, NULL))[69999], ==,
			(gchar)(69999 * 7));
	names = sg_fat_list(fat, "/EFI/Boot");
	g_assert_nonnull(names);
	g_assert_cmpuint(g_strv_length(names), ==, 1);
	g_assert_cmpstr(names[0], ==, "A long name.txt");
	g_assert_true(sg_fat_exists(fat, "/EFI"));
	g_assert_false(sg_fat_exists(fat, "/EFI/Boot/nothing"));
	g_assert_null(sg_fat_read(fat, "/EFI/Boot/nothing", &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_fat(Fixture *f, gconstpointer data)
{
	static const struct {
		const gchar *bits;
		guint size_kib;
	} kinds[] = {{"12", 1440}, {"16", 16384}, {"32", 40960}};
	g_autofree gchar *stage = stage_dir(f, "fat");
	g_autofree gchar *deep = g_build_filename(stage, "EFI", "Boot", "A long name.txt", NULL);
	g_autofree gchar *deep_dir = g_path_get_dirname(deep);

	g_assert_cmpint(g_mkdir_with_parents(deep_dir, 0755), ==, 0);
	g_assert_true(g_file_set_contents(deep, "long name contents", -1, NULL));
	{
		/* A file over several clusters, to walk a chain. */
		g_autofree gchar *big = g_build_filename(stage, "big.bin", NULL);
		g_autofree gchar *bytes = g_malloc(70000);
		for (guint i = 0; i < 70000; i++)
			bytes[i] = (gchar)(i * 7);
		g_assert_true(g_file_set_contents(big, bytes, 70000, NULL));
	}
	for (guint k = 0; k < G_N_ELEMENTS(kinds); k++) {
		g_autofree gchar *image = g_strdup_printf("%s/fat%s.img", f->dir, kinds[k].bits);
		const gchar *args[] = {"-F", kinds[k].bits, NULL};
		g_autoptr(GBytes) bytes = NULL;
		g_autoptr(SgFat) fat = NULL;
		g_autoptr(GError) error = NULL;
		gchar *contents;
		gsize len;

		make_fat(image, kinds[k].size_kib, stage, args);
		g_assert_true(g_file_get_contents(image, &contents, &len, NULL));
		bytes = g_bytes_new_take(contents, len);
		fat = sg_fat_new(bytes, "the test image", &error);
		g_assert_no_error(error);

		check_fat_files(fat);

		/* The same file system read where it lies in a larger file (an
		 * ISO's EFI image), and a file too short for what it says. */
		{
			g_autofree gchar *iso =
				g_strdup_printf("%s/fat%s.iso", f->dir, kinds[k].bits);
			g_autofree gchar *padded = g_malloc0(len + 4 * 2048);
			g_autoptr(SgFat) in_file = NULL;

			/* Sized by its own BIOS parameter block: the rest of
			 * the ISO after it is not read as its own. */
			memcpy(padded + 3 * 2048, contents, len);
			g_assert_true(g_file_set_contents(iso, padded, len + 4 * 2048, NULL));
			in_file = sg_fat_open_file(iso, 3 * 2048, G_MAXSIZE, "the ISO's image",
						   &error);
			g_assert_no_error(error);
			check_fat_files(in_file);
			g_assert_null(sg_fat_open_file(iso, len + 4 * 2048, G_MAXSIZE,
						       "the far image", &error));
			g_assert_error(error, SG_ERROR, SG_ERROR_IMAGE);
			g_assert_nonnull(strstr(error->message, "lies past the end"));
			g_clear_error(&error);
			g_assert_true(g_file_set_contents(iso, padded, 3 * 2048 + len / 2, NULL));
			g_assert_null(sg_fat_open_file(iso, 3 * 2048, len, "the cut ISO", &error));
			g_assert_error(error, SG_ERROR, SG_ERROR_IMAGE);
			g_clear_error(&error);
		}
	}
}

static void
test_fat_broken(Fixture *f, gconstpointer data)
{
	g_autofree gchar *stage = stage_dir(f, "fat");
	g_autofree gchar *image = g_build_filename(f->dir, "broken.img", NULL);
	g_autofree gchar *big = g_build_filename(stage, "big.bin", NULL);
	g_autofree gchar *bytes = g_malloc0(20000);
	g_autoptr(GBytes) whole = NULL;
	g_autoptr(GBytes) cut = NULL;
	g_autoptr(SgFat) fat = NULL;
	g_autoptr(GError) error = NULL;
	gchar *contents;
	gsize len;
	guint8 *fat_table;

	g_assert_true(g_file_set_contents(big, bytes, 20000, NULL));
	make_fat(image, 1440, stage, NULL);
	g_assert_true(g_file_get_contents(image, &contents, &len, NULL));
	whole = g_bytes_new_take(contents, len);

	/* Cut short: the BIOS parameter block says more than there is. */
	cut = g_bytes_new_from_bytes(whole, 0, 64 * 1024);
	g_assert_null(sg_fat_new(cut, "the cut image", &error));
	g_assert_error(error, SG_ERROR, SG_ERROR_IMAGE);
	g_clear_error(&error);

	/* A chain that points back at itself: the reader must stop. The only
	 * file of a new FAT12 starts at cluster 2, whose 12-bit entry is the
	 * low 12 bits of bytes 3-4 of the first FAT. */
	fat_table = (guint8 *)contents + 512;
	fat_table[3] = 0x02;
	fat_table[4] = (guint8)(fat_table[4] & 0xf0);
	fat = sg_fat_new(whole, "the looping image", &error);
	g_assert_no_error(error);
	g_assert_null(sg_fat_read(fat, "big.bin", &error));
	g_assert_error(error, SG_ERROR, SG_ERROR_IMAGE);
}

/* ---- The project's own test images, when built (meson compile test-images) */

static void
test_project_images(void)
{
	g_autofree gchar *images =
		g_test_build_filename(G_TEST_BUILT, "..", "..", "..", "images", NULL);
	g_autoptr(GDir) dir = g_dir_open(images, 0, NULL);
	const gchar *name;
	guint seen = 0;

	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *iso = g_build_filename(images, name, NULL);
		g_autoptr(SgBootMenu) menu = NULL;
		g_autoptr(GError) error = NULL;
		const SgBootEntry *entry;
		/* An arm64 machine has UEFI only: its image has no BIOS boot,
		 * and its AAVMF starts BOOTAA64.EFI. */
		gboolean arm64 = strstr(name, "-arm64-") != NULL;
		const SgBootLoader *loader;

		if (!g_str_has_suffix(name, ".iso"))
			continue;
		menu = sg_boot_menu_read(iso, &error);
		g_assert_no_error(error);
		/* Every image boots BIOS through isolinux (arm64 UEFI through
		 * GRUB) to a kernel it has, but the one made to name a missing
		 * kernel: that is seen here. */
		loader = arm64 ? sg_boot_menu_uefi(menu, "aa64") : menu->bios;
		g_assert_nonnull(loader);
		g_assert_true(arm64 == (menu->bios == NULL));
		entry = sg_boot_loader_default(loader);
		g_assert_nonnull(entry);
		if (strstr(name, "-missing-kernel") != NULL) {
			g_assert_true(entry->missing);
			g_assert_cmpuint(menu->problems->len, >, 0);
			seen++;
			continue;
		}
		g_assert_false(entry->missing);
		for (guint i = 0; i < menu->problems->len; i++) {
			const SgBootProblem *p = g_ptr_array_index(menu->problems, i);
			g_assert_cmpint(p->firmware, ==,
					arm64 ? SG_BOOT_FIRMWARE_BIOS : SG_BOOT_FIRMWARE_UEFI);
		}
		seen++;
	}
	if (seen == 0)
		g_test_skip("no test images built (meson compile test-images)");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
	ADD("/boot-menu/live-build", test_live_build);
	ADD("/boot-menu/live-build-missing-kernel", test_live_build_missing_kernel);
	ADD("/boot-menu/debian-netinst", test_debian_netinst);
	ADD("/boot-menu/debian-netinst-font", test_debian_netinst_font);
	ADD("/boot-menu/ubuntu-server", test_ubuntu_server);
	ADD("/boot-menu/grub-syntax", test_grub_syntax);
	ADD("/boot-menu/efi-without-grub-cfg", test_efi_without_grub_cfg);
	ADD("/boot-menu/no-efi-entry", test_no_efi_entry);
	ADD("/boot-menu/isolinux-without-config", test_isolinux_without_config);
	ADD("/boot-menu/not-an-iso", test_not_an_iso);
	ADD("/boot-menu/shim", test_shim);
	ADD("/boot-menu/fat", test_fat);
	ADD("/boot-menu/fat-broken", test_fat_broken);
#undef ADD
	g_test_add_func("/boot-menu/project-images", test_project_images);
	return g_test_run();
}
