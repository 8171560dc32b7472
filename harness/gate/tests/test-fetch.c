/* sg-fetch against real servers on loopback: one nginx (HTTP and HTTPS with a
 * certificate made here) for what a good mirror does, and a small server in
 * this file for what a bad one does (stall, close early, ignore ranges). */
#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loopback-server.h"
#include "sg-error.h"
#include "sg-fetch.h"

typedef struct {
	gchar *dir; /* everything: config, logs, certificate, docroot, downloads */
	gchar *www;
	gchar *cert;
	gchar *access_log;
	GPid nginx;
	guint16 http_port;
	guint16 https_port;
	SgLoopbackServer bad_server; /* the misbehaving server below */
	GBytes *image;		     /* /pub/image.iso */
	GBytes *second;		     /* /pub/second.iso */
	GBytes *bad;		     /* /pub/bad.iso, listed with a wrong checksum */
} Lab;

static Lab lab;

static gchar *
sha256_of(GBytes *bytes)
{
	return g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, bytes);
}

/* Not compressible and not repeating, so a byte in the wrong place shows. */
static GBytes *
make_data(guint32 seed, gsize size)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(seed);
	guint32 *data = g_malloc(size);

	for (gsize i = 0; i < size / 4; i++)
		data[i] = g_rand_int(rand);
	return g_bytes_new_take(data, size);
}

static void
write_file(const gchar *path, GBytes *bytes)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *folder = g_path_get_dirname(path);

	g_assert_cmpint(g_mkdir_with_parents(folder, 0755), ==, 0);
	g_file_set_contents(path, g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes), &error);
	g_assert_no_error(error);
}

static void
write_text(const gchar *path, const gchar *text)
{
	g_autoptr(GBytes) bytes = g_bytes_new(text, strlen(text));

	write_file(path, bytes);
}

static void
assert_file_is(const gchar *path, GBytes *expected)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *contents = NULL;
	gsize len = 0;

	g_file_get_contents(path, &contents, &len, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(len, ==, g_bytes_get_size(expected));
	g_assert_true(memcmp(contents, g_bytes_get_data(expected, NULL), len) == 0);
}

/* The error first, so a failure shows its message. */
static void
assert_fetch(const gchar *url, const gchar *dest, const SgFetchOptions *options)
{
	g_autoptr(GError) error = NULL;
	gboolean ok = sg_fetch_file(url, dest, options, NULL, &error);

	g_assert_no_error(error);
	g_assert_true(ok);
}

/* A port nothing listens on now; the server started next takes it. */
static guint16
free_port(void)
{
	g_autoptr(GSocket) socket = NULL;
	g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) any = g_inet_socket_address_new(loopback, 0);
	g_autoptr(GSocketAddress) bound = NULL;
	g_autoptr(GError) error = NULL;

	socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
			      &error);
	g_assert_no_error(error);
	g_socket_bind(socket, any, FALSE, &error);
	g_assert_no_error(error);
	bound = g_socket_get_local_address(socket, &error);
	g_assert_no_error(error);
	return g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
}

static gchar *
url_for(const gchar *scheme, guint16 port, const gchar *path)
{
	return g_strdup_printf("%s://127.0.0.1:%u%s", scheme, port, path);
}

/* A fresh download folder per test. */
static gchar *
out_path(const gchar *name)
{
	g_autofree gchar *folder = g_build_filename(lab.dir, "out", NULL);
	static guint serial = 0;
	g_autofree gchar *sub = g_strdup_printf("%u", ++serial);
	gchar *path = g_build_filename(folder, sub, name, NULL);
	g_autofree gchar *parent = g_path_get_dirname(path);

	g_assert_cmpint(g_mkdir_with_parents(parent, 0755), ==, 0);
	return path;
}

static gboolean
access_log_has(const gchar *line)
{
	g_autofree gchar *log = NULL;
	g_auto(GStrv) lines = NULL;

	if (!g_file_get_contents(lab.access_log, &log, NULL, NULL))
		return FALSE;
	lines = g_strsplit(log, "\n", -1);
	return g_strv_contains((const gchar *const *)lines, line);
}

