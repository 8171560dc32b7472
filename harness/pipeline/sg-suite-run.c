#include "sg-suite-run.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "sg-console-stream.h"
#include "sg-console.h"
#include "sg-disk.h"
#include "sg-emulation.h"
#include "sg-error.h"
#include "sg-files.h"
#include "sg-guest-teardown.h"
#include "sg-kvm-probe.h"
#include "sg-lab-room.h"
#include "sg-media.h"
#include "sg-prepare.h"
#include "sg-suite-disk.h"
#include "sg-tap.h"
#include "sg-watch.h"

typedef struct {
	SgSuiteRunSpec spec; /* borrowed pointers: the caller keeps them until done */
	SgSuiteResult *result;
	SgSuiteRunDone done;
	gpointer user_data;
	gchar *dir; /* the suite's evidence folder */
	SgMedia *media;
	/* The suite's overlay as the lab host sees it (a volume there, else a
	 * local file), deleted afterwards; its backing file is spec.base. */
	gchar *overlay;
	gchar *socket; /* the channel's, on this machine; NULL on a lab host */
	SgConsole *console;
	SgGuest *guest;
	SgWatch *watch;
	SgConsoleStream *channel;
	GString *channel_tap; /* what came on the channel */
	SgTap *tap;	      /* the same, read as it came */
	gchar *file_tap;      /* the fallback file, read after power-off */
	guint start_timer;
	guint stop_idle;
	gboolean stopped;
	/* Why the guest was stopped before the TAP was complete, NULL when it
	 * was. */
	gchar *stop_why;
} SgSuiteRun;

static void
sg_suite_run_free(SgSuiteRun *run)
{
	g_clear_handle_id(&run->start_timer, g_source_remove);
	g_clear_handle_id(&run->stop_idle, g_source_remove);
	g_clear_pointer(&run->watch, sg_watch_free);
	g_clear_pointer(&run->channel, sg_console_stream_free);
	g_clear_pointer(&run->guest, sg_guest_free);
	g_clear_pointer(&run->console, sg_console_free);
	g_clear_pointer(&run->tap, sg_tap_free);
	if (run->channel_tap != NULL)
		g_string_free(run->channel_tap, TRUE);
	if (run->overlay != NULL)
		sg_media_delete_disk(run->media, run->overlay);
	g_free(run->overlay);
	if (run->socket != NULL)
		g_unlink(run->socket);
	g_free(run->socket);
	g_free(run->file_tap);
	g_free(run->stop_why);
	g_free(run->dir);
	g_free(run);
}

static gchar *
evidence_path(SgSuiteRun *run, const gchar *name)
{
	return g_build_filename(run->dir, name, NULL);
}

static void
write_evidence(SgSuiteRun *run, const gchar *name, const gchar *text)
{
	g_autofree gchar *path = evidence_path(run, name);
	g_autoptr(GError) error = NULL;

	if (!g_file_set_contents(path, text, -1, &error))
		g_warning("cannot write %s: %s", path, error->message);
}

/* The longer of the channel's TAP and the file's (both are the same
 * stream: the channel may have missed the end, the file may have missed
 * what was not yet on the disk at power-off) is the suite's. */
static void
judge(SgSuiteRun *run)
{
	const gchar *text = run->channel_tap->str;
	g_autoptr(SgTap) tap = sg_tap_new();
	g_autofree gchar *tap_name = g_strdup_printf("%s.tap", run->spec.suite->name);

	if (run->file_tap != NULL && strlen(run->file_tap) > run->channel_tap->len)
		text = run->file_tap;
	write_evidence(run, tap_name, text);
	sg_tap_feed(tap, text, strlen(text));
	sg_tap_end(tap);
	sg_tap_to_suite_result(tap, run->result);
	/* Why it was stopped explains a TAP left incomplete, nothing else. */
	if (!sg_tap_finished(tap) && run->stop_why != NULL) {
		gchar *reason = g_strdup_printf("%s (%s)", run->result->reason, run->stop_why);
		g_free(run->result->reason);
		run->result->reason = reason;
	}
}

