#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The journal's MESSAGE_ID of each verdict serve and gate log, one per kind, fixed
 * forever (made once with `systemd-id128 new`) so that
 *   journalctl MESSAGE_ID=99e75b7b7991460696dbf018e1eb2176
 * lists every failed build, whatever the tree or the version. Do not change
 * them; a new kind of event gets a new id.
 */
#define SG_MESSAGE_ID_PASS "58fdf6d0b74046e59740a9a765826d86"
#define SG_MESSAGE_ID_FAIL "99e75b7b7991460696dbf018e1eb2176"
#define SG_MESSAGE_ID_ERROR "6d34f28950b94ecf84f2db0e14653965"

/* sd_notify(3) @state ("READY=1", "STATUS=...", ...) when NOTIFY_SOCKET is
 * set; nothing otherwise. */
void sg_systemd_notify(const gchar *state);
/* STATUS=@status, what `systemctl status` shows. */
void sg_systemd_status(const gchar *status);
/* RELOADING=1 with MONOTONIC_USEC=now, as systemd asks of a reload. */
void sg_systemd_reloading(void);
/* A main loop timer sending WATCHDOG=1 at half of WatchdogSec= when the
 * service manager asked for it (sd_watchdog_enabled), else 0. */
guint sg_systemd_watchdog_start(void);

/* Whether stderr goes to the journal (JOURNAL_STREAM). */
gboolean sg_systemd_under_journal(void);
/* One journal entry for a verdict, with SMOKEGATE_TREE=, SMOKEGATE_BUILD=
 * (FLAVOUR/TYPE/ID), SMOKEGATE_VERDICT=, SMOKEGATE_HOST=, SMOKEGATE_REASON=
 * and the verdict's MESSAGE_ID. */
void sg_systemd_log_verdict(const gchar *tree, const gchar *build, const gchar *verdict,
			    const gchar *host, const gchar *reason);

G_END_DECLS
