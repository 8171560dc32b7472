#include "sg-image-check.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <openssl/evp.h>
#include <unistd.h>

#include "sg-archive.h"
#include "sg-error.h"

#define READ_SIZE (1024 * 1024)

typedef EVP_MD_CTX SgDigest;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgDigest, EVP_MD_CTX_free)

/* OpenSSL's SHA-256 uses the CPU's SHA extensions where it has them: about
 * four times GChecksum's speed here, and the gate hashes every multi-GiB
 * image it stages and tests. */
gboolean
sg_image_checksum(const gchar *path, gchar **sha256, guint64 *size, GError **error)
{
	g_autoptr(SgDigest) digest = EVP_MD_CTX_new();
	g_autofree guchar *buffer = g_malloc(READ_SIZE);
	guchar sum[EVP_MAX_MD_SIZE];
	unsigned int sum_len = 0;
	guint64 total = 0;
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "cannot open %s: %s", path,
			    g_strerror(errno));
		return FALSE;
	}
	/* The whole file is read once, front to back. */
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (digest == NULL || EVP_DigestInit_ex(digest, EVP_sha256(), NULL) != 1) {
		close(fd);
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot start a SHA-256 digest");
		return FALSE;
	}
	while ((got = read(fd, buffer, READ_SIZE)) > 0) {
		EVP_DigestUpdate(digest, buffer, got);
		total += got;
	}
	close(fd);
	if (got < 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot read %s: %s", path,
			    g_strerror(errno));
		return FALSE;
	}
	EVP_DigestFinal_ex(digest, sum, &sum_len);
	{
		GString *hex = g_string_sized_new(sum_len * 2);
		for (guint i = 0; i < sum_len; i++)
			g_string_append_printf(hex, "%02x", sum[i]);
		*sha256 = g_string_free(hex, FALSE);
	}
	*size = total;
	return TRUE;
}

/* The first @length bytes of @path; FALSE when it is shorter or unreadable. */
static gboolean
read_start(const gchar *path, guchar *buffer, gsize length)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	gboolean ok;

	if (fd < 0)
		return FALSE;
	ok = pread(fd, buffer, length, 0) == (gssize)length;
	close(fd);
	return ok;
}

#define ISO9660_DESCRIPTOR_OFFSET 32769
#define ISO9660_MAGIC "CD001"

gboolean
sg_image_check_iso9660(int fd, const gchar *path, GError **error)
{
	gchar magic[sizeof(ISO9660_MAGIC) - 1];
	ssize_t got = pread(fd, magic, sizeof(magic), ISO9660_DESCRIPTOR_OFFSET);

	if (got == (ssize_t)sizeof(magic) && memcmp(magic, ISO9660_MAGIC, sizeof(magic)) == 0)
		return TRUE;
	g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
		    "%s is not an ISO 9660 image (no volume descriptor \"CD001\" at byte %d)", path,
		    ISO9660_DESCRIPTOR_OFFSET);
	return FALSE;
}

gboolean
sg_image_is_arm64_kernel(const gchar *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	g_autofree guchar *start = NULL;
	g_autoptr(GBytes) bytes = NULL;
	gssize got;

	if (fd < 0)
		return FALSE;
	start = g_malloc(SG_KERNEL_HEADER_READ);
	got = pread(fd, start, SG_KERNEL_HEADER_READ, 0);
	close(fd);
	if (got <= 0)
		return FALSE;
	bytes = g_bytes_new_take(g_steal_pointer(&start), got);
	return g_strcmp0(sg_kernel_arch(bytes, NULL), "arm64") == 0;
}

gboolean
sg_image_is_bzimage(const gchar *path)
{
	guchar header[0x206];

	return read_start(path, header, sizeof(header)) && memcmp(header + 0x202, "HdrS", 4) == 0;
}

/* What a compressed kernel's header needs: the arm64 Image's 64 bytes, the
 * bzImage's setup header, an ELF header. */
#define DECOMPRESSED_HEADER 4096

#define EM_X86_64 62
#define EM_AARCH64 183
#define EM_PPC64 21
#define EM_S390 22

static guint16
le16(const guchar *p)
{
	return p[0] | (p[1] << 8);
}

static guint32
le32(const guchar *p)
{
	return (guint32)p[0] | ((guint32)p[1] << 8) | ((guint32)p[2] << 16) | ((guint32)p[3] << 24);
}

/* The first DECOMPRESSED_HEADER bytes (or fewer) of the compressed stream
 * @data, whatever libarchive's filters know (gzip, zstd, xz, lzma, bzip2,
 * lz4); NULL when it is none or broken before that. */
