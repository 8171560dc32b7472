#include "sg-gate.h"

#include <glib/gstdio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "sg-build-record.h"
#include "sg-error.h"
#include "sg-files.h"
#include "sg-flavour.h"
#include "sg-gate-lab.h"
#include "sg-gate-view.h"
#include "sg-lab.h"
#include "sg-kept-disk.h"
#include "sg-paths.h"
#include "sg-publish.h"
#include "sg-schedule.h"
#include "sg-status.h"
#include "sg-test-run.h"
#include "sg-tree.h"

#define THUMBNAIL_WIDTH 240
/* A flavour never tested before is assumed long: started early, it cannot
 * be the one test that keeps the night going. */
#define UNKNOWN_EXPECTED_SECONDS 3600.0
/* Judged builds of a flavour whose durations predict its next test. */
#define HISTORY_BUILDS 5
/* Tests in a row on one host that end in errors before it is drained. */
#define DRAIN_AFTER_ERRORS 2
/* A guest for a flavour without a profile of that name: the profiles' own default. */
#define DEFAULT_GUEST_MIB 2048
#define DEFAULT_GUEST_VCPUS 2

typedef struct {
	gchar *flavour;
	gchar *image_type;
	gchar *build_id;
	gchar *dir;
	gchar *label; /* FLAVOUR/TYPE/BUILD */
} SgCandidate;

typedef struct {
	const SgGateOptions *options;
	SgPublisher *publisher;
	GCancellable *cancellable;
	SgGateSummary *summary;
	SgGateView *view;
	SgGateLab *lab;
	SgSchedule *schedule;
	GAsyncQueue *ended; /* SgAttempt, from the test threads */
	/* The first change to the tree that failed (a full filesystem): no
	 * further test is started, and the run fails with it. */
	GError *tree_error;
} SgGate;

/* One test of one build on one host. */
typedef struct {
	SgGate *gate;
	SgScheduleJob *job;
	SgScheduleHost *host;
	SgProgress *row;
	SgResult *result;
	gchar *failure; /* when no result */
	GThread *thread;
} SgAttempt;

static void
sg_candidate_free(SgCandidate *candidate)
{
	g_free(candidate->flavour);
	g_free(candidate->image_type);
	g_free(candidate->build_id);
	g_free(candidate->dir);
	g_free(candidate->label);
	g_free(candidate);
}

static gboolean
flavour_selected(const SgGateOptions *options, const gchar *flavour)
{
	return options->flavours == NULL || g_strv_contains(options->flavours, flavour);
}

/* Oldest first, so that when several pass the newest ends up current. */
static GPtrArray *
find_candidates(SgGate *gate)
{
	GPtrArray *candidates = g_ptr_array_new_with_free_func((GDestroyNotify)sg_candidate_free);
	g_autoptr(GPtrArray) types = sg_tree_list_types(gate->publisher->tree);

	for (guint t = 0; t < types->len; t++) {
		g_autofree gchar *flavour = g_path_get_dirname(g_ptr_array_index(types, t));
		g_autofree gchar *image_type = g_path_get_basename(g_ptr_array_index(types, t));
		g_autofree gchar *type_dir =
			sg_publisher_type_dir(gate->publisher, flavour, image_type);
		g_autoptr(GPtrArray) builds = NULL;

		if (!flavour_selected(gate->options, flavour))
			continue;
		builds = sg_tree_list_builds(type_dir);
		for (gint i = (gint)builds->len - 1; i >= 0; i--) {
			g_autofree gchar *dir =
				g_build_filename(type_dir, g_ptr_array_index(builds, i), NULL);
			g_autoptr(SgBuildRecord) record = sg_build_record_load(dir, NULL);
			SgCandidate *candidate;
			if (record == NULL || record->state != SG_BUILD_UNTESTED ||
			    record->image == NULL)
				continue;
			candidate = g_new0(SgCandidate, 1);
			candidate->flavour = g_strdup(flavour);
			candidate->image_type = g_strdup(image_type);
			candidate->build_id = g_strdup(g_ptr_array_index(builds, i));
			candidate->dir = g_steal_pointer(&dir);
			candidate->label = g_strdup_printf("%s/%s/%s", flavour, image_type,
							   candidate->build_id);
			g_ptr_array_add(candidates, candidate);
		}
	}
	return candidates;
}

