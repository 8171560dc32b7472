#include "sg-suite-guest.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "sg-answers.h"
#include "sg-error.h"
#include "sg-paths.h"

/* The files of lib/ the guest runs; the templates stay here. */
static const gchar *const lib_files[] = {"tap.sh", "run-suite", NULL};

void
sg_guest_file_free(SgGuestFile *file)
{
	if (file == NULL)
		return;
	g_free(file->path);
	if (file->contents != NULL)
		g_bytes_unref(file->contents);
	g_free(file->link_target);
	g_free(file);
}

static void
add_folder(GPtrArray *files, const gchar *path, guint mode)
{
	SgGuestFile *file = g_new0(SgGuestFile, 1);
	file->path = g_strdup(path);
	file->mode = mode;
	g_ptr_array_add(files, file);
}

static void
add_text(GPtrArray *files, const gchar *path, gchar *text, guint mode)
{
	SgGuestFile *file = g_new0(SgGuestFile, 1);
	file->path = g_strdup(path);
	file->contents = g_bytes_new_take(text, strlen(text));
	file->mode = mode;
	g_ptr_array_add(files, file);
}

static void
add_link(GPtrArray *files, const gchar *path, const gchar *target)
{
	SgGuestFile *file = g_new0(SgGuestFile, 1);
	file->path = g_strdup(path);
	file->link_target = g_strdup(target);
	g_ptr_array_add(files, file);
}

/* A local file as it is, its mode kept (@mode overrides it when not 0). */
static gboolean
add_local(GPtrArray *files, const gchar *path, const gchar *local, guint mode, GError **error)
{
	GStatBuf info;
	gchar *contents = NULL;
	gsize length = 0;
	g_autoptr(GError) read_error = NULL;
	SgGuestFile *file;

	if (g_stat(local, &info) != 0 ||
	    !g_file_get_contents(local, &contents, &length, &read_error)) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot read %s: %s", local,
			    read_error != NULL ? read_error->message : g_strerror(errno));
		return FALSE;
	}
	file = g_new0(SgGuestFile, 1);
	file->path = g_strdup(path);
	file->contents = g_bytes_new_take(contents, length);
	file->mode = mode != 0 ? mode : (info.st_mode & 0777);
	g_ptr_array_add(files, file);
	return TRUE;
}

/* lib/TEMPLATE with @NAME@ made the suite's name. */
static gchar *
expand_template(const gchar *lib_dir, const gchar *template, const SgSuite *suite, GError **error)
{
	g_autofree gchar *path = g_build_filename(lib_dir, template, NULL);
	g_autofree gchar *text = NULL;
	g_autoptr(GError) read_error = NULL;
	g_auto(GStrv) parts = NULL;

	if (!g_file_get_contents(path, &text, NULL, &read_error)) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot read the suite template: %s",
			    read_error->message);
		return NULL;
	}
	parts = g_strsplit(text, "@NAME@", -1);
	return g_strjoinv(suite->name, parts);
}

void
sg_suite_expect_free(SgSuiteExpect *expect)
{
	if (expect == NULL)
		return;
	g_free(expect->flavour);
	g_free(expect->user);
	g_free(expect->hostname);
	g_free(expect->timezone);
	g_free(expect->locale);
	g_free(expect->keyboard);
	g_free(expect->shell_processes);
	g_free(expect);
}

SgSuiteExpect *
sg_suite_expect_new(const SgFlavour *flavour, const gchar *answers)
{
	SgSuiteExpect *expect = g_new0(SgSuiteExpect, 1);

	expect->flavour = g_strdup(flavour->name);
	if (flavour->shell[0] != NULL)
		expect->shell_processes = g_strjoinv(" ", flavour->shell);
	if (answers != NULL) {
		g_autoptr(SgAnswers) parsed = sg_answers_parse(flavour->family, answers);
		expect->user = g_steal_pointer(&parsed->username);
		expect->hostname = g_steal_pointer(&parsed->hostname);
		expect->timezone = g_steal_pointer(&parsed->timezone);
		expect->locale = g_steal_pointer(&parsed->locale);
		expect->keyboard = g_steal_pointer(&parsed->keyboard);
	}
	return expect;
}

