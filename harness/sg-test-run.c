#include "sg-test-run.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <unistd.h>

#include "sg-answers.h"
#include "sg-cidata.h"
#include "sg-console.h"
#include "sg-desktop-screen.h"
#include "sg-disk.h"
#include "sg-error.h"
#include "sg-flavour.h"
#include "sg-guest.h"
#include "sg-image-check.h"
#include "sg-initrd.h"
#include "sg-inspect.h"
#include "sg-iso.h"
#include "sg-judge.h"
#include "sg-kvm-probe.h"
#include "sg-lab.h"
#include "sg-paths.h"
#include "sg-watch.h"

/* A KVM guest that works prints its kernel's first line well within this. */
#define KVM_PROBE_TIMEOUT_MS 4000

typedef struct {
	const SgTestOptions *options;
	SgProgress *progress;
	GCancellable *cancellable;
	SgResult *result;
	GPtrArray *flavours;
	SgFlavour *flavour; /* borrowed from flavours */
	gchar *evidence_dir;
	gchar *answers_path;
	gchar *answers;
	gchar *username;
	SgLab *lab;
	gchar *kernel;
	gchar *initrd;
	gchar *live_kernel;
	gchar *live_initrd;
	gchar *cidata; /* the subiquity answers as a NoCloud volume */
	gchar *disk;
	gchar *mirror;	 /* HOST:PORT of the package mirror, for the install */
	GString *passed; /* what each plan proved, for the pass reason */
	gboolean use_kvm;
	gint64 problem_seen_us; /* monotonic time the failing console line was read */
} SgRun;

static void
sg_run_clear(SgRun *run)
{
	g_clear_pointer(&run->flavours, g_ptr_array_unref);
	g_free(run->evidence_dir);
	g_free(run->answers_path);
	g_free(run->answers);
	g_free(run->username);
	g_free(run->kernel);
	g_free(run->initrd);
	g_free(run->live_kernel);
	g_free(run->live_initrd);
	g_free(run->cidata);
	g_free(run->mirror);
	if (run->passed != NULL)
		g_string_free(run->passed, TRUE);
	g_free(run->disk);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(SgRun, sg_run_clear)

static gchar *
evidence_path(SgRun *run, const gchar *name)
{
	return g_build_filename(run->evidence_dir, name, NULL);
}

static gchar *
default_evidence_dir(const gchar *image)
{
	g_autofree gchar *base = g_path_get_basename(image);
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree gchar *stamp = g_date_time_format(now, "%Y%m%d-%H%M%S");
	gchar *dot = strrchr(base, '.');

	if (dot != NULL && dot != base)
		*dot = '\0';
	g_autofree gchar *cwd = g_get_current_dir();
	g_autofree gchar *leaf = g_strdup_printf("%s-%s", base, stamp);

	return g_build_filename(cwd, "smokegate-evidence", leaf, NULL);
}

static void
result_set_evidence_dir(SgRun *run)
{
	g_free(run->result->evidence_dir);
	run->result->evidence_dir = g_strdup(run->evidence_dir);
}

/* Everything that makes the command line wrong is found before any work. */
static gboolean
check_inputs(SgRun *run, GError **error)
{
	const SgTestOptions *options = run->options;
	g_autofree gchar *builtin = sg_paths_builtin_flavours();
	const gchar *dirs[] = {builtin, SG_PATHS_SYSTEM_FLAVOURS, options->flavours_dir, NULL};

	if (!g_file_test(options->image, G_FILE_TEST_EXISTS)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s: no such file", options->image);
		return FALSE;
	}
	if (!g_file_test(options->image, G_FILE_TEST_IS_REGULAR)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s: not a regular file",
			    options->image);
		return FALSE;
	}
	if (options->flavours_dir != NULL &&
	    !g_file_test(options->flavours_dir, G_FILE_TEST_IS_DIR)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s: no such folder",
			    options->flavours_dir);
		return FALSE;
	}
	if (options->answers != NULL && !g_file_test(options->answers, G_FILE_TEST_IS_REGULAR)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s: no such answer file",
			    options->answers);
		return FALSE;
	}
	if (g_strcmp0(options->accel, "auto") != 0 && g_strcmp0(options->accel, "kvm") != 0 &&
	    g_strcmp0(options->accel, "tcg") != 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "--accel must be auto, kvm or tcg");
		return FALSE;
	}
	run->flavours = sg_flavour_load_dirs(dirs, error);
	if (run->flavours == NULL)
		return FALSE;
	if (options->flavour != NULL) {
		run->flavour = sg_flavour_find(run->flavours, options->flavour);
		if (run->flavour == NULL) {
			g_autofree gchar *known = sg_flavour_list_names(run->flavours);
			g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
				    "unknown flavour '%s' (known: %s)", options->flavour, known);
			return FALSE;
		}
	}
	run->evidence_dir = options->evidence_dir != NULL
				    ? g_canonicalize_filename(options->evidence_dir, NULL)
				    : default_evidence_dir(options->image);
	if (g_mkdir_with_parents(run->evidence_dir, 0755) != 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "cannot create the evidence folder %s: %s", run->evidence_dir,
			    g_strerror(errno));
		return FALSE;
	}
	result_set_evidence_dir(run);
	return TRUE;
}

