#include "sg-watch.h"

#include <stdio.h>

/* How often the console file and the guest are looked at: the bound on how
 * late a failure is noticed after QEMU wrote it. */
#define POLL_INTERVAL_US (100 * 1000)

/* Feeds what QEMU appended to the console file since the last call. */
static void
read_console(FILE **file, const gchar *path, SgConsole *console)
{
	gchar buffer[8192];
	gsize got;

	if (*file == NULL)
		*file = fopen(path, "rb");
	if (*file == NULL)
		return;
	while ((got = fread(buffer, 1, sizeof(buffer), *file)) > 0)
		sg_console_feed(console, buffer, got, g_get_monotonic_time());
	clearerr(*file); /* at EOF now; QEMU may write more */
}

SgWatchOutcome
sg_watch_run(const SgWatch *watch)
{
	gint64 started = g_get_monotonic_time();
	FILE *file = NULL;
	SgWatchOutcome outcome;

	for (;;) {
		gint64 now;
		gint64 quiet_since;
		gboolean running = sg_guest_is_running(watch->guest);

		/* Read after the state check: a guest that stopped has written all. */
		read_console(&file, watch->console_path, watch->console);
		now = g_get_monotonic_time();
		/* A dialog is judged once it has stayed unchanged a while. */
		sg_console_tick(watch->console, now);
		if (sg_console_get_problem(watch->console) != SG_CONSOLE_PROBLEM_NONE) {
			outcome = SG_WATCH_PROBLEM;
			break;
		}
		if (watch->stop_on_markers && sg_console_markers_complete(watch->console)) {
			outcome = SG_WATCH_MARKERS_SEEN;
			break;
		}
		if (!running) {
			outcome = SG_WATCH_GUEST_STOPPED;
			break;
		}
		if (g_cancellable_is_cancelled(watch->cancellable)) {
			outcome = SG_WATCH_CANCELLED;
			break;
		}
		quiet_since = MAX(started, sg_console_get_last_output(watch->console));
		if (now - quiet_since > (gint64)watch->silence_seconds * G_USEC_PER_SEC) {
			outcome = SG_WATCH_SILENT;
			break;
		}
		if (now - started > (gint64)watch->timeout_seconds * G_USEC_PER_SEC) {
			outcome = SG_WATCH_TIMEOUT;
			break;
		}
		if (watch->progress != NULL)
			sg_progress_update(watch->progress, watch->phase, now - started,
					   sg_console_get_last_line(watch->console));
		g_usleep(POLL_INTERVAL_US);
	}
	if (file != NULL)
		fclose(file);
	return outcome;
}
