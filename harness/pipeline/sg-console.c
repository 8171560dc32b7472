#include "sg-console.h"

#include <string.h>

#include "sg-screen.h"

/* Long enough to quote a dialog, short enough for a one-line reason. */
#define MAX_QUOTE 240
/* Lines of a dialog's text quoted after its title. */
#define QUOTE_LINES 4
/* A line longer than this without a newline is judged and dropped: full-screen
 * frontends address the cursor instead of ending lines. */
#define MAX_PENDING 4096
/* SG_CONSOLE_SETTLE_US: long enough that an installer moving on (a progress
 * window replacing a dialog, a redraw) shows first, short enough that the
 * verdict comes well within 10 s of the dialog's first byte. */
/* Screen changes closer than this belong to one redraw. */
#define BURST_GAP_US (G_USEC_PER_SEC / 2)

/* Box-drawing characters as libvterm reads the VT100 line-drawing set. */
#define BOX_TOP_LEFT 0x250c
#define BOX_TOP_RIGHT 0x2510
#define BOX_BOTTOM_LEFT 0x2514
#define BOX_BOTTOM_RIGHT 0x2518
#define BOX_TITLE_LEFT 0x2524  /* ┤ before a newt window's title */
#define BOX_TITLE_RIGHT 0x251c /* ├ after it */

typedef struct {
	GRegex *regex;
	SgConsoleProblem problem;
} SgConsoleRule;

/* What the screen shows, as far as the judge cares. */
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

struct _SgConsole {
	SgFamily family;
	SgConsolePhase phase;
	GArray *rules; /* SgConsoleRule, checked on every line */
	GPtrArray *markers;
	GPtrArray *marker_patterns;
	GPtrArray *marker_lines;
	GRegex *dialog_title;
	GRegex *dialog_prompt;
	GRegex *error_words;
	GRegex *priority_title;
	GRegex *newt_button;
	GRegex *gauge;
	GRegex *subiquity_button;
	GRegex *subiquity_error;
	GString *pending;    /* the line not ended yet (a prompt has no newline) */
	gchar *pending_text; /* @pending made UTF-8, as last read by get_last_line() */
	gboolean in_escape;
	gchar *dialog; /* the d-i text-frontend dialog being shown: title and text */
	gint64 dialog_since;
	gchar *last_line;
	gchar *previous_line; /* the one before: @last_line may turn out to be a status line */
	SgConsoleProblem problem;
	gchar *problem_quote;
	gint64 problem_time;
	gint64 last_output;
	gsize bytes;

	SgScreen *screen;
	gint64 burst_start; /* first change of the redraw under way */
	gchar *title_seen;  /* the window title on the screen, and since when */
	gint64 title_since;
	SgScreenView view;
	gint64 view_since; /* when the dialog in @view first showed */
};

static void
add_rule(SgConsole *console, const gchar *pattern, SgConsoleProblem problem)
{
	SgConsoleRule rule = {g_regex_new(pattern, 0, 0, NULL), problem};
	g_assert(rule.regex != NULL);
	g_array_append_val(console->rules, rule);
}

