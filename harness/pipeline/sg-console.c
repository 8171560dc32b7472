/* The console: bytes into lines and through the terminal, the markers, the
 * problem record, and the judges (sg-console-judge.h) that say what the
 * lines and the screen mean. */

#include "sg-console.h"

#include <string.h>

#include "sg-console-judge.h"
#include "sg-screen.h"

/* Long enough to quote a dialog, short enough for a one-line reason. */
#define MAX_QUOTE 240
/* A line longer than this without a newline is judged and dropped: full-screen
 * frontends address the cursor instead of ending lines. */
#define MAX_PENDING 4096
/* SG_CONSOLE_SETTLE_US: long enough that an installer moving on (a progress
 * window replacing a dialog, a redraw) shows first, short enough that the
 * verdict comes well within 10 s of the dialog's first byte. */
/* Screen changes closer than this belong to one redraw. */
#define BURST_GAP_US (G_USEC_PER_SEC / 2)

typedef struct {
	GRegex *regex;
	SgConsoleProblem problem;
} SgConsoleRule;

/* A problem a judge waits a moment to decide. */
typedef struct {
	SgConsoleProblem problem;
	gchar *quote;
	gint64 since;
	gint64 due;
} SgConsolePending;

/* A judge and its state, made for this console. */
typedef struct {
	const SgConsoleJudge *judge;
	gpointer state;
} SgConsoleJudgeInstance;

