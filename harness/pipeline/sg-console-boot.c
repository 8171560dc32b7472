/* The boot judge, shared by every family in every phase: the kernel, the
 * initramfs and systemd giving up before anything of the image's own runs.
 * Each shows it in words of its own, quoted here from their sources
 * (Debian 12's packages unless said otherwise); the quote joins the line
 * that says why, where one came before, to the shell's own: "WHY ... SHELL". */

#include "sg-console-judge.h"

/* How long the words of a shell's reason may follow its prompt. casper
 * writes its log, panic()'s message included, to the console through
 * `tail -f casper.log` (lp:casper, scripts/casper, mountroot(): "exec >
 * casper.log" then "tail -f casper.log >&7 &", in 1.287 and 1.394 alike),
 * which busybox's tail polls once a second: the message comes after the
 * "(initramfs)" prompt, on its line ("(initramfs) Unable to find a medium
 * containing a live file system", as users' reports of casper show it). */
#define SHELL_WORDS_US (3 * G_USEC_PER_SEC)

typedef struct {
	GRegex *busybox_banner;
	GRegex *initramfs_prompt;
	GRegex *kernel_message;
	GRegex *live_boot_failed;
	GRegex *live_boot_message;
	GRegex *dracut_warning;
	GRegex *dracut_shell;
	GRegex *systemd_failure;
	GRegex *emergency_mode;
	gchar *panic_message; /* the line before BusyBox's banner, and when it greeted */
	gint64 panic_since;
	gint64 prompt_since;	  /* initramfs-tools' prompt first showed */
	gint64 boot_failed_since; /* live-boot's BOOT FAILED! */
	gboolean message_next;	  /* live-boot's "The error message was:" came */
	gchar *dracut_cause;
	gchar *systemd_cause;
} SgBootJudge;

static const SgConsoleLineRule kernel_rules[] = {
	/* An emulated guest starved of CPU by a busy host can miss its timer
	 * check and panic this way before the image has run a line of its own:
	 * the lab's trouble, not the image's (rules before it win). */
	{"Kernel panic - not syncing: IO-APIC \\+ timer doesn't work",
	 SG_CONSOLE_PROBLEM_HOST_STARVED},
	/* The kernel found no root to mount (no initramfs, or one that left
	 * it to the kernel): Linux's init/do_mounts.c, mount_block_root(),
	 * panic("VFS: Unable to mount root fs on %s"), after "VFS: Cannot
	 * open root device ..." and the partitions it knows. A panic too, so
	 * before the panic rule. */
	{"VFS: Unable to mount root fs", SG_CONSOLE_PROBLEM_NO_ROOT_FS},
	{"Kernel panic - not syncing", SG_CONSOLE_PROBLEM_KERNEL_PANIC},
	{"\\bOops: |BUG: unable to handle|general protection fault:",
	 SG_CONSOLE_PROBLEM_KERNEL_OOPS},
	/* initramfs-tools' scripts/local, local_device_setup(): after "Gave
	 * up waiting for root file system device.  Common problems:" and its
	 * hints, panic "ALERT!  ${dev_id} does not exist.  Dropping to a
	 * shell!" Said at once, naming the device. */
	{"ALERT!  .* does not exist\\.  Dropping to a shell!", SG_CONSOLE_PROBLEM_EMERGENCY_SHELL},
	{NULL},
};

