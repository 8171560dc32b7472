#include "sg-test-run.h"

#include <json-glib/json-glib.h>

#include "sg-answer-server.h"
#include "sg-disk-read.h"
#include "sg-error.h"
#include "sg-guest-phase.h"
#include "sg-judge.h"
#include "sg-kvm-probe.h"
#include "sg-media.h"
#include "sg-suite-run.h"
#include "sg-worker.h"

/* A KVM guest that works prints its kernel's first line well within this. */
#define KVM_PROBE_TIMEOUT_MS 4000

/*
 * The run: the plan's steps in order on the main loop, each a guest phase
 * (sg-guest-phase.h), a read of the installed disk (sg-disk-read.h), the
 * KVM probe or the suites. The run alone writes the result: the verdict is
 * on disk the moment a step decides it, and the teardown comes after.
 */
typedef struct _SgRun SgRun;
typedef void (*SgStep)(SgRun *run);

struct _SgRun {
	SgPlan *plan; /* what prepare decided, read only; NULL until then */
	SgProgress *progress;
	/* Cancelled by the caller's, or when the lab host is lost. */
	GCancellable *cancellable;
	GCancellable *caller;
	gulong caller_handler;
	guint lost_watch;
	GTask *task;
	SgResult *result;
	GPtrArray *steps; /* of SgStep, what is left to do, in order */
	guint idle;	  /* the next step, once the one that ended is left */
	gboolean decided; /* a step failed: no step more */
	gboolean use_kvm; /* the plan's choice, or the KVM probe's answer */
	SgPhase *phase;	  /* the result's record of the step under way */
	SgGuestPhase *guest;
	SgDiskRead *disk;	/* the installed disk, once the install made it */
	GString *passed;	/* what each step proved, for the pass reason */
	gint64 problem_seen_us; /* monotonic time the failing console line was read */
	/* The firmware matrix's boot checks still to run (SgFirmwareEntry *
	 * of the plan), and the one under way. */
	GQueue checks;
	const SgFirmwareEntry *firmware;
	/* Serves the answer file to the installer (url=), NULL when it reads
	 * it elsewhere; when the install's guest was powered on. */
	SgAnswerServer *answers;
	gint64 install_started_us;
};

static void
sg_run_free(SgRun *run)
{
	g_assert(run->guest == NULL && run->idle == 0);
	g_clear_pointer(&run->steps, g_ptr_array_unref);
	g_clear_pointer(&run->disk, sg_disk_read_free);
	g_queue_clear(&run->checks);
	if (run->answers != NULL)
		sg_answer_server_stop(run->answers);
	g_clear_object(&run->answers);
	if (run->lost_watch != 0)
		sg_lab_unwatch_lost(run->plan->lab, run->lost_watch);
	g_clear_pointer(&run->plan, sg_plan_free);
	if (run->caller != NULL)
		g_cancellable_disconnect(run->caller, run->caller_handler);
	g_clear_object(&run->caller);
	g_clear_object(&run->cancellable);
	g_clear_pointer(&run->result, sg_result_free);
	g_string_free(run->passed, TRUE);
	g_free(run);
}

/* ---- the verdict --------------------------------------------------------- */

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
	SgLab *lab = run->plan != NULL ? run->plan->lab : NULL;

	if (lab == NULL || result->lab_lost ||
	    (result->decided && result->verdict == SG_VERDICT_PASS) || !sg_lab_is_lost(lab))
		return;
	result->lab_lost = TRUE;
	/* What a failing guest showed is kept; the interruption the loss
	 * caused says nothing more. */
	if (result->decided && result->verdict == SG_VERDICT_ERROR)
		g_clear_pointer(&result->reason, g_free);
	sg_result_overrule(result, SG_VERDICT_ERROR, "lost the lab host %s while the test ran",
			   sg_lab_get_uri(lab));
}

static gboolean
write_result(SgRun *run, GError **error)
{
	SgResult *result = run->result;

	check_lab_host(run);
	result->finished_us = g_get_real_time();
	/* From the failing line to this write, once: the teardown is not in it. */
	if (run->problem_seen_us > 0 && result->fail_fast_s < 0)
		result->fail_fast_s = (g_get_monotonic_time() - run->problem_seen_us) / 1e6;
	return sg_result_write(result, result->evidence_dir, error);
}

