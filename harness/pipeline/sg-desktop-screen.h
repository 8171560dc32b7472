#pragma once

#include <gio/gio.h>

#include "sg-guest.h"
#include "sg-picture.h"

G_BEGIN_DECLS

/*
 * The desktop must be on the screen, not just in the logs: a session can
 * open and stay black (the classic "black screen after login"), and a
 * real one draws seconds after its console line. So after the console
 * markers, screenshots are taken until the picture settles (two in a row
 * alike) and shows a drawn graphical desktop, within a limit.
 */
typedef enum {
	SG_DESKTOP_SCREEN_DRAWN,	 /* settled (or still moving at the limit) and drawn */
	SG_DESKTOP_SCREEN_NOT_DRAWN,	 /* blank, text mode or a text console at the limit */
	SG_DESKTOP_SCREEN_GUEST_STOPPED, /* the guest went away while we looked */
	SG_DESKTOP_SCREEN_NO_PICTURE,	 /* libvirt gave no screenshot: not judged */
	SG_DESKTOP_SCREEN_CANCELLED,
} SgDesktopScreenOutcome;

typedef struct {
	SgScreenKind kind;    /* of the last picture taken */
	gboolean settled;     /* two pictures in a row alike */
	gdouble seconds;      /* from the start of the wait to the last picture */
	guint pictures;	      /* how many were taken */
	gchar *description;   /* sg_picture_describe() of the last picture */
	gchar *error_message; /* with SG_DESKTOP_SCREEN_NO_PICTURE */
} SgDesktopScreenReport;

void sg_desktop_screen_report_clear(SgDesktopScreenReport *report);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(SgDesktopScreenReport, sg_desktop_screen_report_clear)

typedef struct _SgDesktopScreenWatch SgDesktopScreenWatch;
typedef void (*SgDesktopScreenDone)(SgDesktopScreenOutcome outcome,
				    const SgDesktopScreenReport *report, gpointer user_data);

/* Takes a screenshot of @guest into @png_path every second (each on a
 * thread, sg_guest_screenshot_async; the last one stays there as evidence)
 * until the screen settles drawn or @limit_seconds pass; then @done runs on
 * the main loop (from an idle: it may free the watch). */
SgDesktopScreenWatch *sg_desktop_screen_watch(SgGuest *guest, const gchar *png_path,
					      guint limit_seconds, GCancellable *cancellable,
					      SgDesktopScreenDone done, gpointer user_data);
void sg_desktop_screen_watch_free(SgDesktopScreenWatch *watch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgDesktopScreenWatch, sg_desktop_screen_watch_free)

G_END_DECLS