static gchar *
expect_env(const SgSuiteExpect *expect)
{
	const struct {
		const gchar *name;
		const gchar *value;
	} values[] = {
		{"SMOKEGATE_FLAVOUR", expect != NULL ? expect->flavour : NULL},
		{"SMOKEGATE_USER", expect != NULL ? expect->user : NULL},
		{"SMOKEGATE_HOSTNAME", expect != NULL ? expect->hostname : NULL},
		{"SMOKEGATE_TIMEZONE", expect != NULL ? expect->timezone : NULL},
		{"SMOKEGATE_LOCALE", expect != NULL ? expect->locale : NULL},
		{"SMOKEGATE_KEYBOARD", expect != NULL ? expect->keyboard : NULL},
		{"SMOKEGATE_SHELL_PROCESSES", expect != NULL ? expect->shell_processes : NULL},
	};
	GString *text = g_string_new("# What the answer file and the flavour set, written by "
				     "smokegate for the suites (run-suite reads it).\n");

	for (guint i = 0; i < G_N_ELEMENTS(values); i++) {
		g_autofree gchar *quoted = NULL;
		if (values[i].value == NULL)
			continue;
		quoted = g_shell_quote(values[i].value);
		g_string_append_printf(text, "%s=%s\n", values[i].name, quoted);
	}
	return g_string_free(text, FALSE);
}

/* The suite's folder: its subfolders first, then its files, modes kept
 * but for the command, which run-suite runs as ./COMMAND. */
static gboolean
add_suite_folder(GPtrArray *files, const SgSuite *suite, const gchar *guest_dir, GError **error)
{
	g_auto(GStrv) argv = NULL;
	g_autoptr(GHashTable) folders =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	if (!g_shell_parse_argv(suite->command, NULL, &argv, NULL))
		argv = g_new0(gchar *, 1);
	add_folder(files, guest_dir, 0755);
	for (guint i = 0; suite->files[i] != NULL; i++) {
		g_autofree gchar *parent = g_path_get_dirname(suite->files[i]);
		g_auto(GStrv) steps = g_strsplit(parent, "/", -1);
		g_autofree gchar *inside = NULL;

		for (guint s = 0; !g_str_equal(parent, ".") && steps[s] != NULL; s++) {
			gchar *next = inside != NULL ? g_build_filename(inside, steps[s], NULL)
						     : g_strdup(steps[s]);
			g_free(inside);
			inside = next;
			if (!g_hash_table_contains(folders, inside)) {
				g_autofree gchar *path = g_build_filename(guest_dir, inside, NULL);
				g_hash_table_add(folders, g_strdup(inside));
				add_folder(files, path, 0755);
			}
		}
	}
	for (guint i = 0; suite->files[i] != NULL; i++) {
		g_autofree gchar *local = g_build_filename(suite->dir, suite->files[i], NULL);
		g_autofree gchar *path = g_build_filename(guest_dir, suite->files[i], NULL);
		gboolean command = argv[0] != NULL && g_str_equal(argv[0], suite->files[i]);

		if (!add_local(files, path, local, command ? 0755 : 0, error))
			return FALSE;
	}
	return TRUE;
}

