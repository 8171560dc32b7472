#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* What happened to one build, kept in BUILD/smokegate.json: its state and
 * every event (staged, verdicts, marks, yanks) with who, when and why. */
typedef enum {
	SG_BUILD_UNTESTED, /* staged, no verdict yet (errors are retried) */
	SG_BUILD_PASSED,
	SG_BUILD_FAILED,
	SG_BUILD_MARKED_CURRENT, /* a person's override */
	SG_BUILD_YANKED,
} SgBuildState;

typedef struct {
	gchar *what;
	gchar *who;
	gchar *when;
	gchar *why;
} SgBuildEvent;

typedef struct {
	gchar *dir;
	SgBuildState state;
	gchar *image; /* file name of the ISO in the build folder */
	gchar *sha256;
	guint64 size;
	gboolean oversized;
	gboolean respin;
	gchar *verdict; /* of the last test: pass, fail, error */
	gchar *reason;
	guint errors;	      /* tests in a row that could not judge the build */
	gchar *host;	      /* the lab host the last verdict came from */
	gchar *arch;	      /* the architecture its guests ran (Debian's name) */
	gdouble test_seconds; /* how long the last judged test took, 0 unknown */
	GPtrArray *events;    /* SgBuildEvent */
} SgBuildRecord;

SgBuildRecord *sg_build_record_new(const gchar *build_dir);
/* BUILD/smokegate.json */
gchar *sg_build_record_path(const gchar *build_dir);
/* A build folder without a record (made by hand) loads as untested. */
SgBuildRecord *sg_build_record_load(const gchar *build_dir, GError **error);
gboolean sg_build_record_save(SgBuildRecord *record, GError **error);
void sg_build_record_free(SgBuildRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgBuildRecord, sg_build_record_free)

void sg_build_record_add_event(SgBuildRecord *record, const gchar *what, const gchar *why);
const gchar *sg_build_state_to_string(SgBuildState state);
/* Whether the build may be what `current` points at. */
gboolean sg_build_state_is_good(SgBuildState state);
/* "user@host": who did it, for the records. */
gchar *sg_build_who(void);
JsonNode *sg_build_event_to_json(const SgBuildEvent *event);
/* Adds "events": [...] (oldest first) to the object @builder is in. */
void sg_build_record_add_events(JsonBuilder *builder, const SgBuildRecord *record);

G_END_DECLS