/* The suite's guest and overlay go before @done runs: it may close the lab
 * they belong to. */
static void
finish(SgSuiteRun *run, const GError *error)
{
	SgSuiteRunDone done = run->done;
	gpointer user_data = run->user_data;
	SgSuiteResult *result = run->result;

	if (error != NULL) {
		run->result->verdict = SG_VERDICT_ERROR;
		run->result->decided = TRUE;
		g_free(run->result->reason);
		run->result->reason = g_strdup(error->message);
		run->result->finished_us = g_get_real_time();
	} else {
		judge(run);
	}
	if (run->spec.progress != NULL)
		sg_progress_clear(run->spec.progress);
	sg_suite_run_free(run);
	done(result, user_data);
}

static void
read_tap_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	SgSuiteRun *run = data;
	g_autoptr(GError) error = NULL;
	/* A lab host's overlay comes over the connection, pointed at the
	 * local copy of the base. */
	g_autofree gchar *local = sg_media_fetch_disk(run->media, run->overlay, &error);

	if (local != NULL)
		run->file_tap =
			sg_suite_disk_read_tap(local, run->spec.suite, !run->spec.use_kvm, &error);
	if (local != NULL && g_strcmp0(local, run->overlay) != 0)
		g_unlink(local);
	/* The channel's TAP may be all there is: a disk that cannot be read
	 * is said, not fatal. */
	if (run->file_tap == NULL)
		g_debug("no fallback TAP from %s: %s", run->overlay, error->message);
	g_task_return_boolean(task, TRUE);
}

static void
on_tap_read(GObject *source, GAsyncResult *result, gpointer user_data)
{
	finish(user_data, NULL);
}

/* The guest is gone: a complete TAP on the channel is all there is to
 * read, else the fallback file on the overlay is read too. */
static void
on_torn_down(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SgSuiteRun *run = user_data;
	g_autoptr(GTask) task = NULL;

	sg_guest_teardown_finish(result);
	g_clear_pointer(&run->guest, sg_guest_free);
	if (sg_tap_finished(run->tap)) {
		finish(run, NULL);
		return;
	}
	task = g_task_new(NULL, NULL, on_tap_read, run);
	g_task_set_task_data(task, run, NULL);
	g_task_run_in_thread(task, read_tap_thread);
}

/* Destroys the guest (the TAP is what the suite had to say; nothing on its
 * disk is needed but the TAP file, written as it went), its screen's
 * picture taken first. */
static gboolean
stop_idle(gpointer user_data)
{
	SgSuiteRun *run = user_data;
	g_autofree gchar *path = NULL;

	run->stop_idle = 0;
	g_clear_handle_id(&run->start_timer, g_source_remove);
	if (run->channel != NULL)
		sg_console_stream_drain(run->channel);
	/* The streams go first: see sg-guest-teardown.h. */
	g_clear_pointer(&run->watch, sg_watch_free);
	g_clear_pointer(&run->channel, sg_console_stream_free);
	if (sg_guest_is_running(run->guest))
		path = evidence_path(run, "screenshot.png");
	sg_guest_teardown_async(run->guest, path, on_torn_down, run);
	return G_SOURCE_REMOVE;
}

/* Leaves the callback (a stream event, a watch) before freeing what called it. */
static void
stop(SgSuiteRun *run, gchar *why)
{
	if (run->stopped) {
		g_free(why);
		return;
	}
	run->stopped = TRUE;
	run->stop_why = why;
	run->stop_idle = g_idle_add(stop_idle, run);
}

static void
on_channel_data(const gchar *data, gsize len, gpointer user_data)
{
	SgSuiteRun *run = user_data;

	g_string_append_len(run->channel_tap, data, len);
	sg_tap_feed(run->tap, data, len);
	if (sg_tap_finished(run->tap))
		stop(run, NULL);
}

static void
on_channel_closed(gpointer user_data)
{
	/* The guest is going: its watch says how. */
}

/* The suite's limit @seconds as its guest gets it: longer under emulation. */
static guint
suite_limit(const SgSuiteRun *run, guint seconds)
{
	return sg_emulation_scale(seconds, MAX(run->spec.limit_factor, 1.0));
}

