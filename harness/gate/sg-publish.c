#include "sg-publish.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "sg-error.h"
#include "sg-files.h"
#include "sg-json.h"
#include "sg-kept-disk.h"
#include "sg-notify.h"
#include "sg-status-page.h"
#include "sg-status.h"
#include "sg-tree.h"

#define NOTICE_ATTEMPTS 2

SgPublisher *
sg_publisher_open(const gchar *tree, GError **error)
{
	return sg_publisher_open_with_config(tree, NULL, error);
}

/* The tree (a folder) and its config (@config copied, or read when NULL). */
static SgPublisher *
publisher_new(const gchar *tree, const SgTreeConfig *config, GError **error)
{
	g_autoptr(SgPublisher) publisher = g_new0(SgPublisher, 1);

	if (!g_file_test(tree, G_FILE_TEST_IS_DIR)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s: no such tree folder", tree);
		return NULL;
	}
	publisher->tree = g_canonicalize_filename(tree, NULL);
	publisher->config = config != NULL ? sg_tree_config_copy(config)
					   : sg_tree_config_load(publisher->tree, error);
	if (publisher->config == NULL)
		return NULL;
	return g_steal_pointer(&publisher);
}

SgPublisher *
sg_publisher_open_read_only(const gchar *tree, gboolean *locked, GError **error)
{
	SgPublisher *publisher = publisher_new(tree, NULL, error);
	g_autofree gchar *state_dir = NULL;

	if (publisher == NULL)
		return NULL;
	state_dir = g_build_filename(publisher->tree, SG_TREE_STATE_DIR, NULL);
	*locked = g_file_test(state_dir, G_FILE_TEST_IS_DIR) &&
		  !g_file_test(state_dir, G_FILE_TEST_IS_SYMLINK) && g_access(state_dir, W_OK) == 0;
	return publisher;
}

SgPublisher *
sg_publisher_open_with_config(const gchar *tree, const SgTreeConfig *config, GError **error)
{
	g_autoptr(SgPublisher) publisher = publisher_new(tree, config, error);
	g_autofree gchar *state_dir = NULL;

	if (publisher == NULL)
		return NULL;
	state_dir = g_build_filename(publisher->tree, SG_TREE_STATE_DIR, NULL);
	if (!sg_files_make_real_folder(state_dir, error)) {
		sg_tree_error_claim(error);
		return NULL;
	}
	return g_steal_pointer(&publisher);
}

void
sg_publisher_free(SgPublisher *publisher)
{
	if (publisher == NULL)
		return;
	g_free(publisher->tree);
	sg_tree_config_free(publisher->config);
	g_clear_error(&publisher->error);
	g_free(publisher);
}

void
sg_publisher_remove_stale_staging(SgPublisher *publisher)
{
	g_autofree gchar *dir =
		g_build_filename(publisher->tree, SG_TREE_STATE_DIR, SG_TREE_STAGING_DIR, NULL);
	g_autoptr(GPtrArray) names = sg_files_list(dir, NULL);

	for (guint i = 0; i < names->len; i++) {
		g_autofree gchar *path = g_build_filename(dir, g_ptr_array_index(names, i), NULL);
		int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		gboolean stale;

		if (fd < 0) {
			/* Not a folder of its own (a link, a file): litter all the same. */
			if (errno == ENOTDIR || errno == ELOOP)
				g_unlink(path);
			continue;
		}
		/* A live stage holds its folder's flock; a killed one holds nothing. */
		stale = flock(fd, LOCK_EX | LOCK_NB) == 0;
		if (stale) {
			sg_files_remove_tree(path);
			g_message("removed %s, left by a stage that was killed", path);
		}
		close(fd);
	}
}

SgLock *
sg_publisher_lock_tree(SgPublisher *publisher, const gchar *purpose, GError **error)
{
	g_autofree gchar *path = sg_tree_lock_path(publisher->tree, "tree");
	SgLock *lock = sg_lock_acquire(path, purpose, SG_TREE_LOCK_WAIT_SECONDS, NULL, error);

	if (lock != NULL)
		sg_publisher_remove_stale_staging(publisher);
	return lock;
}

void
sg_publisher_lock_tree_async(SgPublisher *publisher, const gchar *purpose,
			     GCancellable *cancellable, GAsyncReadyCallback callback,
			     gpointer user_data)
{
	g_autofree gchar *path = sg_tree_lock_path(publisher->tree, "tree");
	sg_lock_acquire_async(path, purpose, SG_TREE_LOCK_WAIT_SECONDS, cancellable, callback,
			      user_data);
}

