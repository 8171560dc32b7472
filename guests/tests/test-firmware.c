#include <glib/gstdio.h>
#include <string.h>

#include "sg-error.h"
#include "sg-firmware.h"

static void
test_words(void)
{
	SgFirmware firmware;

	for (guint i = 0; i < SG_FIRMWARE_COUNT; i++) {
		g_assert_true(sg_firmware_from_string(sg_firmware_to_string(i), &firmware));
		g_assert_cmpint(firmware, ==, i);
	}
	g_assert_false(sg_firmware_from_string("efi", &firmware));
	g_assert_cmpstr(sg_firmware_describe(SG_FIRMWARE_UEFI_SECURE_BOOT), ==,
			"UEFI with Secure Boot");
	g_assert_false(sg_firmware_is_uefi(SG_FIRMWARE_BIOS));
}

static void
write_descriptor(const gchar *dir, const gchar *name, const gchar *features, const gchar *machines,
		 const gchar *template_path)
{
	g_autofree gchar *path = g_build_filename(dir, name, NULL);
	g_autofree gchar *json = g_strdup_printf(
		"{\"interface-types\": [\"uefi\"], \"mapping\": {\"device\": \"flash\", "
		"\"executable\": {\"filename\": \"/code.fd\", \"format\": \"raw\"}, "
		"\"nvram-template\": {\"filename\": \"%s\", \"format\": \"raw\"}}, "
		"\"targets\": [{\"architecture\": \"x86_64\", \"machines\": [%s]}], "
		"\"features\": [%s], \"tags\": []}",
		template_path, machines, features);

	g_assert_true(g_file_set_contents(path, json, -1, NULL));
}

/* The descriptors Debian's ovmf installs, and an operator's override. */
static void
test_nvram_template(void)
{
	g_autofree gchar *etc = g_dir_make_tmp("sg-firmware-etc-XXXXXX", NULL);
	g_autofree gchar *share = g_dir_make_tmp("sg-firmware-share-XXXXXX", NULL);
	const gchar *dirs[] = {etc, share, NULL};
	g_autoptr(GError) error = NULL;
	g_autofree gchar *secure = NULL;
	g_autofree gchar *plain = NULL;
	g_autofree gchar *overridden = NULL;
	g_autofree gchar *none = NULL;

	write_descriptor(share, "40-edk2-x86_64-secure-enrolled.json",
			 "\"acpi-s3\", \"enrolled-keys\", \"requires-smm\", \"secure-boot\"",
			 "\"pc-q35-*\"", "/ms-vars.fd");
	write_descriptor(share, "50-edk2-x86_64-secure.json",
			 "\"acpi-s3\", \"requires-smm\", \"secure-boot\"", "\"pc-q35-*\"",
			 "/empty-secure-vars.fd");
	write_descriptor(share, "60-edk2-x86_64.json", "\"acpi-s3\"",
			 "\"pc-i440fx-*\", \"pc-q35-*\"", "/vars.fd");
	secure = sg_firmware_nvram_template(SG_FIRMWARE_UEFI_SECURE_BOOT, dirs, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(secure, ==, "/ms-vars.fd");
	plain = sg_firmware_nvram_template(SG_FIRMWARE_UEFI, dirs, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(plain, ==, "/vars.fd");
	/* Same name in /etc: it hides the package's. */
	write_descriptor(etc, "60-edk2-x86_64.json", "\"acpi-s3\"", "\"pc-q35-*\"",
			 "/local-vars.fd");
	overridden = sg_firmware_nvram_template(SG_FIRMWARE_UEFI, dirs, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(overridden, ==, "/local-vars.fd");
	/* No descriptor for a q35 guest: an error that says what to install. */
	g_autofree gchar *local = g_build_filename(etc, "60-edk2-x86_64.json", NULL);
	g_unlink(local);
	write_descriptor(share, "60-edk2-x86_64.json", "\"acpi-s3\"", "\"pc-i440fx-*\"",
			 "/vars.fd");
	none = sg_firmware_nvram_template(SG_FIRMWARE_UEFI, dirs, &error);
	g_assert_null(none);
	g_assert_error(error, SG_ERROR, SG_ERROR_LAB);
	g_assert_nonnull(strstr(error->message, "ovmf"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/firmware/words", test_words);
	g_test_add_func("/firmware/nvram-template", test_nvram_template);
	return g_test_run();
}
