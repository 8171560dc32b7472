#include "sg-prepare.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "sg-answers.h"
#include "sg-arch.h"
#include "sg-boot-menu.h"
#include "sg-cidata.h"
#include "sg-emulation.h"
#include "sg-error.h"
#include "sg-files.h"
#include "sg-image-check.h"
#include "sg-initrd.h"
#include "sg-iso.h"
#include "sg-media.h"
#include "sg-paths.h"
#include "sg-suite.h"

static gchar *
default_evidence_dir(const gchar *image)
{
	g_autofree gchar *base = g_path_get_basename(image);
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree gchar *stamp = g_date_time_format(now, "%Y%m%d-%H%M%S");
	gchar *dot = strrchr(base, '.');

	if (dot != NULL && dot != base)
		*dot = '\0';
	g_autofree gchar *cwd = g_get_current_dir();
	g_autofree gchar *leaf = g_strdup_printf("%s-%s", base, stamp);

	return g_build_filename(cwd, "smokegate-evidence", leaf, NULL);
}

static gboolean
check_paths(const SgTestOptions *options, GError **error)
{
	if (!g_file_test(options->image, G_FILE_TEST_EXISTS)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s: no such file", options->image);
		return FALSE;
	}
	if (!g_file_test(options->image, G_FILE_TEST_IS_REGULAR)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s: not a regular file",
			    options->image);
		return FALSE;
	}
	if (options->flavours_dir != NULL &&
	    !g_file_test(options->flavours_dir, G_FILE_TEST_IS_DIR)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s: no such folder",
			    options->flavours_dir);
		return FALSE;
	}
	if (options->answers != NULL && !g_file_test(options->answers, G_FILE_TEST_EXISTS)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s: no such answer file",
			    options->answers);
		return FALSE;
	}
	/* A FIFO, a binary or a huge answer file is refused before any work. */
	if (options->answers != NULL) {
		g_autofree gchar *answers = sg_answers_read_file(options->answers, error);
		if (answers == NULL)
			return FALSE;
	}
	return TRUE;
}

SgPlan *
sg_prepare_check_inputs(const SgTestOptions *options, GError **error)
{
	g_autoptr(SgPlan) plan = sg_plan_new();

	if (!check_paths(options, error) ||
	    !sg_accel_from_string(options->accel, &plan->accel, error))
		return NULL;
	if (options->arch != NULL && sg_arch_parse(options->arch, "--arch", error) == NULL)
		return NULL;
	if (options->boot != NULL && !g_str_equal(options->boot, "firmware") &&
	    !g_str_equal(options->boot, "direct")) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "--boot must be firmware or direct");
		return NULL;
	}
	if (options->firmware != NULL) {
		g_auto(GStrv) words = g_strsplit(options->firmware, ";", -1);
		g_autoptr(GArray) firmware =
			sg_flavour_parse_firmware((const gchar *const *)words, error);
		if (firmware == NULL) {
			g_prefix_error(error, "--firmware: ");
			return NULL;
		}
		if (firmware->len == 0) {
			g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
				    "--firmware names no firmware: bios, uefi or uefi-secureboot");
			return NULL;
		}
	}
	plan->image = g_canonicalize_filename(options->image, NULL);
	plan->keep_disk = options->keep_disk;
	plan->max_guests = options->max_guests;
	plan->flavours = sg_flavour_load_all(options->flavours_dir, error);
	if (plan->flavours == NULL)
		return NULL;
	if (options->suites != NULL && options->suites[0] != NULL) {
		plan->suites = sg_suite_load_all(options->suites_dir, error);
		if (plan->suites == NULL)
			return NULL;
		plan->selected = sg_suite_select(plan->suites, options->suites, error);
		if (plan->selected == NULL)
			return NULL;
	}
	if (options->flavour != NULL) {
		plan->flavour = sg_flavour_find(plan->flavours, options->flavour);
		if (plan->flavour == NULL) {
			g_autofree gchar *known = sg_flavour_list_names(plan->flavours);
			g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
				    "unknown flavour '%s' (known: %s)", options->flavour, known);
			return NULL;
		}
	}
	plan->evidence_dir = options->evidence_dir != NULL
				     ? g_canonicalize_filename(options->evidence_dir, NULL)
				     : default_evidence_dir(options->image);
	if (g_mkdir_with_parents(plan->evidence_dir, 0755) != 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "cannot create the evidence folder %s: %s", plan->evidence_dir,
			    g_strerror(errno));
		return NULL;
	}
	/* Found now, not when the verdict is written after the whole test. */
	if (!sg_files_check_writable_folder(plan->evidence_dir, error)) {
		g_prefix_error(error, "the evidence folder: ");
		return NULL;
	}
	return g_steal_pointer(&plan);
}

/* The profile's plans boot the kernel and initrd of the image's own layout
 * (the plan's, of the profile's family), when it has one. */