SgLock *
sg_publisher_lock_tree_finish(GAsyncResult *result, GError **error)
{
	return sg_lock_acquire_finish(result, NULL, error);
}

SgLock *
sg_publisher_lock_gate(SgPublisher *publisher, SgLockHolder **holder, GError **error)
{
	g_autofree gchar *path = sg_tree_lock_path(publisher->tree, "gate");
	return sg_lock_acquire(path, "gate", 0, holder, error);
}

gchar *
sg_publisher_type_dir(SgPublisher *publisher, const gchar *flavour, const gchar *image_type)
{
	return g_build_filename(publisher->tree, flavour, image_type, NULL);
}

/* Warns of a write that failed after the change it follows, and keeps the first. */
static void
keep_error(SgPublisher *publisher, GError **error)
{
	g_warning("%s", (*error)->message);
	if (publisher->error == NULL)
		publisher->error = g_steal_pointer(error);
	else
		g_clear_error(error);
}

void
sg_publisher_notify(SgPublisher *publisher, const gchar *what, const gchar *flavour,
		    const gchar *image_type, const gchar *build, const gchar *note)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autoptr(JsonNode) event = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree gchar *when = g_date_time_format_iso8601(now);
	g_autofree gchar *who = sg_build_who();
	g_autoptr(GError) error = NULL;

	if (g_strv_length(publisher->config->tracker_urls) == 0)
		return;
	json_builder_begin_object(builder);
	sg_json_add_string(builder, "event", what);
	sg_json_add_string(builder, "flavour", flavour);
	sg_json_add_string(builder, "image_type", image_type);
	sg_json_add_string(builder, "build", build);
	sg_json_add_string(builder, "note", note);
	sg_json_add_string(builder, "who", who);
	sg_json_add_string(builder, "time", when);
	json_builder_end_object(builder);
	event = json_builder_get_root(builder);
	if (!sg_notify_enqueue(publisher->tree,
			       (const gchar *const *)publisher->config->tracker_urls, event,
			       &error)) {
		g_prefix_error(&error, "cannot spool the '%s' notice: ", what);
		keep_error(publisher, &error);
	}
}

/* Under the tree lock, as every writer of the tree: two commands never
 * write the page at once, and a gate that removes what a killed writer
 * left (its temporary files) never takes one still being written. */
void
sg_publisher_write_page(SgPublisher *publisher, SgTreeModel *tree)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autoptr(JsonNode) model = sg_status_from_tree(tree, publisher->config, now);

	if (!sg_status_page_write(publisher->tree, model, &error))
		keep_error(publisher, &error);
}

static void
warn_undelivered(GError *error)
{
	g_warning("tracker notices stay spooled for later: %s", error->message);
}

void
sg_publisher_deliver(SgPublisher *publisher)
{
	g_autoptr(GError) error = NULL;

	if (sg_notify_pending(publisher->tree) > 0 &&
	    !sg_notify_deliver(publisher->tree, NOTICE_ATTEMPTS, NULL, &error))
		warn_undelivered(error);
}

static void
on_delivered(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;

	if (!sg_notify_deliver_finish(result, NULL, &error))
		warn_undelivered(error);
	g_task_return_boolean(task, TRUE);
}

void
sg_publisher_deliver_async(SgPublisher *publisher, GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(NULL, NULL, callback, user_data);

	if (sg_notify_pending(publisher->tree) == 0) {
		g_task_return_boolean(task, TRUE);
		g_object_unref(task);
		return;
	}
	sg_notify_deliver_async(publisher->tree, NOTICE_ATTEMPTS, NULL, on_delivered, task);
}

void
sg_publisher_deliver_finish(GAsyncResult *result)
{
	g_task_propagate_boolean(G_TASK(result), NULL);
}

static void
on_refresh_delivered(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;

	sg_publisher_deliver_finish(result);
	g_task_return_boolean(task, TRUE);
}

static void
on_refresh_locked(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GTask *task = user_data;
	SgPublisher *publisher = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	g_autoptr(SgLock) lock = sg_publisher_lock_tree_finish(result, &error);

	if (lock == NULL) {
		keep_error(publisher, &error);
	} else {
		g_autoptr(SgTreeModel) tree = sg_tree_model_read(publisher->tree);
		sg_publisher_write_page(publisher, tree);
	}
	g_clear_pointer(&lock, sg_lock_release);
	sg_publisher_deliver_async(publisher, on_refresh_delivered, task);
}

