#pragma once

#include <glib.h>

#include "sg-lab-config.h"

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

G_END_DECLS
