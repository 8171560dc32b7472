/* The boot judge, shared by every family in every phase: the kernel giving
 * up. */

#include "sg-console-judge.h"

static const SgConsoleLineRule kernel_rules[] = {
	/* An emulated guest starved of CPU by a busy host can miss its timer
	 * check and panic this way before the image has run a line of its own:
	 * the lab's trouble, not the image's (rules before it win). */
	{"Kernel panic - not syncing: IO-APIC \\+ timer doesn't work",
	 SG_CONSOLE_PROBLEM_HOST_STARVED},
	{"Kernel panic - not syncing", SG_CONSOLE_PROBLEM_KERNEL_PANIC},
	{"\\bOops: |BUG: unable to handle|general protection fault:",
	 SG_CONSOLE_PROBLEM_KERNEL_OOPS},
	{NULL},
};

static void
boot_init(SgConsole *console, gpointer state)
{
	sg_console_add_rules(console, kernel_rules);
}

const SgConsoleJudge sg_console_boot_judge = {
	.name = "boot",
	.init = boot_init,
};
