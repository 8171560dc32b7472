#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The three outcomes, kept apart everywhere: "fail" means the image is
 * bad, "error" means it could not be judged (lab or harness trouble). */
typedef enum {
	SG_VERDICT_PASS,
	SG_VERDICT_FAIL,
	SG_VERDICT_ERROR,
} SgVerdict;

enum {
	SG_EXIT_PASS = 0,
	SG_EXIT_FAIL = 1,
	SG_EXIT_ERROR = 2,
	SG_EXIT_USAGE = 64,    /* EX_USAGE: bad arguments, paths, names */
	SG_EXIT_CHECKSUM = 65, /* EX_DATAERR: a download does not match SHA256SUMS, or the
				* tree holds damage (status --check, mark-current, yank) */
	SG_EXIT_FETCH = 69,    /* EX_UNAVAILABLE: a server could not give the file */
	SG_EXIT_TREE = 74,     /* EX_IOERR: the tree could not be changed */
	SG_EXIT_LOCKED = 75,   /* EX_TEMPFAIL: another gate holds the tree */
};

typedef enum {
	SG_PHASE_RUNNING,
	SG_PHASE_PASSED,
	SG_PHASE_FAILED,
	SG_PHASE_ERROR,
} SgPhaseStatus;

/* How a guest booted through its firmware (result.json's phase "boot"). */
typedef struct {
	gchar *firmware; /* "bios", "uefi", "uefi-secureboot" */
	gboolean secure_boot;
	gchar *loader;	   /* the image's bootloader there ("isolinux", "GRUB via shim"), or NULL */
	gchar *menu_entry; /* the menu entry booted, NULL when none was read */
	gchar *cmdline;	   /* the command line typed (the entry's and the test's) */
	gchar *keys;	   /* the keys typed, readable */
	gdouble seconds_to_kernel; /* -1: the kernel never started */
	gchar *menu;		   /* the menu screen's evidence file, or NULL */
} SgBootRecord;

void sg_boot_record_free(SgBootRecord *record);

typedef struct {
	gchar *name;
	SgPhaseStatus status;
	gint64 started_us; /* wall clock */
	gint64 finished_us;
	gchar *console; /* file name in the evidence folder, or NULL */
	gchar *detail;
	SgBootRecord *boot; /* a guest that booted through its firmware, or NULL */
} SgPhase;

/* One firmware of the image's matrix, as it went (result.json's
 * "firmware", the status page's matrix). */
typedef enum {
	SG_FIRMWARE_NOT_CHECKED, /* the test ended before its turn */
	SG_FIRMWARE_BOOTED,
	SG_FIRMWARE_FAILED,
	SG_FIRMWARE_NOT_JUDGED,
	SG_FIRMWARE_NOT_APPLICABLE,
} SgFirmwareStatus;

typedef struct {
	gchar *firmware;
	gboolean required;
	SgFirmwareStatus status;
	gchar *phase;  /* the phase that booted under it, or NULL */
	gchar *reason; /* why not booted, not judged or not applicable */
} SgFirmwareResult;