/* " (under emulation, ...)" after a limit that ran out, or "". */
static gchar *
emulation_words(const SgSuiteRun *run)
{
	return run->spec.emulation != NULL
		       ? g_strdup_printf(" (under emulation, %s)", run->spec.emulation)
		       : g_strdup("");
}

static gboolean
on_start_limit(gpointer user_data)
{
	SgSuiteRun *run = user_data;

	run->start_timer = 0;
	if (!sg_tap_started(run->tap)) {
		g_autofree gchar *emulated = emulation_words(run);
		stop(run, g_strdup_printf("no TAP plan within %u s, its StartSeconds=%u%s",
					  suite_limit(run, run->spec.suite->start_seconds),
					  run->spec.suite->start_seconds, emulated));
	}
	return G_SOURCE_REMOVE;
}

static void
on_watch_done(SgWatchOutcome outcome, gpointer user_data)
{
	SgSuiteRun *run = user_data;
	const gchar *last = sg_console_get_last_line(run->console);
	g_autofree gchar *emulated = emulation_words(run);

	switch (outcome) {
	case SG_WATCH_GUEST_STOPPED:
		stop(run, g_strdup_printf("the guest stopped; last console line: %s",
					  last != NULL ? last : "(none)"));
		break;
	case SG_WATCH_TIMEOUT:
		stop(run, g_strdup_printf("not done after %u s, its Seconds=%u%s",
					  suite_limit(run, run->spec.suite->seconds),
					  run->spec.suite->seconds, emulated));
		break;
	case SG_WATCH_PROBLEM:
		stop(run, g_strdup_printf("%s: %s",
					  sg_console_problem_to_string(
						  sg_console_get_problem(run->console)),
					  sg_console_get_problem_quote(run->console)));
		break;
	case SG_WATCH_CANCELLED:
		stop(run, g_strdup("interrupted"));
		break;
	default:
		stop(run, g_strdup_printf("the guest's console said nothing for %u s or closed%s",
					  suite_limit(run, run->spec.suite->seconds), emulated));
		break;
	}
}

static void
start_guest(SgSuiteRun *run)
{
	const SgFlavour *flavour = run->spec.flavour;
	g_autofree gchar *name = sg_lab_new_guest_name(run->spec.lab, "suite");
	g_autofree gchar *console_log = evidence_path(run, "console.log");
	g_autoptr(GError) error = NULL;
	SgDomainSpec spec = {
		.name = name,
		.domain_type = run->spec.use_kvm ? "kvm" : "qemu",
		.memory_mib = flavour->memory_mib,
		.vcpus = flavour->vcpus,
		.disk = run->overlay,
		.disk_backing = run->spec.base,
		.channel = SG_SUITE_CHANNEL,
		.channel_socket = run->socket,
		.firmware = run->spec.firmware,
		.arch = run->spec.arch,
	};
	g_autofree gchar *nvram_name = g_strdup_printf("nvram-suite-%s", run->spec.suite->name);
	g_autofree gchar *nvram = NULL;

	run->console = sg_console_new(flavour->family, SG_CONSOLE_PHASE_DESKTOP,
				      flavour->display_manager, NULL, &error);
	if (run->console == NULL) {
		finish(run, error);
		return;
	}
	if (sg_firmware_is_uefi(run->spec.firmware) && run->spec.nvram != NULL) {
		nvram = sg_media_create_nvram(run->media, run->spec.nvram, nvram_name, &error);
		if (nvram == NULL) {
			finish(run, error);
			return;
		}
		spec.nvram = nvram;
	}
	run->guest = sg_guest_start(run->spec.lab, &spec, &error);
	if (run->guest == NULL) {
		finish(run, error);
		return;
	}
	/* Before the guest runs (the watch resumes it): no byte is lost. */
	run->channel = sg_console_stream_open_channel(run->guest, SG_SUITE_CHANNEL, on_channel_data,
						      on_channel_closed, run, &error);
	if (run->channel == NULL) {
		finish(run, error);
		return;
	}
	run->watch = sg_watch_start(
		&(SgWatchSpec){
			.phase = run->result->name,
			.guest = run->guest,
			.console = run->console,
			.console_path = console_log,
			.timeout_seconds = suite_limit(run, run->spec.suite->seconds),
			/* A desktop may sit quietly while the suite works. */
			.silence_seconds = suite_limit(run, run->spec.suite->seconds),
			.stop_on_markers = FALSE,
			.cancellable = run->spec.cancellable,
			.progress = run->spec.progress,
		},
		on_watch_done, run, &error);
	if (run->watch == NULL) {
		finish(run, error);
		return;
	}
	run->start_timer = g_timeout_add_seconds(suite_limit(run, run->spec.suite->start_seconds),
						 on_start_limit, run);
}

