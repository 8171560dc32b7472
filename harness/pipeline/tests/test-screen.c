#include "sg-screen.h"

#include "recording.h"

static gboolean
feed(SgScreen *screen, const gchar *text)
{
	return sg_screen_feed(screen, text, strlen(text));
}

/* libvterm decodes a 6-byte sequence (0xfd ...) to no character at all;
 * the screen's text must stay UTF-8 (found by fuzzing). */
static void
test_not_a_character(void)
{
	g_autoptr(SgScreen) screen = sg_screen_new();
	g_autofree gchar *text = NULL;

	feed(screen, "a\xfd\xbf\xbf\xbf\xbf\xbf b\xed\xa0\x80"
		     "c");
	text = sg_screen_get_text(screen);
	g_assert_true(g_utf8_validate(text, -1, NULL));
	g_assert_true(g_str_has_prefix(text, "a"));
}

/* libvterm 0.1.4 writes a CSI sequence's 17th parameter past its array: a
 * guest printing this crashed the harness (found by fuzzing). */
static void
test_too_many_csi_parameters(void)
{
	g_autoptr(SgScreen) screen = sg_screen_new();
	g_autofree gchar *row = NULL;
	g_autoptr(GString) many = g_string_new("\x1b[");

	for (guint i = 0; i < 300; i++)
		g_string_append(many, i % 2 == 0 ? ":" : ";");
	g_string_append(many, "4[1m\x1b[::::::::::::::::;4[1");
	for (guint i = 0; i < 100; i++)
		feed(screen, many->str);
	feed(screen, "\x1b[H\x1b[2Jstill here");
	row = sg_screen_get_row_text(screen, 0);
	g_assert_cmpstr(row, ==, "still here");
}

static void
test_line_drawing(void)
{
	g_autoptr(SgScreen) screen = sg_screen_new();
	g_autofree gchar *row = NULL;
	g_autofree gchar *text = NULL;
	SgScreenCell cell;

	/* A newt box as d-i draws it: VT100 graphics set, title in red. */
	g_assert_true(feed(screen, "\x1b[3;3H\x1b(0lqq\x1b(B \x1b[31m[!!] Step\x1b[30m "
				   "\x1b(0tqqk\x1b[4;3Hx\x1b(B hi \x1b(0x\x1b(B"));
	row = sg_screen_get_row_text(screen, 2);
	g_assert_cmpstr(row, ==, "  ┌── [!!] Step ├──┐");
	text = sg_screen_get_text(screen);
	g_assert_true(g_str_has_prefix(text, "\n\n  ┌── [!!] Step ├──┐\n  │ hi │\n"));
	g_assert_cmpuint(strlen(text) - strlen("\n\n  ┌── [!!] Step ├──┐\n  │ hi │\n"), ==,
			 SG_SCREEN_ROWS - 4);
	sg_screen_get_cell(screen, 2, 6, &cell);
	g_assert_cmpuint(cell.ch, ==, '[');
	g_assert_cmpint(cell.fg, ==, 1);
	sg_screen_get_cell(screen, 2, 2, &cell);
	g_assert_cmpuint(cell.ch, ==, 0x250c);
	g_assert_cmpint(cell.fg, ==, -1);
}

static void
test_cursor(void)
{
	g_autoptr(SgScreen) screen = sg_screen_new();
	guint row = 99;
	guint col = 99;

	sg_screen_get_cursor(screen, &row, &col);
	g_assert_cmpuint(row, ==, 0);
	g_assert_cmpuint(col, ==, 0);
	/* Moving the cursor alone changes nothing anyone reads. */
	g_assert_false(feed(screen, "\x1b[5;10H"));
	sg_screen_get_cursor(screen, &row, &col);
	g_assert_cmpuint(row, ==, 4);
	g_assert_cmpuint(col, ==, 9);
}

#define STATUS "( 1*installer )  2 shell  3 shell  4- log ][ Nov 30 %s ]"

static void
draw_status(SgScreen *screen, guint row, const gchar *clock, gboolean *meaningful)
{
	g_autofree gchar *line =
		g_strdup_printf("\x1b[%u;1H\x1b[32m[\x1b[37m" STATUS "\x1b[m", row + 1, clock);
	*meaningful = feed(screen, line);
}

