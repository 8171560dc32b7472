#include "sg-gate.h"

#include <malloc.h>

#include "sg-arch.h"
#include "sg-error.h"
#include "sg-flavour.h"
#include "sg-gate-attempt.h"
#include "sg-gate-candidates.h"
#include "sg-gate-lab.h"
#include "sg-gate-notices.h"
#include "sg-gate-record.h"
#include "sg-gate-resume.h"
#include "sg-gate-view.h"
#include "sg-kept-disk.h"
#include "sg-lab.h"
#include "sg-publish.h"
#include "sg-schedule.h"
#include "sg-tree.h"

/* Tests in a row on one host that end in errors before it is drained. */
#define DRAIN_AFTER_ERRORS 2

typedef struct {
	const SgGateOptions *options;
	GTask *task; /* until the run returns */
	GCancellable *cancellable;
	SgPublisher *publisher;
	SgLock *gate_lock;
	SgTreeModel *tree; /* read at the start, its types again as verdicts are written */
	GPtrArray *candidates;
	gchar **suites; /* the tree's Suites= */
	SgSchedule *schedule;
	SgGateView *view;
	SgGateLab *lab;
	SgGateRecorder *recorder;
	SgGateSummary summary;
	gboolean finishing;
} SgGate;

/* One test of one build on one host, while it runs and as it ends. */
typedef struct {
	SgGate *gate;
	SgScheduleJob *job;
	SgScheduleHost *host;
	SgProgress *row;
	SgResult *result;
	gchar *failure; /* when no result */
} SgAttempt;

static gboolean schedule_step(gpointer user_data);

void
sg_gate_summary_clear(SgGateSummary *summary)
{
	g_clear_pointer(&summary->refused_by, sg_lock_holder_free);
}

static void
gate_free(SgGate *gate)
{
	g_clear_object(&gate->cancellable);
	sg_gate_recorder_free(gate->recorder);
	sg_gate_lab_free(gate->lab);
	sg_gate_view_free(gate->view);
	if (gate->schedule != NULL)
		sg_schedule_free(gate->schedule);
	g_strfreev(gate->suites);
	if (gate->candidates != NULL)
		g_ptr_array_unref(gate->candidates);
	sg_tree_model_free(gate->tree);
	sg_lock_release(gate->gate_lock);
	sg_publisher_free(gate->publisher);
	sg_gate_summary_clear(&gate->summary);
	g_free(gate);
}

static void
attempt_free(SgAttempt *attempt)
{
	sg_result_free(attempt->result);
	g_free(attempt->failure);
	g_free(attempt);
}

/* Ends the run: its task returns, and the gate goes with it. */
static void
gate_return(SgGate *gate, GError *error)
{
	g_autoptr(GTask) task = g_steal_pointer(&gate->task);

	if (error != NULL)
		g_task_return_error(task, error);
	else
		g_task_return_boolean(task, TRUE);
}

static void
take_host_out(SgGate *gate, SgScheduleHost *host, const gchar *reason)
{
	g_autofree gchar *note = NULL;

	if (host->out)
		return;
	sg_schedule_take_out(host, reason);
	gate->summary.hosts_out++;
	note = g_strdup_printf("lab host %s taken out of this run: %s", host->name, reason);
	sg_gate_view_event(gate->view, "host-out", host->name, NULL, reason, -1);
	sg_publisher_notify(gate->publisher, "lab-problem", NULL, NULL, NULL, note);
	sg_gate_lab_save(gate->lab, gate->publisher->tree);
}

/* Whether another host of the run could still take @job. */
static gboolean
another_host_could(SgGate *gate, SgScheduleJob *job, SgScheduleHost *except)
{
	GPtrArray *hosts = sg_schedule_get_hosts(gate->schedule);

	for (guint i = 0; i < hosts->len; i++) {
		SgScheduleHost *host = g_ptr_array_index(hosts, i);
		if (host != except && !host->out && !g_ptr_array_find(job->avoid, host, NULL))
			return TRUE;
	}
	return FALSE;
}