/* A step failed (@verdict FAIL: the image is bad; ERROR: it could not be
 * judged): the verdict goes to disk now, before anything is torn down. */
static void
decide(SgRun *run, SgVerdict verdict, const gchar *reason, const gchar *detail)
{
	g_autoptr(GError) error = NULL;

	run->decided = TRUE;
	sg_result_decide(run->result, verdict, "%s", reason);
	if (run->phase != NULL)
		sg_phase_finish(run->phase,
				verdict == SG_VERDICT_FAIL ? SG_PHASE_FAILED : SG_PHASE_ERROR,
				detail != NULL ? detail : reason);
	if (!write_result(run, &error))
		g_warning("cannot write the verdict: %s", error->message);
}

/* After the teardown: result.json once more (the pictures taken as the
 * guest went, the lab host's loss), the lab closed (no guest, disk or
 * volume left), and the result to whoever asked for the run. */
static void
finish_run(SgRun *run)
{
	g_autoptr(GError) write_error = NULL;
	GTask *task = g_steal_pointer(&run->task);
	gboolean written;

	if (run->progress != NULL)
		sg_progress_clear(run->progress);
	written = write_result(run, &write_error);
	if (run->lost_watch != 0)
		sg_lab_unwatch_lost(run->plan->lab, run->lost_watch);
	run->lost_watch = 0;
	g_clear_pointer(&run->disk, sg_disk_read_free);
	g_clear_pointer(&run->plan, sg_plan_free);
	if (!written)
		g_task_return_new_error(task, SG_ERROR, SG_ERROR_LAB,
					"cannot write the verdict: %s", write_error->message);
	else
		g_task_return_pointer(task, g_steal_pointer(&run->result),
				      (GDestroyNotify)sg_result_free);
	g_object_unref(task); /* frees the run */
}

static void next_step(SgRun *run);

/* Every step, the reads of the disk and the guests ended: the verdict. */
static void
end_run(gpointer user_data)
{
	SgRun *run = user_data;

	if (sg_disk_read_await(run->disk, run->decided, end_run, run))
		return;
	if (!run->decided)
		sg_result_decide(run->result, SG_VERDICT_PASS, "%s", run->passed->str);
	finish_run(run);
}

static gboolean
next_step_idle(gpointer user_data)
{
	SgRun *run = user_data;

	run->idle = 0;
	next_step(run);
	return G_SOURCE_REMOVE;
}

/* Leaves the callback that ended the step (a libvirt event, a thread's
 * task) before the next one starts. */
static void
step_done(SgRun *run)
{
	run->phase = NULL;
	if (run->idle == 0)
		run->idle = g_idle_add(next_step_idle, run);
}

static void
step_error(SgRun *run, const GError *error)
{
	g_autofree gchar *reason = g_strdup_printf("%s: %s", run->phase->name, error->message);

	decide(run, SG_VERDICT_ERROR, reason, error->message);
	step_done(run);
}

/* ---- the guest phases ---------------------------------------------------- */

/* A picture of the screen, kept as the result's unless the desktop's own
 * is there already. */
static void
note_screenshot(SgRun *run, const gchar *name)
{
	if (run->result->screenshot == NULL || g_str_equal(name, "screenshot.png")) {
		g_free(run->result->screenshot);
		run->result->screenshot = g_strdup(name);
	}
}

static void
on_phase_stopped(SgGuestPhase *phase, const gchar *screenshot, gpointer user_data)
{
	SgRun *run = user_data;

	if (screenshot != NULL)
		note_screenshot(run, screenshot);
	g_clear_pointer(&run->guest, sg_guest_phase_free);
	step_done(run);
}

