#include <string.h>

#include "sg-boot-driver.h"

#define SECOND G_USEC_PER_SEC

/* A loader with one default entry, as sg_boot_menu_read() gives it. */
static SgBootLoader *
make_loader(SgBootLoaderKind kind, const gchar *title, const gchar *label, const gchar *kernel,
	    const gchar *args, const gchar *const *editor_lines, gint linux_line)
{
	SgBootLoader *loader = g_new0(SgBootLoader, 1);
	SgBootEntry *entry = g_new0(SgBootEntry, 1);

	loader->kind = kind;
	loader->firmware =
		kind == SG_BOOT_LOADER_GRUB ? SG_BOOT_FIRMWARE_UEFI : SG_BOOT_FIRMWARE_BIOS;
	loader->entries = g_ptr_array_new_with_free_func((GDestroyNotify)sg_boot_entry_free);
	loader->config_files = g_ptr_array_new_with_free_func(g_free);
	loader->notes = g_ptr_array_new_with_free_func(g_free);
	loader->timeout_ds = -1;
	loader->graphical = SG_BOOT_NO;
	entry->title = g_strdup(title);
	entry->label = g_strdup(label);
	entry->kernel = g_strdup(kernel);
	entry->initrds = g_new0(gchar *, 1);
	entry->args = g_strdup(args);
	entry->editor_lines = editor_lines != NULL ? g_strdupv((gchar **)editor_lines) : NULL;
	entry->editor_linux_line = linux_line;
	g_ptr_array_add(loader->entries, entry);
	loader->default_entry = 0;
	return loader;
}

/* Feeds @text and lets @seconds pass in small steps, sending nothing:
 * returns the keys the driver asked to send meanwhile. */
static gchar *
run(SgBootDriver *driver, gint64 *now, const gchar *text, gdouble seconds)
{
	GString *keys = g_string_new(NULL);
	gint64 until = *now + (gint64)(seconds * SECOND);

	if (text != NULL)
		sg_boot_driver_feed(driver, text, strlen(text), *now);
	while (*now < until) {
		g_autofree gchar *sent = NULL;
		*now += SECOND / 20;
		sg_boot_driver_tick(driver, *now);
		sent = sg_boot_driver_take_keys(driver);
		if (sent != NULL)
			g_string_append(keys, sent);
	}
	return g_string_free(keys, FALSE);
}

/* Echoes what the driver types, as a bootloader's line editor does, until
 * it sends @last_key: returns all it typed from @keys on. The driver types
 * a chunk at a time and waits for each one's echo. */
static gchar *
echo_typing(SgBootDriver *driver, gint64 *now, const gchar *keys, const gchar *last_key)
{
	GString *all = g_string_new(keys);
	g_autofree gchar *pending = g_strdup(keys);

	while (!g_str_has_suffix(all->str, last_key)) {
		g_autofree gchar *more = run(driver, now, pending, 1);

		g_assert_cmpstr(more, !=, ""); /* it waits for nothing else */
		g_string_append(all, more);
		g_free(pending);
		pending = g_steal_pointer(&more);
	}
	return g_string_free(all, FALSE);
}

/* isolinux's menu.c32 on SeaBIOS's serial console: Tab, the arguments
 * after the entry's own, Enter; then the kernel's first line. */
