#include "sg-guest-phase.h"

#include "sg-arch.h"

#include "sg-error.h"
#include "sg-guest-teardown.h"
#include "sg-watch.h"

struct _SgGuestPhase {
	SgGuestPhaseSpec spec; /* borrowed: the caller keeps it until the phase is freed */
	const SgGuestPhaseKind *kind;
	gchar *name;
	/* Reads the firmware's and the bootloader's words, and types at the
	 * image's menu; NULL for a kernel booted directly. */
	SgBootDriver *boot;
	SgConsole *console;
	SgGuest *guest;
	SgWatch *watch;
	SgDesktopScreenWatch *screen;
	SgGuestPhaseDone done;
	SgGuestPhaseStopped stopped;
	gpointer user_data;
	/* The last picture of the screen taken (a file name in the evidence
	 * folder); whether one is to be taken as the guest goes. */
	gchar *screenshot;
	gboolean want_screenshot;
	/* The desktop's screen as judged, when pictures of it were taken. */
	gboolean screen_judged;
	SgDesktopScreenReport screen_report;
	/* Work on a thread (a screenshot, the teardown) that the phase waits
	 * for before it may be freed. */
	gboolean busy;
};

/* The profile's limit as the plan's guests get it: longer under emulation. */
#define PHASE_LIMIT(phase, offset)                                                                 \
	sg_plan_limit((phase)->spec.plan,                                                          \
		      G_STRUCT_MEMBER(guint, (phase)->spec.plan->flavour, (phase)->kind->offset))

static guint
draw_limit(SgGuestPhase *phase)
{
	return sg_plan_limit(phase->spec.plan, phase->spec.plan->flavour->draw_seconds);
}

static gchar *
evidence_path(SgGuestPhase *phase, const gchar *name)
{
	return sg_plan_evidence_path(phase->spec.plan, name);
}

/* ---- the kinds ----------------------------------------------------------- */

/* The kernel line of a direct boot: the profile's, and the test's. */
static gchar *
direct_cmdline(const SgGuestPhaseSpec *spec, const gchar *own)
{
	return g_strjoin(" ", own, spec->args != NULL ? spec->args : "", NULL);
}

static gboolean
boots_direct(const SgGuestPhaseSpec *spec)
{
	return spec->plan->boot_method == SG_BOOT_METHOD_DIRECT;
}

static void
fill_install(const SgGuestPhaseSpec *spec, SgDomainSpec *domain)
{
	domain->disk = spec->disk;
	domain->cdrom = spec->plan->media.image;
	domain->seed_cdrom = spec->plan->media.cidata;
	domain->mirror = spec->plan->mirror;
	domain->answers = spec->answers;
	if (boots_direct(spec)) {
		domain->kernel = spec->plan->media.kernel;
		domain->initrd = spec->plan->media.initrd;
		domain->cmdline = direct_cmdline(spec, spec->plan->flavour->kernel_args);
	} else {
		domain->boot_cdrom = TRUE;
	}
}

static void
fill_boot(const SgGuestPhaseSpec *spec, SgDomainSpec *domain)
{
	/* no kernel: the disk's own bootloader */
	domain->disk = spec->disk;
	domain->disk_backing = spec->disk_backing;
}

static void
fill_live(const SgGuestPhaseSpec *spec, SgDomainSpec *domain)
{
	domain->cdrom = spec->plan->media.image;
	if (boots_direct(spec)) {
		domain->kernel = spec->plan->media.live_kernel;
		domain->initrd = spec->plan->media.live_initrd;
		domain->cmdline = direct_cmdline(spec, spec->plan->flavour->live_kernel_args);
	} else {
		domain->boot_cdrom = TRUE;
	}
}

/* The image alone, through the firmware, up to its kernel. */
static void
fill_boot_check(const SgGuestPhaseSpec *spec, SgDomainSpec *domain)
{
	domain->cdrom = spec->plan->media.image;
	domain->boot_cdrom = TRUE;
}

