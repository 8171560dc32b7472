#include "sg-media.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sg-disk.h"
#include "sg-error.h"
#include "sg-files.h"

#define POOL_NAME SG_MEDIA_POOL_NAME
#define POOL_PATH "/var/lib/libvirt/smokegate"
/* Markers are rewritten in place (last use), so they have one fixed size. */
#define MARKER_SIZE 1024
/* A run's volume saying it is uploading <sha>.iso: NAME-uploading-<sha>. */
#define UPLOADING "uploading-"
#define SHA256_HEX 64

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStoragePool, virStoragePoolFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStorageVol, virStorageVolFree)

struct _SgMedia {
	SgLab *lab;
	virConnectPtr conn;
	virStoragePoolPtr pool; /* NULL: local files (embedded driver) */
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
	guint64 cache_limit;
	guint64 bytes_uploaded;
};

/* One ISO in the host's cache, as its marker tells. */
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

/* A stream failed: say why, and whether it was the user who stopped it. */
static void
set_stream_error(SgMedia *media, GError **error, const gchar *what, const gchar *name)
{
	if (g_cancellable_is_cancelled(media->cancellable)) {
		g_set_error(error, SG_ERROR, SG_ERROR_CANCELLED, "interrupted while %s %s", what,
			    name);
		return;
	}
	sg_virt_set_error(error, "failed %s %s", what, name);
}

gboolean
sg_media_is_sha256(const gchar *text)
{
	if (text == NULL || strlen(text) != SHA256_HEX)
		return FALSE;
	for (guint i = 0; i < SHA256_HEX; i++) {
		if (!g_ascii_isxdigit(text[i]) || g_ascii_isupper(text[i]))
			return FALSE;
	}
	return TRUE;
}

/* The pool, made ready. Several coordinators may race to define it: losing
 * that race is fine as long as the pool is there and active afterwards. */
static virStoragePoolPtr
ensure_pool(virConnectPtr conn, GError **error)
{
	g_autoptr(virStoragePool) pool = virStoragePoolLookupByName(conn, POOL_NAME);

	if (pool == NULL) {
		const gchar *xml = "<pool type='dir'>\n"
				   "  <name>" POOL_NAME "</name>\n"
				   "  <target><path>" POOL_PATH "</path></target>\n"
				   "</pool>\n";
		pool = virStoragePoolDefineXML(conn, xml, 0);
		if (pool == NULL)
			pool = virStoragePoolLookupByName(conn, POOL_NAME);
		if (pool == NULL) {
			sg_virt_set_error(error, "cannot define the storage pool %s", POOL_NAME);
			return NULL;
		}
		/* Builds the folder; it may be there already. */
		virStoragePoolBuild(pool, 0);
		if (virStoragePoolSetAutostart(pool, 1) < 0)
			g_debug("cannot set the pool %s to autostart", POOL_NAME);
		g_message("created the storage pool %s (%s)", POOL_NAME, POOL_PATH);
	}
	if (virStoragePoolIsActive(pool) != 1 && virStoragePoolCreate(pool, 0) < 0 &&
	    virStoragePoolIsActive(pool) != 1) {
		sg_virt_set_error(error, "cannot start the storage pool %s", POOL_NAME);
		return NULL;
	}
	return g_steal_pointer(&pool);
}

static virStorageVolPtr
lookup_volume(SgMedia *media, const gchar *name)
{
	return virStorageVolLookupByName(media->pool, name);
}

static gboolean
delete_volume(SgMedia *media, const gchar *name)
{
	g_autoptr(virStorageVol) vol = lookup_volume(media, name);

	if (vol == NULL || virStorageVolDelete(vol, 0) < 0) {
		g_debug("cannot delete volume %s: %s", name, sg_virt_last_error());
		return FALSE;
	}
	return TRUE;
}

/* The names of the pool's volumes, sorted. */
static GPtrArray *
list_volumes(SgMedia *media, GError **error)
{
	virStorageVolPtr *vols = NULL;
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	int count;

	/* Every volume is made through libvirt, so the pool knows them all
	 * without a refresh (which fails while any upload runs). */
	count = virStoragePoolListAllVolumes(media->pool, &vols, 0);
	if (count < 0) {
		sg_virt_set_error(error, "cannot list the volumes of pool %s", POOL_NAME);
		return NULL;
	}
	for (int i = 0; i < count; i++) {
		const char *name = virStorageVolGetName(vols[i]);
		if (name != NULL)
			g_ptr_array_add(names, g_strdup(name));
		virStorageVolFree(vols[i]);
	}
	free(vols);
	sg_sort_strings(names);
	return g_steal_pointer(&names);
}

