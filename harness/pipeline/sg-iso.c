#include "sg-iso.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "sg-arch.h"
#include "sg-archive.h"
#include "sg-error.h"

#define ISO_SECTOR 2048
#define PVD_OFFSET (16 * ISO_SECTOR)
#define MAX_DISK_INFO 4096

void
sg_iso_info_free(SgIsoInfo *info)
{
	if (info == NULL)
		return;
	g_free(info->volume_id);
	g_free(info->disk_info);
	g_free(info->layout_kernel);
	g_free(info->layout_initrd);
	g_free(info->arch);
	g_free(info);
}

/* libarchive names entries "casper/vmlinuz"; profiles say "/casper/vmlinuz". */
static const gchar *
relative(const gchar *path)
{
	while (*path == '/' || (path[0] == '.' && path[1] == '/'))
		path++;
	return path;
}

/* The volume id sits at a fixed place in the primary volume descriptor;
 * libarchive does not expose it, and reading 32 bytes needs no library. */
static gchar *
read_volume_id(const gchar *iso, GError **error)
{
	guchar pvd[ISO_SECTOR];
	int fd = open(iso, O_RDONLY | O_CLOEXEC);
	ssize_t got;

	if (fd < 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "cannot open %s: %s", iso,
			    g_strerror(errno));
		return NULL;
	}
	got = pread(fd, pvd, sizeof(pvd), PVD_OFFSET);
	close(fd);
	if (got != (ssize_t)sizeof(pvd) || pvd[0] != 1 || memcmp(pvd + 1, "CD001", 5) != 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_IMAGE,
			    "not an ISO 9660 image: no primary volume descriptor");
		return NULL;
	}
	return g_strchomp(g_strndup((const gchar *)pvd + 40, 32));
}

/* Where each family keeps its boot files, most specific first, as real
 * images lay them out (DOMAIN.md section 3): d-i's /install.amd/ (Debian)
 * or /install/ (Ubuntu; Debian's ppc64el), casper's /casper/ (ubiquity, and subiquity when an
 * installer layer sits beside the live one), live-boot's /live/. */
static const struct {
	SgFamily family;
	const gchar *kernels;
	const gchar *initrds;
} layouts[] = {
	{SG_FAMILY_DEBIAN_INSTALLER, "install.amd/vmlinuz", "install.amd/initrd.gz"},
	{SG_FAMILY_DEBIAN_INSTALLER, "install.386/vmlinuz", "install.386/initrd.gz"},
	{SG_FAMILY_DEBIAN_INSTALLER, "install.a64/vmlinuz", "install.a64/initrd.gz"},
	/* Ubuntu's d-i, and Debian's ppc64el netinst (a vmlinux: pseries
	 * boots an ELF kernel, no compressed one). */
	{SG_FAMILY_DEBIAN_INSTALLER, "install/vmlinuz;install/vmlinux", "install/initrd.gz"},
	{SG_FAMILY_UBIQUITY, "casper/vmlinuz;casper/vmlinuz.efi",
	 "casper/initrd;casper/initrd.lz;casper/initrd.gz;casper/initrd.img"},
	{SG_FAMILY_LIVE, "live/vmlinuz;live/vmlinuz*", "live/initrd.img;live/initrd.img*"},
};

/* Subiquity's ISOs carry its snap in an installer layer of their own
 * (server 20.04+: casper/installer.squashfs or casper/NAME.installer.squashfs;
 * desktop 23.04+: the layered casper/minimal.*.squashfs). */
static gboolean
is_subiquity_marker(const gchar *path)
{
	return g_str_has_prefix(path, "casper/") && g_str_has_suffix(path, ".squashfs") &&
	       (strstr(path, "installer") != NULL || g_str_has_prefix(path, "casper/minimal"));
}

/* The first path of @candidates (globs, in order of preference) in @paths. */
static gchar *
find_candidate(GPtrArray *paths, const gchar *candidates)
{
	g_auto(GStrv) globs = g_strsplit(candidates, ";", -1);

	for (guint g = 0; globs[g] != NULL; g++) {
		for (guint i = 0; i < paths->len; i++) {
			const gchar *path = g_ptr_array_index(paths, i);
			if (g_pattern_match_simple(globs[g], path))
				return g_strconcat("/", path, NULL);
		}
	}
	return NULL;
}

