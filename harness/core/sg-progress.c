#include "sg-progress.h"

#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct _SgProgress {
	gboolean interactive;
	gboolean dirty;
	SgProgressFunc listener;
	gpointer listener_data;
	GMutex lock; /* guests of several jobs may report at once */
};

SgProgress *
sg_progress_new(void)
{
	SgProgress *progress = g_new0(SgProgress, 1);
	progress->interactive = isatty(STDERR_FILENO) && g_getenv("SMOKEGATE_NO_PROGRESS") == NULL;
	g_mutex_init(&progress->lock);
	return progress;
}

SgProgress *
sg_progress_new_listener(SgProgressFunc func, gpointer user_data)
{
	SgProgress *progress = g_new0(SgProgress, 1);
	progress->listener = func;
	progress->listener_data = user_data;
	g_mutex_init(&progress->lock);
	return progress;
}

void
sg_progress_free(SgProgress *progress)
{
	if (progress == NULL)
		return;
	sg_progress_clear(progress);
	g_mutex_clear(&progress->lock);
	g_free(progress);
}

gboolean
sg_progress_is_interactive(SgProgress *progress)
{
	return progress != NULL && progress->interactive;
}

guint
sg_progress_terminal_width(void)
{
	struct winsize size;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 20)
		return size.ws_col;
	return 80;
}

void
sg_progress_update(SgProgress *progress, const gchar *phase, gint64 elapsed_us,
		   const gchar *last_line)
{
	g_autofree gchar *line = NULL;
	guint width;
	gint64 seconds = elapsed_us / G_USEC_PER_SEC;

	if (progress != NULL && progress->listener != NULL) {
		progress->listener(phase, elapsed_us, last_line, progress->listener_data);
		return;
	}
	if (!sg_progress_is_interactive(progress))
		return;
	width = sg_progress_terminal_width();
	line = g_strdup_printf("[%s %02" G_GINT64_FORMAT ":%02" G_GINT64_FORMAT "] %s", phase,
			       seconds / 60, seconds % 60, last_line != NULL ? last_line : "");
	if (g_utf8_strlen(line, -1) >= width)
		*g_utf8_offset_to_pointer(line, width - 1) = '\0';
	g_mutex_lock(&progress->lock);
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	progress->dirty = TRUE;
	g_mutex_unlock(&progress->lock);
}

void
sg_progress_clear(SgProgress *progress)
{
	if (progress == NULL)
		return;
	g_mutex_lock(&progress->lock);
	if (progress->dirty) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
		progress->dirty = FALSE;
	}
	g_mutex_unlock(&progress->lock);
}

void
sg_progress_note(SgProgress *progress, const gchar *format, ...)
{
	va_list args;
	g_autofree gchar *text = NULL;

	if (!sg_progress_is_interactive(progress))
		return;
	va_start(args, format);
	text = g_strdup_vprintf(format, args);
	va_end(args);
	sg_progress_clear(progress);
	fprintf(stderr, "%s\n", text);
}