static void
test_isolinux_menu(void)
{
	g_autoptr(SgBootLoader) loader = make_loader(
		SG_BOOT_LOADER_ISOLINUX, "Automated install", "install", "/install.amd/vmlinuz",
		"vga=788 auto=true priority=critical", NULL, -1);
	gint64 now = 1000 * SECOND;
	g_autoptr(SgBootDriver) driver =
		sg_boot_driver_new(SG_FIRMWARE_BIOS, loader, "console=ttyS0,115200", 300, now);
	g_autofree gchar *keys = NULL;
	g_autofree gchar *more = NULL;

	keys = run(driver, &now,
		   "SeaBIOS (version 1.16.2-debian-1.16.2-1)\r\n"
		   "Booting from DVD/CD...\r\n"
		   "ISOLINUX 6.04 20200816 ETCD Copyright (C) 1994-2015 H. Peter Anvin et al\r\n"
		   "\033[2J\033[1;1H"
		   "\033[3;20H Smokegate test installer\033[5;20H Automated install",
		   2);
	g_assert_cmpstr(keys, ==, "\t");
	/* menu.c32 shows the entry's command line after Tab, wrapped at the
	 * screen's last column (as seen with SeaBIOS's serial console). */
	g_free(keys);
	keys = run(driver, &now,
		   "\033[22;1H> /install.amd/vmlinuz initrd=/install.amd/initrd.gz vga=788 "
		   "auto=true priority=\r\n"
		   "critical",
		   1);
	/* The first chunk only, until the screen shows it. */
	g_assert_cmpstr(keys, ==, " console=ttyS0");
	g_assert_cmpint(sg_boot_driver_get_state(driver), ==, SG_BOOT_DRIVER_RUNNING);
	more = echo_typing(driver, &now, keys, "\r");
	g_assert_cmpstr(more, ==, " console=ttyS0,115200\r");
	g_free(more);
	more = run(
		driver, &now,
		"\r\nLoading /install.amd/vmlinuz... ok\r\n"
		"Loading /install.amd/initrd.gz...ok\r\n"
		"[    0.000000] Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org)\r\n",
		0.1);
	g_assert_cmpint(sg_boot_driver_get_state(driver), ==, SG_BOOT_DRIVER_KERNEL_STARTED);
	g_assert_cmpstr(sg_boot_driver_get_keys(driver), ==,
			"<Tab> ' console=ttyS0,115200' <Enter>");
	g_assert_cmpstr(sg_boot_driver_get_cmdline(driver), ==,
			"vga=788 auto=true priority=critical console=ttyS0,115200");
	g_assert_cmpstr(sg_boot_driver_get_entry(driver), ==, "Automated install");
	g_assert_nonnull(strstr(sg_boot_driver_get_menu_screen(driver), "Automated install"));
	g_assert_cmpfloat(sg_boot_driver_get_seconds_to_kernel(driver), >, 3);
}

/* Debian's entries say `quiet`: no kernel banner reaches the serial
 * console, and the installer's first line is the sign that the kernel runs
 * (as seen with smokegate's d-i image). The end of the typed command line's
 * echo, which isolinux wraps and ends after Enter, is not. */
static void
test_isolinux_quiet_kernel(void)
{
	g_autoptr(SgBootLoader) loader =
		make_loader(SG_BOOT_LOADER_ISOLINUX, "Install", "install", "/install.amd/vmlinuz",
			    "vga=788 initrd=/install.amd/initrd.gz --- quiet", NULL, -1);
	gint64 now = 0;
	g_autoptr(SgBootDriver) driver = sg_boot_driver_new(
		SG_FIRMWARE_BIOS, loader, "quiet url=http://10.0.2.101/0ba137b09154/preseed.cfg",
		300, now);
	g_autofree gchar *keys = NULL;
	g_autofree gchar *typed = NULL;

	keys = run(driver, &now, "\033[4;11H Install", 2);
	g_free(keys);
	typed = run(driver, &now, "\033[18;01H> /install.amd/vmlinuz vga=788", 1);
	keys = echo_typing(driver, &now, typed, "\r");
	g_free(keys);
	keys = run(driver, &now, "\r\n0ba137b09154/preseed.cfg\r\n\r\n", 0.5);
	g_assert_cmpint(sg_boot_driver_get_state(driver), ==, SG_BOOT_DRIVER_RUNNING);
	g_free(keys);
	keys = run(driver, &now, "Debian GNU/Linux installer (smokegate test image, good)\r\n",
		   0.1);
	g_assert_cmpint(sg_boot_driver_get_state(driver), ==, SG_BOOT_DRIVER_KERNEL_STARTED);
	/* `quiet` is the entry's own: not typed again. */
	g_assert_cmpstr(sg_boot_driver_get_keys(driver), ==,
			"<Tab> ' url=http://10.0.2.101/0ba137b09154/preseed.cfg' <Enter>");
}

/* A menu entry naming a kernel that is not on the image: isolinux says so
 * at once, and that is the verdict. */
