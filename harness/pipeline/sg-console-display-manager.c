/* The display manager judge, shared by every family in the desktop phase
 * (the installed system or a live session): the profile's display manager
 * failing to start. */

#include "sg-console-judge.h"

static void
display_manager_init(SgConsole *console, gpointer state)
{
	const gchar *display_manager = sg_console_get_display_manager(console);
	g_autofree gchar *escaped = NULL;
	g_autofree gchar *pattern = NULL;

	if (sg_console_get_phase(console) != SG_CONSOLE_PHASE_DESKTOP || display_manager == NULL)
		return;
	escaped = g_regex_escape_string(display_manager, -1);
	pattern = g_strdup_printf("Failed to start %s\\.service", escaped);
	sg_console_add_rule(console, pattern, SG_CONSOLE_PROBLEM_DESKTOP_FAILED);
}

const SgConsoleJudge sg_console_display_manager_judge = {
	.name = "display-manager",
	.init = display_manager_init,
};
