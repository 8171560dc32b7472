#include "sg-runner.h"

#include <errno.h>
#include <stdio.h>

#include "sg-error.h"
#include "sg-files.h"
#include "sg-gate.h"
#include "sg-lock.h"
#include "sg-notify.h"
#include "sg-tree-config.h"
#include "sg-tree.h"

/* `stage` moves `pending` last, so a short wait only gathers the events of
 * several builds staged together into one pass. */
#define DEBOUNCE_MS 250
#define NOTICE_BACKOFF_MIN_S 30
#define NOTICE_BACKOFF_MAX_S 1800
/* Each delivery is one try per tracker (sg_notify_deliver's retries: none):
 * the backoff is the timer's. */
#define NOTICE_RETRIES 0
/* g_timeout_add_seconds() may fire a quarter second early: aim after the minute starts. */
#define EXPECTED_BY_SLACK_S 1

typedef enum {
	SG_WATCH_TREE,
	SG_WATCH_FLAVOUR,
	SG_WATCH_TYPE,
} SgWatchLevel;

typedef struct {
	SgRunner *runner;
	gchar *path;
	SgTreeConfig *config;
	SgLock *gate_lock;
	GHashTable *monitors; /* folder -> GFileMonitor */
	gboolean wanted;      /* a pass is asked for */
	gboolean notices_due; /* a delivery of spooled notices is */
	guint pending_notices;
	guint debounce_id;
	guint expected_id;
	GDateTime *expected_at;
	guint notice_id;
	guint backoff_s;
} SgRunnerTree;

typedef enum {
	SG_WORK_GATE,
	SG_WORK_NOTICES,
} SgWorkKind;

typedef struct {
	SgRunner *runner;
	SgRunnerTree *tree;
	SgWorkKind kind;
	SgGateOptions options;
	SgTreeConfig *config; /* the pass's copy of the tree's last good one */
	SgLabConfig *lab;     /* the pass's lab */
	gboolean owns_lab;    /* replaced by a reload while the pass ran */
	SgGateSummary summary;
	guint delivered;
	gboolean ok;
	GError *error;
} SgWork;

struct _SgRunner {
	SgRunnerOptions options;
	GPtrArray *trees; /* SgRunnerTree */
	SgLabConfig *lab;
	GMainContext *context;
	GCancellable *cancellable;
	SgWork *work;	/* what runs now, or NULL */
	guint verdicts; /* of the running pass */
	gboolean started;
	gboolean stopping;
};

static void maybe_start_work(SgRunner *runner);

static void
changed(SgRunner *runner)
{
	if (runner->options.on_changed != NULL)
		runner->options.on_changed(runner, runner->options.user_data);
}

static void
tree_free(SgRunnerTree *tree)
{
	g_clear_handle_id(&tree->debounce_id, g_source_remove);
	g_clear_handle_id(&tree->expected_id, g_source_remove);
	g_clear_handle_id(&tree->notice_id, g_source_remove);
	g_clear_pointer(&tree->expected_at, g_date_time_unref);
	g_hash_table_unref(tree->monitors);
	sg_tree_config_free(tree->config);
	sg_lock_release(tree->gate_lock);
	g_free(tree->path);
	g_free(tree);
}

static void
monitor_free(gpointer data)
{
	GFileMonitor *monitor = data;

	g_signal_handlers_disconnect_by_data(monitor,
					     g_object_get_data(G_OBJECT(monitor), "sg-tree"));
	g_file_monitor_cancel(monitor);
	g_object_unref(monitor);
}

static void
request_pass(SgRunnerTree *tree)
{
	if (tree->runner->stopping)
		return;
	tree->wanted = TRUE;
	maybe_start_work(tree->runner);
}

static gboolean
on_debounced(gpointer user_data)
{
	SgRunnerTree *tree = user_data;

	tree->debounce_id = 0;
	request_pass(tree);
	return G_SOURCE_REMOVE;
}

