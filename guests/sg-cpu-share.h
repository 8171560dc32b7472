#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

G_BEGIN_DECLS

/* One reading of a lab host's CPU counters and one guest's CPU time. */
typedef struct {
	gint64 when_us;	   /* monotonic, on this machine */
	guint64 host_idle; /* ns the host's CPUs were idle (idle + iowait) */
	guint64 host_all;  /* ns of all the host's CPU counters */
	guint64 guest_cpu; /* ns of CPU the guest's QEMU got */
	guint guest_vcpus;
} SgCpuSample;

/* Whether a guest that was silent from @from to @to was starved rather than
 * asleep or spinning: the host had less than SG_CPU_SHARE_BUSY_IDLE of its
 * CPU idle, and the guest got less than half of what its vCPUs could have
 * used but more than SG_CPU_SHARE_ASLEEP (an idle guest's timer ticks).
 * Under TCG on a busy host a guest can go quiet for minutes only because it
 * does not run; its silence says nothing of the image. A hung guest that
 * spins (it takes its share) or a host with CPU to spare is judged as
 * usual. @how, when starved, says it with the figures. */
#define SG_CPU_SHARE_BUSY_IDLE 0.05
#define SG_CPU_SHARE_ASLEEP 0.05
gboolean sg_cpu_samples_starved(const SgCpuSample *from, const SgCpuSample *to, gchar **how);

typedef struct _SgCpuShare SgCpuShare;

/* Reads the host's and @domain's CPU counters over the guest's own
 * connection (virNodeGetCPUStats, virDomainGetInfo: the lab host's, local or
 * remote) every few seconds on the main loop. A connection or driver that
 * does not give them leaves it with no samples: nothing is ever called
 * starved then. */
SgCpuShare *sg_cpu_share_new(virDomainPtr domain);
/* Whether the guest was starved from @since_us (monotonic) to now, judged
 * on the last sample at or before @since_us and a fresh one. FALSE when
 * that cannot be told. */
gboolean sg_cpu_share_starved_since(SgCpuShare *share, gint64 since_us, gchar **how);
void sg_cpu_share_free(SgCpuShare *share);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgCpuShare, sg_cpu_share_free)

G_END_DECLS
