#include "sg-fetch.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sg-curl.h"
#include "sg-error.h"
#include "sg-files.h"
#include "sg-image-check.h"
#include "sg-signature.h"

#define SG_FETCH_CONNECT_TIMEOUT_S 20
#define SG_FETCH_STALL_TIMEOUT_S 30
/* Slower than this for stall_timeout_s seconds and the server is taken as gone:
 * a mirror that trickles would otherwise hold a stage for hours. */
#define SG_FETCH_STALL_BYTES_PER_S 1024L
/* A SHA256SUMS lists a few dozen files; a reply far larger is not one. */
#define SG_FETCH_SUMS_MAX (1024 * 1024)

/* One download: the curl handle's callbacks share this, and what they saw of
 * the reply decides what sg_fetch_file() does next. */
typedef struct {
	CURL *curl; /* not owned */
	const gchar *url;
	GCancellable *cancellable;
	guint connect_timeout_s;
	guint stall_timeout_s;
	/* the body goes to @fd (a .part file named @part) or, for small files, to @body */
	int fd;
	const gchar *part;
	GByteArray *body;
	/* the current request and what its reply said */
	curl_off_t resume_from;
	curl_off_t received;
	gboolean body_checked;
	gchar *reason;		/* the status line's reason phrase, for errors */
	curl_off_t range_start; /* Content-Range, -1 when absent or "*" */
	curl_off_t range_total; /* -1 when absent or "*" */
	gchar errbuf[CURL_ERROR_SIZE];
	GError *error; /* set by a callback: says more than the CURLcode it causes */
} SgFetchTransfer;

