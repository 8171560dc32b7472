#include "sg-suite.h"

#include <string.h>

#include "sg-error.h"
#include "sg-files.h"
#include "sg-keyfile.h"
#include "sg-paths.h"

#define SUITE_GROUP "Suite"
#define SUITE_FILE "suite.conf"

/* The guest's clock starts when the installed disk boots: a TCG guest
 * needs minutes to its desktop (the flavours' BootSeconds is 900). */
#define DEFAULT_START_SECONDS 900
#define DEFAULT_SECONDS 1800

static const gchar *const known_keys[] = {
	"Description", "Flavours", "RunAs", "Gating", "StartSeconds", "Seconds", "Command", NULL,
};

void
sg_suite_free(SgSuite *suite)
{
	if (suite == NULL)
		return;
	g_free(suite->name);
	g_free(suite->dir);
	g_free(suite->description);
	g_strfreev(suite->flavours);
	g_free(suite->command);
	g_strfreev(suite->files);
	g_free(suite);
}

/* The name becomes a systemd instance, an autostart file's and an
 * evidence folder's name: keep it plain. "lib" is the shared folder. */
static gboolean
is_valid_name(const gchar *name)
{
	if (name[0] == '\0' || name[0] == '-' || g_str_equal(name, "lib"))
		return FALSE;
	for (const gchar *p = name; *p != '\0'; p++) {
		if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '-')
			return FALSE;
	}
	return TRUE;
}

static void refuse(GError **error, const gchar *path, const gchar *format, ...) G_GNUC_PRINTF(3, 4);

/* One line: "PATH: what is wrong". */
static void
refuse(GError **error, const gchar *path, const gchar *format, ...)
{
	va_list args;
	g_autofree gchar *words = NULL;

	va_start(args, format);
	words = g_strdup_vprintf(format, args);
	va_end(args);
	g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s: %s", path, words);
}

static gboolean
read_seconds(GKeyFile *keyfile, const gchar *key, guint fallback, guint *out, const gchar *path,
	     GError **error)
{
	g_autofree gchar *text = g_key_file_get_string(keyfile, SUITE_GROUP, key, NULL);
	guint64 value;

	if (text == NULL) {
		*out = fallback;
		return TRUE;
	}
	if (!g_ascii_string_to_unsigned(g_strstrip(text), 10, 1, G_MAXINT, &value, NULL)) {
		refuse(error, path, "[Suite] %s=%s is not a number of seconds above zero", key,
		       text);
		return FALSE;
	}
	*out = value;
	return TRUE;
}

static gboolean
read_keys(SgSuite *suite, GKeyFile *keyfile, const gchar *path, GError **error)
{
	g_autofree gchar *run_as = NULL;
	g_autofree gchar *gating = NULL;
	g_auto(GStrv) keys = g_key_file_get_keys(keyfile, SUITE_GROUP, NULL, NULL);

	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (!g_strv_contains(known_keys, keys[i])) {
			g_autofree gchar *known = g_strjoinv(", ", (gchar **)known_keys);
			refuse(error, path, "[Suite] %s= is not a key of a suite (%s)", keys[i],
			       known);
			return FALSE;
		}
	}
	suite->description = g_key_file_get_string(keyfile, SUITE_GROUP, "Description", NULL);
	if (suite->description == NULL)
		suite->description = g_strdup(suite->name);
	suite->flavours = g_key_file_get_string_list(keyfile, SUITE_GROUP, "Flavours", NULL, NULL);
	if (suite->flavours == NULL)
		suite->flavours = g_new0(gchar *, 1);
	for (guint i = 0; suite->flavours[i] != NULL; i++)
		g_strstrip(suite->flavours[i]);

	run_as = g_key_file_get_string(keyfile, SUITE_GROUP, "RunAs", NULL);
	if (run_as == NULL) {
		refuse(error, path, "[Suite] RunAs= is missing (session or root)");
		return FALSE;
	}
	g_strstrip(run_as);
	if (g_str_equal(run_as, "session")) {
		suite->run_as = SG_SUITE_RUN_AS_SESSION;
	} else if (g_str_equal(run_as, "root")) {
		suite->run_as = SG_SUITE_RUN_AS_ROOT;
	} else {
		refuse(error, path, "[Suite] RunAs=%s is not session or root", run_as);
		return FALSE;
	}

	gating = g_key_file_get_string(keyfile, SUITE_GROUP, "Gating", NULL);
	suite->gating = TRUE;
	if (gating != NULL) {
		g_strstrip(gating);
		if (!g_str_equal(gating, "true") && !g_str_equal(gating, "false")) {
			refuse(error, path, "[Suite] Gating=%s is not true or false", gating);
			return FALSE;
		}
		suite->gating = g_str_equal(gating, "true");
	}

	if (!read_seconds(keyfile, "StartSeconds", DEFAULT_START_SECONDS, &suite->start_seconds,
			  path, error) ||
	    !read_seconds(keyfile, "Seconds", DEFAULT_SECONDS, &suite->seconds, path, error))
		return FALSE;
	if (suite->start_seconds > suite->seconds) {
		refuse(error, path, "[Suite] StartSeconds=%u is more than Seconds=%u",
		       suite->start_seconds, suite->seconds);
		return FALSE;
	}
	suite->command = g_key_file_get_string(keyfile, SUITE_GROUP, "Command", NULL);
	if (suite->command != NULL)
		g_strstrip(suite->command);
	if (suite->command == NULL || suite->command[0] == '\0') {
		refuse(error, path, "[Suite] Command= is missing");
		return FALSE;
	}
	return TRUE;
}