/* How the guest booted through its firmware, for result.json. */
static void
record_boot(SgRun *run, SgBootDriver *boot)
{
	SgBootRecord *record = g_new0(SgBootRecord, 1);
	const SgBootLoader *loader = sg_plan_loader(run->plan, run->firmware->firmware);
	g_autofree gchar *menu = g_strdup_printf("boot-menu-%s.txt", run->phase->name);
	g_autofree gchar *menu_path = sg_plan_evidence_path(run->plan, menu);

	record->firmware = g_strdup(sg_firmware_to_string(run->firmware->firmware));
	record->secure_boot = run->firmware->firmware == SG_FIRMWARE_UEFI_SECURE_BOOT;
	if (loader != NULL && !sg_guest_phase_boots_disk(run->phase->name))
		record->loader = g_strdup(loader->second_stage != NULL		? "GRUB via shim"
					  : loader->kind == SG_BOOT_LOADER_GRUB ? "GRUB"
					  : loader->kind == SG_BOOT_LOADER_ISOLINUX ? "isolinux"
										    : "unknown");
	record->menu_entry = g_strdup(sg_boot_driver_get_menu_screen(boot) != NULL
					      ? sg_boot_driver_get_entry(boot)
					      : NULL);
	record->cmdline = g_strdup(sg_boot_driver_get_cmdline(boot));
	record->keys = g_strdup(sg_boot_driver_get_keys(boot));
	record->seconds_to_kernel = sg_boot_driver_get_seconds_to_kernel(boot);
	if (g_file_test(menu_path, G_FILE_TEST_EXISTS))
		record->menu = g_steal_pointer(&menu);
	sg_boot_record_free(run->phase->boot);
	run->phase->boot = record;
}

/* What the boot said of its firmware, in the matrix. A boot of the
 * installed disk says nothing of the image's own boot. */
static void
record_firmware(SgRun *run, SgBootDriver *boot, const gchar *reason)
{
	SgFirmwareResult *entry = sg_result_find_firmware(
		run->result, sg_firmware_to_string(run->firmware->firmware));

	if (entry == NULL || sg_guest_phase_boots_disk(run->phase->name) ||
	    entry->status == SG_FIRMWARE_BOOTED)
		return;
	switch (sg_boot_driver_get_state(boot)) {
	case SG_BOOT_DRIVER_KERNEL_STARTED:
		entry->status = SG_FIRMWARE_BOOTED;
		break;
	case SG_BOOT_DRIVER_FAILED:
		entry->status = SG_FIRMWARE_FAILED;
		entry->reason = g_strdup(reason);
		break;
	case SG_BOOT_DRIVER_NOT_JUDGED:
		entry->status = SG_FIRMWARE_NOT_JUDGED;
		entry->reason = g_strdup(reason);
		break;
	default:
		return;
	}
	g_free(entry->phase);
	entry->phase = g_strdup(run->phase->name);
}

static void
on_phase_done(SgGuestPhase *phase, const SgGuestPhaseOutcome *outcome, gpointer user_data)
{
	SgRun *run = user_data;
	SgResult *result = run->result;

	if (outcome->boot != NULL) {
		record_boot(run, outcome->boot);
		record_firmware(run, outcome->boot, outcome->reason);
	}
	/* A firmware merely reported on: its failure is noted, not the
	 * image's fail. */
	if (outcome->verdict != SG_VERDICT_PASS && !run->firmware->required) {
		g_string_append_printf(run->passed, "%s%s (reported, not required)",
				       run->passed->len > 0 ? "; " : "", outcome->reason);
		sg_phase_finish(run->phase,
				outcome->verdict == SG_VERDICT_FAIL ? SG_PHASE_FAILED
								    : SG_PHASE_ERROR,
				outcome->detail);
		sg_guest_phase_stop(phase, on_phase_stopped, run);
		return;
	}

	if (outcome->screen != NULL) {
		g_free(result->screenshot);
		result->screenshot = g_strdup(outcome->screenshot);
		g_free(result->screen_kind);
		result->screen_kind = g_strdup(sg_screen_kind_to_string(outcome->screen->kind));
		g_free(result->screen_description);
		result->screen_description = g_strdup(outcome->screen->description);
		result->screen_seconds = outcome->screen->seconds;
	} else if (outcome->screenshot != NULL) {
		note_screenshot(run, outcome->screenshot);
	}
	if (outcome->verdict == SG_VERDICT_PASS) {
		sg_phase_finish(run->phase, SG_PHASE_PASSED, outcome->detail);
		if (outcome->proved != NULL)
			g_string_append_printf(run->passed, "%s%s",
					       run->passed->len > 0 ? "; " : "", outcome->proved);
	} else {
		run->problem_seen_us = outcome->problem_seen_us;
		decide(run, outcome->verdict, outcome->reason, outcome->detail);
	}
	sg_guest_phase_stop(phase, on_phase_stopped, run);
}

