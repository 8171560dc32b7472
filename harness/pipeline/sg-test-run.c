#include "sg-test-run.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sys/resource.h>
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
#include "sg-media.h"
#include "sg-paths.h"
#include "sg-suite-disk.h"
#include "sg-suite-run.h"
#include "sg-watch.h"
#include "sg-worker.h"

/* A KVM guest that works prints its kernel's first line well within this. */
#define KVM_PROBE_TIMEOUT_MS 4000
/* Of the thread that reads the installed disk while its guest boots. */
#define BASE_INSPECT_NICE 10
/* How often the boot's console is asked whether it spoke yet. */
#define BASE_INSPECT_POLL_MS 250

typedef struct _SgRun {
	const SgTestOptions *options;
	SgProgress *progress;
	/* Cancelled by the caller's, or when the lab host is lost. */
	GCancellable *cancellable;
	GCancellable *caller_cancellable;
	gulong caller_handler;
	guint lost_watch;
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
	/* The same media as the lab host sees them: the local paths above on
	 * the embedded driver, storage volumes on any other connection. */
	SgMedia *media; /* the lab's */
	gchar *host_image;
	gchar *host_kernel;
	gchar *host_initrd;
	gchar *host_live_kernel;
	gchar *host_live_initrd;
	gchar *host_cidata;
	gboolean use_kvm;
	gint64 problem_seen_us; /* monotonic time the failing console line was read */
	/* The run in progress on the main loop. */
	GTask *task;
	GPtrArray *steps; /* of SgStep, what is left to do, in order */
	SgPhase *phase;
	const struct _SgGuestPhase *kind;
	SgConsole *console;
	SgGuest *guest;
	SgWatch *watch;
	SgDesktopScreenWatch *screen;
	guint idle;
	/* The downstream suites: every one known, and those asked for. */
	GPtrArray *suites;
	GPtrArray *selected;
	/* The overlay of the installed disk (run->disk, the read-only base)
	 * the desktop boot ran on; NULL when it ran on the disk itself. */
	gchar *boot_disk;
	SgSuiteExpect *expect;
	/* The read of the base while the guest boots (start_base_inspect). */
	guint base_poll;		/* waits for the boot's first console bytes */
	GCancellable *base_cancellable; /* non-NULL once it started */
	gulong base_handler;		/* cancels it with the run */
	gboolean base_running;
	gint64 base_started_us;
	gint64 base_finished_us;
	gint64 inspect_started_us;
	SgInspection *base_inspection;
	GError *base_error;
	void (*after_base)(struct _SgRun *run); /* what waits for it to end */
} SgRun;

static void end_guest_phase_state(SgRun *run);

static void
sg_run_clear(SgRun *run)
{
	end_guest_phase_state(run);
	g_clear_handle_id(&run->idle, g_source_remove);
	g_clear_pointer(&run->steps, g_ptr_array_unref);
	if (run->lost_watch != 0)
		sg_lab_unwatch_lost(run->lab, run->lost_watch);
	run->lost_watch = 0;
	g_clear_pointer(&run->lab, sg_lab_close);
	if (run->caller_cancellable != NULL)
		g_cancellable_disconnect(run->caller_cancellable, run->caller_handler);
	run->caller_handler = 0;
	g_clear_object(&run->caller_cancellable);
	g_clear_object(&run->cancellable);
	g_clear_pointer(&run->flavours, g_ptr_array_unref);
	g_free(run->evidence_dir);
	g_free(run->answers_path);
	g_free(run->answers);
	g_free(run->username);
	g_clear_pointer(&run->expect, sg_suite_expect_free);
	g_free(run->kernel);
	g_free(run->initrd);
	g_free(run->live_kernel);
	g_free(run->live_initrd);
	g_free(run->cidata);
	g_free(run->mirror);
	if (run->passed != NULL)
		g_string_free(run->passed, TRUE);
	g_free(run->disk);
	g_free(run->host_image);
	g_free(run->host_kernel);
	g_free(run->host_initrd);
	g_free(run->host_live_kernel);
	g_free(run->host_live_initrd);
	g_free(run->host_cidata);
	g_clear_pointer(&run->selected, g_ptr_array_unref);
	g_clear_pointer(&run->suites, g_ptr_array_unref);
	g_free(run->boot_disk);
	/* await_base_inspection kept the run alive while the read went on */
	g_assert(!run->base_running);
	g_clear_handle_id(&run->base_poll, g_source_remove);
	g_clear_object(&run->base_cancellable);
	g_clear_pointer(&run->base_inspection, sg_inspection_free);
	g_clear_error(&run->base_error);
}

static void
sg_run_free(SgRun *run)
{
	sg_run_clear(run);
	g_clear_pointer(&run->result, sg_result_free);
	g_free(run);
}

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
	run->flavours = sg_flavour_load_all(options->flavours_dir, error);
	if (run->flavours == NULL)
		return FALSE;
	if (options->suites != NULL && options->suites[0] != NULL) {
		run->suites = sg_suite_load_all(options->suites_dir, error);
		if (run->suites == NULL)
			return FALSE;
		run->selected = sg_suite_select(run->suites, options->suites, error);
		if (run->selected == NULL)
			return FALSE;
	}
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