static void
check_clock_row(guint row)
{
	g_autoptr(SgScreen) screen = sg_screen_new();
	g_autofree gchar *text = NULL;
	gboolean meaningful;

	draw_status(screen, row, " 9:58", &meaningful);
	g_assert_true(meaningful);
	g_assert_cmpint(sg_screen_get_status_row(screen), ==, -1);
	draw_status(screen, row, " 9:59", &meaningful);
	g_assert_false(meaningful);
	g_assert_cmpint(sg_screen_get_status_row(screen), ==, row);
	/* The hour grows a digit where a space was. */
	draw_status(screen, row, "10:00", &meaningful);
	g_assert_false(meaningful);
	g_assert_cmpuint(sg_screen_get_changed_rows(screen), ==, 0);
	text = sg_screen_get_row_text(screen, row);
	g_assert_true(g_str_has_suffix(text, "Nov 30 10:00 ]"));
	/* Redrawing it unchanged is no change either. */
	draw_status(screen, row, "10:00", &meaningful);
	g_assert_false(meaningful);
	/* The same row saying something new is output. */
	g_assert_true(feed(screen, "\x1b[1;3H2*shell"));
}

static void
test_clock_top_row(void)
{
	check_clock_row(0);
}

static void
test_clock_other_row(void)
{
	/* Found by what it does, not by where it is. */
	check_clock_row(23);
	check_clock_row(7);
}

static void
test_clock_split_reads(void)
{
	g_autoptr(SgScreen) screen = sg_screen_new();
	g_autofree gchar *first = g_strdup_printf("\x1b[H" STATUS, "10:09");
	g_autofree gchar *second = g_strdup_printf("\x1b[H" STATUS, "10:10");

	g_assert_true(feed(screen, first));
	/* A tick read in two halves: each half alone is still only a clock. */
	for (gsize cut = 1; cut < strlen(second); cut++) {
		g_autoptr(SgScreen) copy = sg_screen_new();
		g_assert_true(sg_screen_feed(copy, first, strlen(first)));
		g_assert_false(sg_screen_feed(copy, second, cut));
		g_assert_false(sg_screen_feed(copy, second + cut, strlen(second) - cut));
	}
}

static void
test_progress_digits_are_output(void)
{
	g_autoptr(SgScreen) screen = sg_screen_new();

	feed(screen, "\x1b[11;40H 45%");
	/* A percentage is not a clock: it is progress. */
	g_assert_true(feed(screen, "\x1b[11;40H 46%"));
	g_assert_cmpuint(sg_screen_get_changed_rows(screen), ==, 1u << 10);
	g_assert_cmpint(sg_screen_get_status_row(screen), ==, -1);
	/* Nor is a time changing its colour: a gauge's bar grows over it. */
	feed(screen, "\x1b[12;40H 0:10 left");
	g_assert_true(feed(screen, "\x1b[12;40H\x1b[41m 0:09 left"));
	/* Nor a time that turns into words. */
	g_assert_true(feed(screen, "\x1b[12;40H\x1b[m done    "));
}

static void
test_scrolling(void)
{
	g_autoptr(SgScreen) screen = sg_screen_new();
	g_autofree gchar *bottom = NULL;
	GPtrArray *scrolled;

	for (guint i = 0; i < SG_SCREEN_ROWS; i++) {
		g_autofree gchar *line = g_strdup_printf("line %u\r\n", i);
		feed(screen, line);
	}
	g_assert_cmpuint(sg_screen_get_scrolled_total(screen), ==, 1);
	scrolled = sg_screen_get_scrolled_lines(screen);
	g_assert_cmpuint(scrolled->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(scrolled, 0), ==, "line 0");
	/* The same line again scrolls: new output though the rows look alike. */
	g_assert_true(feed(screen, "line 23\r\nline 23\r\n"));
	g_assert_cmpuint(sg_screen_get_scrolled_lines(screen)->len, ==, 2);
	g_assert_cmpuint(sg_screen_get_scrolled_total(screen), ==, 3);
	bottom = sg_screen_get_row_text(screen, SG_SCREEN_ROWS - 2);
	g_assert_cmpstr(bottom, ==, "line 23");
	/* A later feed forgets the lines the previous one scrolled. */
	g_assert_false(feed(screen, "\x1b[1;1H"));
	g_assert_cmpuint(sg_screen_get_scrolled_lines(screen)->len, ==, 0);
}

static void
test_identical_redraw(void)
{
	g_autoptr(SgScreen) screen = sg_screen_new();
	const gchar *box =
		"\x1b[m\x1b[2J\x1b[5;5H\x1b[47m\x1b(0lqqqk\x1b[6;5Hx\x1b(B ? \x1b(0x\x1b(B";

	g_assert_true(feed(screen, box));
	/* newt repaints whole windows; the same cells again are no output. */
	g_assert_false(feed(screen, box));
	g_assert_true(feed(screen, "\x1b[6;7H!"));
}

/* The real d-i language dialog (see data/README): the dialog settles about
 * 50 s in; afterwards only GNU screen's clock moves, three times. */
