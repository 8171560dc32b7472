#include <archive.h>
#include <archive_entry.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "sg-error.h"
#include "sg-image-check.h"
#include "sg-initrd.h"
#include "sg-iso.h"

typedef struct {
	gchar *dir;
	gchar *iso;
} Fixture;

/* A real ISO 9660 image made by xorriso, the tool the test images use. */
static void
fixture_set_up(Fixture *f, gconstpointer data)
{
	g_autofree gchar *tree = NULL;
	g_autofree gchar *info = NULL;
	g_autofree gchar *kernel = NULL;
	gint status = -1;

	f->dir = g_dir_make_tmp("sg-iso-XXXXXX", NULL);
	tree = g_build_filename(f->dir, "tree", NULL);
	info = g_build_filename(tree, ".disk", "info", NULL);
	kernel = g_build_filename(tree, "install.amd", "vmlinuz", NULL);
	g_autofree gchar *info_dir = NULL;
	g_autofree gchar *kernel_dir = NULL;

	info_dir = g_path_get_dirname(info);
	kernel_dir = g_path_get_dirname(kernel);
	g_mkdir_with_parents(info_dir, 0755);
	g_mkdir_with_parents(kernel_dir, 0755);
	g_assert_true(g_file_set_contents(info, "Test OS 1.0 \"x\" - amd64", -1, NULL));
	g_assert_true(g_file_set_contents(kernel, "not really a kernel", -1, NULL));
	f->iso = g_build_filename(f->dir, "test.iso", NULL);
	{
		const gchar *argv[] = {"xorriso", "-as",	 "mkisofs", "-quiet", "-R", "-J",
				       "-V",	  "TEST_VOLUME", "-o",	    f->iso,   tree, NULL};
		g_autoptr(GError) error = NULL;
		g_spawn_sync(NULL, (gchar **)argv, NULL,
			     G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL,
			     NULL, &status, &error);
		g_assert_no_error(error);
		g_assert_cmpint(status, ==, 0);
	}
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
	g_autofree gchar *cmd = g_strdup_printf("rm -rf '%s'", f->dir);
	g_assert_cmpint(system(cmd), ==, 0);
	g_free(f->dir);
	g_free(f->iso);
}

static void
test_read_info(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SgIsoInfo) info = sg_iso_read_info(f->iso, &error);

	g_assert_no_error(error);
	g_assert_cmpstr(info->volume_id, ==, "TEST_VOLUME");
	g_assert_cmpstr(info->disk_info, ==, "Test OS 1.0 \"x\" - amd64");
}

static void
test_extract(Fixture *f, gconstpointer data)
{
	g_autofree gchar *dest = g_build_filename(f->dir, "kernel", NULL);
	const gchar *paths[] = {"/install.amd/vmlinuz", NULL};
	const gchar *missing[] = {"/casper/vmlinuz", NULL};
	const gchar *dests[] = {dest, NULL};
	g_autoptr(GError) error = NULL;
	g_autofree gchar *contents = NULL;

	g_assert_true(sg_iso_extract(f->iso, paths, dests, &error));
	g_assert_true(g_file_get_contents(dest, &contents, NULL, NULL));
	g_assert_cmpstr(contents, ==, "not really a kernel");
	g_assert_false(sg_image_is_bzimage(dest));
	g_assert_false(sg_image_is_arm64_kernel(dest));

	g_assert_false(sg_iso_extract(f->iso, missing, dests, &error));
	g_assert_error(error, SG_ERROR, SG_ERROR_IMAGE);
	g_assert_nonnull(strstr(error->message, "/casper/vmlinuz"));
}

/* ---- small kernels, as their headers are ------------------------------ */

/* An arm64 Image's first 4 KiB: its magic at 0x38, text that compresses. */
static GBytes *
arm64_image(void)
{
	guchar *bytes = g_malloc0(4096);

	memcpy(bytes + 0x38, "ARM\x64", 4);
	for (guint i = 0x40; i < 4096; i++)
		bytes[i] = (guchar)(i * 7);
	return g_bytes_new_take(bytes, 4096);
}

/* A bzImage's setup header: "HdrS", the boot protocol's version at 0x206
 * and xloadflags at 0x236. */
static GBytes *
bzimage(guint16 protocol, guint16 xloadflags)
{
	guchar *bytes = g_malloc0(0x400);

	memcpy(bytes + 0x202, "HdrS", 4);
	bytes[0x206] = protocol & 0xff;
	bytes[0x207] = protocol >> 8;
	bytes[0x236] = xloadflags & 0xff;
	return g_bytes_new_take(bytes, 0x400);
}

