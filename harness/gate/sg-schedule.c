#include "sg-schedule.h"

struct _SgSchedule {
	GPtrArray *hosts; /* SgScheduleHost, owned */
	GPtrArray *queue; /* SgScheduleJob, owned; longest expected first */
	guint running;
};

static void
host_free(SgScheduleHost *host)
{
	g_free(host->name);
	g_free(host->out_reason);
	g_strfreev(host->arches);
	g_free(host->native_arch);
	g_free(host);
}

void
sg_schedule_job_free(SgScheduleJob *job)
{
	if (job == NULL)
		return;
	g_ptr_array_unref(job->avoid);
	g_free(job->arch);
	g_free(job);
}

SgSchedule *
sg_schedule_new(void)
{
	SgSchedule *schedule = g_new0(SgSchedule, 1);
	schedule->hosts = g_ptr_array_new_with_free_func((GDestroyNotify)host_free);
	schedule->queue = g_ptr_array_new_with_free_func((GDestroyNotify)sg_schedule_job_free);
	return schedule;
}

void
sg_schedule_free(SgSchedule *schedule)
{
	if (schedule == NULL)
		return;
	g_ptr_array_unref(schedule->queue);
	g_ptr_array_unref(schedule->hosts);
	g_free(schedule);
}

SgScheduleHost *
sg_schedule_add_host(SgSchedule *schedule, const gchar *name, guint max_guests, guint memory_mib,
		     guint vcpus, gpointer data)
{
	SgScheduleHost *host = g_new0(SgScheduleHost, 1);

	host->name = g_strdup(name);
	host->max_guests = MAX(max_guests, 1);
	host->memory_mib = memory_mib;
	host->vcpus = vcpus;
	host->data = data;
	g_ptr_array_add(schedule->hosts, host);
	return host;
}

GPtrArray *
sg_schedule_get_hosts(SgSchedule *schedule)
{
	return schedule->hosts;
}

void
sg_schedule_host_set_arches(SgScheduleHost *host, const gchar *const *arches)
{
	g_strfreev(host->arches);
	host->arches = g_strdupv((gchar **)arches);
}

void
sg_schedule_host_set_native_arch(SgScheduleHost *host, const gchar *arch)
{
	g_free(host->native_arch);
	host->native_arch = g_strdup(arch);
}

/* Whether a guest of @arch is one of @host_arch's own (amd64 runs i386). */
static gboolean
own_arch(const gchar *host_arch, const gchar *arch)
{
	return g_str_equal(host_arch, arch) ||
	       (g_str_equal(arch, "i386") && g_str_equal(host_arch, "amd64"));
}

/* Whether @host runs @arch's guests natively. */
static gboolean
is_native(const SgScheduleHost *host, const gchar *arch)
{
	return arch != NULL && host->native_arch != NULL && own_arch(host->native_arch, arch);
}

gboolean
sg_schedule_host_offers(const SgScheduleHost *host, const gchar *arch)
{
	if (arch == NULL || host->arches == NULL)
		return TRUE;
	for (guint i = 0; host->arches[i] != NULL; i++)
		if (own_arch(host->arches[i], arch))
			return TRUE;
	return FALSE;
}

gboolean
sg_schedule_offers(SgSchedule *schedule, const gchar *arch)
{
	for (guint h = 0; h < schedule->hosts->len; h++)
		if (sg_schedule_host_offers(g_ptr_array_index(schedule->hosts, h), arch))
			return TRUE;
	return FALSE;
}

void
sg_schedule_job_set_arch(SgScheduleJob *job, const gchar *arch)
{
	g_free(job->arch);
	job->arch = g_strdup(arch);
}

/* Keeps the queue longest expected first; equal ones keep their order. */
static void
queue_insert(SgSchedule *schedule, SgScheduleJob *job)
{
	guint i = 0;

	while (i < schedule->queue->len &&
	       ((SgScheduleJob *)g_ptr_array_index(schedule->queue, i))->expected_seconds >=
		       job->expected_seconds)
		i++;
	g_ptr_array_insert(schedule->queue, (gint)i, job);
}

SgScheduleJob *
sg_schedule_add_job(SgSchedule *schedule, gpointer data, guint memory_mib, guint vcpus,
		    gdouble expected_seconds)
{
	SgScheduleJob *job = g_new0(SgScheduleJob, 1);

	job->data = data;
	job->memory_mib = memory_mib;
	job->vcpus = vcpus;
	job->expected_seconds = expected_seconds;
	job->avoid = g_ptr_array_new();
	queue_insert(schedule, job);
	return job;
}

