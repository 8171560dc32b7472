#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The firmware a guest boots under. An image is tested the way machines
 * boot it: through its El Torito entries and its own bootloader under a
 * PC BIOS (SeaBIOS), under UEFI (OVMF), and under UEFI with Secure Boot
 * enforced and Microsoft's keys enrolled, as most amd64 desktops ship.
 */
typedef enum {
	SG_FIRMWARE_BIOS,
	SG_FIRMWARE_UEFI,
	SG_FIRMWARE_UEFI_SECURE_BOOT,
	/* pseries' Open Firmware (QEMU's slof.bin): a ppc64el machine's one
	 * firmware, so never a choice of --firmware or a profile. */
	SG_FIRMWARE_SLOF,
} SgFirmware;

#define SG_FIRMWARE_COUNT 4

/* "bios", "uefi", "uefi-secureboot" (the words of profiles and result.json;
 * from_string takes these three), "slof" (result.json's alone). */
const gchar *sg_firmware_to_string(SgFirmware firmware);
gboolean sg_firmware_from_string(const gchar *text, SgFirmware *firmware);
/* "BIOS", "UEFI", "UEFI with Secure Boot": the words of verdicts. */
const gchar *sg_firmware_describe(SgFirmware firmware);
gboolean sg_firmware_is_uefi(SgFirmware firmware);

/* Where QEMU's firmware descriptors are read (firmware.json in QEMU's
 * docs/interop): an operator's in /etc first, then the packages'. */
#define SG_FIRMWARE_DESCRIPTOR_DIRS "/etc/qemu/firmware", "/usr/share/qemu/firmware"

/* The empty variable store of the UEFI build that libvirt picks for a
 * guest of @qemu_arch ("x86_64": a q35 PC, "aarch64": a virt machine) under
 * @firmware, found the way libvirt finds it: the first descriptor (by file
 * name, one in /etc hiding one of the same name in /usr/share) for that
 * architecture's machine and flash with Secure Boot and enrolled keys, or
 * without Secure Boot. @dirs: NULL for SG_FIRMWARE_DESCRIPTOR_DIRS. */
gchar *sg_firmware_nvram_template(SgFirmware firmware, const gchar *qemu_arch,
				  const gchar *const *dirs, GError **error);

G_END_DECLS
