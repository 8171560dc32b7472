#include "sg-firmware.h"

#include <json-glib/json-glib.h>

#include "sg-error.h"
#include "sg-files.h"

static const struct {
	const gchar *word;
	const gchar *words;
	gboolean chosen; /* a word of --firmware and profiles */
} firmwares[SG_FIRMWARE_COUNT] = {
	[SG_FIRMWARE_BIOS] = {"bios", "BIOS", TRUE},
	[SG_FIRMWARE_UEFI] = {"uefi", "UEFI", TRUE},
	[SG_FIRMWARE_UEFI_SECURE_BOOT] = {"uefi-secureboot", "UEFI with Secure Boot", TRUE},
	[SG_FIRMWARE_SLOF] = {"slof", "SLOF", FALSE},
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
		if (firmwares[i].chosen && g_strcmp0(text, firmwares[i].word) == 0) {
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

static gboolean
array_has(JsonObject *object, const gchar *member, const gchar *value)
{
	JsonArray *array = json_object_has_member(object, member)
				   ? json_object_get_array_member(object, member)
				   : NULL;

	for (guint i = 0; array != NULL && i < json_array_get_length(array); i++) {
		JsonNode *node = json_array_get_element(array, i);
		if (JSON_NODE_HOLDS_VALUE(node) &&
		    g_strcmp0(json_node_get_string(node), value) == 0)
			return TRUE;
	}
	return FALSE;
}

/* The machine libvirt makes of each architecture's guests (sg-domain-xml.c),
 * as its descriptors' machine globs see it. */
static const gchar *
machine_of(const gchar *qemu_arch)
{
	return g_str_equal(qemu_arch, "aarch64") ? "virt-7.2" : "pc-q35-7.2";
}

/* Whether the descriptor targets @qemu_arch's machines. */
static gboolean
targets_machine(JsonObject *root, const gchar *qemu_arch)
{
	JsonArray *targets = json_object_has_member(root, "targets")
				     ? json_object_get_array_member(root, "targets")
				     : NULL;

	for (guint i = 0; targets != NULL && i < json_array_get_length(targets); i++) {
		JsonObject *target = json_array_get_object_element(targets, i);
		JsonArray *machines;

		if (target == NULL ||
		    g_strcmp0(json_object_get_string_member_with_default(target, "architecture",
									 NULL),
			      qemu_arch) != 0 ||
		    !json_object_has_member(target, "machines"))
			continue;
		machines = json_object_get_array_member(target, "machines");
		for (guint m = 0; machines != NULL && m < json_array_get_length(machines); m++)
			if (g_pattern_match_simple(json_array_get_string_element(machines, m),
						   machine_of(qemu_arch)))
				return TRUE;
	}
	return FALSE;
}

/* The descriptor's variable store template when it fits @firmware. */
static gchar *
template_of(JsonObject *root, SgFirmware firmware, const gchar *qemu_arch)
{
	gboolean secure = firmware == SG_FIRMWARE_UEFI_SECURE_BOOT;
	JsonObject *mapping = json_object_has_member(root, "mapping")
				      ? json_object_get_object_member(root, "mapping")
				      : NULL;
	JsonObject *nvram;

	if (!array_has(root, "interface-types", "uefi") || !targets_machine(root, qemu_arch) ||
	    mapping == NULL ||
	    g_strcmp0(json_object_get_string_member_with_default(mapping, "device", NULL),
		      "flash") != 0 ||
	    array_has(root, "features", "secure-boot") != secure ||
	    array_has(root, "features", "enrolled-keys") != secure)
		return NULL;
	nvram = json_object_has_member(mapping, "nvram-template")
			? json_object_get_object_member(mapping, "nvram-template")
			: NULL;
	if (nvram == NULL)
		return NULL;
	return g_strdup(json_object_get_string_member_with_default(nvram, "filename", NULL));
}

static gboolean
is_descriptor(const gchar *dir, const gchar *name)
{
	return g_str_has_suffix(name, ".json");
}

gchar *
sg_firmware_nvram_template(SgFirmware firmware, const gchar *qemu_arch, const gchar *const *dirs,
			   GError **error)
{
	const gchar *default_dirs[] = {SG_FIRMWARE_DESCRIPTOR_DIRS, NULL};
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_autoptr(GList) names = NULL;

	g_return_val_if_fail(sg_firmware_is_uefi(firmware), NULL);
	if (dirs == NULL)
		dirs = default_dirs;
	/* One list by file name; a name in an earlier folder hides the later. */
	for (guint d = 0; dirs[d] != NULL; d++) {
		g_autoptr(GPtrArray) found = sg_files_list(dirs[d], is_descriptor);
		for (guint i = 0; i < found->len; i++) {
			const gchar *name = g_ptr_array_index(found, i);
			if (!g_hash_table_contains(seen, name))
				g_hash_table_insert(seen, g_strdup(name),
						    g_build_filename(dirs[d], name, NULL));
		}
	}
	names = g_list_sort(g_hash_table_get_keys(seen), (GCompareFunc)g_strcmp0);
	for (GList *l = names; l != NULL; l = l->next) {
		const gchar *path = g_hash_table_lookup(seen, l->data);
		g_autoptr(JsonParser) parser = json_parser_new();
		g_autofree gchar *template_path = NULL;
		JsonNode *root;

		if (!json_parser_load_from_file(parser, path, NULL))
			continue;
		root = json_parser_get_root(parser);
		if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
			continue;
		template_path = template_of(json_node_get_object(root), firmware, qemu_arch);
		if (template_path != NULL)
			return g_steal_pointer(&template_path);
	}
	g_set_error(error, SG_ERROR, SG_ERROR_LAB,
		    "no %s UEFI firmware for %s here: no firmware descriptor in %s or %s names "
		    "one (install Debian's %s)",
		    qemu_arch, sg_firmware_describe(firmware), dirs[0],
		    dirs[1] != NULL ? dirs[1] : "",
		    g_str_equal(qemu_arch, "aarch64") ? "qemu-efi-aarch64" : "ovmf");
	return NULL;
}
