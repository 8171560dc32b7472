#pragma once

#include <gio/gio.h>

#include "sg-boot-driver.h"
#include "sg-console.h"
#include "sg-desktop-screen.h"
#include "sg-domain-xml.h"
#include "sg-plan.h"
#include "sg-progress.h"
#include "sg-result.h"

G_BEGIN_DECLS

/*
 * One guest phase of a test: a transient guest started paused, its console
 * read by the phase's judge (sg-console.h) through a watch (sg-watch.h),
 * and what ends it. The phase tells its outcome through a callback; the
 * run (sg-test-run.c) turns that into the result and then stops the phase.
 */

/* What ends a phase that goes well. */
typedef enum {
	/* The guest powers itself off: an installer that finished. */
	SG_GUEST_PHASE_ENDS_POWER_OFF,
	/* The desktop's console markers, then (for a profile that draws one)
	 * its screen drawn; then the guest is shut down. */
	SG_GUEST_PHASE_ENDS_DESKTOP,
	/* The kernel's first line: the image booted under the firmware (a
	 * boot check). */
	SG_GUEST_PHASE_ENDS_KERNEL,
} SgGuestPhaseEnd;

typedef struct _SgGuestPhaseSpec SgGuestPhaseSpec;

/* One kind of guest phase, as data: install, boot and live differ only in
 * this. */
typedef struct {
	const gchar *name;
	SgConsolePhase console_phase; /* which judge reads its console */
	SgGuestPhaseEnd end;
	gsize timeout_offset; /* of the phase's limits in SgFlavour */
	gsize silence_offset;
	/* The guest it boots: kernel, disks, media, network. */
	void (*fill)(const SgGuestPhaseSpec *spec, SgDomainSpec *domain);
	/* What the guest runs, for "the installed system stopped before its
	 * desktop started"; NULL when its stopping is how it ends well. */
	const gchar *system_words;
	/* The guest boots the installed disk with its own bootloader: a
	 * console that never speaks means the disk did not boot. */
	gboolean boots_disk;
	/* Shut down cleanly at the end (its journal reaches the disk, within
	 * the profile's ShutdownSeconds=), rather than destroyed. */
	gboolean clean_shutdown;
	/* The phase's detail in result.json, and what it proved for the pass
	 * reason (NULL: nothing of its own), once it passed. */
	gchar *(*pass_detail)(const SgFlavour *flavour, SgConsole *console, gchar **proved);
} SgGuestPhaseKind;

extern const SgGuestPhaseKind sg_guest_phase_install;
extern const SgGuestPhaseKind sg_guest_phase_boot;
extern const SgGuestPhaseKind sg_guest_phase_live;
extern const SgGuestPhaseKind sg_guest_phase_boot_check;

/* Whether the phase named @name boots the installed disk (not the image). */
gboolean sg_guest_phase_boots_disk(const gchar *name);

typedef void (*SgGuestPhaseFirstBytes)(gpointer user_data);

struct _SgGuestPhaseSpec {
	const SgGuestPhaseKind *kind;
	/* The phase's name in the evidence and reasons ("bootcheck-uefi"),
	 * NULL: the kind's. */
	const gchar *name;
	const SgPlan *plan;
	/* The firmware the guest boots under, and (UEFI) its own variable
	 * store on the lab host, which the install's guest writes and the
	 * installed system's boots with. */
	SgFirmware firmware;
	const gchar *nvram;
	/* What the test adds to the kernel command line: typed after the
	 * default menu entry's own arguments at the image's bootloader, or
	 * (a direct boot) after the profile's. NULL: nothing. */
	const gchar *args;
	/* The answer server as the lab host reaches it ("HOST:PORT"), NULL:
	 * none. */
	const gchar *answers;
	const gchar *disk;	   /* install: the empty disk; boot: the overlay */
	const gchar *disk_backing; /* boot: the installed base; else NULL */
	gboolean use_kvm;
	/* The screen's picture, a file name in the evidence folder. */
	const gchar *screenshot;
	GCancellable *cancellable;
	SgProgress *progress; /* NULL: none */
	/* Called once, with the phase's user data, when the guest's console
	 * says its first bytes; NULL: not wanted. */
	SgGuestPhaseFirstBytes first_bytes;
};

/* How a phase ended. */
typedef struct {
	/* PASS: the phase passed; FAIL: the image is bad; ERROR: the phase
	 * could not judge it. */
	SgVerdict verdict;
	gchar *reason; /* with FAIL or ERROR: the verdict's reason, "PHASE: ..." */
	gchar *detail; /* what result.json says of the phase */
	gchar *proved; /* with PASS: for the pass reason, or NULL */
	/* Monotonic µs when the console showed the failure, 0 when it did not. */
	gint64 problem_seen_us;
	/* The desktop's screen as judged from its pictures, NULL when none
	 * were taken; the last picture taken (a file name in the evidence
	 * folder), NULL when none was. */
	const SgDesktopScreenReport *screen;
	const gchar *screenshot;
	/* How the guest booted through its firmware (the keys typed, the
	 * command line, the seconds to the kernel), NULL for a direct boot. */
	SgBootDriver *boot;
} SgGuestPhaseOutcome;

typedef struct _SgGuestPhase SgGuestPhase;
typedef void (*SgGuestPhaseDone)(SgGuestPhase *phase, const SgGuestPhaseOutcome *outcome,
				 gpointer user_data);
/* @screenshot: the picture taken as the guest went (a file name in the
 * evidence folder), NULL when none was taken then. */
typedef void (*SgGuestPhaseStopped)(SgGuestPhase *phase, const gchar *screenshot,
				    gpointer user_data);

/* Starts the guest of @spec->kind, paused, opens its console into
 * console-NAME.log in the evidence folder and lets it run. @done runs on
 * the main loop once the phase is decided; a guest still running then has
 * been paused, so the verdict is not kept waiting by its end. */
SgGuestPhase *sg_guest_phase_start(const SgGuestPhaseSpec *spec, SgGuestPhaseDone done,
				   gpointer user_data, GError **error);
/* After @done: takes the screen's picture (a guest that did not stop by
 * itself and whose screen was not judged), closes the console and
 * destroys the guest off the main loop; @stopped runs on the main loop
 * with the guest gone. */
void sg_guest_phase_stop(SgGuestPhase *phase, SgGuestPhaseStopped stopped, gpointer user_data);
void sg_guest_phase_free(SgGuestPhase *phase);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgGuestPhase, sg_guest_phase_free)

G_END_DECLS