/* --accel kvm or tcg decides now; auto waits for the probe step. */
static void
choose_accelerator(SgRun *run)
{
	if (g_str_equal(run->options->accel, "auto"))
		return;
	run->use_kvm = g_str_equal(run->options->accel, "kvm");
	run->result->accelerator = g_strdup(run->use_kvm ? "kvm" : "tcg");
	run->result->accelerator_reason = g_strdup("chosen with --accel");
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

/* Hands the image, the boot files and the answers to the lab host: the
 * ISO once per host (a cache named by its SHA-256), the rest per test. */
static gboolean
put_media(SgRun *run, GError **error)
{
	struct {
		const gchar *local;
		const gchar *name;
		gchar **host;
	} files[] = {
		{run->kernel, "kernel", &run->host_kernel},
		{run->initrd, "initrd", &run->host_initrd},
		{run->live_kernel, "kernel-live", &run->host_live_kernel},
		{run->live_initrd, "initrd-live", &run->host_live_initrd},
		{run->cidata, "cidata.iso", &run->host_cidata},
	};
	guint64 before;

	run->media = sg_lab_get_media(run->lab, error);
	if (run->media == NULL)
		return FALSE;
	sg_media_set_cancellable(run->media, run->cancellable);
	before = sg_media_get_bytes_uploaded(run->media);
	run->host_image =
		sg_media_put_image(run->media, run->result->image, run->result->sha256, error);
	if (run->host_image == NULL)
		return FALSE;
	if (sg_media_uses_volumes(run->media))
		run->result->image_uploaded_bytes =
			sg_media_get_bytes_uploaded(run->media) - before;
	for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
		if (files[i].local == NULL)
			continue;
		*files[i].host =
			sg_media_put_file(run->media, files[i].local, files[i].name, error);
		if (*files[i].host == NULL)
			return FALSE;
	}
	return TRUE;
}

/* The suites the flavour's profile lists, after those asked for, once
 * each; a name no suite has is the profile's mistake, an error. */