static void
test_isolinux_missing_kernel(void)
{
	g_autoptr(SgBootLoader) loader =
		make_loader(SG_BOOT_LOADER_ISOLINUX, "Live system (amd64)", "live-amd64",
			    "/live/vmlinuz-6.1.0-99-amd64", "boot=live components", NULL, -1);
	gint64 now = 0;
	g_autoptr(SgBootDriver) driver =
		sg_boot_driver_new(SG_FIRMWARE_BIOS, loader, "console=ttyS0", 300, now);
	g_autofree gchar *keys = NULL;

	keys = run(driver, &now, "\033[5;20H Live system (amd64)", 2);
	g_free(keys);
	keys = run(driver, &now, "\033[22;1H> /live/vmlinuz-6.1.0-99-amd64 boot=live components",
		   1);
	g_free(keys);
	keys = run(driver, &now, " console=ttyS0", 1);
	g_free(keys);
	keys = run(driver, &now,
		   "\r\nLoading /live/vmlinuz-6.1.0-99-amd64... failed: No such file or "
		   "directory\r\nboot: ",
		   0.1);
	g_assert_cmpint(sg_boot_driver_get_state(driver), ==, SG_BOOT_DRIVER_FAILED);
	g_assert_cmpstr(sg_boot_driver_get_reason(driver), ==,
			"the bootloader could not load its kernel: Loading "
			"/live/vmlinuz-6.1.0-99-amd64... failed: No such file or directory");
}

/* GRUB over OVMF's serial console: `e`, Down to the linux line, Ctrl-E,
 * the arguments, Ctrl-X; a kernel that is missing is GRUB's error. */
static void
test_grub_edit_and_missing_kernel(void)
{
	const gchar *editor[] = {"setparams 'Live system (amd64)'", "",
				 "        linux  /live/vmlinuz-6.1.0-99-amd64 boot=live components "
				 "quiet splash",
				 "        initrd /live/initrd.img-6.1.0-99-amd64", NULL};
	g_autoptr(SgBootLoader) loader = make_loader(
		SG_BOOT_LOADER_GRUB, "Live system (amd64)", NULL, "/live/vmlinuz-6.1.0-99-amd64",
		"boot=live components quiet splash", editor, 2);
	gint64 now = 0;
	g_autoptr(SgBootDriver) driver = sg_boot_driver_new(SG_FIRMWARE_UEFI_SECURE_BOOT, loader,
							    "console=ttyS0,115200", 300, now);
	g_autofree gchar *keys = NULL;

	keys = run(
		driver, &now,
		"BdsDxe: loading Boot0001 \"UEFI QEMU DVD-ROM QM00001 \" from "
		"PciRoot(0x0)/Pci(0x1F,0x2)/Sata(0x0,0xFFFF,0x0)\r\n"
		"BdsDxe: starting Boot0001 \"UEFI QEMU DVD-ROM QM00001 \" from "
		"PciRoot(0x0)/Pci(0x1F,0x2)/Sata(0x0,0xFFFF,0x0)\r\n"
		"\033[2J\033[1;1H                             GNU GRUB  version 2.06-13+deb12u1\r\n"
		"\033[3;2H*Live system (amd64)\033[20;5H"
		"Use the ^ and v keys to select which entry is highlighted.",
		2);
	g_assert_cmpstr(keys, ==, "e");
	g_free(keys);
	/* GRUB's editor; the linux line is long enough to wrap with '\'. */
	keys = run(driver, &now,
		   "\033[2J\033[3;2Hsetparams 'Live system (amd64)'\033[5;2H"
		   "        linux  /live/vmlinuz-6.1.0-99-amd64 boot=live components quiet spl\\"
		   "\033[6;2Hash\033[7;2H        initrd /live/initrd.img-6.1.0-99-amd64",
		   2);
	/* Under UEFI a longer chunk: OVMF's terminal queues keys. */
	g_assert_cmpstr(keys, ==, "\033[B\033[B\005 console=ttyS0,115200");
	g_free(keys);
	keys = echo_typing(driver, &now, " console=ttyS0,115200", "\030");
	g_assert_cmpstr(keys, ==, " console=ttyS0,115200\030");
	g_free(keys);
	keys = run(driver, &now,
		   "\033[2J\033[1;1H  Booting a command list\r\n\r\n"
		   "error: file `/live/vmlinuz-6.1.0-99-amd64' not found.\r\n"
		   "error: you need to load the kernel first.\r\n\r\n"
		   "Press any key to continue...",
		   0.1);
	g_assert_cmpint(sg_boot_driver_get_state(driver), ==, SG_BOOT_DRIVER_FAILED);
	g_assert_cmpstr(sg_boot_driver_get_reason(driver), ==,
			"GRUB could not load the kernel: error: file "
			"`/live/vmlinuz-6.1.0-99-amd64' not found.");
	g_assert_cmpstr(sg_boot_driver_get_keys(driver), ==,
			"e <Down> <Down> <Ctrl-E> ' console=ttyS0,115200' <Ctrl-X>");
}

