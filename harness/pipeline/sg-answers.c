#include "sg-answers.h"

#include <string.h>

#include "sg-error.h"

/* What each value may hold. The values are looked up in the installed
 * system, written to result.json and to the suites' expect.env, so bytes
 * that are no such value (or not UTF-8) must not pass for one. */
#define NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"
#define ZONE_CHARS NAME_CHARS "/+"
#define LOCALE_CHARS NAME_CHARS "@"
#define KEYBOARD_CHARS NAME_CHARS "()"

void
sg_answers_free(SgAnswers *answers)
{
	if (answers == NULL)
		return;
	g_free(answers->username);
	g_free(answers->hostname);
	g_free(answers->timezone);
	g_free(answers->locale);
	g_free(answers->keyboard);
	g_free(answers);
}

/* @value when it is made of @chars only (and not empty), else NULL. */
static gchar *
checked(gchar *value, const gchar *chars)
{
	if (value != NULL && (value[0] == '\0' || strspn(value, chars) != strlen(value)))
		g_clear_pointer(&value, g_free);
	return value;
}

/* preseed: "OWNER KEY TYPE VALUE" (d-i's and ubiquity's seeds alike); the
 * value of the first line that sets @key, with one word. */
static gchar *
preseed_value(const gchar *contents, const gchar *key, const gchar *chars)
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
		if (n == 4 && fields[0][0] != '#' && g_str_equal(fields[1], key))
			return checked(g_strdup(fields[3]), chars);
	}
	return NULL;
}

/* autoinstall: the first "KEY: VALUE" of the YAML at any depth (identity's
 * username and hostname, the top-level locale and timezone). */
static gchar *
autoinstall_value(const gchar *contents, const gchar *key, const gchar *chars)
{
	g_autofree gchar *pattern = g_strdup_printf("^\\s*%s:[ \\t]*['\"]?([^'\"\\s]+)", key);
	g_autoptr(GRegex) regex = g_regex_new(pattern, G_REGEX_MULTILINE, 0, NULL);
	g_autoptr(GMatchInfo) match = NULL;

	if (g_regex_match(regex, contents, 0, &match))
		return checked(g_match_info_fetch(match, 1), chars);
	return NULL;
}

/* autoinstall: "keyboard:" then, indented under it, "layout: LAYOUT". */
static gchar *
autoinstall_keyboard(const gchar *contents)
{
	g_autoptr(GRegex) block =
		g_regex_new("^([ \\t]*)keyboard:[ \\t]*\\n((?:\\1[ \\t]+\\S.*\\n?)*)",
			    G_REGEX_MULTILINE, 0, NULL);
	g_autoptr(GMatchInfo) match = NULL;
	g_autofree gchar *body = NULL;

	if (!g_regex_match(block, contents, 0, &match))
		return NULL;
	body = g_match_info_fetch(match, 2);
	return autoinstall_value(body, "layout", NAME_CHARS);
}

/* d-i's keymap names a layout and maybe a variant: "fr(latin9)". */
static gchar *
keymap_layout(gchar *keymap)
{
	gchar *open = keymap != NULL ? strchr(keymap, '(') : NULL;

	if (open != NULL)
		*open = '\0';
	return checked(keymap, NAME_CHARS);
}

SgAnswers *
sg_answers_parse(SgFamily family, const gchar *contents)
{
	SgAnswers *answers = g_new0(SgAnswers, 1);

	if (family == SG_FAMILY_SUBIQUITY) {
		answers->username = autoinstall_value(contents, "username", NAME_CHARS);
		answers->hostname = autoinstall_value(contents, "hostname", NAME_CHARS);
		answers->timezone = autoinstall_value(contents, "timezone", ZONE_CHARS);
		answers->locale = autoinstall_value(contents, "locale", LOCALE_CHARS);
		answers->keyboard = autoinstall_keyboard(contents);
		return answers;
	}
	answers->username = preseed_value(contents, "passwd/username", NAME_CHARS);
	/* netcfg/hostname wins over what DHCP or get_hostname say */
	answers->hostname = preseed_value(contents, "netcfg/hostname", NAME_CHARS);
	if (answers->hostname == NULL)
		answers->hostname = preseed_value(contents, "netcfg/get_hostname", NAME_CHARS);
	answers->timezone = preseed_value(contents, "time/zone", ZONE_CHARS);
	answers->locale = preseed_value(contents, "debian-installer/locale", LOCALE_CHARS);
	/* d-i since Debian 7 asks for a keymap; ubiquity seeds set the layout */
	answers->keyboard = keymap_layout(
		preseed_value(contents, "keyboard-configuration/xkb-keymap", KEYBOARD_CHARS));
	if (answers->keyboard == NULL)
		answers->keyboard =
			preseed_value(contents, "keyboard-configuration/layoutcode", NAME_CHARS);
	return answers;
}

gchar *
sg_answers_get_username(SgFamily family, const gchar *contents)
{
	g_autoptr(SgAnswers) answers = sg_answers_parse(family, contents);

	return g_steal_pointer(&answers->username);
}

gchar *
sg_answers_preseed_cmdline(const gchar *contents, const gchar *prefix, const gchar *const *skip,
			   GError **error)
{
	g_auto(GStrv) lines = g_strsplit(contents, "\n", -1);
	g_autoptr(GString) cmdline = g_string_new(NULL);

	for (guint i = 0; lines[i] != NULL; i++) {
		g_autofree gchar *line = g_strstrip(g_strdup(lines[i]));
		g_auto(GStrv) head = NULL;
		const gchar *value;

		if (line[0] == '#' || line[0] == '\0')
			continue;
		/* OWNER KEY TYPE VALUE: the value is the rest of the line. */
		head = g_regex_split_simple("[ \t]+", line, 0, 0);
		if (g_strv_length(head) < 3 || !g_str_has_prefix(head[1], prefix) ||
		    (skip != NULL && g_strv_contains(skip, head[1])))
			continue;
		value = line;
		for (guint field = 0; field < 3; field++) {
			value += strcspn(value, " \t");
			value += strspn(value, " \t");
		}
		if (strpbrk(value, " \t\"'") != NULL) {
			g_set_error(
				error, SG_ERROR, SG_ERROR_USAGE,
				"the answer file's %s cannot be given on the kernel command line "
				"(its value has a space or a quote)",
				head[1]);
			return NULL;
		}
		g_string_append_printf(cmdline, "%s%s=%s", cmdline->len > 0 ? " " : "", head[1],
				       value);
	}
	return g_string_free(g_steal_pointer(&cmdline), FALSE);
}
