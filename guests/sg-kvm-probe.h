#pragma once

#include "sg-lab.h"

G_BEGIN_DECLS

/*
 * Whether KVM really runs a guest of an architecture (@arch, Debian's name;
 * NULL: amd64) on the lab host. The host saying it has KVM is not enough:
 * on some hosts (nested, sandboxed) a KVM guest runs its first real-mode
 * instructions and then hangs for ever when it enters protected mode. So
 * the probe boots @kernel (a kernel of that architecture, a path as the
 * host sees it) in a small KVM guest on the host, over the libvirt
 * connection, and waits up to @timeout_ms for the kernel's first line on
 * its console: the same code for the embedded driver and a remote lab host.
 *
 * KVM runs only the host's own architecture: for another (arm64 guests on
 * an x86_64 host) the answer is "emulated under TCG" at once, no guest.
 * @emulated says which: sg_emulation_describe() of @arch and the host's
 * architecture, which the caller has read once (NULL: the host's own).
 *
 * The answer is cached under @cache_dir for the host and the architecture
 * (this machine's boot, or a remote host for a day), so a host where KVM
 * does not work costs the wait once, not per run. @reason tells the
 * operator why the choice was made.
 */
typedef void (*SgKvmProbeDone)(gboolean works, const gchar *reason, gpointer user_data);

void sg_kvm_probe_async(SgLab *lab, const gchar *arch, const gchar *emulated, const gchar *kernel,
			const gchar *cache_dir, guint timeout_ms, SgKvmProbeDone done,
			gpointer user_data);

/* The answer known without booting a guest, for a survey of the lab and a
 * command without a probe guest of its own: "emulated" for a foreign
 * architecture, the cached one, or no when the host offers no KVM domains
 * for it. FALSE when only the probe guest can tell (the host offers KVM,
 * nothing cached). @uri is the connection's, as sg_lab_get_uri() gives it;
 * @arch Debian's name (NULL: amd64), @emulated as for sg_kvm_probe_async(). */
gboolean sg_kvm_probe_lookup(virConnectPtr conn, const gchar *uri, const gchar *arch,
			     const gchar *emulated, const gchar *cache_dir, gboolean *works,
			     gchar **reason);

G_END_DECLS
