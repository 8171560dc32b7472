#include "sg-credentials.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sg-error.h"
#include "sg-files.h"
#include "sg-keyfile.h"
#include "sg-paths.h"

#define GROUP_PREFIX "Tracker "

static const gchar *const tracker_keys[] = {"User", "Password", "Token", NULL};
static const SgKeyfileGroup credential_groups[] = {
	{GROUP_PREFIX "*", tracker_keys},
	{NULL, NULL},
};

void
sg_credentials_free(SgCredentials *credentials)
{
	if (credentials == NULL)
		return;
	g_free(credentials->user);
	if (credentials->password != NULL)
		memset(credentials->password, 0, strlen(credentials->password));
	g_free(credentials->password);
	if (credentials->token != NULL)
		memset(credentials->token, 0, strlen(credentials->token));
	g_free(credentials->token);
	g_free(credentials);
}

/* The credentials file, or NULL when there is none. */
static gchar *
credentials_path(void)
{
	const gchar *dir = g_getenv("CREDENTIALS_DIRECTORY");

	if (dir != NULL && dir[0] != '\0') {
		g_autofree gchar *path = g_build_filename(dir, SG_PATHS_TRACKER_CREDENTIAL, NULL);
		if (g_file_test(path, G_FILE_TEST_EXISTS))
			return g_steal_pointer(&path);
	}
	if (g_file_test(SG_PATHS_TRACKER_CREDENTIALS, G_FILE_TEST_EXISTS))
		return g_strdup(SG_PATHS_TRACKER_CREDENTIALS);
	return NULL;
}

/* Secrets readable by others are refused, as ssh refuses such a key. */
static gboolean
check_private(const gchar *path, GError **error)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s: %s", path, g_strerror(errno));
		return FALSE;
	}
	if ((st.st_mode & 077) != 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "%s holds secrets but its mode is %04o: make it 0600 (chmod 600 %s)",
			    path, (guint)(st.st_mode & 07777), path);
		return FALSE;
	}
	if (st.st_uid != getuid() && st.st_uid != 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "%s holds secrets but belongs to another user (uid %u)", path,
			    (guint)st.st_uid);
		return FALSE;
	}
	return TRUE;
}

SgCredentials *
sg_credentials_lookup(const gchar *url, GError **error)
{
	g_autofree gchar *path = credentials_path();
	g_autoptr(GKeyFile) keyfile = g_key_file_new();
	g_autofree gchar *group = g_strconcat(GROUP_PREFIX, url, NULL);
	g_autoptr(SgCredentials) credentials = NULL;

	if (path == NULL)
		return NULL;
	if (!check_private(path, error))
		return NULL;
	if (!sg_keyfile_load(keyfile, path, SG_FILES_FOLLOW, NULL)) {
		/* Its lines are not quoted: they hold secrets. */
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "%s is not a well-formed key file (its lines are not shown: they hold "
			    "secrets)",
			    path);
		return NULL;
	}
	if (!sg_keyfile_check_known(keyfile, path, credential_groups, error))
		return NULL;
	if (!g_key_file_has_group(keyfile, group))
		return NULL;
	credentials = g_new0(SgCredentials, 1);
	credentials->user = g_key_file_get_string(keyfile, group, "User", NULL);
	credentials->password = g_key_file_get_string(keyfile, group, "Password", NULL);
	credentials->token = g_key_file_get_string(keyfile, group, "Token", NULL);
	if ((credentials->user == NULL) == (credentials->token == NULL)) {
		sg_keyfile_refuse(error, path, group, NULL,
				  "[%s] needs User= (with Password=) or Token=, one of them",
				  group);
		return NULL;
	}
	return g_steal_pointer(&credentials);
}