/* A build tried again keeps the evidence of the attempts that came before. */
static gchar *
fresh_evidence_dir(const gchar *build_dir)
{
	gchar *smoke = g_build_filename(build_dir, "smoke", NULL);

	if (g_file_test(smoke, G_FILE_TEST_EXISTS)) {
		for (guint n = 1;; n++) {
			g_autofree gchar *old = g_strdup_printf("%s.attempt-%u", smoke, n);
			if (!g_file_test(old, G_FILE_TEST_EXISTS)) {
				g_rename(smoke, old);
				break;
			}
		}
	}
	return smoke;
}

static void
write_thumbnail(const gchar *evidence)
{
	g_autofree gchar *screenshot = g_build_filename(evidence, "screenshot.png", NULL);
	g_autofree gchar *thumbnail = g_build_filename(evidence, "thumbnail.png", NULL);
	g_autoptr(GdkPixbuf) picture = NULL;
	g_autoptr(GdkPixbuf) small = NULL;
	int height;

	picture = gdk_pixbuf_new_from_file(screenshot, NULL);
	if (picture == NULL)
		return;
	height = gdk_pixbuf_get_height(picture) * THUMBNAIL_WIDTH / gdk_pixbuf_get_width(picture);
	small = gdk_pixbuf_scale_simple(picture, THUMBNAIL_WIDTH, MAX(height, 1),
					GDK_INTERP_BILINEAR);
	if (small != NULL)
		gdk_pixbuf_save(small, thumbnail, "png", NULL, NULL);
}

/* Whether @build_id is newer than what `current` points at (or nothing is). */
static gboolean
newer_than_current(const gchar *type_dir, const gchar *build_id)
{
	g_autofree gchar *current = sg_tree_read_link(type_dir, SG_TREE_CURRENT);
	g_autoptr(GPtrArray) builds = NULL;

	if (current == NULL)
		return TRUE;
	builds = sg_tree_list_builds(type_dir);
	for (guint i = 0; i < builds->len; i++) {
		const gchar *id = g_ptr_array_index(builds, i);
		if (g_str_equal(id, build_id))
			return TRUE;
		if (g_str_equal(id, current))
			return FALSE;
	}
	return TRUE;
}

static gint
compare_doubles(gconstpointer a, gconstpointer b)
{
	gdouble x = *(const gdouble *)a, y = *(const gdouble *)b;
	return (x > y) - (x < y);
}

/* The median duration of the flavour's last judged tests: what to expect of the next. */
static gdouble
expected_seconds(const gchar *type_dir)
{
	g_autoptr(GPtrArray) builds = sg_tree_list_builds(type_dir);
	g_autoptr(GArray) durations = g_array_new(FALSE, FALSE, sizeof(gdouble));

	for (guint i = 0; i < builds->len && durations->len < HISTORY_BUILDS; i++) {
		g_autofree gchar *dir =
			g_build_filename(type_dir, g_ptr_array_index(builds, i), NULL);
		g_autoptr(SgBuildRecord) record = sg_build_record_load(dir, NULL);
		if (record != NULL && record->test_seconds > 0)
			g_array_append_val(durations, record->test_seconds);
	}
	if (durations->len == 0)
		return UNKNOWN_EXPECTED_SECONDS;
	g_array_sort(durations, compare_doubles);
	return g_array_index(durations, gdouble, durations->len / 2);
}

/* A passed build whose advisory suites failed is published; the teams
 * that own those suites hear of it. */
static void
notify_downstream_failed(SgGate *gate, SgCandidate *candidate, SgResult *result)
{
	for (guint i = 0; result != NULL && result->suites != NULL && i < result->suites->len;
	     i++) {
		SgSuiteResult *suite = g_ptr_array_index(result->suites, i);
		g_autofree gchar *note = NULL;

		if (suite->gating || suite->verdict == SG_VERDICT_PASS)
			continue;
		note = g_strdup_printf("advisory suite %s %s: %s", suite->name,
				       sg_verdict_to_string(suite->verdict), suite->reason);
		sg_publisher_notify(gate->publisher, "downstream-failed", candidate->flavour,
				    candidate->image_type, candidate->build_id, note);
	}
}

