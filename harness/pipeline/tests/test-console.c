#include "sg-console.h"

#include "recording.h"

static SgConsole *
new_console_with(SgFamily family, SgConsolePhase phase, const gchar *display_manager,
		 const gchar *const *markers)
{
	g_autoptr(GError) error = NULL;
	SgConsole *console = sg_console_new(family, phase, display_manager, markers, &error);
	g_assert_no_error(error);
	return console;
}

static SgConsole *
new_install_console(void)
{
	return new_console_with(SG_FAMILY_DEBIAN_INSTALLER, SG_CONSOLE_PHASE_INSTALL, NULL, NULL);
}

static void
feed(SgConsole *console, const gchar *text)
{
	sg_console_feed(console, text, strlen(text), g_get_monotonic_time());
}

static void
test_panic(void)
{
	g_autoptr(SgConsole) console = new_install_console();

	feed(console, "[    1.2] Run /init as init process\n");
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_NONE);
	feed(console, "[    1.3] Kernel panic - not syncing: No working init found.\n");
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_KERNEL_PANIC);
	g_assert_nonnull(strstr(sg_console_get_problem_quote(console), "No working init found"));
	g_assert_cmpint(sg_console_get_problem_time(console), >, 0);
}

/* A byte that is not UTF-8 on the panic's line (serial noise) hid it. */
static void
test_panic_with_stray_bytes(void)
{
	g_autoptr(SgConsole) console = new_install_console();

	feed(console, "[    6.1] Kernel panic - not syncing: Attempted to kill init! \xff\xfe\n");
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_KERNEL_PANIC);
	g_assert_true(g_utf8_validate(sg_console_get_problem_quote(console), -1, NULL));
	g_assert_true(g_utf8_validate(sg_console_get_last_line(console), -1, NULL));
	/* A prompt never ends its line: what is read of it so far, too. */
	feed(console, "login: \xc3");
	g_assert_true(g_str_has_prefix(sg_console_get_last_line(console), "login: "));
	g_assert_true(g_utf8_validate(sg_console_get_last_line(console), -1, NULL));
}

static void
test_question_without_newline(void)
{
	g_autoptr(SgConsole) console = new_install_console();

	feed(console, "\x1b[1m[!] Choose a mirror of the Debian archive\x1b[0m\r\n\n"
		      "Debian archive mirror country:\n\n");
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_NONE);
	/* d-i waits for input right after the prompt: no newline comes. */
	feed(console, "Prompt: '?' for help> ");
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_INSTALLER_QUESTION);
	g_assert_cmpstr(
		sg_console_get_problem_quote(console), ==,
		"[!] Choose a mirror of the Debian archive: Debian archive mirror country:");
}

static void
test_error_dialog(void)
{
	g_autoptr(SgConsole) console = new_install_console();

	feed(console,
	     "[!!] Partition disks\n\nThe creation of an ext4 file system on partition "
	     "#1 of Virtio Block Device (vda) failed.\n\nPrompt: '?' for help, default=1>\n");
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_INSTALLER_ERROR);
	g_assert_nonnull(strstr(sg_console_get_problem_quote(console), "[!!] Partition disks:"));
}

static void
test_mirror_error_dialog(void)
{
	g_autoptr(SgConsole) console = new_install_console();

	/* d-i's mirror error says neither "error" nor "failed". */
	feed(console, "[!!] Choose a mirror of the Debian archive\n\nThe specified Debian archive "
		      "mirror is either not available, or does not have a valid Release file on "
		      "it.\n\nPrompt: '?' for help>\n");
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_INSTALLER_ERROR);
}

/* cdebconf's text frontend (text.so) underlines the title and ends a note
 * or an error with "[Press enter to continue]". */
static void
test_text_frontend_error(void)
{
	g_autoptr(SgConsole) console = new_install_console();

	feed(console, "Configure the network\r\n---------------------\r\n\r\n"
		      "No network interfaces detected\r\n"
		      "No network interfaces were found. The installation system was unable to "
		      "find\r\na network device.\r\n");
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_NONE);
	feed(console, "[Press enter to continue] ");
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_INSTALLER_ERROR);
	g_assert_cmpstr(sg_console_get_problem_quote(console), ==,
			"Configure the network: No network interfaces detected No network "
			"interfaces were found. The installation system was unable to find a "
			"network device.");
}

static void
test_harmless_error_lines(void)
{
	g_autoptr(SgConsole) console = new_install_console();

	/* Healthy boots print "error" lines; only positive rules decide. */
	feed(console, "ACPI Error: AE_NOT_FOUND, While resolving a named reference\n"
		      "lightdm: Error getting user list from org.freedesktop.Accounts\n");
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_NONE);
	g_assert_cmpstr(sg_console_get_last_line(console), ==,
			"lightdm: Error getting user list from org.freedesktop.Accounts");
}

static void
test_markers_split_across_reads(void)
{
	const gchar *markers[] = {"Reached target .*Graphical Interface", "Entering running state",
				  NULL};
	g_autoptr(GError) error = NULL;
	g_autoptr(SgConsole) console = sg_console_new(
		SG_FAMILY_DEBIAN_INSTALLER, SG_CONSOLE_PHASE_DESKTOP, "lightdm", markers, &error);

	g_assert_no_error(error);
	feed(console, "[\x1b[0;32m  OK  \x1b[0m] Reached target graph");
	feed(console, "ical.target - Graphical Interface.\n");
	g_assert_false(sg_console_markers_complete(console));
	g_assert_cmpstr(sg_console_first_missing_marker(console), ==, "Entering running state");
	/* A login prompt has no newline; the next line runs on after it. */
	feed(console, "smoketest login: gnome-session-binary[412]: Entering running state\n");
	g_assert_true(sg_console_markers_complete(console));
	g_assert_cmpstr(sg_console_get_marker_line(console, 0), ==,
			"[  OK  ] Reached target graphical.target - Graphical Interface.");
}

static void
test_display_manager_failure(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SgConsole) console = sg_console_new(
		SG_FAMILY_DEBIAN_INSTALLER, SG_CONSOLE_PHASE_DESKTOP, "lightdm", NULL, &error);

	feed(console, "[FAILED] Failed to start plymouth-quit.service - Hide splash.\n");
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_NONE);
	feed(console, "[FAILED] Failed to start lightdm.service - Light Display Manager.\n");
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_DESKTOP_FAILED);
}

static void
test_subiquity_rules(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SgConsole) console =
		sg_console_new(SG_FAMILY_SUBIQUITY, SG_CONSOLE_PHASE_INSTALL, NULL, NULL, &error);

	feed(console, "start: subiquity/Install/install: installing\n");
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_NONE);
	feed(console,
	     "finish: subiquity/Install/install/curtin: FAIL: curtin command block-meta\n");
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_INSTALLER_ERROR);
}

static void
test_bad_marker(void)
{
	const gchar *markers[] = {"unclosed (group", NULL};
	g_autoptr(GError) error = NULL;
	SgConsole *console =
		sg_console_new(SG_FAMILY_LIVE, SG_CONSOLE_PHASE_DESKTOP, NULL, markers, &error);
	g_assert_null(console);
	g_assert_nonnull(error);
}

/* Fake monotonic time: recordings start here, ticks come every 100 ms as
 * sg-watch.c polls. */
#define BASE_US ((gint64)1000 * G_USEC_PER_SEC)
#define TICK_US (100 * 1000)

static gint64
at(gdouble seconds)
{
	return BASE_US + (gint64)(seconds * G_USEC_PER_SEC);
}

