#include "sg-media.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sg-disk.h"
#include "sg-error.h"
#include "sg-iso-cache.h"
#include "sg-storage-pool.h"
#include "sg-volume-stream.h"

struct _SgMedia {
	virConnectPtr conn;
	gboolean local;
	gchar *scratch_dir;
	SgRunNames *names;
	virStoragePoolPtr pool; /* NULL: local files (embedded driver) */
	SgIsoCache *cache;	/* in @pool */
	/* Guards @volumes, @files, @downloads and @bytes_uploaded: the
	 * overlays of suites run at once are made and read on threads. */
	GMutex lock;
	/* Held while a base is downloaded: two suites needing it at once
	 * download it once. */
	GMutex base_lock;
	GPtrArray *volumes;    /* names of this test's volumes */
	GHashTable *files;     /* local path -> path on the host */
	GHashTable *downloads; /* path on the host -> its local copy, of bases */
	GCancellable *cancellable;
	guint64 bytes_uploaded;
};

/* Volumes named after a run on this coordinator whose process is gone.
 * Called when the media are made and again when they are freed: a killed
 * run's calls still under way in the daemon (a volume being created, an
 * upload the daemon has not aborted yet) may leave a volume after the first
 * look. */
static void
remove_stale_volumes(SgMedia *media)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) names = sg_storage_pool_list_volumes(media->pool, &error);

	if (names == NULL) {
		g_debug("%s", error->message);
		return;
	}
	for (guint i = 0; i < names->len; i++) {
		const gchar *name = g_ptr_array_index(names, i);
		if (!sg_run_names_is_stale(media->names, name))
			continue;
		if (sg_iso_cache_is_upload_marker(name)) {
			sg_iso_cache_remove_dead_upload(media->cache, name);
		} else if (sg_storage_pool_delete_volume(media->pool, name)) {
			g_message("removed volume %s left by a crashed run", name);
		} else if (virGetLastErrorCode() != VIR_ERR_NO_STORAGE_VOL) {
			/* Not a run removing it at the same time: in use still. */
			g_autoptr(GError) in_use = NULL;
			sg_virt_set_error(&in_use, "cannot remove volume %s left by a crashed run",
					  name);
			g_message("%s", in_use->message);
		}
	}
}

SgMedia *
sg_media_new(const SgMediaHost *host, GError **error)
{
	g_autoptr(virStoragePool) pool = NULL;
	SgMedia *media;

	if (!host->embedded) {
		pool = sg_storage_pool_ensure(host->conn, error);
		if (pool == NULL)
			return NULL;
	}
	media = g_new0(SgMedia, 1);
	virConnectRef(host->conn);
	media->conn = host->conn;
	media->local = host->local;
	media->scratch_dir = g_strdup(host->scratch_dir);
	media->names = sg_run_names_ref(host->names);
	media->pool = g_steal_pointer(&pool);
	media->volumes = g_ptr_array_new_with_free_func(g_free);
	media->files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	media->downloads = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_mutex_init(&media->lock);
	g_mutex_init(&media->base_lock);
	if (media->pool != NULL) {
		media->cache = sg_iso_cache_new(media->pool, media->names);
		remove_stale_volumes(media);
	}
	return media;
}

void
sg_media_free(SgMedia *media)
{
	if (media == NULL)
		return;
	if (media->pool != NULL) {
		remove_stale_volumes(media);
		for (guint i = 0; i < media->volumes->len; i++)
			sg_storage_pool_delete_volume(media->pool,
						      g_ptr_array_index(media->volumes, i));
		sg_iso_cache_free(media->cache);
		virStoragePoolFree(media->pool);
	}
	g_ptr_array_unref(media->volumes);
	g_hash_table_unref(media->files);
	g_hash_table_unref(media->downloads);
	g_mutex_clear(&media->lock);
	g_mutex_clear(&media->base_lock);
	g_clear_object(&media->cancellable);
	sg_run_names_unref(media->names);
	g_free(media->scratch_dir);
	virConnectClose(media->conn);
	g_free(media);
}

gboolean
sg_media_uses_volumes(SgMedia *media)
{
	return media->pool != NULL;
}

void
sg_media_set_cache_limit(SgMedia *media, guint64 bytes)
{
	if (media->cache != NULL)
		sg_iso_cache_set_limit(media->cache, bytes);
}

guint64
sg_media_get_bytes_uploaded(SgMedia *media)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&media->lock);

	return media->bytes_uploaded;
}

static void
count_uploaded(SgMedia *media, guint64 bytes)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&media->lock);

	media->bytes_uploaded += bytes;
}

void
sg_media_set_cancellable(SgMedia *media, GCancellable *cancellable)
{
	g_set_object(&media->cancellable, cancellable);
}

/* A volume of this test: named after the run and @what, deleted when the
 * media are. */
static virStorageVolPtr
create_own_volume(SgMedia *media, const gchar *what, guint64 capacity, const gchar *format,
		  const gchar *backing, GError **error)
{
	g_autofree gchar *name = sg_run_names_make(media->names, what);
	virStorageVolPtr vol =
		sg_storage_pool_create_volume(media->pool, name, capacity, format, backing, error);
	g_autoptr(GMutexLocker) locker = NULL;

	if (vol == NULL)
		return NULL;
	locker = g_mutex_locker_new(&media->lock);
	g_ptr_array_add(media->volumes, g_steal_pointer(&name));
	return vol;
}

