#include "sg-syslinux-cfg.h"

#include <string.h>

/* Deeper INCLUDE chains are loops in practice; syslinux has no limit but
 * its stack. */
#define MAX_INCLUDE_DEPTH 16
#define MAX_CONFIG_BYTES (256 * 1024)

const gchar *const sg_syslinux_config_paths[] = {
	"/boot/isolinux/isolinux.cfg",
	"/boot/isolinux/syslinux.cfg",
	"/isolinux/isolinux.cfg",
	"/isolinux/syslinux.cfg",
	"/boot/syslinux/isolinux.cfg",
	"/boot/syslinux/syslinux.cfg",
	"/syslinux/isolinux.cfg",
	"/syslinux/syslinux.cfg",
	"/isolinux.cfg",
	"/syslinux.cfg",
	NULL,
};

/* One LABEL as syslinux records it. */
typedef struct {
	gchar *label;
	gchar *menu_label;
	gchar *kernel; /* as written */
	gchar *append; /* NULL: none given (the global APPEND applies) */
	gchar *initrd;
	gchar *config; /* CONFIG: another config file, not a kernel */
	gboolean menu_default;
	gboolean hidden;
	gboolean menu_exit;
	gchar *submenu;
	guint menu_id;
} Label;

typedef struct {
	SgBootMedia *media;
	SgBootLoader *loader;
	gchar *cwd; /* the config's folder: isolinux chdir()s there */
	GPtrArray *labels;
	Label *current;
	/* The menu being read: its title path and id (0 is the top menu). */
	GPtrArray *menu_titles;
	GArray *menu_ids;
	guint next_menu_id;
	gchar *pending_menu_label; /* MENU LABEL of a MENU BEGIN before any LABEL */
	gboolean in_menu_header;
	/* Globals */
	gchar *default_cmd;
	gchar *ui;
	gchar *ontimeout;
	gchar *global_append;
	gboolean prompt;
	gint timeout;
	gboolean in_text;
} Reader;

static void
label_free(Label *label)
{
	g_free(label->label);
	g_free(label->menu_label);
	g_free(label->kernel);
	g_free(label->append);
	g_free(label->initrd);
	g_free(label->config);
	g_free(label->submenu);
	g_free(label);
}

static gchar *
resolve(const Reader *r, const gchar *path)
{
	if (path[0] == '/')
		return g_strdup(path);
	return g_build_filename(r->cwd, path, NULL);
}

static gchar *
menu_path(const Reader *r)
{
	if (r->menu_titles->len == 0)
		return NULL;
	g_ptr_array_add(r->menu_titles, NULL);
	gchar *joined = g_strjoinv(" > ", (gchar **)r->menu_titles->pdata);
	g_ptr_array_remove_index(r->menu_titles, r->menu_titles->len - 1);
	return joined;
}

static void note(Reader *r, const gchar *format, ...) G_GNUC_PRINTF(2, 3);

static void
note(Reader *r, const gchar *format, ...)
{
	va_list args;
	va_start(args, format);
	g_ptr_array_add(r->loader->notes, g_strdup_vprintf(format, args));
	va_end(args);
}

static void read_config(Reader *r, const gchar *path, guint depth);
static gchar *strip_hotkey(const gchar *label);