/* A dead run's upload marker: the run may have died mid-upload, so its
 * incomplete <sha>.iso goes too. Whoever deletes the marker deletes the ISO,
 * so two runs cleaning up at once never delete a third run's new upload. */
static void
remove_dead_upload(SgMedia *media, const gchar *marker)
{
	const gchar *sha = strstr(marker, "-" UPLOADING);
	g_autofree gchar *iso = NULL;
	g_autofree gchar *ok = NULL;
	g_autoptr(virStorageVol) done = NULL;

	if (!delete_volume(media, marker))
		return;
	sha += strlen("-" UPLOADING);
	if (!sg_media_is_sha256(sha))
		return;
	ok = g_strdup_printf("%s.ok", sha);
	iso = g_strdup_printf("%s.iso", sha);
	done = lookup_volume(media, ok);
	if (done == NULL && delete_volume(media, iso))
		g_message("removed the unfinished upload %s left by a crashed run", iso);
}

/* Volumes named after a run on this coordinator whose process is gone.
 * Called when the media are made and again when they are freed: a killed
 * run's calls still under way in the daemon (a volume being created, an
 * upload the daemon has not aborted yet) may leave a volume after the first
 * look. */
static void
remove_stale_volumes(SgMedia *media)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) names = list_volumes(media, &error);

	if (names == NULL) {
		g_debug("%s", error->message);
		return;
	}
	for (guint i = 0; i < names->len; i++) {
		const gchar *name = g_ptr_array_index(names, i);
		if (!sg_lab_name_is_stale(media->lab, name))
			continue;
		if (strstr(name, "-" UPLOADING) != NULL) {
			remove_dead_upload(media, name);
		} else if (delete_volume(media, name)) {
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
sg_media_new(SgLab *lab, GError **error)
{
	g_autoptr(virStoragePool) pool = NULL;
	SgMedia *media;

	if (!sg_lab_is_embedded(lab)) {
		pool = ensure_pool(sg_lab_get_connection(lab), error);
		if (pool == NULL)
			return NULL;
	}
	media = g_new0(SgMedia, 1);
	media->lab = lab;
	media->conn = sg_lab_get_connection(lab);
	media->pool = g_steal_pointer(&pool);
	media->volumes = g_ptr_array_new_with_free_func(g_free);
	media->files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	media->downloads = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_mutex_init(&media->lock);
	g_mutex_init(&media->base_lock);
	media->cache_limit = SG_MEDIA_CACHE_LIMIT_DEFAULT;
	if (media->pool != NULL)
		remove_stale_volumes(media);
	return media;
}

void
sg_media_free(SgMedia *media)
{
	if (media == NULL)
		return;
	if (media->pool != NULL)
		remove_stale_volumes(media);
	for (guint i = 0; media->pool != NULL && i < media->volumes->len; i++)
		delete_volume(media, g_ptr_array_index(media->volumes, i));
	if (media->pool != NULL)
		virStoragePoolFree(media->pool);
	g_ptr_array_unref(media->volumes);
	g_hash_table_unref(media->files);
	g_hash_table_unref(media->downloads);
	g_mutex_clear(&media->lock);
	g_mutex_clear(&media->base_lock);
	g_clear_object(&media->cancellable);
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
	media->cache_limit = bytes;
}

guint64
sg_media_get_bytes_uploaded(SgMedia *media)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&media->lock);

	return media->bytes_uploaded;
}

void
sg_media_set_cancellable(SgMedia *media, GCancellable *cancellable)
{
	g_set_object(&media->cancellable, cancellable);
}

/* Creates volume @name (raw unless @format) of @capacity bytes, allocating
 * nothing: an upload writes its data, holes stay holes. With @backing (a
 * qcow2 volume's path) it is a qcow2 overlay of it, made by libvirt. */
