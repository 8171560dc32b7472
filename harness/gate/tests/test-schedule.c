/* Which build goes where, and when: the gate's scheduling without libvirt. */
#include "sg-schedule.h"

static gint job_data[8];

/* Longest expected first, each on the host with the most room left. */
static void
test_longest_first_spread(void)
{
	g_autoptr(SgSchedule) schedule = sg_schedule_new();
	SgScheduleHost *a = sg_schedule_add_host(schedule, "a", 1, 0, 0, NULL);
	SgScheduleHost *b = sg_schedule_add_host(schedule, "b", 1, 0, 0, NULL);
	SgScheduleJob *job = NULL;
	SgScheduleHost *host = NULL;
	SgScheduleJob *longest = NULL;

	sg_schedule_add_job(schedule, &job_data[0], 2048, 2, 60);
	sg_schedule_add_job(schedule, &job_data[1], 2048, 2, 1800);
	sg_schedule_add_job(schedule, &job_data[2], 2048, 2, 600);

	g_assert_true(sg_schedule_next(schedule, 0, &longest, &host));
	g_assert_true(longest->data == &job_data[1]);
	g_assert_true(host == a);
	g_assert_true(sg_schedule_next(schedule, 0, &job, &host));
	g_assert_true(job->data == &job_data[2]);
	g_assert_true(host == b);
	/* Both hosts full: the short one waits. */
	g_assert_false(sg_schedule_next(schedule, 0, &job, &host));
	g_assert_cmpuint(sg_schedule_get_running(schedule), ==, 2);
	sg_schedule_release(schedule, job, host);
	sg_schedule_job_free(job);
	g_assert_true(sg_schedule_next(schedule, 0, &job, &host));
	g_assert_true(job->data == &job_data[0]);
	g_assert_true(host == b);
	g_assert_cmpuint(sg_schedule_get_queued(schedule), ==, 0);
	sg_schedule_job_free(job);
	sg_schedule_job_free(longest);
}

/* Memory and vCPUs bound a busy host; an idle one always takes a guest. */
static void
test_room(void)
{
	g_autoptr(SgSchedule) schedule = sg_schedule_new();
	SgScheduleHost *a = sg_schedule_add_host(schedule, "a", 4, 3000, 4, NULL);
	SgScheduleJob *job = NULL;
	SgScheduleHost *host = NULL;

	sg_schedule_add_job(schedule, &job_data[0], 4096, 2, 100);
	sg_schedule_add_job(schedule, &job_data[1], 2048, 2, 50);
	sg_schedule_add_job(schedule, &job_data[2], 1024, 2, 10);

	g_assert_true(sg_schedule_next(schedule, 0, &job, &host));
	g_assert_true(job->data == &job_data[0] && host == a);
	/* 4096 of 3000 MiB in use: nothing else fits now. */
	g_assert_false(sg_schedule_next(schedule, 0, &job, &host));
	sg_schedule_release(schedule, job, host);
	sg_schedule_job_free(job);
	g_assert_true(sg_schedule_next(schedule, 0, &job, &host));
	g_assert_true(job->data == &job_data[1]);
	/* 2048 + 1024 > 3000 MiB. */
	g_assert_false(sg_schedule_next(schedule, 0, &job, &host));
	g_assert_cmpuint(a->memory_used, ==, 2048);
	g_assert_cmpuint(a->vcpus_used, ==, 2);
	sg_schedule_release(schedule, job, host);
	sg_schedule_job_free(job);
	g_assert_cmpuint(a->memory_used, ==, 0);
}

static void
test_global_cap(void)
{
	g_autoptr(SgSchedule) schedule = sg_schedule_new();
	SgScheduleJob *first = NULL, *second = NULL;
	SgScheduleHost *host = NULL;

	sg_schedule_add_host(schedule, "a", 4, 0, 0, NULL);
	sg_schedule_add_job(schedule, &job_data[0], 1, 1, 1);
	sg_schedule_add_job(schedule, &job_data[1], 1, 1, 1);
	g_assert_true(sg_schedule_next(schedule, 1, &first, &host));
	g_assert_false(sg_schedule_next(schedule, 1, &second, &host));
	g_assert_true(sg_schedule_next(schedule, 2, &second, &host));
	sg_schedule_job_free(first);
	sg_schedule_job_free(second);
}

/* A job whose attempt failed on a host goes to another; a host taken out
 * gets nothing; a job no host can take is stranded, not waited for. */
static void
test_requeue_and_out(void)
{
	g_autoptr(SgSchedule) schedule = sg_schedule_new();
	SgScheduleHost *a = sg_schedule_add_host(schedule, "a", 1, 0, 0, NULL);
	SgScheduleHost *b = sg_schedule_add_host(schedule, "b", 1, 0, 0, NULL);
	SgScheduleJob *job = NULL;
	SgScheduleHost *host = NULL;
	g_autoptr(GPtrArray) stranded = NULL;

	sg_schedule_add_job(schedule, &job_data[0], 1, 1, 1);
	g_assert_true(sg_schedule_next(schedule, 0, &job, &host));
	g_assert_true(host == a);
	sg_schedule_release(schedule, job, host);
	sg_schedule_take_out(a, "lost");
	g_assert_true(a->out);
	g_assert_cmpstr(a->out_reason, ==, "lost");
	sg_schedule_requeue(schedule, job, a);
	g_assert_true(sg_schedule_next(schedule, 0, &job, &host));
	g_assert_true(host == b);
	g_assert_cmpuint(job->attempts, ==, 2);
	g_assert_cmpuint(b->started, ==, 1);
	sg_schedule_release(schedule, job, host);
	sg_schedule_requeue(schedule, job, b);
	/* a is out, b is to be avoided: nowhere to go. */
	g_assert_false(sg_schedule_next(schedule, 0, &job, &host));
	stranded = sg_schedule_take_stranded(schedule);
	g_assert_cmpuint(stranded->len, ==, 1);
	g_assert_cmpuint(sg_schedule_get_queued(schedule), ==, 0);
}