static gchar *
install_detail(const SgFlavour *flavour, SgConsole *console, gchar **proved)
{
	return g_strdup(sg_console_get_last_line(console));
}

/* The installed system's proof is the inspection's: here its three lines. */
static gchar *
boot_detail(const SgFlavour *flavour, SgConsole *console, gchar **proved)
{
	return g_strjoinv(" | ", (gchar **)(const gchar *[]){sg_console_get_marker_line(console, 0),
							     sg_console_get_marker_line(console, 1),
							     sg_console_get_marker_line(console, 2),
							     NULL});
}

static gchar *
live_detail(const SgFlavour *flavour, SgConsole *console, gchar **proved)
{
	const gchar *last =
		sg_console_get_marker_line(console, g_strv_length(flavour->console_markers) - 1);

	*proved =
		g_strdup_printf("live session reached the desktop (%s)", last != NULL ? last : "");
	return g_strdup(last);
}

const SgGuestPhaseKind sg_guest_phase_install = {
	.name = "install",
	.console_phase = SG_CONSOLE_PHASE_INSTALL,
	.end = SG_GUEST_PHASE_ENDS_POWER_OFF,
	.timeout_offset = G_STRUCT_OFFSET(SgFlavour, install_seconds),
	.silence_offset = G_STRUCT_OFFSET(SgFlavour, install_silence_seconds),
	.fill = fill_install,
	.pass_detail = install_detail,
};
const SgGuestPhaseKind sg_guest_phase_boot = {
	.name = "boot",
	.console_phase = SG_CONSOLE_PHASE_DESKTOP,
	.end = SG_GUEST_PHASE_ENDS_DESKTOP,
	.timeout_offset = G_STRUCT_OFFSET(SgFlavour, boot_seconds),
	.silence_offset = G_STRUCT_OFFSET(SgFlavour, boot_silence_seconds),
	.fill = fill_boot,
	.system_words = "installed system",
	.boots_disk = TRUE,
	.clean_shutdown = TRUE,
	.pass_detail = boot_detail,
};
static gchar *
boot_check_detail(const SgFlavour *flavour, SgConsole *console, gchar **proved)
{
	return NULL;
}

/* Its limits are the bootloader's (the watch ends at the kernel). */
const SgGuestPhaseKind sg_guest_phase_boot_check = {
	.name = "bootcheck",
	.console_phase = SG_CONSOLE_PHASE_INSTALL,
	.end = SG_GUEST_PHASE_ENDS_KERNEL,
	.timeout_offset = G_STRUCT_OFFSET(SgFlavour, bootloader_seconds),
	.silence_offset = G_STRUCT_OFFSET(SgFlavour, bootloader_seconds),
	.fill = fill_boot_check,
	.pass_detail = boot_check_detail,
};
gboolean
sg_guest_phase_boots_disk(const gchar *name)
{
	return g_strcmp0(name, sg_guest_phase_boot.name) == 0;
}

const SgGuestPhaseKind sg_guest_phase_live = {
	.name = "live",
	.console_phase = SG_CONSOLE_PHASE_DESKTOP,
	.end = SG_GUEST_PHASE_ENDS_DESKTOP,
	.timeout_offset = G_STRUCT_OFFSET(SgFlavour, live_seconds),
	.silence_offset = G_STRUCT_OFFSET(SgFlavour, live_silence_seconds),
	.fill = fill_live,
	.system_words = "live session",
	.pass_detail = live_detail,
};

/* ---- the verdicts -------------------------------------------------------- */

/* "desktop evidence seen: 'A'; never came: 'B', 'C'" so a desktop that did
 * not start says what it got and what it waited for; NULL without markers. */
