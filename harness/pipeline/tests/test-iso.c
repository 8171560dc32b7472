#include <archive.h>
#include <archive_entry.h>
#include <glib/gstdio.h>

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

/* Each machine's kernel by its own header: a PC's bzImage "HdrS" at 0x202,
 * an arm64 Image's "ARM\x64" at 0x38 or a gzip'd one, pseries' ELF; none is
 * another's. */
static void
test_kernel_headers(Fixture *f, gconstpointer data)
{
	g_autofree gchar *bz = g_build_filename(f->dir, "bzImage", NULL);
	g_autofree gchar *image = g_build_filename(f->dir, "Image", NULL);
	g_autofree gchar *gz = g_build_filename(f->dir, "vmlinuz.gz", NULL);
	g_autofree gchar *elf = g_build_filename(f->dir, "vmlinux", NULL);
	gchar bytes[0x400] = {0};

	memcpy(bytes + 0x202, "HdrS", 4);
	g_assert_true(g_file_set_contents(bz, bytes, sizeof(bytes), NULL));
	memset(bytes, 0, sizeof(bytes));
	memcpy(bytes + 0x38, "ARM\x64", 4);
	g_assert_true(g_file_set_contents(image, bytes, sizeof(bytes), NULL));
	memset(bytes, 0, sizeof(bytes));
	bytes[0] = 0x1f;
	bytes[1] = (gchar)0x8b;
	g_assert_true(g_file_set_contents(gz, bytes, sizeof(bytes), NULL));

	g_assert_true(sg_image_is_bzimage(bz));
	g_assert_false(sg_image_is_arm64_kernel(bz));
	g_assert_true(sg_image_is_arm64_kernel(image));
	g_assert_false(sg_image_is_bzimage(image));
	g_assert_true(sg_image_is_arm64_kernel(gz));
	g_assert_false(sg_image_is_bzimage(gz));
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
	g_test_add("/iso/kernel-headers", Fixture, NULL, fixture_set_up, test_kernel_headers,
		   fixture_tear_down);
	g_test_add("/iso/truncated", Fixture, NULL, fixture_set_up, test_truncated,
		   fixture_tear_down);
	g_test_add("/iso/inject", Fixture, NULL, fixture_set_up, test_inject, fixture_tear_down);
	return g_test_run();
}