static void
use_layout(SgPlan *plan)
{
	SgFlavour *flavour = plan->flavour;

	if (plan->layout_kernel == NULL)
		return;
	if (flavour->plan_install) {
		g_free(flavour->kernel);
		g_free(flavour->initrd);
		flavour->kernel = g_strdup(plan->layout_kernel);
		flavour->initrd = g_strdup(plan->layout_initrd);
	}
	if (flavour->plan_live) {
		g_free(flavour->live_kernel);
		g_free(flavour->live_initrd);
		flavour->live_kernel = g_strdup(plan->layout_kernel);
		flavour->live_initrd = g_strdup(plan->layout_initrd);
	}
}

/* A bad image is a fail (SG_ERROR_IMAGE). Without a profile that knows the
 * image, its layout tells the installer family and a generic profile
 * judges it; only an image whose layout says nothing either is the
 * caller's to name (usage). */
gboolean
sg_prepare_identify(SgPlan *plan, GError **error)
{
	g_autoptr(GError) local_error = NULL;
	g_autoptr(SgIsoInfo) info = NULL;

	if (!sg_image_checksum(plan->image, &plan->sha256, &plan->size, error))
		return FALSE;
	info = sg_iso_read_info(plan->image, &local_error);
	if (info == NULL) {
		/* Not even a flavour named on the command line judges it. */
		plan->flavour = NULL;
		g_set_error_literal(error, SG_ERROR, SG_ERROR_IMAGE, local_error->message);
		return FALSE;
	}
	if (plan->flavour == NULL)
		plan->flavour = sg_flavour_detect(plan->flavours, info->disk_info, info->volume_id);
	if (plan->flavour == NULL)
		plan->flavour = sg_flavour_find_generic(plan->flavours, info->layout_family);
	if (plan->flavour == NULL) {
		g_autofree gchar *known = sg_flavour_list_names(plan->flavours);
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "cannot tell the flavour of %s (volume id '%s', .disk/info '%s', no "
			    "/install.amd/, /install/, /casper/ or /live/ kernel and initrd); "
			    "name it with --flavour, one of: %s",
			    plan->image, info->volume_id,
			    info->disk_info != NULL ? info->disk_info : "", known);
		return FALSE;
	}
	plan->arch = g_strdup(info->arch);
	plan->arch_source = g_strdup(info->arch_source);
	if (plan->arch == NULL && sg_arch_from_file_name(plan->image) != NULL) {
		plan->arch = g_strdup(sg_arch_from_file_name(plan->image)->name);
		plan->arch_source = g_strdup("its name");
	}
	if (info->layout_family == plan->flavour->family && info->layout_kernel != NULL) {
		plan->layout_kernel = g_strdup(info->layout_kernel);
		plan->layout_initrd = g_strdup(info->layout_initrd);
	}
	/* A generic profile boots what the image's own layout holds. */
	if (plan->flavour->generic) {
		use_layout(plan);
		plan->generic_hint = g_strdup_printf(
			"judged as a generic %s image (its layout); a flavour profile whose "
			"DiskInfo= matches '%s' or VolumeId= matches '%s' (in %s or "
			"--flavours-dir) would judge it precisely",
			sg_family_to_string(plan->flavour->family),
			info->disk_info != NULL ? info->disk_info : "", info->volume_id,
			SG_PATHS_SYSTEM_FLAVOURS);
	}
	return TRUE;
}

static gboolean
load_answers(SgPlan *plan, const SgTestOptions *options, GError **error)
{
	if (options->answers != NULL) {
		plan->answers_path = g_strdup(options->answers);
	} else if (plan->flavour->answers != NULL) {
		g_autofree gchar *dir = sg_paths_builtin_answers();
		plan->answers_path = g_build_filename(dir, plan->flavour->answers, NULL);
	}
	if (plan->answers_path == NULL)
		return TRUE;
	plan->answers = sg_answers_read_file(plan->answers_path, error);
	if (plan->answers == NULL) {
		g_prefix_error(error, "cannot read the answer file: ");
		return FALSE;
	}
	plan->username = sg_answers_get_username(plan->flavour->family, plan->answers);
	return TRUE;
}

/* The suites the flavour's profile lists, after those asked for, once
 * each. A name no suite has is the profile's mistake: the test is not
 * judged (an error, not the caller's usage). */
