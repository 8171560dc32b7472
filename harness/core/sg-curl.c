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

	g_set_error(error, SG_ERROR, SG_ERROR_FETCH, "%s: %s: %s", url, describe(code), detail);
}
