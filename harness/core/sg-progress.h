#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A one-line live status on a terminal (phase, elapsed time, the last
 * console line); silent when stderr is not a terminal. Every function
 * takes NULL for "no progress" (tests running side by side). */
typedef struct _SgProgress SgProgress;

SgProgress *sg_progress_new(void);
/* A progress that hands every update to @func instead of drawing it (a
 * gate shows many tests at once in a table of its own). */
typedef void (*SgProgressFunc)(const gchar *phase, gint64 elapsed_us, const gchar *last_line,
			       gpointer user_data);
SgProgress *sg_progress_new_listener(SgProgressFunc func, gpointer user_data);
void sg_progress_free(SgProgress *progress);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgProgress, sg_progress_free)

gboolean sg_progress_is_interactive(SgProgress *progress);
/* Columns of the terminal on stderr (80 when it does not say). */
guint sg_progress_terminal_width(void);
void sg_progress_update(SgProgress *progress, const gchar *phase, gint64 elapsed_us,
			const gchar *last_line);
/* A message that stays on screen (printed once, above the status line). */
void sg_progress_note(SgProgress *progress, const gchar *format, ...) G_GNUC_PRINTF(2, 3);
void sg_progress_clear(SgProgress *progress);

G_END_DECLS
