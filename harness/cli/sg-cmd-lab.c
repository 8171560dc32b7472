#include <stdio.h>

#include "sg-build-record.h"
#include "sg-cmd.h"
#include "sg-lock.h"
#include "sg-error.h"
#include "sg-json.h"
#include "sg-lab-survey.h"
#include "sg-result.h"
#include "sg-tree-model.h"
#include "sg-tree.h"
#include "sg-worker.h"

/* A build of the tree whose image a host may have cached. */
typedef struct {
	gchar *path; /* flavour/image-type/build-id */
	gchar *state;
	gchar *sha256;
} SgLabBuild;

static void
lab_build_free(SgLabBuild *build)
{
	g_free(build->path);
	g_free(build->state);
	g_free(build->sha256);
	g_free(build);
}

/* Every build of @tree with a known SHA-256, newest first per type. */
static GPtrArray *
list_tree_builds(SgTreeModel *tree)
{
	GPtrArray *builds = g_ptr_array_new_with_free_func((GDestroyNotify)lab_build_free);

	for (guint i = 0; i < tree->types->len; i++) {
		SgTreeType *type = g_ptr_array_index(tree->types, i);

		for (guint j = 0; j < type->builds->len; j++) {
			SgTreeBuild *build = g_ptr_array_index(type->builds, j);
			SgLabBuild *lab_build;

			if (build->record == NULL) {
				g_debug("%s: %s", build->dir, build->error->message);
				continue;
			}
			if (build->record->sha256 == NULL)
				continue;
			lab_build = g_new0(SgLabBuild, 1);
			lab_build->path = g_strdup_printf("%s/%s", type->path, build->id);
			lab_build->state = g_strdup(sg_build_state_to_string(build->record->state));
			lab_build->sha256 = g_strdup(build->record->sha256);
			g_ptr_array_add(builds, lab_build);
		}
	}
	return builds;
}

/* The tree read under the lock its writers hold; a tree smokegate never
 * wrote (no state folder) has no writer to wait for. */
static SgTreeModel *
read_tree(const gchar *tree, GError **error)
{
	g_autofree gchar *state_dir = g_build_filename(tree, SG_TREE_STATE_DIR, NULL);
	g_autofree gchar *lock_path = sg_tree_lock_path(tree, "tree");
	g_autoptr(SgLock) lock = NULL;

	if (g_file_test(state_dir, G_FILE_TEST_IS_DIR)) {
		lock = sg_lock_acquire(lock_path, "lab", SG_TREE_LOCK_WAIT_SECONDS, NULL, error);
		if (lock == NULL)
			return NULL;
	}
	return sg_tree_model_read(tree);
}

/* The builds of @builds whose image @survey's host has cached. */
static GPtrArray *
cached_builds(SgLabSurvey *survey, GPtrArray *builds)
{
	GPtrArray *cached = g_ptr_array_new();

	for (guint i = 0; builds != NULL && i < builds->len; i++) {
		SgLabBuild *build = g_ptr_array_index(builds, i);
		if (sg_lab_survey_has_image(survey, build->sha256))
			g_ptr_array_add(cached, build);
	}
	return cached;
}

static JsonNode *
lab_to_json(SgLabConfig *config, GPtrArray *surveys, const gchar *tree, GPtrArray *builds)
{
	g_autoptr(JsonBuilder) builder = json_builder_new();
	guint reachable = 0;

	json_builder_begin_object(builder);
	sg_json_add_string(builder, "lab", config->path);
	sg_json_add_string(builder, "tree", tree);
	json_builder_set_member_name(builder, "hosts");
	json_builder_begin_array(builder);
	for (guint i = 0; i < surveys->len; i++) {
		SgLabSurvey *survey = g_ptr_array_index(surveys, i);
		JsonNode *node = sg_lab_survey_to_json(survey);

		if (survey->reachable)
			reachable++;
		if (builds != NULL && survey->reachable) {
			g_autoptr(GPtrArray) cached = cached_builds(survey, builds);
			JsonArray *array = json_array_new();
			for (guint j = 0; j < cached->len; j++) {
				SgLabBuild *build = g_ptr_array_index(cached, j);
				JsonObject *object = json_object_new();
				json_object_set_string_member(object, "build", build->path);
				json_object_set_string_member(object, "state", build->state);
				json_object_set_string_member(object, "sha256", build->sha256);
				json_array_add_object_element(array, object);
			}
			json_object_set_array_member(json_node_get_object(node),
						     "tree_builds_cached", array);
		}
		json_builder_add_value(builder, node);
	}
	json_builder_end_array(builder);
	sg_json_add_int(builder, "reachable", reachable);
	json_builder_end_object(builder);
	return json_builder_get_root(builder);
}

