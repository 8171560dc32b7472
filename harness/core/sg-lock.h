#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * An advisory lock on a file (flock), holding a line that says who holds it,
 * so the one who is refused can say who is in the way. The kernel drops the
 * lock when its holder dies, however it dies: no stale lock to clean up.
 */
typedef struct _SgLock SgLock;

/* Waits at most @wait_seconds for the lock (0: fail at once) and then fails
 * with SG_ERROR_LOCKED naming the holder; SG_LOCK_WAIT_FOREVER blocks until
 * the lock is free. @purpose goes in the holder line; NULL: no holder line
 * (for a lock only ever waited for). */
#define SG_LOCK_WAIT_FOREVER G_MAXUINT
SgLock *sg_lock_acquire(const gchar *path, const gchar *purpose, guint wait_seconds,
			GError **error);
void sg_lock_release(SgLock *lock);
/* Whether @error is a refusal because the holder took the lock for @purpose. */
gboolean sg_lock_error_is_held_for(const GError *error, const gchar *purpose);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgLock, sg_lock_release)

G_END_DECLS
