#include "sg-boot-driver.h"

#include <string.h>

#include "sg-screen.h"

/* A menu is read once it stopped changing for this long (it is drawn in
 * bursts), or after the longest wait, whichever comes first. */
#define MENU_SETTLE_US (G_USEC_PER_SEC / 2)
#define MENU_SETTLE_MAX_US (3 * G_USEC_PER_SEC)
/* Between two keys: bootloaders poll the serial port, and GRUB must see an
 * escape sequence whole but Esc alone as Esc. */
#define KEY_GAP_US (G_USEC_PER_SEC / 10)
/* How long the screen may take to show what a key did (TCG is slow). */
#define ECHO_LIMIT_US (20 * G_USEC_PER_SEC)
/* A graphical menu shows nothing on the serial port: keys are typed after
 * this long from the loader's start, and the loader is told to use the
 * console (GRUB) or is typed into blind (vesamenu). */
#define GRAPHICAL_WAIT_US (8 * G_USEC_PER_SEC)
/* A blind step waits this long instead of reading the screen. */
#define BLIND_GAP_US (2 * G_USEC_PER_SEC)
/* How much of the typed arguments must be seen on the screen. */
#define ECHO_TAIL 12
/* Text is typed this many bytes at a time, each waiting for its echo: a
 * BIOS keyboard buffer holds 15 keys, and a loaded TCG guest's isolinux
 * took 200 bytes at once more slowly than they came (keys were lost).
 * OVMF's terminal queues more keys (its FIFO holds 128); GRUB's editor
 * redraws the whole line for every key, so fewer waits count there. */
#define TYPE_CHUNK_BIOS 14
#define TYPE_CHUNK_UEFI 64
/* How long typed text may take to show: GRUB's editor redraws a long line
 * for every key (500 bytes a key for d-i's answers on the line), which a
 * loaded TCG guest's OVMF sends out slowly. */
#define TYPED_ECHO_LIMIT_US (60 * G_USEC_PER_SEC)
#define MAX_QUOTE 200
/* A line not ended yet is judged once nothing was added to it for this
 * long: it may arrive in pieces ("...): " first, "Not Found" in the next
 * read), and the rules must see the whole of it. A line that never ends
 * (a box drawn with cursor moves) is judged this long after its last byte. */
#define PARTIAL_LINE_QUIET_US (G_USEC_PER_SEC / 4)
/* How many more times GRUB is switched to the console when it did not show
 * its menu there (bench/firmware-boot.sh needed one try, up to five). */
#define SWITCH_RETRIES 3
/* The most of the typing's echo kept (a command line is a few hundred). */
#define ECHO_MAX (64 * 1024)

/* Where the line reader is in an escape sequence. */
enum {
	ESCAPE_NONE,
	ESCAPE_START,	/* after ESC */
	ESCAPE_CSI,	/* after ESC [ */
	ESCAPE_CHARSET, /* after ESC ( or ESC ): one byte more */
};

#define KEY_DOWN "\033[B"
#define KEY_CTRL_E "\005"
#define KEY_CTRL_X "\030"
#define KEY_ESC "\033"

typedef enum {
	STEP_KEYS,    /* send keys */
	STEP_EXPECT,  /* wait until the screen shows a text */
	STEP_WAIT,    /* wait a while (blind typing) */
	STEP_BOOTING, /* all typed: the kernel is next */
} SgStepKind;

typedef struct {
	SgStepKind kind;
	gchar *keys;	 /* STEP_KEYS: bytes; STEP_EXPECT: the text */
	gchar *readable; /* STEP_KEYS: for the evidence; STEP_EXPECT: what failed */
	gint64 wait_us;	 /* STEP_WAIT */
	/* STEP_EXPECT after GRUB was switched to the console: not seen in
	 * time, the switch is tried again (its keys were lost). */
	gboolean retry_switch;
} SgStep;

typedef enum {
	PHASE_FIRMWARE, /* until the menu shows */
	PHASE_SETTLING, /* the menu shows; waiting for it to be drawn whole */
	PHASE_TYPING,
	PHASE_BOOTING, /* keys done: waiting for the kernel */
	PHASE_DONE,
} SgPhase;

typedef struct {
	const gchar *pattern;
	/* The reason's words before the quoted line. */
	const gchar *words;
	/* Only once the entry is booting: GRUB also prints errors of its
	 * config's own commands (a missing font) and then shows its menu. */
	gboolean once_booting;
} SgFailureRule;

struct _SgBootDriver {
	SgFirmware firmware;
	SgBootLoaderKind loader_kind;
	gboolean graphical;
	gboolean no_keys_read; /* the loader boots its default without reading a key */
	gboolean observe_only; /* no loader known: read the boot, type nothing */
	/* A kernel booted directly (no loader at all): its console, which a
	 * kernel that does not start leaves without a line of it. */
	gchar *kernel_console;
	gchar *entry_title;
	gchar *entry_label;
	gchar *entry_args;
	gint editor_linux_line;
	gchar *args;
	gint64 started;
	gint64 limit_us;

