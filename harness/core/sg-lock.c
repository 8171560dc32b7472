#include "sg-lock.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "sg-error.h"
#include "sg-files.h"

struct _SgLock {
	int fd;
};

/* One wait for a lock that was busy. Whoever settles it first (the thread
 * that got the lock, the timeout, the cancellable) returns the task; the
 * thread alone owns @fd while it waits, and closes it when it lost. */
typedef struct {
	gint refs;
	GMutex mutex;
	GTask *task; /* until settled */
	gchar *path;
	gchar *purpose;
	int fd;
	GSource *timeout;
	GSource *cancelled;
	SgLockHolder *holder; /* the refusal's */
} SgLockWait;

void
sg_lock_holder_free(SgLockHolder *holder)
{
	if (holder == NULL)
		return;
	g_free(holder->host);
	g_free(holder->what);
	g_clear_pointer(&holder->since, g_date_time_unref);
	g_free(holder);
}

gchar *
sg_lock_holder_describe(const SgLockHolder *holder)
{
	g_autofree gchar *since = NULL;

	if (holder->pid <= 0)
		return g_strdup("an unknown process");
	since = holder->since != NULL ? g_date_time_format_iso8601(holder->since) : NULL;
	return g_strdup_printf("pid %d on %s (smokegate %s, since %s)", holder->pid,
			       holder->host != NULL ? holder->host : "an unknown host",
			       holder->what != NULL ? holder->what : "?",
			       since != NULL ? since : "?");
}

/* The holder line note_holder() writes, read back. */
static SgLockHolder *
read_holder(int fd)
{
	SgLockHolder *holder = g_new0(SgLockHolder, 1);
	g_autoptr(GRegex) line = g_regex_new(
		"^pid ([0-9]+) on (\\S+) \\(smokegate (.+), since (\\S+)\\)$", 0, 0, NULL);
	g_autoptr(GMatchInfo) match = NULL;
	gchar buffer[512];
	ssize_t got = pread(fd, buffer, sizeof(buffer) - 1, 0);

	if (got <= 0)
		return holder;
	buffer[got] = '\0';
	if (!g_regex_match(line, g_strstrip(buffer), 0, &match))
		return holder;
	{
		g_autofree gchar *pid = g_match_info_fetch(match, 1);
		g_autofree gchar *since = g_match_info_fetch(match, 4);
		guint64 number = 0;

		if (!g_ascii_string_to_unsigned(pid, 10, 1, G_MAXINT, &number, NULL))
			return holder;
		holder->pid = (gint)number;
		holder->host = g_match_info_fetch(match, 2);
		holder->what = g_match_info_fetch(match, 3);
		holder->since = g_date_time_new_from_iso8601(since, NULL);
	}
	return holder;
}

static void
note_holder(int fd, const gchar *path, const gchar *purpose)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree gchar *stamp = g_date_time_format_iso8601(now);
	g_autofree gchar *holder =
		g_strdup_printf("pid %d on %s (smokegate %s, since %s)\n", (int)getpid(),
				g_get_host_name(), purpose, stamp);

	if (ftruncate(fd, 0) != 0 || pwrite(fd, holder, strlen(holder), 0) < 0)
		g_debug("cannot note the lock holder in %s", path);
}

/* flock(@operation), again after a signal; 0 or an errno. */
static int
take(int fd, int operation)
{
	while (flock(fd, operation) != 0) {
		if (errno != EINTR)
			return errno;
	}
	return 0;
}

static SgLock *
lock_new(int fd, const gchar *path, const gchar *purpose)
{
	SgLock *lock = g_new0(SgLock, 1);

	if (purpose != NULL)
		note_holder(fd, path, purpose);
	lock->fd = fd;
	return lock;
}

static GError *
locked_error(const gchar *path, const SgLockHolder *holder)
{
	g_autofree gchar *who = sg_lock_holder_describe(holder);
	return g_error_new(SG_ERROR, SG_ERROR_LOCKED, "%s is held by %s", path, who);
}

static GError *
take_error(const gchar *path, int code)
{
	return g_error_new(SG_ERROR, SG_ERROR_TREE, "cannot lock %s: %s", path, g_strerror(code));
}

static SgLockWait *
wait_ref(SgLockWait *wait)
{
	g_atomic_int_inc(&wait->refs);
	return wait;
}

static void
wait_unref(SgLockWait *wait)
{
	if (!g_atomic_int_dec_and_test(&wait->refs))
		return;
	g_mutex_clear(&wait->mutex);
	g_free(wait->path);
	g_free(wait->purpose);
	if (wait->timeout != NULL)
		g_source_unref(wait->timeout);
	if (wait->cancelled != NULL)
		g_source_unref(wait->cancelled);
	sg_lock_holder_free(wait->holder);
	g_free(wait);
}

/* The task for the first caller only, who then returns it; the sources
 * that could still settle it go. */
static GTask *
claim(SgLockWait *wait)
{
	GTask *task;

	g_mutex_lock(&wait->mutex);
	task = g_steal_pointer(&wait->task);
	g_mutex_unlock(&wait->mutex);
	if (task == NULL)
		return NULL;
	/* Thread-safe, and a no-op on the source being dispatched. */
	if (wait->timeout != NULL)
		g_source_destroy(wait->timeout);
	if (wait->cancelled != NULL)
		g_source_destroy(wait->cancelled);
	return task;
}