static void
read_layout(SgIsoInfo *info, GPtrArray *paths, gboolean subiquity)
{
	info->layout_family = SG_FAMILY_UNKNOWN;
	for (guint i = 0; i < G_N_ELEMENTS(layouts); i++) {
		g_autofree gchar *kernel = find_candidate(paths, layouts[i].kernels);
		g_autofree gchar *initrd = find_candidate(paths, layouts[i].initrds);
		if (kernel == NULL || initrd == NULL)
			continue;
		info->layout_family = layouts[i].family;
		if (info->layout_family == SG_FAMILY_UBIQUITY && subiquity)
			info->layout_family = SG_FAMILY_SUBIQUITY;
		info->layout_kernel = g_steal_pointer(&kernel);
		info->layout_initrd = g_steal_pointer(&initrd);
		return;
	}
}

/* Debian's architecture names as .disk/info says them ("Debian GNU/Linux
 * 12.8.0 "Bookworm" - Official i386 NETINST ...", "Ubuntu 24.04 LTS
 * "Noble Numbat" - Release amd64 (20240424)"), else d-i's folder for it. */
static void
read_arch(SgIsoInfo *info)
{
	g_auto(GStrv) words =
		info->disk_info != NULL ? g_strsplit_set(info->disk_info, " \t()", -1) : NULL;
	const gchar *kernel = info->layout_kernel != NULL ? info->layout_kernel : "";

	for (guint w = 0; words != NULL && words[w] != NULL; w++) {
		const SgArch *arch = sg_arch_find(words[w]);
		/* QEMU's names ("x86_64") are not .disk/info's words. */
		if (arch != NULL && g_str_equal(arch->name, words[w])) {
			info->arch = g_strdup(arch->name);
			info->arch_source = ".disk/info";
			return;
		}
	}
	if (g_str_has_prefix(kernel, "/install.amd/"))
		info->arch = g_strdup("amd64");
	else if (g_str_has_prefix(kernel, "/install.386/"))
		info->arch = g_strdup("i386");
	else if (g_str_has_prefix(kernel, "/install.a64/"))
		info->arch = g_strdup("arm64");
	if (info->arch != NULL)
		info->arch_source = "its installer's folder";
}

/* Boot files sit near the top: deeper paths (a pool of packages) are not
 * kept, so a DVD's thousands of entries cost nothing. */
static gboolean
is_layout_path(const gchar *path)
{
	const gchar *slash = strchr(path, '/');
	return slash != NULL && strchr(slash + 1, '/') == NULL &&
	       (g_str_has_prefix(path, "install") || g_str_has_prefix(path, "casper/") ||
		g_str_has_prefix(path, "live/"));
}

SgIsoInfo *
sg_iso_read_info(const gchar *iso, GError **error)
{
	g_autoptr(SgIsoInfo) info = g_new0(SgIsoInfo, 1);
	g_autoptr(SgArchive) archive = NULL;
	g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
	gboolean subiquity = FALSE;
	struct archive_entry *entry;
	int status;

	info->volume_id = read_volume_id(iso, error);
	if (info->volume_id == NULL)
		return NULL;
	archive = sg_archive_open_iso(iso, error);
	if (archive == NULL)
		return NULL;
	while ((status = archive_read_next_header(archive, &entry)) == ARCHIVE_OK) {
		const gchar *path = relative(archive_entry_pathname(entry));
		if (g_str_equal(path, ".disk/info") && info->disk_info == NULL) {
			gchar buffer[MAX_DISK_INFO + 1];
			la_ssize_t len = archive_read_data(archive, buffer, MAX_DISK_INFO);
			if (len < 0)
				break;
			buffer[len] = '\0';
			info->disk_info = g_strstrip(g_strdup(buffer));
		}
		if (is_layout_path(path) && archive_entry_filetype(entry) == AE_IFREG)
			g_ptr_array_add(paths, g_strdup(path));
		subiquity |= is_subiquity_marker(path);
	}
	if (status != ARCHIVE_EOF) {
		sg_archive_set_error(error, SG_ERROR_IMAGE, archive,
				     "ISO 9660 image is unreadable");
		return NULL;
	}
	read_layout(info, paths, subiquity);
	read_arch(info);
	return g_steal_pointer(&info);
}

