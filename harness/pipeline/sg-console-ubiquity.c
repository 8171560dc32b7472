/* The ubiquity judge (Ubuntu's desktop installer on a casper live CD, until
 * 22.10): its crash, and the debconf questions it drives, which it shows as
 * debian-installer does. */

#include "sg-console-judge.h"

static const SgConsoleLineRule install_rules[] = {
	{"ubiquity.*(crashed|failed with exit code)", SG_CONSOLE_PROBLEM_INSTALLER_ERROR},
	{NULL},
};

static void
ubiquity_init(SgConsole *console, gpointer state)
{
	if (sg_console_get_phase(console) == SG_CONSOLE_PHASE_INSTALL)
		sg_console_add_rules(console, install_rules);
	sg_debconf_judge_init(console, state);
}

const SgConsoleJudge sg_console_ubiquity_judge = {
	.name = "ubiquity",
	.size = sizeof(SgDebconfJudge),
	.init = ubiquity_init,
	.clear = sg_debconf_judge_clear,
	.line = sg_debconf_judge_line,
	.read_screen = sg_debconf_judge_read_screen,
};