static gboolean
select_profile_suites(SgRun *run, GError **error)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new();
	g_autoptr(GPtrArray) selected = NULL;

	if (!run->options->profile_suites || run->flavour->suites[0] == NULL)
		return TRUE;
	if (run->suites == NULL) {
		run->suites = sg_suite_load_all(run->options->suites_dir, error);
		if (run->suites == NULL)
			return FALSE;
	}
	for (guint i = 0; run->selected != NULL && i < run->selected->len; i++)
		g_ptr_array_add(names, ((SgSuite *)g_ptr_array_index(run->selected, i))->name);
	for (guint i = 0; run->flavour->suites[i] != NULL; i++) {
		if (!g_ptr_array_find_with_equal_func(names, run->flavour->suites[i], g_str_equal,
						      NULL))
			g_ptr_array_add(names, run->flavour->suites[i]);
	}
	g_ptr_array_add(names, NULL);
	selected = sg_suite_select(run->suites, (const gchar *const *)names->pdata, error);
	if (selected == NULL) {
		g_prefix_error(error, "the %s profile's Suites=: ", run->flavour->name);
		return FALSE;
	}
	g_clear_pointer(&run->selected, g_ptr_array_unref);
	run->selected = g_steal_pointer(&selected);
	return TRUE;
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
	if (!select_profile_suites(run, &local_error)) {
		sg_result_decide(run->result, SG_VERDICT_ERROR, "%s", local_error->message);
		sg_phase_finish(phase, SG_PHASE_ERROR, local_error->message);
		return TRUE;
	}
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
	if (!extract_boot_files(run, &local_error) || !deliver_answers(run, &local_error) ||
	    !put_media(run, &local_error)) {
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

/* Profiles are checked when loaded: a marker refused here is a harness
 * bug, an error of the run, never the image's fail. */
static SgConsole *
new_console(SgRun *run, SgConsolePhase phase, GError **error)
{
	const gchar *const *markers = phase == SG_CONSOLE_PHASE_DESKTOP
					      ? (const gchar *const *)run->flavour->console_markers
					      : NULL;

	return sg_console_new(run->flavour->family, phase, run->flavour->display_manager, markers,
			      error);
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
		if (sg_console_get_problem(console) == SG_CONSOLE_PROBLEM_HOST_STARVED)
			verdict = SG_VERDICT_ERROR;
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
	case SG_WATCH_STARVED:
		verdict = SG_VERDICT_ERROR;
		reason = g_strdup_printf(
			"%s: console silent for %u s and more, all of it while the "
			"lab host starved the guest (%s): the silence is not judged; %s",
			phase->name, silence_seconds, sg_watch_get_starved_reason(run->watch),
			last_words);
		break;
	case SG_WATCH_CANCELLED:
		verdict = SG_VERDICT_ERROR;
		reason = g_strdup_printf("%s: interrupted before a verdict", phase->name);
		break;
	case SG_WATCH_CONSOLE_LOST:
		verdict = SG_VERDICT_ERROR;
		reason = g_strdup_printf("%s: the guest's console closed while it ran (the lab "
					 "connection broke?); %s",
					 phase->name, last_words);
		break;
	default:
		return TRUE;
	}
	sg_result_decide(run->result, verdict, "%s", reason);
	sg_phase_finish(phase, verdict == SG_VERDICT_FAIL ? SG_PHASE_FAILED : SG_PHASE_ERROR,
			reason);
	return FALSE;
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

/* ---- the run on the main loop ------------------------------------------ */

/* One guest phase, as data: install, boot and live differ only in this. */
typedef struct _SgGuestPhase {
	const gchar *name;
	SgConsolePhase console_phase;
	/* The desktop phases stop at the profile's markers, then the screen
	 * must show the desktop drawn; the install runs until the installer
	 * powers the guest off. */
	gboolean desktop;
	gsize timeout_offset; /* of the phase's limits in SgFlavour */
	gsize silence_offset;
	void (*fill)(SgRun *run, SgDomainSpec *spec);
} SgGuestPhase;

static void next_step(SgRun *run);

static void
fill_install(SgRun *run, SgDomainSpec *spec)
{
	spec->disk = run->disk;
	spec->kernel = run->host_kernel;
	spec->initrd = run->host_initrd;
	spec->cmdline = run->flavour->kernel_args;
	spec->cdrom = run->host_image;
	spec->seed_cdrom = run->host_cidata;
	spec->mirror = run->mirror;
}

static void
fill_boot(SgRun *run, SgDomainSpec *spec)
{
	/* no kernel: the disk's own bootloader */
	spec->disk = run->boot_disk != NULL ? run->boot_disk : run->disk;
	spec->disk_backing = run->boot_disk != NULL ? run->disk : NULL;
}

static void
fill_live(SgRun *run, SgDomainSpec *spec)
{
	spec->kernel = run->host_live_kernel;
	spec->initrd = run->host_live_initrd;
	spec->cmdline = run->flavour->live_kernel_args;
	spec->cdrom = run->host_image;
}

static const SgGuestPhase install_phase = {
	"install",
	SG_CONSOLE_PHASE_INSTALL,
	FALSE,
	G_STRUCT_OFFSET(SgFlavour, install_seconds),
	G_STRUCT_OFFSET(SgFlavour, install_silence_seconds),
	fill_install,
};
static const SgGuestPhase boot_phase = {
	"boot",
	SG_CONSOLE_PHASE_DESKTOP,
	TRUE,
	G_STRUCT_OFFSET(SgFlavour, boot_seconds),
	G_STRUCT_OFFSET(SgFlavour, boot_silence_seconds),
	fill_boot,
};
static const SgGuestPhase live_phase = {
	"live",
	SG_CONSOLE_PHASE_DESKTOP,
	TRUE,
	G_STRUCT_OFFSET(SgFlavour, live_seconds),
	G_STRUCT_OFFSET(SgFlavour, live_silence_seconds),
	fill_live,
};

#define PHASE_LIMIT(run, offset) G_STRUCT_MEMBER(guint, (run)->flavour, offset)

static const gchar *
screenshot_name(SgRun *run)
{
	if (run->kind == &live_phase && run->flavour->plan_install)
		return "screenshot-live.png";
	return "screenshot.png";
}

static void
end_guest_phase_state(SgRun *run)
{
	g_clear_pointer(&run->screen, sg_desktop_screen_watch_free);
	g_clear_pointer(&run->watch, sg_watch_free);
	g_clear_pointer(&run->guest, sg_guest_free);
	g_clear_pointer(&run->console, sg_console_free);
	run->kind = NULL;
}

static gboolean
next_step_idle(gpointer user_data)
{
	SgRun *run = user_data;

	run->idle = 0;
	end_guest_phase_state(run);
	next_step(run);
	return G_SOURCE_REMOVE;
}

/* Leaves the callback that called it (a libvirt event, a watch) before the
 * guest and its watches are freed. */
static void
schedule_next_step(SgRun *run)
{
	if (run->idle == 0)
		run->idle = g_idle_add(next_step_idle, run);
}

static void
phase_error(SgRun *run, const GError *error)
{
	sg_result_decide(run->result, SG_VERDICT_ERROR, "%s: %s", run->phase->name, error->message);
	sg_phase_finish(run->phase, SG_PHASE_ERROR, error->message);
	schedule_next_step(run);
}

static void
phase_fail(SgRun *run, const gchar *reason)
{
	sg_result_decide(run->result, SG_VERDICT_FAIL, "%s", reason);
	sg_phase_finish(run->phase, SG_PHASE_FAILED, reason);
	schedule_next_step(run);
}

static void
phase_passed(SgRun *run)
{
	SgConsole *console = run->console;
	g_autofree gchar *detail = NULL;

	if (run->kind == &boot_phase) {
		detail = g_strjoinv(" | ", (gchar **)(const gchar *[]){
						   sg_console_get_marker_line(console, 0),
						   sg_console_get_marker_line(console, 1),
						   sg_console_get_marker_line(console, 2), NULL});
	} else if (run->kind == &live_phase) {
		const gchar *last = sg_console_get_marker_line(
			console, g_strv_length(run->flavour->console_markers) - 1);
		detail = g_strdup(last);
		g_string_append_printf(run->passed, "%slive session reached the desktop (%s)",
				       run->passed->len > 0 ? "; " : "", last != NULL ? last : "");
	} else {
		detail = g_strdup(sg_console_get_last_line(console));
	}
	sg_phase_finish(run->phase, SG_PHASE_PASSED, detail);
	schedule_next_step(run);
}

static void
on_guest_shut_down(gpointer user_data)
{
	phase_passed(user_data);
}

/* The desktop is up (and drawn): the installed system shuts down cleanly so
 * its journal reaches the disk; a live session has nothing to keep. */
static void
leave_desktop(SgRun *run)
{
	guint seconds = run->kind == &boot_phase ? run->flavour->shutdown_seconds : 0;
	sg_guest_shutdown_async(run->guest, seconds, on_guest_shut_down, run);
}

static void
on_screen_done(SgDesktopScreenOutcome outcome, const SgDesktopScreenReport *report,
	       gpointer user_data)
{
	SgRun *run = user_data;
	const gchar *name = run->phase->name;
	g_autofree gchar *reason = NULL;

	if (report->pictures > 0) {
		g_free(run->result->screenshot);
		run->result->screenshot = g_strdup(screenshot_name(run));
		g_free(run->result->screen_kind);
		run->result->screen_kind = g_strdup(sg_screen_kind_to_string(report->kind));
		g_free(run->result->screen_description);
		run->result->screen_description = g_strdup(report->description);
		run->result->screen_seconds = report->seconds;
	}
	switch (outcome) {
	case SG_DESKTOP_SCREEN_DRAWN:
		leave_desktop(run);
		return;
	case SG_DESKTOP_SCREEN_NOT_DRAWN:
		reason = g_strdup_printf("%s: the session opened but the screen stayed blank: %s "
					 "%u s after the desktop's console markers (%s)",
					 name, blank_kind_words(report->kind),
					 run->flavour->draw_seconds, report->description);
		phase_fail(run, reason);
		return;
	case SG_DESKTOP_SCREEN_GUEST_STOPPED:
		reason =
			g_strdup_printf("%s: the guest stopped before its desktop was drawn", name);
		phase_fail(run, reason);
		return;
	case SG_DESKTOP_SCREEN_NO_PICTURE: {
		g_autoptr(GError) error = g_error_new(
			SG_ERROR, SG_ERROR_LAB, "cannot see the screen: %s", report->error_message);
		phase_error(run, error);
		return;
	}
	default: {
		g_autoptr(GError) error =
			g_error_new(SG_ERROR, SG_ERROR_CANCELLED, "interrupted before a verdict");
		phase_error(run, error);
		return;
	}
	}
}

/* The guest stopped by itself: the installer's end, or a desktop that
 * never came. */
static void
guest_stopped(SgRun *run)
{
	SgConsole *console = run->console;
	g_autofree gchar *evidence = NULL;
	g_autofree gchar *reason = NULL;
	const gchar *last = sg_console_get_last_line(console);

	if (run->kind == &install_phase) {
		phase_passed(run);
		return;
	}
	evidence = describe_evidence(run, console);
	if (run->kind == &boot_phase && sg_console_get_bytes(console) == 0)
		reason = g_strdup("boot: the installed disk did not boot: the guest reset with "
				  "nothing on its console");
	else
		reason = g_strdup_printf("%s: the %s stopped before its desktop started (%s); "
					 "last console line: %s",
					 run->phase->name,
					 run->kind == &boot_phase ? "installed system"
								  : "live session",
					 evidence, last != NULL ? last : "(none)");
	phase_fail(run, reason);
}

static void
on_watch_done(SgWatchOutcome outcome, gpointer user_data)
{
	SgRun *run = user_data;
	const SgGuestPhase *kind = run->kind;

	write_screen(run, run->console, kind->name);
	if (outcome == SG_WATCH_MARKERS_SEEN) {
		if (run->flavour->drawn_desktop) {
			g_autofree gchar *path = evidence_path(run, screenshot_name(run));
			if (run->progress != NULL)
				sg_progress_update(run->progress, kind->name, 0,
						   "waiting for the desktop to be drawn");
			run->screen = sg_desktop_screen_watch(
				run->guest, path, run->flavour->draw_seconds, run->cancellable,
				on_screen_done, run);
			return;
		}
		take_screenshot(run, run->guest, screenshot_name(run));
		leave_desktop(run);
		return;
	}
	if (outcome != SG_WATCH_GUEST_STOPPED)
		take_screenshot(run, run->guest, screenshot_name(run));
	g_debug("%s: watch ended %.3f s ago; screenshot taken", kind->name,
		(g_get_monotonic_time() - sg_watch_get_finished(run->watch)) / 1e6);
	/* The verdict waits for nothing the guest could still do. Its console
	 * goes first: libvirt can deadlock when the two happen at once. */
	sg_watch_close_console(run->watch);
	sg_guest_destroy(run->guest);
	g_debug("%s: guest destroyed %.3f s after the watch ended", kind->name,
		(g_get_monotonic_time() - sg_watch_get_finished(run->watch)) / 1e6);
	if (outcome == SG_WATCH_GUEST_STOPPED) {
		guest_stopped(run);
		return;
	}
	judge_watch(run, run->phase, outcome, run->console, PHASE_LIMIT(run, kind->silence_offset),
		    PHASE_LIMIT(run, kind->timeout_offset));
	schedule_next_step(run);
}

static void
start_guest_phase(SgRun *run, const SgGuestPhase *kind)
{
	g_autofree gchar *console_log = NULL;
	g_autofree gchar *name = sg_lab_new_guest_name(run->lab, kind->name);
	g_autoptr(GError) error = NULL;
	SgDomainSpec spec = {
		.name = name,
		.domain_type = run->use_kvm ? "kvm" : "qemu",
		.memory_mib = run->flavour->memory_mib,
		.vcpus = run->flavour->vcpus,
	};

	run->kind = kind;
	run->phase = sg_result_begin_phase(run->result, kind->name);
	run->phase->console = g_strdup_printf("console-%s.log", kind->name);
	console_log = evidence_path(run, run->phase->console);
	if (kind == &install_phase) {
		g_free(run->disk);
		run->disk =
			sg_media_create_disk(run->media, "disk", run->flavour->disk_gib, &error);
		if (run->disk == NULL) {
			phase_error(run, error);
			return;
		}
	}
	run->console = new_console(run, kind->console_phase, &error);
	if (run->console == NULL) {
		phase_error(run, error);
		return;
	}
	kind->fill(run, &spec);
	run->guest = sg_guest_start(run->lab, &spec, &error);
	if (run->guest == NULL) {
		phase_error(run, error);
		return;
	}
	run->watch = sg_watch_start(
		&(SgWatchSpec){
			.phase = kind->name,
			.guest = run->guest,
			.console = run->console,
			.console_path = console_log,
			.timeout_seconds = PHASE_LIMIT(run, kind->timeout_offset),
			.silence_seconds = PHASE_LIMIT(run, kind->silence_offset),
			.stop_on_markers = kind->desktop,
			.cancellable = run->cancellable,
			.progress = run->progress,
		},
		on_watch_done, run, &error);
	if (run->watch == NULL)
		phase_error(run, error);
}

/* --keep-disk: the base as the installer left it, sparse, beside the
 * evidence (@local: the disk as this machine reads it). */
static void
keep_disk(SgRun *run, const gchar *local)
{
	g_autofree gchar *dest = evidence_path(run, "installed.qcow2");
	/* The base, not @local when that is the boot's overlay: a lab host's
	 * base came with it and is kept. */
	g_autofree gchar *source = sg_media_fetch_base(run->media, run->disk, NULL);
	const gchar *argv[] = {"cp", "--sparse=always", source, dest, NULL};
	g_autoptr(GError) error = NULL;
	gint status = 0;

	if (!g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
			  &status, &error) ||
	    !g_spawn_check_wait_status(status, &error))
		g_warning("cannot keep the installed disk as %s: %s", dest, error->message);
}