void
sg_publisher_refresh_async(SgPublisher *publisher, GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(NULL, NULL, callback, user_data);

	g_task_set_task_data(task, publisher, NULL);
	sg_publisher_lock_tree_async(publisher, "status page", NULL, on_refresh_locked, task);
}

void
sg_publisher_refresh_finish(GAsyncResult *result)
{
	g_task_propagate_boolean(G_TASK(result), NULL);
}

/* Takes the tree lock for @purpose (into @lock), reads the tree (into
 * @tree) and finds a build that must exist. */
static SgTreeBuild *
lock_existing_build(SgPublisher *publisher, const gchar *purpose, const gchar *flavour,
		    const gchar *image_type, const gchar *build_id, SgLock **lock,
		    SgTreeModel **tree, SgTreeType **type, GError **error)
{
	SgTreeBuild *build = NULL;

	*lock = sg_publisher_lock_tree(publisher, purpose, error);
	if (*lock == NULL)
		return NULL;
	*tree = sg_tree_model_read(publisher->tree);
	*type = sg_tree_model_find_type(*tree, flavour, image_type);
	if (*type != NULL)
		build = sg_tree_type_find_build(*type, build_id);
	if (build == NULL) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "no build %s/%s/%s in %s", flavour,
			    image_type, build_id, publisher->tree);
		return NULL;
	}
	/* A damaged build is never acted on: what it would become is unknown. */
	if (build->record == NULL) {
		g_set_error(error, SG_ERROR, SG_ERROR_DAMAGED, "%s/%s/%s is damaged: %s; %s",
			    flavour, image_type, build_id, build->error->message,
			    SG_TREE_REPAIR_HINT);
		return NULL;
	}
	return build;
}

gboolean
sg_publisher_mark_current(SgPublisher *publisher, const gchar *flavour, const gchar *image_type,
			  const gchar *build_id, const gchar *why, GError **error)
{
	g_autoptr(SgLock) lock = NULL;
	g_autoptr(SgTreeModel) tree = NULL;
	SgTreeType *type = NULL;
	SgTreeBuild *build = lock_existing_build(publisher, "mark-current", flavour, image_type,
						 build_id, &lock, &tree, &type, error);
	SgBuildRecord *record;

	if (build == NULL)
		return FALSE;
	record = build->record;
	if (record->state != SG_BUILD_PASSED)
		record->state = SG_BUILD_MARKED_CURRENT;
	sg_build_record_add_event(record, "marked-current", why);
	/* Record first: a crash between the two leaves a marked build that is
	 * not current yet, never a current build without its record. */
	if (!sg_build_record_save(record, error) ||
	    !sg_tree_type_point(type, SG_TREE_CURRENT, build_id, error))
		return FALSE;
	/* The disk of the build current left goes (the new current keeps its
	 * own only if the tree still had it). */
	sg_kept_disk_prune(type, publisher->config->keep_failed_disks);
	sg_publisher_notify(publisher, "marked-current", flavour, image_type, build_id, why);
	sg_publisher_write_page(publisher, tree);
	return TRUE;
}

gboolean
sg_publisher_yank(SgPublisher *publisher, const gchar *flavour, const gchar *image_type,
		  const gchar *build_id, const gchar *why, GError **error)
{
	g_autoptr(SgLock) lock = NULL;
	g_autoptr(SgTreeModel) tree = NULL;
	SgTreeType *type = NULL;
	SgTreeBuild *build = lock_existing_build(publisher, "yank", flavour, image_type, build_id,
						 &lock, &tree, &type, error);
	const gchar *fallback = NULL;

	if (build == NULL)
		return FALSE;
	build->record->state = SG_BUILD_YANKED;
	sg_build_record_add_event(build->record, "yanked", why);
	if (!sg_build_record_save(build->record, error))
		return FALSE;
	if (g_strcmp0(type->current, build_id) == 0) {
		gboolean older = FALSE;
		for (guint i = 0; i < type->builds->len && fallback == NULL; i++) {
			SgTreeBuild *other = g_ptr_array_index(type->builds, i);
			if (other == build) {
				older = TRUE;
				continue;
			}
			if (older && other->record != NULL &&
			    sg_build_state_is_good(other->record->state))
				fallback = other->id;
		}
		if (!sg_tree_type_point(type, SG_TREE_CURRENT, fallback, error))
			return FALSE;
	}
	/* A yanked build's disk is not the published image's any more. */
	sg_kept_disk_prune(type, publisher->config->keep_failed_disks);
	sg_publisher_notify(publisher, "yanked", flavour, image_type, build_id, why);
	sg_publisher_write_page(publisher, tree);
	return TRUE;
}
