#include "sg-flavour.h"

#include <gio/gio.h>
#include <string.h>

#include "sg-arch.h"
#include "sg-emulation.h"
#include "sg-error.h"
#include "sg-files.h"
#include "sg-keyfile.h"
#include "sg-paths.h"

/* What a profile may hold. [Guest] Arch= is reserved for the guest's
 * architecture, read by no one yet. */
static const gchar *const flavour_keys[] = {"Family", "Description", "DiskInfo", "VolumeId",
					    "Plans",  "Era",	     "Verified", "Generic",
					    "Suites", NULL};
static const gchar *const boot_keys[] = {"Kernel", "Initrd",   "KernelArgs",	 "Answers",
					 "Method", "Firmware", "ReportFirmware", NULL};
static const gchar *const live_keys[] = {"Kernel", "Initrd", "KernelArgs", "User", NULL};
static const gchar *const guest_keys[] = {"MemoryMiB", "VCPUs", "DiskGiB", "Network",
					  "Mirror",    "Arch",	NULL};
static const gchar *const image_keys[] = {"SizeLimit", NULL};
static const gchar *const desktop_keys[] = {
	"DisplayManager",  "Session", "ConsoleMarkers", "Shell", "DrawnDesktop",
	"ShutdownSeconds", NULL};
static const gchar *const timeouts_keys[] = {"InstallSeconds",	"InstallSilenceSeconds",
					     "BootSeconds",	"BootSilenceSeconds",
					     "LiveSeconds",	"LiveSilenceSeconds",
					     "DrawSeconds",	"BootloaderSeconds",
					     "EmulationFactor", NULL};
/* [Boot ARCH]: what differs for the flavour's images of one architecture
 * (an arm64 machine has no BIOS, and Debian's AAVMF no Secure Boot). */
static const gchar *const arch_boot_keys[] = {"Firmware", "ReportFirmware", NULL};
static const SgKeyfileGroup profile_groups[] = {
	{"Flavour", flavour_keys},
	{"Boot", boot_keys},
	{"Boot amd64", arch_boot_keys},
	{"Boot i386", arch_boot_keys},
	{"Boot arm64", arch_boot_keys},
	{"Live", live_keys},
	{"Guest", guest_keys},
	{"Image", image_keys},
	{"Desktop", desktop_keys},
	{"Timeouts", timeouts_keys},
	{NULL, NULL},
};

/* Bounds that catch a typo before a guest is started with it: a guest of
 * 4 PiB or no memory, a timeout of zero that fails every image. */
#define MEMORY_MIB_MIN 128
#define MEMORY_MIB_MAX (1024 * 1024)
#define VCPUS_MAX 256
#define DISK_GIB_MAX 65536
#define SECONDS_MAX (7 * 24 * 3600)
/* x86's COMMAND_LINE_SIZE: a longer line is cut by the kernel. */
#define KERNEL_ARGS_MAX 2048

void
sg_flavour_free(SgFlavour *flavour)
{
	if (flavour == NULL)
		return;
	g_free(flavour->name);
	g_free(flavour->path);
	g_free(flavour->description);
	g_free(flavour->disk_info_pattern);
	g_free(flavour->volume_id_pattern);
	g_free(flavour->kernel);
	g_free(flavour->initrd);
	g_free(flavour->kernel_args);
	g_free(flavour->answers);
	g_free(flavour->display_manager);
	g_free(flavour->session);
	g_free(flavour->era);
	g_free(flavour->verified);
	g_free(flavour->live_kernel);
	g_free(flavour->live_initrd);
	g_free(flavour->live_kernel_args);
	g_free(flavour->live_user);
	g_free(flavour->mirror);
	g_free(flavour->arch);
	g_strfreev(flavour->arches);
	g_clear_pointer(&flavour->arch_boot, g_ptr_array_unref);
	g_strfreev(flavour->console_markers);
	g_strfreev(flavour->shell);
	g_strfreev(flavour->suites);
	g_clear_pointer(&flavour->firmware, g_array_unref);
	g_clear_pointer(&flavour->report_firmware, g_array_unref);
	g_free(flavour);
}

static gboolean
is_valid_name(const gchar *name)
{
	if (name[0] == '\0')
		return FALSE;
	for (const gchar *p = name; *p != '\0'; p++) {
		if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '-')
			return FALSE;
	}
	return TRUE;
}

