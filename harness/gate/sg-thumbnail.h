#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The status page's small picture of a build's screenshot: @source (a PNG)
 * scaled to @width pixels wide, its height in proportion, written to @dest
 * as a PNG. The screenshot is read a row at a time and each row added into
 * the thumbnail's (an average over the area each thumbnail pixel covers),
 * so it is never whole in memory: a 1024x768 desktop decoded whole takes
 * 3 MiB, and a gate draws one at the end of every test while the others
 * decode theirs. An interlaced picture, or one smaller than the thumbnail,
 * is decoded whole instead.
 */
gboolean sg_thumbnail_write(const gchar *source, const gchar *dest, guint width, GError **error);

G_END_DECLS
