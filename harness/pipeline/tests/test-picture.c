#include <string.h>

#include "sg-picture.h"

/* Pictures made in memory with the shapes real screens have: a black
 * screen with a mouse pointer, the VGA text mode, a framebuffer console,
 * and a desktop that is 97% one background colour with a thin panel (as
 * DOMAIN.md section 7 measured a real light window manager). */

static GdkPixbuf *
new_filled(guint width, guint height, guint32 rgb)
{
	GdkPixbuf *pixbuf = gdk_pixbuf_new(GDK_COLORSPACE_RGB, FALSE, 8, width, height);
	gdk_pixbuf_fill(pixbuf, rgb << 8 | 0xff);
	return pixbuf;
}

static void
paint(GdkPixbuf *pixbuf, guint x0, guint y0, guint w, guint h, guint32 rgb)
{
	guchar *pixels = gdk_pixbuf_get_pixels(pixbuf);
	guint stride = gdk_pixbuf_get_rowstride(pixbuf);

	for (guint y = y0; y < y0 + h; y++) {
		for (guint x = x0; x < x0 + w; x++) {
			guchar *p = pixels + y * stride + x * 3;
			p[0] = rgb >> 16;
			p[1] = rgb >> 8;
			p[2] = rgb;
		}
	}
}

static SgPicture *
picture_of(GdkPixbuf *pixbuf)
{
	SgPicture *picture = sg_picture_new_from_pixbuf(pixbuf);
	g_object_unref(pixbuf);
	return picture;
}

static void
test_black_with_pointer_is_blank(void)
{
	GdkPixbuf *pixbuf = new_filled(1024, 768, 0x000000);
	g_autoptr(SgPicture) picture = NULL;

	paint(pixbuf, 500, 380, 12, 19, 0xffffff); /* the X pointer */
	picture = picture_of(pixbuf);
	g_assert_cmpint(sg_picture_classify(picture), ==, SG_SCREEN_BLANK);
	g_assert_cmpuint(picture->colours, ==, 2);
}

static void
test_vga_text_mode(void)
{
	g_autoptr(SgPicture) picture = picture_of(new_filled(720, 400, 0x000000));
	g_assert_cmpint(sg_picture_classify(picture), ==, SG_SCREEN_TEXT_MODE);
}

/* A framebuffer console with a screenful of grey text: lots of non-black
 * pixels but only the VGA palette's colours. */
static void
test_text_console(void)
{
	GdkPixbuf *pixbuf = new_filled(1024, 768, 0x000000);
	g_autoptr(SgPicture) picture = NULL;

	for (guint row = 0; row < 40; row++)
		for (guint col = 0; col < 100; col += 2)
			paint(pixbuf, col * 8, row * 16 + 2, 6, 10, row % 3 ? 0xaaaaaa : 0x55ff55);
	picture = picture_of(pixbuf);
	g_assert_cmpfloat(picture->dominant_fraction, <, 0.99);
	g_assert_cmpint(sg_picture_classify(picture), ==, SG_SCREEN_TEXT_CONSOLE);
}

/* 97% background, a panel with a gradient (hundreds of colours). */
static void
test_mostly_one_colour_desktop_is_drawn(void)
{
	GdkPixbuf *pixbuf = new_filled(1024, 768, 0x203040);
	g_autoptr(SgPicture) picture = NULL;

	for (guint x = 0; x < 1024; x++)
		paint(pixbuf, x, 744, 1, 24, 0x404040 + (x % 256) * 0x010000);
	picture = picture_of(pixbuf);
	g_assert_cmpfloat(picture->dominant_fraction, >, 0.95);
	g_assert_cmpuint(picture->colours, >, 200);
	g_assert_cmpint(sg_picture_classify(picture), ==, SG_SCREEN_DRAWN);
}

static void
test_difference(void)
{
	g_autoptr(SgPicture) a = picture_of(new_filled(800, 600, 0x102030));
	g_autoptr(SgPicture) b = NULL;
	g_autoptr(SgPicture) other_size = picture_of(new_filled(1024, 768, 0x102030));
	GdkPixbuf *pixbuf = new_filled(800, 600, 0x102030);

	paint(pixbuf, 0, 0, 8, 16, 0xffffff); /* a text cursor's worth */
	b = picture_of(pixbuf);
	g_assert_cmpfloat(sg_picture_difference(a, a), ==, 0.0);
	g_assert_cmpfloat_with_epsilon(sg_picture_difference(a, b), 128.0 / (800 * 600), 1e-9);
	g_assert_cmpfloat(sg_picture_difference(a, other_size), ==, 1.0);
}

static void
test_load_errors(void)
{
	g_autoptr(GError) error = NULL;
	g_assert_null(sg_picture_load("/nonexistent/screenshot.png", &error));
	g_assert_nonnull(error);
	g_assert_nonnull(strstr(error->message, "/nonexistent/screenshot.png"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/picture/black-with-pointer-is-blank", test_black_with_pointer_is_blank);
	g_test_add_func("/picture/vga-text-mode", test_vga_text_mode);
	g_test_add_func("/picture/text-console", test_text_console);
	g_test_add_func("/picture/mostly-one-colour-desktop-is-drawn",
			test_mostly_one_colour_desktop_is_drawn);
	g_test_add_func("/picture/difference", test_difference);
	g_test_add_func("/picture/load-errors", test_load_errors);
	return g_test_run();
}
