#include "sg-lab-config.h"

#include <string.h>

#include "sg-arch.h"
#include "sg-emulation.h"
#include "sg-error.h"
#include "sg-files.h"
#include "sg-keyfile.h"

#define HOST_GROUP_PREFIX "Host "
#define DEFAULT_HOST_NAME "local"

static const gchar *const host_keys[] = {"URI",	  "MaxGuests", "MemoryMiB",	  "VCPUs",
					 "Accel", "Arches",    "EmulationFactor", NULL};

static void
lab_host_free(SgLabHost *host)
{
	g_free(host->name);
	g_free(host->uri);
	g_free(host->accel);
	g_strfreev(host->arches);
	g_free(host);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgLabHost, lab_host_free)

void
sg_lab_config_free(SgLabConfig *config)
{
	if (config == NULL)
		return;
	g_free(config->path);
	if (config->hosts != NULL)
		g_ptr_array_unref(config->hosts);
	g_free(config);
}

static SgLabConfig *
config_new(const gchar *path)
{
	SgLabConfig *config = g_new0(SgLabConfig, 1);

	config->path = g_strdup(path);
	config->hosts = g_ptr_array_new_with_free_func((GDestroyNotify)lab_host_free);
	return config;
}

/* The name a --connect host goes by: the URI's host, else "local". */
static gchar *
single_host_name(const gchar *uri)
{
	g_autoptr(GUri) parsed = NULL;

	if (uri != NULL)
		parsed = g_uri_parse(uri, G_URI_FLAGS_NONE, NULL);
	if (parsed == NULL || g_uri_get_host(parsed) == NULL || g_uri_get_host(parsed)[0] == '\0')
		return g_strdup(DEFAULT_HOST_NAME);
	return g_strdup(g_uri_get_host(parsed));
}

SgLabConfig *
sg_lab_config_new_single(const gchar *uri, const gchar *accel)
{
	SgLabConfig *config = config_new(NULL);
	SgLabHost *host = g_new0(SgLabHost, 1);

	host->name = single_host_name(uri);
	host->uri = g_strdup(uri);
	host->max_guests = 1;
	host->accel = g_strdup(accel != NULL ? accel : "auto");
	g_ptr_array_add(config->hosts, host);
	return config;
}

/* A whole positive number, nothing else: "0", "-1", "2x" and "" are refused. */
static gboolean
read_count(GKeyFile *keyfile, const gchar *path, const gchar *group, const gchar *key, guint *value,
	   GError **error)
{
	g_autofree gchar *text = g_key_file_get_value(keyfile, group, key, NULL);
	guint64 number;

	if (text == NULL)
		return TRUE;
	if (!g_ascii_string_to_unsigned(g_strstrip(text), 10, 1, G_MAXUINT, &number, NULL)) {
		g_autofree gchar *quoted = sg_files_quote_line(text);
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "%s: [%s] %s=%s is not a whole number of at least 1", path, group, key,
			    quoted);
		return FALSE;
	}
	*value = (guint)number;
	return TRUE;
}

/* Arches=: Debian's names of architectures smokegate knows, at least one. */
static gboolean
read_arches(GKeyFile *keyfile, const gchar *path, const gchar *group, SgLabHost *host,
	    GError **error)
{
	g_auto(GStrv) words = g_key_file_get_string_list(keyfile, group, "Arches", NULL, NULL);
	g_autoptr(GPtrArray) arches = g_ptr_array_new_with_free_func(g_free);

	if (words == NULL)
		return TRUE;
	for (guint i = 0; words[i] != NULL; i++) {
		const SgArch *arch = sg_arch_find(g_strstrip(words[i]));
		if (words[i][0] == '\0')
			continue;
		if (arch == NULL || !g_str_equal(arch->name, words[i])) {
			g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
				    "%s: [%s] Arches=: %s is not an architecture's Debian name "
				    "(amd64, i386, arm64, ...)",
				    path, group, words[i]);
			return FALSE;
		}
		g_ptr_array_add(arches, g_strdup(arch->name));
	}
	if (arches->len == 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s: [%s] Arches= names none", path,
			    group);
		return FALSE;
	}
	g_ptr_array_add(arches, NULL);
	host->arches = (GStrv)g_ptr_array_free(g_steal_pointer(&arches), FALSE);
	return TRUE;
}

/* EmulationFactor=: how much longer this host's emulated guests may take
 * (sg-emulation.h); unset (0): the flavour profile's. */
static gboolean
read_emulation_factor(GKeyFile *keyfile, const gchar *path, const gchar *group, SgLabHost *host,
		      GError **error)
{
	g_autofree gchar *text = g_key_file_get_value(keyfile, group, "EmulationFactor", NULL);

	if (text == NULL || sg_emulation_parse_factor(text, &host->emulation_factor, error))
		return TRUE;
	g_prefix_error(error, "%s: [%s] ", path, group);
	return FALSE;
}

