#include "sg-tree-config.h"

#include <stdio.h>

#include "sg-credentials.h"
#include "sg-curl.h"
#include "sg-error.h"
#include "sg-files.h"
#include "sg-keyfile.h"

#define DEFAULT_MAX_ERRORS 3

void
sg_tree_config_free(SgTreeConfig *config)
{
	if (config == NULL)
		return;
	g_free(config->path);
	g_strfreev(config->tracker_urls);
	g_free(config->expected_by);
	g_free(config->keyring);
	if (config->keyfile != NULL)
		g_key_file_unref(config->keyfile);
	g_free(config);
}

SgTreeConfig *
sg_tree_config_copy(const SgTreeConfig *config)
{
	SgTreeConfig *copy = g_new0(SgTreeConfig, 1);
	g_autofree gchar *data = g_key_file_to_data(config->keyfile, NULL, NULL);

	copy->path = g_strdup(config->path);
	copy->tracker_urls = g_strdupv(config->tracker_urls);
	copy->expected_by = g_strdup(config->expected_by);
	copy->max_errors = config->max_errors;
	copy->keep_failed_disks = config->keep_failed_disks;
	copy->keyring = g_strdup(config->keyring);
	copy->keyfile = g_key_file_new();
	/* Its own text, parsed once already: cannot fail. */
	g_key_file_load_from_data(copy->keyfile, data, -1, G_KEY_FILE_NONE, NULL);
	return copy;
}

static gboolean
is_time_of_day(const gchar *text)
{
	guint hours, minutes;
	gchar extra;
	return sscanf(text, "%2u:%2u%c", &hours, &minutes, &extra) == 2 && hours < 24 &&
	       minutes < 60;
}

static const gchar *const tree_keys[] = {"TrackerURLs",	    "ExpectedBy", "MaxErrors", "Suites",
					 "KeepFailedDisks", "Keyring",	  NULL};
static const gchar *const flavour_keys[] = {"SizeLimit", NULL};
static const SgKeyfileGroup config_groups[] = {
	{"Tree", tree_keys},
	{"Flavour *", flavour_keys},
	{NULL, NULL},
};

#define MAX_ERRORS_MAX 1000

#define refuse(error, config, group, key, ...)                                                     \
	sg_keyfile_refuse(error, (config)->path, group, key, __VA_ARGS__)

static gboolean
load_tracker_urls(SgTreeConfig *config, GError **error)
{
	config->tracker_urls =
		g_key_file_get_string_list(config->keyfile, "Tree", "TrackerURLs", NULL, NULL);
	if (config->tracker_urls == NULL)
		config->tracker_urls = g_new0(gchar *, 1);
	for (guint i = 0; config->tracker_urls[i] != NULL; i++) {
		const gchar *url = g_strstrip(config->tracker_urls[i]);
		if (!g_str_has_prefix(url, "http://") && !g_str_has_prefix(url, "https://")) {
			g_autofree gchar *quoted = sg_files_quote_line(url);
			return refuse(error, config, "Tree", "TrackerURLs",
				      "[Tree] TrackerURLs: '%s' is not an http:// or https:// URL",
				      quoted);
		}
		/* smokegate.conf is mirrored with the tree: a secret in it is public. */
		if (sg_curl_url_has_userinfo(url)) {
			g_autofree gchar *shown = sg_curl_redact_url(url);
			return refuse(
				error, config, "Tree", "TrackerURLs",
				"[Tree] TrackerURLs: %s carries a user or password, and "
				"smokegate.conf is served with the tree: " SG_CREDENTIALS_WHERE,
				shown);
		}
	}
	return TRUE;
}

static gboolean
load_max_errors(SgTreeConfig *config, GError **error)
{
	g_autofree gchar *text = g_key_file_get_string(config->keyfile, "Tree", "MaxErrors", NULL);
	guint64 value;

	config->max_errors = DEFAULT_MAX_ERRORS;
	if (text == NULL)
		return TRUE;
	if (!g_ascii_string_to_unsigned(g_strstrip(text), 10, 1, MAX_ERRORS_MAX, &value, NULL)) {
		g_autofree gchar *quoted = sg_files_quote_line(text);
		return refuse(error, config, "Tree", "MaxErrors",
			      "[Tree] MaxErrors=%s is not a whole number from 1 to %d", quoted,
			      MAX_ERRORS_MAX);
	}
	config->max_errors = value;
	return TRUE;
}