static virStorageVolPtr
create_volume_backed(SgMedia *media, const gchar *name, guint64 capacity, const gchar *format,
		     const gchar *backing, GError **error)
{
	g_autofree gchar *escaped = g_markup_escape_text(name, -1);
	g_autofree gchar *escaped_backing =
		backing != NULL ? g_markup_escape_text(backing, -1) : NULL;
	g_autofree gchar *backing_xml =
		backing != NULL ? g_strdup_printf("  <backingStore><path>%s</path>"
						  "<format type='qcow2'/></backingStore>\n",
						  escaped_backing)
				: g_strdup("");
	g_autofree gchar *xml =
		g_strdup_printf("<volume>\n"
				"  <name>%s</name>\n"
				"  <capacity unit='bytes'>%" G_GUINT64_FORMAT "</capacity>\n"
				"  <allocation unit='bytes'>0</allocation>\n"
				"  <target><format type='%s'/></target>\n"
				"%s"
				"</volume>\n",
				escaped, capacity, format != NULL ? format : "raw", backing_xml);
	virStorageVolPtr vol = virStorageVolCreateXML(media->pool, xml, 0);

	if (vol == NULL)
		sg_virt_set_error(error, "cannot create volume %s in pool %s", name, POOL_NAME);
	return vol;
}

static virStorageVolPtr
create_volume(SgMedia *media, const gchar *name, guint64 capacity, const gchar *format,
	      GError **error)
{
	return create_volume_backed(media, name, capacity, format, NULL, error);
}

/* A volume of this test: named after the run, deleted when the media are. */
static virStorageVolPtr
create_own_volume_backed(SgMedia *media, const gchar *what, guint64 capacity, const gchar *format,
			 const gchar *backing, gchar **name_out, GError **error)
{
	g_autofree gchar *name = sg_lab_new_guest_name(media->lab, what);
	virStorageVolPtr vol = create_volume_backed(media, name, capacity, format, backing, error);
	g_autoptr(GMutexLocker) locker = NULL;

	if (vol == NULL)
		return NULL;
	if (name_out != NULL)
		*name_out = g_strdup(name);
	locker = g_mutex_locker_new(&media->lock);
	g_ptr_array_add(media->volumes, g_steal_pointer(&name));
	return vol;
}

static virStorageVolPtr
create_own_volume(SgMedia *media, const gchar *what, guint64 capacity, const gchar *format,
		  gchar **name_out, GError **error)
{
	return create_own_volume_backed(media, what, capacity, format, NULL, name_out, error);
}

/* Deletes one of this test's volumes before the test ends. */
static void
drop_own_volume(SgMedia *media, const gchar *name)
{
	g_autoptr(GMutexLocker) locker = NULL;
	guint index;

	delete_volume(media, name);
	locker = g_mutex_locker_new(&media->lock);
	if (g_ptr_array_find_with_equal_func(media->volumes, name, g_str_equal, &index))
		g_ptr_array_remove_index(media->volumes, index);
}

static gchar *
volume_path(virStorageVolPtr vol, GError **error)
{
	char *path = virStorageVolGetPath(vol);
	gchar *copy;

	if (path == NULL) {
		sg_virt_set_error(error, "cannot tell the path of volume %s",
				  virStorageVolGetName(vol));
		return NULL;
	}
	copy = g_strdup(path);
	free(path);
	return copy;
}

/* How a stream callback stops a cancelled transfer: -1 with ECANCELED. */
static gboolean
stop_if_cancelled(SgMedia *media)
{
	if (!g_cancellable_is_cancelled(media->cancellable))
		return FALSE;
	errno = ECANCELED;
	return TRUE;
}

/* Reading a local file into a stream, holes skipped (as virsh vol-upload
 * --sparse does, with lseek's SEEK_DATA/SEEK_HOLE). */
typedef struct {
	SgMedia *media;
	int fd;
	off_t size;
} SgSource;

static int
source_read(virStreamPtr stream, char *data, size_t nbytes, void *opaque)
{
	SgSource *source = opaque;
	ssize_t got;

	if (stop_if_cancelled(source->media))
		return -1;
	do
		got = read(source->fd, data, nbytes);
	while (got < 0 && errno == EINTR);
	if (got > 0) {
		g_mutex_lock(&source->media->lock);
		source->media->bytes_uploaded += got;
		g_mutex_unlock(&source->media->lock);
	}
	return (int)got;
}

