#pragma once

#include <gio/gio.h>

#include "sg-boot-menu.h"
#include "sg-firmware.h"
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
	/* A kernel of the image for the KVM probe's small guest (through the
	 * firmware no phase boots one directly). */
	gchar *probe_kernel;
} SgPlanMedia;

/* How the test's guests boot the image. */
typedef enum {
	/* Through the firmware, from its El Torito entries, and its own
	 * bootloader, the test's arguments typed at its menu. */
	SG_BOOT_METHOD_FIRMWARE,
	/* Its kernel and initrd read out of it and booted directly, the answer
	 * file in the initrd: asked for (--boot direct, [Boot] Method=direct),
	 * or the image's menu boots without reading a key. */
	SG_BOOT_METHOD_DIRECT,
} SgBootMethod;

/* One firmware of the image's matrix. */
typedef struct {
	SgFirmware firmware;
	gboolean required; /* a failure under it fails the image */
	/* Why the image is not booted under it, NULL when it is: an image of
	 * an architecture that firmware cannot start (i386 under x64 UEFI). */
	gchar *not_applicable;
	/* UEFI: the variable store of the guests under it, on the lab host
	 * (its empty template's copy), NULL for BIOS. */
	gchar *nvram;
} SgFirmwareEntry;

/* Where the installer finds its answer file. */
typedef enum {
	SG_ANSWERS_NONE,
	SG_ANSWERS_INITRD, /* /preseed.cfg appended to the initrd (a direct boot) */
	SG_ANSWERS_URL,	   /* url= to the run's answer server (d-i, ubiquity) */
	SG_ANSWERS_CIDATA, /* a NoCloud CIDATA CD (subiquity) */
} SgAnswersDelivery;

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
	/* How the image boots, and why when not through its firmware. */
	SgBootMethod boot_method;
	gchar *boot_method_reason;
	/* The firmware matrix (SgFirmwareEntry): the first applicable required
	 * one gets the whole test, each other applicable one a boot check. */
	GArray *firmwares;
	/* What the image's own bootloaders do (read from it), NULL with a
	 * direct boot asked for. */
	SgBootMenu *boot_menu;
	/* The architecture the guests are (Debian's name: "amd64", "arm64"),
	 * and what said so: the image (".disk/info", "its name", "its EFI
	 * loaders"), --arch, the profile's Arch=, or nothing ("assumed"). */
	gchar *arch;
	gchar *arch_source;
	/* "arm64 on an x86_64 host" when the lab host emulates the guests'
	 * architecture (sg-emulation.h), NULL when it runs them as its own;
	 * then every time limit is multiplied by @limit_factor (1 when native:
	 * the lab file's EmulationFactor= for the host, else the profile's). */
	gchar *emulation;
	gdouble limit_factor;
	/* The installer's kernel and initrd where the image's own layout puts
	 * them (sg-iso.c: /install.a64/, Debian ppc64el's /install/vmlinux),
	 * when that layout is of the profile's family; else NULL. A direct boot
	 * of an image that is not amd64 boots these: profiles name amd64's. */
	gchar *layout_kernel;
	gchar *layout_initrd;
	/* How the answer file reaches the installer; with SG_ANSWERS_URL the
	 * answer file's keys that the installer needs before it can fetch it
	 * (its network's own: netcfg/), given on the kernel command line. */
	SgAnswersDelivery answers_delivery;
	gchar *answers_cmdline;
	/* Why the plan cannot be carried out, NULL when it can: SG_ERROR_IMAGE
	 * when the image is bad (a fail), any other code when the test could
	 * not be prepared (an error). What was learnt before it stays. */
	GError *problem;
} SgPlan;

SgPlan *sg_plan_new(void);
void sg_plan_free(SgPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgPlan, sg_plan_free)

/* The firmware the whole test runs under (the first applicable required
 * one), NULL when none applies. */
const SgFirmwareEntry *sg_plan_main_firmware(const SgPlan *plan);
/* The image's bootloader under @firmware, NULL when it has none there. */
const SgBootLoader *sg_plan_loader(const SgPlan *plan, SgFirmware firmware);

/* A limit of the profile (@seconds) as the plan's guests get it: longer
 * under emulation. */
guint sg_plan_limit(const SgPlan *plan, guint seconds);
/* " (under emulation, arm64 on an x86_64 host)" for a reason that says time
 * ran out, "" when the guests run natively. */
gchar *sg_plan_emulation_words(const SgPlan *plan);

/* @name in the plan's evidence folder. */
gchar *sg_plan_evidence_path(const SgPlan *plan, const gchar *name);

G_END_DECLS
