#include "sg-console.h"

#include <string.h>

/* Long enough to quote a dialog, short enough for a one-line reason. */
#define MAX_QUOTE 240

typedef struct {
	GRegex *regex;
	SgConsoleProblem problem;
} SgConsoleRule;

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
	GString *pending; /* the line not ended yet (a prompt has no newline) */
	gboolean in_escape;
	gchar *dialog; /* the d-i dialog being shown: title and text */
	gchar *last_line;
	SgConsoleProblem problem;
	gchar *problem_quote;
	gint64 problem_time;
	gint64 last_output;
	gsize bytes;
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
	/* debian-installer's text frontends title a dialog "[!!] Step" (critical)
	 * or "[!] Step" (high) and end it with a prompt that waits for input. */
	console->dialog_title = g_regex_new("^\\s*\\[!!?\\] \\S", 0, 0, NULL);
	console->dialog_prompt = g_regex_new("Prompt: '\\?' for help", 0, 0, NULL);
	console->error_words =
		g_regex_new("fail|error|could not|cannot|unable|not available", G_REGEX_CASELESS, 0, NULL);
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
	if (console->pending != NULL)
		g_string_free(console->pending, TRUE);
	g_free(console->dialog);
	g_free(console->last_line);
	g_free(console->problem_quote);
	g_free(console);
}

static void
report_problem(SgConsole *console, SgConsoleProblem problem, const gchar *quote, gint64 now_us)
{
	g_autofree gchar *clean = g_strstrip(g_strdup(quote));

	if (console->problem != SG_CONSOLE_PROBLEM_NONE)
		return; /* the first problem is the reason; later ones follow from it */
	console->problem = problem;
	console->problem_time = now_us;
	if (g_utf8_strlen(clean, -1) > MAX_QUOTE) {
		gchar *cut = g_utf8_offset_to_pointer(clean, MAX_QUOTE);
		*cut = '\0';
	}
	console->problem_quote = g_strdup(clean);
}

/* A prompt closes the dialog; what it asks decides error or question. */
static void
close_dialog(SgConsole *console, const gchar *prompt_line, gint64 now_us)
{
	const gchar *dialog = console->dialog != NULL ? console->dialog : console->last_line;
	SgConsoleProblem problem = SG_CONSOLE_PROBLEM_INSTALLER_QUESTION;

	if (dialog == NULL)
		dialog = prompt_line;
	if (g_regex_match(console->error_words, dialog, 0, NULL))
		problem = SG_CONSOLE_PROBLEM_INSTALLER_ERROR;
	report_problem(console, problem, dialog, now_us);
}

static void
track_dialog(SgConsole *console, const gchar *raw_line)
{
	g_autofree gchar *line = g_strstrip(g_strdup(raw_line));

	if (g_regex_match(console->dialog_title, line, 0, NULL)) {
		g_free(console->dialog);
		console->dialog = g_steal_pointer(&line);
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

static void
check_line(SgConsole *console, const gchar *line, gboolean complete, gint64 now_us)
{
	for (guint i = 0; i < console->rules->len; i++) {
		SgConsoleRule *rule = &g_array_index(console->rules, SgConsoleRule, i);
		if (g_regex_match(rule->regex, line, 0, NULL))
			report_problem(console, rule->problem, line, now_us);
	}
	if (console->phase == SG_CONSOLE_PHASE_INSTALL) {
		if (g_regex_match(console->dialog_prompt, line, 0, NULL))
			close_dialog(console, line, now_us);
		else if (complete)
			track_dialog(console, line);
	}
	for (guint i = 0; i < console->markers->len; i++) {
		if (g_ptr_array_index(console->marker_lines, i) != NULL)
			continue;
		if (g_regex_match(g_ptr_array_index(console->markers, i), line, 0, NULL))
			g_ptr_array_index(console->marker_lines, i) = g_strstrip(g_strdup(line));
	}
	if (line[0] != '\0' && complete) {
		g_free(console->last_line);
		console->last_line = g_strstrip(g_strdup(line));
	}
}

/* Drops ANSI escape sequences (colours, cursor moves) and control bytes. */
static void
append_visible(SgConsole *console, gchar c)
{
	if (console->in_escape) {
		/* CSI parameters run until a final byte in @..~ */
		if (c >= '@' && c <= '~' && c != '[')
			console->in_escape = FALSE;
		return;
	}
	if (c == '\x1b') {
		console->in_escape = TRUE;
		return;
	}
	if (c == '\t' || (guchar)c >= 0x20)
		g_string_append_c(console->pending, c);
}

void
sg_console_feed(SgConsole *console, const gchar *data, gsize len, gint64 now_us)
{
	if (len == 0)
		return;
	console->bytes += len;
	console->last_output = now_us;
	for (gsize i = 0; i < len; i++) {
		if (data[i] == '\n') {
			check_line(console, console->pending->str, TRUE, now_us);
			g_string_truncate(console->pending, 0);
		} else {
			append_visible(console, data[i]);
		}
	}
	/* A prompt waiting for input never ends its line. */
	if (console->pending->len > 0)
		check_line(console, console->pending->str, FALSE, now_us);
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
	if (console->pending->len > 0)
		return console->pending->str;
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