static int
source_in_data(virStreamPtr stream, int *in_data, long long *length, void *opaque)
{
	SgSource *source = opaque;
	off_t here = lseek(source->fd, 0, SEEK_CUR);
	off_t data;

	if (here < 0)
		return -1;
	data = lseek(source->fd, here, SEEK_DATA);
	if (data < 0 && errno == ENXIO) {
		/* A hole up to the end of the file, or the end itself. */
		*in_data = 0;
		*length = source->size - here;
	} else if (data < 0) {
		return -1;
	} else if (data > here) {
		*in_data = 0;
		*length = data - here;
	} else {
		off_t hole = lseek(source->fd, here, SEEK_HOLE);
		if (hole < 0)
			return -1;
		*in_data = 1;
		*length = hole - here;
	}
	return lseek(source->fd, here, SEEK_SET) < 0 ? -1 : 0;
}

static int
source_skip(virStreamPtr stream, long long length, void *opaque)
{
	SgSource *source = opaque;

	return lseek(source->fd, length, SEEK_CUR) < 0 ? -1 : 0;
}

/* A file whose blocks cover less than its size has holes worth skipping. */
static gboolean
file_is_sparse(const struct stat *st)
{
	return (guint64)st->st_blocks * 512 < (guint64)st->st_size;
}

/* Writes the local file @path into @vol, which has exactly its size. */
static gboolean
upload_file(SgMedia *media, virStorageVolPtr vol, const gchar *path, GError **error)
{
	const gchar *name = virStorageVolGetName(vol);
	g_autoptr(virStream) stream = NULL;
	SgSource source = {media, -1, 0};
	struct stat st;
	gboolean sparse;
	int rc;

	source.fd = g_open(path, O_RDONLY | O_CLOEXEC, 0);
	if (source.fd < 0 || fstat(source.fd, &st) != 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot read %s: %s", path,
			    g_strerror(errno));
		if (source.fd >= 0)
			close(source.fd);
		return FALSE;
	}
	source.size = st.st_size;
	if (st.st_size == 0) {
		close(source.fd);
		return TRUE;
	}
	sparse = file_is_sparse(&st);
	stream = virStreamNew(media->conn, 0);
	if (stream == NULL ||
	    virStorageVolUpload(vol, stream, 0, st.st_size,
				sparse ? VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM : 0) < 0) {
		sg_virt_set_error(error, "cannot upload %s to volume %s", path, name);
		close(source.fd);
		return FALSE;
	}
	if (sparse)
		rc = virStreamSparseSendAll(stream, source_read, source_in_data, source_skip,
					    &source);
	else
		rc = virStreamSendAll(stream, source_read, &source);
	if (rc < 0 || virStreamFinish(stream) < 0) {
		set_stream_error(media, error, "uploading to volume", name);
		virStreamAbort(stream);
		close(source.fd);
		return FALSE;
	}
	close(source.fd);
	return TRUE;
}

static int
sink_to_bytes(virStreamPtr stream, const char *data, size_t nbytes, void *opaque)
{
	g_byte_array_append(opaque, (const guint8 *)data, nbytes);
	return (int)nbytes;
}

/* The content of a small volume (a marker). */
static GByteArray *
download_small(SgMedia *media, virStorageVolPtr vol, GError **error)
{
	g_autoptr(virStream) stream = virStreamNew(media->conn, 0);
	g_autoptr(GByteArray) data = g_byte_array_new();

	if (stream == NULL || virStorageVolDownload(vol, stream, 0, MARKER_SIZE, 0) < 0 ||
	    virStreamRecvAll(stream, sink_to_bytes, data) < 0 || virStreamFinish(stream) < 0) {
		sg_virt_set_error(error, "cannot read volume %s", virStorageVolGetName(vol));
		if (stream != NULL)
			virStreamAbort(stream);
		return NULL;
	}
	return g_steal_pointer(&data);
}

/* Writes @data (at most MARKER_SIZE bytes) over a marker, padded with
 * newlines to the marker's fixed size. */