static void
test_recording_clock(void)
{
	g_autoptr(SgRecording) rec = sg_recording_load("di-newt-language");
	gsize settled = sg_recording_offset_at(rec, 60.0);
	g_autofree gchar *whole = NULL;

	g_assert_cmpuint(settled, >, 0);
	g_assert_cmpuint(settled, <, rec->len);
	{
		g_autoptr(SgScreen) screen = sg_screen_new();
		sg_screen_feed(screen, rec->data, rec->len);
		whole = sg_screen_get_text(screen);
		g_assert_nonnull(strstr(whole, "[!!] Select a language"));
		g_assert_nonnull(strstr(whole, "<Go Back>"));
		g_assert_nonnull(strstr(whole, "└────"));
	}
	for (guint seed = 1; seed <= 8; seed++) {
		g_autoptr(SgScreen) screen = sg_screen_new();
		g_autoptr(GRand) rand = g_rand_new_with_seed(seed);
		g_autofree gchar *before = NULL;
		g_autofree gchar *after = NULL;
		g_autofree gchar *text = NULL;
		gsize offset = 0;

		while (offset < settled) {
			gsize n = g_rand_int_range(rand, 1, 200);
			n = MIN(n, settled - offset);
			sg_screen_feed(screen, rec->data + offset, n);
			offset += n;
		}
		before = sg_screen_get_row_text(screen, 0);
		while (offset < rec->len) {
			gsize n = g_rand_int_range(rand, 1, 64);
			n = MIN(n, rec->len - offset);
			g_assert_false(sg_screen_feed(screen, rec->data + offset, n));
			offset += n;
		}
		after = sg_screen_get_row_text(screen, 0);
		/* The clock did move: it was not simply never redrawn. */
		g_assert_cmpstr(before, !=, after);
		g_assert_cmpint(sg_screen_get_status_row(screen), ==, 0);
		text = sg_screen_get_text(screen);
		g_assert_cmpstr(text, ==, whole);
	}
}

/* A newt window's top border names it: "┌──┤ title ├──┐", found with its
 * corners; the words inside read without the box around them. */
static void
test_titled_box(void)
{
	g_autoptr(SgScreen) screen = sg_screen_new();
	g_autofree gchar *title = NULL;
	g_autofree gchar *words = NULL;
	SgScreenCells cells;
	guint top = 0;
	guint left = 0;
	guint right = 0;

	/* a box without a title first: not a window */
	feed(screen, "\x1b[2;1H\x1b(0lqqk\x1b(B"
		     "\x1b[5;3H\x1b(0lqqqu\x1b(B \x1b[31m[!] Configure the network\x1b[30m "
		     "\x1b(0tqqqk\x1b[6;3Hx\x1b(B  No   network  \x1b(0x");
	sg_screen_read_cells(screen, &cells);
	g_assert_true(sg_screen_cells_find_titled_box(&cells, &top, &left, &right, &title));
	g_assert_cmpuint(top, ==, 4);
	g_assert_cmpuint(left, ==, 2);
	g_assert_cmpuint(cells.ch[top][right], ==, SG_SCREEN_BOX_TOP_RIGHT);
	g_assert_cmpstr(title, ==, "[!] Configure the network");
	words = sg_screen_cells_get_words(&cells, 5, 0, SG_SCREEN_COLS);
	g_assert_cmpstr(words, ==, "No network");
}

/* A top border cut short (still being drawn) names no window. */
static void
test_titled_box_unfinished(void)
{
	g_autoptr(SgScreen) screen = sg_screen_new();
	g_autofree gchar *title = NULL;
	SgScreenCells cells;
	guint top = 0;
	guint left = 0;
	guint right = 0;

	feed(screen, "\x1b[5;3H\x1b(0lqqqu\x1b(B [!] Configure the network \x1b(0tqq\x1b(B");
	sg_screen_read_cells(screen, &cells);
	g_assert_false(sg_screen_cells_find_titled_box(&cells, &top, &left, &right, &title));
	g_assert_null(title);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/screen/line-drawing", test_line_drawing);
	g_test_add_func("/screen/not-a-character", test_not_a_character);
	g_test_add_func("/screen/too-many-csi-parameters", test_too_many_csi_parameters);
	g_test_add_func("/screen/cursor", test_cursor);
	g_test_add_func("/screen/clock-top-row", test_clock_top_row);
	g_test_add_func("/screen/clock-other-row", test_clock_other_row);
	g_test_add_func("/screen/clock-split-reads", test_clock_split_reads);
	g_test_add_func("/screen/progress-digits-are-output", test_progress_digits_are_output);
	g_test_add_func("/screen/scrolling", test_scrolling);
	g_test_add_func("/screen/identical-redraw", test_identical_redraw);
	g_test_add_func("/screen/recording-clock", test_recording_clock);
	g_test_add_func("/screen/titled-box", test_titled_box);
	g_test_add_func("/screen/titled-box-unfinished", test_titled_box_unfinished);
	return g_test_run();
}
