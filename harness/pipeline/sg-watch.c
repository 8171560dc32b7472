#include "sg-watch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sg-console-stream.h"
#include "sg-cpu-share.h"
#include "sg-error.h"

/* After the guest stopped, how long its console may take to hand over its
 * last bytes (the lifecycle event and the stream's end are not ordered). */
#define LAST_WORDS_US (500 * 1000)
/* A console that closed is a guest that stopped, once libvirt has noticed
 * QEMU's exit; only a guest still running after this is a lost console. */
#define STOP_NOTICED_US (5 * G_USEC_PER_SEC)
/* A silence the lab host's starvation excuses is given this many more
 * silence limits; a guest still starved after them cannot be judged. */
#define MAX_EXCUSED_SILENCES 2

struct _SgWatch {
	SgWatchSpec spec;
	gchar *phase;
	gchar *console_path;
	FILE *log;
	SgConsoleStream *stream;
	gint64 started;
	gint64 finished;
	gboolean heard; /* the console said something */
	gboolean guest_stopped;
	SgCpuShare *cpu_share;
	gint64 excused_until; /* silence before this was the host's doing */
	guint excused_silences;
	gchar *starved_reason;
	guint deadline_source;
	guint last_words_source;
	guint console_closed_source;
	guint done_source;
	GSource *cancel_source;
	SgWatchOutcome outcome;
	SgWatchDone done;
	gpointer user_data;
};

static gboolean
call_done(gpointer user_data)
{
	SgWatch *watch = user_data;

	watch->done_source = 0;
	watch->done(watch->outcome, watch->user_data);
	return G_SOURCE_REMOVE;
}

static void
finish(SgWatch *watch, SgWatchOutcome outcome)
{
	if (watch->finished != 0)
		return;
	watch->finished = g_get_monotonic_time();
	watch->outcome = outcome;
	g_clear_pointer(&watch->cpu_share, sg_cpu_share_free);
	g_clear_handle_id(&watch->deadline_source, g_source_remove);
	g_clear_handle_id(&watch->last_words_source, g_source_remove);
	g_clear_handle_id(&watch->console_closed_source, g_source_remove);
	if (watch->log != NULL)
		fflush(watch->log);
	watch->done_source = g_idle_add_full(G_PRIORITY_HIGH, call_done, watch, NULL);
}

static gboolean on_deadline(gpointer user_data);

/* The boot driver still reads the console: the kernel has not started. */
static gboolean
booting(SgWatch *watch)
{
	return watch->spec.boot != NULL &&
	       sg_boot_driver_get_state(watch->spec.boot) == SG_BOOT_DRIVER_RUNNING;
}

static void
heard(SgWatch *watch)
{
	if (watch->heard)
		return;
	watch->heard = TRUE;
	if (watch->spec.first_bytes != NULL)
		watch->spec.first_bytes(watch->user_data);
}

/* Types what the boot driver asks for; a console that takes no keys is the
 * lab's trouble. */
static void
send_keys(SgWatch *watch)
{
	g_autofree gchar *keys = sg_boot_driver_take_keys(watch->spec.boot);
	g_autoptr(GError) error = NULL;

	if (keys == NULL || watch->stream == NULL)
		return;
	g_debug("%s: typing %zu bytes", watch->phase, strlen(keys));
	if (!sg_console_stream_send(watch->stream, keys, strlen(keys), &error))
		g_warning("%s: %s", watch->phase, error->message);
}

/* What the boot driver decided, once it did; TRUE when the watch ended. */
static gboolean
follow_boot(SgWatch *watch, gint64 now)
{
	send_keys(watch);
	switch (sg_boot_driver_get_state(watch->spec.boot)) {
	case SG_BOOT_DRIVER_RUNNING:
		return FALSE;
	case SG_BOOT_DRIVER_FAILED:
		finish(watch, SG_WATCH_BOOT_FAILED);
		return TRUE;
	case SG_BOOT_DRIVER_NOT_JUDGED:
		finish(watch, SG_WATCH_BOOT_NOT_JUDGED);
		return TRUE;
	default:
		break;
	}
	/* The kernel runs: from here its silence counts, not the time the
	 * firmware and the menu took. */
	watch->excused_until = now;
	heard(watch);
	if (watch->spec.stop_on_kernel) {
		finish(watch, SG_WATCH_KERNEL_STARTED);
		return TRUE;
	}
	return FALSE;
}

/* Since when the guest said nothing that counts. */
static gint64
quiet_since(SgWatch *watch)
{
	return MAX(MAX(watch->started, watch->excused_until),
		   sg_console_get_last_output(watch->spec.console));
}

/* The next moment time alone can decide something: the phase's limit, the
 * silence limit from the last meaningful output, or a dialog settling. */