static void
boot_init(SgConsole *console, gpointer state)
{
	SgBootJudge *judge = state;

	sg_console_add_rules(console, kernel_rules);
	/* initramfs-tools' panic() (scripts/functions) prints its message and
	 * starts busybox's shell with PS1='(initramfs) '; the shell greets
	 * with "BusyBox v1.35.0 (Debian 1:1.35.0-4+b3) built-in shell (ash)"
	 * and "Enter 'help' for a list of built-in commands.". The prompt
	 * waits without a newline. */
	judge->busybox_banner =
		sg_console_regex_new("^BusyBox v\\S+ .*built-in shell \\(ash\\)", 0);
	judge->initramfs_prompt = sg_console_regex_new("^\\(initramfs\\) ?(.*)$", 0);
	/* What the kernel prints on the console meanwhile is not the words
	 * that follow a prompt. */
	judge->kernel_message = sg_console_regex_new("^\\[\\s*\\d+\\.\\d+\\]", 0);
	/* live-boot's panic (/lib/live/boot/9990-initramfs-tools.sh): "BOOT
	 * FAILED!", a paragraph, "live-boot will now start a shell. The error
	 * message was:", a blank line, and the message indented (e.g. 9990-
	 * main.sh's "Unable to find a medium containing a live file system"),
	 * then initramfs-tools' panic() and its shell. */
	judge->live_boot_failed = sg_console_regex_new("^\\s*BOOT FAILED!\\s*$", 0);
	judge->live_boot_message = sg_console_regex_new("The error message was:\\s*$", 0);
	/* dracut's warn() (modules.d/99base/dracut-lib.sh): "dracut Warning:
	 * ..." or "Warning: ..." on the console, "dracut-initqueue[N]:
	 * Warning: ..." through the journal: the why of its shell, e.g.
	 * 'Warning: "/dev/disk/by-uuid/..." does not exist'. */
	judge->dracut_warning = sg_console_regex_new("(^|\\bdracut\\S*:? )Warning: ", 0);
	/* dracut's shell: "Entering emergency mode. Exit the shell to
	 * continue." (98dracut-systemd/dracut-emergency.sh), "Dropping to
	 * debug shell." (99base/dracut-lib.sh, _emergency_shell()), its prompt
	 * PS1="dracut:${PWD}# ", or with rd.shell=0 "Boot has failed. To
	 * debug this issue add "rd.shell rd.debug" to the kernel command
	 * line." and a halt (emergency_shell()). */
	judge->dracut_shell = sg_console_regex_new(
		"Entering emergency mode\\. Exit the shell to continue\\.|"
		"Dropping to debug shell\\.|^dracut:/\\S*# |Boot has failed\\. To debug this issue",
		0);
	/* systemd's status lines for what failed ("[FAILED] Failed to mount
	 * /boot.", "[DEPEND] Dependency failed for Local File Systems.",
	 * "[ TIME ] Timed out waiting for device ..."): the why of its
	 * emergency mode. */
	judge->systemd_failure = sg_console_regex_new("^\\[(FAILED|DEPEND| TIME )\\] \\S", 0);
	/* systemd's emergency.service and rescue.service run
	 * systemd-sulogin-shell, which prints "You are in emergency mode.
	 * After logging in, type "journalctl -xb" to view" (src/sulogin-shell/
	 * sulogin-shell.c, print_mode(); "rescue" for rescue.service); older
	 * units echoed "Welcome to emergency mode! After logging in, ...".
	 * Then util-linux's sulogin (login-utils/sulogin.c): "Give root
	 * password for maintenance", "Press Enter for maintenance", or, the
	 * root account locked as on live images, "Cannot open access to
	 * console, the root account is locked.". sysvinit's and upstart's
	 * maintenance shells run the same sulogin. */
	judge->emergency_mode = sg_console_regex_new(
		"You are in (emergency|rescue) mode\\.|Welcome to (emergency|rescue) mode!|"
		"Give root password for maintenance|Press Enter for maintenance|"
		"Cannot open access to console, the root account is locked",
		0);
}

static void
boot_clear(gpointer state)
{
	SgBootJudge *judge = state;

	g_clear_pointer(&judge->busybox_banner, g_regex_unref);
	g_clear_pointer(&judge->initramfs_prompt, g_regex_unref);
	g_clear_pointer(&judge->kernel_message, g_regex_unref);
	g_clear_pointer(&judge->live_boot_failed, g_regex_unref);
	g_clear_pointer(&judge->live_boot_message, g_regex_unref);
	g_clear_pointer(&judge->dracut_warning, g_regex_unref);
	g_clear_pointer(&judge->dracut_shell, g_regex_unref);
	g_clear_pointer(&judge->systemd_failure, g_regex_unref);
	g_clear_pointer(&judge->emergency_mode, g_regex_unref);
	g_clear_pointer(&judge->panic_message, g_free);
	g_clear_pointer(&judge->dracut_cause, g_free);
	g_clear_pointer(&judge->systemd_cause, g_free);
}

/* "WHY ... SHELL", or the shell's line alone when nothing said why. */
static void
report_shell(SgConsole *console, SgConsoleProblem problem, const gchar *cause, const gchar *line,
	     gint64 since_us)
{
	g_autofree gchar *words = g_strstrip(g_strdup(line));
	g_autofree gchar *quote = cause != NULL ? g_strdup_printf("%s ... %s", cause, words)
						: g_steal_pointer(&words);

	sg_console_report(console, problem, quote, since_us);
}