static void
prepare_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	SgSuiteRun *run = data;
	GError *error = NULL;
	g_autofree gchar *name = sg_lab_new_guest_name(run->spec.lab, "suite");
	g_autofree gchar *file = g_strdup_printf("%s.qcow2", name);
	g_autofree gchar *overlay =
		g_build_filename(sg_lab_get_scratch_dir(run->spec.lab), file, NULL);
	/* libguestfs writes local disks only: the overlay is made here, on
	 * the base as this machine reads it (a lab host's comes over the
	 * connection once per test), then handed to the host. */
	g_autofree gchar *base = sg_media_fetch_base(run->media, run->spec.base, &error);

	if (base == NULL || !sg_disk_create_overlay(base, overlay, &error) ||
	    !sg_suite_disk_inject(overlay, run->spec.suite, NULL, run->spec.expect,
				  !run->spec.use_kvm, &error)) {
		g_unlink(overlay);
		g_task_return_error(task, error);
		return;
	}
	run->overlay = sg_media_put_overlay(run->media, overlay, run->spec.base,
					    run->spec.suite->name, &error);
	if (sg_media_uses_volumes(run->media))
		g_unlink(overlay);
	if (run->overlay == NULL)
		g_task_return_error(task, error);
	else
		g_task_return_boolean(task, TRUE);
}

static void
on_prepared(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SgSuiteRun *run = user_data;
	g_autoptr(GError) error = NULL;

	if (!g_task_propagate_boolean(G_TASK(result), &error)) {
		finish(run, error);
		return;
	}
	start_guest(run);
}

typedef struct {
	SgSuiteRun *run;
	GError *error;
} SgSuiteRunFault;

static gboolean
finish_idle(gpointer user_data)
{
	SgSuiteRunFault *fault = user_data;

	finish(fault->run, fault->error);
	g_error_free(fault->error);
	g_free(fault);
	return G_SOURCE_REMOVE;
}

static gint socket_count;

void
sg_suite_run_async(const SgSuiteRunSpec *spec, SgSuiteResult *suite, SgSuiteRunDone done,
		   gpointer user_data)
{
	SgSuiteRun *run = g_new0(SgSuiteRun, 1);
	GError *error = NULL;
	g_autoptr(GTask) task = NULL;

	run->spec = *spec;
	run->result = suite;
	run->done = done;
	run->user_data = user_data;
	run->channel_tap = g_string_new(NULL);
	run->tap = sg_tap_new();
	run->dir = g_build_filename(spec->evidence_dir, "suites", spec->suite->name, NULL);
	g_free(suite->evidence);
	suite->evidence = g_build_filename("suites", spec->suite->name, NULL);
	if (g_mkdir_with_parents(run->dir, 0755) != 0)
		g_warning("cannot create %s: %s", run->dir, g_strerror(errno));
	if (spec->progress != NULL)
		sg_progress_update(spec->progress, spec->suite->name, 0,
				   "putting the suite into its overlay of the installed disk");
	run->media = sg_lab_get_media(spec->lab, &error);
	if (run->media == NULL) {
		SgSuiteRunFault *fault = g_new0(SgSuiteRunFault, 1);
		fault->run = run;
		fault->error = error;
		g_idle_add(finish_idle, fault);
		return;
	}
	/* Short: a socket's path has 108 bytes at most. A lab host's libvirt
	 * places its own (this machine's paths mean nothing there). */
	if (!sg_media_uses_volumes(run->media))
		run->socket = g_strdup_printf("%s/sg-%d-%u.sock", g_get_tmp_dir(), getpid(),
					      g_atomic_int_add(&socket_count, 1));
	task = g_task_new(NULL, NULL, on_prepared, run);
	g_task_set_task_data(task, run, NULL);
	g_task_run_in_thread(task, prepare_thread);
}

