#include "sg-iso-cache.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sg-error.h"
#include "sg-volume-stream.h"

/* Completion markers are rewritten in place (last use), so they have one
 * fixed size. */
#define MARKER_SIZE 1024
/* A run's volume saying it is uploading <sha>.iso: NAME-uploading-<sha>. */
#define UPLOADING "uploading-"
#define SHA256_HEX 64

struct _SgIsoCache {
	virStoragePoolPtr pool;
	SgRunNames *names;
	guint64 limit;
};

/* One ISO in the cache, as its marker tells. */
typedef struct {
	gchar *sha256;
	guint64 size;
	gint64 last_used; /* unix microseconds, the coordinator's clock */
} SgCachedImage;

static void
cached_image_free(SgCachedImage *image)
{
	g_free(image->sha256);
	g_free(image);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgCachedImage, cached_image_free)

SgIsoCache *
sg_iso_cache_new(virStoragePoolPtr pool, SgRunNames *names)
{
	SgIsoCache *cache = g_new0(SgIsoCache, 1);

	virStoragePoolRef(pool);
	cache->pool = pool;
	cache->names = sg_run_names_ref(names);
	cache->limit = SG_ISO_CACHE_LIMIT_DEFAULT;
	return cache;
}

void
sg_iso_cache_free(SgIsoCache *cache)
{
	if (cache == NULL)
		return;
	virStoragePoolFree(cache->pool);
	sg_run_names_unref(cache->names);
	g_free(cache);
}

void
sg_iso_cache_set_limit(SgIsoCache *cache, guint64 bytes)
{
	cache->limit = bytes;
}

gboolean
sg_iso_cache_is_sha256(const gchar *text)
{
	if (text == NULL || strlen(text) != SHA256_HEX)
		return FALSE;
	for (guint i = 0; i < SHA256_HEX; i++) {
		if (!g_ascii_isxdigit(text[i]) || g_ascii_isupper(text[i]))
			return FALSE;
	}
	return TRUE;
}

gboolean
sg_iso_cache_is_upload_marker(const gchar *name)
{
	return strstr(name, "-" UPLOADING) != NULL;
}

void
sg_iso_cache_remove_dead_upload(SgIsoCache *cache, const gchar *marker)
{
	const gchar *sha = strstr(marker, "-" UPLOADING);
	g_autofree gchar *iso = NULL;
	g_autofree gchar *ok = NULL;
	g_autoptr(virStorageVol) done = NULL;

	/* Whoever deletes the marker deletes the ISO, so two runs cleaning up
	 * at once never delete a third run's new upload. */
	if (sha == NULL || !sg_storage_pool_delete_volume(cache->pool, marker))
		return;
	sha += strlen("-" UPLOADING);
	if (!sg_iso_cache_is_sha256(sha))
		return;
	ok = g_strdup_printf("%s.ok", sha);
	iso = g_strdup_printf("%s.iso", sha);
	done = sg_storage_pool_lookup_volume(cache->pool, ok);
	if (done == NULL && sg_storage_pool_delete_volume(cache->pool, iso))
		g_message("removed the unfinished upload %s left by a crashed run", iso);
}

static SgCachedImage *
read_marker(SgIsoCache *cache, const gchar *sha256)
{
	g_autofree gchar *name = g_strdup_printf("%s.ok", sha256);
	g_autoptr(virStorageVol) vol = sg_storage_pool_lookup_volume(cache->pool, name);
	g_autoptr(GByteArray) data = NULL;
	g_autoptr(GKeyFile) keyfile = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *last_used = NULL;
	g_autoptr(GDateTime) when = NULL;
	SgCachedImage *image;

	if (vol == NULL)
		return NULL;
	data = sg_volume_stream_read_small(vol, MARKER_SIZE, &error);
	if (data == NULL || !g_key_file_load_from_data(keyfile, (const gchar *)data->data,
						       data->len, G_KEY_FILE_NONE, &error)) {
		g_debug("marker %s unreadable: %s", name, error->message);
		return NULL;
	}
	image = g_new0(SgCachedImage, 1);
	image->sha256 = g_strdup(sha256);
	image->size = g_key_file_get_uint64(keyfile, "Image", "Size", NULL);
	last_used = g_key_file_get_string(keyfile, "Image", "LastUsed", NULL);
	when = last_used != NULL ? g_date_time_new_from_iso8601(last_used, NULL) : NULL;
	if (when != NULL)
		image->last_used = g_date_time_to_unix(when) * G_USEC_PER_SEC +
				   g_date_time_get_microsecond(when);
	return image;
}

