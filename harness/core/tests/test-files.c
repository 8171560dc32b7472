/* Files: the one durable write, what a killed writer leaves, listings and
 * removing a tree. */
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sg-error.h"
#include "sg-files.h"

static gchar *
make_dir(void)
{
	gchar *dir = g_dir_make_tmp("sg-files-XXXXXX", NULL);

	g_assert_nonnull(dir);
	return dir;
}

static void
write_file(const gchar *dir, const gchar *name, const gchar *contents)
{
	g_autofree gchar *path = g_build_filename(dir, name, NULL);

	g_assert_true(g_file_set_contents(path, contents, -1, NULL));
}

static gchar *
read_file(const gchar *dir, const gchar *name)
{
	g_autofree gchar *path = g_build_filename(dir, name, NULL);
	gchar *contents = NULL;

	if (!g_file_get_contents(path, &contents, NULL, NULL))
		return NULL;
	return contents;
}

/* The names in @dir, sorted, as one string: "a b c". */
static gchar *
listing(const gchar *dir)
{
	g_autoptr(GPtrArray) names = sg_files_list(dir, NULL);

	g_ptr_array_add(names, NULL);
	return g_strjoinv(" ", (gchar **)names->pdata);
}

/* The new contents replace the old, with the mode a reader needs, and no
 * temporary is left beside it; binary contents keep their length. */
static void
test_write_durably(void)
{
	g_autofree gchar *dir = make_dir();
	g_autofree gchar *path = g_build_filename(dir, "record.json", NULL);
	g_autofree gchar *contents = NULL;
	g_autoptr(GError) error = NULL;
	gsize len = 0;
	struct stat st;

	g_assert_true(sg_files_write_durably(path, "{\"old\": 1}\n", -1, &error));
	g_assert_no_error(error);
	g_assert_true(sg_files_write_durably(path, "new\0data", 8, &error));
	g_assert_no_error(error);
	g_assert_true(g_file_get_contents(path, &contents, &len, NULL));
	g_assert_cmpuint(len, ==, 8);
	g_assert_cmpmem(contents, len, "new\0data", 8);
	g_assert_cmpint(g_stat(path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0644);
	g_free(contents);
	contents = listing(dir);
	g_assert_cmpstr(contents, ==, "record.json");
	g_unlink(path);
	g_rmdir(dir);
}

/* A folder that is not there: a G_FILE_ERROR naming the file, and nothing
 * written anywhere. */
static void
test_write_durably_refused(void)
{
	g_autofree gchar *dir = make_dir();
	g_autofree gchar *path = g_build_filename(dir, "missing", "record.json", NULL);
	g_autofree gchar *names = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_false(sg_files_write_durably(path, "x", -1, &error));
	g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
	g_assert_nonnull(strstr(error->message, "record.json"));
	names = listing(dir);
	g_assert_cmpstr(names, ==, "");
	g_rmdir(dir);
}

/* What a writer killed before its rename leaves: PATH.XXXXXX, six letters or
 * digits. Only those go; the file, its namesakes and other files' stay. */
static void
test_remove_stale_temporaries(void)
{
	g_autofree gchar *dir = make_dir();
	g_autofree gchar *path = g_build_filename(dir, "status.json", NULL);
	g_autofree gchar *killed = NULL;
	g_autofree gchar *names = NULL;
	const gchar *kept[] = {
		"status.json",	      "status.json.ab12C",  "status.json.ab12CD7",
		"status.json.ab-12C", "status.jsonXab12CD", "other.json.ab12CD",
	};
	const gchar *stale[] = {"status.json.ab12CD", "status.json.Q9w8E7"};

	for (guint i = 0; i < G_N_ELEMENTS(kept); i++)
		write_file(dir, kept[i], "kept");
	for (guint i = 0; i < G_N_ELEMENTS(stale); i++)
		write_file(dir, stale[i], "half a record");
	sg_files_remove_stale_temporaries(path);
	names = listing(dir);
	g_assert_cmpstr(names, ==,
			"other.json.ab12CD status.json status.json.ab-12C status.json.ab12C "
			"status.json.ab12CD7 status.jsonXab12CD");

	/* A real killed writer's temporary: GLib's own name for it. */
	killed = g_build_filename(dir, "status.json.XXXXXX", NULL);
	{
		int fd = g_mkstemp(killed);
		g_assert_cmpint(fd, >=, 0);
		close(fd);
	}
	g_assert_true(g_file_test(killed, G_FILE_TEST_EXISTS));
	sg_files_remove_stale_temporaries(path);
	g_assert_false(g_file_test(killed, G_FILE_TEST_EXISTS));
	g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
	sg_files_remove_tree(dir);
}

/* Folders only, no dot folders, in byte order. */
static void
test_list_folders(void)
{
	g_autofree gchar *dir = make_dir();
	const gchar *folders[] = {"b", "A", ".hidden", "a"};
	g_autoptr(GPtrArray) names = NULL;

	for (guint i = 0; i < G_N_ELEMENTS(folders); i++) {
		g_autofree gchar *path = g_build_filename(dir, folders[i], NULL);
		g_assert_cmpint(g_mkdir(path, 0755), ==, 0);
	}
	write_file(dir, "c", "a file");
	names = sg_files_list(dir, sg_files_keep_folder);
	g_assert_cmpuint(names->len, ==, 3);
	g_assert_cmpstr(g_ptr_array_index(names, 0), ==, "A");
	g_assert_cmpstr(g_ptr_array_index(names, 1), ==, "a");
	g_assert_cmpstr(g_ptr_array_index(names, 2), ==, "b");
	g_ptr_array_unref(sg_files_list("/nonexistent/folder", NULL));
	sg_files_remove_tree(dir);
	g_assert_false(g_file_test(dir, G_FILE_TEST_EXISTS));
}

/* A symlink inside the tree is removed, never what it points to. */
static void
test_remove_tree_keeps_outside(void)
{
	g_autofree gchar *outside = make_dir();
	g_autofree gchar *tree = make_dir();
	g_autofree gchar *link = g_build_filename(tree, "inner", "link", NULL);
	g_autofree gchar *inner = g_path_get_dirname(link);
	g_autofree gchar *left = NULL;

	write_file(outside, "keep", "not ours");
	g_assert_cmpint(g_mkdir(inner, 0755), ==, 0);
	g_assert_cmpint(symlink(outside, link), ==, 0);
	write_file(inner, "ours", "ours");
	sg_files_remove_tree(tree);
	g_assert_false(g_file_test(tree, G_FILE_TEST_EXISTS));
	left = read_file(outside, "keep");
	g_assert_cmpstr(left, ==, "not ours");
	sg_files_remove_tree(outside);
}

static void
test_sync(void)
{
	g_autofree gchar *dir = make_dir();
	g_autoptr(GError) error = NULL;

	g_assert_true(sg_files_sync(dir, &error));
	g_assert_no_error(error);
	g_assert_false(sg_files_sync("/nonexistent/file", &error));
	g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
	g_assert_nonnull(strstr(error->message, "/nonexistent/file"));
	g_rmdir(dir);
}

/* Read as what they must be: a FIFO, a folder or (in the tree) a link is
 * refused at once, a file over the cap too; a regular file reads whole. */
static void
test_read_regular(void)
{
	g_autofree gchar *dir = make_dir();
	g_autofree gchar *file = g_build_filename(dir, "file", NULL);
	g_autofree gchar *fifo = g_build_filename(dir, "fifo", NULL);
	g_autofree gchar *link = g_build_filename(dir, "link", NULL);
	g_autofree gchar *contents = NULL;
	g_autoptr(GError) error = NULL;
	gsize length = 0;

	write_file(dir, "file", "hello");
	g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
	g_assert_cmpint(symlink(file, link), ==, 0);
	g_assert_true(sg_files_read_regular(file, SG_FILES_NOFOLLOW, 5, &contents, &length, NULL));
	g_assert_cmpstr(contents, ==, "hello");
	g_assert_cmpuint(length, ==, 5);
	g_clear_pointer(&contents, g_free);
	g_assert_false(sg_files_read_regular(file, SG_FILES_NOFOLLOW, 4, &contents, NULL, &error));
	g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);
	g_clear_error(&error);
	g_assert_cmpint(sg_files_open_regular(fifo, SG_FILES_FOLLOW, &error), ==, -1);
	g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);
	g_assert_nonnull(strstr(error->message, "is a FIFO"));
	g_clear_error(&error);
	g_assert_cmpint(sg_files_open_regular(dir, SG_FILES_FOLLOW, &error), ==, -1);
	g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);
	g_clear_error(&error);
	g_assert_cmpint(sg_files_open_regular(link, SG_FILES_NOFOLLOW, &error), ==, -1);
	g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);
	g_clear_error(&error);
	g_assert_true(sg_files_read_regular(link, SG_FILES_FOLLOW, 5, &contents, NULL, NULL));
	sg_files_remove_tree(dir);
}