	SgScreen *screen;
	/* Every line as printed, escape sequences dropped, for the rules:
	 * a long line wraps on the screen but not here. */
	GString *lines;
	GString *pending;	 /* the line not ended yet */
	gint64 pending_changed;	 /* when a byte was last added to it */
	gboolean pending_judged; /* the rules saw it as it is now */
	/* What was printed since the typing began, as one run of text:
	 * escape sequences, line ends and a wrapped line's '\\' dropped. An
	 * echo is found here whatever the screen's size (OVMF's text console is
	 * 100 columns, GRUB's editor wraps a long line there). */
	GString *echo;
	gint escape;	  /* where in an escape sequence the bytes are: ESCAPE_* */
	GPtrArray *rules; /* GRegex, same order as failure_rules */
	GRegex *kernel_line;
	GRegex *loader_line; /* what firmware and bootloaders print */
	gsize booting_from;  /* where in @lines the lines after the last key begin */
	gsize judged_to;     /* where in @lines the lines not yet judged begin */
	GRegex *menu_marks;  /* what shows a loader's menu or prompt */
	GRegex *loader_start;
	SgPhase phase;
	gint64 loader_started; /* when the firmware said it starts the loader, 0 before */
	gint64 last_change;
	gint64 settle_since;
	GQueue steps; /* SgStep */
	gint64 step_since;
	gint64 next_key_at;
	guint switch_retries;
	GString *outbox;
	GString *keys_readable;
	gchar *menu_screen;
	gchar *cmdline;

	SgBootDriverState state;
	gchar *reason;
	gboolean timed_out;
	gint64 decided_time;
	gdouble seconds_to_kernel;
};

/*
 * What the firmware and the bootloaders print when the image does not boot,
 * as seen on the serial console (the words are theirs; DOMAIN.md section 9
 * has where each was seen).
 */
static const SgFailureRule failure_rules[] = {
	/* OVMF's boot manager (edk2 MdeModulePkg BdsDxe): the CD's loader
	 * refused by Secure Boot, or no loader there at all. */
	{"BdsDxe: failed to (?:load|start) Boot[0-9A-F]+ \".*DVD-ROM.*\\): "
	 "(?:Access Denied|Security Violation)",
	 "the firmware refused the image's loader"},
	{"BdsDxe: failed to (?:load|start) Boot[0-9A-F]+ \".*DVD-ROM.*\\): Not Found",
	 "the firmware found no EFI loader on the image"},
	{"BdsDxe: failed to (?:load|start) Boot[0-9A-F]+ \".*DVD-ROM.*\\): ",
	 "the firmware could not start the image's loader"},
	{"BdsDxe: No bootable option or device was found", "the firmware found nothing to boot"},
	/* Without Secure Boot the firmware's own shell is its last boot
	 * option: it starts only when nothing before it did (AAVMF with an
	 * installed disk whose EFI system partition is empty; OVMF too). */
	{"BdsDxe: starting Boot[0-9A-F]+ \"EFI Internal Shell\"",
	 "the firmware found nothing to boot and started its EFI shell"},
	/* shim refusing the GRUB it was to start (shim's shim.c). */
	{"Verification failed: \\(0x1A\\) Security Violation",
	 "shim refused the image's second-stage loader"},
	{"(?:Failed to load image|start_image\\(\\) returned) .*", "shim could not start GRUB"},
	/* SeaBIOS (src/boot.c). */
	{"No bootable device\\.", "the firmware found nothing to boot"},
	{"Boot failed: (?:could not read|not a bootable|Could not read).*",
	 "the firmware could not boot the image"},
	/* isolinux / syslinux (com32/elflink/ldlinux, core). */
	{"Could not find (?:kernel|ramdisk) image: .*", "the bootloader could not load its kernel"},
	{"Loading \\S+\\s*\\.*\\s*failed: .*", "the bootloader could not load its kernel"},
	{"Invalid or corrupt kernel image", "the bootloader could not load its kernel"},
	{"isolinux: (?:Failed to load|Disk error|Image checksum error).*",
	 "the bootloader could not start"},
	/* GRUB (grub-core/kern/err.c prints "error: MESSAGE."). */
	{"error: (?:file|disk) .*not found\\.?", "GRUB could not load the kernel", TRUE},
	{"error: you need to load the kernel first", "GRUB could not load the kernel", TRUE},
	{"error: .*(?:bad shim signature|invalid signature|verification failed).*",
	 "GRUB refused the kernel (Secure Boot)", TRUE},
	{"grub rescue> ?", "GRUB dropped to its rescue shell"},
};

static void
step_free(SgStep *step)
{
	g_free(step->keys);
	g_free(step->readable);
	g_free(step);
}

static void
add_step(SgBootDriver *driver, SgStepKind kind, const gchar *keys, const gchar *readable,
	 gint64 wait_us)
{
	SgStep *step = g_new0(SgStep, 1);

	step->kind = kind;
	step->keys = g_strdup(keys);
	step->readable = g_strdup(readable);
	step->wait_us = wait_us;
	g_queue_push_tail(&driver->steps, step);
}

/* A key, or text typed as it is, shown in the evidence. */
static void
add_keys(SgBootDriver *driver, const gchar *keys, const gchar *readable)
{
	add_step(driver, STEP_KEYS, keys, readable, 0);
}

/* Waits until the screen shows @text, at most @limit_us (0: ECHO_LIMIT_US);
 * blind, a while, when the menu is only on the screen. */
static void
add_expect(SgBootDriver *driver, const gchar *text, const gchar *what, gint64 limit_us)
{
	if (driver->graphical)
		add_step(driver, STEP_WAIT, NULL, NULL, BLIND_GAP_US);
	else
		add_step(driver, STEP_EXPECT, text, what, limit_us);
}

static gchar *
quoted(const gchar *text)
{
	return g_strdup_printf("'%s'", text);
}

