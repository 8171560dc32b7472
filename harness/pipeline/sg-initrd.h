#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Writes @output: the installer's @initrd followed by a gzip'd newc cpio
 * archive holding @files (name in the archive -> local path), the way
 * virt-install's --initrd-inject does. The kernel unpacks concatenated
 * archives in order, so the injected files land in the installer's root.
 */
gboolean sg_initrd_inject(const gchar *initrd, GHashTable *files, const gchar *output,
			  GError **error);

G_END_DECLS
