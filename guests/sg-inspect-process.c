#include "sg-inspect-process.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sg-error.h"
#include "sg-files.h"

/* The child's one-line error, as the command prints it. */
#define ERROR_PREFIX "smokegate " SG_INSPECT_PROCESS_COMMAND ": "

static const gchar *const part_names[] = {
	[SG_INSPECT_PART_DISK] = "disk",
	[SG_INSPECT_PART_BASE] = "base",
	[SG_INSPECT_PART_JOURNAL] = "journal",
};

const gchar *
sg_inspect_part_to_string(SgInspectPart part)
{
	g_return_val_if_fail(part < G_N_ELEMENTS(part_names), NULL);
	return part_names[part];
}

gboolean
sg_inspect_part_from_string(const gchar *name, SgInspectPart *part)
{
	for (guint i = 0; i < G_N_ELEMENTS(part_names); i++) {
		if (g_strcmp0(name, part_names[i]) == 0) {
			*part = i;
			return TRUE;
		}
	}
	return FALSE;
}

typedef struct {
	gchar *disk;
	/* The child's temporary folder, removed once it is gone (see
	 * sg_inspect_process_async). */
	gchar *scratch;
	GSubprocess *process;
	GCancellable *cancellable;
	gulong cancel_handler;
	GBytes *out;
	GBytes *err;
	GError *error; /* of talking to the child */
} SgProcessJob;

static void
process_job_free(SgProcessJob *job)
{
	if (job->cancel_handler != 0)
		g_cancellable_disconnect(job->cancellable, job->cancel_handler);
	g_clear_object(&job->cancellable);
	g_clear_object(&job->process);
	g_clear_pointer(&job->out, g_bytes_unref);
	g_clear_pointer(&job->err, g_bytes_unref);
	g_clear_error(&job->error);
	if (job->scratch != NULL)
		sg_files_remove_tree(job->scratch);
	g_free(job->scratch);
	g_free(job->disk);
	g_free(job);
}

typedef struct {
	pid_t parent;
	gint nice;
} SgChildSetup;

/* In the child, between fork and exec: a process group of its own, which
 * the command ends whole on SIGTERM (the appliance's QEMU is in it), and
 * SIGTERM when the coordinator dies, so that nothing outlives it. */
static void
child_setup(gpointer data)
{
	const SgChildSetup *setup = data;

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != setup->parent)
		_exit(127); /* the coordinator died before prctl() */
	if (setup->nice != 0)
		setpriority(PRIO_PROCESS, 0, setup->nice);
}

static void
on_cancelled(GCancellable *cancellable, gpointer user_data)
{
	g_subprocess_send_signal(user_data, SIGTERM);
}

/* The child's error line, its other lines passed on as debug messages. */
static gchar *
child_error_line(GBytes *err)
{
	g_autofree gchar *text = NULL;
	g_auto(GStrv) lines = NULL;
	gchar *error_line = NULL;

	if (err == NULL || g_bytes_get_size(err) == 0)
		return NULL;
	text = g_strndup(g_bytes_get_data(err, NULL), g_bytes_get_size(err));
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		if (g_str_has_prefix(lines[i], ERROR_PREFIX)) {
			g_free(error_line);
			error_line = g_strdup(lines[i] + strlen(ERROR_PREFIX));
		} else if (lines[i][0] != '\0') {
			g_debug("%s: %s", SG_INSPECT_PROCESS_COMMAND, lines[i]);
		}
	}
	return error_line;
}

/* The child is gone (a child whose pipes failed was ended first). */
static void
on_exited(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	SgProcessJob *job = g_task_get_task_data(task);
	g_autofree gchar *error_line = child_error_line(job->err);
	GError *error = NULL;
	SgInspection *inspection;

	g_subprocess_wait_finish(job->process, result, NULL);
	if (g_task_return_error_if_cancelled(task))
		return;
	if (g_subprocess_get_if_signaled(job->process)) {
		gint signal = g_subprocess_get_term_sig(job->process);
		g_task_return_new_error(task, SG_ERROR, SG_ERROR_LAB,
					"the inspection of %s ended by signal %d (%s)", job->disk,
					signal, g_strsignal(signal));
		return;
	}
	if (g_subprocess_get_exit_status(job->process) != 0) {
		if (error_line != NULL)
			g_task_return_new_error(task, SG_ERROR, SG_ERROR_LAB, "%s", error_line);
		else
			g_task_return_new_error(task, SG_ERROR, SG_ERROR_LAB,
						"the inspection of %s ended with exit status %d",
						job->disk,
						g_subprocess_get_exit_status(job->process));
		return;
	}
	if (job->error != NULL) {
		g_task_return_new_error(task, SG_ERROR, SG_ERROR_LAB,
					"cannot read the inspection of %s: %s", job->disk,
					job->error->message);
		return;
	}
	inspection = sg_inspection_from_bytes(job->out, &error);
	if (inspection == NULL) {
		g_prefix_error(&error, "the inspection of %s: ", job->disk);
		g_task_return_error(task, error);
		return;
	}
	g_task_return_pointer(task, inspection, (GDestroyNotify)sg_inspection_free);
}

static void
on_communicated(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GTask *task = user_data;
	SgProcessJob *job = g_task_get_task_data(task);

	/* On an error GSubprocess stops waiting for the child: end it, and
	 * wait for it here, so that the task never returns before it is gone. */
	if (!g_subprocess_communicate_finish(job->process, result, &job->out, &job->err,
					     &job->error))
		g_subprocess_send_signal(job->process, SIGTERM);
	g_subprocess_wait_async(job->process, NULL, on_exited, task);
}

