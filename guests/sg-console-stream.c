#include "sg-console-stream.h"

#define READ_SIZE 65536
/* How long a stopped guest may take to be removed before its console is let go. */
#define REMOVAL_WAIT_US (2 * G_USEC_PER_SEC)

struct _SgConsoleStream {
	virStreamPtr stream;
	virDomainPtr domain;
	gboolean watching; /* the event callback is registered */
	gboolean closed;
	SgConsoleStreamData on_data;
	SgConsoleStreamClosed on_closed;
	gpointer user_data;
};

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
	if (virStreamEventAddCallback(console->stream,
				      VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_HANGUP |
					      VIR_STREAM_EVENT_ERROR,
				      on_stream_event, console, NULL) < 0) {
		sg_virt_set_error(error, "cannot follow %s of %s", what, guest->name);
		virStreamAbort(console->stream);
		virStreamFree(console->stream);
		virDomainFree(console->domain);
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
sg_console_stream_is_closed(SgConsoleStream *console)
{
	return console->closed;
}

/*
 * libvirt takes a console's two locks in opposite orders when a stream is
 * aborted and when a stopped transient guest is removed (the chardev
 * list's, then the stream's; the stream's, then the chardev list's): both
 * at once deadlock the process for good (seen here; microsoft/lisa#1884
 * met it too). A console whose guest stopped is let go only once libvirt
 * has removed the guest, which takes milliseconds; a running one's before
 * it is destroyed, one thing after the other.
 */
static void
wait_for_removal(virDomainPtr domain)
{
	gint64 deadline = g_get_monotonic_time() + REMOVAL_WAIT_US;
	int state, reason;

	while (virDomainGetState(domain, &state, &reason, 0) == 0 &&
	       (state == VIR_DOMAIN_SHUTOFF || state == VIR_DOMAIN_SHUTDOWN ||
		state == VIR_DOMAIN_CRASHED) &&
	       g_get_monotonic_time() < deadline)
		g_usleep(20 * 1000);
}

void
sg_console_stream_free(SgConsoleStream *console)
{
	if (console == NULL)
		return;
	console->on_closed = NULL; /* nobody is listening any more */
	if (console->watching)
		virStreamEventRemoveCallback(console->stream);
	wait_for_removal(console->domain);
	virStreamAbort(console->stream);
	virStreamFree(console->stream);
	virDomainFree(console->domain);
	g_free(console);
}
