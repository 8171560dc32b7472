#include "sg-answer-server.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "sg-error.h"

#define DEFAULT_READ_TIMEOUT_MS 10000
/* Installers fetch one file, a test a few: more at once is not a guest. */
#define MAX_CONNECTIONS 32
#define READ_CHUNK 1024

struct _SgAnswerServer {
	GObject parent_instance;
	GSocketService *service;
	GCancellable *cancellable;
	gchar *address;
	guint16 port;
	gchar *token;
	GHashTable *files; /* "/TOKEN/name" -> GBytes */
	GPtrArray *requests;
	guint read_timeout_ms;
	guint connections;
	gboolean stopped;
};

G_DEFINE_TYPE(SgAnswerServer, sg_answer_server, G_TYPE_OBJECT)

enum { SIGNAL_REQUEST, N_SIGNALS };
static guint signals[N_SIGNALS];

/* One client, from accept to close. */
typedef struct {
	SgAnswerServer *server; /* a reference */
	GSocketConnection *connection;
	GCancellable *cancellable; /* this connection's, cancelled by its timeout */
	gulong stop_handler;	   /* cancels it when the server stops */
	gchar *peer;
	GByteArray *head;
	guint8 chunk[READ_CHUNK];
	guint timeout_id;
	gboolean timed_out;
	GBytes *response;
	SgAnswerRequest *request;
} Client;

void
sg_answer_request_free(SgAnswerRequest *request)
{
	if (request == NULL)
		return;
	if (request->time != NULL)
		g_date_time_unref(request->time);
	g_free(request->peer);
	g_free(request->method);
	g_free(request->path);
	g_free(request);
}

static void
client_free(Client *client)
{
	if (client->timeout_id != 0)
		g_source_remove(client->timeout_id);
	client->server->connections--;
	g_cancellable_disconnect(client->server->cancellable, client->stop_handler);
	g_object_unref(client->server);
	g_object_unref(client->connection);
	g_object_unref(client->cancellable);
	g_free(client->peer);
	g_byte_array_unref(client->head);
	if (client->response != NULL)
		g_bytes_unref(client->response);
	sg_answer_request_free(client->request);
	g_free(client);
}

static const gchar *
reason_phrase(guint status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 414:
		return "URI Too Long";
	case 431:
		return "Request Header Fields Too Large";
	case 503:
		return "Service Unavailable";
	default:
		return "Error";
	}
}

static void
closed_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	Client *client = data;
	g_io_stream_close_finish(G_IO_STREAM(source), result, NULL);
	client_free(client);
}

static void
close_client(Client *client)
{
	g_io_stream_close_async(G_IO_STREAM(client->connection), G_PRIORITY_DEFAULT, NULL,
				closed_cb, client);
}

static void
written_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	Client *client = data;
	g_autoptr(GError) error = NULL;
	gsize written = 0;

	if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), result, &written, &error))
		g_debug("answer server: writing to %s failed: %s", client->peer, error->message);
	close_client(client);
}

/* Records the request and sends @status with @body (NULL: none). */
static void
respond(Client *client, guint status, GBytes *body, gboolean head_only)
{
	SgAnswerServer *server = client->server;
	SgAnswerRequest *request = g_steal_pointer(&client->request);
	g_autoptr(GString) out = g_string_new(NULL);
	gsize body_len = body != NULL ? g_bytes_get_size(body) : 0;

	if (client->timeout_id != 0) {
		g_source_remove(client->timeout_id);
		client->timeout_id = 0;
	}
	if (request == NULL)
		request = g_new0(SgAnswerRequest, 1);
	request->monotonic_us = g_get_monotonic_time();
	request->time = g_date_time_new_now_local();
	request->peer = g_strdup(client->peer);
	request->status = status;
	request->bytes = head_only ? 0 : body_len;
	g_ptr_array_add(server->requests, request);
	g_signal_emit(server, signals[SIGNAL_REQUEST], 0, request);

	g_string_append_printf(out, "HTTP/1.1 %u %s\r\n", status, reason_phrase(status));
	if (status == 200)
		g_string_append(out, "Content-Type: text/plain; charset=utf-8\r\n");
	if (status == 405)
		g_string_append(out, "Allow: GET, HEAD\r\n");
	g_string_append_printf(out,
			       "Content-Length: %zu\r\nCache-Control: no-store\r\n"
			       "Connection: close\r\n\r\n",
			       body_len);
	if (body != NULL && !head_only)
		g_string_append_len(out, g_bytes_get_data(body, NULL), (gssize)body_len);
	client->response = g_string_free_to_bytes(g_steal_pointer(&out));
	g_output_stream_write_all_async(
		g_io_stream_get_output_stream(G_IO_STREAM(client->connection)),
		g_bytes_get_data(client->response, NULL), g_bytes_get_size(client->response),
		G_PRIORITY_DEFAULT, server->cancellable, written_cb, client);
}

