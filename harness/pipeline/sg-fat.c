#include "sg-fat.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sg-error.h"

#define DIR_ENTRY 32
#define ATTR_VOLUME 0x08
#define ATTR_DIRECTORY 0x10
#define ATTR_LFN 0x0f

struct _SgFat {
	/* Where the file system is: in memory (GRUB's memdisk), or a range of
	 * a file (the EFI El Torito image of an ISO, read where it lies: a
	 * copy of it would be megabytes held for a few files). */
	GBytes *image;
	int fd;
	goffset file_offset;
	gsize len;
	gchar *what;
	guint bytes_per_sector;
	guint sectors_per_cluster;
	guint bits;    /* 12, 16 or 32 */
	guint8 *table; /* the first FAT, as much of it as the clusters use */
	gsize table_len;
	guint8 *root; /* FAT12/16: the fixed root folder */
	gsize root_len;
	guint32 root_cluster; /* FAT32 */
	gsize data_offset;
	guint32 clusters;
};

typedef struct {
	gchar *name; /* the long name, else the 8.3 name as its case flags say */
	gchar *short_name;
	guint8 attr;
	guint32 cluster;
	guint32 size;
} Entry;

static void
entry_clear(Entry *entry)
{
	g_free(entry->name);
	g_free(entry->short_name);
}

void
sg_fat_free(SgFat *fat)
{
	if (fat == NULL)
		return;
	if (fat->image != NULL)
		g_bytes_unref(fat->image);
	if (fat->fd >= 0)
		close(fat->fd);
	g_free(fat->table);
	g_free(fat->root);
	g_free(fat->what);
	g_free(fat);
}

static guint
le16(const guint8 *p)
{
	return p[0] | (guint)p[1] << 8;
}

static guint32
le32(const guint8 *p)
{
	return p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

/* @len bytes of the file system from @offset into @out; a range past its
 * end, or a file cut short under it, is SG_ERROR_IMAGE. */
static gboolean
read_at(SgFat *fat, gsize offset, gsize len, guint8 *out, GError **error)
{
	gsize done = 0;

	if (len == 0) /* FAT32's fixed root folder: none */
		return TRUE;
	if (offset > fat->len || len > fat->len - offset) {
		g_set_error(error, SG_ERROR, SG_ERROR_IMAGE,
			    "%s is cut short: %zu bytes at %zu are past its end", fat->what, len,
			    offset);
		return FALSE;
	}
	if (fat->image != NULL) {
		memcpy(out, (const guint8 *)g_bytes_get_data(fat->image, NULL) + offset, len);
		return TRUE;
	}
	while (done < len) {
		ssize_t got = pread(fat->fd, out + done, len - done,
				    fat->file_offset + (goffset)(offset + done));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			g_set_error(error, SG_ERROR, SG_ERROR_IMAGE, "cannot read %s: %s",
				    fat->what,
				    got < 0 ? g_strerror(errno) : "the file is cut short");
			return FALSE;
		}
		done += (gsize)got;
	}
	return TRUE;
}

