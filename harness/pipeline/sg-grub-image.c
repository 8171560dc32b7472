#include "sg-grub-image.h"

#include <string.h>

#define MODULE_MAGIC 0x676d696d /* "mimg" */
#define OBJ_MEMDISK 1
#define OBJ_CONFIG 2
#define OBJ_PREFIX 3
#define MAX_OBJECTS 4096

void
sg_grub_image_free(SgGrubImage *image)
{
	if (image == NULL)
		return;
	g_free(image->prefix);
	g_free(image->config);
	if (image->memdisk != NULL)
		g_bytes_unref(image->memdisk);
	g_free(image);
}

static guint32
le32(const guint8 *p)
{
	return p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

static guint64
le64(const guint8 *p)
{
	return le32(p) | (guint64)le32(p + 4) << 32;
}

/* Walks the objects of a module area; FALSE when they do not fit it. */
static gboolean
read_objects(SgGrubImage *image, GBytes *binary, gsize start, gsize end)
{
	const guint8 *data = g_bytes_get_data(binary, NULL);
	gsize at = start;

	for (guint n = 0; at < end && n < MAX_OBJECTS; n++) {
		guint32 type, size;
		if (at + 8 > end)
			return FALSE;
		type = le32(data + at);
		size = le32(data + at + 4);
		if (size < 8 || size > end - at)
			return FALSE;
		if (type == OBJ_CONFIG && image->config == NULL)
			image->config = g_strndup((const gchar *)data + at + 8, size - 8);
		else if (type == OBJ_PREFIX && image->prefix == NULL)
			image->prefix = g_strndup((const gchar *)data + at + 8, size - 8);
		else if (type == OBJ_MEMDISK && image->memdisk == NULL)
			image->memdisk = g_bytes_new_from_bytes(binary, at + 8, size - 8);
		at += size;
	}
	return at == end;
}

SgGrubImage *
sg_grub_image_read(GBytes *binary)
{
	gsize len;
	const guint8 *data = g_bytes_get_data(binary, &len);

	/* grub_module_info64 {magic, padding, offset, size} on 64-bit EFI,
	 * grub_module_info32 {magic, offset, size} on ia32; offset is the
	 * header's own size. The area is aligned, the magic may also occur
	 * by chance in code: only a header whose objects fit is taken. */
	for (gsize at = 0; at + 24 <= len; at += 4) {
		g_autoptr(SgGrubImage) image = NULL;
		gsize offset, size;

		if (le32(data + at) != MODULE_MAGIC)
			continue;
		if (le64(data + at + 8) == 24) {
			offset = 24;
			size = (gsize)MIN(le64(data + at + 16), (guint64)G_MAXSIZE);
		} else if (le32(data + at + 4) == 12) {
			offset = 12;
			size = le32(data + at + 8);
		} else {
			continue;
		}
		if (size < offset || size > len - at)
			continue;
		image = g_new0(SgGrubImage, 1);
		if (read_objects(image, binary, at + offset, at + size))
			return g_steal_pointer(&image);
	}
	return NULL;
}

gboolean
sg_grub_image_is_shim(GBytes *binary, const gchar *second_stage)
{
	gsize len;
	const guint8 *data = g_bytes_get_data(binary, &len);
	g_autofree gchar *name = g_strconcat("\\", second_stage, NULL);
	glong units = 0;
	g_autofree gunichar2 *utf16 = g_utf8_to_utf16(name, -1, NULL, &units, NULL);
	gsize needle = (gsize)units * 2;

	if (utf16 == NULL || needle == 0 || len < needle)
		return FALSE;
	/* Little-endian UTF-16, as the PE carries it on every EFI platform. */
	g_autofree guint8 *bytes = g_malloc(needle);
	for (glong i = 0; i < units; i++) {
		bytes[2 * i] = utf16[i] & 0xff;
		bytes[2 * i + 1] = utf16[i] >> 8;
	}
	return memmem(data, len, bytes, needle) != NULL;
}