/* Writes the marker of a complete <sha>.iso, or says it was used now. */
static gboolean
write_marker(SgIsoCache *cache, const gchar *sha256, guint64 size, GError **error)
{
	g_autofree gchar *name = g_strdup_printf("%s.ok", sha256);
	g_autoptr(virStorageVol) vol = sg_storage_pool_lookup_volume(cache->pool, name);
	g_autoptr(GKeyFile) keyfile = g_key_file_new();
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree gchar *last_used = g_date_time_format(now, "%FT%T.%fZ");
	g_autofree gchar *data = NULL;

	g_key_file_set_string(keyfile, "Image", "SHA256", sha256);
	g_key_file_set_uint64(keyfile, "Image", "Size", size);
	g_key_file_set_string(keyfile, "Image", "LastUsed", last_used);
	data = g_key_file_to_data(keyfile, NULL, NULL);
	if (vol == NULL)
		vol = sg_storage_pool_create_volume(cache->pool, name, MARKER_SIZE, NULL, NULL,
						    error);
	if (vol == NULL)
		return FALSE;
	return sg_volume_stream_write_small(vol, data, MARKER_SIZE, error);
}

/* Removes a cached image: the marker first, so that it never counts as
 * complete without all its data; whoever deletes the marker deletes the ISO. */
static gboolean
evict_image(SgIsoCache *cache, const gchar *sha256)
{
	g_autofree gchar *ok = g_strdup_printf("%s.ok", sha256);
	g_autofree gchar *iso = g_strdup_printf("%s.iso", sha256);

	if (!sg_storage_pool_delete_volume(cache->pool, ok))
		return FALSE;
	sg_storage_pool_delete_volume(cache->pool, iso);
	return TRUE;
}

static gint
compare_last_used(gconstpointer a, gconstpointer b)
{
	const SgCachedImage *x = *(SgCachedImage *const *)a;
	const SgCachedImage *y = *(SgCachedImage *const *)b;

	return x->last_used < y->last_used ? -1 : x->last_used > y->last_used ? 1 : 0;
}

/* Makes room for @need more bytes of images: least recently used first. */
static void
evict_for(SgIsoCache *cache, const gchar *keep_sha256, guint64 need)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) names = sg_storage_pool_list_volumes(cache->pool, &error);
	g_autoptr(GPtrArray) images =
		g_ptr_array_new_with_free_func((GDestroyNotify)cached_image_free);
	guint64 total = 0;

	if (names == NULL) {
		g_debug("%s", error->message);
		return;
	}
	for (guint i = 0; i < names->len; i++) {
		const gchar *name = g_ptr_array_index(names, i);
		g_autofree gchar *sha = NULL;
		SgCachedImage *image;

		if (!g_str_has_suffix(name, ".ok") || strlen(name) != SHA256_HEX + 3)
			continue;
		sha = g_strndup(name, SHA256_HEX);
		if (!sg_iso_cache_is_sha256(sha) || g_str_equal(sha, keep_sha256))
			continue;
		image = read_marker(cache, sha);
		if (image == NULL)
			continue;
		total += image->size;
		g_ptr_array_add(images, image);
	}
	g_ptr_array_sort(images, compare_last_used);
	for (guint i = 0; i < images->len && total + need > cache->limit; i++) {
		SgCachedImage *image = g_ptr_array_index(images, i);
		if (!evict_image(cache, image->sha256))
			continue;
		g_message("removed the cached image %s.iso from the lab host (least recently "
			  "used, cache over %" G_GUINT64_FORMAT " bytes)",
			  image->sha256, cache->limit);
		total -= image->size;
	}
}

/* Whether a run that may still live (this coordinator's, alive, or any
 * other coordinator's) is uploading @sha256; dead runs' uploads are
 * removed on the way. */
static gboolean
upload_in_progress(SgIsoCache *cache, const gchar *sha256, const gchar *own_marker, gboolean *busy,
		   GError **error)
{
	g_autofree gchar *suffix = g_strconcat("-" UPLOADING, sha256, NULL);
	g_autoptr(GPtrArray) names = sg_storage_pool_list_volumes(cache->pool, error);

	if (names == NULL)
		return FALSE;
	for (guint i = 0; i < names->len; i++) {
		const gchar *name = g_ptr_array_index(names, i);
		if (!g_str_has_suffix(name, suffix) || g_str_equal(name, own_marker))
			continue;
		if (sg_run_names_is_stale(cache->names, name))
			sg_iso_cache_remove_dead_upload(cache, name);
		else
			*busy = TRUE;
	}
	return TRUE;
}

