#pragma once

#include "sg-console.h"
#include "sg-screen.h"

G_BEGIN_DECLS

/*
 * The console's judges, behind one small interface. SgConsole (sg-console.c)
 * splits the bytes into lines, feeds the terminal, keeps the markers and
 * records the first problem; the judges say what a line or a screen means:
 *
 * - one judge per installer family, for its install phase: the lines its
 *   installer prints when it fails or asks, and the windows it draws
 *   (sg-console-debian-installer.c, -ubiquity.c, -subiquity.c, -live.c);
 * - judges every family shares, in every phase: the kernel, the initramfs
 *   and systemd giving up (sg-console-boot.c), and in the desktop phase the
 *   display manager (sg-console-display-manager.c).
 *
 * A judge is a table of functions over a state of its own (@size bytes,
 * zeroed, made for each console); every function may be NULL.
 */

/* What the screen shows, as far as a judge cares. */
typedef enum {
	SG_SCREEN_VIEW_NOTHING,
	SG_SCREEN_VIEW_PROGRESS, /* a window that goes away by itself */
	SG_SCREEN_VIEW_WAITING,	 /* a dialog that waits for an answer */
} SgScreenViewKind;

typedef struct {
	SgScreenViewKind kind;
	gchar *title; /* as drawn in the window's top border, may be empty */
	gchar *key;   /* title and text: a different key is a different dialog */
	gchar *quote; /* title and first lines of text, one line */
	gboolean error;
} SgScreenView;

void sg_screen_view_clear(SgScreenView *view);

/* A line matching @pattern (a GRegex) is @problem. Tables of rules end
 * with a NULL pattern. */
typedef struct {
	const gchar *pattern;
	SgConsoleProblem problem;
} SgConsoleLineRule;

typedef struct {
	const gchar *name;
	gsize size;
	/* Adds the judge's line rules (sg_console_add_rules()) and readies
	 * its state, for the console's family, phase and display manager. */
	void (*init)(SgConsole *console, gpointer state);
	void (*clear)(gpointer state);
	/* Every line after the rules: @complete is FALSE for a line not ended
	 * yet (a prompt waits without a newline), which comes again, longer,
	 * until it ends. Judges may report a problem, now or later. */
	void (*line)(SgConsole *console, gpointer state, const gchar *line, gboolean complete,
		     gint64 now_us);
	/* The install phase's screen changed: fills @view when the screen
	 * shows a window of this judge's installer. */
	void (*read_screen)(SgConsole *console, gpointer state, const SgScreenCells *cells,
			    SgScreenView *view);
} SgConsoleJudge;

/* The judge of each installer family. */
extern const SgConsoleJudge sg_console_debian_installer_judge;
extern const SgConsoleJudge sg_console_ubiquity_judge;
extern const SgConsoleJudge sg_console_subiquity_judge;
extern const SgConsoleJudge sg_console_live_judge;
/* The judges every family shares. */
extern const SgConsoleJudge sg_console_boot_judge;
extern const SgConsoleJudge sg_console_display_manager_judge;

/* What a judge may ask of the console and tell it. */
SgConsolePhase sg_console_get_phase(SgConsole *console);
const gchar *sg_console_get_display_manager(SgConsole *console);
/* The last complete line that had words, before the one being judged. */
const gchar *sg_console_get_previous_line(SgConsole *console);
void sg_console_add_rule(SgConsole *console, const gchar *pattern, SgConsoleProblem problem);
void sg_console_add_rules(SgConsole *console, const SgConsoleLineRule *rules);
/* A pattern of the judges' own: a bad one is a bug, not an input. */
GRegex *sg_console_regex_new(const gchar *pattern, GRegexCompileFlags flags);

/* @quote as it shows, since @since_us. The first problem is the reason:
 * later ones follow from it and are dropped. */
void sg_console_report(SgConsole *console, SgConsoleProblem problem, const gchar *quote,
		       gint64 since_us);
/* @problem, decided at @due_us unless withdrawn or reported before: what
 * a judge waits a moment for (the words that follow a shell's prompt, an
 * autologin after a greeter). Only the first of a kind waits. */
void sg_console_report_at(SgConsole *console, SgConsoleProblem problem, const gchar *quote,
			  gint64 since_us, gint64 due_us);
void sg_console_withdraw(SgConsole *console, SgConsoleProblem problem);
/* Whether @problem waits to be decided. */
gboolean sg_console_is_pending(SgConsole *console, SgConsoleProblem problem);

/* The debconf dialogs debian-installer shows (sg-console-debian-installer.c),
 * which the ubiquity and subiquity judges read too: its functions are the
 * debian-installer judge's. */
typedef struct {
	GRegex *dialog_title;
	GRegex *dialog_prompt;
	GRegex *error_words;
	GRegex *priority_title;
	GRegex *newt_button;
	GRegex *gauge;
	gchar *dialog; /* the text-frontend dialog being shown: title and text */
	gint64 dialog_since;
} SgDebconfJudge;

void sg_debconf_judge_init(SgConsole *console, gpointer state);
void sg_debconf_judge_clear(gpointer state);
void sg_debconf_judge_line(SgConsole *console, gpointer state, const gchar *line, gboolean complete,
			   gint64 now_us);
void sg_debconf_judge_read_screen(SgConsole *console, gpointer state, const SgScreenCells *cells,
				  SgScreenView *view);

G_END_DECLS