static void
on_boot_spoke(gpointer user_data)
{
	SgRun *run = user_data;

	/* Until the guest's kernel runs, nothing competes with it for the CPU,
	 * and a disk that does not boot (judged by that silence) is told apart
	 * as before. */
	sg_disk_read_boot_started(run->disk);
}

/* What the test adds to the kernel line for the install: the profile's
 * arguments, and where the answer file is. */
static gchar *
install_args(SgRun *run)
{
	const SgPlan *plan = run->plan;
	GString *args = g_string_new(NULL);

	if (plan->boot_method == SG_BOOT_METHOD_FIRMWARE)
		g_string_append(args, plan->flavour->kernel_args);
	if (plan->answers_cmdline != NULL && plan->answers_cmdline[0] != '\0')
		g_string_append_printf(args, " %s", plan->answers_cmdline);
	/* d-i reads /preseed.cfg at the initrd's root by itself; casper is
	 * told where it is. */
	if (plan->answers_delivery == SG_ANSWERS_INITRD &&
	    plan->flavour->family == SG_FAMILY_UBIQUITY)
		g_string_append(args, " file=/preseed.cfg");
	if (run->answers != NULL) {
		g_autofree gchar *url = sg_answer_server_guest_url(
			run->answers, SG_DOMAIN_ANSWERS_ADDRESS, 80, "preseed.cfg");
		g_string_append_printf(args, " url=%s", url);
		g_free(run->result->answers_url);
		run->result->answers_url = g_strdup(url);
	}
	return g_strstrip(g_string_free(args, FALSE));
}

static void
start_guest_phase(SgRun *run, const SgGuestPhaseKind *kind, const gchar *name, const gchar *args,
		  const gchar *disk, const gchar *disk_backing)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *answers = run->answers != NULL && kind == &sg_guest_phase_install
					    ? sg_answer_server_host_address(run->answers)
					    : NULL;
	SgGuestPhaseSpec spec = {
		.kind = kind,
		.name = name,
		.plan = run->plan,
		.firmware = run->firmware->firmware,
		.nvram = run->firmware->nvram,
		.args = args,
		.answers = answers,
		.disk = disk,
		.disk_backing = disk_backing,
		.use_kvm = run->use_kvm,
		/* A live session after an install keeps the installed desktop's. */
		.screenshot = kind == &sg_guest_phase_live && run->plan->flavour->plan_install
				      ? "screenshot-live.png"
				      : "screenshot.png",
		.cancellable = run->cancellable,
		.progress = run->progress,
		.first_bytes = kind == &sg_guest_phase_boot ? on_boot_spoke : NULL,
	};

	run->guest = sg_guest_phase_start(&spec, on_phase_done, run, &error);
	if (run->guest == NULL)
		step_error(run, error);
}

static void
begin_phase(SgRun *run, const gchar *name, gboolean console)
{
	run->phase = sg_result_begin_phase(run->result, name);
	if (console)
		run->phase->console = g_strdup_printf("console-%s.log", name);
}

static void
start_install(SgRun *run)
{
	SgPlan *plan = run->plan;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *keep_as =
		plan->keep_disk ? sg_plan_evidence_path(plan, "installed.qcow2") : NULL;
	g_autofree gchar *disk = NULL;

	g_autofree gchar *args = NULL;

	begin_phase(run, sg_guest_phase_install.name, TRUE);
	run->firmware = sg_plan_main_firmware(plan);
	if (plan->answers_delivery == SG_ANSWERS_URL) {
		run->answers = sg_answer_server_new(NULL, &error);
		if (run->answers == NULL ||
		    !sg_answer_server_add_data(run->answers, "preseed.cfg", plan->answers,
					       strlen(plan->answers), &error)) {
			step_error(run, error);
			return;
		}
	}
	args = install_args(run);
	disk = sg_media_create_disk(sg_lab_get_media(plan->lab, NULL), "disk",
				    plan->flavour->disk_gib, &error);
	if (disk == NULL) {
		step_error(run, error);
		return;
	}
	run->disk = sg_disk_read_new(
		&(SgDiskReadSpec){
			.lab = plan->lab,
			.username = plan->username,
			.force_tcg = !run->use_kvm,
			.keep_as = keep_as,
			.cancellable = run->cancellable,
		},
		disk);
	run->install_started_us = g_get_monotonic_time();
	start_guest_phase(run, &sg_guest_phase_install, NULL, args, disk, NULL);
}

