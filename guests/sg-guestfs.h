#pragma once

#include <glib.h>
#include <guestfs.h>

G_BEGIN_DECLS

/* libguestfs handles as smokegate opens them: the direct backend (no
 * libvirtd needed), TCG when KVM does not work, errors as GErrors. */
typedef guestfs_h SgGuestfs;
void sg_guestfs_close(SgGuestfs *g);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgGuestfs, sg_guestfs_close)

/* Adds the qcow2 @disk (its backing files too) and starts the appliance. */
SgGuestfs *sg_guestfs_open(const gchar *disk, gboolean readonly, gboolean force_tcg,
			   GError **error);
/* Mounts the filesystems of @root (from guestfs_inspect_os), shortest
 * mountpoint first; one that will not mount is skipped. */
void sg_guestfs_mount_root(SgGuestfs *g, const char *root, gboolean readonly);
/* An SG_ERROR_LAB error "libguestfs cannot WHAT: its last error". */
void sg_guestfs_set_error(GError **error, SgGuestfs *g, const gchar *what);
void sg_guestfs_strv_free(char **strv);

G_END_DECLS