/* The first failed change to the tree ends the run (later ones are
 * warnings): a full filesystem would fail every test that follows. */
static void
keep_tree_error(SgGate *gate, GError **error)
{
	if (gate->tree_error != NULL) {
		g_warning("%s", (*error)->message);
		g_clear_error(error);
		return;
	}
	sg_tree_error_claim(error);
	gate->tree_error = g_steal_pointer(error);
}

static void
record_result(SgGate *gate, SgCandidate *candidate, SgResult *result, const gchar *failure,
	      const gchar *host)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SgLock) lock = sg_publisher_lock_tree(gate->publisher, "gate", &error);
	g_autoptr(SgBuildRecord) record = NULL;
	g_autofree gchar *type_dir =
		sg_publisher_type_dir(gate->publisher, candidate->flavour, candidate->image_type);
	SgVerdict verdict = result != NULL ? result->verdict : SG_VERDICT_ERROR;
	const gchar *reason = result != NULL ? result->reason : failure;

	if (lock == NULL || (record = sg_build_record_load(candidate->dir, &error)) == NULL) {
		g_warning("cannot record the verdict on %s: %s", candidate->dir, error->message);
		gate->summary->errors++;
		return;
	}
	g_free(record->verdict);
	record->verdict = g_strdup(sg_verdict_to_string(verdict));
	g_free(record->reason);
	record->reason = g_strdup(reason);
	g_free(record->host);
	record->host = g_strdup(host);
	switch (verdict) {
	case SG_VERDICT_PASS:
		record->state = SG_BUILD_PASSED;
		record->errors = 0;
		sg_build_record_add_event(record, "passed", reason);
		break;
	case SG_VERDICT_FAIL:
		record->state = SG_BUILD_FAILED;
		sg_build_record_add_event(record, "failed", reason);
		break;
	default:
		record->errors++;
		sg_build_record_add_event(record, "error", reason);
		break;
	}
	/* Only judged tests predict how long the next one takes. */
	if (result != NULL && verdict != SG_VERDICT_ERROR &&
	    result->finished_us > result->started_us)
		record->test_seconds = (result->finished_us - result->started_us) / 1e6;
	if (!sg_build_record_save(record, &error)) {
		keep_tree_error(gate, &error);
		gate->summary->errors++;
		return;
	}
	if (gate->options->on_verdict != NULL)
		gate->options->on_verdict(candidate->label, record->verdict, host, reason,
					  gate->options->user_data);
	if (verdict == SG_VERDICT_PASS) {
		gate->summary->passed++;
		/* Recorded before current moves: current never points at a build
		 * whose record does not say it passed. */
		if (newer_than_current(type_dir, candidate->build_id) &&
		    !sg_tree_point(type_dir, SG_TREE_CURRENT, candidate->build_id, &error))
			keep_tree_error(gate, &error);
		sg_publisher_notify(gate->publisher, "passed", candidate->flavour,
				    candidate->image_type, candidate->build_id, reason);
		notify_downstream_failed(gate, candidate, result);
	} else if (verdict == SG_VERDICT_FAIL) {
		gate->summary->failed++;
		sg_publisher_notify(gate->publisher, "failed", candidate->flavour,
				    candidate->image_type, candidate->build_id, reason);
	} else {
		gate->summary->errors++;
		if (record->errors >= gate->publisher->config->max_errors) {
			g_autofree gchar *note =
				g_strdup_printf("could not be judged %u times in a row: %s",
						record->errors, reason);
			sg_publisher_notify(gate->publisher, "lab-problem", candidate->flavour,
					    candidate->image_type, candidate->build_id, note);
		}
	}
	/* Still under the tree's lock: the disk of a build current left, or
	 * of a failed build nobody asked to keep, goes now. */
	sg_kept_disk_prune(type_dir, gate->publisher->config->keep_failed_disks);
}

/* An attempt that will be tried again leaves a trace in the build's
 * record, but no verdict and no count. */
