#pragma once

#include "sg-flavour.h"
#include "sg-suite.h"

G_BEGIN_DECLS

/* Where a suite lives in the guest (guests/suites/README.md). */
#define SG_SUITE_GUEST_DIR "/var/lib/smokegate/suites"
#define SG_SUITE_GUEST_LOG "/var/log/smokegate"
/* The virtio-serial port's name (the domain's channel target name). */
#define SG_SUITE_CHANNEL "org.smokegate.results.0"

/* How the installed system starts its services: a RunAs=root suite is a
 * systemd unit or, on 2013-era images, an upstart job. */
typedef enum {
	SG_GUEST_INIT_SYSTEMD,
	SG_GUEST_INIT_UPSTART,
	/* Neither (busybox init, sysvinit): /etc/rc.local, which such boots
	 * run last (the suite's overlay only; the image's own is replaced). */
	SG_GUEST_INIT_RC_LOCAL,
} SgGuestInit;

/* What the suites learn from the harness, written to lib/expect.env; a
 * NULL field is left out and the checks that need it skip. */
typedef struct {
	gchar *flavour;
	gchar *user;
	gchar *hostname;
	gchar *timezone;	/* "Europe/Paris" */
	gchar *locale;		/* "en_US.UTF-8" */
	gchar *keyboard;	/* the XKB layout, "us" */
	gchar *shell_processes; /* "unity-panel-service compiz" */
} SgSuiteExpect;

void sg_suite_expect_free(SgSuiteExpect *expect);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgSuiteExpect, sg_suite_expect_free)

/* The flavour's name and shell ([Desktop] Shell=) and what @answers (the
 * answer file's contents, read for @flavour's family; NULL: none) set. */
SgSuiteExpect *sg_suite_expect_new(const SgFlavour *flavour, const gchar *answers);

/* One thing to put on the guest's disk before it boots. */
typedef struct {
	gchar *path;	    /* absolute, in the guest */
	GBytes *contents;   /* a file's bytes; NULL for a folder or a link */
	gchar *link_target; /* a symbolic link's target, else NULL */
	guint mode;	    /* of a file or a folder; 0 for a link */
} SgGuestFile;

void sg_guest_file_free(SgGuestFile *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgGuestFile, sg_guest_file_free)

/*
 * Everything the guest needs to run @suite once at its next boot (SgGuestFile,
 * in order): the shared lib/ (from @lib_dir; NULL: the shipped one),
 * expect.env, the suite's folder, the log folder, the udev rule for the
 * results port, and what starts it: the XDG autostart file (RunAs=session),
 * else the systemd unit and its link, or the upstart job. Applied in order
 * with libguestfs: a folder is mkdir_p then chmod; a file's parent is
 * mkdir_p'd (its mode left alone: /etc folders are the system's), the
 * file written then chmod; a link's parent mkdir_p'd, then ln_sf.
 */
GPtrArray *sg_suite_guest_files(const SgSuite *suite, const gchar *lib_dir,
				const SgSuiteExpect *expect, SgGuestInit init, GError **error);

/* The fallback TAP file in the guest, read after power-off. */
gchar *sg_suite_guest_tap_path(const SgSuite *suite);

G_END_DECLS