/* Reads the BIOS parameter block, the table and the fixed root folder. */
static gboolean
read_layout(SgFat *fat, GError **error)
{
	guint8 b[512];
	const gchar *what = fat->what;
	guint reserved, fats, root_entries;
	guint64 total, fat_size, root_sectors, data_sector, root_offset;

	if (fat->len < 512) {
		g_set_error(error, SG_ERROR, SG_ERROR_IMAGE,
			    "%s is not a FAT file system: %zu bytes", what, fat->len);
		return FALSE;
	}
	if (!read_at(fat, 0, sizeof(b), b, error))
		return FALSE;
	fat->bytes_per_sector = le16(b + 11);
	fat->sectors_per_cluster = b[13];
	reserved = le16(b + 14);
	fats = b[16];
	root_entries = le16(b + 17);
	total = le16(b + 19) != 0 ? le16(b + 19) : le32(b + 32);
	fat_size = le16(b + 22) != 0 ? le16(b + 22) : le32(b + 36);
	/* The BIOS parameter block's own limits: anything else is not FAT. */
	if ((fat->bytes_per_sector & (fat->bytes_per_sector - 1)) != 0 ||
	    fat->bytes_per_sector < 512 || fat->bytes_per_sector > 4096 ||
	    fat->sectors_per_cluster == 0 ||
	    (fat->sectors_per_cluster & (fat->sectors_per_cluster - 1)) != 0 || reserved == 0 ||
	    fats == 0 || fat_size == 0 || total == 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_IMAGE,
			    "%s is not a FAT file system: no valid BIOS parameter block", what);
		return FALSE;
	}
	root_sectors = ((guint64)root_entries * DIR_ENTRY + fat->bytes_per_sector - 1) /
		       fat->bytes_per_sector;
	data_sector = reserved + fats * fat_size + root_sectors;
	if (data_sector >= total || total * fat->bytes_per_sector > fat->len) {
		g_set_error(error, SG_ERROR, SG_ERROR_IMAGE,
			    "%s is cut short: its FAT file system has %" G_GUINT64_FORMAT
			    " bytes, the image %zu",
			    what, total * fat->bytes_per_sector, fat->len);
		return FALSE;
	}
	fat->clusters = (guint32)((total - data_sector) / fat->sectors_per_cluster);
	/* Microsoft's rule: the count of clusters alone decides the FAT type. */
	fat->bits = fat->clusters < 4085 ? 12 : fat->clusters < 65525 ? 16 : 32;
	root_offset = (reserved + fats * fat_size) * fat->bytes_per_sector;
	fat->root_len = (gsize)root_sectors * fat->bytes_per_sector;
	fat->data_offset = (gsize)data_sector * fat->bytes_per_sector;
	fat->root_cluster = fat->bits == 32 ? le32(b + 44) : 0;
	/* What the clusters' entries take, and the byte a FAT12 entry reads past. */
	fat->table_len = (gsize)(((guint64)fat->clusters + 2) * fat->bits / 8 + 2);
	if (fat_size * fat->bytes_per_sector < fat->table_len - 1) {
		g_set_error(error, SG_ERROR, SG_ERROR_IMAGE,
			    "%s is not a FAT file system: its table is too small for its clusters",
			    what);
		return FALSE;
	}
	if (fat->bits == 32 && root_entries != 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_IMAGE,
			    "%s is not a FAT file system: FAT32 with a fixed root folder", what);
		return FALSE;
	}
	fat->table_len = MIN(fat->table_len, (gsize)(fat_size * fat->bytes_per_sector));
	/* What follows the file system is not part of it. */
	fat->len = (gsize)(total * fat->bytes_per_sector);
	fat->table = g_malloc0(fat->table_len + 1);
	fat->root = g_malloc0(fat->root_len);
	return read_at(fat, (gsize)reserved * fat->bytes_per_sector, fat->table_len, fat->table,
		       error) &&
	       read_at(fat, (gsize)root_offset, fat->root_len, fat->root, error);
}

SgFat *
sg_fat_new(GBytes *image, const gchar *what, GError **error)
{
	g_autoptr(SgFat) fat = g_new0(SgFat, 1);

	fat->fd = -1;
	fat->image = g_bytes_ref(image);
	fat->len = g_bytes_get_size(image);
	fat->what = g_strdup(what);
	if (!read_layout(fat, error))
		return NULL;
	return g_steal_pointer(&fat);
}

SgFat *
sg_fat_open_file(const gchar *path, goffset offset, gsize max_len, const gchar *what,
		 GError **error)
{
	g_autoptr(SgFat) fat = g_new0(SgFat, 1);
	struct stat info;

	fat->what = g_strdup(what);
	fat->file_offset = offset;
	fat->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fat->fd < 0 || fstat(fat->fd, &info) < 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot read %s: %s", path,
			    g_strerror(errno));
		return NULL;
	}
	if (info.st_size <= offset) {
		g_set_error(error, SG_ERROR, SG_ERROR_IMAGE, "%s lies past the end of %s", what,
			    path);
		return NULL;
	}
	/* Its own BIOS parameter block says how long it is; a short file
	 * gives a short file system, which the checks refuse. */
	fat->len = MIN(max_len, (gsize)(info.st_size - offset));
	if (!read_layout(fat, error))
		return NULL;
	return g_steal_pointer(&fat);
}

/* The FAT's entry for @cluster (one inside the file system); 0xffffffff
 * for the end of a chain. */
static guint32
next_cluster(SgFat *fat, guint32 cluster)
{
	gsize at;
	guint32 value;

	if (fat->bits == 12) {
		at = (gsize)cluster + cluster / 2;
		if (at + 2 > fat->table_len)
			return 0xffffffff;
		value = le16(fat->table + at);
		value = (cluster & 1) ? value >> 4 : value & 0xfff;
		return value >= 0xff8 ? 0xffffffff : value;
	}
	if (fat->bits == 16) {
		at = (gsize)cluster * 2;
		if (at + 2 > fat->table_len)
			return 0xffffffff;
		value = le16(fat->table + at);
		return value >= 0xfff8 ? 0xffffffff : value;
	}
	at = (gsize)cluster * 4;
	if (at + 4 > fat->table_len)
		return 0xffffffff;
	value = le32(fat->table + at) & 0x0fffffff;
	return value >= 0x0ffffff8 ? 0xffffffff : value;
}

/* The bytes of the chain starting at @cluster, at most @limit of them. A
 * chain that leaves the file system or runs in a loop is SG_ERROR_IMAGE. */
