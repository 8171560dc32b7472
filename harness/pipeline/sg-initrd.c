#include "sg-initrd.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <unistd.h>

#include "sg-archive.h"
#include "sg-error.h"

static gboolean
append_cpio(int fd, GHashTable *files, GError **error)
{
	g_autoptr(SgArchive) writer = archive_write_new();
	g_autoptr(GList) names = g_list_sort(g_hash_table_get_keys(files), (GCompareFunc)g_strcmp0);

	archive_write_set_format_cpio_newc(writer);
	archive_write_add_filter_gzip(writer);
	if (archive_write_open_fd(writer, fd) != ARCHIVE_OK) {
		sg_archive_set_error(error, SG_ERROR_LAB, writer,
				     "cannot write the answer archive");
		return FALSE;
	}
	for (GList *l = names; l != NULL; l = l->next) {
		const gchar *name = l->data;
		const gchar *source = g_hash_table_lookup(files, name);
		g_autofree gchar *contents = NULL;
		gsize len = 0;

		if (!g_file_get_contents(source, &contents, &len, error)) {
			(*error)->domain = SG_ERROR, (*error)->code = SG_ERROR_USAGE;
			return FALSE;
		}
		if (!sg_archive_add_file(writer, "the initrd", name, contents, len, error))
			return FALSE;
	}
	if (archive_write_close(writer) != ARCHIVE_OK) {
		sg_archive_set_error(error, SG_ERROR_LAB, writer,
				     "cannot finish the answer archive");
		return FALSE;
	}
	return TRUE;
}

gboolean
sg_initrd_inject(const gchar *initrd, GHashTable *files, const gchar *output, GError **error)
{
	g_autoptr(GFile) source = g_file_new_for_path(initrd);
	g_autoptr(GFile) dest = g_file_new_for_path(output);
	int fd;

	if (!g_file_copy(source, dest, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, error)) {
		g_prefix_error(error, "cannot copy the installer initrd: ");
		(*error)->domain = SG_ERROR, (*error)->code = SG_ERROR_LAB;
		return FALSE;
	}
	fd = open(output, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot open %s: %s", output,
			    g_strerror(errno));
		return FALSE;
	}
	/* The kernel finds the next archive on a 4-byte boundary. */
	{
		off_t size = lseek(fd, 0, SEEK_END);
		static const gchar zeros[4] = {0};
		if (size % 4 != 0 && write(fd, zeros, 4 - size % 4) != 4 - size % 4) {
			g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot pad %s", output);
			close(fd);
			return FALSE;
		}
	}
	if (!append_cpio(fd, files, error)) {
		close(fd);
		return FALSE;
	}
	return close(fd) == 0;
}
