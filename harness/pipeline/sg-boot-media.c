#include "sg-boot-media.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <unistd.h>

#include "sg-archive.h"
#include "sg-error.h"

/* Config files are kept from the listing pass: bootloaders read many of
 * them, and each other read is a pass over the ISO's directory. */
#define KEPT_MAX (256 * 1024)

struct _SgBootMedia {
	gchar *iso;
	/* "/path" -> its entry: size, folder or not, and contents once read */
	GHashTable *files;
	GHashTable *folded; /* casefolded "/path" -> "/path" */
	GHashTable *fats;   /* device -> SgFat */
	GHashTable *tars;   /* device -> GHashTable "/path" -> GBytes */
	gchar *volume_id;
	gchar *uuid;
};

typedef struct {
	gboolean folder;
	gint64 size;
	GBytes *contents;
} IsoFile;

static void
iso_file_free(IsoFile *file)
{
	if (file->contents != NULL)
		g_bytes_unref(file->contents);
	g_free(file);
}

void
sg_boot_media_free(SgBootMedia *media)
{
	if (media == NULL)
		return;
	g_free(media->iso);
	g_hash_table_unref(media->files);
	g_hash_table_unref(media->folded);
	g_hash_table_unref(media->fats);
	g_hash_table_unref(media->tars);
	g_free(media->volume_id);
	g_free(media->uuid);
	g_free(media);
}

/* "./boot/grub/" -> "/boot/grub" */
static gchar *
absolute(const gchar *name)
{
	g_autofree gchar *path = NULL;
	gsize len;

	while (name[0] == '.' && name[1] == '/')
		name += 2;
	while (name[0] == '/')
		name++;
	path = g_strconcat("/", name, NULL);
	len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		path[--len] = '\0';
	return g_steal_pointer(&path);
}

static void
add_path(SgBootMedia *media, const gchar *path, gboolean folder, gint64 size, GBytes *contents)
{
	IsoFile *file = g_new0(IsoFile, 1);
	g_autofree gchar *parent = g_path_get_dirname(path);

	file->folder = folder;
	file->size = size;
	file->contents = contents;
	g_hash_table_replace(media->files, g_strdup(path), file);
	g_hash_table_replace(media->folded, g_utf8_casefold(path, -1), g_strdup(path));
	/* Folders are not always listed before what they hold. */
	if (!g_str_equal(parent, path) && !g_hash_table_contains(media->files, parent))
		add_path(media, parent, TRUE, 0, NULL);
}

static gboolean
worth_keeping(const gchar *path, gint64 size)
{
	return size <= KEPT_MAX &&
	       (g_str_has_suffix(path, ".cfg") || g_str_has_suffix(path, ".conf") ||
		g_str_has_prefix(path, "/.disk/"));
}

static GBytes *
read_data(struct archive *archive, const gchar *path, gint64 size, GError **error)
{
	g_autofree gchar *buffer = g_malloc((gsize)size + 1);
	gsize done = 0;

	/* archive_read_data() may return less than asked: read until done. */
	while (done < (gsize)size) {
		la_ssize_t got = archive_read_data(archive, buffer + done, (size_t)size - done);
		if (got <= 0) {
			sg_archive_set_error(error, SG_ERROR_IMAGE, archive,
					     "cannot read %s from the image", path);
			return NULL;
		}
		done += (gsize)got;
	}
	return g_bytes_new_take(g_steal_pointer(&buffer), (gsize)size);
}

/* The primary volume descriptor: the volume id, and the creation time
 * GRUB's iso9660 driver gives as the file system's UUID. */
static void
read_volume_descriptor(SgBootMedia *media)
{
	guchar pvd[2048];
	int fd = open(media->iso, O_RDONLY | O_CLOEXEC);
	ssize_t got;
	const guchar *t = pvd + 813;

	if (fd < 0)
		return;
	got = pread(fd, pvd, sizeof(pvd), 16 * 2048);
	close(fd);
	if (got != (ssize_t)sizeof(pvd) || pvd[0] != 1 || memcmp(pvd + 1, "CD001", 5) != 0)
		return;
	media->volume_id = g_strchomp(g_strndup((const gchar *)pvd + 40, 32));
	for (guint i = 0; i < 16; i++)
		if (!g_ascii_isdigit(t[i]))
			return;
	media->uuid = g_strdup_printf("%.4s-%.2s-%.2s-%.2s-%.2s-%.2s-%.2s", t, t + 4, t + 6, t + 8,
				      t + 10, t + 12, t + 14);
}