/* The end of @args as the screen will show it once typed. */
static gchar *
echo_tail(const gchar *args)
{
	gsize len = strlen(args);
	return g_strdup(args + (len > ECHO_TAIL ? len - ECHO_TAIL : 0));
}

/* Types @text a chunk at a time, each after the screen showed the last. */
static void
add_typed(SgBootDriver *driver, const gchar *text)
{
	gsize len = strlen(text);
	gsize size = sg_firmware_is_uefi(driver->firmware) ? TYPE_CHUNK_UEFI : TYPE_CHUNK_BIOS;
	g_autofree gchar *whole = quoted(text);

	for (gsize at = 0; at < len; at += size) {
		g_autofree gchar *chunk = g_strndup(text + at, size);
		g_autofree gchar *so_far = g_strndup(text, MIN(at + size, len));
		g_autofree gchar *tail = NULL;

		/* The evidence quotes the text once, at its first chunk. */
		add_step(driver, STEP_KEYS, chunk, at == 0 ? whole : "", 0);
		if (driver->graphical || at + size >= len)
			continue; /* blind: the key gap paces it; the last: the caller's */
		tail = echo_tail(g_strchomp(so_far));
		if (tail[0] != '\0')
			add_step(driver, STEP_EXPECT, tail, "the typed text so far",
				 TYPED_ECHO_LIMIT_US);
	}
}

/* gfxterm draws on the screen only: GRUB's command line switches its
 * output to the console, and Esc redraws the menu there. Keys sent before
 * GRUB's menu reads them are lost (OVMF queues none): a retry first leaves
 * whatever they opened (the editor, the command line) with Esc. */
static void
add_console_switch(SgBootDriver *driver, gboolean retry)
{
	if (retry) {
		add_keys(driver, KEY_ESC, "<Esc>");
		add_step(driver, STEP_WAIT, NULL, NULL, BLIND_GAP_US);
		add_keys(driver, KEY_ESC, "<Esc>");
		add_step(driver, STEP_WAIT, NULL, NULL, BLIND_GAP_US);
	}
	add_keys(driver, "c", "c");
	add_step(driver, STEP_WAIT, NULL, NULL, BLIND_GAP_US);
	add_keys(driver, "terminal_output console\r", "'terminal_output console' <Enter>");
	add_step(driver, STEP_WAIT, NULL, NULL, BLIND_GAP_US);
	add_keys(driver, KEY_ESC, "<Esc>");
	add_step(driver, STEP_EXPECT, driver->entry_title, "GRUB's menu on the console", 0);
	((SgStep *)g_queue_peek_tail(&driver->steps))->retry_switch = TRUE;
}

/* GRUB: `e` opens the default entry's commands, Down to the linux line,
 * Ctrl-E to its end, type, Ctrl-X boots. */
static void
plan_grub(SgBootDriver *driver)
{
	g_autofree gchar *typed = g_strdup_printf(" %s", driver->args);
	g_autofree gchar *tail = echo_tail(driver->args);

	if (driver->graphical) {
		add_console_switch(driver, FALSE);
		driver->graphical = FALSE;
	}
	add_keys(driver, "e", "e");
	add_expect(driver, "setparams", "GRUB's entry editor", 0);
	for (gint i = 0; i < driver->editor_linux_line; i++)
		add_keys(driver, KEY_DOWN, "<Down>");
	add_keys(driver, KEY_CTRL_E, "<Ctrl-E>");
	add_typed(driver, typed);
	add_expect(driver, tail, "the typed arguments in GRUB's editor", TYPED_ECHO_LIMIT_US);
	add_keys(driver, KEY_CTRL_X, "<Ctrl-X>");
}

/* isolinux: Tab opens the menu entry's command line (menu.c32,
 * vesamenu.c32); at a boot: prompt the entry is typed by its label.
 * What is typed goes after the entry's APPEND either way. */
static void
plan_isolinux(SgBootDriver *driver, gboolean prompt)
{
	g_autofree gchar *typed = NULL;
	g_autofree gchar *tail = echo_tail(driver->args);

	if (prompt) {
		typed = g_strdup_printf("%s %s", driver->entry_label, driver->args);
	} else {
		/* The start of the entry's own arguments: the whole would be
		 * spaced as the config has them, not as read. */
		g_autofree gchar *own =
			g_strstrip(g_strdup(driver->entry_args != NULL ? driver->entry_args : ""));
		g_autofree gchar *head = g_strndup(own, MIN(strcspn(own, " "), ECHO_TAIL));

		add_keys(driver, "\t", "<Tab>");
		add_expect(driver, head[0] != '\0' ? head : ">", "isolinux's command line editor",
			   0);
		typed = g_strdup_printf(" %s", driver->args);
	}
	add_typed(driver, typed);
	add_expect(driver, tail, "the typed arguments on isolinux's command line",
		   TYPED_ECHO_LIMIT_US);
	add_keys(driver, "\r", "<Enter>");
}

static void
plan_keys(SgBootDriver *driver, gboolean prompt)
{
	if (driver->no_keys_read || driver->observe_only) {
		add_step(driver, STEP_BOOTING, NULL, NULL, 0);
		return;
	}
	/* Booted untouched: the default entry, as Enter boots it. */
	if (driver->args == NULL) {
		add_keys(driver, "\r", "<Enter>");
		add_step(driver, STEP_BOOTING, NULL, NULL, 0);
		return;
	}
	if (driver->loader_kind == SG_BOOT_LOADER_GRUB)
		plan_grub(driver);
	else
		plan_isolinux(driver, prompt);
	add_step(driver, STEP_BOOTING, NULL, NULL, 0);
}