static SgConsole *
new_console(SgFamily family, SgConsolePhase phase)
{
	return new_console_with(family, phase, NULL, NULL);
}

/* Feeds @rec as it came, each read cut in random pieces (@seed), ticking
 * between reads and for @tail_s after the end. Stops at the first problem
 * and returns when it was decided, or 0. */
static gint64
replay(SgConsole *console, SgRecording *rec, guint seed, gdouble tail_s)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(seed);
	gint64 now = BASE_US;
	gint64 end;

	for (guint i = 0; i < rec->offsets->len; i++) {
		gsize start = g_array_index(rec->offsets, gsize, i);
		gsize stop = i + 1 < rec->offsets->len ? g_array_index(rec->offsets, gsize, i + 1)
						       : rec->len;
		gint64 read_at = at(g_array_index(rec->times, gdouble, i));

		for (now += TICK_US; now < read_at; now += TICK_US) {
			sg_console_tick(console, now);
			if (sg_console_get_problem(console) != SG_CONSOLE_PROBLEM_NONE)
				return now;
		}
		now = read_at;
		while (start < stop) {
			gsize n = g_rand_int_range(rand, 1, 300);
			n = MIN(n, stop - start);
			sg_console_feed(console, rec->data + start, n, now);
			start += n;
		}
		if (sg_console_get_problem(console) != SG_CONSOLE_PROBLEM_NONE)
			return now;
	}
	end = now + (gint64)(tail_s * G_USEC_PER_SEC);
	for (now += TICK_US; now <= end; now += TICK_US) {
		sg_console_tick(console, now);
		if (sg_console_get_problem(console) != SG_CONSOLE_PROBLEM_NONE)
			return now;
	}
	return 0;
}

/* Replays @rec in @console (as replay()) and checks that it found @problem,
 * quoted as @quote; returns when it was decided. */
static gint64
replay_expecting(SgConsole *console, SgRecording *rec, guint seed, gdouble tail_s,
		 SgConsoleProblem problem, const gchar *quote)
{
	gint64 decided = replay(console, rec, seed, tail_s);

	g_assert_cmpint(sg_console_get_problem(console), ==, problem);
	g_assert_cmpstr(sg_console_get_problem_quote(console), ==, quote);
	return decided;
}

/* When the first byte of @needle came in @rec. */
static gint64
time_of(SgRecording *rec, const gchar *needle)
{
	const gchar *found = g_strstr_len(rec->data, rec->len, needle);

	g_assert_nonnull(found);
	return at(sg_recording_time_of(rec, found - rec->data));
}

/* When the last byte of @needle came in @rec. */
static gint64
time_of_end(SgRecording *rec, const gchar *needle)
{
	const gchar *found = g_strstr_len(rec->data, rec->len, needle);

	g_assert_nonnull(found);
	return at(sg_recording_time_of(rec, found - rec->data + strlen(needle) - 1));
}

/* The real d-i, newt frontend, first question, nothing answering it. */
static void
test_recording_newt_question(void)
{
	g_autoptr(SgRecording) rec = sg_recording_load("di-newt-language");
	/* newt draws a window from its top border down. */
	gint64 first_byte = time_of(rec, "lqqqqqqqqqq");
	gint64 drawn = time_of(rec, "mqqqqq");

	for (guint seed = 1; seed <= 6; seed++) {
		g_autoptr(SgConsole) console =
			new_console(SG_FAMILY_DEBIAN_INSTALLER, SG_CONSOLE_PHASE_INSTALL);
		gint64 decided = replay(console, rec, seed, 0);
		gint64 since = sg_console_get_problem_time(console);

		g_assert_cmpint(sg_console_get_problem(console), ==,
				SG_CONSOLE_PROBLEM_INSTALLER_QUESTION);
		g_assert_cmpstr(sg_console_get_problem_quote(console), ==,
				"[!!] Select a language: Language: Choose the language to be used "
				"for the installation process. The selected language will also be "
				"the default language for the installed system.");
		/* The problem dates from the dialog's first bytes, not its
		 * last ones, nor from when it was judged. */
		g_assert_cmpint(since, >=, first_byte);
		g_assert_cmpint(since, <=, drawn);
		g_assert_cmpint(decided - since, >=, SG_CONSOLE_SETTLE_US);
		g_assert_cmpint(decided - since, <, 10 * G_USEC_PER_SEC);
	}
}

static void
test_recording_newt_settle(void)
{
	g_autoptr(SgRecording) rec = sg_recording_load("di-newt-language");
	g_autoptr(SgConsole) console =
		new_console(SG_FAMILY_DEBIAN_INSTALLER, SG_CONSOLE_PHASE_INSTALL);
	gsize settled = sg_recording_offset_at(rec, 60.0);
	gint64 last;

	/* Everything up to the dialog, fed at its last byte's time. */
	sg_console_feed(console, rec->data, settled, time_of(rec, "<Tab> moves"));
	last = sg_console_get_last_output(console);
	g_assert_cmpint(last, ==, time_of(rec, "<Tab> moves"));
	sg_console_tick(console, last + SG_CONSOLE_SETTLE_US - 1);
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_NONE);
	g_assert_nonnull(strstr(sg_console_get_last_line(console), "[!!] Select a language"));
	sg_console_tick(console, last + SG_CONSOLE_SETTLE_US);
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_INSTALLER_QUESTION);
}

/* GNU screen's clock ticks three times after the dialog: no output. */
static void
test_recording_clock_not_output(void)
{
	g_autoptr(SgRecording) rec = sg_recording_load("di-newt-language");
	/* The desktop phase judges no dialogs: the whole recording runs. */
	g_autoptr(SgConsole) console =
		new_console(SG_FAMILY_DEBIAN_INSTALLER, SG_CONSOLE_PHASE_DESKTOP);
	g_autofree gchar *screen = NULL;
	g_auto(GStrv) rows = NULL;

	g_assert_cmpint(replay(console, rec, 7, 30), ==, 0);
	g_assert_cmpuint(sg_console_get_bytes(console), ==, rec->len);
	g_assert_cmpint(sg_console_get_last_output(console), ==,
			time_of_end(rec, "activates buttons"));
	g_assert_cmpint(sg_console_get_last_output(console), <, at(60));
	screen = sg_console_get_screen_text(console);
	rows = g_strsplit(screen, "\n", -1);
	g_assert_cmpuint(g_strv_length(rows), ==, 25); /* 24 lines, each ended */
	g_assert_cmpstr(rows[24], ==, "");
	/* The clock did move past the dialog's minute: 10:43 in the end. */
	g_assert_true(g_str_has_suffix(rows[0], "][ Nov 30 10:43 ]"));
	g_assert_nonnull(strstr(rows[4], "[!!] Select a language"));
}

/* The real d-i with an answer file and no network card: a progress gauge,
 * then a real error dialog. */
static void
test_recording_no_network(void)
{
	g_autoptr(SgRecording) rec = sg_recording_load("di-newt-no-network");
	gint64 first_byte = time_of(rec, "[!] Configure the network");

	for (guint seed = 1; seed <= 4; seed++) {
		g_autoptr(SgConsole) console =
			new_console(SG_FAMILY_DEBIAN_INSTALLER, SG_CONSOLE_PHASE_INSTALL);
		gint64 decided = replay(console, rec, seed, 0);
		gint64 since = sg_console_get_problem_time(console);

		g_assert_cmpint(sg_console_get_problem(console), ==,
				SG_CONSOLE_PROBLEM_INSTALLER_ERROR);
		g_assert_true(g_str_has_prefix(sg_console_get_problem_quote(console),
					       "[!] Configure the network: No network interfaces "
					       "detected No network interfaces were found."));
		g_assert_cmpint(since, >=, first_byte);
		g_assert_cmpint(since - first_byte, <, G_USEC_PER_SEC);
		g_assert_cmpint(decided - first_byte, <, 10 * G_USEC_PER_SEC);
	}
}