/* ---- several suites at once ------------------------------------------ */

typedef struct {
	SgSuiteRunSpec spec; /* the suite set per suite */
	gchar *nvram;	     /* spec.nvram's own copy */
	GPtrArray *suites;
	guint next;
	guint running;
	guint at_once;
	SgResult *result;
	SgSuiteRunAllDone done;
	gpointer user_data;
} SgSuiteRunAll;

static void start_more(SgSuiteRunAll *all);

static void
on_one_done(SgSuiteResult *suite, gpointer user_data)
{
	SgSuiteRunAll *all = user_data;

	all->running--;
	sg_progress_note(all->spec.progress, "suite %s: %s%s%s", suite->name,
			 sg_verdict_to_string(suite->verdict), suite->reason != NULL ? ": " : "",
			 suite->reason != NULL ? suite->reason : "");
	start_more(all);
}

/* Starts suites in the order given while there is room; each result is
 * begun as its suite starts, so @result lists them in that order whatever
 * order they end in. */
static void
start_more(SgSuiteRunAll *all)
{
	while (all->running < all->at_once && all->next < all->suites->len &&
	       !g_cancellable_is_cancelled(all->spec.cancellable)) {
		SgSuite *suite = g_ptr_array_index(all->suites, all->next++);
		SgSuiteRunSpec spec = all->spec;

		if (!sg_suite_applies_to(suite, all->spec.flavour)) {
			sg_progress_note(all->spec.progress,
					 "suite %s does not apply to %s: not run", suite->name,
					 all->spec.flavour->name);
			continue;
		}
		spec.suite = suite;
		all->running++;
		sg_suite_run_async(&spec,
				   sg_result_begin_suite(all->result, suite->name, suite->gating),
				   on_one_done, all);
	}
	if (all->running == 0) {
		all->done(all->user_data);
		g_ptr_array_unref(all->suites);
		g_free(all->nvram);
		g_free(all);
	}
}

guint
sg_suite_run_room(SgLab *lab, guint max_guests, const SgFlavour *flavour)
{
	return sg_lab_room_guests(lab, max_guests, flavour->memory_mib, flavour->vcpus);
}

void
sg_suite_run_all_async(const SgSuiteRunSpec *spec, GPtrArray *suites, guint at_once,
		       SgResult *result, SgSuiteRunAllDone done, gpointer user_data)
{
	SgSuiteRunAll *all = g_new0(SgSuiteRunAll, 1);

	all->spec = *spec;
	all->nvram = g_strdup(spec->nvram);
	all->spec.nvram = all->nvram;
	all->suites = g_ptr_array_ref(suites);
	all->at_once = MAX(at_once, 1);
	all->result = result;
	all->done = done;
	all->user_data = user_data;
	if (all->at_once > 1)
		g_debug("suites: up to %u at once", all->at_once);
	start_more(all);
}

void
sg_suite_run_plan_async(const SgPlan *plan, const gchar *base, gboolean use_kvm,
			GCancellable *cancellable, SgProgress *progress, SgResult *result,
			SgSuiteRunAllDone done, gpointer user_data)
{
	const SgFirmwareEntry *firmware = sg_plan_main_firmware(plan);
	SgMedia *media = sg_lab_get_media(plan->lab, NULL);
	g_autofree gchar *nvram = NULL;
	g_autoptr(GError) error = NULL;

	/* The installed store, here: each suite's copy is made from it. */
	if (firmware != NULL && firmware->nvram != NULL && media != NULL) {
		nvram = sg_media_fetch_nvram(media, firmware->nvram, &error);
		if (nvram == NULL)
			g_warning("suites boot without the installed variable store: %s",
				  error->message);
	}
	sg_suite_run_all_async(
		&(SgSuiteRunSpec){
			.lab = plan->lab,
			.flavour = plan->flavour,
			.base = base,
			.expect = plan->expect,
			.evidence_dir = plan->evidence_dir,
			.use_kvm = use_kvm,
			.firmware = firmware != NULL ? firmware->firmware : SG_FIRMWARE_BIOS,
			.nvram = nvram,
			.arch = plan->arch,
			.limit_factor = plan->limit_factor,
			.emulation = plan->emulation,
			.cancellable = cancellable,
			.progress = progress,
		},
		plan->selected, sg_suite_run_room(plan->lab, plan->max_guests, plan->flavour),
		result, done, user_data);
}

