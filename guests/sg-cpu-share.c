#include "sg-cpu-share.h"

/* Often enough that a silence limit of a minute spans a dozen samples; one
 * small call to the lab host each time. */
#define SAMPLE_INTERVAL_SECONDS 5
/* About 85 minutes at that pace: longer than any phase's silence limit. */
#define MAX_SAMPLES 1024

struct _SgCpuShare {
	virDomainPtr domain;
	GArray *samples; /* SgCpuSample, oldest first */
	guint timer;
};

gboolean
sg_cpu_samples_starved(const SgCpuSample *from, const SgCpuSample *to, gchar **how)
{
	gdouble host_all, idle_share, wall_ns, guest_share;

	if (to->host_all <= from->host_all || to->when_us <= from->when_us ||
	    to->guest_vcpus == 0 || to->host_idle < from->host_idle ||
	    to->guest_cpu < from->guest_cpu)
		return FALSE;
	host_all = (gdouble)(to->host_all - from->host_all);
	idle_share = (gdouble)(to->host_idle - from->host_idle) / host_all;
	wall_ns = (gdouble)(to->when_us - from->when_us) * 1000.0;
	guest_share = (gdouble)(to->guest_cpu - from->guest_cpu) / (wall_ns * to->guest_vcpus);
	g_debug("over %.0f s: host %.1f%% idle, guest %.1f%% of its %u vCPUs", wall_ns / 1e9,
		idle_share * 100.0, guest_share * 100.0, to->guest_vcpus);
	/* A guest that took next to nothing while others had the host is most
	 * likely hung asleep: a starved one that wants to run still gets a
	 * fair slice of a busy host, ten runnable threads per CPU leave it 10%. */
	if (idle_share >= SG_CPU_SHARE_BUSY_IDLE || guest_share < SG_CPU_SHARE_ASLEEP ||
	    guest_share >= 0.5)
		return FALSE;
	if (how != NULL)
		*how = g_strdup_printf("the lab host's CPUs were %.0f%% idle and the guest got "
				       "%.0f%% of its %u vCPUs over the last %.0f s",
				       idle_share * 100.0, guest_share * 100.0, to->guest_vcpus,
				       wall_ns / 1e9);
	return TRUE;
}

static gboolean
read_sample(virDomainPtr domain, SgCpuSample *sample)
{
	virConnectPtr connection = virDomainGetConnect(domain);
	g_autofree virNodeCPUStatsPtr stats = NULL;
	virDomainInfo info;
	int count = 0;

	if (connection == NULL ||
	    virNodeGetCPUStats(connection, VIR_NODE_CPU_STATS_ALL_CPUS, NULL, &count, 0) < 0 ||
	    count <= 0)
		return FALSE;
	stats = g_new0(virNodeCPUStats, count);
	if (virNodeGetCPUStats(connection, VIR_NODE_CPU_STATS_ALL_CPUS, stats, &count, 0) < 0 ||
	    virDomainGetInfo(domain, &info) < 0)
		return FALSE;
	*sample = (SgCpuSample){
		.when_us = g_get_monotonic_time(),
		.guest_cpu = info.cpuTime,
		.guest_vcpus = info.nrVirtCpu,
	};
	for (int i = 0; i < count; i++) {
		/* "utilization" is a percentage, not a counter. */
		if (g_str_equal(stats[i].field, VIR_NODE_CPU_STATS_UTILIZATION))
			continue;
		sample->host_all += stats[i].value;
		if (g_str_equal(stats[i].field, VIR_NODE_CPU_STATS_IDLE) ||
		    g_str_equal(stats[i].field, VIR_NODE_CPU_STATS_IOWAIT))
			sample->host_idle += stats[i].value;
	}
	return TRUE;
}

static void
take_sample(SgCpuShare *share)
{
	SgCpuSample sample;

	/* A failed read (the guest just stopped, a driver without node
	 * statistics) is no evidence either way: no sample. */
	virResetLastError();
	if (!read_sample(share->domain, &sample)) {
		virResetLastError();
		return;
	}
	if (share->samples->len >= MAX_SAMPLES)
		g_array_remove_index(share->samples, 0);
	g_array_append_val(share->samples, sample);
}

static gboolean
on_sample_timer(gpointer user_data)
{
	take_sample(user_data);
	return G_SOURCE_CONTINUE;
}

SgCpuShare *
sg_cpu_share_new(virDomainPtr domain)
{
	SgCpuShare *share = g_new0(SgCpuShare, 1);

	share->domain = domain;
	virDomainRef(domain);
	share->samples = g_array_new(FALSE, FALSE, sizeof(SgCpuSample));
	take_sample(share);
	share->timer = g_timeout_add_seconds(SAMPLE_INTERVAL_SECONDS, on_sample_timer, share);
	return share;
}

gboolean
sg_cpu_share_starved_since(SgCpuShare *share, gint64 since_us, gchar **how)
{
	const SgCpuSample *from = NULL;

	take_sample(share);
	for (guint i = 0; i < share->samples->len; i++) {
		const SgCpuSample *sample = &g_array_index(share->samples, SgCpuSample, i);
		if (sample->when_us > since_us)
			break;
		from = sample;
	}
	/* Nothing from before the silence began: judge on what there is, as
	 * long as it spans most of it. */
	if (from == NULL && share->samples->len > 0)
		from = &g_array_index(share->samples, SgCpuSample, 0);
	if (from == NULL || share->samples->len < 2)
		return FALSE;
	return sg_cpu_samples_starved(
		from, &g_array_index(share->samples, SgCpuSample, share->samples->len - 1), how);
}

void
sg_cpu_share_free(SgCpuShare *share)
{
	if (share == NULL)
		return;
	g_clear_handle_id(&share->timer, g_source_remove);
	g_array_unref(share->samples);
	virDomainFree(share->domain);
	g_free(share);
}