/* A generic profile boots what the image's own layout holds. */
static void
use_layout(SgFlavour *flavour, const SgIsoInfo *info)
{
	if (info->layout_family != flavour->family || info->layout_kernel == NULL)
		return;
	if (flavour->plan_install) {
		g_free(flavour->kernel);
		g_free(flavour->initrd);
		flavour->kernel = g_strdup(info->layout_kernel);
		flavour->initrd = g_strdup(info->layout_initrd);
	}
	if (flavour->plan_live) {
		g_free(flavour->live_kernel);
		g_free(flavour->live_initrd);
		flavour->live_kernel = g_strdup(info->layout_kernel);
		flavour->live_initrd = g_strdup(info->layout_initrd);
	}
}

/* Reads what the image says about itself; a bad image is a fail. Without
 * a profile that knows the image, its layout tells the installer family
 * and a generic profile judges it; only an image whose layout says
 * nothing either is the caller's to name (usage). */
static gboolean
identify_image(SgRun *run, GError **error)
{
	g_autoptr(GError) local_error = NULL;
	g_autoptr(SgIsoInfo) info = sg_iso_read_info(run->options->image, &local_error);

	if (info == NULL) {
		sg_result_decide(run->result, SG_VERDICT_FAIL, "%s", local_error->message);
		return TRUE;
	}
	if (run->flavour == NULL)
		run->flavour = sg_flavour_detect(run->flavours, info->disk_info, info->volume_id);
	if (run->flavour == NULL)
		run->flavour = sg_flavour_find_generic(run->flavours, info->layout_family);
	if (run->flavour == NULL) {
		g_autofree gchar *known = sg_flavour_list_names(run->flavours);
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "cannot tell the flavour of %s (volume id '%s', .disk/info '%s', no "
			    "/install.amd/, /install/, /casper/ or /live/ kernel and initrd); "
			    "name it with --flavour, one of: %s",
			    run->options->image, info->volume_id,
			    info->disk_info != NULL ? info->disk_info : "", known);
		return FALSE;
	}
	if (run->flavour->generic) {
		use_layout(run->flavour, info);
		run->result->generic = TRUE;
		run->result->generic_hint = g_strdup_printf(
			"judged as a generic %s image (its layout); a flavour profile whose "
			"DiskInfo= matches '%s' or VolumeId= matches '%s' (in %s or "
			"--flavours-dir) would judge it precisely",
			sg_family_to_string(run->flavour->family),
			info->disk_info != NULL ? info->disk_info : "", info->volume_id,
			SG_PATHS_SYSTEM_FLAVOURS);
	}
	run->result->flavour = g_strdup(run->flavour->name);
	run->result->profile_verified = g_strdup(run->flavour->verified);
	return TRUE;
}

static gboolean
load_answers(SgRun *run, GError **error)
{
	if (!run->flavour->plan_install)
		return TRUE;
	if (run->options->answers != NULL) {
		run->answers_path = g_strdup(run->options->answers);
	} else if (run->flavour->answers != NULL) {
		g_autofree gchar *dir = sg_paths_builtin_answers();
		run->answers_path = g_build_filename(dir, run->flavour->answers, NULL);
	}
	if (run->answers_path == NULL)
		return TRUE;
	if (!g_file_get_contents(run->answers_path, &run->answers, NULL, error)) {
		g_prefix_error(error, "cannot read the answer file: ");
		return FALSE;
	}
	run->username = sg_answers_get_username(run->flavour->family, run->answers);
	return TRUE;
}

