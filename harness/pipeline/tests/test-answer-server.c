#include <curl/curl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "sg-answer-server.h"
#include "sg-error.h"

#define PRESEED "d-i debian-installer/locale string en_US\nd-i netcfg/enable boolean false\n"

/* A raw client on the main loop: it connects, writes @request as it is
 * (complete or not), then reads until the server closes. */
typedef struct {
	GSocketConnection *connection;
	gchar *request;
	gsize request_len;
	GString *response;
	guint8 buffer[4096];
	gboolean done;
	gint64 closed_at;
} Exchange;

static void
exchange_free(Exchange *x)
{
	g_clear_object(&x->connection);
	g_free(x->request);
	g_string_free(x->response, TRUE);
	g_free(x);
}

static void
exchange_read_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	Exchange *x = data;
	g_autoptr(GError) error = NULL;
	gssize got = g_input_stream_read_finish(G_INPUT_STREAM(source), result, &error);

	if (got <= 0) {
		x->done = TRUE;
		x->closed_at = g_get_monotonic_time();
		return;
	}
	g_string_append_len(x->response, (const gchar *)x->buffer, got);
	g_input_stream_read_async(G_INPUT_STREAM(source), x->buffer, sizeof(x->buffer),
				  G_PRIORITY_DEFAULT, NULL, exchange_read_cb, x);
}

static void
exchange_written_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	Exchange *x = data;
	g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), result, NULL, NULL);
	g_input_stream_read_async(g_io_stream_get_input_stream(G_IO_STREAM(x->connection)),
				  x->buffer, sizeof(x->buffer), G_PRIORITY_DEFAULT, NULL,
				  exchange_read_cb, x);
}

static void
exchange_connected_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	Exchange *x = data;
	g_autoptr(GError) error = NULL;

	x->connection =
		g_socket_client_connect_to_host_finish(G_SOCKET_CLIENT(source), result, &error);
	g_assert_no_error(error);
	g_output_stream_write_all_async(g_io_stream_get_output_stream(G_IO_STREAM(x->connection)),
					x->request, x->request_len, G_PRIORITY_DEFAULT, NULL,
					exchange_written_cb, x);
}

static Exchange *
exchange_start(SgAnswerServer *server, const gchar *request, gsize len)
{
	Exchange *x = g_new0(Exchange, 1);
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autofree gchar *host = sg_answer_server_host_address(server);

	x->request = g_memdup2(request, len);
	x->request_len = len;
	x->response = g_string_new(NULL);
	g_socket_client_connect_to_host_async(client, host, 0, NULL, exchange_connected_cb, x);
	return x;
}

static void
wait_for(Exchange **xs, guint n)
{
	gint64 deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
	for (;;) {
		gboolean all = TRUE;
		for (guint i = 0; i < n; i++)
			all &= xs[i]->done;
		if (all)
			return;
		g_assert_cmpint(g_get_monotonic_time(), <, deadline);
		g_main_context_iteration(NULL, TRUE);
	}
}

static gchar *
exchange(SgAnswerServer *server, const gchar *request)
{
	Exchange *x = exchange_start(server, request, strlen(request));
	gchar *response;
	wait_for(&x, 1);
	response = g_strdup(x->response->str);
	exchange_free(x);
	return response;
}

static const SgAnswerRequest *
last_request(SgAnswerServer *server)
{
	GPtrArray *requests = sg_answer_server_get_requests(server);
	g_assert_cmpuint(requests->len, >, 0);
	return g_ptr_array_index(requests, requests->len - 1);
}

static SgAnswerServer *
new_server(void)
{
	g_autoptr(GError) error = NULL;
	SgAnswerServer *server = sg_answer_server_new(NULL, &error);
	g_assert_no_error(error);
	g_assert_true(
		sg_answer_server_add_data(server, "preseed.cfg", PRESEED, strlen(PRESEED), &error));
	g_assert_no_error(error);
	return server;
}

/* libcurl, as a real HTTP client, in a thread: the server answers on the
 * main loop, which the test keeps turning. */
typedef struct {
	gchar *url;
	gboolean head;
	glong status;
	GString *body;
	gboolean done;
} CurlJob;

static size_t
curl_write(char *data, size_t size, size_t n, void *user)
{
	g_string_append_len(user, data, (gssize)(size * n));
	return size * n;
}

static gpointer
curl_thread(gpointer data)
{
	CurlJob *job = data;
	CURL *curl = curl_easy_init();

	curl_easy_setopt(curl, CURLOPT_URL, job->url);
	curl_easy_setopt(curl, CURLOPT_NOBODY, (long)job->head);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, curl_write);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, job->body);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
	g_assert_cmpint(curl_easy_perform(curl), ==, CURLE_OK);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &job->status);
	curl_easy_cleanup(curl);
	g_atomic_int_set(&job->done, TRUE);
	g_main_context_wakeup(NULL);
	return NULL;
}