/*
 * Inspect: what the installed disk says, read with libguestfs on threads
 * (an appliance takes about 15 s to start under TCG).
 *
 * The boot runs on an overlay (a volume backed by the base's on a lab
 * host), so the base stays as the installer left it: its read (the system,
 * the installer's logs, the answer file's user) starts once the booting
 * guest's console has spoken (base_inspect_poll) and runs while it
 * boots. libguestfs reads local disks only: a lab host's base is
 * downloaded first, on the same thread (once per test: the suites'
 * overlays and --keep-disk use that copy).
 * The boot's own evidence (the graphical target, the user's session, the
 * desktop running) comes from its console, which the boot phase has read
 * already. Only when that console does not show it all (a profile whose
 * markers are not those lines) is the overlay read after power-off, for
 * the boot's journal: one more appliance start and the journal read (and
 * on a lab host the overlay's download), about what the whole inspection
 * cost before.
 *
 * With SMOKEGATE_INSPECT_AFTER_BOOT set the disk is read whole after the
 * boot, as before (bench/overlap.sh compares the two).
 */
static void cancel_run(GCancellable *caller, gpointer user_data);

static gboolean
inspect_while_booting(void)
{
	return g_getenv("SMOKEGATE_INSPECT_AFTER_BOOT") == NULL;
}

