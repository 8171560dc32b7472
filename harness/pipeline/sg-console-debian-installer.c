/* The debian-installer judge: the questions and errors of debconf as
 * cdebconf shows them on a serial console, printed line by line (its text
 * frontend) or drawn in a newt window. */

#include <string.h>

#include "sg-console-judge.h"

/* Long enough to quote a dialog, short enough for a one-line reason. */
#define MAX_DIALOG 240
/* Lines of a window's text quoted after its title. */
#define QUOTE_LINES 4

void
sg_debconf_judge_init(SgConsole *console, gpointer state)
{
	SgDebconfJudge *judge = state;

	/* debian-installer's text frontend ends a question with a prompt that
	 * waits for input, and a note or an error with "[Press enter to
	 * continue]" (cdebconf's text.so). Its titles are underlined with
	 * dashes; "[!!] Step" titles are kept for older and imitation ones. */
	judge->dialog_title = sg_console_regex_new("^\\s*\\[!!?\\] \\S", 0);
	judge->dialog_prompt =
		sg_console_regex_new("Prompt: '\\?' for help|\\[Press enter to continue\\]", 0);
	judge->error_words = sg_console_regex_new("fail|error|could not|cannot|unable|"
						  "not available|not found|aborting",
						  G_REGEX_CASELESS);
	/* cdebconf's newt frontend titles a question "[%s] %s" with its
	 * priority: "!!" critical, "!" high, "?" medium, "." low (newt.so).
	 * Progress windows have no such mark. */
	judge->priority_title = sg_console_regex_new("^\\[(!!|!|\\?|\\.)\\] \\S", 0);
	judge->newt_button = sg_console_regex_new("<[^<>\\s][^<>]*>", 0);
	judge->gauge = sg_console_regex_new("^\\d{1,3}%$", 0);
}

void
sg_debconf_judge_clear(gpointer state)
{
	SgDebconfJudge *judge = state;

	g_clear_pointer(&judge->dialog_title, g_regex_unref);
	g_clear_pointer(&judge->dialog_prompt, g_regex_unref);
	g_clear_pointer(&judge->error_words, g_regex_unref);
	g_clear_pointer(&judge->priority_title, g_regex_unref);
	g_clear_pointer(&judge->newt_button, g_regex_unref);
	g_clear_pointer(&judge->gauge, g_regex_unref);
	g_clear_pointer(&judge->dialog, g_free);
}

/* A prompt closes the text-frontend dialog; what it says decides error or
 * question. */
static void
close_dialog(SgConsole *console, SgDebconfJudge *judge, const gchar *prompt_line, gint64 now_us)
{
	const gchar *dialog =
		judge->dialog != NULL ? judge->dialog : sg_console_get_previous_line(console);
	SgConsoleProblem problem = SG_CONSOLE_PROBLEM_INSTALLER_QUESTION;

	if (dialog == NULL)
		dialog = prompt_line;
	if (g_regex_match(judge->error_words, dialog, 0, NULL))
		problem = SG_CONSOLE_PROBLEM_INSTALLER_ERROR;
	sg_console_report(console, problem, dialog,
			  judge->dialog != NULL ? judge->dialog_since : now_us);
}

/* cdebconf's text frontend underlines a title with as many dashes. */
static gboolean
is_underline_of(const gchar *line, const gchar *title)
{
	glong len = (glong)strlen(line);

	if (len < 3 || title == NULL || strspn(line, "-") != (gsize)len)
		return FALSE;
	return ABS(g_utf8_strlen(title, -1) - len) <= 1;
}

static void
track_dialog(SgConsole *console, SgDebconfJudge *judge, const gchar *raw_line, gint64 now_us)
{
	g_autofree gchar *line = g_strstrip(g_strdup(raw_line));
	const gchar *previous = sg_console_get_previous_line(console);

	if (g_regex_match(judge->dialog_title, line, 0, NULL)) {
		g_free(judge->dialog);
		judge->dialog = g_steal_pointer(&line);
		judge->dialog_since = now_us;
		return;
	}
	if (is_underline_of(line, previous)) {
		g_free(judge->dialog);
		judge->dialog = g_strdup(previous);
		judge->dialog_since = now_us;
		return;
	}
	if (judge->dialog != NULL && line[0] != '\0' && strlen(judge->dialog) < MAX_DIALOG) {
		gchar *longer =
			g_strdup_printf("%s%s %s", judge->dialog,
					strchr(judge->dialog, ':') == NULL ? ":" : "", line);
		g_free(judge->dialog);
		judge->dialog = longer;
	}
}

