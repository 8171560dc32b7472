#pragma once

#include "sg-publish.h"

G_BEGIN_DECLS

/* A flavour whose build of the day did not appear by the tree's ExpectedBy
 * hour is told once a day (a marker in the tree's state folder says it
 * was): the build probably failed to build. Only the flavours of
 * @flavours (NULL: all); @tree read under the tree's lock. */
void sg_gate_announce_missing_builds(SgPublisher *publisher, SgTreeModel *tree,
				     const gchar *const *flavours, GDateTime *now);

G_END_DECLS