static void
sg_fetch_transfer_clear(SgFetchTransfer *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	g_clear_pointer(&t->body, g_byte_array_unref);
	g_clear_pointer(&t->reason, g_free);
	g_clear_error(&t->error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(SgFetchTransfer, sg_fetch_transfer_clear)

static void
sg_fetch_parse_content_range(const gchar *value, curl_off_t *start, curl_off_t *total)
{
	const gchar *slash;

	value += strspn(value, " \t");
	if (g_ascii_strncasecmp(value, "bytes", 5) != 0)
		return;
	value += 5;
	value += strspn(value, " \t");
	if (g_ascii_isdigit(*value))
		*start = g_ascii_strtoll(value, NULL, 10);
	slash = strchr(value, '/');
	if (slash != NULL && g_ascii_isdigit(slash[1]))
		*total = g_ascii_strtoll(slash + 1, NULL, 10);
}

static size_t
sg_fetch_on_header(char *data, size_t size, size_t nitems, void *user_data)
{
	SgFetchTransfer *t = user_data;
	size_t len = size * nitems;
	g_autofree gchar *line = g_strstrip(g_strndup(data, len));

	if (g_str_has_prefix(line, "HTTP/")) {
		/* a new reply (after a redirect): the last one's headers no longer count */
		const gchar *reason = strchr(line, ' ');

		g_clear_pointer(&t->reason, g_free);
		t->range_start = t->range_total = -1;
		if (reason != NULL)
			reason = strchr(reason + 1, ' ');
		if (reason != NULL && reason[1] != '\0')
			t->reason = g_strdup(reason + 1);
	} else if (g_ascii_strncasecmp(line, "Content-Range:", 14) == 0) {
		sg_fetch_parse_content_range(line + 14, &t->range_start, &t->range_total);
	}
	return len;
}

/* curl checks the range of a resumed reply too, but bytes appended at the
 * wrong offset would make a corrupt image that only the checksum catches,
 * so the reply is checked here before the first byte is written. */
static gboolean
sg_fetch_check_reply(SgFetchTransfer *t, GError **error)
{
	long status = 0;

	curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
	if (t->resume_from == 0 && status == 200)
		return TRUE;
	if (t->resume_from > 0 && status == 206 && t->range_start == t->resume_from)
		return TRUE;
	if (t->resume_from > 0)
		g_set_error(error, SG_ERROR, SG_ERROR_FETCH,
			    "%s: asked for bytes %" CURL_FORMAT_CURL_OFF_T
			    "- and got HTTP %ld starting at byte %" CURL_FORMAT_CURL_OFF_T,
			    t->url, t->resume_from, status, t->range_start);
	else
		g_set_error(error, SG_ERROR, SG_ERROR_FETCH,
			    "%s: asked for the whole file and got HTTP %ld", t->url, status);
	return FALSE;
}

static gboolean
sg_fetch_write_all(int fd, const gchar *data, gsize len)
{
	while (len > 0) {
		ssize_t done = write(fd, data, len);

		if (done < 0 && errno == EINTR)
			continue;
		if (done < 0)
			return FALSE;
		data += done;
		len -= done;
	}
	return TRUE;
}

static size_t
sg_fetch_on_body(char *data, size_t size, size_t nmemb, void *user_data)
{
	SgFetchTransfer *t = user_data;
	size_t len = size * nmemb;

	/* returning less than @len makes curl stop with CURLE_WRITE_ERROR */
	if (!t->body_checked) {
		if (!sg_fetch_check_reply(t, &t->error))
			return 0;
		t->body_checked = TRUE;
	}
	if (t->body != NULL) {
		if (t->body->len + len > SG_FETCH_SUMS_MAX) {
			g_set_error(&t->error, SG_ERROR, SG_ERROR_FETCH,
				    "%s: larger than %u bytes, not a checksum list", t->url,
				    (guint)SG_FETCH_SUMS_MAX);
			return 0;
		}
		g_byte_array_append(t->body, (const guint8 *)data, len);
	} else if (!sg_fetch_write_all(t->fd, data, len)) {
		g_set_error(&t->error, SG_ERROR, SG_ERROR_FETCH, "cannot write %s: %s", t->part,
			    g_strerror(errno));
		return 0;
	}
	t->received += len;
	return len;
}

/* curl calls this at least once a second even when no byte arrives, so a
 * cancelled stage stops within a second whatever the server does. */
static int
sg_fetch_on_progress(void *user_data, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		     curl_off_t ulnow)
{
	SgFetchTransfer *t = user_data;

	return g_cancellable_is_cancelled(t->cancellable) ? 1 : 0;
}

/* What failed, in one line: a download's own words for what it knows more
 * about than curl (the reply's status line, which timeout), sg_curl's for
 * the rest. */
static void
sg_fetch_set_error(SgFetchTransfer *t, CURLcode code, GError **error)
{
	long status = 0;

	if (t->error != NULL) {
		g_propagate_error(error, g_steal_pointer(&t->error));
		return;
	}
	curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
	switch (code) {
	case CURLE_ABORTED_BY_CALLBACK:
		g_set_error(error, SG_ERROR, SG_ERROR_CANCELLED, "%s: download cancelled", t->url);
		return;
	case CURLE_OK: /* a reply that is no error to curl but no file to us (204, 3xx) */
	case CURLE_HTTP_RETURNED_ERROR:
		g_set_error(error, SG_ERROR, SG_ERROR_FETCH, "%s: HTTP %ld%s%s", t->url, status,
			    t->reason != NULL ? " " : "", t->reason != NULL ? t->reason : "");
		return;
	case CURLE_OPERATION_TIMEDOUT: {
		curl_off_t connect_us = 0;

		curl_easy_getinfo(t->curl, CURLINFO_CONNECT_TIME_T, &connect_us);
		if (connect_us == 0)
			g_set_error(error, SG_ERROR, SG_ERROR_FETCH,
				    "%s: timeout: no connection after %u s", t->url,
				    t->connect_timeout_s);
		else
			g_set_error(error, SG_ERROR, SG_ERROR_FETCH,
				    "%s: timeout: under 1 KiB/s for %u s, the server stalled",
				    t->url, t->stall_timeout_s);
		return;
	}
	default:
		break;
	}
	sg_curl_set_error(error, t->url, code, t->errbuf);
}

static CURL *
sg_fetch_curl_new(SgFetchTransfer *t, const SgFetchOptions *options, GError **error)
{
	CURL *curl = sg_curl_new(t->url, t->errbuf, error);

	if (curl == NULL)
		return NULL;
	t->curl = curl;
	t->connect_timeout_s = options != NULL && options->connect_timeout_s > 0
				       ? options->connect_timeout_s
				       : SG_FETCH_CONNECT_TIMEOUT_S;
	t->stall_timeout_s = options != NULL && options->stall_timeout_s > 0
				     ? options->stall_timeout_s
				     : SG_FETCH_STALL_TIMEOUT_S;
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
	/* an error page must never end up in the .part */
	curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, (long)t->connect_timeout_s);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, SG_FETCH_STALL_BYTES_PER_S);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, (long)t->stall_timeout_s);
	/* CAINFO replaces only the bundle file: Debian's libcurl keeps its CA path
	 * (/etc/ssl/certs), so the system roots still count beside this one */
	if (options != NULL && options->ca_file != NULL)
		curl_easy_setopt(curl, CURLOPT_CAINFO, options->ca_file);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, sg_fetch_on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, sg_fetch_on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, sg_fetch_on_progress);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, t);
	return curl;
}