static gboolean
select_profile_suites(SgPlan *plan, const SgTestOptions *options, GError **error)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new();
	g_autoptr(GPtrArray) selected = NULL;
	g_autoptr(GError) local_error = NULL;

	if (!options->profile_suites || plan->flavour->suites[0] == NULL)
		return TRUE;
	if (plan->suites == NULL) {
		plan->suites = sg_suite_load_all(options->suites_dir, &local_error);
		if (plan->suites == NULL) {
			g_set_error_literal(error, SG_ERROR, SG_ERROR_LAB, local_error->message);
			return FALSE;
		}
	}
	for (guint i = 0; plan->selected != NULL && i < plan->selected->len; i++)
		g_ptr_array_add(names, ((SgSuite *)g_ptr_array_index(plan->selected, i))->name);
	for (guint i = 0; plan->flavour->suites[i] != NULL; i++) {
		if (!g_ptr_array_find_with_equal_func(names, plan->flavour->suites[i], g_str_equal,
						      NULL))
			g_ptr_array_add(names, plan->flavour->suites[i]);
	}
	g_ptr_array_add(names, NULL);
	selected = sg_suite_select(plan->suites, (const gchar *const *)names->pdata, &local_error);
	if (selected == NULL) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "the %s profile's Suites=: %s",
			    plan->flavour->name, local_error->message);
		return FALSE;
	}
	g_clear_pointer(&plan->selected, g_ptr_array_unref);
	plan->selected = g_steal_pointer(&selected);
	return TRUE;
}

gboolean
sg_prepare_answers(SgPlan *plan, const SgTestOptions *options, GError **error)
{
	if (plan->flavour->plan_install && !load_answers(plan, options, error))
		return FALSE;
	if (!select_profile_suites(plan, options, error))
		return FALSE;
	/* What the answer file and the flavour's profile set, for the suites
	 * on the installed disk. */
	if (plan->selected != NULL)
		plan->expect = sg_suite_expect_new(plan->flavour, plan->answers);
	return TRUE;
}

/* x86 (amd64 and i386 share machines and firmware) or arm64. */
static gboolean
same_machine(const SgArch *a, const SgArch *b)
{
	gboolean a_x86 = g_strcmp0(a->efi, "x64") == 0 || g_strcmp0(a->efi, "ia32") == 0;
	gboolean b_x86 = g_strcmp0(b->efi, "x64") == 0 || g_strcmp0(b->efi, "ia32") == 0;

	return a == b || (a_x86 && b_x86);
}

/* The architecture the image's EFI loaders name (x64 before ia32, which
 * amd64 images carry too), NULL when it has none, or loaders of more than
 * one machine; @names: their file names, for messages. */
static const SgArch *
efi_arch(const SgBootMenu *menu, GString *names)
{
	const SgArch *found = NULL;

	for (guint i = 0; menu != NULL && i < menu->uefi->len; i++) {
		const SgBootLoader *loader = g_ptr_array_index(menu->uefi, i);
		const SgArch *arch = sg_arch_find_efi(loader->arch);
		g_autofree gchar *upper = g_ascii_strup(loader->arch, -1);

		g_string_append_printf(names, "%sBOOT%s.EFI", names->len > 0 ? ", " : "", upper);
		if (arch == NULL)
			continue;
		if (found != NULL && !same_machine(found, arch))
			return NULL;
		if (found == NULL || g_str_equal(arch->name, "amd64"))
			found = arch;
	}
	return found;
}

/* The kernel the image boots: its menu's default entry (the first loader
 * that has one on the image), else the profile's; NULL when none. */
static const gchar *
booted_kernel(const SgPlan *plan)
{
	const SgBootMenu *menu = plan->boot_menu;
	const SgFlavour *flavour = plan->flavour;

	for (guint i = 0; menu != NULL && i <= menu->uefi->len; i++) {
		const SgBootLoader *loader =
			i == 0 ? menu->bios : g_ptr_array_index(menu->uefi, i - 1);
		const SgBootEntry *entry = loader != NULL ? sg_boot_loader_default(loader) : NULL;
		if (entry != NULL && !entry->missing && entry->kernel != NULL &&
		    entry->kernel[0] == '/')
			return entry->kernel;
	}
	return flavour->plan_install && flavour->kernel != NULL ? flavour->kernel
								: flavour->live_kernel;
}

/* Where nothing else says: the booted kernel's own header (decompressed
 * first: Ubuntu's arm64 vmlinuz is gzip'd). A kernel that cannot be read
 * says nothing: booting it decides. */
static const SgArch *
kernel_header_arch(const SgPlan *plan, gchar **source)
{
	const gchar *path = booted_kernel(plan);
	g_autoptr(GBytes) start = NULL;
	g_autofree gchar *how = NULL;
	const SgArch *arch;

	if (path == NULL)
		return NULL;
	start = sg_iso_read_start(plan->image, path, SG_KERNEL_HEADER_READ, NULL);
	arch = start != NULL ? sg_arch_find(sg_kernel_arch(start, &how)) : NULL;
	if (arch != NULL)
		*source = g_strdup_printf("its kernel's header (%s: %s)", path, how);
	return arch;
}