static gdouble
seconds_since(gint64 start)
{
	return (g_get_monotonic_time() - start) / (gdouble)G_USEC_PER_SEC;
}

/* --- the misbehaving server ------------------------------------------------
 * GET /stall/...      headers for 1 MiB, 100 bytes, then nothing
 * GET /truncate/PATH  the docroot's PATH announced whole, closed after half
 * GET /norange/PATH   the docroot's PATH whole with 200, whatever the Range */

static gboolean
bad_on_run(GThreadedSocketService *service, GSocketConnection *connection, GObject *source,
	   gpointer user_data)
{
	GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(connection));
	GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(connection));
	gchar request[4096] = "";
	gchar path[1024] = "";
	gsize have = 0;
	g_autoptr(GBytes) body = NULL;
	g_autofree gchar *headers = NULL;
	gsize send;

	while (strstr(request, "\r\n\r\n") == NULL && have < sizeof(request) - 1) {
		gssize got = g_input_stream_read(in, request + have, sizeof(request) - 1 - have,
						 NULL, NULL);
		if (got <= 0)
			return TRUE;
		have += got;
		request[have] = '\0';
	}
	if (sscanf(request, "GET %1023s ", path) != 1)
		return TRUE;

	if (g_str_has_prefix(path, "/stall/")) {
		gchar byte;
		gchar few[100];

		memset(few, 'x', sizeof(few));
		headers = g_strdup("HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n");
		g_output_stream_write_all(out, headers, strlen(headers), NULL, NULL, NULL);
		g_output_stream_write_all(out, few, sizeof(few), NULL, NULL, NULL);
		/* until the client gives up and closes */
		while (g_input_stream_read(in, &byte, 1, NULL, NULL) > 0)
			;
		return TRUE;
	}
	if (g_str_has_prefix(path, "/truncate/") || g_str_has_prefix(path, "/norange/")) {
		g_autofree gchar *file = g_build_filename(lab.www, strchr(path + 1, '/'), NULL);
		gchar *contents = NULL;
		gsize len = 0;

		if (!g_file_get_contents(file, &contents, &len, NULL))
			return TRUE;
		body = g_bytes_new_take(contents, len);
		headers = g_strdup_printf("HTTP/1.1 200 OK\r\nContent-Length: %" G_GSIZE_FORMAT
					  "\r\nConnection: close\r\n\r\n",
					  len);
		send = g_str_has_prefix(path, "/truncate/") ? len / 2 : len;
		g_output_stream_write_all(out, headers, strlen(headers), NULL, NULL, NULL);
		g_output_stream_write_all(out, contents, send, NULL, NULL, NULL);
		g_output_stream_flush(out, NULL, NULL);
		return TRUE;
	}
	headers = g_strdup("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
	g_output_stream_write_all(out, headers, strlen(headers), NULL, NULL, NULL);
	return TRUE;
}

/* --- nginx ---------------------------------------------------------------- */

static void
nginx_child_setup(gpointer user_data)
{
	/* a test that aborts must not leave a server behind */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
}

static gchar *
find_program(const gchar *name)
{
	g_autofree gchar *sbin = g_build_filename("/usr/sbin", name, NULL);
	gchar *found = g_find_program_in_path(name);

	/* /usr/sbin is not in every user's PATH */
	if (found == NULL && g_file_test(sbin, G_FILE_TEST_IS_EXECUTABLE))
		found = g_steal_pointer(&sbin);
	return found;
}

static gboolean
lab_make_certificate(GError **error)
{
	g_autofree gchar *openssl = find_program("openssl");
	g_autofree gchar *key = g_build_filename(lab.dir, "key.pem", NULL);
	g_autofree gchar *err = NULL;
	gint status = 0;

	if (openssl == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "openssl not found: install the Debian package openssl");
		return FALSE;
	}
	lab.cert = g_build_filename(lab.dir, "cert.pem", NULL);
	{
		const gchar *argv[] = {openssl,
				       "req",
				       "-x509",
				       "-newkey",
				       "ec",
				       "-pkeyopt",
				       "ec_paramgen_curve:prime256v1",
				       "-nodes",
				       "-days",
				       "2",
				       "-subj",
				       "/CN=127.0.0.1",
				       "-addext",
				       "subjectAltName=IP:127.0.0.1",
				       "-keyout",
				       key,
				       "-out",
				       lab.cert,
				       NULL};
		if (!g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
				  NULL, NULL, &err, &status, error))
			return FALSE;
	}
	if (!g_spawn_check_wait_status(status, error)) {
		g_prefix_error(error, "openssl req: %s: ", err);
		return FALSE;
	}
	return TRUE;
}

