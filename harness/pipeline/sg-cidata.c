#include "sg-cidata.h"

#include <string.h>

#include "sg-archive.h"
#include "sg-error.h"

gboolean
sg_cidata_write(const gchar *user_data_path, const gchar *output, GError **error)
{
	g_autoptr(SgArchive) writer = archive_write_new();
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
		sg_archive_set_error(error, SG_ERROR_LAB, writer,
				     "cannot create the CIDATA volume %s", output);
		return FALSE;
	}
	if (!sg_archive_add_file(writer, "the CIDATA volume", "user-data", user_data, len, error) ||
	    !sg_archive_add_file(writer, "the CIDATA volume", "meta-data", meta_data,
				 strlen(meta_data), error))
		return FALSE;
	if (archive_write_close(writer) != ARCHIVE_OK) {
		sg_archive_set_error(error, SG_ERROR_LAB, writer,
				     "cannot finish the CIDATA volume");
		return FALSE;
	}
	return TRUE;
}