/* "FILE:LINE: " for messages; just "FILE: " when the line is unknown. */
static gchar *
where(const gchar *path, guint line)
{
	return line > 0 ? g_strdup_printf("%s:%u: ", path, line) : g_strdup_printf("%s: ", path);
}

static gchar *
get_string(GKeyFile *keyfile, const gchar *group, const gchar *key, const gchar *fallback)
{
	gchar *value = g_key_file_get_string(keyfile, group, key, NULL);
	return value != NULL ? value : g_strdup(fallback);
}

/* Reads a whole number from @min to @max (what makes sense for the field,
 * and what it holds: a bigger one would wrap, DiskGiB=4294967297 a 1 GiB
 * disk); absent keys take @fallback, bad ones are errors. */
static gboolean
get_uint(GKeyFile *keyfile, const gchar *group, const gchar *key, guint64 fallback, guint64 min,
	 guint64 max, guint64 *out, GError **error)
{
	g_autofree gchar *text = g_key_file_get_string(keyfile, group, key, NULL);
	guint64 value;

	if (text == NULL) {
		*out = fallback;
		return TRUE;
	}
	if (!g_ascii_string_to_unsigned(g_strstrip(text), 10, min, max, &value, NULL)) {
		g_autofree gchar *quoted = sg_files_quote_line(text);
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "[%s] %s=%s is not a whole number from %" G_GUINT64_FORMAT
			    " to %" G_GUINT64_FORMAT,
			    group, key, quoted, min, max);
		return FALSE;
	}
	*out = value;
	return TRUE;
}

/* Refuses the profile, pointing at the line of [@group] @key. */
static void refuse(GError **error, const gchar *path, const gchar *group, const gchar *key,
		   const gchar *format, ...) G_GNUC_PRINTF(5, 6);

/* Reads true/false; absent keys take @fallback, anything else is refused. */
static gboolean
get_boolean(GKeyFile *keyfile, const gchar *group, const gchar *key, gboolean fallback,
	    gboolean *out, const gchar *path, GError **error)
{
	g_autofree gchar *text = g_key_file_get_string(keyfile, group, key, NULL);

	if (text == NULL) {
		*out = fallback;
		return TRUE;
	}
	g_strstrip(text);
	if (g_str_equal(text, "true") || g_str_equal(text, "false")) {
		*out = g_str_equal(text, "true");
		return TRUE;
	}
	refuse(error, path, group, key, "[%s] %s=%s is not true or false", group, key, text);
	return FALSE;
}

static void
refuse(GError **error, const gchar *path, const gchar *group, const gchar *key, const gchar *format,
       ...)
{
	g_autofree gchar *prefix = where(path, sg_keyfile_find_line(path, group, key));
	g_autofree gchar *message = NULL;
	va_list args;

	va_start(args, format);
	message = g_strdup_vprintf(format, args);
	va_end(args);
	g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s%s", prefix, message);
}

static gboolean
load_plans(SgFlavour *flavour, GKeyFile *keyfile, const gchar *path, GError **error)
{
	g_auto(GStrv) plans = g_key_file_get_string_list(keyfile, "Flavour", "Plans", NULL, NULL);

	if (plans == NULL) {
		/* Before plans existed every profile was an install test. */
		flavour->plan_install = flavour->family != SG_FAMILY_LIVE;
		flavour->plan_live = flavour->family == SG_FAMILY_LIVE;
		return TRUE;
	}
	for (guint i = 0; plans[i] != NULL; i++) {
		const gchar *plan = g_strstrip(plans[i]);
		if (g_str_equal(plan, "install"))
			flavour->plan_install = TRUE;
		else if (g_str_equal(plan, "live"))
			flavour->plan_live = TRUE;
		else if (plan[0] != '\0') {
			refuse(error, path, "Flavour", "Plans",
			       "[Flavour] Plans: '%s' is not install or live", plan);
			return FALSE;
		}
	}
	if (!flavour->plan_install && !flavour->plan_live) {
		refuse(error, path, "Flavour", "Plans", "[Flavour] Plans names no plan");
		return FALSE;
	}
	if (flavour->plan_install && flavour->family == SG_FAMILY_LIVE) {
		refuse(error, path, "Flavour", "Plans",
		       "[Flavour] a live image has no installer: Plans=live");
		return FALSE;
	}
	return TRUE;
}