static gboolean
upload_small(SgMedia *media, virStorageVolPtr vol, const gchar *data, GError **error)
{
	g_autoptr(virStream) stream = virStreamNew(media->conn, 0);
	g_autofree gchar *padded = g_malloc(MARKER_SIZE);
	gsize len = MIN(strlen(data), MARKER_SIZE);

	memset(padded, '\n', MARKER_SIZE);
	memcpy(padded, data, len);
	if (stream == NULL || virStorageVolUpload(vol, stream, 0, MARKER_SIZE, 0) < 0 ||
	    virStreamSend(stream, padded, MARKER_SIZE) != MARKER_SIZE ||
	    virStreamFinish(stream) < 0) {
		sg_virt_set_error(error, "cannot write volume %s", virStorageVolGetName(vol));
		if (stream != NULL)
			virStreamAbort(stream);
		return FALSE;
	}
	return TRUE;
}

static SgCachedImage *
read_marker(SgMedia *media, const gchar *sha256)
{
	g_autofree gchar *name = g_strdup_printf("%s.ok", sha256);
	g_autoptr(virStorageVol) vol = lookup_volume(media, name);
	g_autoptr(GByteArray) data = NULL;
	g_autoptr(GKeyFile) keyfile = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *last_used = NULL;
	g_autoptr(GDateTime) when = NULL;
	SgCachedImage *image;

	if (vol == NULL)
		return NULL;
	data = download_small(media, vol, &error);
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
write_marker(SgMedia *media, const gchar *sha256, guint64 size, GError **error)
{
	g_autofree gchar *name = g_strdup_printf("%s.ok", sha256);
	g_autoptr(virStorageVol) vol = lookup_volume(media, name);
	g_autoptr(GKeyFile) keyfile = g_key_file_new();
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree gchar *last_used = g_date_time_format(now, "%FT%T.%fZ");
	g_autofree gchar *data = NULL;

	g_key_file_set_string(keyfile, "Image", "SHA256", sha256);
	g_key_file_set_uint64(keyfile, "Image", "Size", size);
	g_key_file_set_string(keyfile, "Image", "LastUsed", last_used);
	data = g_key_file_to_data(keyfile, NULL, NULL);
	if (vol == NULL)
		vol = create_volume(media, name, MARKER_SIZE, NULL, error);
	if (vol == NULL)
		return FALSE;
	return upload_small(media, vol, data, error);
}

/* Removes a cached image: the marker first, so that it never counts as
 * complete without all its data; whoever deletes the marker deletes the ISO. */
static gboolean
evict_image(SgMedia *media, const gchar *sha256)
{
	g_autofree gchar *ok = g_strdup_printf("%s.ok", sha256);
	g_autofree gchar *iso = g_strdup_printf("%s.iso", sha256);

	if (!delete_volume(media, ok))
		return FALSE;
	delete_volume(media, iso);
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
evict_for(SgMedia *media, const gchar *keep_sha256, guint64 need)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) names = list_volumes(media, &error);
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
		if (!sg_media_is_sha256(sha) || g_str_equal(sha, keep_sha256))
			continue;
		image = read_marker(media, sha);
		if (image == NULL)
			continue;
		total += image->size;
		g_ptr_array_add(images, image);
	}
	g_ptr_array_sort(images, compare_last_used);
	for (guint i = 0; i < images->len && total + need > media->cache_limit; i++) {
		SgCachedImage *image = g_ptr_array_index(images, i);
		if (!evict_image(media, image->sha256))
			continue;
		g_message("removed the cached image %s.iso from the lab host (least recently "
			  "used, cache over %" G_GUINT64_FORMAT " bytes)",
			  image->sha256, media->cache_limit);
		total -= image->size;
	}
}

/* Whether a run that may still live (this coordinator's, alive, or any
 * other coordinator's) is uploading @sha256; dead runs' uploads are
 * removed on the way. */
static gboolean
upload_in_progress(SgMedia *media, const gchar *sha256, const gchar *own_marker, gboolean *busy,
		   GError **error)
{
	g_autofree gchar *suffix = g_strdup_printf("-" UPLOADING "%s", sha256);
	g_autoptr(GPtrArray) names = list_volumes(media, error);

	if (names == NULL)
		return FALSE;
	for (guint i = 0; i < names->len; i++) {
		const gchar *name = g_ptr_array_index(names, i);
		if (!g_str_has_suffix(name, suffix) || g_str_equal(name, own_marker))
			continue;
		if (sg_lab_name_is_stale(media->lab, name))
			remove_dead_upload(media, name);
		else
			*busy = TRUE;
	}
	return TRUE;
}

