/* The libarchive bridge: files written into an archive as smokegate writes
 * them (the initrd's answers, CIDATA), read back; failures in one line. */
#include "sg-archive.h"

/* What a reader finds in @data: the first entry's name, mode and contents. */
static void
read_back(const void *data, gsize len, const gchar *name, const gchar *contents)
{
	g_autoptr(SgArchive) reader = archive_read_new();
	struct archive_entry *entry = NULL;
	g_autofree gchar *read = g_malloc0(strlen(contents) + 1);

	archive_read_support_format_all(reader);
	g_assert_cmpint(archive_read_open_memory(reader, data, len), ==, ARCHIVE_OK);
	g_assert_cmpint(archive_read_next_header(reader, &entry), ==, ARCHIVE_OK);
	g_assert_cmpstr(archive_entry_pathname(entry), ==, name);
	g_assert_cmpint(archive_entry_filetype(entry), ==, AE_IFREG);
	g_assert_cmpint(archive_entry_perm(entry), ==, 0644);
	g_assert_cmpint(archive_entry_size(entry), ==, (la_int64_t)strlen(contents));
	g_assert_cmpint(archive_read_data(reader, read, strlen(contents)), ==,
			(la_ssize_t)strlen(contents));
	g_assert_cmpstr(read, ==, contents);
	g_assert_cmpint(archive_read_next_header(reader, &entry), ==, ARCHIVE_EOF);
}

static void
test_add_file(void)
{
	const gchar *preseed = "d-i passwd/username string tester\n";
	/* Before the writer: freed after it, which writes its end into it. */
	g_autofree guint8 *buffer = g_malloc0(65536);
	size_t used = 0;
	g_autoptr(SgArchive) writer = archive_write_new();
	g_autoptr(GError) error = NULL;

	archive_write_set_format_cpio_newc(writer);
	g_assert_cmpint(archive_write_open_memory(writer, buffer, 65536, &used), ==, ARCHIVE_OK);
	g_assert_true(sg_archive_add_file(writer, "the initrd", "preseed.cfg", preseed,
					  strlen(preseed), &error));
	g_assert_no_error(error);
	g_assert_cmpint(archive_write_close(writer), ==, ARCHIVE_OK);
	read_back(buffer, used, "preseed.cfg", preseed);
}

/* A file the format cannot hold: SG_ERROR_LAB naming the file, the archive
 * and libarchive's reason. */
static void
test_add_file_refused(void)
{
	g_autofree guint8 *buffer = g_malloc0(65536);
	size_t used = 0;
	g_autoptr(SgArchive) writer = archive_write_new();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *long_name = g_strnfill(300, 'n');
	g_autofree gchar *expected =
		g_strdup_printf("cannot add %s to the CIDATA volume: ", long_name);

	/* ustar holds names of at most 100 bytes (255 with a folder prefix). */
	archive_write_set_format_ustar(writer);
	g_assert_cmpint(archive_write_open_memory(writer, buffer, 65536, &used), ==, ARCHIVE_OK);
	g_assert_false(sg_archive_add_file(writer, "the CIDATA volume", long_name, "x", 1, &error));
	g_assert_error(error, SG_ERROR, SG_ERROR_LAB);
	g_assert_true(g_str_has_prefix(error->message, expected));
	g_assert_cmpuint(strlen(error->message), >, strlen(expected));
}

/* A reader on data that is no archive: the caller's code, its words, then
 * libarchive's. */
static void
test_set_error(void)
{
	g_autoptr(SgArchive) reader = archive_read_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(SgArchive) untouched = archive_read_new();
	g_autoptr(GError) none = NULL;
	struct archive_entry *entry = NULL;
	const gchar *junk = "this is not an ISO image, nor any archive at all";

	archive_read_support_format_iso9660(reader);
	/* libarchive finds out when it opens the data, or at its first entry. */
	g_assert_true(archive_read_open_memory(reader, junk, strlen(junk)) != ARCHIVE_OK ||
		      archive_read_next_header(reader, &entry) != ARCHIVE_OK);
	g_assert_nonnull(archive_error_string(reader));
	sg_archive_set_error(&error, SG_ERROR_IMAGE, reader, "cannot read %s", "image.iso");
	g_assert_error(error, SG_ERROR, SG_ERROR_IMAGE);
	g_assert_true(g_str_has_prefix(error->message, "cannot read image.iso: "));
	g_assert_cmpstr(error->message + strlen("cannot read image.iso: "), ==,
			archive_error_string(reader));

	/* No error on the archive: said so, not "(null)". */
	sg_archive_set_error(&none, SG_ERROR_LAB, untouched, "nothing");
	g_assert_cmpstr(none->message, ==, "nothing: unknown libarchive error");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/archive/add-file", test_add_file);
	g_test_add_func("/archive/add-file-refused", test_add_file_refused);
	g_test_add_func("/archive/set-error", test_set_error);
	return g_test_run();
}