/* Never written through a link: the file it points at keeps its bytes. */
static void
test_open_for_writing(void)
{
	g_autofree gchar *dir = make_dir();
	g_autofree gchar *file = g_build_filename(dir, "victim", NULL);
	g_autofree gchar *link = g_build_filename(dir, "link", NULL);
	g_autofree gchar *sub = g_build_filename(dir, "sub", NULL);
	g_autofree gchar *contents = NULL;
	g_autoptr(GError) error = NULL;

	write_file(dir, "victim", "precious");
	g_assert_cmpint(symlink(file, link), ==, 0);
	g_assert_cmpint(sg_files_open_for_writing(link, O_WRONLY | O_CREAT | O_TRUNC, 0644, &error),
			==, -1);
	g_assert_nonnull(error);
	g_clear_error(&error);
	contents = read_file(dir, "victim");
	g_assert_cmpstr(contents, ==, "precious");
	g_assert_cmpint(symlink(dir, sub), ==, 0);
	g_assert_false(sg_files_make_real_folder(sub, &error));
	g_assert_nonnull(error);
	sg_files_remove_tree(dir);
}

/* A quoted line is cut at 80 characters, whole UTF-8 characters. */
static void
test_quote_line(void)
{
	g_autofree gchar *shortline = sg_files_quote_line("MemoryMb=2");
	g_autoptr(GString) longline = g_string_new(NULL);
	g_autofree gchar *cut = NULL;

	for (guint i = 0; i < 1000; i++)
		g_string_append(longline, "\u00e9");
	cut = sg_files_quote_line(longline->str);
	g_assert_cmpstr(shortline, ==, "MemoryMb=2");
	g_assert_cmpint(g_utf8_strlen(cut, -1), ==, 83);
	g_assert_true(g_str_has_suffix(cut, "..."));
	g_assert_true(g_utf8_validate(cut, -1, NULL));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/files/write-durably", test_write_durably);
	g_test_add_func("/files/write-durably-refused", test_write_durably_refused);
	g_test_add_func("/files/remove-stale-temporaries", test_remove_stale_temporaries);
	g_test_add_func("/files/list-folders", test_list_folders);
	g_test_add_func("/files/remove-tree-keeps-outside", test_remove_tree_keeps_outside);
	g_test_add_func("/files/sync", test_sync);
	g_test_add_func("/files/read-regular", test_read_regular);
	g_test_add_func("/files/open-for-writing", test_open_for_writing);
	g_test_add_func("/files/quote-line", test_quote_line);
	return g_test_run();
}
