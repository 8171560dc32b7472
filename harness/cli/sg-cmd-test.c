#include <stdio.h>

#include "sg-cmd.h"
#include "sg-error.h"
#include "sg-junit.h"
#include "sg-result.h"
#include "sg-test-run.h"

int
sg_cmd_test(int argc, char **argv)
{
	g_autofree gchar *flavour = NULL;
	g_autofree gchar *answers = NULL;
	g_autofree gchar *evidence = NULL;
	g_auto(SgCmdLabOptions) lab = {NULL};
	g_auto(GStrv) suites = NULL;
	g_autofree gchar *suites_dir = NULL;
	g_autofree gchar *junit = NULL;
	g_autofree gchar *boot = NULL;
	g_autofree gchar *firmware = NULL;
	g_autofree gchar *arch = NULL;
	gboolean keep_disk = FALSE;
	gboolean json = FALSE;
	const GOptionEntry entries[] = {
		{"flavour", 0, 0, G_OPTION_ARG_STRING, &flavour,
		 "Flavour of the image (default: told from the image)", "NAME"},
		{"answers", 0, 0, G_OPTION_ARG_FILENAME, &answers,
		 "Answer file (default: the flavour's)", "FILE"},
		{"evidence", 0, 0, G_OPTION_ARG_FILENAME, &evidence,
		 "Evidence folder (default: ./smokegate-evidence/IMAGE-TIME)", "DIR"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print result.json on stdout", NULL},
		{"suite", 0, 0, G_OPTION_ARG_STRING_ARRAY, &suites,
		 "Run this downstream suite on the installed disk (repeatable)", "NAME"},
		{"suites-dir", 0, 0, G_OPTION_ARG_FILENAME, &suites_dir,
		 "More suites (override shipped ones of the same name)", "DIR"},
		{"junit", 0, 0, G_OPTION_ARG_FILENAME, &junit,
		 "Write the phases and the suites' test cases as JUnit XML", "FILE"},
		{"keep-disk", 0, 0, G_OPTION_ARG_NONE, &keep_disk,
		 "Keep the installed disk as installed.qcow2 in the evidence", NULL},
		{"boot", 0, 0, G_OPTION_ARG_STRING, &boot,
		 "firmware: through the image's own bootloader (default); direct: its kernel "
		 "and initrd, as the profile names them",
		 "HOW"},
		{"firmware", 0, 0, G_OPTION_ARG_STRING, &firmware,
		 "The firmware the image must boot under, the first for the whole test "
		 "(default: the profile's Firmware=)",
		 "bios;uefi;uefi-secureboot"},
		{"arch", 0, 0, G_OPTION_ARG_STRING, &arch,
		 "The image's architecture, in place of the profile's Arch= (default: what the "
		 "image says); an image that says another fails",
		 "amd64|i386|arm64"},
		{NULL}};
	g_autoptr(GOptionContext) context = g_option_context_new("IMAGE.iso");
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	g_autoptr(SgProgress) progress = sg_progress_new();
	g_autoptr(SgResult) result = NULL;
	g_autoptr(SgLabConfig) lab_config = NULL;
	g_autoptr(GError) error = NULL;
	SgTestOptions options;

	g_option_context_set_summary(
		context, "Installs IMAGE in a guest, boots it to its desktop and judges it.\n"
			 "Exit status: 0 pass, 1 fail (the image is bad), 2 error (not judged), "
			 "64 usage.");
	g_option_context_add_main_entries(context, entries, NULL);
	sg_cmd_add_lab_options(context, &lab);
	if (!sg_cmd_parse(context, "test", &argc, &argv))
		return SG_EXIT_USAGE;
	if (argc != 2)
		return sg_cmd_usage_error("test", "expected exactly one IMAGE argument");
	if (junit != NULL && !sg_junit_check_path(junit, &error))
		return sg_cmd_fail("test", error);

	options = (SgTestOptions){
		.image = argv[1],
		.flavour = flavour,
		.answers = answers,
		.evidence_dir = evidence,
		.flavours_dir = lab.flavours_dir,
		.accel = lab.accel,
		.suites = (const gchar *const *)suites,
		.suites_dir = suites_dir,
		.keep_disk = keep_disk,
		.boot = boot,
		.firmware = firmware,
		.arch = arch,
	};
	lab_config = sg_cmd_lab_config(&lab, "test", &error);
	if (lab_config == NULL)
		return sg_cmd_fail("test", error);
	result = sg_cmd_run_on_main_loop(lab_config, &options, progress, cancellable,
					 sg_test_run_async, (SgCmdRunFinish)sg_test_run_finish,
					 &error);
	if (result == NULL) {
		int status = g_error_matches(error, SG_ERROR, SG_ERROR_USAGE) ? SG_EXIT_USAGE
									      : SG_EXIT_ERROR;
		g_printerr("smokegate test: %s\n", error->message);
		return status;
	}
	if (junit != NULL && !sg_junit_write(result, junit, &error)) {
		g_printerr("smokegate test: cannot write %s: %s\n", junit, error->message);
		return SG_EXIT_ERROR;
	}
	if (json) {
		g_autofree gchar *text = sg_result_to_json(result);
		printf("%s\n", text);
	} else {
		printf("%s: %s\n", sg_verdict_to_string(result->verdict), result->reason);
		if (result->generic_hint != NULL)
			g_printerr("note: %s\n", result->generic_hint);
		if (g_strcmp0(result->boot_method, "direct") == 0)
			g_printerr("note: the image's kernel was booted directly, not through its "
				   "bootloader: %s\n",
				   result->boot_method_reason);
		if (result->flavour != NULL && result->profile_verified == NULL)
			g_printerr("note: the %s profile's markers were not checked against a real "
				   "image's console (no Verified= in it): they are assumed\n",
				   result->flavour);
		sg_progress_note(progress, "evidence: %s", result->evidence_dir);
	}
	return sg_verdict_exit_status(result->verdict);
}
