#include "sg-archive.h"

void
sg_archive_set_error(GError **error, SgErrorCode code, struct archive *archive, const gchar *format,
		     ...)
{
	const gchar *detail = archive_error_string(archive);
	g_autofree gchar *message = NULL;
	va_list args;

	va_start(args, format);
	message = g_strdup_vprintf(format, args);
	va_end(args);
	g_set_error(error, SG_ERROR, code, "%s: %s", message,
		    detail != NULL ? detail : "unknown libarchive error");
}

gboolean
sg_archive_add_file(struct archive *writer, const gchar *what, const gchar *name,
		    const gchar *contents, gsize len, GError **error)
{
	struct archive_entry *entry = archive_entry_new();
	gboolean ok;

	archive_entry_set_pathname(entry, name);
	archive_entry_set_filetype(entry, AE_IFREG);
	archive_entry_set_perm(entry, 0644);
	archive_entry_set_size(entry, (la_int64_t)len);
	archive_entry_set_mtime(entry, g_get_real_time() / G_USEC_PER_SEC, 0);
	ok = archive_write_header(writer, entry) == ARCHIVE_OK &&
	     archive_write_data(writer, contents, len) == (la_ssize_t)len;
	archive_entry_free(entry);
	if (!ok)
		sg_archive_set_error(error, SG_ERROR_LAB, writer, "cannot add %s to %s", name,
				     what);
	return ok;
}

struct archive *
sg_archive_open_iso(const gchar *iso, GError **error)
{
	g_autoptr(SgArchive) archive = archive_read_new();

	archive_read_support_format_iso9660(archive);
	if (archive_read_open_filename(archive, iso, 64 * 1024) != ARCHIVE_OK) {
		sg_archive_set_error(error, SG_ERROR_IMAGE, archive,
				     "not a readable ISO 9660 image");
		return NULL;
	}
	return g_steal_pointer(&archive);
}