/* A copy of the image for this test alone, when another run is uploading
 * the same image into the cache right now. */
static gchar *
put_private_image(SgMedia *media, const gchar *path, GError **error)
{
	g_message("another run is uploading this image to the lab host: this test uploads its "
		  "own copy");
	return sg_media_put_file(media, path, "image.iso", error);
}

gchar *
sg_media_put_image(SgMedia *media, const gchar *path, const gchar *sha256, GError **error)
{
	g_autofree gchar *iso_name = NULL;
	g_autofree gchar *what = NULL;
	g_autofree gchar *uploading = NULL;
	g_autoptr(virStorageVol) iso = NULL;
	g_autoptr(virStorageVol) marker = NULL;
	g_autoptr(SgCachedImage) cached = NULL;
	virStorageVolInfo info;
	gboolean busy = FALSE;
	struct stat st;

	if (!sg_media_uses_volumes(media))
		return g_canonicalize_filename(path, NULL);
	if (!sg_media_is_sha256(sha256)) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "'%s' is not a SHA-256 digest", sha256);
		return NULL;
	}
	if (g_stat(path, &st) != 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot read %s: %s", path,
			    g_strerror(errno));
		return NULL;
	}
	iso_name = g_strdup_printf("%s.iso", sha256);
	iso = lookup_volume(media, iso_name);
	cached = read_marker(media, sha256);
	if (cached != NULL && iso != NULL && cached->size == (guint64)st.st_size &&
	    virStorageVolGetInfo(iso, &info) == 0 && info.capacity == (guint64)st.st_size) {
		g_autoptr(GError) local_error = NULL;
		if (!write_marker(media, sha256, st.st_size, &local_error))
			g_debug("cannot record the use of %s: %s", iso_name, local_error->message);
		g_debug("%s is cached on the lab host", iso_name);
		return volume_path(iso, error);
	}
	if (cached != NULL) {
		/* A marker for something else than this image's data. */
		evict_image(media, sha256);
		g_clear_pointer(&iso, virStorageVolFree);
	}

	/* Say that this run uploads it, so that others leave it alone. */
	what = g_strconcat(UPLOADING, sha256, NULL);
	marker = create_own_volume(media, what, 0, NULL, &uploading, error);
	if (marker == NULL)
		return NULL;
	if (!upload_in_progress(media, sha256, uploading, &busy, error))
		return NULL;
	if (busy) {
		drop_own_volume(media, uploading);
		return put_private_image(media, path, error);
	}
	if (iso == NULL)
		iso = lookup_volume(media, iso_name);
	if (iso != NULL) {
		g_message("replacing %s on the lab host: its upload never finished", iso_name);
		/* It fails while a stream writes it: then someone is uploading it. */
		if (virStorageVolDelete(iso, 0) < 0) {
			drop_own_volume(media, uploading);
			return put_private_image(media, path, error);
		}
		g_clear_pointer(&iso, virStorageVolFree);
	}
	evict_for(media, sha256, st.st_size);
	iso = create_volume(media, iso_name, st.st_size, NULL, NULL);
	if (iso == NULL) { /* another run was quicker */
		drop_own_volume(media, uploading);
		return put_private_image(media, path, error);
	}
	if (!upload_file(media, iso, path, error)) {
		virStorageVolDelete(iso, 0);
		return NULL;
	}
	if (!write_marker(media, sha256, st.st_size, error)) {
		virStorageVolDelete(iso, 0);
		return NULL;
	}
	drop_own_volume(media, uploading);
	return volume_path(iso, error);
}

/* The local file @path in a new volume of this test, named after @name
 * (raw: the file's bytes as they are); its path on the host. */
