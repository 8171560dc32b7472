#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * TREE/smokegate.conf, all optional:
 *   [Tree]
 *   TrackerURLs=https://tracker.example/api/notice;   where notices are POSTed
 *   ExpectedBy=06:00      a day without a build by then shows "no daily build"
 *   MaxErrors=3           tests that could not judge a build before it is a lab problem
 *   Suites=system-health;  downstream suites run on every build's installed disk
 *   KeepFailedDisks=false  also keep a failed build's installed disk (sg-kept-disk.h)
 *   Keyring=/etc/smokegate/cdimage.gpg  who must have signed a downloaded SHA256SUMS
 *   [Flavour kubuntu]
 *   SizeLimit=4700000000  overrides the flavour profile's limit
 */
typedef struct {
	gchar *path;
	gchar **tracker_urls;
	gchar *expected_by; /* "HH:MM" or NULL */
	guint max_errors;
	gboolean keep_failed_disks;
	gchar *keyring; /* [Tree] Keyring=: who must sign SHA256SUMS (sg-signature.h), or NULL */
	GKeyFile *keyfile;
} SgTreeConfig;

SgTreeConfig *sg_tree_config_load(const gchar *tree, GError **error);
/* A copy that lives on its own (serve hands its last good one to each pass). */
SgTreeConfig *sg_tree_config_copy(const SgTreeConfig *config);
void sg_tree_config_free(SgTreeConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgTreeConfig, sg_tree_config_free)

/* The size limit for @flavour: the tree's override, else @profile_limit. */
guint64 sg_tree_config_size_limit(SgTreeConfig *config, const gchar *flavour,
				  guint64 profile_limit);

/* [Tree] Suites=: the downstream suites every build runs (after its
 * flavour profile's own), never NULL. */
gchar **sg_tree_config_suites(SgTreeConfig *config);

G_END_DECLS