SgBootMedia *
sg_boot_media_open(const gchar *iso, GError **error)
{
	g_autoptr(SgBootMedia) media = g_new0(SgBootMedia, 1);
	g_autoptr(SgArchive) archive = sg_archive_open_iso(iso, error);
	struct archive_entry *entry;
	int status;

	if (archive == NULL)
		return NULL;
	media->iso = g_strdup(iso);
	media->files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					     (GDestroyNotify)iso_file_free);
	media->folded = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	media->fats =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)sg_fat_free);
	media->tars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					    (GDestroyNotify)g_hash_table_unref);
	read_volume_descriptor(media);
	add_path(media, "/", TRUE, 0, NULL);
	while ((status = archive_read_next_header(archive, &entry)) == ARCHIVE_OK) {
		g_autofree gchar *path = absolute(archive_entry_pathname(entry));
		gboolean folder = archive_entry_filetype(entry) == AE_IFDIR;
		gint64 size = archive_entry_size(entry);
		GBytes *contents = NULL;

		if (!folder && worth_keeping(path, size)) {
			contents = read_data(archive, path, size, error);
			if (contents == NULL)
				return NULL;
		}
		add_path(media, path, folder, size, contents);
	}
	if (status != ARCHIVE_EOF) {
		sg_archive_set_error(error, SG_ERROR_IMAGE, archive,
				     "ISO 9660 image is unreadable");
		return NULL;
	}
	return g_steal_pointer(&media);
}

const gchar *
sg_boot_media_iso_path(SgBootMedia *media)
{
	return media->iso;
}

const gchar *
sg_boot_media_volume_id(SgBootMedia *media)
{
	return media->volume_id;
}

const gchar *
sg_boot_media_uuid(SgBootMedia *media)
{
	return media->uuid;
}

gboolean
sg_boot_media_add_tar(SgBootMedia *media, const gchar *device, GBytes *bytes)
{
	g_autoptr(SgArchive) archive = archive_read_new();
	g_autoptr(GHashTable) files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
							    (GDestroyNotify)g_bytes_unref);
	struct archive_entry *entry;
	gsize len;
	const void *data = g_bytes_get_data(bytes, &len);
	int status;

	archive_read_support_format_tar(archive);
	if (archive_read_open_memory(archive, data, len) != ARCHIVE_OK)
		return FALSE;
	while ((status = archive_read_next_header(archive, &entry)) == ARCHIVE_OK) {
		g_autofree gchar *path = absolute(archive_entry_pathname(entry));
		gint64 size = archive_entry_size(entry);
		GBytes *contents;
		if (archive_entry_filetype(entry) == AE_IFDIR) {
			g_hash_table_replace(files, g_steal_pointer(&path), NULL);
			continue;
		}
		if (size < 0 || (gsize)size > len)
			return FALSE;
		contents = read_data(archive, path, size, NULL);
		if (contents == NULL)
			return FALSE;
		g_hash_table_replace(files, g_steal_pointer(&path), contents);
	}
	if (status != ARCHIVE_EOF)
		return FALSE;
	g_hash_table_replace(media->tars, g_strdup(device), g_steal_pointer(&files));
	return TRUE;
}

/* A tar's folders are those listed and those its files sit in. */
static gboolean
tar_has(GHashTable *files, const gchar *path, gboolean *folder)
{
	GHashTableIter iter;
	gpointer key, value;
	g_autofree gchar *as_folder = g_strconcat(path, g_str_equal(path, "/") ? "" : "/", NULL);

	if (g_hash_table_lookup_extended(files, path, NULL, &value)) {
		*folder = value == NULL;
		return TRUE;
	}
	g_hash_table_iter_init(&iter, files);
	while (g_hash_table_iter_next(&iter, &key, NULL)) {
		if (g_str_has_prefix(key, as_folder)) {
			*folder = TRUE;
			return TRUE;
		}
	}
	return FALSE;
}

void
sg_boot_media_add_fat(SgBootMedia *media, const gchar *device, SgFat *fat)
{
	g_hash_table_replace(media->fats, g_strdup(device), fat);
}

static gchar *
find_iso(SgBootMedia *media, const gchar *path, gboolean any_case)
{
	g_autofree gchar *abs = absolute(path);
	g_autofree gchar *folded = NULL;
	const gchar *real;

	if (g_hash_table_contains(media->files, abs))
		return g_steal_pointer(&abs);
	if (!any_case)
		return NULL;
	folded = g_utf8_casefold(abs, -1);
	real = g_hash_table_lookup(media->folded, folded);
	return g_strdup(real);
}

