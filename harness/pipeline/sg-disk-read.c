#include "sg-disk-read.h"

#include "sg-error.h"
#include "sg-inspect-process.h"
#include "sg-media.h"

/* Of the process that reads the installed disk while its guest boots. */
#define BASE_INSPECT_NICE 10

struct _SgDiskRead {
	/* Read by the downloads' threads, never changed while they run. */
	SgMedia *media;	    /* the lab's */
	gchar *scratch_dir; /* the lab's: the inspecting child's folders go there */
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
	read->scratch_dir = g_strdup(sg_lab_get_scratch_dir(spec->lab));
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

/*
 * One read of a disk: fetched (a lab host's disk is downloaded, on a
 * worker thread), read by `smokegate inspect-disk` in a child process, and
 * with --keep-disk the base copied beside the evidence.
 */
typedef struct {
	SgDiskRead *read;
	const gchar *disk;	/* the base or the overlay, as the lab host sees it */
	gboolean fetch_as_base; /* the base alone, not an overlay with its base */
	SgInspectPart part;
	SgInspection *inspection; /* SG_INSPECT_PART_JOURNAL: what it adds to */
	gboolean keep;		  /* copy the base to keep_as once read */
	gint nice;
	/* Made by the read. */
	gchar *local;
	gchar *keep_source; /* the base, here */
	SgInspection *result;
} SgReadJob;

static void
read_job_free(SgReadJob *job)
{
	g_clear_pointer(&job->inspection, sg_inspection_free);
	g_clear_pointer(&job->result, sg_inspection_free);
	g_free(job->local);
	g_free(job->keep_source);
	g_free(job);
}

/* libguestfs reads local disks only: a lab host's disk comes over the
 * connection first (only its allocated data; an overlay with its base). */
static gboolean
fetch(SgReadJob *job, GError **error)
{
	SgMedia *media = job->read->media;

	job->local = job->fetch_as_base ? sg_media_fetch_base(media, job->disk, error)
					: sg_media_fetch_disk(media, job->disk, error);
	if (job->local == NULL)
		return FALSE;
	/* The base, not the overlay that was read (a lab host's base came
	 * with it). */
	if (job->keep)
		job->keep_source = sg_media_fetch_base(media, job->read->base, NULL);
	return TRUE;
}

static void
fetch_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	GError *error = NULL;

	if (!fetch(data, &error))
		g_task_return_error(task, error);
	else
		g_task_return_boolean(task, TRUE);
}

static void
on_kept(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	SgReadJob *job = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;

	if (!g_subprocess_wait_check_finish(G_SUBPROCESS(source), result, &error))
		g_warning("cannot keep the installed disk as %s: %s", job->read->keep_as,
			  error->message);
	g_task_return_pointer(task, g_steal_pointer(&job->result),
			      (GDestroyNotify)sg_inspection_free);
}

/* The base as the installer left it, sparse, beside the evidence. */
static void
keep_disk(GTask *task)
{
	SgReadJob *job = g_task_get_task_data(task);
	g_autoptr(GSubprocess) cp = NULL;
	g_autoptr(GError) error = NULL;

	if (job->keep_source != NULL)
		cp = g_subprocess_new(G_SUBPROCESS_FLAGS_NONE, &error, "cp", "--sparse=always",
				      job->keep_source, job->read->keep_as, NULL);
	else
		g_set_error(&error, SG_ERROR, SG_ERROR_LAB, "the base %s is not here",
			    job->read->base);
	if (cp == NULL) {
		g_warning("cannot keep the installed disk as %s: %s", job->read->keep_as,
			  error->message);
		g_task_return_pointer(task, g_steal_pointer(&job->result),
				      (GDestroyNotify)sg_inspection_free);
		g_object_unref(task);
		return;
	}
	g_subprocess_wait_check_async(cp, NULL, on_kept, task);
}

static void
on_inspected_process(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GTask *task = user_data;
	SgReadJob *job = g_task_get_task_data(task);
	GError *error = NULL;

	job->result = sg_inspect_process_finish(result, &error);
	if (job->result == NULL) {
		g_task_return_error(task, error);
		g_object_unref(task);
		return;
	}
	if (job->keep) {
		keep_disk(task);
		return;
	}
	g_task_return_pointer(task, g_steal_pointer(&job->result),
			      (GDestroyNotify)sg_inspection_free);
	g_object_unref(task);
}

static void
inspect_fetched(GTask *task)
{
	SgReadJob *job = g_task_get_task_data(task);
	SgInspectRequest request = {
		.disk = job->local,
		.username = job->read->username,
		.force_tcg = job->read->force_tcg,
		.part = job->part,
		.inspection = job->inspection,
		.nice = job->nice,
		.scratch_dir = job->read->scratch_dir,
	};

	sg_inspect_process_async(&request, g_task_get_cancellable(task), on_inspected_process,
				 task);
}

static void
on_fetched(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GTask *task = user_data;
	GError *error = NULL;

	if (!g_task_propagate_boolean(G_TASK(result), &error) ||
	    g_task_return_error_if_cancelled(task)) {
		if (error != NULL)
			g_task_return_error(task, error);
		g_object_unref(task);
		return;
	}
	inspect_fetched(task);
}

