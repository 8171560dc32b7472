#include "sg-gate-lab.h"

#include <json-glib/json-glib.h>

#include "sg-arch.h"
#include "sg-files.h"
#include "sg-json.h"
#include "sg-lab-survey.h"
#include "sg-tree.h"

#define LAB_STATE_FILE "lab.json"

struct _SgGateLab {
	SgSchedule *schedule;
	gchar *started; /* ISO 8601 */
};

/* A host lost in a test is asked again this long before it counts as gone. */
#define RECHECK_TIMEOUT_MS 5000

/* Every host with a URI surveyed at once, NULL in the place of the default
 * host: surveying it would open and close this process's embedded driver,
 * whose root goes with its last connection, under the tests to come. */
static GPtrArray *
survey_remote_hosts(SgLabConfig *config)
{
	g_autoptr(GPtrArray) remote_hosts = g_ptr_array_new();
	g_autoptr(GPtrArray) remote = NULL;
	SgLabConfig remote_config = {config->path, remote_hosts};
	GPtrArray *surveys = g_ptr_array_new_with_free_func((GDestroyNotify)sg_lab_survey_free);

	for (guint i = 0; i < config->hosts->len; i++) {
		SgLabHost *host = g_ptr_array_index(config->hosts, i);
		if (host->uri != NULL)
			g_ptr_array_add(remote_hosts, host);
	}
	remote = sg_lab_survey_all(&remote_config, SG_LAB_SURVEY_TIMEOUT_MS);
	for (guint i = 0; i < config->hosts->len; i++) {
		SgLabHost *host = g_ptr_array_index(config->hosts, i);
		g_ptr_array_add(surveys,
				host->uri != NULL ? g_ptr_array_steal_index(remote, 0) : NULL);
	}
	return surveys;
}

typedef struct {
	SgLabConfig *config;
	guint default_guests;
	SgSchedule *schedule;
	gchar *started;
} SgLabOpening;

static void
opening_free(SgLabOpening *opening)
{
	g_free(opening->started);
	g_free(opening);
}

static void
survey_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	SgLabOpening *opening = data;

	g_task_return_pointer(task, survey_remote_hosts(opening->config),
			      (GDestroyNotify)g_ptr_array_unref);
}

void
sg_gate_lab_open_async(SgLabConfig *config, guint default_guests, SgSchedule *schedule,
		       GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, NULL, callback, user_data);
	SgLabOpening *opening = g_new0(SgLabOpening, 1);
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();

	opening->config = config;
	opening->default_guests = default_guests;
	opening->schedule = schedule;
	opening->started = g_date_time_format_iso8601(now);
	g_task_set_task_data(task, opening, (GDestroyNotify)opening_free);
	g_task_run_in_thread(task, survey_thread);
}

SgGateLab *
sg_gate_lab_open_finish(GAsyncResult *result)
{
	SgLabOpening *opening = g_task_get_task_data(G_TASK(result));
	g_autoptr(GPtrArray) surveys = g_task_propagate_pointer(G_TASK(result), NULL);
	SgLabConfig *config = opening->config;
	SgSchedule *schedule = opening->schedule;
	guint default_guests = opening->default_guests;
	SgGateLab *lab = g_new0(SgGateLab, 1);

	lab->schedule = schedule;
	lab->started = g_steal_pointer(&opening->started);
	for (guint i = 0; i < config->hosts->len; i++) {
		SgLabHost *host = g_ptr_array_index(config->hosts, i);
		SgLabSurvey *survey = g_ptr_array_index(surveys, i);
		SgScheduleHost *added;

		/* The embedded driver runs in this process: always there. A
		 * laptop's default host keeps the room --jobs gives it. */
		if (host->uri == NULL) {
			const SgArch *own = sg_arch_host();
			const gchar *own_arches[] = {own != NULL ? own->name : NULL, NULL};
			added = sg_schedule_add_host(schedule, host->name,
						     config->path == NULL ? MAX(default_guests, 1)
									  : host->max_guests,
						     host->memory_mib, host->vcpus, host);
			sg_schedule_host_set_native_arch(added, own != NULL ? own->name : NULL);
			if (host->arches != NULL || own != NULL)
				sg_schedule_host_set_arches(
					added, host->arches != NULL
						       ? (const gchar *const *)host->arches
						       : own_arches);
			continue;
		}
		added = sg_schedule_add_host(schedule, host->name, host->max_guests,
					     survey->reachable ? (guint)survey->usable_memory_mib
							       : 0,
					     survey->reachable ? survey->vcpus : 0, host);
		sg_schedule_host_set_native_arch(added, survey->arch);
		/* Arches=, else what the host said it is; neither: any. */
		if (host->arches != NULL || survey->arches != NULL)
			sg_schedule_host_set_arches(
				added,
				(const gchar *const *)(host->arches != NULL ? host->arches
									    : survey->arches));
		if (!survey->reachable) {
			g_autofree gchar *why = g_strdup_printf("unreachable at the start (%s): %s",
								host->uri, survey->problem);
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

static void
check_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	g_task_return_pointer(task, sg_lab_survey_host(data, RECHECK_TIMEOUT_MS),
			      (GDestroyNotify)sg_lab_survey_free);
}

void
sg_gate_lab_check_host_async(SgScheduleHost *host, GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, NULL, callback, user_data);
	SgLabHost *config = host->data;

	/* The embedded driver runs in this process: always there. */
	if (config->uri == NULL) {
		g_task_return_pointer(task, NULL, NULL);
		return;
	}
	g_task_set_task_data(task, config, NULL);
	g_task_run_in_thread(task, check_thread);
}

gboolean
sg_gate_lab_check_host_finish(GAsyncResult *result, gchar **reason)
{
	g_autoptr(SgLabSurvey) survey = g_task_propagate_pointer(G_TASK(result), NULL);

	if (survey == NULL || survey->reachable)
		return TRUE;
	*reason = g_strdup(survey->problem);
	return FALSE;
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
