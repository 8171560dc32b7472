#pragma once

#include <gio/gio.h>

#include "sg-progress.h"
#include "sg-result.h"

G_BEGIN_DECLS

typedef struct {
	const gchar *image;
	const gchar *flavour;	   /* NULL: tell it from the image */
	const gchar *answers;	   /* NULL: the flavour's own answer file */
	const gchar *connect_uri;  /* NULL: embedded QEMU driver */
	const gchar *evidence_dir; /* NULL: a new folder under ./smokegate-evidence */
	const gchar *flavours_dir; /* extra drop-in profiles */
	const gchar *accel;	   /* "auto", "kvm" or "tcg" */
	/* Downstream suites to run on the installed disk after the smoke
	 * test passed (names; NULL or empty: none); an unknown name is a
	 * usage error. */
	const gchar *const *suites;
	const gchar *suites_dir; /* --suites-dir, or NULL */
	/* Also the suites the flavour's profile lists ([Flavour] Suites=), as
	 * the gate runs them. */
	gboolean profile_suites;
	/* Keep the installed disk (the base, as the installer left it) as
	 * installed.qcow2 in the evidence folder. */
	gboolean keep_disk;
	/* The lab file's MaxGuests= for the host, which bounds how many suites
	 * run at once (sg_suite_run_room); 0: no lab file describes it. */
	guint max_guests;
} SgTestOptions;

/*
 * Tests one image from boot to verdict and writes the evidence, on the
 * main loop: guests' consoles and lifecycles arrive as libvirt events, the
 * blocking parts (hashing, reading the ISO, libguestfs) run on threads. Returns
 * NULL with SG_ERROR_USAGE only for bad input found before anything ran
 * (missing path, unknown flavour); every other outcome, including lab
 * trouble, is a result with a verdict and a reason.
 */
void sg_test_run_async(const SgTestOptions *options, SgProgress *progress,
		       GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
SgResult *sg_test_run_finish(GAsyncResult *result, GError **error);
/* The same, waiting for the result: call it from a thread other than the
 * main loop's, which runs the test (sg_worker_run() sets that up). */
SgResult *sg_test_run(const SgTestOptions *options, SgProgress *progress, GCancellable *cancellable,
		      GError **error);

G_END_DECLS