/* The guests' architecture: what the image says (.disk/info, its
 * installer's folder, its name, else its EFI loaders, else its kernel's
 * header), checked against what
 * the test says it is (--arch, else the profile's [Guest] Arch=): an image
 * that is not what it is said to be, or whose EFI loaders are for another
 * machine than its words, fails naming both. An architecture smokegate
 * makes no guests of cannot be judged (an error). The kernel's console
 * follows: console=ttyS0 in the profile is that machine's serial port. */
static gboolean
plan_arch(SgPlan *plan, const SgTestOptions *options, GError **error)
{
	const gchar *stated = options->arch != NULL ? options->arch : plan->flavour->arch;
	g_autofree gchar *stated_by =
		options->arch != NULL
			? g_strdup("--arch")
			: g_strdup_printf("the %s profile's [Guest] Arch=", plan->flavour->name);
	g_autoptr(GString) efi_names = g_string_new(NULL);
	const SgArch *efi = efi_arch(plan->boot_menu, efi_names);
	const SgArch *arch = sg_arch_find(plan->arch);
	g_autoptr(GError) local_error = NULL;

	if (arch != NULL && efi != NULL && !same_machine(arch, efi)) {
		g_set_error(error, SG_ERROR, SG_ERROR_IMAGE,
			    "the image is %s (%s) but its EFI loaders are for %s (%s)", arch->name,
			    plan->arch_source, efi->name, efi_names->str);
		return FALSE;
	}
	if (arch == NULL && efi != NULL) {
		arch = efi;
		plan->arch_source = g_strdup_printf("its EFI loaders (%s)", efi_names->str);
	}
	if (arch == NULL) {
		g_clear_pointer(&plan->arch_source, g_free);
		arch = kernel_header_arch(plan, &plan->arch_source);
	}
	if (stated != NULL) {
		const SgArch *said = sg_arch_find(stated);
		/* A profile may name several: the architectures its flavour's
		 * images are published for. */
		const gchar *const *listed =
			options->arch == NULL ? (const gchar *const *)plan->flavour->arches : NULL;
		if (arch != NULL && arch != said &&
		    (listed == NULL || !g_strv_contains(listed, arch->name))) {
			g_autofree gchar *says = listed != NULL ? g_strjoinv(" or ", (GStrv)listed)
								: g_strdup(said->name);
			g_set_error(error, SG_ERROR, SG_ERROR_IMAGE,
				    "the image is %s (%s) but %s says %s", arch->name,
				    plan->arch_source, stated_by, says);
			return FALSE;
		}
		if (arch == NULL) {
			arch = said;
			plan->arch_source = g_steal_pointer(&stated_by);
		}
	}
	if (arch == NULL) {
		arch = sg_arch_find("amd64");
		plan->arch_source = g_strdup("assumed: the image does not say");
	}
	g_free(plan->arch);
	plan->arch = g_strdup(arch->name);
	sg_flavour_use_arch(plan->flavour, arch->name);
	if (sg_arch_parse(arch->name, "the image's architecture", &local_error) == NULL) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "a %s image (%s): %s", arch->name,
			    plan->arch_source, local_error->message);
		return FALSE;
	}
	if (!g_str_equal(arch->console, "ttyS0")) {
		gchar **args[] = {&plan->flavour->kernel_args, &plan->flavour->live_kernel_args};
		for (guint i = 0; i < G_N_ELEMENTS(args); i++) {
			gchar *changed = sg_arch_console_args(arch, *args[i]);
			g_free(*args[i]);
			*args[i] = changed;
		}
	}
	return TRUE;
}

/* Why the image's architecture cannot boot under @firmware, NULL when it
 * can: x64 OVMF starts x64 EFI loaders only, and says nothing of an i386
 * image's ia32 one (an amd64 image without any EFI loader is tested and
 * fails: that is its fault); an arm64 machine has no BIOS. */
static gchar *
not_applicable(const SgPlan *plan, SgFirmware firmware)
{
	const gchar *arch = plan->arch != NULL ? plan->arch : "amd64";

	if (g_str_equal(arch, "arm64"))
		return firmware == SG_FIRMWARE_BIOS
			       ? g_strdup("an arm64 image: a BIOS starts x86 machines only")
			       : NULL;
	if (!sg_firmware_is_uefi(firmware) || g_str_equal(arch, "amd64"))
		return NULL;
	if (plan->boot_menu != NULL && sg_boot_menu_uefi(plan->boot_menu, "x64") != NULL)
		return NULL;
	return g_strdup_printf("an %s image: %s on x86-64 starts x64 EFI loaders only", arch,
			       sg_firmware_describe(firmware));
}

static void
add_firmware(SgPlan *plan, const GArray *firmware, gboolean required)
{
	for (guint i = 0; i < firmware->len; i++) {
		SgFirmwareEntry entry = {g_array_index(firmware, SgFirmware, i), required, NULL};
		entry.not_applicable = not_applicable(plan, entry.firmware);
		g_array_append_val(plan->firmwares, entry);
	}
}

