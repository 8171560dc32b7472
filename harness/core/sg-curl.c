#include "sg-curl.h"

#include "sg-config.h"
#include "sg-error.h"

CURL *
sg_curl_new(const gchar *url, gchar *errbuf, GError **error)
{
	static gsize initialized = 0;
	CURL *curl;

	/* not thread-safe in the libcurl of Debian 12, and requests run in worker threads */
	if (g_once_init_enter(&initialized)) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		g_once_init_leave(&initialized, 1);
	}
	curl = curl_easy_init();
	if (curl == NULL) {
		g_set_error(error, SG_ERROR, SG_ERROR_FETCH, "%s: cannot start libcurl", url);
		return NULL;
	}
	errbuf[0] = '\0';
	curl_easy_setopt(curl, CURLOPT_URL, url);
	/* images come from mirrors: no file://, no ftp:// surprises behind a redirect */
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "smokegate/" SG_VERSION);
	/* timeouts without SIGALRM */
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	return curl;
}

static const gchar *
describe(CURLcode code)
{
	switch (code) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return "DNS lookup failed";
	case CURLE_COULDNT_CONNECT:
		return "cannot connect";
	case CURLE_OPERATION_TIMEDOUT:
		return "timeout";
	case CURLE_PEER_FAILED_VERIFICATION:
		return "TLS certificate verification failed";
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_SHUTDOWN_FAILED:
		return "TLS failed";
	case CURLE_PARTIAL_FILE:
		return "short body, the server closed the connection early";
	case CURLE_RANGE_ERROR:
		return "the server did not resume";
	case CURLE_TOO_MANY_REDIRECTS:
		return "too many redirects";
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return "not an http or https URL";
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		return "connection failed";
	default:
		return "transfer failed";
	}
}

void
sg_curl_set_error(GError **error, const gchar *url, CURLcode code, const gchar *errbuf)
{
	const gchar *detail =
		errbuf != NULL && errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code);

	g_autofree gchar *shown = sg_curl_redact_url(url);

	g_set_error(error, SG_ERROR, SG_ERROR_FETCH, "%s: %s: %s", shown, describe(code), detail);
}

typedef CURLU SgCurlUrl;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgCurlUrl, curl_url_cleanup)

static SgCurlUrl *
parse_url(const gchar *url)
{
	g_autoptr(SgCurlUrl) parsed = curl_url();

	if (parsed == NULL || curl_url_set(parsed, CURLUPART_URL, url, 0) != CURLUE_OK)
		return NULL;
	return g_steal_pointer(&parsed);
}

static gboolean
has_part(SgCurlUrl *parsed, CURLUPart part)
{
	char *value = NULL;
	gboolean has = curl_url_get(parsed, part, &value, 0) == CURLUE_OK && value != NULL;

	curl_free(value);
	return has;
}

gchar *
sg_curl_redact_url(const gchar *url)
{
	g_autoptr(SgCurlUrl) parsed = parse_url(url);
	char *text = NULL;
	gchar *redacted;

	if (parsed == NULL)
		return g_strdup("(not a URL)");
	if (has_part(parsed, CURLUPART_USER) || has_part(parsed, CURLUPART_PASSWORD)) {
		curl_url_set(parsed, CURLUPART_PASSWORD, NULL, 0);
		curl_url_set(parsed, CURLUPART_USER, "***", 0);
	}
	if (has_part(parsed, CURLUPART_QUERY))
		curl_url_set(parsed, CURLUPART_QUERY, "***", 0);
	if (curl_url_get(parsed, CURLUPART_URL, &text, 0) != CURLUE_OK)
		return g_strdup("(not a URL)");
	redacted = g_strdup(text);
	curl_free(text);
	return redacted;
}

gboolean
sg_curl_url_has_userinfo(const gchar *url)
{
	g_autoptr(SgCurlUrl) parsed = parse_url(url);

	return parsed != NULL &&
	       (has_part(parsed, CURLUPART_USER) || has_part(parsed, CURLUPART_PASSWORD));
}
