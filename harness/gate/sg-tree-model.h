#pragma once

#include "sg-build-record.h"

G_BEGIN_DECLS

/*
 * The image tree (sg-tree.h) as a command reads it: its image types, each
 * with its builds newest first and their records, and where `current` and
 * `pending` point. The one reader of the tree's folders and records: every
 * command reads it once, under the tree's lock, and uses it for all it
 * does under that lock (publishing, candidates, expected durations,
 * status, the status page, `lab`). Its own changes go through the model
 * (sg_tree_type_point, sg_tree_model_add_build), so it stays true while
 * the lock is held.
 */

/* A build whose record is NULL is damaged: its record does not parse, is
 * missing, is no regular file, or the build is a link (to another tree's
 * build, say) instead of a folder. @error (SG_ERROR_DAMAGED) says which.
 * Nothing acts on it; status, the page and the gate report it. */
typedef struct {
	gchar *id;
	gchar *dir;	       /* absolute */
	SgBuildRecord *record; /* NULL when damaged: @error says why */
	GError *error;
} SgTreeBuild;

typedef struct {
	gchar *flavour;
	gchar *image_type;
	gchar *path;	   /* FLAVOUR/IMAGE-TYPE */
	gchar *dir;	   /* absolute */
	gchar *current;	   /* the build id `current` points at, or NULL */
	gchar *pending;	   /* the same for `pending` */
	GPtrArray *builds; /* SgTreeBuild, newest first */
	/* What is damaged in the type's folder but its builds, one line each
	 * for people: a `current` or `pending` that points out of it (then
	 * NULL above). */
	GPtrArray *damage;
} SgTreeType;

typedef struct {
	gchar *tree;	  /* absolute */
	GPtrArray *types; /* SgTreeType, by FLAVOUR/IMAGE-TYPE in byte order */
} SgTreeModel;

/* Reads the whole tree at @tree (a folder that exists). Call it with the
 * tree's lock held. */
SgTreeModel *sg_tree_model_read(const gchar *tree);
void sg_tree_model_free(SgTreeModel *model);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgTreeModel, sg_tree_model_free)

/* Every damage of the tree, one line each for people ("FLAVOUR/TYPE/ID:
 * what; how to repair it"); empty when there is none. */
GPtrArray *sg_tree_model_damage(SgTreeModel *model);
/* The same for one image type, added to @damage. */
void sg_tree_type_add_damage(SgTreeType *type, GPtrArray *damage);
/* How to repair a damaged build, for messages. */
#define SG_TREE_REPAIR_HINT                                                                        \
	"repair it by hand: restore its smokegate.json, or move the build folder out of the "      \
	"tree; `smokegate status --check` then says whether the tree is whole"

SgTreeType *sg_tree_model_find_type(SgTreeModel *model, const gchar *flavour,
				    const gchar *image_type);
SgTreeBuild *sg_tree_type_find_build(SgTreeType *type, const gchar *build_id);
/* Reads @type again: for a command that takes the lock again after it let
 * go of it (a gate recording a verdict long after it started), when others
 * may have changed the type meanwhile. Its SgTreeBuilds are new ones. */
void sg_tree_type_reread(SgTreeType *type);

/* Points @link at @build_id atomically on disk (sg_tree_point) and in the
 * model; NULL removes the link. */
gboolean sg_tree_type_point(SgTreeType *type, const gchar *link, const gchar *build_id,
			    GError **error);
/* The id the next build of @day gets: YYYYMMDD, then .1, .2 ... */
gchar *sg_tree_type_next_build_id(SgTreeType *type, GDateTime *day);
/* A build that was just moved into the tree at FLAVOUR/IMAGE-TYPE/ID, its
 * record read, the type added when it is new; returns the type. */
SgTreeType *sg_tree_model_add_build(SgTreeModel *model, const gchar *flavour,
				    const gchar *image_type, const gchar *build_id);

G_END_DECLS