static void
request_pass_soon(SgRunnerTree *tree)
{
	if (tree->debounce_id == 0 && !tree->runner->stopping)
		tree->debounce_id = g_timeout_add(DEBOUNCE_MS, on_debounced, tree);
}

static void watch_tree(SgRunnerTree *tree);

static void
on_folder_changed(GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event,
		  gpointer user_data)
{
	SgRunnerTree *tree = user_data;
	SgWatchLevel level = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(monitor), "sg-level"));
	/* A rename names the new name second; a move in names it first. */
	GFile *target = event == G_FILE_MONITOR_EVENT_RENAMED && other != NULL ? other : file;
	g_autofree gchar *name = g_file_get_basename(target);
	gboolean appeared = event == G_FILE_MONITOR_EVENT_CREATED ||
			    event == G_FILE_MONITOR_EVENT_MOVED_IN ||
			    event == G_FILE_MONITOR_EVENT_RENAMED;
	gboolean went =
		event == G_FILE_MONITOR_EVENT_DELETED || event == G_FILE_MONITOR_EVENT_MOVED_OUT;

	if (tree->runner->stopping || name == NULL)
		return;
	if (level == SG_WATCH_TYPE) {
		/* `pending` moved: a build was staged. Gate's own changes
		 * (current, records in the build folders) are not asked about. */
		if (g_str_equal(name, SG_TREE_PENDING) &&
		    (appeared || event == G_FILE_MONITOR_EVENT_CHANGED)) {
			g_debug("%s: %s moved", tree->path, g_file_peek_path(target));
			request_pass_soon(tree);
		}
		return;
	}
	/* The tree or a flavour: a new flavour or image type folder (the
	 * status page and state files are not folders, or start with a dot). */
	if (name[0] == '.')
		return;
	if (went) {
		watch_tree(tree);
		return;
	}
	if (appeared &&
	    g_file_query_file_type(target, G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_DIRECTORY) {
		g_debug("%s: new folder %s", tree->path, g_file_peek_path(target));
		/* Watched before the pass: `pending` may already be in it,
		 * and the pass will see that one. */
		watch_tree(tree);
		request_pass_soon(tree);
	}
}