/* The firmware matrix: --firmware's, else the profile's required ones and
 * those it reports. */
static gboolean
plan_firmware(SgPlan *plan, const SgTestOptions *options, GError **error)
{
	plan->firmwares = g_array_new(FALSE, FALSE, sizeof(SgFirmwareEntry));
	if (options->firmware != NULL) {
		g_auto(GStrv) words = g_strsplit(options->firmware, ";", -1);
		g_autoptr(GArray) asked =
			sg_flavour_parse_firmware((const gchar *const *)words, NULL);
		add_firmware(plan, asked, TRUE);
	} else {
		add_firmware(plan, plan->flavour->firmware, TRUE);
		add_firmware(plan, plan->flavour->report_firmware, FALSE);
	}
	if (sg_plan_main_firmware(plan) == NULL) {
		const SgFirmwareEntry *first = &g_array_index(plan->firmwares, SgFirmwareEntry, 0);
		g_set_error(error, SG_ERROR, SG_ERROR_IMAGE,
			    "the image boots under none of the firmware required of it (%s: %s)",
			    sg_firmware_to_string(first->firmware), first->not_applicable);
		return FALSE;
	}
	return TRUE;
}

/* An image whose menu boots its default entry without reading a key
 * (timeout 0) cannot be typed into: its own kernel and command line are
 * booted directly instead, the test's arguments added. */
static void
use_menu_kernel(SgPlan *plan, const SgBootEntry *entry)
{
	SgFlavour *flavour = plan->flavour;
	gchar **kernel = flavour->plan_install ? &flavour->kernel : &flavour->live_kernel;
	gchar **initrd = flavour->plan_install ? &flavour->initrd : &flavour->live_initrd;
	gchar **args = flavour->plan_install ? &flavour->kernel_args : &flavour->live_kernel_args;
	gchar *joined = g_strdup_printf("%s %s", entry->args != NULL ? entry->args : "", *args);

	g_free(*kernel);
	*kernel = g_strdup(entry->kernel);
	g_free(*initrd);
	*initrd = g_strdup(entry->initrds != NULL ? entry->initrds[0] : NULL);
	g_free(*args);
	*args = g_strstrip(joined);
}

/* Where the installer finds the answer file: subiquity on its CIDATA CD;
 * booted directly, d-i and ubiquity in the initrd; else over url= from the
 * run's answer server. d-i fetches that only once its network is up, so
 * the answer file's keys for the network come on the command line (all of
 * netcfg/ but netcfg/enable: a seed that turns the network off means the
 * installed system's, and the fetch needs it). */
static gboolean
plan_answers(SgPlan *plan, GError **error)
{
	const gchar *skip[] = {"netcfg/enable", NULL};

	if (!plan->flavour->plan_install || plan->answers == NULL)
		plan->answers_delivery = SG_ANSWERS_NONE;
	else if (plan->flavour->family == SG_FAMILY_SUBIQUITY)
		plan->answers_delivery = SG_ANSWERS_CIDATA;
	else if (plan->boot_method == SG_BOOT_METHOD_DIRECT)
		plan->answers_delivery = SG_ANSWERS_INITRD;
	else
		plan->answers_delivery = SG_ANSWERS_URL;
	if (plan->answers_delivery != SG_ANSWERS_URL ||
	    plan->flavour->family != SG_FAMILY_DEBIAN_INSTALLER)
		return TRUE;
	plan->answers_cmdline = sg_answers_preseed_cmdline(plan->answers, "netcfg/", skip, error);
	return plan->answers_cmdline != NULL;
}

/* A direct boot, under the one firmware that starts a kernel on the
 * image's machine: SeaBIOS on a PC, AAVMF on an arm64 virt machine, SLOF on
 * pseries. The profiles name amd64's kernel (/install.amd/): an image of
 * another architecture boots its own layout's. */
static gboolean
plan_direct(SgPlan *plan, GError **error)
{
	SgFirmware firmware = g_str_equal(plan->arch, "arm64")	   ? SG_FIRMWARE_UEFI
			      : g_str_equal(plan->arch, "ppc64el") ? SG_FIRMWARE_SLOF
								   : SG_FIRMWARE_BIOS;

	plan->boot_method = SG_BOOT_METHOD_DIRECT;
	if (!g_str_equal(plan->arch, "amd64"))
		use_layout(plan);
	plan->firmwares = g_array_new(FALSE, FALSE, sizeof(SgFirmwareEntry));
	g_array_append_val(plan->firmwares, ((SgFirmwareEntry){firmware, TRUE, NULL}));
	return plan_answers(plan, error);
}