/* Deletes one of this test's volumes before the test ends. */
static void
drop_own_volume(SgMedia *media, const gchar *name)
{
	g_autoptr(GMutexLocker) locker = NULL;
	guint index;

	sg_storage_pool_delete_volume(media->pool, name);
	locker = g_mutex_locker_new(&media->lock);
	if (g_ptr_array_find_with_equal_func(media->volumes, name, g_str_equal, &index))
		g_ptr_array_remove_index(media->volumes, index);
}

/* The local file @path in a new volume of this test, named after @name
 * (raw: the file's bytes as they are); its path on the host. */
static gchar *
upload_own(SgMedia *media, const gchar *path, const gchar *name, GError **error)
{
	g_autoptr(virStorageVol) vol = NULL;
	guint64 sent = 0;
	gboolean uploaded;
	struct stat st;

	if (g_stat(path, &st) != 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot read %s: %s", path,
			    g_strerror(errno));
		return NULL;
	}
	vol = create_own_volume(media, name, st.st_size, NULL, NULL, error);
	if (vol == NULL)
		return NULL;
	uploaded = sg_volume_stream_upload(vol, path, media->cancellable, &sent, error);
	count_uploaded(media, sent);
	if (!uploaded)
		return NULL;
	return sg_storage_volume_get_path(vol, error);
}

gchar *
sg_media_put_image(SgMedia *media, const gchar *path, const gchar *sha256, GError **error)
{
	guint64 sent = 0;
	gboolean busy = FALSE;
	gchar *host_path;

	if (!sg_media_uses_volumes(media))
		return g_canonicalize_filename(path, NULL);
	host_path = sg_iso_cache_put(media->cache, path, sha256, media->cancellable, &sent, &busy,
				     error);
	count_uploaded(media, sent);
	if (!busy)
		return host_path;
	g_message("another run is uploading this image to the lab host: this test uploads its "
		  "own copy");
	return sg_media_put_file(media, path, "image.iso", error);
}

gchar *
sg_media_put_file(SgMedia *media, const gchar *path, const gchar *name, GError **error)
{
	g_autofree gchar *known = NULL;
	gchar *host_path;

	if (!sg_media_uses_volumes(media))
		return g_canonicalize_filename(path, NULL);
	g_mutex_lock(&media->lock);
	known = g_strdup(g_hash_table_lookup(media->files, path));
	g_mutex_unlock(&media->lock);
	if (known != NULL)
		return g_steal_pointer(&known);
	host_path = upload_own(media, path, name, error);
	if (host_path != NULL) {
		g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&media->lock);
		g_hash_table_insert(media->files, g_strdup(path), g_strdup(host_path));
		/* The volume holds the file's bytes: the file is its local copy. */
		g_hash_table_insert(media->downloads, g_strdup(host_path),
				    g_canonicalize_filename(path, NULL));
	}
	return host_path;
}

gchar *
sg_media_create_disk(SgMedia *media, const gchar *name, guint size_gib, GError **error)
{
	g_autofree gchar *file = g_strdup_printf("%s.qcow2", name);
	g_autoptr(virStorageVol) vol = NULL;

	if (!sg_media_uses_volumes(media)) {
		g_autofree gchar *path = g_build_filename(media->scratch_dir, file, NULL);
		if (!sg_disk_create(path, size_gib, error))
			return NULL;
		return g_steal_pointer(&path);
	}
	vol = create_own_volume(media, file, (guint64)size_gib * 1024 * 1024 * 1024, "qcow2", NULL,
				error);
	if (vol == NULL)
		return NULL;
	return sg_storage_volume_get_path(vol, error);
}

/* Downloads volume @disk into the scratch folder as a sparse stream. */
static gchar *
download_volume(SgMedia *media, const gchar *disk, GError **error)
{
	g_autoptr(virStorageVol) vol = virStorageVolLookupByPath(media->conn, disk);
	g_autofree gchar *base = NULL;
	g_autofree gchar *local = NULL;

	if (vol == NULL) {
		sg_virt_set_error(error, "no volume %s on the lab host", disk);
		return NULL;
	}
	base = g_path_get_basename(disk);
	local = g_build_filename(media->scratch_dir, base, NULL);
	if (!sg_volume_stream_download(vol, local, media->cancellable, error))
		return NULL;
	return g_steal_pointer(&local);
}

/* Whether this machine reads @disk where it is (the embedded driver, or
 * qemu:///system as root). */
static gboolean
readable_here(SgMedia *media, const gchar *disk)
{
	return !sg_media_uses_volumes(media) || (media->local && g_access(disk, R_OK) == 0);
}

static gchar *
lookup_download(SgMedia *media, const gchar *disk)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&media->lock);

	return g_strdup(g_hash_table_lookup(media->downloads, disk));
}

