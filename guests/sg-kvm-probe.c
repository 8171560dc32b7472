#include "sg-kvm-probe.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static gchar *
probe_cache_path(const gchar *cache_dir)
{
	g_autofree gchar *boot_id = NULL;

	if (!g_file_get_contents("/proc/sys/kernel/random/boot_id", &boot_id, NULL, NULL))
		return NULL;
	g_strstrip(boot_id);
	return g_strdup_printf("%s/kvm-probe-%s", cache_dir, boot_id);
}

static gboolean
run_probe(const gchar *kernel, guint timeout_ms, gchar **reason)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *tmpdir = NULL;
	g_autofree gchar *serial = NULL;
	g_autofree gchar *serial_arg = NULL;
	gint64 deadline;
	gboolean works = FALSE;
	GPid pid;
	int status;

	tmpdir = g_dir_make_tmp("smokegate-kvm-probe-XXXXXX", &error);
	if (tmpdir == NULL) {
		*reason = g_strdup_printf("cannot probe KVM: %s", error->message);
		return FALSE;
	}
	serial = g_build_filename(tmpdir, "serial.log", NULL);
	serial_arg = g_strdup_printf("file:%s", serial);
	{
		const gchar *argv[] = {"qemu-system-x86_64",
				       "-accel",
				       "kvm",
				       "-M",
				       "pc",
				       "-m",
				       "128",
				       "-nodefaults",
				       "-display",
				       "none",
				       "-no-reboot",
				       "-serial",
				       serial_arg,
				       "-kernel",
				       kernel,
				       "-append",
				       "console=ttyS0 earlyprintk=ttyS0 panic=-1",
				       NULL};
		/* Reaped by hand below: GSubprocess cannot wait with a timeout. */
		if (!g_spawn_async(NULL, (gchar **)argv, NULL,
				   G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
					   G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
				   NULL, NULL, &pid, &error)) {
			*reason = g_strdup_printf("cannot start the KVM probe: %s", error->message);
			g_rmdir(tmpdir);
			return FALSE;
		}
	}
	deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	while (g_get_monotonic_time() < deadline) {
		g_autofree gchar *text = NULL;
		if (g_file_get_contents(serial, &text, NULL, NULL) &&
		    strstr(text, "Linux version") != NULL) {
			works = TRUE;
			break;
		}
		if (waitpid(pid, &status, WNOHANG) == pid) {
			pid = 0;
			break;
		}
		g_usleep(50 * 1000);
	}
	if (pid != 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	g_spawn_close_pid(pid);
	g_unlink(serial);
	g_rmdir(tmpdir);
	if (works)
		*reason = g_strdup("a KVM test guest booted its kernel");
	else
		*reason = g_strdup_printf("/dev/kvm exists but a KVM test guest did not start its "
					  "kernel within %.1f s",
					  timeout_ms / 1000.0);
	return works;
}

gboolean
sg_kvm_probe(const gchar *kernel, const gchar *cache_dir, guint timeout_ms, gchar **reason)
{
	g_autofree gchar *cache = probe_cache_path(cache_dir);
	g_autofree gchar *cached = NULL;
	gboolean works;

	if (access("/dev/kvm", R_OK | W_OK) != 0) {
		*reason = g_strdup("/dev/kvm is not available");
		return FALSE;
	}
	if (cache != NULL && g_file_get_contents(cache, &cached, NULL, NULL)) {
		g_auto(GStrv) parts = g_strsplit(cached, "\n", 2);
		if (parts[0] != NULL && parts[1] != NULL) {
			*reason = g_strdup_printf("%s (probed earlier this boot)",
						  g_strstrip(parts[1]));
			return g_strcmp0(parts[0], "kvm") == 0;
		}
	}
	works = run_probe(kernel, timeout_ms, reason);
	if (cache != NULL) {
		g_autofree gchar *contents =
			g_strdup_printf("%s\n%s\n", works ? "kvm" : "tcg", *reason);
		g_mkdir_with_parents(cache_dir, 0755);
		g_file_set_contents(cache, contents, -1, NULL);
	}
	return works;
}