static void
record_retry(SgGate *gate, SgCandidate *candidate, const gchar *why)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SgLock) lock = sg_publisher_lock_tree(gate->publisher, "gate", &error);
	g_autoptr(SgBuildRecord) record = NULL;

	if (lock == NULL || (record = sg_build_record_load(candidate->dir, &error)) == NULL) {
		g_warning("cannot record the retry on %s: %s", candidate->dir, error->message);
		return;
	}
	sg_build_record_add_event(record, "retry", why);
	if (!sg_build_record_save(record, &error))
		keep_tree_error(gate, &error);
}

static gpointer
attempt_thread(gpointer data)
{
	SgAttempt *attempt = data;
	SgGate *gate = attempt->gate;
	SgCandidate *candidate = attempt->job->data;
	SgLabHost *host = sg_gate_lab_host_config(attempt->host);
	g_autofree gchar *image = NULL;
	g_autofree gchar *evidence = NULL;
	g_autoptr(SgBuildRecord) record = sg_build_record_load(candidate->dir, NULL);
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) suites = sg_tree_config_suites(gate->publisher->config);
	SgTestOptions test = {0};

	image = g_build_filename(candidate->dir, record != NULL ? record->image : "", NULL);
	evidence = fresh_evidence_dir(candidate->dir);
	test.image = image;
	test.evidence_dir = evidence;
	test.connect_uri = host->uri;
	test.max_guests = host->max_guests;
	test.flavours_dir = gate->options->flavours_dir;
	/* The flavour profile's Suites=, then the tree's. */
	test.suites = (const gchar *const *)suites;
	test.suites_dir = gate->options->suites_dir;
	test.profile_suites = TRUE;
	/* Every test keeps its disk: whether the tree keeps it is known only
	 * with the verdict (sg_kept_disk_prune). */
	test.keep_disk = TRUE;
	test.accel = gate->options->accel != NULL ? gate->options->accel
		     : host->accel != NULL	  ? host->accel
						  : "auto";
	/* Tell the flavour from the image; the tree's folder name is the fallback. */
	attempt->result = sg_test_run(&test, attempt->row, gate->cancellable, &error);
	if (attempt->result == NULL && g_error_matches(error, SG_ERROR, SG_ERROR_USAGE)) {
		g_clear_error(&error);
		test.flavour = candidate->flavour;
		attempt->result = sg_test_run(&test, attempt->row, gate->cancellable, &error);
	}
	if (attempt->result == NULL)
		attempt->failure = g_strdup(error != NULL ? error->message : "no verdict");
	write_thumbnail(evidence);
	g_async_queue_push(gate->ended, attempt);
	return NULL;
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
	attempt->thread = g_thread_new("smokegate-test", attempt_thread, attempt);
}

