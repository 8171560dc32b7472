#include "sg-screen.h"

#include <string.h>
#include <vterm.h>

struct _SgScreen {
	VTerm *vt;
	VTermScreen *vts;
	/* What the rows held after the previous feed: the reference a change is
	 * measured against, so a redraw split over two reads still compares
	 * whole states, and a redraw of identical cells is no change. */
	SgScreenCell cells[SG_SCREEN_ROWS][SG_SCREEN_COLS];
	guint32 damaged;     /* rows libvterm touched during this feed */
	guint32 changed;     /* rows that changed meaningfully in the last feed */
	GPtrArray *scrolled; /* lines pushed off the top in the last feed */
	guint64 scrolled_total;
	gint status_row;
	/* Where libvterm's parser is (as far as the guard below cares), and
	 * how many parameter separators the CSI sequence under way has had. */
	guint8 parser;
	guint8 csi_separators;
};

/* libvterm 0.1.4's parser (Debian 12) stores a CSI sequence's parameters
 * in a 16-slot array and does not bound its index: a guest that prints
 * ESC [ with 16 or more ':' or ';' writes past it and crashes the harness
 * (found by fuzzing the console). The guard follows the parser's states
 * and drops separators past the 15th; such a sequence is garbage anyway. */
#define CSI_SEPARATORS_MAX 15
enum {
	PARSER_TEXT,
	PARSER_ESC,
	PARSER_CSI_LEADER,
	PARSER_CSI_ARGS,
	PARSER_CSI_INTERMED,
};

/* Copies @data to @out without the separators libvterm cannot hold;
 * returns the length copied. States and byte classes as in libvterm's
 * parser.c (vterm_input_write()). */
static gsize
guard_csi(SgScreen *screen, const gchar *data, gsize len, gchar *out)
{
	gsize n = 0;

	for (gsize i = 0; i < len; i++) {
		guchar c = (guchar)data[i];
		gboolean separator = c == ':' || c == ';';

		if (c == 0x18 || c == 0x1a) { /* CAN, SUB */
			screen->parser = PARSER_TEXT;
		} else if (c == 0x1b) {
			screen->parser = PARSER_ESC;
		} else if (c < 0x20 || c == 0x7f || screen->parser == PARSER_TEXT) {
			/* other controls, NUL and DEL leave the state as it is */
		} else if (screen->parser == PARSER_ESC) {
			/* intermediates and bytes above 0x7f keep it waiting */
			if (c == '[') {
				screen->parser = PARSER_CSI_LEADER;
				screen->csi_separators = 0;
			} else if (c >= 0x30 && c < 0x7f) {
				screen->parser = PARSER_TEXT;
			}
		} else {
			if (screen->parser == PARSER_CSI_LEADER && !(c >= 0x3c && c <= 0x3f))
				screen->parser = PARSER_CSI_ARGS;
			if (screen->parser == PARSER_CSI_ARGS && !separator && !g_ascii_isdigit(c))
				screen->parser = PARSER_CSI_INTERMED;
			if (screen->parser == PARSER_CSI_ARGS && separator) {
				if (screen->csi_separators == CSI_SEPARATORS_MAX)
					continue;
				screen->csi_separators++;
			}
			if (screen->parser == PARSER_CSI_INTERMED && !(c >= 0x20 && c < 0x30))
				screen->parser = PARSER_TEXT;
		}
		out[n++] = (gchar)c;
	}
	return n;
}

static gint
color_index(const VTermColor *color, gboolean is_fg)
{
	if (is_fg ? VTERM_COLOR_IS_DEFAULT_FG(color) : VTERM_COLOR_IS_DEFAULT_BG(color))
		return -1;
	if (VTERM_COLOR_IS_INDEXED(color))
		return color->indexed.idx;
	/* Nothing on a serial console sends 24-bit colour; keep it distinct. */
	return 256 + (color->rgb.red << 16 | color->rgb.green << 8 | color->rgb.blue);
}

static void
cell_from_vterm(const VTermScreenCell *vcell, SgScreenCell *cell)
{
	/* A wide character's second half reads as (uint32_t)-1: nothing there. */
	cell->ch = vcell->chars[0] == 0 || vcell->chars[0] == (uint32_t)-1 ? ' ' : vcell->chars[0];
	/* libvterm's decoder lets through what is no character (a UTF-16
	 * surrogate, a 5- or 6-byte sequence), which would make the screen's
	 * text, kept as evidence and quoted in result.json, not UTF-8. */
	if (!g_unichar_validate(cell->ch))
		cell->ch = 0xfffd;
	cell->fg = color_index(&vcell->fg, TRUE);
	cell->bg = color_index(&vcell->bg, FALSE);
	cell->bold = vcell->attrs.bold;
	cell->reverse = vcell->attrs.reverse;
}

static gboolean
cell_equal(const SgScreenCell *a, const SgScreenCell *b)
{
	return a->ch == b->ch && a->fg == b->fg && a->bg == b->bg && a->bold == b->bold &&
	       a->reverse == b->reverse;
}