/* Ends an inspection thread's task: @inspection, or @error when NULL. */
static void
return_inspection(GTask *task, SgInspection *inspection, GError *error)
{
	if (inspection == NULL)
		g_task_return_error(task, error);
	else
		g_task_return_pointer(task, inspection, (GDestroyNotify)sg_inspection_free);
}

/* A thread of its own, not one of GTask's pool: its nice value is raised
 * for good. The appliance's QEMU, forked from it, inherits that value and
 * yields the CPU to the booting guest, whose console silence is timed (a
 * loaded lab host once starved a boot into "did not boot"). */
static gpointer
base_inspect_thread(gpointer data)
{
	g_autoptr(GTask) task = data;
	SgRun *run = g_task_get_task_data(task);
	GCancellable *cancellable = g_task_get_cancellable(task);
	GError *error = NULL;
	g_autofree gchar *local = NULL;
	SgInspection *inspection = NULL;

	if (setpriority(PRIO_PROCESS, gettid(), BASE_INSPECT_NICE) != 0)
		g_debug("inspect: cannot lower the base read's priority: %s", g_strerror(errno));
	local = sg_media_fetch_base(run->media, run->disk, &error);
	if (local != NULL && !g_cancellable_set_error_if_cancelled(cancellable, &error))
		inspection =
			sg_inspect_base(local, run->username, !run->use_kvm, cancellable, &error);
	if (inspection != NULL && run->options->keep_disk)
		keep_disk(run, local);
	return_inspection(task, inspection, error);
	return NULL;
}

static void
on_base_inspected(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SgRun *run = user_data;
	void (*after)(SgRun * run) = g_steal_pointer(&run->after_base);

	run->base_running = FALSE;
	run->base_finished_us = g_get_monotonic_time();
	g_cancellable_disconnect(run->cancellable, run->base_handler);
	run->base_handler = 0;
	run->base_inspection = g_task_propagate_pointer(G_TASK(result), &run->base_error);
	g_debug("inspect: the base read took %.1f s",
		(run->base_finished_us - run->base_started_us) / 1e6);
	if (after != NULL)
		after(run);
}