gchar *
sg_boot_media_find(SgBootMedia *media, const gchar *device, const gchar *path, gboolean any_case)
{
	SgFat *fat;

	GHashTable *tar = g_hash_table_lookup(media->tars, device);
	gboolean folder;

	if (g_str_equal(device, SG_BOOT_DEVICE_ISO))
		return find_iso(media, path, any_case);
	if (tar != NULL) {
		g_autofree gchar *abs = absolute(path);
		return tar_has(tar, abs, &folder) ? g_steal_pointer(&abs) : NULL;
	}
	fat = g_hash_table_lookup(media->fats, device);
	if (fat == NULL || !sg_fat_exists(fat, path))
		return NULL;
	return absolute(path);
}

gboolean
sg_boot_media_is_folder(SgBootMedia *media, const gchar *device, const gchar *path)
{
	SgFat *fat;

	if (g_str_equal(device, SG_BOOT_DEVICE_ISO)) {
		g_autofree gchar *real = find_iso(media, path, FALSE);
		IsoFile *file = real != NULL ? g_hash_table_lookup(media->files, real) : NULL;
		return file != NULL && file->folder;
	}
	if (g_hash_table_contains(media->tars, device)) {
		g_autofree gchar *abs = absolute(path);
		gboolean folder = FALSE;
		return tar_has(g_hash_table_lookup(media->tars, device), abs, &folder) && folder;
	}
	fat = g_hash_table_lookup(media->fats, device);
	if (fat == NULL)
		return FALSE;
	g_auto(GStrv) names = sg_fat_list(fat, path);
	return names != NULL;
}

/* One more pass over the ISO for a file that was not kept. */
static GBytes *
read_iso_file(SgBootMedia *media, const gchar *path, gint64 size, GError **error)
{
	g_autoptr(SgArchive) archive = sg_archive_open_iso(media->iso, error);
	struct archive_entry *entry;
	int status;

	if (archive == NULL)
		return NULL;
	while ((status = archive_read_next_header(archive, &entry)) == ARCHIVE_OK) {
		g_autofree gchar *name = absolute(archive_entry_pathname(entry));
		if (g_str_equal(name, path))
			return read_data(archive, path, size, error);
	}
	sg_archive_set_error(error, SG_ERROR_IMAGE, archive, "cannot read %s from the image", path);
	return NULL;
}

GBytes *
sg_boot_media_read(SgBootMedia *media, const gchar *device, const gchar *path, gsize max,
		   GError **error)
{
	g_autofree gchar *real = NULL;
	IsoFile *file;
	SgFat *fat;

	if (g_hash_table_contains(media->tars, device)) {
		g_autofree gchar *abs = absolute(path);
		GBytes *contents =
			g_hash_table_lookup(g_hash_table_lookup(media->tars, device), abs);
		if (contents == NULL) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "(%s) has no file %s",
				    device, path);
			return NULL;
		}
		if (g_bytes_get_size(contents) > max) {
			g_set_error(error, SG_ERROR, SG_ERROR_IMAGE,
				    "(%s)%s is larger than %zu bytes", device, path, max);
			return NULL;
		}
		return g_bytes_ref(contents);
	}
	if (!g_str_equal(device, SG_BOOT_DEVICE_ISO)) {
		g_autoptr(GBytes) bytes = NULL;
		fat = g_hash_table_lookup(media->fats, device);
		if (fat == NULL) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no device (%s)",
				    device);
			return NULL;
		}
		bytes = sg_fat_read(fat, path, error);
		if (bytes != NULL && g_bytes_get_size(bytes) > max) {
			g_set_error(error, SG_ERROR, SG_ERROR_IMAGE,
				    "(%s)%s is larger than %zu bytes", device, path, max);
			return NULL;
		}
		return g_steal_pointer(&bytes);
	}
	real = find_iso(media, path, FALSE);
	file = real != NULL ? g_hash_table_lookup(media->files, real) : NULL;
	if (file == NULL || file->folder) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "the image has no file %s",
			    path);
		return NULL;
	}
	if (file->size < 0 || (guint64)file->size > max) {
		g_set_error(error, SG_ERROR, SG_ERROR_IMAGE, "%s is larger than %zu bytes", path,
			    max);
		return NULL;
	}
	if (file->contents == NULL) {
		file->contents = read_iso_file(media, real, file->size, error);
		if (file->contents == NULL)
			return NULL;
	}
	return g_bytes_ref(file->contents);
}