gboolean
sg_prepare_boot(SgPlan *plan, const SgTestOptions *options, GError **error)
{
	const SgFirmwareEntry *main_firmware;
	const SgBootLoader *loader;

	if (g_strcmp0(options->boot, "direct") == 0 ||
	    (options->boot == NULL && plan->flavour->boot_direct)) {
		plan->boot_method_reason =
			g_strdup(options->boot != NULL ? "asked for with --boot direct"
						       : "the profile's [Boot] Method=direct");
		return plan_arch(plan, options, error) && plan_direct(plan, error);
	}
	plan->boot_menu = sg_boot_menu_read(plan->image, error);
	/* The architecture first: an image that is not what its profile
	 * says is judged as such, whatever else it lacks. */
	if (plan->boot_menu == NULL || !plan_arch(plan, options, error))
		return FALSE;
	if (sg_arch_find(plan->arch)->boots_direct) {
		plan->boot_method_reason = g_strdup_printf(
			"a %s image: its installer's kernel is booted directly (smokegate reads "
			"no %s bootloader)",
			plan->arch, plan->arch);
		return plan_direct(plan, error);
	}
	/* No El Torito entry at all: no machine boots it from a CD, whatever
	 * its firmware. Known before any guest starts. */
	if (plan->boot_menu->bios == NULL && plan->boot_menu->uefi->len == 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_IMAGE,
			    "the image has no boot record (no El Torito entry for BIOS or "
			    "UEFI): no machine can boot it");
		return FALSE;
	}
	if (!plan_firmware(plan, options, error))
		return FALSE;
	if (g_log_writer_default_would_drop(G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN) == FALSE) {
		g_autofree gchar *read = sg_boot_menu_to_string(plan->boot_menu);
		g_debug("the image's boot menus:\n%s", read);
	}
	main_firmware = sg_plan_main_firmware(plan);
	loader = sg_plan_loader(plan, main_firmware->firmware);
	if (loader != NULL && loader->timeout_ds == 0 && sg_boot_loader_default(loader) != NULL &&
	    !sg_boot_loader_default(loader)->missing) {
		g_autofree gchar *where = sg_boot_loader_describe(loader);
		plan->boot_method = SG_BOOT_METHOD_DIRECT;
		plan->boot_method_reason = g_strdup_printf(
			"the image's %s menu boots its default entry without reading a key "
			"(timeout 0), so nothing can be typed there: its own kernel and command "
			"line were booted directly, the test's arguments added",
			where);
		use_menu_kernel(plan, sg_boot_loader_default(loader));
	}
	return plan_answers(plan, error);
}

/* The local files of the test, in the lab's scratch folder, before they go
 * to the host. */
typedef struct {
	gchar *kernel;
	gchar *initrd;
	gchar *live_kernel;
	gchar *live_initrd;
	gchar *cidata;
	gchar *probe_kernel;
} SgLocalMedia;

static void
local_media_clear(SgLocalMedia *local)
{
	g_free(local->kernel);
	g_free(local->initrd);
	g_free(local->live_kernel);
	g_free(local->live_initrd);
	g_free(local->cidata);
	g_free(local->probe_kernel);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(SgLocalMedia, local_media_clear)

/* Whether @path is a kernel the machine of @arch boots; @header: the kind
 * it looks for, for messages. */
static gboolean
is_machine_kernel(const gchar *arch, const gchar *path, const gchar **header)
{
	if (g_strcmp0(arch, "arm64") == 0) {
		*header = "arm64 Image";
		return sg_image_is_arm64_kernel(path);
	}
	if (g_strcmp0(arch, "ppc64el") == 0) {
		*header = "ppc64le ELF";
		return sg_image_is_ppc64le_kernel(path);
	}
	*header = "bzImage";
	return sg_image_is_bzimage(path);
}

/* The kernels and initrds each plan boots, read out of the ISO in one pass
 * over its directory (a file two plans share is read once). */
static gboolean
extract_boot_files(SgPlan *plan, SgLocalMedia *local, GError **error)
{
	SgFlavour *flavour = plan->flavour;
	struct {
		const gchar *path; /* in the ISO */
		const gchar *name; /* in the scratch folder */
		gchar **slot;
		gboolean wanted;
	} files[] = {
		{flavour->kernel, "kernel", &local->kernel, flavour->plan_install},
		{flavour->initrd, "initrd.orig", &local->initrd, flavour->plan_install},
		{flavour->live_kernel, "kernel-live", &local->live_kernel, flavour->plan_live},
		{flavour->live_initrd, "initrd-live", &local->live_initrd, flavour->plan_live},
	};
	g_autoptr(GPtrArray) paths = g_ptr_array_new();
	g_autoptr(GPtrArray) dests = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
		guint index;
		if (!files[i].wanted)
			continue;
		if (!g_ptr_array_find_with_equal_func(paths, files[i].path, g_str_equal, &index)) {
			index = paths->len;
			g_ptr_array_add(paths, (gpointer)files[i].path);
			g_ptr_array_add(dests, g_build_filename(sg_lab_get_scratch_dir(plan->lab),
								files[i].name, NULL));
		}
		*files[i].slot = g_strdup(g_ptr_array_index(dests, index));
	}
	g_ptr_array_add(paths, NULL);
	g_ptr_array_add(dests, NULL);
	if (!sg_iso_extract(plan->image, (const gchar *const *)paths->pdata,
			    (const gchar *const *)dests->pdata, error))
		return FALSE;
	for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
		const gchar *header = NULL;
		if (!files[i].wanted || !g_str_has_prefix(files[i].name, "kernel"))
			continue;
		if (!is_machine_kernel(plan->arch, *files[i].slot, &header)) {
			g_set_error(error, SG_ERROR, SG_ERROR_IMAGE,
				    "%s in the image is not a bootable Linux kernel (no %s header)",
				    files[i].path, header);
			return FALSE;
		}
	}
	return TRUE;
}