static gchar *
describe_evidence(SgGuestPhase *phase)
{
	gchar **markers = phase->spec.plan->flavour->console_markers;
	g_autoptr(GString) seen = g_string_new(NULL);
	g_autoptr(GString) missing = g_string_new(NULL);

	if (markers == NULL || markers[0] == NULL)
		return NULL;
	for (guint i = 0; markers[i] != NULL; i++) {
		GString *list =
			sg_console_get_marker_line(phase->console, i) != NULL ? seen : missing;
		g_string_append_printf(list, "%s'%s'", list->len > 0 ? ", " : "", markers[i]);
	}
	return g_strdup_printf("desktop evidence seen: %s; never came: %s",
			       seen->len > 0 ? seen->str : "none",
			       missing->len > 0 ? missing->str : "none");
}

static const gchar *
blank_kind_words(SgScreenKind kind)
{
	switch (kind) {
	case SG_SCREEN_TEXT_MODE:
		return "the display never left the VGA text mode";
	case SG_SCREEN_TEXT_CONSOLE:
		return "only a text console was on it";
	default:
		return "nothing was drawn";
	}
}

/* Hands the outcome over, the guest paused first when it still runs: the
 * verdict need not wait for its end (a destroy takes a second or more on a
 * loaded host), and a guest that stopped running cannot change what it
 * showed. */
static void
report(SgGuestPhase *phase, SgGuestPhaseOutcome *outcome)
{
	if (outcome->verdict != SG_VERDICT_PASS && phase->guest != NULL &&
	    sg_guest_is_running(phase->guest) && virDomainSuspend(phase->guest->domain) < 0) {
		g_autoptr(GError) error = NULL;
		sg_virt_set_error(&error, "cannot pause guest %s", phase->guest->name);
		g_debug("%s", error->message);
	}
	if (outcome->detail == NULL)
		outcome->detail = g_strdup(outcome->reason);
	outcome->boot = phase->boot;
	outcome->screen = phase->screen_judged ? &phase->screen_report : NULL;
	outcome->screenshot = phase->screenshot;
	phase->done(phase, outcome, phase->user_data);
	g_free(outcome->reason);
	g_free(outcome->detail);
	g_free(outcome->proved);
}

static void
report_verdict(SgGuestPhase *phase, SgVerdict verdict, gchar *reason)
{
	SgGuestPhaseOutcome outcome = {.verdict = verdict, .reason = reason};
	report(phase, &outcome);
}

static void
report_passed(SgGuestPhase *phase)
{
	SgGuestPhaseOutcome outcome = {.verdict = SG_VERDICT_PASS};

	outcome.detail = phase->kind->pass_detail(phase->spec.plan->flavour, phase->console,
						  &outcome.proved);
	report(phase, &outcome);
}

/* Turns how a watch ended, other than well (the markers came, the guest
 * stopped), into the phase's verdict. */
