/* The libcurl bridge: what each failure is called, and what every handle
 * refuses. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sg-curl.h"
#include "sg-error.h"

typedef struct {
	CURLcode code;
	const gchar *what;
} SgCurlCase;

/* One line "URL: what failed: detail", SG_ERROR_FETCH, for each family of
 * failure; the detail is curl's own words when it gave some. */
static void
test_error_mapping(void)
{
	const SgCurlCase cases[] = {
		{CURLE_COULDNT_RESOLVE_HOST, "DNS lookup failed"},
		{CURLE_COULDNT_RESOLVE_PROXY, "DNS lookup failed"},
		{CURLE_COULDNT_CONNECT, "cannot connect"},
		{CURLE_OPERATION_TIMEDOUT, "timeout"},
		{CURLE_PEER_FAILED_VERIFICATION, "TLS certificate verification failed"},
		{CURLE_SSL_CONNECT_ERROR, "TLS failed"},
		{CURLE_SSL_CACERT_BADFILE, "TLS failed"},
		{CURLE_PARTIAL_FILE, "short body, the server closed the connection early"},
		{CURLE_RANGE_ERROR, "the server did not resume"},
		{CURLE_TOO_MANY_REDIRECTS, "too many redirects"},
		{CURLE_UNSUPPORTED_PROTOCOL, "not an http or https URL"},
		{CURLE_URL_MALFORMAT, "not an http or https URL"},
		{CURLE_GOT_NOTHING, "connection failed"},
		{CURLE_RECV_ERROR, "connection failed"},
		{CURLE_SEND_ERROR, "connection failed"},
		{CURLE_WRITE_ERROR, "transfer failed"},
	};
	const gchar *url = "http://mirror.example/daily/SHA256SUMS";

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GError) with_errbuf = NULL;
		g_autofree gchar *expected = g_strdup_printf("%s: %s: %s", url, cases[i].what,
							     curl_easy_strerror(cases[i].code));
		g_autofree gchar *expected_errbuf = g_strdup_printf(
			"%s: %s: Failed to connect to mirror.example", url, cases[i].what);

		sg_curl_set_error(&error, url, cases[i].code, "");
		g_assert_error(error, SG_ERROR, SG_ERROR_FETCH);
		g_assert_cmpstr(error->message, ==, expected);
		sg_curl_set_error(&with_errbuf, url, cases[i].code,
				  "Failed to connect to mirror.example");
		g_assert_cmpstr(with_errbuf->message, ==, expected_errbuf);
	}
}

/* A loopback port nothing listens on. */
static guint
closed_port(void)
{
	struct sockaddr_in addr = {.sin_family = AF_INET};
	socklen_t len = sizeof(addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	guint port;

	g_assert_cmpint(fd, >=, 0);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
	g_assert_cmpint(getsockname(fd, (struct sockaddr *)&addr, &len), ==, 0);
	port = ntohs(addr.sin_port);
	close(fd);
	return port;
}

static gchar *
perform(const gchar *url)
{
	gchar errbuf[CURL_ERROR_SIZE];
	g_autoptr(GError) error = NULL;
	g_autoptr(CURL) curl = sg_curl_new(url, errbuf, &error);
	CURLcode code;

	g_assert_no_error(error);
	g_assert_nonnull(curl);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
	code = curl_easy_perform(curl);
	g_assert_cmpint(code, !=, CURLE_OK);
	sg_curl_set_error(&error, url, code, errbuf);
	g_assert_error(error, SG_ERROR, SG_ERROR_FETCH);
	return g_strdup(error->message);
}

/* Real transfers: a refused connection is "cannot connect", and a handle
 * will not read a local file, which a mirror's redirect could point at. */
static void
test_real_failures(void)
{
	g_autofree gchar *url = g_strdup_printf("http://127.0.0.1:%u/image.iso", closed_port());
	g_autofree gchar *refused = perform(url);
	g_autofree gchar *prefix = g_strdup_printf("%s: cannot connect: ", url);
	g_autofree gchar *file = perform("file:///etc/hostname");

	g_assert_true(g_str_has_prefix(refused, prefix));
	g_assert_true(g_str_has_prefix(file, "file:///etc/hostname: not an http or https URL: "));
}

/* Secrets never reach a message: a user, a password and a query are
 * replaced; the rest of the URL stays to say which tracker it was. */
static void
test_redact(void)
{
	struct {
		const gchar *url;
		const gchar *shown;
	} cases[] = {
		{"https://tracker.example/api", "https://tracker.example/api"},
		{"https://gate:pw@tracker.example/api", "https://***@tracker.example/api"},
		{"https://gate@tracker.example:8443/api", "https://***@tracker.example:8443/api"},
		{"http://tracker.example/api?key=abc", "http://tracker.example/api?***"},
		{"not a url", "(not a URL)"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *shown = sg_curl_redact_url(cases[i].url);
		g_assert_cmpstr(shown, ==, cases[i].shown);
	}
	g_assert_true(sg_curl_url_has_userinfo("https://gate:pw@tracker.example/"));
	g_assert_true(sg_curl_url_has_userinfo("https://gate@tracker.example/"));
	g_assert_false(sg_curl_url_has_userinfo("https://tracker.example/?user=x"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/curl/error-mapping", test_error_mapping);
	g_test_add_func("/curl/real-failures", test_real_failures);
	g_test_add_func("/curl/redact", test_redact);
	return g_test_run();
}
