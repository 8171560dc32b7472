/* sg-notify against real trackers on loopback: small HTTP/1.1 servers written
 * here (GThreadedSocketService), each of which can answer 200, answer 503, or
 * be shut down so that its port refuses connections. */
#include <string.h>

#include "loopback-server.h"
#include "sg-error.h"
#include "sg-notify.h"

typedef struct {
	/* What the tracker saw, kept across restarts. */
	GMutex lock;
	GPtrArray *taken; /* "build" of each notice answered 200, in arrival order */
	guint requests;	  /* every request, whatever the answer */
	guint bad_requests;
	guint status;	 /* the answer while up: 200 or 503 */
	gint fail_after; /* >= 0: answer 503 once this many were taken */
	guint delay_ms;	 /* before each answer, to make a delivery take time */
	SgLoopbackServer server;
} Tracker;

static gchar *self_path;

static const gchar *
header_value(const gchar *line, const gchar *name)
{
	gsize len = strlen(name);

	if (g_ascii_strncasecmp(line, name, len) != 0 || line[len] != ':')
		return NULL;
	line += len + 1;
	while (*line == ' ')
		line++;
	return line;
}

/* Minimal HTTP/1.1: a request line, headers, a Content-Length body, one answer,
 * then the connection closes. */
static gboolean
tracker_run(GThreadedSocketService *service, GSocketConnection *connection, GObject *source,
	    gpointer user_data)
{
	Tracker *tracker = user_data;
	GInputStream *raw = g_io_stream_get_input_stream(G_IO_STREAM(connection));
	GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(connection));
	g_autoptr(GDataInputStream) in = g_data_input_stream_new(raw);
	g_autoptr(GPtrArray) headers = g_ptr_array_new_with_free_func(g_free);
	g_autofree gchar *request = NULL;
	g_autofree gchar *body = NULL;
	g_autofree gchar *answer = NULL;
	gboolean json = FALSE;
	guint64 length = 0;
	gsize got = 0;
	guint status;

	request = sg_loopback_read_request(in, headers);
	if (request == NULL)
		return TRUE;
	for (guint i = 0; i < headers->len; i++) {
		const gchar *line = headers->pdata[i];
		const gchar *value;

		if ((value = header_value(line, "Content-Length")) != NULL)
			length = g_ascii_strtoull(value, NULL, 10);
		if ((value = header_value(line, "Content-Type")) != NULL)
			json = g_str_equal(value, "application/json");
	}
	body = g_malloc0(length + 1);
	if (!g_input_stream_read_all(G_INPUT_STREAM(in), body, length, &got, NULL, NULL) ||
	    got != length)
		return TRUE;

	g_mutex_lock(&tracker->lock);
	tracker->requests++;
	status = tracker->status;
	if (tracker->fail_after >= 0 && tracker->taken->len >= (guint)tracker->fail_after)
		status = 503;
	if (!g_str_has_prefix(request, "POST ") || !json) {
		tracker->bad_requests++;
		status = 400;
	}
	if (status == 200) {
		g_autoptr(JsonParser) parser = json_parser_new();
		g_autoptr(GError) error = NULL;
		JsonObject *event;

		if (json_parser_load_from_data(parser, body, -1, &error) &&
		    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
			event = json_node_get_object(json_parser_get_root(parser));
			g_ptr_array_add(tracker->taken,
					g_strdup(json_object_get_string_member(event, "build")));
		} else {
			tracker->bad_requests++;
			status = 400;
		}
	}
	g_mutex_unlock(&tracker->lock);

	if (tracker->delay_ms > 0)
		g_usleep(tracker->delay_ms * 1000);
	answer = g_strdup_printf("HTTP/1.1 %u %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
				 status, status == 200 ? "OK" : "Nope");
	g_output_stream_write_all(out, answer, strlen(answer), NULL, NULL, NULL);
	g_io_stream_close(G_IO_STREAM(connection), NULL, NULL);
	return TRUE;
}

static void
tracker_start(Tracker *tracker)
{
	sg_loopback_server_start(&tracker->server);
}

static void
tracker_stop(Tracker *tracker)
{
	sg_loopback_server_stop(&tracker->server);
}