gchar *
sg_media_fetch_base(SgMedia *media, const gchar *disk, GError **error)
{
	g_autoptr(GMutexLocker) base_locker = NULL;
	gchar *local;

	if (readable_here(media, disk))
		return g_strdup(disk);
	base_locker = g_mutex_locker_new(&media->base_lock);
	local = lookup_download(media, disk);
	if (local != NULL)
		return local;
	local = download_volume(media, disk, error);
	if (local != NULL) {
		g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&media->lock);
		g_hash_table_insert(media->downloads, g_strdup(disk), g_strdup(local));
	}
	return local;
}

gchar *
sg_media_create_nvram(SgMedia *media, const gchar *template_path, const gchar *name, GError **error)
{
	g_autofree gchar *file = g_strdup_printf("%s.fd", name);
	g_autofree gchar *local = g_build_filename(media->scratch_dir, file, NULL);
	g_autoptr(GFile) source = g_file_new_for_path(template_path);
	g_autoptr(GFile) dest = g_file_new_for_path(local);

	if (!g_file_copy(source, dest, G_FILE_COPY_OVERWRITE, media->cancellable, NULL, NULL,
			 error)) {
		g_prefix_error(error, "cannot make the variable store %s: ", local);
		return NULL;
	}
	if (!sg_media_uses_volumes(media))
		return g_steal_pointer(&local);
	/* Not the volume's local copy: the guest changes the volume. */
	return upload_own(media, local, file, error);
}

gchar *
sg_media_fetch_nvram(SgMedia *media, const gchar *nvram, GError **error)
{
	if (readable_here(media, nvram))
		return g_strdup(nvram);
	return download_volume(media, nvram, error);
}

gchar *
sg_media_fetch_disk(SgMedia *media, const gchar *disk, GError **error)
{
	g_autofree gchar *local = NULL;
	g_autofree gchar *backing = NULL;
	g_autofree gchar *local_backing = NULL;

	if (readable_here(media, disk))
		return g_strdup(disk);
	local = lookup_download(media, disk);
	if (local != NULL)
		return g_steal_pointer(&local);
	local = download_volume(media, disk, error);
	if (local == NULL)
		return NULL;
	/* An overlay alone is not the guest's disk: its backing file, a
	 * path on the host, comes too (once) and the copy is pointed at it. */
	backing = sg_disk_get_backing(local, error);
	if (backing == NULL) {
		g_unlink(local);
		return NULL;
	}
	if (backing[0] == '\0')
		return g_steal_pointer(&local);
	local_backing = sg_media_fetch_base(media, backing, error);
	if (local_backing == NULL || !sg_disk_set_backing(local, local_backing, error)) {
		g_unlink(local);
		return NULL;
	}
	return g_steal_pointer(&local);
}

gchar *
sg_media_create_overlay(SgMedia *media, const gchar *base, const gchar *name, GError **error)
{
	g_autofree gchar *file = g_strdup_printf("%s.qcow2", name);
	g_autoptr(virStorageVol) base_vol = NULL;
	g_autoptr(virStorageVol) vol = NULL;
	virStorageVolInfo info;

	if (!sg_media_uses_volumes(media)) {
		g_autofree gchar *path = g_build_filename(media->scratch_dir, file, NULL);
		if (!sg_disk_create_overlay(base, path, error))
			return NULL;
		return g_steal_pointer(&path);
	}
	base_vol = virStorageVolLookupByPath(media->conn, base);
	if (base_vol == NULL || virStorageVolGetInfo(base_vol, &info) < 0) {
		sg_virt_set_error(error, "no volume %s on the lab host", base);
		return NULL;
	}
	vol = create_own_volume(media, file, info.capacity, "qcow2", base, error);
	if (vol == NULL)
		return NULL;
	return sg_storage_volume_get_path(vol, error);
}

gchar *
sg_media_put_overlay(SgMedia *media, const gchar *overlay, const gchar *base, const gchar *name,
		     GError **error)
{
	g_autofree gchar *file = g_strdup_printf("%s.qcow2", name);

	if (!sg_media_uses_volumes(media))
		return g_canonicalize_filename(overlay, NULL);
	if (!sg_disk_set_backing(overlay, base, error))
		return NULL;
	/* A raw volume holds the qcow2 file byte for byte (a qcow2 one would
	 * be formatted first); the guest's XML says qcow2. */
	return upload_own(media, overlay, file, error);
}

void
sg_media_delete_disk(SgMedia *media, const gchar *disk)
{
	g_autoptr(virStorageVol) vol = NULL;
	const char *name;
	gboolean ours;

	if (!sg_media_uses_volumes(media)) {
		g_unlink(disk);
		return;
	}
	vol = virStorageVolLookupByPath(media->conn, disk);
	name = vol != NULL ? virStorageVolGetName(vol) : NULL;
	if (name == NULL) {
		g_debug("no volume %s to delete: %s", disk, sg_virt_last_error());
		return;
	}
	g_mutex_lock(&media->lock);
	ours = g_ptr_array_find_with_equal_func(media->volumes, name, g_str_equal, NULL);
	g_mutex_unlock(&media->lock);
	/* Never the base or the cached ISO. */
	if (ours)
		drop_own_volume(media, name);
}