/* Seen on a loaded host, booting the real d-i under TCG: the kernel's
 * timer check fails before the image ran anything of its own. That is the
 * lab's trouble ("error"), where any other panic is the image's. */
static void
test_starved_host_panic(void)
{
	const gchar *line = "[    0.052000] Kernel panic - not syncing: IO-APIC + timer doesn't "
			    "work!  Boot with apic=debug and send a report.\n";
	g_autoptr(SgConsole) starved =
		new_console(SG_FAMILY_DEBIAN_INSTALLER, SG_CONSOLE_PHASE_INSTALL);
	g_autoptr(SgConsole) broken =
		new_console(SG_FAMILY_DEBIAN_INSTALLER, SG_CONSOLE_PHASE_INSTALL);
	const gchar *other = "[    2.838476] Kernel panic - not syncing: Attempted to kill init!\n";

	sg_console_feed(starved, line, strlen(line), BASE_US);
	g_assert_cmpint(sg_console_get_problem(starved), ==, SG_CONSOLE_PROBLEM_HOST_STARVED);
	sg_console_feed(broken, other, strlen(other), BASE_US);
	g_assert_cmpint(sg_console_get_problem(broken), ==, SG_CONSOLE_PROBLEM_KERNEL_PANIC);
}

/* The real d-i against a mirror that lacks an installer component (the
 * bench of a full install): "[!!] Download installer components" offers a
 * list (Retry, Change mirror, Cancel) and no <Go Back>/<Continue> buttons.
 * A priority title without a gauge waits for an answer all the same. The
 * bytes are real; their timing is not (1 KiB reads 0.1 s apart), so the
 * recording is followed by 10 s of silence. */
static void
test_recording_download_components(void)
{
	g_autoptr(SgRecording) rec = sg_recording_load("di-newt-download-components");
	gint64 first_byte = time_of(rec, "[!!] Download installer components");

	for (guint seed = 1; seed <= 4; seed++) {
		g_autoptr(SgConsole) console =
			new_console(SG_FAMILY_DEBIAN_INSTALLER, SG_CONSOLE_PHASE_INSTALL);
		gint64 decided = replay(console, rec, seed, 10);

		g_assert_cmpint(sg_console_get_problem(console), ==,
				SG_CONSOLE_PROBLEM_INSTALLER_ERROR);
		g_assert_true(g_str_has_prefix(sg_console_get_problem_quote(console),
					       "[!!] Download installer components"));
		g_assert_cmpint(sg_console_get_problem_time(console), >=, first_byte);
		g_assert_cmpint(decided - first_byte, <, 10 * G_USEC_PER_SEC);
	}
}

/* A gauge that stops moving is progress, not a question: the silence limit
 * deals with it, not the dialog judge. */
static void
test_recording_progress_not_question(void)
{
	g_autoptr(SgRecording) rec = sg_recording_load("di-newt-no-network");
	g_autoptr(SgConsole) console =
		new_console(SG_FAMILY_DEBIAN_INSTALLER, SG_CONSOLE_PHASE_INSTALL);
	const gchar *gauge = g_strstr_len(rec->data, rec->len, "95%");
	gsize upto;

	g_assert_nonnull(gauge);
	upto = gauge - rec->data + 3;
	sg_console_feed(console, rec->data, upto, at(100));
	g_assert_cmpstr(sg_console_get_last_line(console), ==,
			"Detecting network hardware: 95% Detecting hardware, please wait...");
	for (gint64 now = at(100); now < at(200); now += TICK_US)
		sg_console_tick(console, now);
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_NONE);
	g_assert_cmpint(sg_console_get_last_output(console), ==, at(100));
}

/* The real text frontend: underlined title, "Prompt: '?' for help". */
static void
test_recording_text_frontend(void)
{
	g_autoptr(SgRecording) rec = sg_recording_load("di-text-language");

	for (guint seed = 1; seed <= 4; seed++) {
		g_autoptr(SgConsole) console =
			new_console(SG_FAMILY_DEBIAN_INSTALLER, SG_CONSOLE_PHASE_INSTALL);
		gint64 decided = replay(console, rec, seed, 0);

		g_assert_cmpint(sg_console_get_problem(console), ==,
				SG_CONSOLE_PROBLEM_INSTALLER_QUESTION);
		g_assert_true(
			g_str_has_prefix(sg_console_get_problem_quote(console),
					 "Select a language: Choose the language to be used"));
		/* The prompt decides at once; the problem dates from the title. */
		g_assert_cmpint(decided, ==, time_of(rec, "Prompt: '?' for help"));
		g_assert_cmpint(sg_console_get_problem_time(console), ==,
				time_of(rec, "Select a language"));
	}
}

static void
test_recording_subiquity(void)
{
	const struct {
		const gchar *name;
		SgConsoleProblem problem;
		const gchar *quote;
	} cases[] = {
		{"subiquity-error", SG_CONSOLE_PROBLEM_INSTALLER_ERROR,
		 "An error occurred during installation: Sorry, there was a problem completing "
		 "the installation. If you want to help improve the installer, you can send an "
		 "error report."},
		{"subiquity-confirm", SG_CONSOLE_PROBLEM_INSTALLER_QUESTION,
		 "Confirm destructive action: Selecting Continue below will begin the "
		 "installation process and result in the loss of data on the disks selected to "
		 "be formatted."},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(SgRecording) rec = sg_recording_load(cases[i].name);
		for (guint seed = 1; seed <= 4; seed++) {
			g_autoptr(SgConsole) console =
				new_console(SG_FAMILY_SUBIQUITY, SG_CONSOLE_PHASE_INSTALL);
			g_autoptr(SgConsole) other =
				new_console(SG_FAMILY_DEBIAN_INSTALLER, SG_CONSOLE_PHASE_INSTALL);
			gint64 decided = replay(console, rec, seed, 30);

			g_assert_cmpint(sg_console_get_problem(console), ==, cases[i].problem);
			g_assert_true(g_str_has_prefix(sg_console_get_problem_quote(console),
						       cases[i].quote));
			g_assert_cmpint(decided - sg_console_get_problem_time(console), >=,
					SG_CONSOLE_SETTLE_US);
			g_assert_cmpint(decided - sg_console_get_problem_time(console), <=,
					SG_CONSOLE_SETTLE_US + TICK_US);
			/* Other installers draw no such screens. */
			g_assert_cmpint(replay(other, rec, seed, 30), ==, 0);
		}
	}
}

/* subiquity's error report collects its report under a spinner
 * (error.py, ErrorReportState.INCOMPLETE): the screen never stops moving,
 * the error is still an error. */
