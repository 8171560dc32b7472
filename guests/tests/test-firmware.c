#include <glib/gstdio.h>
#include <string.h>

#include "sg-error.h"
#include "sg-firmware.h"

static void
test_words(void)
{
	SgFirmware firmware;

	for (guint i = 0; i < SG_FIRMWARE_COUNT; i++) {
		if (i == SG_FIRMWARE_SLOF)
			continue;
		g_assert_true(sg_firmware_from_string(sg_firmware_to_string(i), &firmware));
		g_assert_cmpint(firmware, ==, i);
	}
	/* pseries has no other firmware: nothing to choose. */
	g_assert_false(sg_firmware_from_string("slof", &firmware));
	g_assert_cmpstr(sg_firmware_to_string(SG_FIRMWARE_SLOF), ==, "slof");
	g_assert_false(sg_firmware_is_uefi(SG_FIRMWARE_SLOF));
	g_assert_false(sg_firmware_from_string("efi", &firmware));
	g_assert_cmpstr(sg_firmware_describe(SG_FIRMWARE_UEFI_SECURE_BOOT), ==,
			"UEFI with Secure Boot");
	g_assert_false(sg_firmware_is_uefi(SG_FIRMWARE_BIOS));
}

static void
write_arch_descriptor(const gchar *dir, const gchar *name, const gchar *arch, const gchar *features,
		      const gchar *machines, const gchar *template_path)
{
	g_autofree gchar *path = g_build_filename(dir, name, NULL);
	g_autofree gchar *json = g_strdup_printf(
		"{\"interface-types\": [\"uefi\"], \"mapping\": {\"device\": \"flash\", "
		"\"executable\": {\"filename\": \"/code.fd\", \"format\": \"raw\"}, "
		"\"nvram-template\": {\"filename\": \"%s\", \"format\": \"raw\"}}, "
		"\"targets\": [{\"architecture\": \"%s\", \"machines\": [%s]}], "
		"\"features\": [%s], \"tags\": []}",
		template_path, arch, machines, features);

	g_assert_true(g_file_set_contents(path, json, -1, NULL));
}

static void
write_descriptor(const gchar *dir, const gchar *name, const gchar *features, const gchar *machines,
		 const gchar *template_path)
{
	write_arch_descriptor(dir, name, "x86_64", features, machines, template_path);
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
	secure = sg_firmware_nvram_template(SG_FIRMWARE_UEFI_SECURE_BOOT, "x86_64", dirs, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(secure, ==, "/ms-vars.fd");
	plain = sg_firmware_nvram_template(SG_FIRMWARE_UEFI, "x86_64", dirs, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(plain, ==, "/vars.fd");
	/* Same name in /etc: it hides the package's. */
	write_descriptor(etc, "60-edk2-x86_64.json", "\"acpi-s3\"", "\"pc-q35-*\"",
			 "/local-vars.fd");
	overridden = sg_firmware_nvram_template(SG_FIRMWARE_UEFI, "x86_64", dirs, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(overridden, ==, "/local-vars.fd");
	/* No descriptor for a q35 guest: an error that says what to install. */
	g_autofree gchar *local = g_build_filename(etc, "60-edk2-x86_64.json", NULL);
	g_unlink(local);
	write_descriptor(share, "60-edk2-x86_64.json", "\"acpi-s3\"", "\"pc-i440fx-*\"",
			 "/vars.fd");
	none = sg_firmware_nvram_template(SG_FIRMWARE_UEFI, "x86_64", dirs, &error);
	g_assert_null(none);
	g_assert_error(error, SG_ERROR, SG_ERROR_LAB);
	g_assert_nonnull(strstr(error->message, "ovmf"));
}

/* The descriptors Debian's qemu-efi-aarch64 installs beside ovmf's: an
 * arm64 guest (a virt machine) gets AAVMF's store, never OVMF's, and an x86
 * guest never AAVMF's. Its 50-...-secure names a CODE file the package
 * does not ship; Secure Boot asks for enrolled keys, so it is never
 * picked. */
static void
test_nvram_template_aarch64(void)
{
	g_autofree gchar *share = g_dir_make_tmp("sg-firmware-share-XXXXXX", NULL);
	const gchar *dirs[] = {share, NULL};
	g_autoptr(GError) error = NULL;
	g_autofree gchar *secure = NULL;
	g_autofree gchar *plain = NULL;
	g_autofree gchar *x86 = NULL;
	g_autofree gchar *none = NULL;

	write_arch_descriptor(share, "40-edk2-aarch64-secure-enrolled.json", "aarch64",
			      "\"enrolled-keys\", \"secure-boot\", \"verbose-static\"",
			      "\"virt-*\"", "/AAVMF_VARS.ms.fd");
	write_arch_descriptor(share, "50-edk2-aarch64-secure.json", "aarch64",
			      "\"secure-boot\", \"verbose-static\"", "\"virt-*\"",
			      "/AAVMF_VARS.fd");
	write_arch_descriptor(share, "60-edk2-aarch64.json", "aarch64", "\"verbose-static\"",
			      "\"virt-*\"", "/AAVMF_VARS.fd");
	secure = sg_firmware_nvram_template(SG_FIRMWARE_UEFI_SECURE_BOOT, "aarch64", dirs, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(secure, ==, "/AAVMF_VARS.ms.fd");
	plain = sg_firmware_nvram_template(SG_FIRMWARE_UEFI, "aarch64", dirs, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(plain, ==, "/AAVMF_VARS.fd");
	/* Only AAVMF here: an x86 guest has no firmware, and is told ovmf. */
	x86 = sg_firmware_nvram_template(SG_FIRMWARE_UEFI, "x86_64", dirs, &error);
	g_assert_null(x86);
	g_assert_error(error, SG_ERROR, SG_ERROR_LAB);
	g_assert_nonnull(strstr(error->message, "ovmf"));
	g_clear_error(&error);
	/* OVMF only: an arm64 guest is told qemu-efi-aarch64. */
	write_descriptor(share, "30-edk2-x86_64.json", "\"acpi-s3\"", "\"pc-q35-*\"", "/vars.fd");
	g_autofree gchar *aarch64 = g_build_filename(share, "60-edk2-aarch64.json", NULL);
	g_unlink(aarch64);
	none = sg_firmware_nvram_template(SG_FIRMWARE_UEFI, "aarch64", dirs, &error);
	g_assert_null(none);
	g_assert_nonnull(strstr(error->message, "qemu-efi-aarch64"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/firmware/words", test_words);
	g_test_add_func("/firmware/nvram-template", test_nvram_template);
	g_test_add_func("/firmware/nvram-template-aarch64", test_nvram_template_aarch64);
	return g_test_run();
}