/* The request line, "GET /TOKEN/preseed.cfg HTTP/1.1". */
static void
answer(Client *client, const gchar *head)
{
	SgAnswerServer *server = client->server;
	const gchar *eol = strpbrk(head, "\r\n");
	g_autofree gchar *line = g_strndup(head, eol != NULL ? (gsize)(eol - head) : strlen(head));
	g_auto(GStrv) words = g_strsplit(line, " ", -1);
	GBytes *body;
	gboolean head_only;

	client->request = g_new0(SgAnswerRequest, 1);
	if (g_strv_length(words) != 3 || !g_str_has_prefix(words[2], "HTTP/1.") ||
	    words[1][0] != '/') {
		respond(client, 400, NULL, FALSE);
		return;
	}
	client->request->method = g_strdup(words[0]);
	client->request->path = g_strdup(words[1]);
	head_only = g_str_equal(words[0], "HEAD");
	if (!g_str_equal(words[0], "GET") && !head_only) {
		respond(client, 405, NULL, FALSE);
		return;
	}
	body = g_hash_table_lookup(server->files, words[1]);
	respond(client, body != NULL ? 200 : 404, body, head_only);
}

/* The end of the request head: an empty line. */
static gboolean
head_complete(GByteArray *head)
{
	const gchar *data = (const gchar *)head->data;
	return g_strstr_len(data, head->len, "\r\n\r\n") != NULL ||
	       g_strstr_len(data, head->len, "\n\n") != NULL;
}

static void read_more(Client *client);

static void
read_cb(GObject *source, GAsyncResult *result, gpointer data)
{
	Client *client = data;
	g_autoptr(GError) error = NULL;
	gssize got = g_input_stream_read_finish(G_INPUT_STREAM(source), result, &error);

	if (got < 0 && client->timed_out) {
		respond(client, 408, NULL, FALSE);
		return;
	}
	if (got < 0) {
		g_debug("answer server: reading from %s failed: %s", client->peer, error->message);
		close_client(client);
		return;
	}
	if (got == 0) { /* the client gave up before a whole request */
		close_client(client);
		return;
	}
	g_byte_array_append(client->head, client->chunk, (guint)got);
	if (client->head->len > SG_ANSWER_SERVER_MAX_REQUEST) {
		/* Nothing served here needs a long request: a request line that
		 * long is a long URI, else the headers are too large. */
		const gchar *data_start = (const gchar *)client->head->data;
		gboolean line_ended = memchr(data_start, '\n', client->head->len) != NULL;
		respond(client, line_ended ? 431 : 414, NULL, FALSE);
		return;
	}
	if (head_complete(client->head)) {
		g_byte_array_append(client->head, (const guint8 *)"", 1);
		answer(client, (const gchar *)client->head->data);
		return;
	}
	read_more(client);
}

static void
read_more(Client *client)
{
	g_input_stream_read_async(g_io_stream_get_input_stream(G_IO_STREAM(client->connection)),
				  client->chunk, sizeof(client->chunk), G_PRIORITY_DEFAULT,
				  client->cancellable, read_cb, client);
}

static gboolean
timeout_cb(gpointer data)
{
	Client *client = data;
	client->timeout_id = 0;
	client->timed_out = TRUE;
	g_cancellable_cancel(client->cancellable);
	return G_SOURCE_REMOVE;
}

static void
server_cancelled_cb(GCancellable *server_cancellable, gpointer data)
{
	g_cancellable_cancel(G_CANCELLABLE(data));
}

