#include "sg-picture.h"

#include "sg-error.h"

/* All but this share of the pixels in one colour is a blank screen: a
 * mouse pointer or a blinking cursor on black is far less than 1%. */
#define BLANK_DOMINANT_FRACTION 0.99
/* The Linux framebuffer console and the VGA text mode draw with the 16
 * colours of the VGA palette; a desktop's anti-aliased text, icons and
 * gradients give hundreds. */
#define TEXT_CONSOLE_MAX_COLOURS 16
/* QEMU's screendump of the VGA text mode: 80x25 cells of 9x16 pixels. */
#define TEXT_MODE_WIDTH 720
#define TEXT_MODE_HEIGHT 400

void
sg_picture_free(SgPicture *picture)
{
	if (picture == NULL)
		return;
	g_clear_object(&picture->pixbuf);
	g_free(picture);
}

static guint32
pixel_at(const guchar *row, guint x, guint channels)
{
	const guchar *p = row + (gsize)x * channels;
	return ((guint32)p[0] << 16) | ((guint32)p[1] << 8) | p[2];
}

/* Counts colours with a hash table: a 1280x800 picture takes a few ms. */
static void
measure(SgPicture *picture)
{
	g_autoptr(GHashTable) counts = g_hash_table_new(g_direct_hash, g_direct_equal);
	const guchar *pixels = gdk_pixbuf_read_pixels(picture->pixbuf);
	guint rowstride = gdk_pixbuf_get_rowstride(picture->pixbuf);
	guint channels = gdk_pixbuf_get_n_channels(picture->pixbuf);
	guint best = 0;
	guint64 total = (guint64)picture->width * picture->height;

	for (guint y = 0; y < picture->height; y++) {
		const guchar *row = pixels + (gsize)y * rowstride;
		for (guint x = 0; x < picture->width; x++) {
			/* +1: a count of zero would read as "absent" */
			gpointer key = GUINT_TO_POINTER(pixel_at(row, x, channels) + 1);
			guint count = GPOINTER_TO_UINT(g_hash_table_lookup(counts, key));
			if (count == 0 && g_hash_table_size(counts) >= SG_PICTURE_MAX_COLOURS)
				continue; /* enough to know it is no text console */
			g_hash_table_insert(counts, key, GUINT_TO_POINTER(count + 1));
			best = MAX(best, count + 1);
		}
	}
	picture->colours = g_hash_table_size(counts);
	picture->dominant_fraction = total > 0 ? (gdouble)best / total : 1.0;
}

SgPicture *
sg_picture_new_from_pixbuf(GdkPixbuf *pixbuf)
{
	SgPicture *picture = g_new0(SgPicture, 1);

	picture->pixbuf = g_object_ref(pixbuf);
	picture->width = gdk_pixbuf_get_width(pixbuf);
	picture->height = gdk_pixbuf_get_height(pixbuf);
	measure(picture);
	return picture;
}

SgPicture *
sg_picture_load(const gchar *path, GError **error)
{
	g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file(path, error);

	if (pixbuf == NULL) {
		g_prefix_error(error, "cannot read the screenshot %s: ", path);
		return NULL;
	}
	if (gdk_pixbuf_get_colorspace(pixbuf) != GDK_COLORSPACE_RGB ||
	    gdk_pixbuf_get_bits_per_sample(pixbuf) != 8 || gdk_pixbuf_get_n_channels(pixbuf) < 3) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "the screenshot %s is not 8-bit RGB",
			    path);
		return NULL;
	}
	return sg_picture_new_from_pixbuf(pixbuf);
}

SgScreenKind
sg_picture_classify(const SgPicture *picture)
{
	if (picture->width == TEXT_MODE_WIDTH && picture->height == TEXT_MODE_HEIGHT)
		return SG_SCREEN_TEXT_MODE;
	if (picture->dominant_fraction >= BLANK_DOMINANT_FRACTION)
		return SG_SCREEN_BLANK;
	if (picture->colours <= TEXT_CONSOLE_MAX_COLOURS)
		return SG_SCREEN_TEXT_CONSOLE;
	return SG_SCREEN_DRAWN;
}

const gchar *
sg_screen_kind_to_string(SgScreenKind kind)
{
	switch (kind) {
	case SG_SCREEN_DRAWN:
		return "drawn";
	case SG_SCREEN_BLANK:
		return "blank";
	case SG_SCREEN_TEXT_MODE:
		return "VGA text mode";
	case SG_SCREEN_TEXT_CONSOLE:
		return "text console";
	default:
		return "unknown";
	}
}

gdouble
sg_picture_difference(const SgPicture *a, const SgPicture *b)
{
	const guchar *pa = gdk_pixbuf_read_pixels(a->pixbuf);
	const guchar *pb = gdk_pixbuf_read_pixels(b->pixbuf);
	guint stride_a = gdk_pixbuf_get_rowstride(a->pixbuf);
	guint stride_b = gdk_pixbuf_get_rowstride(b->pixbuf);
	guint channels_a = gdk_pixbuf_get_n_channels(a->pixbuf);
	guint channels_b = gdk_pixbuf_get_n_channels(b->pixbuf);
	guint64 differ = 0;

	if (a->width != b->width || a->height != b->height)
		return 1.0;
	for (guint y = 0; y < a->height; y++) {
		const guchar *ra = pa + (gsize)y * stride_a;
		const guchar *rb = pb + (gsize)y * stride_b;
		for (guint x = 0; x < a->width; x++) {
			if (pixel_at(ra, x, channels_a) != pixel_at(rb, x, channels_b))
				differ++;
		}
	}
	return a->width * a->height > 0 ? (gdouble)differ / ((guint64)a->width * a->height) : 0;
}

gchar *
sg_picture_describe(const SgPicture *picture)
{
	return g_strdup_printf("%ux%u, %.1f%% one colour, %u%s colours", picture->width,
			       picture->height, picture->dominant_fraction * 100, picture->colours,
			       picture->colours >= SG_PICTURE_MAX_COLOURS ? "+" : "");
}
