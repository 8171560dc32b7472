#pragma once

#include <gio/gio.h>

#include "sg-progress.h"

G_BEGIN_DECLS

typedef struct {
	const gchar *tree;
	const gchar *const *flavours; /* NULL: every flavour in the tree */
	guint jobs;		      /* tests at once, at least 1 */
	const gchar *connect_uri;
	const gchar *flavours_dir;
	const gchar *accel;
} SgGateOptions;

typedef struct {
	guint passed;
	guint failed;
	guint errors;
} SgGateSummary;

/*
 * Tests every staged build without a verdict. A pass moves `current` to the
 * build (atomically); a fail keeps the build and its evidence, marked; an
 * error leaves the build untested, to be tried on the next run, and is
 * raised as a lab problem after repeated errors. Nothing untested is ever
 * published. Fails only when the gate could not run (SG_ERROR_LOCKED when
 * another gate holds the tree).
 */
gboolean sg_gate_run(const SgGateOptions *options, SgProgress *progress, GCancellable *cancellable,
		     SgGateSummary *summary, GError **error);

G_END_DECLS