static void
start_base_thread(SgRun *run)
{
	g_autoptr(GTask) task = NULL;

	run->base_cancellable = g_cancellable_new();
	run->base_handler = g_cancellable_connect(run->cancellable, G_CALLBACK(cancel_run),
						  run->base_cancellable, NULL);
	task = g_task_new(NULL, run->base_cancellable, on_base_inspected, run);
	g_task_set_task_data(task, run, NULL);
	run->base_running = TRUE;
	run->base_started_us = g_get_monotonic_time();
	g_thread_unref(
		g_thread_new("sg-inspect-base", base_inspect_thread, g_steal_pointer(&task)));
}

/* The read starts once the boot's console has spoken: until the guest's
 * kernel runs, nothing competes with it for the CPU, and a disk that does
 * not boot (judged by that silence) is told apart as before. */
static gboolean
base_inspect_poll(gpointer user_data)
{
	SgRun *run = user_data;

	if (!run->result->decided &&
	    (run->kind != &boot_phase || sg_console_get_bytes(run->console) == 0))
		return G_SOURCE_CONTINUE;
	run->base_poll = 0;
	if (!run->result->decided)
		start_base_thread(run);
	return G_SOURCE_REMOVE;
}

/* Between the install and the boot: the base is final once the install
 * passed (a failed install ends the run before this step). */
static void
start_base_inspect(SgRun *run)
{
	if (inspect_while_booting())
		run->base_poll = g_timeout_add(BASE_INSPECT_POLL_MS, base_inspect_poll, run);
	schedule_next_step(run);
}

/* TRUE when the read of the base still runs: @then runs once it ended.
 * The run never ends before it (its appliance would outlive the run, and
 * the lab takes the scratch disk it reads with it). A run already decided
 * (a boot that failed, an interrupt) needs nothing more from it: the read
 * stops once its appliance has started. */
static gboolean
await_base_inspection(SgRun *run, void (*then)(SgRun *run))
{
	if (!run->base_running)
		return FALSE;
	if (run->result->decided)
		g_cancellable_cancel(run->base_cancellable);
	run->after_base = then;
	return TRUE;
}

/* After the boot, on its own thread: the base read whole as before, or only
 * the overlay's logs after the base was read while the guest booted. The
 * main loop leaves run->base_inspection alone while this runs. */
static void
inspect_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	SgRun *run = data;
	GError *error = NULL;
	g_autofree gchar *local = NULL;
	SgInspection *inspection = NULL;

	if (run->base_inspection != NULL) {
		local = sg_media_fetch_disk(run->media, run->boot_disk, &error);
		if (local != NULL && sg_inspect_journal(local, run->username, !run->use_kvm,
							run->base_inspection, &error))
			inspection = g_steal_pointer(&run->base_inspection);
	} else {
		/* libguestfs reads local disks only: a remote host's disk comes
		 * over the connection first (only its allocated data). */
		local = sg_media_fetch_disk(
			run->media, run->boot_disk != NULL ? run->boot_disk : run->disk, &error);
		inspection = local != NULL
				     ? sg_inspect_disk(local, run->username, !run->use_kvm, &error)
				     : NULL;
		if (inspection != NULL && run->options->keep_disk)
			keep_disk(run, local);
	}
	return_inspection(task, inspection, error);
}

static void
judge_inspection(SgRun *run, SgInspection *inspection)
{
	g_autofree gchar *reason = NULL;

	write_inspection(run, inspection);
	if (!sg_judge_inspection(inspection, run->username, &reason)) {
		g_autofree gchar *full = g_strdup_printf("inspect: %s", reason);
		phase_fail(run, full);
		return;
	}
	sg_phase_finish(run->phase, SG_PHASE_PASSED, inspection->desktop_session);
	g_string_append_printf(run->passed, "%sinstalled, booted and reached the desktop (%s)",
			       run->passed->len > 0 ? "; " : "", inspection->desktop_session);
	schedule_next_step(run);
}

static void
on_inspected(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SgRun *run = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(SgInspection) inspection = g_task_propagate_pointer(G_TASK(result), &error);

	if (inspection == NULL) {
		phase_error(run, error);
		return;
	}
	judge_inspection(run, inspection);
}

static void
start_inspect_thread(SgRun *run)
{
	g_autoptr(GTask) task = g_task_new(NULL, NULL, on_inspected, run);

	g_task_set_task_data(task, run, NULL);
	g_task_run_in_thread(task, inspect_thread);
}

