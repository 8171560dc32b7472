/* mark-current and yank: a person's decisions about published builds. */
#include <stdio.h>

#include "sg-cmd.h"
#include "sg-publish.h"
#include "sg-result.h"
#include "sg-tree.h"

typedef gboolean (*SgPublishAction)(SgPublisher *publisher, const gchar *flavour,
				    const gchar *image_type, const gchar *build_id,
				    const gchar *why, GError **error);

static int
run_action(const gchar *command, const gchar *summary, SgPublishAction action, int argc,
	   char **argv)
{
	g_autofree gchar *tree = NULL;
	g_autofree gchar *reason = NULL;
	const GOptionEntry entries[] = {
		{"tree", 0, 0, G_OPTION_ARG_FILENAME, &tree, "The image tree", "TREE"},
		{"reason", 0, 0, G_OPTION_ARG_STRING, &reason,
		 "Why (recorded and announced; required)", "TEXT"},
		{NULL}};
	g_autoptr(GOptionContext) context = g_option_context_new("FLAVOUR/IMAGE-TYPE/BUILD-ID");
	g_autoptr(GError) error = NULL;
	g_autoptr(SgPublisher) publisher = NULL;
	g_autofree gchar *flavour = NULL;
	g_autofree gchar *image_type = NULL;
	g_autofree gchar *build_id = NULL;

	g_option_context_set_summary(context, summary);
	g_option_context_add_main_entries(context, entries, NULL);
	if (!sg_cmd_parse(context, command, &argc, &argv))
		return SG_EXIT_USAGE;
	if (argc != 2)
		return sg_cmd_usage_error(command, "expected exactly one BUILD");
	if (tree == NULL || reason == NULL || g_strstrip(reason)[0] == '\0')
		return sg_cmd_usage_error(command, "--tree and a non-empty --reason are required");
	if (!sg_tree_parse_build_path(argv[1], &flavour, &image_type, &build_id, &error))
		return sg_cmd_fail(command, error);
	publisher = sg_publisher_open(tree, &error);
	if (publisher == NULL || !action(publisher, flavour, image_type, build_id, reason, &error))
		return sg_cmd_fail(command, error);
	sg_publisher_deliver(publisher);
	printf("%s: %s\n", command, argv[1]);
	/* Done, but the page or a notice was not written: the tree's trouble,
	 * 74, as for gate. */
	if (publisher->error != NULL) {
		g_printerr("smokegate %s: done, but %s\n", command, publisher->error->message);
		return SG_EXIT_TREE;
	}
	return SG_EXIT_PASS;
}

int
sg_cmd_mark_current(int argc, char **argv)
{
	return run_action("mark-current",
			  "Makes BUILD current by hand; the reason is recorded.\n"
			  "Required: --tree and --reason.\n"
			  "Exit status: 0 done, 64 usage, 74 the tree could not be changed, "
			  "75 a gate holds the tree.",
			  sg_publisher_mark_current, argc, argv);
}

int
sg_cmd_yank(int argc, char **argv)
{
	return run_action("yank",
			  "Withdraws BUILD: when it is current, current goes back to the newest "
			  "earlier good build. Nothing is deleted.\n"
			  "Required: --tree and --reason.\n"
			  "Exit status: 0 done, 64 usage, 74 the tree could not be changed, "
			  "75 a gate holds the tree.",
			  sg_publisher_yank, argc, argv);
}
