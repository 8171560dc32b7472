#include "sg-suite-disk.h"

#include <string.h>

#include "sg-error.h"
#include "sg-guestfs.h"

/* The mounted system's init: systemd when /sbin/init leads to it (or there
 * is no /sbin/init but systemd is there), upstart when initctl and its job
 * folder are there (Ubuntu 13.04-14.10), else rc.local (busybox init,
 * sysvinit). */
static SgGuestInit
guest_init(guestfs_h *g)
{
	g_autofree char *target = NULL;

	if (guestfs_is_symlink(g, "/sbin/init") > 0) {
		target = guestfs_readlink(g, "/sbin/init");
		if (target != NULL && strstr(target, "systemd") != NULL)
			return SG_GUEST_INIT_SYSTEMD;
	} else if (guestfs_exists(g, "/sbin/init") <= 0 &&
		   guestfs_exists(g, "/lib/systemd/systemd") > 0) {
		return SG_GUEST_INIT_SYSTEMD;
	}
	if (guestfs_exists(g, "/sbin/initctl") > 0 && guestfs_is_dir(g, "/etc/init") > 0)
		return SG_GUEST_INIT_UPSTART;
	return SG_GUEST_INIT_RC_LOCAL;
}

static SgGuestfs *
open_mounted(const gchar *disk, gboolean readonly, gboolean force_tcg, GError **error)
{
	g_autoptr(SgGuestfs) g = sg_guestfs_open(disk, readonly, force_tcg, error);
	char **roots;

	if (g == NULL)
		return NULL;
	roots = guestfs_inspect_os(g);
	if (roots == NULL || roots[0] == NULL) {
		sg_guestfs_strv_free(roots);
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "no operating system on %s", disk);
		return NULL;
	}
	sg_guestfs_mount_root(g, roots[0], readonly);
	sg_guestfs_strv_free(roots);
	return g_steal_pointer(&g);
}

/* A folder is made then given its mode; a file's or a link's parent is
 * made (its mode left alone: /etc folders are the system's). */
static gboolean
apply_file(guestfs_h *g, SgGuestFile *file, GError **error)
{
	g_autofree gchar *parent = g_path_get_dirname(file->path);
	gboolean ok;

	if (file->link_target != NULL) {
		ok = guestfs_mkdir_p(g, parent) == 0 &&
		     guestfs_ln_sf(g, file->link_target, file->path) == 0;
	} else if (file->contents == NULL) {
		ok = guestfs_mkdir_p(g, file->path) == 0 &&
		     guestfs_chmod(g, file->mode, file->path) == 0;
	} else {
		gsize size = 0;
		const gchar *data = g_bytes_get_data(file->contents, &size);
		ok = guestfs_mkdir_p(g, parent) == 0 &&
		     guestfs_write(g, file->path, data, size) == 0 &&
		     (file->mode == 0 || guestfs_chmod(g, file->mode, file->path) == 0);
	}
	if (!ok)
		sg_guestfs_set_error(error, g, file->path);
	return ok;
}

gboolean
sg_suite_disk_inject(const gchar *disk, const SgSuite *suite, const gchar *lib_dir,
		     const SgSuiteExpect *expect, gboolean force_tcg, GError **error)
{
	g_autoptr(SgGuestfs) g = open_mounted(disk, FALSE, force_tcg, error);
	g_autoptr(GPtrArray) files = NULL;

	if (g == NULL)
		return FALSE;
	files = sg_suite_guest_files(suite, lib_dir, expect, guest_init(g), error);
	if (files == NULL)
		return FALSE;
	for (guint i = 0; i < files->len; i++) {
		if (!apply_file(g, g_ptr_array_index(files, i), error)) {
			g_prefix_error(error,
				       "cannot put the suite %s into its disk: ", suite->name);
			return FALSE;
		}
	}
	if (guestfs_umount_all(g) < 0 || guestfs_shutdown(g) < 0) {
		sg_guestfs_set_error(error, g, "write the suite's disk");
		return FALSE;
	}
	return TRUE;
}

gchar *
sg_suite_disk_read_tap(const gchar *disk, const SgSuite *suite, gboolean force_tcg, GError **error)
{
	g_autoptr(SgGuestfs) g = open_mounted(disk, TRUE, force_tcg, error);
	g_autofree gchar *path = sg_suite_guest_tap_path(suite);
	g_autofree char *text = NULL;
	size_t size = 0;

	if (g == NULL)
		return NULL;
	if (guestfs_is_file(g, path) <= 0)
		return g_strdup("");
	text = guestfs_read_file(g, path, &size);
	if (text == NULL) {
		sg_guestfs_set_error(error, g, "read the suite's TAP file");
		return NULL;
	}
	return g_strndup(text, size);
}