static void
test_subiquity_error_with_spinner(void)
{
	g_autoptr(SgRecording) rec = sg_recording_load("subiquity-error");
	g_autoptr(SgConsole) console = new_console(SG_FAMILY_SUBIQUITY, SG_CONSOLE_PHASE_INSTALL);
	const gchar *frames[] = {"|", "/", "-", "\\"};
	gint64 shown = at(10);
	gint64 now;

	/* A spinner turning on the progress screen before the error too. */
	for (now = at(0); now < shown; now += 200 * 1000) {
		g_autofree gchar *frame =
			g_strdup_printf("\x1b[10;40H%s", frames[(now / (200 * 1000)) % 4]);
		sg_console_feed(console, frame, strlen(frame), now);
	}
	sg_console_feed(console, rec->data, rec->len, shown);
	for (now = shown; now < shown + 30 * G_USEC_PER_SEC; now += TICK_US) {
		g_autofree gchar *frame =
			g_strdup_printf("\x1b[24;2H%s", frames[(now / (200 * 1000)) % 4]);
		sg_console_feed(console, frame, strlen(frame), now);
		sg_console_tick(console, now);
		if (sg_console_get_problem(console) != SG_CONSOLE_PROBLEM_NONE)
			break;
	}
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_INSTALLER_ERROR);
	g_assert_cmpint(sg_console_get_problem_time(console), ==, shown);
	g_assert_cmpint(now - shown, ==, SG_CONSOLE_SETTLE_US);
	/* The spinner is output: the silence limit does not fire either. */
	g_assert_cmpint(sg_console_get_last_output(console), ==, now);
}

/* subiquity's progress screen has a button too ("[ View full log ]") but
 * waits for nothing; an interactive screen the autoinstall left in waits on
 * "[ Done ]" (subiquitycore/ui/buttons.py done_btn). */
static void
test_subiquity_progress_and_done(void)
{
	g_autoptr(SgRecording) rec = sg_recording_load("subiquity-error");
	g_autoptr(SgConsole) console = new_console(SG_FAMILY_SUBIQUITY, SG_CONSOLE_PHASE_INSTALL);
	gsize progress = g_array_index(rec->offsets, gsize, 2);
	const gchar *keyboard = "\x1b[H\x1b[2J\x1b[2;2HKeyboard configuration"
				"\x1b[5;3HPlease select your keyboard layout below, or select "
				"\"Identify keyboard\""
				"\x1b[20;33H[ Done       ]\x1b[21;33H[ Back       ]";

	/* The first two draws: "Installing system", events, [ View full log ]. */
	sg_console_feed(console, rec->data, progress, at(0));
	for (gint64 now = at(0); now < at(60); now += TICK_US)
		sg_console_tick(console, now);
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_NONE);
	sg_console_feed(console, keyboard, strlen(keyboard), at(60));
	sg_console_tick(console, at(65) - 1);
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_NONE);
	sg_console_tick(console, at(65));
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_INSTALLER_QUESTION);
	g_assert_cmpstr(sg_console_get_problem_quote(console), ==,
			"Keyboard configuration: Please select your keyboard layout below, or "
			"select \"Identify keyboard\"");
	g_assert_cmpint(sg_console_get_problem_time(console), ==, at(60));
}

/* A newt window as cdebconf draws one, VT100 line drawing and all: the
 * title in red in the top border, text and buttons inside. */
static gchar *
newt_window(const gchar *title, const gchar *text, const gchar *buttons)
{
	gint width = MAX(44, (gint)strlen(title) + 12);
	g_autofree gchar *right = g_strnfill(width - 9 - strlen(title), 'q');
	g_autofree gchar *bottom = g_strnfill(width - 2, 'q');

	return g_strdup_printf("\x1b[5;3H\x1b[30m\x1b[47m\x1b(0lqqqu\x1b(B \x1b[31m%s\x1b[30m "
			       "\x1b(0t%sk"
			       "\x1b[6;3Hx\x1b(B %-*s\x1b(0x"
			       "\x1b[7;3Hx\x1b(B %-*s\x1b(0x"
			       "\x1b[8;3Hm%sj\x1b(B",
			       title, right, width - 3, text, width - 3, buttons, bottom);
}

static void
test_dialog_replaced_in_time(void)
{
	g_autoptr(SgConsole) console =
		new_console(SG_FAMILY_DEBIAN_INSTALLER, SG_CONSOLE_PHASE_INSTALL);
	g_autofree gchar *dialog =
		newt_window("[!!] Configure the network",
			    "Name server addresses:", "<Go Back>      <Continue>");
	g_autofree gchar *gauge = newt_window("Configuring the network", "  50%", "");

	sg_console_feed(console, dialog, strlen(dialog), at(0));
	sg_console_tick(console, at(4.9));
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_NONE);
	g_assert_cmpstr(sg_console_get_last_line(console), ==,
			"[!!] Configure the network: Name server addresses:");
	/* Answered (by a preseed, say): the installer moved on. */
	sg_console_feed(console, "\x1b[m\x1b[2J", 7, at(4.9));
	sg_console_feed(console, gauge, strlen(gauge), at(4.95));
	for (gint64 now = at(5); now < at(60); now += TICK_US)
		sg_console_tick(console, now);
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_NONE);
	g_assert_cmpstr(sg_console_get_last_line(console), ==, "Configuring the network: 50%");
}

static void
test_dialog_same_title_new_text(void)
{
	g_autoptr(SgConsole) console =
		new_console(SG_FAMILY_DEBIAN_INSTALLER, SG_CONSOLE_PHASE_INSTALL);
	g_autofree gchar *first = newt_window("[!!] Configure the network",
					      "IP address:", "<Go Back>      <Continue>");
	g_autofree gchar *second =
		newt_window("[!!] Configure the network",
			    "Name server addresses:", "<Go Back>      <Continue>");

	sg_console_feed(console, first, strlen(first), at(0));
	sg_console_tick(console, at(3));
	sg_console_feed(console, second, strlen(second), at(3));
	sg_console_tick(console, at(7.9));
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_NONE);
	sg_console_tick(console, at(8));
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_INSTALLER_QUESTION);
	/* The question on the screen is the second one, shown at 3 s. */
	g_assert_cmpint(sg_console_get_problem_time(console), ==, at(3));
	g_assert_cmpstr(sg_console_get_problem_quote(console), ==,
			"[!!] Configure the network: Name server addresses:");
}

static void
test_dialog_error_words(void)
{
	g_autoptr(SgConsole) console =
		new_console(SG_FAMILY_DEBIAN_INSTALLER, SG_CONSOLE_PHASE_INSTALL);
	/* mirror/bad in choose-mirror's templates (the d-i initrd). */
	g_autofree gchar *dialog =
		newt_window("[!!] Choose a mirror of the Debian archive",
			    "An error has been detected while trying", "<Go Back>   <Continue>");

	sg_console_feed(console, dialog, strlen(dialog), at(0));
	sg_console_tick(console, at(5));
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_INSTALLER_ERROR);
}

/* Checks that @console found @problem, quoted as @quote. */
static void
assert_problem(SgConsole *console, SgConsoleProblem problem, const gchar *quote)
{
	g_assert_cmpint(sg_console_get_problem(console), ==, problem);
	g_assert_cmpstr(sg_console_get_problem_quote(console), ==, quote);
}

/* Feeds @text at @now_us, each line as its own read. */
static void
feed_at(SgConsole *console, const gchar *text, gint64 now_us)
{
	sg_console_feed(console, text, strlen(text), now_us);
}

/* Ticks as the watch does, every 100 ms from @from_us to @to_us, until a
 * problem; returns when it was decided, or 0. */
static gint64
tick_until(SgConsole *console, gint64 from_us, gint64 to_us)
{
	for (gint64 now = from_us; now <= to_us; now += TICK_US) {
		sg_console_tick(console, now);
		if (sg_console_get_problem(console) != SG_CONSOLE_PROBLEM_NONE)
			return now;
	}
	return 0;
}

/* The real Debian 12 kernel booted with root= and no initramfs: it cannot
 * mount its root and panics (recording kernel-no-root). Its own problem,
 * not any kernel panic; and a root that mounts says nothing. */
