#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The image's size and SHA-256, read in a stream (images are gigabytes). */
gboolean sg_image_checksum(const gchar *path, gchar **sha256, guint64 *size, GError **error);

/* Whether @path is a Linux kernel the PC boot protocol can load (bzImage
 * "HdrS" header), so a wrong file is the image's fault, not QEMU's. */
gboolean sg_image_is_bzimage(const gchar *path);

/* Whether @fd (the file @path) carries an ISO 9660 volume descriptor
 * ("CD001" at byte 32769): what stage takes for an image. Only the
 * descriptor: a truncated image is still an image, for the gate to fail.
 * Refused with SG_ERROR_USAGE. */
gboolean sg_image_check_iso9660(int fd, const gchar *path, GError **error);

/* Whether @path is a Linux kernel QEMU boots on an arm64 virt machine: an
 * arm64 Image ("ARM\x64" at 0x38), or one compressed with gzip (Ubuntu's
 * vmlinuz), which QEMU unpacks itself. */
gboolean sg_image_is_arm64_kernel(const gchar *path);

/* Whether @path is a Linux kernel a pseries machine boots: a 64-bit
 * little-endian ELF for PowerPC (Debian's ppc64el vmlinux), the only form
 * SLOF loads. */
gboolean sg_image_is_ppc64le_kernel(const gchar *path);

G_END_DECLS
