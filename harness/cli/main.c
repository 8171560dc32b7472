#include <locale.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sg-cmd.h"
#include "sg-config.h"
#include "sg-log.h"
#include "sg-result.h"

typedef struct {
	const gchar *name;
	SgCommandFunc func;
	const gchar *summary;
} SgCommand;

static const SgCommand commands[] = {
	{"test", sg_cmd_test, "Test one image from boot to verdict"},
	{"stage", sg_cmd_stage, "Stage a new build of an image in the tree"},
	{"gate", sg_cmd_gate, "Test staged builds and publish those that pass"},
	{"mark-current", sg_cmd_mark_current, "Make a build current by hand"},
	{"yank", sg_cmd_yank, "Withdraw a published build"},
	{"status", sg_cmd_status, "Show the tree's builds and verdicts"},
	{"lab", sg_cmd_lab, "Show the lab's hosts: room, cached images, guests"},
	{"serve", sg_cmd_serve, "Gate each build the moment it is staged (a service)"},
	{"suite", sg_cmd_suite, "Run downstream suites on a kept installed disk (suite run)"},
	{NULL},
};

/* Commands the program runs itself; --help and the manual leave them out. */
static const SgCommand internal_commands[] = {
	{"inspect-disk", sg_cmd_inspect_disk, "Read an installed disk (the coordinator's child)"},
	{NULL},
};

static void
print_commands(FILE *out)
{
	fprintf(out, "Usage: smokegate COMMAND [OPTION...]\n\nCommands:\n");
	for (guint i = 0; commands[i].name != NULL; i++)
		fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nsmokegate COMMAND --help: the command's options, required ones and exit "
		     "status.\nsmokegate --version: the version. The manual: smokegate(1).\n");
}

/*
 * An embedded libvirt driver logs its internal warnings on stderr, most of
 * them harmless; the errors that matter reach us through virGetLastError.
 * libguestfs initialises libvirt in a library constructor, before main(),
 * so the only way to set libvirt's log output is the environment we are
 * started with: set it and start again. Operators who want libvirt's log
 * set LIBVIRT_LOG_OUTPUTS themselves.
 */
static void
silence_libvirt_log(char **argv)
{
	if (g_getenv("LIBVIRT_LOG_OUTPUTS") != NULL)
		return;
	g_setenv("LIBVIRT_LOG_OUTPUTS", "4:file:/dev/null", TRUE);
	execv("/proc/self/exe", argv);
	/* Could not start again: libvirt's warnings will show, nothing worse. */
}

/*
 * Buffers of several MiB pass through (an image's EFI loaders, screenshots,
 * libguestfs's replies, disk streams), on worker threads. A fixed mmap
 * threshold maps them and unmaps them on free, where glibc's moving one
 * would raise itself to their size and keep them in the heap after; and
 * two arenas are enough for a process that mostly waits, where glibc would
 * give each worker thread one that keeps what it freed (bench/batch.sh
 * four-two, a gate's peak RSS in two runs each: 55 and 44 MiB with an arena
 * per thread, 49 and 37 MiB with two).
 */
static void
return_freed_memory(void)
{
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	mallopt(M_ARENA_MAX, 2);
}

static const SgCommand *
find_command(const gchar *name)
{
	const SgCommand *tables[] = {commands, internal_commands};

	for (guint t = 0; t < G_N_ELEMENTS(tables); t++) {
		for (const SgCommand *command = tables[t]; command->name != NULL; command++) {
			if (g_str_equal(name, command->name))
				return command;
		}
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	const SgCommand *command;

	silence_libvirt_log(argv);
	return_freed_memory();
	/* Any peer may close first: a lab host's libvirtd, a tracker, a
	 * mirror, a reader of our output. Its close is an error of that
	 * write (EPIPE), never the end of a coordinator whose other tests
	 * still run. */
	signal(SIGPIPE, SIG_IGN);
	setlocale(LC_ALL, "");
	if (argc < 2) {
		print_commands(stderr);
		return SG_EXIT_USAGE;
	}
	if (g_str_equal(argv[1], "--help") || g_str_equal(argv[1], "-h")) {
		print_commands(stdout);
		return 0;
	}
	if (g_str_equal(argv[1], "--version")) {
		printf("smokegate %s\n", SG_VERSION);
		return 0;
	}
	command = find_command(argv[1]);
	if (command != NULL) {
		g_autofree gchar *prgname = g_strdup_printf("smokegate %s", argv[1]);
		g_set_prgname(prgname);
		/* serve runs for days: its lines need their time. */
		sg_log_use_short_lines(command->func == sg_cmd_serve);
		return command->func(argc - 1, argv + 1);
	}
	g_printerr("smokegate: unknown command '%s'\n", argv[1]);
	print_commands(stderr);
	return SG_EXIT_USAGE;
}
