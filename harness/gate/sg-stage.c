#include "sg-stage.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "sg-build-record.h"
#include "sg-curl.h"
#include "sg-error.h"
#include "sg-fetch.h"
#include "sg-files.h"
#include "sg-flavour.h"
#include "sg-image-check.h"
#include "sg-paths.h"
#include "sg-publish.h"
#include "sg-tree.h"

#define OVERSIZE_NOTE                                                                              \
	"WARNING: This image is OVERSIZED. This should never happen during milestone testing."

static gboolean
is_url(const gchar *source)
{
	return g_str_has_prefix(source, "http://") || g_str_has_prefix(source, "https://");
}

/* The size limit from the flavour's profile (0: none, or no profile). A
 * broken profile or a missing --flavours-dir stops stage: read silently,
 * either would drop the limit. */
static gboolean
profile_size_limit(const gchar *flavour, const gchar *flavours_dir, guint64 *limit, GError **error)
{
	g_autoptr(GPtrArray) flavours = NULL;
	SgFlavour *profile;

	if (flavours_dir != NULL && !g_file_test(flavours_dir, G_FILE_TEST_IS_DIR)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "--flavours-dir %s: no such folder",
			    flavours_dir);
		return FALSE;
	}
	flavours = sg_flavour_load_all(flavours_dir, error);
	if (flavours == NULL)
		return FALSE;
	profile = sg_flavour_find(flavours, flavour);
	*limit = profile != NULL ? profile->size_limit : 0;
	return TRUE;
}

/* The source named on the command line, opened as what it must be: a
 * regular file (a link is resolved here, on purpose: its content is staged,
 * never the link) carrying an ISO 9660 volume descriptor. */
static int
open_source_image(const gchar *source, GError **error)
{
	g_autoptr(GError) open_error = NULL;
	int fd = sg_files_open_regular(source, SG_FILES_FOLLOW, &open_error);

	if (fd < 0) {
		/* Whatever stops the read (missing, unreadable, a FIFO) is bad input. */
		g_set_error_literal(error, SG_ERROR, SG_ERROR_USAGE, open_error->message);
		return -1;
	}
	if (!sg_image_check_iso9660(fd, source, error)) {
		close(fd);
		return -1;
	}
	return fd;
}

static gboolean
reflink(int in, const gchar *dest)
{
	int out = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	gboolean ok = out >= 0 && ioctl(out, FICLONE, in) == 0;

	if (out >= 0)
		close(out);
	if (!ok)
		g_unlink(dest);
	return ok;
}

/* All of @data, or FALSE with errno saying why (a short write is no
 * error: the next write says what is wrong, ENOSPC say). */
static gboolean
write_all(int fd, const gchar *data, gsize length)
{
	while (length > 0) {
		ssize_t done = write(fd, data, length);
		if (done < 0 && errno == EINTR)
			continue;
		if (done < 0)
			return FALSE;
		data += done;
		length -= done;
	}
	return TRUE;
}

/* A streamed copy of @in (never the whole image in memory), mode 0644
 * whatever the source's: the tree is for everyone to read. */
static gboolean
copy_from(int in, const gchar *source, const gchar *dest, GError **error)
{
	int out = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	g_autofree gchar *buffer = NULL;
	int saved = 0;

	if (out < 0) {
		saved = errno;
	} else if (lseek(in, 0, SEEK_SET) != 0) {
		saved = errno;
	} else {
		ssize_t got;
		/* copy_file_range first (a server-side copy on NFS), read/write
		 * where the filesystems do not support it. */
		while ((got = copy_file_range(in, NULL, out, NULL, 1 << 30, 0)) > 0)
			;
		if (got < 0 &&
		    (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
			buffer = g_malloc(1 << 20);
			while ((got = read(in, buffer, 1 << 20)) > 0) {
				if (!write_all(out, buffer, got)) {
					got = -1;
					break;
				}
			}
		}
		if (got < 0)
			saved = errno != 0 ? errno : EIO;
	}
	if (out >= 0 && close(out) != 0 && saved == 0)
		saved = errno;
	if (saved != 0) {
		g_unlink(dest);
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved),
			    "cannot copy %s into the tree: %s", source, g_strerror(saved));
		return FALSE;
	}
	return TRUE;
}

/* Link, else reflink, else a streamed copy, all from the file @in that was
 * opened and checked: what was checked is what is staged. */
