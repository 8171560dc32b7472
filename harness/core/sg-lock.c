#include "sg-lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "sg-error.h"

struct _SgLock {
	int fd;
};

static gchar *
read_holder(int fd)
{
	gchar buffer[512];
	ssize_t got = pread(fd, buffer, sizeof(buffer) - 1, 0);

	if (got <= 0)
		return g_strdup("an unknown process");
	buffer[got] = '\0';
	return g_strdup(g_strstrip(buffer));
}

static gboolean
take(int fd, const gchar *path, guint wait_seconds, GError **error)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)wait_seconds * G_USEC_PER_SEC;
	int operation = wait_seconds == SG_LOCK_WAIT_FOREVER ? LOCK_EX : LOCK_EX | LOCK_NB;

	while (flock(fd, operation) != 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			g_set_error(error, SG_ERROR, SG_ERROR_TREE, "cannot lock %s: %s", path,
				    g_strerror(errno));
			return FALSE;
		}
		if (g_get_monotonic_time() >= deadline) {
			g_autofree gchar *other = read_holder(fd);
			g_set_error(error, SG_ERROR, SG_ERROR_LOCKED, "%s is held by %s", path,
				    other);
			return FALSE;
		}
		g_usleep(200 * 1000);
	}
	return TRUE;
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

gboolean
sg_lock_error_is_held_for(const GError *error, const gchar *purpose)
{
	/* note_holder's words. */
	g_autofree gchar *words = g_strdup_printf("(smokegate %s, since ", purpose);

	return g_error_matches(error, SG_ERROR, SG_ERROR_LOCKED) &&
	       strstr(error->message, words) != NULL;
}

SgLock *
sg_lock_acquire(const gchar *path, const gchar *purpose, guint wait_seconds, GError **error)
{
	SgLock *lock;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_TREE, "cannot open the lock %s: %s", path,
			    g_strerror(errno));
		return NULL;
	}
	if (!take(fd, path, wait_seconds, error)) {
		close(fd);
		return NULL;
	}
	if (purpose != NULL)
		note_holder(fd, path, purpose);
	lock = g_new0(SgLock, 1);
	lock->fd = fd;
	return lock;
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