static gchar *
peer_of(GSocketConnection *connection)
{
	g_autoptr(GSocketAddress) address =
		g_socket_connection_get_remote_address(connection, NULL);
	if (G_IS_INET_SOCKET_ADDRESS(address)) {
		GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS(address);
		g_autofree gchar *ip =
			g_inet_address_to_string(g_inet_socket_address_get_address(inet));
		return g_strdup_printf("%s:%u", ip, g_inet_socket_address_get_port(inet));
	}
	return g_strdup("unknown");
}

static gboolean
incoming_cb(GSocketService *service, GSocketConnection *connection, GObject *source, gpointer data)
{
	SgAnswerServer *self = data;
	Client *client;

	if (self->stopped)
		return FALSE;
	client = g_new0(Client, 1);
	client->server = g_object_ref(self);
	client->connection = g_object_ref(connection);
	client->cancellable = g_cancellable_new();
	client->peer = peer_of(connection);
	client->head = g_byte_array_new();
	self->connections++;
	client->stop_handler =
		g_cancellable_connect(self->cancellable, G_CALLBACK(server_cancelled_cb),
				      g_object_ref(client->cancellable), g_object_unref);
	if (self->connections > MAX_CONNECTIONS) {
		respond(client, 503, NULL, FALSE);
		return TRUE;
	}
	client->timeout_id = g_timeout_add(self->read_timeout_ms, timeout_cb, client);
	read_more(client);
	return TRUE;
}

static void
sg_answer_server_dispose(GObject *object)
{
	SgAnswerServer *self = SG_ANSWER_SERVER(object);
	sg_answer_server_stop(self);
	g_clear_object(&self->service);
	G_OBJECT_CLASS(sg_answer_server_parent_class)->dispose(object);
}

static void
sg_answer_server_finalize(GObject *object)
{
	SgAnswerServer *self = SG_ANSWER_SERVER(object);
	g_clear_object(&self->cancellable);
	g_free(self->address);
	g_free(self->token);
	g_hash_table_unref(self->files);
	g_ptr_array_unref(self->requests);
	G_OBJECT_CLASS(sg_answer_server_parent_class)->finalize(object);
}

static void
sg_answer_server_class_init(SgAnswerServerClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	object_class->dispose = sg_answer_server_dispose;
	object_class->finalize = sg_answer_server_finalize;
	/* SgAnswerServer::request(SgAnswerRequest *request): one was answered. */
	signals[SIGNAL_REQUEST] =
		g_signal_new("request", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			     NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
sg_answer_server_init(SgAnswerServer *self)
{
	self->files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					    (GDestroyNotify)g_bytes_unref);
	self->requests = g_ptr_array_new_with_free_func((GDestroyNotify)sg_answer_request_free);
	self->cancellable = g_cancellable_new();
	self->read_timeout_ms = DEFAULT_READ_TIMEOUT_MS;
}

/* 128 random bits from the kernel: a path nobody can guess. */
static gchar *
new_token(GError **error)
{
	guint8 bytes[16];
	GString *hex = g_string_new(NULL);
	gsize done = 0;

	while (done < sizeof(bytes)) {
		ssize_t got = getrandom(bytes + done, sizeof(bytes) - done, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			g_set_error(error, SG_ERROR, SG_ERROR_LAB, "getrandom: %s",
				    g_strerror(errno));
			g_string_free(hex, TRUE);
			return NULL;
		}
		done += (gsize)got;
	}
	for (guint i = 0; i < sizeof(bytes); i++)
		g_string_append_printf(hex, "%02x", bytes[i]);
	return g_string_free(hex, FALSE);
}

SgAnswerServer *
sg_answer_server_new(const gchar *address, GError **error)
{
	g_autoptr(SgAnswerServer) self = g_object_new(SG_TYPE_ANSWER_SERVER, NULL);
	g_autoptr(GInetAddress) inet =
		g_inet_address_new_from_string(address != NULL ? address : "127.0.0.1");
	g_autoptr(GSocketAddress) wanted = NULL;
	g_autoptr(GSocketAddress) effective = NULL;
	g_autoptr(GError) local = NULL;

	if (inet == NULL || !g_inet_address_get_is_loopback(inet)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "the answer server listens on loopback only, not on %s",
			    address != NULL ? address : "(null)");
		return NULL;
	}
	self->token = new_token(error);
	if (self->token == NULL)
		return NULL;
	self->service = g_socket_service_new();
	wanted = g_inet_socket_address_new(inet, 0);
	if (!g_socket_listener_add_address(G_SOCKET_LISTENER(self->service), wanted,
					   G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
					   &effective, &local)) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB,
			    "the answer server cannot listen on %s: %s",
			    address != NULL ? address : "127.0.0.1", local->message);
		return NULL;
	}
	self->address = g_inet_address_to_string(inet);
	self->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(effective));
	g_signal_connect(self->service, "incoming", G_CALLBACK(incoming_cb), self);
	g_socket_service_start(self->service);
	return g_steal_pointer(&self);
}

