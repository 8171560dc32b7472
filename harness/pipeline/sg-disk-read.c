#include "sg-disk-read.h"

#include <errno.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sg-error.h"
#include "sg-media.h"

/* Of the thread that reads the installed disk while its guest boots. */
#define BASE_INSPECT_NICE 10

struct _SgDiskRead {
	/* Read by the threads, never changed while they run. */
	SgMedia *media; /* the lab's */
	gchar *username;
	gboolean force_tcg;
	gchar *keep_as;
	gchar *base;
	gchar *overlay;
	GCancellable *cancellable; /* the run's */
	/* The read of the base while the guest boots, on the main loop's side. */
	GCancellable *base_cancellable; /* non-NULL once it started */
	gulong base_handler;		/* cancels it with the run */
	gboolean base_running;
	gint64 base_started_us;
	gint64 base_finished_us;
	SgInspection *base_inspection;
	GError *base_error;
	SgDiskReadEnded ended; /* what waits for it to end */
	gpointer ended_data;
	/* The inspection waiting for the base's read (sg_disk_read_inspect_async). */
	GTask *inspect;
	gint64 inspect_started_us;
};

static gboolean
inspect_while_booting(void)
{
	return g_getenv("SMOKEGATE_INSPECT_AFTER_BOOT") == NULL;
}

SgDiskRead *
sg_disk_read_new(const SgDiskReadSpec *spec, const gchar *base)
{
	SgDiskRead *read = g_new0(SgDiskRead, 1);

	/* The media exist once prepare put the image there. */
	read->media = sg_lab_get_media(spec->lab, NULL);
	read->username = g_strdup(spec->username);
	read->force_tcg = spec->force_tcg;
	read->keep_as = g_strdup(spec->keep_as);
	read->base = g_strdup(base);
	read->cancellable = g_object_ref(spec->cancellable);
	return read;
}

const gchar *
sg_disk_read_get_base(SgDiskRead *read)
{
	return read->base;
}

const gchar *
sg_disk_read_create_overlay(SgDiskRead *read, GError **error)
{
	g_return_val_if_fail(read->overlay == NULL, NULL);
	read->overlay = sg_media_create_overlay(read->media, read->base, "boot", error);
	return read->overlay;
}

/* The base as the installer left it, sparse, beside the evidence: the base,
 * not @local when that is the boot's overlay (a lab host's base came with
 * it and is kept). */
static void
keep_disk(SgDiskRead *read)
{
	g_autofree gchar *source = sg_media_fetch_base(read->media, read->base, NULL);
	const gchar *argv[] = {"cp", "--sparse=always", source, read->keep_as, NULL};
	g_autoptr(GError) error = NULL;
	gint status = 0;

	if (!g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
			  &status, &error) ||
	    !g_spawn_check_wait_status(status, &error))
		g_warning("cannot keep the installed disk as %s: %s", read->keep_as,
			  error->message);
}

/* Ends an inspection thread's task: @inspection, or @error when NULL. */
static void
return_inspection(GTask *task, SgInspection *inspection, GError *error)
{
	if (inspection == NULL)
		g_task_return_error(task, error);
	else
		g_task_return_pointer(task, inspection, (GDestroyNotify)sg_inspection_free);
}

/* A thread of its own, not one of GTask's pool: its nice value is raised
 * for good. The appliance's QEMU, forked from it, inherits that value and
 * yields the CPU to the booting guest, whose console silence is timed (a
 * loaded lab host once starved a boot into "did not boot"). */
static gpointer
base_thread(gpointer data)
{
	g_autoptr(GTask) task = data;
	SgDiskRead *read = g_task_get_task_data(task);
	GCancellable *cancellable = g_task_get_cancellable(task);
	GError *error = NULL;
	g_autofree gchar *local = NULL;
	SgInspection *inspection = NULL;

	if (setpriority(PRIO_PROCESS, gettid(), BASE_INSPECT_NICE) != 0)
		g_debug("inspect: cannot lower the base read's priority: %s", g_strerror(errno));
	local = sg_media_fetch_base(read->media, read->base, &error);
	if (local != NULL && !g_cancellable_set_error_if_cancelled(cancellable, &error))
		inspection = sg_inspect_base(local, read->username, read->force_tcg, cancellable,
					     &error);
	if (inspection != NULL && read->keep_as != NULL)
		keep_disk(read);
	return_inspection(task, inspection, error);
	return NULL;
}

static void
on_base_read(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SgDiskRead *read = user_data;
	SgDiskReadEnded ended = g_steal_pointer(&read->ended);

	read->base_running = FALSE;
	read->base_finished_us = g_get_monotonic_time();
	g_cancellable_disconnect(read->cancellable, read->base_handler);
	read->base_handler = 0;
	read->base_inspection = g_task_propagate_pointer(G_TASK(result), &read->base_error);
	g_debug("inspect: the base read took %.1f s",
		(read->base_finished_us - read->base_started_us) / 1e6);
	if (ended != NULL)
		ended(read->ended_data);
}

static void
cancel_base(GCancellable *run, gpointer user_data)
{
	g_cancellable_cancel(user_data);
}

