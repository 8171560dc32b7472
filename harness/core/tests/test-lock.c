/* The tree's lock (sg-lock.h) against another process holding it: the
 * refusal names the holder as data, a dead holder's line is no obstacle, a
 * wait ends the moment the holder lets go, and a cancelled wait leaves
 * nothing held. */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sg-error.h"
#include "sg-lock.h"

typedef struct {
	gchar *dir;
	gchar *path;
} Fixture;

static void
fixture_set_up(Fixture *fixture, gconstpointer data)
{
	fixture->dir = g_dir_make_tmp("sg-lock-XXXXXX", NULL);
	g_assert_nonnull(fixture->dir);
	fixture->path = g_build_filename(fixture->dir, "tree.lock", NULL);
}

static void
fixture_tear_down(Fixture *fixture, gconstpointer data)
{
	g_unlink(fixture->path);
	g_rmdir(fixture->dir);
	g_free(fixture->path);
	g_free(fixture->dir);
}

/* Another process that takes @path for @purpose and holds it until
 * release_holder(); its pid is returned once it holds the lock. */
typedef struct {
	pid_t pid;
	int release; /* closed to let go */
} Holder;

static Holder
hold_in_child(const gchar *path, const gchar *purpose)
{
	int ready[2], release[2];
	Holder holder;
	char byte;

	g_assert_cmpint(pipe(ready), ==, 0);
	g_assert_cmpint(pipe(release), ==, 0);
	holder.pid = fork();
	g_assert_cmpint(holder.pid, >=, 0);
	if (holder.pid == 0) {
		/* No thread and no main loop here: a wait of 0 is a plain flock. */
		SgLock *lock = sg_lock_acquire(path, purpose, 0, NULL, NULL);
		close(ready[0]);
		close(release[1]);
		if (lock == NULL)
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		/* Until the parent closes its end (or dies). */
		while (read(release[0], &byte, 1) < 0 && errno == EINTR)
			;
		sg_lock_release(lock);
		_exit(0);
	}
	close(ready[1]);
	close(release[0]);
	g_assert_cmpint(read(ready[0], &byte, 1), ==, 1);
	close(ready[0]);
	holder.release = release[1];
	return holder;
}