/* OVMF's text console is 100 columns: GRUB's editor wraps the linux line
 * there with a '\\' (as seen on smokegate's d-i image under OVMF), past
 * an 80-column screen. The echo is still found. */
static void
test_grub_wide_wrap(void)
{
	const gchar *editor[] = {"setparams 'Install'", "", "    set background_color=black",
				 "    linux    /install.amd/vmlinuz vga=788 --- quiet", NULL};
	g_autoptr(SgBootLoader) loader =
		make_loader(SG_BOOT_LOADER_GRUB, "Install", NULL, "/install.amd/vmlinuz",
			    "vga=788 --- quiet", editor, 3);
	gint64 now = 0;
	g_autoptr(SgBootDriver) driver =
		sg_boot_driver_new(SG_FIRMWARE_UEFI, loader,
				   "console=ttyS0,115200 url=http://10.0.2.101/p.cfg", 300, now);
	g_autofree gchar *keys = NULL;

	keys = run(driver, &now,
		   "\033[02;34HGNU GRUB  version 2.06-13+deb12u2\033[05;03H*Install"
		   "\033[20;5HUse the ^ and v keys to select which entry is highlighted.",
		   2);
	g_assert_cmpstr(keys, ==, "e");
	g_free(keys);
	keys = run(driver, &now,
		   "\033[05;03Hsetparams 'Install'\033[07;03H    set background_color=black"
		   "\033[08;03H    linux    /install.amd/vmlinuz vga=788 --- quiet",
		   2);
	g_assert_cmpstr(keys, ==,
			"\033[B\033[B\033[B\005 console=ttyS0,115200 url=http://10.0.2.101/p.cfg");
	g_free(keys);
	/* The line reaches column 100: '\\' there, the rest on the next row. */
	keys = run(driver, &now,
		   "\033[08;03H    linux    /install.amd/vmlinuz vga=788 --- quiet "
		   "console=ttyS0,115200 "
		   "url=http://1\\\r\033[09;03H0.0.2.101/p.cfg"
		   "\033[10;03H    initrd   /install.amd/initrd.gz",
		   1);
	g_assert_cmpstr(keys, ==, "\030");
	g_assert_cmpint(sg_boot_driver_get_state(driver), ==, SG_BOOT_DRIVER_RUNNING);
}

/* A gfxterm GRUB whose first switch to the console was lost (keys sent
 * before its menu reads them): the switch is tried again, after Esc. */
static void
test_grub_switch_retry(void)
{
	const gchar *editor[] = {"setparams 'Graphical install'", "",
				 "    linux /install.amd/vmlinuz", NULL};
	g_autoptr(SgBootLoader) loader = make_loader(SG_BOOT_LOADER_GRUB, "Graphical install", NULL,
						     "/install.amd/vmlinuz", "", editor, 2);
	gint64 now = 1000 * SECOND; /* 0 is "not yet" to the driver */
	g_autoptr(SgBootDriver) driver = NULL;
	g_autofree gchar *keys = NULL;
	g_autofree gchar *again = NULL;

	loader->graphical = SG_BOOT_YES;
	driver =
		sg_boot_driver_new(SG_FIRMWARE_UEFI_SECURE_BOOT, loader, "console=ttyS0", 300, now);
	keys = run(driver, &now,
		   "BdsDxe: starting Boot0001 \"UEFI QEMU DVD-ROM QM00001 \" from "
		   "PciRoot(0x0)/Pci(0x1F,0x2)/Sata(0x0,0xFFFF,0x0)\r\n"
		   "\033[0m\033[30m\033[47mWelcome to GRUB!\r\n",
		   16);
	g_assert_cmpstr(keys, ==, "cterminal_output console\r\033");
	/* Nothing on the console for the expect's 20 s: Esc, Esc, the switch. */
	again = run(driver, &now, NULL, 32);
	g_assert_cmpstr(again, ==, "\033\033cterminal_output console\r\033");
	g_assert_cmpint(sg_boot_driver_get_state(driver), ==, SG_BOOT_DRIVER_RUNNING);
}

/* GRUB's errors from its own config (a font it cannot load) before the
 * menu are not the image failing to boot. */