static Tracker *
tracker_new(void)
{
	Tracker *tracker = g_new0(Tracker, 1);

	g_mutex_init(&tracker->lock);
	sg_loopback_server_init(&tracker->server, 4, G_CALLBACK(tracker_run), tracker);
	tracker->taken = g_ptr_array_new_with_free_func(g_free);
	tracker->status = 200;
	tracker->fail_after = -1;
	tracker_start(tracker);
	return tracker;
}

static void
tracker_free(Tracker *tracker)
{
	sg_loopback_server_clear(&tracker->server);
	g_ptr_array_unref(tracker->taken);
	g_mutex_clear(&tracker->lock);
	g_free(tracker);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Tracker, tracker_free)

static gchar *
tracker_url(Tracker *tracker)
{
	return g_strdup_printf("http://127.0.0.1:%u/api/notices", tracker->server.port);
}

/* The builds the tracker took, in order, as one comparable string. */
static gchar *
tracker_taken(Tracker *tracker)
{
	g_autoptr(GString) list = g_string_new(NULL);

	g_mutex_lock(&tracker->lock);
	for (guint i = 0; i < tracker->taken->len; i++)
		g_string_append_printf(list, "%s%s", i > 0 ? " " : "",
				       (const gchar *)tracker->taken->pdata[i]);
	g_mutex_unlock(&tracker->lock);
	return g_string_free(g_steal_pointer(&list), FALSE);
}

static JsonNode *
make_event(const gchar *build)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();

	json_builder_begin_object(builder);
	json_builder_set_member_name(builder, "event");
	json_builder_add_string_value(builder, "staged");
	json_builder_set_member_name(builder, "flavour");
	json_builder_add_string_value(builder, "kubuntu");
	json_builder_set_member_name(builder, "image_type");
	json_builder_add_string_value(builder, "daily-live");
	json_builder_set_member_name(builder, "build");
	json_builder_add_string_value(builder, build);
	json_builder_set_member_name(builder, "note");
	json_builder_add_string_value(builder, "WARNING: \"quotes\" & <tags> survive");
	json_builder_set_member_name(builder, "who");
	json_builder_add_string_value(builder, "smokegate");
	json_builder_set_member_name(builder, "time");
	json_builder_add_string_value(builder, "2026-11-25T20:00:00Z");
	json_builder_end_object(builder);
	return json_builder_get_root(builder);
}

static void
enqueue(const gchar *tree, const gchar *const *urls, const gchar *build)
{
	g_autoptr(JsonNode) event = make_event(build);
	g_autoptr(GError) error = NULL;

	g_assert_true(sg_notify_enqueue(tree, urls, event, &error));
	g_assert_no_error(error);
}

static gchar *
make_tree(void)
{
	g_autoptr(GError) error = NULL;
	gchar *tree = g_dir_make_tmp("sg-notify-XXXXXX", &error);

	g_assert_no_error(error);
	return tree;
}

static void
remove_tree(const gchar *tree)
{
	g_autofree gchar *command = g_strdup_printf("rm -rf '%s'", tree);
	g_assert_cmpint(system(command), ==, 0);
}