/* Once what the attempt asked to write is written, what fits starts. */
static void
attempt_done(SgAttempt *attempt)
{
	SgGate *gate = attempt->gate;

	attempt_free(attempt);
	/* What the test held (its screenshots, disk reads, console) is free
	 * now; handed back, a night of tests does not keep each one's peak. */
	malloc_trim(0);
	sg_gate_recorder_flush(gate->recorder, schedule_step, gate);
}

/*
 * An error is the lab's: the host is taken out when it was lost (or no
 * longer answers) or keeps failing, and the build goes back to the queue
 * for another host while it has attempts left; else the error is recorded.
 */
static void
conclude_error(SgAttempt *attempt, gboolean lost, const gchar *unreachable)
{
	SgGate *gate = attempt->gate;
	SgScheduleJob *job = attempt->job;
	SgScheduleHost *host = attempt->host;
	SgCandidate *candidate = job->data;
	const gchar *reason = attempt->result != NULL ? attempt->result->reason : attempt->failure;

	sg_schedule_release(gate->schedule, job, host);
	if (lost) {
		g_autofree gchar *why = g_strdup_printf(
			"lost while testing %s: %s", candidate->label,
			unreachable != NULL ? unreachable : "its connection closed");
		take_host_out(gate, host, why);
	} else if (++host->errors_in_a_row >= DRAIN_AFTER_ERRORS) {
		g_autofree gchar *why =
			g_strdup_printf("drained: %u tests in a row ended in errors, the last: %s",
					host->errors_in_a_row, reason);
		take_host_out(gate, host, why);
	}
	if (job->attempts < gate->publisher->config->max_errors &&
	    another_host_could(gate, job, host)) {
		g_autofree gchar *why = g_strdup_printf("attempt %u on %s ended in an error: %s",
							job->attempts, host->name, reason);
		gate->summary.retries++;
		sg_gate_recorder_add_retry(gate->recorder, candidate, why);
		sg_gate_view_event(gate->view, "retry", host->name, candidate->label, why, -1);
		sg_schedule_requeue(gate->schedule, job, host);
		attempt_done(attempt);
		return;
	}
	sg_gate_recorder_add_verdict(gate->recorder, candidate, g_steal_pointer(&attempt->result),
				     attempt->failure, host->name);
	sg_schedule_job_free(job);
	attempt_done(attempt);
}

static void
on_host_checked(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SgAttempt *attempt = user_data;
	g_autofree gchar *unreachable = NULL;
	gboolean reachable = sg_gate_lab_check_host_finish(result, &unreachable);

	conclude_error(attempt, !reachable, unreachable);
}

/*
 * What an ended attempt means. A verdict (pass or fail) is recorded. An
 * error is the lab's (conclude_error), once the host was asked whether it
 * still answers.
 */