/* A 64-bit ELF header of byte order @data (1 little, 2 big) for @machine. */
static GBytes *
elf(guchar data, guint16 machine)
{
	guchar *bytes = g_malloc0(64);

	memcpy(bytes,
	       "\x7f"
	       "ELF",
	       4);
	bytes[4] = 2;
	bytes[5] = data;
	bytes[6] = 1;
	bytes[data == 1 ? 18 : 19] = machine & 0xff;
	bytes[data == 1 ? 19 : 18] = machine >> 8;
	return g_bytes_new_take(bytes, 64);
}

static GBytes *
gzip(GBytes *plain)
{
	g_autoptr(GZlibCompressor) compressor =
		g_zlib_compressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1);
	g_autoptr(GInputStream) source = g_memory_input_stream_new_from_bytes(plain);
	g_autoptr(GInputStream) stream =
		g_converter_input_stream_new(source, G_CONVERTER(compressor));
	g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable();
	g_autoptr(GError) error = NULL;

	g_output_stream_splice(out, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
	g_assert_no_error(error);
	return g_memory_output_stream_steal_as_bytes(G_MEMORY_OUTPUT_STREAM(out));
}

/* @plain through libarchive's @filter (its raw format: no archive around
 * it), or NULL when this libarchive cannot write that filter. */
static GBytes *
compress_with(GBytes *plain, int filter)
{
	struct archive *writer = archive_write_new();
	struct archive_entry *entry = archive_entry_new();
	gsize size = 1024 * 1024, used = 0;
	guchar *buffer = g_malloc(size);
	gboolean ok = archive_write_add_filter(writer, filter) == ARCHIVE_OK &&
		      archive_write_set_format_raw(writer) == ARCHIVE_OK &&
		      archive_write_open_memory(writer, buffer, size, &used) == ARCHIVE_OK;

	if (ok) {
		archive_entry_set_filetype(entry, AE_IFREG);
		archive_entry_set_size(entry, g_bytes_get_size(plain));
		ok = archive_write_header(writer, entry) == ARCHIVE_OK &&
		     archive_write_data(writer, g_bytes_get_data(plain, NULL),
					g_bytes_get_size(plain)) ==
			     (la_ssize_t)g_bytes_get_size(plain) &&
		     archive_write_close(writer) == ARCHIVE_OK;
	}
	archive_entry_free(entry);
	archive_write_free(writer);
	if (!ok) {
		g_free(buffer);
		return NULL;
	}
	return g_bytes_new_take(buffer, used);
}

/* An EFI zboot image as drivers/firmware/efi/libstub/zboot-header.S lays
 * it out: "MZ", "zimg", the payload's offset and size, two reserved words,
 * the compression's name; the PE stub (here zeros) before the payload. */
static GBytes *
zboot(GBytes *payload, const gchar *compression)
{
	const guint32 offset = 0x1000;
	gsize size = g_bytes_get_size(payload);
	guchar *bytes = g_malloc0(offset + size);

	memcpy(bytes, "MZ", 2);
	memcpy(bytes + 4, "zimg", 4);
	for (guint i = 0; i < 4; i++) {
		bytes[8 + i] = (offset >> (8 * i)) & 0xff;
		bytes[12 + i] = (size >> (8 * i)) & 0xff;
	}
	memcpy(bytes + 24, compression, strlen(compression));
	memcpy(bytes + 0x38, "\xcd\x23\x82\x81", 4); /* LINUX_PE_MAGIC, not ARM\x64 */
	memcpy(bytes + offset, g_bytes_get_data(payload, NULL), size);
	return g_bytes_new_take(bytes, offset + size);
}

/* Each machine's kernel by its own header: a PC's bzImage "HdrS" at 0x202,
 * an arm64 Image's "ARM\x64" at 0x38 or a gzip'd one, pseries' ELF; none is
 * another's. */
