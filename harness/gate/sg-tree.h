#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The image tree people mirror (cdimage's layout):
 *   TREE/<flavour>/<image-type>/<build-id>/   dated build folders
 *   TREE/<flavour>/<image-type>/pending       -> newest staged build
 *   TREE/<flavour>/<image-type>/current       -> last build that passed
 * Build ids are YYYYMMDD, respins the same day YYYYMMDD.1, .2, ...
 * Every change is atomic: a build appears under its final name only when
 * complete, and a link moves by renaming a new link over the old one.
 */

#define SG_TREE_PENDING "pending"
#define SG_TREE_CURRENT "current"
#define SG_TREE_STATE_DIR ".smokegate" /* locks, notices: not mirrored */
/* TREE/.smokegate/staging/: the folders of builds being staged, each
 * flock'd by the stage that fills it for as long as it lives; one that no
 * stage holds was left by a killed one. */
#define SG_TREE_STAGING_DIR "staging"

/* Refuses names that could escape the tree or confuse it: "..", "/",
 * leading dots, odd characters, the link names. @what names the field. */
gboolean sg_tree_check_name(const gchar *what, const gchar *name, GError **error);

gboolean sg_tree_is_build_id(const gchar *name);
/* YYYYMMDD or YYYYMMDD.N: the respin number (0 for the first build of the
 * day) and the day as a number in @day (when not NULL); -1 when @name is
 * no build id. The tree's folders are read by sg-tree-model.h. */
gint sg_tree_parse_build_id(const gchar *name, guint *day);

/* How long a reader or writer of the tree waits for another to let go. */
#define SG_TREE_LOCK_WAIT_SECONDS 60
/* TREE/.smokegate/NAME.lock: "tree" is held while the tree is read or
 * changed, "gate" for a whole gate run (sg-lock.h). */
gchar *sg_tree_lock_path(const gchar *tree, const gchar *name);

/* Points @type_dir/@link at @build_id atomically; NULL removes the link. */
gboolean sg_tree_point(const gchar *type_dir, const gchar *link, const gchar *build_id,
		       GError **error);
/* The build id @link points at, or NULL. */
gchar *sg_tree_read_link(const gchar *type_dir, const gchar *link);

/* Makes @error, from a change to the tree's files that failed (a copy or a
 * write on a full or read-only filesystem), SG_ERROR_TREE with the same
 * message: the tree could not be changed (exit 74). Errors of smokegate's
 * own domain keep their code. */
void sg_tree_error_claim(GError **error);

/* Splits "flavour/image-type/build-id" (checked) into its parts. */
gboolean sg_tree_parse_build_path(const gchar *path, gchar **flavour, gchar **image_type,
				  gchar **build_id, GError **error);

G_END_DECLS