/* A build goes only to a host that offers its architecture, even when the
 * other has more room; i386 runs where amd64 does; one no host offers is
 * stranded, told apart from a host being out. */
static void
test_arches(void)
{
	g_autoptr(SgSchedule) schedule = sg_schedule_new();
	const gchar *amd64_only[] = {"amd64", NULL};
	const gchar *both[] = {"amd64", "arm64", NULL};
	SgScheduleHost *x86 = sg_schedule_add_host(schedule, "x86", 2, 0, 0, NULL);
	SgScheduleHost *mixed = sg_schedule_add_host(schedule, "mixed", 1, 0, 0, NULL);
	SgScheduleJob *arm64 = NULL;
	SgScheduleJob *i386 = NULL;
	SgScheduleJob *job = NULL;
	SgScheduleHost *host = NULL;
	g_autoptr(GPtrArray) stranded = NULL;

	sg_schedule_host_set_arches(x86, amd64_only);
	sg_schedule_host_set_arches(mixed, both);
	g_assert_true(sg_schedule_host_offers(x86, "i386"));
	g_assert_false(sg_schedule_host_offers(x86, "arm64"));
	g_assert_true(sg_schedule_host_offers(x86, NULL));
	g_assert_false(sg_schedule_offers(schedule, "ppc64el"));

	/* The first arm64 build takes mixed; the second waits for it, though
	 * x86 is idle. */
	sg_schedule_job_set_arch(sg_schedule_add_job(schedule, &job_data[0], 1024, 1, 100),
				 "arm64");
	sg_schedule_job_set_arch(sg_schedule_add_job(schedule, &job_data[1], 1024, 1, 90), "arm64");
	sg_schedule_job_set_arch(sg_schedule_add_job(schedule, &job_data[2], 1024, 1, 10), "i386");
	sg_schedule_job_set_arch(sg_schedule_add_job(schedule, &job_data[3], 1024, 1, 5),
				 "ppc64el");
	stranded = sg_schedule_take_stranded(schedule);
	g_assert_cmpuint(stranded->len, ==, 1);
	g_assert_true(((SgScheduleJob *)g_ptr_array_index(stranded, 0))->data == &job_data[3]);

	g_assert_true(sg_schedule_next(schedule, 0, &arm64, &host));
	g_assert_true(arm64->data == &job_data[0] && host == mixed);
	g_assert_true(sg_schedule_next(schedule, 0, &i386, &host));
	g_assert_true(i386->data == &job_data[2] && host == x86);
	g_assert_false(sg_schedule_next(schedule, 0, &job, &host));
	sg_schedule_release(schedule, arm64, mixed);
	g_assert_true(sg_schedule_next(schedule, 0, &job, &host));
	g_assert_true(job->data == &job_data[1] && host == mixed);
	sg_schedule_job_free(job);
	sg_schedule_job_free(arm64);
	sg_schedule_job_free(i386);
}

/* A host of the build's own architecture before one that would emulate
 * it, though the emulating one has more room; a build of neither kind
 * keeps going where there is most room. */
static void
test_native_first(void)
{
	g_autoptr(SgSchedule) schedule = sg_schedule_new();
	const gchar *both[] = {"amd64", "arm64", NULL};
	SgScheduleHost *x86 = sg_schedule_add_host(schedule, "x86", 4, 0, 0, NULL);
	SgScheduleHost *arm = sg_schedule_add_host(schedule, "arm", 1, 0, 0, NULL);
	SgScheduleJob *jobs[3] = {NULL};
	SgScheduleHost *hosts[3] = {NULL};

	sg_schedule_host_set_arches(x86, both);
	sg_schedule_host_set_arches(arm, both);
	sg_schedule_host_set_native_arch(x86, "amd64");
	sg_schedule_host_set_native_arch(arm, "arm64");
	sg_schedule_job_set_arch(sg_schedule_add_job(schedule, &job_data[0], 1024, 1, 100),
				 "arm64");
	sg_schedule_job_set_arch(sg_schedule_add_job(schedule, &job_data[1], 1024, 1, 90), "i386");
	sg_schedule_job_set_arch(sg_schedule_add_job(schedule, &job_data[2], 1024, 1, 80), "arm64");

	for (guint i = 0; i < 3; i++)
		g_assert_true(sg_schedule_next(schedule, 0, &jobs[i], &hosts[i]));
	/* x86 has four places free and arm one: the arm64 build goes to arm
	 * all the same, the i386 one to x86 (amd64 runs it natively), and the
	 * second arm64 one, with arm full, is emulated on x86 rather than wait. */
	g_assert_true(jobs[0]->data == &job_data[0] && hosts[0] == arm);
	g_assert_true(jobs[1]->data == &job_data[1] && hosts[1] == x86);
	g_assert_true(jobs[2]->data == &job_data[2] && hosts[2] == x86);
	for (guint i = 0; i < 3; i++)
		sg_schedule_job_free(jobs[i]);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/schedule/longest-first-spread", test_longest_first_spread);
	g_test_add_func("/schedule/room", test_room);
	g_test_add_func("/schedule/global-cap", test_global_cap);
	g_test_add_func("/schedule/requeue-and-out", test_requeue_and_out);
	g_test_add_func("/schedule/arches", test_arches);
	g_test_add_func("/schedule/native-first", test_native_first);
	return g_test_run();
}
