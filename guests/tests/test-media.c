/*
 * Lab media against real libvirt daemons (started by with-lab-hosts.sh):
 * a second libvirt host in its own mount namespace, reached with
 * qemu+tcp (SMOKEGATE_TEST_LAB_URI; SMOKEGATE_TEST_LAB_PID is a process
 * inside it, for nsenter), and this machine's qemu:///system
 * (SMOKEGATE_TEST_SYSTEM_URI), where QEMU runs as libvirt-qemu. A test whose
 * daemon is not given is skipped.
 */
#include <fcntl.h>
#include <glib/gstdio.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "lab-test.h"
#include "sg-disk.h"
#include "sg-domain-xml.h"
#include "sg-lab.h"
#include "sg-media.h"
#include "sg-virt.h"

#define MIB (1024 * 1024)

static const gchar *lab_uri;
static const gchar *lab_pid;
static const gchar *system_uri;
static gchar *workdir;
static gchar *self_path;

/* --- helpers --- */

static gchar *
sha256_of(const gchar *path)
{
	g_autoptr(GChecksum) checksum = g_checksum_new(G_CHECKSUM_SHA256);
	g_autoptr(GMappedFile) file = g_mapped_file_new(path, FALSE, NULL);

	g_assert_nonnull(file);
	g_checksum_update(checksum, (const guchar *)g_mapped_file_get_contents(file),
			  g_mapped_file_get_length(file));
	return g_strdup(g_checksum_get_string(checksum));
}

static void
write_random(int fd, off_t offset, gsize len)
{
	g_autofree guint32 *buf = g_new(guint32, len / 4);

	for (gsize i = 0; i < len / 4; i++)
		buf[i] = g_random_int();
	g_assert_cmpint(pwrite(fd, buf, len, offset), ==, (gssize)len);
}

/* A file of @size bytes with random data at each of @offsets (@chunk bytes
 * each) and holes elsewhere. */
static gchar *
make_sparse_file(const gchar *name, off_t size, const off_t *offsets, guint n, gsize chunk)
{
	gchar *path = g_build_filename(workdir, name, NULL);
	int fd = g_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(ftruncate(fd, size), ==, 0);
	for (guint i = 0; i < n; i++)
		write_random(fd, offsets[i], chunk);
	g_assert_cmpint(close(fd), ==, 0);
	return path;
}

static gchar *
make_random_file(const gchar *name, gsize size)
{
	gchar *path = g_build_filename(workdir, name, NULL);
	int fd = g_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	g_assert_cmpint(fd, >=, 0);
	write_random(fd, 0, size);
	g_assert_cmpint(close(fd), ==, 0);
	return path;
}

/* The same bytes at every run: an image cached on a lasting host (this
 * machine's qemu:///system) is then cached once, not once per run. */
static gchar *
make_seeded_file(const gchar *name, gsize size, guint32 seed)
{
	gchar *path = g_build_filename(workdir, name, NULL);
	g_autoptr(GRand) rand = g_rand_new_with_seed(seed);
	g_autofree guint32 *buf = g_new(guint32, size / 4);

	for (gsize i = 0; i < size / 4; i++)
		buf[i] = g_rand_int(rand);
	g_assert_true(g_file_set_contents(path, (const gchar *)buf, size, NULL));
	return path;
}

static guint64
allocated_bytes(const gchar *path)
{
	struct stat st;

	g_assert_cmpint(g_stat(path, &st), ==, 0);
	return (guint64)st.st_blocks * 512;
}

static SgMedia *
get_media(SgLab *lab)
{
	g_autoptr(GError) error = NULL;
	SgMedia *media = sg_lab_get_media(lab, &error);

	g_assert_no_error(error);
	g_assert_true(sg_media_uses_volumes(media));
	return media;
}

/* The names of the smokegate pool's volumes on @uri. */
static GPtrArray *
pool_volumes(const gchar *uri)
{
	g_autoptr(virConnect) conn = virConnectOpen(uri);
	virStoragePoolPtr pool;
	virStorageVolPtr *vols = NULL;
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	int count;

	g_assert_nonnull(conn);
	pool = virStoragePoolLookupByName(conn, "smokegate");
	g_assert_nonnull(pool);
	virStoragePoolRefresh(pool, 0);
	count = virStoragePoolListAllVolumes(pool, &vols, 0);
	g_assert_cmpint(count, >=, 0);
	for (int i = 0; i < count; i++) {
		g_ptr_array_add(names, g_strdup(virStorageVolGetName(vols[i])));
		virStorageVolFree(vols[i]);
	}
	free(vols);
	virStoragePoolFree(pool);
	return names;
}