static void
curl_get(const gchar *url, gboolean head, glong *status, GString *body)
{
	CurlJob job = {.url = (gchar *)url, .head = head, .body = body};
	GThread *thread = g_thread_new("curl", curl_thread, &job);
	while (!g_atomic_int_get(&job.done))
		g_main_context_iteration(NULL, TRUE);
	g_thread_join(thread);
	*status = job.status;
}

static void
test_get(void)
{
	g_autoptr(SgAnswerServer) server = new_server();
	g_autofree gchar *url = sg_answer_server_host_url(server, "preseed.cfg");
	g_autoptr(GString) body = g_string_new(NULL);
	g_autoptr(GString) empty = g_string_new(NULL);
	g_autofree gchar *path = sg_answer_server_path(server, "preseed.cfg");
	const SgAnswerRequest *request;
	glong status = 0;
	gint64 before = g_get_monotonic_time();

	curl_get(url, FALSE, &status, body);
	g_assert_cmpint(status, ==, 200);
	g_assert_cmpstr(body->str, ==, PRESEED);
	request = last_request(server);
	g_assert_cmpstr(request->method, ==, "GET");
	g_assert_cmpstr(request->path, ==, path);
	g_assert_cmpuint(request->status, ==, 200);
	g_assert_cmpuint(request->bytes, ==, strlen(PRESEED));
	g_assert_cmpint(request->monotonic_us, >=, before);
	g_assert_nonnull(request->time);
	g_assert_true(g_str_has_prefix(request->peer, "127.0.0.1:"));

	curl_get(url, TRUE, &status, empty);
	g_assert_cmpint(status, ==, 200);
	g_assert_cmpuint(empty->len, ==, 0);
	g_assert_cmpstr(last_request(server)->method, ==, "HEAD");
	g_assert_cmpuint(last_request(server)->bytes, ==, 0);
	g_assert_cmpuint(sg_answer_server_get_requests(server)->len, ==, 2);
}

static void
test_raw_response(void)
{
	g_autoptr(SgAnswerServer) server = new_server();
	g_autofree gchar *path = sg_answer_server_path(server, "preseed.cfg");
	g_autofree gchar *request = g_strdup_printf("GET %s HTTP/1.0\r\n\r\n", path);
	g_autofree gchar *response = exchange(server, request);
	g_autofree gchar *expected =
		g_strdup_printf("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
				"Content-Length: %zu\r\nCache-Control: no-store\r\n"
				"Connection: close\r\n\r\n%s",
				strlen(PRESEED), PRESEED);

	/* One request per connection: the server closed it after answering. */
	g_assert_cmpstr(response, ==, expected);
}

static void
test_not_found(void)
{
	g_autoptr(SgAnswerServer) server = new_server();
	g_autofree gchar *other = g_strdup_printf("GET /%s/other.cfg HTTP/1.1\r\nHost: x\r\n\r\n",
						  sg_answer_server_get_token(server));
	const gchar *requests[] = {
		"GET /preseed.cfg HTTP/1.1\r\n\r\n",
		"GET /00000000000000000000000000000000/preseed.cfg HTTP/1.1\r\n\r\n",
		other,
	};

	for (guint i = 0; i < G_N_ELEMENTS(requests); i++) {
		g_autofree gchar *response = exchange(server, requests[i]);
		g_assert_true(g_str_has_prefix(response, "HTTP/1.1 404 Not Found\r\n"));
		g_assert_cmpuint(last_request(server)->status, ==, 404);
		g_assert_cmpuint(last_request(server)->bytes, ==, 0);
	}
}

static void
test_method(void)
{
	g_autoptr(SgAnswerServer) server = new_server();
	g_autofree gchar *path = sg_answer_server_path(server, "preseed.cfg");
	g_autofree gchar *post =
		g_strdup_printf("POST %s HTTP/1.1\r\nContent-Length: 0\r\n\r\n", path);
	g_autofree gchar *response = exchange(server, post);
	g_autofree gchar *garbage = exchange(server, "no request here\r\n\r\n");

	g_assert_true(g_str_has_prefix(response, "HTTP/1.1 405 Method Not Allowed\r\n"));
	g_assert_nonnull(strstr(response, "\r\nAllow: GET, HEAD\r\n"));
	g_assert_true(g_str_has_prefix(garbage, "HTTP/1.1 400 Bad Request\r\n"));
	g_assert_cmpuint(last_request(server)->status, ==, 400);
}

/* A client that never finishes its request gets 408 when the read timeout
 * runs out, and others are served meanwhile: the loop never waits on it. */
