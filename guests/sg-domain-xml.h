#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What one guest of one phase looks like; the XML is made from this alone. */
typedef struct {
	const gchar *name;
	const gchar *domain_type; /* "kvm" or "qemu" (TCG) */
	guint memory_mib;
	guint vcpus;
	const gchar *kernel;  /* NULL: boot the disk with its own bootloader */
	const gchar *initrd;  /* only with kernel */
	const gchar *cmdline; /* only with kernel */
	const gchar *disk;    /* qcow2, attached as virtio vda; NULL for none */
	/* @disk's backing file (qcow2, read only) when @disk is an overlay:
	 * the chain is written out, as libvirt needs for a volume whose
	 * backing it did not make itself; NULL: none. */
	const gchar *disk_backing;
	const gchar *cdrom;	 /* NULL for none */
	const gchar *seed_cdrom; /* a second CD-ROM (cloud-init CIDATA), or NULL */
	/* No network device at all, unless @mirror is "HOST:PORT": then a NIC
	 * on a user-mode network of its own that reaches
	 * nothing but this, as http://10.0.2.100/ in the guest. NULL: none. */
	const gchar *mirror;
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
