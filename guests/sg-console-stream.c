#include "sg-console-stream.h"

#include "sg-error.h"

#define READ_SIZE 65536

/*
 * libvirt takes a console's two locks in opposite orders when a stream is
 * aborted and when a stopped transient guest is removed (the chardev
 * list's, then the stream's; the stream's, then the chardev list's): both
 * at once deadlock the process, or a lab host's libvirtd, for good (seen
 * here; microsoft/lisa#1884 met it too). So a console's stream is aborted
 * only while libvirt cannot be removing its guest:
 * - while the guest runs, as far as libvirt has told (its console has not
 *   hung up, no STOPPED event came): its owner destroys it only after, one
 *   thing after the other;
 * - once libvirt has said the guest stopped (the STOPPED lifecycle event,
 *   which it queues as it removes a transient guest: when it arrives here
 *   the guest is gone, or going in that instant), and REMOVAL_GRACE_MS
 *   have passed.
 * A console freed in between (its guest stopping) waits for that event on
 * the main loop. It never asks libvirt about the guest: a call about a
 * stopping guest waits for the stop, 1.6 s measured on the embedded driver.
 */
#define REMOVAL_GRACE_MS 200
/* A console waiting for its guest's STOPPED event checks once, this long
 * after it was freed, whether the connection died: then no event comes, and
 * aborting is harmless. */
#define LOST_CONNECTION_CHECK_S 30

/*
 * libvirt tracks one lifecycle callback per function, event and guest on a
 * connection, whatever its opaque ("event callback already tracked"): a
 * guest's console and its channels share one registration, which tells
 * each of them.
 */
typedef struct {
	virConnectPtr conn;
	int callback_id;
	GList *consoles;
} StopWatch;

/* "connection/uuid" → StopWatch: the guests whose consoles are open. */
static GHashTable *stop_watches;

struct _SgConsoleStream {
	virStreamPtr stream;
	virDomainPtr domain;
	gchar *watch_key;  /* its StopWatch's key, NULL when not watching */
	gboolean watching; /* the stream's event callback is registered */
	gboolean closed;   /* the stream said its last: hangup, end or error */
	gint64 stopped_at; /* monotonic µs of the guest's STOPPED event, 0: none */
	gboolean released; /* freed by its owner, waiting to let go */
	guint release_source;
	SgConsoleStreamData on_data;
	SgConsoleStreamClosed on_closed;
	gpointer user_data;
};

/* Freed consoles still waiting to let go: for tests. */
static gint waiting_count;

static void
close_stream(SgConsoleStream *console)
{
	if (console->closed)
		return;
	console->closed = TRUE;
	if (console->watching) {
		virStreamEventRemoveCallback(console->stream);
		console->watching = FALSE;
	}
	if (console->on_closed != NULL)
		console->on_closed(console->user_data);
}

void
sg_console_stream_drain(SgConsoleStream *console)
{
	gchar buffer[READ_SIZE];

	while (!console->closed) {
		int got = virStreamRecv(console->stream, buffer, sizeof(buffer));
		if (got > 0) {
			console->on_data(buffer, got, console->user_data);
			continue;
		}
		if (got == -2)
			return; /* nothing more for now */
		/* 0: the other end closed; -1: the stream broke. Either way the
		 * console has said all it will. */
		g_debug("console stream ends: %d", got);
		close_stream(console);
	}
}

static void
on_stream_event(virStreamPtr stream, int events, void *opaque)
{
	SgConsoleStream *console = opaque;

	if (events & VIR_STREAM_EVENT_READABLE)
		sg_console_stream_drain(console);
	if (events & (VIR_STREAM_EVENT_HANGUP | VIR_STREAM_EVENT_ERROR)) {
		sg_console_stream_drain(console);
		close_stream(console);
	}
}

static void
stop_watch_free(gpointer data)
{
	StopWatch *watch = data;

	if (watch->callback_id >= 0)
		virConnectDomainEventDeregisterAny(watch->conn, watch->callback_id);
	virConnectClose(watch->conn);
	g_list_free(watch->consoles);
	g_free(watch);
}

static int on_lifecycle(virConnectPtr conn, virDomainPtr domain, int event, int detail,
			void *opaque);

/* Tells @console when its guest stops, through the one registration its
 * guest has on its connection. */