/* One request, asking for the bytes from @resume_from on (0: the whole file). */
static CURLcode
sg_fetch_perform(SgFetchTransfer *t, curl_off_t resume_from)
{
	t->resume_from = resume_from;
	t->received = 0;
	t->body_checked = FALSE;
	t->range_start = t->range_total = -1;
	t->errbuf[0] = '\0';
	g_clear_pointer(&t->reason, g_free);
	g_clear_error(&t->error);
	curl_easy_setopt(t->curl, CURLOPT_RESUME_FROM_LARGE, resume_from);
	return curl_easy_perform(t->curl);
}

/* The rename must survive a power cut too, or a published image could vanish. */
static void
sg_fetch_sync_folder(const gchar *dest)
{
	g_autofree gchar *folder = g_path_get_dirname(dest);
	g_autoptr(GError) error = NULL;

	if (!sg_files_sync(folder, &error))
		g_warning("%s", error->message);
}

/* Fills the open, locked .part from where it ends, and syncs it. */
static gboolean
sg_fetch_into_part(SgFetchTransfer *t, GError **error)
{
	struct stat st;
	curl_off_t have;

	if (fstat(t->fd, &st) < 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_FETCH, "cannot stat %s: %s", t->part,
			    g_strerror(errno));
		return FALSE;
	}
	have = st.st_size;
	if (have > 0)
		g_info("%s: resuming from byte %" CURL_FORMAT_CURL_OFF_T " of %s", t->url, have,
		       t->part);

	for (guint attempt = 0;; attempt++) {
		CURLcode code = sg_fetch_perform(t, have);
		long status = 0;
		gboolean restart;

		curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
		/* a 416 to a range request: the .part may already hold the whole
		 * file, whose size the Content-Range gives */
		if (status == 416 && have > 0 && t->range_total == have)
			break;
		/* a 200 with no byte written after a range request is curl seeing that
		 * the .part already has Content-Length bytes */
		if (code == CURLE_OK && (status == 200 || status == 206))
			break;
		/* CURLE_RANGE_ERROR: a 200 to the range request (the server ignores
		 * ranges) or a 206 at another offset; a 416 with another size: the
		 * .part is longer than the file. Either way the .part cannot be trusted. */
		restart = have > 0 && attempt == 0 && (code == CURLE_RANGE_ERROR || status == 416);
		if (!restart) {
			sg_fetch_set_error(t, code, error);
			return FALSE;
		}
		g_info("%s: the server did not resume %s, downloading it again from zero", t->url,
		       t->part);
		if (ftruncate(t->fd, 0) < 0) {
			g_set_error(error, SG_ERROR, SG_ERROR_FETCH, "cannot truncate %s: %s",
				    t->part, g_strerror(errno));
			return FALSE;
		}
		have = 0;
	}

	if (fstat(t->fd, &st) < 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_FETCH, "cannot stat %s: %s", t->part,
			    g_strerror(errno));
		return FALSE;
	}
	/* curl checks Content-Length, but a 206's total is in Content-Range */
	if (t->range_total >= 0 && st.st_size != t->range_total) {
		g_set_error(error, SG_ERROR, SG_ERROR_FETCH,
			    "%s: short body: %s has %lld of %" CURL_FORMAT_CURL_OFF_T " bytes",
			    t->url, t->part, (long long)st.st_size, t->range_total);
		return FALSE;
	}
	if (fsync(t->fd) < 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_FETCH, "cannot sync %s: %s", t->part,
			    g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

gboolean
sg_fetch_file(const gchar *url, const gchar *dest, const SgFetchOptions *options,
	      GCancellable *cancellable, GError **error)
{
	g_autoptr(CURL) curl = NULL;
	g_autofree gchar *part = NULL;
	g_auto(SgFetchTransfer) t = {.url = url, .cancellable = cancellable, .fd = -1};
	g_autoptr(GError) open_error = NULL;
	struct stat st;

	g_return_val_if_fail(url != NULL, FALSE);
	g_return_val_if_fail(dest != NULL, FALSE);

	curl = sg_fetch_curl_new(&t, options, error);
	if (curl == NULL)
		return FALSE;
	part = g_strconcat(dest, ".part", NULL);
	t.part = part;
	/* O_APPEND: every byte goes after the ones already there, which is what a
	 * resume means, and after a truncation it starts again at zero */
	t.fd = sg_files_open_for_writing(part, O_WRONLY | O_CREAT | O_APPEND, 0644, &open_error);
	if (t.fd < 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_FETCH, "cannot open %s", open_error->message);
		return FALSE;
	}
	/* two downloads into one .part would interleave their bytes */
	if (flock(t.fd, LOCK_EX | LOCK_NB) < 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_FETCH, "%s: %s", part,
			    errno == EWOULDBLOCK ? "another download into it is running"
						 : g_strerror(errno));
		return FALSE;
	}
	if (!sg_fetch_into_part(&t, error)) {
		/* a .part with nothing to resume would only be litter */
		if (fstat(t.fd, &st) == 0 && st.st_size == 0)
			unlink(part);
		return FALSE;
	}
	/* renamed while still locked, so no other download can reopen the .part in between */
	if (rename(part, dest) < 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_FETCH, "cannot rename %s to %s: %s", part,
			    dest, g_strerror(errno));
		return FALSE;
	}
	sg_fetch_sync_folder(dest);
	return TRUE;
}