static void
test_grub_config_error_before_menu(void)
{
	const gchar *editor[] = {"setparams 'Install'", "", "    linux /install.amd/vmlinuz", NULL};
	g_autoptr(SgBootLoader) loader = make_loader(SG_BOOT_LOADER_GRUB, "Install", NULL,
						     "/install.amd/vmlinuz", "", editor, 2);
	gint64 now = 0;
	g_autoptr(SgBootDriver) driver =
		sg_boot_driver_new(SG_FIRMWARE_UEFI, loader, "console=ttyS0", 300, now);
	g_autofree gchar *keys =
		run(driver, &now,
		    "error: file `/boot/grub/fonts/unicode.pf2' not found.\r\n"
		    "\033[2J\033[1;1H  GNU GRUB  version 2.06\r\n\033[3;2H*Install",
		    2);

	g_assert_cmpint(sg_boot_driver_get_state(driver), ==, SG_BOOT_DRIVER_RUNNING);
	g_assert_cmpstr(keys, ==, "e");
	/* The error printed before the menu is not the booting entry's. */
	g_free(keys);
	keys = run(driver, &now,
		   "\033[2J\033[3;2Hsetparams 'Install'\033[5;2H    linux /install.amd/vmlinuz", 2);
	g_assert_cmpstr(keys, ==, "\033[B\033[B\005 console=ttyS0");
	g_free(keys);
	keys = echo_typing(driver, &now, " console=ttyS0", "\030");
	g_free(keys);
	keys = run(driver, &now, "\033[2J\033[1;1H  Booting a command list\r\n\r\n", 1);
	g_assert_cmpint(sg_boot_driver_get_state(driver), ==, SG_BOOT_DRIVER_RUNNING);
	g_free(keys);
	keys = run(driver, &now, "Loading, please wait...\r\n", 0.1);
	g_assert_cmpint(sg_boot_driver_get_state(driver), ==, SG_BOOT_DRIVER_KERNEL_STARTED);
}

