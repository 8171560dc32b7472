#include "sg-inspect.h"

#include <stdlib.h>
#include <string.h>

#include "sg-error.h"
#include "sg-json.h"
#include "sg-guestfs.h"

/* A journal of a long-lived system can be huge; the boot we care about is
 * the only one on a freshly installed disk, so a bound costs nothing. */
#define MAX_JOURNAL_ENTRIES 500000

static gchar *
describe_os(guestfs_h *g, const char *root, JsonBuilder *report)
{
	g_autofree char *product = guestfs_inspect_get_product_name(g, root);
	g_autofree char *distro = guestfs_inspect_get_distro(g, root);
	g_autofree char *hostname = guestfs_inspect_get_hostname(g, root);
	int major = guestfs_inspect_get_major_version(g, root);
	int minor = guestfs_inspect_get_minor_version(g, root);
	g_autofree gchar *version = g_strdup_printf("%d.%d", major, minor);

	json_builder_set_member_name(report, "os");
	json_builder_begin_object(report);
	sg_json_add_string(report, "root", root);
	sg_json_add_string(report, "product", product);
	sg_json_add_string(report, "distro", distro);
	sg_json_add_string(report, "version", version);
	sg_json_add_string(report, "hostname", hostname);
	json_builder_end_object(report);
	return g_strdup_printf("%s (%s %d.%d, hostname %s)", product != NULL ? product : "?",
			       distro != NULL ? distro : "?", major, minor,
			       hostname != NULL ? hostname : "?");
}

static void
read_installer_logs(guestfs_h *g, SgInspection *inspection, JsonBuilder *report)
{
	const char *dir = "/var/log/installer";
	char **names = NULL;
	g_autoptr(GString) listing = g_string_new(NULL);

	json_builder_set_member_name(report, "installer_logs");
	json_builder_begin_array(report);
	if (guestfs_is_dir(g, dir) > 0)
		names = guestfs_find(g, dir);
	for (char **p = names; p != NULL && *p != NULL; p++) {
		g_autofree gchar *path = g_build_filename(dir, *p, NULL);
		gint64 size;
		if (guestfs_is_file(g, path) <= 0)
			continue;
		size = guestfs_filesize(g, path);
		json_builder_begin_object(report);
		sg_json_add_string(report, "path", path);
		sg_json_add_int(report, "size", size);
		json_builder_end_object(report);
		g_string_append_printf(listing, "%s%s", listing->len > 0 ? ", " : "", *p);
		if (g_str_has_suffix(*p, "subiquity-traceback.txt") &&
		    inspection->installer_crash == NULL) {
			char **lines = guestfs_head_n(g, 3, path);
			g_autofree gchar *joined = lines != NULL ? g_strjoinv(" | ", lines) : NULL;
			inspection->installer_crash =
				g_strdup_printf("%s: %s", path, joined != NULL ? joined : "");
			sg_guestfs_strv_free(lines);
		}
	}
	json_builder_end_array(report);
	sg_guestfs_strv_free(names);
	if (listing->len > 0)
		inspection->installer_logs = g_strdup_printf("%s: %s", dir, listing->str);
}

static void
find_user(guestfs_h *g, const gchar *username, SgInspection *inspection, JsonBuilder *report)
{
	g_autofree gchar *prefix = g_strdup_printf("%s:", username);
	char **lines =
		guestfs_is_file(g, "/etc/passwd") > 0 ? guestfs_read_lines(g, "/etc/passwd") : NULL;

	for (char **p = lines; p != NULL && *p != NULL; p++) {
		if (g_str_has_prefix(*p, prefix)) {
			inspection->user = g_strdup_printf("/etc/passwd: %s", *p);
			break;
		}
	}
	sg_guestfs_strv_free(lines);
	sg_json_add_string(report, "user", inspection->user);
}

static gint64
read_journal(guestfs_h *g, const gchar *username, SgInspection *inspection)
{
	gint64 entries = 0;

	if (guestfs_journal_open(g, "/var/log/journal") < 0)
		return -1;
	while (entries < MAX_JOURNAL_ENTRIES && guestfs_journal_next(g) > 0) {
		struct guestfs_xattr_list *fields = guestfs_journal_get(g);
		g_autoptr(GHashTable) table =
			g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
		SgEvidenceKind kind;

		entries++;
		if (fields == NULL)
			continue;
		for (guint32 i = 0; i < fields->len; i++)
			g_hash_table_insert(
				table, g_strdup(fields->val[i].attrname),
				g_strndup(fields->val[i].attrval, fields->val[i].attrval_len));
		guestfs_free_xattr_list(fields);
		kind = sg_evidence_match_journal(table, username);
		if (kind != SG_EVIDENCE_NONE) {
			const gchar *message = g_hash_table_lookup(table, "MESSAGE");
			sg_inspection_add_evidence(inspection, kind, "journal",
						   message != NULL ? message : "");
		}
	}
	guestfs_journal_close(g);
	return entries;
}