static gboolean
add_starter(GPtrArray *files, const SgSuite *suite, const gchar *lib_dir, SgGuestInit init,
	    GError **error)
{
	g_autofree gchar *text = NULL;
	g_autofree gchar *path = NULL;

	if (suite->run_as == SG_SUITE_RUN_AS_SESSION) {
		text = expand_template(lib_dir, "smokegate-suite.desktop.in", suite, error);
		path = g_strdup_printf("/etc/xdg/autostart/smokegate-suite-%s.desktop",
				       suite->name);
	} else if (init == SG_GUEST_INIT_UPSTART) {
		text = expand_template(lib_dir, "smokegate-suite.upstart.in", suite, error);
		path = g_strdup_printf("/etc/init/smokegate-suite-%s.conf", suite->name);
	} else if (init == SG_GUEST_INIT_RC_LOCAL) {
		/* In the background: rc.local is the boot's last step, and the
		 * suite may wait for what follows it (the login prompt). */
		text = g_strdup_printf("#!/bin/sh\n"
				       "# smokegate: the downstream suite %s, at the end of the "
				       "boot\n"
				       "sh " SG_SUITE_GUEST_DIR
				       "/lib/run-suite %s </dev/null >/dev/null 2>&1 &\n"
				       "exit 0\n",
				       suite->name, suite->name);
		add_text(files, "/etc/rc.local", g_steal_pointer(&text), 0755);
		return TRUE;
	} else {
		g_autofree gchar *unit =
			g_build_filename(lib_dir, "smokegate-suite@.service", NULL);
		g_autofree gchar *wants = g_strdup_printf(
			"/etc/systemd/system/multi-user.target.wants/smokegate-suite@%s.service",
			suite->name);
		if (!add_local(files, "/etc/systemd/system/smokegate-suite@.service", unit, 0644,
			       error))
			return FALSE;
		add_link(files, wants, "/etc/systemd/system/smokegate-suite@.service");
		return TRUE;
	}
	if (text == NULL)
		return FALSE;
	add_text(files, path, g_steal_pointer(&text), 0644);
	return TRUE;
}

GPtrArray *
sg_suite_guest_files(const SgSuite *suite, const gchar *lib_dir, const SgSuiteExpect *expect,
		     SgGuestInit init, GError **error)
{
	g_autoptr(GPtrArray) files =
		g_ptr_array_new_with_free_func((GDestroyNotify)sg_guest_file_free);
	g_autofree gchar *suite_dir = g_build_filename(SG_SUITE_GUEST_DIR, suite->name, NULL);
	g_autofree gchar *builtin = sg_paths_builtin_suites();
	g_autofree gchar *shipped_lib = g_build_filename(builtin, "lib", NULL);
	g_autofree gchar *rules = NULL;

	if (lib_dir == NULL)
		lib_dir = shipped_lib;
	rules = g_build_filename(lib_dir, "60-smokegate-results.rules", NULL);

	add_folder(files, "/var/lib/smokegate", 0755);
	add_folder(files, SG_SUITE_GUEST_DIR, 0755);
	add_folder(files, SG_SUITE_GUEST_DIR "/lib", 0755);
	for (guint i = 0; lib_files[i] != NULL; i++) {
		g_autofree gchar *local = g_build_filename(lib_dir, lib_files[i], NULL);
		g_autofree gchar *path =
			g_build_filename(SG_SUITE_GUEST_DIR, "lib", lib_files[i], NULL);
		if (!add_local(files, path, local, 0, error))
			return NULL;
	}
	add_text(files, SG_SUITE_GUEST_DIR "/lib/expect.env", expect_env(expect), 0644);
	if (!add_suite_folder(files, suite, suite_dir, error))
		return NULL;
	/* a session suite writes its TAP as the session's user */
	add_folder(files, SG_SUITE_GUEST_LOG, 01777);
	if (!add_local(files, "/etc/udev/rules.d/60-smokegate-results.rules", rules, 0644, error))
		return NULL;
	if (!add_starter(files, suite, lib_dir, init, error))
		return NULL;
	return g_steal_pointer(&files);
}

gchar *
sg_suite_guest_tap_path(const SgSuite *suite)
{
	return g_strdup_printf("%s/%s.tap", SG_SUITE_GUEST_LOG, suite->name);
}