/* The cached image's path, when it is complete and has @size bytes (its
 * last use is now); NULL when it is not there, with @stale set when its
 * marker is for other data, and with @error when its path cannot be told. */
static gchar *
lookup_cached(SgIsoCache *cache, const gchar *sha256, guint64 size, gboolean *stale, GError **error)
{
	g_autofree gchar *iso_name = g_strdup_printf("%s.iso", sha256);
	g_autoptr(virStorageVol) iso = sg_storage_pool_lookup_volume(cache->pool, iso_name);
	g_autoptr(SgCachedImage) cached = read_marker(cache, sha256);
	g_autoptr(GError) local_error = NULL;
	virStorageVolInfo info;

	if (cached == NULL)
		return NULL;
	if (iso == NULL || cached->size != size || virStorageVolGetInfo(iso, &info) != 0 ||
	    info.capacity != size) {
		/* A marker for something else than this image's data. */
		*stale = TRUE;
		return NULL;
	}
	if (!write_marker(cache, sha256, size, &local_error))
		g_debug("cannot record the use of %s: %s", iso_name, local_error->message);
	g_debug("%s is cached on the lab host", iso_name);
	return sg_storage_volume_get_path(iso, error);
}

/* Uploads the image while this run's marker @uploading says so. */
static gchar *
upload_image(SgIsoCache *cache, const gchar *path, const gchar *sha256, guint64 size,
	     const gchar *uploading, GCancellable *cancellable, guint64 *sent, gboolean *busy,
	     GError **error)
{
	g_autofree gchar *iso_name = g_strdup_printf("%s.iso", sha256);
	g_autoptr(virStorageVol) iso = NULL;

	if (!upload_in_progress(cache, sha256, uploading, busy, error) || *busy)
		return NULL;
	iso = sg_storage_pool_lookup_volume(cache->pool, iso_name);
	if (iso != NULL) {
		g_message("replacing %s on the lab host: its upload never finished", iso_name);
		/* It fails while a stream writes it: then someone is uploading it. */
		if (virStorageVolDelete(iso, 0) < 0) {
			*busy = TRUE;
			return NULL;
		}
		g_clear_pointer(&iso, virStorageVolFree);
	}
	evict_for(cache, sha256, size);
	iso = sg_storage_pool_create_volume(cache->pool, iso_name, size, NULL, NULL, NULL);
	if (iso == NULL) { /* another run was quicker */
		*busy = TRUE;
		return NULL;
	}
	if (!sg_volume_stream_upload(iso, path, cancellable, sent, error) ||
	    !write_marker(cache, sha256, size, error)) {
		virStorageVolDelete(iso, 0);
		return NULL;
	}
	return sg_storage_volume_get_path(iso, error);
}

gchar *
sg_iso_cache_put(SgIsoCache *cache, const gchar *path, const gchar *sha256,
		 GCancellable *cancellable, guint64 *sent, gboolean *busy, GError **error)
{
	g_autofree gchar *what = NULL;
	g_autofree gchar *uploading = NULL;
	g_autoptr(virStorageVol) marker = NULL;
	g_autoptr(GError) lookup_error = NULL;
	gboolean stale = FALSE;
	gchar *host_path;
	struct stat st;

	*busy = FALSE;
	if (!sg_iso_cache_is_sha256(sha256)) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "'%s' is not a SHA-256 digest", sha256);
		return NULL;
	}
	if (g_stat(path, &st) != 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot read %s: %s", path,
			    g_strerror(errno));
		return NULL;
	}
	host_path = lookup_cached(cache, sha256, st.st_size, &stale, &lookup_error);
	if (lookup_error != NULL) {
		g_propagate_error(error, g_steal_pointer(&lookup_error));
		return NULL;
	}
	if (host_path != NULL)
		return host_path;
	if (stale)
		evict_image(cache, sha256);

	/* Say that this run uploads it, so that others leave it alone. */
	what = g_strconcat(UPLOADING, sha256, NULL);
	uploading = sg_run_names_make(cache->names, what);
	marker = sg_storage_pool_create_volume(cache->pool, uploading, 0, NULL, NULL, error);
	if (marker == NULL)
		return NULL;
	host_path = upload_image(cache, path, sha256, st.st_size, uploading, cancellable, sent,
				 busy, error);
	sg_storage_pool_delete_volume(cache->pool, uploading);
	return host_path;
}
