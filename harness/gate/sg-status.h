#pragma once

#include <json-glib/json-glib.h>

#include "sg-tree-config.h"
#include "sg-tree-model.h"

G_BEGIN_DECLS

/* The whole tree as people see it (status.json's model): per flavour and
 * image type the current and pending builds, each build's state, verdict,
 * evidence, respin, oversize and yank, its downstream suites' verdicts, the
 * installed disk the tree keeps of it (sg-kept-disk.h), and whether today's
 * build is late. */
JsonNode *sg_status_from_tree(SgTreeModel *tree, SgTreeConfig *config, GDateTime *now);
/* The same, the tree read now (call it with the tree's lock held). */
JsonNode *sg_status_build_model(const gchar *tree, SgTreeConfig *config, GDateTime *now);

/* Whether the build of @now's day is missing past the configured hour. */
gboolean sg_status_daily_build_missing(SgTreeType *type, SgTreeConfig *config, GDateTime *now);

G_END_DECLS