gboolean
sg_answer_server_add_data(SgAnswerServer *self, const gchar *name, const gchar *data, gsize len,
			  GError **error)
{
	const gchar *end = NULL;

	if (name == NULL || *name == '\0' || strchr(name, '/') != NULL) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "an answer file's name is one path component, not '%s'",
			    name != NULL ? name : "");
		return FALSE;
	}
	if (len > SG_ANSWER_SERVER_MAX_FILE) {
		g_set_error(
			error, SG_ERROR, SG_ERROR_USAGE,
			"answer file %s has %zu bytes: more than the %u an answer file may have",
			name, len, SG_ANSWER_SERVER_MAX_FILE);
		return FALSE;
	}
	if (memchr(data, '\0', len) != NULL || !g_utf8_validate_len(data, len, &end)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "answer file %s is not text (UTF-8 without NUL bytes)", name);
		return FALSE;
	}
	g_hash_table_replace(self->files, sg_answer_server_path(self, name),
			     g_bytes_new(data, len));
	return TRUE;
}

gboolean
sg_answer_server_add_file(SgAnswerServer *self, const gchar *name, const gchar *path,
			  GError **error)
{
	g_autofree gchar *contents = NULL;
	g_autoptr(GError) local = NULL;
	gsize len = 0;

	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "answer file %s is not a regular file",
			    path);
		return FALSE;
	}
	if (!g_file_get_contents(path, &contents, &len, &local)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "cannot read answer file %s: %s", path,
			    local->message);
		return FALSE;
	}
	if (!sg_answer_server_add_data(self, name, contents, len, error)) {
		g_prefix_error(error, "%s: ", path);
		return FALSE;
	}
	return TRUE;
}

const gchar *
sg_answer_server_get_token(SgAnswerServer *self)
{
	return self->token;
}

guint16
sg_answer_server_get_port(SgAnswerServer *self)
{
	return self->port;
}

gchar *
sg_answer_server_host_address(SgAnswerServer *self)
{
	return g_strdup_printf("%s:%u", self->address, self->port);
}

gchar *
sg_answer_server_path(SgAnswerServer *self, const gchar *name)
{
	return g_strdup_printf("/%s/%s", self->token, name);
}

gchar *
sg_answer_server_host_url(SgAnswerServer *self, const gchar *name)
{
	return g_strdup_printf("http://%s:%u/%s/%s", self->address, self->port, self->token, name);
}

gchar *
sg_answer_server_guest_url(SgAnswerServer *self, const gchar *guest_address, guint16 guest_port,
			   const gchar *name)
{
	if (guest_port == 80)
		return g_strdup_printf("http://%s/%s/%s", guest_address, self->token, name);
	return g_strdup_printf("http://%s:%u/%s/%s", guest_address, guest_port, self->token, name);
}

gchar *
sg_answer_server_guestfwd(SgAnswerServer *self, const gchar *guest_address, guint16 guest_port)
{
	return g_strdup_printf("tcp:%s:%u-tcp:%s:%u", guest_address, guest_port, self->address,
			       self->port);
}

void
sg_answer_server_set_read_timeout(SgAnswerServer *self, guint timeout_ms)
{
	self->read_timeout_ms = timeout_ms;
}

GPtrArray *
sg_answer_server_get_requests(SgAnswerServer *self)
{
	return self->requests;
}

void
sg_answer_server_stop(SgAnswerServer *self)
{
	if (self->stopped)
		return;
	self->stopped = TRUE;
	if (self->service != NULL) {
		g_socket_service_stop(self->service);
		g_socket_listener_close(G_SOCKET_LISTENER(self->service));
	}
	g_cancellable_cancel(self->cancellable);
}
