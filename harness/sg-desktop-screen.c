#include "sg-desktop-screen.h"

#include <glib/gstdio.h>

/* Pictures this far apart are "alike": a blinking text cursor or a clock's
 * digits are well under 0.5% of a 1024x768 screen. */
#define SETTLED_DIFFERENCE 0.005
#define INTERVAL_US (G_USEC_PER_SEC)

void
sg_desktop_screen_report_clear(SgDesktopScreenReport *report)
{
	g_clear_pointer(&report->description, g_free);
	g_clear_pointer(&report->error_message, g_free);
}

/* Sleeps up to @us, waking at once on cancellation. */
static void
pause_or_cancel(GCancellable *cancellable, gint64 us)
{
	gint64 until = g_get_monotonic_time() + us;

	while (!g_cancellable_is_cancelled(cancellable) && g_get_monotonic_time() < until)
		g_usleep(MIN(100 * 1000, MAX(0, until - g_get_monotonic_time())));
}

SgDesktopScreenOutcome
sg_desktop_screen_wait(SgGuest *guest, const gchar *png_path, guint limit_seconds,
		       GCancellable *cancellable, SgDesktopScreenReport *report)
{
	g_autofree gchar *tmp_path = g_strconcat(png_path, ".new", NULL);
	g_autoptr(SgPicture) previous = NULL;
	gint64 started = g_get_monotonic_time();
	gint64 deadline = started + (gint64)limit_seconds * G_USEC_PER_SEC;

	report->kind = SG_SCREEN_BLANK;
	for (;;) {
		g_autoptr(GError) error = NULL;
		g_autoptr(SgPicture) picture = NULL;
		gint64 taken;

		if (g_cancellable_is_cancelled(cancellable))
			return SG_DESKTOP_SCREEN_CANCELLED;
		if (!sg_guest_is_running(guest))
			return SG_DESKTOP_SCREEN_GUEST_STOPPED;
		if (!sg_guest_screenshot(guest, tmp_path, &error) ||
		    (picture = sg_picture_load(tmp_path, &error)) == NULL) {
			g_unlink(tmp_path);
			/* A guest that stopped between the check and the picture is
			 * no failure of libvirt's. */
			if (!sg_guest_is_running(guest))
				return SG_DESKTOP_SCREEN_GUEST_STOPPED;
			report->error_message = g_strdup(error->message);
			return SG_DESKTOP_SCREEN_NO_PICTURE;
		}
		taken = g_get_monotonic_time();
		if (g_rename(tmp_path, png_path) != 0)
			g_unlink(tmp_path);
		report->pictures++;
		report->seconds = (taken - started) / 1e6;
		report->kind = sg_picture_classify(picture);
		g_free(report->description);
		report->description = sg_picture_describe(picture);
		report->settled = previous != NULL &&
				  sg_picture_difference(previous, picture) <= SETTLED_DIFFERENCE;
		g_debug("desktop screen after %.1f s: %s (%s)%s", report->seconds,
			sg_screen_kind_to_string(report->kind), report->description,
			report->settled ? ", settled" : "");
		if (report->kind == SG_SCREEN_DRAWN && report->settled)
			return SG_DESKTOP_SCREEN_DRAWN;
		if (taken >= deadline) {
			/* A desktop that keeps moving (an animation, a video) is
			 * still drawn; only "never drawn" fails. */
			return report->kind == SG_SCREEN_DRAWN ? SG_DESKTOP_SCREEN_DRAWN
							       : SG_DESKTOP_SCREEN_NOT_DRAWN;
		}
		g_clear_pointer(&previous, sg_picture_free);
		previous = g_steal_pointer(&picture);
		pause_or_cancel(cancellable, MIN(INTERVAL_US, deadline - taken));
	}
}
