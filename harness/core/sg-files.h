#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* Sorts an array of strings in byte order (g_ptr_array_sort hands its
 * comparator pointers to the elements, not the strings). */
void sg_sort_strings(GPtrArray *strings);

/* The names in @dir that @keep accepts (all when NULL), sorted; empty when
 * @dir cannot be read. */
GPtrArray *sg_files_list(const gchar *dir, gboolean (*keep)(const gchar *dir, const gchar *name));
/* For sg_files_list(): folders (or links to folders) whose name does not
 * start with a dot. */
gboolean sg_files_keep_folder(const gchar *dir, const gchar *name);

/* Removes @path and everything below it, never following a symlink out. */
void sg_files_remove_tree(const gchar *path);

/* Writes @contents (@length bytes, -1: a string) to @path atomically and
 * durably: a temporary name, fsync, rename, so a reader sees the old file,
 * the new one or none, never half of one, and the new one survives a power
 * cut. Errors are G_FILE_ERROR. */
gboolean sg_files_write_durably(const gchar *path, const gchar *contents, gssize length,
				GError **error);
/* The same, for a file only its owner may read (mode 0600): a spool that
 * names trackers. */
gboolean sg_files_write_durably_private(const gchar *path, const gchar *contents, gssize length,
					GError **error);

/* Removes what sg_files_write_durably() left of @path when its writer was
 * killed before the rename: the siblings named @path + "." + six letters or
 * digits (GLib's temporary names). Only for a caller that knows no writer
 * of @path runs (it holds the lock every writer holds). */
void sg_files_remove_stale_temporaries(const gchar *path);

/* fsync of a file or a folder (a rename in a folder survives a crash only
 * once the folder is synced). */
gboolean sg_files_sync(const gchar *path, GError **error);

/* How sg_files_open_regular() treats a symlink as the last part of @path. */
typedef enum {
	SG_FILES_FOLLOW,   /* a path a person named: the link is resolved on purpose */
	SG_FILES_NOFOLLOW, /* a file in the tree or the state folders: a link is refused */
} SgFilesLinks;

/* Opens @path for reading as the regular file it must be. The open never
 * blocks (O_NONBLOCK: a FIFO would wait for a writer forever); a FIFO, a
 * device, a socket or a folder is refused at once with SG_ERROR_USAGE
 * naming it, as is a link under SG_FILES_NOFOLLOW. A file that cannot be
 * opened is G_FILE_ERROR. Returns the descriptor (blocking again), or -1. */
int sg_files_open_regular(const gchar *path, SgFilesLinks links, GError **error);

/* Reads the regular file @path whole (sg_files_open_regular()), refusing
 * one larger than @max_bytes with SG_ERROR_USAGE. @contents is
 * NUL-terminated. */
gboolean sg_files_read_regular(const gchar *path, SgFilesLinks links, gsize max_bytes,
			       gchar **contents, gsize *length, GError **error);

/* sg_files_read_regular(), and the contents must be text: UTF-8 without a
 * NUL byte (SG_ERROR_USAGE "PATH is not text (@what)"). Every error is
 * SG_ERROR_USAGE: the file is an input a person gave. */
gboolean sg_files_read_text(const gchar *path, SgFilesLinks links, gsize max_bytes,
			    const gchar *what, gchar **contents, gsize *length, GError **error);

/* The most of a config file anything here reads. */
#define SG_FILES_CONFIG_MAX_BYTES (1024 * 1024)

/* Opens or creates @path for writing, never through a symlink (O_NOFOLLOW)
 * and never blocking on a FIFO; anything but a regular file is refused.
 * @flags are open()'s (O_WRONLY or O_RDWR, O_CREAT, O_APPEND, O_TRUNC...).
 * Errors are G_FILE_ERROR. */
int sg_files_open_for_writing(const gchar *path, int flags, mode_t mode, GError **error);

/* Makes @path a folder (and its parents), then checks that it is one of
 * its own: a symlink where a state folder belongs (TREE/.smokegate ->
 * elsewhere) is refused, so nothing is written through it. */
gboolean sg_files_make_real_folder(const gchar *path, GError **error);

/* Whether a file can be made in the folder @path, found by making one
 * (access() says yes to root on a read-only folder, and knows nothing of
 * a read-only mount): what must hold before hours of work write there.
 * SG_ERROR_USAGE naming it when not. */
gboolean sg_files_check_writable_folder(const gchar *path, GError **error);

/* At most the first 80 characters of @line, for a message that quotes an
 * input (a 20 MB line is no message), with "..." when cut. */
gchar *sg_files_quote_line(const gchar *line);

G_END_DECLS