static void
watch_folder(SgRunnerTree *tree, const gchar *dir, SgWatchLevel level)
{
	g_autoptr(GFile) file = NULL;
	g_autoptr(GError) error = NULL;
	GFileMonitor *monitor;

	if (g_hash_table_contains(tree->monitors, dir))
		return;
	file = g_file_new_for_path(dir);
	monitor = g_file_monitor_directory(file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
	if (monitor == NULL) {
		g_warning("cannot watch %s (its builds wait for the next pass): %s", dir,
			  error->message);
		return;
	}
	g_object_set_data(G_OBJECT(monitor), "sg-level", GINT_TO_POINTER(level));
	g_object_set_data(G_OBJECT(monitor), "sg-tree", tree);
	g_signal_connect(monitor, "changed", G_CALLBACK(on_folder_changed), tree);
	g_hash_table_insert(tree->monitors, g_strdup(dir), monitor);
}

static gboolean
is_gone(gpointer key, gpointer value, gpointer user_data)
{
	return !g_file_test(key, G_FILE_TEST_IS_DIR);
}

/* One monitor for the tree, each flavour folder and each image type
 * folder: the folder is watched before it is listed, so a folder made in
 * between is seen by one or the other. */
static void
watch_tree(SgRunnerTree *tree)
{
	g_autoptr(GPtrArray) flavours = NULL;

	g_hash_table_foreach_remove(tree->monitors, is_gone, NULL);
	watch_folder(tree, tree->path, SG_WATCH_TREE);
	flavours = sg_files_list(tree->path, sg_files_keep_folder);
	for (guint i = 0; i < flavours->len; i++) {
		g_autofree gchar *flavour_dir =
			g_build_filename(tree->path, g_ptr_array_index(flavours, i), NULL);
		g_autoptr(GPtrArray) types = NULL;

		watch_folder(tree, flavour_dir, SG_WATCH_FLAVOUR);
		types = sg_files_list(flavour_dir, sg_files_keep_folder);
		for (guint j = 0; j < types->len; j++) {
			g_autofree gchar *type_dir =
				g_build_filename(flavour_dir, g_ptr_array_index(types, j), NULL);
			watch_folder(tree, type_dir, SG_WATCH_TYPE);
		}
	}
}

static void arm_expected_by(SgRunnerTree *tree);

static gboolean
on_expected_by(gpointer user_data)
{
	SgRunnerTree *tree = user_data;
	g_autoptr(GDateTime) now = g_date_time_new_now_local();

	tree->expected_id = 0;
	/* Early (a suspend, a clock change): set again for the same moment. */
	if (g_date_time_compare(now, tree->expected_at) < 0) {
		arm_expected_by(tree);
		return G_SOURCE_REMOVE;
	}
	g_message("%s: ExpectedBy=%s: checking for the day's builds", tree->path,
		  tree->config->expected_by);
	/* The pass sends the "no daily build" notices, once a day each. */
	request_pass(tree);
	arm_expected_by(tree);
	return G_SOURCE_REMOVE;
}

/* The next moment the local clock reads ExpectedBy, today or tomorrow. */
static GDateTime *
next_expected_by(const gchar *expected_by, GDateTime *now)
{
	guint hours = 0, minutes = 0;
	g_autoptr(GDateTime) today = NULL;

	if (sscanf(expected_by, "%2u:%2u", &hours, &minutes) != 2)
		return NULL;
	today = g_date_time_new_local(g_date_time_get_year(now), g_date_time_get_month(now),
				      g_date_time_get_day_of_month(now), (gint)hours, (gint)minutes,
				      0);
	if (today == NULL)
		return NULL;
	if (g_date_time_compare(today, now) > 0)
		return g_steal_pointer(&today);
	return g_date_time_add_days(today, 1);
}

static void
arm_expected_by(SgRunnerTree *tree)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	GTimeSpan wait;

	g_clear_handle_id(&tree->expected_id, g_source_remove);
	g_clear_pointer(&tree->expected_at, g_date_time_unref);
	if (tree->config->expected_by == NULL || tree->runner->stopping)
		return;
	/* After a fire, "now" may still be inside the minute: the next is tomorrow's. */
	tree->expected_at = next_expected_by(tree->config->expected_by, now);
	if (tree->expected_at == NULL)
		return;
	wait = g_date_time_difference(tree->expected_at, now);
	tree->expected_id = g_timeout_add_seconds(
		(guint)(wait / G_TIME_SPAN_SECOND) + EXPECTED_BY_SLACK_S, on_expected_by, tree);
}

static gboolean
on_notices_due(gpointer user_data)
{
	SgRunnerTree *tree = user_data;

	tree->notice_id = 0;
	tree->notices_due = TRUE;
	maybe_start_work(tree->runner);
	return G_SOURCE_REMOVE;
}

/* Spooled notices get a delivery after the backoff; none: the backoff starts over. */
static void
check_notices(SgRunnerTree *tree)
{
	tree->pending_notices = sg_notify_pending(tree->path);
	if (tree->pending_notices == 0) {
		g_clear_handle_id(&tree->notice_id, g_source_remove);
		tree->backoff_s = NOTICE_BACKOFF_MIN_S;
		return;
	}
	if (tree->notice_id != 0 || tree->notices_due || tree->runner->stopping)
		return;
	g_message("%s: %u tracker notices wait; next delivery in %u s", tree->path,
		  tree->pending_notices, tree->backoff_s);
	tree->notice_id = g_timeout_add_seconds(tree->backoff_s, on_notices_due, tree);
}