static gboolean
lab_start_nginx(GError **error)
{
	g_autofree gchar *nginx = find_program("nginx");
	g_autofree gchar *conf = g_build_filename(lab.dir, "nginx.conf", NULL);
	g_autofree gchar *error_log = g_build_filename(lab.dir, "error.log", NULL);
	g_autofree gchar *text = NULL;
	gint64 deadline;

	if (nginx == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "nginx not found: install the Debian package nginx-light");
		return FALSE;
	}
	lab.http_port = free_port();
	lab.https_port = free_port();
	lab.access_log = g_build_filename(lab.dir, "access.log", NULL);
	/* Everything nginx writes stays under the test's folder, so it runs as
	 * any user. One process (master_process off), so the parent-death signal
	 * stops all of it. "user root" only as root, where it is allowed: a root
	 * nginx with workers would otherwise serve as nobody, who cannot read the
	 * test's 0700 folder. */
	text = g_strdup_printf("%s"
			       "master_process off;\n"
			       "worker_processes 1;\n"
			       "pid %s/nginx.pid;\n"
			       "error_log %s info;\n"
			       "events { worker_connections 64; }\n"
			       "http {\n"
			       "  default_type application/octet-stream;\n"
			       "  log_format sg '$status $request_method $uri $http_range';\n"
			       "  access_log %s sg;\n"
			       "  client_body_temp_path %s/tmp-body;\n"
			       "  proxy_temp_path %s/tmp-proxy;\n"
			       "  fastcgi_temp_path %s/tmp-fastcgi;\n"
			       "  uwsgi_temp_path %s/tmp-uwsgi;\n"
			       "  scgi_temp_path %s/tmp-scgi;\n"
			       "  server { listen 127.0.0.1:%u; root %s; }\n"
			       "  server {\n"
			       "    listen 127.0.0.1:%u ssl;\n"
			       "    ssl_certificate %s;\n"
			       "    ssl_certificate_key %s/key.pem;\n"
			       "    root %s;\n"
			       "  }\n"
			       "}\n",
			       geteuid() == 0 ? "user root;\n" : "", lab.dir, error_log,
			       lab.access_log, lab.dir, lab.dir, lab.dir, lab.dir, lab.dir,
			       lab.http_port, lab.www, lab.https_port, lab.cert, lab.dir, lab.www);
	if (!g_file_set_contents(conf, text, -1, error))
		return FALSE;
	{
		const gchar *argv[] = {nginx, "-c", conf, "-p", lab.dir, "-g", "daemon off;", NULL};
		if (!g_spawn_async(NULL, (gchar **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
				   nginx_child_setup, NULL, &lab.nginx, error))
			return FALSE;
	}

	deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	while (g_get_monotonic_time() < deadline) {
		g_autoptr(GSocketClient) client = g_socket_client_new();
		g_autoptr(GSocketConnection) http = NULL;
		g_autoptr(GSocketConnection) https = NULL;
		int status;

		if (waitpid(lab.nginx, &status, WNOHANG) == lab.nginx) {
			g_autofree gchar *log = NULL;

			lab.nginx = 0;
			g_file_get_contents(error_log, &log, NULL, NULL);
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
				    "nginx exited at start: %s",
				    log != NULL ? log : "(no error.log)");
			return FALSE;
		}
		http = g_socket_client_connect_to_host(client, "127.0.0.1", lab.http_port, NULL,
						       NULL);
		https = g_socket_client_connect_to_host(client, "127.0.0.1", lab.https_port, NULL,
							NULL);
		if (http != NULL && https != NULL)
			return TRUE;
		g_usleep(20 * 1000);
	}
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "nginx did not listen within 10 s");
	return FALSE;
}

