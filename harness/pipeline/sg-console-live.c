/* The live judge: a live image has no installer, so nothing of its own to
 * judge; its session is judged by the judges every family shares (the
 * kernel, live-boot or casper, systemd, the display manager). */

#include "sg-console-judge.h"

const SgConsoleJudge sg_console_live_judge = {
	.name = "live",
};
