#include "sg-kvm-probe.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sg-arch.h"
#include "sg-console-stream.h"
#include "sg-domain-xml.h"
#include "sg-guest.h"

/* A remote host's answer is trusted this long: its boot is not ours to see. */
#define REMOTE_CACHE_SECONDS (24 * 3600)
#define KERNEL_FIRST_LINE "Linux version"
#define NO_KVM_DOMAINS "the lab host offers no KVM domains"

typedef struct {
	SgLab *lab;
	gchar *cache;
	SgGuest *guest;
	SgConsoleStream *stream;
	GString *console;
	gint64 started;
	guint timer;
	gboolean finished;
	SgKvmProbeDone done;
	gpointer user_data;
	gboolean works;
	gchar *reason;
} SgKvmProbe;

static void
probe_free(SgKvmProbe *probe)
{
	g_clear_handle_id(&probe->timer, g_source_remove);
	g_clear_pointer(&probe->stream, sg_console_stream_free);
	g_clear_pointer(&probe->guest, sg_guest_free);
	if (probe->console != NULL)
		g_string_free(probe->console, TRUE);
	g_free(probe->cache);
	g_free(probe->reason);
	g_free(probe);
}

/* This machine's boot for the embedded driver and a local daemon; the
 * host's name and URI for a remote one; and the guests' machine (QEMU's
 * name): each architecture's KVM is its own answer. */
static gchar *
cache_path(virConnectPtr conn, const gchar *uri, const gchar *cache_dir, const SgArch *machine)
{
	g_autofree gchar *boot_id = NULL;
	g_autofree gchar *hostname = NULL;
	g_autofree gchar *key = NULL;

	if (sg_lab_uri_is_local(uri)) {
		if (!g_file_get_contents("/proc/sys/kernel/random/boot_id", &boot_id, NULL, NULL))
			return NULL;
		return g_strdup_printf("%s/kvm-probe-%s-%s", cache_dir, machine->qemu,
				       g_strstrip(boot_id));
	}
	hostname = virConnectGetHostname(conn);
	key = g_compute_checksum_for_string(G_CHECKSUM_SHA256, uri, -1);
	return g_strdup_printf("%s/kvm-probe-remote-%s-%s-%.16s", cache_dir,
			       hostname != NULL ? hostname : "unknown", machine->qemu, key);
}

/* The machine @arch's guests are (amd64's for i386; amd64 when unknown). */
static const SgArch *
probe_machine(const gchar *arch)
{
	const SgArch *known = sg_arch_find(arch);

	return sg_arch_machine(known != NULL ? known : sg_arch_find("amd64"));
}

/* Why guests run under TCG without a probe: the host's CPU is another
 * architecture (KVM runs only its own), as @emulated says. NULL when it
 * is the same, or the host does not say. */
static gchar *
emulated_reason(const gchar *emulated)
{
	if (emulated == NULL)
		return NULL;
	return g_strdup_printf("emulated under TCG, %s (KVM runs only the host's own "
			       "architecture): not probed",
			       emulated);
}

static gboolean
read_cache(const gchar *cache, const gchar *uri, gboolean *works, gchar **reason)
{
	g_autofree gchar *cached = NULL;
	g_auto(GStrv) parts = NULL;
	GStatBuf st;

	if (cache == NULL || !g_file_get_contents(cache, &cached, NULL, NULL))
		return FALSE;
	if (!sg_lab_uri_is_local(uri) &&
	    (g_stat(cache, &st) != 0 ||
	     g_get_real_time() / G_USEC_PER_SEC - st.st_mtime > REMOTE_CACHE_SECONDS))
		return FALSE;
	parts = g_strsplit(cached, "\n", 2);
	if (parts[0] == NULL || parts[1] == NULL)
		return FALSE;
	*works = g_str_equal(parts[0], "kvm");
	*reason = g_strdup_printf("%s (probed earlier)", g_strstrip(parts[1]));
	return TRUE;
}

static gboolean
call_done(gpointer user_data)
{
	SgKvmProbe *probe = user_data;

	/* The console goes before the guest: libvirt can deadlock when the
	 * two happen at once (see sg-console-stream.c). */
	g_clear_pointer(&probe->stream, sg_console_stream_free);
	if (probe->guest != NULL)
		sg_guest_destroy(probe->guest);
	probe->done(probe->works, probe->reason, probe->user_data);
	probe_free(probe);
	return G_SOURCE_REMOVE;
}

static void
finish(SgKvmProbe *probe, gboolean works, gchar *reason, gboolean cache)
{
	if (probe->finished) {
		g_free(reason);
		return;
	}
	probe->finished = TRUE;
	probe->works = works;
	probe->reason = reason;
	g_clear_handle_id(&probe->timer, g_source_remove);
	if (cache && probe->cache != NULL) {
		g_autofree gchar *dir = g_path_get_dirname(probe->cache);
		g_autofree gchar *contents =
			g_strdup_printf("%s\n%s\n", works ? "kvm" : "tcg", reason);
		g_mkdir_with_parents(dir, 0755);
		g_file_set_contents(probe->cache, contents, -1, NULL);
	}
	/* Out of the stream or timer callback before anything is freed. */
	g_idle_add(call_done, probe);
}

