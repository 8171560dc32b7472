#pragma once

#include <glib.h>

#include "sg-firmware.h"

G_BEGIN_DECLS

/* Where a guest reaches the package mirror and the answer server. */
#define SG_DOMAIN_MIRROR_ADDRESS "10.0.2.100"
#define SG_DOMAIN_ANSWERS_ADDRESS "10.0.2.101"

/* What one guest of one phase looks like; the XML is made from this alone. */
typedef struct {
	const gchar *name;
	const gchar *domain_type; /* "kvm" or "qemu" (TCG) */
	guint memory_mib;
	guint vcpus;
	/* The architecture (Debian's name, sg-arch.h); NULL: amd64. amd64 and
	 * i386 guests are PCs; arm64 ones an aarch64 virt machine, UEFI only
	 * (AAVMF), a cortex-a72 under TCG, the CD-ROMs on virtio-scsi (virt has
	 * no IDE or SATA), a virtio GPU (no VGA). */
	const gchar *arch;
	/* BIOS guests are an i440FX PC; UEFI ones a q35 PC, whose CD-ROMs are
	 * on SATA (q35 has no IDE), with SMM under Secure Boot. */
	SgFirmware firmware;
	/* UEFI: this guest's own variable store, on the lab host; libvirt
	 * fills a missing one from the firmware's template (Microsoft's keys
	 * enrolled under Secure Boot). What the installer writes there (its
	 * boot entry) is the installed system's, and boots it later. */
	const gchar *nvram;
	/* Boot @cdrom through the firmware (its El Torito entries), not @disk. */
	gboolean boot_cdrom;
	const gchar *kernel;  /* NULL: boot through the firmware */
	const gchar *initrd;  /* only with kernel */
	const gchar *cmdline; /* only with kernel */
	const gchar *disk;    /* qcow2, attached as virtio vda; NULL for none */
	/* @disk's backing file (qcow2, read only) when @disk is an overlay:
	 * the chain is written out, as libvirt needs for a volume whose
	 * backing it did not make itself; NULL: none. */
	const gchar *disk_backing;
	const gchar *cdrom;	 /* NULL for none */
	const gchar *seed_cdrom; /* a second CD-ROM (cloud-init CIDATA), or NULL */
	/* No network device at all, unless @mirror or @answers is set: then a
	 * NIC on a user-mode network of its own that reaches nothing but them:
	 * @mirror ("HOST:PORT") as http://10.0.2.100/, @answers (the answer
	 * server, "HOST:PORT" as the lab host reaches it) as
	 * http://SG_DOMAIN_ANSWERS_ADDRESS/. NULL: none. */
	const gchar *mirror;
	const gchar *answers;
	/* A virtio-serial port of this name (the guest's
	 * /dev/virtio-ports/NAME), read over the connection with
	 * virDomainOpenChannel; NULL: none. */
	const gchar *channel;
	/* The channel's socket on the lab host; NULL: libvirt chooses. */
	const gchar *channel_socket;
} SgDomainSpec;

/* Returns the libvirt domain XML for a transient guest. Every reset or
 * reboot stops the guest: the harness decides what boots next. */
gchar *sg_domain_xml_build(const SgDomainSpec *spec);

G_END_DECLS