static void
judge_watch(SgGuestPhase *phase, SgWatchOutcome outcome)
{
	const gchar *name = phase->name;
	SgConsole *console = phase->console;
	guint silence_seconds = PHASE_LIMIT(phase, silence_offset);
	const gchar *last = sg_console_get_last_line(console);
	g_autofree gchar *evidence =
		phase->kind->end == SG_GUEST_PHASE_ENDS_DESKTOP ? describe_evidence(phase) : NULL;
	g_autofree gchar *last_words =
		g_strdup_printf("%s%slast console line: %s", evidence != NULL ? evidence : "",
				evidence != NULL ? "; " : "", last != NULL ? last : "(none)");
	/* Said wherever time ran out: a limit missed under emulation may be
	 * the emulation's slowness, and whoever reads the reason must know. */
	g_autofree gchar *emulated = sg_plan_emulation_words(phase->spec.plan);
	SgGuestPhaseOutcome verdict = {.verdict = SG_VERDICT_FAIL};

	switch (outcome) {
	case SG_WATCH_PROBLEM:
		verdict.problem_seen_us = sg_console_get_problem_time(console);
		if (sg_console_get_problem(console) == SG_CONSOLE_PROBLEM_HOST_STARVED)
			verdict.verdict = SG_VERDICT_ERROR;
		verdict.reason = g_strdup_printf(
			"%s: %s: %s", name,
			sg_console_problem_to_string(sg_console_get_problem(console)),
			sg_console_get_problem_quote(console));
		break;
	case SG_WATCH_SILENT:
		/* A disk whose boot code is missing or broken hangs in the firmware:
		 * the console never says a word. */
		verdict.reason =
			sg_console_get_bytes(console) == 0
				? g_strdup_printf("%s: %snothing on the console for %u s%s", name,
						  phase->kind->boots_disk
							  ? "the installed disk did not boot: "
							  : "",
						  silence_seconds, emulated)
				: g_strdup_printf("%s: console silent for %u s%s; %s", name,
						  silence_seconds, emulated, last_words);
		break;
	case SG_WATCH_TIMEOUT:
		verdict.reason =
			g_strdup_printf("%s: not done after %u s%s; %s", name,
					PHASE_LIMIT(phase, timeout_offset), emulated, last_words);
		break;
	case SG_WATCH_STARVED:
		verdict.verdict = SG_VERDICT_ERROR;
		verdict.reason = g_strdup_printf(
			"%s: console silent for %u s and more, all of it while the "
			"lab host starved the guest (%s): the silence is not judged; %s",
			name, silence_seconds, sg_watch_get_starved_reason(phase->watch),
			last_words);
		break;
	case SG_WATCH_CANCELLED:
		verdict.verdict = SG_VERDICT_ERROR;
		verdict.reason = g_strdup_printf("%s: interrupted before a verdict", name);
		break;
	case SG_WATCH_BOOT_FAILED:
	case SG_WATCH_BOOT_NOT_JUDGED:
		if (outcome == SG_WATCH_BOOT_NOT_JUDGED)
			verdict.verdict = SG_VERDICT_ERROR;
		verdict.problem_seen_us = sg_boot_driver_get_decided_time(phase->boot);
		verdict.reason = g_strdup_printf(
			"%s: %s%s: %s%s", name,
			phase->kind->boots_disk ? "the installed disk did not boot: " : "",
			sg_firmware_describe(phase->spec.firmware),
			sg_boot_driver_get_reason(phase->boot),
			sg_boot_driver_timed_out(phase->boot) ? emulated : "");
		break;
	case SG_WATCH_CONSOLE_LOST:
		verdict.verdict = SG_VERDICT_ERROR;
		verdict.reason = g_strdup_printf("%s: the guest's console closed while it ran (the "
						 "lab connection broke?); %s",
						 name, last_words);
		break;
	default:
		g_assert_not_reached();
	}
	phase->want_screenshot = TRUE;
	report(phase, &verdict);
}

/* The guest stopped by itself: the installer's end, or a desktop that
 * never came. */
static void
guest_stopped(SgGuestPhase *phase)
{
	g_autofree gchar *evidence = NULL;
	const gchar *last = sg_console_get_last_line(phase->console);

	if (phase->kind->end == SG_GUEST_PHASE_ENDS_POWER_OFF) {
		report_passed(phase);
		return;
	}
	if (phase->kind->boots_disk && sg_console_get_bytes(phase->console) == 0) {
		report_verdict(phase, SG_VERDICT_FAIL,
			       g_strdup("boot: the installed disk did not boot: the guest reset "
					"with nothing on its console"));
		return;
	}
	evidence = describe_evidence(phase);
	report_verdict(phase, SG_VERDICT_FAIL,
		       g_strdup_printf("%s: the %s stopped before its desktop started (%s); "
				       "last console line: %s",
				       phase->name, phase->kind->system_words, evidence,
				       last != NULL ? last : "(none)"));
}

/* ---- the desktop --------------------------------------------------------- */

static void
on_guest_shut_down(gpointer user_data)
{
	report_passed(user_data);
}