static gboolean
has_volume(GPtrArray *names, const gchar *name)
{
	return g_ptr_array_find_with_equal_func(names, name, g_str_equal, NULL);
}

/* After a test: nothing on the host but cached images with their markers. */
static void
assert_only_cache_left(const gchar *uri)
{
	g_autoptr(GPtrArray) names = pool_volumes(uri);
	g_autoptr(GRegex) cached = g_regex_new("^[0-9a-f]{64}\\.(iso|ok)$", 0, 0, NULL);

	for (guint i = 0; i < names->len; i++) {
		const gchar *name = g_ptr_array_index(names, i);
		g_autofree gchar *pair = NULL;
		if (!g_regex_match(cached, name, 0, NULL))
			g_error("volume %s was left on %s", name, uri);
		pair = g_strdup_printf("%.64s%s", name,
				       g_str_has_suffix(name, ".iso") ? ".ok" : ".iso");
		if (!has_volume(names, pair))
			g_error("%s was left without %s on %s", name, pair, uri);
	}
	{
		g_autoptr(virConnect) conn = virConnectOpen(uri);
		virDomainPtr *domains = NULL;
		int count = virConnectListAllDomains(conn, &domains, 0);

		g_assert_cmpint(count, >=, 0);
		for (int i = 0; i < count; i++) {
			if (g_str_has_prefix(virDomainGetName(domains[i]), "smokegate-"))
				g_error("guest %s was left on %s", virDomainGetName(domains[i]),
					uri);
			virDomainFree(domains[i]);
		}
		free(domains);
	}
}

/* Runs `test OP PATH` in the second host's mount namespace. */
static gboolean
test_in_lab_host(const gchar *op, const gchar *path)
{
	const gchar *argv[] = {"nsenter", "-t", lab_pid, "-m", "--", "test", op, path, NULL};
	gint status = -1;
	g_autoptr(GError) error = NULL;

	g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
		     &status, &error);
	g_assert_no_error(error);
	return g_spawn_check_wait_status(status, NULL);
}

/* The content of a volume, as the coordinator gets it back. */
static gchar *
sha256_on_host(SgMedia *media, const gchar *host_path)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *local = sg_media_fetch_disk(media, host_path, &error);

	g_assert_no_error(error);
	g_assert_cmpstr(local, !=, host_path);
	return sha256_of(local);
}