gchar *
sg_fetch_find_sha256(const gchar *sums, const gchar *name)
{
	g_auto(GStrv) lines = g_strsplit(sums, "\n", -1);
	g_autofree gchar *bsd_prefix = g_strdup_printf("SHA256 (%s) = ", name);

	for (guint i = 0; lines[i] != NULL; i++) {
		gchar *line = g_strchomp(lines[i]); /* also drops the \r of a CRLF file */
		const gchar *hash = NULL;

		if (strlen(line) > 66 && line[64] == ' ' && (line[65] == ' ' || line[65] == '*')) {
			const gchar *file = line + 66;

			if (g_str_has_prefix(file, "./"))
				file += 2;
			if (g_strcmp0(file, name) == 0)
				hash = line;
		} else if (g_str_has_prefix(line, bsd_prefix)) {
			hash = line + strlen(bsd_prefix);
		}
		if (hash == NULL || strspn(hash, "0123456789abcdefABCDEF") != 64)
			continue;
		return g_ascii_strdown(hash, 64);
	}
	return NULL;
}

/* A small file (SHA256SUMS, its signature) whole in memory; anything but
 * a 200 is SG_ERROR_FETCH. */
static GBytes *
fetch_small(const gchar *url, const SgFetchOptions *options, GError **error)
{
	g_autoptr(CURL) curl = NULL;
	g_auto(SgFetchTransfer) t = {.fd = -1};
	CURLcode code;
	long status = 0;

	t.url = url;
	t.body = g_byte_array_new();
	curl = sg_fetch_curl_new(&t, options, error);
	if (curl == NULL)
		return NULL;
	code = sg_fetch_perform(&t, 0);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (code != CURLE_OK || status != 200) {
		sg_fetch_set_error(&t, code, error);
		return NULL;
	}
	return g_byte_array_free_to_bytes(g_steal_pointer(&t.body));
}