static void
add_rules(SgConsole *console, const gchar *display_manager)
{
	/* Kernel trouble ends any phase. */
	/* An emulated guest starved of CPU by a busy host can miss its timer
	 * check and panic this way before the image has run a line of its own:
	 * the lab's trouble, not the image's (rules before it win). */
	add_rule(console, "Kernel panic - not syncing: IO-APIC \\+ timer doesn't work",
		 SG_CONSOLE_PROBLEM_HOST_STARVED);
	add_rule(console, "Kernel panic - not syncing", SG_CONSOLE_PROBLEM_KERNEL_PANIC);
	add_rule(console, "\\bOops: |BUG: unable to handle|general protection fault:",
		 SG_CONSOLE_PROBLEM_KERNEL_OOPS);
	if (console->phase == SG_CONSOLE_PHASE_INSTALL) {
		switch (console->family) {
		case SG_FAMILY_SUBIQUITY:
			add_rule(console, "finish: subiquity/\\S+: FAIL:",
				 SG_CONSOLE_PROBLEM_INSTALLER_ERROR);
			add_rule(console, "Continue with autoinstall\\?",
				 SG_CONSOLE_PROBLEM_INSTALLER_QUESTION);
			/* subiquity/client/client.py, noninteractive_watch_app_state() */
			add_rule(console, "An error occurred\\. Press enter to start a shell",
				 SG_CONSOLE_PROBLEM_INSTALLER_ERROR);
			break;
		case SG_FAMILY_UBIQUITY:
			add_rule(console, "ubiquity.*(crashed|failed with exit code)",
				 SG_CONSOLE_PROBLEM_INSTALLER_ERROR);
			break;
		default:
			break;
		}
		/* A Python installer crashing shows its traceback first. */
		add_rule(console, "^Traceback \\(most recent call last\\)",
			 SG_CONSOLE_PROBLEM_INSTALLER_ERROR);
	}
	if (console->phase == SG_CONSOLE_PHASE_DESKTOP && display_manager != NULL) {
		g_autofree gchar *escaped = g_regex_escape_string(display_manager, -1);
		g_autofree gchar *pattern =
			g_strdup_printf("Failed to start %s\\.service", escaped);
		add_rule(console, pattern, SG_CONSOLE_PROBLEM_DESKTOP_FAILED);
	}
}

static GRegex *
new_regex(const gchar *pattern, GRegexCompileFlags flags)
{
	GRegex *regex = g_regex_new(pattern, flags, 0, NULL);
	g_assert(regex != NULL);
	return regex;
}

SgConsole *
sg_console_new(SgFamily family, SgConsolePhase phase, const gchar *display_manager,
	       const gchar *const *markers, GError **error)
{
	g_autoptr(SgConsole) console = g_new0(SgConsole, 1);

	console->family = family;
	console->phase = phase;
	console->rules = g_array_new(FALSE, TRUE, sizeof(SgConsoleRule));
	console->markers = g_ptr_array_new_with_free_func((GDestroyNotify)g_regex_unref);
	console->marker_patterns = g_ptr_array_new_with_free_func(g_free);
	console->marker_lines = g_ptr_array_new_with_free_func(g_free);
	console->pending = g_string_new(NULL);
	console->screen = sg_screen_new();
	/* debian-installer's text frontend ends a question with a prompt that
	 * waits for input, and a note or an error with "[Press enter to
	 * continue]" (cdebconf's text.so). Its titles are underlined with
	 * dashes; "[!!] Step" titles are kept for older and imitation ones. */
	console->dialog_title = new_regex("^\\s*\\[!!?\\] \\S", 0);
	console->dialog_prompt =
		new_regex("Prompt: '\\?' for help|\\[Press enter to continue\\]", 0);
	console->error_words = new_regex("fail|error|could not|cannot|unable|not available|"
					 "not found|aborting",
					 G_REGEX_CASELESS);
	/* cdebconf's newt frontend titles a question "[%s] %s" with its
	 * priority: "!!" critical, "!" high, "?" medium, "." low (newt.so).
	 * Progress windows have no such mark. */
	console->priority_title = new_regex("^\\[(!!|!|\\?|\\.)\\] \\S", 0);
	console->newt_button = new_regex("<[^<>\\s][^<>]*>", 0);
	console->gauge = new_regex("^\\d{1,3}%$", 0);
	/* urwid buttons as subiquitycore/ui/buttons.py draws them: "[ Label ]",
	 * the forward ones "[ Label ▸ ]" (">" in basic mode). */
	console->subiquity_button = new_regex("\\[ [^\\[\\]]*\\S[^\\[\\]]* \\]", 0);
	/* The intros of subiquity/ui/views/error.py (error_report_intros) and
	 * ProgressView's title in its error state (installprogress.py). */
	console->subiquity_error =
		new_regex("Sorry, (there was a problem|the installer has encountered an internal "
			  "error|the installer has restarted because of an error|an unknown error "
			  "occurred)|An error occurred during installation",
			  0);
	add_rules(console, display_manager);
	for (guint i = 0; markers != NULL && markers[i] != NULL; i++) {
		GRegex *regex = g_regex_new(markers[i], 0, 0, error);
		if (regex == NULL) {
			g_prefix_error(error, "bad console marker %s: ", markers[i]);
			return NULL;
		}
		g_ptr_array_add(console->markers, regex);
		g_ptr_array_add(console->marker_patterns, g_strdup(markers[i]));
		g_ptr_array_add(console->marker_lines, NULL);
	}
	return g_steal_pointer(&console);
}