static void
choose_accelerator(SgRun *run)
{
	g_autofree gchar *reason = NULL;
	g_autofree gchar *state = sg_lab_state_dir();

	if (g_str_equal(run->options->accel, "kvm") || g_str_equal(run->options->accel, "tcg")) {
		run->use_kvm = g_str_equal(run->options->accel, "kvm");
		reason = g_strdup("chosen with --accel");
	} else if (!sg_lab_is_local(run->lab)) {
		run->use_kvm = TRUE;
		reason = g_strdup("a remote lab host is assumed to have KVM");
	} else {
		run->use_kvm = sg_kvm_probe(run->kernel != NULL ? run->kernel : run->live_kernel,
					    state, KVM_PROBE_TIMEOUT_MS, &reason);
		if (!run->use_kvm)
			sg_progress_note(run->progress,
					 "KVM does not work here (%s): guests run under TCG",
					 reason);
	}
	run->result->accelerator = g_strdup(run->use_kvm ? "kvm" : "tcg");
	run->result->accelerator_reason = g_steal_pointer(&reason);
}

/* The kernels and initrds each plan boots, read out of the ISO in one pass
 * over its directory (a file two plans share is read once). */
static gboolean
extract_boot_files(SgRun *run, GError **error)
{
	SgFlavour *flavour = run->flavour;
	struct {
		const gchar *path; /* in the ISO */
		const gchar *name; /* in the scratch folder */
		gchar **slot;
		gboolean wanted;
	} files[] = {
		{flavour->kernel, "kernel", &run->kernel, flavour->plan_install},
		{flavour->initrd, "initrd.orig", &run->initrd, flavour->plan_install},
		{flavour->live_kernel, "kernel-live", &run->live_kernel, flavour->plan_live},
		{flavour->live_initrd, "initrd-live", &run->live_initrd, flavour->plan_live},
	};
	g_autoptr(GPtrArray) paths = g_ptr_array_new();
	g_autoptr(GPtrArray) dests = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
		guint index;
		if (!files[i].wanted)
			continue;
		if (!g_ptr_array_find_with_equal_func(paths, files[i].path, g_str_equal, &index)) {
			index = paths->len;
			g_ptr_array_add(paths, (gpointer)files[i].path);
			g_ptr_array_add(dests, g_build_filename(sg_lab_get_scratch_dir(run->lab),
								files[i].name, NULL));
		}
		*files[i].slot = g_strdup(g_ptr_array_index(dests, index));
	}
	g_ptr_array_add(paths, NULL);
	g_ptr_array_add(dests, NULL);
	if (!sg_iso_extract(run->result->image, (const gchar *const *)paths->pdata,
			    (const gchar *const *)dests->pdata, error))
		return FALSE;
	for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
		if (files[i].wanted && g_str_has_prefix(files[i].name, "kernel") &&
		    !sg_image_is_bzimage(*files[i].slot)) {
			g_set_error(error, SG_ERROR, SG_ERROR_IMAGE,
				    "%s in the image is not a bootable Linux kernel (no bzImage "
				    "header)",
				    files[i].path);
			return FALSE;
		}
	}
	return TRUE;
}

/* Where each family's installer reads its answers: d-i and ubiquity from
 * /preseed.cfg in the initrd, subiquity from a NoCloud CIDATA volume. */
static gboolean
deliver_answers(SgRun *run, GError **error)
{
	g_autoptr(GHashTable) inject = g_hash_table_new(g_str_hash, g_str_equal);
	g_autofree gchar *injected = NULL;

	if (!run->flavour->plan_install || run->answers_path == NULL)
		return TRUE;
	if (run->flavour->family == SG_FAMILY_SUBIQUITY) {
		run->cidata =
			g_build_filename(sg_lab_get_scratch_dir(run->lab), "cidata.iso", NULL);
		return sg_cidata_write(run->answers_path, run->cidata, error);
	}
	injected = g_build_filename(sg_lab_get_scratch_dir(run->lab), "initrd", NULL);
	g_hash_table_insert(inject, (gpointer) "preseed.cfg", run->answers_path);
	if (!sg_initrd_inject(run->initrd, inject, injected, error))
		return FALSE;
	/* The live plan may boot the very same initrd, untouched. */
	if (g_strcmp0(run->initrd, run->live_initrd) != 0)
		g_unlink(run->initrd);
	g_free(run->initrd);
	run->initrd = g_steal_pointer(&injected);
	return TRUE;
}

/* "HOST:PORT" of an http:// mirror URL, checked so that it cannot smuggle
 * options into QEMU's command line. */
