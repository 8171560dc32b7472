#include "sg-initrd.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <unistd.h>

#include "sg-error.h"

typedef struct archive SgArchiveWriter;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgArchiveWriter, archive_write_free)

static gboolean
append_cpio(int fd, GHashTable *files, GError **error)
{
	g_autoptr(SgArchiveWriter) writer = archive_write_new();
	g_autoptr(GList) names = g_list_sort(g_hash_table_get_keys(files), (GCompareFunc)g_strcmp0);

	archive_write_set_format_cpio_newc(writer);
	archive_write_add_filter_gzip(writer);
	if (archive_write_open_fd(writer, fd) != ARCHIVE_OK) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot write the answer archive: %s",
			    archive_error_string(writer));
		return FALSE;
	}
	for (GList *l = names; l != NULL; l = l->next) {
		const gchar *name = l->data;
		const gchar *source = g_hash_table_lookup(files, name);
		g_autofree gchar *contents = NULL;
		gsize len = 0;
		struct archive_entry *entry;

		if (!g_file_get_contents(source, &contents, &len, error)) {
			(*error)->domain = SG_ERROR, (*error)->code = SG_ERROR_USAGE;
			return FALSE;
		}
		entry = archive_entry_new();
		archive_entry_set_pathname(entry, name);
		archive_entry_set_filetype(entry, AE_IFREG);
		archive_entry_set_perm(entry, 0644);
		archive_entry_set_size(entry, (la_int64_t)len);
		archive_entry_set_mtime(entry, g_get_real_time() / G_USEC_PER_SEC, 0);
		if (archive_write_header(writer, entry) != ARCHIVE_OK ||
		    archive_write_data(writer, contents, len) != (la_ssize_t)len) {
			g_set_error(error, SG_ERROR, SG_ERROR_LAB,
				    "cannot add %s to the initrd: %s", name,
				    archive_error_string(writer));
			archive_entry_free(entry);
			return FALSE;
		}
		archive_entry_free(entry);
	}
	if (archive_write_close(writer) != ARCHIVE_OK) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot finish the answer archive: %s",
			    archive_error_string(writer));
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
