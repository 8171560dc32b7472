#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Which build to test next and on which lab host: the bookkeeping only,
 * no libvirt, so it can be tested on its own.
 *
 * Longest expected test first (a long test started last decides when the
 * night ends), each on the host with the most room left, so that the batch
 * ends as early as it can. A host takes a guest when it runs fewer than
 * MaxGuests and the guest's memory and vCPUs fit what is left of its room;
 * an idle host always takes one, since nothing else could use it better.
 */
typedef struct {
	gchar *name;
	guint max_guests;
	guint memory_mib; /* room for guests; 0: no limit */
	guint vcpus;	  /* 0: no limit */
	guint running;
	guint memory_used;
	guint vcpus_used;
	guint errors_in_a_row;
	guint started; /* attempts started on it in this run */
	gboolean out;  /* takes no more work: unreachable, lost or drained */
	gchar *out_reason;
	/* The architectures its guests may be (Debian's names: the lab file's
	 * Arches=, else the host's own); NULL: any. */
	GStrv arches;
	/* The host's own architecture (its guests of that one may run under
	 * KVM, the others are emulated); NULL: not known. */
	gchar *native_arch;
	gpointer data; /* the caller's */
} SgScheduleHost;

typedef struct {
	gpointer data; /* the caller's */
	guint memory_mib;
	guint vcpus;
	gdouble expected_seconds;
	guint attempts;	  /* started so far in this run */
	gchar *arch;	  /* its guests' architecture (Debian's name); NULL: any host */
	GPtrArray *avoid; /* SgScheduleHost* where an attempt ended in error */
} SgScheduleJob;

typedef struct _SgSchedule SgSchedule;

SgSchedule *sg_schedule_new(void);
void sg_schedule_free(SgSchedule *schedule);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgSchedule, sg_schedule_free)

SgScheduleHost *sg_schedule_add_host(SgSchedule *schedule, const gchar *name, guint max_guests,
				     guint memory_mib, guint vcpus, gpointer data);
GPtrArray *sg_schedule_get_hosts(SgSchedule *schedule);
/* The architectures @host offers (NULL: any); a job of another one is never
 * placed there. amd64 offers i386 too: one machine. */
void sg_schedule_host_set_arches(SgScheduleHost *host, const gchar *const *arches);
gboolean sg_schedule_host_offers(const SgScheduleHost *host, const gchar *arch);
/* A build goes to a host of its own architecture before one that would
 * emulate it (under TCG an arm64 install takes many times as long). */
void sg_schedule_host_set_native_arch(SgScheduleHost *host, const gchar *arch);
/* Whether any host of the run, even one out, offers @arch. */
gboolean sg_schedule_offers(SgSchedule *schedule, const gchar *arch);
/* Queues a job; @data is the caller's and is not freed. */
SgScheduleJob *sg_schedule_add_job(SgSchedule *schedule, gpointer data, guint memory_mib,
				   guint vcpus, gdouble expected_seconds);
/* The architecture @job's guests are (NULL: any host takes it). */
void sg_schedule_job_set_arch(SgScheduleJob *job, const gchar *arch);
/* Puts a job whose attempt ended back in the queue, away from @avoid. */
void sg_schedule_requeue(SgSchedule *schedule, SgScheduleJob *job, SgScheduleHost *avoid);
guint sg_schedule_get_queued(SgSchedule *schedule);
guint sg_schedule_get_running(SgSchedule *schedule);

/*
 * The next job to start and its host, reserving the host's room; FALSE when
 * nothing can start now (no job, or no host with room for any queued job).
 * @global_cap bounds the tests running at once over all hosts (0: none).
 */
gboolean sg_schedule_next(SgSchedule *schedule, guint global_cap, SgScheduleJob **job,
			  SgScheduleHost **host);
/* Gives back the room @job held on @host. */
void sg_schedule_release(SgSchedule *schedule, SgScheduleJob *job, SgScheduleHost *host);
/* Takes @host out of the run for @reason; its running jobs end by themselves. */
void sg_schedule_take_out(SgScheduleHost *host, const gchar *reason);
/* Queued jobs no host in the run can take, even idle: removed from the
 * queue and returned (the caller owns them, free with sg_schedule_job_free). */
GPtrArray *sg_schedule_take_stranded(SgSchedule *schedule);
void sg_schedule_job_free(SgScheduleJob *job);

G_END_DECLS