static GByteArray *
read_chain(SgFat *fat, guint32 cluster, gsize limit, GError **error)
{
	/* A file's size is known: its bytes are allocated once. */
	g_autoptr(GByteArray) out = g_byte_array_sized_new((guint)MIN(limit, fat->len));
	gsize cluster_len = (gsize)fat->sectors_per_cluster * fat->bytes_per_sector;
	/* A chain that comes back to a cluster is a loop, not a file. */
	g_autofree guint8 *seen = g_malloc0(((gsize)fat->clusters + 2) / 8 + 1);

	while (cluster != 0xffffffff && out->len < limit) {
		gsize at = fat->data_offset + (gsize)(cluster - 2) * cluster_len;
		gsize part = MIN(cluster_len, limit - out->len);
		gsize end = out->len;

		if (cluster < 2 || cluster >= fat->clusters + 2 ||
		    (seen[cluster / 8] & (1u << (cluster % 8))) != 0 ||
		    at + cluster_len > fat->len) {
			g_set_error(error, SG_ERROR, SG_ERROR_IMAGE,
				    "%s has a broken cluster chain (cluster %u)", fat->what,
				    cluster);
			return NULL;
		}
		seen[cluster / 8] |= (guint8)(1u << (cluster % 8));
		g_byte_array_set_size(out, (guint)(end + part));
		if (!read_at(fat, at, part, out->data + end, error))
			return NULL;
		cluster = next_cluster(fat, cluster);
	}
	return g_steal_pointer(&out);
}

static gchar *
short_name(const guint8 *raw)
{
	GString *name = g_string_new(NULL);
	gboolean lower_base = (raw[12] & 0x08) != 0, lower_ext = (raw[12] & 0x10) != 0;
	gint end;

	for (end = 8; end > 0 && raw[end - 1] == ' '; end--)
		;
	for (gint i = 0; i < end; i++) {
		guint8 c = (i == 0 && raw[0] == 0x05) ? 0xe5 : raw[i];
		g_string_append_c(name, lower_base ? g_ascii_tolower(c) : c);
	}
	for (end = 11; end > 8 && raw[end - 1] == ' '; end--)
		;
	if (end > 8)
		g_string_append_c(name, '.');
	for (gint i = 8; i < end; i++)
		g_string_append_c(name, lower_ext ? g_ascii_tolower(raw[i]) : raw[i]);
	return g_string_free(name, FALSE);
}

static guint8
short_checksum(const guint8 *raw)
{
	guint8 sum = 0;
	for (gint i = 0; i < 11; i++)
		sum = (guint8)(((sum & 1) << 7) + (sum >> 1) + raw[i]);
	return sum;
}

/* Appends the 13 UCS-2 characters of a long-name entry, in order. */
static void
lfn_chars(const guint8 *raw, gunichar2 *out)
{
	static const guint8 at[13] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};
	for (guint i = 0; i < 13; i++)
		out[i] = (gunichar2)le16(raw + at[i]);
}

/* The entries of a folder's bytes, in order. */
static GArray *
parse_folder(const guint8 *data, gsize len)
{
	GArray *entries = g_array_new(FALSE, TRUE, sizeof(Entry));
	gunichar2 lfn[20 * 13 + 1];
	gint lfn_parts = 0;
	guint8 lfn_sum = 0;

	g_array_set_clear_func(entries, (GDestroyNotify)entry_clear);
	for (gsize at = 0; at + DIR_ENTRY <= len; at += DIR_ENTRY) {
		const guint8 *raw = data + at;
		Entry entry = {0};

		if (raw[0] == 0)
			break;
		if (raw[0] == 0xe5) {
			lfn_parts = 0;
			continue;
		}
		if ((raw[11] & 0x3f) == ATTR_LFN) {
			guint ord = raw[0] & 0x1f;
			if ((raw[0] & 0x40) != 0) {
				lfn_parts = (gint)ord;
				lfn_sum = raw[13];
				memset(lfn, 0, sizeof(lfn));
			}
			if (ord == 0 || ord > 20 || lfn_parts == 0 || raw[13] != lfn_sum) {
				lfn_parts = 0;
				continue;
			}
			lfn_chars(raw, lfn + (ord - 1) * 13);
			continue;
		}
		if ((raw[11] & ATTR_VOLUME) != 0) {
			lfn_parts = 0;
			continue;
		}
		entry.short_name = short_name(raw);
		entry.attr = raw[11];
		entry.cluster = (guint32)le16(raw + 20) << 16 | le16(raw + 26);
		entry.size = le32(raw + 28);
		if (lfn_parts > 0 && lfn_sum == short_checksum(raw)) {
			glong n = 0;
			while (n < lfn_parts * 13 && lfn[n] != 0 && lfn[n] != 0xffff)
				n++;
			entry.name = g_utf16_to_utf8(lfn, n, NULL, NULL, NULL);
		}
		if (entry.name == NULL)
			entry.name = g_strdup(entry.short_name);
		lfn_parts = 0;
		g_array_append_val(entries, entry);
	}
	return entries;
}