static void
view_clear(SgScreenView *view)
{
	g_clear_pointer(&view->title, g_free);
	g_clear_pointer(&view->key, g_free);
	g_clear_pointer(&view->quote, g_free);
	view->kind = SG_SCREEN_VIEW_NOTHING;
	view->error = FALSE;
}

void
sg_console_free(SgConsole *console)
{
	if (console == NULL)
		return;
	for (guint i = 0; console->rules != NULL && i < console->rules->len; i++)
		g_regex_unref(g_array_index(console->rules, SgConsoleRule, i).regex);
	if (console->rules != NULL)
		g_array_unref(console->rules);
	g_clear_pointer(&console->markers, g_ptr_array_unref);
	g_clear_pointer(&console->marker_patterns, g_ptr_array_unref);
	g_clear_pointer(&console->marker_lines, g_ptr_array_unref);
	g_clear_pointer(&console->dialog_title, g_regex_unref);
	g_clear_pointer(&console->dialog_prompt, g_regex_unref);
	g_clear_pointer(&console->error_words, g_regex_unref);
	g_clear_pointer(&console->priority_title, g_regex_unref);
	g_clear_pointer(&console->newt_button, g_regex_unref);
	g_clear_pointer(&console->gauge, g_regex_unref);
	g_clear_pointer(&console->subiquity_button, g_regex_unref);
	g_clear_pointer(&console->subiquity_error, g_regex_unref);
	if (console->pending != NULL)
		g_string_free(console->pending, TRUE);
	g_free(console->pending_text);
	g_clear_pointer(&console->screen, sg_screen_free);
	view_clear(&console->view);
	g_free(console->title_seen);
	g_free(console->dialog);
	g_free(console->last_line);
	g_free(console->previous_line);
	g_free(console->problem_quote);
	g_free(console);
}

static void
report_problem(SgConsole *console, SgConsoleProblem problem, const gchar *quote, gint64 since_us)
{
	g_autofree gchar *clean = g_strstrip(g_strdup(quote));

	if (console->problem != SG_CONSOLE_PROBLEM_NONE)
		return; /* the first problem is the reason; later ones follow from it */
	console->problem = problem;
	console->problem_time = since_us;
	if (g_utf8_strlen(clean, -1) > MAX_QUOTE) {
		gchar *cut = g_utf8_offset_to_pointer(clean, MAX_QUOTE);
		*cut = '\0';
	}
	console->problem_quote = g_strdup(clean);
}

/* A prompt closes the text-frontend dialog; what it says decides error or
 * question. */