static void
test_slow_client(void)
{
	g_autoptr(SgAnswerServer) server = new_server();
	g_autofree gchar *path = sg_answer_server_path(server, "preseed.cfg");
	g_autofree gchar *fast = g_strdup_printf("GET %s HTTP/1.1\r\n\r\n", path);
	Exchange *slow, *quick;
	gint64 start;
	guint slow_status = 0;

	sg_answer_server_set_read_timeout(server, 500);
	start = g_get_monotonic_time();
	slow = exchange_start(server, "GET /half-a-requ", 16);
	quick = exchange_start(server, fast, strlen(fast));
	wait_for(&quick, 1);
	g_assert_true(g_str_has_prefix(quick->response->str, "HTTP/1.1 200 OK"));
	g_assert_false(slow->done);
	wait_for(&slow, 1);
	g_assert_true(g_str_has_prefix(slow->response->str, "HTTP/1.1 408 Request Timeout"));
	g_assert_cmpint(slow->closed_at - start, >=, 450 * 1000);
	g_assert_cmpint(slow->closed_at - start, <, 5 * G_USEC_PER_SEC);
	for (guint i = 0; i < sg_answer_server_get_requests(server)->len; i++) {
		const SgAnswerRequest *r =
			g_ptr_array_index(sg_answer_server_get_requests(server), i);
		if (r->status == 408)
			slow_status = r->status;
	}
	g_assert_cmpuint(slow_status, ==, 408);
	exchange_free(slow);
	exchange_free(quick);
}

static void
test_huge_request(void)
{
	g_autoptr(SgAnswerServer) server = new_server();
	/* 9000 bytes: past the limit, and all read by the server before it
	 * answers, so its close does not reset the connection. */
	g_autofree gchar *line = g_strnfill(9000, 'a');
	g_autofree gchar *headers = NULL;
	g_autofree gchar *long_line = NULL;
	g_autofree gchar *long_headers = NULL;

	memcpy(line, "GET /", 5);
	long_line = exchange(server, line);
	g_assert_true(g_str_has_prefix(long_line, "HTTP/1.1 414 URI Too Long\r\n"));
	g_assert_null(last_request(server)->path);

	headers = g_strnfill(9000, 'h');
	memcpy(headers, "GET / HTTP/1.1\r\nX: ", 19);
	long_headers = exchange(server, headers);
	g_assert_true(
		g_str_has_prefix(long_headers, "HTTP/1.1 431 Request Header Fields Too Large\r\n"));
}

static void
test_concurrent(void)
{
	g_autoptr(SgAnswerServer) server = new_server();
	g_autofree gchar *path = sg_answer_server_path(server, "preseed.cfg");
	g_autofree gchar *request = g_strdup_printf("GET %s HTTP/1.1\r\n\r\n", path);
	Exchange *xs[20];

	for (guint i = 0; i < G_N_ELEMENTS(xs); i++)
		xs[i] = exchange_start(server, request, strlen(request));
	wait_for(xs, G_N_ELEMENTS(xs));
	for (guint i = 0; i < G_N_ELEMENTS(xs); i++) {
		g_assert_true(g_str_has_suffix(xs[i]->response->str, PRESEED));
		exchange_free(xs[i]);
	}
	g_assert_cmpuint(sg_answer_server_get_requests(server)->len, ==, G_N_ELEMENTS(xs));
}

static void
test_loopback_only(void)
{
	const gchar *refused[] = {"10.0.2.2", "0.0.0.0", "192.168.1.1", "not an address"};
	g_autoptr(GError) error = NULL;
	g_autoptr(SgAnswerServer) other = NULL;
	g_autofree gchar *other_host = NULL;
	g_autoptr(SgAnswerServer) first = new_server();
	g_autoptr(SgAnswerServer) second = new_server();

	for (guint i = 0; i < G_N_ELEMENTS(refused); i++) {
		SgAnswerServer *server = sg_answer_server_new(refused[i], &error);
		g_assert_null(server);
		g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);
		g_clear_error(&error);
	}
	other = sg_answer_server_new("127.0.0.2", &error);
	g_assert_no_error(error);
	other_host = sg_answer_server_host_address(other);
	g_assert_true(g_str_has_prefix(other_host, "127.0.0.2:"));
	/* Each server its own ephemeral port and its own token. */
	g_assert_cmpuint(sg_answer_server_get_port(first), !=, 0);
	g_assert_cmpuint(sg_answer_server_get_port(first), !=, sg_answer_server_get_port(second));
	g_assert_cmpstr(sg_answer_server_get_token(first), !=, sg_answer_server_get_token(second));
	g_assert_cmpuint(strlen(sg_answer_server_get_token(first)), ==, 32);
}