static gboolean
watch_stop(SgConsoleStream *console, const gchar *guest_name, GError **error)
{
	virConnectPtr conn = virDomainGetConnect(console->domain);
	gchar uuid[VIR_UUID_STRING_BUFLEN];
	g_autofree gchar *key = NULL;
	StopWatch *watch;

	if (virDomainGetUUIDString(console->domain, uuid) < 0) {
		sg_virt_set_error(error, "cannot follow the state of guest %s", guest_name);
		return FALSE;
	}
	key = g_strdup_printf("%p/%s", (void *)conn, uuid);
	if (stop_watches == NULL)
		stop_watches =
			g_hash_table_new_full(g_str_hash, g_str_equal, g_free, stop_watch_free);
	watch = g_hash_table_lookup(stop_watches, key);
	if (watch == NULL) {
		watch = g_new0(StopWatch, 1);
		watch->conn = conn;
		virConnectRef(conn);
		watch->callback_id = virConnectDomainEventRegisterAny(
			conn, console->domain, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
			VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), watch, NULL);
		if (watch->callback_id < 0) {
			sg_virt_set_error(error, "cannot follow the state of guest %s", guest_name);
			stop_watch_free(watch);
			return FALSE;
		}
		g_hash_table_insert(stop_watches, g_strdup(key), watch);
	}
	watch->consoles = g_list_prepend(watch->consoles, console);
	console->watch_key = g_steal_pointer(&key);
	return TRUE;
}

static void
unwatch_stop(SgConsoleStream *console)
{
	StopWatch *watch;

	if (console->watch_key == NULL)
		return;
	watch = g_hash_table_lookup(stop_watches, console->watch_key);
	watch->consoles = g_list_remove(watch->consoles, console);
	if (watch->consoles == NULL)
		g_hash_table_remove(stop_watches, console->watch_key);
	g_clear_pointer(&console->watch_key, g_free);
}

/* Aborts the stream and frees the console: only when libvirt cannot be
 * removing its guest (see the top of this file). */
static void
let_go(SgConsoleStream *console)
{
	g_clear_handle_id(&console->release_source, g_source_remove);
	unwatch_stop(console);
	virStreamAbort(console->stream);
	virStreamFree(console->stream);
	virDomainFree(console->domain);
	if (console->released)
		g_atomic_int_add(&waiting_count, -1);
	g_free(console);
}

static gboolean
on_grace_over(gpointer user_data)
{
	SgConsoleStream *console = user_data;

	console->release_source = 0;
	let_go(console);
	return G_SOURCE_REMOVE;
}

/* The guest stopped: lets go once REMOVAL_GRACE_MS have passed since. */
static void
let_go_after_grace(SgConsoleStream *console)
{
	gint64 waited_ms = (g_get_monotonic_time() - console->stopped_at) / 1000;

	g_clear_handle_id(&console->release_source, g_source_remove);
	if (waited_ms >= REMOVAL_GRACE_MS)
		let_go(console);
	else
		console->release_source =
			g_timeout_add(REMOVAL_GRACE_MS - waited_ms, on_grace_over, console);
}

static gboolean
on_lost_connection_check(gpointer user_data)
{
	SgConsoleStream *console = user_data;

	console->release_source = 0;
	/* Alive: the STOPPED event comes when the guest stops, at the latest
	 * when its owner destroys it. */
	if (virConnectIsAlive(virDomainGetConnect(console->domain)) != 1)
		let_go(console);
	return G_SOURCE_REMOVE;
}

static void
console_stopped(SgConsoleStream *console)
{
	if (console->stopped_at != 0)
		return;
	console->stopped_at = g_get_monotonic_time();
	if (console->released)
		let_go_after_grace(console);
}

static int
on_lifecycle(virConnectPtr conn, virDomainPtr domain, int event, int detail, void *opaque)
{
	StopWatch *watch = opaque;
	/* Letting go may leave the watch: walk a copy. */
	g_autoptr(GList) consoles = NULL;

	if (event != VIR_DOMAIN_EVENT_STOPPED && event != VIR_DOMAIN_EVENT_UNDEFINED)
		return 0;
	consoles = g_list_copy(watch->consoles);
	for (GList *l = consoles; l != NULL; l = l->next)
		console_stopped(l->data);
	return 0;
}

