#include "sg-signature.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "sg-error.h"
#include "sg-files.h"

/* @bytes in a new file of @dir named @name. */
static gchar *
write_temporary(const gchar *dir, const gchar *name, GBytes *bytes, GError **error)
{
	g_autofree gchar *path = g_build_filename(dir, name, NULL);

	if (!g_file_set_contents(path, g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes),
				 error))
		return NULL;
	return g_steal_pointer(&path);
}

/* gpgv's last line that says something, for the message. */
static gchar *
last_line(const gchar *text)
{
	g_auto(GStrv) lines = g_strsplit(text != NULL ? text : "", "\n", -1);

	for (gint i = (gint)g_strv_length(lines) - 1; i >= 0; i--) {
		g_strstrip(lines[i]);
		if (lines[i][0] != '\0')
			return sg_files_quote_line(lines[i]);
	}
	return g_strdup("no output");
}

gboolean
sg_signature_verify(const gchar *keyring, GBytes *data, GBytes *signature, const gchar *what,
		    GError **error)
{
	g_autoptr(GError) local_error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp("smokegate-signature-XXXXXX", &local_error);
	g_autofree gchar *data_path = NULL;
	g_autofree gchar *signature_path = NULL;
	g_autofree gchar *keyring_path = NULL;
	g_autoptr(GSubprocess) gpgv = NULL;
	g_autofree gchar *output = NULL;
	gboolean good = FALSE;

	if (dir == NULL) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot check a signature: %s",
			    local_error->message);
		return FALSE;
	}
	/* gpgv takes a relative --keyring for a name in ~/.gnupg. */
	keyring_path = g_canonicalize_filename(keyring, NULL);
	data_path = write_temporary(dir, "SHA256SUMS", data, &local_error);
	signature_path = data_path != NULL
				 ? write_temporary(dir, "SHA256SUMS.gpg", signature, &local_error)
				 : NULL;
	if (signature_path != NULL)
		gpgv = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
						G_SUBPROCESS_FLAGS_STDERR_PIPE,
					&local_error, "gpgv", "--homedir", dir, "--keyring",
					keyring_path, signature_path, data_path, NULL);
	if (gpgv != NULL &&
	    g_subprocess_communicate_utf8(gpgv, NULL, NULL, NULL, &output, &local_error)) {
		good = g_subprocess_get_if_exited(gpgv) && g_subprocess_get_exit_status(gpgv) == 0;
		if (!good) {
			g_autofree gchar *said = last_line(output);
			g_set_error(error, SG_ERROR, SG_ERROR_SIGNATURE,
				    "%s: its signature (SHA256SUMS.gpg) is not a good one by a key "
				    "of %s: %s",
				    what, keyring, said);
		}
	} else {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot run gpgv to check %s: %s", what,
			    local_error->message);
	}
	sg_files_remove_tree(dir);
	return good;
}
