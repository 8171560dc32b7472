#include "sg-disk.h"

#include <gio/gio.h>

#include "sg-error.h"

gboolean
sg_disk_create(const gchar *path, guint size_gib, GError **error)
{
	g_autofree gchar *size = g_strdup_printf("%uG", size_gib);
	g_autoptr(GSubprocess) qemu_img = NULL;
	g_autofree gchar *errors = NULL;
	g_autoptr(GError) local_error = NULL;

	qemu_img = g_subprocess_new(
		G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &local_error,
		"qemu-img", "create", "-q", "-f", "qcow2", path, size, NULL);
	if (qemu_img == NULL ||
	    !g_subprocess_communicate_utf8(qemu_img, NULL, NULL, NULL, &errors, &local_error)) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot run qemu-img: %s",
			    local_error->message);
		return FALSE;
	}
	if (!g_subprocess_get_successful(qemu_img)) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "qemu-img cannot create %s: %s", path,
			    errors != NULL ? g_strstrip(errors) : "");
		return FALSE;
	}
	return TRUE;
}