void
sg_schedule_requeue(SgSchedule *schedule, SgScheduleJob *job, SgScheduleHost *avoid)
{
	if (avoid != NULL && !g_ptr_array_find(job->avoid, avoid, NULL))
		g_ptr_array_add(job->avoid, avoid);
	queue_insert(schedule, job);
}

guint
sg_schedule_get_queued(SgSchedule *schedule)
{
	return schedule->queue->len;
}

guint
sg_schedule_get_running(SgSchedule *schedule)
{
	return schedule->running;
}

static gboolean
fits_when_idle(const SgScheduleHost *host, const SgScheduleJob *job)
{
	return !host->out && !g_ptr_array_find(job->avoid, host, NULL) &&
	       sg_schedule_host_offers(host, job->arch);
}

static gboolean
has_room(const SgScheduleHost *host, const SgScheduleJob *job)
{
	if (!fits_when_idle(host, job) || host->running >= host->max_guests)
		return FALSE;
	if (host->running == 0)
		return TRUE;
	if (host->memory_mib > 0 && host->memory_used + job->memory_mib > host->memory_mib)
		return FALSE;
	return host->vcpus == 0 || host->vcpus_used + job->vcpus <= host->vcpus;
}

/* What is left on @host as a share of its room: guests, then memory. */
static gdouble
free_share(const SgScheduleHost *host)
{
	gdouble guests = 1.0 - (gdouble)host->running / host->max_guests;
	gdouble memory =
		host->memory_mib > 0 ? 1.0 - (gdouble)host->memory_used / host->memory_mib : 1.0;
	return guests + memory / 1000.0;
}

/* Whether @option is a better place for @job than @best: a host of the
 * job's own architecture first, then the one with the most room left. */
static gboolean
better_place(const SgScheduleHost *option, const SgScheduleHost *best, const SgScheduleJob *job)
{
	gboolean option_native = is_native(option, job->arch);
	gboolean best_native = is_native(best, job->arch);

	if (option_native != best_native)
		return option_native;
	return free_share(option) > free_share(best);
}

gboolean
sg_schedule_next(SgSchedule *schedule, guint global_cap, SgScheduleJob **job, SgScheduleHost **host)
{
	if (global_cap > 0 && schedule->running >= global_cap)
		return FALSE;
	for (guint j = 0; j < schedule->queue->len; j++) {
		SgScheduleJob *candidate = g_ptr_array_index(schedule->queue, j);
		SgScheduleHost *best = NULL;

		for (guint h = 0; h < schedule->hosts->len; h++) {
			SgScheduleHost *option = g_ptr_array_index(schedule->hosts, h);
			if (has_room(option, candidate) &&
			    (best == NULL || better_place(option, best, candidate)))
				best = option;
		}
		if (best == NULL)
			continue;
		best->running++;
		best->started++;
		best->memory_used += candidate->memory_mib;
		best->vcpus_used += candidate->vcpus;
		candidate->attempts++;
		schedule->running++;
		*job = g_ptr_array_steal_index(schedule->queue, j);
		*host = best;
		return TRUE;
	}
	return FALSE;
}

void
sg_schedule_release(SgSchedule *schedule, SgScheduleJob *job, SgScheduleHost *host)
{
	host->running--;
	host->memory_used -= job->memory_mib;
	host->vcpus_used -= job->vcpus;
	schedule->running--;
}

void
sg_schedule_take_out(SgScheduleHost *host, const gchar *reason)
{
	if (host->out)
		return;
	host->out = TRUE;
	g_free(host->out_reason);
	host->out_reason = g_strdup(reason);
}

GPtrArray *
sg_schedule_take_stranded(SgSchedule *schedule)
{
	GPtrArray *stranded = g_ptr_array_new_with_free_func((GDestroyNotify)sg_schedule_job_free);

	for (guint j = 0; j < schedule->queue->len;) {
		SgScheduleJob *job = g_ptr_array_index(schedule->queue, j);
		gboolean placeable = FALSE;
		for (guint h = 0; h < schedule->hosts->len && !placeable; h++)
			placeable = fits_when_idle(g_ptr_array_index(schedule->hosts, h), job);
		if (placeable)
			j++;
		else
			g_ptr_array_add(stranded, g_ptr_array_steal_index(schedule->queue, j));
	}
	return stranded;
}
