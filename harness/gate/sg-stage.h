#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
	const gchar *tree;
	const gchar *flavour;
	const gchar *series;	   /* default "daily" */
	const gchar *arch;	   /* default "amd64" */
	const gchar *image_type;   /* default "daily-live" */
	const gchar *publish_type; /* default "desktop" */
	const gchar *source;	   /* local file or http(s) URL */
	const gchar *flavours_dir;
	const gchar *ca_file; /* extra CA bundle for https sources */
} SgStageOptions;

/*
 * Stages a new build: the image lands in TREE/.smokegate/staging, gets its
 * SHA256SUMS, OVERSIZED marker and record, and only then is renamed to its
 * build id (YYYYMMDD, respins YYYYMMDD.N) and `pending` moves to it.
 * A local file on the tree's filesystem is hard-linked (or reflinked), never
 * copied; anything else is streamed. Returns "flavour/image-type/build-id".
 */
gchar *sg_stage(const SgStageOptions *options, GCancellable *cancellable, GError **error);

G_END_DECLS
