#pragma once

#include <gio/gio.h>

#include "sg-lab-config.h"
#include "sg-prepare.h"
#include "sg-progress.h"

G_BEGIN_DECLS

/* Every subcommand has this shape and returns the process exit status. */
typedef int (*SgCommandFunc)(int argc, char **argv);

int sg_cmd_test(int argc, char **argv);
int sg_cmd_stage(int argc, char **argv);
int sg_cmd_gate(int argc, char **argv);
int sg_cmd_mark_current(int argc, char **argv);
int sg_cmd_yank(int argc, char **argv);
int sg_cmd_status(int argc, char **argv);
int sg_cmd_lab(int argc, char **argv);
int sg_cmd_serve(int argc, char **argv);
int sg_cmd_suite(int argc, char **argv);
/* Internal: run by the coordinator, not listed (sg-inspect-process). */
int sg_cmd_inspect_disk(int argc, char **argv);

/* Reports @error as "smokegate CMD: MESSAGE" and returns its exit status. */
int sg_cmd_fail(const gchar *command, GError *error);

/* Prints "smokegate CMD: MESSAGE" on stderr and returns SG_EXIT_USAGE. */
int sg_cmd_usage_error(const gchar *command, const gchar *message);
/* A --suites-dir that is not a folder is a usage error naming @command
 * (returned), found before any test starts; else 0. */
int sg_cmd_check_suites_dir(const gchar *command, const gchar *suites_dir);
/* Parses @context; on bad options reports and returns FALSE. */
gboolean sg_cmd_parse(GOptionContext *context, const gchar *command, int *argc, char ***argv);

/* The options of every command that boots guests: --connect, --flavours-dir,
 * --accel and --lab, NULL when not given. */
typedef struct {
	gchar *connect;
	gchar *flavours_dir;
	gchar *accel;
	gchar *lab;
} SgCmdLabOptions;

/* Adds the lab options to @context's main options, parsed into @options. */
void sg_cmd_add_lab_options(GOptionContext *context, SgCmdLabOptions *options);
void sg_cmd_lab_options_clear(SgCmdLabOptions *options);
/* The lab the options name: the one --connect host (with --accel), else
 * the --lab file, else the default lab file or the default host. --connect
 * with --lab is a usage error naming @command. */
SgLabConfig *sg_cmd_lab_config(SgCmdLabOptions *options, const gchar *command, GError **error);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(SgCmdLabOptions, sg_cmd_lab_options_clear)

/* Starts a command's work on the main loop: sg_test_run_async(), or
 * sg_suite_run_disk_async(); @finish makes a result of it. */
typedef void (*SgCmdRunStart)(const SgTestOptions *options, SgProgress *progress,
			      GCancellable *cancellable, GAsyncReadyCallback callback,
			      gpointer user_data);
typedef gpointer (*SgCmdRunFinish)(GAsyncResult *result, GError **error);

/* Runs @start(@options) on the main loop (sg_main_loop_run: SIGINT,
 * SIGTERM and SIGHUP cancel @cancellable) and returns what @finish made of
 * it, or NULL with @error. The lab host is @lab's one host, else the one
 * with the most free guest places now (the hosts surveyed on a thread:
 * libvirt has no connection timeout; none reachable with room is an
 * error); @options gets its URI, its MaxGuests= (with a lab file) and,
 * without --accel, its Accel= ("auto" when it has none). */
gpointer sg_cmd_run_on_main_loop(SgLabConfig *lab, SgTestOptions *options, SgProgress *progress,
				 GCancellable *cancellable, SgCmdRunStart start,
				 SgCmdRunFinish finish, GError **error);

G_END_DECLS