/* The words of @args that @own does not have already (the entry's own
 * arguments are not typed again); NULL when none is left. */
static gchar *
words_not_in(const gchar *args, const gchar *own)
{
	g_auto(GStrv) words = g_strsplit_set(args, " \t", -1);
	g_auto(GStrv) owned = g_strsplit_set(own != NULL ? own : "", " \t", -1);
	GString *kept = g_string_new(NULL);

	for (guint i = 0; words[i] != NULL; i++) {
		if (words[i][0] == '\0' || g_strv_contains((const gchar *const *)owned, words[i]))
			continue;
		g_string_append_printf(kept, "%s%s", kept->len > 0 ? " " : "", words[i]);
	}
	if (kept->len == 0) {
		g_string_free(kept, TRUE);
		return NULL;
	}
	return g_string_free(kept, FALSE);
}

SgBootDriver *
sg_boot_driver_new(SgFirmware firmware, const SgBootLoader *loader, const gchar *args,
		   guint limit_seconds, gint64 now_us)
{
	SgBootDriver *driver = g_new0(SgBootDriver, 1);
	const SgBootEntry *entry = loader != NULL ? sg_boot_loader_default(loader) : NULL;

	driver->firmware = firmware;
	driver->loader_kind = loader != NULL ? loader->kind : SG_BOOT_LOADER_UNKNOWN;
	/* A GRUB that may draw its menu on the screen only (a font the config
	 * loads from the image, a test it cannot know here) is typed into as a
	 * graphical one once no menu came on the console: its command line
	 * works on either terminal. */
	driver->graphical =
		loader != NULL &&
		(loader->graphical == SG_BOOT_YES ||
		 (loader->graphical == SG_BOOT_MAYBE && loader->kind == SG_BOOT_LOADER_GRUB));
	driver->no_keys_read = loader != NULL && loader->timeout_ds == 0;
	driver->observe_only = loader == NULL;
	driver->editor_linux_line = entry != NULL ? entry->editor_linux_line : -1;
	if (entry != NULL) {
		driver->entry_title = g_strdup(entry->title);
		driver->entry_label = g_strdup(entry->label);
		driver->entry_args = g_strdup(entry->args);
	}
	/* Without a default entry to edit there is nothing to type into. */
	if (args != NULL && args[0] != '\0' && entry != NULL &&
	    (driver->loader_kind == SG_BOOT_LOADER_ISOLINUX ||
	     (driver->loader_kind == SG_BOOT_LOADER_GRUB && driver->editor_linux_line >= 0)))
		driver->args = words_not_in(args, entry->args);
	driver->started = now_us;
	driver->limit_us = (gint64)limit_seconds * G_USEC_PER_SEC;
	driver->screen = sg_screen_new();
	driver->lines = g_string_new(NULL);
	driver->pending = g_string_new(NULL);
	driver->echo = g_string_new(NULL);
	driver->rules = g_ptr_array_new_with_free_func((GDestroyNotify)g_regex_unref);
	/* The lines as printed are bytes, not always UTF-8 (OVMF and shim draw
	 * boxes in CP437): matched as bytes, or one such byte would keep every
	 * rule from matching at all. */
	for (guint i = 0; i < G_N_ELEMENTS(failure_rules); i++)
		g_ptr_array_add(driver->rules,
				g_regex_new(failure_rules[i].pattern, G_REGEX_RAW, 0, NULL));
	/* The kernel's own first line (printk's banner), or the EFI stub's. */
	driver->kernel_line = g_regex_new("Linux version [0-9]|EFI stub: (?:Booting|Loaded)",
					  G_REGEX_RAW, 0, NULL);
	/* Everything the firmware and the bootloaders print on their own. */
	driver->loader_line = g_regex_new(
		"^(?:SeaBIOS|Machine UUID|iPXE|Press Ctrl-B|Booting |Boot failed|No bootable|"
		"ISOLINUX|SYSLINUX|Loading |Welcome to GRUB|GNU GRUB|BdsDxe:|error:|Press |"
		"boot:|Could not|UEFI Interactive Shell|Mapping table|Shell>|Use the |"
		"Minimum Emacs|TAB lists|Ctrl-|> |setparams)",
		G_REGEX_RAW, 0, NULL);
	driver->loader_start =
		g_regex_new("BdsDxe: starting Boot[0-9A-F]+ \".*DVD-ROM|ISOLINUX [0-9]|"
			    "Booting from DVD/CD|GNU GRUB|Welcome to GRUB",
			    G_REGEX_RAW, 0, NULL);
	driver->menu_marks = g_regex_new("GNU GRUB +version|Use the .* keys to select which "
					 "entry|^boot: ?$|automatically in",
					 G_REGEX_MULTILINE, 0, NULL);
	driver->outbox = g_string_new(NULL);
	driver->keys_readable = g_string_new(NULL);
	driver->seconds_to_kernel = -1;
	g_queue_init(&driver->steps);
	return driver;
}

void
sg_boot_driver_set_kernel_console(SgBootDriver *driver, const gchar *console)
{
	g_free(driver->kernel_console);
	driver->kernel_console = g_strdup(console);
}

