#include "sg-flavour.h"

#include <gio/gio.h>
#include <string.h>

#include "sg-error.h"

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
	g_strfreev(flavour->console_markers);
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

static gchar *
get_string(GKeyFile *keyfile, const gchar *group, const gchar *key, const gchar *fallback)
{
	gchar *value = g_key_file_get_string(keyfile, group, key, NULL);
	return value != NULL ? value : g_strdup(fallback);
}

/* Reads a positive integer; absent keys take @fallback, bad ones are errors. */
static gboolean
get_uint(GKeyFile *keyfile, const gchar *group, const gchar *key, guint64 fallback,
	 guint64 *out, GError **error)
{
	g_autofree gchar *text = g_key_file_get_string(keyfile, group, key, NULL);
	guint64 value;

	if (text == NULL) {
		*out = fallback;
		return TRUE;
	}
	if (!g_ascii_string_to_unsigned(g_strstrip(text), 10, 0, G_MAXUINT64, &value, NULL)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "[%s] %s=%s is not a whole number", group, key, text);
		return FALSE;
	}
	*out = value;
	return TRUE;
}

static const gchar *const required_keys[][2] = {
	{"Flavour", "Family"},
	{"Boot", "Kernel"},
};

SgFlavour *
sg_flavour_load_file(const gchar *path, GError **error)
{
	g_autoptr(GKeyFile) keyfile = g_key_file_new();
	g_autoptr(SgFlavour) flavour = g_new0(SgFlavour, 1);
	g_autofree gchar *basename = g_path_get_basename(path);
	g_autofree gchar *family = NULL;
	guint64 value;

	if (!g_key_file_load_from_file(keyfile, path, G_KEY_FILE_NONE, error)) {
		g_prefix_error(error, "%s: ", path);
		if (*error != NULL)
			(*error)->domain = SG_ERROR, (*error)->code = SG_ERROR_USAGE;
		return NULL;
	}
	flavour->name = g_strndup(basename, strlen(basename) - strlen(".conf"));
	flavour->path = g_strdup(path);
	if (!is_valid_name(flavour->name)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "%s: flavour name must be lower-case letters, digits and '-'", path);
		return NULL;
	}
	for (guint i = 0; i < G_N_ELEMENTS(required_keys); i++) {
		if (!g_key_file_has_key(keyfile, required_keys[i][0], required_keys[i][1], NULL)) {
			g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s: [%s] %s= is missing", path,
				    required_keys[i][0], required_keys[i][1]);
			return NULL;
		}
	}
	flavour->description = get_string(keyfile, "Flavour", "Description", flavour->name);
	family = get_string(keyfile, "Flavour", "Family", NULL);
	flavour->family = sg_family_from_string(family);
	if (flavour->family == SG_FAMILY_UNKNOWN) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "%s: [Flavour] Family=%s is not one of debian-installer, ubiquity, "
			    "subiquity, live",
			    path, family);
		return NULL;
	}
	flavour->disk_info_pattern = get_string(keyfile, "Flavour", "DiskInfo", NULL);
	flavour->volume_id_pattern = get_string(keyfile, "Flavour", "VolumeId", NULL);
	flavour->kernel = get_string(keyfile, "Boot", "Kernel", NULL);
	flavour->initrd = get_string(keyfile, "Boot", "Initrd", NULL);
	flavour->kernel_args = get_string(keyfile, "Boot", "KernelArgs", "");
	flavour->answers = get_string(keyfile, "Boot", "Answers", NULL);
	flavour->display_manager = get_string(keyfile, "Desktop", "DisplayManager", NULL);
	flavour->console_markers =
	    g_key_file_get_string_list(keyfile, "Desktop", "ConsoleMarkers", NULL, NULL);
	if (flavour->console_markers == NULL)
		flavour->console_markers = g_new0(gchar *, 1);

#define LOAD_UINT(field, group, key, fallback)                                             \
	do {                                                                               \
		if (!get_uint(keyfile, group, key, fallback, &value, error)) {             \
			g_prefix_error(error, "%s: ", path);                               \
			return NULL;                                                       \
		}                                                                          \
		flavour->field = value;                                                    \
	} while (0)
	LOAD_UINT(memory_mib, "Guest", "MemoryMiB", 2048);
	LOAD_UINT(vcpus, "Guest", "VCPUs", 2);
	LOAD_UINT(disk_gib, "Guest", "DiskGiB", 25);
	LOAD_UINT(size_limit, "Image", "SizeLimit", 0);
	LOAD_UINT(shutdown_seconds, "Desktop", "ShutdownSeconds", 60);
	LOAD_UINT(install_seconds, "Timeouts", "InstallSeconds", 3600);
	LOAD_UINT(install_silence_seconds, "Timeouts", "InstallSilenceSeconds", 600);
	LOAD_UINT(boot_seconds, "Timeouts", "BootSeconds", 900);
	LOAD_UINT(boot_silence_seconds, "Timeouts", "BootSilenceSeconds", 300);
#undef LOAD_UINT
	if (flavour->memory_mib == 0 || flavour->vcpus == 0 || flavour->disk_gib == 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "%s: [Guest] MemoryMiB, VCPUs and DiskGiB must be above zero", path);
		return NULL;
	}
	return g_steal_pointer(&flavour);
}

GPtrArray *
sg_flavour_load_dirs(const gchar *const *dirs, GError **error)
{
	g_autoptr(GPtrArray) flavours = g_ptr_array_new_with_free_func((GDestroyNotify)sg_flavour_free);

	for (guint d = 0; dirs[d] != NULL; d++) {
		g_autoptr(GDir) dir = g_dir_open(dirs[d], 0, NULL);
		g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
		const gchar *name;

		if (dir == NULL)
			continue;
		while ((name = g_dir_read_name(dir)) != NULL) {
			if (g_str_has_suffix(name, ".conf"))
				g_ptr_array_add(names, g_strdup(name));
		}
		g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
		for (guint i = 0; i < names->len; i++) {
			g_autofree gchar *path = g_build_filename(dirs[d], g_ptr_array_index(names, i), NULL);
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

SgFlavour *
sg_flavour_detect(GPtrArray *flavours, const gchar *disk_info, const gchar *volume_id)
{
	for (guint i = 0; i < flavours->len; i++) {
		SgFlavour *flavour = g_ptr_array_index(flavours, i);
		if (flavour->disk_info_pattern != NULL && disk_info != NULL &&
		    g_pattern_match_simple(flavour->disk_info_pattern, disk_info))
			return flavour;
	}
	for (guint i = 0; i < flavours->len; i++) {
		SgFlavour *flavour = g_ptr_array_index(flavours, i);
		if (flavour->volume_id_pattern != NULL && volume_id != NULL &&
		    g_pattern_match_simple(flavour->volume_id_pattern, volume_id))
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
