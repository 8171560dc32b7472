/* The status page's thumbnails (sg-thumbnail.h): the same picture as
 * GdkPixbuf's own scaling gives, from PNGs of every kind, a large screenshot
 * read without ever being whole in memory, and the pictures that are
 * decoded whole (interlaced, smaller than the thumbnail, not a PNG). */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <png.h>
#include <stdio.h>
#include <string.h>

#include "sg-files.h"
#include "sg-thumbnail.h"

#define WIDTH 240

typedef struct {
	gchar *dir;
	gchar *source;
	gchar *thumbnail;
} Fixture;

static void
fixture_set_up(Fixture *fixture, gconstpointer data)
{
	fixture->dir = g_dir_make_tmp("sg-thumbnail-XXXXXX", NULL);
	fixture->source = g_build_filename(fixture->dir, "screenshot.png", NULL);
	fixture->thumbnail = g_build_filename(fixture->dir, "thumbnail.png", NULL);
}

static void
fixture_tear_down(Fixture *fixture, gconstpointer data)
{
	sg_files_remove_tree(fixture->dir);
	g_free(fixture->dir);
	g_free(fixture->source);
	g_free(fixture->thumbnail);
}

/* A made-up desktop: a dark background, a light panel, a blue window. */
static guchar
desktop_pixel(guint x, guint y, guint width, guint height, guint channel)
{
	static const guchar background[] = {30, 40, 50}, panel[] = {220, 220, 210},
			    window[] = {40, 90, 200};

	if (y < height / 20)
		return panel[channel];
	if (x > width / 4 && x < width * 3 / 4 && y > height / 4 && y < height * 3 / 4)
		return window[channel];
	return background[channel];
}

static GdkPixbuf *
desktop(guint width, guint height, gboolean alpha)
{
	GdkPixbuf *picture = gdk_pixbuf_new(GDK_COLORSPACE_RGB, alpha, 8, width, height);
	guint channels = gdk_pixbuf_get_n_channels(picture);
	guint stride = gdk_pixbuf_get_rowstride(picture);
	guchar *pixels = gdk_pixbuf_get_pixels(picture);

	for (guint y = 0; y < height; y++)
		for (guint x = 0; x < width; x++)
			for (guint c = 0; c < channels; c++)
				pixels[y * stride + x * channels + c] =
					c < 3 ? desktop_pixel(x, y, width, height, c) : 255;
	return picture;
}

/* The mean difference per channel between the thumbnail and GdkPixbuf's
 * own scaling of @source, after checking the size. */
static gdouble
difference_from_pixbuf(GdkPixbuf *source, const gchar *thumbnail_path)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GdkPixbuf) thumbnail = gdk_pixbuf_new_from_file(thumbnail_path, &error);
	gint height = gdk_pixbuf_get_height(source) * WIDTH / gdk_pixbuf_get_width(source);
	g_autoptr(GdkPixbuf) reference =
		gdk_pixbuf_scale_simple(source, WIDTH, height, GDK_INTERP_BILINEAR);
	guint64 sum = 0;

	g_assert_no_error(error);
	g_assert_cmpint(gdk_pixbuf_get_width(thumbnail), ==, WIDTH);
	g_assert_cmpint(gdk_pixbuf_get_height(thumbnail), ==, height);
	for (gint y = 0; y < height; y++) {
		for (gint x = 0; x < WIDTH; x++) {
			const guchar *a = gdk_pixbuf_read_pixels(thumbnail) +
					  y * gdk_pixbuf_get_rowstride(thumbnail) +
					  x * gdk_pixbuf_get_n_channels(thumbnail);
			const guchar *b = gdk_pixbuf_read_pixels(reference) +
					  y * gdk_pixbuf_get_rowstride(reference) +
					  x * gdk_pixbuf_get_n_channels(reference);
			for (guint c = 0; c < 3; c++)
				sum += ABS((gint)a[c] - (gint)b[c]);
		}
	}
	return (gdouble)sum / (WIDTH * height * 3);
}

/* RGB and RGBA screenshots, as libvirt and QEMU write them. */
static void
test_like_pixbuf(Fixture *fixture, gconstpointer data)
{
	for (guint alpha = 0; alpha <= 1; alpha++) {
		g_autoptr(GdkPixbuf) picture = desktop(1024, 768, alpha);
		g_autoptr(GError) error = NULL;
		gdouble difference;

		g_assert_true(gdk_pixbuf_save(picture, fixture->source, "png", &error, NULL));
		g_assert_true(
			sg_thumbnail_write(fixture->source, fixture->thumbnail, WIDTH, &error));
		g_assert_no_error(error);
		difference = difference_from_pixbuf(picture, fixture->thumbnail);
		g_test_message("%s: mean difference from GdkPixbuf %.2f", alpha ? "RGBA" : "RGB",
			       difference);
		g_assert_cmpfloat(difference, <, 2.0);
	}
}

/* Writes a @width x @height desktop PNG a row at a time (never whole in
 * memory), in @format (PNG_COLOR_TYPE_*), 16 bits a sample when @deep. */