static gboolean
lab_set_up(GError **error)
{
	g_autofree gchar *sha_image = NULL;
	g_autofree gchar *sha_lower = NULL;
	g_autofree gchar *sha_second = NULL;
	g_autofree gchar *sha_small = NULL;
	g_autofree gchar *sums = NULL;
	g_autofree gchar *path = NULL;
	g_autoptr(GBytes) small = g_bytes_new_static("small file\n", 11);

	lab.dir = g_dir_make_tmp("sg-fetch-XXXXXX", error);
	if (lab.dir == NULL)
		return FALSE;
	lab.www = g_build_filename(lab.dir, "www", NULL);
	lab.image = make_data(1, 4 * 1024 * 1024);
	lab.second = make_data(2, 3 * 1024 * 1024);
	lab.bad = make_data(3, 64 * 1024);

	path = g_build_filename(lab.www, "pub", "image.iso", NULL);
	write_file(path, lab.image);
	g_free(path);
	path = g_build_filename(lab.www, "pub", "second.iso", NULL);
	write_file(path, lab.second);
	g_free(path);
	path = g_build_filename(lab.www, "pub", "bad.iso", NULL);
	write_file(path, lab.bad);
	g_free(path);
	path = g_build_filename(lab.www, "pub", "unlisted.iso", NULL);
	write_file(path, small);
	g_free(path);
	path = g_build_filename(lab.www, "pub", "small.txt", NULL);
	write_file(path, small);
	g_free(path);
	path = g_build_filename(lab.www, "nosums", "image.iso", NULL);
	write_file(path, lab.image);
	g_free(path);

	/* both GNU forms, upper case for one, and a wrong entry for bad.iso */
	sha_image = sha256_of(lab.image);
	sha_lower = sha256_of(lab.second);
	sha_second = g_ascii_strup(sha_lower, -1);
	sha_small = sha256_of(small);
	sums = g_strdup_printf("%s *image.iso\n%s  second.iso\n%s  small.txt\n%s  bad.iso\n",
			       sha_image, sha_second, sha_small, sha_image);
	path = g_build_filename(lab.www, "pub", "SHA256SUMS", NULL);
	write_text(path, sums);

	if (!lab_make_certificate(error) || !lab_start_nginx(error))
		return FALSE;

	sg_loopback_server_init(&lab.bad_server, 8, G_CALLBACK(bad_on_run), NULL);
	sg_loopback_server_start(&lab.bad_server);
	return TRUE;
}

static void
lab_tear_down(void)
{
	g_autofree gchar *cmd = NULL;

	if (lab.nginx > 0) {
		kill(lab.nginx, SIGTERM);
		waitpid(lab.nginx, NULL, 0);
		g_spawn_close_pid(lab.nginx);
	}
	if (lab.bad_server.on_run != NULL)
		sg_loopback_server_clear(&lab.bad_server);
	if (lab.dir != NULL && g_getenv("SG_FETCH_KEEP") == NULL) {
		cmd = g_strdup_printf("rm -rf '%s'", lab.dir);
		g_assert_cmpint(system(cmd), ==, 0);
	}
	g_clear_pointer(&lab.image, g_bytes_unref);
	g_clear_pointer(&lab.second, g_bytes_unref);
	g_clear_pointer(&lab.bad, g_bytes_unref);
}

/* --- the tests ------------------------------------------------------------ */

