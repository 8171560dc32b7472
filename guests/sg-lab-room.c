#include "sg-lab-room.h"

#define GUEST_PREFIX "smokegate-"

/* smokegate's guests active on the host, and their vCPUs. */
static guint
count_running(virConnectPtr conn, guint *vcpus_used)
{
	virDomainPtr *domains = NULL;
	int count = virConnectListAllDomains(conn, &domains, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
	guint running = 0;

	*vcpus_used = 0;
	for (int i = 0; i < count; i++) {
		const char *name = virDomainGetName(domains[i]);
		virDomainInfo info;

		if (name != NULL && g_str_has_prefix(name, GUEST_PREFIX)) {
			running++;
			if (virDomainGetInfo(domains[i], &info) == 0)
				*vcpus_used += info.nrVirtCpu;
		}
		virDomainFree(domains[i]);
	}
	free(domains);
	return running;
}

guint
sg_lab_room_guests(SgLab *lab, guint max_guests, guint memory_mib, guint vcpus)
{
	virConnectPtr conn = sg_lab_get_connection(lab);
	unsigned long long free_bytes = virNodeGetFreeMemory(conn);
	virNodeInfo info;
	guint vcpus_used = 0;
	guint running = count_running(conn, &vcpus_used);
	guint room;

	if (max_guests != 0) {
		room = running < max_guests ? max_guests - running : 0;
	} else if (virNodeGetInfo(conn, &info) == 0) {
		room = info.cpus > vcpus_used ? (info.cpus - vcpus_used) / MAX(vcpus, 1) : 0;
	} else {
		room = 1;
	}
	if (free_bytes > 0 && memory_mib > 0)
		room = MIN(room, free_bytes / ((guint64)memory_mib * 1024 * 1024));
	g_debug("room for %u guests of %u MiB on %s (%u smokegate guests running, MaxGuests=%u)",
		room, memory_mib, sg_lab_get_uri(lab), running, max_guests);
	return MAX(room, 1);
}
