#pragma once

#include "sg-lab.h"

G_BEGIN_DECLS

/*
 * Whether KVM really runs a guest on the lab host. The host saying it has
 * KVM is not enough: on some hosts (nested, sandboxed) a KVM guest runs its
 * first real-mode instructions and then hangs for ever when it enters
 * protected mode. So the probe boots @kernel (a path as the host sees it)
 * in a small KVM guest on the host, over the libvirt connection, and waits
 * up to @timeout_ms for the kernel's first line on its console: the same
 * code for the embedded driver and a remote lab host.
 *
 * The answer is cached under @cache_dir for the host (this machine's boot,
 * or a remote host for a day), so a host where KVM does not work costs the
 * wait once, not per run. @reason tells the operator why the choice was made.
 */
typedef void (*SgKvmProbeDone)(gboolean works, const gchar *reason, gpointer user_data);

void sg_kvm_probe_async(SgLab *lab, const gchar *kernel, const gchar *cache_dir, guint timeout_ms,
			SgKvmProbeDone done, gpointer user_data);

/* The answer known without booting a guest, for a survey of the lab: the
 * cached one, or no when the host offers no KVM domains. FALSE when only
 * the probe guest can tell (the host offers KVM, nothing cached). @uri is
 * the connection's, as sg_lab_get_uri() gives it. */
gboolean sg_kvm_probe_lookup(virConnectPtr conn, const gchar *uri, const gchar *cache_dir,
			     gboolean *works, gchar **reason);

/* For a guest of another architecture than the probe's x86-64 one (QEMU's
 * name, "aarch64"): NULL when the host offers KVM for it (a host of that
 * architecture), else why its guests run under TCG. The probe guest is an
 * x86-64 kernel: it says nothing of these. */
gchar *sg_kvm_foreign_reason(virConnectPtr conn, const gchar *qemu_arch);

G_END_DECLS
