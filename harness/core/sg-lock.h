#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * An advisory lock on a file (flock), holding a line that says who holds it,
 * so the one who is refused can say who is in the way. The kernel drops the
 * lock when its holder dies, however it dies: no stale lock to clean up.
 *
 * A wait for the lock is a blocking flock() in a thread of its own, never a
 * poll: the lock is taken the moment its holder lets go. A wait that times
 * out or is cancelled leaves that thread to end by itself; should it still
 * get the lock, it lets go of it at once.
 */
typedef struct _SgLock SgLock;

/* Who holds a lock, as its holder wrote it in the lock file. */
typedef struct {
	gint pid;	  /* 0: unknown (no holder line, or one that cannot be read) */
	gchar *host;	  /* the holder's host name, or NULL */
	gchar *what;	  /* what it holds the lock for ("gate", "serve", "stage"...), or NULL */
	GDateTime *since; /* when it took the lock, or NULL */
} SgLockHolder;

void sg_lock_holder_free(SgLockHolder *holder);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgLockHolder, sg_lock_holder_free)
/* For people: "pid 123 on lab1 (smokegate serve, since 2026-...)". */
gchar *sg_lock_holder_describe(const SgLockHolder *holder);

/*
 * Takes the lock of @path (created when missing). Waits at most
 * @wait_seconds (0: fail at once; SG_LOCK_WAIT_FOREVER: until it is free),
 * then fails with SG_ERROR_LOCKED naming the holder, who is also returned
 * in @holder when it is not NULL. @purpose goes in the holder line; NULL:
 * no holder line (for a lock only ever waited for).
 */
#define SG_LOCK_WAIT_FOREVER G_MAXUINT
void sg_lock_acquire_async(const gchar *path, const gchar *purpose, guint wait_seconds,
			   GCancellable *cancellable, GAsyncReadyCallback callback,
			   gpointer user_data);
SgLock *sg_lock_acquire_finish(GAsyncResult *result, SgLockHolder **holder, GError **error);
/* The same, waiting in the calling thread (for commands without a main loop). */
SgLock *sg_lock_acquire(const gchar *path, const gchar *purpose, guint wait_seconds,
			SgLockHolder **holder, GError **error);
void sg_lock_release(SgLock *lock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgLock, sg_lock_release)

G_END_DECLS
