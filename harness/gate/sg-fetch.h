#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* How patient a download is; zeros mean the defaults. */
typedef struct {
	guint connect_timeout_s; /* 0 = default 20 */
	guint stall_timeout_s;	 /* abort when under 1 KiB/s for this long; 0 = default 30 */
	const gchar *ca_file;	 /* extra CA bundle, NULL = system store */
	/* Keys that must have signed a SHA256SUMS (SHA256SUMS.gpg beside it,
	 * sg-signature.h); NULL = no signature checked. */
	const gchar *keyring;
} SgFetchOptions;

/* Downloads @url to @dest without holding it in memory: streamed into
 * "@dest.part", resumed with a range request when a .part is already there
 * (a server that ignores the range restarts it from zero), fsync'd and renamed
 * to @dest only when complete. TLS is verified. Errors are SG_ERROR_FETCH with
 * one line saying what failed (HTTP status, DNS, connect, TLS, timeout, short body).
 * Cancelling @cancellable is SG_ERROR_CANCELLED; the .part is kept either way. */
gboolean sg_fetch_file(const gchar *url, const gchar *dest, const SgFetchOptions *options,
		       GCancellable *cancellable, GError **error);

/* Downloads the SHA256SUMS published beside @url (same folder) and returns the
 * lower-case hex checksum listed for @url's file name ("HASH *name" or "HASH  name").
 * Missing file or no entry: SG_ERROR_FETCH / SG_ERROR_CHECKSUM with a clear message.
 * With @options->keyring, SHA256SUMS.gpg beside it must be a good signature of
 * it by one of the keyring's keys: a missing or bad one is SG_ERROR_SIGNATURE. */
gchar *sg_fetch_published_sha256(const gchar *url, const SgFetchOptions *options, GError **error);

/* The checksum listed for @name in the SHA256SUMS text @sums, in GNU
 * ("HASH *name", "HASH  name") or BSD ("SHA256 (name) = HASH") form,
 * lower-case; NULL when it is not listed. */
gchar *sg_fetch_find_sha256(const gchar *sums, const gchar *name);

/* Streams @path through SHA-256 and compares with @expected_hex; mismatch is
 * SG_ERROR_CHECKSUM "PATH: SHA-256 is X, SHA256SUMS says Y". */
gboolean sg_fetch_verify_sha256(const gchar *path, const gchar *expected_hex, GError **error);

G_END_DECLS
