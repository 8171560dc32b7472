#pragma once

#include "sg-progress.h"

G_BEGIN_DECLS

/*
 * What a gate shows while it runs. On a terminal: a live table, one line a
 * running test (host, flavour, build, phase, elapsed, last console line),
 * with events printed above it. With --json: one JSON object an event on
 * stdout (queued, started, phase, finished, retry, host-out), for a runner's
 * log. Otherwise the events as plain lines on stderr.
 */
typedef struct _SgGateView SgGateView;

SgGateView *sg_gate_view_new(gboolean json);
void sg_gate_view_free(SgGateView *view);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgGateView, sg_gate_view_free)

/* One event; @host, @build (FLAVOUR/TYPE/ID) and @detail may be NULL.
 * @seconds < 0 when it has no duration. */
void sg_gate_view_event(SgGateView *view, const gchar *event, const gchar *host, const gchar *build,
			const gchar *detail, gdouble seconds);
/* A row for a test starting now on @host; its progress feeds the row (and
 * "phase" events). Free the progress, then remove the row, when it ends. */
SgProgress *sg_gate_view_add_row(SgGateView *view, const gchar *host, const gchar *build);
void sg_gate_view_remove_row(SgGateView *view, SgProgress *progress);

G_END_DECLS
