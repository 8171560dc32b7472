#include "sg-el-torito.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "sg-error.h"

#define ISO_SECTOR 2048
#define FIRST_DESCRIPTOR 16
#define MAX_DESCRIPTORS 64
#define CATALOG_LEN (4 * ISO_SECTOR)
#define CATALOG_ENTRY 32

static guint32
le32(const guint8 *p)
{
	return p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

static gssize
read_at(int fd, guint8 *buffer, gsize len, goffset offset)
{
	gsize done = 0;
	while (done < len) {
		ssize_t got = pread(fd, buffer + done, len - done, offset + (goffset)done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0)
			break;
		done += (gsize)got;
	}
	return (gssize)done;
}

/* The catalog's sector from the boot record volume descriptor, 0 when the
 * ISO has none. */
static gboolean
find_catalog(int fd, const gchar *iso, guint32 *catalog, GError **error)
{
	guint8 sector[ISO_SECTOR];

	*catalog = 0;
	for (guint i = 0; i < MAX_DESCRIPTORS; i++) {
		gssize got = read_at(fd, sector, sizeof(sector),
				     (goffset)(FIRST_DESCRIPTOR + i) * ISO_SECTOR);
		if (got != (gssize)sizeof(sector) || memcmp(sector + 1, "CD001", 5) != 0) {
			g_set_error(error, SG_ERROR, SG_ERROR_IMAGE,
				    "%s is not an ISO 9660 image: its volume descriptors end "
				    "without a terminator",
				    iso);
			return FALSE;
		}
		if (sector[0] == 255)
			return TRUE;
		if (sector[0] == 0 && memcmp(sector + 7, "EL TORITO SPECIFICATION", 23) == 0) {
			*catalog = le32(sector + 0x47);
			return TRUE;
		}
	}
	g_set_error(error, SG_ERROR, SG_ERROR_IMAGE,
		    "%s is not an ISO 9660 image: more than %u volume descriptors", iso,
		    MAX_DESCRIPTORS);
	return FALSE;
}

static SgElToritoEntry
parse_entry(const guint8 *raw, guint8 platform)
{
	SgElToritoEntry entry = {
		.platform = platform,
		.bootable = raw[0] == 0x88,
		.sectors = (guint16)(raw[6] | raw[7] << 8),
		.lba = le32(raw + 8),
	};
	return entry;
}

static int
open_iso(const gchar *iso, GError **error)
{
	int fd = open(iso, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "cannot open %s: %s", iso,
			    g_strerror(errno));
	return fd;
}

static gboolean
catalog_error(GError **error, const gchar *iso, const gchar *what)
{
	g_set_error(error, SG_ERROR, SG_ERROR_IMAGE, "the El Torito boot catalog of %s %s", iso,
		    what);
	return FALSE;
}

static gboolean
parse_catalog(const guint8 *cat, gsize len, const gchar *iso, GArray *entries, GError **error)
{
	guint sum = 0;
	gsize at;

	if (len < 2 * CATALOG_ENTRY || cat[0] != 1 || cat[0x1e] != 0x55 || cat[0x1f] != 0xaa)
		return catalog_error(error, iso, "has no validation entry");
	for (guint i = 0; i < CATALOG_ENTRY; i += 2)
		sum += cat[i] | cat[i + 1] << 8;
	if ((sum & 0xffff) != 0)
		return catalog_error(error, iso, "fails its checksum");
	g_array_append_vals(entries, (SgElToritoEntry[]){parse_entry(cat + 32, cat[1])}, 1);

	/* Section headers (0x90, the last one 0x91), each followed by its
	 * entries and their extensions (0x44). */
	at = 2 * CATALOG_ENTRY;
	while (at + CATALOG_ENTRY <= len && (cat[at] == 0x90 || cat[at] == 0x91)) {
		gboolean last = cat[at] == 0x91;
		guint8 platform = cat[at + 1];
		guint count = cat[at + 2] | cat[at + 3] << 8;

		at += CATALOG_ENTRY;
		for (guint i = 0; i < count; i++) {
			if (at + CATALOG_ENTRY > len)
				return catalog_error(error, iso, "ends inside a section");
			g_array_append_vals(
				entries, (SgElToritoEntry[]){parse_entry(cat + at, platform)}, 1);
			at += CATALOG_ENTRY;
			while (at + CATALOG_ENTRY <= len && cat[at] == 0x44)
				at += CATALOG_ENTRY;
		}
		if (last)
			break;
	}
	return TRUE;
}

GArray *
sg_el_torito_read(const gchar *iso, GError **error)
{
	g_autoptr(GArray) entries = g_array_new(FALSE, TRUE, sizeof(SgElToritoEntry));
	guint8 catalog_bytes[CATALOG_LEN];
	guint32 catalog;
	gssize got;
	int fd = open_iso(iso, error);

	if (fd < 0)
		return NULL;
	if (!find_catalog(fd, iso, &catalog, error)) {
		close(fd);
		return NULL;
	}
	if (catalog == 0) {
		close(fd);
		return g_steal_pointer(&entries);
	}
	got = read_at(fd, catalog_bytes, sizeof(catalog_bytes), (goffset)catalog * ISO_SECTOR);
	close(fd);
	if (got < 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot read %s: %s", iso,
			    g_strerror(errno));
		return NULL;
	}
	if (!parse_catalog(catalog_bytes, (gsize)got, iso, entries, error))
		return NULL;
	return g_steal_pointer(&entries);
}

const SgElToritoEntry *
sg_el_torito_find(GArray *entries, guint8 platform)
{
	for (guint i = 0; i < entries->len; i++) {
		const SgElToritoEntry *entry = &g_array_index(entries, SgElToritoEntry, i);
		if (entry->platform == platform && entry->bootable)
			return entry;
	}
	return NULL;
}

goffset
sg_el_torito_image_offset(const SgElToritoEntry *entry)
{
	return (goffset)entry->lba * ISO_SECTOR;
}

GBytes *
sg_el_torito_read_image(const gchar *iso, const SgElToritoEntry *entry, gsize len, GError **error)
{
	g_autofree guint8 *buffer = g_malloc(len);
	gssize got;
	int fd = open_iso(iso, error);

	if (fd < 0)
		return NULL;
	got = read_at(fd, buffer, len, sg_el_torito_image_offset(entry));
	close(fd);
	if (got < 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot read %s: %s", iso,
			    g_strerror(errno));
		return NULL;
	}
	return g_bytes_new_take(g_steal_pointer(&buffer), (gsize)got);
}