static GArray *
read_folder(SgFat *fat, const Entry *folder, GError **error)
{
	g_autoptr(GByteArray) bytes = NULL;

	if (folder == NULL) { /* the root */
		if (fat->bits != 32)
			return parse_folder(fat->root, fat->root_len);
		bytes = read_chain(fat, fat->root_cluster, fat->len, error);
	} else {
		/* A cluster of 0 in ".." means the root. */
		if (folder->cluster == 0)
			return read_folder(fat, NULL, error);
		bytes = read_chain(fat, folder->cluster, fat->len, error);
	}
	if (bytes == NULL)
		return NULL;
	return parse_folder(bytes->data, bytes->len);
}

static gboolean
name_matches(const Entry *entry, const gchar *name)
{
	return g_ascii_strcasecmp(entry->name, name) == 0 ||
	       g_ascii_strcasecmp(entry->short_name, name) == 0;
}

/* Walks @path; fills @found (its entry), or leaves found->name NULL for the
 * root. FALSE with G_IO_ERROR_NOT_FOUND when a part is missing. */
static gboolean
lookup(SgFat *fat, const gchar *path, Entry *found, GError **error)
{
	g_auto(GStrv) parts = g_strsplit(path, "/", -1);
	Entry current = {0};

	for (guint i = 0; parts[i] != NULL; i++) {
		g_autoptr(GArray) entries = NULL;
		gboolean matched = FALSE;

		if (parts[i][0] == '\0' || g_str_equal(parts[i], "."))
			continue;
		if (current.name != NULL && (current.attr & ATTR_DIRECTORY) == 0) {
			entry_clear(&current);
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s has no %s",
				    fat->what, path);
			return FALSE;
		}
		entries = read_folder(fat, current.name != NULL ? &current : NULL, error);
		entry_clear(&current);
		memset(&current, 0, sizeof(current));
		if (entries == NULL)
			return FALSE;
		for (guint e = 0; e < entries->len; e++) {
			Entry *entry = &g_array_index(entries, Entry, e);
			if (!name_matches(entry, parts[i]))
				continue;
			current = *entry;
			current.name = g_strdup(entry->name);
			current.short_name = g_strdup(entry->short_name);
			matched = TRUE;
			break;
		}
		if (!matched) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s has no %s",
				    fat->what, path);
			return FALSE;
		}
	}
	*found = current;
	return TRUE;
}

GBytes *
sg_fat_read(SgFat *fat, const gchar *path, GError **error)
{
	Entry entry = {0};
	g_autoptr(GByteArray) bytes = NULL;

	if (!lookup(fat, path, &entry, error))
		return NULL;
	if (entry.name == NULL || (entry.attr & ATTR_DIRECTORY) != 0) {
		entry_clear(&entry);
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s: %s is a folder",
			    fat->what, path);
		return NULL;
	}
	if (entry.size == 0) {
		entry_clear(&entry);
		return g_bytes_new(NULL, 0);
	}
	bytes = read_chain(fat, entry.cluster, entry.size, error);
	if (bytes != NULL && bytes->len < entry.size) {
		g_set_error(error, SG_ERROR, SG_ERROR_IMAGE, "%s: %s is cut short (%u of %u bytes)",
			    fat->what, path, bytes->len, entry.size);
		g_clear_pointer(&bytes, g_byte_array_unref);
	}
	entry_clear(&entry);
	if (bytes == NULL)
		return NULL;
	return g_byte_array_free_to_bytes(g_steal_pointer(&bytes));
}

gboolean
sg_fat_exists(SgFat *fat, const gchar *path)
{
	Entry entry = {0};
	if (!lookup(fat, path, &entry, NULL))
		return FALSE;
	entry_clear(&entry);
	return TRUE;
}

GStrv
sg_fat_list(SgFat *fat, const gchar *path)
{
	Entry entry = {0};
	g_autoptr(GArray) entries = NULL;
	g_autoptr(GStrvBuilder) names = g_strv_builder_new();

	if (!lookup(fat, path, &entry, NULL))
		return NULL;
	if (entry.name != NULL && (entry.attr & ATTR_DIRECTORY) == 0) {
		entry_clear(&entry);
		return NULL;
	}
	entries = read_folder(fat, entry.name != NULL ? &entry : NULL, NULL);
	entry_clear(&entry);
	if (entries == NULL)
		return NULL;
	for (guint i = 0; i < entries->len; i++) {
		const Entry *e = &g_array_index(entries, Entry, i);
		if (!g_str_equal(e->name, ".") && !g_str_equal(e->name, ".."))
			g_strv_builder_add(names, e->name);
	}
	return g_strv_builder_end(names);
}