/* The desktop is up (and drawn): the installed system shuts down cleanly so
 * its journal reaches the disk; a live session has nothing to keep (it is
 * destroyed when the phase stops). */
static void
leave_desktop(SgGuestPhase *phase)
{
	guint seconds =
		phase->kind->clean_shutdown ? phase->spec.plan->flavour->shutdown_seconds : 0;

	if (seconds == 0) {
		report_passed(phase);
		return;
	}
	sg_guest_shutdown_async(phase->guest, seconds, on_guest_shut_down, phase);
}

static void
on_screen_done(SgDesktopScreenOutcome outcome, const SgDesktopScreenReport *screen,
	       gpointer user_data)
{
	SgGuestPhase *phase = user_data;
	const gchar *name = phase->name;
	g_autofree gchar *emulated = sg_plan_emulation_words(phase->spec.plan);
	SgGuestPhaseOutcome verdict = {.verdict = SG_VERDICT_FAIL};

	if (screen->pictures > 0) {
		phase->screen_judged = TRUE;
		phase->screen_report.kind = screen->kind;
		phase->screen_report.settled = screen->settled;
		phase->screen_report.seconds = screen->seconds;
		phase->screen_report.pictures = screen->pictures;
		phase->screen_report.description = g_strdup(screen->description);
		g_free(phase->screenshot);
		phase->screenshot = g_strdup(phase->spec.screenshot);
	}
	switch (outcome) {
	case SG_DESKTOP_SCREEN_DRAWN:
		leave_desktop(phase);
		return;
	case SG_DESKTOP_SCREEN_NOT_DRAWN:
		verdict.reason = g_strdup_printf(
			"%s: the session opened but the screen stayed blank: %s %u s after the "
			"desktop's console markers%s (%s)",
			name, blank_kind_words(screen->kind), draw_limit(phase), emulated,
			screen->description);
		break;
	case SG_DESKTOP_SCREEN_GUEST_STOPPED:
		verdict.reason =
			g_strdup_printf("%s: the guest stopped before its desktop was drawn", name);
		break;
	case SG_DESKTOP_SCREEN_NO_PICTURE:
		verdict.verdict = SG_VERDICT_ERROR;
		verdict.reason = g_strdup_printf("%s: cannot see the screen: %s", name,
						 screen->error_message);
		verdict.detail =
			g_strdup_printf("cannot see the screen: %s", screen->error_message);
		break;
	default:
		verdict.verdict = SG_VERDICT_ERROR;
		verdict.reason = g_strdup_printf("%s: interrupted before a verdict", name);
		verdict.detail = g_strdup("interrupted before a verdict");
		break;
	}
	report(phase, &verdict);
}

/* The markers came: a desktop that must be drawn is watched on the screen;
 * else its picture is kept as it is, and the guest leaves. */
static void
on_screenshot_before_leaving(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SgGuestPhase *phase = user_data;
	g_autoptr(GError) error = NULL;

	phase->busy = FALSE;
	if (sg_guest_screenshot_finish(result, &error)) {
		g_free(phase->screenshot);
		phase->screenshot = g_strdup(phase->spec.screenshot);
	} else {
		g_debug("no screenshot: %s", error->message);
	}
	leave_desktop(phase);
}

static void
markers_seen(SgGuestPhase *phase)
{
	g_autofree gchar *path = evidence_path(phase, phase->spec.screenshot);

	if (phase->spec.plan->flavour->drawn_desktop) {
		if (phase->spec.progress != NULL)
			sg_progress_update(phase->spec.progress, phase->name, 0,
					   "waiting for the desktop to be drawn");
		phase->screen =
			sg_desktop_screen_watch(phase->guest, path, draw_limit(phase),
						phase->spec.cancellable, on_screen_done, phase);
		return;
	}
	phase->busy = TRUE;
	sg_guest_screenshot_async(phase->guest, path, NULL, on_screenshot_before_leaving, phase);
}

/* The last screen of a phase, as a person would have seen it: full-screen
 * installers draw rather than print, and the raw log is hard to read. */