static void
remember(gchar **cause, const gchar *line)
{
	g_free(*cause);
	*cause = g_strstrip(g_strdup(line));
}

/* initramfs-tools' prompt: its message came before BusyBox's banner, or
 * (casper) comes right after the prompt. */
static void
judge_initramfs_prompt(SgConsole *console, SgBootJudge *judge, const gchar *line, gboolean complete,
		       gint64 now_us)
{
	g_autoptr(GMatchInfo) match = NULL;
	g_autofree gchar *words = NULL;

	if (!g_regex_match(judge->initramfs_prompt, line, 0, &match))
		return;
	if (judge->prompt_since == 0) {
		g_autofree gchar *quote =
			judge->panic_message != NULL
				? g_strdup_printf("%s ... (initramfs)", judge->panic_message)
				: g_strdup("(initramfs)");
		judge->prompt_since = now_us;
		sg_console_report_at(console, SG_CONSOLE_PROBLEM_EMERGENCY_SHELL, quote,
				     judge->panic_message != NULL ? judge->panic_since : now_us,
				     now_us + SHELL_WORDS_US);
	}
	words = g_strstrip(g_match_info_fetch(match, 1));
	if (complete && words[0] != '\0' && !g_regex_match(judge->kernel_message, words, 0, NULL)) {
		sg_console_report(console, SG_CONSOLE_PROBLEM_EMERGENCY_SHELL, line,
				  judge->prompt_since);
		sg_console_withdraw(console, SG_CONSOLE_PROBLEM_EMERGENCY_SHELL);
	}
}

/* live-boot's BOOT FAILED!, then its error message a few lines on. */
static void
judge_live_boot(SgConsole *console, SgBootJudge *judge, const gchar *line, gint64 now_us)
{
	g_autofree gchar *words = g_strstrip(g_strdup(line));

	if (g_regex_match(judge->live_boot_failed, line, 0, NULL)) {
		if (judge->boot_failed_since == 0)
			judge->boot_failed_since = now_us;
		/* In case its message never comes. */
		sg_console_report_at(console, SG_CONSOLE_PROBLEM_EMERGENCY_SHELL, words, now_us,
				     now_us + SHELL_WORDS_US);
		return;
	}
	if (judge->boot_failed_since == 0)
		return;
	if (judge->message_next && words[0] != '\0') {
		g_autofree gchar *quote = g_strdup_printf("BOOT FAILED! ... %s", words);
		sg_console_report(console, SG_CONSOLE_PROBLEM_EMERGENCY_SHELL, quote,
				  judge->boot_failed_since);
		sg_console_withdraw(console, SG_CONSOLE_PROBLEM_EMERGENCY_SHELL);
		judge->message_next = FALSE;
	} else if (g_regex_match(judge->live_boot_message, line, 0, NULL)) {
		judge->message_next = TRUE;
	}
}

static void
boot_line(SgConsole *console, gpointer state, const gchar *line, gboolean complete, gint64 now_us)
{
	SgBootJudge *judge = state;

	judge_initramfs_prompt(console, judge, line, complete, now_us);
	if (g_regex_match(judge->dracut_shell, line, 0, NULL))
		report_shell(console, SG_CONSOLE_PROBLEM_EMERGENCY_SHELL, judge->dracut_cause, line,
			     now_us);
	if (g_regex_match(judge->emergency_mode, line, 0, NULL))
		report_shell(console, SG_CONSOLE_PROBLEM_EMERGENCY_MODE, judge->systemd_cause, line,
			     now_us);
	if (!complete)
		return;
	judge_live_boot(console, judge, line, now_us);
	/* What may say why, should a shell come next. */
	if (g_regex_match(judge->busybox_banner, line, 0, NULL)) {
		g_free(judge->panic_message);
		judge->panic_message = g_strdup(sg_console_get_previous_line(console));
		judge->panic_since = now_us;
	}
	if (g_regex_match(judge->dracut_warning, line, 0, NULL))
		remember(&judge->dracut_cause, line);
	if (g_regex_match(judge->systemd_failure, line, 0, NULL))
		remember(&judge->systemd_cause, line);
}

const SgConsoleJudge sg_console_boot_judge = {
	.name = "boot",
	.size = sizeof(SgBootJudge),
	.init = boot_init,
	.clear = boot_clear,
	.line = boot_line,
};