static void
take_host_out(SgGate *gate, SgScheduleHost *host, const gchar *reason)
{
	g_autofree gchar *note = NULL;

	if (host->out)
		return;
	sg_schedule_take_out(host, reason);
	gate->summary->hosts_out++;
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

/*
 * What an ended attempt means. A verdict (pass or fail) is recorded. An
 * error is the lab's: the host is taken out when it was lost or keeps
 * failing, and the build goes back to the queue for another host while
 * it has attempts left; else the error is recorded.
 */
static void
conclude_attempt(SgGate *gate, SgAttempt *attempt)
{
	SgScheduleJob *job = attempt->job;
	SgScheduleHost *host = attempt->host;
	SgCandidate *candidate = job->data;
	SgResult *result = attempt->result;
	SgVerdict verdict = result != NULL ? result->verdict : SG_VERDICT_ERROR;
	const gchar *reason = result != NULL ? result->reason : attempt->failure;
	gdouble seconds = result != NULL && result->finished_us > result->started_us
				  ? (result->finished_us - result->started_us) / 1e6
				  : -1;
	g_autofree gchar *unreachable = NULL;
	g_autofree gchar *finished = NULL;

	g_thread_join(attempt->thread);
	/* A test that could not judge its build says nothing about its disk;
	 * the next attempt makes its own. */
	if (verdict == SG_VERDICT_ERROR) {
		g_autofree gchar *evidence = g_build_filename(candidate->dir, "smoke", NULL);
		sg_kept_disk_remove(evidence);
	}
	sg_progress_free(attempt->row);
	sg_gate_view_remove_row(gate->view, attempt->row);
	sg_schedule_release(gate->schedule, job, host);
	finished = g_strdup_printf("%s: %s", sg_verdict_to_string(verdict), reason);
	sg_gate_view_event(gate->view, "finished", host->name, candidate->label, finished, seconds);
	if (verdict != SG_VERDICT_ERROR) {
		host->errors_in_a_row = 0;
		record_result(gate, candidate, result, attempt->failure, host->name);
		sg_schedule_job_free(job);
		return;
	}
	/* Stopped by a signal: the build stays untested, no error counted. */
	if (g_cancellable_is_cancelled(gate->cancellable)) {
		sg_schedule_job_free(job);
		return;
	}
	if ((result != NULL && result->lab_lost) ||
	    !sg_gate_lab_still_reachable(host, &unreachable)) {
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
		gate->summary->retries++;
		record_retry(gate, candidate, why);
		sg_gate_view_event(gate->view, "retry", host->name, candidate->label, why, -1);
		sg_schedule_requeue(gate->schedule, job, host);
		return;
	}
	record_result(gate, candidate, result, attempt->failure, host->name);
	sg_schedule_job_free(job);
}

/* The guest a build will need: its flavour's profile, by the tree's folder name. */
static void
guest_size(GPtrArray *flavours, const gchar *name, guint *memory_mib, guint *vcpus)
{
	SgFlavour *flavour = flavours != NULL ? sg_flavour_find(flavours, name) : NULL;

	*memory_mib = flavour != NULL ? flavour->memory_mib : DEFAULT_GUEST_MIB;
	*vcpus = flavour != NULL ? flavour->vcpus : DEFAULT_GUEST_VCPUS;
}

static void
queue_candidates(SgGate *gate, GPtrArray *candidates)
{
	g_autoptr(GPtrArray) flavours = sg_flavour_load_all(gate->options->flavours_dir, NULL);

	for (guint i = 0; i < candidates->len; i++) {
		SgCandidate *candidate = g_ptr_array_index(candidates, i);
		g_autofree gchar *type_dir = sg_publisher_type_dir(
			gate->publisher, candidate->flavour, candidate->image_type);
		gdouble expected = expected_seconds(type_dir);
		guint memory_mib, vcpus;
		g_autofree gchar *detail = NULL;

		guest_size(flavours, candidate->flavour, &memory_mib, &vcpus);
		sg_schedule_add_job(gate->schedule, candidate, memory_mib, vcpus, expected);
		detail = g_strdup_printf("%u MiB, %u vCPUs", memory_mib, vcpus);
		sg_gate_view_event(gate->view, "queued", NULL, candidate->label, detail, expected);
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
		const gchar *why = "no lab host of the run could take it (every host is out)";

		sg_gate_view_event(gate->view, "not-run", NULL, candidate->label, why, -1);
		if (g_cancellable_is_cancelled(gate->cancellable))
			continue;
		record_result(gate, candidate, NULL, why, NULL);
	}
}

/* Starts what fits, waits for a test to end, and again, until nothing is left. */
static void
run_schedule(SgGate *gate)
{
	for (;;) {
		SgScheduleJob *job;
		SgScheduleHost *host;
		SgAttempt *attempt;

		while (!g_cancellable_is_cancelled(gate->cancellable) && gate->tree_error == NULL &&
		       sg_schedule_next(gate->schedule, gate->options->jobs, &job, &host))
			start_attempt(gate, job, host);
		if (sg_schedule_get_running(gate->schedule) == 0) {
			/* What is still queued stays untested, for the next run. */
			if (gate->tree_error != NULL)
				return;
			record_stranded(gate);
			if (g_cancellable_is_cancelled(gate->cancellable) ||
			    sg_schedule_get_queued(gate->schedule) == 0)
				return;
			continue;
		}
		attempt = g_async_queue_pop(gate->ended);
		conclude_attempt(gate, attempt);
		sg_result_free(attempt->result);
		g_free(attempt->failure);
		g_free(attempt);
	}
}

/* A flavour whose build of the day did not appear by the configured hour
 * is told once a day: the build probably failed to build. */
static void
announce_missing_builds(SgGate *gate)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree gchar *today = g_date_time_format(now, "%Y%m%d");
	g_autoptr(GPtrArray) types = sg_tree_list_types(gate->publisher->tree);

	for (guint t = 0; t < types->len; t++) {
		const gchar *type_path = g_ptr_array_index(types, t);
		g_autofree gchar *flavour = g_path_get_dirname(type_path);
		g_autofree gchar *image_type = g_path_get_basename(type_path);
		g_autofree gchar *type_dir =
			sg_publisher_type_dir(gate->publisher, flavour, image_type);
		g_autofree gchar *marker_name =
			g_strdup_printf("no-build-%s-%s-%s", flavour, image_type, today);
		g_autofree gchar *marker = g_build_filename(gate->publisher->tree,
							    SG_TREE_STATE_DIR, marker_name, NULL);
		if (!flavour_selected(gate->options, flavour) ||
		    g_file_test(marker, G_FILE_TEST_EXISTS) ||
		    !sg_status_daily_build_missing(type_dir, gate->publisher->config, now))
			continue;
		sg_publisher_notify(gate->publisher, "no-build", flavour, image_type, NULL,
				    "no daily build yet: it probably failed to build (FTBFS)");
		g_file_set_contents(marker, "", 0, NULL);
	}
}

