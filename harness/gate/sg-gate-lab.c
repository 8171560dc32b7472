#include "sg-gate-lab.h"

#include <json-glib/json-glib.h>

#include "sg-files.h"
#include "sg-json.h"
#include "sg-tree.h"
#include "sg-virt.h"

#define LAB_STATE_FILE "lab.json"

struct _SgGateLab {
	SgLabConfig *config;
	SgSchedule *schedule;
	gchar *started; /* ISO 8601 */
};

/* MiB a host can give guests now: free memory plus what its page cache
 * would give back (virNodeGetFreeMemory alone counts the cache as used). */
static guint
available_memory_mib(virConnectPtr conn)
{
	int count = 0;
	g_autofree virNodeMemoryStatsPtr stats = NULL;
	guint64 kib = 0;

	if (virNodeGetMemoryStats(conn, VIR_NODE_MEMORY_STATS_ALL_CELLS, NULL, &count, 0) == 0 &&
	    count > 0) {
		stats = g_new0(virNodeMemoryStats, count);
		if (virNodeGetMemoryStats(conn, VIR_NODE_MEMORY_STATS_ALL_CELLS, stats, &count,
					  0) == 0) {
			for (int i = 0; i < count; i++) {
				if (g_str_equal(stats[i].field, VIR_NODE_MEMORY_STATS_FREE) ||
				    g_str_equal(stats[i].field, VIR_NODE_MEMORY_STATS_BUFFERS) ||
				    g_str_equal(stats[i].field, VIR_NODE_MEMORY_STATS_CACHED))
					kib += stats[i].value;
			}
			return (guint)(kib / 1024);
		}
	}
	return (guint)(virNodeGetFreeMemory(conn) / (1024 * 1024));
}

/* Opens @uri just to ask; FALSE with @reason when the host does not answer. */
static gboolean
probe(const gchar *uri, guint *memory_mib, guint *vcpus, gchar **reason)
{
	virConnectPtr conn;
	virNodeInfo info;

	sg_virt_init();
	conn = virConnectOpen(uri);
	if (conn == NULL) {
		*reason = g_strdup(virGetLastErrorMessage());
		return FALSE;
	}
	if (virNodeGetInfo(conn, &info) < 0) {
		*reason = g_strdup(virGetLastErrorMessage());
		virConnectClose(conn);
		return FALSE;
	}
	if (memory_mib != NULL)
		*memory_mib = available_memory_mib(conn);
	if (vcpus != NULL)
		*vcpus = info.cpus;
	virConnectClose(conn);
	return TRUE;
}

SgGateLab *
sg_gate_lab_new(SgLabConfig *config, guint default_guests, SgSchedule *schedule)
{
	SgGateLab *lab = g_new0(SgGateLab, 1);
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();

	lab->config = config;
	lab->schedule = schedule;
	lab->started = g_date_time_format_iso8601(now);
	for (guint i = 0; i < config->hosts->len; i++) {
		SgLabHost *host = g_ptr_array_index(config->hosts, i);
		guint memory_mib = 0, vcpus = 0;
		g_autofree gchar *reason = NULL;
		SgScheduleHost *added;
		gboolean reachable;

		/* The embedded driver runs in this process: always there. */
		if (host->uri == NULL) {
			added = sg_schedule_add_host(schedule, host->name,
						     config->path != NULL ? host->max_guests
									  : MAX(default_guests, 1),
						     host->memory_mib, host->vcpus, host);
			continue;
		}
		reachable = probe(host->uri, &memory_mib, &vcpus, &reason);
		added = sg_schedule_add_host(schedule, host->name, host->max_guests,
					     host->memory_mib > 0 ? host->memory_mib : memory_mib,
					     host->vcpus > 0 ? host->vcpus : vcpus, host);
		if (!reachable) {
			g_autofree gchar *why = g_strdup_printf("unreachable at the start (%s): %s",
								host->uri, reason);
			sg_schedule_take_out(added, why);
		}
	}
	return lab;
}

void
sg_gate_lab_free(SgGateLab *lab)
{
	if (lab == NULL)
		return;
	g_free(lab->started);
	g_free(lab);
}

SgLabHost *
sg_gate_lab_host_config(SgScheduleHost *host)
{
	return host->data;
}

gboolean
sg_gate_lab_still_reachable(SgScheduleHost *host, gchar **reason)
{
	SgLabHost *config = host->data;

	if (config->uri == NULL)
		return TRUE;
	return probe(config->uri, NULL, NULL, reason);
}

void
sg_gate_lab_save(SgGateLab *lab, const gchar *tree)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	g_autoptr(JsonNode) root = NULL;
	g_autofree gchar *text = NULL;
	g_autofree gchar *path = g_build_filename(tree, SG_TREE_STATE_DIR, LAB_STATE_FILE, NULL);
	g_autoptr(GError) error = NULL;
	GPtrArray *hosts = sg_schedule_get_hosts(lab->schedule);

	json_builder_begin_object(builder);
	sg_json_add_string(builder, "run_started", lab->started);
	json_builder_set_member_name(builder, "hosts");
	json_builder_begin_array(builder);
	for (guint i = 0; i < hosts->len; i++) {
		SgScheduleHost *host = g_ptr_array_index(hosts, i);
		SgLabHost *config = host->data;
		json_builder_begin_object(builder);
		sg_json_add_string(builder, "name", host->name);
		sg_json_add_string(builder, "uri", config->uri != NULL ? config->uri : "(default)");
		sg_json_add_string(builder, "state", host->out ? "out" : "in");
		if (host->out_reason != NULL)
			sg_json_add_string(builder, "reason", host->out_reason);
		sg_json_add_int(builder, "max_guests", host->max_guests);
		sg_json_add_int(builder, "memory_mib", host->memory_mib);
		sg_json_add_int(builder, "vcpus", host->vcpus);
		sg_json_add_int(builder, "tests", host->started);
		sg_json_add_int(builder, "running", host->running);
		json_builder_end_object(builder);
	}
	json_builder_end_array(builder);
	json_builder_end_object(builder);
	root = json_builder_get_root(builder);
	text = json_to_string(root, TRUE);
	if (!sg_files_write_durably(path, text, -1, &error))
		g_warning("cannot keep what the gate saw of the lab: %s", error->message);
}
