/*
 * smokegate inspect-disk: internal, not listed in --help or the manual. The
 * coordinator runs it to read an installed disk with libguestfs in a
 * process of its own (guests/sg-inspect-process.c) and reads the
 * inspection it prints on stdout as JSON.
 */
#include <stdio.h>
#include <unistd.h>

#include "sg-cmd.h"
#include "sg-error.h"
#include "sg-inspect-process.h"
#include "sg-inspect.h"
#include "sg-result.h"

#define COMMAND SG_INSPECT_PROCESS_COMMAND

/* The inspection the journal's evidence adds to, from standard input. */
static SgInspection *
read_inspection(GError **error)
{
	g_autoptr(GIOChannel) input = g_io_channel_unix_new(STDIN_FILENO);
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autofree gchar *text = NULL;
	gsize length = 0;

	if (g_io_channel_set_encoding(input, NULL, error) != G_IO_STATUS_NORMAL ||
	    g_io_channel_read_to_end(input, &text, &length, error) != G_IO_STATUS_NORMAL ||
	    !json_parser_load_from_data(parser, text, length, error)) {
		g_prefix_error(error, "cannot read the inspection on standard input: ");
		return NULL;
	}
	return sg_inspection_from_json(json_parser_get_root(parser), error);
}

static SgInspection *
inspect(SgInspectPart part, const gchar *disk, const gchar *user, gboolean force_tcg,
	GError **error)
{
	g_autoptr(SgInspection) inspection = NULL;

	switch (part) {
	case SG_INSPECT_PART_BASE:
		return sg_inspect_base(disk, user, force_tcg, NULL, error);
	case SG_INSPECT_PART_JOURNAL:
		inspection = read_inspection(error);
		if (inspection == NULL ||
		    !sg_inspect_journal(disk, user, force_tcg, inspection, error))
			return NULL;
		return g_steal_pointer(&inspection);
	default:
		return sg_inspect_disk(disk, user, force_tcg, error);
	}
}

int
sg_cmd_inspect_disk(int argc, char **argv)
{
	g_autofree gchar *part_name = NULL;
	g_autofree gchar *user = NULL;
	gboolean force_tcg = FALSE;
	const GOptionEntry entries[] = {
		{"part", 0, 0, G_OPTION_ARG_STRING, &part_name,
		 "disk (default), base or journal (adds to the inspection on stdin)", "PART"},
		{"user", 0, 0, G_OPTION_ARG_STRING, &user, "The answer file's user", "NAME"},
		{"force-tcg", 0, 0, G_OPTION_ARG_NONE, &force_tcg, "Run the appliance under TCG",
		 NULL},
		{NULL}};
	g_autoptr(GOptionContext) context = g_option_context_new("DISK");
	g_autoptr(GError) error = NULL;
	g_autoptr(SgInspection) inspection = NULL;
	g_autoptr(GBytes) text = NULL;
	gsize length = 0;
	const gchar *data;
	SgInspectPart part = SG_INSPECT_PART_DISK;

	sg_inspect_process_child_init();
	g_option_context_set_summary(
		context, "Internal: reads the installed disk DISK (qcow2) read-only "
			 "with libguestfs and prints the inspection as JSON.\n"
			 "Exit status: 0 read, 2 the disk could not be read, 64 usage.");
	g_option_context_add_main_entries(context, entries, NULL);
	if (!sg_cmd_parse(context, COMMAND, &argc, &argv))
		return SG_EXIT_USAGE;
	if (argc != 2)
		return sg_cmd_usage_error(COMMAND, "expected exactly one DISK");
	if (part_name != NULL && !sg_inspect_part_from_string(part_name, &part))
		return sg_cmd_usage_error(COMMAND, "--part must be disk, base or journal");
	if (!g_file_test(argv[1], G_FILE_TEST_IS_REGULAR)) {
		g_printerr("smokegate %s: %s: no such file\n", COMMAND, argv[1]);
		return SG_EXIT_USAGE;
	}
	inspection = inspect(part, argv[1], user, force_tcg, &error);
	if (inspection == NULL)
		return sg_cmd_fail(COMMAND, error);
	text = sg_inspection_to_bytes(inspection);
	data = g_bytes_get_data(text, &length);
	if (fwrite(data, 1, length, stdout) != length || putchar('\n') == EOF ||
	    fflush(stdout) != 0) {
		g_printerr("smokegate %s: cannot write the inspection\n", COMMAND);
		return SG_EXIT_ERROR;
	}
	return SG_EXIT_PASS;
}