static void
test_full(void)
{
	g_autofree gchar *url = url_for("http", lab.http_port, "/pub/image.iso");
	g_autofree gchar *dest = out_path("image.iso");
	g_autofree gchar *part = g_strconcat(dest, ".part", NULL);
	g_autofree gchar *published = NULL;
	g_autofree gchar *expected = sha256_of(lab.image);
	g_autoptr(GError) error = NULL;

	assert_fetch(url, dest, NULL);
	assert_file_is(dest, lab.image);
	g_assert_false(g_file_test(part, G_FILE_TEST_EXISTS));
	g_assert_true(access_log_has("200 GET /pub/image.iso -"));

	published = sg_fetch_published_sha256(url, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(published, ==, expected);
	g_assert_true(sg_fetch_verify_sha256(dest, published, &error));
	g_assert_no_error(error);
}

static void
test_published_forms(void)
{
	g_autofree gchar *url = url_for("http", lab.http_port, "/pub/second.iso?mirror=1#x");
	g_autofree gchar *expected = sha256_of(lab.second);
	g_autofree gchar *published = NULL;
	g_autoptr(GError) error = NULL;

	/* "HASH  name" in upper case, and a query that is no part of the folder */
	published = sg_fetch_published_sha256(url, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(published, ==, expected);
}

static void
test_resume(void)
{
	g_autofree gchar *url = url_for("http", lab.http_port, "/pub/image.iso");
	g_autofree gchar *dest = out_path("image.iso");
	g_autofree gchar *part = g_strconcat(dest, ".part", NULL);
	gsize half = g_bytes_get_size(lab.image) / 2;
	g_autoptr(GBytes) first = g_bytes_new_from_bytes(lab.image, 0, half);
	g_autofree gchar *logged =
		g_strdup_printf("206 GET /pub/image.iso bytes=%" G_GSIZE_FORMAT "-", half);
	g_autoptr(GError) error = NULL;

	write_file(part, first);
	assert_fetch(url, dest, NULL);
	g_assert_true(access_log_has(logged));
	assert_file_is(dest, lab.image);
	g_assert_false(g_file_test(part, G_FILE_TEST_EXISTS));
}

static void
test_part_complete(void)
{
	g_autofree gchar *url = url_for("http", lab.http_port, "/pub/image.iso");
	g_autofree gchar *dest = out_path("image.iso");
	g_autofree gchar *part = g_strconcat(dest, ".part", NULL);
	g_autofree gchar *logged = g_strdup_printf(
		"416 GET /pub/image.iso bytes=%" G_GSIZE_FORMAT "-", g_bytes_get_size(lab.image));
	g_autoptr(GError) error = NULL;

	/* killed between the last byte and the rename */
	write_file(part, lab.image);
	assert_fetch(url, dest, NULL);
	g_assert_true(access_log_has(logged));
	assert_file_is(dest, lab.image);
}

static void
test_part_too_long(void)
{
	g_autofree gchar *url = url_for("http", lab.http_port, "/pub/small.txt");
	g_autofree gchar *dest = out_path("small.txt");
	g_autofree gchar *part = g_strconcat(dest, ".part", NULL);
	g_autoptr(GBytes) small = g_bytes_new_static("small file\n", 11);
	g_autoptr(GError) error = NULL;

	/* the file on the mirror was replaced by a shorter one: 416, start again */
	write_text(part, "an older and longer small file\n");
	assert_fetch(url, dest, NULL);
	assert_file_is(dest, small);
}

static void
test_range_ignored(void)
{
	g_autofree gchar *url = url_for("http", lab.bad_server.port, "/norange/pub/second.iso");
	g_autofree gchar *dest = out_path("second.iso");
	g_autofree gchar *part = g_strconcat(dest, ".part", NULL);
	g_autoptr(GError) error = NULL;

	/* garbage that would corrupt the file if the 200 were appended to it */
	write_text(part, "not the start of second.iso");
	assert_fetch(url, dest, NULL);
	assert_file_is(dest, lab.second);
}

static void
test_not_found(void)
{
	g_autofree gchar *url = url_for("http", lab.http_port, "/pub/missing.iso");
	g_autofree gchar *dest = out_path("missing.iso");
	g_autofree gchar *part = g_strconcat(dest, ".part", NULL);
	g_autoptr(GError) error = NULL;

	g_assert_false(sg_fetch_file(url, dest, NULL, NULL, &error));
	g_assert_error(error, SG_ERROR, SG_ERROR_FETCH);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, "HTTP 404"));
	g_assert_nonnull(strstr(error->message, url));
	g_assert_null(strchr(error->message, '\n'));
	g_assert_false(g_file_test(dest, G_FILE_TEST_EXISTS));
	g_assert_false(g_file_test(part, G_FILE_TEST_EXISTS));
}

