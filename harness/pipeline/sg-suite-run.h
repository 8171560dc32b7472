#pragma once

#include <gio/gio.h>

#include "sg-flavour.h"
#include "sg-lab.h"
#include "sg-prepare.h"
#include "sg-progress.h"
#include "sg-result.h"
#include "sg-suite-guest.h"

G_BEGIN_DECLS

/* One downstream suite on the installed disk. */
typedef struct {
	SgLab *lab;
	const SgSuite *suite;
	const SgFlavour *flavour;
	/* The installed disk as the lab host sees it (a local file, or a
	 * volume there): the read-only base of the suite's own overlay, which
	 * is made in the lab's scratch folder on the base's local copy (see
	 * sg_media_fetch_base), handed to the host (sg_media_put_overlay) and
	 * deleted afterwards. */
	const gchar *base;
	const SgSuiteExpect *expect;
	/* The run's evidence folder: the suite's goes in suites/NAME/
	 * (console.log, NAME.tap, screenshot.png). */
	const gchar *evidence_dir;
	gboolean use_kvm;
	/* The firmware the disk was installed under, and under UEFI the
	 * variable store the installer left (its boot entry): each suite guest
	 * boots under it with a copy of its own. NULL nvram: none. */
	SgFirmware firmware;
	const gchar *nvram;
	const gchar *arch; /* the guest's architecture (sg-arch.h), NULL: amd64 */
	/* Its Seconds= and StartSeconds= times this, and @emulation said when
	 * time ran out: the plan's (sg-plan.h); 0 counts as 1. */
	gdouble limit_factor;
	const gchar *emulation;
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
 * On a lab host the fallback TAP is read from the overlay volume, downloaded.
 */
void sg_suite_run_async(const SgSuiteRunSpec *spec, SgSuiteResult *suite, SgSuiteRunDone done,
			gpointer user_data);

typedef void (*SgSuiteRunAllDone)(gpointer user_data);

/* How many suites of one build run at once on @lab now: the room
 * sg_lab_room_guests() gives guests of @flavour (@max_guests: the lab
 * file's MaxGuests= for the host, 0 when no lab file describes it). */
guint sg_suite_run_room(SgLab *lab, guint max_guests, const SgFlavour *flavour);
/* Runs each of @suites (SgSuite) that applies to @spec->flavour, in their
 * order, at most @at_once at a time (each as sg_suite_run_async with @spec,
 * its suite set), each on its own overlay; the others are noted as not
 * run. Every suite's result is begun in @result as it starts, so @result
 * lists them in @suites' order whatever order they end in. No more start
 * once @spec->cancellable is cancelled. @done runs on the main loop when
 * the last one ended. */
void sg_suite_run_all_async(const SgSuiteRunSpec *spec, GPtrArray *suites, guint at_once,
			    SgResult *result, SgSuiteRunAllDone done, gpointer user_data);

/* The plan's selected suites on @base (the installed disk as the lab host
 * sees it), as many at once as the host has room for now
 * (sg_suite_run_room), as sg_suite_run_all_async() runs them. */
void sg_suite_run_plan_async(const SgPlan *plan, const gchar *base, gboolean use_kvm,
			     GCancellable *cancellable, SgProgress *progress, SgResult *result,
			     SgSuiteRunAllDone done, gpointer user_data);

/* The verdict @suites (SgSuiteResult) give: the first failing gating
 * suite's (FAIL, or ERROR for an error of one), with @reason "suite NAME:
 * ..."; else PASS. An advisory suite's failure is only added to @passed
 * ("; advisory suite NAME fail: ..."), as are the names of the suites that
 * passed. */
SgVerdict sg_suite_run_judge(GPtrArray *suites, GString *passed, gchar **reason);

/* `smokegate suite run`: suites on a kept installed disk, no install. It is
 * told what a test is told (sg-prepare.h), the disk as @options->image
 * (test --keep-disk's installed.qcow2, or the gate's), its flavour, the
 * suites (both required) and the answer file it was installed with, whose
 * user, hostname, time zone, locale and keyboard the suites expect (NULL:
 * the flavour's own, as `test` would have used); a NULL evidence folder is
 * ./smokegate-evidence/suites-TIME. --accel auto is the KVM probe's answer
 * for the host when one has run there, else TCG.
 *
 * Runs the suites on overlays of the disk, as many at once as the host
 * has room for (sg_suite_run_room), and writes result.json, on the main
 * loop. Its inputs are checked as `test` checks them
 * (sg_prepare_check_inputs). On a lab host the disk is uploaded as a
 * volume first. NULL with SG_ERROR_USAGE for bad input (no such disk,
 * unknown flavour or suite); anything else is a verdict. @callback runs
 * once every guest and volume is gone. */
void sg_suite_run_disk_async(const SgTestOptions *options, SgProgress *progress,
			     GCancellable *cancellable, GAsyncReadyCallback callback,
			     gpointer user_data);
SgResult *sg_suite_run_disk_finish(GAsyncResult *result, GError **error);

G_END_DECLS