static gboolean
place_local_file(int in, const gchar *source, const gchar *dest, const gchar **method,
		 GError **error)
{
	g_autofree gchar *opened = g_strdup_printf("/proc/self/fd/%d", in);

	/* AT_SYMLINK_FOLLOW on /proc/self/fd links the opened file itself,
	 * never a link by the same name. */
	if (linkat(AT_FDCWD, opened, AT_FDCWD, dest, AT_SYMLINK_FOLLOW) == 0) {
		*method = "hard-linked";
		return TRUE;
	}
	if (errno != EXDEV && errno != EPERM && errno != EMLINK && errno != ENOENT) {
		g_set_error(error, SG_ERROR, SG_ERROR_TREE, "cannot link %s into the tree: %s",
			    source, g_strerror(errno));
		return FALSE;
	}
	if (reflink(in, dest)) {
		*method = "reflinked";
		return TRUE;
	}
	if (!copy_from(in, source, dest, error))
		return FALSE;
	*method = "copied";
	return TRUE;
}

static gboolean
is_iso9660(const gchar *path, const gchar *url, GError **error)
{
	int fd = sg_files_open_regular(path, SG_FILES_NOFOLLOW, error);
	gboolean ok = fd >= 0 && sg_image_check_iso9660(fd, url, error);

	if (fd >= 0)
		close(fd);
	return ok;
}

/* Downloads into a cache keyed by the URL, so a killed download resumes. */
static gboolean
place_download(const gchar *tree, const gchar *url, const gchar *dest, const gchar *ca_file,
	       const gchar *keyring, GCancellable *cancellable, gchar **sha256, GError **error)
{
	g_autofree gchar *key = g_compute_checksum_for_string(G_CHECKSUM_SHA256, url, -1);
	g_autofree gchar *cache_dir =
		g_build_filename(tree, SG_TREE_STATE_DIR, "downloads", key, NULL);
	g_autofree gchar *name = g_path_get_basename(url);
	g_autofree gchar *cached = g_build_filename(cache_dir, name, NULL);
	SgFetchOptions options = {.ca_file = ca_file, .keyring = keyring};

	*sha256 = sg_fetch_published_sha256(url, &options, error);
	if (*sha256 == NULL)
		return FALSE;
	if (!sg_files_make_real_folder(cache_dir, error))
		return FALSE;
	if (!sg_fetch_file(url, cached, &options, cancellable, error))
		return FALSE;
	if (!sg_fetch_verify_sha256(cached, *sha256, error) || !is_iso9660(cached, url, error)) {
		/* A bad download must not be resumed from: start afresh next time. */
		g_unlink(cached);
		g_rmdir(cache_dir);
		return FALSE;
	}
	if (rename(cached, dest) != 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_TREE, "cannot move %s into the tree: %s",
			    cached, g_strerror(errno));
		return FALSE;
	}
	g_rmdir(cache_dir);
	return TRUE;
}

/* A file name has at most NAME_MAX (255) bytes; the longest the image's
 * name makes is its OVERSIZED marker. */
#define IMAGE_NAME_MAX (255 - (gint)strlen(".OVERSIZED"))

static gboolean
check_names(const SgStageOptions *o, GError **error)
{
	gsize length;

	if (!sg_tree_check_name("flavour", o->flavour, error) ||
	    !sg_tree_check_name("series", o->series, error) ||
	    !sg_tree_check_name("arch", o->arch, error) ||
	    !sg_tree_check_name("image type", o->image_type, error) ||
	    !sg_tree_check_name("publish type", o->publish_type, error))
		return FALSE;
	/* SERIES-PUBLISH_TYPE-ARCH, each name within its own limit. */
	length = strlen(o->series) + strlen(o->publish_type) + strlen(o->arch) + 2;
	if (length > IMAGE_NAME_MAX) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "the image name SERIES-PUBLISH_TYPE-ARCH would be %" G_GSIZE_FORMAT
			    " characters long, and it may have at most %d (a file name's limit)",
			    length, IMAGE_NAME_MAX);
		return FALSE;
	}
	return TRUE;
}

/* The URL names a file (what the download is saved as, and looked up in
 * its SHA256SUMS by): http://host/ or http://host/dir/ does not. */
static gboolean
check_url(const gchar *url, GError **error)
{
	g_autoptr(GUri) uri = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);
	const gchar *path = uri != NULL ? g_uri_get_path(uri) : NULL;
	g_autofree gchar *name = path != NULL && path[0] != '\0' ? g_path_get_basename(path) : NULL;

	if (uri == NULL || g_uri_get_host(uri) == NULL || name == NULL ||
	    g_str_has_suffix(path, "/") || !sg_tree_check_name("the URL's file name", name, NULL)) {
		g_autofree gchar *shown = sg_curl_redact_url(url);
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "%s names no image file (http[s]://HOST/PATH/NAME.iso)", shown);
		return FALSE;
	}
	return TRUE;
}