/* Where each family's installer reads its answers: d-i and ubiquity from
 * /preseed.cfg in the initrd, subiquity from a NoCloud CIDATA volume. */
static gboolean
deliver_answers(SgPlan *plan, SgLocalMedia *local, GError **error)
{
	g_autoptr(GHashTable) inject = g_hash_table_new(g_str_hash, g_str_equal);
	g_autofree gchar *injected = NULL;

	if (plan->answers_delivery != SG_ANSWERS_CIDATA &&
	    plan->answers_delivery != SG_ANSWERS_INITRD)
		return TRUE;
	if (plan->answers_delivery == SG_ANSWERS_CIDATA) {
		local->cidata =
			g_build_filename(sg_lab_get_scratch_dir(plan->lab), "cidata.iso", NULL);
		return sg_cidata_write(plan->answers_path, local->cidata, error);
	}
	injected = g_build_filename(sg_lab_get_scratch_dir(plan->lab), "initrd", NULL);
	g_hash_table_insert(inject, (gpointer) "preseed.cfg", plan->answers_path);
	if (!sg_initrd_inject(local->initrd, inject, injected, error))
		return FALSE;
	/* The live plan may boot the very same initrd, untouched. */
	if (g_strcmp0(local->initrd, local->live_initrd) != 0)
		g_unlink(local->initrd);
	g_free(local->initrd);
	local->initrd = g_steal_pointer(&injected);
	return TRUE;
}

/* "HOST:PORT" of an http:// mirror URL, checked so that it cannot smuggle
 * options into QEMU's command line. */
static gchar *
mirror_address(const gchar *url, GError **error)
{
	g_autoptr(GUri) uri = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);
	const gchar *host = uri != NULL ? g_uri_get_host(uri) : NULL;

	if (uri == NULL || g_strcmp0(g_uri_get_scheme(uri), "http") != 0 || host == NULL ||
	    host[0] == '\0' ||
	    strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") !=
		    strlen(host)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "the flavour's Mirror=%s is not http://HOST[:PORT]", url);
		return NULL;
	}
	return g_strdup_printf("%s:%d", host, g_uri_get_port(uri) > 0 ? g_uri_get_port(uri) : 80);
}

/* Hands the image, the boot files and the answers to the lab host: the
 * ISO once per host (a cache named by its SHA-256), the rest per test. */
static gboolean
put_media(SgPlan *plan, SgLocalMedia *local, GCancellable *cancellable, GError **error)
{
	struct {
		const gchar *local;
		const gchar *name;
		gchar **host;
	} files[] = {
		{local->kernel, "kernel", &plan->media.kernel},
		{local->initrd, "initrd", &plan->media.initrd},
		{local->live_kernel, "kernel-live", &plan->media.live_kernel},
		{local->live_initrd, "initrd-live", &plan->media.live_initrd},
		{local->cidata, "cidata.iso", &plan->media.cidata},
		{local->probe_kernel, "kernel-probe", &plan->media.probe_kernel},
	};
	SgMedia *media = sg_lab_get_media(plan->lab, error);
	guint64 before;

	if (media == NULL)
		return FALSE;
	/* The run's too: its disks are fetched through the same media. */
	sg_media_set_cancellable(media, cancellable);
	before = sg_media_get_bytes_uploaded(media);
	plan->media.image = sg_media_put_image(media, plan->image, plan->sha256, error);
	if (plan->media.image == NULL)
		return FALSE;
	if (sg_media_uses_volumes(media))
		plan->image_uploaded_bytes = sg_media_get_bytes_uploaded(media) - before;
	for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
		if (files[i].local == NULL)
			continue;
		*files[i].host = sg_media_put_file(media, files[i].local, files[i].name, error);
		if (*files[i].host == NULL)
			return FALSE;
	}
	return TRUE;
}

/* Each UEFI firmware's guests get a variable store of their own: a copy of
 * the empty one of the OVMF build libvirt picks. */