static void
on_gate_verdict(const gchar *build, const gchar *verdict, const gchar *host, const gchar *reason,
		gpointer user_data)
{
	SgWork *work = user_data;
	SgRunner *runner = work->runner;

	runner->verdicts++;
	if (runner->options.on_verdict != NULL)
		runner->options.on_verdict(work->tree->path, build, verdict, host, reason,
					   runner->options.user_data);
	changed(runner);
}

static void
work_free(SgWork *work)
{
	if (work->owns_lab)
		sg_lab_config_free(work->lab);
	sg_tree_config_free(work->config);
	sg_gate_summary_clear(&work->summary);
	g_clear_error(&work->error);
	g_free(work);
}

static void
report_work(SgWork *work)
{
	SgRunnerTree *tree = work->tree;

	if (work->kind == SG_WORK_NOTICES) {
		if (work->ok) {
			g_message("%s: %u tracker notices delivered", tree->path, work->delivered);
			tree->backoff_s = NOTICE_BACKOFF_MIN_S;
		} else {
			tree->backoff_s = MIN(tree->backoff_s * 2, NOTICE_BACKOFF_MAX_S);
			g_message("%s: tracker notices stay spooled: %s", tree->path,
				  work->error->message);
		}
		return;
	}
	if (!work->ok)
		g_warning("%s: the gate pass failed: %s", tree->path, work->error->message);
	else if (g_cancellable_is_cancelled(work->runner->cancellable))
		g_message("%s: gate pass cancelled: the builds it was testing stay untested",
			  tree->path);
	else
		g_message("%s: gate pass done: %u passed, %u failed, %u not judged", tree->path,
			  work->summary.passed, work->summary.failed, work->summary.errors);
}

static void
work_ended(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SgWork *work = user_data;
	SgRunner *runner = work->runner;

	if (work->kind == SG_WORK_GATE)
		work->ok = sg_gate_run_finish(result, &work->summary, &work->error);
	else
		work->ok = sg_notify_deliver_finish(result, &work->delivered, &work->error);
	runner->work = NULL;
	report_work(work);
	check_notices(work->tree);
	work_free(work);
	if (runner->stopping) {
		if (runner->options.on_stopped != NULL)
			runner->options.on_stopped(runner, runner->options.user_data);
		return;
	}
	maybe_start_work(runner);
	changed(runner);
}

static void
start_work(SgRunner *runner, SgRunnerTree *tree, SgWorkKind kind)
{
	SgWork *work = g_new0(SgWork, 1);

	work->runner = runner;
	work->tree = tree;
	work->kind = kind;
	if (kind == SG_WORK_GATE) {
		tree->wanted = FALSE;
		runner->verdicts = 0;
		work->lab = runner->lab;
		/* Not the file as it is now: a broken one was refused at SIGHUP. */
		work->config = sg_tree_config_copy(tree->config);
		work->options = (SgGateOptions){
			.tree = tree->path,
			.config = work->config,
			.jobs = runner->options.jobs,
			.lab = work->lab,
			.flavours_dir = runner->options.flavours_dir,
			.suites_dir = runner->options.suites_dir,
			.accel = runner->options.accel,
			.json = runner->options.json,
			.on_verdict = on_gate_verdict,
			.user_data = work,
			.gate_locked = TRUE,
		};
		g_message("%s: gate pass started", tree->path);
		runner->work = work;
		sg_gate_run_async(&work->options, runner->cancellable, work_ended, work);
		return;
	}
	tree->notices_due = FALSE;
	runner->work = work;
	sg_notify_deliver_async(tree->path, NOTICE_RETRIES, runner->cancellable, work_ended, work);
}

/* Passes first, in the trees' order; notices when no pass is asked for. */
static void
maybe_start_work(SgRunner *runner)
{
	if (!runner->started || runner->stopping || runner->work != NULL)
		return;
	for (guint i = 0; i < runner->trees->len; i++) {
		SgRunnerTree *tree = g_ptr_array_index(runner->trees, i);
		if (tree->wanted) {
			start_work(runner, tree, SG_WORK_GATE);
			changed(runner);
			return;
		}
	}
	for (guint i = 0; i < runner->trees->len; i++) {
		SgRunnerTree *tree = g_ptr_array_index(runner->trees, i);
		if (tree->notices_due) {
			start_work(runner, tree, SG_WORK_NOTICES);
			changed(runner);
			return;
		}
	}
}