static gpointer
wait_thread(gpointer data)
{
	SgLockWait *wait = data;
	int code = take(wait->fd, LOCK_EX);
	g_autoptr(GTask) task = claim(wait);

	if (task == NULL) {
		/* Too late: the caller has gone on without it. */
		close(wait->fd);
	} else if (code != 0) {
		close(wait->fd);
		g_task_return_error(task, take_error(wait->path, code));
	} else {
		g_task_return_pointer(task, lock_new(wait->fd, wait->path, wait->purpose),
				      (GDestroyNotify)sg_lock_release);
	}
	wait_unref(wait);
	return NULL;
}

static gboolean
on_wait_timeout(gpointer data)
{
	SgLockWait *wait = data;
	/* Read before the claim: once claimed, the thread may close the fd. */
	SgLockHolder *holder = read_holder(wait->fd);
	g_autoptr(GTask) task = claim(wait);

	if (task == NULL) {
		sg_lock_holder_free(holder);
		return G_SOURCE_REMOVE;
	}
	wait->holder = holder;
	g_task_return_error(task, locked_error(wait->path, holder));
	return G_SOURCE_REMOVE;
}

static gboolean
on_wait_cancelled(GCancellable *cancellable, gpointer data)
{
	SgLockWait *wait = data;
	g_autoptr(GTask) task = claim(wait);

	if (task != NULL)
		g_task_return_error_if_cancelled(task);
	return G_SOURCE_REMOVE;
}

void
sg_lock_acquire_async(const gchar *path, const gchar *purpose, guint wait_seconds,
		      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);
	SgLockWait *wait = g_new0(SgLockWait, 1);
	g_autoptr(GError) open_error = NULL;
	int fd, code;

	g_task_set_source_tag(task, sg_lock_acquire_async);
	wait->refs = 1;
	g_mutex_init(&wait->mutex);
	wait->path = g_strdup(path);
	wait->purpose = g_strdup(purpose);
	wait->fd = -1;
	g_task_set_task_data(task, wait, (GDestroyNotify)wait_unref);

	/* Never through a link: a lock's holder line would truncate and
	 * overwrite whatever file the link points at. */
	fd = sg_files_open_for_writing(path, O_RDWR | O_CREAT, 0644, &open_error);
	if (fd < 0) {
		g_task_return_new_error(task, SG_ERROR, SG_ERROR_TREE, "cannot open the lock %s",
					open_error->message);
		return;
	}
	code = take(fd, LOCK_EX | LOCK_NB);
	if (code == 0) {
		g_task_return_pointer(task, lock_new(fd, path, purpose),
				      (GDestroyNotify)sg_lock_release);
		return;
	}
	if (code != EWOULDBLOCK || wait_seconds == 0) {
		if (code == EWOULDBLOCK) {
			wait->holder = read_holder(fd);
			g_task_return_error(task, locked_error(path, wait->holder));
		} else {
			g_task_return_error(task, take_error(path, code));
		}
		close(fd);
		return;
	}
	wait->fd = fd;
	wait->task = g_object_ref(task);
	if (wait_seconds != SG_LOCK_WAIT_FOREVER) {
		/* Not g_timeout_source_new_seconds(): it rounds to the whole
		 * second of the process's timers, and may end a wait of 1 s
		 * after 0.8 s. */
		wait->timeout =
			g_timeout_source_new((guint)MIN((guint64)wait_seconds * 1000, G_MAXUINT));
		g_source_set_callback(wait->timeout, on_wait_timeout, wait_ref(wait),
				      (GDestroyNotify)wait_unref);
		g_source_attach(wait->timeout, g_task_get_context(task));
	}
	if (cancellable != NULL) {
		wait->cancelled = g_cancellable_source_new(cancellable);
		g_source_set_callback(wait->cancelled, G_SOURCE_FUNC(on_wait_cancelled),
				      wait_ref(wait), (GDestroyNotify)wait_unref);
		g_source_attach(wait->cancelled, g_task_get_context(task));
	}
	g_thread_unref(g_thread_new("sg-lock-wait", wait_thread, wait_ref(wait)));
}

SgLock *
sg_lock_acquire_finish(GAsyncResult *result, SgLockHolder **holder, GError **error)
{
	GTask *task = G_TASK(result);
	SgLockWait *wait = g_task_get_task_data(task);

	g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
	if (holder != NULL && wait->holder != NULL) {
		*holder = g_steal_pointer(&wait->holder);
	}
	return g_task_propagate_pointer(task, error);
}

static void
on_acquired(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GAsyncResult **done = user_data;
	*done = g_object_ref(result);
}

SgLock *
sg_lock_acquire(const gchar *path, const gchar *purpose, guint wait_seconds, SgLockHolder **holder,
		GError **error)
{
	g_autoptr(GMainContext) context = g_main_context_new();
	g_autoptr(GAsyncResult) result = NULL;

	/* The wait's thread, timeout and result, on a context of our own: the
	 * caller's main loop, if it has one, is not run from here. */
	g_main_context_push_thread_default(context);
	sg_lock_acquire_async(path, purpose, wait_seconds, NULL, on_acquired, &result);
	while (result == NULL)
		g_main_context_iteration(context, TRUE);
	g_main_context_pop_thread_default(context);
	return sg_lock_acquire_finish(result, holder, error);
}

void
sg_lock_release(SgLock *lock)
{
	if (lock == NULL)
		return;
	/* Leave the holder line: it is only read while someone holds the lock. */
	close(lock->fd);
	g_free(lock);
}