/* Every [Flavour NAME] SizeLimit= read now, so a bad one stops the command
 * instead of dropping the limit when a build of that flavour comes. */
static gboolean
check_size_limits(SgTreeConfig *config, GError **error)
{
	g_auto(GStrv) groups = g_key_file_get_groups(config->keyfile, NULL);

	for (guint i = 0; groups[i] != NULL; i++) {
		g_autofree gchar *text =
			g_key_file_get_string(config->keyfile, groups[i], "SizeLimit", NULL);
		guint64 limit;

		if (text != NULL && !sg_keyfile_parse_size(text, &limit)) {
			g_autofree gchar *quoted = sg_files_quote_line(text);
			return refuse(error, config, groups[i], "SizeLimit",
				      "[%s] SizeLimit=%s is not a size (" SG_KEYFILE_SIZE_HELP ")",
				      groups[i], quoted);
		}
	}
	return TRUE;
}

SgTreeConfig *
sg_tree_config_load(const gchar *tree, GError **error)
{
	g_autoptr(SgTreeConfig) config = g_new0(SgTreeConfig, 1);
	g_autoptr(GError) local_error = NULL;

	config->path = g_build_filename(tree, "smokegate.conf", NULL);
	config->keyfile = g_key_file_new();
	config->max_errors = DEFAULT_MAX_ERRORS;
	if (!g_file_test(config->path, G_FILE_TEST_EXISTS) &&
	    !g_file_test(config->path, G_FILE_TEST_IS_SYMLINK)) {
		config->tracker_urls = g_new0(gchar *, 1);
		return g_steal_pointer(&config);
	}
	/* In the tree, which others can write to: never a link, never a FIFO. */
	if (!sg_keyfile_load(config->keyfile, config->path, SG_FILES_NOFOLLOW, error) ||
	    !sg_keyfile_check_known(config->keyfile, config->path, config_groups, error) ||
	    !load_tracker_urls(config, error) || !load_max_errors(config, error) ||
	    !check_size_limits(config, error))
		return NULL;
	config->keyring = g_key_file_get_string(config->keyfile, "Tree", "Keyring", NULL);
	if (config->keyring != NULL && !g_path_is_absolute(g_strstrip(config->keyring))) {
		g_autofree gchar *quoted = sg_files_quote_line(config->keyring);
		refuse(error, config, "Tree", "Keyring",
		       "[Tree] Keyring=%s is not an absolute path (a keyring as `gpg --export` "
		       "writes it)",
		       quoted);
		return NULL;
	}
	config->expected_by = g_key_file_get_string(config->keyfile, "Tree", "ExpectedBy", NULL);
	if (config->expected_by != NULL && !is_time_of_day(config->expected_by)) {
		g_autofree gchar *quoted = sg_files_quote_line(config->expected_by);
		refuse(error, config, "Tree", "ExpectedBy", "[Tree] ExpectedBy=%s is not HH:MM",
		       quoted);
		return NULL;
	}
	/* A typo here would silently delete the disks a team asked to keep. */
	config->keep_failed_disks =
		g_key_file_get_boolean(config->keyfile, "Tree", "KeepFailedDisks", &local_error);
	if (local_error != NULL &&
	    !g_error_matches(local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND) &&
	    !g_error_matches(local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND)) {
		refuse(error, config, "Tree", "KeepFailedDisks",
		       "[Tree] KeepFailedDisks= must be true or false");
		return NULL;
	}
	return g_steal_pointer(&config);
}

guint64
sg_tree_config_size_limit(SgTreeConfig *config, const gchar *flavour, guint64 profile_limit)
{
	g_autofree gchar *group = g_strdup_printf("Flavour %s", flavour);
	g_autofree gchar *text = g_key_file_get_string(config->keyfile, group, "SizeLimit", NULL);
	guint64 limit;

	/* Checked when the config was loaded. */
	if (text != NULL && sg_keyfile_parse_size(text, &limit))
		return limit;
	return profile_limit;
}

gchar **
sg_tree_config_suites(SgTreeConfig *config)
{
	gchar **suites = g_key_file_get_string_list(config->keyfile, "Tree", "Suites", NULL, NULL);

	return suites != NULL ? suites : g_new0(gchar *, 1);
}
