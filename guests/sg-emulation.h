#pragma once

#include <libvirt/libvirt.h>

#include <glib.h>

G_BEGIN_DECLS

/*
 * Longer time limits for guests that run under emulation: an architecture
 * the lab host's CPU is not (arm64 on an x86_64 host), run by QEMU's TCG
 * translating every instruction.
 *
 * Only a foreign architecture counts. A guest of the host's own
 * architecture under TCG (no KVM on the host, as on a sandboxed or nested
 * machine) keeps the profile's limits: those are set for TCG already
 * (the profiles' defaults were measured on a host without KVM, see
 * bench/firmware-boot.sh and bench/variants.sh), and KVM only ends early.
 * What a foreign architecture adds is the translation of another
 * instruction set: bench/arches.sh measured arm64 at 1.25 (kernel), 1.36
 * (first dialog) and 1.34 (verdict) times amd64 under TCG on this machine;
 * the default doubles the limits, for those figures and a busy host (an
 * arm64 guest's console stayed empty for 3-4 minutes on a loaded host).
 */
#define SG_EMULATION_FACTOR_DEFAULT 2.0
#define SG_EMULATION_FACTOR_MIN 1.0
#define SG_EMULATION_FACTOR_MAX 20.0

/* Reads an EmulationFactor= value: a decimal number ("2", "1.5") from
 * SG_EMULATION_FACTOR_MIN to SG_EMULATION_FACTOR_MAX. FALSE with
 * SG_ERROR_USAGE ("EmulationFactor=abc is not a number from 1 to 20"; the
 * caller names the file) otherwise. */
gboolean sg_emulation_parse_factor(const gchar *text, gdouble *factor, GError **error);

/* "arm64 on an x86_64 host" when a guest of @guest_arch (Debian's name)
 * is emulated on a host of @host_arch (Debian's or QEMU's name), NULL when
 * the host runs it as its own (amd64 runs i386) or either is unknown. */
gchar *sg_emulation_describe(const gchar *guest_arch, const gchar *host_arch);

/* The lab host's own architecture (Debian's name), from its capabilities;
 * NULL when it says none smokegate knows. */
gchar *sg_emulation_host_arch(virConnectPtr conn);

/* @seconds times @factor, rounded up, at most G_MAXUINT. */
guint sg_emulation_scale(guint seconds, gdouble factor);

G_END_DECLS
