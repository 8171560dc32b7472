#include <glib/gstdio.h>
#include <string.h>

#include "sg-error.h"
#include "sg-flavour.h"
#include "sg-paths.h"

static gchar *
write_profile(const gchar *dir, const gchar *name, const gchar *contents)
{
	gchar *path = g_build_filename(dir, name, NULL);
	g_assert_true(g_file_set_contents(path, contents, -1, NULL));
	return path;
}

/* Every shipped profile loads, and names an answer file that exists (what
 * the answer files say is harness/pipeline/tests/test-evidence.c's). */
static void
test_shipped_profiles(void)
{
	g_autofree gchar *flavours_dir = g_test_build_filename(G_TEST_DIST, "..", "flavours", NULL);
	g_autofree gchar *answers_dir =
		g_test_build_filename(G_TEST_DIST, "..", "..", "preseed", NULL);
	const gchar *dirs[] = {flavours_dir, NULL};
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) flavours = sg_flavour_load_dirs(dirs, &error);

	g_assert_no_error(error);
	g_assert_cmpuint(flavours->len, >, 0);
	for (guint i = 0; i < flavours->len; i++) {
		SgFlavour *flavour = g_ptr_array_index(flavours, i);
		g_autofree gchar *answers = NULL;

		g_test_message("profile %s", flavour->name);
		g_assert_cmpint(flavour->family, !=, SG_FAMILY_UNKNOWN);
		g_assert_true(flavour->plan_install || flavour->plan_live);
		/* A generic profile is chosen by the image's layout, never by
		 * its words; every other one is found by its words. */
		if (flavour->generic)
			g_assert_true(flavour->disk_info_pattern == NULL &&
				      flavour->volume_id_pattern == NULL);
		else
			g_assert_true(flavour->disk_info_pattern != NULL ||
				      flavour->volume_id_pattern != NULL);
		g_assert_cmpuint(g_strv_length(flavour->console_markers), >, 0);
		if (flavour->plan_live)
			g_assert_nonnull(flavour->live_kernel);
		if (!flavour->plan_install)
			continue;
		g_assert_nonnull(flavour->kernel);
		g_assert_nonnull(flavour->answers);
		answers = g_build_filename(answers_dir, flavour->answers, NULL);
		g_assert_true(g_file_test(answers, G_FILE_TEST_IS_REGULAR));
	}
}

/* One generic profile per installer family, and none for "unknown". */
static void
test_generic_profiles(void)
{
	g_autofree gchar *flavours_dir = g_test_build_filename(G_TEST_DIST, "..", "flavours", NULL);
	const gchar *dirs[] = {flavours_dir, NULL};
	g_autoptr(GPtrArray) flavours = sg_flavour_load_dirs(dirs, NULL);
	const SgFamily families[] = {SG_FAMILY_DEBIAN_INSTALLER, SG_FAMILY_UBIQUITY,
				     SG_FAMILY_SUBIQUITY, SG_FAMILY_LIVE};

	for (guint i = 0; i < G_N_ELEMENTS(families); i++) {
		SgFlavour *generic = sg_flavour_find_generic(flavours, families[i]);
		g_autofree gchar *name =
			g_strdup_printf("generic-%s", sg_family_to_string(families[i]));
		g_assert_nonnull(generic);
		g_assert_cmpstr(generic->name, ==, name);
	}
	g_assert_null(sg_flavour_find_generic(flavours, SG_FAMILY_UNKNOWN));
	/* A generic live image must be drawn on the screen to pass. */
	g_assert_true(sg_flavour_find_generic(flavours, SG_FAMILY_LIVE)->drawn_desktop);
}