static void
test_recording_kernel_no_root(void)
{
	g_autoptr(SgRecording) rec = sg_recording_load("kernel-no-root");
	gint64 panic_at = time_of(rec, "Kernel panic - not syncing: VFS");
	g_autoptr(SgConsole) healthy = new_console(SG_FAMILY_LIVE, SG_CONSOLE_PHASE_DESKTOP);

	for (guint seed = 1; seed <= 3; seed++) {
		g_autoptr(SgConsole) console =
			new_console(SG_FAMILY_DEBIAN_INSTALLER, SG_CONSOLE_PHASE_DESKTOP);
		gint64 decided =
			replay_expecting(console, rec, seed, 0, SG_CONSOLE_PROBLEM_NO_ROOT_FS,
					 "[    1.832124] Kernel panic - not syncing: VFS: Unable "
					 "to mount root fs on "
					 "unknown-block(0,0)");

		g_assert_cmpint(sg_console_get_problem_time(console), ==, panic_at);
		g_assert_cmpint(decided, ==, panic_at);
	}
	feed(healthy,
	     "[    1.099323] VFS: Disk quotas dquot_6.6.0\n"
	     "[    2.461047] VFS: Mounted root (ext4 filesystem) readonly on device 254:1.\n");
	g_assert_cmpint(sg_console_get_problem(healthy), ==, SG_CONSOLE_PROBLEM_NONE);
}

/* The real initramfs-tools (the live-real fixture's initrd) with
 * root=/dev/vda1 and no disk (recording initramfs-no-root): "Gave up
 * waiting for root file system device", its hints, the ALERT! line that
 * names the device, BusyBox and the "(initramfs)" prompt. The ALERT! line
 * decides at once, in every family and phase. */
static void
test_recording_initramfs_no_root(void)
{
	g_autoptr(SgRecording) rec = sg_recording_load("initramfs-no-root");
	gint64 alert_at = time_of(rec, "ALERT!");
	const SgFamily families[] = {SG_FAMILY_DEBIAN_INSTALLER, SG_FAMILY_UBIQUITY,
				     SG_FAMILY_SUBIQUITY, SG_FAMILY_LIVE};

	for (guint i = 0; i < G_N_ELEMENTS(families); i++) {
		for (SgConsolePhase phase = SG_CONSOLE_PHASE_INSTALL;
		     phase <= SG_CONSOLE_PHASE_DESKTOP; phase++) {
			g_autoptr(SgConsole) console = new_console(families[i], phase);
			gint64 decided = replay_expecting(
				console, rec, i + 1, 0, SG_CONSOLE_PROBLEM_EMERGENCY_SHELL,
				"ALERT!  /dev/vda1 does not exist.  Dropping to a shell!");

			g_assert_cmpint(sg_console_get_problem_time(console), ==, alert_at);
			g_assert_cmpint(decided, ==, alert_at);
		}
	}
}

/* initramfs-tools' panic() with any other message: the message, BusyBox's
 * banner, the prompt. Judged a moment after the prompt (its words may
 * follow it, as casper's do), quoting the message. */
static void
test_initramfs_panic_message(void)
{
	g_autoptr(SgConsole) console = new_console(SG_FAMILY_LIVE, SG_CONSOLE_PHASE_DESKTOP);
	gint64 decided;

	/* init's own panic (initramfs-tools' init), BusyBox as in Debian 12 */
	feed_at(console, "No init found. Try passing init= bootarg.\r\n\r\n\r\n", at(10));
	feed_at(console,
		"BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) built-in shell (ash)\r\n"
		"Enter 'help' for a list of built-in commands.\r\n\r\n",
		at(10.1));
	feed_at(console, "(initramfs) \x1b[6n", at(10.2));
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_NONE);
	g_assert_false(sg_console_markers_complete(console));
	g_assert_cmpint(sg_console_get_next_deadline(console), >, at(10.2));
	g_assert_cmpint(sg_console_get_next_deadline(console), <=, at(15));
	decided = tick_until(console, at(10.3), at(20));
	assert_problem(console, SG_CONSOLE_PROBLEM_EMERGENCY_SHELL,
		       "No init found. Try passing init= bootarg. ... (initramfs)");
	g_assert_cmpint(sg_console_get_problem_time(console), ==, at(10.1));
	g_assert_cmpint(decided, <, at(15));
}

/* casper (lp:casper, scripts/casper) logs to casper.log and shows it
 * through `tail -f`: its panic's message comes after the prompt, on the
 * prompt's line, as users' reports show it. */
static void
test_casper_message_after_prompt(void)
{
	g_autoptr(SgConsole) console = new_console(SG_FAMILY_UBIQUITY, SG_CONSOLE_PHASE_INSTALL);

	feed_at(console, "Begin: Running /scripts/casper-premount ... done.\r\n", at(20));
	feed_at(console,
		"\r\n\r\nBusyBox v1.30.1 (Ubuntu 1:1.30.1-4ubuntu6) built-in shell (ash)\r\n"
		"Enter 'help' for a list of built-in commands.\r\n\r\n(initramfs) ",
		at(80));
	sg_console_tick(console, at(80.9));
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_NONE);
	feed_at(console, "Unable to find a medium containing a live file system\r\n", at(81));
	assert_problem(console, SG_CONSOLE_PROBLEM_EMERGENCY_SHELL,
		       "(initramfs) Unable to find a medium containing a live file system");
	g_assert_cmpint(sg_console_get_problem_time(console), ==, at(80));
	/* nothing left waiting */
	g_assert_cmpint(sg_console_get_next_deadline(console), ==, 0);
}

/* Lines of a healthy boot that look like the shells' own. */
static void
test_initramfs_healthy_lines(void)
{
	g_autoptr(SgConsole) console =
		new_console(SG_FAMILY_DEBIAN_INSTALLER, SG_CONSOLE_PHASE_INSTALL);
	g_autoptr(SgConsole) desktop = new_console(SG_FAMILY_UBIQUITY, SG_CONSOLE_PHASE_DESKTOP);

	/* initramfs-tools' scripts/local without a resume device goes on */
	feed_at(desktop,
		"Begin: Running /scripts/local-premount ... Gave up waiting for "
		"suspend/resume device\r\ndone.\r\n"
		"Begin: Running /scripts/casper-bottom ... done.\r\n"
		"update-initramfs: Generating /boot/initrd.img-6.1.0-13-amd64\r\n",
		at(5));
	/* d-i's second console is a BusyBox shell too, with its own prompt */
	feed_at(console,
		"BusyBox v1.35.0 (Debian 1:1.35.0-4+b3) built-in shell (ash)\r\n"
		"Enter 'help' for a list of built-in commands.\r\n\r\n~ # ",
		at(5));
	g_assert_cmpint(tick_until(console, at(5), at(30)), ==, 0);
	g_assert_cmpint(tick_until(desktop, at(5), at(30)), ==, 0);
	g_assert_cmpint(sg_console_get_next_deadline(desktop), ==, 0);
}

/* dracut's emergency shell, as dracut 059 prints it (modules.d/
 * 98dracut-systemd/dracut-emergency.sh, 99base/dracut-lib.sh), the why
 * from its warn() lines first. */