void
sg_inspect_process_async(const SgInspectRequest *request, GCancellable *cancellable,
			 GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);
	g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(
		G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
		G_SUBPROCESS_FLAGS_STDERR_PIPE);
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_autoptr(GBytes) input = NULL;
	SgChildSetup setup = {.parent = getpid(), .nice = request->nice};
	SgProcessJob *job = g_new0(SgProcessJob, 1);
	GError *error = NULL;

	g_task_set_source_tag(task, sg_inspect_process_async);
	g_task_set_task_data(task, job, (GDestroyNotify)process_job_free);
	job->disk = g_strdup(request->disk);
	if (g_task_return_error_if_cancelled(task))
		return;
	/* This very program, even when its file was replaced since it started
	 * (an upgrade): the child speaks the same JSON. */
	g_ptr_array_add(argv, "/proc/self/exe");
	g_ptr_array_add(argv, SG_INSPECT_PROCESS_COMMAND);
	g_ptr_array_add(argv, "--part");
	g_ptr_array_add(argv, (gpointer)sg_inspect_part_to_string(request->part));
	if (request->username != NULL) {
		g_ptr_array_add(argv, "--user");
		g_ptr_array_add(argv, (gpointer)request->username);
	}
	if (request->force_tcg)
		g_ptr_array_add(argv, "--force-tcg");
	g_ptr_array_add(argv, "--");
	g_ptr_array_add(argv, (gpointer)request->disk);
	g_ptr_array_add(argv, NULL);
	/* libguestfs's per-handle folder (its overlay of the disk) in a folder
	 * of the coordinator's, removed once the child is gone, even a child
	 * that had to be killed before closing its handle (see
	 * end_process_group); in the lab's scratch folder, the next run's to
	 * sweep should the coordinator itself die. Its appliance cache (TMPDIR's or /var/tmp's
	 * .guestfs-UID) stays where it is, built once. */
	if (request->scratch_dir != NULL) {
		job->scratch = g_build_filename(request->scratch_dir, "inspect-XXXXXX", NULL);
		if (g_mkdtemp(job->scratch) == NULL) {
			int saved = errno;
			g_set_error(&error, G_FILE_ERROR, g_file_error_from_errno(saved),
				    "cannot create %s: %s", job->scratch, g_strerror(saved));
			g_clear_pointer(&job->scratch, g_free);
		}
	} else {
		job->scratch = g_dir_make_tmp("smokegate-inspect-XXXXXX", &error);
	}
	if (job->scratch == NULL) {
		g_prefix_error(&error, "cannot start the inspection of %s: ", request->disk);
		g_task_return_error(task, error);
		return;
	}
	g_subprocess_launcher_setenv(launcher, "LIBGUESTFS_TMPDIR", job->scratch, TRUE);
	g_subprocess_launcher_set_child_setup(launcher, child_setup, &setup, NULL);
	job->process =
		g_subprocess_launcher_spawnv(launcher, (const gchar *const *)argv->pdata, &error);
	if (job->process == NULL) {
		g_prefix_error(&error, "cannot start the inspection of %s: ", request->disk);
		g_task_return_error(task, error);
		return;
	}
	g_debug("inspect: %s --part %s %s (pid %s)", SG_INSPECT_PROCESS_COMMAND,
		sg_inspect_part_to_string(request->part), request->disk,
		g_subprocess_get_identifier(job->process));
	if (cancellable != NULL) {
		job->cancellable = g_object_ref(cancellable);
		job->cancel_handler = g_cancellable_connect(cancellable, G_CALLBACK(on_cancelled),
							    job->process, NULL);
	}
	/* Its standard input ends after the inspection it adds to, or at once. */
	input = request->part == SG_INSPECT_PART_JOURNAL
			? sg_inspection_to_bytes(request->inspection)
			: g_bytes_new_static("", 0);
	g_subprocess_communicate_async(job->process, input, NULL, on_communicated,
				       g_steal_pointer(&task));
}

SgInspection *
sg_inspect_process_finish(GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}

/* The child leads its process group (child_setup). On SIGTERM it ends the
 * group's other members, the appliance's QEMU and libguestfs's recovery
 * process, with a SIGTERM it now ignores itself: the libguestfs call it
 * waits in fails at once, and it closes its handle on the way out, which
 * removes the appliance's folders (for root the sockets' one is always
 * /tmp/libguestfsXXXXXX: no environment moves it). The alarm ends it
 * should that take more than a few seconds. getpid(), sigaction(),
 * raise(), kill() and alarm() are safe in a signal handler. */
static volatile pid_t group_leader;

static void
end_process_group(int signal_number)
{
	struct sigaction action = {.sa_handler = SIG_DFL};

	/* A fork that kept this handler (libguestfs's recovery process) just
	 * ends, as it would have without it. */
	if (getpid() != group_leader) {
		sigaction(SIGTERM, &action, NULL);
		raise(SIGTERM);
		return;
	}
	action.sa_handler = SIG_IGN;
	sigaction(SIGTERM, &action, NULL);
	kill(0, SIGTERM);
	alarm(5);
}

void
sg_inspect_process_child_init(void)
{
	g_log_writer_default_set_use_stderr(TRUE);
	/* Run by hand from a shell, the child shares the shell's group: leave
	 * SIGTERM as it is. */
	if (getpgrp() == getpid()) {
		group_leader = getpid();
		signal(SIGTERM, end_process_group);
	}
}