/* The base is read: the boot's console adds what the boot showed. */
static void
inspect_booted(SgRun *run)
{
	g_autofree gchar *name = g_strdup_printf("console-%s.log", boot_phase.name);
	g_autofree gchar *path = evidence_path(run, name);
	g_autofree gchar *text = NULL;
	g_autoptr(SgInspection) inspection = g_steal_pointer(&run->base_inspection);

	g_debug("inspect: waited %.1f s for the base read after the boot; %.1f s of it ran "
		"while the guest booted",
		MAX(run->base_finished_us - run->inspect_started_us, 0) / 1e6,
		(MIN(run->base_finished_us, run->inspect_started_us) - run->base_started_us) / 1e6);
	if (g_error_matches(run->base_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		g_autoptr(GError) error =
			g_error_new(SG_ERROR, SG_ERROR_CANCELLED, "interrupted before a verdict");
		phase_error(run, error);
		return;
	}
	if (inspection == NULL) {
		phase_error(run, run->base_error);
		return;
	}
	if (g_file_get_contents(path, &text, NULL, NULL))
		sg_inspection_read_text(inspection, "console", text, run->username);
	if (!sg_inspection_has_desktop(inspection)) {
		run->base_inspection = g_steal_pointer(&inspection);
		start_inspect_thread(run);
		return;
	}
	judge_inspection(run, inspection);
}

static void
start_inspect(SgRun *run)
{
	run->phase = sg_result_begin_phase(run->result, "inspect");
	run->inspect_started_us = g_get_monotonic_time();
	if (run->progress != NULL)
		sg_progress_update(run->progress, "inspect", 0,
				   "reading the installed disk with libguestfs");
	if (run->base_poll != 0) {
		g_clear_handle_id(&run->base_poll, g_source_remove);
		start_base_thread(run);
	}
	if (run->base_cancellable == NULL) {
		start_inspect_thread(run);
		return;
	}
	if (!await_base_inspection(run, inspect_booted))
		inspect_booted(run);
}

/*
 * A guest on a host that went away (its libvirtd stopped, the network or the
 * power went) stops in ways that can look like the image's fault: its
 * console closes, the guest vanishes. Only a pass is evidence enough; any
 * other verdict from a lost host is the lab's.
 */
static void
check_lab_host(SgRun *run)
{
	SgResult *result = run->result;

	if (run->lab == NULL || (result->decided && result->verdict == SG_VERDICT_PASS) ||
	    !sg_lab_is_lost(run->lab))
		return;
	result->lab_lost = TRUE;
	/* What a failing guest showed is kept; the interruption the loss
	 * caused says nothing more. */
	if (result->decided && result->verdict == SG_VERDICT_ERROR)
		g_clear_pointer(&result->reason, g_free);
	sg_result_overrule(result, SG_VERDICT_ERROR, "lost the lab host %s while the test ran",
			   sg_lab_get_uri(run->lab));
}

/* Writes the verdict and hands the result to whoever asked for the run. */
static void
finish_run(SgRun *run)
{
	SgResult *result = run->result;
	g_autoptr(GError) write_error = NULL;
	GTask *task = g_steal_pointer(&run->task);

	check_lab_host(run);
	if (!result->decided)
		sg_result_decide(result, SG_VERDICT_ERROR, "no verdict was reached (harness bug)");
	if (run->progress != NULL)
		sg_progress_clear(run->progress);
	result->finished_us = g_get_real_time();
	if (run->problem_seen_us > 0)
		result->fail_fast_s = (g_get_monotonic_time() - run->problem_seen_us) / 1e6;
	end_guest_phase_state(run);
	if (!sg_result_write(result, run->evidence_dir, &write_error)) {
		g_task_return_new_error(task, SG_ERROR, SG_ERROR_LAB,
					"cannot write the verdict: %s", write_error->message);
	} else {
		g_task_return_pointer(task, g_steal_pointer(&run->result),
				      (GDestroyNotify)sg_result_free);
	}
	g_object_unref(task); /* frees the run */
}

typedef void (*SgStep)(SgRun *run);

static void
start_install(SgRun *run)
{
	start_guest_phase(run, &install_phase);
}

/* The installed disk stays as the installer left it: the boot runs on an
 * overlay of it (on a lab host a volume backed by the base's). */
static void
start_boot(SgRun *run)
{
	g_autoptr(GError) error = NULL;

	run->boot_disk = sg_media_create_overlay(run->media, run->disk, "boot", &error);
	if (run->boot_disk == NULL) {
		run->phase = sg_result_begin_phase(run->result, boot_phase.name);
		phase_error(run, error);
		return;
	}
	start_guest_phase(run, &boot_phase);
}

static void
on_suites_done(gpointer user_data)
{
	SgRun *run = user_data;

	sg_suite_run_judge(run->result, run->passed);
	schedule_next_step(run);
}

/* Each suite on its own overlay of the installed disk, as many at once as
 * the lab host has room for now (sg_suite_run_room). */
static void
run_next_suite(SgRun *run)
{
	sg_suite_run_all_async(
		&(SgSuiteRunSpec){
			.lab = run->lab,
			.flavour = run->flavour,
			.base = run->disk,
			.expect = run->expect,
			.evidence_dir = run->evidence_dir,
			.use_kvm = run->use_kvm,
			.cancellable = run->cancellable,
			.progress = run->progress,
		},
		run->selected, sg_suite_run_room(run->lab, run->options->max_guests, run->flavour),
		run->result, on_suites_done, run);
}

static void
start_suites(SgRun *run)
{
	/* What the answer file and the flavour's profile set, for the suites to check. */
	g_clear_pointer(&run->expect, sg_suite_expect_free);
	run->expect = sg_suite_expect_new(run->flavour, run->answers);
	run_next_suite(run);
}

static void
start_live(SgRun *run)
{
	start_guest_phase(run, &live_phase);
}

static void
on_kvm_probed(gboolean works, const gchar *reason, gpointer user_data)
{
	SgRun *run = user_data;

	run->use_kvm = works;
	run->result->accelerator = g_strdup(works ? "kvm" : "tcg");
	run->result->accelerator_reason = g_strdup(reason);
	if (!works)
		sg_progress_note(run->progress,
				 "KVM does not work on the lab host (%s): guests "
				 "run under TCG",
				 reason);
	sg_phase_finish(run->phase, SG_PHASE_PASSED, reason);
	schedule_next_step(run);
}

/* Whether KVM really runs a guest on the lab host, asked of the host. */
static void
start_kvm_probe(SgRun *run)
{
	g_autofree gchar *state = sg_lab_state_dir();

	run->phase = sg_result_begin_phase(run->result, "kvm-probe");
	sg_kvm_probe_async(run->lab,
			   run->host_kernel != NULL ? run->host_kernel : run->host_live_kernel,
			   state, KVM_PROBE_TIMEOUT_MS, on_kvm_probed, run);
}

/* Every plan of the flavour, in order; the first failure ends the test. */
static void
next_step(SgRun *run)
{
	SgStep step;

	if (run->result->decided || run->steps->len == 0) {
		if (await_base_inspection(run, next_step))
			return;
		if (!run->result->decided)
			sg_result_decide(run->result, SG_VERDICT_PASS, "%s", run->passed->str);
		finish_run(run);
		return;
	}
	step = (SgStep)g_ptr_array_steal_index(run->steps, 0);
	step(run);
}

static void
plan_steps(SgRun *run)
{
	run->steps = g_ptr_array_new();
	if (run->result->accelerator == NULL)
		g_ptr_array_add(run->steps, start_kvm_probe);
	if (run->flavour->plan_install) {
		g_ptr_array_add(run->steps, start_install);
		g_ptr_array_add(run->steps, start_base_inspect);
		g_ptr_array_add(run->steps, start_boot);
		g_ptr_array_add(run->steps, start_inspect);
		if (run->selected != NULL)
			g_ptr_array_add(run->steps, start_suites);
	}
	if (run->flavour->plan_live)
		g_ptr_array_add(run->steps, start_live);
}

static void
prepare_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	SgRun *run = data;
	GError *error = NULL;

	if (!check_inputs(run, &error) || !prepare(run, &error))
		g_task_return_error(task, error);
	else
		g_task_return_boolean(task, TRUE);
}

