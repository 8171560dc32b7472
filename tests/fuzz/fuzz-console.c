/* The console judge of one installer family (SG_FUZZ_FAMILY), bytes through
 * the 80x24 terminal emulator and the line rules, in chunks of random sizes
 * at random times, with the settle deadline ticked as the watch does.
 *
 * Input: the console bytes, then one control byte: bit 0 the phase
 * (install or desktop; live images have only the desktop), the others
 * seed the chunking. Seeds are real recordings with a control byte added. */

#include "sg-console.h"
#include "sg-fuzz.h"

/* Markers as the shipped profiles have them (guests/flavours/smoketest*.conf). */
static const gchar *const markers[] = {
	"Reached target .*Graphical Interface",
	"session opened for user \\S+\\(uid=",
	"Entering running state",
	NULL,
};

static void
sg_fuzz_setup(const gchar *dir)
{
	/* nothing on disk: the input is handed over in memory */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(SgConsole) console = NULL;
	g_autofree gchar *screen = NULL;
	SgConsolePhase phase;
	guint32 state;
	gint64 now = G_USEC_PER_SEC;
	gsize offset = 0;
	guint8 control;

	if (size == 0)
		return 0;
	control = data[--size];
	phase = SG_FUZZ_FAMILY == SG_FAMILY_LIVE || (control & 1) != 0 ? SG_CONSOLE_PHASE_DESKTOP
								       : SG_CONSOLE_PHASE_INSTALL;
	state = 0x9e3779b9u ^ ((guint32)control << 8) ^ (guint32)size;
	console = sg_console_new(SG_FUZZ_FAMILY, phase, "lightdm", markers, NULL);
	g_assert(console != NULL);
	while (offset < size) {
		guint32 r = sg_fuzz_random(&state);
		gsize chunk = sg_fuzz_chunk(r, size - offset);
		gint64 deadline;

		sg_console_feed(console, (const gchar *)data + offset, chunk, now);
		offset += chunk;
		/* Mostly a redraw's pace, sometimes a pause long enough for a
		 * dialog to settle. */
		now += (r >> 8 & 7) == 0 ? SG_CONSOLE_SETTLE_US + 1
					 : (gint64)(r >> 12 & 0xffff) * 16;
		deadline = sg_console_get_next_deadline(console);
		if (deadline != 0 && deadline <= now)
			sg_console_tick(console, now);
	}
	sg_console_tick(console, now + SG_CONSOLE_SETTLE_US);

	/* Everything the verdict and result.json read. */
	(void)sg_console_problem_to_string(sg_console_get_problem(console));
	/* The quote goes into result.json. */
	if (sg_console_get_problem_quote(console) != NULL)
		g_assert(g_utf8_validate(sg_console_get_problem_quote(console), -1, NULL));
	(void)sg_console_get_problem_time(console);
	(void)sg_console_markers_complete(console);
	(void)sg_console_first_missing_marker(console);
	for (guint i = 0; i <= G_N_ELEMENTS(markers); i++)
		(void)sg_console_get_marker_line(console, i);
	if (sg_console_get_last_line(console) != NULL)
		g_assert(g_utf8_validate(sg_console_get_last_line(console), -1, NULL));
	(void)sg_console_get_last_output(console);
	g_assert(sg_console_get_bytes(console) == size);
	screen = sg_console_get_screen_text(console);
	g_assert(g_utf8_validate(screen, -1, NULL));
	return 0;
}