static void
close_dialog(SgConsole *console, const gchar *prompt_line, gint64 now_us)
{
	const gchar *dialog = console->dialog != NULL ? console->dialog : console->last_line;
	SgConsoleProblem problem = SG_CONSOLE_PROBLEM_INSTALLER_QUESTION;

	if (dialog == NULL)
		dialog = prompt_line;
	if (g_regex_match(console->error_words, dialog, 0, NULL))
		problem = SG_CONSOLE_PROBLEM_INSTALLER_ERROR;
	report_problem(console, problem, dialog,
		       console->dialog != NULL ? console->dialog_since : now_us);
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
track_dialog(SgConsole *console, const gchar *raw_line, gint64 now_us)
{
	g_autofree gchar *line = g_strstrip(g_strdup(raw_line));

	if (g_regex_match(console->dialog_title, line, 0, NULL)) {
		g_free(console->dialog);
		console->dialog = g_steal_pointer(&line);
		console->dialog_since = now_us;
		return;
	}
	if (is_underline_of(line, console->last_line)) {
		g_free(console->dialog);
		console->dialog = g_strdup(console->last_line);
		console->dialog_since = now_us;
		return;
	}
	if (console->dialog != NULL && line[0] != '\0' && strlen(console->dialog) < MAX_QUOTE) {
		gchar *longer =
			g_strdup_printf("%s%s %s", console->dialog,
					strchr(console->dialog, ':') == NULL ? ":" : "", line);
		g_free(console->dialog);
		console->dialog = longer;
	}
}

/* GNU screen redraws its status line after a cursor home: on the byte
 * stream that is a "line" too, but nothing the installer said. */
static gboolean
is_status_line(SgConsole *console, const gchar *line)
{
	gint row = sg_screen_get_status_row(console->screen);
	g_autofree gchar *status = NULL;

	if (row < 0)
		return FALSE;
	status = g_strstrip(sg_screen_get_row_text(console->screen, row));
	if (status[0] == '\0' || strlen(status) != strlen(line))
		return FALSE;
	/* The line may be from an earlier minute. */
	for (gsize i = 0; status[i] != '\0'; i++) {
		if (status[i] != line[i] &&
		    !(g_ascii_isdigit(status[i]) && g_ascii_isdigit(line[i])))
			return FALSE;
	}
	return TRUE;
}

static void
check_line(SgConsole *console, const gchar *raw_line, gboolean complete, gint64 now_us)
{
	/* GRegex matches nothing in text that is not UTF-8: one stray byte
	 * (line noise, a Latin-1 message) would hide a panic on its line, and
	 * quotes go into result.json. */
	g_autofree gchar *line = g_utf8_make_valid(raw_line, -1);
	g_autofree gchar *stripped = NULL;

	for (guint i = 0; i < console->rules->len; i++) {
		SgConsoleRule *rule = &g_array_index(console->rules, SgConsoleRule, i);
		if (g_regex_match(rule->regex, line, 0, NULL))
			report_problem(console, rule->problem, line, now_us);
	}
	if (console->phase == SG_CONSOLE_PHASE_INSTALL) {
		if (g_regex_match(console->dialog_prompt, line, 0, NULL))
			close_dialog(console, line, now_us);
		else if (complete)
			track_dialog(console, line, now_us);
	}
	for (guint i = 0; i < console->markers->len; i++) {
		if (g_ptr_array_index(console->marker_lines, i) != NULL)
			continue;
		if (g_regex_match(g_ptr_array_index(console->markers, i), line, 0, NULL))
			g_ptr_array_index(console->marker_lines, i) = g_strstrip(g_strdup(line));
	}
	if (!complete)
		return;
	stripped = g_strstrip(g_strdup(line));
	if (stripped[0] != '\0' && !is_status_line(console, stripped)) {
		g_free(console->previous_line);
		console->previous_line = console->last_line;
		console->last_line = g_steal_pointer(&stripped);
	}
}

/* Drops ANSI escape sequences (colours, cursor moves) and control bytes.
 * Returns TRUE at the end of a cursor jump (CSI H or f): full-screen
 * frontends address the cursor instead of ending lines. */
static gboolean
append_visible(SgConsole *console, gchar c)
{
	if (console->in_escape) {
		/* CSI parameters run until a final byte in @..~ */
		if (c >= '@' && c <= '~' && c != '[') {
			console->in_escape = FALSE;
			return c == 'H' || c == 'f';
		}
		return FALSE;
	}
	if (c == '\x1b') {
		console->in_escape = TRUE;
		return FALSE;
	}
	if (c == '\t' || (guchar)c >= 0x20)
		g_string_append_c(console->pending, c);
	return FALSE;
}

/* One row's cells from @from to @to (exclusive) as text, box-drawing and
 * scroll-bar characters read as spaces, spaces collapsed and trimmed. */
static gchar *
row_text(const gunichar *cells, guint from, guint to)
{
	GString *text = g_string_new(NULL);

	for (guint col = from; col < to; col++) {
		gunichar ch = cells[col];
		if ((ch >= 0x2500 && ch <= 0x259f) || ch == ' ') {
			if (text->len > 0 && text->str[text->len - 1] != ' ')
				g_string_append_c(text, ' ');
			continue;
		}
		g_string_append_unichar(text, ch);
	}
	return g_strstrip(g_string_free(text, FALSE));
}

static void
read_cells(SgScreen *screen, gunichar cells[SG_SCREEN_ROWS][SG_SCREEN_COLS])
{
	for (guint row = 0; row < SG_SCREEN_ROWS; row++) {
		for (guint col = 0; col < SG_SCREEN_COLS; col++) {
			SgScreenCell cell;
			sg_screen_get_cell(screen, row, col, &cell);
			cells[row][col] = cell.ch;
		}
	}
}

/* The first window top border with a title: "┌──┤ title ├──┐". */
static gboolean
find_titled_box(gunichar cells[SG_SCREEN_ROWS][SG_SCREEN_COLS], guint *top, guint *left,
		guint *right, gchar **title)
{
	for (guint row = 0; row < SG_SCREEN_ROWS; row++) {
		for (guint col = 0; col < SG_SCREEN_COLS; col++) {
			guint open = 0;
			guint close = 0;

			if (cells[row][col] != BOX_TOP_LEFT)
				continue;
			for (guint c = col + 1; c < SG_SCREEN_COLS; c++) {
				if (cells[row][c] == BOX_TITLE_LEFT && open == 0)
					open = c;
				else if (cells[row][c] == BOX_TITLE_RIGHT && open != 0 &&
					 close == 0)
					close = c;
				else if (cells[row][c] == BOX_TOP_RIGHT) {
					if (close == 0)
						break;
					*top = row;
					*left = col;
					*right = c;
					*title = row_text(cells[row], open + 1, close);
					return TRUE;
				}
			}
		}
	}
	return FALSE;
}

/* A debian-installer newt window: title in the top border, text, buttons
 * "<Go Back>" "<Continue>", or a gauge "45%" for progress. */
static void
read_newt_window(SgConsole *console, gunichar cells[SG_SCREEN_ROWS][SG_SCREEN_COLS],
		 SgScreenView *view)
{
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

	if (!find_titled_box(cells, &top, &left, &right, &title))
		return;
	for (guint row = top + 1; row < SG_SCREEN_ROWS && bottom == 0; row++) {
		if (cells[row][left] == BOX_BOTTOM_LEFT && cells[row][right] == BOX_BOTTOM_RIGHT)
			bottom = row;
	}
	if (bottom == 0)
		return; /* still being drawn */
	key = g_string_new(title);
	words = g_string_new(title);
	for (guint row = top + 1; row < bottom; row++) {
		g_autofree gchar *text = row_text(cells[row], left + 1, right);

		if (text[0] == '\0')
			continue;
		g_string_append_printf(key, "\n%s", text);
		if (g_regex_match(console->gauge, text, 0, NULL))
			has_gauge = TRUE;
		if (g_regex_match(console->newt_button, text, 0, NULL)) {
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
	view->error = g_regex_match(console->error_words, words->str, 0, NULL);
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
	if (g_regex_match(console->priority_title, view->title, 0, NULL) && !has_gauge)
		view->kind = SG_SCREEN_VIEW_WAITING;
	else
		view->kind = SG_SCREEN_VIEW_PROGRESS;
}

/* subiquity's text UI (urwid): the header row names the screen; an error
 * report overlay says "Sorry, ..." (subiquity/ui/views/error.py); the
 * install confirmation is an overlay titled "Confirm destructive action"
 * (subiquity/ui/views/installprogress.py); an interactive screen the
 * autoinstall did not cover waits on its "[ Done ]" button. The progress
 * screen has buttons too ("[ View full log ]") but none of those. */
static void
read_subiquity_screen(SgConsole *console, gunichar cells[SG_SCREEN_ROWS][SG_SCREEN_COLS],
		      SgScreenView *view)
{
	g_autoptr(GString) key = g_string_new(NULL);
	g_autoptr(GString) quote = g_string_new(NULL);
	g_autofree gchar *title = NULL;
	gboolean error = FALSE;
	gboolean waiting = FALSE;
	guint quoted = 0;
	gint first_text = -1;

	for (guint row = 0; row < SG_SCREEN_ROWS; row++) {
		g_autofree gchar *text = row_text(cells[row], 0, SG_SCREEN_COLS);

		if (text[0] == '\0')
			continue;
		g_string_append_printf(key, "%s\n", text);
		if (g_regex_match(console->subiquity_error, text, 0, NULL)) {
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
		g_autofree gchar *text = row_text(cells[row], 0, SG_SCREEN_COLS);

		if (first_text < 0 && g_strcmp0(text, title) == 0) {
			first_text = row; /* quote from the row after the header */
			continue;
		}
		if (first_text < 0 || text[0] == '\0' ||
		    !g_regex_match_simple("\\w\\w", text, 0, 0) ||
		    g_regex_match(console->subiquity_button, text, 0, NULL))
			continue;
		g_string_append_printf(quote, "%s %s", quoted++ == 0 ? ":" : "", text);
	}
	view->kind = SG_SCREEN_VIEW_WAITING;
	view->error = error;
	view->title = g_steal_pointer(&title);
	view->key = g_string_free(g_steal_pointer(&key), FALSE);
	view->quote = g_string_free(g_steal_pointer(&quote), FALSE);
}

/* Follows what the screen shows after it changed at @now_us. */
static void
update_view(SgConsole *console, gint64 now_us)
{
	SgScreenView view = {0};
	gunichar cells[SG_SCREEN_ROWS][SG_SCREEN_COLS];
	guint top;
	guint left;
	guint right;
	g_autofree gchar *title = NULL;

	/* A newt window's top border, title included, is drawn first: when its
	 * title shows is when the window's first bytes came. */
	read_cells(console->screen, cells);
	if (!find_titled_box(cells, &top, &left, &right, &title))
		g_clear_pointer(&console->title_seen, g_free);
	else if (g_strcmp0(title, console->title_seen) != 0) {
		g_free(console->title_seen);
		console->title_seen = g_steal_pointer(&title);
		console->title_since = now_us;
	}
	read_newt_window(console, cells, &view);
	if (view.kind == SG_SCREEN_VIEW_NOTHING && console->family == SG_FAMILY_SUBIQUITY)
		read_subiquity_screen(console, cells, &view);
	if (g_strcmp0(view.key, console->view.key) == 0) {
		/* the same dialog redrawn */
	} else if (view.title != NULL && g_strcmp0(view.title, console->title_seen) == 0) {
		/* A newt window: a new dialog under the same title came with
		 * the redraw that started the burst; under a new title, with
		 * that title. */
		console->view_since = MAX(console->burst_start, console->title_since);
	} else if (view.kind != console->view.kind || view.error != console->view.error ||
		   g_strcmp0(view.title, console->view.title) != 0) {
		/* A screen drawn at once: within a second of its burst's start,
		 * or the burst is something else going on (a spinner). */
		console->view_since = now_us - console->burst_start <= G_USEC_PER_SEC
					      ? console->burst_start
					      : now_us;
	} /* else the same screen, something on it moving (a spinner) */
	view_clear(&console->view);
	console->view = view;
}

/* A dialog that waited the settle time unchanged is an answer nobody gives.
 * An error that stayed that long is an error, even with something on the
 * screen still moving (subiquity's error report has a spinner while it
 * collects the report). */
static void
judge_screen(SgConsole *console, gint64 now_us)
{
	gint64 since;

	if (console->phase != SG_CONSOLE_PHASE_INSTALL)
		return;
	if (console->view.kind != SG_SCREEN_VIEW_WAITING)
		return;
	since = console->view.error ? console->view_since : console->last_output;
	if (now_us - since < SG_CONSOLE_SETTLE_US)
		return;
	report_problem(console,
		       console->view.error ? SG_CONSOLE_PROBLEM_INSTALLER_ERROR
					   : SG_CONSOLE_PROBLEM_INSTALLER_QUESTION,
		       console->view.quote, console->view_since);
}

void
sg_console_feed(SgConsole *console, const gchar *data, gsize len, gint64 now_us)
{
	if (len == 0)
		return;
	console->bytes += len;
	if (sg_screen_feed(console->screen, data, len)) {
		if (now_us - console->last_output > BURST_GAP_US || console->burst_start == 0)
			console->burst_start = now_us;
		console->last_output = now_us;
		if (console->phase == SG_CONSOLE_PHASE_INSTALL)
			update_view(console, now_us);
	}
	for (gsize i = 0; i < len; i++) {
		if (data[i] == '\n') {
			check_line(console, console->pending->str, TRUE, now_us);
			g_string_truncate(console->pending, 0);
		} else if (append_visible(console, data[i]) && console->pending->len > 0) {
			/* What was written before the jump is all that line gets. */
			check_line(console, console->pending->str, FALSE, now_us);
			g_string_truncate(console->pending, 0);
		}
	}
	if (console->pending->len > MAX_PENDING) {
		check_line(console, console->pending->str, TRUE, now_us);
		g_string_truncate(console->pending, 0);
	}
	/* A prompt waiting for input never ends its line. */
	if (console->pending->len > 0)
		check_line(console, console->pending->str, FALSE, now_us);
	judge_screen(console, now_us);
}

void
sg_console_tick(SgConsole *console, gint64 now_us)
{
	judge_screen(console, now_us);
}

gint64
sg_console_get_next_deadline(SgConsole *console)
{
	if (console->phase != SG_CONSOLE_PHASE_INSTALL ||
	    console->problem != SG_CONSOLE_PROBLEM_NONE ||
	    console->view.kind != SG_SCREEN_VIEW_WAITING)
		return 0;
	return console->last_output + SG_CONSOLE_SETTLE_US;
}

gchar *
sg_console_get_screen_text(SgConsole *console)
{
	return sg_screen_get_text(console->screen);
}

SgConsoleProblem
sg_console_get_problem(SgConsole *console)
{
	return console->problem;
}

const gchar *
sg_console_get_problem_quote(SgConsole *console)
{
	return console->problem_quote;
}

gint64
sg_console_get_problem_time(SgConsole *console)
{
	return console->problem_time;
}

const gchar *
sg_console_problem_to_string(SgConsoleProblem problem)
{
	switch (problem) {
	case SG_CONSOLE_PROBLEM_HOST_STARVED:
		return "the guest's timer failed on a starved lab host (not the image's doing)";
	case SG_CONSOLE_PROBLEM_KERNEL_PANIC:
		return "kernel panic";
	case SG_CONSOLE_PROBLEM_KERNEL_OOPS:
		return "kernel oops";
	case SG_CONSOLE_PROBLEM_INSTALLER_ERROR:
		return "installer error";
	case SG_CONSOLE_PROBLEM_INSTALLER_QUESTION:
		return "installer asked a question the answer file does not answer";
	case SG_CONSOLE_PROBLEM_DESKTOP_FAILED:
		return "display manager failed";
	default:
		return "none";
	}
}

gboolean
sg_console_markers_complete(SgConsole *console)
{
	return sg_console_first_missing_marker(console) == NULL;
}

const gchar *
sg_console_first_missing_marker(SgConsole *console)
{
	for (guint i = 0; i < console->markers->len; i++) {
		if (g_ptr_array_index(console->marker_lines, i) == NULL)
			return g_ptr_array_index(console->marker_patterns, i);
	}
	return NULL;
}

const gchar *
sg_console_get_marker_line(SgConsole *console, guint index)
{
	if (index >= console->marker_lines->len)
		return NULL;
	return g_ptr_array_index(console->marker_lines, index);
}

const gchar *
sg_console_get_last_line(SgConsole *console)
{
	/* A full-screen frontend addresses the cursor instead of ending lines:
	 * what a person reads there is the window, not the byte stream. */
	if (console->view.kind != SG_SCREEN_VIEW_NOTHING)
		return console->view.quote;
	/* Raw bytes, not yet a line: made UTF-8 like the lines were, since
	 * the reason that quotes it goes into result.json. */
	if (console->pending->len > 0 && !is_status_line(console, console->pending->str)) {
		g_free(console->pending_text);
		console->pending_text = g_utf8_make_valid(console->pending->str, -1);
		return console->pending_text;
	}
	/* A status line read before its clock first ticked. */
	if (console->last_line != NULL && is_status_line(console, console->last_line) &&
	    console->previous_line != NULL)
		return console->previous_line;
	return console->last_line;
}

gint64
sg_console_get_last_output(SgConsole *console)
{
	return console->last_output;
}

gsize
sg_console_get_bytes(SgConsole *console)
{
	return console->bytes;
}
