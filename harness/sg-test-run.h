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
} SgTestOptions;

/*
 * Tests one image from boot to verdict and writes the evidence. Returns
 * NULL with SG_ERROR_USAGE only for bad input found before anything ran
 * (missing path, unknown flavour); every other outcome, including lab
 * trouble, is a result with a verdict and a reason.
 */
SgResult *sg_test_run(const SgTestOptions *options, SgProgress *progress, GCancellable *cancellable,
		      GError **error);

G_END_DECLS
