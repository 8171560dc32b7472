#pragma once

#include <glib.h>

#include "sg-files.h"

G_BEGIN_DECLS

/*
 * The config files people write (flavour profiles, the tree's
 * smokegate.conf, lab files, suites) read strictly: a typo is an error
 * naming the file and the line, never a setting silently dropped.
 */

/* One group a file may hold and its keys. A @name ending in " *" stands for
 * every group with that prefix and a name after it ("Host *": [Host lab1]). */
typedef struct {
	const gchar *name;
	const gchar *const *keys;
} SgKeyfileGroup;

/* Reads @path (a regular file of at most SG_FILES_CONFIG_MAX_BYTES, opened
 * as @links says) into @keyfile. Refused with SG_ERROR_USAGE, as
 * "PATH:LINE: what", quoting at most 80 characters of the line: a line that
 * is no group, key=value or comment, a group given twice (GKeyFile would
 * merge the two), and what GKeyFile itself refuses. */
gboolean sg_keyfile_load(GKeyFile *keyfile, const gchar *path, SgFilesLinks links, GError **error);

/* Refuses any group or key of @keyfile not listed in @groups (ended by a
 * {NULL} entry), naming the file, the line and what is known. */
gboolean sg_keyfile_check_known(GKeyFile *keyfile, const gchar *path, const SgKeyfileGroup *groups,
				GError **error);

/* Sets @error to SG_ERROR_USAGE "PATH:LINE: message", LINE where [@group]
 * @key is set (just "PATH: " when not found); returns FALSE. */
gboolean sg_keyfile_refuse(GError **error, const gchar *path, const gchar *group, const gchar *key,
			   const gchar *format, ...) G_GNUC_PRINTF(5, 6);

/* The line of @path where [@group] @key (or the group itself, @key NULL) is
 * set, 0 when not found; for messages. */
guint sg_keyfile_find_line(const gchar *path, const gchar *group, const gchar *key);

/* Parses a size in bytes: whole digits, optionally followed by one of the
 * suffixes KiB, MiB, GiB, TiB (powers of 1024) or kB, MB, GB, TB (powers
 * of 1000), as documented in smokegate.conf(5) and smokegate-flavour(5).
 * "4.7GB" and "abc" are refused. */
gboolean sg_keyfile_parse_size(const gchar *text, guint64 *bytes);

/* How sizes may be written, for messages. */
#define SG_KEYFILE_SIZE_HELP "bytes, or a whole number with kB, MB, GB, TB, KiB, MiB, GiB or TiB"

G_END_DECLS
