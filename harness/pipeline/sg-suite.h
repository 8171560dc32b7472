#pragma once

#include "sg-flavour.h"

G_BEGIN_DECLS

/* Who runs a suite in the installed guest. */
typedef enum {
	SG_SUITE_RUN_AS_SESSION, /* inside the autologin desktop session (XDG autostart) */
	SG_SUITE_RUN_AS_ROOT,	 /* a system service after the display manager */
} SgSuiteRunAs;

/* A downstream suite: a folder with suite.conf ([Suite] group) and the
 * files it runs in the installed guest. Defaults live in sg-suite.c. */
typedef struct {
	gchar *name; /* the folder's name */
	gchar *dir;  /* the folder on this machine */
	gchar *description;
	gchar **flavours; /* globs on flavour names; empty: every flavour */
	SgSuiteRunAs run_as;
	gboolean gating;     /* a failure keeps the build from being published */
	guint start_seconds; /* from the guest's start to the plan line */
	guint seconds;	     /* from the guest's start to the suite's end */
	gchar *command;	     /* run by sh in the suite's folder in the guest */
	gchar **files;	     /* every file of the folder, relative to it, sorted */
} SgSuite;

void sg_suite_free(SgSuite *suite);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgSuite, sg_suite_free)

/* Loads the suite in @dir; a bad suite.conf is an SG_ERROR_USAGE error of
 * one line naming the file and the key. */
SgSuite *sg_suite_load(const gchar *dir, GError **error);
/* Loads every suite folder (one with a suite.conf) of @dirs in order; a
 * later one overrides an earlier one of the same name. Missing folders are
 * skipped. */
GPtrArray *sg_suite_load_dirs(const gchar *const *dirs, GError **error);
/* The shipped suites, then the operators' drop-ins
 * (SG_PATHS_SYSTEM_SUITES), then @suites_dir (--suites-dir, may be NULL;
 * a usage error when it is not a folder). */
GPtrArray *sg_suite_load_all(const gchar *suites_dir, GError **error);

SgSuite *sg_suite_find(GPtrArray *suites, const gchar *name);
/* The suites named, in that order, once each (@suites' own: the array does
 * not free them); a usage error names an unknown one and lists the known
 * ones. */
GPtrArray *sg_suite_select(GPtrArray *suites, const gchar *const *names, GError **error);
/* Whether the suite runs on @flavour's images: its Flavours= globs take in
 * the flavour's name, and a session suite needs a desktop session (the
 * flavour has a display manager). */
gboolean sg_suite_applies_to(const SgSuite *suite, const SgFlavour *flavour);
/* "desktop-basics, system-health" for messages. */
gchar *sg_suite_list_names(GPtrArray *suites);

const gchar *sg_suite_run_as_to_string(SgSuiteRunAs run_as);

G_END_DECLS