static SgLabHost *
read_host(GKeyFile *keyfile, const gchar *path, const gchar *group, GError **error)
{
	const gchar *name = group + strlen(HOST_GROUP_PREFIX);
	g_auto(GStrv) keys = g_key_file_get_keys(keyfile, group, NULL, NULL);
	g_autoptr(SgLabHost) host = g_new0(SgLabHost, 1);

	if (name[0] == '\0' || g_ascii_isspace(name[0]) ||
	    g_ascii_isspace(name[strlen(name) - 1])) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "%s: [%s]: the host NAME is empty or has spaces around it", path,
			    group);
		return NULL;
	}
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (!g_strv_contains(host_keys, keys[i])) {
			g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
				    "%s: [%s] unknown key %s (known: URI, MaxGuests, MemoryMiB, "
				    "VCPUs, Accel, Arches, EmulationFactor)",
				    path, group, keys[i]);
			return NULL;
		}
	}
	host->name = g_strdup(name);
	host->uri = g_key_file_get_string(keyfile, group, "URI", NULL);
	if (host->uri != NULL)
		g_strstrip(host->uri);
	if (host->uri == NULL || host->uri[0] == '\0') {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "%s: [%s] has no URI= (the host's libvirt URI, e.g. "
			    "qemu+ssh://HOST/system)",
			    path, group);
		return NULL;
	}
	host->max_guests = 1;
	if (!read_count(keyfile, path, group, "MaxGuests", &host->max_guests, error) ||
	    !read_count(keyfile, path, group, "MemoryMiB", &host->memory_mib, error) ||
	    !read_count(keyfile, path, group, "VCPUs", &host->vcpus, error))
		return NULL;
	host->accel = g_key_file_get_string(keyfile, group, "Accel", NULL);
	if (host->accel == NULL)
		host->accel = g_strdup("auto");
	g_strstrip(host->accel);
	if (!g_str_equal(host->accel, "auto") && !g_str_equal(host->accel, "kvm") &&
	    !g_str_equal(host->accel, "tcg")) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "%s: [%s] Accel=%s is not auto, kvm or tcg", path, group, host->accel);
		return NULL;
	}
	if (!read_arches(keyfile, path, group, host, error) ||
	    !read_emulation_factor(keyfile, path, group, host, error))
		return NULL;
	return g_steal_pointer(&host);
}

SgLabConfig *
sg_lab_config_load(const gchar *path, GError **error)
{
	g_autoptr(GKeyFile) keyfile = g_key_file_new();
	g_autoptr(SgLabConfig) config = NULL;
	g_auto(GStrv) groups = NULL;

	/* No lab file anywhere: one host, the default connection, as ever. */
	if (path == NULL) {
		if (!g_file_test(SG_LAB_CONFIG_DEFAULT_PATH, G_FILE_TEST_EXISTS))
			return sg_lab_config_new_single(NULL, NULL);
		path = SG_LAB_CONFIG_DEFAULT_PATH;
	}
	if (!sg_keyfile_load(keyfile, path, SG_FILES_FOLLOW, error)) {
		g_prefix_error(error, "lab file ");
		return NULL;
	}
	config = config_new(path);
	groups = g_key_file_get_groups(keyfile, NULL);
	for (guint i = 0; groups[i] != NULL; i++) {
		SgLabHost *host;

		if (!g_str_has_prefix(groups[i], HOST_GROUP_PREFIX)) {
			g_autofree gchar *quoted = sg_files_quote_line(groups[i]);
			g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
				    "%s: unknown group [%s] (expected [Host NAME])", path, quoted);
			return NULL;
		}
		host = read_host(keyfile, path, groups[i], error);
		if (host == NULL)
			return NULL;
		/* Two names for one host would give it twice the room it has. */
		for (guint j = 0; j < config->hosts->len; j++) {
			SgLabHost *other = g_ptr_array_index(config->hosts, j);
			if (g_str_equal(other->uri, host->uri)) {
				g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
					    "%s: [Host %s] and [Host %s] have the same URI %s",
					    path, other->name, host->name, host->uri);
				lab_host_free(host);
				return NULL;
			}
		}
		g_ptr_array_add(config->hosts, host);
	}
	if (config->hosts->len == 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "%s: no [Host NAME] group: the lab has no host", path);
		return NULL;
	}
	return g_steal_pointer(&config);
}

SgLabHost *
sg_lab_config_find_host(SgLabConfig *config, const gchar *name)
{
	for (guint i = 0; i < config->hosts->len; i++) {
		SgLabHost *host = g_ptr_array_index(config->hosts, i);
		if (g_str_equal(host->name, name))
			return host;
	}
	return NULL;
}