static gboolean
tree_listed(SgRunner *runner, const gchar *path)
{
	for (guint i = 0; i < runner->trees->len; i++) {
		SgRunnerTree *tree = g_ptr_array_index(runner->trees, i);
		if (g_str_equal(tree->path, path))
			return TRUE;
	}
	return FALSE;
}

static SgRunnerTree *
tree_open(SgRunner *runner, const gchar *dir, GError **error)
{
	g_autofree gchar *path = NULL;
	g_autofree gchar *state_dir = NULL;
	g_autofree gchar *lock_path = NULL;
	SgRunnerTree *tree;

	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s: no such tree folder", dir);
		return NULL;
	}
	path = g_canonicalize_filename(dir, NULL);
	if (tree_listed(runner, path)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s: the same tree twice", dir);
		return NULL;
	}
	state_dir = g_build_filename(path, SG_TREE_STATE_DIR, NULL);
	if (!sg_files_make_real_folder(state_dir, error)) {
		sg_tree_error_claim(error);
		return NULL;
	}
	tree = g_new0(SgRunnerTree, 1);
	tree->runner = runner;
	tree->path = g_steal_pointer(&path);
	tree->backoff_s = NOTICE_BACKOFF_MIN_S;
	tree->monitors = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, monitor_free);
	g_ptr_array_add(runner->trees, tree);
	tree->config = sg_tree_config_load(tree->path, error);
	if (tree->config == NULL)
		return NULL;
	/* The gate lock (sg_publisher_lock_gate's file), held for as long as
	 * the runner lives, named "serve" for whoever is refused. */
	lock_path = sg_tree_lock_path(tree->path, "gate");
	tree->gate_lock = sg_lock_acquire(lock_path, "serve", 0, NULL, error);
	if (tree->gate_lock == NULL)
		return NULL;
	return tree;
}

SgRunner *
sg_runner_new(const gchar *const *trees, SgLabConfig *lab, const SgRunnerOptions *options,
	      GError **error)
{
	g_autoptr(SgRunner) runner = g_new0(SgRunner, 1);

	runner->options = *options;
	runner->lab = lab;
	runner->context = g_main_context_ref_thread_default();
	runner->cancellable = g_cancellable_new();
	runner->trees = g_ptr_array_new_with_free_func((GDestroyNotify)tree_free);
	if (trees == NULL || trees[0] == NULL) {
		g_set_error_literal(error, SG_ERROR, SG_ERROR_USAGE, "no tree to serve");
		return NULL;
	}
	for (guint i = 0; trees[i] != NULL; i++) {
		if (tree_open(runner, trees[i], error) == NULL)
			return NULL;
	}
	return g_steal_pointer(&runner);
}

void
sg_runner_start(SgRunner *runner)
{
	g_return_if_fail(!runner->started);

	runner->started = TRUE;
	for (guint i = 0; i < runner->trees->len; i++) {
		SgRunnerTree *tree = g_ptr_array_index(runner->trees, i);
		/* Watched before the first pass lists the builds: nothing
		 * staged from now on is missed. */
		watch_tree(tree);
		arm_expected_by(tree);
		tree->wanted = TRUE;
	}
	maybe_start_work(runner);
}