static void
print_host_details(SgLabSurvey *survey, GPtrArray *builds)
{
	printf("  %s: %s, %s (%s)\n", survey->name, survey->uri != NULL ? survey->uri : "default",
	       survey->accel, survey->accel_reason);
	for (guint i = 0; i < survey->images->len; i++) {
		SgLabCachedImage *image = g_ptr_array_index(survey->images, i);
		g_autofree gchar *size = g_format_size(image->size);
		printf("    cached %s.iso  %s\n", image->sha256, size);
	}
	for (guint i = 0; i < survey->guests->len; i++) {
		SgLabGuest *guest = g_ptr_array_index(survey->guests, i);
		printf("    runs   %s  %s\n", guest->name, guest->state);
	}
	if (builds != NULL) {
		g_autoptr(GPtrArray) cached = cached_builds(survey, builds);
		printf("    the tree's builds cached here: %u of %u\n", cached->len, builds->len);
		for (guint i = 0; i < cached->len; i++) {
			SgLabBuild *build = g_ptr_array_index(cached, i);
			printf("      %s (%s)\n", build->path, build->state);
		}
	}
}

static void
print_lab(SgLabConfig *config, GPtrArray *surveys, GPtrArray *builds)
{
	printf("Lab: %s\n", config->path != NULL ? config->path : "the default host (no lab file)");
	printf("%-12s %-6s %5s %12s %12s %7s %6s %10s\n", "HOST", "ACCEL", "CPUS", "MEMORY MiB",
	       "FREE MiB", "GUESTS", "ROOM", "CACHE");
	for (guint i = 0; i < surveys->len; i++) {
		SgLabSurvey *survey = g_ptr_array_index(surveys, i);
		g_autofree gchar *guests = NULL;
		g_autofree gchar *cache = NULL;

		if (!survey->reachable) {
			printf("%-12s unreachable: %s\n", survey->name, survey->problem);
			continue;
		}
		guests = g_strdup_printf("%u/%u", survey->running, survey->max_guests);
		cache = g_format_size(survey->images_size);
		printf("%-12s %-6s %5u %12" G_GUINT64_FORMAT " %12" G_GUINT64_FORMAT
		       " %7s %6u %10s\n",
		       survey->name, survey->accel_known ? survey->accel : "kvm?", survey->cpus,
		       survey->memory_mib, survey->free_memory_mib, guests, survey->free_slots,
		       cache);
	}
	for (guint i = 0; i < surveys->len; i++) {
		SgLabSurvey *survey = g_ptr_array_index(surveys, i);
		if (survey->reachable)
			print_host_details(survey, builds);
	}
}

/* In the worker: the main loop carries libvirt's events, which the
 * embedded driver of the default host needs, and keepalives. */
static gpointer
survey_lab(gpointer user_data)
{
	return sg_lab_survey_all(user_data, SG_LAB_SURVEY_TIMEOUT_MS);
}

int
sg_cmd_lab(int argc, char **argv)
{
	g_autofree gchar *tree = NULL;
	g_auto(SgCmdLabOptions) options = {NULL};
	gboolean json = FALSE;
	const GOptionEntry entries[] = {
		{"lab", 0, 0, G_OPTION_ARG_FILENAME, &options.lab,
		 "Lab hosts file (default " SG_LAB_CONFIG_DEFAULT_PATH ")", "FILE"},
		{"connect", 'c', 0, G_OPTION_ARG_STRING, &options.connect,
		 "One host: this libvirt URI instead of the lab file", "URI"},
		{"tree", 0, 0, G_OPTION_ARG_FILENAME, &tree,
		 "Also show which of the tree's builds each host has cached", "TREE"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON document", NULL},
		{NULL}};
	g_autoptr(GOptionContext) context = g_option_context_new(NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	g_autoptr(SgLabConfig) config = NULL;
	g_autoptr(GPtrArray) surveys = NULL;
	g_autoptr(GPtrArray) builds = NULL;
	g_autoptr(SgTreeModel) tree_model = NULL;
	guint reachable = 0;

	g_option_context_set_summary(
		context,
		"Lists the lab's hosts: reachable or not, KVM or TCG, capacity, free room,\n"
		"cached images and the smokegate guests running there now.\n"
		"Exit status: 0 when a host is reachable, 2 when none is, 64 usage.");
	g_option_context_add_main_entries(context, entries, NULL);
	if (!sg_cmd_parse(context, "lab", &argc, &argv))
		return SG_EXIT_USAGE;
	if (argc != 1)
		return sg_cmd_usage_error("lab", "no arguments expected");
	if (tree != NULL && !g_file_test(tree, G_FILE_TEST_IS_DIR)) {
		g_autofree gchar *message = g_strdup_printf("no tree at %s", tree);
		return sg_cmd_usage_error("lab", message);
	}
	config = sg_cmd_lab_config(&options, "lab", &error);
	if (config == NULL)
		return sg_cmd_fail("lab", error);
	if (tree != NULL) {
		tree_model = read_tree(tree, &error);
		if (tree_model == NULL)
			return sg_cmd_fail("lab", error);
		builds = list_tree_builds(tree_model);
	}
	surveys = sg_worker_run(survey_lab, config, cancellable);
	for (guint i = 0; i < surveys->len; i++) {
		SgLabSurvey *survey = g_ptr_array_index(surveys, i);
		if (survey->reachable)
			reachable++;
	}
	if (json) {
		g_autoptr(JsonNode) node = lab_to_json(config, surveys, tree, builds);
		g_autofree gchar *text = json_to_string(node, TRUE);
		printf("%s\n", text);
	} else {
		print_lab(config, surveys, builds);
	}
	return reachable > 0 ? SG_EXIT_PASS : SG_EXIT_ERROR;
}
