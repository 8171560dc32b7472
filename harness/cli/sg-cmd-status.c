#include <stdio.h>

#include "sg-cmd.h"
#include "sg-json.h"
#include "sg-publish.h"
#include "sg-result.h"
#include "sg-status.h"

static const gchar *
or_dash(JsonObject *object, const gchar *member)
{
	const gchar *value = sg_json_get_string(object, member);
	return value != NULL ? value : "-";
}

/* A build's failed downstream suites, one line each, under its own line. */
static void
print_suites(JsonObject *build)
{
	JsonArray *suites = sg_json_get_array(build, "suites");

	for (guint i = 0; suites != NULL && i < json_array_get_length(suites); i++) {
		JsonObject *suite = json_array_get_object_element(suites, i);
		const gchar *verdict = sg_json_get_string(suite, "verdict");

		if (verdict == NULL || g_str_equal(verdict, "pass"))
			continue;
		printf("  %-12s %s suite %s %s: %s\n", "",
		       sg_json_get_boolean(suite, "gating") ? "gating" : "advisory",
		       or_dash(suite, "name"), verdict, or_dash(suite, "reason"));
	}
}

static void
print_model(JsonNode *model, const gchar *tree)
{
	JsonArray *types = sg_json_get_array(json_node_get_object(model), "flavours");
	JsonArray *damage = sg_json_get_array(json_node_get_object(model), "damage");

	for (guint i = 0; i < json_array_get_length(types); i++) {
		JsonObject *type = json_array_get_object_element(types, i);
		JsonArray *builds = sg_json_get_array(type, "builds");
		printf("%s/%s  current %s  pending %s%s\n", or_dash(type, "flavour"),
		       or_dash(type, "image_type"), or_dash(type, "current"),
		       or_dash(type, "pending"),
		       sg_json_get_boolean(type, "no_daily_build") ? "  NO DAILY BUILD" : "");
		for (guint b = 0; b < json_array_get_length(builds); b++) {
			JsonObject *build = json_array_get_object_element(builds, b);
			printf("  %-12s %-14s %s%s\n", or_dash(build, "id"),
			       or_dash(build, "state"),
			       sg_json_get_boolean(build, "oversized") ? "OVERSIZED " : "",
			       or_dash(build, "reason"));
			print_suites(build);
			/* Absolute: what `smokegate suite run --disk` is given. */
			if (sg_json_get_string(build, "kept_disk") != NULL) {
				g_autofree gchar *disk = g_build_filename(
					tree, sg_json_get_string(build, "kept_disk"), NULL);
				printf("  %-12s disk %s\n", "", disk);
			}
		}
	}
	for (guint i = 0; damage != NULL && i < json_array_get_length(damage); i++)
		printf("DAMAGED: %s\n", json_array_get_string_element(damage, i));
}

/* How much damage the model reports. */
static guint
damage_count(JsonNode *model)
{
	JsonArray *damage = sg_json_get_array(json_node_get_object(model), "damage");
	return damage != NULL ? json_array_get_length(damage) : 0;
}

int
sg_cmd_status(int argc, char **argv)
{
	g_autofree gchar *tree = NULL;
	gboolean json = FALSE;
	gboolean check = FALSE;
	gboolean locked = FALSE;
	const GOptionEntry entries[] = {
		{"tree", 0, 0, G_OPTION_ARG_FILENAME, &tree, "The image tree", "TREE"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print status.json's model", NULL},
		{"check", 0, 0, G_OPTION_ARG_NONE, &check,
		 "Exit 65 when the tree holds damage (a record that does not parse, a build "
		 "without its record, a link out of the tree)",
		 NULL},
		{NULL}};
	g_autoptr(GOptionContext) context = g_option_context_new(NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(SgPublisher) publisher = NULL;
	g_autoptr(SgLock) lock = NULL;
	g_autoptr(SgTreeModel) tree_model = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autoptr(JsonNode) model = NULL;

	g_option_context_set_summary(
		context, "Shows the tree's builds, their verdicts and what current and "
			 "pending point at.\n"
			 "Required: --tree.\n"
			 "Exit status: 0 done, 2 error, 64 usage, 74 the tree could not be read, "
			 "75 the tree stays locked.");
	g_option_context_add_main_entries(context, entries, NULL);
	if (!sg_cmd_parse(context, "status", &argc, &argv))
		return SG_EXIT_USAGE;
	if (tree == NULL || argc != 1)
		return sg_cmd_usage_error("status", "--tree is required");
	/* Nothing is created: status reads a read-only mirror too. */
	publisher = sg_publisher_open_read_only(tree, &locked, &error);
	if (publisher == NULL)
		return sg_cmd_fail("status", error);
	/* Read whole under the lock every writer holds: no half-made change. */
	if (locked) {
		lock = sg_publisher_lock_tree(publisher, "status", &error);
		if (lock == NULL)
			return sg_cmd_fail("status", error);
	}
	tree_model = sg_tree_model_read(publisher->tree);
	g_clear_pointer(&lock, sg_lock_release);
	model = sg_status_from_tree(tree_model, publisher->config, now);
	if (json) {
		g_autofree gchar *text = json_to_string(model, TRUE);
		printf("%s\n", text);
	} else {
		g_autofree gchar *absolute = g_canonicalize_filename(publisher->tree, NULL);
		print_model(model, absolute);
	}
	if (check && damage_count(model) > 0) {
		g_printerr("smokegate status: the tree holds %u damaged part(s)\n",
			   damage_count(model));
		return SG_EXIT_CHECKSUM;
	}
	return SG_EXIT_PASS;
}