/* When the installer fetched its answer file, and what it was told. */
static void
note_answers_fetch(SgRun *run)
{
	GPtrArray *requests =
		run->answers != NULL ? sg_answer_server_get_requests(run->answers) : NULL;

	for (guint i = 0; requests != NULL && i < requests->len; i++) {
		SgAnswerRequest *request = g_ptr_array_index(requests, i);
		if (request->status == 200 && g_str_has_suffix(request->path, "/preseed.cfg")) {
			run->result->answers_fetched_s =
				(request->monotonic_us - run->install_started_us) / 1e6;
			return;
		}
	}
}

/* The installed disk stays as the installer left it: the boot runs on an
 * overlay of it (on a lab host a volume backed by the base's). */
/* A kept disk installed under UEFI boots only with the variable store its
 * installer wrote its boot entry to: kept beside it as it was after the
 * install, installed.FIRMWARE.fd (`suite run --disk` finds it there). */
static void
keep_nvram(SgRun *run)
{
	const SgFirmwareEntry *firmware = run->firmware;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *name = NULL;
	g_autofree gchar *kept = NULL;
	g_autofree gchar *local = NULL;
	g_autoptr(GFile) from = NULL;
	g_autoptr(GFile) to = NULL;

	if (!run->plan->keep_disk || firmware == NULL || firmware->nvram == NULL)
		return;
	name = g_strdup_printf("installed.%s.fd", sg_firmware_to_string(firmware->firmware));
	kept = sg_plan_evidence_path(run->plan, name);
	local = sg_media_fetch_nvram(sg_lab_get_media(run->plan->lab, NULL), firmware->nvram,
				     &error);
	from = local != NULL ? g_file_new_for_path(local) : NULL;
	to = g_file_new_for_path(kept);
	if (local == NULL ||
	    !g_file_copy(from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error))
		g_warning("cannot keep the installed variable store as %s: %s", kept,
			  error->message);
}

static void
start_boot(SgRun *run)
{
	g_autoptr(GError) error = NULL;
	const gchar *overlay = sg_disk_read_create_overlay(run->disk, &error);

	if (overlay == NULL) {
		begin_phase(run, sg_guest_phase_boot.name, FALSE);
		step_error(run, error);
		return;
	}
	note_answers_fetch(run);
	begin_phase(run, sg_guest_phase_boot.name, TRUE);
	run->firmware = sg_plan_main_firmware(run->plan);
	keep_nvram(run);
	start_guest_phase(run, &sg_guest_phase_boot, NULL, NULL, overlay,
			  sg_disk_read_get_base(run->disk));
}

static void
start_live(SgRun *run)
{
	begin_phase(run, sg_guest_phase_live.name, TRUE);
	run->firmware = sg_plan_main_firmware(run->plan);
	start_guest_phase(run, &sg_guest_phase_live, NULL,
			  run->plan->boot_method == SG_BOOT_METHOD_FIRMWARE
				  ? run->plan->flavour->live_kernel_args
				  : NULL,
			  NULL, NULL);
}

/* The image through another firmware up to its kernel: seconds, not a
 * second install. What is typed is the console (and what else the
 * profile's kernel line holds), without the answer file. */
static void
start_boot_check(SgRun *run)
{
	const SgFlavour *flavour = run->plan->flavour;
	g_autofree gchar *name = NULL;

	run->firmware = g_queue_pop_head(&run->checks);
	name = g_strdup_printf("bootcheck-%s", sg_firmware_to_string(run->firmware->firmware));
	begin_phase(run, name, TRUE);
	start_guest_phase(run, &sg_guest_phase_boot_check, name,
			  flavour->plan_install ? flavour->kernel_args : flavour->live_kernel_args,
			  NULL, NULL);
}

/* ---- the disk, the suites, the KVM probe --------------------------------- */

static void
write_inspection(SgRun *run, SgInspection *inspection)
{
	g_autoptr(JsonGenerator) generator = json_generator_new();
	g_autofree gchar *path = sg_plan_evidence_path(run->plan, "inspection.json");
	g_autoptr(GError) error = NULL;

	json_generator_set_root(generator, inspection->report);
	json_generator_set_pretty(generator, TRUE);
	if (!json_generator_to_file(generator, path, &error)) {
		g_warning("cannot write %s: %s", path, error->message);
		return;
	}
	run->result->inspection = g_strdup("inspection.json");
}

