#include <stdio.h>
#include <unistd.h>

#include "sg-log.h"

static const gchar *
field_string(const GLogField *fields, gsize n_fields, const gchar *key)
{
	for (gsize i = 0; i < n_fields; i++) {
		if (g_str_equal(fields[i].key, key))
			return fields[i].length < 0 ? fields[i].value : NULL;
	}
	return NULL;
}

static gboolean log_with_time;

static GLogWriterOutput
write_short_line(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user)
{
	const gchar *message;
	const gchar *kind;

	if ((level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE)) == 0 ||
	    g_log_writer_is_journald(fileno(stderr)))
		return g_log_writer_default(level, fields, n_fields, user);
	/* A message GLib's own g_log() did not build: let GLib print it. */
	message = field_string(fields, n_fields, "MESSAGE");
	if (message == NULL)
		return g_log_writer_default(level, fields, n_fields, user);
	kind = (level & G_LOG_LEVEL_WARNING) != 0 ? "warning: " : "";
	if (log_with_time) {
		g_autoptr(GDateTime) now = g_date_time_new_now_local();
		g_autofree gchar *stamp = g_date_time_format(now, "%Y-%m-%d %H:%M:%S ");
		fputs(stamp, stderr);
	}
	if (fprintf(stderr, "%s: %s%s\n", g_get_prgname(), kind, message) < 0)
		return G_LOG_WRITER_UNHANDLED;
	fflush(stderr);
	return G_LOG_WRITER_HANDLED;
}

void
sg_log_use_short_lines(gboolean with_time)
{
	log_with_time = with_time;
	g_log_set_writer_func(write_short_line, NULL, NULL);
}