SgVerdict
sg_suite_run_judge(GPtrArray *suites, GString *passed, gchar **reason)
{
	g_autoptr(GString) names = g_string_new(NULL);
	g_autoptr(GString) advisory = g_string_new(NULL);
	SgVerdict verdict = SG_VERDICT_PASS;

	for (guint i = 0; suites != NULL && i < suites->len; i++) {
		SgSuiteResult *suite = g_ptr_array_index(suites, i);
		if (suite->verdict == SG_VERDICT_PASS) {
			g_string_append_printf(names, "%s%s", names->len > 0 ? ", " : "",
					       suite->name);
		} else if (suite->gating) {
			if (verdict != SG_VERDICT_PASS)
				continue;
			verdict = suite->verdict;
			*reason = g_strdup_printf("suite %s: %s", suite->name, suite->reason);
		} else {
			g_string_append_printf(advisory, "; advisory suite %s %s: %s", suite->name,
					       sg_verdict_to_string(suite->verdict), suite->reason);
		}
	}
	if (names->len > 0)
		g_string_append_printf(passed, "%ssuites passed: %s", passed->len > 0 ? "; " : "",
				       names->str);
	g_string_append(passed, advisory->str);
	return verdict;
}

/* ---- smokegate suite run ------------------------------------------------ */

/* One `suite run`: the plan its inputs make (no image: the disk is the
 * installer's), the disk where the lab host reads it, the result. */
typedef struct {
	SgPlan *plan;
	gchar *connect_uri;
	gchar *base; /* the disk as the lab host sees it */
	gboolean use_kvm;
	SgResult *result;
	SgProgress *progress;
	GCancellable *cancellable;
} SgDiskRun;

static void
disk_run_free(SgDiskRun *run)
{
	g_free(run->base);
	g_free(run->connect_uri);
	g_clear_pointer(&run->result, sg_result_free);
	g_clear_object(&run->cancellable);
	g_clear_pointer(&run->plan, sg_plan_free);
	g_free(run);
}

/* --accel auto without a guest of its own: the answer the KVM probe left
 * for the host, or TCG when no probe has asked it yet. */
static void
choose_accelerator(SgDiskRun *run)
{
	g_autofree gchar *state = sg_lab_state_dir();
	g_autofree gchar *reason = NULL;
	gboolean works = FALSE;

	if (run->plan->accel != SG_ACCEL_AUTO) {
		run->use_kvm = run->plan->accel == SG_ACCEL_KVM;
		run->result->accelerator_reason = g_strdup("chosen with --accel");
	} else if (sg_kvm_probe_lookup(sg_lab_get_connection(run->plan->lab),
				       sg_lab_get_uri(run->plan->lab), run->plan->arch,
				       run->plan->emulation, state, &works, &reason)) {
		run->use_kvm = works;
		run->result->accelerator_reason = g_steal_pointer(&reason);
	} else {
		run->result->accelerator_reason =
			g_strdup("no KVM probe has run on the lab host yet (smokegate test runs "
				 "one): TCG");
	}
	run->result->accelerator = g_strdup(run->use_kvm ? "kvm" : "tcg");
}

