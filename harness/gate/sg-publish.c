#include "sg-publish.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "sg-error.h"
#include "sg-json.h"
#include "sg-kept-disk.h"
#include "sg-notify.h"
#include "sg-status-page.h"
#include "sg-status.h"
#include "sg-tree.h"

#define TREE_LOCK_WAIT_SECONDS 60
#define NOTICE_ATTEMPTS 2

SgPublisher *
sg_publisher_open(const gchar *tree, GError **error)
{
	return sg_publisher_open_with_config(tree, NULL, error);
}

SgPublisher *
sg_publisher_open_with_config(const gchar *tree, const SgTreeConfig *config, GError **error)
{
	g_autoptr(SgPublisher) publisher = g_new0(SgPublisher, 1);
	g_autofree gchar *state_dir = NULL;

	if (!g_file_test(tree, G_FILE_TEST_IS_DIR)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s: no such tree folder", tree);
		return NULL;
	}
	publisher->tree = g_canonicalize_filename(tree, NULL);
	publisher->config = config != NULL ? sg_tree_config_copy(config)
					   : sg_tree_config_load(publisher->tree, error);
	if (publisher->config == NULL)
		return NULL;
	state_dir = g_build_filename(publisher->tree, SG_TREE_STATE_DIR, NULL);
	if (g_mkdir_with_parents(state_dir, 0755) != 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_TREE, "cannot create %s: %s", state_dir,
			    g_strerror(errno));
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

SgLock *
sg_publisher_lock_tree(SgPublisher *publisher, const gchar *purpose, GError **error)
{
	g_autofree gchar *path =
		g_build_filename(publisher->tree, SG_TREE_STATE_DIR, "tree.lock", NULL);
	return sg_lock_acquire(path, purpose, TREE_LOCK_WAIT_SECONDS, NULL, error);
}

SgLock *
sg_publisher_lock_gate(SgPublisher *publisher, SgLockHolder **holder, GError **error)
{
	g_autofree gchar *path =
		g_build_filename(publisher->tree, SG_TREE_STATE_DIR, "gate.lock", NULL);
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
static void
write_page(SgPublisher *publisher)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SgLock) lock = sg_publisher_lock_tree(publisher, "status page", &error);
	g_autoptr(GDateTime) now = NULL;
	g_autoptr(JsonNode) model = NULL;

	if (lock == NULL) {
		keep_error(publisher, &error);
		return;
	}
	now = g_date_time_new_now_local();
	model = sg_status_build_model(publisher->tree, publisher->config, now);
	if (!sg_status_page_write(publisher->tree, model, &error))
		keep_error(publisher, &error);
}

void
sg_publisher_refresh(SgPublisher *publisher)
{
	g_autoptr(GError) error = NULL;
	guint delivered = 0;

	write_page(publisher);
	if (sg_notify_pending(publisher->tree) == 0)
		return;
	if (!sg_notify_deliver(publisher->tree, NOTICE_ATTEMPTS, &delivered, &error))
		g_warning("tracker notices stay spooled for later: %s", error->message);
}

/* Takes the tree lock for @purpose (into @lock) and loads the record of a
 * build that must exist. */
static SgBuildRecord *
lock_existing_build(SgPublisher *publisher, const gchar *purpose, const gchar *flavour,
		    const gchar *image_type, const gchar *build_id, SgLock **lock, GError **error)
{
	g_autofree gchar *dir =
		g_build_filename(publisher->tree, flavour, image_type, build_id, NULL);

	*lock = sg_publisher_lock_tree(publisher, purpose, error);
	if (*lock == NULL)
		return NULL;
	if (!g_file_test(dir, G_FILE_TEST_IS_DIR) || g_file_test(dir, G_FILE_TEST_IS_SYMLINK)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "no build %s/%s/%s in %s", flavour,
			    image_type, build_id, publisher->tree);
		return NULL;
	}
	return sg_build_record_load(dir, error);
}

gboolean
sg_publisher_mark_current(SgPublisher *publisher, const gchar *flavour, const gchar *image_type,
			  const gchar *build_id, const gchar *why, GError **error)
{
	g_autoptr(SgLock) lock = NULL;
	g_autoptr(SgBuildRecord) record = lock_existing_build(publisher, "mark-current", flavour,
							      image_type, build_id, &lock, error);
	g_autofree gchar *type_dir = sg_publisher_type_dir(publisher, flavour, image_type);

	if (record == NULL)
		return FALSE;
	if (record->state != SG_BUILD_PASSED)
		record->state = SG_BUILD_MARKED_CURRENT;
	sg_build_record_add_event(record, "marked-current", why);
	/* Record first: a crash between the two leaves a marked build that is
	 * not current yet, never a current build without its record. */
	if (!sg_build_record_save(record, error) ||
	    !sg_tree_point(type_dir, SG_TREE_CURRENT, build_id, error))
		return FALSE;
	/* The disk of the build current left goes (the new current keeps its
	 * own only if the tree still had it). */
	sg_kept_disk_prune(type_dir, publisher->config->keep_failed_disks);
	sg_publisher_notify(publisher, "marked-current", flavour, image_type, build_id, why);
	return TRUE;
}

gboolean
sg_publisher_yank(SgPublisher *publisher, const gchar *flavour, const gchar *image_type,
		  const gchar *build_id, const gchar *why, GError **error)
{
	g_autoptr(SgLock) lock = NULL;
	g_autoptr(SgBuildRecord) record =
		lock_existing_build(publisher, "yank", flavour, image_type, build_id, &lock, error);
	g_autofree gchar *type_dir = sg_publisher_type_dir(publisher, flavour, image_type);
	g_autofree gchar *current = NULL;
	g_autoptr(GPtrArray) builds = NULL;
	const gchar *fallback = NULL;

	if (record == NULL)
		return FALSE;
	record->state = SG_BUILD_YANKED;
	sg_build_record_add_event(record, "yanked", why);
	if (!sg_build_record_save(record, error))
		return FALSE;
	current = sg_tree_read_link(type_dir, SG_TREE_CURRENT);
	if (g_strcmp0(current, build_id) == 0) {
		gboolean older = FALSE;
		builds = sg_tree_list_builds(type_dir);
		for (guint i = 0; i < builds->len && fallback == NULL; i++) {
			const gchar *id = g_ptr_array_index(builds, i);
			g_autofree gchar *dir = g_build_filename(type_dir, id, NULL);
			g_autoptr(SgBuildRecord) other = NULL;
			if (g_str_equal(id, build_id)) {
				older = TRUE;
				continue;
			}
			if (!older)
				continue;
			other = sg_build_record_load(dir, NULL);
			if (other != NULL && sg_build_state_is_good(other->state))
				fallback = id;
		}
		if (!sg_tree_point(type_dir, SG_TREE_CURRENT, fallback, error))
			return FALSE;
	}
	/* A yanked build's disk is not the published image's any more. */
	sg_kept_disk_prune(type_dir, publisher->config->keep_failed_disks);
	sg_publisher_notify(publisher, "yanked", flavour, image_type, build_id, why);
	return TRUE;
}