static void
test_dracut_emergency(void)
{
	g_autoptr(SgConsole) systemd = new_console(SG_FAMILY_LIVE, SG_CONSOLE_PHASE_DESKTOP);
	g_autoptr(SgConsole) plain = new_console(SG_FAMILY_LIVE, SG_CONSOLE_PHASE_DESKTOP);
	g_autoptr(SgConsole) noshell = new_console(SG_FAMILY_LIVE, SG_CONSOLE_PHASE_DESKTOP);
	g_autoptr(SgConsole) healthy = new_console(SG_FAMILY_LIVE, SG_CONSOLE_PHASE_DESKTOP);

	feed_at(systemd,
		"[  183.512331] dracut-initqueue[285]: Warning: dracut-initqueue: timeout, still "
		"waiting for following initqueue hooks:\r\n"
		"[  183.607115] dracut-initqueue[285]: Warning: \"/dev/disk/by-uuid/"
		"6f1c2d7e-9c1b-4d4e-8a0b-2f1f9e3c5d11\" does not exist\r\n",
		at(183));
	g_assert_cmpint(sg_console_get_problem(systemd), ==, SG_CONSOLE_PROBLEM_NONE);
	feed_at(systemd,
		"\r\nGenerating \"/run/initramfs/rdsosreport.txt\"\r\n\r\n\r\n"
		"Entering emergency mode. Exit the shell to continue.\r\n"
		"Type \"journalctl\" to view system logs.\r\n",
		at(184));
	assert_problem(systemd, SG_CONSOLE_PROBLEM_EMERGENCY_SHELL,
		       "[  183.607115] dracut-initqueue[285]: Warning: \"/dev/disk/by-uuid/"
		       "6f1c2d7e-9c1b-4d4e-8a0b-2f1f9e3c5d11\" does not exist ... Entering "
		       "emergency mode. Exit the shell to continue.");
	g_assert_cmpint(sg_console_get_problem_time(systemd), ==, at(184));

	/* without systemd in the initramfs: warn() is "Warning: ...", then
	 * its debug shell's prompt */
	feed_at(plain, "\r\n\r\nWarning: Could not boot.\r\n\r\n", at(60));
	feed_at(plain, "Dropping to debug shell.\r\n\r\ndracut:/# ", at(61));
	assert_problem(plain, SG_CONSOLE_PROBLEM_EMERGENCY_SHELL,
		       "Warning: Could not boot. ... Dropping to debug shell.");

	/* rd.shell=0: no shell, a halt; the warning that says so is the
	 * failure, quoted once */
	feed_at(noshell,
		"dracut Warning: Boot has failed. To debug this issue add \"rd.shell rd.debug\" "
		"to the kernel command line.\r\n",
		at(70));
	assert_problem(noshell, SG_CONSOLE_PROBLEM_EMERGENCY_SHELL,
		       "dracut Warning: Boot has failed. To debug this issue add \"rd.shell "
		       "rd.debug\" to the kernel command line.");

	/* a healthy dracut boot: its hooks finish, a warning on the way */
	feed_at(healthy,
		"[  OK  ] Finished dracut-initqueue.service - dracut initqueue hook.\r\n"
		"[    9.112233] dracut-pre-pivot[401]: Warning: Not all disks have been found.\r\n"
		"[  OK  ] Reached target initrd-root-fs.target - Initrd Root File System.\r\n"
		"         Starting dracut-pre-pivot.service - dracut pre-pivot and cleanup "
		"hook...\r\n",
		at(9));
	g_assert_cmpint(tick_until(healthy, at(9), at(30)), ==, 0);
}

/* The real systemd 252 of Debian 12 with systemd.unit=emergency.target and
 * .rescue.target (recordings systemd-emergency, systemd-rescue): the live
 * image's root account is locked, so sulogin refuses the console. */
static void
test_recording_systemd_emergency(void)
{
	const struct {
		const gchar *name;
		const gchar *line;
	} cases[] = {
		{"systemd-emergency", "You are in emergency mode."},
		{"systemd-rescue", "You are in rescue mode."},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(SgRecording) rec = sg_recording_load(cases[i].name);
		gint64 shown = time_of(rec, cases[i].line);
		g_autoptr(SgConsole) console =
			new_console(SG_FAMILY_LIVE, SG_CONSOLE_PHASE_DESKTOP);
		gint64 decided = replay(console, rec, i + 1, 0);

		g_assert_cmpint(sg_console_get_problem(console), ==,
				SG_CONSOLE_PROBLEM_EMERGENCY_MODE);
		g_assert_true(
			g_str_has_prefix(sg_console_get_problem_quote(console), cases[i].line));
		g_assert_cmpint(sg_console_get_problem_time(console), ==, shown);
		g_assert_cmpint(decided, ==, shown);
	}
}

/* Older systemd's units echoed "Welcome to emergency mode!"; the why is the
 * failed unit before it. sulogin's own words decide too, even run together
 * with systemd's on a busy console (as seen on a real nfsroot boot). */
static void
test_systemd_emergency_words(void)
{
	g_autoptr(SgConsole) old = new_console(SG_FAMILY_UBIQUITY, SG_CONSOLE_PHASE_DESKTOP);
	g_autoptr(SgConsole) garbled = new_console(SG_FAMILY_LIVE, SG_CONSOLE_PHASE_DESKTOP);
	g_autoptr(SgConsole) healthy = new_console(SG_FAMILY_LIVE, SG_CONSOLE_PHASE_DESKTOP);

	feed_at(old,
		"[\x1b[0;1;31m TIME \x1b[0m] Timed out waiting for device dev-incorrect.device.\r\n"
		"[\x1b[0;1;33mDEPEND\x1b[0m] Dependency failed for /data.\r\n"
		"[\x1b[0;1;33mDEPEND\x1b[0m] Dependency failed for Local File Systems.\r\n"
		"Welcome to emergency mode! After logging in, type \"journalctl -xb\" to view\r\n",
		at(30));
	assert_problem(old, SG_CONSOLE_PROBLEM_EMERGENCY_MODE,
		       "[DEPEND] Dependency failed for Local File Systems. ... Welcome to "
		       "emergency mode! After logging in, type \"journalctl -xb\" to view");

	feed_at(garbled,
		"[FAILED] Failed to mount sys-kernel-debug.mount - Kernel Debug File System.\r\n"
		"You are in emergGive root password for maintenance\r\n"
		"(or press Control-D to continue): ",
		at(40));
	g_assert_cmpint(sg_console_get_problem(garbled), ==, SG_CONSOLE_PROBLEM_EMERGENCY_MODE);
	g_assert_true(g_str_has_suffix(sg_console_get_problem_quote(garbled),
				       "... You are in emergGive root password for maintenance"));

	/* a failed unit alone is no emergency mode */
	feed_at(healthy,
		"[FAILED] Failed to start plymouth-quit.service - Hide splash.\r\n"
		"[  OK  ] Started systemd-ask-password-console.path - Dispatch Password "
		"Requests to Console.\r\n"
		"[  OK  ] Reached target graphical.target - Graphical Interface.\r\n",
		at(50));
	g_assert_cmpint(tick_until(healthy, at(50), at(70)), ==, 0);
}

/* The markers of the generic live profile (guests/flavours/generic-live.conf). */
static const gchar *const live_markers[] = {
	"Reached target .*Graphical Interface",
	"pam_unix\\((gdm|gdm3|lightdm|sddm)-autologin:session\\): session opened for user "
	"\\S+\\(uid=",
	NULL,
};

/* A live session's console; @display_manager NULL as in the generic
 * profile, which names none: any display manager's greeter is judged. */
static SgConsole *
new_desktop_console(const gchar *display_manager, const gchar *const *markers)
{
	return new_console_with(SG_FAMILY_LIVE, SG_CONSOLE_PHASE_DESKTOP, display_manager, markers);
}

