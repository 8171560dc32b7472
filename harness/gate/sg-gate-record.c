#include "sg-gate-record.h"

#include "sg-kept-disk.h"
#include "sg-tree.h"

typedef struct {
	const SgCandidate *candidate;
	SgResult *result; /* a verdict's, or NULL */
	gboolean retry;
	gchar *why; /* a retry's reason, or the failure of a verdict without result */
	gchar *host;
} SgGateWrite;

typedef struct {
	GSourceFunc done;
	gpointer user_data;
} SgGateWaiter;

struct _SgGateRecorder {
	SgPublisher *publisher;
	SgTreeModel *tree;
	SgGateSummary *summary;
	SgGateVerdictFunc on_verdict;
	gpointer user_data;
	GPtrArray *writes;  /* SgGateWrite, for the next hold of the lock */
	GPtrArray *waiters; /* SgGateWaiter, told when those are written */
	gboolean locking;   /* the lock is on its way */
	GError *tree_error;
};

static void
write_free(SgGateWrite *write)
{
	sg_result_free(write->result);
	g_free(write->why);
	g_free(write->host);
	g_free(write);
}

SgGateRecorder *
sg_gate_recorder_new(SgPublisher *publisher, SgTreeModel *tree, SgGateSummary *summary,
		     SgGateVerdictFunc on_verdict, gpointer user_data)
{
	SgGateRecorder *recorder = g_new0(SgGateRecorder, 1);

	recorder->publisher = publisher;
	recorder->tree = tree;
	recorder->summary = summary;
	recorder->on_verdict = on_verdict;
	recorder->user_data = user_data;
	recorder->writes = g_ptr_array_new_with_free_func((GDestroyNotify)write_free);
	recorder->waiters = g_ptr_array_new_with_free_func(g_free);
	return recorder;
}

void
sg_gate_recorder_free(SgGateRecorder *recorder)
{
	if (recorder == NULL)
		return;
	g_return_if_fail(!recorder->locking);
	g_ptr_array_unref(recorder->writes);
	g_ptr_array_unref(recorder->waiters);
	g_clear_error(&recorder->tree_error);
	g_free(recorder);
}

const GError *
sg_gate_recorder_get_tree_error(SgGateRecorder *recorder)
{
	return recorder->tree_error;
}

void
sg_gate_recorder_keep_tree_error(SgGateRecorder *recorder, GError *error)
{
	/* Later ones are warnings: a full filesystem would fail every test
	 * that follows. */
	if (recorder->tree_error != NULL) {
		g_warning("%s", error->message);
		g_error_free(error);
		return;
	}
	sg_tree_error_claim(&error);
	recorder->tree_error = error;
}

void
sg_gate_recorder_add_verdict(SgGateRecorder *recorder, const SgCandidate *candidate,
			     SgResult *result, const gchar *failure, const gchar *host)
{
	SgGateWrite *write = g_new0(SgGateWrite, 1);

	write->candidate = candidate;
	write->result = result;
	write->why = g_strdup(failure);
	write->host = g_strdup(host);
	g_ptr_array_add(recorder->writes, write);
}

void
sg_gate_recorder_add_retry(SgGateRecorder *recorder, const SgCandidate *candidate, const gchar *why)
{
	SgGateWrite *write = g_new0(SgGateWrite, 1);

	write->candidate = candidate;
	write->retry = TRUE;
	write->why = g_strdup(why);
	g_ptr_array_add(recorder->writes, write);
}

/* Whether @build_id is newer than what `current` points at (or nothing is). */
static gboolean
newer_than_current(SgTreeType *type, const gchar *build_id)
{
	if (type->current == NULL)
		return TRUE;
	for (guint i = 0; i < type->builds->len; i++) {
		SgTreeBuild *build = g_ptr_array_index(type->builds, i);
		if (g_str_equal(build->id, build_id))
			return TRUE;
		if (g_str_equal(build->id, type->current))
			return FALSE;
	}
	return TRUE;
}

/* A passed build whose advisory suites failed is published; the teams
 * that own those suites hear of it. */
static void
notify_downstream_failed(SgGateRecorder *recorder, const SgCandidate *candidate, SgResult *result)
{
	for (guint i = 0; result != NULL && result->suites != NULL && i < result->suites->len;
	     i++) {
		SgSuiteResult *suite = g_ptr_array_index(result->suites, i);
		g_autofree gchar *note = NULL;

		if (suite->gating || suite->verdict == SG_VERDICT_PASS)
			continue;
		note = g_strdup_printf("advisory suite %s %s: %s", suite->name,
				       sg_verdict_to_string(suite->verdict), suite->reason);
		sg_publisher_notify(recorder->publisher, "downstream-failed", candidate->flavour,
				    candidate->image_type, candidate->build_id, note);
	}
}

/* The build's record as the type was just read, or NULL (warned of). */
static SgBuildRecord *
record_of(SgTreeType *type, const SgCandidate *candidate, const gchar *what)
{
	SgTreeBuild *build = sg_tree_type_find_build(type, candidate->build_id);

	if (build == NULL || build->record == NULL) {
		g_warning("cannot record the %s on %s: %s", what, candidate->dir,
			  build != NULL ? build->error->message : "the build folder is gone");
		return NULL;
	}
	return build->record;
}

