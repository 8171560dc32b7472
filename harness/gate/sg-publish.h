#pragma once

#include "sg-build-record.h"
#include "sg-lock.h"
#include "sg-tree-config.h"

G_BEGIN_DECLS

/*
 * Changes to an image tree, each one atomic and recorded, followed by the
 * status page rewritten and the trackers told. Writers take the tree's
 * write lock (short waits); a gate also holds the gate lock for its run.
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
/* As sg_publisher_open with a copy of @config instead of the tree's
 * smokegate.conf read now (NULL: read it). */
SgPublisher *sg_publisher_open_with_config(const gchar *tree, const SgTreeConfig *config,
					   GError **error);
void sg_publisher_free(SgPublisher *publisher);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgPublisher, sg_publisher_free)

/* Held while the tree changes; waits up to a minute for another writer. */
SgLock *sg_publisher_lock_tree(SgPublisher *publisher, const gchar *purpose, GError **error);
/* Held for a whole gate run; refused at once when another gate runs, who
 * is then in @holder (when not NULL). */
SgLock *sg_publisher_lock_gate(SgPublisher *publisher, SgLockHolder **holder, GError **error);

gchar *sg_publisher_type_dir(SgPublisher *publisher, const gchar *flavour, const gchar *image_type);

/* Spools a notice for the trackers (delivered by sg_publisher_refresh). */
void sg_publisher_notify(SgPublisher *publisher, const gchar *what, const gchar *flavour,
			 const gchar *image_type, const gchar *build, const gchar *note);
/* Rewrites status.json and index.html and delivers spooled notices. Failures
 * here are reported as warnings (the tree itself is already consistent), a
 * page not written also kept in @publisher's error. */
void sg_publisher_refresh(SgPublisher *publisher);

/* current -> @build, recorded with @what ("passed", "marked-current") and @why. */
gboolean sg_publisher_mark_current(SgPublisher *publisher, const gchar *flavour,
				   const gchar *image_type, const gchar *build_id, const gchar *why,
				   GError **error);
/* Marks @build yanked; when it is current, current goes back to the newest
 * earlier good build (or away when there is none). Nothing is deleted. */
gboolean sg_publisher_yank(SgPublisher *publisher, const gchar *flavour, const gchar *image_type,
			   const gchar *build_id, const gchar *why, GError **error);

G_END_DECLS