static void
on_inspected(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SgRun *run = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(SgInspection) inspection = sg_disk_read_inspect_finish(result, &error);
	g_autofree gchar *reason = NULL;

	if (inspection == NULL) {
		step_error(run, error);
		return;
	}
	write_inspection(run, inspection);
	if (!sg_judge_inspection(inspection, run->plan->username, &reason)) {
		g_autofree gchar *full = g_strdup_printf("inspect: %s", reason);
		decide(run, SG_VERDICT_FAIL, full, NULL);
		step_done(run);
		return;
	}
	sg_phase_finish(run->phase, SG_PHASE_PASSED, inspection->desktop_session);
	g_string_append_printf(run->passed, "%sinstalled, booted and reached the desktop (%s)",
			       run->passed->len > 0 ? "; " : "", inspection->desktop_session);
	step_done(run);
}

static void
start_inspect(SgRun *run)
{
	g_autofree gchar *console_log = sg_plan_evidence_path(run->plan, "console-boot.log");

	begin_phase(run, "inspect", FALSE);
	if (run->progress != NULL)
		sg_progress_update(run->progress, "inspect", 0,
				   "reading the installed disk with libguestfs");
	sg_disk_read_inspect_async(run->disk, console_log, on_inspected, run);
}

static void
on_suites_done(gpointer user_data)
{
	SgRun *run = user_data;
	g_autofree gchar *reason = NULL;
	SgVerdict verdict = sg_suite_run_judge(run->result->suites, run->passed, &reason);

	if (verdict != SG_VERDICT_PASS)
		decide(run, verdict, reason, NULL);
	step_done(run);
}

/* Each suite on its own overlay of the installed disk, as many at once as
 * the lab host has room for now. */
static void
start_suites(SgRun *run)
{
	sg_suite_run_plan_async(run->plan, sg_disk_read_get_base(run->disk), run->use_kvm,
				run->cancellable, run->progress, run->result, on_suites_done, run);
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
	step_done(run);
}

/* Whether KVM really runs a guest on the lab host, asked of the host. */
static void
start_kvm_probe(SgRun *run)
{
	g_autofree gchar *state = sg_lab_state_dir();
	SgPlanMedia *media = &run->plan->media;

	begin_phase(run, "kvm-probe", FALSE);
	sg_kvm_probe_async(run->plan->lab, run->plan->arch, run->plan->emulation,
			   media->kernel != NULL	? media->kernel
			   : media->live_kernel != NULL ? media->live_kernel
							: media->probe_kernel,
			   state, KVM_PROBE_TIMEOUT_MS, on_kvm_probed, run);
}

/* ---- the steps ------------------------------------------------------------ */

/* Every plan of the flavour, in order; the first failure ends the test. */
static void
next_step(SgRun *run)
{
	SgStep step;

	if (run->decided || run->steps->len == 0) {
		end_run(run);
		return;
	}
	step = (SgStep)g_ptr_array_steal_index(run->steps, 0);
	step(run);
}

static GPtrArray *
plan_steps(SgRun *run)
{
	const SgPlan *plan = run->plan;
	const SgFirmwareEntry *main_firmware = sg_plan_main_firmware(plan);
	GPtrArray *steps = g_ptr_array_new();

	if (plan->accel == SG_ACCEL_AUTO)
		g_ptr_array_add(steps, start_kvm_probe);
	/* Each other firmware first: seconds each, and a required one that
	 * fails spares the install. */
	for (guint i = 0; plan->boot_method == SG_BOOT_METHOD_FIRMWARE && i < plan->firmwares->len;
	     i++) {
		const SgFirmwareEntry *entry = &g_array_index(plan->firmwares, SgFirmwareEntry, i);
		if (entry == main_firmware || entry->not_applicable != NULL)
			continue;
		g_queue_push_tail(&run->checks, (gpointer)entry);
		g_ptr_array_add(steps, start_boot_check);
	}
	if (plan->flavour->plan_install) {
		g_ptr_array_add(steps, start_install);
		g_ptr_array_add(steps, start_boot);
		g_ptr_array_add(steps, start_inspect);
		if (plan->selected != NULL)
			g_ptr_array_add(steps, start_suites);
	}
	if (plan->flavour->plan_live)
		g_ptr_array_add(steps, start_live);
	return steps;
}

