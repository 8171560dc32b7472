#pragma once

#include <gio/gio.h>

#include "sg-plan.h"

G_BEGIN_DECLS

/* What a test of one image is told (the command line, or the gate). */
typedef struct {
	const gchar *image;
	const gchar *flavour;	   /* NULL: tell it from the image */
	const gchar *answers;	   /* NULL: the flavour's own answer file */
	const gchar *connect_uri;  /* NULL: embedded QEMU driver */
	const gchar *evidence_dir; /* NULL: a new folder under ./smokegate-evidence */
	const gchar *flavours_dir; /* extra drop-in profiles */
	const gchar *accel;	   /* "auto", "kvm" or "tcg" */
	/* "firmware" or "direct" (--boot), NULL: the profile's Method=. */
	const gchar *boot;
	/* "uefi-secureboot;bios" (--firmware): the firmware the image must
	 * boot under, in place of the profile's Firmware= and ReportFirmware=;
	 * NULL: the profile's. */
	const gchar *firmware;
	/* The image's architecture (--arch, Debian's name), in place of the
	 * profile's [Guest] Arch=; NULL: the profile's, else the image's. */
	const gchar *arch;
	/* Downstream suites to run on the installed disk after the smoke
	 * test passed (names; NULL or empty: none); an unknown name is a
	 * usage error. */
	const gchar *const *suites;
	const gchar *suites_dir; /* --suites-dir, or NULL */
	/* Also the suites the flavour's profile lists ([Flavour] Suites=), as
	 * the gate runs them. */
	gboolean profile_suites;
	/* Keep the installed disk (the base, as the installer left it) as
	 * installed.qcow2 in the evidence folder. */
	gboolean keep_disk;
	/* The lab file's MaxGuests= for the host, which bounds how many suites
	 * run at once (sg_suite_run_room); 0: no lab file describes it. */
	guint max_guests;
	/* The lab file's EmulationFactor= for the host; 0: the profile's. */
	gdouble emulation_factor;
} SgTestOptions;

/*
 * Prepare: from what the test is told to its plan (sg-plan.h), in four
 * stages. Each fails with SG_ERROR_USAGE for bad input (the caller's to
 * fix: nothing is judged), SG_ERROR_IMAGE when the image is bad, or
 * another code when the test cannot be prepared.
 */

/* The command line, checked before any work: the image (or disk) is a
 * regular file; --flavours-dir, --answers and --accel are usable; every
 * named flavour and suite exists; the evidence folder is made. A new
 * plan with what these decide. `suite run` checks its inputs here too. */
SgPlan *sg_prepare_check_inputs(const SgTestOptions *options, GError **error);
/* The image's size, SHA-256 and what it says about itself: the flavour
 * that judges it (named, told from .disk/info or the volume id, or a
 * generic profile of the family its layout shows, which then boots the
 * kernel and initrd found there). */
gboolean sg_prepare_identify(SgPlan *plan, GError **error);
/* The answer file (--answers, else the flavour's), the user it creates,
 * the suites to run (with the profile's Suites= when
 * @options->profile_suites) and what they will check. */
gboolean sg_prepare_answers(SgPlan *plan, const SgTestOptions *options, GError **error);
/* How the image boots: its own bootloaders read from it, the firmware
 * matrix, the method (a direct boot when asked for, or when the image's
 * menu boots without reading a key), and how the answer file reaches the
 * installer. */
gboolean sg_prepare_boot(SgPlan *plan, const SgTestOptions *options, GError **error);
/* The lab host and the files its guests boot: kernels and initrds read
 * out of the image, the answers put where the installer reads them, all
 * handed to the host (the image once per host). */
gboolean sg_prepare_media(SgPlan *plan, const SgTestOptions *options, GCancellable *cancellable,
			  GError **error);

/* Whether a lab host of @host_arch (Debian's name; NULL: unknown) emulates
 * the plan's guests, and if so how much longer their limits are: the plan's
 * emulation and limit_factor. Part of sg_prepare_media(). */
void sg_prepare_emulation(SgPlan *plan, const SgTestOptions *options, const gchar *host_arch);

/* The four stages on a thread. The plan, or NULL with SG_ERROR_USAGE for
 * bad input found before anything was judged; any other trouble is the
 * plan's problem (what was learnt before it stays in the plan). */
void sg_prepare_async(const SgTestOptions *options, GCancellable *cancellable,
		      GAsyncReadyCallback callback, gpointer user_data);
SgPlan *sg_prepare_finish(GAsyncResult *result, GError **error);

G_END_DECLS