static void
test_kernel_headers(Fixture *f, gconstpointer data)
{
	g_autofree gchar *bz = g_build_filename(f->dir, "bzImage", NULL);
	g_autofree gchar *image = g_build_filename(f->dir, "Image", NULL);
	g_autofree gchar *gz = g_build_filename(f->dir, "vmlinuz.gz", NULL);
	g_autofree gchar *not_gz = g_build_filename(f->dir, "not.gz", NULL);
	g_autoptr(GBytes) arm64 = arm64_image();
	g_autoptr(GBytes) gzipped = gzip(arm64);
	g_autofree gchar *elf = g_build_filename(f->dir, "vmlinux", NULL);
	gchar bytes[0x400] = {0};

	memcpy(bytes + 0x202, "HdrS", 4);
	g_assert_true(g_file_set_contents(bz, bytes, sizeof(bytes), NULL));
	g_assert_true(g_file_set_contents(image, g_bytes_get_data(arm64, NULL),
					  g_bytes_get_size(arm64), NULL));
	g_assert_true(g_file_set_contents(gz, g_bytes_get_data(gzipped, NULL),
					  g_bytes_get_size(gzipped), NULL));
	/* gzip's magic and nothing of a kernel behind it. */
	memset(bytes, 0, sizeof(bytes));
	bytes[0] = 0x1f;
	bytes[1] = (gchar)0x8b;
	g_assert_true(g_file_set_contents(not_gz, bytes, sizeof(bytes), NULL));

	g_assert_true(sg_image_is_bzimage(bz));
	g_assert_false(sg_image_is_arm64_kernel(bz));
	g_assert_true(sg_image_is_arm64_kernel(image));
	g_assert_false(sg_image_is_bzimage(image));
	g_assert_true(sg_image_is_arm64_kernel(gz));
	g_assert_false(sg_image_is_bzimage(gz));
	g_assert_false(sg_image_is_arm64_kernel(not_gz));
	/* A ppc64le ELF (Debian's vmlinux) is pseries' alone: a big-endian or
	 * 32-bit one, or another machine's ELF, is not. */
	memset(bytes, 0, sizeof(bytes));
	memcpy(bytes,
	       "\x7f"
	       "ELF\x02\x01",
	       6);
	bytes[18] = 21;
	g_assert_true(g_file_set_contents(elf, bytes, sizeof(bytes), NULL));
	g_assert_true(sg_image_is_ppc64le_kernel(elf));
	g_assert_false(sg_image_is_arm64_kernel(elf));
	g_assert_false(sg_image_is_bzimage(elf));
	g_assert_false(sg_image_is_ppc64le_kernel(image));
	g_assert_false(sg_image_is_ppc64le_kernel(bz));
	bytes[5] = 2;
	g_assert_true(g_file_set_contents(elf, bytes, sizeof(bytes), NULL));
	g_assert_false(sg_image_is_ppc64le_kernel(elf));
	bytes[5] = 1;
	bytes[18] = 62; /* EM_X86_64 */
	g_assert_true(g_file_set_contents(elf, bytes, sizeof(bytes), NULL));
	g_assert_false(sg_image_is_ppc64le_kernel(elf));
	/* Shorter than the header: no kernel. */
	g_assert_true(g_file_set_contents(image, "ARM", 3, NULL));
	g_assert_false(sg_image_is_arm64_kernel(image));
}

/* The architecture each kernel's own header says, compressed or not. */
static void
test_kernel_arch(Fixture *f, gconstpointer data)
{
	g_autoptr(GBytes) arm64 = arm64_image();
	g_autoptr(GBytes) gzipped = gzip(arm64);
	g_autoptr(GBytes) zboot_gzip = zboot(gzipped, "gzip");
	g_autoptr(GBytes) zstd = compress_with(arm64, ARCHIVE_FILTER_ZSTD);
	g_autoptr(GBytes) zboot_zstd = zstd != NULL ? zboot(zstd, "zstd") : NULL;
	g_autoptr(GBytes) amd64 = bzimage(0x020f, 0x1);
	g_autoptr(GBytes) i386 = bzimage(0x020f, 0x0);
	g_autoptr(GBytes) old = bzimage(0x020a, 0x1);
	g_autoptr(GBytes) ppc64el = elf(1, 21);
	g_autoptr(GBytes) ppc64_big = elf(2, 21);
	g_autoptr(GBytes) s390x = elf(2, 22);
	g_autoptr(GBytes) zeros = g_bytes_new_take(g_malloc0(4096), 4096);
	g_autoptr(GBytes) gzipped_zeros = gzip(zeros);
	g_autoptr(GBytes) junk = g_bytes_new_static("MZ\0\0zimg\xff\xff\xff\xff", 12);
	const struct {
		GBytes *kernel;
		const gchar *arch;
		const gchar *how;
	} cases[] = {
		{arm64, "arm64", "arm64 Image"},
		{gzipped, "arm64", "arm64 Image, gzip"},
		{zboot_gzip, "arm64", "arm64 Image, EFI zboot gzip"},
		{amd64, "amd64", "bzImage"},
		{i386, "i386", "bzImage"},
		{old, NULL, NULL}, /* boot protocol 2.10 does not say 32 or 64 bits */
		{ppc64el, "ppc64el", "ELF"},
		{ppc64_big, NULL, NULL}, /* big-endian ppc64: not a Debian architecture */
		{s390x, "s390x", "ELF"},
		{gzipped_zeros, NULL, NULL}, /* gzip'd, but no kernel */
		{junk, NULL, NULL},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *how = NULL;
		g_assert_cmpstr(sg_kernel_arch(cases[i].kernel, &how), ==, cases[i].arch);
		g_assert_cmpstr(how, ==, cases[i].how);
	}
	if (zboot_zstd == NULL) {
		g_test_message("libarchive writes no zstd here: the zstd zboot case is left out");
		return;
	}
	{
		g_autofree gchar *how = NULL;
		g_assert_cmpstr(sg_kernel_arch(zboot_zstd, &how), ==, "arm64");
		g_assert_cmpstr(how, ==, "arm64 Image, EFI zboot zstd");
	}
}

