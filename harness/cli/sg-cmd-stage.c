#include <stdio.h>

#include "sg-cmd.h"
#include "sg-result.h"
#include "sg-stage.h"

int
sg_cmd_stage(int argc, char **argv)
{
	g_autofree gchar *tree = NULL;
	g_autofree gchar *flavour = NULL;
	g_autofree gchar *series = NULL;
	g_autofree gchar *arch = NULL;
	g_autofree gchar *image_type = NULL;
	g_autofree gchar *publish_type = NULL;
	g_autofree gchar *flavours_dir = NULL;
	g_autofree gchar *ca_file = NULL;
	const GOptionEntry entries[] = {
		{"tree", 0, 0, G_OPTION_ARG_FILENAME, &tree, "The image tree", "TREE"},
		{"flavour", 0, 0, G_OPTION_ARG_STRING, &flavour, "Flavour (e.g. kubuntu)", "NAME"},
		{"series", 0, 0, G_OPTION_ARG_STRING, &series, "Series (default: daily)", "SERIES"},
		{"arch", 0, 0, G_OPTION_ARG_STRING, &arch, "Architecture (default: amd64)", "ARCH"},
		{"image-type", 0, 0, G_OPTION_ARG_STRING, &image_type,
		 "Image type (default: daily-live)", "TYPE"},
		{"publish-type", 0, 0, G_OPTION_ARG_STRING, &publish_type,
		 "Publish type (default: desktop)", "TYPE"},
		{"flavours-dir", 0, 0, G_OPTION_ARG_FILENAME, &flavours_dir,
		 "Extra flavour profiles (size limits)", "DIR"},
		{"ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, "Extra CA bundle for https",
		 "FILE"},
		{NULL}};
	g_autoptr(GOptionContext) context = g_option_context_new("SOURCE");
	g_autoptr(GError) error = NULL;
	g_autofree gchar *build = NULL;
	SgStageOptions options;

	g_option_context_set_summary(
		context, "Stages SOURCE (a local file or an http(s) URL) as the "
			 "newest build; `pending` moves to it.\n"
			 "Required: --tree and --flavour.\n"
			 "Exit status: 0 staged, 2 error, 64 usage, 65 the download does "
			 "not match SHA256SUMS, 69 the server could not give it, 74 the "
			 "tree could not be changed, 75 a gate holds the tree.");
	g_option_context_add_main_entries(context, entries, NULL);
	if (!sg_cmd_parse(context, "stage", &argc, &argv))
		return SG_EXIT_USAGE;
	if (argc != 2)
		return sg_cmd_usage_error("stage", "expected exactly one SOURCE");
	if (tree == NULL || flavour == NULL)
		return sg_cmd_usage_error("stage", "--tree and --flavour are required");
	options = (SgStageOptions){
		.tree = tree,
		.flavour = flavour,
		.series = series != NULL ? series : "daily",
		.arch = arch != NULL ? arch : "amd64",
		.image_type = image_type != NULL ? image_type : "daily-live",
		.publish_type = publish_type != NULL ? publish_type : "desktop",
		.source = argv[1],
		.flavours_dir = flavours_dir,
		.ca_file = ca_file,
	};
	build = sg_stage(&options, NULL, &error);
	if (build == NULL)
		return sg_cmd_fail("stage", error);
	printf("staged %s\n", build);
	return SG_EXIT_PASS;
}