static gchar *
mirror_address(const gchar *url, GError **error)
{
	g_autoptr(GUri) uri = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);
	const gchar *host = uri != NULL ? g_uri_get_host(uri) : NULL;

	if (uri == NULL || g_strcmp0(g_uri_get_scheme(uri), "http") != 0 || host == NULL ||
	    host[0] == '\0' ||
	    strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") !=
		    strlen(host)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "the flavour's Mirror=%s is not http://HOST[:PORT]", url);
		return NULL;
	}
	return g_strdup_printf("%s:%d", host, g_uri_get_port(uri) > 0 ? g_uri_get_port(uri) : 80);
}

/* Prepare: image identity, kernel and initrd out of the ISO, answers in. */
static gboolean
prepare(SgRun *run, GError **error)
{
	SgPhase *phase = sg_result_begin_phase(run->result, "prepare");
	g_autoptr(GError) local_error = NULL;

	if (!sg_image_checksum(run->options->image, &run->result->sha256, &run->result->size,
			       error))
		return FALSE;
	if (!identify_image(run, error))
		return FALSE;
	if (run->result->decided) {
		sg_phase_finish(phase, SG_PHASE_FAILED, run->result->reason);
		return TRUE;
	}
	if (!load_answers(run, error))
		return FALSE;
	if (run->flavour->plan_install && run->flavour->needs_mirror) {
		run->mirror = mirror_address(run->flavour->mirror, error);
		if (run->mirror == NULL)
			return FALSE;
	}
	run->lab = sg_lab_open(run->options->connect_uri, &local_error);
	if (run->lab == NULL) {
		sg_result_decide(run->result, SG_VERDICT_ERROR, "%s", local_error->message);
		sg_phase_finish(phase, SG_PHASE_ERROR, local_error->message);
		return TRUE;
	}
	run->result->connection = g_strdup(sg_lab_get_uri(run->lab));
	run->disk = g_build_filename(sg_lab_get_scratch_dir(run->lab), "disk.qcow2", NULL);
	if (!extract_boot_files(run, &local_error) || !deliver_answers(run, &local_error)) {
		SgVerdict verdict = g_error_matches(local_error, SG_ERROR, SG_ERROR_IMAGE)
					    ? SG_VERDICT_FAIL
					    : SG_VERDICT_ERROR;
		sg_result_decide(run->result, verdict, "%s", local_error->message);
		sg_phase_finish(phase,
				verdict == SG_VERDICT_FAIL ? SG_PHASE_FAILED : SG_PHASE_ERROR,
				local_error->message);
		return TRUE;
	}
	choose_accelerator(run);
	sg_phase_finish(phase, SG_PHASE_PASSED, NULL);
	return TRUE;
}

static void
take_screenshot(SgRun *run, SgGuest *guest, const gchar *name)
{
	g_autofree gchar *path = evidence_path(run, name);
	g_autoptr(GError) error = NULL;

	if (!sg_guest_is_running(guest))
		return;
	if (!sg_guest_screenshot(guest, path, &error)) {
		g_debug("no screenshot: %s", error->message);
		return;
	}
	if (run->result->screenshot == NULL || g_str_equal(name, "screenshot.png")) {
		g_free(run->result->screenshot);
		run->result->screenshot = g_strdup(name);
	}
}

/* The last screen of a phase, as a person would have seen it: full-screen
 * installers draw rather than print, and the raw log is hard to read. */
static void
write_screen(SgRun *run, SgConsole *console, const gchar *phase)
{
	g_autofree gchar *name = g_strdup_printf("screen-%s.txt", phase);
	g_autofree gchar *path = evidence_path(run, name);
	g_autofree gchar *text = sg_console_get_screen_text(console);
	g_autoptr(GError) error = NULL;

	if (!g_file_set_contents(path, text, -1, &error))
		g_warning("cannot write %s: %s", path, error->message);
}

static SgConsole *
new_console(SgRun *run, SgConsolePhase phase)
{
	const gchar *const *markers = phase == SG_CONSOLE_PHASE_DESKTOP
					      ? (const gchar *const *)run->flavour->console_markers
					      : NULL;
	g_autoptr(GError) error = NULL;
	SgConsole *console = sg_console_new(run->flavour->family, phase,
					    run->flavour->display_manager, markers, &error);
	/* Profiles are checked when loaded; a bad marker here is our bug. */
	if (console == NULL)
		g_error("%s", error->message);
	return console;
}

static void
fill_spec(SgRun *run, SgDomainSpec *spec, const gchar *name, const gchar *console_log)
{
	spec->name = name;
	spec->domain_type = run->use_kvm ? "kvm" : "qemu";
	spec->memory_mib = run->flavour->memory_mib;
	spec->vcpus = run->flavour->vcpus;
	spec->disk = run->disk;
	spec->console_log = console_log;
}

