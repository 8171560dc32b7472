#include "sg-lab-survey.h"

#include <string.h>

#include "sg-arch.h"
#include "sg-iso-cache.h"
#include "sg-json.h"
#include "sg-kvm-probe.h"
#include "sg-lab.h"

#define GUEST_PREFIX "smokegate-"
#define MIB (1024 * 1024)

static void
cached_image_free(SgLabCachedImage *image)
{
	g_free(image->sha256);
	g_free(image);
}

static void
lab_guest_free(SgLabGuest *guest)
{
	g_free(guest->name);
	g_free(guest->state);
	g_free(guest);
}

void
sg_lab_survey_free(SgLabSurvey *survey)
{
	if (survey == NULL)
		return;
	g_free(survey->name);
	g_free(survey->uri);
	g_free(survey->problem);
	g_free(survey->hostname);
	g_free(survey->arch);
	g_strfreev(survey->arches);
	g_free(survey->accel);
	g_free(survey->accel_reason);
	g_ptr_array_unref(survey->images);
	g_ptr_array_unref(survey->guests);
	g_free(survey);
}

static SgLabSurvey *
survey_new(SgLabHost *host)
{
	SgLabSurvey *survey = g_new0(SgLabSurvey, 1);

	survey->name = g_strdup(host->name);
	survey->uri = g_strdup(host->uri);
	survey->max_guests = host->max_guests;
	survey->vcpus_cap = host->vcpus;
	survey->memory_cap_mib = host->memory_mib;
	survey->arches = g_strdupv(host->arches);
	survey->images = g_ptr_array_new_with_free_func((GDestroyNotify)cached_image_free);
	survey->guests = g_ptr_array_new_with_free_func((GDestroyNotify)lab_guest_free);
	return survey;
}

static const gchar *
domain_state_to_string(int state)
{
	switch (state) {
	case VIR_DOMAIN_RUNNING:
		return "running";
	case VIR_DOMAIN_BLOCKED:
		return "blocked";
	case VIR_DOMAIN_PAUSED:
		return "paused";
	case VIR_DOMAIN_SHUTDOWN:
		return "shutting-down";
	case VIR_DOMAIN_SHUTOFF:
		return "shut-off";
	case VIR_DOMAIN_CRASHED:
		return "crashed";
	case VIR_DOMAIN_PMSUSPENDED:
		return "suspended";
	default:
		return "unknown";
	}
}

static gint
compare_guests(gconstpointer a, gconstpointer b)
{
	const SgLabGuest *x = *(SgLabGuest *const *)a;
	const SgLabGuest *y = *(SgLabGuest *const *)b;
	return g_strcmp0(x->name, y->name);
}

static gint
compare_images(gconstpointer a, gconstpointer b)
{
	const SgLabCachedImage *x = *(SgLabCachedImage *const *)a;
	const SgLabCachedImage *y = *(SgLabCachedImage *const *)b;
	return g_strcmp0(x->sha256, y->sha256);
}

/* Every coordinator's guests count: they share the host's room. */
static void
survey_guests(SgLabSurvey *survey, virConnectPtr conn)
{
	virDomainPtr *domains = NULL;
	int count = virConnectListAllDomains(conn, &domains, VIR_CONNECT_LIST_DOMAINS_ACTIVE);

	for (int i = 0; i < count; i++) {
		const char *name = virDomainGetName(domains[i]);
		int state = VIR_DOMAIN_NOSTATE;

		if (name != NULL && g_str_has_prefix(name, GUEST_PREFIX)) {
			SgLabGuest *guest = g_new0(SgLabGuest, 1);
			if (virDomainGetState(domains[i], &state, NULL, 0) < 0)
				state = VIR_DOMAIN_NOSTATE;
			guest->name = g_strdup(name);
			guest->state = g_strdup(domain_state_to_string(state));
			g_ptr_array_add(survey->guests, guest);
		}
		virDomainFree(domains[i]);
	}
	free(domains);
	g_ptr_array_sort(survey->guests, compare_guests);
	survey->running = survey->guests->len;
	survey->free_slots =
		survey->running < survey->max_guests ? survey->max_guests - survey->running : 0;
}

