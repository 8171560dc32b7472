/* The subiquity judge (Ubuntu Server 20.04+, desktop 23.04+): its event
 * lines, and the screens of its text UI (urwid), drawn rather than printed.
 * A debconf dialog on its console counts as well, as it does for
 * debian-installer and ubiquity. */

#include <string.h>

#include "sg-console-judge.h"

/* Lines of an overlay's text quoted after the screen's header. */
#define QUOTE_LINES 4

typedef struct {
	SgDebconfJudge debconf;
	GRegex *button;
	GRegex *error;
} SgSubiquityJudge;

static const SgConsoleLineRule install_rules[] = {
	{"finish: subiquity/\\S+: FAIL:", SG_CONSOLE_PROBLEM_INSTALLER_ERROR},
	{"Continue with autoinstall\\?", SG_CONSOLE_PROBLEM_INSTALLER_QUESTION},
	/* subiquity/client/client.py, noninteractive_watch_app_state() */
	{"An error occurred\\. Press enter to start a shell", SG_CONSOLE_PROBLEM_INSTALLER_ERROR},
	{NULL},
};

static void
subiquity_init(SgConsole *console, gpointer state)
{
	SgSubiquityJudge *judge = state;

	if (sg_console_get_phase(console) == SG_CONSOLE_PHASE_INSTALL)
		sg_console_add_rules(console, install_rules);
	sg_debconf_judge_init(console, &judge->debconf);
	/* urwid buttons as subiquitycore/ui/buttons.py draws them: "[ Label ]",
	 * the forward ones "[ Label ▸ ]" (">" in basic mode). */
	judge->button = sg_console_regex_new("\\[ [^\\[\\]]*\\S[^\\[\\]]* \\]", 0);
	/* The intros of subiquity/ui/views/error.py (error_report_intros) and
	 * ProgressView's title in its error state (installprogress.py). */
	judge->error =
		sg_console_regex_new("Sorry, (there was a problem|the installer has encountered an "
				     "internal error|the installer has restarted because of an "
				     "error|an unknown error occurred)|An error occurred during "
				     "installation",
				     0);
}

static void
subiquity_clear(gpointer state)
{
	SgSubiquityJudge *judge = state;

	sg_debconf_judge_clear(&judge->debconf);
	g_clear_pointer(&judge->button, g_regex_unref);
	g_clear_pointer(&judge->error, g_regex_unref);
}

static void
subiquity_line(SgConsole *console, gpointer state, const gchar *line, gboolean complete,
	       gint64 now_us)
{
	SgSubiquityJudge *judge = state;

	sg_debconf_judge_line(console, &judge->debconf, line, complete, now_us);
}

/* subiquity's text UI (urwid): the header row names the screen; an error
 * report overlay says "Sorry, ..." (subiquity/ui/views/error.py); the
 * install confirmation is an overlay titled "Confirm destructive action"
 * (subiquity/ui/views/installprogress.py); an interactive screen the
 * autoinstall did not cover waits on its "[ Done ]" button. The progress
 * screen has buttons too ("[ View full log ]") but none of those. */
static void
read_subiquity_screen(SgSubiquityJudge *judge, const SgScreenCells *cells, SgScreenView *view)
{
	g_autoptr(GString) key = g_string_new(NULL);
	g_autoptr(GString) quote = g_string_new(NULL);
	g_autofree gchar *title = NULL;
	gboolean error = FALSE;
	gboolean waiting = FALSE;
	guint quoted = 0;
	gint first_text = -1;

	for (guint row = 0; row < SG_SCREEN_ROWS; row++) {
		g_autofree gchar *text = sg_screen_cells_get_words(cells, row, 0, SG_SCREEN_COLS);

		if (text[0] == '\0')
			continue;
		g_string_append_printf(key, "%s\n", text);
		if (g_regex_match(judge->error, text, 0, NULL)) {
			error = TRUE;
			/* the overlay's words, after the header's */
			if (title != NULL && first_text < 0)
				first_text = row;
		}
		if (strstr(text, "Confirm destructive action") != NULL) {
			waiting = TRUE;
			g_free(title);
			title = g_strdup("Confirm destructive action");
			first_text = row + 1;
			continue;
		}
		if (g_regex_match_simple("\\[ Done\\b", text, 0, 0))
			waiting = TRUE;
		/* The header: the first row with words (the fringes around it
		 * are half blocks, "?" in basic mode). */
		if (title == NULL && g_regex_match_simple("[[:alpha:]]{3}", text, 0, 0)) {
			title = g_steal_pointer(&text);
			first_text = -1;
		}
	}
	if ((!error && !waiting) || title == NULL)
		return;
	g_string_append(quote, title);
	for (guint row = MAX(first_text, 0); row < SG_SCREEN_ROWS && quoted < QUOTE_LINES; row++) {
		g_autofree gchar *text = sg_screen_cells_get_words(cells, row, 0, SG_SCREEN_COLS);

		if (first_text < 0 && g_strcmp0(text, title) == 0) {
			first_text = row; /* quote from the row after the header */
			continue;
		}
		if (first_text < 0 || text[0] == '\0' ||
		    !g_regex_match_simple("\\w\\w", text, 0, 0) ||
		    g_regex_match(judge->button, text, 0, NULL))
			continue;
		g_string_append_printf(quote, "%s %s", quoted++ == 0 ? ":" : "", text);
	}
	view->kind = SG_SCREEN_VIEW_WAITING;
	view->error = error;
	view->title = g_steal_pointer(&title);
	view->key = g_string_free(g_steal_pointer(&key), FALSE);
	view->quote = g_string_free(g_steal_pointer(&quote), FALSE);
}

static void
subiquity_read_screen(SgConsole *console, gpointer state, const SgScreenCells *cells,
		      SgScreenView *view)
{
	SgSubiquityJudge *judge = state;

	sg_debconf_judge_read_screen(console, &judge->debconf, cells, view);
	if (view->kind == SG_SCREEN_VIEW_NOTHING)
		read_subiquity_screen(judge, cells, view);
}

const SgConsoleJudge sg_console_subiquity_judge = {
	.name = "subiquity",
	.size = sizeof(SgSubiquityJudge),
	.init = subiquity_init,
	.clear = subiquity_clear,
	.line = subiquity_line,
	.read_screen = subiquity_read_screen,
};
