#pragma once

#include <glib.h>

#include "sg-family.h"

G_BEGIN_DECLS

/* What an ISO says about itself, read with libarchive without mounting. */
typedef struct {
	gchar *volume_id; /* from the primary volume descriptor */
	gchar *disk_info; /* /.disk/info, NULL when absent */
	/* The installer family its layout says, SG_FAMILY_UNKNOWN when it says
	 * none, and where that layout keeps its kernel and initrd. */
	SgFamily layout_family;
	gchar *layout_kernel;
	gchar *layout_initrd;
	/* The Debian name of the architecture it is for ("amd64", "i386"),
	 * from .disk/info or the installer's folder; NULL when neither says. */
	gchar *arch;
	const gchar *arch_source; /* ".disk/info", "its installer's folder" */
} SgIsoInfo;

void sg_iso_info_free(SgIsoInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgIsoInfo, sg_iso_info_free)

/* Fails with SG_ERROR_IMAGE when the file is not a readable ISO 9660 image. */
SgIsoInfo *sg_iso_read_info(const gchar *iso, GError **error);

/* Copies the files at @paths (NULL-terminated, paths inside the ISO such as
 * "/casper/vmlinuz") to @dests. A path that is missing, or a read that ends
 * early (a truncated image), is SG_ERROR_IMAGE. */
gboolean sg_iso_extract(const gchar *iso, const gchar *const *paths, const gchar *const *dests,
			GError **error);

/* The first @max bytes (fewer when it is shorter) of the file at @path in
 * the ISO, such as a kernel's header; NULL with SG_ERROR_IMAGE when it is
 * not there or not a file, or the image cannot be read. */
GBytes *sg_iso_read_start(const gchar *iso, const gchar *path, gsize max, GError **error);

G_END_DECLS
