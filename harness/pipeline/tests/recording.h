#pragma once

/* Loads a console recording from data/: NAME.raw (the bytes as the guest
 * sent them) and NAME.timing (one line per read: "<seconds since the
 * previous read> <bytes>", as script(1) writes timing). See data/README. */

#include <glib.h>
#include <stdlib.h>

typedef struct {
	gchar *data;
	gsize len;
	GArray *offsets; /* gsize: where each read starts */
	GArray *times;	 /* gdouble: seconds from the start of the recording */
} SgRecording;

static inline void
sg_recording_free(SgRecording *rec)
{
	g_free(rec->data);
	g_array_unref(rec->offsets);
	g_array_unref(rec->times);
	g_free(rec);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgRecording, sg_recording_free)

static inline SgRecording *
sg_recording_load(const gchar *name)
{
	g_autofree gchar *raw_name = g_strdup_printf("%s.raw", name);
	g_autofree gchar *timing_name = g_strdup_printf("%s.timing", name);
	g_autofree gchar *raw_path = g_test_build_filename(G_TEST_DIST, "data", raw_name, NULL);
	g_autofree gchar *timing_path =
		g_test_build_filename(G_TEST_DIST, "data", timing_name, NULL);
	g_autofree gchar *timing = NULL;
	g_auto(GStrv) lines = NULL;
	g_autoptr(SgRecording) rec = g_new0(SgRecording, 1);
	gsize offset = 0;
	gdouble time = 0;
	g_autoptr(GError) local = NULL;

	rec->offsets = g_array_new(FALSE, FALSE, sizeof(gsize));
	rec->times = g_array_new(FALSE, FALSE, sizeof(gdouble));
	if (!g_file_get_contents(raw_path, &rec->data, &rec->len, &local) ||
	    !g_file_get_contents(timing_path, &timing, NULL, &local))
		g_error("cannot load recording %s: %s", name, local->message);
	lines = g_strsplit(timing, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		gchar *end = NULL;
		gdouble delay = g_ascii_strtod(lines[i], &end);
		guint64 count;

		if (end == lines[i])
			continue;
		count = g_ascii_strtoull(end, NULL, 10);
		time += delay;
		g_array_append_val(rec->offsets, offset);
		g_array_append_val(rec->times, time);
		offset += count;
	}
	g_assert_cmpuint(offset, ==, rec->len);
	return g_steal_pointer(&rec);
}

/* The offset of the first read at or after @seconds (the length when none). */
static inline gsize
sg_recording_offset_at(SgRecording *rec, gdouble seconds)
{
	for (guint i = 0; i < rec->times->len; i++) {
		if (g_array_index(rec->times, gdouble, i) >= seconds)
			return g_array_index(rec->offsets, gsize, i);
	}
	return rec->len;
}

/* When the byte at @offset arrived, in seconds from the start. */
static inline gdouble
sg_recording_time_of(SgRecording *rec, gsize offset)
{
	gdouble time = 0;

	for (guint i = 0; i < rec->offsets->len; i++) {
		if (g_array_index(rec->offsets, gsize, i) > offset)
			break;
		time = g_array_index(rec->times, gdouble, i);
	}
	return time;
}