static void
test_files(void)
{
	g_autoptr(SgAnswerServer) server = new_server();
	g_autofree gchar *dir = g_dir_make_tmp("sg-answer-XXXXXX", NULL);
	g_autofree gchar *text = g_build_filename(dir, "ok.seed", NULL);
	g_autofree gchar *binary = g_build_filename(dir, "binary", NULL);
	g_autofree gchar *big = g_build_filename(dir, "big", NULL);
	g_autofree gchar *big_contents = g_strnfill(SG_ANSWER_SERVER_MAX_FILE + 1, 'x');
	g_autoptr(GError) error = NULL;

	g_assert_true(g_file_set_contents(text, "#cloud-config\n", -1, NULL));
	g_assert_true(g_file_set_contents(binary, "a\0b", 3, NULL));
	g_assert_true(g_file_set_contents(big, big_contents, -1, NULL));

	g_assert_true(sg_answer_server_add_file(server, "user-data", text, &error));
	g_assert_no_error(error);
	g_assert_false(sg_answer_server_add_file(server, "x", binary, &error));
	g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);
	g_assert_nonnull(strstr(error->message, "not text"));
	g_clear_error(&error);
	g_assert_false(sg_answer_server_add_file(server, "x", big, &error));
	g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);
	g_clear_error(&error);
	g_assert_false(sg_answer_server_add_file(server, "x", dir, &error));
	g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);
	g_clear_error(&error);
	g_assert_false(sg_answer_server_add_data(server, "a/b", "x", 1, &error));
	g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);
	g_clear_error(&error);
	g_assert_false(sg_answer_server_add_data(server, "bad", "\xff\xfe", 2, &error));
	g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);

	g_unlink(text);
	g_unlink(binary);
	g_unlink(big);
	g_rmdir(dir);
	{
		/* Read once: the file is served after it is gone. */
		g_autofree gchar *path = sg_answer_server_path(server, "user-data");
		g_autofree gchar *request = g_strdup_printf("GET %s HTTP/1.1\r\n\r\n", path);
		g_autofree gchar *response = exchange(server, request);
		g_assert_true(g_str_has_suffix(response, "\r\n\r\n#cloud-config\n"));
	}
}

static void
test_urls(void)
{
	g_autoptr(SgAnswerServer) server = new_server();
	const gchar *token = sg_answer_server_get_token(server);
	g_autofree gchar *guest =
		sg_answer_server_guest_url(server, "10.0.2.101", 80, "preseed.cfg");
	g_autofree gchar *guest_port =
		sg_answer_server_guest_url(server, "10.0.2.101", 8080, "preseed.cfg");
	g_autofree gchar *fwd = sg_answer_server_guestfwd(server, "10.0.2.101", 80);
	g_autofree gchar *want_guest = g_strdup_printf("http://10.0.2.101/%s/preseed.cfg", token);
	g_autofree gchar *want_port =
		g_strdup_printf("http://10.0.2.101:8080/%s/preseed.cfg", token);
	g_autofree gchar *want_fwd = g_strdup_printf("tcp:10.0.2.101:80-tcp:127.0.0.1:%u",
						     sg_answer_server_get_port(server));

	g_assert_cmpstr(guest, ==, want_guest);
	g_assert_cmpstr(guest_port, ==, want_port);
	g_assert_cmpstr(fwd, ==, want_fwd);
}

static void
test_stop(void)
{
	g_autoptr(SgAnswerServer) server = new_server();
	g_autoptr(GSocketClient) client = g_socket_client_new();
	g_autofree gchar *host = sg_answer_server_host_address(server);
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocketConnection) connection = NULL;
	Exchange *pending = exchange_start(server, "GET /", 5);

	/* Let the pending client connect, then stop: it is dropped, and
	 * nothing listens any more. */
	while (sg_answer_server_get_requests(server)->len == 0 && pending->connection == NULL)
		g_main_context_iteration(NULL, TRUE);
	sg_answer_server_stop(server);
	wait_for(&pending, 1);
	exchange_free(pending);
	connection = g_socket_client_connect_to_host(client, host, 0, NULL, &error);
	g_assert_null(connection);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

int
main(int argc, char **argv)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/answer-server/get", test_get);
	g_test_add_func("/answer-server/raw-response", test_raw_response);
	g_test_add_func("/answer-server/not-found", test_not_found);
	g_test_add_func("/answer-server/method", test_method);
	g_test_add_func("/answer-server/slow-client", test_slow_client);
	g_test_add_func("/answer-server/huge-request", test_huge_request);
	g_test_add_func("/answer-server/concurrent", test_concurrent);
	g_test_add_func("/answer-server/loopback-only", test_loopback_only);
	g_test_add_func("/answer-server/files", test_files);
	g_test_add_func("/answer-server/urls", test_urls);
	g_test_add_func("/answer-server/stop", test_stop);
	return g_test_run();
}
