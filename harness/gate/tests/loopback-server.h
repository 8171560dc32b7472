#pragma once

/* A small TCP server on 127.0.0.1 for the tests: a GThreadedSocketService
 * on its own thread and main context, because the code under test blocks
 * the test's thread while it talks to the server. It can be stopped (the
 * port then refuses connections) and started again on the same port. */

#include <gio/gio.h>

typedef struct {
	/* Set by sg_loopback_server_init(). */
	guint max_threads;
	GCallback on_run; /* GThreadedSocketService::run */
	gpointer user_data;
	/* 0 before the first start: any free port, then kept across restarts. */
	guint16 port;

	GThread *thread;
	GMainContext *context;
	GMainLoop *loop;
	GMutex ready_lock;
	GCond ready_cond;
	gboolean ready;
} SgLoopbackServer;

static inline gpointer
sg_loopback_server_thread(gpointer data)
{
	SgLoopbackServer *server = data;
	g_autoptr(GSocketService) service = g_threaded_socket_service_new(server->max_threads);
	g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) address = g_inet_socket_address_new(loopback, server->port);
	g_autoptr(GSocketAddress) bound = NULL;
	g_autoptr(GError) error = NULL;

	g_main_context_push_thread_default(server->context);
	g_signal_connect(service, "run", server->on_run, server->user_data);
	g_socket_listener_add_address(G_SOCKET_LISTENER(service), address, G_SOCKET_TYPE_STREAM,
				      G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
	g_assert_no_error(error);
	server->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
	g_socket_service_start(service);

	g_mutex_lock(&server->ready_lock);
	server->ready = TRUE;
	g_cond_signal(&server->ready_cond);
	g_mutex_unlock(&server->ready_lock);

	g_main_loop_run(server->loop);

	/* Closed for real: the port refuses connections until the next start. */
	g_socket_service_stop(service);
	g_socket_listener_close(G_SOCKET_LISTENER(service));
	g_main_context_pop_thread_default(server->context);
	return NULL;
}

/* Reads an HTTP/1.1 request's head from @in: returns its request line (NULL
 * when the client went away) and adds its header lines to @headers. */
static inline gchar *
sg_loopback_read_request(GDataInputStream *in, GPtrArray *headers)
{
	gchar *request;

	g_data_input_stream_set_newline_type(in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
	request = g_data_input_stream_read_line(in, NULL, NULL, NULL);
	if (request == NULL)
		return NULL;
	for (;;) {
		gchar *line = g_data_input_stream_read_line(in, NULL, NULL, NULL);

		if (line == NULL || line[0] == '\0') {
			g_free(line);
			return request;
		}
		g_ptr_array_add(headers, line);
	}
}

/* Stops the server (nothing when it does not run). */
static inline void sg_loopback_server_stop(SgLoopbackServer *server);

static inline void
sg_loopback_server_init(SgLoopbackServer *server, guint max_threads, GCallback on_run,
			gpointer user_data)
{
	server->max_threads = max_threads;
	server->on_run = on_run;
	server->user_data = user_data;
	g_mutex_init(&server->ready_lock);
	g_cond_init(&server->ready_cond);
}

static inline void
sg_loopback_server_clear(SgLoopbackServer *server)
{
	sg_loopback_server_stop(server);
	g_mutex_clear(&server->ready_lock);
	g_cond_clear(&server->ready_cond);
}

/* Starts (or restarts, on the same port) the server; returns once it listens. */
static inline void
sg_loopback_server_start(SgLoopbackServer *server)
{
	g_assert_null(server->thread);
	server->context = g_main_context_new();
	server->loop = g_main_loop_new(server->context, FALSE);
	server->ready = FALSE;
	server->thread = g_thread_new("loopback-server", sg_loopback_server_thread, server);
	g_mutex_lock(&server->ready_lock);
	while (!server->ready)
		g_cond_wait(&server->ready_cond, &server->ready_lock);
	g_mutex_unlock(&server->ready_lock);
}

static inline gboolean
sg_loopback_server_quit(gpointer loop)
{
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

static inline void
sg_loopback_server_stop(SgLoopbackServer *server)
{
	GSource *quit;

	if (server->thread == NULL)
		return;
	/* Queued on the server's own context: a quit called before its thread
	 * entered g_main_loop_run() would be lost, and the join hang. */
	quit = g_idle_source_new();
	g_source_set_callback(quit, sg_loopback_server_quit, server->loop, NULL);
	g_source_attach(quit, server->context);
	g_source_unref(quit);
	g_thread_join(g_steal_pointer(&server->thread));
	g_clear_pointer(&server->loop, g_main_loop_unref);
	g_clear_pointer(&server->context, g_main_context_unref);
}
