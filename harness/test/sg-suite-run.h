#pragma once

#include <gio/gio.h>

#include "sg-flavour.h"
#include "sg-lab.h"
#include "sg-progress.h"
#include "sg-result.h"
#include "sg-suite-guest.h"

G_BEGIN_DECLS

/* One downstream suite on the installed disk. */
typedef struct {
	SgLab *lab;
	const SgSuite *suite;
	const SgFlavour *flavour;
	/* The installed disk, a local qcow2 file: the read-only base of the
	 * suite's own overlay, which is made in the lab's scratch folder and
	 * deleted afterwards. */
	const gchar *base;
	const SgSuiteExpect *expect;
	/* The run's evidence folder: the suite's goes in suites/NAME/
	 * (console.log, NAME.tap, screenshot.png). */
	const gchar *evidence_dir;
	gboolean use_kvm;
	GCancellable *cancellable;
	SgProgress *progress; /* NULL: none */
} SgSuiteRunSpec;

typedef void (*SgSuiteRunDone)(SgSuiteResult *suite, gpointer user_data);

/*
 * Runs the suite on the main loop: a fresh overlay of the base, the suite
 * put into it with libguestfs, a boot of it with the results channel
 * (SG_SUITE_CHANNEL) read over the connection; it ends when the TAP is
 * complete, when no plan came within StartSeconds or when Seconds passed;
 * then the guest is destroyed and the fallback TAP file read from the
 * overlay, and the longer of the two is judged into @suite (verdict,
 * reason without the suite's name, plan, cases, evidence). Trouble of the
 * harness or the lab is an error of the suite. @done runs on the main loop.
 * Only a lab on this machine (local media) can run suites for now.
 */
void sg_suite_run_async(const SgSuiteRunSpec *spec, SgSuiteResult *suite, SgSuiteRunDone done,
			gpointer user_data);

/* Gives @result its verdict from its suites (unless decided): a failing
 * gating suite fails it ("suite NAME: ..."; an error of one is an error),
 * an advisory one is only added to @passed ("; advisory suite NAME fail:
 * ..."), as are the names of the suites that passed. */
void sg_suite_run_judge(SgResult *result, GString *passed);

/* `smokegate suite run`: suites on a kept installed disk, no install. */
typedef struct {
	const gchar *disk;    /* installed.qcow2 */
	const gchar *flavour; /* its flavour's name */
	const gchar *const *suites;
	const gchar *suites_dir;   /* or NULL */
	const gchar *flavours_dir; /* or NULL */
	/* The answer file the disk was installed with, whose user, hostname,
	 * time zone, locale and keyboard the suites expect; NULL: the
	 * flavour's own (its Answers=), as `test` would have used. */
	const gchar *answers;
	const gchar *evidence_dir; /* NULL: ./smokegate-evidence/suites-TIME */
	const gchar *connect_uri;  /* NULL: the embedded driver */
	gboolean use_kvm;
} SgSuiteDiskOptions;

/* Runs the suites one after the other on overlays of @options->disk and
 * writes result.json; from a thread other than the main loop's (see
 * sg_worker_run()). NULL with SG_ERROR_USAGE for bad input (no such disk,
 * unknown flavour or suite); anything else is a verdict. */
SgResult *sg_suite_run_disk(const SgSuiteDiskOptions *options, SgProgress *progress,
			    GCancellable *cancellable, GError **error);

G_END_DECLS