/* What prepare learnt, for result.json. */
static void
record_plan(SgResult *result, const SgPlan *plan)
{
	result->evidence_dir = g_strdup(plan->evidence_dir);
	result->sha256 = g_strdup(plan->sha256);
	result->size = plan->size;
	if (plan->flavour != NULL) {
		result->flavour = g_strdup(plan->flavour->name);
		result->profile_verified = g_strdup(plan->flavour->verified);
	}
	result->generic = plan->generic_hint != NULL;
	result->generic_hint = g_strdup(plan->generic_hint);
	if (plan->lab != NULL)
		result->connection = g_strdup(sg_lab_get_uri(plan->lab));
	result->image_uploaded_bytes = plan->image_uploaded_bytes;
	result->arch = g_strdup(plan->arch);
	result->arch_source = g_strdup(plan->arch_source);
	result->emulation = g_strdup(plan->emulation);
	result->limit_factor = plan->limit_factor;
	if (plan->firmwares != NULL) {
		result->boot_method = g_strdup(
			plan->boot_method == SG_BOOT_METHOD_DIRECT ? "direct" : "firmware");
		result->boot_method_reason = g_strdup(plan->boot_method_reason);
		for (guint i = 0; i < plan->firmwares->len; i++) {
			const SgFirmwareEntry *entry =
				&g_array_index(plan->firmwares, SgFirmwareEntry, i);
			SgFirmwareResult *matrix = sg_result_add_firmware(
				result, sg_firmware_to_string(entry->firmware), entry->required);
			if (entry->not_applicable != NULL) {
				matrix->status = SG_FIRMWARE_NOT_APPLICABLE;
				matrix->reason = g_strdup(entry->not_applicable);
			}
		}
	}
	if (plan->problem == NULL && plan->accel != SG_ACCEL_AUTO) {
		result->accelerator = g_strdup(plan->accel == SG_ACCEL_KVM ? "kvm" : "tcg");
		result->accelerator_reason = g_strdup("chosen with --accel");
	}
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
on_prepared(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SgRun *run = user_data;
	GError *error = NULL;
	SgPlan *plan = sg_prepare_finish(result, &error);

	if (plan == NULL) {
		GTask *task = g_steal_pointer(&run->task);
		g_task_return_error(task, error);
		g_object_unref(task);
		return;
	}
	run->plan = plan;
	record_plan(run->result, plan);
	if (plan->problem != NULL) {
		decide(run,
		       g_error_matches(plan->problem, SG_ERROR, SG_ERROR_IMAGE) ? SG_VERDICT_FAIL
										: SG_VERDICT_ERROR,
		       plan->problem->message, NULL);
		end_run(run);
		return;
	}
	sg_phase_finish(run->phase, SG_PHASE_PASSED, NULL);
	run->use_kvm = plan->accel == SG_ACCEL_KVM;
	run->lost_watch = sg_lab_watch_lost(plan->lab, on_lab_lost, run);
	if (sg_lab_is_lost(plan->lab))
		on_lab_lost(run);
	run->steps = plan_steps(run);
	next_step(run);
}

static void
cancel_run(GCancellable *caller, gpointer user_data)
{
	g_cancellable_cancel(user_data);
}

void
sg_test_run_async(const SgTestOptions *options, SgProgress *progress, GCancellable *cancellable,
		  GAsyncReadyCallback callback, gpointer user_data)
{
	SgRun *run = g_new0(SgRun, 1);

	run->progress = progress;
	run->cancellable = g_cancellable_new();
	if (cancellable != NULL) {
		run->caller = g_object_ref(cancellable);
		run->caller_handler = g_cancellable_connect(cancellable, G_CALLBACK(cancel_run),
							    run->cancellable, NULL);
	}
	run->result = sg_result_new();
	run->passed = g_string_new(NULL);
	run->result->image = g_canonicalize_filename(options->image, NULL);
	run->task = g_task_new(NULL, cancellable, callback, user_data);
	g_task_set_task_data(run->task, run, (GDestroyNotify)sg_run_free);
	begin_phase(run, "prepare", FALSE);
	sg_prepare_async(options, run->cancellable, on_prepared, run);
}

SgResult *
sg_test_run_finish(GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
}

/* ---- the blocking form, until the gate runs on the main loop -------------- */

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
