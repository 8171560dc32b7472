#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What an ISO's own bootloaders will do when a machine boots it, read from
 * the image alone (nothing mounted, nothing booted): under BIOS the El
 * Torito x86 image (isolinux with its isolinux.cfg, or GRUB), under UEFI the
 * EFI El Torito image (a FAT file system holding /EFI/BOOT/BOOT<ARCH>.EFI:
 * shim, or GRUB, and the grub.cfg chain GRUB follows onto the CD). */

typedef enum {
	SG_BOOT_FIRMWARE_BIOS,
	SG_BOOT_FIRMWARE_UEFI,
} SgBootFirmware;

typedef enum {
	SG_BOOT_LOADER_UNKNOWN, /* an image that is neither isolinux nor GRUB */
	SG_BOOT_LOADER_ISOLINUX,
	SG_BOOT_LOADER_GRUB,
} SgBootLoaderKind;

/* Some settings sit in branches that cannot be decided without booting
 * (`if loadfont unicode`): those are MAYBE. */
typedef enum {
	SG_BOOT_NO,
	SG_BOOT_YES,
	SG_BOOT_MAYBE,
} SgBootAnswer;

typedef struct {
	gchar *title;	  /* as the menu shows it (isolinux: MENU LABEL without '^') */
	gchar *label;	  /* isolinux's LABEL, GRUB's --id; NULL when none */
	gchar *submenu;	  /* enclosing submenu titles joined by " > ", NULL at the top */
	gchar *kernel;	  /* the path the loader opens: "/live/vmlinuz" on the ISO;
			     another device keeps its GRUB name: "(memdisk)/x" */
	GStrv initrds;	  /* likewise, in order; empty when none */
	gchar *args;	  /* the kernel command line, variables expanded where known */
	gboolean hidden;  /* isolinux MENU HIDE, GRUB --hidden: not drawn */
	gboolean missing; /* the kernel or an initrd is not on the image */
	/* GRUB: the lines its entry editor (`e`) shows, the first being
	 * "setparams 'TITLE'", and the index of the line that ends the `linux`
	 * command: press `e`, Down that many times, Ctrl-E, type, Ctrl-X. -1
	 * when there is no linux line or it shares its line with another
	 * command (then typing at its end would change that command). GRUB's
	 * Down moves by these lines, not by screen rows, so wrapping does not
	 * count. isolinux: NULL and -1 (Tab shows the whole command line). */
	GStrv editor_lines;
	gint editor_linux_line;
} SgBootEntry;

typedef struct {
	SgBootFirmware firmware;
	gchar *arch; /* UEFI: "x64", "ia32", "aa64" ...; BIOS: "x86" */
	SgBootLoaderKind kind;
	gchar *loader;		 /* what the firmware starts: "/isolinux/isolinux.bin",
				    "(efiimg)/EFI/BOOT/BOOTX64.EFI" */
	gchar *second_stage;	 /* shim's GRUB: "(efiimg)/EFI/BOOT/grubx64.efi" */
	gchar *grub_prefix;	 /* GRUB's built-in prefix, NULL when unread */
	gchar *grub_embedded;	 /* GRUB's built-in config, NULL when none */
	gchar *config;		 /* the menu's config file, NULL when none was found */
	GPtrArray *config_files; /* gchar*: every file read, in order */
	GPtrArray *entries;	 /* SgBootEntry, in menu order, submenus depth first */
	gint default_entry;	 /* index in entries; -1 when none or undecidable */
	/* Tenths of a second before the default entry boots by itself: -1 the
	 * menu waits for a key, 0 it boots without reading one. */
	gint timeout_ds;
	SgBootAnswer timeout_known; /* NO: the timeout is a guess (see notes) */
	/* GRUB's timeout_style ("menu", "countdown", "hidden"); NULL for isolinux. */
	gchar *timeout_style;
	/* The menu is drawn in graphics (vesamenu.c32, gfxboot, GRUB's gfxterm):
	 * it does not reach a serial console. */
	SgBootAnswer graphical;
	GPtrArray *notes; /* gchar*: what could not be decided, and why */
} SgBootLoader;

/* A static finding that will stop a machine from booting the image; the
 * lead's verdict turns it into a fail naming the firmware. */
typedef struct {
	SgBootFirmware firmware;
	gchar *arch; /* NULL: every architecture of that firmware */
	gchar *message;
} SgBootProblem;

typedef struct {
	SgBootLoader *bios;  /* NULL: no x86 El Torito entry */
	GPtrArray *uefi;     /* SgBootLoader, one per EFI loader architecture found */
	GPtrArray *problems; /* SgBootProblem */
} SgBootMenu;

void sg_boot_entry_free(SgBootEntry *entry);
void sg_boot_loader_free(SgBootLoader *loader);
void sg_boot_menu_free(SgBootMenu *menu);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgBootEntry, sg_boot_entry_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgBootLoader, sg_boot_loader_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgBootMenu, sg_boot_menu_free)

/* Reads the boot configuration of @iso. A file that is not ISO 9660 is
 * SG_ERROR_IMAGE; an image whose bootloaders cannot boot it is not an
 * error: that is in the result's problems. Blocking (reads the ISO): call
 * it from a worker thread. */
SgBootMenu *sg_boot_menu_read(const gchar *iso, GError **error);

/* The loader for UEFI on @arch ("x64"), or NULL. */
SgBootLoader *sg_boot_menu_uefi(const SgBootMenu *menu, const gchar *arch);

/* The entry that boots when nobody presses a key, or NULL. */
const SgBootEntry *sg_boot_loader_default(const SgBootLoader *loader);

/* "BIOS", "UEFI (x64)": how problems and notes name a loader. */
gchar *sg_boot_loader_describe(const SgBootLoader *loader);

/* The whole result as text, one fact a line, for evidence and tests. */
gchar *sg_boot_menu_to_string(const SgBootMenu *menu);

G_END_DECLS
