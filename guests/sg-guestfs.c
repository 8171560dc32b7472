#include "sg-guestfs.h"

#include <stdlib.h>
#include <string.h>

#include "sg-error.h"

void
sg_guestfs_close(SgGuestfs *g)
{
	guestfs_close(g);
}

void
sg_guestfs_set_error(GError **error, SgGuestfs *g, const gchar *what)
{
	const char *message = guestfs_last_error(g);
	g_set_error(error, SG_ERROR, SG_ERROR_LAB, "libguestfs cannot %s: %s", what,
		    message != NULL ? message : "unknown error");
}

void
sg_guestfs_strv_free(char **strv)
{
	if (strv == NULL)
		return;
	for (char **p = strv; *p != NULL; p++)
		free(*p);
	free(strv);
}

SgGuestfs *
sg_guestfs_open(const gchar *disk, gboolean readonly, gboolean force_tcg, GError **error)
{
	g_autoptr(SgGuestfs) g = guestfs_create();

	if (g == NULL) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot create a libguestfs handle");
		return NULL;
	}
	guestfs_set_error_handler(g, NULL, NULL);
	/* The libvirt backend would need a running libvirtd; direct needs nothing. */
	if (g_getenv("LIBGUESTFS_BACKEND") == NULL)
		guestfs_set_backend(g, "direct");
	if (force_tcg && g_getenv("LIBGUESTFS_BACKEND_SETTINGS") == NULL) {
		const char *settings[] = {"force_tcg", NULL};
		guestfs_set_backend_settings(g, (char *const *)settings);
	}
	if (guestfs_add_drive_opts(g, disk, GUESTFS_ADD_DRIVE_OPTS_FORMAT, "qcow2",
				   GUESTFS_ADD_DRIVE_OPTS_READONLY, readonly ? 1 : 0, -1) < 0) {
		sg_guestfs_set_error(error, g, "add the disk");
		return NULL;
	}
	if (guestfs_launch(g) < 0) {
		sg_guestfs_set_error(error, g, "start its appliance");
		return NULL;
	}
	return g_steal_pointer(&g);
}

static gint
compare_mountpoint_length(gconstpointer a, gconstpointer b)
{
	return (gint)strlen(*(const gchar **)a) - (gint)strlen(*(const gchar **)b);
}

void
sg_guestfs_mount_root(SgGuestfs *g, const char *root, gboolean readonly)
{
	char **pairs = guestfs_inspect_get_mountpoints(g, root);
	g_autoptr(GPtrArray) points = g_ptr_array_new();

	if (pairs == NULL)
		return;
	for (char **p = pairs; p[0] != NULL && p[1] != NULL; p += 2)
		g_ptr_array_add(points, p);
	g_ptr_array_sort(points, compare_mountpoint_length);
	for (guint i = 0; i < points->len; i++) {
		char **pair = g_ptr_array_index(points, i);
		int rc = readonly ? guestfs_mount_ro(g, pair[1], pair[0])
				  : guestfs_mount(g, pair[1], pair[0]);
		if (rc < 0)
			g_debug("cannot mount %s on %s", pair[1], pair[0]);
	}
	sg_guestfs_strv_free(pairs);
}