static void
conclude_attempt(SgAttempt *attempt)
{
	SgGate *gate = attempt->gate;
	SgScheduleJob *job = attempt->job;
	SgScheduleHost *host = attempt->host;
	SgCandidate *candidate = job->data;
	SgResult *result = attempt->result;
	SgVerdict verdict = result != NULL ? result->verdict : SG_VERDICT_ERROR;
	const gchar *reason = result != NULL ? result->reason : attempt->failure;
	gdouble seconds = result != NULL && result->finished_us > result->started_us
				  ? (result->finished_us - result->started_us) / 1e6
				  : -1;
	g_autofree gchar *finished = NULL;

	/* A test that could not judge its build says nothing about its disk;
	 * the next attempt makes its own. */
	if (verdict == SG_VERDICT_ERROR) {
		g_autofree gchar *evidence = g_build_filename(candidate->dir, "smoke", NULL);
		sg_kept_disk_remove(evidence);
	}
	sg_progress_free(attempt->row);
	sg_gate_view_remove_row(gate->view, attempt->row);
	finished = g_strdup_printf("%s: %s", sg_verdict_to_string(verdict), reason);
	sg_gate_view_event(gate->view, "finished", host->name, candidate->label, finished, seconds);
	if (verdict != SG_VERDICT_ERROR) {
		sg_schedule_release(gate->schedule, job, host);
		host->errors_in_a_row = 0;
		sg_gate_recorder_add_verdict(gate->recorder, candidate,
					     g_steal_pointer(&attempt->result), attempt->failure,
					     host->name);
		sg_schedule_job_free(job);
		attempt_done(attempt);
		return;
	}
	/* Stopped by a signal: the build stays untested, no error counted. */
	if (g_cancellable_is_cancelled(gate->cancellable)) {
		sg_schedule_release(gate->schedule, job, host);
		sg_schedule_job_free(job);
		attempt_done(attempt);
		return;
	}
	if (result != NULL && result->lab_lost) {
		conclude_error(attempt, TRUE, NULL);
		return;
	}
	/* Its room stays taken until the host has answered. */
	sg_gate_lab_check_host_async(host, on_host_checked, attempt);
}

static void
on_attempt_ended(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SgAttempt *attempt = user_data;

	attempt->result = sg_gate_attempt_run_finish(result, &attempt->failure);
	conclude_attempt(attempt);
}

static void
start_attempt(SgGate *gate, SgScheduleJob *job, SgScheduleHost *host)
{
	SgCandidate *candidate = job->data;
	SgAttempt *attempt = g_new0(SgAttempt, 1);

	attempt->gate = gate;
	attempt->job = job;
	attempt->host = host;
	attempt->row = sg_gate_view_add_row(gate->view, host->name, candidate->label);
	sg_gate_attempt_run_async(candidate, sg_gate_lab_host_config(host), gate->options,
				  gate->suites, attempt->row, gate->cancellable, on_attempt_ended,
				  attempt);
}

static void
queue_candidates(SgGate *gate)
{
	g_autoptr(GPtrArray) profiles = sg_flavour_load_all(gate->options->flavours_dir, NULL);

	for (guint i = 0; i < gate->candidates->len; i++) {
		SgCandidate *candidate = g_ptr_array_index(gate->candidates, i);
		guint memory_mib, vcpus;
		g_autofree gchar *detail = NULL;
		SgScheduleJob *job;
		const SgArch *arch;

		sg_gate_guest_size(profiles, candidate->flavour, &memory_mib, &vcpus);
		job = sg_schedule_add_job(gate->schedule, candidate, memory_mib, vcpus,
					  candidate->expected_seconds);
		/* cdimage's SERIES-TYPE-ARCH.iso: read without opening the ISO. */
		arch = sg_arch_from_file_name(candidate->image);
		sg_schedule_job_set_arch(job, arch != NULL ? arch->name : NULL);
		detail = g_strdup_printf("%u MiB, %u vCPUs", memory_mib, vcpus);
		sg_gate_view_event(gate->view, "queued", NULL, candidate->label, detail,
				   candidate->expected_seconds);
	}
}

/* Builds no host could take are errors of the lab, recorded as such. */
static void
record_stranded(SgGate *gate)
{
	g_autoptr(GPtrArray) stranded = sg_schedule_take_stranded(gate->schedule);

	for (guint i = 0; i < stranded->len; i++) {
		SgScheduleJob *job = g_ptr_array_index(stranded, i);
		SgCandidate *candidate = job->data;
		g_autofree gchar *why =
			sg_schedule_offers(gate->schedule, job->arch)
				? g_strdup("no lab host of the run could take it (every host is "
					   "out)")
				: g_strdup_printf(
					  "no lab host of the run offers %s guests (the lab "
					  "file's Arches=, else each host's own)",
					  job->arch);

		sg_gate_view_event(gate->view, "not-run", NULL, candidate->label, why, -1);
		if (g_cancellable_is_cancelled(gate->cancellable))
			continue;
		sg_gate_recorder_add_verdict(gate->recorder, candidate, NULL, why, NULL);
	}
}