/* "desktop evidence seen: 'A'; never came: 'B', 'C'" so a desktop that did
 * not start says what it got and what it waited for; NULL without markers. */
static gchar *
describe_evidence(SgRun *run, SgConsole *console)
{
	gchar **markers = run->flavour->console_markers;
	g_autoptr(GString) seen = g_string_new(NULL);
	g_autoptr(GString) missing = g_string_new(NULL);

	if (markers == NULL || markers[0] == NULL)
		return NULL;
	for (guint i = 0; markers[i] != NULL; i++) {
		GString *list = sg_console_get_marker_line(console, i) != NULL ? seen : missing;
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

/* The console said the desktop started; the screen must show it drawn.
 * Returns FALSE with the verdict decided when it does not. */
static gboolean
check_desktop_drawn(SgRun *run, SgPhase *phase, SgGuest *guest, const gchar *screenshot)
{
	g_autofree gchar *path = evidence_path(run, screenshot);
	g_auto(SgDesktopScreenReport) report = {0};
	SgDesktopScreenOutcome outcome;
	g_autofree gchar *reason = NULL;
	SgVerdict verdict = SG_VERDICT_FAIL;

	if (!run->flavour->drawn_desktop) {
		take_screenshot(run, guest, screenshot);
		return TRUE;
	}
	if (run->progress != NULL)
		sg_progress_update(run->progress, phase->name, 0,
				   "waiting for the desktop to be drawn on the screen");
	outcome = sg_desktop_screen_wait(guest, path, run->flavour->draw_seconds, run->cancellable,
					 &report);
	if (report.pictures > 0) {
		g_free(run->result->screenshot);
		run->result->screenshot = g_strdup(screenshot);
		run->result->screen_kind = g_strdup(sg_screen_kind_to_string(report.kind));
		run->result->screen_description = g_strdup(report.description);
		run->result->screen_seconds = report.seconds;
	}
	switch (outcome) {
	case SG_DESKTOP_SCREEN_DRAWN:
		return TRUE;
	case SG_DESKTOP_SCREEN_NOT_DRAWN:
		reason = g_strdup_printf("%s: the session opened but the screen stayed blank: %s "
					 "%u s after the desktop's console markers (%s)",
					 phase->name, blank_kind_words(report.kind),
					 run->flavour->draw_seconds, report.description);
		break;
	case SG_DESKTOP_SCREEN_GUEST_STOPPED:
		reason = g_strdup_printf("%s: the guest stopped before its desktop was drawn",
					 phase->name);
		break;
	case SG_DESKTOP_SCREEN_NO_PICTURE:
		verdict = SG_VERDICT_ERROR;
		reason = g_strdup_printf("%s: cannot see the screen: %s", phase->name,
					 report.error_message);
		break;
	default:
		verdict = SG_VERDICT_ERROR;
		reason = g_strdup_printf("%s: interrupted before a verdict", phase->name);
		break;
	}
	sg_result_decide(run->result, verdict, "%s", reason);
	sg_phase_finish(phase, verdict == SG_VERDICT_FAIL ? SG_PHASE_FAILED : SG_PHASE_ERROR,
			reason);
	return FALSE;
}

/* Turns how a watch ended into the phase's status and, on trouble, the verdict. */
static gboolean
judge_watch(SgRun *run, SgPhase *phase, SgWatchOutcome outcome, SgConsole *console,
	    guint silence_seconds, guint timeout_seconds)
{
	const gchar *last = sg_console_get_last_line(console);
	g_autofree gchar *evidence =
		g_str_equal(phase->name, "install") ? NULL : describe_evidence(run, console);
	g_autofree gchar *last_words =
		g_strdup_printf("%s%slast console line: %s", evidence != NULL ? evidence : "",
				evidence != NULL ? "; " : "", last != NULL ? last : "(none)");
	SgVerdict verdict = SG_VERDICT_FAIL;
	g_autofree gchar *reason = NULL;

	switch (outcome) {
	case SG_WATCH_PROBLEM:
		run->problem_seen_us = sg_console_get_problem_time(console);
		reason = g_strdup_printf(
			"%s: %s: %s", phase->name,
			sg_console_problem_to_string(sg_console_get_problem(console)),
			sg_console_get_problem_quote(console));
		break;
	case SG_WATCH_SILENT:
		/* A disk whose boot code is missing or broken hangs in the firmware:
		 * the console never says a word. */
		reason = sg_console_get_bytes(console) == 0
				 ? g_strdup_printf("%s: %snothing on the console for %u s",
						   phase->name,
						   g_str_equal(phase->name, "boot")
							   ? "the installed disk did not boot: "
							   : "",
						   silence_seconds)
				 : g_strdup_printf("%s: console silent for %u s; %s", phase->name,
						   silence_seconds, last_words);
		break;
	case SG_WATCH_TIMEOUT:
		reason = g_strdup_printf("%s: not done after %u s; %s", phase->name,
					 timeout_seconds, last_words);
		break;
	case SG_WATCH_CANCELLED:
		verdict = SG_VERDICT_ERROR;
		reason = g_strdup_printf("%s: interrupted before a verdict", phase->name);
		break;
	default:
		return TRUE;
	}
	sg_result_decide(run->result, verdict, "%s", reason);
	sg_phase_finish(phase, verdict == SG_VERDICT_FAIL ? SG_PHASE_FAILED : SG_PHASE_ERROR,
			reason);
	return FALSE;
}

static gboolean
start_guest(SgRun *run, SgPhase *phase, const SgDomainSpec *spec, SgGuest **guest)
{
	g_autoptr(GError) error = NULL;

	*guest = sg_guest_start(run->lab, spec, &error);
	if (*guest == NULL) {
		sg_result_decide(run->result, SG_VERDICT_ERROR, "%s: %s", phase->name,
				 error->message);
		sg_phase_finish(phase, SG_PHASE_ERROR, error->message);
		return FALSE;
	}
	return TRUE;
}

/* Install: the installer boots from the ISO's kernel with the answers and
 * must power the guest off by itself when it is done. */
static gboolean
run_install(SgRun *run)
{
	SgPhase *phase = sg_result_begin_phase(run->result, "install");
	g_autofree gchar *console_log = evidence_path(run, "console-install.log");
	g_autofree gchar *name = sg_lab_new_guest_name(run->lab, "install");
	g_autoptr(SgConsole) console = new_console(run, SG_CONSOLE_PHASE_INSTALL);
	g_autoptr(SgGuest) guest = NULL;
	g_autoptr(GError) error = NULL;
	SgDomainSpec spec = {0};
	SgWatchOutcome outcome;

	phase->console = g_strdup("console-install.log");
	g_unlink(console_log);
	if (!sg_disk_create(run->disk, run->flavour->disk_gib, &error)) {
		sg_result_decide(run->result, SG_VERDICT_ERROR, "install: %s", error->message);
		sg_phase_finish(phase, SG_PHASE_ERROR, error->message);
		return FALSE;
	}
	fill_spec(run, &spec, name, console_log);
	spec.kernel = run->kernel;
	spec.initrd = run->initrd;
	spec.cmdline = run->flavour->kernel_args;
	spec.cdrom = run->result->image; /* absolute: QEMU's cwd is not ours */
	spec.seed_cdrom = run->cidata;
	spec.mirror = run->mirror;
	if (!start_guest(run, phase, &spec, &guest))
		return FALSE;
	outcome = sg_watch_run(&(SgWatch){
		.phase = "install",
		.guest = guest,
		.console = console,
		.console_path = console_log,
		.timeout_seconds = run->flavour->install_seconds,
		.silence_seconds = run->flavour->install_silence_seconds,
		.cancellable = run->cancellable,
		.progress = run->progress,
	});
	write_screen(run, console, "install");
	if (outcome != SG_WATCH_GUEST_STOPPED)
		take_screenshot(run, guest, "screenshot.png");
	sg_guest_destroy(guest);
	if (!judge_watch(run, phase, outcome, console, run->flavour->install_silence_seconds,
			 run->flavour->install_seconds))
		return FALSE;
	sg_phase_finish(phase, SG_PHASE_PASSED, sg_console_get_last_line(console));
	return TRUE;
}

/* Boot: the installed disk boots with its own bootloader and must reach
 * the desktop; the guest is shut down as soon as it has. */
static gboolean
run_boot(SgRun *run)
{
	SgPhase *phase = sg_result_begin_phase(run->result, "boot");
	g_autofree gchar *console_log = evidence_path(run, "console-boot.log");
	g_autofree gchar *name = sg_lab_new_guest_name(run->lab, "boot");
	g_autoptr(SgConsole) console = new_console(run, SG_CONSOLE_PHASE_DESKTOP);
	g_autoptr(SgGuest) guest = NULL;
	SgDomainSpec spec = {0};
	SgWatchOutcome outcome;
	g_autofree gchar *detail = NULL;

	phase->console = g_strdup("console-boot.log");
	g_unlink(console_log);
	fill_spec(run, &spec, name, console_log);
	if (!start_guest(run, phase, &spec, &guest))
		return FALSE;
	outcome = sg_watch_run(&(SgWatch){
		.phase = "boot",
		.guest = guest,
		.console = console,
		.console_path = console_log,
		.timeout_seconds = run->flavour->boot_seconds,
		.silence_seconds = run->flavour->boot_silence_seconds,
		.stop_on_markers = TRUE,
		.cancellable = run->cancellable,
		.progress = run->progress,
	});
	write_screen(run, console, "boot");
	if (outcome == SG_WATCH_MARKERS_SEEN) {
		if (!check_desktop_drawn(run, phase, guest, "screenshot.png"))
			return FALSE; /* the guest goes with its autoptr */
		sg_guest_shutdown(guest, run->flavour->shutdown_seconds);
	} else {
		take_screenshot(run, guest, "screenshot.png");
		sg_guest_destroy(guest);
	}
	if (outcome == SG_WATCH_GUEST_STOPPED) {
		g_autofree gchar *evidence = describe_evidence(run, console);
		g_autofree gchar *reason =
			sg_console_get_bytes(console) == 0
				? g_strdup("boot: the installed disk did not boot: the guest reset "
					   "with "
					   "nothing on its console")
				: g_strdup_printf(
					  "boot: the installed system stopped before its desktop "
					  "started (%s); last console line: %s",
					  evidence, sg_console_get_last_line(console));
		sg_result_decide(run->result, SG_VERDICT_FAIL, "%s", reason);
		sg_phase_finish(phase, SG_PHASE_FAILED, reason);
		return FALSE;
	}
	if (!judge_watch(run, phase, outcome, console, run->flavour->boot_silence_seconds,
			 run->flavour->boot_seconds))
		return FALSE;
	detail = g_strjoinv(
		" | ", (gchar **)(const gchar *[]){sg_console_get_marker_line(console, 0),
						   sg_console_get_marker_line(console, 1),
						   sg_console_get_marker_line(console, 2), NULL});
	sg_phase_finish(phase, SG_PHASE_PASSED, detail);
	return TRUE;
}

static void
write_inspection(SgRun *run, SgInspection *inspection)
{
	g_autoptr(JsonGenerator) generator = json_generator_new();
	g_autofree gchar *path = evidence_path(run, "inspection.json");
	g_autoptr(GError) error = NULL;

	json_generator_set_root(generator, inspection->report);
	json_generator_set_pretty(generator, TRUE);
	if (!json_generator_to_file(generator, path, &error)) {
		g_warning("cannot write %s: %s", path, error->message);
		return;
	}
	run->result->inspection = g_strdup("inspection.json");
}

/* Inspect: what the installed disk says, read with the guest gone. */
static gboolean
run_inspect(SgRun *run)
{
	SgPhase *phase = sg_result_begin_phase(run->result, "inspect");
	g_autoptr(GError) error = NULL;
	g_autoptr(SgInspection) inspection = NULL;
	g_autofree gchar *reason = NULL;

	if (run->progress != NULL)
		sg_progress_update(run->progress, "inspect", 0,
				   "reading the installed disk with libguestfs");
	inspection = sg_inspect_disk(run->disk, run->username, !run->use_kvm, &error);
	if (inspection == NULL) {
		sg_result_decide(run->result, SG_VERDICT_ERROR, "inspect: %s", error->message);
		sg_phase_finish(phase, SG_PHASE_ERROR, error->message);
		return FALSE;
	}
	write_inspection(run, inspection);
	if (!sg_judge_inspection(inspection, run->username, &reason)) {
		sg_result_decide(run->result, SG_VERDICT_FAIL, "inspect: %s", reason);
		sg_phase_finish(phase, SG_PHASE_FAILED, reason);
		return FALSE;
	}
	sg_phase_finish(phase, SG_PHASE_PASSED, inspection->desktop_session);
	g_string_append_printf(run->passed, "%sinstalled, booted and reached the desktop (%s)",
			       run->passed->len > 0 ? "; " : "", inspection->desktop_session);
	return TRUE;
}

/* Live: the ISO's live session boots straight to its desktop, no disk. */
static gboolean
run_live(SgRun *run)
{
	SgPhase *phase = sg_result_begin_phase(run->result, "live");
	g_autofree gchar *console_log = evidence_path(run, "console-live.log");
	g_autofree gchar *name = sg_lab_new_guest_name(run->lab, "live");
	g_autoptr(SgConsole) console = new_console(run, SG_CONSOLE_PHASE_DESKTOP);
	g_autoptr(SgGuest) guest = NULL;
	SgDomainSpec spec = {0};
	SgWatchOutcome outcome;
	const gchar *screenshot =
		run->flavour->plan_install ? "screenshot-live.png" : "screenshot.png";
	const gchar *last;

	phase->console = g_strdup("console-live.log");
	g_unlink(console_log);
	fill_spec(run, &spec, name, console_log);
	spec.disk = NULL;
	spec.kernel = run->live_kernel;
	spec.initrd = run->live_initrd;
	spec.cmdline = run->flavour->live_kernel_args;
	spec.cdrom = run->result->image;
	if (!start_guest(run, phase, &spec, &guest))
		return FALSE;
	outcome = sg_watch_run(&(SgWatch){
		.phase = "live",
		.guest = guest,
		.console = console,
		.console_path = console_log,
		.timeout_seconds = run->flavour->live_seconds,
		.silence_seconds = run->flavour->live_silence_seconds,
		.stop_on_markers = TRUE,
		.cancellable = run->cancellable,
		.progress = run->progress,
	});
	write_screen(run, console, "live");
	if (outcome == SG_WATCH_MARKERS_SEEN) {
		if (!check_desktop_drawn(run, phase, guest, screenshot))
			return FALSE;
	} else {
		take_screenshot(run, guest, screenshot);
	}
	sg_guest_destroy(guest);
	if (outcome == SG_WATCH_GUEST_STOPPED) {
		g_autofree gchar *evidence = describe_evidence(run, console);
		g_autofree gchar *reason =
			g_strdup_printf("live: the live session stopped before its desktop started "
					"(%s); last console line: %s",
					evidence,
					sg_console_get_last_line(console) != NULL
						? sg_console_get_last_line(console)
						: "(none)");
		sg_result_decide(run->result, SG_VERDICT_FAIL, "%s", reason);
		sg_phase_finish(phase, SG_PHASE_FAILED, reason);
		return FALSE;
	}
	if (!judge_watch(run, phase, outcome, console, run->flavour->live_silence_seconds,
			 run->flavour->live_seconds))
		return FALSE;
	last = sg_console_get_marker_line(console,
					  g_strv_length(run->flavour->console_markers) - 1);
	sg_phase_finish(phase, SG_PHASE_PASSED, last);
	g_string_append_printf(run->passed, "%slive session reached the desktop (%s)",
			       run->passed->len > 0 ? "; " : "", last != NULL ? last : "");
	return TRUE;
}

/* Every plan of the flavour, in order; the first failure ends the test. */
static void
run_plans(SgRun *run)
{
	SgFlavour *flavour = run->flavour;

	if (flavour->plan_install && !(run_install(run) && run_boot(run) && run_inspect(run)))
		return;
	if (flavour->plan_live && !run_live(run))
		return;
	sg_result_decide(run->result, SG_VERDICT_PASS, "%s", run->passed->str);
}

SgResult *
sg_test_run(const SgTestOptions *options, SgProgress *progress, GCancellable *cancellable,
	    GError **error)
{
	g_auto(SgRun) run = {.options = options, .progress = progress, .cancellable = cancellable};
	g_autoptr(SgResult) result = sg_result_new();
	g_autoptr(GError) write_error = NULL;

	run.result = result;
	run.passed = g_string_new(NULL);
	result->image = g_canonicalize_filename(options->image, NULL);
	if (!check_inputs(&run, error))
		return NULL;
	if (!prepare(&run, error)) {
		g_clear_pointer(&run.lab, sg_lab_close);
		return NULL;
	}
	if (!result->decided)
		run_plans(&run);
	if (!result->decided)
		sg_result_decide(result, SG_VERDICT_ERROR, "no verdict was reached (harness bug)");
	if (progress != NULL)
		sg_progress_clear(progress);
	result->finished_us = g_get_real_time();
	if (run.problem_seen_us > 0)
		result->fail_fast_s = (g_get_monotonic_time() - run.problem_seen_us) / 1e6;
	if (!sg_result_write(result, run.evidence_dir, &write_error)) {
		g_clear_pointer(&run.lab, sg_lab_close);
		sg_result_free(g_steal_pointer(&result));
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot write the verdict: %s",
			    write_error->message);
		return NULL;
	}
	g_clear_pointer(&run.lab, sg_lab_close);
	return g_steal_pointer(&result);
}
