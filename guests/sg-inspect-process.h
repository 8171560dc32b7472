#pragma once

#include <gio/gio.h>

#include "sg-inspection.h"

G_BEGIN_DECLS

/*
 * The reads of sg-inspect in a child process: this program again, as
 * `smokegate inspect-disk` (an internal command), which prints the
 * inspection as JSON. The coordinator keeps none of libguestfs's memory
 * (several MiB per handle, a buffer of 4 MiB while it mounts) and lives
 * on when libguestfs crashes: that is an inspection error, as a libguestfs
 * error is.
 */

/* The internal command's name. */
#define SG_INSPECT_PROCESS_COMMAND "inspect-disk"

typedef enum {
	SG_INSPECT_PART_DISK,	 /* sg_inspect_disk: the whole disk */
	SG_INSPECT_PART_BASE,	 /* sg_inspect_base: what the installer left */
	SG_INSPECT_PART_JOURNAL, /* sg_inspect_journal: the boot's desktop evidence */
} SgInspectPart;

const gchar *sg_inspect_part_to_string(SgInspectPart part);
/* FALSE when @name is no part. */
gboolean sg_inspect_part_from_string(const gchar *name, SgInspectPart *part);

typedef struct {
	const gchar *disk; /* local: libguestfs reads local disks only */
	const gchar *username;
	gboolean force_tcg;
	SgInspectPart part;
	/* SG_INSPECT_PART_JOURNAL: the inspection its evidence adds to (the
	 * child gets a copy on its standard input). */
	const SgInspection *inspection;
	/* The child's nice value, inherited by the appliance's QEMU; 0: ours. */
	gint nice;
	/* Where the child's temporary folder goes: the lab's scratch folder,
	 * which the next run sweeps when this process died; NULL: the
	 * temporary folder ($TMPDIR, /tmp). */
	const gchar *scratch_dir;
} SgInspectRequest;

/* Runs `smokegate inspect-disk` for @request on the thread-default main
 * context. Cancelling @cancellable ends the child and its appliance at
 * once; the task returns G_IO_ERROR_CANCELLED once they are gone. A child
 * that fails, crashes or prints no inspection: SG_ERROR_LAB. */
void sg_inspect_process_async(const SgInspectRequest *request, GCancellable *cancellable,
			      GAsyncReadyCallback callback, gpointer user_data);
SgInspection *sg_inspect_process_finish(GAsyncResult *result, GError **error);

/* In the child (the command's side), first: its standard output is the
 * inspection's alone (GLib would print debug messages there), and SIGTERM,
 * which the coordinator sends when it cancels and the kernel sends when
 * the coordinator dies, ends the appliance too. */
void sg_inspect_process_child_init(void);

G_END_DECLS