static GBytes *
decompress_start(const guchar *data, gsize len)
{
	g_autoptr(SgArchive) reader = archive_read_new();
	struct archive_entry *entry;
	guchar *out = g_malloc(DECOMPRESSED_HEADER);
	gsize got = 0;

	archive_read_support_filter_all(reader);
	archive_read_support_format_raw(reader);
	if (archive_read_open_memory(reader, data, len) != ARCHIVE_OK ||
	    archive_read_next_header(reader, &entry) != ARCHIVE_OK ||
	    archive_filter_code(reader, 0) == ARCHIVE_FILTER_NONE) {
		g_free(out);
		return NULL;
	}
	while (got < DECOMPRESSED_HEADER) {
		la_ssize_t n = archive_read_data(reader, out + got, DECOMPRESSED_HEADER - got);
		if (n <= 0)
			break;
		got += n;
	}
	return g_bytes_new_take(out, got);
}

static const gchar *
elf_arch(const guchar *p, gsize len)
{
	guint16 machine;

	/* 64-bit only: the architectures whose kernels are ELF here are. */
	if (len < 20 ||
	    memcmp(p,
		   "\x7f"
		   "ELF",
		   4) != 0 ||
	    p[4] != 2)
		return NULL;
	machine = p[5] == 1 ? le16(p + 18) : (guint16)((p[18] << 8) | p[19]);
	if (machine == EM_PPC64 && p[5] == 1)
		return "ppc64el";
	if (machine == EM_S390 && p[5] == 2)
		return "s390x";
	if (machine == EM_X86_64 && p[5] == 1)
		return "amd64";
	if (machine == EM_AARCH64 && p[5] == 1)
		return "arm64";
	return NULL;
}

/* SLOF loads an ELF as it is: no compressed one. */
gboolean
sg_image_is_ppc64le_kernel(const gchar *path)
{
	guchar header[20];

	return read_start(path, header, sizeof(header)) &&
	       g_strcmp0(elf_arch(header, sizeof(header)), "ppc64el") == 0;
}

/* XLF_KERNEL_64 in the setup header's xloadflags (boot protocol 2.12). */
static const gchar *
bzimage_arch(const guchar *p, gsize len)
{
	if (len < 0x238 || le16(p + 0x206) < 0x020c)
		return NULL;
	return (le16(p + 0x236) & 1) != 0 ? "amd64" : "i386";
}

static const gchar *
kernel_arch(const guchar *p, gsize len, guint depth, GString *how)
{
	g_autoptr(GBytes) inner = NULL;
	const gchar *compression = NULL;

	if (len >= 0x40 && memcmp(p + 0x38, "ARM\x64", 4) == 0) {
		g_string_prepend(how, "arm64 Image");
		return "arm64";
	}
	if (len >= 0x206 && memcmp(p + 0x202, "HdrS", 4) == 0) {
		g_string_prepend(how, "bzImage");
		return bzimage_arch(p, len);
	}
	if (len >= 4 && memcmp(p,
			       "\x7f"
			       "ELF",
			       4) == 0) {
		g_string_prepend(how, "ELF");
		return elf_arch(p, len);
	}
	if (depth > 0)
		return NULL;
	if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
		inner = decompress_start(p, len);
		compression = ", gzip";
	} else if (len >= 32 && memcmp(p, "MZ", 2) == 0 && memcmp(p + 4, "zimg", 4) == 0) {
		guint32 offset = le32(p + 8);
		guint32 size = le32(p + 12);
		g_autofree gchar *name = g_strndup((const gchar *)p + 24, 8);

		/* Only what was read: the payload's start is enough. */
		if (offset >= len)
			return NULL;
		inner = decompress_start(p + offset, MIN((gsize)size, len - offset));
		g_string_append_printf(how, ", EFI zboot %s", name);
	}
	if (inner == NULL)
		return NULL;
	if (compression != NULL)
		g_string_append(how, compression);
	return kernel_arch(g_bytes_get_data(inner, NULL), g_bytes_get_size(inner), depth + 1, how);
}

const gchar *
sg_kernel_arch(GBytes *data, gchar **how)
{
	g_autoptr(GString) words = g_string_new(NULL);
	const gchar *arch =
		kernel_arch(g_bytes_get_data(data, NULL), g_bytes_get_size(data), 0, words);

	if (how != NULL)
		*how = arch != NULL ? g_strdup(words->str) : NULL;
	return arch;
}