static void
write_screen(SgGuestPhase *phase)
{
	g_autofree gchar *name = g_strdup_printf("screen-%s.txt", phase->name);
	g_autofree gchar *path = evidence_path(phase, name);
	g_autofree gchar *text = sg_console_get_screen_text(phase->console);
	g_autoptr(GError) error = NULL;

	if (!g_file_set_contents(path, text, -1, &error))
		g_warning("cannot write %s: %s", path, error->message);
}

/* What the firmware and the bootloader showed, for people: the menu as
 * the driver read it, and the boot's screen when it ended there. */
static void
write_boot(SgGuestPhase *phase)
{
	const gchar *menu =
		phase->boot != NULL ? sg_boot_driver_get_menu_screen(phase->boot) : NULL;
	g_autofree gchar *name = g_strdup_printf("boot-menu-%s.txt", phase->name);
	g_autofree gchar *path = evidence_path(phase, name);
	g_autoptr(GError) error = NULL;

	if (menu != NULL && !g_file_set_contents(path, menu, -1, &error))
		g_warning("cannot write %s: %s", path, error->message);
}

static void
on_watch_done(SgWatchOutcome outcome, gpointer user_data)
{
	SgGuestPhase *phase = user_data;

	write_screen(phase);
	write_boot(phase);
	if (outcome == SG_WATCH_KERNEL_STARTED)
		report_passed(phase);
	else if (outcome == SG_WATCH_MARKERS_SEEN)
		markers_seen(phase);
	else if (outcome == SG_WATCH_GUEST_STOPPED)
		guest_stopped(phase);
	else
		judge_watch(phase, outcome);
}

static void
on_first_bytes(gpointer user_data)
{
	SgGuestPhase *phase = user_data;

	phase->spec.first_bytes(phase->user_data);
}

/* A guest booting through its firmware: the image's CD under its own
 * bootloader, typed into; an installed disk under its own, only read. */
static SgBootDriver *
new_boot_driver(SgGuestPhase *phase, const SgDomainSpec *domain)
{
	const SgGuestPhaseSpec *spec = &phase->spec;
	const SgBootLoader *loader =
		domain->boot_cdrom ? sg_plan_loader(spec->plan, spec->firmware) : NULL;

	return sg_boot_driver_new(
		spec->firmware, loader, domain->boot_cdrom ? spec->args : NULL,
		sg_plan_limit(spec->plan, spec->plan->flavour->bootloader_seconds),
		g_get_monotonic_time());
}