/* Reads as @job says; the task returns the inspection. Cancelling
 * @cancellable stops the read at once (G_IO_ERROR_CANCELLED). */
static void
read_disk_async(SgReadJob *job, GCancellable *cancellable, GAsyncReadyCallback callback,
		gpointer user_data)
{
	GTask *task = g_task_new(NULL, cancellable, callback, user_data);
	g_autoptr(GTask) download = NULL;
	GError *error = NULL;

	g_task_set_task_data(task, job, (GDestroyNotify)read_job_free);
	/* Only a lab host's disk needs a download, the one blocking call. */
	if (sg_media_uses_volumes(job->read->media)) {
		download = g_task_new(NULL, cancellable, on_fetched, task);
		g_task_set_task_data(download, job, NULL);
		g_task_run_in_thread(download, fetch_thread);
		return;
	}
	if (!fetch(job, &error)) {
		g_task_return_error(task, error);
		g_object_unref(task);
		return;
	}
	inspect_fetched(task);
}

static SgInspection *
read_disk_finish(GAsyncResult *result, GError **error)
{
	return g_task_propagate_pointer(G_TASK(result), error);
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
	read->base_inspection = read_disk_finish(result, &read->base_error);
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
	SgReadJob *job;

	if (read->base_cancellable != NULL)
		return;
	read->base_cancellable = g_cancellable_new();
	read->base_handler = g_cancellable_connect(read->cancellable, G_CALLBACK(cancel_base),
						   read->base_cancellable, NULL);
	job = g_new0(SgReadJob, 1);
	job->read = read;
	job->disk = read->base;
	job->fetch_as_base = TRUE;
	job->part = SG_INSPECT_PART_BASE;
	job->keep = read->keep_as != NULL;
	/* The appliance's QEMU inherits it and yields the CPU to the booting
	 * guest, whose console silence is timed (a loaded lab host once
	 * starved a boot into "did not boot"). */
	job->nice = BASE_INSPECT_NICE;
	read->base_running = TRUE;
	read->base_started_us = g_get_monotonic_time();
	read_disk_async(job, read->base_cancellable, on_base_read, read);
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
} SgInspectJob;

static void
inspect_job_free(SgInspectJob *job)
{
	g_free(job->console_log);
	g_free(job);
}

/* Ends the inspection with @error, an interrupted read as the run's. */
static void
return_read_error(GTask *task, GError *error)
{
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		g_error_free(error);
		g_task_return_new_error(task, SG_ERROR, SG_ERROR_CANCELLED,
					"interrupted before a verdict");
		return;
	}
	g_task_return_error(task, error);
}

static void
on_read_after_boot(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	GError *error = NULL;
	SgInspection *inspection = read_disk_finish(result, &error);

	if (inspection == NULL) {
		return_read_error(task, error);
		return;
	}
	g_task_return_pointer(task, inspection, (GDestroyNotify)sg_inspection_free);
}

/* After the boot: the overlay's logs added to @base (the base's read,
 * taken), or the disk read whole when the base was not read while the
 * guest booted (@base NULL). */
static void
read_after_boot(GTask *task, SgInspection *base)
{
	SgInspectJob *job = g_task_get_task_data(task);
	SgDiskRead *read = job->read;
	SgReadJob *read_job = g_new0(SgReadJob, 1);

	read_job->read = read;
	if (base != NULL) {
		read_job->disk = read->overlay;
		read_job->part = SG_INSPECT_PART_JOURNAL;
		read_job->inspection = base;
	} else {
		read_job->disk = read->overlay != NULL ? read->overlay : read->base;
		read_job->part = SG_INSPECT_PART_DISK;
		read_job->keep = read->keep_as != NULL;
	}
	read_disk_async(read_job, read->cancellable, on_read_after_boot, task);
}

/* The base is read: the boot's console adds what the boot showed. */
static void
inspect_booted(gpointer user_data)
{
	SgDiskRead *read = user_data;
	g_autoptr(GTask) task = g_steal_pointer(&read->inspect);
	SgInspectJob *job = g_task_get_task_data(task);
	g_autoptr(SgInspection) base = NULL;
	g_autofree gchar *text = NULL;

	g_debug("inspect: waited %.1f s for the base read after the boot; %.1f s of it ran "
		"while the guest booted",
		MAX(read->base_finished_us - read->inspect_started_us, 0) / 1e6,
		(MIN(read->base_finished_us, read->inspect_started_us) - read->base_started_us) /
			1e6);
	if (read->base_inspection == NULL) {
		return_read_error(task, g_error_copy(read->base_error));
		return;
	}
	base = g_steal_pointer(&read->base_inspection);
	if (g_file_get_contents(job->console_log, &text, NULL, NULL))
		sg_inspection_read_text(base, "console", text, read->username);
	if (!sg_inspection_has_desktop(base)) {
		read_after_boot(g_steal_pointer(&task), g_steal_pointer(&base));
		return;
	}
	g_task_return_pointer(task, g_steal_pointer(&base), (GDestroyNotify)sg_inspection_free);
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
		read_after_boot(g_steal_pointer(&task), NULL);
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
	g_free(read->scratch_dir);
	g_free(read->username);
	g_free(read->keep_as);
	g_free(read->base);
	g_free(read->overlay);
	g_free(read);
}
