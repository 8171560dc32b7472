#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <glib.h>

#include "sg-error.h"

G_BEGIN_DECLS

/* The one bridge to libarchive. archive_free() ends a reader and a writer
 * alike. */
typedef struct archive SgArchive;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgArchive, archive_free)

/* Sets SG_ERROR @code "MESSAGE: libarchive's last error on @archive". */
void sg_archive_set_error(GError **error, SgErrorCode code, struct archive *archive,
			  const gchar *format, ...) G_GNUC_PRINTF(4, 5);

/* A reader of the ISO 9660 file system in @iso; SG_ERROR_IMAGE when
 * libarchive cannot read it as one. */
struct archive *sg_archive_open_iso(const gchar *iso, GError **error);

/* Writes a regular file @name (mode 0644, dated now) holding @len bytes of
 * @contents into @writer; @what names the archive in the SG_ERROR_LAB error. */
gboolean sg_archive_add_file(struct archive *writer, const gchar *what, const gchar *name,
			     const gchar *contents, gsize len, GError **error);

G_END_DECLS