/* The host went away: nothing more can be learnt there. The steps end as
 * if interrupted and the verdict is the lab's (check_lab_host). */
static void
on_lab_lost(gpointer user_data)
{
	SgRun *run = user_data;

	g_cancellable_cancel(run->cancellable);
}

static void
cancel_run(GCancellable *caller, gpointer user_data)
{
	g_cancellable_cancel(user_data);
}

static void
on_prepared(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SgRun *run = user_data;
	GError *error = NULL;

	if (!g_task_propagate_boolean(G_TASK(result), &error)) {
		GTask *task = g_steal_pointer(&run->task);
		g_task_return_error(task, error);
		g_object_unref(task);
		return;
	}
	if (run->result->decided) {
		finish_run(run);
		return;
	}
	run->lost_watch = sg_lab_watch_lost(run->lab, on_lab_lost, run);
	if (sg_lab_is_lost(run->lab))
		on_lab_lost(run);
	plan_steps(run);
	next_step(run);
}

void
sg_test_run_async(const SgTestOptions *options, SgProgress *progress, GCancellable *cancellable,
		  GAsyncReadyCallback callback, gpointer user_data)
{
	SgRun *run = g_new0(SgRun, 1);
	g_autoptr(GTask) prepare_task = NULL;

	run->options = options;
	run->progress = progress;
	run->cancellable = g_cancellable_new();
	if (cancellable != NULL) {
		run->caller_cancellable = g_object_ref(cancellable);
		run->caller_handler = g_cancellable_connect(cancellable, G_CALLBACK(cancel_run),
							    run->cancellable, NULL);
	}
	run->result = sg_result_new();
	run->passed = g_string_new(NULL);
	run->result->image = g_canonicalize_filename(options->image, NULL);
	run->task = g_task_new(NULL, cancellable, callback, user_data);
	g_task_set_task_data(run->task, run, (GDestroyNotify)sg_run_free);
	/* Hashing, reading the ISO and opening the lab block: a thread. */
	prepare_task = g_task_new(NULL, NULL, on_prepared, run);
	g_task_set_task_data(prepare_task, run, NULL);
	g_task_run_in_thread(prepare_task, prepare_thread);
}

SgResult *
sg_test_run_finish(GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

typedef struct {
	const SgTestOptions *options;
	SgProgress *progress;
	GCancellable *cancellable;
	SgWorkerWait wait;
	SgResult *result;
	GError *error;
} SgTestRunWait;

static void
on_run_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SgTestRunWait *wait = user_data;

	wait->result = sg_test_run_finish(result, &wait->error);
	sg_worker_wait_done(&wait->wait);
}

static gboolean
start_on_main_loop(gpointer user_data)
{
	SgTestRunWait *wait = user_data;
	sg_test_run_async(wait->options, wait->progress, wait->cancellable, on_run_done, wait);
	return G_SOURCE_REMOVE;
}

SgResult *
sg_test_run(const SgTestOptions *options, SgProgress *progress, GCancellable *cancellable,
	    GError **error)
{
	SgTestRunWait wait = {options, progress, cancellable};

	sg_worker_wait(&wait.wait, start_on_main_loop, &wait);
	if (wait.error != NULL)
		g_propagate_error(error, wait.error);
	return wait.result;
}