static void
start_base(SgDiskRead *read)
{
	g_autoptr(GTask) task = NULL;

	if (read->base_cancellable != NULL)
		return;
	read->base_cancellable = g_cancellable_new();
	read->base_handler = g_cancellable_connect(read->cancellable, G_CALLBACK(cancel_base),
						   read->base_cancellable, NULL);
	task = g_task_new(NULL, read->base_cancellable, on_base_read, read);
	g_task_set_task_data(task, read, NULL);
	read->base_running = TRUE;
	read->base_started_us = g_get_monotonic_time();
	g_thread_unref(g_thread_new("sg-inspect-base", base_thread, g_steal_pointer(&task)));
}

void
sg_disk_read_boot_started(SgDiskRead *read)
{
	if (inspect_while_booting())
		start_base(read);
}

gboolean
sg_disk_read_await(SgDiskRead *read, gboolean stop, SgDiskReadEnded ended, gpointer user_data)
{
	if (read == NULL || !read->base_running)
		return FALSE;
	if (stop)
		g_cancellable_cancel(read->base_cancellable);
	read->ended = ended;
	read->ended_data = user_data;
	return TRUE;
}

/* What an inspection after the boot works on. */
typedef struct {
	SgDiskRead *read;
	gchar *console_log;
	SgInspection *base; /* the base's read, for the overlay's logs to add to */
} SgInspectJob;

static void
inspect_job_free(SgInspectJob *job)
{
	g_free(job->console_log);
	g_clear_pointer(&job->base, sg_inspection_free);
	g_free(job);
}

/* After the boot, on its own thread: the overlay's logs added to the base's
 * read, or the disk read whole when the base was not read while the guest
 * booted. The main loop leaves the job alone while this runs. */
static void
inspect_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	SgInspectJob *job = data;
	SgDiskRead *read = job->read;
	GError *error = NULL;
	g_autofree gchar *local = NULL;
	SgInspection *inspection = NULL;

	if (job->base != NULL) {
		local = sg_media_fetch_disk(read->media, read->overlay, &error);
		if (local != NULL &&
		    sg_inspect_journal(local, read->username, read->force_tcg, job->base, &error))
			inspection = g_steal_pointer(&job->base);
	} else {
		/* libguestfs reads local disks only: a remote host's disk comes
		 * over the connection first (only its allocated data). */
		local = sg_media_fetch_disk(
			read->media, read->overlay != NULL ? read->overlay : read->base, &error);
		inspection = local != NULL ? sg_inspect_disk(local, read->username, read->force_tcg,
							     &error)
					   : NULL;
		if (inspection != NULL && read->keep_as != NULL)
			keep_disk(read);
	}
	return_inspection(task, inspection, error);
}

/* The base is read: the boot's console adds what the boot showed. */
static void
inspect_booted(gpointer user_data)
{
	SgDiskRead *read = user_data;
	g_autoptr(GTask) task = g_steal_pointer(&read->inspect);
	SgInspectJob *job = g_task_get_task_data(task);
	g_autofree gchar *text = NULL;

	g_debug("inspect: waited %.1f s for the base read after the boot; %.1f s of it ran "
		"while the guest booted",
		MAX(read->base_finished_us - read->inspect_started_us, 0) / 1e6,
		(MIN(read->base_finished_us, read->inspect_started_us) - read->base_started_us) /
			1e6);
	if (g_error_matches(read->base_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		g_task_return_new_error(task, SG_ERROR, SG_ERROR_CANCELLED,
					"interrupted before a verdict");
		return;
	}
	if (read->base_inspection == NULL) {
		g_task_return_error(task, g_error_copy(read->base_error));
		return;
	}
	job->base = g_steal_pointer(&read->base_inspection);
	if (g_file_get_contents(job->console_log, &text, NULL, NULL))
		sg_inspection_read_text(job->base, "console", text, read->username);
	if (!sg_inspection_has_desktop(job->base)) {
		g_task_run_in_thread(task, inspect_thread);
		return;
	}
	g_task_return_pointer(task, g_steal_pointer(&job->base),
			      (GDestroyNotify)sg_inspection_free);
}

void
sg_disk_read_inspect_async(SgDiskRead *read, const gchar *console_log, GAsyncReadyCallback callback,
			   gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, NULL, callback, user_data);
	SgInspectJob *job = g_new0(SgInspectJob, 1);

	g_return_if_fail(read->inspect == NULL);
	job->read = read;
	job->console_log = g_strdup(console_log);
	g_task_set_source_tag(task, sg_disk_read_inspect_async);
	g_task_set_task_data(task, job, (GDestroyNotify)inspect_job_free);
	read->inspect_started_us = g_get_monotonic_time();
	if (inspect_while_booting())
		start_base(read);
	if (read->base_cancellable == NULL) {
		g_task_run_in_thread(task, inspect_thread);
		return;
	}
	read->inspect = g_steal_pointer(&task);
	if (!sg_disk_read_await(read, FALSE, inspect_booted, read))
		inspect_booted(read);
}

SgInspection *
sg_disk_read_inspect_finish(GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

void
sg_disk_read_free(SgDiskRead *read)
{
	if (read == NULL)
		return;
	/* sg_disk_read_await() let the read of the base end first. */
	g_return_if_fail(!read->base_running && read->inspect == NULL);
	g_clear_object(&read->base_cancellable);
	g_clear_object(&read->cancellable);
	g_clear_pointer(&read->base_inspection, sg_inspection_free);
	g_clear_error(&read->base_error);
	g_free(read->username);
	g_free(read->keep_as);
	g_free(read->base);
	g_free(read->overlay);
	g_free(read);
}