struct _SgConsole {
	SgConsolePhase phase;
	gchar *display_manager;
	GArray *rules;			    /* SgConsoleRule, checked on every line */
	GArray *judges;			    /* SgConsoleJudgeInstance, asked in order */
	GArray *pending;		    /* SgConsolePending */
	const SgConsoleJudge *screen_judge; /* the family's, which reads its installer's windows */
	gpointer screen_state;
	GPtrArray *markers;
	GPtrArray *marker_patterns;
	GPtrArray *marker_lines;
	GString *line;	     /* the line not ended yet (a prompt has no newline) */
	gchar *pending_text; /* @line made UTF-8, as last read by get_last_line() */
	gboolean in_escape;
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

static const SgConsoleJudge *
family_judge(SgFamily family)
{
	switch (family) {
	case SG_FAMILY_DEBIAN_INSTALLER:
		return &sg_console_debian_installer_judge;
	case SG_FAMILY_UBIQUITY:
		return &sg_console_ubiquity_judge;
	case SG_FAMILY_SUBIQUITY:
		return &sg_console_subiquity_judge;
	default:
		return &sg_console_live_judge; /* no installer of its own */
	}
}

GRegex *
sg_console_regex_new(const gchar *pattern, GRegexCompileFlags flags)
{
	GRegex *regex = g_regex_new(pattern, flags, 0, NULL);
	g_assert(regex != NULL);
	return regex;
}

void
sg_console_add_rule(SgConsole *console, const gchar *pattern, SgConsoleProblem problem)
{
	SgConsoleRule rule = {sg_console_regex_new(pattern, 0), problem};
	g_array_append_val(console->rules, rule);
}

void
sg_console_add_rules(SgConsole *console, const SgConsoleLineRule *rules)
{
	for (guint i = 0; rules[i].pattern != NULL; i++)
		sg_console_add_rule(console, rules[i].pattern, rules[i].problem);
}

SgConsolePhase
sg_console_get_phase(SgConsole *console)
{
	return console->phase;
}

const gchar *
sg_console_get_display_manager(SgConsole *console)
{
	return console->display_manager;
}

const gchar *
sg_console_get_previous_line(SgConsole *console)
{
	return console->last_line;
}

static void
add_judge(SgConsole *console, const SgConsoleJudge *judge)
{
	SgConsoleJudgeInstance instance = {judge, judge->size > 0 ? g_malloc0(judge->size) : NULL};

	g_array_append_val(console->judges, instance);
	if (judge->init != NULL)
		judge->init(console, instance.state);
	if (judge->read_screen != NULL) {
		console->screen_judge = judge;
		console->screen_state = instance.state;
	}
}

SgConsole *
sg_console_new(SgFamily family, SgConsolePhase phase, const gchar *display_manager,
	       const gchar *const *markers, GError **error)
{
	g_autoptr(SgConsole) console = g_new0(SgConsole, 1);

	console->phase = phase;
	console->display_manager = g_strdup(display_manager);
	console->rules = g_array_new(FALSE, TRUE, sizeof(SgConsoleRule));
	console->judges = g_array_new(FALSE, TRUE, sizeof(SgConsoleJudgeInstance));
	console->pending = g_array_new(FALSE, TRUE, sizeof(SgConsolePending));
	console->markers = g_ptr_array_new_with_free_func((GDestroyNotify)g_regex_unref);
	console->marker_patterns = g_ptr_array_new_with_free_func(g_free);
	console->marker_lines = g_ptr_array_new_with_free_func(g_free);
	console->line = g_string_new(NULL);
	console->screen = sg_screen_new();
	/* Their rules in this order: the kernel's first (a starved host's
	 * panic is not the image's), the installer's, the desktop's. */
	add_judge(console, &sg_console_boot_judge);
	add_judge(console, family_judge(family));
	/* A Python installer crashing shows its traceback first. */
	if (phase == SG_CONSOLE_PHASE_INSTALL)
		sg_console_add_rule(console, "^Traceback \\(most recent call last\\)",
				    SG_CONSOLE_PROBLEM_INSTALLER_ERROR);
	add_judge(console, &sg_console_display_manager_judge);
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

void
sg_screen_view_clear(SgScreenView *view)
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
	for (guint i = 0; console->judges != NULL && i < console->judges->len; i++) {
		SgConsoleJudgeInstance *instance =
			&g_array_index(console->judges, SgConsoleJudgeInstance, i);
		if (instance->judge->clear != NULL)
			instance->judge->clear(instance->state);
		g_free(instance->state);
	}
	if (console->judges != NULL)
		g_array_unref(console->judges);
	for (guint i = 0; console->rules != NULL && i < console->rules->len; i++)
		g_regex_unref(g_array_index(console->rules, SgConsoleRule, i).regex);
	if (console->rules != NULL)
		g_array_unref(console->rules);
	for (guint i = 0; console->pending != NULL && i < console->pending->len; i++)
		g_free(g_array_index(console->pending, SgConsolePending, i).quote);
	if (console->pending != NULL)
		g_array_unref(console->pending);
	g_clear_pointer(&console->markers, g_ptr_array_unref);
	g_clear_pointer(&console->marker_patterns, g_ptr_array_unref);
	g_clear_pointer(&console->marker_lines, g_ptr_array_unref);
	if (console->line != NULL)
		g_string_free(console->line, TRUE);
	g_free(console->pending_text);
	g_clear_pointer(&console->screen, sg_screen_free);
	sg_screen_view_clear(&console->view);
	g_free(console->display_manager);
	g_free(console->title_seen);
	g_free(console->last_line);
	g_free(console->previous_line);
	g_free(console->problem_quote);
	g_free(console);
}

void
sg_console_report(SgConsole *console, SgConsoleProblem problem, const gchar *quote, gint64 since_us)
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

static gint
find_pending(SgConsole *console, SgConsoleProblem problem)
{
	for (guint i = 0; i < console->pending->len; i++) {
		if (g_array_index(console->pending, SgConsolePending, i).problem == problem)
			return (gint)i;
	}
	return -1;
}

void
sg_console_report_at(SgConsole *console, SgConsoleProblem problem, const gchar *quote,
		     gint64 since_us, gint64 due_us)
{
	SgConsolePending pending = {problem, g_strdup(quote), since_us, due_us};

	if (console->problem != SG_CONSOLE_PROBLEM_NONE || find_pending(console, problem) >= 0) {
		g_free(pending.quote);
		return;
	}
	g_array_append_val(console->pending, pending);
}

void
sg_console_withdraw(SgConsole *console, SgConsoleProblem problem)
{
	gint i = find_pending(console, problem);

	if (i < 0)
		return;
	g_free(g_array_index(console->pending, SgConsolePending, i).quote);
	g_array_remove_index(console->pending, i);
}

gboolean
sg_console_is_pending(SgConsole *console, SgConsoleProblem problem)
{
	return find_pending(console, problem) >= 0;
}

/* Reports what waited long enough, the one that showed first first. */
static void
decide_pending(SgConsole *console, gint64 now_us)
{
	while (console->problem == SG_CONSOLE_PROBLEM_NONE) {
		SgConsolePending *first = NULL;
		guint index = 0;

		for (guint i = 0; i < console->pending->len; i++) {
			SgConsolePending *pending =
				&g_array_index(console->pending, SgConsolePending, i);
			if (pending->due <= now_us &&
			    (first == NULL || pending->since < first->since)) {
				first = pending;
				index = i;
			}
		}
		if (first == NULL)
			return;
		sg_console_report(console, first->problem, first->quote, first->since);
		g_free(first->quote);
		g_array_remove_index(console->pending, index);
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
			sg_console_report(console, rule->problem, line, now_us);
	}
	for (guint i = 0; i < console->judges->len; i++) {
		SgConsoleJudgeInstance *instance =
			&g_array_index(console->judges, SgConsoleJudgeInstance, i);
		if (instance->judge->line != NULL)
			instance->judge->line(console, instance->state, line, complete, now_us);
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
		g_string_append_c(console->line, c);
	return FALSE;
}

/* Follows what the screen shows after it changed at @now_us. */
static void
update_view(SgConsole *console, gint64 now_us)
{
	SgScreenView view = {0};
	SgScreenCells cells;
	guint top;
	guint left;
	guint right;
	g_autofree gchar *title = NULL;

	/* A newt window's top border, title included, is drawn first: when its
	 * title shows is when the window's first bytes came. */
	sg_screen_read_cells(console->screen, &cells);
	if (!sg_screen_cells_find_titled_box(&cells, &top, &left, &right, &title))
		g_clear_pointer(&console->title_seen, g_free);
	else if (g_strcmp0(title, console->title_seen) != 0) {
		g_free(console->title_seen);
		console->title_seen = g_steal_pointer(&title);
		console->title_since = now_us;
	}
	if (console->screen_judge != NULL)
		console->screen_judge->read_screen(console, console->screen_state, &cells, &view);
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
	sg_screen_view_clear(&console->view);
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
	sg_console_report(console,
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
			check_line(console, console->line->str, TRUE, now_us);
			g_string_truncate(console->line, 0);
		} else if (append_visible(console, data[i]) && console->line->len > 0) {
			/* What was written before the jump is all that line gets. */
			check_line(console, console->line->str, FALSE, now_us);
			g_string_truncate(console->line, 0);
		}
	}
	if (console->line->len > MAX_PENDING) {
		check_line(console, console->line->str, TRUE, now_us);
		g_string_truncate(console->line, 0);
	}
	/* A prompt waiting for input never ends its line. */
	if (console->line->len > 0)
		check_line(console, console->line->str, FALSE, now_us);
	decide_pending(console, now_us);
	judge_screen(console, now_us);
}

void
sg_console_tick(SgConsole *console, gint64 now_us)
{
	decide_pending(console, now_us);
	judge_screen(console, now_us);
}

gint64
sg_console_get_next_deadline(SgConsole *console)
{
	gint64 deadline = 0;

	if (console->problem != SG_CONSOLE_PROBLEM_NONE)
		return 0;
	for (guint i = 0; i < console->pending->len; i++) {
		gint64 due = g_array_index(console->pending, SgConsolePending, i).due;
		if (deadline == 0 || due < deadline)
			deadline = due;
	}
	if (console->phase == SG_CONSOLE_PHASE_INSTALL &&
	    console->view.kind == SG_SCREEN_VIEW_WAITING) {
		gint64 settles = console->last_output + SG_CONSOLE_SETTLE_US;
		if (deadline == 0 || settles < deadline)
			deadline = settles;
	}
	return deadline;
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
	case SG_CONSOLE_PROBLEM_NO_ROOT_FS:
		return "the kernel could not mount the root file system";
	case SG_CONSOLE_PROBLEM_EMERGENCY_SHELL:
		return "the initramfs gave up booting and started its emergency shell";
	case SG_CONSOLE_PROBLEM_EMERGENCY_MODE:
		return "the system booted into emergency or rescue mode";
	case SG_CONSOLE_PROBLEM_LOGIN_SCREEN:
		return "the display manager showed its login screen: no autologin session";
	default:
		return "none";
	}
}

gboolean
sg_console_markers_complete(SgConsole *console)
{
	/* A problem still to be decided (a greeter that an autologin may yet
	 * follow) holds the phase open: a marker loose enough to match the
	 * greeter's own session line must not end it first. */
	if (console->pending->len > 0)
		return FALSE;
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
	if (console->line->len > 0 && !is_status_line(console, console->line->str)) {
		g_free(console->pending_text);
		console->pending_text = g_utf8_make_valid(console->line->str, -1);
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