/* Images from before the journal (13.04-14.04) leave the same facts in text logs. */
static void
read_text_logs(guestfs_h *g, const gchar *username, SgInspection *inspection)
{
	static const gchar *const logs[] = {"/var/log/syslog", "/var/log/lightdm/lightdm.log",
					    "/var/log/sddm.log", NULL};

	for (guint i = 0; logs[i] != NULL; i++) {
		char **lines;
		if (guestfs_is_file(g, logs[i]) <= 0)
			continue;
		lines = guestfs_read_lines(g, logs[i]);
		for (char **p = lines; p != NULL && *p != NULL; p++) {
			SgEvidenceKind kind = sg_evidence_match_text(*p, username);
			if (kind != SG_EVIDENCE_NONE)
				sg_inspection_add_evidence(inspection, kind, logs[i], *p);
		}
		sg_guestfs_strv_free(lines);
	}
}

static void
read_desktop_evidence(guestfs_h *g, const gchar *username, SgInspection *inspection)
{
	const char *journal_feature[] = {"journal", NULL};
	gint64 entries = -1;

	if (guestfs_is_dir(g, "/var/log/journal") > 0 &&
	    guestfs_feature_available(g, (char *const *)journal_feature) > 0)
		entries = read_journal(g, username, inspection);
	if (!sg_inspection_has_desktop(inspection))
		read_text_logs(g, username, inspection);
	sg_inspection_set_journal_entries(inspection, entries);
}

/* Opens @disk read-only and mounts its system; NULL with @error when the
 * disk cannot be read, NULL without when the read was cancelled. *@root
 * is the system's root, NULL when libguestfs finds none. */
static SgGuestfs *
open_system(const gchar *disk, gboolean force_tcg, gchar **root, GCancellable *cancellable,
	    GError **error)
{
	g_autoptr(SgGuestfs) g = sg_guestfs_open(disk, TRUE, force_tcg, error);
	char **roots;

	if (g == NULL || g_cancellable_set_error_if_cancelled(cancellable, error))
		return NULL;
	roots = guestfs_inspect_os(g);
	if (roots != NULL && roots[0] != NULL) {
		*root = g_strdup(roots[0]);
		sg_guestfs_mount_root(g, roots[0], TRUE);
	}
	sg_guestfs_strv_free(roots);
	return g_steal_pointer(&g);
}

static void
close_system(SgGuestfs *g)
{
	guestfs_umount_all(g);
	guestfs_shutdown(g);
}

/* What the installer left: the system, its logs, the answer file's user. */
static SgInspection *
read_installed(guestfs_h *g, const gchar *root, const gchar *username)
{
	g_autoptr(JsonBuilder) report = json_builder_new();
	SgInspection *inspection = g_new0(SgInspection, 1);

	json_builder_begin_object(report);
	if (root != NULL) {
		inspection->os_summary = describe_os(g, root, report);
		read_installer_logs(g, inspection, report);
		find_user(g, username, inspection, report);
	}
	json_builder_end_object(report);
	inspection->report = json_builder_get_root(report);
	return inspection;
}

SgInspection *
sg_inspect_disk(const gchar *disk, const gchar *username, gboolean force_tcg, GError **error)
{
	g_autofree gchar *root = NULL;
	g_autoptr(SgGuestfs) g = open_system(disk, force_tcg, &root, NULL, error);
	g_autoptr(SgInspection) inspection = NULL;

	if (g == NULL)
		return NULL;
	inspection = read_installed(g, root, username);
	if (root != NULL)
		read_desktop_evidence(g, username, inspection);
	close_system(g);
	return g_steal_pointer(&inspection);
}

SgInspection *
sg_inspect_base(const gchar *disk, const gchar *username, gboolean force_tcg,
		GCancellable *cancellable, GError **error)
{
	g_autofree gchar *root = NULL;
	gint64 start = g_get_monotonic_time();
	g_autoptr(SgGuestfs) g = open_system(disk, force_tcg, &root, cancellable, error);
	SgInspection *inspection;

	if (g == NULL)
		return NULL;
	g_debug("inspect: libguestfs appliance started and %s mounted in %.1f s", disk,
		(g_get_monotonic_time() - start) / 1e6);
	inspection = read_installed(g, root, username);
	close_system(g);
	return inspection;
}

gboolean
sg_inspect_journal(const gchar *disk, const gchar *username, gboolean force_tcg,
		   SgInspection *inspection, GError **error)
{
	g_autofree gchar *root = NULL;
	g_autoptr(SgGuestfs) g = open_system(disk, force_tcg, &root, NULL, error);

	if (g == NULL)
		return FALSE;
	if (root != NULL)
		read_desktop_evidence(g, username, inspection);
	close_system(g);
	return TRUE;
}
