#pragma once

#include <glib.h>

#include "sg-config.h"

G_BEGIN_DECLS

/*
 * The lab file: the libvirt hosts the coordinator may start guests on.
 * They are the lab's, not a tree's: every tree gated by this coordinator
 * shares them. Default SYSCONFDIR/smokegate/lab.conf (/etc/smokegate with
 * prefix /usr); without one the lab is one
 * host, the default connection (or --connect), exactly as a laptop needs.
 *
 *   [Host lab1]
 *   URI=qemu+ssh://lab1/system
 *   MaxGuests=2          guests at once on this host (default 1)
 *   MemoryMiB=16384      optional cap; else what the host says it has free
 *   VCPUs=8              optional cap; else the host's CPU count
 *   Accel=tcg            optional override of the KVM probe: auto, kvm, tcg
 *   Arches=amd64;arm64   the architectures its guests may be (Debian's
 *                        names); default the host's own (amd64 takes i386)
 *   EmulationFactor=3    optional: the time limits of its guests of a foreign
 *                        architecture (emulated) times this; default the
 *                        flavour profile's (sg-emulation.h)
 */
#define SG_LAB_CONFIG_DEFAULT_PATH SG_SYSCONFDIR "/lab.conf"

typedef struct {
	gchar *name;		  /* the group's NAME, or "local" for the default host */
	gchar *uri;		  /* NULL: the default connection (embedded QEMU driver) */
	guint max_guests;	  /* at least 1 */
	guint memory_mib;	  /* 0: ask the host (virNodeGetInfo, free memory) */
	guint vcpus;		  /* 0: ask the host */
	gchar *accel;		  /* "auto", "kvm" or "tcg" */
	GStrv arches;		  /* Arches=, Debian's names; NULL: the host's own */
	gdouble emulation_factor; /* EmulationFactor=; 0: the profile's */
} SgLabHost;

typedef struct {
	gchar *path;	  /* the file read, NULL when the lab is the default host */
	GPtrArray *hosts; /* SgLabHost, in the file's order; never empty */
} SgLabConfig;

/*
 * Reads @path. With @path NULL reads SG_LAB_CONFIG_DEFAULT_PATH when it
 * exists, else makes the one default host. A named file that is missing, a
 * group without URI=, an unknown key, a bad number, a duplicate URI or a file
 * without hosts is SG_ERROR_USAGE with the file and line's meaning.
 */
SgLabConfig *sg_lab_config_load(const gchar *path, GError **error);
/* One host on @uri (NULL: the default connection), as --connect asks. */
SgLabConfig *sg_lab_config_new_single(const gchar *uri, const gchar *accel);
SgLabHost *sg_lab_config_find_host(SgLabConfig *config, const gchar *name);
void sg_lab_config_free(SgLabConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgLabConfig, sg_lab_config_free)

G_END_DECLS