/* Answers= names a file of the answer folder (preseed/), nothing else: a
 * path out of it (../../etc/shadow) would go into the guest. */
static gboolean
check_answers(SgFlavour *flavour, const gchar *path, GError **error)
{
	const gchar *name = flavour->answers;

	if (name == NULL)
		return TRUE;
	g_strstrip(flavour->answers);
	if (name[0] == '\0' || name[0] == '.' || strchr(name, '/') != NULL) {
		g_autofree gchar *quoted = sg_files_quote_line(name);
		refuse(error, path, "Boot", "Answers",
		       "[Boot] Answers=%s is refused: it names a file of the answer folder, "
		       "without '/' or a leading '.'",
		       quoted);
		return FALSE;
	}
	return TRUE;
}

static gboolean
check_kernel_args(const gchar *args, const gchar *group, const gchar *path, GError **error)
{
	if (strlen(args) <= KERNEL_ARGS_MAX)
		return TRUE;
	refuse(error, path, group, "KernelArgs",
	       "[%s] KernelArgs= is longer than %d bytes, the kernel's command line limit", group,
	       KERNEL_ARGS_MAX);
	return FALSE;
}

GArray *
sg_flavour_parse_firmware(const gchar *const *words, GError **error)
{
	g_autoptr(GArray) firmware = g_array_new(FALSE, FALSE, sizeof(SgFirmware));

	for (guint i = 0; words != NULL && words[i] != NULL; i++) {
		g_autofree gchar *word = g_strstrip(g_strdup(words[i]));
		SgFirmware value;
		gboolean seen = FALSE;

		if (word[0] == '\0')
			continue;
		if (!sg_firmware_from_string(word, &value)) {
			g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
				    "'%s' is not a firmware: bios, uefi or uefi-secureboot", word);
			return NULL;
		}
		for (guint j = 0; j < firmware->len; j++)
			seen |= g_array_index(firmware, SgFirmware, j) == value;
		if (!seen)
			g_array_append_val(firmware, value);
	}
	return g_steal_pointer(&firmware);
}

/* [Boot] Firmware= and ReportFirmware=: by default BIOS and UEFI are
 * required and UEFI with Secure Boot is reported. */
static gboolean
load_firmware(GArray **firmware_out, GArray **report_out, GKeyFile *keyfile, const gchar *group,
	      const gchar *path, GError **error)
{
	g_autoptr(GArray) required_firmware = NULL;
	g_autoptr(GArray) reported_firmware = NULL;
	const gchar *defaults[] = {"bios", "uefi", NULL};
	const gchar *report_defaults[] = {"uefi-secureboot", NULL};
	g_auto(GStrv) required = g_key_file_get_string_list(keyfile, group, "Firmware", NULL, NULL);
	g_auto(GStrv) reported =
		g_key_file_get_string_list(keyfile, group, "ReportFirmware", NULL, NULL);
	g_autoptr(GError) local_error = NULL;
	g_autoptr(GArray) report = NULL;

	required_firmware = sg_flavour_parse_firmware(
		required != NULL ? (const gchar *const *)required : defaults, &local_error);
	if (required_firmware == NULL) {
		refuse(error, path, group, "Firmware", "[%s] Firmware: %s", group,
		       local_error->message);
		return FALSE;
	}
	if (required_firmware->len == 0) {
		refuse(error, path, group, "Firmware", "[%s] Firmware names no firmware", group);
		return FALSE;
	}
	report = sg_flavour_parse_firmware(
		reported != NULL ? (const gchar *const *)reported : report_defaults, &local_error);
	if (report == NULL) {
		refuse(error, path, group, "ReportFirmware", "[%s] ReportFirmware: %s", group,
		       local_error->message);
		return FALSE;
	}
	/* What is required is not also merely reported. */
	reported_firmware = g_array_new(FALSE, FALSE, sizeof(SgFirmware));
	for (guint i = 0; i < report->len; i++) {
		SgFirmware firmware = g_array_index(report, SgFirmware, i);
		gboolean required_too = FALSE;
		for (guint j = 0; j < required_firmware->len; j++)
			required_too |= g_array_index(required_firmware, SgFirmware, j) == firmware;
		if (!required_too)
			g_array_append_val(reported_firmware, firmware);
	}
	*firmware_out = g_steal_pointer(&required_firmware);
	*report_out = g_steal_pointer(&reported_firmware);
	return TRUE;
}

