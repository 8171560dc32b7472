#pragma once

#include "sg-publish.h"

G_BEGIN_DECLS

/*
 * What a gate killed in the middle of its work left, finished by the next
 * gate before it tests anything, under the tree's lock (@tree read under
 * it). A writer killed between its temporary file and the rename left the
 * temporary in the tree, where mirrors would copy it: the real files are
 * whole, the temporaries go (every flavour's: the lock covers the whole
 * tree). A gate killed between recording a pass and moving `current` (the
 * record goes first, see sg-gate-record.h) left a passed build newer than
 * current that no gate tests again: current moves to it now, as that gate
 * would have, unless a person changed current since the pass (only in the
 * flavours of @flavours; NULL: all).
 */
void sg_gate_resume(SgPublisher *publisher, SgTreeModel *tree, const gchar *const *flavours);

G_END_DECLS