void
sg_boot_driver_free(SgBootDriver *driver)
{
	if (driver == NULL)
		return;
	g_free(driver->kernel_console);
	g_free(driver->entry_title);
	g_free(driver->entry_label);
	g_free(driver->entry_args);
	g_free(driver->args);
	sg_screen_free(driver->screen);
	g_string_free(driver->lines, TRUE);
	g_string_free(driver->pending, TRUE);
	g_string_free(driver->echo, TRUE);
	g_ptr_array_unref(driver->rules);
	g_regex_unref(driver->kernel_line);
	g_regex_unref(driver->loader_line);
	g_regex_unref(driver->loader_start);
	g_regex_unref(driver->menu_marks);
	g_queue_clear_full(&driver->steps, (GDestroyNotify)step_free);
	g_string_free(driver->outbox, TRUE);
	g_string_free(driver->keys_readable, TRUE);
	g_free(driver->menu_screen);
	g_free(driver->cmdline);
	g_free(driver->reason);
	g_free(driver);
}

static void decide(SgBootDriver *driver, SgBootDriverState state, gint64 now_us,
		   const gchar *format, ...) G_GNUC_PRINTF(4, 5);

static void
decide(SgBootDriver *driver, SgBootDriverState state, gint64 now_us, const gchar *format, ...)
{
	va_list args;

	if (driver->phase == PHASE_DONE)
		return;
	driver->phase = PHASE_DONE;
	driver->state = state;
	driver->decided_time = now_us;
	if (format != NULL) {
		va_start(args, format);
		driver->reason = g_strdup_vprintf(format, args);
		va_end(args);
	}
	g_queue_clear_full(&driver->steps, (GDestroyNotify)step_free);
	g_queue_init(&driver->steps);
}

/* The screen joined into one text, long lines run on: a row a loader
 * wrapped with a '\\' at its end (GRUB's editor), or one filled to the
 * last column (isolinux's command line wraps there), goes on in the next. */
static gchar *
screen_joined(SgBootDriver *driver)
{
	GString *text = g_string_new(NULL);

	for (guint row = 0; row < SG_SCREEN_ROWS; row++) {
		g_autofree gchar *line = sg_screen_get_row_text(driver->screen, row);
		gsize len = strlen(line);
		if (len > 0 && line[len - 1] == '\\') {
			line[len - 1] = '\0';
			g_string_append(text, line);
		} else if (g_utf8_strlen(line, -1) >= SG_SCREEN_COLS) {
			g_string_append(text, line);
		} else {
			g_string_append_printf(text, "%s\n", line);
		}
	}
	return g_string_free(text, FALSE);
}

static gboolean
screen_shows(SgBootDriver *driver, const gchar *text)
{
	g_autofree gchar *joined = screen_joined(driver);
	return strstr(joined, text) != NULL || strstr(driver->echo->str, text) != NULL;
}

static gchar *
cut_quote(const gchar *line)
{
	/* A reason is UTF-8 (result.json); a box's CP437 bytes are not. */
	g_autofree gchar *stripped = g_strstrip(g_utf8_make_valid(line, -1));
	if (strlen(stripped) <= MAX_QUOTE)
		return g_steal_pointer(&stripped);
	return g_strdup_printf("%.*s...", MAX_QUOTE, stripped);
}

/* The last line printed, for reasons: where the boot stopped. */
static gchar *
last_line(SgBootDriver *driver)
{
	g_autofree gchar *screen = sg_screen_get_text(driver->screen);
	g_auto(GStrv) rows = g_strsplit(screen, "\n", -1);

	for (gint i = (gint)g_strv_length(rows) - 1; i >= 0; i--)
		if (g_strstrip(rows[i])[0] != '\0')
			return cut_quote(rows[i]);
	return NULL;
}

/* The first failure line in @text from @from on (the one printed first,
 * which the others follow from): decided, TRUE. The rules that hold only
 * once the entry boots look from @booting_from on (G_MAXSIZE: not yet). */
static gboolean
check_failures(SgBootDriver *driver, const gchar *text, gsize len, gsize from, gsize booting_from,
	       gint64 now_us)
{
	gint first_rule = -1;
	gint first_at = -1;
	const gchar *line_start;
	const gchar *line_end;
	g_autofree gchar *line = NULL;
	g_autofree gchar *quote = NULL;

	for (guint i = 0; i < driver->rules->len; i++) {
		g_autoptr(GMatchInfo) match = NULL;
		gint at;

		gsize start = failure_rules[i].once_booting ? MAX(from, booting_from) : from;

		if (start >= len || !g_regex_match_full(g_ptr_array_index(driver->rules, i), text,
							(gssize)len, (gint)start, 0, &match, NULL))
			continue;
		g_match_info_fetch_pos(match, 0, &at, NULL);
		if (first_at < 0 || at < first_at) {
			first_at = at;
			first_rule = i;
		}
	}
	if (first_rule < 0)
		return FALSE;
	/* Quote the whole line the match is on; of a drawn box (bytes of
	 * CP437's box characters, no line ends) only the words from the match
	 * to the box's edge. */
	line_start = text + first_at;
	while (line_start > text && line_start[-1] != '\n' && (guchar)line_start[-1] < 0x80)
		line_start--;
	if (line_start > text && line_start[-1] != '\n')
		line_start = text + first_at;
	line_end = text + first_at;
	while (*line_end != '\0' && *line_end != '\n' && (guchar)*line_end < 0x80)
		line_end++;
	line = g_strndup(line_start, line_end - line_start);
	quote = cut_quote(line);
	decide(driver, SG_BOOT_DRIVER_FAILED, now_us, "%s: %s", failure_rules[first_rule].words,
	       quote);
	return TRUE;
}

