#include "sg-tree-config.h"

#include <stdio.h>

#include "sg-error.h"
#include "sg-files.h"

#define DEFAULT_MAX_ERRORS 3

void
sg_tree_config_free(SgTreeConfig *config)
{
	if (config == NULL)
		return;
	g_free(config->path);
	g_strfreev(config->tracker_urls);
	g_free(config->expected_by);
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

SgTreeConfig *
sg_tree_config_load(const gchar *tree, GError **error)
{
	g_autoptr(SgTreeConfig) config = g_new0(SgTreeConfig, 1);
	g_autoptr(GError) local_error = NULL;
	g_autofree gchar *text = NULL;
	gsize length = 0;
	gint max_errors;

	config->path = g_build_filename(tree, "smokegate.conf", NULL);
	config->keyfile = g_key_file_new();
	config->max_errors = DEFAULT_MAX_ERRORS;
	if (!g_file_test(config->path, G_FILE_TEST_EXISTS) &&
	    !g_file_test(config->path, G_FILE_TEST_IS_SYMLINK)) {
		config->tracker_urls = g_new0(gchar *, 1);
		return g_steal_pointer(&config);
	}
	/* In the tree, which others can write to: never a link, never a FIFO. */
	if (!sg_files_read_regular(config->path, SG_FILES_NOFOLLOW, SG_FILES_CONFIG_MAX_BYTES,
				   &text, &length, &local_error)) {
		g_set_error_literal(error, SG_ERROR, SG_ERROR_USAGE, local_error->message);
		return NULL;
	}
	if (!g_key_file_load_from_data(config->keyfile, text, length, G_KEY_FILE_NONE,
				       &local_error)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s: %s", config->path,
			    local_error->message);
		return NULL;
	}
	config->tracker_urls =
		g_key_file_get_string_list(config->keyfile, "Tree", "TrackerURLs", NULL, NULL);
	if (config->tracker_urls == NULL)
		config->tracker_urls = g_new0(gchar *, 1);
	config->expected_by = g_key_file_get_string(config->keyfile, "Tree", "ExpectedBy", NULL);
	if (config->expected_by != NULL && !is_time_of_day(config->expected_by)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "%s: [Tree] ExpectedBy=%s is not HH:MM", config->path,
			    config->expected_by);
		return NULL;
	}
	max_errors = g_key_file_get_integer(config->keyfile, "Tree", "MaxErrors", &local_error);
	if (local_error == NULL && max_errors > 0)
		config->max_errors = (guint)max_errors;
	g_clear_error(&local_error);
	/* A typo here would silently delete the disks a team asked to keep. */
	config->keep_failed_disks =
		g_key_file_get_boolean(config->keyfile, "Tree", "KeepFailedDisks", &local_error);
	if (local_error != NULL &&
	    !g_error_matches(local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND) &&
	    !g_error_matches(local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "%s: [Tree] KeepFailedDisks= must be true or false", config->path);
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

	if (text != NULL &&
	    g_ascii_string_to_unsigned(g_strstrip(text), 10, 0, G_MAXUINT64, &limit, NULL))
		return limit;
	return profile_limit;
}

gchar **
sg_tree_config_suites(SgTreeConfig *config)
{
	gchar **suites = g_key_file_get_string_list(config->keyfile, "Tree", "Suites", NULL, NULL);

	return suites != NULL ? suites : g_new0(gchar *, 1);
}
