#pragma once

#include "sg-family.h"

G_BEGIN_DECLS

/*
 * Reads a guest's serial console as it arrives and says, the moment it can,
 * whether the phase went wrong (a panic, an installer error, a question the
 * answer file missed, the display manager failing) and which of the
 * phase's success markers have been seen. Judgement is by positive
 * evidence: a line merely containing "error" decides nothing.
 *
 * Every byte goes two ways: into lines (escape sequences dropped) for the
 * line rules, and through an 80x24 terminal (SgScreen) for full-screen
 * installers: a debian-installer newt dialog "[!!] Step" or subiquity's
 * error and question screens, drawn and then unchanged for a settle time
 * (a few seconds), are a question or an installer error; a progress window
 * is not. Only meaningful screen changes count as output: a status line's
 * clock does not.
 *
 * Early-boot failures are judged in every phase and family the moment they
 * show: the kernel unable to mount its root, an initramfs emergency shell
 * (initramfs-tools, live-boot, casper, dracut), systemd's emergency or
 * rescue mode. In the desktop phase a display manager's greeter with no
 * autologin session within SG_CONSOLE_LOGIN_SCREEN_GRACE_US is a problem;
 * while such a judgement waits, the markers do not count as complete.
 */
typedef enum {
	SG_CONSOLE_PHASE_INSTALL,
	SG_CONSOLE_PHASE_DESKTOP, /* the installed system or a live session */
} SgConsolePhase;

typedef enum {
	SG_CONSOLE_PROBLEM_NONE,
	SG_CONSOLE_PROBLEM_KERNEL_PANIC,
	SG_CONSOLE_PROBLEM_HOST_STARVED, /* a lab problem: the verdict is "error" */
	SG_CONSOLE_PROBLEM_KERNEL_OOPS,
	SG_CONSOLE_PROBLEM_INSTALLER_ERROR,
	SG_CONSOLE_PROBLEM_INSTALLER_QUESTION,
	SG_CONSOLE_PROBLEM_DESKTOP_FAILED,
	SG_CONSOLE_PROBLEM_NO_ROOT_FS,	    /* the kernel could not mount its root */
	SG_CONSOLE_PROBLEM_EMERGENCY_SHELL, /* the initramfs gave up: (initramfs), BOOT FAILED! */
	SG_CONSOLE_PROBLEM_EMERGENCY_MODE,  /* systemd's emergency or rescue mode */
	SG_CONSOLE_PROBLEM_LOGIN_SCREEN,    /* a display manager's greeter, no autologin */
} SgConsoleProblem;

/* How long a drawn dialog must stay unchanged to count as waiting for an
 * answer nobody gives. */
#define SG_CONSOLE_SETTLE_US (5 * G_USEC_PER_SEC)
/* How long after a display manager's greeter session opened its autologin
 * session may still open: a greeter that stays longer is a login screen
 * nobody passes. LightDM, GDM and SDDM start an autologin session without
 * a greeter (only a delayed autologin, LightDM's autologin-user-timeout or
 * GDM's TimedLogin, goes through the greeter); the grace covers a session
 * started alongside the greeter and stays within the 10 s that a failing
 * line may take to its verdict. */
#define SG_CONSOLE_LOGIN_SCREEN_GRACE_US (8 * G_USEC_PER_SEC)

typedef struct _SgConsole SgConsole;

/* @markers: regular expressions that must all match some line for the
 * phase to count as done; @display_manager: e.g. "lightdm" or NULL. */
SgConsole *sg_console_new(SgFamily family, SgConsolePhase phase, const gchar *display_manager,
			  const gchar *const *markers, GError **error);
void sg_console_free(SgConsole *console);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgConsole, sg_console_free)

/* Feeds raw console bytes as they came at @now_us (monotonic µs). */
void sg_console_feed(SgConsole *console, const gchar *data, gsize len, gint64 now_us);
/* Lets time pass without output: a dialog that stays unchanged long enough
 * becomes a problem here. Call it when sg_console_get_next_deadline() is due. */
void sg_console_tick(SgConsole *console, gint64 now_us);
/* When sg_console_tick() could next decide something with no more output
 * (a dialog on the screen settling), monotonic µs; 0 when nothing waits. */
gint64 sg_console_get_next_deadline(SgConsole *console);

SgConsoleProblem sg_console_get_problem(SgConsole *console);
/* One line quoting the console for the problem, e.g. "[!] Choose a mirror: ..." */
const gchar *sg_console_get_problem_quote(SgConsole *console);
/* When the problem first showed (monotonic µs), 0 if none: the line's
 * arrival, or for a dialog when it first appeared on the screen (not when
 * it had waited long enough to be judged). */
gint64 sg_console_get_problem_time(SgConsole *console);
const gchar *sg_console_problem_to_string(SgConsoleProblem problem);

gboolean sg_console_markers_complete(SgConsole *console);
/* The pattern of the first marker not seen yet, NULL when all were seen. */
const gchar *sg_console_first_missing_marker(SgConsole *console);
/* The line that matched marker @index, NULL when not seen. */
const gchar *sg_console_get_marker_line(SgConsole *console, guint index);

const gchar *sg_console_get_last_line(SgConsole *console);
/* Monotonic µs of the last meaningful output: new lines or a screen change
 * other than a status line's clock; 0 before any. */
gint64 sg_console_get_last_output(SgConsole *console);
gsize sg_console_get_bytes(SgConsole *console);
/* The screen as it is now: 24 lines of UTF-8 text, each ended by a newline
 * (line-drawing cells as Unicode box characters). Free with g_free(). */
gchar *sg_console_get_screen_text(SgConsole *console);

G_END_DECLS