static void
test_detect(void)
{
	g_autofree gchar *flavours_dir = g_test_build_filename(G_TEST_DIST, "..", "flavours", NULL);
	const gchar *dirs[] = {flavours_dir, NULL};
	g_autoptr(GPtrArray) flavours = sg_flavour_load_dirs(dirs, NULL);
	SgFlavour *found;

	found = sg_flavour_detect(
		flavours, "Smokegate Test Image 1.0 \"good\" - amd64 debian-installer (20261125)",
		"SMOKETEST_AMD64");
	g_assert_nonnull(found);
	g_assert_cmpstr(found->name, ==, "smoketest");
	found = sg_flavour_detect(flavours,
				  "Smokegate Test Ubuntu 1.0 \"good\" - amd64 ubiquity (20261125)",
				  "SMOKETEST_CASPER");
	g_assert_cmpstr(found->name, ==, "smoketest-casper");
	found = sg_flavour_detect(
		flavours, "Smokegate Test Ubuntu Server 1.0 \"good\" - amd64 subiquity (20261125)",
		"SMOKETEST_SUBIQUITY");
	g_assert_cmpstr(found->name, ==, "smoketest-subiquity");
	found = sg_flavour_detect(flavours,
				  "Smokegate Test Debian Live 1.0 \"good\" - amd64 live (20261125)",
				  "SMOKETEST_LIVE");
	g_assert_cmpstr(found->name, ==, "smoketest-live");
	/* No .disk/info: the volume id alone tells. */
	found = sg_flavour_detect(flavours, NULL, "SMOKETEST_LIVE");
	g_assert_cmpstr(found->name, ==, "smoketest-live");
	/* Volume ids vary in case between releases: matching ignores case. */
	found = sg_flavour_detect(flavours, NULL, "smoketest_live");
	g_assert_cmpstr(found->name, ==, "smoketest-live");
	/* Debian's live images name their desktop in the volume id ("xf" for
	 * Xfce); another desktop's image is left to the generic profile. */
	found = sg_flavour_detect(flavours, NULL, "d-live 12.8.0 xf amd64");
	g_assert_cmpstr(found->name, ==, "debian-live");
	found = sg_flavour_detect(flavours, NULL, "D-LIVE 12.8.0 XF AMD64");
	g_assert_cmpstr(found->name, ==, "debian-live");
	g_assert_null(sg_flavour_detect(flavours, NULL, "d-live 12.8.0 gn amd64"));
	g_assert_null(sg_flavour_detect(flavours, "Some Other OS 1.0", "OTHER"));
	g_assert_null(sg_flavour_detect(flavours, NULL, "OTHER"));
}

/* [Timeouts] EmulationFactor=: read, and refused with the file and line. */
static void
test_emulation_factor(void)
{
	g_autofree gchar *dir = g_dir_make_tmp("sg-flavour-XXXXXX", NULL);
	g_autofree gchar *slow = write_profile(dir, "slow.conf",
					       "[Flavour]\nFamily=live\n[Timeouts]\n"
					       "BootloaderSeconds=300\nEmulationFactor=3.5\n");
	g_autofree gchar *bad = write_profile(dir, "bad.conf",
					      "[Flavour]\nFamily=live\n[Timeouts]\n"
					      "EmulationFactor=0\n");
	g_autoptr(GError) error = NULL;
	g_autoptr(SgFlavour) flavour = sg_flavour_load_file(slow, &error);

	g_assert_no_error(error);
	g_assert_cmpfloat(flavour->emulation_factor, ==, 3.5);
	g_assert_cmpuint(flavour->bootloader_seconds, ==, 300); /* the plan scales it */
	g_assert_null(sg_flavour_load_file(bad, &error));
	g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);
	g_assert_nonnull(strstr(error->message, "bad.conf:4: [Timeouts] EmulationFactor=0 is not "
						"a number from 1 to 20"));
	g_assert_null(strchr(error->message, '\n'));
	g_unlink(slow);
	g_unlink(bad);
	g_rmdir(dir);
}

/* [Guest] Arch= may name several; [Boot ARCH] replaces [Boot]'s firmware
 * for that architecture's images only. */
static void
test_arch_entries(void)
{
	g_autofree gchar *dir = g_dir_make_tmp("sg-flavour-XXXXXX", NULL);
	g_autofree gchar *both = write_profile(dir, "both.conf",
					       "[Flavour]\nFamily=live\n[Boot]\n"
					       "Firmware=uefi-secureboot;bios\n[Boot arm64]\n"
					       "Firmware=uefi\nReportFirmware=uefi-secureboot\n"
					       "[Guest]\nArch=amd64; arm64\n");
	g_autofree gchar *bad_group = write_profile(dir, "badgroup.conf",
						    "[Flavour]\nFamily=live\n[Boot arm64]\n"
						    "Kernel=/k\n");
	g_autofree gchar *bad_firmware = write_profile(dir, "badfw.conf",
						       "[Flavour]\nFamily=live\n[Boot arm64]\n"
						       "Firmware=bios;coreboot\n");
	g_autofree gchar *bad_arch = write_profile(dir, "badarch.conf",
						   "[Flavour]\nFamily=live\n[Guest]\n"
						   "Arch=amd64;vax\n");
	g_autoptr(GError) error = NULL;
	g_autoptr(SgFlavour) flavour = sg_flavour_load_file(both, &error);

	g_assert_no_error(error);
	g_assert_cmpstr(flavour->arch, ==, "amd64");
	g_assert_cmpuint(g_strv_length(flavour->arches), ==, 2);
	g_assert_cmpstr(flavour->arches[1], ==, "arm64");
	g_assert_cmpuint(flavour->firmware->len, ==, 2);
	sg_flavour_use_arch(flavour, "amd64"); /* no [Boot amd64]: [Boot]'s */
	g_assert_cmpuint(flavour->firmware->len, ==, 2);
	sg_flavour_use_arch(flavour, "arm64");
	g_assert_cmpuint(flavour->firmware->len, ==, 1);
	g_assert_cmpint(g_array_index(flavour->firmware, SgFirmware, 0), ==, SG_FIRMWARE_UEFI);
	g_assert_cmpint(g_array_index(flavour->report_firmware, SgFirmware, 0), ==,
			SG_FIRMWARE_UEFI_SECURE_BOOT);

	g_assert_null(sg_flavour_load_file(bad_group, &error));
	g_assert_nonnull(strstr(error->message, "[Boot arm64] unknown key Kernel"));
	g_clear_error(&error);
	g_assert_null(sg_flavour_load_file(bad_firmware, &error));
	g_assert_nonnull(strstr(error->message, "badfw.conf:4: [Boot arm64] Firmware: "));
	g_clear_error(&error);
	g_assert_null(sg_flavour_load_file(bad_arch, &error));
	g_assert_nonnull(strstr(error->message, "badarch.conf:4: "));
	g_assert_nonnull(strstr(error->message, "not vax"));
	g_clear_error(&error);
	g_unlink(both);
	g_unlink(bad_group);
	g_unlink(bad_firmware);
	g_unlink(bad_arch);
	g_rmdir(dir);
}