static gchar *
cells_to_text(const SgScreenCell *cells, guint n)
{
	GString *text = g_string_sized_new(n);

	for (guint i = 0; i < n; i++)
		g_string_append_unichar(text, cells[i].ch);
	while (text->len > 0 && text->str[text->len - 1] == ' ')
		g_string_truncate(text, text->len - 1);
	return g_string_free(text, FALSE);
}

static int
on_damage(VTermRect rect, void *user)
{
	SgScreen *screen = user;

	for (int row = MAX(rect.start_row, 0); row < MIN(rect.end_row, SG_SCREEN_ROWS); row++)
		screen->damaged |= 1u << row;
	return 1;
}

static int
on_pushline(int cols, const VTermScreenCell *vcells, void *user)
{
	SgScreen *screen = user;
	SgScreenCell cells[SG_SCREEN_COLS];
	guint n = MIN(cols, SG_SCREEN_COLS);

	for (guint i = 0; i < n; i++)
		cell_from_vterm(&vcells[i], &cells[i]);
	g_ptr_array_add(screen->scrolled, cells_to_text(cells, n));
	screen->scrolled_total++;
	return 1;
}

static void
on_output(const char *s, size_t len, void *user)
{
	/* Answers to the guest's terminal queries: nobody types on this console. */
}

static const VTermScreenCallbacks screen_callbacks = {
	.damage = on_damage,
	.sb_pushline = on_pushline,
};

SgScreen *
sg_screen_new(void)
{
	SgScreen *screen = g_new0(SgScreen, 1);

	screen->vt = vterm_new(SG_SCREEN_ROWS, SG_SCREEN_COLS);
	vterm_set_utf8(screen->vt, 1);
	vterm_output_set_callback(screen->vt, on_output, screen);
	screen->vts = vterm_obtain_screen(screen->vt);
	vterm_screen_set_callbacks(screen->vts, &screen_callbacks, screen);
	vterm_screen_reset(screen->vts, 1);
	for (guint row = 0; row < SG_SCREEN_ROWS; row++) {
		for (guint col = 0; col < SG_SCREEN_COLS; col++)
			sg_screen_get_cell(screen, row, col, &screen->cells[row][col]);
	}
	screen->scrolled = g_ptr_array_new_with_free_func(g_free);
	screen->status_row = -1;
	return screen;
}

void
sg_screen_free(SgScreen *screen)
{
	if (screen == NULL)
		return;
	vterm_free(screen->vt);
	g_ptr_array_unref(screen->scrolled);
	g_free(screen);
}

/* Marks the columns inside H:MM or H:MM:SS times. */
static void
mark_times(const SgScreenCell *cells, gboolean *in_time)
{
	for (gint col = 1; col + 2 < SG_SCREEN_COLS; col++) {
		gint start;
		gint end;

		if (cells[col].ch != ':' || !g_unichar_isdigit(cells[col - 1].ch) ||
		    !g_unichar_isdigit(cells[col + 1].ch) || !g_unichar_isdigit(cells[col + 2].ch))
			continue;
		start = col >= 2 && g_unichar_isdigit(cells[col - 2].ch) ? col - 2 : col - 1;
		end = col + 2;
		if (end + 2 < SG_SCREEN_COLS && cells[end + 1].ch == ':' &&
		    g_unichar_isdigit(cells[end + 2].ch) && end + 3 < SG_SCREEN_COLS &&
		    g_unichar_isdigit(cells[end + 3].ch))
			end += 3;
		/* An hour that grows a digit turns the space before it into one. */
		if (start > 0 && cells[start - 1].ch == ' ')
			start--;
		for (gint i = start; i <= end; i++)
			in_time[i] = TRUE;
	}
}

static gboolean
is_clock_char(gunichar ch)
{
	return ch == ' ' || g_unichar_isdigit(ch);
}

/* TRUE when the only cells that differ are the digits of a time redrawn
 * in place: what a status line's clock does every minute. */
static gboolean
is_clock_tick(const SgScreenCell *old, const SgScreenCell *new)
{
	gboolean old_time[SG_SCREEN_COLS] = {FALSE};
	gboolean new_time[SG_SCREEN_COLS] = {FALSE};
	gboolean digit_changed = FALSE;

	mark_times(old, old_time);
	mark_times(new, new_time);
	for (guint col = 0; col < SG_SCREEN_COLS; col++) {
		if (cell_equal(&old[col], &new[col]))
			continue;
		if (!old_time[col] && !new_time[col])
			return FALSE;
		if (!is_clock_char(old[col].ch) || !is_clock_char(new[col].ch))
			return FALSE;
		if (old[col].fg != new[col].fg || old[col].bg != new[col].bg ||
		    old[col].reverse != new[col].reverse || old[col].bold != new[col].bold)
			return FALSE;
		digit_changed = TRUE;
	}
	return digit_changed;
}