static void
on_refreshed(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SgGate *gate = user_data;
	const GError *tree_error = sg_gate_recorder_get_tree_error(gate->recorder);
	GError *error = NULL;

	sg_publisher_refresh_finish(result);
	/* A notice lost or a stale page: the tree could not be changed either. */
	if (tree_error != NULL) {
		error = g_error_copy(tree_error);
	} else if (gate->publisher->error != NULL) {
		error = g_error_copy(gate->publisher->error);
		sg_tree_error_claim(&error);
	}
	gate_return(gate, error);
}

/* Nothing runs and nothing more will: the page says what the run did. */
static void
finish(SgGate *gate)
{
	if (gate->finishing)
		return;
	gate->finishing = TRUE;
	if (gate->lab != NULL)
		sg_gate_lab_save(gate->lab, gate->publisher->tree);
	sg_publisher_refresh_async(gate->publisher, on_refreshed, gate);
}

static gboolean
after_stranded(gpointer user_data)
{
	SgGate *gate = user_data;

	if (gate->finishing)
		return G_SOURCE_REMOVE;
	if (g_cancellable_is_cancelled(gate->cancellable) ||
	    sg_schedule_get_queued(gate->schedule) == 0)
		finish(gate);
	else
		schedule_step(gate);
	return G_SOURCE_REMOVE;
}

/* Starts what fits; once nothing runs, ends the run. Called at the start
 * and after every test that ends, once its verdict is written. */
static gboolean
schedule_step(gpointer user_data)
{
	SgGate *gate = user_data;
	SgScheduleJob *job;
	SgScheduleHost *host;

	if (gate->finishing)
		return G_SOURCE_REMOVE;
	while (!g_cancellable_is_cancelled(gate->cancellable) &&
	       sg_gate_recorder_get_tree_error(gate->recorder) == NULL &&
	       sg_schedule_next(gate->schedule, gate->options->jobs, &job, &host))
		start_attempt(gate, job, host);
	if (sg_schedule_get_running(gate->schedule) > 0)
		return G_SOURCE_REMOVE;
	/* What is still queued stays untested, for the next run. */
	if (sg_gate_recorder_get_tree_error(gate->recorder) != NULL) {
		finish(gate);
		return G_SOURCE_REMOVE;
	}
	record_stranded(gate);
	sg_gate_recorder_flush(gate->recorder, after_stranded, gate);
	return G_SOURCE_REMOVE;
}

static void
on_lab_open(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SgGate *gate = user_data;
	GPtrArray *hosts;

	gate->lab = sg_gate_lab_open_finish(result);
	hosts = sg_schedule_get_hosts(gate->schedule);
	for (guint i = 0; i < hosts->len; i++) {
		SgScheduleHost *host = g_ptr_array_index(hosts, i);
		g_autofree gchar *reason = g_strdup(host->out_reason);
		/* Said the same way as a host lost later. */
		if (host->out) {
			host->out = FALSE;
			take_host_out(gate, host, reason);
		}
	}
	queue_candidates(gate);
	schedule_step(gate);
}

/*
 * The tree as the run starts, read once under its lock: what killed gates
 * left is finished, the day's missing builds are announced, and the
 * untested builds are found, with what their flavours' history predicts
 * of their tests.
 */
/* Damage in the tree (a record that does not parse, a build without one, a
 * link out of the tree) is a lab problem: said and noticed at every gate,
 * never skipped in silence; the rest of the tree is gated as ever. */