/* Opening the lab and uploading the disk block: a thread. */
static void
open_lab_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	SgDiskRun *run = data;
	GError *error = NULL;
	SgMedia *media;

	run->plan->lab = sg_lab_open(run->connect_uri, &error);
	if (run->plan->lab == NULL) {
		g_task_return_error(task, error);
		return;
	}
	{
		/* The profile's EmulationFactor=: `suite run` reads no lab file. */
		g_autofree gchar *host_arch =
			sg_emulation_host_arch(sg_lab_get_connection(run->plan->lab));
		sg_prepare_emulation(run->plan, &(SgTestOptions){0}, host_arch);
	}
	choose_accelerator(run);
	media = sg_lab_get_media(run->plan->lab, &error);
	if (media != NULL) {
		sg_media_set_cancellable(media, cancellable);
		/* A volume on a lab host, which the media delete with the lab. */
		run->base = sg_media_put_file(media, run->plan->image, "installed.qcow2", &error);
	}
	if (run->base == NULL)
		g_task_return_error(task, error);
	else
		g_task_return_boolean(task, TRUE);
}

static void
finish_disk_run(GTask *task, SgDiskRun *run)
{
	SgResult *result = run->result;
	GError *error = NULL;
	gboolean written;

	if (run->progress != NULL)
		sg_progress_clear(run->progress);
	result->finished_us = g_get_real_time();
	written = sg_result_write(result, result->evidence_dir, &error);
	/* The suites' volumes, and a lab host's copy of the disk, go with the
	 * lab, before the result is handed over. */
	g_clear_pointer(&run->plan, sg_plan_free);
	if (!written)
		g_task_return_error(task, error);
	else
		g_task_return_pointer(task, g_steal_pointer(&run->result),
				      (GDestroyNotify)sg_result_free);
}

static void
on_disk_suites_done(gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	SgDiskRun *run = g_task_get_task_data(task);
	g_autoptr(GString) passed = g_string_new(NULL);
	g_autofree gchar *reason = NULL;
	SgVerdict verdict = sg_suite_run_judge(run->result->suites, passed, &reason);

	if (verdict != SG_VERDICT_PASS)
		sg_result_decide(run->result, verdict, "%s", reason);
	else if (g_cancellable_is_cancelled(run->cancellable))
		sg_result_decide(run->result, SG_VERDICT_ERROR, "interrupted before a verdict");
	else if (run->result->suites == NULL)
		sg_result_decide(run->result, SG_VERDICT_ERROR, "no suite applies to %s",
				 run->plan->flavour->name);
	else
		sg_result_decide(run->result, SG_VERDICT_PASS, "%s", passed->str);
	finish_disk_run(task, run);
}

static void
on_lab_opened(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	SgDiskRun *run = g_task_get_task_data(task);
	SgPlan *plan = run->plan;
	g_autoptr(GError) error = NULL;

	if (plan->lab != NULL)
		run->result->connection = g_strdup(sg_lab_get_uri(plan->lab));
	if (!g_task_propagate_boolean(G_TASK(result), &error)) {
		sg_result_decide(run->result, SG_VERDICT_ERROR, "%s", error->message);
		finish_disk_run(task, run);
		return;
	}
	sg_suite_run_plan_async(plan, run->base, run->use_kvm, run->cancellable, run->progress,
				run->result, on_disk_suites_done, g_steal_pointer(&task));
}

/* The disk is what `test --keep-disk` keeps, a qcow2 image ("QFI\xfb"):
 * anything else is refused naming the disk, before the overlay made on it
 * would be named instead. */
static gboolean
check_qcow2(const gchar *disk, GError **error)
{
	static const guchar magic[] = {'Q', 'F', 'I', 0xfb};
	guchar head[sizeof(magic)];
	int fd = sg_files_open_regular(disk, SG_FILES_FOLLOW, error);
	gboolean is_qcow2;

	if (fd < 0)
		return FALSE;
	is_qcow2 = pread(fd, head, sizeof(head), 0) == (ssize_t)sizeof(head) &&
		   memcmp(head, magic, sizeof(magic)) == 0;
	close(fd);
	if (!is_qcow2) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "--disk %s is not a qcow2 disk (what `smokegate test --keep-disk` "
			    "keeps)",
			    disk);
		return FALSE;
	}
	return TRUE;
}

