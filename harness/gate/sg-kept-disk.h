#pragma once

#include "sg-tree-model.h"

G_BEGIN_DECLS

/*
 * The installed disks an image tree keeps, so that a team can run its
 * downstream suites again on a published image (`smokegate suite run
 * --disk`) without installing it. The gate has every test keep its disk
 * as the installer left it, sparse, in the build's evidence:
 * BUILD/smoke/installed.qcow2. Retention, per image type, applied after
 * every verdict and every move of `current`:
 *   - the disk of the build `current` points at is kept;
 *   - a failed build's disk is kept when the tree asks for it
 *     ([Tree] KeepFailedDisks=true);
 *   - an untested build's smoke/ is left alone (its test may be writing it);
 *   - every other disk is removed, earlier attempts' (smoke.attempt-N) too.
 * So a tree holds one disk per image type, plus its failed builds' when
 * asked: it does not grow with every passing build.
 */

#define SG_KEPT_DISK_NAME "installed.qcow2"

/* BUILD/smoke/installed.qcow2 when it exists, else NULL. */
gchar *sg_kept_disk_path(const gchar *build_dir);
/* Removes the disk in @evidence_dir, if any (a test that could not judge
 * its build keeps none). */
void sg_kept_disk_remove(const gchar *evidence_dir);
/* Applies the retention rule to @type (as the caller's model says it is
 * now); returns how many disks it removed. Call it with the tree's lock held. */
guint sg_kept_disk_prune(SgTreeType *type, gboolean keep_failed);

G_END_DECLS