/* A greeter's session (LightDM's, as pam_unix logs it on the console with
 * the journal forwarded) and no autologin after it: the login screen is
 * judged SG_CONSOLE_LOGIN_SCREEN_GRACE_US after it showed, not at the
 * silence limit. */
static void
test_login_screen(void)
{
	g_autoptr(SgConsole) console = new_desktop_console("lightdm", live_markers);
	const gchar *greeter = "[  160.912277] lightdm[880]: pam_unix(lightdm-greeter:session): "
			       "session opened for user lightdm(uid=101) by (uid=0)";
	g_autofree gchar *line = g_strdup_printf("%s\r\n", greeter);
	gint64 decided;

	feed_at(console,
		"[  141.579893] systemd[1]: Reached target graphical.target - Graphical "
		"Interface.\r\n",
		at(141));
	feed_at(console, line, at(160));
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_NONE);
	g_assert_cmpint(sg_console_get_next_deadline(console), ==,
			at(160) + SG_CONSOLE_LOGIN_SCREEN_GRACE_US);
	decided = tick_until(console, at(160), at(200));
	g_assert_cmpint(decided, ==, at(160) + SG_CONSOLE_LOGIN_SCREEN_GRACE_US);
	assert_problem(console, SG_CONSOLE_PROBLEM_LOGIN_SCREEN, greeter);
	g_assert_cmpint(sg_console_get_problem_time(console), ==, at(160));
	g_assert_cmpstr(sg_console_problem_to_string(SG_CONSOLE_PROBLEM_LOGIN_SCREEN), ==,
			"the display manager showed its login screen: no autologin session");
}

/* A marker loose enough to match the greeter's own session line (several
 * profiles ask for "session opened for user \S+\(uid=") must not end the
 * phase while the greeter is being judged. */
static void
test_login_screen_holds_markers(void)
{
	const gchar *const loose[] = {"session opened for user \\S+\\(uid=", NULL};
	g_autoptr(SgConsole) console = new_desktop_console("gdm", loose);

	feed_at(console,
		"[   22.1] gdm-launch-environment]: pam_unix(gdm-launch-environment:session): "
		"session opened for user gdm(uid=125) by (uid=0)\r\n",
		at(22));
	g_assert_nonnull(sg_console_get_marker_line(console, 0));
	g_assert_false(sg_console_markers_complete(console));
	g_assert_cmpint(tick_until(console, at(22), at(40)), ==,
			at(22) + SG_CONSOLE_LOGIN_SCREEN_GRACE_US);
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_LOGIN_SCREEN);
}

/* An autologin session shortly after the greeter's, or before it, is a
 * desktop as asked; so are other pam_unix sessions (a console's autologin,
 * sudo, as in the real live image's healthy boot). */
static void
test_login_screen_with_autologin(void)
{
	g_autoptr(SgConsole) after = new_desktop_console("lightdm", live_markers);
	g_autoptr(SgConsole) before = new_desktop_console("lightdm", live_markers);
	g_autoptr(SgConsole) others = new_desktop_console("lightdm", live_markers);
	const gchar *graphical = "[  141.579893] systemd[1]: Reached target graphical.target - "
				 "Graphical Interface.\r\n";
	const gchar *greeter = "[  160.9] lightdm[880]: pam_unix(lightdm-greeter:session): session "
			       "opened for user lightdm(uid=101) by (uid=0)\r\n";
	const gchar *autologin =
		"[  161.763155] lightdm[879]: pam_unix(lightdm-autologin:session): "
		"session opened for user user(uid=1000) by (uid=0)\r\n";

	feed_at(after, graphical, at(141));
	feed_at(after, greeter, at(160));
	feed_at(after, autologin, at(160) + SG_CONSOLE_LOGIN_SCREEN_GRACE_US - TICK_US);
	g_assert_cmpint(tick_until(after, at(160), at(200)), ==, 0);
	g_assert_true(sg_console_markers_complete(after));

	feed_at(before, graphical, at(141));
	feed_at(before, autologin, at(161));
	/* the session failed and LightDM fell back to its greeter: whatever
	 * that means, the autologin opened and the screen check judges it */
	feed_at(before, greeter, at(170));
	g_assert_cmpint(tick_until(before, at(170), at(200)), ==, 0);
	g_assert_true(sg_console_markers_complete(before));

	feed_at(others,
		"[  144.499326] login[831]: pam_unix(login:session): session opened for user "
		"user(uid=1000) by LOGIN(uid=0)\r\n"
		"[   99.086238] sudo[568]: pam_unix(sudo:session): session opened for user "
		"user(uid=1000) by (uid=0)\r\n"
		"[  170.1] lightdm[880]: pam_unix(lightdm-greeter:session): session closed for "
		"user lightdm\r\n",
		at(144));
	g_assert_cmpint(tick_until(others, at(144), at(200)), ==, 0);
	g_assert_cmpint(sg_console_get_next_deadline(others), ==, 0);
}

/* The real live-boot fixture's healthy boot as smokegate recorded it
 * (recording live-real-good: live-boot, systemd, live-config, LightDM's
 * autologin; harmless errors on the way): no judge finds anything, in any
 * family, and the generic live profile's markers complete. */
static void
test_recording_live_real_good(void)
{
	g_autoptr(SgRecording) rec = sg_recording_load("live-real-good");
	const SgFamily families[] = {SG_FAMILY_DEBIAN_INSTALLER, SG_FAMILY_UBIQUITY,
				     SG_FAMILY_SUBIQUITY, SG_FAMILY_LIVE};

	for (guint i = 0; i < G_N_ELEMENTS(families); i++) {
		g_autoptr(SgConsole) console = new_console_with(
			families[i], SG_CONSOLE_PHASE_DESKTOP, "lightdm", live_markers);

		g_assert_cmpint(replay(console, rec, i + 1, 30), ==, 0);
		g_assert_true(sg_console_markers_complete(console));
		g_assert_cmpint(sg_console_get_next_deadline(console), ==, 0);
		g_assert_true(g_str_has_suffix(
			sg_console_get_marker_line(console, 1),
			"pam_unix(lightdm-autologin:session): session opened for user "
			"user(uid=1000) by (uid=0)"));
	}
}

/* The real live image with live-config.nox11autologin (recording
 * lightdm-greeter): LightDM has no autologin user and starts its greeter.
 * Judged SG_CONSOLE_LOGIN_SCREEN_GRACE_US after the greeter's session line,
 * which the reason quotes, instead of after the silence limit. */
static void
test_recording_lightdm_greeter(void)
{
	g_autoptr(SgRecording) rec = sg_recording_load("lightdm-greeter");
	const gchar *line = "[  157.860374] lightdm[857]: pam_unix(lightdm-greeter:session): "
			    "session opened for user lightdm(uid=101) by (uid=0)";
	gint64 first_byte = time_of(rec, line);
	gint64 last_byte = time_of_end(rec, line);

	for (guint seed = 1; seed <= 3; seed++) {
		g_autoptr(SgConsole) console =
			new_desktop_console(seed == 1 ? NULL : "lightdm", live_markers);
		gint64 decided = replay_expecting(console, rec, seed, 30,
						  SG_CONSOLE_PROBLEM_LOGIN_SCREEN, line);
		gint64 since = sg_console_get_problem_time(console);

		g_assert_cmpint(since, >=, first_byte);
		g_assert_cmpint(since, <=, last_byte + TICK_US);
		g_assert_cmpint(decided - since, >=, SG_CONSOLE_LOGIN_SCREEN_GRACE_US);
		g_assert_cmpint(decided - since, <=, SG_CONSOLE_LOGIN_SCREEN_GRACE_US + TICK_US);
		/* the graphical target came, the autologin session never did */
		g_assert_nonnull(sg_console_get_marker_line(console, 0));
		g_assert_cmpstr(sg_console_first_missing_marker(console), ==, live_markers[1]);
	}
}

