/* When a silent guest counts as starved: figures like those read on this
 * machine (2 CPUs) with other TCG guests busy and one hung or starved. */
#include "sg-cpu-share.h"

#define S (G_GUINT64_CONSTANT(1000000000))

static SgCpuSample
sample(gint64 seconds, guint64 host_idle_s, guint64 host_all_s, gdouble guest_s)
{
	return (SgCpuSample){
		.when_us = seconds * G_USEC_PER_SEC,
		.host_idle = host_idle_s * S,
		.host_all = host_all_s * S,
		.guest_cpu = (guint64)(guest_s * S),
		.guest_vcpus = 2,
	};
}

/* 60 s on 2 CPUs: 120 s of CPU counters. */
static void
test_starved(void)
{
	SgCpuSample from = sample(100, 1000, 5000, 50.0);
	SgCpuSample to = sample(160, 1002, 5120, 60.0); /* 1.7% idle, guest 8% */
	g_autofree gchar *how = NULL;

	g_assert_true(sg_cpu_samples_starved(&from, &to, &how));
	g_assert_cmpstr(how, ==,
			"the lab host's CPUs were 2% idle and the guest got 8% of its 2 vCPUs "
			"over the last 60 s");
}

static void
test_host_with_room(void)
{
	SgCpuSample from = sample(100, 1000, 5000, 50.0);
	SgCpuSample to = sample(160, 1060, 5120, 51.0); /* 50% idle: a hung guest */

	g_assert_false(sg_cpu_samples_starved(&from, &to, NULL));
}

static void
test_guest_spins(void)
{
	SgCpuSample from = sample(100, 1000, 5000, 50.0);
	SgCpuSample to = sample(160, 1001, 5120, 150.0); /* the guest took 83% itself */

	g_assert_false(sg_cpu_samples_starved(&from, &to, NULL));
}

static void
test_guest_asleep(void)
{
	SgCpuSample from = sample(100, 1000, 5000, 50.0);
	SgCpuSample to = sample(160, 1001, 5120, 52.0); /* 1.7%: a hung guest's ticks */

	g_assert_false(sg_cpu_samples_starved(&from, &to, NULL));
}

static void
test_unknown(void)
{
	SgCpuSample from = sample(100, 1000, 5000, 50.0);
	SgCpuSample same = from;
	SgCpuSample restarted = sample(160, 10, 100, 1.0); /* counters went back */
	SgCpuSample no_vcpus = sample(160, 1001, 5120, 51.0);

	no_vcpus.guest_vcpus = 0;
	g_assert_false(sg_cpu_samples_starved(&from, &same, NULL));
	g_assert_false(sg_cpu_samples_starved(&from, &restarted, NULL));
	g_assert_false(sg_cpu_samples_starved(&from, &no_vcpus, NULL));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/cpu-share/starved", test_starved);
	g_test_add_func("/cpu-share/host-with-room", test_host_with_room);
	g_test_add_func("/cpu-share/guest-spins", test_guest_spins);
	g_test_add_func("/cpu-share/guest-asleep", test_guest_asleep);
	g_test_add_func("/cpu-share/unknown", test_unknown);
	return g_test_run();
}