static void
write_verdict(SgGateRecorder *recorder, SgTreeType *type, SgGateWrite *write)
{
	SgPublisher *publisher = recorder->publisher;
	const SgCandidate *candidate = write->candidate;
	SgResult *result = write->result;
	SgVerdict verdict = result != NULL ? result->verdict : SG_VERDICT_ERROR;
	const gchar *reason = result != NULL ? result->reason : write->why;
	SgBuildRecord *record = record_of(type, candidate, "verdict");
	g_autoptr(GError) error = NULL;

	if (record == NULL) {
		recorder->summary->errors++;
		return;
	}
	g_free(record->verdict);
	record->verdict = g_strdup(sg_verdict_to_string(verdict));
	g_free(record->reason);
	record->reason = g_strdup(reason);
	g_free(record->host);
	record->host = g_strdup(write->host);
	if (result != NULL && result->arch != NULL) {
		g_free(record->arch);
		record->arch = g_strdup(result->arch);
	}
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
		sg_gate_recorder_keep_tree_error(recorder, g_steal_pointer(&error));
		recorder->summary->errors++;
		return;
	}
	if (recorder->on_verdict != NULL)
		recorder->on_verdict(candidate->label, record->verdict, write->host, reason,
				     recorder->user_data);
	if (verdict == SG_VERDICT_PASS) {
		recorder->summary->passed++;
		/* Recorded before current moves: current never points at a build
		 * whose record does not say it passed. */
		if (newer_than_current(type, candidate->build_id) &&
		    !sg_tree_type_point(type, SG_TREE_CURRENT, candidate->build_id, &error))
			sg_gate_recorder_keep_tree_error(recorder, g_steal_pointer(&error));
		sg_publisher_notify(publisher, "passed", candidate->flavour, candidate->image_type,
				    candidate->build_id, reason);
		notify_downstream_failed(recorder, candidate, result);
	} else if (verdict == SG_VERDICT_FAIL) {
		recorder->summary->failed++;
		sg_publisher_notify(publisher, "failed", candidate->flavour, candidate->image_type,
				    candidate->build_id, reason);
	} else {
		recorder->summary->errors++;
		if (record->errors >= publisher->config->max_errors) {
			g_autofree gchar *note =
				g_strdup_printf("could not be judged %u times in a row: %s",
						record->errors, reason);
			sg_publisher_notify(publisher, "lab-problem", candidate->flavour,
					    candidate->image_type, candidate->build_id, note);
		}
	}
	/* Still under the tree's lock: the disk of a build current left, or
	 * of a failed build nobody asked to keep, goes now. */
	sg_kept_disk_prune(type, publisher->config->keep_failed_disks);
}

static void
write_retry(SgGateRecorder *recorder, SgTreeType *type, SgGateWrite *write)
{
	SgBuildRecord *record = record_of(type, write->candidate, "retry");
	g_autoptr(GError) error = NULL;

	if (record == NULL)
		return;
	sg_build_record_add_event(record, "retry", write->why);
	if (!sg_build_record_save(record, &error))
		sg_gate_recorder_keep_tree_error(recorder, g_steal_pointer(&error));
}

/* Under the lock: the types the writes touch, read again once each, then
 * the writes in the order they came. */
static void
write_all(SgGateRecorder *recorder, GPtrArray *writes)
{
	g_autoptr(GHashTable) read = g_hash_table_new(NULL, NULL);

	for (guint i = 0; i < writes->len; i++) {
		SgGateWrite *write = g_ptr_array_index(writes, i);
		SgTreeType *type = sg_tree_model_find_type(
			recorder->tree, write->candidate->flavour, write->candidate->image_type);

		if (g_hash_table_add(read, type))
			sg_tree_type_reread(type);
		if (write->retry)
			write_retry(recorder, type, write);
		else
			write_verdict(recorder, type, write);
	}
}

/* Without the lock nothing is written: each verdict counts as not judged. */
static void
warn_unwritten(SgGateRecorder *recorder, GPtrArray *writes, const GError *error)
{
	for (guint i = 0; i < writes->len; i++) {
		SgGateWrite *write = g_ptr_array_index(writes, i);

		g_warning("cannot record the %s on %s: %s", write->retry ? "retry" : "verdict",
			  write->candidate->dir, error->message);
		if (!write->retry)
			recorder->summary->errors++;
	}
}

static void
on_locked(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SgGateRecorder *recorder = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(SgLock) lock = sg_publisher_lock_tree_finish(result, &error);
	g_autoptr(GPtrArray) writes = g_steal_pointer(&recorder->writes);
	g_autoptr(GPtrArray) waiters = g_steal_pointer(&recorder->waiters);

	recorder->writes = g_ptr_array_new_with_free_func((GDestroyNotify)write_free);
	recorder->waiters = g_ptr_array_new_with_free_func(g_free);
	if (lock == NULL)
		warn_unwritten(recorder, writes, error);
	else
		write_all(recorder, writes);
	g_clear_pointer(&lock, sg_lock_release);
	recorder->locking = FALSE;
	for (guint i = 0; i < waiters->len; i++) {
		SgGateWaiter *waiter = g_ptr_array_index(waiters, i);
		waiter->done(waiter->user_data);
	}
}

void
sg_gate_recorder_flush(SgGateRecorder *recorder, GSourceFunc done, gpointer user_data)
{
	SgGateWaiter *waiter;

	if (recorder->writes->len == 0 && !recorder->locking) {
		done(user_data);
		return;
	}
	waiter = g_new0(SgGateWaiter, 1);
	waiter->done = done;
	waiter->user_data = user_data;
	g_ptr_array_add(recorder->waiters, waiter);
	if (recorder->locking)
		return;
	recorder->locking = TRUE;
	/* Not cancelled with the run: a verdict reached is recorded. */
	sg_publisher_lock_tree_async(recorder->publisher, "gate", NULL, on_locked, recorder);
}
