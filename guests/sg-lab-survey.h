#pragma once

#include <json-glib/json-glib.h>

#include "sg-lab-config.h"

G_BEGIN_DECLS

/*
 * What a lab host is and holds now, asked over a read-only libvirt
 * connection of its own: nothing is created, started or removed there. For
 * `smokegate lab`, and for the gate and the runner to know a host's room.
 * The default host (no URI) is an embedded driver of this process: it shows
 * no guest of other processes, and has no pool (its media are local files).
 *
 * A host that cannot be reached is a survey too (reachable FALSE, with
 * libvirt's message), never an error: a lab with a host down still works.
 * libvirt has no connection timeout (a filtered port or a hung ssh would
 * wait for the kernel's TCP timeout), so the survey runs in a thread of its
 * own and gives up after @timeout_ms; the thread is left to end by itself.
 */
#define SG_LAB_SURVEY_TIMEOUT_MS 15000

/* An ISO in the host's cache: volume <sha256>.iso whose <sha256>.ok marker
 * exists (see sg-media.h). */
typedef struct {
	gchar *sha256;
	guint64 size; /* bytes */
} SgLabCachedImage;

/* An active domain of smokegate's (named smokegate-...), from any coordinator. */
typedef struct {
	gchar *name;
	gchar *state; /* running, paused, blocked, shutdown, crashed, ... */
} SgLabGuest;

typedef struct {
	gchar *name;	      /* the host's name in the lab file */
	gchar *uri;	      /* NULL: the default connection (embedded driver) */
	gboolean reachable;   /* the fields below @problem are set only when TRUE */
	gchar *problem;	      /* why it is not reachable, else NULL */
	guint milliseconds;   /* how long the survey took */
	guint max_guests;     /* from the lab file */
	guint vcpus_cap;      /* VCPUs= (0: none) */
	guint memory_cap_mib; /* MemoryMiB= (0: none) */

	gchar *hostname; /* the host's own name for itself */
	/* The host's own architecture (Debian's name, from its capabilities'
	 * <host><cpu><arch>), NULL when it is none smokegate knows; and the
	 * architectures its guests may be: the lab file's Arches=, else it. */
	gchar *arch;
	GStrv arches;
	gchar *accel;		   /* "kvm" or "tcg" */
	gchar *accel_reason;	   /* why */
	gboolean accel_known;	   /* FALSE: the host offers KVM, no probe has
				      said yet whether it runs a guest */
	guint cpus;		   /* the host's CPUs (virNodeGetInfo) */
	guint64 memory_mib;	   /* the host's memory */
	guint64 free_memory_mib;   /* free now (virNodeGetFreeMemory) */
	guint vcpus;		   /* for guests: VCPUs= if set, else @cpus */
	guint64 usable_memory_mib; /* for guests: MemoryMiB= if set (a budget
				      for every smokegate guest there), else
				      @free_memory_mib (running guests already
				      taken out) */
	guint running;		   /* smokegate guests active there */
	guint free_slots;	   /* @max_guests - @running, at least 0 */
	gboolean pool;		   /* the smokegate storage pool exists */
	GPtrArray *images;	   /* SgLabCachedImage, by sha256 */
	guint64 images_size;	   /* their bytes in all */
	GPtrArray *guests;	   /* SgLabGuest, by name */
} SgLabSurvey;

/* Surveys @host, waiting at most @timeout_ms for it. Never NULL. */
SgLabSurvey *sg_lab_survey_host(SgLabHost *host, guint timeout_ms);
/* Surveys every host of @config at once: SgLabSurvey in the file's order,
 * all within @timeout_ms. */
GPtrArray *sg_lab_survey_all(SgLabConfig *config, guint timeout_ms);
/* Whether the host's cache holds the image of SHA-256 @sha256. */
gboolean sg_lab_survey_has_image(SgLabSurvey *survey, const gchar *sha256);
/* The survey as a JSON object (what `smokegate lab --json` prints per host). */
JsonNode *sg_lab_survey_to_json(SgLabSurvey *survey);
void sg_lab_survey_free(SgLabSurvey *survey);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgLabSurvey, sg_lab_survey_free)

G_END_DECLS