/* The cache's complete images: <sha>.iso with its <sha>.ok marker. */
static void
survey_images(SgLabSurvey *survey, virConnectPtr conn)
{
	g_autoptr(virStoragePool) pool = virStoragePoolLookupByName(conn, SG_STORAGE_POOL_NAME);
	g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
	virStorageVolPtr *vols = NULL;
	int count;

	/* No pool yet: no test ran there, nothing is cached. */
	if (pool == NULL)
		return;
	survey->pool = TRUE;
	count = virStoragePoolListAllVolumes(pool, &vols, 0);
	for (int i = 0; i < count; i++)
		g_hash_table_insert(names, (gpointer)virStorageVolGetName(vols[i]), vols[i]);
	for (int i = 0; i < count; i++) {
		const char *name = virStorageVolGetName(vols[i]);
		g_autofree gchar *sha = NULL;
		g_autofree gchar *marker = NULL;
		virStorageVolInfo info;

		if (name == NULL || !g_str_has_suffix(name, ".iso"))
			continue;
		sha = g_strndup(name, strlen(name) - strlen(".iso"));
		marker = g_strdup_printf("%s.ok", sha);
		if (sg_iso_cache_is_sha256(sha) && g_hash_table_contains(names, marker) &&
		    virStorageVolGetInfo(vols[i], &info) == 0) {
			SgLabCachedImage *image = g_new0(SgLabCachedImage, 1);
			image->sha256 = g_steal_pointer(&sha);
			image->size = info.capacity;
			survey->images_size += image->size;
			g_ptr_array_add(survey->images, image);
		}
	}
	for (int i = 0; i < count; i++)
		virStorageVolFree(vols[i]);
	free(vols);
	g_ptr_array_sort(survey->images, compare_images);
}

/* Accel= first; else what the KVM probe has said, without booting a guest. */
static void
survey_accel(SgLabSurvey *survey, const gchar *accel, virConnectPtr conn, const gchar *uri)
{
	g_autofree gchar *state = sg_lab_state_dir();
	gboolean works = FALSE;

	if (g_strcmp0(accel, "kvm") == 0 || g_strcmp0(accel, "tcg") == 0) {
		survey->accel = g_strdup(accel);
		survey->accel_reason = g_strdup_printf("Accel=%s", accel);
		survey->accel_known = TRUE;
		return;
	}
	/* For the host's own architecture: the others are emulated. */
	survey->accel_known =
		sg_kvm_probe_lookup(conn, uri, survey->arch, state, &works, &survey->accel_reason);
	if (!survey->accel_known) {
		works = TRUE;
		survey->accel_reason = g_strdup("the host offers KVM; the first test there "
						"probes whether it runs a guest");
	}
	survey->accel = g_strdup(works ? "kvm" : "tcg");
}

/* What the host's guests may be: Arches=, else the host's own. */
static void
survey_arch(SgLabSurvey *survey, virConnectPtr conn)
{
	char *caps = virConnectGetCapabilities(conn);

	survey->arch = sg_arch_host_from_capabilities(caps);
	free(caps);
	if (survey->arches == NULL && survey->arch != NULL)
		survey->arches = g_strsplit(survey->arch, ";", -1);
}

static void
survey_connection(SgLabSurvey *survey, const gchar *accel, virConnectPtr conn, const gchar *uri)
{
	virNodeInfo info;
	char *hostname = virConnectGetHostname(conn);

	survey->hostname = g_strdup(hostname);
	free(hostname);
	survey_arch(survey, conn);
	if (virNodeGetInfo(conn, &info) == 0) {
		survey->cpus = info.cpus;
		survey->memory_mib = info.memory / 1024;
	}
	survey->free_memory_mib = virNodeGetFreeMemory(conn) / MIB;
	survey->vcpus = survey->vcpus_cap != 0 ? survey->vcpus_cap : survey->cpus;
	survey->usable_memory_mib =
		survey->memory_cap_mib != 0 ? survey->memory_cap_mib : survey->free_memory_mib;
	survey_accel(survey, accel, conn, uri);
	survey_guests(survey, conn);
	survey_images(survey, conn);
}

