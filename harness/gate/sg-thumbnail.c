#include "sg-thumbnail.h"

#include <errno.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <png.h>
#include <string.h>

#include "sg-error.h"

/* What a PNG holds, read row by row into the thumbnail's sums. */
typedef struct {
	guint width, height; /* the screenshot's */
	guint thumb_width, thumb_height;
	guchar *row;	 /* one row of the screenshot, RGB */
	guint32 *sums;	 /* one row of the thumbnail, RGB sums */
	guint32 *counts; /* pixels added into each thumbnail pixel */
	GdkPixbuf *thumbnail;
} SgShrink;

static void
shrink_clear(SgShrink *shrink)
{
	g_free(shrink->row);
	g_free(shrink->sums);
	g_free(shrink->counts);
	g_clear_object(&shrink->thumbnail);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(SgShrink, shrink_clear)

/* The thumbnail's row @y: the averages of what was added, then empty again. */
static void
flush_row(SgShrink *shrink, guint y)
{
	guchar *out = gdk_pixbuf_get_pixels(shrink->thumbnail) +
		      (gsize)y * gdk_pixbuf_get_rowstride(shrink->thumbnail);

	for (guint x = 0; x < shrink->thumb_width; x++) {
		guint32 count = MAX(shrink->counts[x], 1);
		for (guint c = 0; c < 3; c++)
			out[x * 3 + c] = (guchar)((shrink->sums[x * 3 + c] + count / 2) / count);
	}
	memset(shrink->sums, 0, shrink->thumb_width * 3 * sizeof(guint32));
	memset(shrink->counts, 0, shrink->thumb_width * sizeof(guint32));
}

/* One screenshot row into the thumbnail row it falls in. */
static void
add_row(SgShrink *shrink)
{
	for (guint x = 0; x < shrink->width; x++) {
		guint tx = (guint)((guint64)x * shrink->thumb_width / shrink->width);
		for (guint c = 0; c < 3; c++)
			shrink->sums[tx * 3 + c] += shrink->row[x * 3 + c];
		shrink->counts[tx]++;
	}
}

static void
on_png_error(png_structp png, png_const_charp message)
{
	g_set_error(png_get_error_ptr(png), SG_ERROR, SG_ERROR_LAB, "%s", message);
	png_longjmp(png, 1);
}

static void
on_png_warning(png_structp png, png_const_charp message)
{
	g_debug("thumbnail: %s", message);
}

/* Every row of the screenshot, each added into the thumbnail row it falls in. */
static void
read_rows(png_structp png, SgShrink *shrink)
{
	guint thumb_y = 0;

	shrink->row = g_malloc(shrink->width * 3);
	shrink->sums = g_new0(guint32, shrink->thumb_width * 3);
	shrink->counts = g_new0(guint32, shrink->thumb_width);
	shrink->thumbnail = gdk_pixbuf_new(GDK_COLORSPACE_RGB, FALSE, 8, shrink->thumb_width,
					   shrink->thumb_height);
	for (guint y = 0; y < shrink->height; y++) {
		guint row_y = (guint)((guint64)y * shrink->thumb_height / shrink->height);

		if (row_y != thumb_y) {
			flush_row(shrink, thumb_y);
			thumb_y = row_y;
		}
		png_read_row(png, shrink->row, NULL);
		add_row(shrink);
	}
	flush_row(shrink, thumb_y);
}

/* Reads @in row by row into @shrink. FALSE with @whole set when the
 * picture is to be decoded whole (interlaced, small, or no PNG libpng
 * reads). */
static gboolean
shrink_png(FILE *in, guint width, SgShrink *shrink, gboolean *whole, GError **error)
{
	png_structp png =
		png_create_read_struct(PNG_LIBPNG_VER_STRING, error, on_png_error, on_png_warning);
	png_infop info = png != NULL ? png_create_info_struct(png) : NULL;
	volatile gboolean ok = FALSE;

	*whole = TRUE;
	if (info == NULL) {
		png_destroy_read_struct(png != NULL ? &png : NULL, NULL, NULL);
		return FALSE;
	}
	if (setjmp(png_jmpbuf(png)) != 0)
		goto out;
	png_init_io(png, in);
	png_read_info(png, info);
	shrink->width = png_get_image_width(png, info);
	shrink->height = png_get_image_height(png, info);
	shrink->thumb_width = width;
	shrink->thumb_height = MAX((guint)((guint64)shrink->height * width / shrink->width), 1);
	if (png_get_interlace_type(png, info) != PNG_INTERLACE_NONE ||
	    shrink->width < shrink->thumb_width || shrink->height < shrink->thumb_height)
		goto out;
	*whole = FALSE;
	/* Whatever it holds, as 8-bit RGB. */
	png_set_expand(png);
	png_set_strip_16(png);
	png_set_gray_to_rgb(png);
	png_set_strip_alpha(png);
	png_read_update_info(png, info);
	read_rows(png, shrink);
	ok = TRUE;
out:
	png_destroy_read_struct(&png, &info, NULL);
	return ok;
}

gboolean
sg_thumbnail_write(const gchar *source, const gchar *dest, guint width, GError **error)
{
	g_auto(SgShrink) shrink = {0};
	g_autoptr(GdkPixbuf) picture = NULL;
	g_autoptr(GdkPixbuf) small = NULL;
	gboolean whole = FALSE;
	FILE *in = g_fopen(source, "rb");
	gboolean ok;
	gint height;

	if (in == NULL) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot open %s: %s", source,
			    g_strerror(errno));
		return FALSE;
	}
	ok = shrink_png(in, width, &shrink, &whole, error);
	fclose(in);
	if (ok)
		return gdk_pixbuf_save(shrink.thumbnail, dest, "png", error, NULL);
	if (!whole) {
		g_prefix_error(error, "%s: ", source);
		return FALSE;
	}
	g_clear_error(error);
	picture = gdk_pixbuf_new_from_file(source, error);
	if (picture == NULL)
		return FALSE;
	height = gdk_pixbuf_get_height(picture) * (gint)width / gdk_pixbuf_get_width(picture);
	small = gdk_pixbuf_scale_simple(picture, (gint)width, MAX(height, 1), GDK_INTERP_BILINEAR);
	return small != NULL && gdk_pixbuf_save(small, dest, "png", error, NULL);
}