static void
test_truncated(Fixture *f, gconstpointer data)
{
	g_autofree gchar *cut = g_build_filename(f->dir, "cut.iso", NULL);
	g_autofree gchar *contents = NULL;
	gsize len;
	g_autoptr(GError) error = NULL;
	SgIsoInfo *info;

	g_assert_true(g_file_get_contents(f->iso, &contents, &len, NULL));
	/* Cut inside the volume descriptors: no longer an ISO at all. */
	g_assert_true(g_file_set_contents(cut, contents, 16 * 2048 + 100, NULL));
	info = sg_iso_read_info(cut, &error);
	g_assert_null(info);
	g_assert_error(error, SG_ERROR, SG_ERROR_IMAGE);
}

static void
test_inject(Fixture *f, gconstpointer data)
{
	g_autofree gchar *initrd = g_build_filename(f->dir, "initrd", NULL);
	g_autofree gchar *answers = g_build_filename(f->dir, "answers", NULL);
	g_autofree gchar *output = g_build_filename(f->dir, "initrd.out", NULL);
	g_autoptr(GHashTable) files = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GError) error = NULL;
	g_autofree gchar *combined = NULL;
	gsize len;
	struct archive *reader;
	struct archive_entry *entry;
	gchar buffer[64] = {0};

	g_assert_true(
		g_file_set_contents(initrd, "ORIGINAL", 8 + 1, NULL)); /* 9 bytes: needs padding */
	g_assert_true(g_file_set_contents(answers, "d-i passwd/username string t\n", -1, NULL));
	g_hash_table_insert(files, (gpointer) "preseed.cfg", answers);
	g_assert_true(sg_initrd_inject(initrd, files, output, &error));
	g_assert_no_error(error);
	g_assert_true(g_file_get_contents(output, &combined, &len, NULL));
	g_assert_cmpmem(combined, 8, "ORIGINAL", 8);

	/* The appended archive starts at the next 4-byte boundary. */
	reader = archive_read_new();
	archive_read_support_filter_gzip(reader);
	archive_read_support_format_cpio(reader);
	g_assert_cmpint(archive_read_open_memory(reader, combined + 12, len - 12), ==, ARCHIVE_OK);
	g_assert_cmpint(archive_read_next_header(reader, &entry), ==, ARCHIVE_OK);
	g_assert_cmpstr(archive_entry_pathname(entry), ==, "preseed.cfg");
	g_assert_cmpint(archive_read_data(reader, buffer, sizeof(buffer) - 1), ==, 29);
	g_assert_cmpstr(buffer, ==, "d-i passwd/username string t\n");
	archive_read_free(reader);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/iso/read-info", Fixture, NULL, fixture_set_up, test_read_info,
		   fixture_tear_down);
	g_test_add("/iso/extract", Fixture, NULL, fixture_set_up, test_extract, fixture_tear_down);
	g_test_add("/iso/kernel-arch", Fixture, NULL, fixture_set_up, test_kernel_arch,
		   fixture_tear_down);
	g_test_add("/iso/kernel-headers", Fixture, NULL, fixture_set_up, test_kernel_headers,
		   fixture_tear_down);
	g_test_add("/iso/truncated", Fixture, NULL, fixture_set_up, test_truncated,
		   fixture_tear_down);
	g_test_add("/iso/inject", Fixture, NULL, fixture_set_up, test_inject, fixture_tear_down);
	return g_test_run();
}
