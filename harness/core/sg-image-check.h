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
 * vmlinuz, which QEMU unpacks itself) or in an EFI zboot image (which the
 * firmware starts), as sg_kernel_arch() reads them. */
gboolean sg_image_is_arm64_kernel(const gchar *path);

/* How much of a kernel file sg_kernel_arch() reads: enough for every header
 * it knows and a compressed kernel's first bytes (an EFI zboot image's
 * payload starts after its PE stub, tens of KiB in). */
#define SG_KERNEL_HEADER_READ (1024 * 1024)

/*
 * The architecture (Debian's name) a Linux kernel's own header says, from
 * the file's first bytes @data (up to SG_KERNEL_HEADER_READ); NULL when it
 * says none known. @how, when not NULL, is set to what was read: "bzImage",
 * "arm64 Image", "ELF", with ", gzip" or ", EFI zboot zstd" when it was
 * compressed (and decompressed first):
 * - a PC's bzImage: "HdrS" at 0x202; amd64 when its xloadflags say a 64-bit
 *   kernel (boot protocol 2.12 and later), i386 when they say not; an older
 *   protocol does not say which (NULL);
 * - an arm64 Image: "ARM\x64" at 0x38;
 * - an ELF vmlinux (ppc64el's netboot kernel): its e_machine and byte order;
 * - gzip (Debian's and Ubuntu's arm64 vmlinuz), and an EFI zboot image ("MZ",
 *   "zimg" at 4, its payload's offset and size at 8 and 12, its compression's
 *   name at 24): the kernel inside, read the same way, once.
 */
const gchar *sg_kernel_arch(GBytes *data, gchar **how);
/* Whether @path is a Linux kernel a pseries machine boots: a 64-bit
 * little-endian ELF for PowerPC (Debian's ppc64el vmlinux), the only form
 * SLOF loads. */
gboolean sg_image_is_ppc64le_kernel(const gchar *path);

G_END_DECLS
