#include "sg-run-names.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

struct _SgRunNames {
	gchar *host;  /* this coordinator, as a name may hold it */
	gchar *id;    /* "PID-N" */
	gint counter; /* atomic: names are made on several threads */
};

static void
run_names_clear(SgRunNames *names)
{
	g_free(names->host);
	g_free(names->id);
}

SgRunNames *
sg_run_names_new(void)
{
	static gint labs_opened = 0;
	SgRunNames *names = g_atomic_rc_box_new0(SgRunNames);

	names->id = g_strdup_printf("%d-%d", (int)getpid(), g_atomic_int_add(&labs_opened, 1));
	names->host =
		g_strcanon(g_strdup(g_get_host_name()),
			   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", '_');
	return names;
}

SgRunNames *
sg_run_names_ref(SgRunNames *names)
{
	return g_atomic_rc_box_acquire(names);
}

void
sg_run_names_unref(SgRunNames *names)
{
	g_atomic_rc_box_release_full(names, (GDestroyNotify)run_names_clear);
}

const gchar *
sg_run_names_get_id(SgRunNames *names)
{
	return names->id;
}

gchar *
sg_run_names_make(SgRunNames *names, const gchar *what)
{
	return g_strdup_printf("smokegate-%s-%s-%d-%s", names->host, names->id,
			       g_atomic_int_add(&names->counter, 1) + 1, what);
}

gboolean
sg_run_names_is_own(SgRunNames *names, const gchar *name)
{
	g_autofree gchar *prefix = g_strdup_printf("smokegate-%s-%s-", names->host, names->id);

	return g_str_has_prefix(name, prefix);
}

/* A zombie is gone: it is dead, only not reaped yet (a killed run whose
 * parent is slow to wait for it), and holds nothing. */
static gboolean
process_is_alive(pid_t pid)
{
	g_autofree gchar *stat_path = NULL;
	g_autofree gchar *task_path = NULL;
	g_autofree gchar *stat = NULL;
	g_autoptr(GDir) tasks = NULL;
	const gchar *state;
	guint threads = 0;

	if (kill(pid, 0) != 0 && errno != EPERM)
		return FALSE;
	/* /proc/PID/stat: "PID (COMM) STATE ...", COMM may hold anything. */
	stat_path = g_strdup_printf("/proc/%d/stat", (int)pid);
	if (!g_file_get_contents(stat_path, &stat, NULL, NULL))
		return TRUE;
	state = strrchr(stat, ')');
	if (state == NULL || state[1] != ' ' || state[2] != 'Z')
		return TRUE;
	/* A main thread that ended alone is a zombie too while the process's
	 * other threads run on. */
	task_path = g_strdup_printf("/proc/%d/task", (int)pid);
	tasks = g_dir_open(task_path, 0, NULL);
	while (tasks != NULL && g_dir_read_name(tasks) != NULL)
		threads++;
	return threads > 1;
}

gboolean
sg_run_names_pid_is_gone(pid_t pid)
{
	return pid > 0 && pid != getpid() && !process_is_alive(pid);
}

gboolean
sg_run_names_is_stale(SgRunNames *names, const gchar *name)
{
	g_autofree gchar *prefix = g_strdup_printf("smokegate-%s-", names->host);
	gchar *end = NULL;
	gint64 pid;

	if (!g_str_has_prefix(name, prefix))
		return FALSE;
	pid = g_ascii_strtoll(name + strlen(prefix), &end, 10);
	if (end == name + strlen(prefix) || *end != '-')
		return FALSE;
	return sg_run_names_pid_is_gone((pid_t)pid);
}
