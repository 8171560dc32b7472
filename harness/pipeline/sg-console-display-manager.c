/* The display manager judge, shared by every family in the desktop phase
 * (the installed system or a live session): the profile's display manager
 * failing to start, and any display manager showing its login screen
 * where an autologin session was to open. */

#include "sg-console-judge.h"

typedef struct {
	GRegex *greeter;
	GRegex *autologin;
	gboolean autologin_seen;
} SgDisplayManagerJudge;

static void
display_manager_init(SgConsole *console, gpointer state)
{
	SgDisplayManagerJudge *judge = state;
	const gchar *display_manager = sg_console_get_display_manager(console);

	if (sg_console_get_phase(console) != SG_CONSOLE_PHASE_DESKTOP)
		return;
	if (display_manager != NULL) {
		g_autofree gchar *escaped = g_regex_escape_string(display_manager, -1);
		g_autofree gchar *pattern =
			g_strdup_printf("Failed to start %s\\.service", escaped);
		sg_console_add_rule(console, pattern, SG_CONSOLE_PROBLEM_DESKTOP_FAILED);
	}
	/* The PAM session each display manager opens for its greeter, as
	 * pam_unix logs it ("pam_unix(lightdm-greeter:session): session opened
	 * for user lightdm(uid=110) by (uid=0)"): LightDM's pam-greeter-service
	 * (src/lightdm.c), SDDM's "sddm-greeter" (src/helper/backend/
	 * PamBackend.cpp), GDM's "gdm-launch-environment" (daemon/
	 * gdm-launch-environment.c). Each starts its greeter only when it has
	 * no autologin to do, or when the autologin failed (LightDM's
	 * seat_real_start(), SDDM's Display::handleAutologinFailure(), GDM's
	 * set_up_session()). */
	judge->greeter = sg_console_regex_new(
		"pam_unix\\((lightdm-greeter|sddm-greeter|gdm-launch-environment):session\\): "
		"session opened for user ",
		0);
	/* Their autologin sessions: pam-autologin-service "lightdm-autologin",
	 * "sddm-autologin", "gdm-autologin". */
	judge->autologin = sg_console_regex_new(
		"pam_unix\\((lightdm|sddm|gdm)-autologin:session\\): session opened for user ", 0);
}

static void
display_manager_clear(gpointer state)
{
	SgDisplayManagerJudge *judge = state;

	g_clear_pointer(&judge->greeter, g_regex_unref);
	g_clear_pointer(&judge->autologin, g_regex_unref);
}

/* A greeter with no autologin session before it, or within the grace
 * after it, is a login screen the test cannot pass: judged then, not after
 * the silence limit. */
static void
display_manager_line(SgConsole *console, gpointer state, const gchar *line, gboolean complete,
		     gint64 now_us)
{
	SgDisplayManagerJudge *judge = state;

	if (judge->greeter == NULL || !complete)
		return;
	if (g_regex_match(judge->autologin, line, 0, NULL)) {
		judge->autologin_seen = TRUE;
		sg_console_withdraw(console, SG_CONSOLE_PROBLEM_LOGIN_SCREEN);
	} else if (!judge->autologin_seen && g_regex_match(judge->greeter, line, 0, NULL)) {
		sg_console_report_at(console, SG_CONSOLE_PROBLEM_LOGIN_SCREEN, line, now_us,
				     now_us + SG_CONSOLE_LOGIN_SCREEN_GRACE_US);
	}
}

const SgConsoleJudge sg_console_display_manager_judge = {
	.name = "display-manager",
	.size = sizeof(SgDisplayManagerJudge),
	.init = display_manager_init,
	.clear = display_manager_clear,
	.line = display_manager_line,
};
