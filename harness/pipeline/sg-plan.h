#pragma once

#include <gio/gio.h>

#include "sg-flavour.h"
#include "sg-lab.h"
#include "sg-suite-guest.h"

G_BEGIN_DECLS

/* How the guests run: decided by --accel, or asked of the lab host. */
typedef enum {
	SG_ACCEL_AUTO, /* the run's kvm-probe step asks the lab host */
	SG_ACCEL_KVM,
	SG_ACCEL_TCG,
} SgAccel;

/* "--accel must be auto, kvm or tcg" (SG_ERROR_USAGE) unless @name is one. */
gboolean sg_accel_from_string(const gchar *name, SgAccel *accel, GError **error);

/* The files the test's guests are handed, as the lab host sees them (local
 * files on the embedded driver, storage volumes on any other connection);
 * NULL when the flavour's plans need none. */
typedef struct {
	gchar *image;
	gchar *kernel;
	gchar *initrd; /* with the answer file in it (d-i, ubiquity) */
	gchar *live_kernel;
	gchar *live_initrd;
	gchar *cidata; /* subiquity's answers as a NoCloud volume */
} SgPlanMedia;

/*
 * What prepare (sg-prepare.h) decided for one test of one image: nothing
 * else decides these, and after prepare nothing changes them. The run
 * (sg-test-run.c) reads it and writes the result.
 */
typedef struct {
	/* The image (canonical path) and its identity. */
	gchar *image;
	gchar *sha256;
	guint64 size;
	/* Every profile known, and the one that judges the image (one of
	 * them): named, told from the image, or a family's generic profile,
	 * which then boots the kernel and initrd its layout names. */
	GPtrArray *flavours;
	SgFlavour *flavour;
	/* With a generic profile: what would judge the image precisely. */
	gchar *generic_hint;
	/* The answer file, its text and the user it creates; NULL without one
	 * (and for a flavour that does not install). */
	gchar *answers_path;
	gchar *answers;
	gchar *username;
	/* The downstream suites: every one known, those to run after a passing
	 * install (NULL: none), and what they check (from the answers). */
	GPtrArray *suites;
	GPtrArray *selected;
	SgSuiteExpect *expect;
	gchar *evidence_dir; /* made */
	gboolean keep_disk;  /* the installed disk goes into the evidence */
	/* The lab host: open (closing it removes every guest and volume of
	 * the test), its MaxGuests= (0: no lab file describes it), and what
	 * was put there. */
	SgLab *lab;
	guint max_guests;
	SgPlanMedia media;
	/* Bytes of the image sent to the host: 0 when it had it cached, -1
	 * when it reads local files. */
	gint64 image_uploaded_bytes;
	gchar *mirror; /* HOST:PORT of the install's package mirror, or NULL */
	SgAccel accel;
	/* Why the plan cannot be carried out, NULL when it can: SG_ERROR_IMAGE
	 * when the image is bad (a fail), any other code when the test could
	 * not be prepared (an error). What was learnt before it stays. */
	GError *problem;
} SgPlan;

SgPlan *sg_plan_new(void);
void sg_plan_free(SgPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgPlan, sg_plan_free)

/* @name in the plan's evidence folder. */
gchar *sg_plan_evidence_path(const SgPlan *plan, const gchar *name);

G_END_DECLS
