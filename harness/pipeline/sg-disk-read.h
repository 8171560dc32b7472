#pragma once

#include <gio/gio.h>

#include "sg-inspect.h"
#include "sg-lab.h"

G_BEGIN_DECLS

/*
 * Inspect: what the installed disk says, read with libguestfs in a child
 * process (`smokegate inspect-disk`, sg-inspect-process: the coordinator
 * keeps none of libguestfs's memory and outlives its crashes; an appliance
 * takes about 15 s to start under TCG).
 *
 * The boot runs on an overlay (a volume backed by the base's on a lab
 * host), so the base stays as the installer left it: its read (the system,
 * the installer's logs, the answer file's user) starts once the booting
 * guest's console has spoken (sg_disk_read_start_base) and runs while it
 * boots. libguestfs reads local disks only: a lab host's base is
 * downloaded first, on a worker thread (once per test: the suites'
 * overlays and --keep-disk use that copy).
 * The boot's own evidence (the graphical target, the user's session, the
 * desktop running) comes from its console, which the boot phase has read
 * already. Only when that console does not show it all (a profile whose
 * markers are not those lines) is the overlay read after power-off, for
 * the boot's journal: one more appliance start and the journal read (and
 * on a lab host the overlay's download), about what the whole inspection
 * cost before.
 *
 * With SMOKEGATE_INSPECT_AFTER_BOOT set the disk is read whole after the
 * boot, as before (bench/overlap.sh compares the two).
 */
typedef struct {
	SgLab *lab;
	const gchar *username; /* the answer file's user, or NULL */
	gboolean force_tcg;
	/* --keep-disk: the base, as the installer left it, is copied here
	 * (sparse); NULL: not kept. */
	const gchar *keep_as;
	/* The run's: the reads stop with it (their processes killed, a
	 * download run to its end first). */
	GCancellable *cancellable;
} SgDiskReadSpec;

/* The installed disk of one test (the base) and the reads of it. */
typedef struct _SgDiskRead SgDiskRead;

/* For @base, the disk the installer wrote (as the lab host sees it). */
SgDiskRead *sg_disk_read_new(const SgDiskReadSpec *spec, const gchar *base);
const gchar *sg_disk_read_get_base(SgDiskRead *read);
/* A new overlay of the base for the boot, so the base stays as it is; the
 * lab deletes it with the test. NULL with @error. */
const gchar *sg_disk_read_create_overlay(SgDiskRead *read, GError **error);
/* The guest booting the overlay spoke: the base's read starts, its
 * process at a lower priority, and runs while it boots (unless
 * SMOKEGATE_INSPECT_AFTER_BOOT is set); a second call does nothing. */
void sg_disk_read_boot_started(SgDiskRead *read);
/* The inspection of the installed system once its boot ended: the base's
 * read (waited for; started now if it was not), the boot's console log
 * @console_log, and the overlay's journal when that console does not show
 * the desktop; or the disk read whole after the boot. Fails with
 * SG_ERROR_CANCELLED when the run was interrupted (its reads end at once). */
void sg_disk_read_inspect_async(SgDiskRead *read, const gchar *console_log,
				GAsyncReadyCallback callback, gpointer user_data);
SgInspection *sg_disk_read_inspect_finish(GAsyncResult *result, GError **error);

typedef void (*SgDiskReadEnded)(gpointer user_data);
/* TRUE when the read of the base still runs: then @ended runs once it
 * ended, stopped first when @stop (its process and appliance killed; a
 * download runs to its end).
 * The run never ends before it: the appliance would outlive the run, and
 * the lab takes the scratch disk it reads with it. */
gboolean sg_disk_read_await(SgDiskRead *read, gboolean stop, SgDiskReadEnded ended,
			    gpointer user_data);
void sg_disk_read_free(SgDiskRead *read);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgDiskRead, sg_disk_read_free)

G_END_DECLS
