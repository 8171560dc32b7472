#include "sg-gate.h"

#include <glib/gstdio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "sg-build-record.h"
#include "sg-error.h"
#include "sg-publish.h"
#include "sg-status.h"
#include "sg-test-run.h"
#include "sg-tree.h"

#define THUMBNAIL_WIDTH 240

typedef struct {
	gchar *flavour;
	gchar *image_type;
	gchar *build_id;
	gchar *dir;
} SgCandidate;

typedef struct {
	const SgGateOptions *options;
	SgPublisher *publisher;
	SgProgress *progress;
	GCancellable *cancellable;
	SgGateSummary *summary;
	GMutex lock; /* records and the summary, from the job threads */
} SgGate;

static void
sg_candidate_free(SgCandidate *candidate)
{
	g_free(candidate->flavour);
	g_free(candidate->image_type);
	g_free(candidate->build_id);
	g_free(candidate->dir);
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

static void
record_result(SgGate *gate, SgCandidate *candidate, SgResult *result, const gchar *failure)
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
	if (!sg_build_record_save(record, &error)) {
		g_warning("%s", error->message);
		gate->summary->errors++;
		return;
	}
	if (verdict == SG_VERDICT_PASS) {
		gate->summary->passed++;
		/* Recorded before current moves: current never points at a build
		 * whose record does not say it passed. */
		if (newer_than_current(type_dir, candidate->build_id) &&
		    !sg_tree_point(type_dir, SG_TREE_CURRENT, candidate->build_id, &error))
			g_warning("%s", error->message);
		sg_publisher_notify(gate->publisher, "passed", candidate->flavour,
				    candidate->image_type, candidate->build_id, reason);
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
}

static void
test_candidate(gpointer data, gpointer user_data)
{
	SgCandidate *candidate = data;
	SgGate *gate = user_data;
	g_autofree gchar *image = NULL;
	g_autofree gchar *evidence = NULL;
	g_autoptr(SgBuildRecord) record = sg_build_record_load(candidate->dir, NULL);
	g_autoptr(SgResult) result = NULL;
	g_autoptr(GError) error = NULL;
	SgTestOptions test = {0};

	if (g_cancellable_is_cancelled(gate->cancellable))
		return;
	image = g_build_filename(candidate->dir, record->image, NULL);
	evidence = fresh_evidence_dir(candidate->dir);
	test.image = image;
	test.evidence_dir = evidence;
	test.connect_uri = gate->options->connect_uri;
	test.flavours_dir = gate->options->flavours_dir;
	test.accel = gate->options->accel != NULL ? gate->options->accel : "auto";
	/* Tell the flavour from the image; the tree's folder name is the fallback. */
	result = sg_test_run(&test, gate->options->jobs == 1 ? gate->progress : NULL,
			     gate->cancellable, &error);
	if (result == NULL && g_error_matches(error, SG_ERROR, SG_ERROR_USAGE)) {
		g_clear_error(&error);
		test.flavour = candidate->flavour;
		result = sg_test_run(&test, NULL, gate->cancellable, &error);
	}
	write_thumbnail(evidence);
	g_mutex_lock(&gate->lock);
	record_result(gate, candidate, result, error != NULL ? error->message : "no verdict");
	sg_progress_note(gate->progress, "%s/%s/%s: %s", candidate->flavour, candidate->image_type,
			 candidate->build_id,
			 result != NULL ? sg_verdict_to_string(result->verdict) : "error");
	g_mutex_unlock(&gate->lock);
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

gboolean
sg_gate_run(const SgGateOptions *options, SgProgress *progress, GCancellable *cancellable,
	    SgGateSummary *summary, GError **error)
{
	g_autoptr(SgPublisher) publisher = sg_publisher_open(options->tree, error);
	g_autoptr(SgLock) gate_lock = NULL;
	g_autoptr(GPtrArray) candidates = NULL;
	SgGate gate = {options, NULL, progress, cancellable, summary};
	GThreadPool *pool;

	if (publisher == NULL)
		return FALSE;
	gate_lock = sg_publisher_lock_gate(publisher, error);
	if (gate_lock == NULL)
		return FALSE;
	gate.publisher = publisher;
	g_mutex_init(&gate.lock);
	announce_missing_builds(&gate);
	candidates = find_candidates(&gate);
	pool = g_thread_pool_new(test_candidate, &gate, MAX(options->jobs, 1), FALSE, error);
	if (pool == NULL)
		return FALSE;
	for (guint i = 0; i < candidates->len; i++)
		g_thread_pool_push(pool, g_ptr_array_index(candidates, i), NULL);
	g_thread_pool_free(pool, FALSE, TRUE);
	g_mutex_clear(&gate.lock);
	sg_publisher_refresh(publisher);
	return TRUE;
}