static void
test_wrong_checksum(void)
{
	g_autofree gchar *url = url_for("http", lab.http_port, "/pub/bad.iso");
	g_autofree gchar *dest = out_path("bad.iso");
	g_autofree gchar *published = NULL;
	g_autofree gchar *actual = sha256_of(lab.bad);
	g_autofree gchar *expected = NULL;
	g_autoptr(GError) error = NULL;

	assert_fetch(url, dest, NULL);
	published = sg_fetch_published_sha256(url, NULL, &error);
	g_assert_no_error(error);
	g_assert_false(sg_fetch_verify_sha256(dest, published, &error));
	g_assert_error(error, SG_ERROR, SG_ERROR_CHECKSUM);
	g_test_message("%s", error->message);
	expected =
		g_strdup_printf("%s: SHA-256 is %s, SHA256SUMS says %s", dest, actual, published);
	g_assert_cmpstr(error->message, ==, expected);
}

static void
test_unlisted(void)
{
	g_autofree gchar *url = url_for("http", lab.http_port, "/pub/unlisted.iso");
	g_autoptr(GError) error = NULL;
	g_autofree gchar *published = sg_fetch_published_sha256(url, NULL, &error);

	g_assert_null(published);
	g_assert_error(error, SG_ERROR, SG_ERROR_CHECKSUM);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, "unlisted.iso"));
}

static void
test_no_sums(void)
{
	g_autofree gchar *url = url_for("http", lab.http_port, "/nosums/image.iso");
	g_autoptr(GError) error = NULL;
	g_autofree gchar *published = sg_fetch_published_sha256(url, NULL, &error);

	g_assert_null(published);
	g_assert_error(error, SG_ERROR, SG_ERROR_FETCH);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, "SHA256SUMS"));
	g_assert_nonnull(strstr(error->message, "404"));
}

static void
test_stall(void)
{
	g_autofree gchar *url = url_for("http", lab.bad_server.port, "/stall/image.iso");
	g_autofree gchar *dest = out_path("image.iso");
	SgFetchOptions options = {.stall_timeout_s = 2};
	g_autoptr(GError) error = NULL;
	gint64 start = g_get_monotonic_time();

	g_assert_false(sg_fetch_file(url, dest, &options, NULL, &error));
	g_assert_error(error, SG_ERROR, SG_ERROR_FETCH);
	g_test_message("%s (after %.1f s)", error->message, seconds_since(start));
	g_assert_nonnull(strstr(error->message, "timeout"));
	g_assert_cmpfloat(seconds_since(start), <, 6);
	g_assert_false(g_file_test(dest, G_FILE_TEST_EXISTS));
}

static void
test_short_body(void)
{
	g_autofree gchar *bad_url =
		url_for("http", lab.bad_server.port, "/truncate/pub/second.iso");
	g_autofree gchar *url = url_for("http", lab.http_port, "/pub/second.iso");
	g_autofree gchar *dest = out_path("second.iso");
	g_autofree gchar *part = g_strconcat(dest, ".part", NULL);
	gsize half = g_bytes_get_size(lab.second) / 2;
	g_autofree gchar *logged =
		g_strdup_printf("206 GET /pub/second.iso bytes=%" G_GSIZE_FORMAT "-", half);
	g_autoptr(GError) error = NULL;
	GStatBuf st;

	g_assert_false(sg_fetch_file(bad_url, dest, NULL, NULL, &error));
	g_assert_error(error, SG_ERROR, SG_ERROR_FETCH);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, "short body"));
	g_assert_false(g_file_test(dest, G_FILE_TEST_EXISTS));
	g_assert_cmpint(g_stat(part, &st), ==, 0);
	g_assert_cmpint(st.st_size, ==, half);
	g_clear_error(&error);

	/* a later stage, from a good mirror, picks up where it stopped */
	assert_fetch(url, dest, NULL);
	g_assert_true(access_log_has(logged));
	assert_file_is(dest, lab.second);
}