/* Whether a person changed which build is current (mark-current, yank) in
 * @type_dir after @since. */
static gboolean
person_changed_current_since(const gchar *type_dir, GDateTime *since)
{
	g_autoptr(GPtrArray) builds = sg_tree_list_builds(type_dir);

	for (guint i = 0; i < builds->len; i++) {
		g_autofree gchar *dir =
			g_build_filename(type_dir, g_ptr_array_index(builds, i), NULL);
		g_autoptr(SgBuildRecord) record = sg_build_record_load(dir, NULL);

		for (guint e = 0; record != NULL && e < record->events->len; e++) {
			SgBuildEvent *event = g_ptr_array_index(record->events, e);
			g_autoptr(GDateTime) when = NULL;

			if (g_strcmp0(event->what, "marked-current") != 0 &&
			    g_strcmp0(event->what, "yanked") != 0)
				continue;
			when = g_date_time_new_from_iso8601(event->when, NULL);
			if (when == NULL || g_date_time_compare(when, since) > 0)
				return TRUE;
		}
	}
	return FALSE;
}

/* A writer killed between its temporary file and the rename leaves the
 * temporary in the tree, and mirrors would copy it: the real files are
 * whole, the temporaries go. Every writer of these files holds the tree
 * lock, so under it none of them is anyone's work in progress. */
static void
remove_stale_page_temporaries(const gchar *tree)
{
	g_autofree gchar *page = g_build_filename(tree, "index.html", NULL);
	g_autofree gchar *status = g_build_filename(tree, "status.json", NULL);

	sg_files_remove_stale_temporaries(page);
	sg_files_remove_stale_temporaries(status);
}

/* The same for the records of @builds in @type_dir. */
static void
remove_stale_record_temporaries(const gchar *type_dir, GPtrArray *builds)
{
	for (guint i = 0; i < builds->len; i++) {
		g_autofree gchar *dir =
			g_build_filename(type_dir, g_ptr_array_index(builds, i), NULL);
		g_autofree gchar *record = sg_build_record_path(dir);

		sg_files_remove_stale_temporaries(record);
	}
}

/*
 * A gate killed between recording a pass and moving `current` (the record
 * goes first, see record_result) left a passed build newer than current
 * that no gate tests again: current moves to it now, as that gate would
 * have, unless a person changed current since the pass.
 */
