#include "sg-answers.h"

#include <string.h>

/* What a user name may hold, as the autoinstall reader's pattern says: the
 * name is looked up in the installed /etc/passwd and written to result.json,
 * so bytes that are no name (or not UTF-8) must not pass for one. */
#define USER_NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"

/* preseed: "d-i passwd/username string NAME" (ubiquity seeds use the same key) */
static gchar *
preseed_username(const gchar *contents)
{
	g_auto(GStrv) lines = g_strsplit(contents, "\n", -1);

	for (guint i = 0; lines[i] != NULL; i++) {
		g_auto(GStrv) words = g_strsplit_set(g_strstrip(lines[i]), " \t", -1);
		guint n = 0;
		gchar *fields[4] = {NULL};
		for (guint w = 0; words[w] != NULL && n < 4; w++) {
			if (words[w][0] != '\0')
				fields[n++] = words[w];
		}
		if (n == 4 && fields[0][0] != '#' && g_str_equal(fields[1], "passwd/username") &&
		    strspn(fields[3], USER_NAME_CHARS) == strlen(fields[3]))
			return g_strdup(fields[3]);
	}
	return NULL;
}

/* autoinstall: "identity:" ... "username: NAME" */
static gchar *
autoinstall_username(const gchar *contents)
{
	g_autoptr(GRegex) regex = g_regex_new("^\\s+username:\\s*['\"]?([A-Za-z0-9._-]+)",
					      G_REGEX_MULTILINE, 0, NULL);
	g_autoptr(GMatchInfo) match = NULL;

	if (g_regex_match(regex, contents, 0, &match))
		return g_match_info_fetch(match, 1);
	return NULL;
}

gchar *
sg_answers_get_username(SgFamily family, const gchar *contents)
{
	if (family == SG_FAMILY_SUBIQUITY)
		return autoinstall_username(contents);
	return preseed_username(contents);
}