static void
test_dead_port(void)
{
	g_autoptr(GSocket) socket = NULL;
	g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) any = g_inet_socket_address_new(loopback, 0);
	g_autoptr(GSocketAddress) bound = NULL;
	g_autofree gchar *url = NULL;
	g_autofree gchar *dest = out_path("image.iso");
	g_autoptr(GError) error = NULL;

	/* bound but not listening: refused, and no other program can take the port */
	socket = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
			      &error);
	g_assert_no_error(error);
	g_socket_bind(socket, any, FALSE, &error);
	g_assert_no_error(error);
	bound = g_socket_get_local_address(socket, &error);
	g_assert_no_error(error);
	url = url_for("http", g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound)),
		      "/image.iso");

	g_assert_false(sg_fetch_file(url, dest, NULL, NULL, &error));
	g_assert_error(error, SG_ERROR, SG_ERROR_FETCH);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, "cannot connect"));
}

static gpointer
cancel_soon(gpointer user_data)
{
	g_usleep(300 * 1000);
	g_cancellable_cancel(user_data);
	return NULL;
}

static void
test_cancel(void)
{
	g_autofree gchar *url = url_for("http", lab.bad_server.port, "/stall/image.iso");
	g_autofree gchar *dest = out_path("image.iso");
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	g_autoptr(GError) error = NULL;
	gint64 start = g_get_monotonic_time();
	GThread *thread = g_thread_new("cancel", cancel_soon, cancellable);

	/* the server stalls, and the default stall timeout is far longer than this test */
	g_assert_false(sg_fetch_file(url, dest, NULL, cancellable, &error));
	g_thread_join(thread);
	g_assert_error(error, SG_ERROR, SG_ERROR_CANCELLED);
	g_test_message("%s (after %.1f s)", error->message, seconds_since(start));
	g_assert_cmpfloat(seconds_since(start), <, 3);
	g_assert_false(g_file_test(dest, G_FILE_TEST_EXISTS));
}

static void
test_tls(void)
{
	g_autofree gchar *url = url_for("https", lab.https_port, "/pub/image.iso");
	g_autofree gchar *dest = out_path("image.iso");
	SgFetchOptions trusting = {.ca_file = lab.cert};
	g_autofree gchar *published = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_false(sg_fetch_file(url, dest, NULL, NULL, &error));
	g_assert_error(error, SG_ERROR, SG_ERROR_FETCH);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, "TLS"));
	g_assert_false(g_file_test(dest, G_FILE_TEST_EXISTS));
	g_clear_error(&error);

	assert_fetch(url, dest, &trusting);
	assert_file_is(dest, lab.image);
	published = sg_fetch_published_sha256(url, &trusting, &error);
	g_assert_no_error(error);
	g_assert_true(sg_fetch_verify_sha256(dest, published, &error));
	g_assert_no_error(error);
}

static void
test_lab_missing(gconstpointer data)
{
	/* a missing server must not let the suite pass by testing nothing */
	g_test_fail_printf("%s", (const gchar *)data);
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	int status;

	g_test_init(&argc, &argv, NULL);
	if (!lab_set_up(&error)) {
		/* torn down first: a failed test does not return */
		lab_tear_down();
		g_test_add_data_func("/fetch/lab", error->message, test_lab_missing);
		return g_test_run();
	}
	g_test_add_func("/fetch/full", test_full);
	g_test_add_func("/fetch/published-forms", test_published_forms);
	g_test_add_func("/fetch/resume", test_resume);
	g_test_add_func("/fetch/part-complete", test_part_complete);
	g_test_add_func("/fetch/part-too-long", test_part_too_long);
	g_test_add_func("/fetch/range-ignored", test_range_ignored);
	g_test_add_func("/fetch/not-found", test_not_found);
	g_test_add_func("/fetch/wrong-checksum", test_wrong_checksum);
	g_test_add_func("/fetch/unlisted", test_unlisted);
	g_test_add_func("/fetch/no-sums", test_no_sums);
	g_test_add_func("/fetch/stall", test_stall);
	g_test_add_func("/fetch/short-body", test_short_body);
	g_test_add_func("/fetch/dead-port", test_dead_port);
	g_test_add_func("/fetch/cancel", test_cancel);
	g_test_add_func("/fetch/tls", test_tls);
	status = g_test_run();
	lab_tear_down();
	return status;
}
