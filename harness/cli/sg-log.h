#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Makes the operator's log lines look like smokegate's other messages:
 * "smokegate gate: warning: cannot write the status page: …" and
 * "smokegate gate: removed …", one line each, instead of GLib's
 * "(smokegate gate:3298): smokegate-WARNING **: 17:00:32.842: …".
 * Under the journal (serve started by systemd) GLib's journald writer is
 * kept, so each line keeps its priority. Debug and info lines go through
 * GLib's default writer, which shows them only as G_MESSAGES_DEBUG asks,
 * and so do criticals: they are bugs, and look like one.
 * @with_time starts each line with the local date and time, for a service
 * whose output goes to a file rather than the journal (which has its own).
 */
void sg_log_use_short_lines(gboolean with_time);

G_END_DECLS
