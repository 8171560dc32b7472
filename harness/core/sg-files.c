#include "sg-files.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sg-error.h"

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

static gboolean
write_durably(const gchar *path, const gchar *contents, gssize length, int mode, GError **error)
{
	return g_file_set_contents_full(
		path, contents, length,
		G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, mode, error);
}

gboolean
sg_files_write_durably(const gchar *path, const gchar *contents, gssize length, GError **error)
{
	return write_durably(path, contents, length, 0644, error);
}

gboolean
sg_files_write_durably_private(const gchar *path, const gchar *contents, gssize length,
			       GError **error)
{
	return write_durably(path, contents, length, 0600, error);
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

static const gchar *
describe_type(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a folder";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISLNK(mode))
		return "a symlink";
	return "not a regular file";
}

/* Checks what @fd (opened non-blocking) is, then makes it blocking again. */
static gboolean
check_regular(int fd, const gchar *path, GError **error)
{
	struct stat st;
	int flags;

	if (fstat(fd, &st) != 0) {
		int saved = errno;
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved), "%s: %s", path,
			    g_strerror(saved));
		return FALSE;
	}
	if (!S_ISREG(st.st_mode)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s is %s, not a regular file", path,
			    describe_type(st.st_mode));
		return FALSE;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	return TRUE;
}

/* The refusal for an open() that failed with @saved; a symlink refused by
 * O_NOFOLLOW gives ELOOP, which is no "too many levels" to a reader. */
static void
set_open_error(GError **error, const gchar *path, int saved)
{
	if (saved == ELOOP) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "%s is a symlink: smokegate does not follow links here", path);
		return;
	}
	g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved), "%s: %s", path,
		    g_strerror(saved));
}

int
sg_files_open_regular(const gchar *path, SgFilesLinks links, GError **error)
{
	int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	int fd;

	if (links == SG_FILES_NOFOLLOW)
		flags |= O_NOFOLLOW;
	fd = open(path, flags);
	if (fd < 0) {
		set_open_error(error, path, errno);
		return -1;
	}
	if (!check_regular(fd, path, error)) {
		close(fd);
		return -1;
	}
	return fd;
}

gboolean
sg_files_read_regular(const gchar *path, SgFilesLinks links, gsize max_bytes, gchar **contents,
		      gsize *length, GError **error)
{
	int fd = sg_files_open_regular(path, links, error);
	g_autoptr(GByteArray) data = NULL;
	guint8 buffer[65536];

	if (fd < 0)
		return FALSE;
	data = g_byte_array_new();
	for (;;) {
		ssize_t got = read(fd, buffer, sizeof(buffer));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int saved = errno;
			close(fd);
			g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved),
				    "cannot read %s: %s", path, g_strerror(saved));
			return FALSE;
		}
		if (got == 0)
			break;
		if (data->len + (gsize)got > max_bytes) {
			close(fd);
			g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
				    "%s is larger than %" G_GSIZE_FORMAT
				    " bytes, the most it may be",
				    path, max_bytes);
			return FALSE;
		}
		g_byte_array_append(data, buffer, got);
	}
	close(fd);
	if (length != NULL)
		*length = data->len;
	g_byte_array_append(data, (const guint8 *)"", 1);
	*contents = (gchar *)g_byte_array_free(g_steal_pointer(&data), FALSE);
	return TRUE;
}

gboolean
sg_files_read_text(const gchar *path, SgFilesLinks links, gsize max_bytes, const gchar *what,
		   gchar **contents, gsize *length, GError **error)
{
	g_autofree gchar *text = NULL;
	g_autoptr(GError) read_error = NULL;
	gsize size = 0;

	if (!sg_files_read_regular(path, links, max_bytes, &text, &size, &read_error)) {
		g_set_error_literal(error, SG_ERROR, SG_ERROR_USAGE, read_error->message);
		return FALSE;
	}
	if (memchr(text, '\0', size) != NULL || !g_utf8_validate(text, size, NULL)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s is not text (%s)", path, what);
		return FALSE;
	}
	if (length != NULL)
		*length = size;
	*contents = g_steal_pointer(&text);
	return TRUE;
}

int
sg_files_open_for_writing(const gchar *path, int flags, mode_t mode, GError **error)
{
	int fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, mode);
	GError *type_error = NULL;

	if (fd < 0) {
		int saved = errno;
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved), "%s: %s%s", path,
			    g_strerror(saved),
			    saved == ELOOP ? " (a symlink: smokegate never writes through one)"
					   : "");
		return -1;
	}
	if (!check_regular(fd, path, &type_error)) {
		close(fd);
		g_set_error_literal(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, type_error->message);
		g_error_free(type_error);
		return -1;
	}
	return fd;
}

gboolean
sg_files_make_real_folder(const gchar *path, GError **error)
{
	struct stat st;

	if (g_mkdir_with_parents(path, 0755) != 0 && errno != EEXIST) {
		int saved = errno;
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved),
			    "cannot create %s: %s", path, g_strerror(saved));
		return FALSE;
	}
	if (lstat(path, &st) != 0) {
		int saved = errno;
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved), "%s: %s", path,
			    g_strerror(saved));
		return FALSE;
	}
	if (!S_ISDIR(st.st_mode)) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    "%s is %s, not a folder of its own: smokegate never writes through a "
			    "link",
			    path, describe_type(st.st_mode));
		return FALSE;
	}
	return TRUE;
}

gboolean
sg_files_check_writable_folder(const gchar *path, GError **error)
{
	g_autofree gchar *probe = g_build_filename(path, ".smokegate-probe-XXXXXX", NULL);
	int fd;

	if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s is not a folder", path);
		return FALSE;
	}
	fd = g_mkstemp_full(probe, O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0) {
		int saved = errno;
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "cannot write in %s: %s", path,
			    g_strerror(saved));
		return FALSE;
	}
	close(fd);
	g_unlink(probe);
	return TRUE;
}

#define QUOTE_MAX_CHARS 80

gchar *
sg_files_quote_line(const gchar *line)
{
	g_autofree gchar *valid = g_utf8_make_valid(line, -1);

	if (g_utf8_strlen(valid, -1) <= QUOTE_MAX_CHARS)
		return g_steal_pointer(&valid);
	{
		g_autofree gchar *cut = g_utf8_substring(valid, 0, QUOTE_MAX_CHARS);
		return g_strconcat(cut, "...", NULL);
	}
}