static gboolean
make_nvram(SgPlan *plan, GError **error)
{
	SgMedia *media = sg_lab_get_media(plan->lab, error);

	if (media == NULL)
		return FALSE;
	for (guint i = 0; i < plan->firmwares->len; i++) {
		SgFirmwareEntry *entry = &g_array_index(plan->firmwares, SgFirmwareEntry, i);
		g_autofree gchar *template_path = NULL;
		g_autofree gchar *name = NULL;

		if (!sg_firmware_is_uefi(entry->firmware) || entry->not_applicable != NULL)
			continue;
		template_path = sg_firmware_nvram_template(
			entry->firmware, sg_arch_find(plan->arch)->qemu, NULL, error);
		if (template_path == NULL)
			return FALSE;
		name = g_strdup_printf("nvram-%s", sg_firmware_to_string(entry->firmware));
		entry->nvram = sg_media_create_nvram(media, template_path, name, error);
		if (entry->nvram == NULL)
			return FALSE;
	}
	return TRUE;
}

/* The KVM probe's guest boots a kernel of the image directly: the default
 * entry's of the whole test's loader, when it is on the image. */
static gboolean
extract_probe_kernel(SgPlan *plan, SgLocalMedia *local, GError **error)
{
	const SgFirmwareEntry *main_firmware = sg_plan_main_firmware(plan);
	const SgBootLoader *loader = sg_plan_loader(plan, main_firmware->firmware);
	const SgBootEntry *entry = loader != NULL ? sg_boot_loader_default(loader) : NULL;
	const gchar *paths[] = {entry != NULL ? entry->kernel : NULL, NULL};
	g_autofree gchar *dest = NULL;
	const gchar *dests[] = {NULL, NULL};

	if (plan->accel != SG_ACCEL_AUTO || entry == NULL || entry->missing ||
	    entry->kernel[0] != '/')
		return TRUE;
	dest = g_build_filename(sg_lab_get_scratch_dir(plan->lab), "kernel-probe", NULL);
	dests[0] = dest;
	if (!sg_iso_extract(plan->image, paths, dests, error))
		return FALSE;
	local->probe_kernel = g_steal_pointer(&dest);
	return TRUE;
}

void
sg_prepare_emulation(SgPlan *plan, const SgTestOptions *options, const gchar *host_arch)
{
	g_clear_pointer(&plan->emulation, g_free);
	plan->emulation = sg_emulation_describe(plan->arch, host_arch);
	plan->limit_factor = plan->emulation == NULL	     ? 1.0
			     : options->emulation_factor > 0 ? options->emulation_factor
							     : plan->flavour->emulation_factor;
}

gboolean
sg_prepare_media(SgPlan *plan, const SgTestOptions *options, GCancellable *cancellable,
		 GError **error)
{
	g_auto(SgLocalMedia) local = {NULL};
	g_autofree gchar *host_arch = NULL;

	if (plan->flavour->plan_install && plan->flavour->needs_mirror) {
		plan->mirror = mirror_address(plan->flavour->mirror, error);
		if (plan->mirror == NULL)
			return FALSE;
	}
	plan->lab = sg_lab_open(options->connect_uri, error);
	if (plan->lab == NULL)
		return FALSE;
	host_arch = sg_emulation_host_arch(sg_lab_get_connection(plan->lab));
	sg_prepare_emulation(plan, options, host_arch);
	if (plan->boot_method == SG_BOOT_METHOD_DIRECT ? !extract_boot_files(plan, &local, error)
						       : !extract_probe_kernel(plan, &local, error))
		return FALSE;
	return deliver_answers(plan, &local, error) &&
	       put_media(plan, &local, cancellable, error) && make_nvram(plan, error);
}

/* Hashing, reading the ISO and opening the lab block: a thread. */
static void
prepare_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	const SgTestOptions *options = data;
	GError *error = NULL;
	g_autoptr(SgPlan) plan = sg_prepare_check_inputs(options, &error);

	if (plan == NULL) {
		g_task_return_error(task, error);
		return;
	}
	if (!sg_prepare_identify(plan, &error) || !sg_prepare_answers(plan, options, &error) ||
	    !sg_prepare_boot(plan, options, &error) ||
	    !sg_prepare_media(plan, options, cancellable, &error)) {
		if (g_error_matches(error, SG_ERROR, SG_ERROR_USAGE)) {
			g_task_return_error(task, error);
			return;
		}
		plan->problem = error;
	}
	g_task_return_pointer(task, g_steal_pointer(&plan), (GDestroyNotify)sg_plan_free);
}

void
sg_prepare_async(const SgTestOptions *options, GCancellable *cancellable,
		 GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);

	g_task_set_source_tag(task, sg_prepare_async);
	/* The plan is returned even when cancelled: its lab must be closed. */
	g_task_set_check_cancellable(task, FALSE);
	g_task_set_task_data(task, (gpointer)options, NULL);
	g_task_run_in_thread(task, prepare_thread);
}

SgPlan *
sg_prepare_finish(GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}