static gchar *
upload_own(SgMedia *media, const gchar *path, const gchar *name, GError **error)
{
	g_autoptr(virStorageVol) vol = NULL;
	struct stat st;

	if (g_stat(path, &st) != 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot read %s: %s", path,
			    g_strerror(errno));
		return NULL;
	}
	vol = create_own_volume(media, name, st.st_size, NULL, NULL, error);
	if (vol == NULL || !upload_file(media, vol, path, error))
		return NULL;
	return volume_path(vol, error);
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
		g_autofree gchar *path =
			g_build_filename(sg_lab_get_scratch_dir(media->lab), file, NULL);
		if (!sg_disk_create(path, size_gib, error))
			return NULL;
		return g_steal_pointer(&path);
	}
	vol = create_own_volume(media, file, (guint64)size_gib * 1024 * 1024 * 1024, "qcow2", NULL,
				error);
	if (vol == NULL)
		return NULL;
	return volume_path(vol, error);
}

/* Writing a stream into a local file, holes left as holes. */
typedef struct {
	SgMedia *media;
	int fd;
} SgSink;

static int
sink_write(virStreamPtr stream, const char *data, size_t nbytes, void *opaque)
{
	SgSink *sink = opaque;
	ssize_t done;

	if (stop_if_cancelled(sink->media))
		return -1;
	do
		done = write(sink->fd, data, nbytes);
	while (done < 0 && errno == EINTR);
	return (int)done;
}

static int
sink_hole(virStreamPtr stream, long long length, void *opaque)
{
	SgSink *sink = opaque;
	off_t here = lseek(sink->fd, 0, SEEK_CUR);

	/* Grows the file over the hole, in case the file ends with it. */
	if (here < 0 || ftruncate(sink->fd, here + length) < 0)
		return -1;
	return lseek(sink->fd, length, SEEK_CUR) < 0 ? -1 : 0;
}

/* Downloads volume @disk into the scratch folder as a sparse stream. */
static gchar *
download_volume(SgMedia *media, const gchar *disk, GError **error)
{
	g_autoptr(virStorageVol) vol = NULL;
	g_autoptr(virStream) stream = NULL;
	g_autofree gchar *base = NULL;
	g_autofree gchar *local = NULL;
	SgSink sink = {media, -1};

	vol = virStorageVolLookupByPath(media->conn, disk);
	if (vol == NULL) {
		sg_virt_set_error(error, "no volume %s on the lab host", disk);
		return NULL;
	}
	base = g_path_get_basename(disk);
	local = g_build_filename(sg_lab_get_scratch_dir(media->lab), base, NULL);
	sink.fd = g_open(local, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (sink.fd < 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot create %s: %s", local,
			    g_strerror(errno));
		return NULL;
	}
	stream = virStreamNew(media->conn, 0);
	if (stream == NULL ||
	    virStorageVolDownload(vol, stream, 0, 0, VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM) < 0) {
		sg_virt_set_error(error, "cannot download volume %s", disk);
		close(sink.fd);
		g_unlink(local);
		return NULL;
	}
	if (virStreamSparseRecvAll(stream, sink_write, sink_hole, &sink) < 0 ||
	    virStreamFinish(stream) < 0) {
		set_stream_error(media, error, "downloading volume", disk);
		virStreamAbort(stream);
		close(sink.fd);
		g_unlink(local);
		return NULL;
	}
	if (close(sink.fd) != 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot write %s: %s", local,
			    g_strerror(errno));
		g_unlink(local);
		return NULL;
	}
	return g_steal_pointer(&local);
}

/* Whether this machine reads @disk where it is (the embedded driver, or
 * qemu:///system as root). */
static gboolean
readable_here(SgMedia *media, const gchar *disk)
{
	return !sg_media_uses_volumes(media) ||
	       (sg_lab_is_local(media->lab) && g_access(disk, R_OK) == 0);
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
		g_autofree gchar *path =
			g_build_filename(sg_lab_get_scratch_dir(media->lab), file, NULL);
		if (!sg_disk_create_overlay(base, path, error))
			return NULL;
		return g_steal_pointer(&path);
	}
	base_vol = virStorageVolLookupByPath(media->conn, base);
	if (base_vol == NULL || virStorageVolGetInfo(base_vol, &info) < 0) {
		sg_virt_set_error(error, "no volume %s on the lab host", base);
		return NULL;
	}
	vol = create_own_volume_backed(media, file, info.capacity, "qcow2", base, NULL, error);
	if (vol == NULL)
		return NULL;
	return volume_path(vol, error);
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