/* The console (@channel NULL) or the virtio-serial port named @channel. */
static SgConsoleStream *
open_stream(SgGuest *guest, const gchar *channel, SgConsoleStreamData on_data,
	    SgConsoleStreamClosed on_closed, gpointer user_data, GError **error)
{
	const gchar *what = channel != NULL ? channel : "the console";
	virConnectPtr conn = virDomainGetConnect(guest->domain);
	g_autofree SgConsoleStream *console = g_new0(SgConsoleStream, 1);

	console->on_data = on_data;
	console->on_closed = on_closed;
	console->user_data = user_data;
	console->stream = virStreamNew(conn, VIR_STREAM_NONBLOCK);
	if (console->stream == NULL) {
		sg_virt_set_error(error, "cannot make a stream for %s of %s", what, guest->name);
		return NULL;
	}
	console->domain = guest->domain;
	virDomainRef(console->domain);
	/* FORCE: a console left open by a killed earlier run must not block us. */
	if ((channel != NULL ? virDomainOpenChannel(guest->domain, channel, console->stream,
						    VIR_DOMAIN_CHANNEL_FORCE)
			     : virDomainOpenConsole(guest->domain, NULL, console->stream,
						    VIR_DOMAIN_CONSOLE_FORCE)) < 0) {
		sg_virt_set_error(error, "cannot open %s of %s", what, guest->name);
		virStreamFree(console->stream);
		virDomainFree(console->domain);
		return NULL;
	}
	if (!watch_stop(console, guest->name, error)) {
		let_go(g_steal_pointer(&console));
		return NULL;
	}
	if (virStreamEventAddCallback(console->stream,
				      VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_HANGUP |
					      VIR_STREAM_EVENT_ERROR,
				      on_stream_event, console, NULL) < 0) {
		sg_virt_set_error(error, "cannot follow %s of %s", what, guest->name);
		let_go(g_steal_pointer(&console));
		return NULL;
	}
	console->watching = TRUE;
	return g_steal_pointer(&console);
}

SgConsoleStream *
sg_console_stream_open(SgGuest *guest, SgConsoleStreamData on_data, SgConsoleStreamClosed on_closed,
		       gpointer user_data, GError **error)
{
	return open_stream(guest, NULL, on_data, on_closed, user_data, error);
}

SgConsoleStream *
sg_console_stream_open_channel(SgGuest *guest, const gchar *channel, SgConsoleStreamData on_data,
			       SgConsoleStreamClosed on_closed, gpointer user_data, GError **error)
{
	return open_stream(guest, channel, on_data, on_closed, user_data, error);
}

gboolean
sg_console_stream_send(SgConsoleStream *console, const gchar *data, gsize len, GError **error)
{
	gsize sent = 0;

	if (console->closed) {
		g_set_error_literal(error, SG_ERROR, SG_ERROR_LAB,
				    "cannot type on the console: it closed");
		return FALSE;
	}
	while (sent < len) {
		int got = virStreamSend(console->stream, data + sent, len - sent);
		if (got == -2) {
			g_set_error(error, SG_ERROR, SG_ERROR_LAB,
				    "cannot type on the console: it takes no more after %zu of "
				    "%zu bytes",
				    sent, len);
			return FALSE;
		}
		if (got < 0) {
			sg_virt_set_error(error, "cannot type on the console");
			return FALSE;
		}
		sent += got;
	}
	return TRUE;
}

gboolean
sg_console_stream_is_closed(SgConsoleStream *console)
{
	return console->closed;
}

void
sg_console_stream_free(SgConsoleStream *console)
{
	if (console == NULL)
		return;
	/* Nobody is listening any more. */
	console->on_data = NULL;
	console->on_closed = NULL;
	if (console->watching) {
		virStreamEventRemoveCallback(console->stream);
		console->watching = FALSE;
	}
	if (!console->closed && console->stopped_at == 0) {
		let_go(console);
		return;
	}
	console->released = TRUE;
	g_atomic_int_inc(&waiting_count);
	if (console->stopped_at != 0)
		let_go_after_grace(console);
	else
		console->release_source = g_timeout_add_seconds(LOST_CONNECTION_CHECK_S,
								on_lost_connection_check, console);
}

guint
sg_console_stream_count_waiting(void)
{
	return (guint)g_atomic_int_get(&waiting_count);
}
