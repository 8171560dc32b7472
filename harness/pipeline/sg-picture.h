#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

/*
 * What a screenshot of the guest shows, in numbers a person can check:
 * is the display in a graphics mode, is it blank, is it a text console.
 * A drawn desktop is often 95% or more one background colour with a thin
 * panel (DOMAIN.md section 7: 96.9%, 266 colours for a light window
 * manager), so "mostly one colour" alone must not read as blank.
 */
typedef enum {
	SG_SCREEN_DRAWN,	/* a graphical picture: a desktop was drawn */
	SG_SCREEN_BLANK,	/* one colour, or all but a cursor's worth */
	SG_SCREEN_TEXT_MODE,	/* the VGA text mode (720x400): no graphics at all */
	SG_SCREEN_TEXT_CONSOLE, /* a framebuffer console: a few colours of text */
} SgScreenKind;

typedef struct {
	GdkPixbuf *pixbuf;
	guint width;
	guint height;
	gdouble dominant_fraction; /* share of pixels in the most common colour */
	guint colours;		   /* distinct colours, counted up to SG_PICTURE_MAX_COLOURS */
} SgPicture;

#define SG_PICTURE_MAX_COLOURS 65536

void sg_picture_free(SgPicture *picture);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgPicture, sg_picture_free)

SgPicture *sg_picture_load(const gchar *path, GError **error);
SgPicture *sg_picture_new_from_pixbuf(GdkPixbuf *pixbuf);
SgScreenKind sg_picture_classify(const SgPicture *picture);
const gchar *sg_screen_kind_to_string(SgScreenKind kind);
/* The share of pixels that differ between two pictures; 1.0 when their
 * sizes differ (a mode change is a change of everything). */
gdouble sg_picture_difference(const SgPicture *a, const SgPicture *b);
/* "1024x768, 99.8% one colour, 3 colours" for reasons and people. */
gchar *sg_picture_describe(const SgPicture *picture);

G_END_DECLS
