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

struct _SgDesktopScreenWatch {
	SgGuest *guest;
	gchar *png_path;
	gchar *tmp_path;
	gint64 started;
	gint64 deadline;
	GCancellable *cancellable;
	SgPicture *previous;
	SgDesktopScreenReport report;
	guint timer;
	/* A picture is being taken on its thread; freeing the watch meanwhile
	 * leaves it to that picture's callback (@orphaned). */
	gboolean taking;
	gboolean orphaned;
	GCancellable *taking_cancellable;
	guint done_source;
	SgDesktopScreenOutcome outcome;
	SgDesktopScreenDone done;
	gpointer user_data;
};

static gboolean
call_done(gpointer user_data)
{
	SgDesktopScreenWatch *watch = user_data;

	watch->done_source = 0;
	watch->done(watch->outcome, &watch->report, watch->user_data);
	return G_SOURCE_REMOVE;
}

static gboolean
finish(SgDesktopScreenWatch *watch, SgDesktopScreenOutcome outcome)
{
	watch->outcome = outcome;
	watch->done_source = g_idle_add(call_done, watch);
	return G_SOURCE_REMOVE;
}

static void
watch_free(SgDesktopScreenWatch *watch)
{
	g_clear_handle_id(&watch->timer, g_source_remove);
	g_clear_handle_id(&watch->done_source, g_source_remove);
	g_clear_pointer(&watch->previous, sg_picture_free);
	g_clear_object(&watch->cancellable);
	g_clear_object(&watch->taking_cancellable);
	sg_desktop_screen_report_clear(&watch->report);
	g_free(watch->png_path);
	g_free(watch->tmp_path);
	g_free(watch);
}

static gboolean take_picture(gpointer user_data);

/* One picture: judged, kept as evidence, compared with the one before. */
static void
on_picture_taken(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SgDesktopScreenWatch *watch = user_data;
	SgDesktopScreenReport *report = &watch->report;
	g_autoptr(GError) error = NULL;
	g_autoptr(SgPicture) picture = NULL;
	gint64 taken;

	watch->taking = FALSE;
	if (watch->orphaned) {
		g_unlink(watch->tmp_path);
		watch_free(watch);
		return;
	}
	if (!sg_guest_screenshot_finish(result, &error) ||
	    (picture = sg_picture_load(watch->tmp_path, &error)) == NULL) {
		g_unlink(watch->tmp_path);
		/* A guest that stopped between the check and the picture is no
		 * failure of libvirt's. */
		if (!sg_guest_is_running(watch->guest)) {
			finish(watch, SG_DESKTOP_SCREEN_GUEST_STOPPED);
			return;
		}
		report->error_message = g_strdup(error->message);
		finish(watch, SG_DESKTOP_SCREEN_NO_PICTURE);
		return;
	}
	taken = g_get_monotonic_time();
	if (g_rename(watch->tmp_path, watch->png_path) != 0)
		g_unlink(watch->tmp_path);
	report->pictures++;
	report->seconds = (taken - watch->started) / 1e6;
	report->kind = sg_picture_classify(picture);
	g_free(report->description);
	report->description = sg_picture_describe(picture);
	report->settled = watch->previous != NULL &&
			  sg_picture_difference(watch->previous, picture) <= SETTLED_DIFFERENCE;
	g_debug("desktop screen after %.1f s: %s (%s)%s", report->seconds,
		sg_screen_kind_to_string(report->kind), report->description,
		report->settled ? ", settled" : "");
	if (report->kind == SG_SCREEN_DRAWN && report->settled) {
		finish(watch, SG_DESKTOP_SCREEN_DRAWN);
		return;
	}
	if (taken >= watch->deadline) {
		/* A desktop that keeps moving (an animation, a video) is still
		 * drawn; only "never drawn" fails. */
		finish(watch, report->kind == SG_SCREEN_DRAWN ? SG_DESKTOP_SCREEN_DRAWN
							      : SG_DESKTOP_SCREEN_NOT_DRAWN);
		return;
	}
	g_clear_pointer(&watch->previous, sg_picture_free);
	watch->previous = g_steal_pointer(&picture);
	watch->timer = g_timeout_add(MIN(INTERVAL_US, watch->deadline - taken) / 1000 + 1,
				     take_picture, watch);
}

/* The screenshot itself (about 0.1 s) is taken on a thread: the main loop
 * keeps serving every guest's console meanwhile. */
static gboolean
take_picture(gpointer user_data)
{
	SgDesktopScreenWatch *watch = user_data;

	watch->timer = 0;
	if (g_cancellable_is_cancelled(watch->cancellable))
		return finish(watch, SG_DESKTOP_SCREEN_CANCELLED);
	if (!sg_guest_is_running(watch->guest))
		return finish(watch, SG_DESKTOP_SCREEN_GUEST_STOPPED);
	watch->taking = TRUE;
	sg_guest_screenshot_async(watch->guest, watch->tmp_path, watch->taking_cancellable,
				  on_picture_taken, watch);
	return G_SOURCE_REMOVE;
}

SgDesktopScreenWatch *
sg_desktop_screen_watch(SgGuest *guest, const gchar *png_path, guint limit_seconds,
			GCancellable *cancellable, SgDesktopScreenDone done, gpointer user_data)
{
	SgDesktopScreenWatch *watch = g_new0(SgDesktopScreenWatch, 1);

	watch->guest = guest;
	watch->png_path = g_strdup(png_path);
	watch->tmp_path = g_strconcat(png_path, ".new", NULL);
	watch->cancellable = cancellable != NULL ? g_object_ref(cancellable) : NULL;
	watch->done = done;
	watch->user_data = user_data;
	watch->started = g_get_monotonic_time();
	watch->deadline = watch->started + (gint64)limit_seconds * G_USEC_PER_SEC;
	watch->report.kind = SG_SCREEN_BLANK;
	watch->taking_cancellable = g_cancellable_new();
	watch->timer = g_idle_add(take_picture, watch);
	return watch;
}

void
sg_desktop_screen_watch_free(SgDesktopScreenWatch *watch)
{
	if (watch == NULL)
		return;
	if (watch->taking) {
		g_clear_handle_id(&watch->done_source, g_source_remove);
		watch->orphaned = TRUE;
		g_cancellable_cancel(watch->taking_cancellable);
		return;
	}
	watch_free(watch);
}
