/*
 * Letting a console go while its guest stops, on the embedded driver and on
 * a second libvirt host (with-lab-hosts.sh; SMOKEGATE_TEST_LAB_URI): freeing
 * it never waits, and it lets go only once libvirt has removed the guest
 * (libvirt deadlocks when the two happen at once). The guest stops by
 * itself: a kernel with no root file system panics and resets, and a reset
 * stops a smokegate guest.
 */
#include <glib/gstdio.h>
#include <libvirt-glib/libvirt-glib.h>
#include <unistd.h>

#include "lab-test.h"
#include "sg-console-stream.h"
#include "sg-guest.h"
#include "sg-lab.h"

/* The old way waited up to 2 s for the guest's removal, and a libvirt
 * call about a stopping guest waits for the stop (1.6 s measured). */
#define FREE_MAX_US (200 * 1000)
/* sg-console-stream.c lets go 200 ms after the STOPPED event. */
#define LET_GO_WITHIN_MS 2000
#define BOOT_DEADLINE_S 300
/* A suite guest's second stream: its results channel. */
#define RESULTS_CHANNEL "org.smokegate.test.0"

typedef struct {
	GMainLoop *loop;
	SgGuest *guest;
	gboolean hung_up;
	gboolean stopped;
	gboolean freed; /* the console */
	gboolean stopped_after_free;
	guint waiting_at_stop;
	gboolean gone_at_stop;
	GString *console;
} SgStopCase;

static void
on_data(const gchar *data, gsize len, gpointer user_data)
{
	SgStopCase *c = user_data;

	g_string_append_len(c->console, data, len);
}

static void
on_closed(gpointer user_data)
{
	SgStopCase *c = user_data;

	c->hung_up = TRUE;
	g_main_loop_quit(c->loop);
}

static void
on_stopped(gpointer user_data)
{
	SgStopCase *c = user_data;
	int state, reason;

	c->stopped = TRUE;
	c->stopped_after_free = c->freed;
	c->waiting_at_stop = sg_console_stream_count_waiting();
	/* What the console's release rests on: when libvirt's STOPPED event
	 * arrives, libvirt no longer lists the guest. */
	c->gone_at_stop = virDomainGetState(c->guest->domain, &state, &reason, 0) < 0;
	g_main_loop_quit(c->loop);
}

static gboolean
on_deadline(gpointer user_data)
{
	g_error("the guest neither hung up nor stopped in time");
	return G_SOURCE_REMOVE;
}

static gboolean
quit_loop(gpointer user_data)
{
	g_main_loop_quit(user_data);
	return G_SOURCE_REMOVE;
}

/* Short: libvirt's own path under the embedded root is past UNIX's limit. */
static const gchar *
results_socket(void)
{
	static gchar path[64];

	if (path[0] == '\0')
		g_snprintf(path, sizeof(path), "/tmp/sg-console-test-%d.sock", (int)getpid());
	return path;
}

static SgGuest *
start_panicking_guest(SgLab *lab)
{
	g_autoptr(GError) error = NULL;
	SgMedia *media = sg_lab_get_media(lab, &error);
	g_autofree gchar *kernel = NULL;
	g_autofree gchar *name = sg_lab_new_guest_name(lab, "console");
	SgGuest *guest;

	g_assert_no_error(error);
	kernel = sg_media_put_file(media, sg_lab_test_kernel(), "kernel", &error);
	g_assert_no_error(error);
	guest = sg_guest_start(lab,
			       &(SgDomainSpec){
				       .name = name,
				       .domain_type = "qemu",
				       .memory_mib = 256,
				       .vcpus = 1,
				       .kernel = kernel,
				       .cmdline = "console=ttyS0 panic=-1",
				       .channel = RESULTS_CHANNEL,
				       .channel_socket = results_socket(),
			       },
			       &error);
	g_assert_no_error(error);
	return guest;
}

/* Freed as its console hangs up (QEMU has exited, libvirt is stopping the
 * guest): the free returns at once and the console waits; libvirt's
 * STOPPED event finds the guest removed; the console lets go after it. */