/* A disk kept after a UEFI install has its variable store beside it
 * (installed.FIRMWARE.fd for installed.qcow2): its suites boot under that
 * firmware with a copy of it; without one, under BIOS. */
static void
find_kept_nvram(SgPlan *plan, const gchar *disk)
{
	static const SgFirmware uefi[] = {SG_FIRMWARE_UEFI_SECURE_BOOT, SG_FIRMWARE_UEFI};
	g_autofree gchar *dir = g_path_get_dirname(disk);
	g_autofree gchar *base = g_path_get_basename(disk);

	if (g_str_has_suffix(base, ".qcow2"))
		base[strlen(base) - strlen(".qcow2")] = '\0';
	for (guint i = 0; i < G_N_ELEMENTS(uefi); i++) {
		g_autofree gchar *name =
			g_strdup_printf("%s.%s.fd", base, sg_firmware_to_string(uefi[i]));
		g_autofree gchar *path = g_build_filename(dir, name, NULL);
		SgFirmwareEntry entry = {uefi[i], TRUE, NULL, NULL};

		if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
			continue;
		entry.nvram = g_steal_pointer(&path);
		if (plan->firmwares == NULL)
			plan->firmwares = g_array_new(FALSE, FALSE, sizeof(SgFirmwareEntry));
		g_array_append_val(plan->firmwares, entry);
		return;
	}
}

/* The inputs as `test` checks them (sg_prepare_check_inputs), the disk in
 * the image's place; a flavour must be named and its answers read. */
static SgPlan *
check_inputs(const SgTestOptions *options, GError **error)
{
	g_autofree gchar *evidence_dir = NULL;
	SgTestOptions inputs = *options;
	g_autoptr(SgPlan) plan = NULL;

	g_return_val_if_fail(options->flavour != NULL && options->suites != NULL, NULL);
	if (options->evidence_dir == NULL) {
		g_autoptr(GDateTime) now = g_date_time_new_now_local();
		g_autofree gchar *stamp = g_date_time_format(now, "suites-%Y%m%d-%H%M%S");
		g_autofree gchar *cwd = g_get_current_dir();
		inputs.evidence_dir = evidence_dir =
			g_build_filename(cwd, "smokegate-evidence", stamp, NULL);
	}
	/* A missing disk is prepare's to name; one that is there is checked
	 * before the evidence folder is made. */
	if (g_file_test(options->image, G_FILE_TEST_EXISTS) && !check_qcow2(options->image, error))
		return NULL;
	plan = sg_prepare_check_inputs(&inputs, error);
	if (plan == NULL || !sg_prepare_answers(plan, &inputs, error))
		return NULL;
	find_kept_nvram(plan, options->image);
	return g_steal_pointer(&plan);
}

void
sg_suite_run_disk_async(const SgTestOptions *options, SgProgress *progress,
			GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, NULL, callback, user_data);
	SgDiskRun *run = g_new0(SgDiskRun, 1);
	g_autoptr(GTask) open = NULL;
	GError *error = NULL;

	g_task_set_source_tag(task, sg_suite_run_disk_async);
	g_task_set_task_data(task, run, (GDestroyNotify)disk_run_free);
	run->plan = check_inputs(options, &error);
	if (run->plan == NULL) {
		g_task_return_error(task, error);
		return;
	}
	run->connect_uri = g_strdup(options->connect_uri);
	run->progress = progress;
	run->cancellable = cancellable != NULL ? g_object_ref(cancellable) : g_cancellable_new();
	run->result = sg_result_new();
	run->result->image = g_strdup(run->plan->image);
	run->result->evidence_dir = g_strdup(run->plan->evidence_dir);
	run->result->flavour = g_strdup(run->plan->flavour->name);
	open = g_task_new(NULL, run->cancellable, on_lab_opened, g_steal_pointer(&task));
	g_task_set_check_cancellable(open, FALSE);
	g_task_set_task_data(open, run, NULL);
	g_task_run_in_thread(open, open_lab_thread);
}

SgResult *
sg_suite_run_disk_finish(GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}
