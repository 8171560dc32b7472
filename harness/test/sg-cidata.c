#include "sg-cidata.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>

#include "sg-error.h"

typedef struct archive SgCidataWriter;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgCidataWriter, archive_write_free)

static gboolean
add_file(struct archive *writer, const gchar *name, const gchar *contents, gsize len,
	 GError **error)
{
	struct archive_entry *entry = archive_entry_new();
	gboolean ok;

	archive_entry_set_pathname(entry, name);
	archive_entry_set_filetype(entry, AE_IFREG);
	archive_entry_set_perm(entry, 0644);
	archive_entry_set_size(entry, (la_int64_t)len);
	ok = archive_write_header(writer, entry) == ARCHIVE_OK &&
	     archive_write_data(writer, contents, len) == (la_ssize_t)len;
	archive_entry_free(entry);
	if (!ok)
		g_set_error(error, SG_ERROR, SG_ERROR_LAB,
			    "cannot write %s to the CIDATA volume: %s", name,
			    archive_error_string(writer));
	return ok;
}

gboolean
sg_cidata_write(const gchar *user_data_path, const gchar *output, GError **error)
{
	g_autoptr(SgCidataWriter) writer = archive_write_new();
	g_autofree gchar *user_data = NULL;
	g_autofree gchar *meta_data = NULL;
	gsize len = 0;

	if (!g_file_get_contents(user_data_path, &user_data, &len, error)) {
		g_prefix_error(error, "cannot read the autoinstall answers: ");
		return FALSE;
	}
	/* A fresh instance id: cloud-init runs its first-boot modules again. */
	meta_data = g_strdup_printf("instance-id: smokegate-%08x\n", g_random_int());
	archive_write_set_format_iso9660(writer);
	if (archive_write_set_format_option(writer, "iso9660", "volume-id", "CIDATA") !=
		    ARCHIVE_OK ||
	    archive_write_set_format_option(writer, "iso9660", "joliet", "1") != ARCHIVE_OK ||
	    archive_write_set_format_option(writer, "iso9660", "rockridge", "1") != ARCHIVE_OK ||
	    archive_write_open_filename(writer, output) != ARCHIVE_OK) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot create the CIDATA volume %s: %s",
			    output, archive_error_string(writer));
		return FALSE;
	}
	if (!add_file(writer, "user-data", user_data, len, error) ||
	    !add_file(writer, "meta-data", meta_data, strlen(meta_data), error))
		return FALSE;
	if (archive_write_close(writer) != ARCHIVE_OK) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot finish the CIDATA volume: %s",
			    archive_error_string(writer));
		return FALSE;
	}
	return TRUE;
}