static gchar *
host_name(void)
{
	return g_strcanon(g_strdup(g_get_host_name()),
			  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", '_');
}

static GPid
dead_pid(void)
{
	const gchar *argv[] = {"true", NULL};
	GPid pid = 0;
	int status;

	g_assert_true(g_spawn_async(NULL, (gchar **)argv, NULL,
				    G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
				    &pid, NULL));
	waitpid(pid, &status, 0);
	return pid;
}

/* Makes volume @name on @uri with @data (a half-written volume when
 * @capacity is larger), as a run killed mid-upload leaves it. */
static void
make_volume(const gchar *uri, const gchar *name, guint64 capacity, const gchar *data, gsize len)
{
	g_autoptr(virConnect) conn = virConnectOpen(uri);
	virStoragePoolPtr pool = virStoragePoolLookupByName(conn, "smokegate");
	g_autofree gchar *xml =
		g_strdup_printf("<volume><name>%s</name><capacity unit='bytes'>%" G_GUINT64_FORMAT
				"</capacity><target><format type='raw'/></target></volume>",
				name, capacity);
	virStorageVolPtr vol = virStorageVolCreateXML(pool, xml, 0);

	g_assert_nonnull(vol);
	if (len > 0) {
		g_autoptr(virStream) stream = virStreamNew(conn, 0);
		g_assert_cmpint(virStorageVolUpload(vol, stream, 0, len, 0), ==, 0);
		g_assert_cmpint(virStreamSend(stream, data, len), ==, (int)len);
		g_assert_cmpint(virStreamFinish(stream), ==, 0);
	}
	virStorageVolFree(vol);
	virStoragePoolFree(pool);
}

/* --- the second host --- */

/* A sparse file goes up as a sparse stream, arrives byte for byte, and
 * only its data crosses the wire, both ways. */
static void
test_remote_sparse_file(void)
{
	const off_t offsets[] = {0, 17 * MIB, 40 * MIB + 4096, 63 * MIB};
	g_autofree gchar *path = NULL;
	g_autofree gchar *sha = NULL;
	g_autofree gchar *host_path = NULL;
	g_autofree gchar *again = NULL;
	g_autofree gchar *local = NULL;
	g_autofree gchar *sha_back = NULL;
	g_autoptr(SgLab) lab = NULL;
	g_autoptr(GError) error = NULL;
	SgMedia *media;

	if (sg_lab_test_skip_without(lab_uri, "no second libvirt host"))
		return;
	path = make_sparse_file("initrd", 64 * MIB, offsets, G_N_ELEMENTS(offsets), MIB);
	sha = sha256_of(path);
	lab = sg_lab_test_open(lab_uri);
	media = get_media(lab);
	host_path = sg_media_put_file(media, path, "initrd", &error);
	g_assert_no_error(error);
	g_assert_true(g_str_has_prefix(host_path, "/var/lib/libvirt/smokegate/smokegate-"));
	g_assert_true(g_str_has_suffix(host_path, "-initrd"));
	/* Only the 4 MiB of data was sent, not 64 MiB. */
	g_assert_cmpuint(sg_media_get_bytes_uploaded(media), ==, 4 * MIB);
	/* The same file twice is the same volume, sent once. */
	again = sg_media_put_file(media, path, "initrd", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(again, ==, host_path);
	g_assert_cmpuint(sg_media_get_bytes_uploaded(media), ==, 4 * MIB);

	local = sg_media_fetch_disk(media, host_path, &error);
	g_assert_no_error(error);
	sha_back = sha256_of(local);
	g_assert_cmpstr(sha_back, ==, sha);
	g_assert_cmpuint(allocated_bytes(local), <=, 5 * MIB);

	/* Nothing is shared: the host has the volume and not our file, we
	 * have our file and not the volume. */
	g_assert_true(test_in_lab_host("-f", host_path));
	g_assert_false(test_in_lab_host("-e", path));
	g_assert_false(test_in_lab_host("-e", workdir));
	g_assert_false(g_file_test(host_path, G_FILE_TEST_EXISTS));

	g_clear_pointer(&lab, sg_lab_close);
	assert_only_cache_left(lab_uri);
}

/* The ISO is uploaded once per host: a second test of it sends nothing. */
static void
test_remote_image_cache(void)
{
	g_autofree gchar *path = make_random_file("cached.iso", 24 * MIB);
	g_autofree gchar *sha = sha256_of(path);
	g_autofree gchar *first = NULL;
	g_autofree gchar *second = NULL;
	g_autofree gchar *iso = g_strdup_printf("%s.iso", sha);
	g_autofree gchar *iso_path = g_build_filename("/var/lib/libvirt/smokegate", iso, NULL);
	g_autofree gchar *ok = g_strdup_printf("%s.ok", sha);
	g_autoptr(GError) error = NULL;
	gint64 start;

	if (sg_lab_test_skip_without(lab_uri, "no second libvirt host"))
		return;
	{
		g_autoptr(SgLab) lab = sg_lab_test_open(lab_uri);
		SgMedia *media = get_media(lab);
		g_autofree gchar *sha_back = NULL;

		first = sg_media_put_image(media, path, sha, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(first, ==, iso_path);
		g_assert_cmpuint(sg_media_get_bytes_uploaded(media), ==, 24 * MIB);
		sha_back = sha256_on_host(media, first);
		g_assert_cmpstr(sha_back, ==, sha);
	}
	{
		g_autoptr(GPtrArray) names = pool_volumes(lab_uri);
		g_assert_true(has_volume(names, iso));
		g_assert_true(has_volume(names, ok));
	}
	{
		g_autoptr(SgLab) lab = sg_lab_test_open(lab_uri);
		SgMedia *media = get_media(lab);

		start = g_get_monotonic_time();
		second = sg_media_put_image(media, path, sha, &error);
		g_assert_no_error(error);
		g_test_message("cache hit in %.3f s",
			       (g_get_monotonic_time() - start) / (double)G_USEC_PER_SEC);
		g_assert_cmpstr(second, ==, first);
		g_assert_cmpuint(sg_media_get_bytes_uploaded(media), ==, 0);
	}
	assert_only_cache_left(lab_uri);
}

/* A killed upload leaves <sha>.iso without its marker (and the dead run's
 * upload volume): never used, replaced by a whole upload. */
static void
test_remote_unfinished_upload(void)
{
	g_autofree gchar *path = make_random_file("unfinished.iso", 8 * MIB);
	g_autofree gchar *sha = sha256_of(path);
	g_autofree gchar *iso = g_strdup_printf("%s.iso", sha);
	g_autofree gchar *ok = g_strdup_printf("%s.ok", sha);
	g_autofree gchar *host = host_name();
	g_autofree gchar *dead_marker = NULL;
	g_autofree gchar *contents = NULL;
	g_autofree gchar *host_path = NULL;
	g_autofree gchar *sha_back = NULL;
	g_autoptr(SgLab) lab = NULL;
	g_autoptr(GError) error = NULL;
	SgMedia *media;
	gsize len;

	if (sg_lab_test_skip_without(lab_uri, "no second libvirt host"))
		return;
	g_assert_true(g_file_get_contents(path, &contents, &len, NULL));
	dead_marker =
		g_strdup_printf("smokegate-%s-%d-0-1-uploading-%s", host, (int)dead_pid(), sha);
	make_volume(lab_uri, dead_marker, 0, NULL, 0);
	make_volume(lab_uri, iso, len, contents, len / 2);

	lab = sg_lab_test_open(lab_uri);
	media = get_media(lab);
	host_path = sg_media_put_image(media, path, sha, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(sg_media_get_bytes_uploaded(media), ==, 8 * MIB);
	sha_back = sha256_on_host(media, host_path);
	g_assert_cmpstr(sha_back, ==, sha);
	g_clear_pointer(&lab, sg_lab_close);
	{
		g_autoptr(GPtrArray) names = pool_volumes(lab_uri);
		g_assert_false(has_volume(names, dead_marker));
		g_assert_true(has_volume(names, ok));
	}

	/* An unfinished ISO without any upload volume is replaced too. */
	{
		g_autoptr(SgLab) lab2 = sg_lab_test_open(lab_uri);
		SgMedia *media2 = get_media(lab2);
		g_autoptr(virConnect) conn = virConnectOpen(lab_uri);
		virStoragePoolPtr pool = virStoragePoolLookupByName(conn, "smokegate");
		virStorageVolPtr marker = virStorageVolLookupByName(pool, ok);
		g_autofree gchar *again = NULL;

		g_assert_cmpint(virStorageVolDelete(marker, 0), ==, 0);
		virStorageVolFree(marker);
		virStoragePoolFree(pool);
		again = sg_media_put_image(media2, path, sha, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(sg_media_get_bytes_uploaded(media2), ==, 8 * MIB);
	}
	assert_only_cache_left(lab_uri);
}

/* Over the cache's limit the least recently used image goes. */
static void
test_remote_cache_limit(void)
{
	g_autofree gchar *a = make_random_file("a.iso", 4 * MIB);
	g_autofree gchar *b = make_random_file("b.iso", 4 * MIB);
	g_autofree gchar *c = make_random_file("c.iso", 4 * MIB);
	const gchar *order[] = {a, b, a, c};
	g_autofree gchar *sha_a = sha256_of(a);
	g_autofree gchar *sha_b = sha256_of(b);
	g_autofree gchar *sha_c = sha256_of(c);
	g_autoptr(GPtrArray) names = NULL;
	g_autoptr(GPtrArray) before = NULL;
	guint64 cached_before = 0;

	if (sg_lab_test_skip_without(lab_uri, "no second libvirt host"))
		return;
	/* Images of earlier tests count too: the limit leaves room for two more. */
	before = pool_volumes(lab_uri);
	for (guint i = 0; i < before->len; i++)
		cached_before += g_str_has_suffix(g_ptr_array_index(before, i), ".ok") ? 1 : 0;
	for (guint i = 0; i < G_N_ELEMENTS(order); i++) {
		g_autoptr(SgLab) lab = sg_lab_test_open(lab_uri);
		SgMedia *media = get_media(lab);
		g_autofree gchar *sha = sha256_of(order[i]);
		g_autofree gchar *host_path = NULL;
		g_autoptr(GError) error = NULL;

		/* Only these three images are under the limit; the others go first. */
		sg_media_set_cache_limit(media, 9 * MIB);
		host_path = sg_media_put_image(media, order[i], sha, &error);
		g_assert_no_error(error);
	}
	names = pool_volumes(lab_uri);
	{
		g_autofree gchar *ok_a = g_strdup_printf("%s.ok", sha_a);
		g_autofree gchar *ok_b = g_strdup_printf("%s.ok", sha_b);
		g_autofree gchar *iso_b = g_strdup_printf("%s.iso", sha_b);
		g_autofree gchar *ok_c = g_strdup_printf("%s.ok", sha_c);
		g_assert_true(has_volume(names, ok_a));
		g_assert_false(has_volume(names, ok_b));
		g_assert_false(has_volume(names, iso_b));
		g_assert_true(has_volume(names, ok_c));
		/* Two images of 4 MiB fit in 9 MiB, and nothing else. */
		g_assert_cmpuint(names->len, ==, 4);
	}
	g_test_message("%" G_GUINT64_FORMAT " images were cached before", cached_before);
	assert_only_cache_left(lab_uri);
}

/* The disk: a qcow2 volume; fetched back as a sparse qcow2 file. */
static void
test_remote_disk(void)
{
	g_autoptr(SgLab) lab = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *disk = NULL;
	g_autofree gchar *local = NULL;
	g_autofree gchar *out = NULL;
	const gchar *argv[] = {"qemu-img", "info", "--output=json", NULL, NULL};
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *info;
	virStorageVolPtr vol;
	virStorageVolInfo vol_info;
	SgMedia *media;

	if (sg_lab_test_skip_without(lab_uri, "no second libvirt host"))
		return;
	lab = sg_lab_test_open(lab_uri);
	media = get_media(lab);
	disk = sg_media_create_disk(media, "disk", 3, &error);
	g_assert_no_error(error);
	g_assert_true(g_str_has_suffix(disk, "-disk.qcow2"));
	vol = virStorageVolLookupByPath(sg_lab_get_connection(lab), disk);
	g_assert_nonnull(vol);
	g_assert_cmpint(virStorageVolGetInfo(vol, &vol_info), ==, 0);
	g_assert_cmpuint(vol_info.capacity, ==, 3ULL * 1024 * MIB);
	virStorageVolFree(vol);

	local = sg_media_fetch_disk(media, disk, &error);
	g_assert_no_error(error);
	g_assert_true(g_str_has_prefix(local, sg_lab_get_scratch_dir(lab)));
	argv[3] = local;
	g_assert_true(g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
				   &out, NULL, NULL, NULL));
	g_assert_true(json_parser_load_from_data(parser, out, -1, NULL));
	info = json_node_get_object(json_parser_get_root(parser));
	g_assert_cmpstr(json_object_get_string_member(info, "format"), ==, "qcow2");
	g_assert_cmpint(json_object_get_int_member(info, "virtual-size"), ==, 3LL * 1024 * MIB);
	g_clear_pointer(&lab, sg_lab_close);
	assert_only_cache_left(lab_uri);
}

/* Overlays on a lab host: the boot's, made by libvirt on the base volume;
 * a suite's, made here on the base's local copy (downloaded once) and
 * uploaded pointing at the base's path there; each fetched back pointed at
 * the local copy; deleted before the test ends, the base unchanged. */
static void
test_remote_overlay(void)
{
	g_autoptr(SgLab) lab = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *disk = NULL;
	g_autofree gchar *base = NULL;
	g_autofree gchar *base_again = NULL;
	g_autofree gchar *base_sum = NULL;
	g_autofree gchar *boot = NULL;
	g_autofree gchar *boot_local = NULL;
	g_autofree gchar *backing = NULL;
	g_autofree gchar *overlay = NULL;
	g_autofree gchar *suite = NULL;
	g_autofree gchar *suite_local = NULL;
	g_autofree gchar *base_after = NULL;
	SgMedia *media;
	virStorageVolPtr vol;

	if (sg_lab_test_skip_without(lab_uri, "no second libvirt host"))
		return;
	lab = sg_lab_test_open(lab_uri);
	media = get_media(lab);
	disk = sg_media_create_disk(media, "disk", 1, &error);
	g_assert_no_error(error);

	boot = sg_media_create_overlay(media, disk, "boot", &error);
	g_assert_no_error(error);
	g_assert_true(g_str_has_suffix(boot, "-boot.qcow2"));
	boot_local = sg_media_fetch_disk(media, boot, &error);
	g_assert_no_error(error);
	backing = sg_disk_get_backing(boot_local, &error);
	g_assert_no_error(error);
	base = sg_media_fetch_base(media, disk, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(backing, ==, base);
	base_sum = sha256_of(base);
	/* Once per test: the same copy, not a second download. */
	base_again = sg_media_fetch_base(media, disk, &error);
	g_assert_cmpstr(base_again, ==, base);

	overlay = g_build_filename(workdir, "suite-overlay.qcow2", NULL);
	g_assert_true(sg_disk_create_overlay(base, overlay, &error));
	suite = sg_media_put_overlay(media, overlay, disk, "suite", &error);
	g_assert_no_error(error);
	g_assert_true(g_str_has_suffix(suite, "-suite.qcow2"));
	g_clear_pointer(&backing, g_free);
	backing = sg_disk_get_backing(overlay, &error);
	g_assert_cmpstr(backing, ==, disk);
	suite_local = sg_media_fetch_disk(media, suite, &error);
	g_assert_no_error(error);
	g_clear_pointer(&backing, g_free);
	backing = sg_disk_get_backing(suite_local, &error);
	g_assert_cmpstr(backing, ==, base);

	sg_media_delete_disk(media, suite);
	vol = virStorageVolLookupByPath(sg_lab_get_connection(lab), suite);
	g_assert_null(vol);
	/* Never a volume that is not this test's own. */
	sg_media_delete_disk(media, "/nonexistent/volume.qcow2");
	base_after = sha256_of(base);
	g_assert_cmpstr(base_after, ==, base_sum);
	g_clear_pointer(&lab, sg_lab_close);
	assert_only_cache_left(lab_uri);
}

/* Child mode: a run that puts its media and is then killed. */
static int
hold_media(const gchar *uri, const gchar *file)
{
	g_autoptr(GError) error = NULL;
	SgLab *lab = sg_lab_open(uri, &error);
	SgMedia *media = lab != NULL ? sg_lab_get_media(lab, &error) : NULL;
	g_autofree gchar *put =
		media != NULL ? sg_media_put_file(media, file, "kernel", &error) : NULL;
	g_autofree gchar *disk =
		put != NULL ? sg_media_create_disk(media, "disk", 1, &error) : NULL;

	if (disk == NULL) {
		g_printerr("%s\n", error->message);
		return 1;
	}
	g_print("ready\n");
	for (;;)
		pause();
}

/* A killed run's volumes are removed by the next run on this coordinator. */
static void
test_remote_stale_volumes(void)
{
	g_autofree gchar *file = make_random_file("kernel", MIB);
	const gchar *argv[] = {self_path, "--hold", lab_uri, file, NULL};
	g_autofree gchar *host = host_name();
	g_autofree gchar *prefix = NULL;
	g_autoptr(GPtrArray) names = NULL;
	g_autoptr(GIOChannel) out = NULL;
	g_autofree gchar *line = NULL;
	GPid pid;
	gint out_fd;
	guint found = 0;
	int status;

	if (sg_lab_test_skip_without(lab_uri, "no second libvirt host"))
		return;
	g_assert_true(g_spawn_async_with_pipes(NULL, (gchar **)argv, NULL,
					       G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, NULL,
					       &out_fd, NULL, NULL));
	out = g_io_channel_unix_new(out_fd);
	g_io_channel_set_close_on_unref(out, TRUE);
	g_io_channel_read_line(out, &line, NULL, NULL, NULL);
	g_assert_cmpstr(line, ==, "ready\n");
	prefix = g_strdup_printf("smokegate-%s-%d-", host, (int)pid);
	names = pool_volumes(lab_uri);
	for (guint i = 0; i < names->len; i++)
		found += g_str_has_prefix(g_ptr_array_index(names, i), prefix) ? 1 : 0;
	g_assert_cmpuint(found, ==, 2);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	g_spawn_close_pid(pid);
	{
		/* The next run: opening its media removes them. */
		g_autoptr(SgLab) lab = sg_lab_test_open(lab_uri);
		get_media(lab);
	}
	assert_only_cache_left(lab_uri);
}

/* Volume paths in a domain on the second host: QEMU opens them all. */
static void
start_paused_guest(const gchar *uri, const gchar *kernel_path, gboolean check_qemu_user)
{
	g_autoptr(SgLab) lab = sg_lab_test_open(uri);
	SgMedia *media = get_media(lab);
	g_autofree gchar *iso_path = make_seeded_file("guest.iso", 2 * MIB, 8);
	g_autofree gchar *initrd_path = make_random_file("guest-initrd", MIB);
	g_autofree gchar *sha = sha256_of(iso_path);
	g_autofree gchar *name = sg_lab_new_guest_name(lab, "media");
	g_autoptr(GError) error = NULL;
	g_autofree gchar *iso = sg_media_put_image(media, iso_path, sha, &error);
	g_autofree gchar *kernel = sg_media_put_file(media, kernel_path, "kernel", &error);
	g_autofree gchar *initrd = sg_media_put_file(media, initrd_path, "initrd", &error);
	g_autofree gchar *disk = sg_media_create_disk(media, "disk", 1, &error);
	SgDomainSpec spec = {
		.name = name,
		.domain_type = "qemu",
		.memory_mib = 128,
		.vcpus = 1,
		.kernel = kernel,
		.initrd = initrd,
		.cmdline = "console=ttyS0",
		.disk = disk,
		.cdrom = iso,
	};
	g_autofree gchar *xml = NULL;
	virDomainPtr domain;

	g_assert_no_error(error);
	xml = sg_domain_xml_build(&spec);
	domain = virDomainCreateXML(sg_lab_get_connection(lab), xml, VIR_DOMAIN_START_PAUSED);
	if (domain == NULL)
		g_error("cannot start a guest on %s: %s", uri, sg_virt_last_error());
	if (check_qemu_user) {
		struct passwd *qemu = getpwnam("libvirt-qemu");
		g_autofree gchar *pidfile = g_strdup_printf("/run/libvirt/qemu/%s.pid", name);
		g_autofree gchar *pid = NULL;
		g_autofree gchar *status_path = NULL;
		g_autofree gchar *status = NULL;
		g_autofree gchar *uid_line = NULL;
		struct stat st;

		g_assert_nonnull(qemu);
		g_assert_true(g_file_get_contents(pidfile, &pid, NULL, NULL));
		status_path = g_strdup_printf("/proc/%s/status", g_strstrip(pid));
		g_assert_true(g_file_get_contents(status_path, &status, NULL, NULL));
		uid_line = g_strdup_printf("\nUid:\t%u\t", (guint)qemu->pw_uid);
		g_assert_nonnull(strstr(status, uid_line));
		/* libvirt hands the disk to QEMU's user while the guest runs. */
		g_assert_cmpint(g_stat(disk, &st), ==, 0);
		g_assert_cmpuint(st.st_uid, ==, qemu->pw_uid);
		g_assert_cmpint(access(iso, F_OK), ==, 0);
	}
	g_assert_cmpint(virDomainDestroy(domain), ==, 0);
	virDomainFree(domain);
}

static void
test_remote_guest(void)
{
	if (sg_lab_test_skip_without(lab_uri, "no second libvirt host") ||
	    sg_lab_test_skip_without(sg_lab_test_kernel(), "no kernel in /boot"))
		return;
	start_paused_guest(lab_uri, sg_lab_test_kernel(), FALSE);
	assert_only_cache_left(lab_uri);
}

/* --- qemu:///system: QEMU as libvirt-qemu opens the volumes --- */

static void
test_system_guest(void)
{
	if (sg_lab_test_skip_without(system_uri, "no qemu:///system") ||
	    sg_lab_test_skip_without(sg_lab_test_kernel(), "no kernel in /boot"))
		return;
	start_paused_guest(system_uri, sg_lab_test_kernel(), TRUE);
	assert_only_cache_left(system_uri);
}

/* On this machine the installed disk is read where it is. */
static void
test_system_fetch_in_place(void)
{
	g_autoptr(SgLab) lab = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *disk = NULL;
	g_autofree gchar *local = NULL;
	SgMedia *media;

	if (sg_lab_test_skip_without(system_uri, "no qemu:///system"))
		return;
	lab = sg_lab_test_open(system_uri);
	media = get_media(lab);
	disk = sg_media_create_disk(media, "disk", 1, &error);
	g_assert_no_error(error);
	local = sg_media_fetch_disk(media, disk, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(local, ==, disk);
	g_clear_pointer(&lab, sg_lab_close);
	assert_only_cache_left(system_uri);
}

/* --- the embedded driver: local files, as before --- */

static void
test_embedded_local_files(void)
{
	g_autofree gchar *iso_path = make_random_file("local.iso", MIB);
	g_autofree gchar *sha = sha256_of(iso_path);
	g_autoptr(SgLab) lab = sg_lab_test_open(NULL);
	g_autoptr(GError) error = NULL;
	SgMedia *media = sg_lab_get_media(lab, &error);
	g_autofree gchar *iso = NULL;
	g_autofree gchar *file = NULL;
	g_autofree gchar *disk = NULL;
	g_autofree gchar *fetched = NULL;
	g_autofree gchar *expected_disk = NULL;

	g_assert_no_error(error);
	g_assert_false(sg_media_uses_volumes(media));
	iso = sg_media_put_image(media, iso_path, sha, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(iso, ==, iso_path);
	file = sg_media_put_file(media, iso_path, "kernel", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(file, ==, iso_path);
	disk = sg_media_create_disk(media, "disk", 1, &error);
	g_assert_no_error(error);
	expected_disk = g_build_filename(sg_lab_get_scratch_dir(lab), "disk.qcow2", NULL);
	g_assert_cmpstr(disk, ==, expected_disk);
	g_assert_true(g_file_test(disk, G_FILE_TEST_IS_REGULAR));
	fetched = sg_media_fetch_disk(media, disk, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(fetched, ==, disk);
	g_assert_cmpuint(sg_media_get_bytes_uploaded(media), ==, 0);
}

/* The embedded driver wants a running event loop, as in `smokegate`. */
static gpointer
run_event_loop(gpointer data)
{
	for (;;)
		virEventRunDefaultImpl();
	return NULL;
}

int
main(int argc, char **argv)
{
	int rc;

	sg_virt_init();
	virEventRegisterDefaultImpl();
	g_thread_unref(g_thread_new("events", run_event_loop, NULL));
	if (argc == 4 && g_str_equal(argv[1], "--hold"))
		return hold_media(argv[2], argv[3]);
	g_test_init(&argc, &argv, NULL);
	self_path = g_canonicalize_filename(argv[0], NULL);
	lab_uri = g_getenv("SMOKEGATE_TEST_LAB_URI");
	lab_pid = g_getenv("SMOKEGATE_TEST_LAB_PID");
	system_uri = g_getenv("SMOKEGATE_TEST_SYSTEM_URI");
	/* The tests look inside the second host: without its pid, no host. */
	if (lab_pid == NULL)
		lab_uri = NULL;
	workdir = g_dir_make_tmp("smokegate-media-XXXXXX", NULL);
	g_assert_nonnull(workdir);

	g_test_add_func("/media/remote/sparse-file", test_remote_sparse_file);
	g_test_add_func("/media/remote/image-cache", test_remote_image_cache);
	g_test_add_func("/media/remote/unfinished-upload", test_remote_unfinished_upload);
	g_test_add_func("/media/remote/cache-limit", test_remote_cache_limit);
	g_test_add_func("/media/remote/disk", test_remote_disk);
	g_test_add_func("/media/remote/overlay", test_remote_overlay);
	g_test_add_func("/media/remote/stale-volumes", test_remote_stale_volumes);
	g_test_add_func("/media/remote/guest", test_remote_guest);
	g_test_add_func("/media/system/guest", test_system_guest);
	g_test_add_func("/media/system/fetch-in-place", test_system_fetch_in_place);
	/* Last: once a process embeds the QEMU driver, qemu:///system no longer
	 * reaches the daemon from that process. */
	g_test_add_func("/media/embedded/local-files", test_embedded_local_files);
	rc = g_test_run();
	{
		const gchar *argv_rm[] = {"rm", "-rf", workdir, NULL};
		g_spawn_sync(NULL, (gchar **)argv_rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
			     NULL, NULL, NULL);
	}
	return rc;
}
