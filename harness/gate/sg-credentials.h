#pragma once

#include <glib.h>

#include "sg-paths.h"

G_BEGIN_DECLS

/*
 * Tracker credentials. Never in the tree: its smokegate.conf is mirrored
 * with the images. They are read from the credential
 * SG_PATHS_TRACKER_CREDENTIAL in $CREDENTIALS_DIRECTORY (systemd's
 * LoadCredential=), else from SG_PATHS_TRACKER_CREDENTIALS
 * (/etc/smokegate/trackers.conf), a key file with one group per tracker URL
 * of TrackerURLs=, readable by its owner alone (0600 or 0400):
 *   [Tracker https://tracker.example/api/notice]
 *   User=gate
 *   Password=...
 * or Token=... (sent as "Authorization: Bearer TOKEN").
 */
typedef struct {
	gchar *user;
	gchar *password;
	gchar *token;
} SgCredentials;

void sg_credentials_free(SgCredentials *credentials);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgCredentials, sg_credentials_free)

/* The credentials for the tracker @url: NULL without an error when there
 * are none (no file, or no group for @url). A file that others may read,
 * that is no regular file or that does not parse is SG_ERROR_USAGE. */
SgCredentials *sg_credentials_lookup(const gchar *url, GError **error);

/* Where credentials go, for the message that refuses them elsewhere. */
#define SG_CREDENTIALS_WHERE                                                                       \
	"put them in " SG_PATHS_TRACKER_CREDENTIALS " (mode 0600, a [Tracker URL] group with "     \
	"User=/Password= or Token=) or in systemd's LoadCredential=" SG_PATHS_TRACKER_CREDENTIAL   \
	":FILE"

G_END_DECLS