static void
on_console(const gchar *data, gsize len, gpointer user_data)
{
	SgKvmProbe *probe = user_data;

	g_string_append_len(probe->console, data, len);
	if (strstr(probe->console->str, KERNEL_FIRST_LINE) != NULL)
		finish(probe, TRUE,
		       g_strdup_printf("a KVM test guest started its kernel in %.1f s",
				       (g_get_monotonic_time() - probe->started) / 1e6),
		       TRUE);
}

static void
on_console_closed(gpointer user_data)
{
	SgKvmProbe *probe = user_data;

	finish(probe, FALSE, g_strdup("a KVM test guest stopped before its kernel said a word"),
	       TRUE);
}

static gboolean
on_timeout(gpointer user_data)
{
	SgKvmProbe *probe = user_data;

	probe->timer = 0;
	finish(probe, FALSE,
	       g_strdup_printf("the host offers KVM but a KVM test guest did not start its "
			       "kernel within %.1f s",
			       (g_get_monotonic_time() - probe->started) / 1e6),
	       TRUE);
	return G_SOURCE_REMOVE;
}

/* The host's own word first: no KVM domain type, no probe guest. */
static gboolean
host_offers_kvm(virConnectPtr conn, const SgArch *machine)
{
	g_autofree gchar *caps =
		virConnectGetDomainCapabilities(conn, NULL, machine->qemu, NULL, "kvm", 0);
	return caps != NULL;
}

/* sg_kvm_probe_lookup(), and @cache_out the cache's path (NULL when the
 * answer came before it was needed), so that the probe does not ask a
 * remote host its name twice. */
static gboolean
lookup(virConnectPtr conn, const gchar *uri, const gchar *arch, const gchar *emulated,
       const gchar *cache_dir, gboolean *works, gchar **reason, gchar **cache_out)
{
	const SgArch *machine = probe_machine(arch);
	g_autofree gchar *cache = NULL;

	*reason = emulated_reason(emulated);
	if (*reason != NULL) {
		*works = FALSE;
		return TRUE;
	}
	cache = cache_path(conn, uri, cache_dir, machine);
	if (read_cache(cache, uri, works, reason))
		return TRUE;
	if (!host_offers_kvm(conn, machine)) {
		*works = FALSE;
		*reason = g_strdup(NO_KVM_DOMAINS);
		return TRUE;
	}
	if (cache_out != NULL)
		*cache_out = g_steal_pointer(&cache);
	return FALSE;
}

gboolean
sg_kvm_probe_lookup(virConnectPtr conn, const gchar *uri, const gchar *arch, const gchar *emulated,
		    const gchar *cache_dir, gboolean *works, gchar **reason)
{
	return lookup(conn, uri, arch, emulated, cache_dir, works, reason, NULL);
}

void
sg_kvm_probe_async(SgLab *lab, const gchar *arch, const gchar *emulated, const gchar *kernel,
		   const gchar *cache_dir, guint timeout_ms, SgKvmProbeDone done,
		   gpointer user_data)
{
	SgKvmProbe *probe = g_new0(SgKvmProbe, 1);
	const SgArch *machine = probe_machine(arch);
	g_autofree gchar *name = NULL;
	g_autofree gchar *cmdline = NULL;
	g_autoptr(GError) error = NULL;
	gboolean works;
	gchar *reason = NULL;

	probe->lab = lab;
	probe->done = done;
	probe->user_data = user_data;
	probe->console = g_string_new(NULL);
	/* What is known without a guest: nothing new to cache. */
	if (lookup(sg_lab_get_connection(lab), sg_lab_get_uri(lab), arch, emulated, cache_dir,
		   &works, &reason, &probe->cache)) {
		finish(probe, works, reason, FALSE);
		return;
	}
	name = sg_lab_new_guest_name(lab, "kvm-probe");
	/* The kernel of the image's own architecture, on its serial port. */
	cmdline = sg_arch_console_args(machine, "console=ttyS0 earlyprintk=ttyS0 panic=-1");
	probe->guest = sg_guest_start(lab,
				      &(SgDomainSpec){
					      .name = name,
					      .domain_type = "kvm",
					      .memory_mib = 256,
					      .vcpus = 1,
					      .arch = machine->name,
					      .kernel = kernel,
					      .cmdline = cmdline,
				      },
				      &error);
	if (probe->guest == NULL) {
		finish(probe, FALSE,
		       g_strdup_printf("a KVM test guest could not start: %s", error->message),
		       TRUE);
		return;
	}
	probe->stream =
		sg_console_stream_open(probe->guest, on_console, on_console_closed, probe, &error);
	if (probe->stream == NULL || !sg_guest_resume(probe->guest, &error)) {
		/* Our trouble, not the host's answer: nothing cached. */
		finish(probe, FALSE, g_strdup_printf("cannot probe KVM: %s", error->message),
		       FALSE);
		return;
	}
	probe->started = g_get_monotonic_time();
	probe->timer = g_timeout_add(timeout_ms, on_timeout, probe);
}
