#include "sg-disk.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "sg-error.h"

/* Runs qemu-img with @args; @what names the failure. */
static gboolean
run_qemu_img(const gchar *const *args, const gchar *what, GError **error)
{
	g_autoptr(GSubprocess) qemu_img = NULL;
	g_autofree gchar *errors = NULL;
	g_autoptr(GError) local_error = NULL;

	qemu_img = g_subprocess_newv(
		args, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
		&local_error);
	if (qemu_img == NULL ||
	    !g_subprocess_communicate_utf8(qemu_img, NULL, NULL, NULL, &errors, &local_error)) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot run qemu-img: %s",
			    local_error->message);
		return FALSE;
	}
	if (!g_subprocess_get_successful(qemu_img)) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "qemu-img cannot %s: %s", what,
			    errors != NULL ? g_strstrip(errors) : "");
		return FALSE;
	}
	return TRUE;
}

gboolean
sg_disk_create(const gchar *path, guint size_gib, GError **error)
{
	g_autofree gchar *size = g_strdup_printf("%uG", size_gib);
	g_autofree gchar *what = g_strdup_printf("create %s", path);
	const gchar *args[] = {"qemu-img", "create", "-q", "-f", "qcow2", path, size, NULL};

	return run_qemu_img(args, what, error);
}

gboolean
sg_disk_create_overlay(const gchar *base, const gchar *overlay, GError **error)
{
	g_autofree gchar *absolute = g_canonicalize_filename(base, NULL);
	g_autofree gchar *what = g_strdup_printf("make the overlay %s", overlay);
	const gchar *args[] = {"qemu-img", "create", "-q",    "-f",    "qcow2", "-b",
			       absolute,   "-F",     "qcow2", overlay, NULL};

	return run_qemu_img(args, what, error);
}

gboolean
sg_disk_set_backing(const gchar *overlay, const gchar *backing, GError **error)
{
	g_autofree gchar *what = g_strdup_printf("point %s at %s", overlay, backing);
	const gchar *args[] = {"qemu-img", "rebase", "-u",    "-b",    backing, "-F",
			       "qcow2",	   "-f",     "qcow2", overlay, NULL};

	return run_qemu_img(args, what, error);
}

gchar *
sg_disk_get_backing(const gchar *path, GError **error)
{
	g_autoptr(GSubprocess) qemu_img = NULL;
	g_autoptr(GBytes) out = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *info;
	gsize size = 0;
	const gchar *data;

	/* -U: the file may be open in a guest; --backing-chain is not asked
	 * for: the backing file need not exist here. */
	qemu_img =
		g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
				 error, "qemu-img", "info", "-U", "--output=json", path, NULL);
	if (qemu_img == NULL || !g_subprocess_communicate(qemu_img, NULL, NULL, &out, NULL, error))
		return NULL;
	data = out != NULL ? g_bytes_get_data(out, &size) : NULL;
	if (!g_subprocess_get_successful(qemu_img) || data == NULL ||
	    !json_parser_load_from_data(parser, data, size, NULL) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "qemu-img cannot read %s", path);
		return NULL;
	}
	info = json_node_get_object(json_parser_get_root(parser));
	return g_strdup(json_object_get_string_member_with_default(info, "backing-filename", ""));
}