/* "MENU LABEL ^Install" -> keyword "menu label", rest "^Install" */
static void
handle_menu(Reader *r, const gchar *rest, guint depth)
{
	g_autofree gchar *word = NULL;
	const gchar *arg = rest;

	while (*arg != '\0' && !g_ascii_isspace(*arg))
		arg++;
	word = g_ascii_strdown(rest, arg - rest);
	while (g_ascii_isspace(*arg))
		arg++;

	if (g_str_equal(word, "label")) {
		if (r->current != NULL && !r->in_menu_header)
			g_free(r->current->menu_label), r->current->menu_label = g_strdup(arg);
		else
			g_free(r->pending_menu_label), r->pending_menu_label = g_strdup(arg);
	} else if (g_str_equal(word, "title")) {
		if (r->in_menu_header && r->pending_menu_label == NULL)
			r->pending_menu_label = g_strdup(arg);
	} else if (g_str_equal(word, "default")) {
		if (r->current != NULL)
			r->current->menu_default = TRUE;
	} else if (g_str_equal(word, "hide")) {
		if (r->current != NULL)
			r->current->hidden = TRUE;
	} else if (g_str_equal(word, "exit")) {
		if (r->current != NULL)
			r->current->menu_exit = TRUE;
	} else if (g_str_equal(word, "begin")) {
		r->current = NULL;
		g_clear_pointer(&r->pending_menu_label, g_free);
		r->in_menu_header = TRUE;
		g_ptr_array_add(r->menu_titles, g_strdup(*arg != '\0' ? arg : "menu"));
		g_array_append_val(r->menu_ids, r->next_menu_id);
		r->next_menu_id++;
	} else if (g_str_equal(word, "end")) {
		r->current = NULL;
		r->in_menu_header = FALSE;
		if (r->menu_titles->len > 0) {
			g_ptr_array_remove_index(r->menu_titles, r->menu_titles->len - 1);
			g_array_remove_index(r->menu_ids, r->menu_ids->len - 1);
		}
	} else if (g_str_equal(word, "include")) {
		g_auto(GStrv) words = g_strsplit_set(arg, " \t", 2);
		if (words[0] != NULL && words[0][0] != '\0')
			read_config(r, words[0], depth + 1);
	}
}

/* A MENU BEGIN's own MENU LABEL names the submenu in the path. */
static void
close_menu_header(Reader *r)
{
	if (r->in_menu_header && r->pending_menu_label != NULL && r->menu_titles->len > 0) {
		guint last = r->menu_titles->len - 1;
		g_free(g_ptr_array_index(r->menu_titles, last));
		g_ptr_array_index(r->menu_titles, last) = strip_hotkey(r->pending_menu_label);
	}
	g_clear_pointer(&r->pending_menu_label, g_free);
	r->in_menu_header = FALSE;
}

static void
handle_line(Reader *r, const gchar *line, guint depth, const gchar *file)
{
	g_autofree gchar *keyword = NULL;
	const gchar *rest = line;

	while (*rest != '\0' && !g_ascii_isspace(*rest))
		rest++;
	keyword = g_ascii_strdown(line, rest - line);
	while (g_ascii_isspace(*rest))
		rest++;

	if (r->in_text) {
		if (g_str_equal(keyword, "endtext"))
			r->in_text = FALSE;
		return;
	}
	if (g_str_equal(keyword, "text")) {
		r->in_text = TRUE;
	} else if (g_str_equal(keyword, "menu")) {
		handle_menu(r, rest, depth);
	} else if (g_str_equal(keyword, "label")) {
		Label *label = g_new0(Label, 1);
		close_menu_header(r);
		label->label = g_strdup(rest);
		label->submenu = menu_path(r);
		label->menu_id = r->menu_ids->len > 0
					 ? g_array_index(r->menu_ids, guint, r->menu_ids->len - 1)
					 : 0;
		g_ptr_array_add(r->labels, label);
		r->current = label;
	} else if (g_str_equal(keyword, "kernel") || g_str_equal(keyword, "linux") ||
		   g_str_equal(keyword, "com32") || g_str_equal(keyword, "boot") ||
		   g_str_equal(keyword, "bss") || g_str_equal(keyword, "pxe") ||
		   g_str_equal(keyword, "fdimage") || g_str_equal(keyword, "comboot")) {
		if (r->current != NULL)
			g_free(r->current->kernel), r->current->kernel = g_strdup(rest);
	} else if (g_str_equal(keyword, "config")) {
		if (r->current != NULL)
			g_free(r->current->config), r->current->config = g_strdup(rest);
	} else if (g_str_equal(keyword, "localboot")) {
		if (r->current != NULL)
			g_free(r->current->kernel), r->current->kernel = NULL;
	} else if (g_str_equal(keyword, "append")) {
		if (r->current != NULL)
			g_free(r->current->append), r->current->append = g_strdup(rest);
		else
			g_free(r->global_append), r->global_append = g_strdup(rest);
	} else if (g_str_equal(keyword, "initrd")) {
		if (r->current != NULL)
			g_free(r->current->initrd), r->current->initrd = g_strdup(rest);
	} else if (g_str_equal(keyword, "include")) {
		g_auto(GStrv) words = g_strsplit_set(rest, " \t", 2);
		if (words[0] != NULL && words[0][0] != '\0')
			read_config(r, words[0], depth + 1);
	} else if (g_str_equal(keyword, "default")) {
		g_free(r->default_cmd), r->default_cmd = g_strdup(rest);
	} else if (g_str_equal(keyword, "ui")) {
		g_free(r->ui), r->ui = g_strdup(rest);
	} else if (g_str_equal(keyword, "ontimeout")) {
		g_free(r->ontimeout), r->ontimeout = g_strdup(rest);
	} else if (g_str_equal(keyword, "prompt")) {
		r->prompt = atoi(rest) != 0;
	} else if (g_str_equal(keyword, "timeout")) {
		r->timeout = atoi(rest);
	}
	(void)file;
}

