#include "sg-files.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static gint
compare_indirect(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const gchar *const *)a, *(const gchar *const *)b);
}

void
sg_sort_strings(GPtrArray *strings)
{
	g_ptr_array_sort(strings, compare_indirect);
}

GPtrArray *
sg_files_list(const gchar *dir, gboolean (*keep)(const gchar *dir, const gchar *name))
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GDir) listing = g_dir_open(dir, 0, NULL);
	const gchar *name;

	while (listing != NULL && (name = g_dir_read_name(listing)) != NULL) {
		if (keep == NULL || keep(dir, name))
			g_ptr_array_add(names, g_strdup(name));
	}
	sg_sort_strings(names);
	return names;
}

gboolean
sg_files_keep_folder(const gchar *dir, const gchar *name)
{
	g_autofree gchar *path = g_build_filename(dir, name, NULL);
	return name[0] != '.' && g_file_test(path, G_FILE_TEST_IS_DIR);
}

static int
remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	if (remove(path) != 0 && errno != ENOENT)
		g_warning("cannot remove %s: %s", path, g_strerror(errno));
	return 0;
}

void
sg_files_remove_tree(const gchar *path)
{
	/* FTW_PHYS: never follow a symlink out of the folder. */
	nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

gboolean
sg_files_write_durably(const gchar *path, const gchar *contents, gssize length, GError **error)
{
	return g_file_set_contents_full(
		path, contents, length,
		G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0644, error);
}

static gboolean
is_temporary_suffix(const gchar *suffix)
{
	if (strlen(suffix) != 6)
		return FALSE;
	for (const gchar *c = suffix; *c != '\0'; c++) {
		if (!g_ascii_isalnum(*c))
			return FALSE;
	}
	return TRUE;
}

void
sg_files_remove_stale_temporaries(const gchar *path)
{
	g_autofree gchar *dir_path = g_path_get_dirname(path);
	g_autofree gchar *base = g_path_get_basename(path);
	g_autofree gchar *prefix = g_strconcat(base, ".", NULL);
	g_autoptr(GDir) dir = g_dir_open(dir_path, 0, NULL);
	const gchar *name;

	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *stale = NULL;

		if (!g_str_has_prefix(name, prefix) || !is_temporary_suffix(name + strlen(prefix)))
			continue;
		stale = g_build_filename(dir_path, name, NULL);
		if (g_unlink(stale) == 0)
			g_message("removed %s, left by a writer that was killed", stale);
	}
}

gboolean
sg_files_sync(const gchar *path, GError **error)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int saved;

	if (fd >= 0 && fsync(fd) == 0) {
		close(fd);
		return TRUE;
	}
	saved = errno;
	if (fd >= 0)
		close(fd);
	g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved), "cannot sync %s: %s", path,
		    g_strerror(saved));
	return FALSE;
}