/* The survey itself, blocking; in its own thread. */
static SgLabSurvey *
survey_blocking(SgLabHost *host)
{
	SgLabSurvey *survey = survey_new(host);
	gint64 started = g_get_monotonic_time();

	if (host->uri == NULL) {
		/* The default connection embeds the QEMU driver: only SgLab makes one. */
		g_autoptr(GError) error = NULL;
		g_autoptr(SgLab) lab = sg_lab_open(NULL, &error);
		if (lab == NULL) {
			survey->problem = g_strdup(error->message);
		} else {
			survey->reachable = TRUE;
			survey_connection(survey, host->accel, sg_lab_get_connection(lab),
					  sg_lab_get_uri(lab));
		}
	} else {
		/* Read-only: a survey changes nothing on the host. */
		g_autoptr(virConnect) conn = virConnectOpenReadOnly(host->uri);
		if (conn == NULL) {
			g_autoptr(GError) error = NULL;
			sg_virt_set_error(&error, "cannot connect to %s", host->uri);
			survey->problem = g_strdup(error->message);
		} else {
			/* As SgLab does: a host that dies mid-survey is noticed
			 * (where an event loop runs) rather than waited for. */
			if (virConnectSetKeepAlive(conn, 5, 3) < 0)
				g_debug("no keepalive on %s: %s", host->uri, sg_virt_last_error());
			survey->reachable = TRUE;
			survey_connection(survey, host->accel, conn, host->uri);
		}
	}
	survey->milliseconds = (g_get_monotonic_time() - started) / 1000;
	return survey;
}

/* One host's survey, shared by its thread and the caller waiting for it:
 * whichever lets go last frees it. */
typedef struct {
	gint refs;
	GMutex lock;
	GCond cond;
	SgLabHost host; /* a copy: the caller's config may be gone first */
	SgLabSurvey *survey;
	gint64 started;
} SgSurveyJob;

static void
job_unref(SgSurveyJob *job)
{
	if (!g_atomic_int_dec_and_test(&job->refs))
		return;
	g_mutex_clear(&job->lock);
	g_cond_clear(&job->cond);
	g_free(job->host.name);
	g_free(job->host.uri);
	g_free(job->host.accel);
	if (job->survey != NULL)
		sg_lab_survey_free(job->survey);
	g_free(job);
}

static gpointer
job_thread(gpointer data)
{
	SgSurveyJob *job = data;
	SgLabSurvey *survey = survey_blocking(&job->host);

	g_mutex_lock(&job->lock);
	job->survey = survey;
	g_cond_signal(&job->cond);
	g_mutex_unlock(&job->lock);
	job_unref(job);
	return NULL;
}

static SgSurveyJob *
job_start(SgLabHost *host)
{
	SgSurveyJob *job = g_new0(SgSurveyJob, 1);

	job->refs = 2; /* the thread's and the caller's */
	g_mutex_init(&job->lock);
	g_cond_init(&job->cond);
	job->host = *host;
	job->host.name = g_strdup(host->name);
	job->host.uri = g_strdup(host->uri);
	job->host.accel = g_strdup(host->accel);
	job->started = g_get_monotonic_time();
	g_thread_unref(g_thread_new("sg-lab-survey", job_thread, job));
	return job;
}

/* The job's survey, or one saying the host did not answer by @deadline. */
static SgLabSurvey *
job_finish(SgSurveyJob *job, gint64 deadline)
{
	SgLabSurvey *survey;

	g_mutex_lock(&job->lock);
	while (job->survey == NULL && g_cond_wait_until(&job->cond, &job->lock, deadline))
		;
	survey = g_steal_pointer(&job->survey);
	g_mutex_unlock(&job->lock);
	if (survey == NULL) {
		survey = survey_new(&job->host);
		survey->milliseconds = (g_get_monotonic_time() - job->started) / 1000;
		survey->problem =
			g_strdup_printf("no answer within %.1f s", survey->milliseconds / 1000.0);
	}
	job_unref(job);
	return survey;
}