static void
arch_boot_free(SgFlavourArchBoot *boot)
{
	g_free(boot->arch);
	g_clear_pointer(&boot->firmware, g_array_unref);
	g_clear_pointer(&boot->report_firmware, g_array_unref);
	g_free(boot);
}

/* Each [Boot ARCH] group, for that architecture's images. */
static gboolean
load_arch_boot(SgFlavour *flavour, GKeyFile *keyfile, const gchar *path, GError **error)
{
	flavour->arch_boot = g_ptr_array_new_with_free_func((GDestroyNotify)arch_boot_free);
	for (guint i = 0; profile_groups[i].name != NULL; i++) {
		const gchar *group = profile_groups[i].name;
		SgFlavourArchBoot *boot;

		if (!g_str_has_prefix(group, "Boot ") || !g_key_file_has_group(keyfile, group))
			continue;
		boot = g_new0(SgFlavourArchBoot, 1);
		boot->arch = g_strdup(group + strlen("Boot "));
		g_ptr_array_add(flavour->arch_boot, boot);
		if (!load_firmware(&boot->firmware, &boot->report_firmware, keyfile, group, path,
				   error))
			return FALSE;
	}
	return TRUE;
}

void
sg_flavour_use_arch(SgFlavour *flavour, const gchar *arch)
{
	for (guint i = 0; arch != NULL && i < flavour->arch_boot->len; i++) {
		SgFlavourArchBoot *boot = g_ptr_array_index(flavour->arch_boot, i);
		if (!g_str_equal(boot->arch, arch))
			continue;
		g_array_unref(flavour->firmware);
		g_array_unref(flavour->report_firmware);
		flavour->firmware = g_array_ref(boot->firmware);
		flavour->report_firmware = g_array_ref(boot->report_firmware);
	}
}

static gboolean
load_boot(SgFlavour *flavour, GKeyFile *keyfile, const gchar *path, GError **error)
{
	g_autofree gchar *method = get_string(keyfile, "Boot", "Method", "firmware");

	if (g_str_equal(method, "direct")) {
		flavour->boot_direct = TRUE;
	} else if (!g_str_equal(method, "firmware")) {
		refuse(error, path, "Boot", "Method", "[Boot] Method=%s is not firmware or direct",
		       method);
		return FALSE;
	}
	if (!load_firmware(&flavour->firmware, &flavour->report_firmware, keyfile, "Boot", path,
			   error) ||
	    !load_arch_boot(flavour, keyfile, path, error))
		return FALSE;
	flavour->kernel = get_string(keyfile, "Boot", "Kernel", NULL);
	flavour->initrd = get_string(keyfile, "Boot", "Initrd", NULL);
	flavour->kernel_args = get_string(keyfile, "Boot", "KernelArgs", "");
	flavour->answers = get_string(keyfile, "Boot", "Answers", NULL);
	flavour->live_kernel = get_string(keyfile, "Live", "Kernel", NULL);
	flavour->live_initrd = get_string(keyfile, "Live", "Initrd", NULL);
	flavour->live_kernel_args = get_string(keyfile, "Live", "KernelArgs", "");
	flavour->live_user = get_string(keyfile, "Live", "User", NULL);
	if (!check_answers(flavour, path, error) ||
	    !check_kernel_args(flavour->kernel_args, "Boot", path, error) ||
	    !check_kernel_args(flavour->live_kernel_args, "Live", path, error))
		return FALSE;
	/* Through the firmware the image's own menus name them. */
	if (!flavour->boot_direct)
		return TRUE;
	if (flavour->plan_install && (flavour->kernel == NULL || flavour->initrd == NULL)) {
		refuse(error, path, "Boot", NULL,
		       "[Boot] Kernel= and Initrd= are needed for the install plan booted "
		       "directly (Method=direct)");
		return FALSE;
	}
	if (flavour->plan_live && (flavour->live_kernel == NULL || flavour->live_initrd == NULL)) {
		refuse(error, path, "Live", NULL,
		       "[Live] Kernel= and Initrd= are needed for the live plan booted directly "
		       "(Method=direct)");
		return FALSE;
	}
	return TRUE;
}

