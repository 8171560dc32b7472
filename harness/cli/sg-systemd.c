#include "sg-systemd.h"

#include <syslog.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

void
sg_systemd_notify(const gchar *state)
{
	int rc = sd_notify(0, state);

	if (rc < 0)
		g_debug("cannot tell the service manager %s: %s", state, g_strerror(-rc));
}

void
sg_systemd_status(const gchar *status)
{
	g_autofree gchar *state = g_strdup_printf("STATUS=%s", status);
	sg_systemd_notify(state);
}

void
sg_systemd_reloading(void)
{
	g_autofree gchar *state = g_strdup_printf("RELOADING=1\nMONOTONIC_USEC=%" G_GINT64_FORMAT,
						  g_get_monotonic_time());
	sg_systemd_notify(state);
}

static gboolean
on_watchdog(gpointer user_data)
{
	/* Sent from the main loop: a loop stuck for WatchdogSec= gets us restarted. */
	sg_systemd_notify("WATCHDOG=1");
	return G_SOURCE_CONTINUE;
}

guint
sg_systemd_watchdog_start(void)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return 0;
	return g_timeout_add(MAX(usec / 2 / 1000, 1), on_watchdog, NULL);
}

gboolean
sg_systemd_under_journal(void)
{
	return g_getenv("JOURNAL_STREAM") != NULL;
}

void
sg_systemd_log_verdict(const gchar *tree, const gchar *build, const gchar *verdict,
		       const gchar *host, const gchar *reason)
{
	const gchar *message_id = g_str_equal(verdict, "pass")	 ? SG_MESSAGE_ID_PASS
				  : g_str_equal(verdict, "fail") ? SG_MESSAGE_ID_FAIL
								 : SG_MESSAGE_ID_ERROR;
	int priority = g_str_equal(verdict, "pass")   ? LOG_INFO
		       : g_str_equal(verdict, "fail") ? LOG_WARNING
						      : LOG_ERR;
	int rc = sd_journal_send("MESSAGE=%s: %s %s: %s", tree, build, verdict,
				 reason != NULL ? reason : "", "MESSAGE_ID=%s", message_id,
				 "PRIORITY=%d", priority, "SMOKEGATE_TREE=%s", tree,
				 "SMOKEGATE_BUILD=%s", build, "SMOKEGATE_VERDICT=%s", verdict,
				 "SMOKEGATE_HOST=%s", host != NULL ? host : "",
				 "SMOKEGATE_REASON=%s", reason != NULL ? reason : "", NULL);

	if (rc < 0)
		g_warning("cannot log the verdict on %s in the journal: %s", build,
			  g_strerror(-rc));
}