static void
read_config(Reader *r, const gchar *name, guint depth)
{
	g_autofree gchar *wanted = resolve(r, name);
	g_autofree gchar *path = NULL;
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) lines = NULL;
	g_autofree gchar *text = NULL;
	gsize len;

	if (depth > MAX_INCLUDE_DEPTH) {
		note(r, "isolinux: INCLUDE %s is %u files deep: not followed", wanted, depth);
		return;
	}
	path = sg_boot_media_find(r->media, SG_BOOT_DEVICE_ISO, wanted, TRUE);
	if (path == NULL) {
		/* isolinux skips an INCLUDE it cannot open (d-i's gtk.cfg on a
		 * text-only image): worth a note, not a problem. */
		note(r, "isolinux: %s is not on the image (INCLUDE skipped)", wanted);
		return;
	}
	bytes = sg_boot_media_read(r->media, SG_BOOT_DEVICE_ISO, path, MAX_CONFIG_BYTES, &error);
	if (bytes == NULL) {
		note(r, "isolinux: cannot read %s: %s", path, error->message);
		return;
	}
	g_ptr_array_add(r->loader->config_files, g_strdup(path));
	text = g_strndup(g_bytes_get_data(bytes, &len), g_bytes_get_size(bytes));
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		gchar *line = g_strstrip(lines[i]);
		if (line[0] == '\0' || line[0] == '#')
			continue;
		handle_line(r, line, depth, path);
	}
}

static gboolean
is_module(const gchar *kernel)
{
	g_autofree gchar *lower = g_ascii_strdown(kernel, -1);
	return g_str_has_suffix(lower, ".c32") || g_str_has_suffix(lower, ".com") ||
	       g_str_has_suffix(lower, ".cbt") || g_str_has_suffix(lower, ".bin") ||
	       g_str_has_suffix(lower, ".bs") || g_str_has_suffix(lower, ".0");
}

static gchar *
basename_lower(const gchar *path)
{
	g_autofree gchar *base = g_path_get_basename(path);
	return g_ascii_strdown(base, -1);
}

/* initrd=a,b in APPEND, as syslinux's linux.c32 reads it. */
static GStrv
initrds_of(const Reader *r, const gchar *initrd, const gchar *append)
{
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
	g_auto(GStrv) words = g_strsplit_set(append != NULL ? append : "", " \t", -1);

	if (initrd != NULL && *initrd != '\0') {
		g_auto(GStrv) parts = g_strsplit(initrd, ",", -1);
		for (guint i = 0; parts[i] != NULL; i++)
			if (*parts[i] != '\0') {
				g_autofree gchar *path = resolve(r, parts[i]);
				g_strv_builder_add(builder, path);
			}
	}
	for (guint i = 0; words[i] != NULL; i++) {
		if (!g_str_has_prefix(words[i], "initrd="))
			continue;
		g_auto(GStrv) parts = g_strsplit(words[i] + strlen("initrd="), ",", -1);
		for (guint p = 0; parts[p] != NULL; p++)
			if (*parts[p] != '\0') {
				g_autofree gchar *path = resolve(r, parts[p]);
				g_strv_builder_add(builder, path);
			}
	}
	return g_strv_builder_end(builder);
}