static gboolean
load_size_limit(SgFlavour *flavour, GKeyFile *keyfile, const gchar *path, GError **error)
{
	g_autofree gchar *text = g_key_file_get_string(keyfile, "Image", "SizeLimit", NULL);

	if (text == NULL || sg_keyfile_parse_size(text, &flavour->size_limit))
		return TRUE;
	{
		g_autofree gchar *quoted = sg_files_quote_line(text);
		refuse(error, path, "Image", "SizeLimit",
		       "[Image] SizeLimit=%s is not a size (" SG_KEYFILE_SIZE_HELP ")", quoted);
	}
	return FALSE;
}

static gboolean
load_guest(SgFlavour *flavour, GKeyFile *keyfile, const gchar *path, GError **error)
{
	g_autofree gchar *network = get_string(keyfile, "Guest", "Network", "none");
	g_auto(GStrv) words = g_key_file_get_string_list(keyfile, "Guest", "Arch", NULL, NULL);
	g_autoptr(GPtrArray) arches = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; words != NULL && words[i] != NULL; i++) {
		g_autoptr(GError) arch_error = NULL;
		const SgArch *known;

		if (g_strstrip(words[i])[0] == '\0')
			continue;
		known = sg_arch_parse(words[i], "[Guest] Arch", &arch_error);
		if (known == NULL) {
			refuse(error, path, "Guest", "Arch", "%s, not %s", arch_error->message,
			       words[i]);
			return FALSE;
		}
		g_ptr_array_add(arches, g_strdup(known->name));
	}
	if (arches->len > 0) {
		flavour->arch = g_strdup(g_ptr_array_index(arches, 0));
		g_ptr_array_add(arches, NULL);
		flavour->arches = (GStrv)g_ptr_array_free(g_steal_pointer(&arches), FALSE);
	}

	if (g_str_equal(network, "mirror")) {
		flavour->needs_mirror = TRUE;
		flavour->mirror = get_string(keyfile, "Guest", "Mirror", NULL);
		if (flavour->mirror == NULL) {
			refuse(error, path, "Guest", "Network",
			       "[Guest] Network=mirror needs Mirror=http://HOST[:PORT]");
			return FALSE;
		}
	} else if (!g_str_equal(network, "none")) {
		refuse(error, path, "Guest", "Network", "[Guest] Network=%s is not none or mirror",
		       network);
		return FALSE;
	}
	return TRUE;
}

static gboolean
check_markers(SgFlavour *flavour, const gchar *path, GError **error)
{
	for (guint i = 0; flavour->console_markers[i] != NULL; i++) {
		g_autoptr(GError) regex_error = NULL;
		g_autoptr(GRegex) regex =
			g_regex_new(flavour->console_markers[i], 0, 0, &regex_error);
		if (regex == NULL) {
			refuse(error, path, "Desktop", "ConsoleMarkers",
			       "[Desktop] ConsoleMarkers: '%s' is not a regular expression: %s",
			       flavour->console_markers[i], regex_error->message);
			return FALSE;
		}
	}
	return TRUE;
}

/* [Timeouts] EmulationFactor=: the limits' multiplier for guests of an
 * architecture the lab host's CPU is not (sg-emulation.h). */
static gboolean
load_emulation_factor(SgFlavour *flavour, GKeyFile *keyfile, const gchar *path, GError **error)
{
	g_autofree gchar *text = g_key_file_get_value(keyfile, "Timeouts", "EmulationFactor", NULL);
	g_autofree gchar *prefix = NULL;

	flavour->emulation_factor = SG_EMULATION_FACTOR_DEFAULT;
	if (text == NULL || sg_emulation_parse_factor(text, &flavour->emulation_factor, error))
		return TRUE;
	prefix = where(path, sg_keyfile_find_line(path, "Timeouts", "EmulationFactor"));
	g_prefix_error(error, "%s[Timeouts] ", prefix);
	return FALSE;
}