SgGuestPhase *
sg_guest_phase_start(const SgGuestPhaseSpec *spec, SgGuestPhaseDone done, gpointer user_data,
		     GError **error)
{
	const SgFlavour *flavour = spec->plan->flavour;
	g_autoptr(SgGuestPhase) phase = g_new0(SgGuestPhase, 1);
	const gchar *phase_name = spec->name != NULL ? spec->name : spec->kind->name;
	g_autofree gchar *name = sg_lab_new_guest_name(spec->plan->lab, phase_name);
	g_autofree gchar *console_name = g_strdup_printf("console-%s.log", phase_name);
	g_autofree gchar *cmdline = NULL;
	g_autofree gchar *console_log = sg_plan_evidence_path(spec->plan, console_name);
	const SgArch *arch = sg_arch_find(spec->plan->arch);
	const gchar *const *markers = spec->kind->console_phase == SG_CONSOLE_PHASE_DESKTOP
					      ? (const gchar *const *)flavour->console_markers
					      : NULL;
	SgDomainSpec domain = {
		.name = name,
		.domain_type = spec->use_kvm ? "kvm" : "qemu",
		.memory_mib = flavour->memory_mib,
		.vcpus = flavour->vcpus,
		.firmware = spec->firmware,
		.nvram = spec->nvram,
		.arch = spec->plan->arch,
	};

	phase->spec = *spec;
	phase->kind = spec->kind;
	phase->name = g_strdup(phase_name);
	phase->done = done;
	phase->user_data = user_data;
	/* Profiles are checked when loaded: a marker refused here is a harness
	 * bug, an error of the run, never the image's fail. */
	phase->console = sg_console_new(flavour->family, spec->kind->console_phase,
					flavour->display_manager, markers, error);
	if (phase->console == NULL)
		return NULL;
	spec->kind->fill(spec, &domain);
	cmdline = (gchar *)domain.cmdline; /* fill made it */
	if (domain.kernel == NULL) {
		phase->boot = new_boot_driver(phase, &domain);
	} else if (arch != NULL && arch->boots_direct) {
		/* Its machine always boots a kernel directly: whether that kernel
		 * starts is the boot's whole question, answered on its console. */
		phase->boot = new_boot_driver(phase, &domain);
		sg_boot_driver_set_kernel_console(phase->boot, arch->console);
	}
	phase->guest = sg_guest_start(spec->plan->lab, &domain, error);
	if (phase->guest == NULL)
		return NULL;
	phase->watch = sg_watch_start(
		&(SgWatchSpec){
			.phase = spec->kind->name,
			.guest = phase->guest,
			.console = phase->console,
			.console_path = console_log,
			.timeout_seconds = PHASE_LIMIT(phase, timeout_offset),
			.silence_seconds = PHASE_LIMIT(phase, silence_offset),
			.stop_on_markers = spec->kind->end == SG_GUEST_PHASE_ENDS_DESKTOP,
			.cancellable = spec->cancellable,
			.progress = spec->progress,
			.first_bytes = spec->first_bytes != NULL ? on_first_bytes : NULL,
			.boot = phase->boot,
			.stop_on_kernel = spec->kind->end == SG_GUEST_PHASE_ENDS_KERNEL,
		},
		on_watch_done, phase, error);
	if (phase->watch == NULL)
		return NULL;
	return g_steal_pointer(&phase);
}

/* ---- the end ------------------------------------------------------------- */

static void
on_torn_down(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SgGuestPhase *phase = user_data;
	gboolean pictured = sg_guest_teardown_finish(result);

	phase->busy = FALSE;
	g_debug("%s: guest gone", phase->name);
	if (pictured) {
		g_free(phase->screenshot);
		phase->screenshot = g_strdup(phase->spec.screenshot);
	}
	phase->stopped(phase, pictured ? phase->screenshot : NULL, phase->user_data);
}

void
sg_guest_phase_stop(SgGuestPhase *phase, SgGuestPhaseStopped stopped, gpointer user_data)
{
	g_autofree gchar *path = NULL;

	g_return_if_fail(!phase->busy);
	phase->stopped = stopped;
	phase->user_data = user_data;
	g_clear_pointer(&phase->screen, sg_desktop_screen_watch_free);
	if (phase->want_screenshot && sg_guest_is_running(phase->guest))
		path = evidence_path(phase, phase->spec.screenshot);
	/* The console goes first: see sg-guest-teardown.h. */
	sg_watch_close_console(phase->watch);
	phase->busy = TRUE;
	sg_guest_teardown_async(phase->guest, path, on_torn_down, phase);
}

void
sg_guest_phase_free(SgGuestPhase *phase)
{
	if (phase == NULL)
		return;
	/* sg_guest_phase_stop() ended the work of its threads first. */
	g_return_if_fail(!phase->busy);
	g_clear_pointer(&phase->screen, sg_desktop_screen_watch_free);
	g_clear_pointer(&phase->watch, sg_watch_free);
	g_clear_pointer(&phase->guest, sg_guest_free);
	g_clear_pointer(&phase->console, sg_console_free);
	g_clear_pointer(&phase->boot, sg_boot_driver_free);
	g_free(phase->name);
	g_free(phase->screenshot);
	sg_desktop_screen_report_clear(&phase->screen_report);
	g_free(phase);
}