static void
arm_deadline(SgWatch *watch)
{
	gint64 deadline = watch->started + (gint64)watch->spec.timeout_seconds * G_USEC_PER_SEC;
	gint64 settles = sg_console_get_next_deadline(watch->spec.console);
	gint64 now = g_get_monotonic_time();

	if (booting(watch)) {
		gint64 next = sg_boot_driver_get_next_deadline(watch->spec.boot);
		if (next > 0)
			deadline = MIN(deadline, next);
	} else {
		deadline = MIN(deadline, quiet_since(watch) + (gint64)watch->spec.silence_seconds *
								      G_USEC_PER_SEC);
	}
	if (settles > 0)
		deadline = MIN(deadline, settles);
	g_clear_handle_id(&watch->deadline_source, g_source_remove);
	watch->deadline_source =
		g_timeout_add(MAX(deadline - now, 0) / 1000 + 1, on_deadline, watch);
}

/* Decides what the console and time say now; TRUE when the watch ended. */
static gboolean
evaluate(SgWatch *watch, gint64 now)
{
	SgConsole *console = watch->spec.console;

	if (watch->finished != 0)
		return TRUE;
	sg_console_tick(console, now);
	if (sg_console_get_problem(console) != SG_CONSOLE_PROBLEM_NONE) {
		finish(watch, SG_WATCH_PROBLEM);
		return TRUE;
	}
	if (watch->spec.stop_on_markers && sg_console_markers_complete(console)) {
		finish(watch, SG_WATCH_MARKERS_SEEN);
		return TRUE;
	}
	return FALSE;
}

/* The silence limit passed. A guest the lab host starved of CPU may only
 * not have run: its silence is excused, up to MAX_EXCUSED_SILENCES times,
 * then it is the lab's fault, not the image's. */
static void
judge_silence(SgWatch *watch, gint64 now)
{
	g_autofree gchar *how = NULL;

	if (watch->cpu_share == NULL ||
	    !sg_cpu_share_starved_since(watch->cpu_share, quiet_since(watch), &how)) {
		finish(watch, SG_WATCH_SILENT);
		return;
	}
	if (watch->excused_silences >= MAX_EXCUSED_SILENCES) {
		watch->starved_reason = g_steal_pointer(&how);
		finish(watch, SG_WATCH_STARVED);
		return;
	}
	watch->excused_silences++;
	watch->excused_until = now;
	if (watch->spec.progress != NULL)
		sg_progress_note(watch->spec.progress,
				 "%s: console silent for %u s, but %s: waiting %u s more",
				 watch->phase, watch->spec.silence_seconds, how,
				 watch->spec.silence_seconds);
	arm_deadline(watch);
}

static gboolean
on_deadline(gpointer user_data)
{
	SgWatch *watch = user_data;
	gint64 now = g_get_monotonic_time();

	watch->deadline_source = 0;
	if (booting(watch)) {
		sg_boot_driver_tick(watch->spec.boot, now);
		if (follow_boot(watch, now))
			return G_SOURCE_REMOVE;
	}
	if (evaluate(watch, now))
		return G_SOURCE_REMOVE;
	if (now - watch->started >= (gint64)watch->spec.timeout_seconds * G_USEC_PER_SEC)
		finish(watch, SG_WATCH_TIMEOUT);
	else if (booting(watch))
		arm_deadline(watch);
	else if (now - quiet_since(watch) >= (gint64)watch->spec.silence_seconds * G_USEC_PER_SEC)
		judge_silence(watch, now);
	else
		arm_deadline(watch);
	return G_SOURCE_REMOVE;
}

static void
on_console_data(const gchar *data, gsize len, gpointer user_data)
{
	SgWatch *watch = user_data;
	gint64 now = g_get_monotonic_time();

	/* The evidence is byte for byte what came, even after the verdict. */
	if (watch->log != NULL)
		fwrite(data, 1, len, watch->log);
	if (watch->finished != 0)
		return;
	if (booting(watch)) {
		sg_boot_driver_feed(watch->spec.boot, data, len, now);
		if (follow_boot(watch, now))
			return;
		if (booting(watch)) {
			arm_deadline(watch);
			return;
		}
		/* The kernel's first line is in this chunk: the judge reads
		 * on from here. */
	}
	sg_console_feed(watch->spec.console, data, len, now);
	if (evaluate(watch, now))
		return;
	if (len > 0)
		heard(watch);
	if (watch->spec.progress != NULL)
		sg_progress_update(watch->spec.progress, watch->phase, now - watch->started,
				   sg_console_get_last_line(watch->spec.console));
	arm_deadline(watch);
}

/* The guest is gone and its console has said all it will. */
static void
conclude_stopped(SgWatch *watch)
{
	gint64 now = g_get_monotonic_time();

	g_clear_handle_id(&watch->last_words_source, g_source_remove);
	g_clear_handle_id(&watch->console_closed_source, g_source_remove);
	/* A machine that stopped before its kernel started did not boot the
	 * image (a firmware that resets when it finds nothing to boot). */
	if (booting(watch)) {
		sg_boot_driver_machine_stopped(watch->spec.boot, now);
		follow_boot(watch, now);
		return;
	}
	if (!evaluate(watch, now))
		finish(watch, SG_WATCH_GUEST_STOPPED);
}

