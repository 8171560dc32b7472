#pragma once

#include <gio/gio.h>

#include "sg-run-names.h"
#include "sg-storage-pool.h"

G_BEGIN_DECLS

/*
 * The ISO cache on a lab host, in its storage pool: an image's volume,
 * <sha256>.iso, is kept there, so a second test of the same image on that
 * host uploads nothing. It counts only once its completion marker
 * <sha256>.ok exists (written after the upload finished; libvirt cannot
 * rename a volume), so a killed upload never passes for a complete image.
 * The marker holds the image's size and when it was last used; over the
 * cache's size limit the least recently used images go first.
 *
 * While a run uploads an image it holds a volume named after it
 * (sg-run-names) ending in -uploading-<sha256>, so that other runs leave the
 * image alone and a dead run's unfinished upload is found and removed.
 */
typedef struct _SgIsoCache SgIsoCache;

/* The default size limit of the ISO cache on a lab host. */
#define SG_ISO_CACHE_LIMIT_DEFAULT (50 * (guint64)1024 * 1024 * 1024)

/* The cache in @pool; its upload markers are named with @names. */
SgIsoCache *sg_iso_cache_new(virStoragePoolPtr pool, SgRunNames *names);
void sg_iso_cache_free(SgIsoCache *cache);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgIsoCache, sg_iso_cache_free)

/* The size limit in bytes (default SG_ISO_CACHE_LIMIT_DEFAULT). */
void sg_iso_cache_set_limit(SgIsoCache *cache, guint64 bytes);
/* Whether @text is a SHA-256 as cache volumes are named: 64 lower-case hex digits. */
gboolean sg_iso_cache_is_sha256(const gchar *text);

/* The path on the host of the image at @path, whose SHA-256 is @sha256,
 * from the cache or uploaded into it (adding the bytes of data sent to
 * @sent). NULL with @busy set and no error when another run is uploading
 * the same image right now: the caller uploads a copy of its own. */
gchar *sg_iso_cache_put(SgIsoCache *cache, const gchar *path, const gchar *sha256,
			GCancellable *cancellable, guint64 *sent, gboolean *busy, GError **error);

/* Whether @name is a run's upload marker. */
gboolean sg_iso_cache_is_upload_marker(const gchar *name);
/* Removes the upload marker @marker of a run that is gone and, unless it
 * has its completion marker, the image it was uploading. */
void sg_iso_cache_remove_dead_upload(SgIsoCache *cache, const gchar *marker);

G_END_DECLS
