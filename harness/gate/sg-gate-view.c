#include "sg-gate-view.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <unistd.h>

#include "sg-json.h"

/* A table redrawn more often than this only flickers. */
#define REDRAW_INTERVAL_US (G_USEC_PER_SEC / 2)

typedef struct {
	SgGateView *view;
	SgProgress *progress;
	gchar *host;
	gchar *build;
	gchar *phase;
	gchar *last_line;
	gint64 started_us;
} SgGateRow;

struct _SgGateView {
	gboolean json;
	gboolean table;
	GPtrArray *rows; /* SgGateRow */
	guint drawn;	 /* lines of the table on screen now */
	gint64 drawn_us;
	GMutex lock; /* progress may come from any thread of the pipeline */
};

static void
row_free(SgGateRow *row)
{
	g_free(row->host);
	g_free(row->build);
	g_free(row->phase);
	g_free(row->last_line);
	g_free(row);
}

SgGateView *
sg_gate_view_new(gboolean json)
{
	SgGateView *view = g_new0(SgGateView, 1);

	view->json = json;
	view->table = !json && isatty(STDERR_FILENO) && g_getenv("SMOKEGATE_NO_PROGRESS") == NULL;
	view->rows = g_ptr_array_new_with_free_func((GDestroyNotify)row_free);
	g_mutex_init(&view->lock);
	return view;
}

static void
erase_table(SgGateView *view)
{
	for (; view->drawn > 0; view->drawn--)
		fprintf(stderr, "\033[1A\r\033[K");
}

static void
draw_table(SgGateView *view)
{
	guint width = sg_progress_terminal_width();
	gint64 now = g_get_monotonic_time();

	erase_table(view);
	for (guint i = 0; i < view->rows->len; i++) {
		SgGateRow *row = g_ptr_array_index(view->rows, i);
		gint64 seconds = (now - row->started_us) / G_USEC_PER_SEC;
		g_autofree gchar *line = g_strdup_printf(
			"%-10s %-36s %-8s %3" G_GINT64_FORMAT ":%02" G_GINT64_FORMAT " %s",
			row->host, row->build, row->phase != NULL ? row->phase : "start",
			seconds / 60, seconds % 60, row->last_line != NULL ? row->last_line : "");
		if (g_utf8_strlen(line, -1) >= width)
			*g_utf8_offset_to_pointer(line, width - 1) = '\0';
		fprintf(stderr, "%s\n", line);
		view->drawn++;
	}
	fflush(stderr);
	view->drawn_us = now;
}

static void
print_json(const gchar *event, const gchar *host, const gchar *build, const gchar *detail,
	   gdouble seconds)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autoptr(JsonNode) root = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree gchar *when = g_date_time_format_iso8601(now);
	g_autofree gchar *text = NULL;

	json_builder_begin_object(builder);
	sg_json_add_string(builder, "event", event);
	sg_json_add_string(builder, "time", when);
	if (host != NULL)
		sg_json_add_string(builder, "host", host);
	if (build != NULL)
		sg_json_add_string(builder, "build", build);
	if (detail != NULL)
		sg_json_add_string(builder, "detail", detail);
	if (seconds >= 0) {
		json_builder_set_member_name(builder, "seconds");
		json_builder_add_double_value(builder, seconds);
	}
	json_builder_end_object(builder);
	root = json_builder_get_root(builder);
	text = json_to_string(root, FALSE);
	printf("%s\n", text);
	fflush(stdout);
}

static void
emit(SgGateView *view, const gchar *event, const gchar *host, const gchar *build,
     const gchar *detail, gdouble seconds)
{
	if (view->json) {
		print_json(event, host, build, detail, seconds);
		return;
	}
	/* Phases only move the table; a line each would drown the others. */
	if (g_str_equal(event, "phase"))
		return;
	erase_table(view);
	fprintf(stderr, "%s%s%s%s%s%s%s\n", event, host != NULL ? " on " : "",
		host != NULL ? host : "", build != NULL ? ": " : "", build != NULL ? build : "",
		detail != NULL ? ": " : "", detail != NULL ? detail : "");
	if (view->table)
		draw_table(view);
	fflush(stderr);
}

void
sg_gate_view_event(SgGateView *view, const gchar *event, const gchar *host, const gchar *build,
		   const gchar *detail, gdouble seconds)
{
	g_mutex_lock(&view->lock);
	emit(view, event, host, build, detail, seconds);
	g_mutex_unlock(&view->lock);
}

static void
on_row_progress(const gchar *phase, gint64 elapsed_us, const gchar *last_line, gpointer user_data)
{
	SgGateRow *row = user_data;
	SgGateView *view = row->view;
	gboolean new_phase;

	g_mutex_lock(&view->lock);
	new_phase = g_strcmp0(row->phase, phase) != 0;
	if (new_phase) {
		g_free(row->phase);
		row->phase = g_strdup(phase);
		emit(view, "phase", row->host, row->build, phase, -1);
	}
	if (g_strcmp0(row->last_line, last_line) != 0) {
		g_free(row->last_line);
		row->last_line = g_strdup(last_line);
	}
	if (view->table &&
	    (new_phase || g_get_monotonic_time() - view->drawn_us >= REDRAW_INTERVAL_US))
		draw_table(view);
	g_mutex_unlock(&view->lock);
}

SgProgress *
sg_gate_view_add_row(SgGateView *view, const gchar *host, const gchar *build)
{
	SgGateRow *row = g_new0(SgGateRow, 1);

	row->view = view;
	row->host = g_strdup(host);
	row->build = g_strdup(build);
	row->started_us = g_get_monotonic_time();
	row->progress = sg_progress_new_listener(on_row_progress, row);
	g_mutex_lock(&view->lock);
	g_ptr_array_add(view->rows, row);
	emit(view, "started", host, build, NULL, -1);
	g_mutex_unlock(&view->lock);
	return row->progress;
}

void
sg_gate_view_remove_row(SgGateView *view, SgProgress *progress)
{
	g_mutex_lock(&view->lock);
	for (guint i = 0; i < view->rows->len; i++) {
		SgGateRow *row = g_ptr_array_index(view->rows, i);
		if (row->progress == progress) {
			erase_table(view);
			g_ptr_array_remove_index(view->rows, i);
			if (view->table)
				draw_table(view);
			break;
		}
	}
	g_mutex_unlock(&view->lock);
}

void
sg_gate_view_free(SgGateView *view)
{
	if (view == NULL)
		return;
	g_mutex_lock(&view->lock);
	erase_table(view);
	g_mutex_unlock(&view->lock);
	g_ptr_array_unref(view->rows);
	g_mutex_clear(&view->lock);
	g_free(view);
}
