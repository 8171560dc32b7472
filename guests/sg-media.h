#pragma once

#include <gio/gio.h>

#include "sg-run-names.h"
#include "sg-virt.h"

G_BEGIN_DECLS

/*
 * Lab media: the files a guest is handed (the ISO, the kernel, the initrd
 * with the injected answers, the CIDATA image, the disk), put where the lab
 * host's QEMU can open them, through the libvirt connection alone.
 *
 * The embedded driver (qemu:///embed) has no storage driver and runs in this
 * process: its media are the local files themselves. Any other connection
 * gets storage volumes in smokegate's pool on that host (sg-storage-pool),
 * owned by the daemon, so a system daemon's QEMU (libvirt-qemu) can open
 * them and no path is shared with the host.
 *
 * Every function returns the path as the lab host sees it: what goes into
 * the domain XML. Volumes are named after the run (as guests are, see
 * sg-run-names) and deleted when the media are freed; the next run on this
 * coordinator deletes those a killed run left. The ISO is the exception: it
 * goes into the host's ISO cache (sg-iso-cache), so a second test of the
 * same image there uploads nothing.
 *
 * Get the media of a test with sg_lab_get_media(): the lab owns them.
 */
typedef struct _SgMedia SgMedia;

/* What the media need from the lab host they serve; the lab fills it in. */
typedef struct {
	virConnectPtr conn;
	/* The QEMU driver runs in this process (qemu:///embed): no storage
	 * driver, the media are local files. */
	gboolean embedded;
	/* The host is this machine: a disk it can read is read where it is. */
	gboolean local;
	/* This machine's folder for local disks and downloaded copies. */
	const gchar *scratch_dir;
	/* What the media's volumes are named after. */
	SgRunNames *names;
} SgMediaHost;

/* Readies the pool and removes what dead runs left; the media keep what
 * they need of @host. Used by SgLab. */
SgMedia *sg_media_new(const SgMediaHost *host, GError **error);
/* Deletes this test's volumes (never the cached ISO). Used by SgLab. */
void sg_media_free(SgMedia *media);

/* TRUE when the media are storage volumes, FALSE for local files. */
gboolean sg_media_uses_volumes(SgMedia *media);
/* The ISO cache's size limit in bytes (default SG_ISO_CACHE_LIMIT_DEFAULT). */
void sg_media_set_cache_limit(SgMedia *media, guint64 bytes);
/* Bytes of file data sent to the lab host so far (holes and markers not
 * counted): 0 after a cache hit. */
guint64 sg_media_get_bytes_uploaded(SgMedia *media);

/* The ISO at @path, whose SHA-256 is @sha256 (64 hex digits), from the
 * host's cache or uploaded into it. */
gchar *sg_media_put_image(SgMedia *media, const gchar *path, const gchar *sha256, GError **error);
/* A file of this test (kernel, initrd, CIDATA image): its own volume named
 * after the run and @name, uploaded as a sparse stream where the file has
 * holes. The same @path twice gives the same volume. */
gchar *sg_media_put_file(SgMedia *media, const gchar *path, const gchar *name, GError **error);
/* A new empty qcow2 disk of @size_gib GiB named after the run and @name. */
gchar *sg_media_create_disk(SgMedia *media, const gchar *name, guint size_gib, GError **error);
/* A local path where libguestfs can read @disk (a path from
 * sg_media_create_disk or an overlay): the path itself when this machine
 * can read it, else the volume downloaded into the scratch folder as a
 * sparse stream, so only its allocated data crosses the wire; an overlay's
 * backing file comes too (sg_media_fetch_base) and the copy is pointed at
 * it. */
gchar *sg_media_fetch_disk(SgMedia *media, const gchar *disk, GError **error);
/* The local copy of @disk, a disk no guest writes any more (the installed
 * disk, a read-only base): the path itself when this machine can read it,
 * else downloaded once per test and kept (in the scratch folder) for every
 * later call, from any thread. */
gchar *sg_media_fetch_base(SgMedia *media, const gchar *disk, GError **error);
/* A new qcow2 overlay of @base (a disk from sg_media_create_disk) named
 * after the run and @name, for a boot that must leave @base as it is: a
 * file in the scratch folder, or on a lab host a volume libvirt makes with
 * @base as its backing store. Delete it with sg_media_delete_disk(). */
gchar *sg_media_create_overlay(SgMedia *media, const gchar *base, const gchar *name,
			       GError **error);
/* Hands the lab host @overlay, a local qcow2 overlay of the local copy of
 * @base (sg_media_fetch_base) that libguestfs wrote into: on a lab host it
 * is pointed at @base's path there (qemu-img rebase -u) and uploaded as a
 * volume of this test named after @name; on this machine it is used where
 * it is. Returns the path for the domain XML (its backing: @base). */
gchar *sg_media_put_overlay(SgMedia *media, const gchar *overlay, const gchar *base,
			    const gchar *name, GError **error);
/* Deletes @disk, an overlay of this test, before the test ends (a volume:
 * only one of this test's). */
void sg_media_delete_disk(SgMedia *media, const gchar *disk);
/* A UEFI guest's own variable store, filled from @template (a firmware's
 * empty store, sg_firmware_nvram_template()): a file in the scratch folder,
 * or on a lab host a volume named after the run and @name. The guest writes
 * into it (an installer's boot entry); later guests of the test boot with
 * the same one. */
gchar *sg_media_create_nvram(SgMedia *media, const gchar *template_path, const gchar *name,
			     GError **error);
/* A local copy of @nvram as its guests left it (from a lab host: downloaded
 * afresh at each call), for the evidence. */
gchar *sg_media_fetch_nvram(SgMedia *media, const gchar *nvram, GError **error);
/* Cancels uploads and downloads under way (Ctrl-C); NULL for none. */
void sg_media_set_cancellable(SgMedia *media, GCancellable *cancellable);

G_END_DECLS