void
sg_debconf_judge_line(SgConsole *console, gpointer state, const gchar *line, gboolean complete,
		      gint64 now_us)
{
	SgDebconfJudge *judge = state;

	if (sg_console_get_phase(console) != SG_CONSOLE_PHASE_INSTALL)
		return;
	if (g_regex_match(judge->dialog_prompt, line, 0, NULL))
		close_dialog(console, judge, line, now_us);
	else if (complete)
		track_dialog(console, judge, line, now_us);
}

/* A newt window: title in the top border, text, buttons "<Go Back>"
 * "<Continue>", or a gauge "45%" for progress. */
void
sg_debconf_judge_read_screen(SgConsole *console, gpointer state, const SgScreenCells *cells,
			     SgScreenView *view)
{
	SgDebconfJudge *judge = state;
	guint top = 0;
	guint left = 0;
	guint right = 0;
	guint bottom = 0;
	gboolean has_buttons = FALSE;
	gboolean has_gauge = FALSE;
	gint prompt = -1;
	g_autofree gchar *title = NULL;
	g_autoptr(GString) key = NULL;
	g_autoptr(GString) quote = NULL;
	g_autoptr(GString) words = NULL;
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);

	if (!sg_screen_cells_find_titled_box(cells, &top, &left, &right, &title))
		return;
	for (guint row = top + 1; row < SG_SCREEN_ROWS && bottom == 0; row++) {
		if (cells->ch[row][left] == SG_SCREEN_BOX_BOTTOM_LEFT &&
		    cells->ch[row][right] == SG_SCREEN_BOX_BOTTOM_RIGHT)
			bottom = row;
	}
	if (bottom == 0)
		return; /* still being drawn */
	key = g_string_new(title);
	words = g_string_new(title);
	for (guint row = top + 1; row < bottom; row++) {
		g_autofree gchar *text = sg_screen_cells_get_words(cells, row, left + 1, right);

		if (text[0] == '\0')
			continue;
		g_string_append_printf(key, "\n%s", text);
		if (g_regex_match(judge->gauge, text, 0, NULL))
			has_gauge = TRUE;
		if (g_regex_match(judge->newt_button, text, 0, NULL)) {
			has_buttons = TRUE;
			continue;
		}
		if (has_buttons)
			continue;
		g_string_append_printf(words, " %s", text);
		/* cdebconf puts a question's short description, "Name server
		 * addresses:", after its long one, just above the answer. */
		if (g_str_has_suffix(text, ":"))
			prompt = lines->len;
		g_ptr_array_add(lines, g_steal_pointer(&text));
	}
	/* Quote what is asked first, then why, and not the choices below it;
	 * an error's words stay in their order. */
	view->error = g_regex_match(judge->error_words, words->str, 0, NULL);
	quote = g_string_new(title);
	if (view->error)
		prompt = -1;
	if (prompt > 0) {
		g_string_append_printf(quote, ": %s", (gchar *)g_ptr_array_index(lines, prompt));
		g_ptr_array_set_size(lines, prompt);
	}
	for (guint i = 0; i < lines->len && i < QUOTE_LINES; i++)
		g_string_append_printf(quote, "%s %s", i == 0 && prompt <= 0 ? ":" : "",
				       (gchar *)g_ptr_array_index(lines, i));
	view->title = g_steal_pointer(&title);
	view->key = g_string_free(g_steal_pointer(&key), FALSE);
	view->quote = g_string_free(g_steal_pointer(&quote), FALSE);
	/* A question carries its priority in the title; a progress window
	 * has a gauge and none. A select question may show no buttons at all
	 * ("[!!] Download installer components": Retry, Change mirror, Cancel). */
	if (g_regex_match(judge->priority_title, view->title, 0, NULL) && !has_gauge)
		view->kind = SG_SCREEN_VIEW_WAITING;
	else
		view->kind = SG_SCREEN_VIEW_PROGRESS;
}

const SgConsoleJudge sg_console_debian_installer_judge = {
	.name = "debian-installer",
	.size = sizeof(SgDebconfJudge),
	.init = sg_debconf_judge_init,
	.clear = sg_debconf_judge_clear,
	.line = sg_debconf_judge_line,
	.read_screen = sg_debconf_judge_read_screen,
};