static void
check_stopping_guest(const gchar *uri)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SgLab) lab = sg_lab_test_open(uri);
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	SgStopCase c = {.loop = loop, .console = g_string_new(NULL)};
	SgConsoleStream *console;
	guint deadline;
	gint64 started;
	gint64 took;

	c.guest = start_panicking_guest(lab);
	g_assert_true(sg_guest_watch_lifecycle(c.guest, on_stopped, &c, &error));
	console = sg_console_stream_open(c.guest, on_data, on_closed, &c, &error);
	g_assert_no_error(error);
	g_assert_true(sg_guest_resume(c.guest, &error));
	deadline = g_timeout_add_seconds(BOOT_DEADLINE_S, on_deadline, NULL);
	while (!c.hung_up)
		g_main_loop_run(loop);
	/* The kernel spoke before it gave up: this is its console. */
	g_assert_nonnull(strstr(c.console->str, "Kernel panic"));

	started = g_get_monotonic_time();
	sg_console_stream_free(console);
	took = g_get_monotonic_time() - started;
	c.freed = TRUE;
	g_test_message("%s: freeing the console of a stopping guest took %.3f ms",
		       uri != NULL ? uri : "the embedded driver", took / 1e3);
	g_assert_cmpint(took, <, FREE_MAX_US);
	if (!c.stopped)
		g_assert_cmpuint(sg_console_stream_count_waiting(), ==, 1);

	while (!c.stopped)
		g_main_loop_run(loop);
	g_source_remove(deadline);
	g_assert_true(c.gone_at_stop);
	/* Not let go when libvirt said it stopped: after. */
	if (c.stopped_after_free)
		g_assert_cmpuint(c.waiting_at_stop, ==, 1);
	g_timeout_add(LET_GO_WITHIN_MS, quit_loop, loop);
	g_main_loop_run(loop);
	g_assert_cmpuint(sg_console_stream_count_waiting(), ==, 0);
	sg_guest_free(c.guest);
	g_string_free(c.console, TRUE);
}

/* A running guest's console lets go at once, before the guest is destroyed.
 * A guest has two streams open at once (a suite's console and its results
 * channel): libvirt tracks one lifecycle callback per guest, so the second
 * must not register its own. */
static void
check_running_guest(const gchar *uri)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SgLab) lab = sg_lab_test_open(uri);
	SgStopCase c = {.console = g_string_new(NULL)};
	SgConsoleStream *console;
	SgConsoleStream *second;

	c.guest = start_panicking_guest(lab); /* paused: it never gets to panic */
	console = sg_console_stream_open(c.guest, on_data, on_closed, &c, &error);
	g_assert_no_error(error);
	second =
		sg_console_stream_open_channel(c.guest, RESULTS_CHANNEL, on_data, NULL, &c, &error);
	g_assert_no_error(error);
	sg_console_stream_free(second);
	sg_console_stream_free(console);
	g_assert_cmpuint(sg_console_stream_count_waiting(), ==, 0);
	g_assert_true(sg_guest_is_running(c.guest));
	sg_guest_free(c.guest);
	g_unlink(results_socket());
	g_string_free(c.console, TRUE);
}

/* libvirt-glib's event loop says every handle it touches, with no log
 * domain: thousands of lines a test. */
static void
drop_message(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer user_data)
{
}

typedef struct {
	gboolean remote; /* on the second host, else on the embedded driver */
	void (*check)(const gchar *uri);
} SgConsoleCase;

static void
run_case(gconstpointer data)
{
	const SgConsoleCase *c = data;
	const gchar *uri = c->remote ? g_getenv("SMOKEGATE_TEST_LAB_URI") : NULL;

	if ((c->remote && sg_lab_test_skip_without(uri, "no second libvirt host")) ||
	    sg_lab_test_skip_without(sg_lab_test_kernel(), "no kernel in /boot"))
		return;
	c->check(uri);
}

int
main(int argc, char **argv)
{
	static const SgConsoleCase remote_stopping = {TRUE, check_stopping_guest};
	static const SgConsoleCase remote_running = {TRUE, check_running_guest};
	static const SgConsoleCase embedded_stopping = {FALSE, check_stopping_guest};
	static const SgConsoleCase embedded_running = {FALSE, check_running_guest};

	sg_virt_init();
	gvir_event_register();
	g_test_init(&argc, &argv, NULL);
	g_log_set_handler(NULL, G_LOG_LEVEL_DEBUG, drop_message, NULL);
	/* The embedded driver last, as in test-media. */
	g_test_add_data_func("/console-stream/remote/stopping-guest", &remote_stopping, run_case);
	g_test_add_data_func("/console-stream/remote/running-guest", &remote_running, run_case);
	g_test_add_data_func("/console-stream/embedded/stopping-guest", &embedded_stopping,
			     run_case);
	g_test_add_data_func("/console-stream/embedded/running-guest", &embedded_running, run_case);
	return g_test_run();
}