static void
write_png_by_rows(const gchar *path, guint width, guint height, int format, gboolean deep,
		  gboolean interlaced)
{
	FILE *out = g_fopen(path, "wb");
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png_create_info_struct(png);
	guint channels = format == PNG_COLOR_TYPE_GRAY ? 1 : 3;
	guint bytes = deep ? 2 : 1;
	g_autofree guchar *row = g_malloc(width * channels * bytes);
	int passes;

	g_assert_nonnull(out);
	g_assert_cmpint(setjmp(png_jmpbuf(png)), ==, 0);
	png_init_io(png, out);
	png_set_IHDR(png, info, width, height, deep ? 16 : 8, format,
		     interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	passes = png_set_interlace_handling(png);
	for (int pass = 0; pass < passes; pass++) {
		for (guint y = 0; y < height; y++) {
			for (guint x = 0; x < width; x++) {
				for (guint c = 0; c < channels; c++) {
					guchar value = desktop_pixel(x, y, width, height, c);
					for (guint b = 0; b < bytes; b++)
						row[(x * channels + c) * bytes + b] = value;
				}
			}
			png_write_row(png, row);
		}
	}
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	fclose(out);
}

static guint64
high_water_kib(void)
{
	g_autofree gchar *status = NULL;
	const gchar *line;

	g_assert_true(g_file_get_contents("/proc/self/status", &status, NULL, NULL));
	line = strstr(status, "VmHWM:");
	g_assert_nonnull(line);
	return g_ascii_strtoull(line + strlen("VmHWM:"), NULL, 10);
}

/* A 4096x4096 screenshot would take 48 MiB decoded whole: the thumbnail
 * is made with a small part of that. Gray and 16-bit samples too. */
static void
test_large_by_rows(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GdkPixbuf) thumbnail = NULL;
	guint64 before;

	write_png_by_rows(fixture->source, 4096, 4096, PNG_COLOR_TYPE_RGB, FALSE, FALSE);
	before = high_water_kib();
	g_assert_true(sg_thumbnail_write(fixture->source, fixture->thumbnail, WIDTH, &error));
	g_assert_no_error(error);
	g_test_message("the process's peak grew by %" G_GUINT64_FORMAT " KiB",
		       high_water_kib() - before);
	g_assert_cmpuint(high_water_kib() - before, <, 16 * 1024);
	thumbnail = gdk_pixbuf_new_from_file(fixture->thumbnail, &error);
	g_assert_no_error(error);
	g_assert_cmpint(gdk_pixbuf_get_width(thumbnail), ==, WIDTH);
	g_assert_cmpint(gdk_pixbuf_get_height(thumbnail), ==, WIDTH);

	for (guint deep = 0; deep <= 1; deep++) {
		g_autoptr(GdkPixbuf) reference = desktop(800, 600, FALSE);
		gdouble difference;

		write_png_by_rows(fixture->source, 800, 600,
				  deep ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY, deep, FALSE);
		g_assert_true(
			sg_thumbnail_write(fixture->source, fixture->thumbnail, WIDTH, &error));
		g_assert_no_error(error);
		/* Gray: every channel is the first of the made-up colours. */
		if (!deep) {
			g_autoptr(GdkPixbuf) gray =
				gdk_pixbuf_new_from_file(fixture->source, &error);
			difference = difference_from_pixbuf(gray, fixture->thumbnail);
		} else {
			difference = difference_from_pixbuf(reference, fixture->thumbnail);
		}
		g_assert_cmpfloat(difference, <, 2.0);
	}
}

/* Interlaced, smaller than the thumbnail, or another format: decoded whole,
 * scaled as before. */
static void
test_decoded_whole(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GdkPixbuf) small = desktop(100, 50, FALSE);
	g_autoptr(GdkPixbuf) reference = desktop(640, 480, FALSE);

	write_png_by_rows(fixture->source, 640, 480, PNG_COLOR_TYPE_RGB, FALSE, TRUE);
	g_assert_true(sg_thumbnail_write(fixture->source, fixture->thumbnail, WIDTH, &error));
	g_assert_no_error(error);
	g_assert_cmpfloat(difference_from_pixbuf(reference, fixture->thumbnail), <, 2.0);

	g_assert_true(gdk_pixbuf_save(small, fixture->source, "png", &error, NULL));
	g_assert_true(sg_thumbnail_write(fixture->source, fixture->thumbnail, WIDTH, &error));
	g_assert_cmpfloat(difference_from_pixbuf(small, fixture->thumbnail), <, 2.0);

	g_assert_true(gdk_pixbuf_save(reference, fixture->source, "jpeg", &error, NULL));
	g_assert_true(sg_thumbnail_write(fixture->source, fixture->thumbnail, WIDTH, &error));
	g_assert_no_error(error);
}

/* No picture at all: an error, no thumbnail. */
static void
test_not_a_picture(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	g_assert_true(g_file_set_contents(fixture->source, "not a picture", -1, NULL));
	g_assert_false(sg_thumbnail_write(fixture->source, fixture->thumbnail, WIDTH, &error));
	g_assert_nonnull(error);
	g_assert_false(g_file_test(fixture->thumbnail, G_FILE_TEST_EXISTS));
	g_clear_error(&error);
	g_assert_false(sg_thumbnail_write("/nonexistent/screenshot.png", fixture->thumbnail, WIDTH,
					  &error));
	g_assert_nonnull(error);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	/* First: the peak of a process only grows. */
	g_test_add("/thumbnail/large-by-rows", Fixture, NULL, fixture_set_up, test_large_by_rows,
		   fixture_tear_down);
	g_test_add("/thumbnail/like-pixbuf", Fixture, NULL, fixture_set_up, test_like_pixbuf,
		   fixture_tear_down);
	g_test_add("/thumbnail/decoded-whole", Fixture, NULL, fixture_set_up, test_decoded_whole,
		   fixture_tear_down);
	g_test_add("/thumbnail/not-a-picture", Fixture, NULL, fixture_set_up, test_not_a_picture,
		   fixture_tear_down);
	return g_test_run();
}
