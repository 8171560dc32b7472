#include "sg-image-check.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "sg-error.h"

gboolean
sg_image_checksum(const gchar *path, gchar **sha256, guint64 *size, GError **error)
{
	g_autoptr(GChecksum) checksum = g_checksum_new(G_CHECKSUM_SHA256);
	g_autofree guchar *buffer = g_malloc(1024 * 1024);
	guint64 total = 0;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "cannot open %s: %s", path,
			    g_strerror(errno));
		return FALSE;
	}
	while ((got = read(fd, buffer, 1024 * 1024)) > 0) {
		g_checksum_update(checksum, buffer, got);
		total += got;
	}
	close(fd);
	if (got < 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot read %s: %s", path,
			    g_strerror(errno));
		return FALSE;
	}
	*sha256 = g_strdup(g_checksum_get_string(checksum));
	*size = total;
	return TRUE;
}

gboolean
sg_image_is_bzimage(const gchar *path)
{
	gchar header[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	gboolean ok;

	if (fd < 0)
		return FALSE;
	ok = pread(fd, header, 4, 0x202) == 4 && memcmp(header, "HdrS", 4) == 0;
	close(fd);
	return ok;
}
