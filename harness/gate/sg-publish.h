#pragma once

#include "sg-build-record.h"
#include "sg-lock.h"
#include "sg-tree-config.h"
#include "sg-tree-model.h"

G_BEGIN_DECLS

/*
 * Changes to an image tree, each one atomic and recorded, followed by the
 * status page rewritten and the trackers told. Writers take the tree's
 * write lock (short waits), read the tree under it once (sg-tree-model.h)
 * and rewrite the page before they let go; a gate also holds the gate lock
 * for its run. The trackers are told after the lock is let go.
 */
typedef struct {
	gchar *tree;
	SgTreeConfig *config;
	/* The first write that failed after a change was made (a notice not
	 * spooled, the status page not rewritten: a full filesystem), warned
	 * of at once; a gate fails with it. */
	GError *error;
} SgPublisher;

SgPublisher *sg_publisher_open(const gchar *tree, GError **error);
/* For a reader (status) on a tree it may not write (a read-only mirror):
 * nothing is created; @locked says whether the tree's lock must be taken,
 * FALSE when its state folder is missing or cannot be written (no writer
 * of the tree works there). */
SgPublisher *sg_publisher_open_read_only(const gchar *tree, gboolean *locked, GError **error);
/* As sg_publisher_open with a copy of @config instead of the tree's
 * smokegate.conf read now (NULL: read it). */
SgPublisher *sg_publisher_open_with_config(const gchar *tree, const SgTreeConfig *config,
					   GError **error);
void sg_publisher_free(SgPublisher *publisher);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgPublisher, sg_publisher_free)

/* Held while the tree is read or changed; waits up to a minute for another
 * writer. */
/* Takes the tree's lock, then removes what a killed stage left (see
 * SG_TREE_STAGING_DIR). */
SgLock *sg_publisher_lock_tree(SgPublisher *publisher, const gchar *purpose, GError **error);
/* Removes the staging folders no live stage holds; call with the tree's
 * lock held. */
void sg_publisher_remove_stale_staging(SgPublisher *publisher);
/* The same, on the caller's main loop (the wait is a thread's). */
void sg_publisher_lock_tree_async(SgPublisher *publisher, const gchar *purpose,
				  GCancellable *cancellable, GAsyncReadyCallback callback,
				  gpointer user_data);
SgLock *sg_publisher_lock_tree_finish(GAsyncResult *result, GError **error);
/* Held for a whole gate run; refused at once when another gate runs, who
 * is then in @holder (when not NULL). */
SgLock *sg_publisher_lock_gate(SgPublisher *publisher, SgLockHolder **holder, GError **error);

gchar *sg_publisher_type_dir(SgPublisher *publisher, const gchar *flavour, const gchar *image_type);

/* Spools a notice for the trackers (delivered by sg_publisher_deliver). */
void sg_publisher_notify(SgPublisher *publisher, const gchar *what, const gchar *flavour,
			 const gchar *image_type, const gchar *build, const gchar *note);
/* Rewrites status.json and index.html from @tree, read under the tree's
 * lock the caller holds. A failure is a warning (the tree itself is
 * already consistent), also kept in @publisher's error. */
void sg_publisher_write_page(SgPublisher *publisher, SgTreeModel *tree);
/* Delivers the spooled notices; those a tracker does not take stay spooled
 * (a warning). Blocking (HTTP, waits between tries): not on a main loop. */
void sg_publisher_deliver(SgPublisher *publisher);
/* The same in a thread; @callback on the caller's main loop. */
void sg_publisher_deliver_async(SgPublisher *publisher, GAsyncReadyCallback callback,
				gpointer user_data);
void sg_publisher_deliver_finish(GAsyncResult *result);
/* For a command whose changes were made under locks of its own (a gate):
 * takes the tree's lock (its wait a thread's), reads the tree, rewrites
 * the page, lets go, then delivers the notices in a thread. */
void sg_publisher_refresh_async(SgPublisher *publisher, GAsyncReadyCallback callback,
				gpointer user_data);
void sg_publisher_refresh_finish(GAsyncResult *result);

/* Each under the tree's lock, the page rewritten before it is let go; the
 * notices wait for sg_publisher_deliver. */
/* current -> @build, recorded as "marked-current" with @why. */
gboolean sg_publisher_mark_current(SgPublisher *publisher, const gchar *flavour,
				   const gchar *image_type, const gchar *build_id, const gchar *why,
				   GError **error);
/* Marks @build yanked; when it is current, current goes back to the newest
 * earlier good build (or away when there is none). Nothing is deleted. */
gboolean sg_publisher_yank(SgPublisher *publisher, const gchar *flavour, const gchar *image_type,
			   const gchar *build_id, const gchar *why, GError **error);

G_END_DECLS