gboolean
sg_screen_feed(SgScreen *screen, const gchar *data, gsize len)
{
	g_ptr_array_set_size(screen->scrolled, 0);
	screen->damaged = 0;
	screen->changed = 0;
	if (len == 0)
		return FALSE;
	{
		g_autofree gchar *guarded = g_malloc(len);
		vterm_input_write(screen->vt, guarded, guard_csi(screen, data, len, guarded));
	}
	vterm_screen_flush_damage(screen->vts);
	for (guint row = 0; row < SG_SCREEN_ROWS; row++) {
		SgScreenCell now[SG_SCREEN_COLS];

		if ((screen->damaged & (1u << row)) == 0)
			continue;
		for (guint col = 0; col < SG_SCREEN_COLS; col++)
			sg_screen_get_cell(screen, row, col, &now[col]);
		if (memcmp(now, screen->cells[row], sizeof(now)) == 0)
			continue;
		if (is_clock_tick(screen->cells[row], now))
			screen->status_row = row;
		else
			screen->changed |= 1u << row;
		memcpy(screen->cells[row], now, sizeof(now));
	}
	return screen->changed != 0 || screen->scrolled->len > 0;
}

guint32
sg_screen_get_changed_rows(SgScreen *screen)
{
	return screen->changed;
}

GPtrArray *
sg_screen_get_scrolled_lines(SgScreen *screen)
{
	return screen->scrolled;
}

guint64
sg_screen_get_scrolled_total(SgScreen *screen)
{
	return screen->scrolled_total;
}

gint
sg_screen_get_status_row(SgScreen *screen)
{
	return screen->status_row;
}

void
sg_screen_get_cell(SgScreen *screen, guint row, guint col, SgScreenCell *cell)
{
	VTermScreenCell vcell = {0};
	VTermPos pos = {.row = row, .col = col};

	g_return_if_fail(row < SG_SCREEN_ROWS && col < SG_SCREEN_COLS);
	vterm_screen_get_cell(screen->vts, pos, &vcell);
	memset(cell, 0, sizeof(*cell));
	cell_from_vterm(&vcell, cell);
}

gchar *
sg_screen_get_row_text(SgScreen *screen, guint row)
{
	SgScreenCell cells[SG_SCREEN_COLS];

	g_return_val_if_fail(row < SG_SCREEN_ROWS, NULL);
	for (guint col = 0; col < SG_SCREEN_COLS; col++)
		sg_screen_get_cell(screen, row, col, &cells[col]);
	return cells_to_text(cells, SG_SCREEN_COLS);
}

gchar *
sg_screen_get_text(SgScreen *screen)
{
	GString *text = g_string_new(NULL);

	for (guint row = 0; row < SG_SCREEN_ROWS; row++) {
		g_autofree gchar *line = sg_screen_get_row_text(screen, row);
		g_string_append(text, line);
		g_string_append_c(text, '\n');
	}
	return g_string_free(text, FALSE);
}

void
sg_screen_get_cursor(SgScreen *screen, guint *row, guint *col)
{
	VTermPos pos;

	vterm_state_get_cursorpos(vterm_obtain_state(screen->vt), &pos);
	if (row != NULL)
		*row = pos.row;
	if (col != NULL)
		*col = pos.col;
}

void
sg_screen_read_cells(SgScreen *screen, SgScreenCells *cells)
{
	for (guint row = 0; row < SG_SCREEN_ROWS; row++) {
		for (guint col = 0; col < SG_SCREEN_COLS; col++) {
			SgScreenCell cell;
			sg_screen_get_cell(screen, row, col, &cell);
			cells->ch[row][col] = cell.ch;
		}
	}
}

gchar *
sg_screen_cells_get_words(const SgScreenCells *cells, guint row, guint from, guint to)
{
	GString *text = g_string_new(NULL);

	g_return_val_if_fail(row < SG_SCREEN_ROWS && to <= SG_SCREEN_COLS, NULL);
	for (guint col = from; col < to; col++) {
		gunichar ch = cells->ch[row][col];
		if ((ch >= 0x2500 && ch <= 0x259f) || ch == ' ') {
			if (text->len > 0 && text->str[text->len - 1] != ' ')
				g_string_append_c(text, ' ');
			continue;
		}
		g_string_append_unichar(text, ch);
	}
	return g_strstrip(g_string_free(text, FALSE));
}

gboolean
sg_screen_cells_find_titled_box(const SgScreenCells *cells, guint *top, guint *left, guint *right,
				gchar **title)
{
	for (guint row = 0; row < SG_SCREEN_ROWS; row++) {
		for (guint col = 0; col < SG_SCREEN_COLS; col++) {
			guint open = 0;
			guint close = 0;

			if (cells->ch[row][col] != SG_SCREEN_BOX_TOP_LEFT)
				continue;
			for (guint c = col + 1; c < SG_SCREEN_COLS; c++) {
				if (cells->ch[row][c] == SG_SCREEN_BOX_TITLE_LEFT && open == 0)
					open = c;
				else if (cells->ch[row][c] == SG_SCREEN_BOX_TITLE_RIGHT &&
					 open != 0 && close == 0)
					close = c;
				else if (cells->ch[row][c] == SG_SCREEN_BOX_TOP_RIGHT) {
					if (close == 0)
						break;
					*top = row;
					*left = col;
					*right = c;
					*title = sg_screen_cells_get_words(cells, row, open + 1,
									   close);
					return TRUE;
				}
			}
		}
	}
	return FALSE;
}