/* The files copied into the guest: everything below @dir but hidden
 * names; a link could lead anywhere, so it is refused. */
static gboolean
list_files(const gchar *dir, const gchar *relative, GPtrArray *files, GError **error)
{
	g_autofree gchar *here = g_build_filename(dir, relative, NULL);
	g_autoptr(GPtrArray) names = sg_files_list(here, NULL);

	for (guint i = 0; i < names->len; i++) {
		const gchar *name = g_ptr_array_index(names, i);
		g_autofree gchar *inside = relative[0] != '\0'
						   ? g_build_filename(relative, name, NULL)
						   : g_strdup(name);
		g_autofree gchar *path = g_build_filename(dir, inside, NULL);

		if (name[0] == '.')
			continue;
		if (g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
			refuse(error, path,
			       "a suite's files are copied into the guest as they are, "
			       "and a symbolic link is not one");
			return FALSE;
		}
		if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
			if (!list_files(dir, inside, files, error))
				return FALSE;
		} else if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
			g_ptr_array_add(files, g_steal_pointer(&inside));
		}
	}
	return TRUE;
}

/* The command's program is a file of the suite, or a program of the
 * guest named by its absolute path (/bin/sh, /usr/bin/prove). */
static gboolean
check_command(SgSuite *suite, const gchar *path, GError **error)
{
	g_auto(GStrv) argv = NULL;
	g_autoptr(GError) shell_error = NULL;
	g_auto(GStrv) parts = NULL;

	if (!g_shell_parse_argv(suite->command, NULL, &argv, &shell_error)) {
		refuse(error, path, "[Suite] Command=%s: %s", suite->command, shell_error->message);
		return FALSE;
	}
	if (g_path_is_absolute(argv[0]))
		return TRUE;
	parts = g_strsplit(argv[0], "/", -1);
	if (g_strv_contains((const gchar *const *)parts, "..") ||
	    !g_strv_contains((const gchar *const *)suite->files, argv[0])) {
		refuse(error, path,
		       "[Suite] Command=%s: %s is not a file of the suite (nor an absolute path in "
		       "the guest)",
		       suite->command, argv[0]);
		return FALSE;
	}
	return TRUE;
}

/* A suite.conf holds [Suite] alone: another group is a typo. */
static gboolean
check_groups(GKeyFile *keyfile, const gchar *path, GError **error)
{
	g_auto(GStrv) groups = g_key_file_get_groups(keyfile, NULL);

	for (guint i = 0; groups[i] != NULL; i++) {
		if (!g_str_equal(groups[i], SUITE_GROUP)) {
			g_autofree gchar *quoted = sg_files_quote_line(groups[i]);
			refuse(error, path, "unknown group [%s] (a suite holds [Suite] only)",
			       quoted);
			return FALSE;
		}
	}
	return TRUE;
}

SgSuite *
sg_suite_load(const gchar *dir, GError **error)
{
	g_autoptr(GKeyFile) keyfile = g_key_file_new();
	g_autoptr(SgSuite) suite = g_new0(SgSuite, 1);
	g_autofree gchar *path = g_build_filename(dir, SUITE_FILE, NULL);
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);

	suite->name = g_path_get_basename(dir);
	suite->dir = g_strdup(dir);
	if (!is_valid_name(suite->name)) {
		refuse(error, dir,
		       "a suite's name must be lower-case letters, digits and '-' (and not lib)");
		return NULL;
	}
	if (!sg_keyfile_load(keyfile, path, SG_FILES_FOLLOW, error))
		return NULL;
	if (!g_key_file_has_group(keyfile, SUITE_GROUP)) {
		refuse(error, path, "no [Suite] group");
		return NULL;
	}
	if (!check_groups(keyfile, path, error))
		return NULL;
	if (!read_keys(suite, keyfile, path, error))
		return NULL;
	if (!list_files(dir, "", files, error))
		return NULL;
	g_ptr_array_add(files, NULL);
	suite->files = (gchar **)g_ptr_array_free(g_steal_pointer(&files), FALSE);
	if (!check_command(suite, path, error))
		return NULL;
	return g_steal_pointer(&suite);
}