static void
finish_publishing(SgGate *gate)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SgLock) lock = sg_publisher_lock_tree(gate->publisher, "gate", &error);
	g_autoptr(GPtrArray) types = NULL;

	if (lock == NULL) {
		g_warning("%s", error->message);
		return;
	}
	types = sg_tree_list_types(gate->publisher->tree);
	remove_stale_page_temporaries(gate->publisher->tree);
	for (guint t = 0; t < types->len; t++) {
		g_autofree gchar *flavour = g_path_get_dirname(g_ptr_array_index(types, t));
		g_autofree gchar *image_type = g_path_get_basename(g_ptr_array_index(types, t));
		g_autofree gchar *type_dir =
			sg_publisher_type_dir(gate->publisher, flavour, image_type);
		g_autofree gchar *current = sg_tree_read_link(type_dir, SG_TREE_CURRENT);
		g_autoptr(GPtrArray) builds = sg_tree_list_builds(type_dir);

		/* Every flavour's: the lock covers the whole tree. */
		remove_stale_record_temporaries(type_dir, builds);
		if (!flavour_selected(gate->options, flavour))
			continue;
		/* Newest first, down to current: the newest passed build only. */
		for (guint i = 0; i < builds->len; i++) {
			const gchar *id = g_ptr_array_index(builds, i);
			g_autofree gchar *dir = g_build_filename(type_dir, id, NULL);
			g_autoptr(SgBuildRecord) record = NULL;
			g_autoptr(GDateTime) passed = NULL;
			SgBuildEvent *last;

			if (g_strcmp0(id, current) == 0)
				break;
			record = sg_build_record_load(dir, NULL);
			if (record == NULL || record->state != SG_BUILD_PASSED ||
			    record->events->len == 0)
				continue;
			last = g_ptr_array_index(record->events, record->events->len - 1);
			passed = g_date_time_new_from_iso8601(last->when, NULL);
			if (g_strcmp0(last->what, "passed") != 0 || passed == NULL ||
			    person_changed_current_since(type_dir, passed))
				break;
			if (!sg_tree_point(type_dir, SG_TREE_CURRENT, id, &error)) {
				g_warning("%s", error->message);
				g_clear_error(&error);
				break;
			}
			sg_publisher_notify(gate->publisher, "passed", flavour, image_type, id,
					    record->reason);
			break;
		}
	}
}

void
sg_gate_summary_clear(SgGateSummary *summary)
{
	g_clear_pointer(&summary->refused_by, sg_lock_holder_free);
}

gboolean
sg_gate_run(const SgGateOptions *options, GCancellable *cancellable, SgGateSummary *summary,
	    GError **error)
{
	g_autoptr(SgPublisher) publisher =
		sg_publisher_open_with_config(options->tree, options->config, error);
	g_autoptr(SgLock) gate_lock = NULL;
	g_autoptr(GPtrArray) candidates = NULL;
	g_autoptr(SgSchedule) schedule = sg_schedule_new();
	g_autoptr(SgGateView) view = NULL;
	g_autoptr(SgGateLab) lab = NULL;
	g_autoptr(GAsyncQueue) ended = g_async_queue_new();
	SgGate gate = {options, NULL, cancellable, summary};
	GPtrArray *hosts;

	if (publisher == NULL)
		return FALSE;
	if (!options->gate_locked) {
		gate_lock = sg_publisher_lock_gate(publisher, &summary->refused_by, error);
		if (gate_lock == NULL)
			return FALSE;
	}
	view = sg_gate_view_new(options->json);
	gate.publisher = publisher;
	gate.schedule = schedule;
	gate.view = view;
	gate.ended = ended;
	/* A gate killed just after a verdict can leave that test's scratch
	 * disk (the run's clean-up goes on after its result is back), and a
	 * gate with nothing to test opens no lab, whose opening removes it. */
	sg_lab_remove_stale();
	finish_publishing(&gate);
	announce_missing_builds(&gate);
	candidates = find_candidates(&gate);
	if (candidates->len > 0) {
		lab = sg_gate_lab_new(options->lab, options->jobs, schedule);
		gate.lab = lab;
		hosts = sg_schedule_get_hosts(schedule);
		for (guint i = 0; i < hosts->len; i++) {
			SgScheduleHost *host = g_ptr_array_index(hosts, i);
			g_autofree gchar *reason = g_strdup(host->out_reason);
			/* Said the same way as a host lost later. */
			if (host->out) {
				host->out = FALSE;
				take_host_out(&gate, host, reason);
			}
		}
		queue_candidates(&gate, candidates);
		run_schedule(&gate);
		sg_gate_lab_save(lab, publisher->tree);
	}
	sg_publisher_refresh(publisher);
	/* A notice lost or a stale page: the tree could not be changed either. */
	if (gate.tree_error == NULL && publisher->error != NULL) {
		gate.tree_error = g_error_copy(publisher->error);
		sg_tree_error_claim(&gate.tree_error);
	}
	if (gate.tree_error != NULL) {
		g_propagate_error(error, gate.tree_error);
		return FALSE;
	}
	return TRUE;
}