static void
test_override_and_errors(void)
{
	g_autofree gchar *dir = g_dir_make_tmp("sg-flavour-XXXXXX", NULL);
	g_autofree gchar *good = write_profile(
		dir, "mine.conf",
		"[Flavour]\nFamily=live\n[Live]\nKernel=/live/vmlinuz\nInitrd=/live/initrd.img\n"
		"[Guest]\nMemoryMiB=1024\n");
	g_autoptr(GError) error = NULL;
	g_autoptr(SgFlavour) flavour = sg_flavour_load_file(good, &error);
	g_autofree gchar *bad_boolean =
		write_profile(dir, "bool.conf",
			      "[Flavour]\nFamily=live\n[Live]\nKernel=/k\nInitrd=/"
			      "i\n[Desktop]\nDrawnDesktop=yes\n");
	g_autofree gchar *bad_family =
		write_profile(dir, "bad.conf", "[Flavour]\nFamily=anaconda\n[Boot]\nKernel=/k\n");
	g_autofree gchar *bad_number =
		write_profile(dir, "num.conf",
			      "[Flavour]\nFamily=debian-installer\n[Boot]\nKernel=/k\nInitrd=/"
			      "i\n[Guest]\nMemoryMiB=lots\n");
	g_autofree gchar *too_big =
		write_profile(dir, "big.conf",
			      "[Flavour]\nFamily=debian-installer\n[Boot]\nKernel=/k\nInitrd=/"
			      "i\n[Guest]\nDiskGiB=4294967297\n");
	g_autofree gchar *bad_syntax =
		write_profile(dir, "syntax.conf", "[Flavour]\nFamily=live\nthis line is wrong\n");
	g_autofree gchar *bad_plan =
		write_profile(dir, "plan.conf", "[Flavour]\nFamily=live\nPlans=install\n");
	g_autofree gchar *no_mirror =
		write_profile(dir, "nomirror.conf",
			      "[Flavour]\nFamily=debian-installer\n[Boot]\nKernel=/k\n"
			      "Initrd=/i\n[Guest]\nNetwork=mirror\n");
	g_autofree gchar *missing = write_profile(
		dir, "missing.conf", "[Flavour]\nFamily=live\n[Boot]\nMethod=direct\n");
	g_autofree gchar *firmware_boot = write_profile(dir, "fw.conf", "[Flavour]\nFamily=live\n");
	g_autofree gchar *bad_firmware = write_profile(
		dir, "badfw.conf", "[Flavour]\nFamily=live\n[Boot]\nFirmware=uefi;coreboot\n");
	g_autofree gchar *bad_method = write_profile(
		dir, "badmethod.conf", "[Flavour]\nFamily=live\n[Boot]\nMethod=pxe\n");
	g_autofree gchar *matrix = write_profile(
		dir, "matrix.conf",
		"[Flavour]\nFamily=live\n[Boot]\nFirmware=uefi-secureboot; uefi;bios;uefi\n");
	SgFlavour *refused;

	g_assert_no_error(error);
	g_assert_cmpuint(flavour->memory_mib, ==, 1024);
	g_assert_cmpuint(flavour->vcpus, ==, 2); /* the default */
	g_assert_cmpfloat(flavour->emulation_factor, ==, 2.0);
	g_assert_cmpint(flavour->family, ==, SG_FAMILY_LIVE);
	g_assert_true(flavour->plan_live);
	g_assert_false(flavour->plan_install);

	refused = sg_flavour_load_file(bad_family, &error);
	g_assert_null(refused);
	g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);
	g_assert_nonnull(strstr(error->message, "anaconda"));
	g_clear_error(&error);
	g_assert_null(sg_flavour_load_file(bad_number, &error));
	g_assert_nonnull(strstr(error->message, "MemoryMiB=lots"));
	/* The refusal points at the file and the line. */
	g_assert_true(g_str_has_prefix(error->message, bad_number));
	g_assert_nonnull(strstr(error->message, "num.conf:7: "));
	g_clear_error(&error);
	/* Too big for the field: refused, not wrapped to a 1 GiB disk. */
	g_assert_null(sg_flavour_load_file(too_big, &error));
	g_assert_nonnull(strstr(error->message, "big.conf:7: [Guest] DiskGiB=4294967297 is not"));
	g_clear_error(&error);
	g_assert_null(sg_flavour_load_file(missing, &error));
	g_assert_nonnull(
		strstr(error->message, "Kernel= and Initrd= are needed for the live plan"));
	g_clear_error(&error);
	/* Through the firmware the image's own menus name the kernel; BIOS
	 * and UEFI are required, Secure Boot reported, by default. */
	{
		g_autoptr(SgFlavour) booted = sg_flavour_load_file(firmware_boot, &error);
		g_autoptr(SgFlavour) all = NULL;

		g_assert_no_error(error);
		g_assert_false(booted->boot_direct);
		g_assert_cmpuint(booted->firmware->len, ==, 2);
		g_assert_cmpint(g_array_index(booted->firmware, SgFirmware, 0), ==,
				SG_FIRMWARE_BIOS);
		g_assert_cmpint(g_array_index(booted->firmware, SgFirmware, 1), ==,
				SG_FIRMWARE_UEFI);
		g_assert_cmpuint(booted->report_firmware->len, ==, 1);
		g_assert_cmpint(g_array_index(booted->report_firmware, SgFirmware, 0), ==,
				SG_FIRMWARE_UEFI_SECURE_BOOT);
		g_assert_cmpuint(booted->bootloader_seconds, ==, 300);
		/* Each once, in order; a required one is not also reported. */
		all = sg_flavour_load_file(matrix, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(all->firmware->len, ==, 3);
		g_assert_cmpint(g_array_index(all->firmware, SgFirmware, 0), ==,
				SG_FIRMWARE_UEFI_SECURE_BOOT);
		g_assert_cmpint(g_array_index(all->firmware, SgFirmware, 2), ==, SG_FIRMWARE_BIOS);
		g_assert_cmpuint(all->report_firmware->len, ==, 0);
	}
	g_assert_null(sg_flavour_load_file(bad_firmware, &error));
	g_assert_nonnull(strstr(error->message, "badfw.conf:4: [Boot] Firmware: 'coreboot' is "
						"not a firmware"));
	g_clear_error(&error);
	g_assert_null(sg_flavour_load_file(bad_method, &error));
	g_assert_nonnull(strstr(error->message, "Method=pxe is not firmware or direct"));
	g_clear_error(&error);
	g_unlink(firmware_boot);
	g_unlink(bad_firmware);
	g_unlink(bad_method);
	g_unlink(matrix);
	g_assert_null(sg_flavour_load_file(bad_syntax, &error));
	g_assert_nonnull(strstr(error->message, "syntax.conf:3: "));
	g_clear_error(&error);
	g_assert_null(sg_flavour_load_file(bad_plan, &error));
	g_assert_nonnull(strstr(error->message, "plan.conf:3: "));
	g_assert_nonnull(strstr(error->message, "Plans=live"));
	g_clear_error(&error);
	g_assert_null(sg_flavour_load_file(no_mirror, &error));
	g_assert_nonnull(strstr(error->message, "nomirror.conf:7: "));
	g_assert_nonnull(strstr(error->message, "Mirror="));
	g_clear_error(&error);
	g_assert_null(sg_flavour_load_file(bad_boolean, &error));
	g_assert_nonnull(strstr(error->message, "bool.conf:7: "));
	g_assert_nonnull(strstr(error->message, "DrawnDesktop=yes is not true or false"));
	g_clear_error(&error);
	g_unlink(bad_boolean);
	g_unlink(no_mirror);
	g_unlink(bad_syntax);
	g_unlink(bad_plan);

	g_unlink(good);
	g_unlink(bad_family);
	g_unlink(bad_number);
	g_unlink(too_big);
	g_unlink(missing);
	g_rmdir(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/flavour/shipped-profiles", test_shipped_profiles);
	g_test_add_func("/flavour/detect", test_detect);
	g_test_add_func("/flavour/generic", test_generic_profiles);
	g_test_add_func("/flavour/override-and-errors", test_override_and_errors);
	g_test_add_func("/flavour/emulation-factor", test_emulation_factor);
	g_test_add_func("/flavour/arch-entries", test_arch_entries);
	return g_test_run();
}