static void
note_keys(SgBootDriver *driver, const SgStep *step)
{
	g_autofree gchar *readable =
		step->readable != NULL ? g_strdup(step->readable) : quoted(step->keys);

	if (readable[0] == '\0')
		return;

	g_string_append_printf(driver->keys_readable, "%s%s",
			       driver->keys_readable->len > 0 ? " " : "", readable);
}

/* An expect's own limit (its wait_us), else ECHO_LIMIT_US. */
static gint64
expect_limit(const SgStep *step)
{
	return step->wait_us > 0 ? step->wait_us : ECHO_LIMIT_US;
}

/* The expect at the head failed: the switch again, in its place. */
static void
retry_console_switch(SgBootDriver *driver)
{
	GQueue rest = G_QUEUE_INIT;

	driver->switch_retries++;
	step_free(g_queue_pop_head(&driver->steps));
	rest = driver->steps;
	g_queue_init(&driver->steps);
	add_console_switch(driver, TRUE);
	while (!g_queue_is_empty(&rest))
		g_queue_push_tail(&driver->steps, g_queue_pop_head(&rest));
	driver->step_since = 0;
}

/* Runs the steps that can run now. */
static void
advance(SgBootDriver *driver, gint64 now_us)
{
	while (driver->phase == PHASE_TYPING && !g_queue_is_empty(&driver->steps)) {
		SgStep *step = g_queue_peek_head(&driver->steps);

		if (driver->step_since == 0)
			driver->step_since = now_us;
		switch (step->kind) {
		case STEP_KEYS:
			if (now_us < driver->next_key_at)
				return;
			g_string_append(driver->outbox, step->keys);
			note_keys(driver, step);
			driver->next_key_at = now_us + KEY_GAP_US;
			break;
		case STEP_EXPECT:
			if (!screen_shows(driver, step->keys)) {
				if (now_us - driver->step_since < expect_limit(step))
					return;
				if (step->retry_switch && driver->switch_retries < SWITCH_RETRIES) {
					retry_console_switch(driver);
					continue;
				}
				decide(driver, SG_BOOT_DRIVER_NOT_JUDGED, now_us,
				       "the bootloader did not show %s within %u s of the keys "
				       "(%s)",
				       step->readable, (guint)(expect_limit(step) / G_USEC_PER_SEC),
				       driver->keys_readable->str);
				return;
			}
			break;
		case STEP_WAIT:
			if (now_us - driver->step_since < step->wait_us)
				return;
			break;
		case STEP_BOOTING:
			driver->phase = PHASE_BOOTING;
			driver->booting_from = driver->lines->len + driver->pending->len;
			break;
		}
		step_free(g_queue_pop_head(&driver->steps));
		driver->step_since = 0;
	}
}

/* The menu is on the screen and settled: read it, then type. */
static void
start_typing(SgBootDriver *driver, gint64 now_us)
{
	gboolean prompt = FALSE;

	driver->menu_screen = sg_screen_get_text(driver->screen);
	if (driver->loader_kind == SG_BOOT_LOADER_ISOLINUX) {
		g_autoptr(GRegex) boot_prompt =
			g_regex_new("^boot: ?$", G_REGEX_MULTILINE, 0, NULL);
		prompt = g_regex_match(boot_prompt, driver->menu_screen, 0, NULL) &&
			 driver->entry_label != NULL;
	}
	if (driver->args != NULL && !driver->no_keys_read) {
		g_autofree gchar *own =
			g_strstrip(g_strdup(driver->entry_args != NULL ? driver->entry_args : ""));
		driver->cmdline =
			g_strdup_printf("%s%s%s", own, own[0] != '\0' ? " " : "", driver->args);
	}
	plan_keys(driver, prompt);
	driver->phase = PHASE_TYPING;
	advance(driver, now_us);
}

/* Whether a line printed after the last key is the booted system's own:
 * Debian's and Ubuntu's menus say `quiet`, so the kernel's banner does not
 * reach the serial console, and the first line is the initramfs's, the
 * installer's or systemd's. Not a line of the firmware or the bootloader,
 * not what was typed (the command line's echo ends after the last key), not
 * a menu's drawing (box characters). */
static gboolean
system_line_printed(SgBootDriver *driver, gsize from)
{
	g_auto(GStrv) lines = NULL;

	from = MAX(from, driver->booting_from);
	if (driver->phase != PHASE_BOOTING || from >= driver->lines->len)
		return FALSE;
	lines = g_strsplit(driver->lines->str + from, "\n", -1);
	for (gint i = 0; lines[i] != NULL; i++) {
		gchar *line = g_strstrip(lines[i]);
		gboolean ascii = TRUE;

		for (const gchar *c = line; *c != '\0' && ascii; c++)
			ascii = (guchar)*c < 0x80;
		if (line[0] == '\0' || !ascii || g_regex_match(driver->loader_line, line, 0, NULL))
			continue;
		if ((driver->args != NULL && strstr(driver->args, line) != NULL) ||
		    (driver->entry_args != NULL && strstr(driver->entry_args, line) != NULL) ||
		    (driver->cmdline != NULL && strstr(driver->cmdline, line) != NULL))
			continue;
		return TRUE;
	}
	return FALSE;
}

/* Whether the loader's menu (or prompt) shows. */
static gboolean
menu_shows(SgBootDriver *driver, const gchar *screen)
{
	if (g_regex_match(driver->menu_marks, screen, 0, NULL))
		return TRUE;
	return driver->entry_title != NULL && driver->loader_kind == SG_BOOT_LOADER_ISOLINUX &&
	       strstr(screen, driver->entry_title) != NULL;
}