gchar *
sg_fetch_published_sha256(const gchar *url, const SgFetchOptions *options, GError **error)
{
	g_autoptr(GError) local_error = NULL;
	g_autoptr(GUri) uri = NULL;
	g_autoptr(GUri) sums_uri = NULL;
	g_autofree gchar *name = NULL;
	g_autofree gchar *sums_path = NULL;
	g_autofree gchar *sums_url = NULL;
	g_autoptr(GBytes) sums_bytes = NULL;
	g_autofree gchar *sums = NULL;
	g_autofree gchar *hash = NULL;
	const gchar *path;
	const gchar *slash;

	g_return_val_if_fail(url != NULL, NULL);

	/* encoded: the folder part of the path is sent back exactly as given */
	uri = g_uri_parse(url, G_URI_FLAGS_ENCODED, &local_error);
	if (uri == NULL) {
		g_set_error(error, SG_ERROR, SG_ERROR_FETCH, "%s: not a URL: %s", url,
			    local_error->message);
		return NULL;
	}
	path = g_uri_get_path(uri);
	slash = strrchr(path, '/');
	if (slash == NULL || slash[1] == '\0' ||
	    (name = g_uri_unescape_string(slash + 1, "/")) == NULL) {
		g_set_error(error, SG_ERROR, SG_ERROR_FETCH, "%s: the URL names no file", url);
		return NULL;
	}
	sums_path = g_strdup_printf("%.*sSHA256SUMS", (int)(slash + 1 - path), path);
	sums_uri = g_uri_build(G_URI_FLAGS_ENCODED, g_uri_get_scheme(uri), g_uri_get_userinfo(uri),
			       g_uri_get_host(uri), g_uri_get_port(uri), sums_path, NULL, NULL);
	sums_url = g_uri_to_string(sums_uri);

	sums_bytes = fetch_small(sums_url, options, error);
	if (sums_bytes == NULL) {
		g_prefix_error(error, "no SHA256SUMS for %s: ", name);
		return NULL;
	}
	/* Signed by the keyring's keys, or not taken: without it a server
	 * could serve any image with a SHA256SUMS to match. */
	if (options != NULL && options->keyring != NULL) {
		g_autofree gchar *signature_url = g_strconcat(sums_url, ".gpg", NULL);
		g_autoptr(GError) signature_error = NULL;
		g_autoptr(GBytes) signature = fetch_small(signature_url, options, &signature_error);

		if (signature == NULL) {
			g_set_error(error, SG_ERROR, SG_ERROR_SIGNATURE,
				    "a keyring is configured, but there is no signature of "
				    "SHA256SUMS: %s",
				    signature_error->message);
			return NULL;
		}
		if (!sg_signature_verify(options->keyring, sums_bytes, signature, sums_url, error))
			return NULL;
	}
	sums = g_strndup(g_bytes_get_data(sums_bytes, NULL), g_bytes_get_size(sums_bytes));
	hash = sg_fetch_find_sha256(sums, name);
	if (hash == NULL) {
		g_set_error(error, SG_ERROR, SG_ERROR_CHECKSUM, "%s lists no SHA-256 for %s",
			    sums_url, name);
		return NULL;
	}
	return g_steal_pointer(&hash);
}

gboolean
sg_fetch_verify_sha256(const gchar *path, const gchar *expected_hex, GError **error)
{
	g_autofree gchar *actual = NULL;
	guint64 size = 0;

	g_return_val_if_fail(path != NULL, FALSE);
	g_return_val_if_fail(expected_hex != NULL, FALSE);

	if (!sg_image_checksum(path, &actual, &size, error))
		return FALSE;
	if (g_ascii_strcasecmp(actual, expected_hex) != 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_CHECKSUM,
			    "%s: SHA-256 is %s, SHA256SUMS says %s", path, actual, expected_hex);
		return FALSE;
	}
	return TRUE;
}
