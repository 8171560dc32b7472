#include "sg-kept-disk.h"

#include <errno.h>
#include <glib/gstdio.h>

#define EVIDENCE_DIR "smoke"
#define ATTEMPT_PREFIX "smoke.attempt-"

gchar *
sg_kept_disk_path(const gchar *build_dir)
{
	g_autofree gchar *path = g_build_filename(build_dir, EVIDENCE_DIR, SG_KEPT_DISK_NAME, NULL);

	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
		return NULL;
	return g_steal_pointer(&path);
}

/* TRUE when a disk was there and is gone. */
static gboolean
remove_disk(const gchar *evidence_dir)
{
	g_autofree gchar *path = g_build_filename(evidence_dir, SG_KEPT_DISK_NAME, NULL);

	if (g_unlink(path) == 0) {
		g_debug("removed the kept disk %s", path);
		return TRUE;
	}
	if (errno != ENOENT)
		g_warning("cannot remove the kept disk %s: %s", path, g_strerror(errno));
	return FALSE;
}

void
sg_kept_disk_remove(const gchar *evidence_dir)
{
	remove_disk(evidence_dir);
}

/* Whether the build's latest evidence (smoke/) may keep its disk. */
static gboolean
keeps_disk(SgTreeBuild *build, const gchar *current, gboolean keep_failed)
{
	if (g_strcmp0(build->id, current) == 0)
		return TRUE;
	/* Unreadable: leave it to a person rather than guess. */
	if (build->record == NULL)
		return TRUE;
	if (build->record->state == SG_BUILD_UNTESTED)
		return TRUE;
	return keep_failed && build->record->state == SG_BUILD_FAILED;
}

guint
sg_kept_disk_prune(SgTreeType *type, gboolean keep_failed)
{
	guint removed = 0;

	for (guint i = 0; i < type->builds->len; i++) {
		SgTreeBuild *build = g_ptr_array_index(type->builds, i);
		g_autoptr(GDir) dir = g_dir_open(build->dir, 0, NULL);
		const gchar *name;

		while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
			g_autofree gchar *evidence = NULL;

			if (!g_str_has_prefix(name, ATTEMPT_PREFIX) &&
			    (!g_str_equal(name, EVIDENCE_DIR) ||
			     keeps_disk(build, type->current, keep_failed)))
				continue;
			evidence = g_build_filename(build->dir, name, NULL);
			if (remove_disk(evidence))
				removed++;
		}
	}
	return removed;
}