/* Adds @data to the lines as printed: text and line ends, no escapes. */
static void
read_lines(SgBootDriver *driver, const gchar *data, gsize len)
{
	for (gsize i = 0; i < len; i++) {
		guchar c = data[i];

		if (c == 0x1b && driver->escape == ESCAPE_NONE && driver->echo->len > 0 &&
		    driver->echo->str[driver->echo->len - 1] == '\\')
			g_string_truncate(driver->echo, driver->echo->len - 1);
		switch (driver->escape) {
		case ESCAPE_START:
			driver->escape = c == '['		  ? ESCAPE_CSI
					 : (c == '(' || c == ')') ? ESCAPE_CHARSET
								  : ESCAPE_NONE;
			continue;
		case ESCAPE_CSI:
			if (c >= 0x40 && c <= 0x7e)
				driver->escape = ESCAPE_NONE;
			continue;
		case ESCAPE_CHARSET:
			driver->escape = ESCAPE_NONE;
			continue;
		default:
			break;
		}
		if (c == 0x1b) {
			driver->escape = ESCAPE_START;
		} else if (c == '\n') {
			g_string_append_len(driver->lines, driver->pending->str,
					    driver->pending->len);
			g_string_append_c(driver->lines, '\n');
			g_string_truncate(driver->pending, 0);
		} else if (c == '\t') {
			g_string_append_c(driver->pending, ' ');
		} else if (c >= 0x20 && c != 0x7f) {
			g_string_append_c(driver->pending, c);
			if (driver->phase == PHASE_TYPING && driver->echo->len < ECHO_MAX)
				g_string_append_c(driver->echo, c);
		}
	}
}

/* Whether @regex matches a line ended since @from or the one not ended. */
static gboolean
new_text_matches(SgBootDriver *driver, GRegex *regex, gsize from)
{
	return g_regex_match_full(regex, driver->lines->str, (gssize)driver->lines->len, (gint)from,
				  0, NULL, NULL) ||
	       g_regex_match(regex, driver->pending->str, 0, NULL);
}

/* Where the rules that hold once booting begin in the line not ended. */
static gsize
booting_from_in_pending(SgBootDriver *driver)
{
	if (driver->phase != PHASE_BOOTING)
		return G_MAXSIZE;
	return driver->booting_from > driver->lines->len ? driver->booting_from - driver->lines->len
							 : 0;
}

/* Each printed line is judged once: the lines ended since the last feed,
 * not all of them again (a boot prints thousands). */
void
sg_boot_driver_feed(SgBootDriver *driver, const gchar *data, gsize len, gint64 now_us)
{
	g_autofree gchar *screen = NULL;
	gsize lines_len;
	gsize pending_len;
	gsize from;

	if (driver->phase == PHASE_DONE)
		return;
	if (sg_screen_feed(driver->screen, data, len))
		driver->last_change = now_us;
	lines_len = driver->lines->len;
	pending_len = driver->pending->len;
	read_lines(driver, data, len);
	if (driver->lines->len != lines_len || driver->pending->len != pending_len) {
		driver->pending_changed = now_us;
		driver->pending_judged = FALSE;
	}
	from = driver->judged_to;
	driver->judged_to = driver->lines->len;
	screen = sg_screen_get_text(driver->screen);
	if (new_text_matches(driver, driver->kernel_line, from)) {
		driver->seconds_to_kernel = (now_us - driver->started) / 1e6;
		decide(driver, SG_BOOT_DRIVER_KERNEL_STARTED, now_us, NULL);
		return;
	}
	if (check_failures(driver, driver->lines->str, driver->lines->len, from,
			   driver->phase == PHASE_BOOTING ? driver->booting_from : G_MAXSIZE,
			   now_us))
		return;
	if (system_line_printed(driver, from)) {
		driver->seconds_to_kernel = (now_us - driver->started) / 1e6;
		decide(driver, SG_BOOT_DRIVER_KERNEL_STARTED, now_us, NULL);
		return;
	}
	if (driver->loader_started == 0 && new_text_matches(driver, driver->loader_start, from))
		driver->loader_started = now_us;
	if (driver->phase == PHASE_FIRMWARE && menu_shows(driver, screen)) {
		driver->phase = PHASE_SETTLING;
		driver->settle_since = now_us;
	}
	sg_boot_driver_tick(driver, now_us);
}

/* The line not ended yet, once it is quiet: judged as it stands. */
static gboolean
check_partial_line(SgBootDriver *driver, gint64 now_us)
{
	if (driver->pending->len == 0 || driver->pending_judged ||
	    now_us - driver->pending_changed < PARTIAL_LINE_QUIET_US)
		return FALSE;
	driver->pending_judged = TRUE;
	return check_failures(driver, driver->pending->str, driver->pending->len, 0,
			      booting_from_in_pending(driver), now_us);
}