SgFlavour *
sg_flavour_load_file(const gchar *path, GError **error)
{
	g_autoptr(GKeyFile) keyfile = g_key_file_new();
	g_autoptr(SgFlavour) flavour = g_new0(SgFlavour, 1);
	g_autofree gchar *basename = g_path_get_basename(path);
	g_autofree gchar *family = NULL;
	guint64 value;

	if (!sg_keyfile_load(keyfile, path, SG_FILES_FOLLOW, error) ||
	    !sg_keyfile_check_known(keyfile, path, profile_groups, error))
		return NULL;
	flavour->name = g_strndup(basename, strlen(basename) - strlen(".conf"));
	flavour->path = g_strdup(path);
	if (!is_valid_name(flavour->name)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "%s: flavour name must be lower-case letters, digits and '-'", path);
		return NULL;
	}
	family = get_string(keyfile, "Flavour", "Family", NULL);
	if (family == NULL) {
		refuse(error, path, "Flavour", NULL, "[Flavour] Family= is missing");
		return NULL;
	}
	flavour->family = sg_family_from_string(family);
	if (flavour->family == SG_FAMILY_UNKNOWN) {
		refuse(error, path, "Flavour", "Family",
		       "[Flavour] Family=%s is not one of debian-installer, ubiquity, subiquity, "
		       "live",
		       family);
		return NULL;
	}
	flavour->description = get_string(keyfile, "Flavour", "Description", flavour->name);
	flavour->era = get_string(keyfile, "Flavour", "Era", "today");
	flavour->verified = get_string(keyfile, "Flavour", "Verified", NULL);
	if (flavour->verified != NULL && g_strstrip(flavour->verified)[0] == '\0')
		g_clear_pointer(&flavour->verified, g_free);
	if (!get_boolean(keyfile, "Flavour", "Generic", FALSE, &flavour->generic, path, error))
		return NULL;
	flavour->disk_info_pattern = get_string(keyfile, "Flavour", "DiskInfo", NULL);
	flavour->volume_id_pattern = get_string(keyfile, "Flavour", "VolumeId", NULL);
	flavour->suites = g_key_file_get_string_list(keyfile, "Flavour", "Suites", NULL, NULL);
	if (flavour->suites == NULL)
		flavour->suites = g_new0(gchar *, 1);
	flavour->display_manager = get_string(keyfile, "Desktop", "DisplayManager", NULL);
	flavour->session = get_string(keyfile, "Desktop", "Session", NULL);
	flavour->console_markers =
		g_key_file_get_string_list(keyfile, "Desktop", "ConsoleMarkers", NULL, NULL);
	if (flavour->console_markers == NULL)
		flavour->console_markers = g_new0(gchar *, 1);
	flavour->shell = g_key_file_get_string_list(keyfile, "Desktop", "Shell", NULL, NULL);
	if (flavour->shell == NULL)
		flavour->shell = g_new0(gchar *, 1);
	if (!get_boolean(keyfile, "Desktop", "DrawnDesktop", flavour->display_manager != NULL,
			 &flavour->drawn_desktop, path, error))
		return NULL;
	if (!load_plans(flavour, keyfile, path, error) ||
	    !load_boot(flavour, keyfile, path, error) ||
	    !load_guest(flavour, keyfile, path, error) || !check_markers(flavour, path, error))
		return NULL;

#define LOAD_UINT(field, group, key, fallback, min, max)                                           \
	do {                                                                                       \
		if (!get_uint(keyfile, group, key, fallback, min, max, &value, error)) {           \
			g_autofree gchar *prefix =                                                 \
				where(path, sg_keyfile_find_line(path, group, key));               \
			g_prefix_error(error, "%s", prefix);                                       \
			return NULL;                                                               \
		}                                                                                  \
		flavour->field = value;                                                            \
	} while (0)
	LOAD_UINT(memory_mib, "Guest", "MemoryMiB", 2048, MEMORY_MIB_MIN, MEMORY_MIB_MAX);
	LOAD_UINT(vcpus, "Guest", "VCPUs", 2, 1, VCPUS_MAX);
	LOAD_UINT(disk_gib, "Guest", "DiskGiB", 25, 1, DISK_GIB_MAX);
	LOAD_UINT(shutdown_seconds, "Desktop", "ShutdownSeconds", 60, 0, SECONDS_MAX);
	/* OVMF with Secure Boot starts slowly under TCG (SMM): see
	 * bench/firmware-boot.sh for the figures. */
	LOAD_UINT(bootloader_seconds, "Timeouts", "BootloaderSeconds", 300, 1, SECONDS_MAX);
	LOAD_UINT(install_seconds, "Timeouts", "InstallSeconds", 3600, 1, SECONDS_MAX);
	LOAD_UINT(install_silence_seconds, "Timeouts", "InstallSilenceSeconds", 600, 1,
		  SECONDS_MAX);
	LOAD_UINT(boot_seconds, "Timeouts", "BootSeconds", 900, 1, SECONDS_MAX);
	LOAD_UINT(boot_silence_seconds, "Timeouts", "BootSilenceSeconds", 300, 1, SECONDS_MAX);
	LOAD_UINT(live_seconds, "Timeouts", "LiveSeconds", 900, 1, SECONDS_MAX);
	LOAD_UINT(live_silence_seconds, "Timeouts", "LiveSilenceSeconds", 300, 1, SECONDS_MAX);
	LOAD_UINT(draw_seconds, "Timeouts", "DrawSeconds", 120, 0, SECONDS_MAX);