gboolean
sg_runner_reload(SgRunner *runner, SgLabConfig *lab, GError **error)
{
	g_autoptr(GPtrArray) configs =
		g_ptr_array_new_with_free_func((GDestroyNotify)sg_tree_config_free);

	for (guint i = 0; i < runner->trees->len; i++) {
		SgRunnerTree *tree = g_ptr_array_index(runner->trees, i);
		SgTreeConfig *config = sg_tree_config_load(tree->path, error);
		if (config == NULL)
			return FALSE;
		g_ptr_array_add(configs, config);
	}
	for (guint i = 0; i < runner->trees->len; i++) {
		SgRunnerTree *tree = g_ptr_array_index(runner->trees, i);
		sg_tree_config_free(tree->config);
		tree->config = g_steal_pointer(&configs->pdata[i]);
		arm_expected_by(tree);
	}
	if (lab != NULL) {
		/* The running pass keeps the lab it started with. */
		if (runner->work != NULL && runner->work->lab == runner->lab)
			runner->work->owns_lab = TRUE;
		else
			sg_lab_config_free(runner->lab);
		runner->lab = lab;
	}
	changed(runner);
	return TRUE;
}

static gboolean
report_stopped(gpointer user_data)
{
	SgRunner *runner = user_data;

	if (runner->options.on_stopped != NULL)
		runner->options.on_stopped(runner, runner->options.user_data);
	return G_SOURCE_REMOVE;
}

void
sg_runner_stop(SgRunner *runner)
{
	if (runner->stopping)
		return;
	runner->stopping = TRUE;
	for (guint i = 0; i < runner->trees->len; i++) {
		SgRunnerTree *tree = g_ptr_array_index(runner->trees, i);
		g_clear_handle_id(&tree->debounce_id, g_source_remove);
		g_clear_handle_id(&tree->expected_id, g_source_remove);
		g_clear_handle_id(&tree->notice_id, g_source_remove);
		g_hash_table_remove_all(tree->monitors);
	}
	g_cancellable_cancel(runner->cancellable);
	/* From the loop, as when work ends: never inside sg_runner_stop. */
	if (runner->work == NULL) {
		g_autoptr(GSource) source = g_idle_source_new();
		g_source_set_callback(source, report_stopped, runner, NULL);
		g_source_attach(source, runner->context);
	}
	changed(runner);
}

/* The earliest ExpectedBy check of the trees, or NULL. */
static GDateTime *
next_check(SgRunner *runner)
{
	GDateTime *next = NULL;

	for (guint i = 0; i < runner->trees->len; i++) {
		SgRunnerTree *tree = g_ptr_array_index(runner->trees, i);
		if (tree->expected_at != NULL &&
		    (next == NULL || g_date_time_compare(tree->expected_at, next) < 0))
			next = tree->expected_at;
	}
	return next;
}

gchar *
sg_runner_describe(SgRunner *runner)
{
	GDateTime *next = next_check(runner);
	GString *text;
	guint notices = 0;

	if (runner->stopping)
		return g_strdup(runner->work != NULL ? "stopping: cancelling the running tests"
						     : "stopped");
	text = g_string_new(NULL);
	if (runner->work != NULL && runner->work->kind == SG_WORK_GATE)
		g_string_append_printf(text, "gating %s: %u verdicts so far",
				       runner->work->tree->path, runner->verdicts);
	else if (runner->work != NULL)
		g_string_append_printf(text, "delivering the tracker notices of %s",
				       runner->work->tree->path);
	else
		g_string_append(text, "idle");
	for (guint i = 0; i < runner->trees->len; i++)
		notices += ((SgRunnerTree *)g_ptr_array_index(runner->trees, i))->pending_notices;
	if (notices > 0)
		g_string_append_printf(text, ", %u tracker notices wait", notices);
	if (next != NULL) {
		g_autofree gchar *when = g_date_time_format(next, "%Y-%m-%d %H:%M");
		g_string_append_printf(text, ", next ExpectedBy check at %s", when);
	}
	return g_string_free(text, FALSE);
}

void
sg_runner_free(SgRunner *runner)
{
	if (runner == NULL)
		return;
	g_return_if_fail(runner->work == NULL);
	g_ptr_array_unref(runner->trees);
	sg_lab_config_free(runner->lab);
	g_object_unref(runner->cancellable);
	g_main_context_unref(runner->context);
	g_free(runner);
}
