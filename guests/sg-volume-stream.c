#include "sg-volume-stream.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sg-error.h"

/* A stream failed: say why, and whether it was the user who stopped it. */
static void
set_stream_error(GError **error, GCancellable *cancellable, const gchar *what, const gchar *name)
{
	if (g_cancellable_is_cancelled(cancellable)) {
		g_set_error(error, SG_ERROR, SG_ERROR_CANCELLED, "interrupted while %s %s", what,
			    name);
		return;
	}
	sg_virt_set_error(error, "failed %s %s", what, name);
}

/* How a stream callback stops a cancelled transfer: -1 with ECANCELED. */
static gboolean
stop_if_cancelled(GCancellable *cancellable)
{
	if (!g_cancellable_is_cancelled(cancellable))
		return FALSE;
	errno = ECANCELED;
	return TRUE;
}

/* Reading a local file into a stream, holes skipped (lseek's SEEK_DATA and
 * SEEK_HOLE tell where they are). */
typedef struct {
	GCancellable *cancellable;
	guint64 *sent;
	int fd;
	off_t size;
} SgSource;

static int
source_read(virStreamPtr stream, char *data, size_t nbytes, void *opaque)
{
	SgSource *source = opaque;
	ssize_t got;

	if (stop_if_cancelled(source->cancellable))
		return -1;
	do
		got = read(source->fd, data, nbytes);
	while (got < 0 && errno == EINTR);
	if (got > 0 && source->sent != NULL)
		*source->sent += got;
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

gboolean
sg_volume_stream_upload(virStorageVolPtr vol, const gchar *path, GCancellable *cancellable,
			guint64 *sent, GError **error)
{
	const gchar *name = virStorageVolGetName(vol);
	g_autoptr(virStream) stream = NULL;
	SgSource source = {cancellable, sent, -1, 0};
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
	stream = virStreamNew(virStorageVolGetConnect(vol), 0);
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
		set_stream_error(error, cancellable, "uploading to volume", name);
		virStreamAbort(stream);
		close(source.fd);
		return FALSE;
	}
	close(source.fd);
	return TRUE;
}

/* Writing a stream into a local file, holes left as holes. */
typedef struct {
	GCancellable *cancellable;
	int fd;
} SgSink;

static int
sink_write(virStreamPtr stream, const char *data, size_t nbytes, void *opaque)
{
	SgSink *sink = opaque;
	ssize_t done;

	if (stop_if_cancelled(sink->cancellable))
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

gboolean
sg_volume_stream_download(virStorageVolPtr vol, const gchar *local, GCancellable *cancellable,
			  GError **error)
{
	const gchar *name = virStorageVolGetName(vol);
	g_autoptr(virStream) stream = NULL;
	SgSink sink = {cancellable, -1};

	sink.fd = g_open(local, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (sink.fd < 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot create %s: %s", local,
			    g_strerror(errno));
		return FALSE;
	}
	stream = virStreamNew(virStorageVolGetConnect(vol), 0);
	if (stream == NULL ||
	    virStorageVolDownload(vol, stream, 0, 0, VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM) < 0) {
		sg_virt_set_error(error, "cannot download volume %s", name);
		close(sink.fd);
		g_unlink(local);
		return FALSE;
	}
	if (virStreamSparseRecvAll(stream, sink_write, sink_hole, &sink) < 0 ||
	    virStreamFinish(stream) < 0) {
		set_stream_error(error, cancellable, "downloading volume", name);
		virStreamAbort(stream);
		close(sink.fd);
		g_unlink(local);
		return FALSE;
	}
	if (close(sink.fd) != 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot write %s: %s", local,
			    g_strerror(errno));
		g_unlink(local);
		return FALSE;
	}
	return TRUE;
}

static int
sink_to_bytes(virStreamPtr stream, const char *data, size_t nbytes, void *opaque)
{
	g_byte_array_append(opaque, (const guint8 *)data, nbytes);
	return (int)nbytes;
}

GByteArray *
sg_volume_stream_read_small(virStorageVolPtr vol, gsize size, GError **error)
{
	g_autoptr(virStream) stream = virStreamNew(virStorageVolGetConnect(vol), 0);
	g_autoptr(GByteArray) data = g_byte_array_new();

	if (stream == NULL || virStorageVolDownload(vol, stream, 0, size, 0) < 0 ||
	    virStreamRecvAll(stream, sink_to_bytes, data) < 0 || virStreamFinish(stream) < 0) {
		sg_virt_set_error(error, "cannot read volume %s", virStorageVolGetName(vol));
		if (stream != NULL)
			virStreamAbort(stream);
		return NULL;
	}
	return g_steal_pointer(&data);
}

gboolean
sg_volume_stream_write_small(virStorageVolPtr vol, const gchar *data, gsize size, GError **error)
{
	g_autoptr(virStream) stream = virStreamNew(virStorageVolGetConnect(vol), 0);
	g_autofree gchar *padded = g_malloc(size);
	gsize len = MIN(strlen(data), size);

	memset(padded, '\n', size);
	memcpy(padded, data, len);
	if (stream == NULL || virStorageVolUpload(vol, stream, 0, size, 0) < 0 ||
	    virStreamSend(stream, padded, size) != (int)size || virStreamFinish(stream) < 0) {
		sg_virt_set_error(error, "cannot write volume %s", virStorageVolGetName(vol));
		if (stream != NULL)
			virStreamAbort(stream);
		return FALSE;
	}
	return TRUE;
}