/* A file an option or the tree's config names (--ca-file, Keyring=), when
 * it names one, can be read: found now, not after a download (curl reads
 * the CA file only at its first https request), and a download is never
 * taken unchecked because the keyring went missing. */
static gboolean
check_readable(const gchar *path, const gchar *what, GError **error)
{
	g_autoptr(GError) open_error = NULL;
	int fd;

	if (path == NULL)
		return TRUE;
	fd = sg_files_open_regular(path, SG_FILES_FOLLOW, &open_error);
	if (fd < 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s %s", what, open_error->message);
		return FALSE;
	}
	close(fd);
	return TRUE;
}

/* Puts the image, its SHA256SUMS and its OVERSIZED marker in @staging. */
static gboolean
fill_staging(SgPublisher *publisher, const SgStageOptions *options, int source_fd,
	     guint64 profile_limit, const gchar *staging, const gchar *prefix,
	     SgBuildRecord *record, const gchar **method, GCancellable *cancellable, GError **error)
{
	g_autofree gchar *image_path = g_build_filename(staging, record->image, NULL);
	g_autofree gchar *sums = g_build_filename(staging, "SHA256SUMS", NULL);
	g_autofree gchar *line = NULL;
	guint64 limit;

	if (is_url(options->source)) {
		GStatBuf st;
		*method = "downloaded";
		if (!place_download(publisher->tree, options->source, image_path, options->ca_file,
				    publisher->config->keyring, cancellable, &record->sha256,
				    error))
			return FALSE;
		if (g_stat(image_path, &st) == 0)
			record->size = st.st_size;
	} else if (!place_local_file(source_fd, options->source, image_path, method, error) ||
		   !sg_image_checksum(image_path, &record->sha256, &record->size, error)) {
		return FALSE;
	}
	sg_files_sync(image_path, NULL);
	line = g_strdup_printf("%s *%s\n", record->sha256, record->image);
	if (!sg_files_write_durably(sums, line, -1, error))
		return FALSE;
	limit = sg_tree_config_size_limit(publisher->config, options->flavour, profile_limit);
	if (limit > 0 && record->size > limit) {
		g_autofree gchar *marker = g_strdup_printf("%s/%s.OVERSIZED", staging, prefix);
		record->oversized = TRUE;
		if (!sg_files_write_durably(marker, "", -1, error))
			return FALSE;
	}
	return TRUE;
}

/* Gives the staged build its id and moves `pending` to it. */
static gchar *
publish_staging(SgPublisher *publisher, const SgStageOptions *options, const gchar *staging,
		SgBuildRecord *record, const gchar *method, GError **error)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autofree gchar *type_dir =
		sg_publisher_type_dir(publisher, options->flavour, options->image_type);
	g_autoptr(SgLock) lock = NULL;
	g_autoptr(SgTreeModel) tree = NULL;
	g_autofree gchar *build_id = NULL;
	g_autofree gchar *final_dir = NULL;
	g_autofree gchar *note = NULL;

	if (g_mkdir_with_parents(type_dir, 0755) != 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_TREE, "cannot create %s: %s", type_dir,
			    g_strerror(errno));
		return NULL;
	}
	lock = sg_publisher_lock_tree(publisher, "stage", error);
	if (lock == NULL)
		return NULL;
	tree = sg_tree_model_read(publisher->tree);
	build_id = sg_tree_type_next_build_id(
		sg_tree_model_find_type(tree, options->flavour, options->image_type), now);
	record->respin = strchr(build_id, '.') != NULL;
	note = g_strdup_printf("%s %s (%" G_GUINT64_FORMAT " bytes)", method, options->source,
			       record->size);
	sg_build_record_add_event(record, "staged", note);
	if (!sg_build_record_save(record, error))
		return NULL;
	sg_files_sync(staging, NULL);
	/* The build appears under its final name complete, or not at all. */
	final_dir = g_build_filename(type_dir, build_id, NULL);
	if (rename(staging, final_dir) != 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_TREE, "cannot move the build to %s: %s",
			    final_dir, g_strerror(errno));
		return NULL;
	}
	sg_files_sync(type_dir, NULL);
	if (!sg_tree_type_point(
		    sg_tree_model_add_build(tree, options->flavour, options->image_type, build_id),
		    SG_TREE_PENDING, build_id, error))
		return NULL;
	sg_publisher_notify(publisher, "staged", options->flavour, options->image_type, build_id,
			    note);
	if (record->respin)
		sg_publisher_notify(publisher, "respin", options->flavour, options->image_type,
				    build_id, "a respin of the day's build");
	if (record->oversized)
		sg_publisher_notify(publisher, "oversized", options->flavour, options->image_type,
				    build_id, OVERSIZE_NOTE);
	sg_publisher_write_page(publisher, tree);
	return g_build_filename(options->flavour, options->image_type, build_id, NULL);
}

