#include "sg-firmware.h"

static const struct {
	const gchar *word;
	const gchar *words;
} firmwares[SG_FIRMWARE_COUNT] = {
	[SG_FIRMWARE_BIOS] = {"bios", "BIOS"},
	[SG_FIRMWARE_UEFI] = {"uefi", "UEFI"},
	[SG_FIRMWARE_UEFI_SECURE_BOOT] = {"uefi-secureboot", "UEFI with Secure Boot"},
};

const gchar *
sg_firmware_to_string(SgFirmware firmware)
{
	g_return_val_if_fail(firmware < SG_FIRMWARE_COUNT, NULL);
	return firmwares[firmware].word;
}

gboolean
sg_firmware_from_string(const gchar *text, SgFirmware *firmware)
{
	for (guint i = 0; i < SG_FIRMWARE_COUNT; i++) {
		if (g_strcmp0(text, firmwares[i].word) == 0) {
			*firmware = i;
			return TRUE;
		}
	}
	return FALSE;
}

const gchar *
sg_firmware_describe(SgFirmware firmware)
{
	g_return_val_if_fail(firmware < SG_FIRMWARE_COUNT, NULL);
	return firmwares[firmware].words;
}

gboolean
sg_firmware_is_uefi(SgFirmware firmware)
{
	return firmware == SG_FIRMWARE_UEFI || firmware == SG_FIRMWARE_UEFI_SECURE_BOOT;
}