static gchar *
strip_hotkey(const gchar *label)
{
	GString *out = g_string_new(NULL);
	for (const gchar *p = label; *p != '\0'; p++)
		if (*p != '^')
			g_string_append_c(out, *p);
	return g_string_free(out, FALSE);
}

static SgBootEntry *
entry_of(const Reader *r, const Label *label)
{
	SgBootEntry *entry = g_new0(SgBootEntry, 1);
	const gchar *append = label->append != NULL ? label->append : r->global_append;
	g_autofree gchar *kernel_word = NULL;
	const gchar *kernel_args = NULL;

	if (append != NULL && g_str_equal(append, "-"))
		append = NULL;
	entry->title = strip_hotkey(label->menu_label != NULL ? label->menu_label : label->label);
	entry->label = g_strdup(label->label);
	entry->submenu = g_strdup(label->submenu);
	entry->hidden = label->hidden;
	entry->editor_linux_line = -1;
	if (label->kernel != NULL) {
		const gchar *space = strpbrk(label->kernel, " \t");
		kernel_word = space != NULL ? g_strndup(label->kernel, space - label->kernel)
					    : g_strdup(label->kernel);
		kernel_args = space != NULL ? g_strstrip(g_strdup(space)) : NULL;
	}
	if (kernel_word != NULL && !is_module(kernel_word)) {
		entry->kernel = resolve(r, kernel_word);
		entry->initrds = initrds_of(r, label->initrd, append);
	} else {
		entry->initrds = g_new0(gchar *, 1);
	}
	if (kernel_args != NULL && append != NULL)
		entry->args = g_strconcat(kernel_args, " ", append, NULL);
	else
		entry->args = g_strdup(kernel_args != NULL ? kernel_args : append);
	g_free((gchar *)kernel_args);
	return entry;
}

static gint
find_label(const Reader *r, const gchar *name)
{
	for (guint i = 0; i < r->labels->len; i++) {
		const Label *label = g_ptr_array_index(r->labels, i);
		if (g_ascii_strcasecmp(label->label, name) == 0)
			return (gint)i;
	}
	return -1;
}

/* The first word of a command line ("install vga=788" -> "install"). */
static gchar *
first_word(const gchar *command)
{
	g_auto(GStrv) words = g_strsplit_set(command, " \t", 2);
	return g_strdup(words[0] != NULL ? words[0] : "");
}

