#include "sg-tree.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sg-error.h"
#include "sg-files.h"

#define MAX_NAME 100

gboolean
sg_tree_check_name(const gchar *what, const gchar *name, GError **error)
{
	if (name == NULL || name[0] == '\0') {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s is empty", what);
		return FALSE;
	}
	if (strlen(name) > MAX_NAME) {
		g_autofree gchar *quoted = sg_files_quote_line(name);
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "%s '%s' is refused: it is %" G_GSIZE_FORMAT
			    " characters long, and a name may have at most %d",
			    what, quoted, strlen(name), MAX_NAME);
		return FALSE;
	}
	if (!g_ascii_isalnum(name[0]) || strstr(name, "..") != NULL ||
	    g_str_equal(name, SG_TREE_PENDING) || g_str_equal(name, SG_TREE_CURRENT)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "%s '%s' is refused: it must start with a letter or digit, hold no "
			    "'..' and not be 'pending' or 'current'",
			    what, name);
		return FALSE;
	}
	for (const gchar *p = name; *p != '\0'; p++) {
		if (!g_ascii_isalnum(*p) && strchr("._+~-", *p) == NULL) {
			g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
				    "%s '%s' is refused: only letters, digits and . _ + ~ - are "
				    "allowed",
				    what, name);
			return FALSE;
		}
	}
	return TRUE;
}

gint
sg_tree_parse_build_id(const gchar *name, guint *day)
{
	guint64 date, respin = 0;
	gchar *end = NULL;

	if (strlen(name) < 8)
		return -1;
	for (guint i = 0; i < 8; i++) {
		if (!g_ascii_isdigit(name[i]))
			return -1;
	}
	date = g_ascii_strtoull(name, &end, 10);
	if (end != name + 8)
		return -1;
	if (*end == '.') {
		if (!g_ascii_string_to_unsigned(end + 1, 10, 1, 9999, &respin, NULL))
			return -1;
	} else if (*end != '\0') {
		return -1;
	}
	if (day != NULL)
		*day = (guint)date;
	return (gint)respin;
}

gboolean
sg_tree_is_build_id(const gchar *name)
{
	return sg_tree_parse_build_id(name, NULL) >= 0;
}

gchar *
sg_tree_lock_path(const gchar *tree, const gchar *name)
{
	g_autofree gchar *file = g_strconcat(name, ".lock", NULL);
	return g_build_filename(tree, SG_TREE_STATE_DIR, file, NULL);
}

gboolean
sg_tree_point(const gchar *type_dir, const gchar *link, const gchar *build_id, GError **error)
{
	g_autofree gchar *path = g_build_filename(type_dir, link, NULL);
	g_autofree gchar *temporary =
		g_strdup_printf("%s/.%s.%d.tmp", type_dir, link, (int)getpid());

	if (build_id == NULL) {
		if (unlink(path) != 0 && errno != ENOENT) {
			g_set_error(error, SG_ERROR, SG_ERROR_TREE, "cannot remove %s: %s", path,
				    g_strerror(errno));
			return FALSE;
		}
		sg_files_sync(type_dir, NULL);
		return TRUE;
	}
	unlink(temporary);
	/* Relative target: the tree stays valid when mirrored or moved. */
	if (symlink(build_id, temporary) != 0 || rename(temporary, path) != 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_TREE, "cannot point %s at %s: %s", path,
			    build_id, g_strerror(errno));
		unlink(temporary);
		return FALSE;
	}
	sg_files_sync(type_dir, NULL);
	return TRUE;
}

void
sg_tree_error_claim(GError **error)
{
	GError *claimed;

	if (error == NULL || *error == NULL || (*error)->domain == SG_ERROR)
		return;
	claimed = g_error_new_literal(SG_ERROR, SG_ERROR_TREE, (*error)->message);
	g_error_free(*error);
	*error = claimed;
}

gchar *
sg_tree_read_link(const gchar *type_dir, const gchar *link)
{
	g_autofree gchar *path = g_build_filename(type_dir, link, NULL);
	g_autofree gchar *target = g_file_read_link(path, NULL);

	if (target == NULL)
		return NULL;
	return g_path_get_basename(target);
}

gboolean
sg_tree_parse_build_path(const gchar *path, gchar **flavour, gchar **image_type, gchar **build_id,
			 GError **error)
{
	g_auto(GStrv) parts = g_strsplit(path, "/", -1);
	g_autoptr(GPtrArray) words = g_ptr_array_new();

	for (guint i = 0; parts[i] != NULL; i++) {
		if (parts[i][0] != '\0')
			g_ptr_array_add(words, parts[i]);
	}
	if (words->len != 3) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "'%s' is not FLAVOUR/IMAGE-TYPE/BUILD-ID (e.g. "
			    "kubuntu/daily-live/20261124.1)",
			    path);
		return FALSE;
	}
	if (!sg_tree_check_name("flavour", g_ptr_array_index(words, 0), error) ||
	    !sg_tree_check_name("image type", g_ptr_array_index(words, 1), error))
		return FALSE;
	if (!sg_tree_is_build_id(g_ptr_array_index(words, 2))) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "'%s' is not a build id (YYYYMMDD or YYYYMMDD.N)",
			    (const gchar *)g_ptr_array_index(words, 2));
		return FALSE;
	}
	*flavour = g_strdup(g_ptr_array_index(words, 0));
	*image_type = g_strdup(g_ptr_array_index(words, 1));
	*build_id = g_strdup(g_ptr_array_index(words, 2));
	return TRUE;
}