static void
report_damage(SgGate *gate)
{
	for (guint t = 0; t < gate->tree->types->len; t++) {
		SgTreeType *type = g_ptr_array_index(gate->tree->types, t);
		g_autoptr(GPtrArray) damage = g_ptr_array_new_with_free_func(g_free);

		if (!sg_gate_flavour_selected(gate->options->flavours, type->flavour))
			continue;
		sg_tree_type_add_damage(type, damage);
		for (guint i = 0; i < damage->len; i++) {
			const gchar *what = g_ptr_array_index(damage, i);
			g_warning("damaged: %s", what);
			sg_publisher_notify(gate->publisher, "lab-problem", type->flavour,
					    type->image_type, NULL, what);
		}
	}
}

static void
on_start_locked(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SgGate *gate = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(SgLock) lock = sg_publisher_lock_tree_finish(result, &error);
	g_autoptr(GDateTime) now = g_date_time_new_now_local();

	gate->tree = sg_tree_model_read(gate->publisher->tree);
	/* Without the lock the tree is only read: someone else writes it. */
	if (lock == NULL)
		g_warning("%s", error->message);
	else {
		sg_publisher_remove_stale_staging(gate->publisher);
		sg_gate_resume(gate->publisher, gate->tree, gate->options->flavours);
	}
	sg_gate_announce_missing_builds(gate->publisher, gate->tree, gate->options->flavours, now);
	report_damage(gate);
	gate->candidates = sg_gate_candidates_find(gate->tree, gate->options->flavours);
	g_clear_pointer(&lock, sg_lock_release);
	gate->recorder = sg_gate_recorder_new(gate->publisher, gate->tree, &gate->summary,
					      gate->options->on_verdict, gate->options->user_data);
	if (gate->candidates->len == 0) {
		finish(gate);
		return;
	}
	sg_gate_lab_open_async(gate->options->lab, gate->options->jobs, gate->schedule, on_lab_open,
			       gate);
}

void
sg_gate_run_async(const SgGateOptions *options, GCancellable *cancellable,
		  GAsyncReadyCallback callback, gpointer user_data)
{
	SgGate *gate = g_new0(SgGate, 1);
	GError *error = NULL;

	gate->task = g_task_new(NULL, cancellable, callback, user_data);
	g_task_set_source_tag(gate->task, sg_gate_run_async);
	/* A run cancelled still returns its summary and what it recorded. */
	g_task_set_check_cancellable(gate->task, FALSE);
	g_task_set_task_data(gate->task, gate, (GDestroyNotify)gate_free);
	gate->options = options;
	gate->cancellable = cancellable != NULL ? g_object_ref(cancellable) : g_cancellable_new();
	gate->publisher = sg_publisher_open_with_config(options->tree, options->config, &error);
	if (gate->publisher == NULL) {
		gate_return(gate, error);
		return;
	}
	if (!options->gate_locked) {
		gate->gate_lock =
			sg_publisher_lock_gate(gate->publisher, &gate->summary.refused_by, &error);
		if (gate->gate_lock == NULL) {
			gate_return(gate, error);
			return;
		}
	}
	gate->suites = sg_tree_config_suites(gate->publisher->config);
	gate->schedule = sg_schedule_new();
	gate->view = sg_gate_view_new(options->json);
	/* A gate killed just after a verdict can leave that test's scratch
	 * disk (the run's clean-up goes on after its result is back), and a
	 * gate with nothing to test opens no lab, whose opening removes it. */
	sg_lab_remove_stale();
	/* Not cancelled with the run: what killed gates left is finished. */
	sg_publisher_lock_tree_async(gate->publisher, "gate", NULL, on_start_locked, gate);
}

gboolean
sg_gate_run_finish(GAsyncResult *result, SgGateSummary *summary, GError **error)
{
	SgGate *gate = g_task_get_task_data(G_TASK(result));

	g_return_val_if_fail(g_task_is_valid(result, NULL), FALSE);
	*summary = gate->summary;
	gate->summary.refused_by = NULL;
	return g_task_propagate_boolean(G_TASK(result), error);
}