static void
test_order(void)
{
	g_autofree gchar *tree = make_tree();
	g_autoptr(Tracker) tracker = tracker_new();
	g_autofree gchar *url = tracker_url(tracker);
	const gchar *urls[] = {url, NULL};
	g_autoptr(GError) error = NULL;
	g_autofree gchar *taken = NULL;
	guint delivered = 99;

	/* Nothing spooled yet: nothing to do, and that is success. */
	g_assert_true(sg_notify_deliver(tree, 0, &delivered, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(delivered, ==, 0);

	for (guint i = 0; i < 12; i++) {
		g_autofree gchar *build = g_strdup_printf("b%u", i);
		enqueue(tree, urls, build);
	}
	g_assert_cmpuint(sg_notify_pending(tree), ==, 12);
	g_assert_cmpuint(tracker->requests, ==, 0);

	g_assert_true(sg_notify_deliver(tree, 0, &delivered, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(delivered, ==, 12);
	g_assert_cmpuint(sg_notify_pending(tree), ==, 0);
	taken = tracker_taken(tracker);
	g_assert_cmpstr(taken, ==, "b0 b1 b2 b3 b4 b5 b6 b7 b8 b9 b10 b11");
	g_assert_cmpuint(tracker->bad_requests, ==, 0);
	remove_tree(tree);
}

static void
test_tracker_down(void)
{
	g_autofree gchar *tree = make_tree();
	g_autoptr(Tracker) tracker = tracker_new();
	g_autofree gchar *url = tracker_url(tracker);
	const gchar *urls[] = {url, NULL};
	g_autofree gchar *taken = NULL;
	guint delivered = 99;

	for (guint i = 0; i < 3; i++) {
		g_autofree gchar *build = g_strdup_printf("b%u", i);
		enqueue(tree, urls, build);
	}

	/* 503: one try and one retry after 1 s, then the queue stops, all kept. */
	tracker->status = 503;
	{
		g_autoptr(GError) error = NULL;
		g_assert_false(sg_notify_deliver(tree, 1, &delivered, &error));
		g_assert_error(error, SG_ERROR, SG_ERROR_FETCH);
		g_assert_nonnull(strstr(error->message, "503"));
		g_test_message("503: %s", error->message);
	}
	g_assert_cmpuint(delivered, ==, 0);
	g_assert_cmpuint(tracker->requests, ==, 2);
	g_assert_cmpuint(sg_notify_pending(tree), ==, 3);

	/* The port closed entirely: connection refused, still nothing lost. */
	tracker_stop(tracker);
	enqueue(tree, urls, "b3");
	{
		g_autoptr(GError) error = NULL;
		g_assert_false(sg_notify_deliver(tree, 0, &delivered, &error));
		g_assert_error(error, SG_ERROR, SG_ERROR_FETCH);
		g_test_message("closed: %s", error->message);
	}
	g_assert_cmpuint(delivered, ==, 0);
	g_assert_cmpuint(sg_notify_pending(tree), ==, 4);

	/* Back, but it fails after two: those two go, the rest wait behind the failure. */
	tracker->status = 200;
	tracker->fail_after = 2;
	tracker_start(tracker);
	enqueue(tree, urls, "b4");
	{
		g_autoptr(GError) error = NULL;
		g_assert_false(sg_notify_deliver(tree, 0, &delivered, &error));
		g_assert_error(error, SG_ERROR, SG_ERROR_FETCH);
	}
	g_assert_cmpuint(delivered, ==, 2);
	g_assert_cmpuint(sg_notify_pending(tree), ==, 3);

	/* Healthy again: everything else goes, in the original order. */
	tracker->fail_after = -1;
	{
		g_autoptr(GError) error = NULL;
		g_assert_true(sg_notify_deliver(tree, 0, &delivered, &error));
		g_assert_no_error(error);
	}
	g_assert_cmpuint(delivered, ==, 3);
	g_assert_cmpuint(sg_notify_pending(tree), ==, 0);
	taken = tracker_taken(tracker);
	g_assert_cmpstr(taken, ==, "b0 b1 b2 b3 b4");
	g_assert_cmpuint(tracker->bad_requests, ==, 0);
	remove_tree(tree);
}

static void
test_two_urls(void)
{
	g_autofree gchar *tree = make_tree();
	g_autoptr(Tracker) up = tracker_new();
	g_autoptr(Tracker) down = tracker_new();
	g_autofree gchar *up_url = tracker_url(up);
	g_autofree gchar *down_url = tracker_url(down);
	const gchar *urls[] = {down_url, up_url, NULL};
	g_autofree gchar *up_taken = NULL;
	g_autofree gchar *down_taken = NULL;
	guint delivered = 99;

	tracker_stop(down);
	for (guint i = 0; i < 4; i++) {
		g_autofree gchar *build = g_strdup_printf("b%u", i);
		enqueue(tree, urls, build);
	}
	g_assert_cmpuint(sg_notify_pending(tree), ==, 8);
	{
		g_autoptr(GError) error = NULL;
		g_assert_false(sg_notify_deliver(tree, 0, &delivered, &error));
		g_assert_error(error, SG_ERROR, SG_ERROR_FETCH);
		g_assert_nonnull(strstr(error->message, down_url));
	}
	/* The tracker that is up is not held back by the one that is down. */
	g_assert_cmpuint(delivered, ==, 4);
	g_assert_cmpuint(sg_notify_pending(tree), ==, 4);
	up_taken = tracker_taken(up);
	g_assert_cmpstr(up_taken, ==, "b0 b1 b2 b3");

	tracker_start(down);
	{
		g_autoptr(GError) error = NULL;
		g_assert_true(sg_notify_deliver(tree, 0, &delivered, &error));
		g_assert_no_error(error);
	}
	g_assert_cmpuint(delivered, ==, 4);
	g_assert_cmpuint(sg_notify_pending(tree), ==, 0);
	down_taken = tracker_taken(down);
	g_assert_cmpstr(down_taken, ==, "b0 b1 b2 b3");
	g_clear_pointer(&up_taken, g_free);
	up_taken = tracker_taken(up);
	g_assert_cmpstr(up_taken, ==, "b0 b1 b2 b3");
	remove_tree(tree);
}

/* Another process (this program again, see main) enqueues while a slow
 * delivery is under way: its notices are neither lost nor sent out of order. */
static void
test_enqueue_while_delivering(void)
{
	g_autofree gchar *tree = make_tree();
	g_autoptr(Tracker) tracker = tracker_new();
	g_autofree gchar *url = tracker_url(tracker);
	const gchar *urls[] = {url, NULL};
	g_autoptr(GSubprocess) child = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *taken = NULL;
	guint delivered = 0;
	guint total = 0;

	for (guint i = 0; i < 6; i++) {
		g_autofree gchar *build = g_strdup_printf("b%u", i);
		enqueue(tree, urls, build);
	}
	tracker->delay_ms = 150;
	child = g_subprocess_new(G_SUBPROCESS_FLAGS_NONE, &error, self_path, "--enqueue-child",
				 tree, url, "6", NULL);
	g_assert_no_error(error);

	/* The child enqueues one notice every 60 ms while this takes about 1 s. */
	if (!sg_notify_deliver(tree, 0, &delivered, &error))
		g_assert_no_error(error);
	total += delivered;
	g_subprocess_wait_check(child, NULL, &error);
	g_assert_no_error(error);
	g_test_message("first delivery sent %u, %u waited", delivered, sg_notify_pending(tree));
	g_assert_cmpuint(delivered, >=, 6);

	tracker->delay_ms = 0;
	g_assert_true(sg_notify_deliver(tree, 0, &delivered, &error));
	g_assert_no_error(error);
	total += delivered;
	g_assert_cmpuint(total, ==, 12);
	g_assert_cmpuint(sg_notify_pending(tree), ==, 0);
	taken = tracker_taken(tracker);
	g_assert_cmpstr(taken, ==, "b0 b1 b2 b3 b4 b5 c0 c1 c2 c3 c4 c5");
	remove_tree(tree);
}

/* A notice spooled for no URL at all is nothing to do. */
static void
test_no_urls(void)
{
	g_autofree gchar *tree = make_tree();
	const gchar *none[] = {NULL};

	enqueue(tree, none, "b0");
	enqueue(tree, NULL, "b1");
	g_assert_cmpuint(sg_notify_pending(tree), ==, 0);
	remove_tree(tree);
}

static int
enqueue_child(const gchar *tree, const gchar *url, guint count)
{
	const gchar *urls[] = {url, NULL};

	for (guint i = 0; i < count; i++) {
		g_autofree gchar *build = g_strdup_printf("c%u", i);
		g_autoptr(JsonNode) event = make_event(build);
		g_autoptr(GError) error = NULL;

		g_usleep(60 * 1000);
		if (!sg_notify_enqueue(tree, urls, event, &error)) {
			g_printerr("child: %s\n", error->message);
			return 1;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 5 && g_str_equal(argv[1], "--enqueue-child"))
		return enqueue_child(argv[2], argv[3], (guint)g_ascii_strtoull(argv[4], NULL, 10));

	self_path = g_canonicalize_filename(argv[0], NULL);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/notify/order", test_order);
	g_test_add_func("/notify/tracker-down", test_tracker_down);
	g_test_add_func("/notify/two-urls", test_two_urls);
	g_test_add_func("/notify/enqueue-while-delivering", test_enqueue_while_delivering);
	g_test_add_func("/notify/no-urls", test_no_urls);
	return g_test_run();
}