static void
release_holder(Holder *holder)
{
	int status = 0;

	close(holder->release);
	g_assert_cmpint(waitpid(holder->pid, &status, 0), ==, holder->pid);
	g_assert_true(WIFEXITED(status));
	g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

/* Held by another process: refused at once, the holder as data. */
static void
test_held_by_another(Fixture *fixture, gconstpointer data)
{
	Holder other = hold_in_child(fixture->path, "serve");
	g_autoptr(SgLockHolder) holder = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(SgLock) lock = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree gchar *pid = g_strdup_printf("pid %d ", (int)other.pid);

	lock = sg_lock_acquire(fixture->path, "gate", 0, &holder, &error);
	g_assert_null(lock);
	g_assert_error(error, SG_ERROR, SG_ERROR_LOCKED);
	g_assert_nonnull(holder);
	g_assert_cmpint(holder->pid, ==, other.pid);
	g_assert_cmpstr(holder->what, ==, "serve");
	g_assert_cmpstr(holder->host, ==, g_get_host_name());
	g_assert_nonnull(holder->since);
	g_assert_cmpint(g_date_time_difference(now, holder->since), >=, 0);
	g_assert_cmpint(g_date_time_difference(now, holder->since), <, 60 * G_TIME_SPAN_SECOND);
	/* And for people, in the message. */
	g_assert_nonnull(strstr(error->message, fixture->path));
	g_assert_nonnull(strstr(error->message, pid));
	g_assert_nonnull(strstr(error->message, "(smokegate serve, since "));

	release_holder(&other);
	g_clear_error(&error);
	g_clear_pointer(&holder, sg_lock_holder_free);
	lock = sg_lock_acquire(fixture->path, "gate", 0, &holder, &error);
	g_assert_no_error(error);
	g_assert_nonnull(lock);
	g_assert_null(holder);
}

/* A holder that died left its line: the kernel dropped its lock, the line
 * is no obstacle, and the new holder's line replaces it. */
static void
test_stale_holder(Fixture *fixture, gconstpointer data)
{
	pid_t dead = fork();
	g_autoptr(SgLock) lock = NULL;
	g_autoptr(SgLock) second = NULL;
	g_autoptr(SgLockHolder) holder = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree gchar *line = NULL;
	g_autofree gchar *mine = NULL;
	int status;

	g_assert_cmpint(dead, >=, 0);
	if (dead == 0) {
		/* Killed while it holds the lock: no release, no clean-up. */
		SgLock *held = sg_lock_acquire(fixture->path, "gate", 0, NULL, NULL);
		if (held != NULL)
			raise(SIGKILL);
		_exit(1);
	}
	g_assert_cmpint(waitpid(dead, &status, 0), ==, dead);
	g_assert_true(WIFSIGNALED(status));
	g_assert_true(g_file_get_contents(fixture->path, &line, NULL, NULL));
	g_assert_true(g_str_has_prefix(line, "pid "));

	lock = sg_lock_acquire(fixture->path, "stage", 0, &holder, &error);
	g_assert_no_error(error);
	g_assert_nonnull(lock);
	g_assert_null(holder);

	/* Who is refused now reads this process, not the dead one. */
	second = sg_lock_acquire(fixture->path, "gate", 0, &holder, &error);
	g_assert_null(second);
	g_assert_error(error, SG_ERROR, SG_ERROR_LOCKED);
	g_assert_cmpint(holder->pid, ==, getpid());
	g_assert_cmpstr(holder->what, ==, "stage");
	mine = g_strdup_printf("pid %d on %s (smokegate stage, since ", (int)getpid(),
			       g_get_host_name());
	g_free(line);
	g_assert_true(g_file_get_contents(fixture->path, &line, NULL, NULL));
	g_assert_true(g_str_has_prefix(line, mine));
}

/* A line no smokegate wrote: refused all the same, the holder unknown. */
static void
test_unknown_holder(Fixture *fixture, gconstpointer data)
{
	Holder other = hold_in_child(fixture->path, NULL);
	g_autoptr(SgLockHolder) holder = NULL;
	g_autoptr(GError) error = NULL;

	/* In place: a file renamed over it would be another, unlocked file. */
	int fd = open(fixture->path, O_WRONLY | O_TRUNC);
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(write(fd, "someone else\n", 13), ==, 13);
	close(fd);
	g_assert_null(sg_lock_acquire(fixture->path, "gate", 0, &holder, &error));
	g_assert_error(error, SG_ERROR, SG_ERROR_LOCKED);
	g_assert_cmpint(holder->pid, ==, 0);
	g_assert_null(holder->what);
	g_assert_null(holder->since);
	g_assert_nonnull(strstr(error->message, "is held by an unknown process"));
	release_holder(&other);
}

typedef struct {
	GAsyncResult *result;
	gint64 done_us;
} Waited;

static void
on_acquired(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Waited *waited = user_data;

	waited->result = g_object_ref(result);
	waited->done_us = g_get_monotonic_time();
}

typedef struct {
	Holder *holder;
	gint64 released_us;
} Release;

static gboolean
release_later(gpointer user_data)
{
	Release *release = user_data;

	release_holder(release->holder);
	release->released_us = g_get_monotonic_time();
	return G_SOURCE_REMOVE;
}

/* A wait on the main loop: the loop keeps running while it waits (no
 * poll, no sleep), and the lock is taken as soon as the holder lets go. */
static void
test_wait_on_loop(Fixture *fixture, gconstpointer data)
{
	Holder other = hold_in_child(fixture->path, "gate");
	Release release = {&other, 0};
	Waited waited = {0};
	g_autoptr(SgLock) lock = NULL;
	g_autoptr(GError) error = NULL;

	sg_lock_acquire_async(fixture->path, "stage", 30, NULL, on_acquired, &waited);
	g_timeout_add(300, release_later, &release);
	while (waited.result == NULL)
		g_main_context_iteration(NULL, TRUE);
	lock = sg_lock_acquire_finish(waited.result, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(lock);
	/* The release ran on the loop while the lock was waited for, and the
	 * lock came with it, not at a poll's next tick. */
	g_assert_cmpint(release.released_us, >, 0);
	g_test_message("released -> taken in %.3f s", (waited.done_us - release.released_us) / 1e6);
	g_assert_cmpint(waited.done_us - release.released_us, <, G_USEC_PER_SEC / 2);
	g_object_unref(waited.result);
}

/* A bounded wait ends with the holder, as a refusal at once does. */
static void
test_wait_times_out(Fixture *fixture, gconstpointer data)
{
	Holder other = hold_in_child(fixture->path, "serve");
	g_autoptr(SgLockHolder) holder = NULL;
	g_autoptr(GError) error = NULL;
	gint64 started = g_get_monotonic_time();
	gint64 waited;

	g_assert_null(sg_lock_acquire(fixture->path, "gate", 1, &holder, &error));
	waited = g_get_monotonic_time() - started;
	g_assert_error(error, SG_ERROR, SG_ERROR_LOCKED);
	g_assert_cmpint(holder->pid, ==, other.pid);
	g_assert_cmpstr(holder->what, ==, "serve");
	g_assert_cmpint(waited, >=, G_USEC_PER_SEC * 9 / 10);
	g_assert_cmpint(waited, <, 10 * G_USEC_PER_SEC);
	release_holder(&other);
}

/* A wait cancelled ends at once; when the holder lets go later, the
 * abandoned wait does not keep the lock. */
static void
test_cancel_while_waiting(Fixture *fixture, gconstpointer data)
{
	Holder other = hold_in_child(fixture->path, "gate");
	g_autoptr(GCancellable) cancellable = g_cancellable_new();
	Waited waited = {0};
	g_autoptr(SgLock) lock = NULL;
	g_autoptr(GError) error = NULL;
	gint64 cancelled_us;

	sg_lock_acquire_async(fixture->path, "stage", SG_LOCK_WAIT_FOREVER, cancellable,
			      on_acquired, &waited);
	for (guint i = 0; i < 10; i++)
		g_main_context_iteration(NULL, FALSE);
	g_assert_null(waited.result);
	cancelled_us = g_get_monotonic_time();
	g_cancellable_cancel(cancellable);
	while (waited.result == NULL)
		g_main_context_iteration(NULL, TRUE);
	g_assert_cmpint(waited.done_us - cancelled_us, <, G_USEC_PER_SEC);
	g_assert_null(sg_lock_acquire_finish(waited.result, NULL, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
	g_clear_object(&waited.result);
	g_clear_error(&error);

	/* The holder goes; the abandoned wait takes the lock and lets go of
	 * it by itself, so this one gets it within the wait. */
	release_holder(&other);
	lock = sg_lock_acquire(fixture->path, "gate", 5, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(lock);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/lock/held-by-another", Fixture, NULL, fixture_set_up, test_held_by_another,
		   fixture_tear_down);
	g_test_add("/lock/stale-holder", Fixture, NULL, fixture_set_up, test_stale_holder,
		   fixture_tear_down);
	g_test_add("/lock/unknown-holder", Fixture, NULL, fixture_set_up, test_unknown_holder,
		   fixture_tear_down);
	g_test_add("/lock/wait-on-loop", Fixture, NULL, fixture_set_up, test_wait_on_loop,
		   fixture_tear_down);
	g_test_add("/lock/wait-times-out", Fixture, NULL, fixture_set_up, test_wait_times_out,
		   fixture_tear_down);
	g_test_add("/lock/cancel-while-waiting", Fixture, NULL, fixture_set_up,
		   test_cancel_while_waiting, fixture_tear_down);
	return g_test_run();
}
