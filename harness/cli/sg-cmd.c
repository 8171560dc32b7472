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
sg_cmd_check_suites_dir(const gchar *command, const gchar *suites_dir)
{
	g_autofree gchar *message = NULL;

	if (suites_dir == NULL || g_file_test(suites_dir, G_FILE_TEST_IS_DIR))
		return 0;
	message = g_strdup_printf("--suites-dir %s: no such folder", suites_dir);
	return sg_cmd_usage_error(command, message);
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
					{"lab", 0, 0, G_OPTION_ARG_FILENAME, &options->lab,
					 "Lab hosts file (default " SG_LAB_CONFIG_DEFAULT_PATH ")",
					 "FILE"},
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
	g_clear_pointer(&options->lab, g_free);
}

SgLabConfig *
sg_cmd_lab_config(SgCmdLabOptions *options, const gchar *command, GError **error)
{
	SgLabConfig *config;

	if (options->connect != NULL && options->lab != NULL) {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE,
			    "--connect and --lab exclude each other (see 'smokegate %s --help')",
			    command);
		return NULL;
	}
	if (options->connect != NULL)
		return sg_lab_config_new_single(options->connect, options->accel);
	config = sg_lab_config_load(options->lab, error);
	/* No lab file: the default host takes --accel, exactly as before. */
	if (config != NULL && config->path == NULL && options->accel != NULL) {
		SgLabHost *host = g_ptr_array_index(config->hosts, 0);
		g_free(host->accel);
		host->accel = g_strdup(options->accel);
	}
	return config;
}
