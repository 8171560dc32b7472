#pragma once

#include "sg-family.h"

G_BEGIN_DECLS

/*
 * Reads a guest's serial console as it arrives and says, the moment it can,
 * whether the phase went wrong (a panic, an installer error, a question the
 * answer file missed, the display manager failing) and which of the
 * phase's success markers have been seen. Judgement is by positive
 * evidence: a line merely containing "error" decides nothing.
 */
typedef enum {
	SG_CONSOLE_PHASE_INSTALL,
	SG_CONSOLE_PHASE_DESKTOP, /* the installed system or a live session */
} SgConsolePhase;

typedef enum {
	SG_CONSOLE_PROBLEM_NONE,
	SG_CONSOLE_PROBLEM_KERNEL_PANIC,
	SG_CONSOLE_PROBLEM_KERNEL_OOPS,
	SG_CONSOLE_PROBLEM_INSTALLER_ERROR,
	SG_CONSOLE_PROBLEM_INSTALLER_QUESTION,
	SG_CONSOLE_PROBLEM_DESKTOP_FAILED,
} SgConsoleProblem;

typedef struct _SgConsole SgConsole;

/* @markers: regular expressions that must all match some line for the
 * phase to count as done; @display_manager: e.g. "lightdm" or NULL. */
SgConsole *sg_console_new(SgFamily family, SgConsolePhase phase, const gchar *display_manager,
			  const gchar *const *markers, GError **error);
void sg_console_free(SgConsole *console);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgConsole, sg_console_free)

/* Feeds raw console bytes (escape sequences and CRs are dropped). */
void sg_console_feed(SgConsole *console, const gchar *data, gsize len, gint64 now_us);

SgConsoleProblem sg_console_get_problem(SgConsole *console);
/* One line quoting the console for the problem, e.g. "[!] Choose a mirror: ..." */
const gchar *sg_console_get_problem_quote(SgConsole *console);
/* When the line showing the problem was read (monotonic µs), 0 if none. */
gint64 sg_console_get_problem_time(SgConsole *console);
const gchar *sg_console_problem_to_string(SgConsoleProblem problem);

gboolean sg_console_markers_complete(SgConsole *console);
/* The pattern of the first marker not seen yet, NULL when all were seen. */
const gchar *sg_console_first_missing_marker(SgConsole *console);
/* The line that matched marker @index, NULL when not seen. */
const gchar *sg_console_get_marker_line(SgConsole *console, guint index);

const gchar *sg_console_get_last_line(SgConsole *console);
/* Monotonic µs of the last byte received; 0 before any. */
gint64 sg_console_get_last_output(SgConsole *console);
gsize sg_console_get_bytes(SgConsole *console);

G_END_DECLS
