#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Detached OpenPGP signatures (SHA256SUMS.gpg, as cdimage publishes them),
 * checked with gpgv against a keyring file as `gpg --export` writes it: the
 * keys of the people who may sign the images. gpgv trusts exactly the
 * keyring it is given, nothing of the user's own.
 */

/* Whether @signature (the .gpg file's bytes) is a good signature of @data
 * by a key of @keyring. Not one: SG_ERROR_SIGNATURE naming @what and what
 * gpgv said; gpgv missing: SG_ERROR_LAB. */
gboolean sg_signature_verify(const gchar *keyring, GBytes *data, GBytes *signature,
			     const gchar *what, GError **error);

G_END_DECLS
