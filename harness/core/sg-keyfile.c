#include "sg-keyfile.h"

#include <string.h>

#include "sg-error.h"

static void
refuse_va(GError **error, const gchar *path, guint line, const gchar *format, va_list args)
{
	g_autofree gchar *message = g_strdup_vprintf(format, args);

	if (line > 0)
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s:%u: %s", path, line, message);
	else
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s: %s", path, message);
}

static void refuse_at(GError **error, const gchar *path, guint line, const gchar *format, ...)
	G_GNUC_PRINTF(4, 5);

static void
refuse_at(GError **error, const gchar *path, guint line, const gchar *format, ...)
{
	va_list args;

	va_start(args, format);
	refuse_va(error, path, line, format, args);
	va_end(args);
}

gboolean
sg_keyfile_refuse(GError **error, const gchar *path, const gchar *group, const gchar *key,
		  const gchar *format, ...)
{
	va_list args;

	va_start(args, format);
	refuse_va(error, path, sg_keyfile_find_line(path, group, key), format, args);
	va_end(args);
	return FALSE;
}

/* The group a "[...]" line opens, or NULL when it is no group line. */
static gchar *
group_of_line(const gchar *line)
{
	gsize length = strlen(line);

	if (length < 2 || line[0] != '[' || line[length - 1] != ']')
		return NULL;
	return g_strndup(line + 1, length - 2);
}

/* What GKeyFile merges or takes for something else, checked line by line
 * before it parses: each group once, every line a group, key=value,
 * comment or blank. */
static gboolean
check_lines(const gchar *text, const gchar *path, GError **error)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	for (guint i = 0; lines[i] != NULL; i++) {
		const gchar *line = g_strstrip(lines[i]);
		g_autofree gchar *group = NULL;

		if (line[0] == '\0' || line[0] == '#')
			continue;
		group = group_of_line(line);
		if (group != NULL) {
			guint first = GPOINTER_TO_UINT(g_hash_table_lookup(seen, group));
			if (first > 0) {
				g_autofree gchar *quoted = sg_files_quote_line(group);
				refuse_at(error, path, i + 1,
					  "[%s] again (first on line %u): a group may appear once",
					  quoted, first);
				return FALSE;
			}
			g_hash_table_insert(seen, g_steal_pointer(&group), GUINT_TO_POINTER(i + 1));
			continue;
		}
		if (line[0] == '[' || strchr(line, '=') == NULL || line[0] == '=') {
			g_autofree gchar *quoted = sg_files_quote_line(line);
			refuse_at(error, path, i + 1,
				  "'%s' is not a [group], KEY=VALUE or # comment", quoted);
			return FALSE;
		}
		if (g_hash_table_size(seen) == 0) {
			g_autofree gchar *quoted = sg_files_quote_line(line);
			refuse_at(error, path, i + 1, "'%s' comes before any [group]", quoted);
			return FALSE;
		}
	}
	return TRUE;
}

gboolean
sg_keyfile_load(GKeyFile *keyfile, const gchar *path, SgFilesLinks links, GError **error)
{
	g_autofree gchar *text = NULL;
	g_autoptr(GError) local_error = NULL;
	gsize length = 0;

	if (!sg_files_read_text(path, links, SG_FILES_CONFIG_MAX_BYTES,
				"a config file is UTF-8 text", &text, &length, error))
		return FALSE;
	if (!check_lines(text, path, error))
		return FALSE;
	if (!g_key_file_load_from_data(keyfile, text, length, G_KEY_FILE_NONE, &local_error)) {
		/* GKeyFile quotes the whole line: a 20 MB line would be the message. */
		g_autofree gchar *quoted = sg_files_quote_line(local_error->message);
		refuse_at(error, path, 0, "%s", quoted);
		return FALSE;
	}
	return TRUE;
}

static const SgKeyfileGroup *
find_group(const SgKeyfileGroup *groups, const gchar *name)
{
	for (guint i = 0; groups[i].name != NULL; i++) {
		const gchar *pattern = groups[i].name;
		if (g_str_has_suffix(pattern, " *")) {
			gsize prefix = strlen(pattern) - 1;
			if (strncmp(name, pattern, prefix) == 0 && name[prefix] != '\0')
				return &groups[i];
		} else if (g_str_equal(pattern, name)) {
			return &groups[i];
		}
	}
	return NULL;
}

