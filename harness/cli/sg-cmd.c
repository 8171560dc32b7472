#include "sg-cmd.h"

#include "sg-error.h"
#include "sg-result.h"

int
sg_cmd_usage_error(const gchar *command, const gchar *message)
{
	g_printerr("smokegate %s: %s (see 'smokegate %s --help')\n", command, message, command);
	return SG_EXIT_USAGE;
}

int
sg_cmd_fail(const gchar *command, GError *error)
{
	g_printerr("smokegate %s: %s\n", command, error->message);
	if (error->domain != SG_ERROR)
		return SG_EXIT_ERROR;
	switch (error->code) {
	case SG_ERROR_USAGE:
		return SG_EXIT_USAGE;
	case SG_ERROR_CHECKSUM:
		return SG_EXIT_CHECKSUM;
	case SG_ERROR_FETCH:
		return SG_EXIT_FETCH;
	case SG_ERROR_TREE:
		return SG_EXIT_TREE;
	case SG_ERROR_LOCKED:
		return SG_EXIT_LOCKED;
	default:
		return SG_EXIT_ERROR;
	}
}

gboolean
sg_cmd_parse(GOptionContext *context, const gchar *command, int *argc, char ***argv)
{
	g_autoptr(GError) error = NULL;

	if (!g_option_context_parse(context, argc, argv, &error)) {
		sg_cmd_usage_error(command, error->message);
		return FALSE;
	}
	return TRUE;
}

void
sg_cmd_add_lab_options(GOptionContext *context, SgCmdLabOptions *options)
{
	const GOptionEntry entries[] = {{"connect", 'c', 0, G_OPTION_ARG_STRING, &options->connect,
					 "libvirt URI (default: embedded QEMU driver)", "URI"},
					{"flavours-dir", 0, 0, G_OPTION_ARG_FILENAME,
					 &options->flavours_dir, "Extra flavour profiles", "DIR"},
					{"accel", 0, 0, G_OPTION_ARG_STRING, &options->accel,
					 "auto (default), kvm or tcg", "ACCEL"},
					{NULL}};

	/* GOption copies the entries; only @options must outlive the parse. */
	g_option_context_add_main_entries(context, entries, NULL);
}

void
sg_cmd_lab_options_clear(SgCmdLabOptions *options)
{
	g_clear_pointer(&options->connect, g_free);
	g_clear_pointer(&options->flavours_dir, g_free);
	g_clear_pointer(&options->accel, g_free);
}