static gboolean
on_last_words_timeout(gpointer user_data)
{
	SgWatch *watch = user_data;

	watch->last_words_source = 0;
	conclude_stopped(watch);
	return G_SOURCE_REMOVE;
}

static void
on_guest_stopped(gpointer user_data)
{
	SgWatch *watch = user_data;

	watch->guest_stopped = TRUE;
	if (watch->finished != 0)
		return;
	sg_console_stream_drain(watch->stream);
	if (sg_console_stream_is_closed(watch->stream))
		conclude_stopped(watch);
	else if (watch->last_words_source == 0)
		watch->last_words_source =
			g_timeout_add(LAST_WORDS_US / 1000, on_last_words_timeout, watch);
}

static gboolean
on_console_closed_timeout(gpointer user_data)
{
	SgWatch *watch = user_data;

	watch->console_closed_source = 0;
	if (!sg_guest_is_running(watch->spec.guest)) {
		watch->guest_stopped = TRUE;
		conclude_stopped(watch);
	} else {
		/* The guest runs on but we cannot hear it: a broken connection,
		 * not the image's doing. */
		finish(watch, SG_WATCH_CONSOLE_LOST);
	}
	return G_SOURCE_REMOVE;
}

static void
on_console_closed(gpointer user_data)
{
	SgWatch *watch = user_data;

	if (watch->finished != 0)
		return;
	if (watch->guest_stopped) {
		conclude_stopped(watch);
		return;
	}
	/* QEMU closes the console as it exits, before libvirt's lifecycle
	 * event says the guest stopped: give that event time to come. */
	if (watch->console_closed_source == 0)
		watch->console_closed_source =
			g_timeout_add(STOP_NOTICED_US / 1000, on_console_closed_timeout, watch);
}

static gboolean
on_cancelled(GCancellable *cancellable, gpointer user_data)
{
	finish(user_data, SG_WATCH_CANCELLED);
	return G_SOURCE_REMOVE;
}

SgWatch *
sg_watch_start(const SgWatchSpec *spec, SgWatchDone done, gpointer user_data, GError **error)
{
	g_autoptr(SgWatch) watch = g_new0(SgWatch, 1);

	watch->spec = *spec;
	watch->phase = g_strdup(spec->phase);
	watch->console_path = g_strdup(spec->console_path);
	watch->spec.phase = watch->phase;
	watch->spec.console_path = watch->console_path;
	watch->done = done;
	watch->user_data = user_data;
	watch->log = fopen(spec->console_path, "wb");
	if (watch->log == NULL) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot write %s: %s",
			    spec->console_path, g_strerror(errno));
		return NULL;
	}
	watch->stream = sg_console_stream_open(spec->guest, on_console_data, on_console_closed,
					       watch, error);
	if (watch->stream == NULL)
		return NULL;
	if (!sg_guest_watch_lifecycle(spec->guest, on_guest_stopped, watch, error))
		return NULL;
	watch->started = g_get_monotonic_time();
	if (!sg_guest_resume(spec->guest, error))
		return NULL;
	watch->cpu_share = sg_cpu_share_new(spec->guest->domain);
	if (spec->cancellable != NULL) {
		watch->cancel_source = g_cancellable_source_new(spec->cancellable);
		g_source_set_callback(watch->cancel_source, G_SOURCE_FUNC(on_cancelled), watch,
				      NULL);
		g_source_attach(watch->cancel_source, NULL);
	}
	arm_deadline(watch);
	return g_steal_pointer(&watch);
}

void
sg_watch_close_console(SgWatch *watch)
{
	g_clear_pointer(&watch->stream, sg_console_stream_free);
}

const gchar *
sg_watch_get_starved_reason(SgWatch *watch)
{
	return watch->starved_reason;
}

gint64
sg_watch_get_finished(SgWatch *watch)
{
	return watch->finished;
}

void
sg_watch_free(SgWatch *watch)
{
	if (watch == NULL)
		return;
	g_clear_handle_id(&watch->deadline_source, g_source_remove);
	g_clear_handle_id(&watch->last_words_source, g_source_remove);
	g_clear_handle_id(&watch->console_closed_source, g_source_remove);
	g_clear_handle_id(&watch->done_source, g_source_remove);
	if (watch->cancel_source != NULL) {
		g_source_destroy(watch->cancel_source);
		g_source_unref(watch->cancel_source);
	}
	/* The guest outlives its watch (a screenshot, a shutdown): it must
	 * not call back into freed memory. */
	if (watch->spec.guest != NULL && watch->spec.guest->on_stopped_data == watch)
		watch->spec.guest->on_stopped = NULL;
	g_clear_pointer(&watch->stream, sg_console_stream_free);
	g_clear_pointer(&watch->cpu_share, sg_cpu_share_free);
	if (watch->log != NULL)
		fclose(watch->log);
	g_free(watch->starved_reason);
	g_free(watch->phase);
	g_free(watch->console_path);
	g_free(watch);
}