static gchar *
list_groups(const SgKeyfileGroup *groups)
{
	g_autoptr(GString) known = g_string_new(NULL);

	for (guint i = 0; groups[i].name != NULL; i++) {
		const gchar *pattern = groups[i].name;
		g_autofree gchar *shown =
			g_str_has_suffix(pattern, " *")
				? g_strdup_printf("%.*sNAME", (int)strlen(pattern) - 1, pattern)
				: g_strdup(pattern);
		g_string_append_printf(known, "%s[%s]", i > 0 ? ", " : "", shown);
	}
	return g_string_free(g_steal_pointer(&known), FALSE);
}

gboolean
sg_keyfile_check_known(GKeyFile *keyfile, const gchar *path, const SgKeyfileGroup *groups,
		       GError **error)
{
	g_auto(GStrv) names = g_key_file_get_groups(keyfile, NULL);

	for (guint i = 0; names[i] != NULL; i++) {
		const SgKeyfileGroup *group = find_group(groups, names[i]);
		g_auto(GStrv) keys = NULL;

		if (group == NULL) {
			g_autofree gchar *known = list_groups(groups);
			g_autofree gchar *quoted = sg_files_quote_line(names[i]);
			refuse_at(error, path, sg_keyfile_find_line(path, names[i], NULL),
				  "unknown group [%s] (known: %s)", quoted, known);
			return FALSE;
		}
		keys = g_key_file_get_keys(keyfile, names[i], NULL, NULL);
		for (guint k = 0; keys != NULL && keys[k] != NULL; k++) {
			if (!g_strv_contains(group->keys, keys[k])) {
				g_autofree gchar *known = g_strjoinv(", ", (gchar **)group->keys);
				g_autofree gchar *quoted = sg_files_quote_line(keys[k]);
				refuse_at(error, path,
					  sg_keyfile_find_line(path, names[i], keys[k]),
					  "[%s] unknown key %s= (known: %s)", names[i], quoted,
					  known);
				return FALSE;
			}
		}
	}
	return TRUE;
}

guint
sg_keyfile_find_line(const gchar *path, const gchar *group, const gchar *key)
{
	g_autofree gchar *contents = NULL;
	g_auto(GStrv) lines = NULL;
	gboolean in_group = FALSE;

	if (!sg_files_read_regular(path, SG_FILES_FOLLOW, SG_FILES_CONFIG_MAX_BYTES, &contents,
				   NULL, NULL))
		return 0;
	lines = g_strsplit(contents, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		const gchar *line = g_strstrip(lines[i]);
		g_autofree gchar *opened = group_of_line(line);

		if (opened != NULL) {
			in_group = g_str_equal(opened, group);
			if (in_group && key == NULL)
				return i + 1;
			continue;
		}
		if (in_group && key != NULL && g_str_has_prefix(line, key)) {
			const gchar *rest = line + strlen(key);
			while (*rest == ' ' || *rest == '\t')
				rest++;
			if (*rest == '=')
				return i + 1;
		}
	}
	return 0;
}

gboolean
sg_keyfile_parse_size(const gchar *text, guint64 *bytes)
{
	static const struct {
		const gchar *suffix;
		guint64 factor;
	} units[] = {
		{"", 1},
		{"kB", 1000},
		{"MB", 1000 * 1000},
		{"GB", 1000 * 1000 * 1000},
		{"TB", G_GUINT64_CONSTANT(1000) * 1000 * 1000 * 1000},
		{"KiB", 1024},
		{"MiB", 1024 * 1024},
		{"GiB", 1024 * 1024 * 1024},
		{"TiB", G_GUINT64_CONSTANT(1024) * 1024 * 1024 * 1024},
	};
	g_autofree gchar *copy = g_strstrip(g_strdup(text));
	const gchar *end = copy;
	g_autofree gchar *digits = NULL;
	guint64 number;

	while (g_ascii_isdigit(*end))
		end++;
	if (end == copy)
		return FALSE;
	digits = g_strndup(copy, end - copy);
	if (!g_ascii_string_to_unsigned(digits, 10, 0, G_MAXUINT64, &number, NULL))
		return FALSE;
	for (guint i = 0; i < G_N_ELEMENTS(units); i++) {
		if (!g_str_equal(end, units[i].suffix))
			continue;
		if (number > G_MAXUINT64 / units[i].factor)
			return FALSE;
		*bytes = number * units[i].factor;
		return TRUE;
	}
	return FALSE;
}