void
sg_boot_driver_tick(SgBootDriver *driver, gint64 now_us)
{
	if (driver->phase == PHASE_DONE)
		return;
	if (check_partial_line(driver, now_us))
		return;
	if (now_us - driver->started >= driver->limit_us) {
		g_autofree gchar *last = last_line(driver);

		driver->timed_out = TRUE;
		if (driver->kernel_console != NULL)
			decide(driver, SG_BOOT_DRIVER_FAILED, now_us,
			       "the kernel did not start: no line of it on its console (%s) "
			       "within %u s of power-on; last console line: %s",
			       driver->kernel_console, (guint)(driver->limit_us / G_USEC_PER_SEC),
			       last != NULL ? last : "(none)");
		else if (driver->phase == PHASE_FIRMWARE)
			decide(driver, SG_BOOT_DRIVER_FAILED, now_us,
			       "no bootloader menu and no kernel within %u s of power-on; last "
			       "console line: %s",
			       (guint)(driver->limit_us / G_USEC_PER_SEC),
			       last != NULL ? last : "(none)");
		else
			decide(driver, SG_BOOT_DRIVER_FAILED, now_us,
			       "the bootloader did not start a kernel within %u s of power-on "
			       "(keys: %s); last console line: %s",
			       (guint)(driver->limit_us / G_USEC_PER_SEC),
			       driver->keys_readable->len > 0 ? driver->keys_readable->str : "none",
			       last != NULL ? last : "(none)");
		return;
	}
	/* A graphical menu never shows here: its loader's start is the sign. */
	if (driver->phase == PHASE_FIRMWARE && driver->graphical && driver->loader_started != 0 &&
	    now_us - driver->loader_started >= GRAPHICAL_WAIT_US) {
		driver->phase = PHASE_SETTLING;
		driver->settle_since = now_us - MENU_SETTLE_MAX_US;
	}
	if (driver->phase == PHASE_SETTLING &&
	    (now_us - driver->last_change >= MENU_SETTLE_US ||
	     now_us - driver->settle_since >= MENU_SETTLE_MAX_US))
		start_typing(driver, now_us);
	else if (driver->phase == PHASE_TYPING)
		advance(driver, now_us);
}

void
sg_boot_driver_machine_stopped(SgBootDriver *driver, gint64 now_us)
{
	g_autofree gchar *last = NULL;

	if (driver->phase == PHASE_DONE)
		return;
	last = last_line(driver);
	if (driver->kernel_console != NULL)
		decide(driver, SG_BOOT_DRIVER_FAILED, now_us,
		       "the machine reset before the kernel started (no line of it on its "
		       "console, %s); last console line: %s",
		       driver->kernel_console, last != NULL ? last : "(none)");
	else
		decide(driver, SG_BOOT_DRIVER_FAILED, now_us,
		       "the machine reset before a kernel started; last console line: %s",
		       last != NULL ? last : "(none)");
}

/* The next moment the phase itself has something to do. */
static gint64
phase_deadline(SgBootDriver *driver)
{
	gint64 deadline = driver->started + driver->limit_us;
	SgStep *step;

	switch (driver->phase) {
	case PHASE_DONE:
		return 0;
	case PHASE_FIRMWARE:
		if (driver->graphical && driver->loader_started != 0)
			deadline = MIN(deadline, driver->loader_started + GRAPHICAL_WAIT_US);
		return deadline;
	case PHASE_SETTLING:
		return MIN(deadline, MIN(driver->last_change + MENU_SETTLE_US,
					 driver->settle_since + MENU_SETTLE_MAX_US));
	case PHASE_TYPING:
		step = g_queue_peek_head(&driver->steps);
		if (step == NULL)
			return deadline;
		if (step->kind == STEP_KEYS)
			return MIN(deadline, driver->next_key_at);
		if (step->kind == STEP_EXPECT)
			return MIN(deadline, driver->step_since + expect_limit(step));
		if (step->kind == STEP_WAIT)
			return MIN(deadline, driver->step_since + step->wait_us);
		return deadline;
	default:
		return deadline;
	}
}

gint64
sg_boot_driver_get_next_deadline(SgBootDriver *driver)
{
	gint64 deadline = phase_deadline(driver);

	if (deadline != 0 && driver->pending->len > 0 && !driver->pending_judged)
		deadline = MIN(deadline, driver->pending_changed + PARTIAL_LINE_QUIET_US);
	return deadline;
}

gchar *
sg_boot_driver_take_keys(SgBootDriver *driver)
{
	gchar *keys;

	if (driver->outbox->len == 0)
		return NULL;
	keys = g_strndup(driver->outbox->str, driver->outbox->len);
	g_string_truncate(driver->outbox, 0);
	return keys;
}

SgBootDriverState
sg_boot_driver_get_state(SgBootDriver *driver)
{
	return driver->state;
}

const gchar *
sg_boot_driver_get_reason(SgBootDriver *driver)
{
	return driver->reason;
}

gboolean
sg_boot_driver_timed_out(SgBootDriver *driver)
{
	return driver->timed_out;
}

gint64
sg_boot_driver_get_decided_time(SgBootDriver *driver)
{
	return driver->decided_time;
}

gdouble
sg_boot_driver_get_seconds_to_kernel(SgBootDriver *driver)
{
	return driver->seconds_to_kernel;
}

const gchar *
sg_boot_driver_get_keys(SgBootDriver *driver)
{
	return driver->keys_readable->len > 0 ? driver->keys_readable->str : NULL;
}

const gchar *
sg_boot_driver_get_menu_screen(SgBootDriver *driver)
{
	return driver->menu_screen;
}

const gchar *
sg_boot_driver_get_cmdline(SgBootDriver *driver)
{
	return driver->cmdline;
}

const gchar *
sg_boot_driver_get_entry(SgBootDriver *driver)
{
	return driver->entry_title;
}

gchar *
sg_boot_driver_get_screen_text(SgBootDriver *driver)
{
	return sg_screen_get_text(driver->screen);
}