SgLabSurvey *
sg_lab_survey_host(SgLabHost *host, guint timeout_ms)
{
	SgSurveyJob *job = job_start(host);
	return job_finish(job, job->started + (gint64)timeout_ms * 1000);
}

GPtrArray *
sg_lab_survey_all(SgLabConfig *config, guint timeout_ms)
{
	g_autoptr(GPtrArray) jobs = g_ptr_array_new();
	GPtrArray *surveys = g_ptr_array_new_with_free_func((GDestroyNotify)sg_lab_survey_free);
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

	for (guint i = 0; i < config->hosts->len; i++)
		g_ptr_array_add(jobs, job_start(g_ptr_array_index(config->hosts, i)));
	for (guint i = 0; i < jobs->len; i++)
		g_ptr_array_add(surveys, job_finish(g_ptr_array_index(jobs, i), deadline));
	return surveys;
}

gboolean
sg_lab_survey_has_image(SgLabSurvey *survey, const gchar *sha256)
{
	for (guint i = 0; i < survey->images->len; i++) {
		SgLabCachedImage *image = g_ptr_array_index(survey->images, i);
		if (g_strcmp0(image->sha256, sha256) == 0)
			return TRUE;
	}
	return FALSE;
}

JsonNode *
sg_lab_survey_to_json(SgLabSurvey *survey)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();

	json_builder_begin_object(builder);
	sg_json_add_string(builder, "name", survey->name);
	sg_json_add_string(builder, "uri", survey->uri);
	sg_json_add_boolean(builder, "reachable", survey->reachable);
	sg_json_add_string(builder, "problem", survey->problem);
	sg_json_add_int(builder, "milliseconds", survey->milliseconds);
	sg_json_add_int(builder, "max_guests", survey->max_guests);
	sg_json_add_int(builder, "vcpus_cap", survey->vcpus_cap);
	sg_json_add_int(builder, "memory_cap_mib", survey->memory_cap_mib);
	if (survey->reachable) {
		sg_json_add_string(builder, "hostname", survey->hostname);
		sg_json_add_string(builder, "arch", survey->arch);
		json_builder_set_member_name(builder, "arches");
		json_builder_begin_array(builder);
		for (guint i = 0; survey->arches != NULL && survey->arches[i] != NULL; i++)
			json_builder_add_string_value(builder, survey->arches[i]);
		json_builder_end_array(builder);
		sg_json_add_string(builder, "accel", survey->accel);
		sg_json_add_string(builder, "accel_reason", survey->accel_reason);
		sg_json_add_boolean(builder, "accel_known", survey->accel_known);
		sg_json_add_int(builder, "cpus", survey->cpus);
		sg_json_add_int(builder, "memory_mib", survey->memory_mib);
		sg_json_add_int(builder, "free_memory_mib", survey->free_memory_mib);
		sg_json_add_int(builder, "vcpus", survey->vcpus);
		sg_json_add_int(builder, "usable_memory_mib", survey->usable_memory_mib);
		sg_json_add_int(builder, "running", survey->running);
		sg_json_add_int(builder, "free_slots", survey->free_slots);
		sg_json_add_boolean(builder, "pool", survey->pool);
		json_builder_set_member_name(builder, "images");
		json_builder_begin_array(builder);
		for (guint i = 0; i < survey->images->len; i++) {
			SgLabCachedImage *image = g_ptr_array_index(survey->images, i);
			json_builder_begin_object(builder);
			sg_json_add_string(builder, "sha256", image->sha256);
			sg_json_add_int(builder, "size", image->size);
			json_builder_end_object(builder);
		}
		json_builder_end_array(builder);
		sg_json_add_int(builder, "images_size", survey->images_size);
		json_builder_set_member_name(builder, "guests");
		json_builder_begin_array(builder);
		for (guint i = 0; i < survey->guests->len; i++) {
			SgLabGuest *guest = g_ptr_array_index(survey->guests, i);
			json_builder_begin_object(builder);
			sg_json_add_string(builder, "name", guest->name);
			sg_json_add_string(builder, "state", guest->state);
			json_builder_end_object(builder);
		}
		json_builder_end_array(builder);
	}
	json_builder_end_object(builder);
	return json_builder_get_root(builder);
}
