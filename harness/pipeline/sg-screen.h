#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * An 80x24 terminal (libvterm) that the guest's serial console is fed
 * through, so the judge reads the screen a person would see: rows of text,
 * colours, the cursor, not a stream of escape sequences.
 *
 * Text is UTF-8. The VT100 line-drawing set (ESC ( 0: "lqqqk", "x", "mqqqj")
 * reads as Unicode box-drawing characters (┌ ─ ┐ │ └ ┘ ├ ┤ ...), as libvterm
 * translates it; empty cells read as spaces.
 *
 * Each feed tells whether the screen changed *meaningfully*: a row whose only
 * change is a clock (digits of an H:MM or H:MM:SS time redrawn at the same
 * place, as GNU screen's status line ticks every minute) is not, and that row
 * is remembered as the status line. Lines scrolled off the top count as new
 * output. Cursor moves and redraws of identical cells change nothing.
 */

#define SG_SCREEN_ROWS 24
#define SG_SCREEN_COLS 80

typedef struct _SgScreen SgScreen;

/* One cell. Colours are the 16 ANSI indexes (0 black .. 7 white, +8 bright),
 * or -1 for the terminal's default colour. */
typedef struct {
	gunichar ch; /* ' ' for an empty cell */
	gint fg;
	gint bg;
	gboolean bold;
	gboolean reverse;
} SgScreenCell;

SgScreen *sg_screen_new(void);
void sg_screen_free(SgScreen *screen);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgScreen, sg_screen_free)

/* Feeds raw console bytes (any chunking). Returns TRUE when the screen
 * changed meaningfully or lines scrolled off the top. */
gboolean sg_screen_feed(SgScreen *screen, const gchar *data, gsize len);

/* Bit N set: row N changed meaningfully in the last feed. */
guint32 sg_screen_get_changed_rows(SgScreen *screen);
/* Lines that scrolled off the top in the last feed, oldest first. */
GPtrArray *sg_screen_get_scrolled_lines(SgScreen *screen);
/* Lines scrolled off the top since the screen was made. */
guint64 sg_screen_get_scrolled_total(SgScreen *screen);
/* The row seen ticking as a clock, -1 while none has. */
gint sg_screen_get_status_row(SgScreen *screen);

/* One row as UTF-8 text, trailing spaces removed. */
gchar *sg_screen_get_row_text(SgScreen *screen, guint row);
/* The whole screen: 24 lines, each ended by "\n", trailing spaces removed. */
gchar *sg_screen_get_text(SgScreen *screen);
void sg_screen_get_cell(SgScreen *screen, guint row, guint col, SgScreenCell *cell);
void sg_screen_get_cursor(SgScreen *screen, guint *row, guint *col);

/* Box-drawing characters as libvterm reads the VT100 line-drawing set. */
#define SG_SCREEN_BOX_TOP_LEFT 0x250c
#define SG_SCREEN_BOX_TOP_RIGHT 0x2510
#define SG_SCREEN_BOX_BOTTOM_LEFT 0x2514
#define SG_SCREEN_BOX_BOTTOM_RIGHT 0x2518
#define SG_SCREEN_BOX_TITLE_LEFT 0x2524	 /* ┤ before a newt window's title */
#define SG_SCREEN_BOX_TITLE_RIGHT 0x251c /* ├ after it */

/* The screen's characters at one moment, read once for the readers of
 * full-screen installers. */
typedef struct {
	gunichar ch[SG_SCREEN_ROWS][SG_SCREEN_COLS];
} SgScreenCells;

void sg_screen_read_cells(SgScreen *screen, SgScreenCells *cells);
/* Row @row's cells from @from to @to (exclusive) as words: box-drawing and
 * scroll-bar characters read as spaces, spaces collapsed and trimmed. */
gchar *sg_screen_cells_get_words(const SgScreenCells *cells, guint row, guint from, guint to);
/* The first window top border with a title, "┌──┤ title ├──┐": its row,
 * its corners' columns and the title's words. */
gboolean sg_screen_cells_find_titled_box(const SgScreenCells *cells, guint *top, guint *left,
					 guint *right, gchar **title);

G_END_DECLS