static gchar *
stage_from(const SgStageOptions *options, int source_fd, guint64 profile_limit,
	   GCancellable *cancellable, GError **error)
{
	g_autoptr(SgPublisher) publisher = NULL;
	g_autoptr(SgBuildRecord) record = NULL;
	g_autofree gchar *prefix = NULL;
	g_autofree gchar *staging_base = NULL;
	g_autofree gchar *staging = NULL;
	g_autofree gchar *build = NULL;
	const gchar *method = NULL;
	int staging_fd;

	publisher = sg_publisher_open(options->tree, error);
	if (publisher == NULL)
		return NULL;
	prefix = g_strdup_printf("%s-%s-%s", options->series, options->publish_type, options->arch);
	/* Staged next to the tree (same filesystem: links and renames work),
	 * out of the mirrored folders. */
	if (is_url(options->source) &&
	    !check_readable(publisher->config->keyring, "[Tree] Keyring=", error))
		return NULL;
	staging_base =
		g_build_filename(publisher->tree, SG_TREE_STATE_DIR, SG_TREE_STAGING_DIR, NULL);
	if (!sg_files_make_real_folder(staging_base, error)) {
		sg_tree_error_claim(error);
		return NULL;
	}
	staging = g_build_filename(staging_base, "build-XXXXXX", NULL);
	if (g_mkdtemp_full(staging, 0755) == NULL) {
		g_set_error(error, SG_ERROR, SG_ERROR_TREE, "cannot create %s: %s", staging,
			    g_strerror(errno));
		return NULL;
	}
	/* Held until this process ends: what tells a live staging folder from
	 * one a killed stage left (sg_publisher_remove_stale_staging). */
	staging_fd = open(staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (staging_fd < 0 || flock(staging_fd, LOCK_EX | LOCK_NB) != 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_TREE, "cannot hold %s: %s", staging,
			    g_strerror(errno));
		if (staging_fd >= 0)
			close(staging_fd);
		sg_files_remove_tree(staging);
		return NULL;
	}
	record = sg_build_record_new(staging);
	record->image = g_strdup_printf("%s.iso", prefix);
	if (fill_staging(publisher, options, source_fd, profile_limit, staging, prefix, record,
			 &method, cancellable, error))
		build = publish_staging(publisher, options, staging, record, method, error);
	if (build == NULL)
		sg_files_remove_tree(staging);
	close(staging_fd);
	if (build == NULL) {
		/* Someone may be serving forged images: the trackers hear of it. */
		if (error != NULL && g_error_matches(*error, SG_ERROR, SG_ERROR_SIGNATURE)) {
			sg_publisher_notify(publisher, "bad-signature", options->flavour,
					    options->image_type, NULL, (*error)->message);
			sg_publisher_deliver(publisher);
		}
		/* A copy or a write that failed (a full filesystem) is the
		 * tree's trouble, exit 74, not the lab's. */
		sg_tree_error_claim(error);
		return NULL;
	}
	sg_publisher_deliver(publisher);
	/* Staged, but the page or a notice was not written: the tree's
	 * trouble (74), as for gate. */
	if (publisher->error != NULL) {
		g_set_error(error, SG_ERROR, SG_ERROR_TREE, "staged %s, but %s", build,
			    publisher->error->message);
		return NULL;
	}
	return g_steal_pointer(&build);
}

gchar *
sg_stage(const SgStageOptions *options, GCancellable *cancellable, GError **error)
{
	int source_fd = -1;
	guint64 profile_limit = 0;
	gchar *build;

	if (!check_names(options, error) ||
	    (is_url(options->source) && !check_url(options->source, error)) ||
	    !check_readable(options->ca_file, "--ca-file", error) ||
	    !profile_size_limit(options->flavour, options->flavours_dir, &profile_limit, error))
		return NULL;
	if (!is_url(options->source)) {
		source_fd = open_source_image(options->source, error);
		if (source_fd < 0)
			return NULL;
	}
	build = stage_from(options, source_fd, profile_limit, cancellable, error);
	if (source_fd >= 0)
		close(source_fd);
	return build;
}
