#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The architectures of the images a daily build ships, by Debian's names
 * (the word in .disk/info and in SERIES-TYPE-ARCH.iso), and what each asks
 * of a guest: QEMU's name for it, the UEFI loader it starts
 * (/EFI/BOOT/BOOT<EFI>.EFI), the serial console its kernel writes to.
 */
typedef struct {
	const gchar *name;    /* "amd64": Debian's */
	const gchar *qemu;    /* "x86_64": QEMU's and libvirt's */
	const gchar *efi;     /* "x64": the UEFI spec's loader suffix, NULL: none */
	const gchar *console; /* "ttyS0": the first serial port's device */
	gboolean guest;	      /* smokegate makes guests of it */
	/* Its guests boot the installer's kernel directly, never the image's
	 * own bootloader: Debian's ppc64el netboot ships a kernel and an
	 * initrd only, and pseries' SLOF has no menu smokegate reads. */
	gboolean boots_direct;
} SgArch;

/* The architecture named @word (Debian's name, or QEMU's: "aarch64"), or
 * NULL when it is none known. */
const SgArch *sg_arch_find(const gchar *word);

/* The architecture whose UEFI loaders are BOOT<@efi>.EFI ("aa64"), or NULL. */
const SgArch *sg_arch_find_efi(const gchar *efi);

/* "--arch must be one of amd64, i386, ..." (SG_ERROR_USAGE, @what naming
 * the option or key) unless @word names one smokegate makes guests of. */
const SgArch *sg_arch_parse(const gchar *word, const gchar *what, GError **error);

/* The architecture of the machine @arch's guests run on: its own, amd64's
 * for i386 (an i386 image boots on the x86-64 machine, whose UEFI starts
 * BOOTX64.EFI). */
const SgArch *sg_arch_machine(const SgArch *arch);

/* The architecture a cdimage name says (noble-desktop-arm64.iso: its last
 * dash-separated word), or NULL. */
const SgArch *sg_arch_from_file_name(const gchar *path);

/* The architecture of the machine this runs on. */
const SgArch *sg_arch_host(void);

/* A libvirt host's own architecture in its capabilities XML @caps
 * (<host><cpu><arch>, not a guest section's), Debian's name; NULL when it
 * says none smokegate knows. */
gchar *sg_arch_host_from_capabilities(const gchar *caps);

/* @args with each console=ttyS0 (the word profiles write) made @arch's own
 * serial console, keeping its options (",115200"). */
gchar *sg_arch_console_args(const SgArch *arch, const gchar *args);

G_END_DECLS