/* The firmware's own refusals, quoted whole. */
static void
test_firmware_refusals(void)
{
	const struct {
		const gchar *console;
		const gchar *reason;
		gint64 decided_after; /* a line never ended: once it is quiet */
	} cases[] = {
		{"BdsDxe: failed to load Boot0001 \"UEFI QEMU DVD-ROM QM00005 \" from "
		 "PciRoot(0x0)/Pci(0x1F,0x2)/Sata(0x2,0xFFFF,0x0): Access Denied\r\n",
		 "the firmware refused the image's loader: BdsDxe: failed to load Boot0001 \"UEFI "
		 "QEMU DVD-ROM QM00005 \" from PciRoot(0x0)/Pci(0x1F,0x2)/Sata(0x2,0xFFFF,0x0): "
		 "Access Denied"},
		{"BdsDxe: failed to load Boot0001 \"UEFI QEMU DVD-ROM QM00001 \" from "
		 "PciRoot(0x0)/Pci(0x1F,0x2)/Sata(0x0,0xFFFF,0x0): Not Found\r\n",
		 "the firmware found no EFI loader on the image: BdsDxe: failed to load Boot0001 "
		 "\"UEFI QEMU DVD-ROM QM00001 \" from "
		 "PciRoot(0x0)/Pci(0x1F,0x2)/Sata(0x0,0xFFFF,0x0): Not Found"},
		/* shim's box as OVMF draws it: CP437 box bytes, cursor moves,
		 * no line end (as seen with an unsigned GRUB under Secure Boot). */
		{"\033[0m\033[37m\033[44m\033[01;01H\xd9\033[01;01H\xda\xc4\xc4\xc4\xbf"
		 "\033[02;01H\xb3 ERROR \xb3\033[04;01H\xb3Verification failed: (0x1A) Security "
		 "Violation\xb3\033[05;01H\xc0\xc4\xc4\xd9",
		 "shim refused the image's second-stage loader: Verification failed: (0x1A) "
		 "Security Violation",
		 SECOND / 4},
		/* AAVMF booting an installed disk whose EFI system partition is
		 * empty, without Secure Boot: its shell is all that is left. */
		{"BdsDxe: failed to load Boot0001 \"UEFI Misc Device\" from "
		 "PciRoot(0x0)/Pci(0x1,0x0)/Pci(0x0,0x0): Not Found\r\n"
		 "BdsDxe: loading Boot0002 \"EFI Internal Shell\" from "
		 "Fv(64074AFE-340A-4BE6-94BA-91B5B4D0F71E)/"
		 "FvFile(7C04A583-9E3E-4F1C-AD65-E05268D0B4D1)\r\n"
		 "BdsDxe: starting Boot0002 \"EFI Internal Shell\" from "
		 "Fv(64074AFE-340A-4BE6-94BA-91B5B4D0F71E)/"
		 "FvFile(7C04A583-9E3E-4F1C-AD65-E05268D0B4D1)\r\n",
		 "the firmware found nothing to boot and started its EFI shell: BdsDxe: starting "
		 "Boot0002 \"EFI Internal Shell\" from "
		 "Fv(64074AFE-340A-4BE6-94BA-91B5B4D0F71E)/"
		 "FvFile(7C04A583-9E3E-4F1C-AD65-E05268D0B4D1)"},
		{"Booting from DVD/CD...\r\nBoot failed: Could not read from CDROM (code 0004)\r\n"
		 "No bootable device.\r\n",
		 "the firmware could not boot the image: Boot failed: Could not read from CDROM "
		 "(code 0004)"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		gint64 now = 0;
		g_autoptr(SgBootDriver) driver =
			sg_boot_driver_new(SG_FIRMWARE_UEFI_SECURE_BOOT, NULL, NULL, 300, now);
		g_autofree gchar *keys = run(driver, &now, cases[i].console, 1);

		g_assert_cmpint(sg_boot_driver_get_state(driver), ==, SG_BOOT_DRIVER_FAILED);
		g_assert_cmpstr(sg_boot_driver_get_reason(driver), ==, cases[i].reason);
		g_assert_cmpint(sg_boot_driver_get_decided_time(driver), ==,
				cases[i].decided_after);
	}
}

/* A line read in two pieces, split where a vaguer rule would already match
 * ("...): " before "Not Found", as a loaded machine's serial port delivered
 * it): judged once the line is whole. */
static void
test_line_in_pieces(void)
{
	gint64 now = 0;
	g_autoptr(SgBootDriver) driver = sg_boot_driver_new(SG_FIRMWARE_UEFI, NULL, NULL, 300, now);
	g_autofree gchar *first =
		run(driver, &now,
		    "BdsDxe: failed to load Boot0001 \"UEFI QEMU DVD-ROM QM00001 \" "
		    "from PciRoot(0x0)/Pci(0x1F,0x2)/Sata(0x0,0xFFFF,0x0): ",
		    0.1);
	g_autofree gchar *rest = NULL;

	g_assert_cmpint(sg_boot_driver_get_state(driver), ==, SG_BOOT_DRIVER_RUNNING);
	g_assert_cmpint(sg_boot_driver_get_next_deadline(driver), ==, SECOND / 4);
	rest = run(driver, &now, "Not Found\r\n", 0.1);
	g_assert_cmpint(sg_boot_driver_get_state(driver), ==, SG_BOOT_DRIVER_FAILED);
	g_assert_true(g_str_has_prefix(sg_boot_driver_get_reason(driver),
				       "the firmware found no EFI loader on the image: "));
	g_assert_false(sg_boot_driver_timed_out(driver)); /* the firmware said why */
}

/* Nothing at all: the limit decides, and says where it stopped. */
static void
test_limit(void)
{
	gint64 now = 0;
	g_autoptr(SgBootDriver) driver = sg_boot_driver_new(SG_FIRMWARE_BIOS, NULL, NULL, 10, now);
	g_autofree gchar *keys = run(driver, &now, "SeaBIOS (version 1.16.2)\r\n", 11);

	g_assert_cmpint(sg_boot_driver_get_state(driver), ==, SG_BOOT_DRIVER_FAILED);
	g_assert_cmpstr(sg_boot_driver_get_reason(driver), ==,
			"no bootloader menu and no kernel within 10 s of power-on; last console "
			"line: SeaBIOS (version 1.16.2)");
	g_assert_true(sg_boot_driver_timed_out(driver)); /* the reason says "under emulation" */
	g_assert_cmpint(sg_boot_driver_get_next_deadline(driver), ==, 0);
}

/* A kernel booted directly on pseries, as SLOF starts it: prom_init's
 * "Preparing to boot Linux version" is the kernel's own first line. One
 * that never prints a line fails naming the console it was to print on,
 * and so does a machine that resets first. */
static void
test_direct_kernel(void)
{
	const gchar *slof = "SLOF **********************************************************\r\n"
			    "QEMU Starting\r\n"
			    "Welcome to Open Firmware\r\n"
			    "Booting from memory...\r\n";
	gint64 now = 0;
	g_autoptr(SgBootDriver) good = sg_boot_driver_new(SG_FIRMWARE_SLOF, NULL, NULL, 10, now);
	g_autoptr(SgBootDriver) silent = NULL;
	g_autoptr(SgBootDriver) reset = NULL;
	g_autofree gchar *keys = NULL;

	sg_boot_driver_set_kernel_console(good, "hvc0");
	g_free(run(good, &now, slof, 2));
	keys = run(good, &now,
		   "OF stdout device is: /vdevice/vty@71000001\r\n"
		   "Preparing to boot Linux version 6.1.0-50-powerpc64le (debian-kernel@lists."
		   "debian.org)\r\n",
		   1);
	g_assert_cmpstr(keys, ==, "");
	g_assert_cmpint(sg_boot_driver_get_state(good), ==, SG_BOOT_DRIVER_KERNEL_STARTED);
	g_assert_cmpfloat(sg_boot_driver_get_seconds_to_kernel(good), <=, 3);

	now = 0;
	silent = sg_boot_driver_new(SG_FIRMWARE_SLOF, NULL, NULL, 10, now);
	sg_boot_driver_set_kernel_console(silent, "hvc0");
	g_free(run(silent, &now, slof, 11));
	g_assert_cmpint(sg_boot_driver_get_state(silent), ==, SG_BOOT_DRIVER_FAILED);
	g_assert_cmpstr(sg_boot_driver_get_reason(silent), ==,
			"the kernel did not start: no line of it on its console (hvc0) within "
			"10 s of power-on; last console line: Booting from memory...");

	now = 0;
	reset = sg_boot_driver_new(SG_FIRMWARE_SLOF, NULL, NULL, 10, now);
	sg_boot_driver_set_kernel_console(reset, "hvc0");
	g_free(run(reset, &now, slof, 1));
	sg_boot_driver_machine_stopped(reset, now);
	g_assert_cmpint(sg_boot_driver_get_state(reset), ==, SG_BOOT_DRIVER_FAILED);
	g_assert_nonnull(strstr(sg_boot_driver_get_reason(reset), "console, hvc0"));
}

/* Keys that the screen never echoes: the driver says what it typed. */
static void
test_no_echo(void)
{
	const gchar *editor[] = {"setparams 'Install'", "    linux /install.amd/vmlinuz", NULL};
	g_autoptr(SgBootLoader) loader = make_loader(SG_BOOT_LOADER_GRUB, "Install", NULL,
						     "/install.amd/vmlinuz", "", editor, 1);
	gint64 now = 0;
	g_autoptr(SgBootDriver) driver =
		sg_boot_driver_new(SG_FIRMWARE_UEFI, loader, "console=ttyS0", 300, now);
	g_autofree gchar *keys = run(driver, &now, "  GNU GRUB  version 2.06\r\n", 30);

	g_assert_cmpint(sg_boot_driver_get_state(driver), ==, SG_BOOT_DRIVER_NOT_JUDGED);
	g_assert_cmpstr(sg_boot_driver_get_reason(driver), ==,
			"the bootloader did not show GRUB's entry editor within 20 s of the keys "
			"(e)");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/boot-driver/isolinux-menu", test_isolinux_menu);
	g_test_add_func("/boot-driver/isolinux-quiet-kernel", test_isolinux_quiet_kernel);
	g_test_add_func("/boot-driver/isolinux-missing-kernel", test_isolinux_missing_kernel);
	g_test_add_func("/boot-driver/grub-edit-missing-kernel", test_grub_edit_and_missing_kernel);
	g_test_add_func("/boot-driver/grub-wide-wrap", test_grub_wide_wrap);
	g_test_add_func("/boot-driver/grub-switch-retry", test_grub_switch_retry);
	g_test_add_func("/boot-driver/grub-config-error", test_grub_config_error_before_menu);
	g_test_add_func("/boot-driver/firmware-refusals", test_firmware_refusals);
	g_test_add_func("/boot-driver/line-in-pieces", test_line_in_pieces);
	g_test_add_func("/boot-driver/limit", test_limit);
	g_test_add_func("/boot-driver/direct-kernel", test_direct_kernel);
	g_test_add_func("/boot-driver/no-echo", test_no_echo);
	return g_test_run();
}