static gboolean
copy_entry(SgArchive *archive, const gchar *inside, const gchar *dest, GError **error)
{
	int fd = open(dest, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int status;

	if (fd < 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot create %s: %s", dest,
			    g_strerror(errno));
		return FALSE;
	}
	status = archive_read_data_into_fd(archive, fd);
	if (close(fd) != 0 && status == ARCHIVE_OK) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot write %s: %s", dest,
			    g_strerror(errno));
		return FALSE;
	}
	if (status != ARCHIVE_OK) {
		sg_archive_set_error(error, SG_ERROR_IMAGE, archive,
				     "cannot read %s from the image", inside);
		return FALSE;
	}
	return TRUE;
}

gboolean
sg_iso_extract(const gchar *iso, const gchar *const *paths, const gchar *const *dests,
	       GError **error)
{
	g_autoptr(SgArchive) archive = sg_archive_open_iso(iso, error);
	guint wanted = g_strv_length((gchar **)paths);
	g_autofree gboolean *found = g_new0(gboolean, wanted);
	guint remaining = wanted;
	struct archive_entry *entry;
	int status = ARCHIVE_OK;

	if (archive == NULL)
		return FALSE;
	while (remaining > 0 &&
	       (status = archive_read_next_header(archive, &entry)) == ARCHIVE_OK) {
		const gchar *name = relative(archive_entry_pathname(entry));
		for (guint i = 0; i < wanted; i++) {
			if (found[i] || !g_str_equal(name, relative(paths[i])))
				continue;
			if (archive_entry_filetype(entry) != AE_IFREG) {
				g_set_error(error, SG_ERROR, SG_ERROR_IMAGE,
					    "%s in the image is not a file", paths[i]);
				return FALSE;
			}
			if (!copy_entry(archive, paths[i], dests[i], error))
				return FALSE;
			found[i] = TRUE;
			remaining--;
			break;
		}
	}
	if (status != ARCHIVE_OK && status != ARCHIVE_EOF) {
		sg_archive_set_error(error, SG_ERROR_IMAGE, archive,
				     "ISO 9660 image is unreadable");
		return FALSE;
	}
	for (guint i = 0; i < wanted; i++) {
		if (!found[i]) {
			g_set_error(error, SG_ERROR, SG_ERROR_IMAGE,
				    "the image has no %s, where its flavour boots the installer "
				    "from",
				    paths[i]);
			return FALSE;
		}
	}
	return TRUE;
}

GBytes *
sg_iso_read_start(const gchar *iso, const gchar *path, gsize max, GError **error)
{
	g_autoptr(SgArchive) archive = sg_archive_open_iso(iso, error);
	struct archive_entry *entry;
	int status = ARCHIVE_OK;

	if (archive == NULL)
		return NULL;
	while ((status = archive_read_next_header(archive, &entry)) == ARCHIVE_OK) {
		g_autofree guchar *data = NULL;
		gsize got = 0;

		if (!g_str_equal(relative(archive_entry_pathname(entry)), relative(path)))
			continue;
		if (archive_entry_filetype(entry) != AE_IFREG)
			break;
		data = g_malloc(max);
		while (got < max) {
			la_ssize_t n = archive_read_data(archive, data + got, max - got);
			if (n < 0) {
				sg_archive_set_error(error, SG_ERROR_IMAGE, archive,
						     "cannot read %s from the image", path);
				return NULL;
			}
			if (n == 0)
				break;
			got += n;
		}
		return g_bytes_new_take(g_steal_pointer(&data), got);
	}
	if (status != ARCHIVE_OK && status != ARCHIVE_EOF)
		sg_archive_set_error(error, SG_ERROR_IMAGE, archive,
				     "ISO 9660 image is unreadable");
	else
		g_set_error(error, SG_ERROR, SG_ERROR_IMAGE, "the image has no file %s", path);
	return NULL;
}