static gboolean
keep_suite_folder(const gchar *dir, const gchar *name)
{
	g_autofree gchar *conf = g_build_filename(dir, name, SUITE_FILE, NULL);
	return sg_files_keep_folder(dir, name) && g_file_test(conf, G_FILE_TEST_IS_REGULAR);
}

GPtrArray *
sg_suite_load_dirs(const gchar *const *dirs, GError **error)
{
	g_autoptr(GPtrArray) suites = g_ptr_array_new_with_free_func((GDestroyNotify)sg_suite_free);

	for (guint d = 0; dirs[d] != NULL; d++) {
		g_autoptr(GPtrArray) names = sg_files_list(dirs[d], keep_suite_folder);

		for (guint i = 0; i < names->len; i++) {
			g_autofree gchar *dir =
				g_build_filename(dirs[d], g_ptr_array_index(names, i), NULL);
			SgSuite *suite = sg_suite_load(dir, error);
			SgSuite *earlier;
			if (suite == NULL)
				return NULL;
			earlier = sg_suite_find(suites, suite->name);
			if (earlier != NULL)
				g_ptr_array_remove(suites, earlier);
			g_ptr_array_add(suites, suite);
		}
	}
	return g_steal_pointer(&suites);
}

GPtrArray *
sg_suite_load_all(const gchar *suites_dir, GError **error)
{
	g_autofree gchar *builtin = sg_paths_builtin_suites();
	const gchar *dirs[] = {builtin, SG_PATHS_SYSTEM_SUITES, suites_dir, NULL};

	if (suites_dir != NULL && !g_file_test(suites_dir, G_FILE_TEST_IS_DIR)) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "%s: no such folder", suites_dir);
		return NULL;
	}
	return sg_suite_load_dirs(dirs, error);
}

SgSuite *
sg_suite_find(GPtrArray *suites, const gchar *name)
{
	for (guint i = 0; i < suites->len; i++) {
		SgSuite *suite = g_ptr_array_index(suites, i);
		if (g_str_equal(suite->name, name))
			return suite;
	}
	return NULL;
}

GPtrArray *
sg_suite_select(GPtrArray *suites, const gchar *const *names, GError **error)
{
	g_autoptr(GPtrArray) selected = g_ptr_array_new();

	for (guint i = 0; names != NULL && names[i] != NULL; i++) {
		SgSuite *suite = sg_suite_find(suites, names[i]);
		if (suite == NULL) {
			g_autofree gchar *known = sg_suite_list_names(suites);
			g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
				    "no suite named %s (known: %s)", names[i],
				    known[0] != '\0' ? known : "none");
			return NULL;
		}
		if (!g_ptr_array_find(selected, suite, NULL))
			g_ptr_array_add(selected, suite);
	}
	return g_steal_pointer(&selected);
}

gboolean
sg_suite_applies_to(const SgSuite *suite, const SgFlavour *flavour)
{
	if (suite->run_as == SG_SUITE_RUN_AS_SESSION && flavour->display_manager == NULL)
		return FALSE;
	if (suite->flavours[0] == NULL)
		return TRUE;
	for (guint i = 0; suite->flavours[i] != NULL; i++) {
		if (g_pattern_match_simple(suite->flavours[i], flavour->name))
			return TRUE;
	}
	return FALSE;
}

gchar *
sg_suite_list_names(GPtrArray *suites)
{
	g_autoptr(GString) names = g_string_new(NULL);

	for (guint i = 0; i < suites->len; i++) {
		SgSuite *suite = g_ptr_array_index(suites, i);
		if (names->len > 0)
			g_string_append(names, ", ");
		g_string_append(names, suite->name);
	}
	return g_string_free(g_steal_pointer(&names), FALSE);
}

const gchar *
sg_suite_run_as_to_string(SgSuiteRunAs run_as)
{
	return run_as == SG_SUITE_RUN_AS_ROOT ? "root" : "session";
}
