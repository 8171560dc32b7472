#pragma once

#include <gio/gio.h>

#include "sg-family.h"

G_BEGIN_DECLS

/* What an answer file asks the installer to set, so the evidence and the
 * downstream suites can check that the installed system has it. A field the
 * answer file does not set (or sets to something that is no such value) is
 * NULL. */
typedef struct {
	gchar *username;
	gchar *hostname;
	gchar *timezone; /* "Europe/Paris" */
	gchar *locale;	 /* "en_US.UTF-8" */
	gchar *keyboard; /* the XKB layout, "us" (a variant, "fr(latin9)", is left out) */
} SgAnswers;

void sg_answers_free(SgAnswers *answers);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgAnswers, sg_answers_free)

/* Reads a preseed (debian-installer, ubiquity) or an autoinstall file
 * (subiquity); never NULL. */
SgAnswers *sg_answers_parse(SgFamily family, const gchar *contents);

/* The user an answer file asks the installer to create, so the evidence
 * can check that this very user exists and logged in. NULL if none. */
gchar *sg_answers_get_username(SgFamily family, const gchar *contents);

/* A preseed's settings whose key starts with @prefix ("netcfg/"), as
 * debian-installer takes them on the kernel command line ("netcfg/KEY=VALUE"
 * each, space-separated; env2debconf turns them into debconf settings), for
 * what the installer must know before it can fetch the file. @skip: keys
 * left out (NULL-terminated, or NULL). A value with a space or a quote,
 * which the command line cannot carry, is SG_ERROR_USAGE naming it; none
 * found: an empty string. */
gchar *sg_answers_preseed_cmdline(const gchar *contents, const gchar *prefix,
				  const gchar *const *skip, GError **error);

G_END_DECLS
