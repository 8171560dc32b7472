#pragma once

#include "sg-gate-candidates.h"
#include "sg-gate.h"
#include "sg-publish.h"
#include "sg-result.h"

G_BEGIN_DECLS

/*
 * What a gate writes into the tree as its tests end: verdicts, with
 * `current` moved and the trackers told, and the traces of attempts that
 * will be tried again. The writes are queued and made together under one
 * hold of the tree's lock, its wait a thread's, never the main loop's; the
 * image types they touch are read again first (sg_tree_type_reread), since
 * a person may have changed them while the tests ran.
 *
 * A verdict is recorded before `current` moves: current never points at a
 * build whose record does not say it passed. Only judged tests predict how
 * long the next one takes. The first change to the tree that fails (a full
 * filesystem) is kept (later ones are warnings): the gate starts no
 * further test then, and fails with it.
 */
typedef struct _SgGateRecorder SgGateRecorder;

/* The summary's counts are the recorder's to keep; @on_verdict (may be
 * NULL) is called after each verdict is saved. */
SgGateRecorder *sg_gate_recorder_new(SgPublisher *publisher, SgTreeModel *tree,
				     SgGateSummary *summary, SgGateVerdictFunc on_verdict,
				     gpointer user_data);
void sg_gate_recorder_free(SgGateRecorder *recorder);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgGateRecorder, sg_gate_recorder_free)

/* The verdict of @candidate's last attempt, on @host (NULL: none took it):
 * @result's (taken), or an error saying @failure when there is no result.
 * A fail or pass is counted and announced; an error counted, and raised as
 * a lab problem after the tree's MaxErrors in a row. */
void sg_gate_recorder_add_verdict(SgGateRecorder *recorder, const SgCandidate *candidate,
				  SgResult *result, const gchar *failure, const gchar *host);
/* An attempt that will be tried again: a trace in the build's record, but
 * no verdict and no count. */
void sg_gate_recorder_add_retry(SgGateRecorder *recorder, const SgCandidate *candidate,
				const gchar *why);

/* Calls @done on the caller's main loop once everything added so far is
 * written (at once when nothing waits). */
void sg_gate_recorder_flush(SgGateRecorder *recorder, GSourceFunc done, gpointer user_data);
/* The first change to the tree that failed, or NULL. */
const GError *sg_gate_recorder_get_tree_error(SgGateRecorder *recorder);
/* Keeps @error as the first failed change to the tree (or warns of it when
 * one is kept already); takes it. */
void sg_gate_recorder_keep_tree_error(SgGateRecorder *recorder, GError *error);

G_END_DECLS
