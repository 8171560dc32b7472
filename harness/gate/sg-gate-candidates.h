#pragma once

#include "sg-tree-model.h"

G_BEGIN_DECLS

/* A staged build a gate will test: what it needs of the tree, copied, so
 * that the model can be read again while the test runs. */
typedef struct {
	gchar *flavour;
	gchar *image_type;
	gchar *build_id;
	gchar *dir;
	gchar *image; /* the ISO's file name in @dir */
	gchar *label; /* FLAVOUR/TYPE/BUILD */
	/* What the last judged tests of the image type predict of this one
	 * (their median), or a long time when none was judged. */
	gdouble expected_seconds;
} SgCandidate;

void sg_candidate_free(SgCandidate *candidate);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgCandidate, sg_candidate_free)

/* Whether @flavour is one the gate was asked for (NULL: every flavour). */
gboolean sg_gate_flavour_selected(const gchar *const *flavours, const gchar *flavour);
/* The untested builds of @tree's selected flavours, oldest first, so that
 * when several pass the newest ends up current. */
GPtrArray *sg_gate_candidates_find(SgTreeModel *tree, const gchar *const *flavours);
/* The guest @flavour's builds need: its profile's (of @profiles, by the
 * tree's folder name), else the profiles' own default. */
void sg_gate_guest_size(GPtrArray *profiles, const gchar *flavour, guint *memory_mib, guint *vcpus);

G_END_DECLS
