#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Whether KVM really runs a guest on this host. /dev/kvm existing is not
 * enough: on some hosts (nested, sandboxed) a KVM guest runs its first
 * real-mode instructions and then hangs for ever when it enters protected
 * mode. So the probe boots @kernel under QEMU with KVM and waits up to
 * @timeout_ms for the kernel's first line on the serial port.
 *
 * The answer is cached under @cache_dir for the current host boot, so a
 * host where KVM does not work costs the wait once per boot, not per run.
 * @reason tells the operator why the choice was made.
 */
gboolean sg_kvm_probe(const gchar *kernel, const gchar *cache_dir, guint timeout_ms,
		      gchar **reason);

G_END_DECLS