/* The real live-boot with no medium (recording live-boot-failed): after its
 * 60 tries, "BOOT FAILED!", its paragraph and the error message, then the
 * initramfs shell. Judged at the message, quoting both, dated from BOOT
 * FAILED!. */
static void
test_recording_live_boot_failed(void)
{
	g_autoptr(SgRecording) rec = sg_recording_load("live-boot-failed");
	gint64 failed_at = time_of(rec, "BOOT FAILED!");

	for (guint seed = 1; seed <= 3; seed++) {
		g_autoptr(SgConsole) console =
			new_desktop_console(seed == 1 ? NULL : "lightdm", live_markers);
		gint64 decided = replay_expecting(
			console, rec, seed, 0, SG_CONSOLE_PROBLEM_EMERGENCY_SHELL,
			"BOOT FAILED! ... Unable to find a medium containing a live file "
			"system");
		g_assert_cmpint(sg_console_get_problem_time(console), ==, failed_at);
		g_assert_cmpint(decided - failed_at, <, G_USEC_PER_SEC);
	}
}

/* live-boot's BOOT FAILED! whose message never comes (a guest reset, a
 * console cut short): judged a moment later all the same. */
static void
test_live_boot_failed_without_message(void)
{
	g_autoptr(SgConsole) console = new_console(SG_FAMILY_LIVE, SG_CONSOLE_PHASE_DESKTOP);

	feed_at(console,
		"\r\n\r\n  \x1b[1;37mBOOT FAILED!\x1b[0m\r\n\r\n"
		"  This Live System image failed to boot.\r\n\r\n",
		at(90));
	g_assert_cmpint(sg_console_get_problem(console), ==, SG_CONSOLE_PROBLEM_NONE);
	g_assert_cmpint(tick_until(console, at(90), at(100)), <=, at(95));
	assert_problem(console, SG_CONSOLE_PROBLEM_EMERGENCY_SHELL, "BOOT FAILED!");
	g_assert_cmpint(sg_console_get_problem_time(console), ==, at(90));
}

/* The real initramfs-tools with break=premount (recording initramfs-break):
 * panic("Spawning shell within the initramfs"), BusyBox, the prompt. No
 * words follow the prompt: judged a moment after it, quoting the message
 * before BusyBox's banner. */
static void
test_recording_initramfs_break(void)
{
	g_autoptr(SgRecording) rec = sg_recording_load("initramfs-break");
	gint64 prompt_at = time_of(rec, "(initramfs) ");

	for (guint seed = 1; seed <= 3; seed++) {
		g_autoptr(SgConsole) console =
			new_console(SG_FAMILY_DEBIAN_INSTALLER, SG_CONSOLE_PHASE_DESKTOP);
		gint64 decided =
			replay_expecting(console, rec, seed, 10, SG_CONSOLE_PROBLEM_EMERGENCY_SHELL,
					 "Spawning shell within the initramfs ... (initramfs)");
		g_assert_cmpint(sg_console_get_problem_time(console), <=, prompt_at);
		g_assert_cmpint(sg_console_get_problem_time(console), >=, time_of(rec, "BusyBox"));
		g_assert_cmpint(decided - prompt_at, <, 5 * G_USEC_PER_SEC);
	}
}

/* The installer phase has no display manager to judge. */
static void
test_login_screen_install_phase(void)
{
	g_autoptr(SgConsole) console =
		new_console(SG_FAMILY_DEBIAN_INSTALLER, SG_CONSOLE_PHASE_INSTALL);

	feed_at(console,
		"lightdm[880]: pam_unix(lightdm-greeter:session): session opened for user "
		"lightdm(uid=101) by (uid=0)\r\n",
		at(10));
	g_assert_cmpint(tick_until(console, at(10), at(30)), ==, 0);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/console/panic", test_panic);
	g_test_add_func("/console/panic-with-stray-bytes", test_panic_with_stray_bytes);
	g_test_add_func("/console/question-without-newline", test_question_without_newline);
	g_test_add_func("/console/error-dialog", test_error_dialog);
	g_test_add_func("/console/mirror-error-dialog", test_mirror_error_dialog);
	g_test_add_func("/console/text-frontend-error", test_text_frontend_error);
	g_test_add_func("/console/harmless-error-lines", test_harmless_error_lines);
	g_test_add_func("/console/markers-split-across-reads", test_markers_split_across_reads);
	g_test_add_func("/console/display-manager-failure", test_display_manager_failure);
	g_test_add_func("/console/subiquity", test_subiquity_rules);
	g_test_add_func("/console/bad-marker", test_bad_marker);
	g_test_add_func("/console/recording/newt-question", test_recording_newt_question);
	g_test_add_func("/console/recording/newt-settle", test_recording_newt_settle);
	g_test_add_func("/console/recording/clock-not-output", test_recording_clock_not_output);
	g_test_add_func("/console/recording/no-network", test_recording_no_network);
	g_test_add_func("/console/recording/progress-not-question",
			test_recording_progress_not_question);
	g_test_add_func("/console/recording/text-frontend", test_recording_text_frontend);
	g_test_add_func("/console/recording/subiquity", test_recording_subiquity);
	g_test_add_func("/console/recording/subiquity-spinner", test_subiquity_error_with_spinner);
	g_test_add_func("/console/recording/subiquity-progress-and-done",
			test_subiquity_progress_and_done);
	g_test_add_func("/console/starved-host-panic", test_starved_host_panic);
	g_test_add_func("/console/recording/di-download-components",
			test_recording_download_components);
	g_test_add_func("/console/dialog-replaced-in-time", test_dialog_replaced_in_time);
	g_test_add_func("/console/dialog-same-title-new-text", test_dialog_same_title_new_text);
	g_test_add_func("/console/dialog-error-words", test_dialog_error_words);
	g_test_add_func("/console/recording/kernel-no-root", test_recording_kernel_no_root);
	g_test_add_func("/console/recording/initramfs-no-root", test_recording_initramfs_no_root);
	g_test_add_func("/console/initramfs-panic-message", test_initramfs_panic_message);
	g_test_add_func("/console/casper-message-after-prompt", test_casper_message_after_prompt);
	g_test_add_func("/console/initramfs-healthy-lines", test_initramfs_healthy_lines);
	g_test_add_func("/console/dracut-emergency", test_dracut_emergency);
	g_test_add_func("/console/recording/systemd-emergency", test_recording_systemd_emergency);
	g_test_add_func("/console/systemd-emergency-words", test_systemd_emergency_words);
	g_test_add_func("/console/login-screen", test_login_screen);
	g_test_add_func("/console/login-screen-holds-markers", test_login_screen_holds_markers);
	g_test_add_func("/console/login-screen-with-autologin", test_login_screen_with_autologin);
	g_test_add_func("/console/login-screen-install-phase", test_login_screen_install_phase);
	g_test_add_func("/console/recording/live-real-good", test_recording_live_real_good);
	g_test_add_func("/console/recording/lightdm-greeter", test_recording_lightdm_greeter);
	g_test_add_func("/console/recording/live-boot-failed", test_recording_live_boot_failed);
	g_test_add_func("/console/live-boot-failed-without-message",
			test_live_boot_failed_without_message);
	g_test_add_func("/console/recording/initramfs-break", test_recording_initramfs_break);
	return g_test_run();
}