#undef LOAD_UINT
	if (!load_emulation_factor(flavour, keyfile, path, error) ||
	    !load_size_limit(flavour, keyfile, path, error))
		return NULL;
	return g_steal_pointer(&flavour);
}

static gboolean
keep_profile(const gchar *dir, const gchar *name)
{
	return g_str_has_suffix(name, ".conf");
}

GPtrArray *
sg_flavour_load_dirs(const gchar *const *dirs, GError **error)
{
	g_autoptr(GPtrArray) flavours =
		g_ptr_array_new_with_free_func((GDestroyNotify)sg_flavour_free);

	for (guint d = 0; dirs[d] != NULL; d++) {
		g_autoptr(GPtrArray) names = sg_files_list(dirs[d], keep_profile);

		for (guint i = 0; i < names->len; i++) {
			g_autofree gchar *path =
				g_build_filename(dirs[d], g_ptr_array_index(names, i), NULL);
			SgFlavour *flavour = sg_flavour_load_file(path, error);
			guint index;
			if (flavour == NULL)
				return NULL;
			for (index = 0; index < flavours->len; index++) {
				SgFlavour *other = g_ptr_array_index(flavours, index);
				if (g_str_equal(other->name, flavour->name))
					break;
			}
			if (index < flavours->len)
				g_ptr_array_remove_index(flavours, index);
			g_ptr_array_add(flavours, flavour);
		}
	}
	return g_steal_pointer(&flavours);
}

GPtrArray *
sg_flavour_load_all(const gchar *flavours_dir, GError **error)
{
	g_autofree gchar *builtin = sg_paths_builtin_flavours();
	const gchar *dirs[] = {builtin, SG_PATHS_SYSTEM_FLAVOURS, flavours_dir, NULL};

	return sg_flavour_load_dirs(dirs, error);
}

SgFlavour *
sg_flavour_find(GPtrArray *flavours, const gchar *name)
{
	for (guint i = 0; i < flavours->len; i++) {
		SgFlavour *flavour = g_ptr_array_index(flavours, i);
		if (g_str_equal(flavour->name, name))
			return flavour;
	}
	return NULL;
}

static gboolean
match_caseless(const gchar *pattern, const gchar *text)
{
	g_autofree gchar *folded_pattern = NULL;
	g_autofree gchar *folded_text = NULL;

	if (pattern == NULL || text == NULL)
		return FALSE;
	folded_pattern = g_utf8_casefold(pattern, -1);
	folded_text = g_utf8_casefold(text, -1);
	return g_pattern_match_simple(folded_pattern, folded_text);
}

SgFlavour *
sg_flavour_detect(GPtrArray *flavours, const gchar *disk_info, const gchar *volume_id)
{
	for (guint i = 0; i < flavours->len; i++) {
		SgFlavour *flavour = g_ptr_array_index(flavours, i);
		if (match_caseless(flavour->disk_info_pattern, disk_info))
			return flavour;
	}
	for (guint i = 0; i < flavours->len; i++) {
		SgFlavour *flavour = g_ptr_array_index(flavours, i);
		if (match_caseless(flavour->volume_id_pattern, volume_id))
			return flavour;
	}
	return NULL;
}

SgFlavour *
sg_flavour_find_generic(GPtrArray *flavours, SgFamily family)
{
	for (guint i = 0; i < flavours->len; i++) {
		SgFlavour *flavour = g_ptr_array_index(flavours, i);
		if (flavour->generic && flavour->family == family)
			return flavour;
	}
	return NULL;
}

gchar *
sg_flavour_list_names(GPtrArray *flavours)
{
	g_autoptr(GString) names = g_string_new(NULL);

	for (guint i = 0; i < flavours->len; i++) {
		SgFlavour *flavour = g_ptr_array_index(flavours, i);
		g_string_append_printf(names, "%s%s", i > 0 ? ", " : "", flavour->name);
	}
	return g_strdup(names->str);
}