/* Everything result.json says about one test of one image. */
typedef struct {
	SgVerdict verdict;
	gboolean decided;
	gchar *reason;
	gchar *flavour;
	/* Judged with a family's generic profile (the image's layout told the
	 * family, no profile knew the image) and what would make it precise. */
	gboolean generic;
	gchar *generic_hint;
	/* What the profile's markers were checked against ([Flavour] Verified=),
	 * NULL when they are assumed. */
	gchar *profile_verified;
	gchar *image;
	gchar *sha256;
	guint64 size;
	gchar *accelerator;
	gchar *accelerator_reason;
	gchar *connection;
	/* The lab host went away while the guest ran: the verdict is an
	 * error whatever the guest seemed to do, and the test may be tried
	 * again on another host. */
	gboolean lab_lost;
	/* Bytes of the image sent to the lab host for this test: 0 when the
	 * host had it cached, -1 when the host reads local files. */
	gint64 image_uploaded_bytes;
	gint64 started_us;
	gint64 finished_us;
	GPtrArray *phases; /* SgPhase */
	gchar *screenshot;
	/* The settled desktop picture: "drawn", "blank", ...; NULL when the
	 * screen was not judged. */
	gchar *screen_kind;
	gchar *screen_description;
	gdouble screen_seconds; /* from the desktop markers to that picture */
	gchar *inspection;
	gchar *evidence_dir;
	/* Seconds from the console line that showed the failure to the verdict
	 * written (the guest paused, its teardown after); negative when no
	 * such line. */
	gdouble fail_fast_s;
	/* How the image was booted ("firmware" or "direct") and, for a direct
	 * boot, why. */
	gchar *boot_method;
	gchar *boot_method_reason;
	/* The guests' architecture (Debian's name) and what said so; NULL
	 * when prepare did not get that far. */
	gchar *arch;
	gchar *arch_source;
	/* "arm64 on an x86_64 host" when the lab host emulated the guests, and
	 * the factor their time limits were multiplied by; NULL and 1 when it
	 * ran them as its own. */
	gchar *emulation;
	gdouble limit_factor;
	/* The firmware matrix (SgFirmwareResult), in the profile's order. */
	GPtrArray *firmware;
	/* The answer file as the installer fetched it from the answer server
	 * (url=): when (seconds after the install's power-on) and with what
	 * answer; NULL/-1 when it was not fetched that way. */
	gchar *answers_url;
	gdouble answers_fetched_s;
	/* The downstream suites run on the installed disk (SgSuiteResult),
	 * NULL when none ran: result.json then has no "suites". */
	GPtrArray *suites;
} SgResult;

/* What result.json says about one downstream suite. */
typedef struct {
	gchar *name;
	gboolean gating; /* a failure keeps the build from being published */
	SgVerdict verdict;
	gboolean decided;
	gchar *reason; /* without the suite's name */
	gint64 started_us;
	gint64 finished_us;
	gint planned;	  /* the TAP plan, -1 without one */
	GPtrArray *cases; /* SgTapCase (sg-tap.h), in the order they came */
	gchar *evidence;  /* its folder in the evidence folder ("suites/NAME"), or NULL */
} SgSuiteResult;

SgResult *sg_result_new(void);
void sg_result_free(SgResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgResult, sg_result_free)

SgPhase *sg_result_begin_phase(SgResult *result, const gchar *name);
/* Adds @firmware to the matrix, not checked yet; returns it. */
SgFirmwareResult *sg_result_add_firmware(SgResult *result, const gchar *firmware,
					 gboolean required);
SgFirmwareResult *sg_result_find_firmware(SgResult *result, const gchar *firmware);
const gchar *sg_firmware_status_to_string(SgFirmwareStatus status);
void sg_phase_finish(SgPhase *phase, SgPhaseStatus status, const gchar *detail);

/* Sets the verdict once: the first failure or error is the reason. */
/* Replaces a decided verdict: the lab, not the image, is to blame. The
 * earlier reason is kept after @format's words. */
void sg_result_overrule(SgResult *result, SgVerdict verdict, const gchar *format, ...)
	G_GNUC_PRINTF(3, 4);
void sg_result_decide(SgResult *result, SgVerdict verdict, const gchar *format, ...)
	G_GNUC_PRINTF(3, 4);

const gchar *sg_verdict_to_string(SgVerdict verdict);
int sg_verdict_exit_status(SgVerdict verdict);

/* A suite's result, started now, undecided, with no cases; added to
 * @result's suites. */
SgSuiteResult *sg_result_begin_suite(SgResult *result, const gchar *name, gboolean gating);

gchar *sg_result_to_json(SgResult *result);
/* Writes DIR/result.json atomically (temporary name, fsync, rename). */
gboolean sg_result_write(SgResult *result, const gchar *dir, GError **error);

G_END_DECLS
