#pragma once

#include "sg-family.h"
#include "sg-firmware.h"

G_BEGIN_DECLS

/* [Boot ARCH] of a profile: Firmware= and ReportFirmware= for its images of
 * ARCH (Debian's name). */
typedef struct {
	gchar *arch;
	GArray *firmware;	 /* SgFirmware, never empty */
	GArray *report_firmware; /* SgFirmware */
} SgFlavourArchBoot;

/* A flavour profile (guests/flavours/NAME.conf): how to boot, answer,
 * size and judge one flavour's images. Defaults live in sg-flavour.c. */
typedef struct {
	gchar *name;
	gchar *path;
	gchar *description;
	SgFamily family;
	gchar *disk_info_pattern; /* glob on .disk/info, for detection */
	gchar *volume_id_pattern; /* glob on the ISO volume id */
	gboolean plan_install;	  /* answer-file install, reboot, desktop */
	gboolean plan_live;	  /* the live session to its desktop */
	gchar *era;		  /* "today" or "2013", for people */
	/* What of this profile was checked against a real image's console
	 * ([Flavour] Verified=), NULL when its markers are assumed. */
	gchar *verified;
	/* A stand-in for a whole installer family, chosen by the image's
	 * layout when no profile knows the image ([Flavour] Generic=true). */
	gboolean generic;
	/* [Boot] Method=direct: the kernel and initrd below are booted
	 * directly (an image without a bootloader; the verdict says so);
	 * else the image boots through its firmware and its own bootloader. */
	gboolean boot_direct;
	/* [Boot] Firmware=: what the image must boot under (SgFirmware), the
	 * first for the whole test, each other for a boot check; never empty.
	 * [Boot] ReportFirmware=: boot-checked and reported, not required. */
	GArray *firmware;
	GArray *report_firmware;
	gchar *kernel; /* installer boot: path inside the ISO */
	gchar *initrd;
	gchar *kernel_args;
	gchar *answers;	    /* file name in preseed/ */
	gchar *live_kernel; /* live session boot */
	gchar *live_initrd;
	gchar *live_kernel_args;
	gchar *live_user;
	gboolean needs_mirror; /* the install needs a package mirror */
	gchar *mirror;	       /* http://HOST[:PORT] the guest's 10.0.2.100:80 leads to */
	/* The architectures of the images it judges ([Guest] Arch=, Debian's
	 * names: "amd64;arm64"), NULL: whatever the image says; @arch is the
	 * first, for an image that says none. */
	gchar *arch;
	GStrv arches;
	/* [Boot ARCH] (SgFlavourArchBoot): the firmware of its images of that
	 * architecture, in place of [Boot]'s (sg_flavour_use_arch()). */
	GPtrArray *arch_boot;
	guint memory_mib;
	guint vcpus;
	guint disk_gib;
	guint64 size_limit;
	gchar *display_manager;
	gchar *session;
	gchar **console_markers; /* regexes proving the desktop came up */
	/* The processes the desktop's shell is made of, as the kernel names
	 * them ([Desktop] Shell=: "unity-panel-service", "compiz"), which the
	 * desktop-session suite finds running; never NULL. */
	gchar **shell;
	/* The downstream suites the gate runs on this flavour's installed disk
	 * ([Flavour] Suites=), never NULL. */
	gchar **suites;
	/* The desktop must also be drawn on the screen (a flavour with a
	 * display manager, unless [Desktop] DrawnDesktop=false). */
	gboolean drawn_desktop;
	guint draw_seconds;	/* how long after the markers it may take to draw */
	guint shutdown_seconds; /* grace for a clean shutdown before destroy */
	/* From power-on to the kernel's first line, through the firmware and
	 * the bootloader's menu ([Timeouts] BootloaderSeconds=). */
	guint bootloader_seconds;
	guint install_seconds;
	guint install_silence_seconds;
	guint boot_seconds;
	guint boot_silence_seconds;
	guint live_seconds;
	guint live_silence_seconds;
	/* What every limit above is multiplied by for a guest the lab host
	 * emulates ([Timeouts] EmulationFactor=; the lab file's host key
	 * overrides it): see sg-emulation.h. */
	gdouble emulation_factor;
} SgFlavour;

void sg_flavour_free(SgFlavour *flavour);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgFlavour, sg_flavour_free)

SgFlavour *sg_flavour_load_file(const gchar *path, GError **error);
/* The profile as it judges an image of @arch (Debian's name): its [Boot
 * ARCH] firmware in place of [Boot]'s, when it has that group. */
void sg_flavour_use_arch(SgFlavour *flavour, const gchar *arch);
/* Loads every *.conf of @dirs in order; a later file overrides an earlier
 * one of the same name. Missing folders are skipped. */
GPtrArray *sg_flavour_load_dirs(const gchar *const *dirs, GError **error);
/* Loads the profiles every command reads: the shipped ones, then
 * SG_PATHS_SYSTEM_FLAVOURS, then @flavours_dir (--flavours-dir, or NULL). */
GPtrArray *sg_flavour_load_all(const gchar *flavours_dir, GError **error);
SgFlavour *sg_flavour_find(GPtrArray *flavours, const gchar *name);
/* The flavour whose patterns match the image's own words, or NULL.
 * Patterns are globs matched without regard to case: real volume ids
 * vary in case from one release to the next. */
SgFlavour *sg_flavour_detect(GPtrArray *flavours, const gchar *disk_info, const gchar *volume_id);
/* The generic profile of @family, or NULL when none is loaded. */
SgFlavour *sg_flavour_find_generic(GPtrArray *flavours, SgFamily family);
/* Parses "uefi-secureboot;uefi;bios" (a profile's Firmware=, --firmware)
 * into SgFirmware values, each once; NULL with SG_ERROR_USAGE naming the
 * word that is not a firmware. */
GArray *sg_flavour_parse_firmware(const gchar *const *words, GError **error);
/* "ubuntu, kubuntu, ..." for messages. */
gchar *sg_flavour_list_names(GPtrArray *flavours);

G_END_DECLS