static void
resolve_defaults(Reader *r)
{
	SgBootLoader *loader = r->loader;
	g_autofree gchar *ui_base = NULL;
	g_autofree gchar *default_word = r->default_cmd != NULL ? first_word(r->default_cmd) : NULL;
	g_autofree gchar *default_base = default_word != NULL ? basename_lower(default_word) : NULL;
	gint default_label = -1;

	/* Old configs start the menu as the DEFAULT command itself:
	 * "default vesamenu.c32" with no UI line. */
	if (r->ui != NULL) {
		g_autofree gchar *ui_word = first_word(r->ui);
		ui_base = basename_lower(ui_word);
	} else if (default_base != NULL && g_str_has_suffix(default_base, ".c32") &&
		   (g_str_equal(default_base, "menu.c32") ||
		    g_str_equal(default_base, "vesamenu.c32") ||
		    g_str_equal(default_base, "gfxboot.c32"))) {
		ui_base = g_strdup(default_base);
	}
	if (default_word != NULL)
		default_label = find_label(r, default_word);

	/* Only labels that boot something are entries; "Back.." items that
	 * leave a submenu are not. */
	for (guint i = 0; i < r->labels->len; i++) {
		const Label *label = g_ptr_array_index(r->labels, i);
		if (label->menu_exit || (label->kernel == NULL && label->config == NULL))
			continue;
		g_ptr_array_add(loader->entries, entry_of(r, label));
	}

	if (ui_base != NULL) {
		gint chosen = -1;
		loader->graphical = g_str_equal(ui_base, "menu.c32") ? SG_BOOT_NO : SG_BOOT_YES;
		/* menu.c32's parse_configs(): MENU DEFAULT of the top menu,
		 * overridden by a DEFAULT that names a label; else the first. */
		for (guint i = 0; i < r->labels->len && chosen < 0; i++) {
			const Label *label = g_ptr_array_index(r->labels, i);
			if (label->menu_default && label->menu_id == 0)
				chosen = (gint)i;
		}
		if (default_label >= 0)
			chosen = default_label;
		if (chosen < 0) {
			for (guint i = 0; i < r->labels->len && chosen < 0; i++) {
				const Label *label = g_ptr_array_index(r->labels, i);
				if (label->menu_id == 0 && !label->hidden)
					chosen = (gint)i;
			}
		}
		loader->timeout_ds = r->timeout > 0 ? r->timeout : -1;
		if (chosen >= 0) {
			const Label *label = g_ptr_array_index(r->labels, chosen);
			for (guint i = 0; i < loader->entries->len; i++) {
				const SgBootEntry *e = g_ptr_array_index(loader->entries, i);
				if (g_strcmp0(e->label, label->label) == 0 &&
				    g_strcmp0(e->submenu, label->submenu) == 0) {
					loader->default_entry = (gint)i;
					break;
				}
			}
			if (loader->default_entry < 0)
				note(r, "isolinux: the menu starts on '%s', which boots nothing",
				     label->label);
		}
		if (r->ontimeout != NULL) {
			g_autofree gchar *word = first_word(r->ontimeout);
			gint timeout_label = find_label(r, word);
			if (timeout_label != chosen)
				note(r,
				     "isolinux: the menu starts on one entry but ONTIMEOUT boots "
				     "'%s' when its %d.%d s run out",
				     r->ontimeout, r->timeout / 10, r->timeout % 10);
		}
		return;
	}

	/* No menu: the boot: prompt, and DEFAULT's command line. */
	loader->graphical = SG_BOOT_NO;
	if (!r->prompt) {
		loader->timeout_ds = 0;
		note(r, "isolinux: PROMPT 0 without a menu: it boots DEFAULT at once unless "
			"Shift or Alt is held");
	} else {
		loader->timeout_ds = r->timeout > 0 ? r->timeout : -1;
	}
	if (default_label >= 0) {
		const Label *label = g_ptr_array_index(r->labels, default_label);
		for (guint i = 0; i < loader->entries->len; i++) {
			const SgBootEntry *e = g_ptr_array_index(loader->entries, i);
			if (g_strcmp0(e->label, label->label) == 0)
				loader->default_entry = (gint)i;
		}
	} else if (r->default_cmd != NULL) {
		/* IMPLICIT 1 (the default): DEFAULT names a kernel itself. */
		Label implicit = {.label = default_word, .kernel = r->default_cmd};
		SgBootEntry *entry = entry_of(r, &implicit);
		g_ptr_array_add(loader->entries, entry);
		loader->default_entry = (gint)loader->entries->len - 1;
	}
}

void
sg_syslinux_read(SgBootMedia *media, SgBootLoader *loader)
{
	Reader r = {
		.media = media,
		.loader = loader,
		.labels = g_ptr_array_new_with_free_func((GDestroyNotify)label_free),
		.menu_titles = g_ptr_array_new_with_free_func(g_free),
		.menu_ids = g_array_new(FALSE, FALSE, sizeof(guint)),
		.next_menu_id = 1,
	};

	loader->kind = SG_BOOT_LOADER_ISOLINUX;
	for (guint i = 0; sg_syslinux_config_paths[i] != NULL && loader->config == NULL; i++) {
		g_autofree gchar *found = sg_boot_media_find(media, SG_BOOT_DEVICE_ISO,
							     sg_syslinux_config_paths[i], TRUE);
		if (found != NULL && !sg_boot_media_is_folder(media, SG_BOOT_DEVICE_ISO, found))
			loader->config = g_steal_pointer(&found);
	}
	if (loader->config != NULL) {
		r.cwd = g_path_get_dirname(loader->config);
		read_config(&r, loader->config, 0);
		resolve_defaults(&r);
	}
	g_free(r.cwd);
	g_free(r.pending_menu_label);
	g_free(r.default_cmd);
	g_free(r.ui);
	g_free(r.ontimeout);
	g_free(r.global_append);
	g_ptr_array_unref(r.labels);
	g_ptr_array_unref(r.menu_titles);
	g_array_unref(r.menu_ids);
}
