#include "sg-lab.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sg-error.h"
#include "sg-files.h"
#include "sg-media.h"
#include "sg-run-names.h"

/*
 * libvirt's embedded QEMU driver is one per process: every lab of this
 * process shares one connection (and one embedded root) per URI.
 */
typedef struct {
	gchar *key;
	gchar *uri;
	gchar *embed_root; /* NULL unless the driver is embedded */
	virConnectPtr conn;
	guint users;
	/* Closed under us (host gone, daemon stopped, keepalive missed):
	 * set and watched on the main loop, where libvirt's events run. */
	gboolean lost;
	GPtrArray *lost_watches; /* SgLostWatch */
} SgSharedConnection;

typedef struct {
	guint id;
	SgLabLostFunc func;
	gpointer user_data;
} SgLostWatch;

static GMutex shared_lock;
static GHashTable *shared_connections; /* key -> SgSharedConnection */

struct _SgLab {
	SgSharedConnection *shared;
	virConnectPtr conn;
	gchar *uri;
	gchar *scratch_dir; /* named after the lab's id, "PID-N" */
	SgRunNames *names;
	SgMedia *media; /* NULL until asked for */
	GMutex media_lock;
};

gchar *
sg_lab_state_dir(void)
{
	const gchar *override = g_getenv("SMOKEGATE_STATE_DIR");

	if (override != NULL && override[0] != '\0')
		return g_strdup(override);
	return g_build_filename(g_get_user_cache_dir(), "smokegate", NULL);
}

/* Kills the QEMU processes an embedded driver left behind: their pid files
 * sit in ROOT/run/qemu/. Checked against /proc so a reused pid is spared. */
static void
kill_orphan_qemus(const gchar *embed_root)
{
	g_autofree gchar *run_dir = g_build_filename(embed_root, "run", "qemu", NULL);
	g_autoptr(GDir) dir = g_dir_open(run_dir, 0, NULL);
	const gchar *name;

	if (dir == NULL)
		return;
	while ((name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *pidfile = NULL;
		g_autofree gchar *contents = NULL;
		g_autofree gchar *cmdline_path = NULL;
		g_autofree gchar *cmdline = NULL;
		gsize cmdline_len = 0;
		gint64 pid;

		if (!g_str_has_suffix(name, ".pid") || g_str_equal(name, "driver.pid"))
			continue;
		pidfile = g_build_filename(run_dir, name, NULL);
		if (!g_file_get_contents(pidfile, &contents, NULL, NULL))
			continue;
		pid = g_ascii_strtoll(contents, NULL, 10);
		if (pid <= 1)
			continue;
		cmdline_path = g_strdup_printf("/proc/%" G_GINT64_FORMAT "/cmdline", pid);
		if (!g_file_get_contents(cmdline_path, &cmdline, &cmdline_len, NULL))
			continue;
		if (memmem(cmdline, cmdline_len, embed_root, strlen(embed_root)) == NULL)
			continue;
		g_message("removing guest %s left by a crashed run (qemu pid %" G_GINT64_FORMAT ")",
			  name, pid);
		kill((pid_t)pid, SIGKILL);
	}
}

/* Embedded roots and scratch folders are named after the pid that owns them. */
static void
remove_stale_folders(const gchar *base, gboolean embed_roots)
{
	g_autoptr(GDir) dir = g_dir_open(base, 0, NULL);
	const gchar *name;

	if (dir == NULL)
		return;
	while ((name = g_dir_read_name(dir)) != NULL) {
		g_autofree gchar *path = g_build_filename(base, name, NULL);
		gchar *end = NULL;
		gint64 pid = g_ascii_strtoll(name, &end, 10);

		/* "PID" or "PID-N": one process may open several labs at once. */
		if (end == name || (*end != '\0' && *end != '-') || !sg_run_names_pid_is_gone(pid))
			continue;
		if (embed_roots)
			kill_orphan_qemus(path);
		g_debug("removing %s left by process %" G_GINT64_FORMAT, path, pid);
		sg_files_remove_tree(path);
	}
}

gboolean
sg_lab_name_is_stale(SgLab *lab, const gchar *name)
{
	return sg_run_names_is_stale(lab->names, name);
}

/* For a shared hypervisor: our guests are named smokegate-HOST-PID-...; a
 * guest whose process on this host is gone was left by a crash. Called when
 * a lab opens and again when it closes: a killed run's calls still under way
 * in the daemon (a guest being started) may make a guest after the first
 * look. */
static void
destroy_orphan_guests(SgLab *lab)
{
	virDomainPtr *domains = NULL;
	int count = virConnectListAllDomains(lab->conn, &domains, VIR_CONNECT_LIST_DOMAINS_ACTIVE);

	if (count < 0) {
		g_autoptr(GError) error = NULL;
		sg_virt_set_error(&error,
				  "cannot list the guests on %s to remove those of crashed runs",
				  lab->uri);
		g_message("%s", error->message);
	}
	for (int i = 0; i < count; i++) {
		const char *name = virDomainGetName(domains[i]);
		if (name != NULL && sg_lab_name_is_stale(lab, name)) {
			g_message("removing guest %s left by a crashed run", name);
			if (virDomainDestroy(domains[i]) < 0) {
				g_autoptr(GError) error = NULL;
				sg_virt_set_error(&error,
						  "cannot remove guest %s left by a crashed run",
						  name);
				/* It may have stopped meanwhile: then it is gone too. */
				if (virDomainIsActive(domains[i]) == 1)
					g_message("%s", error->message);
			}
		}
		virDomainFree(domains[i]);
	}
	free(domains);
}

static gboolean
write_embed_config(const gchar *root, GError **error)
{
	g_autofree gchar *etc = g_build_filename(root, "etc", NULL);
	g_autofree gchar *conf = g_build_filename(etc, "qemu.conf", NULL);
	GString *contents = g_string_new(NULL);
	gboolean ok;

	/* No virtlogd is running for an embedded driver: QEMU writes its own
	 * logs. As root, QEMU runs as the caller, who owns the images. */
	g_string_append(contents, "stdio_handler = \"file\"\n");
	/* QEMU's seccomp sandbox forbids it to start processes; the mirror-only
	 * network forwards each guest connection through one (socat). */
	g_string_append(contents, "seccomp_sandbox = 0\n");
	if (geteuid() == 0)
		g_string_append(contents, "user = \"root\"\ngroup = \"root\"\n"
					  "dynamic_ownership = 0\nremember_owner = 0\n");
	if (g_mkdir_with_parents(etc, 0700) != 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot create %s: %s", etc,
			    g_strerror(errno));
		g_string_free(contents, TRUE);
		return FALSE;
	}
	ok = g_file_set_contents(conf, contents->str, -1, error);
	g_string_free(contents, TRUE);
	return ok;
}

/* Closes the connection and removes the embedded root it ran in. */
/* libvirt calls this from its event loop (our main loop) when the
 * connection closes for any reason but our own virConnectClose. */
static void
on_connection_closed(virConnectPtr conn, int reason, void *opaque)
{
	SgSharedConnection *shared = opaque;
	g_autoptr(GPtrArray) watches = g_ptr_array_new_with_free_func(g_free);

	if (reason == VIR_CONNECT_CLOSE_REASON_CLIENT)
		return;
	g_mutex_lock(&shared_lock);
	shared->lost = TRUE;
	for (guint i = 0; i < shared->lost_watches->len; i++)
		g_ptr_array_add(watches, g_memdup2(g_ptr_array_index(shared->lost_watches, i),
						   sizeof(SgLostWatch)));
	g_mutex_unlock(&shared_lock);
	g_message("lost the connection to %s (%s)", shared->uri,
		  reason == VIR_CONNECT_CLOSE_REASON_KEEPALIVE ? "no answer to keepalive"
		  : reason == VIR_CONNECT_CLOSE_REASON_EOF     ? "closed by the host"
							       : "connection error");
	/* Called outside the lock: a watcher may close its lab. */
	for (guint i = 0; i < watches->len; i++) {
		SgLostWatch *watch = g_ptr_array_index(watches, i);
		watch->func(watch->user_data);
	}
}

static void
shared_connection_free(SgSharedConnection *shared)
{
	if (shared->conn != NULL) {
		virConnectUnregisterCloseCallback(shared->conn, on_connection_closed);
		virConnectClose(shared->conn);
	}
	g_ptr_array_unref(shared->lost_watches);
	if (shared->embed_root != NULL)
		sg_files_remove_tree(shared->embed_root);
	g_free(shared->key);
	g_free(shared->uri);
	g_free(shared->embed_root);
	g_free(shared);
}

static void
shared_connection_release(SgSharedConnection *shared)
{
	g_mutex_lock(&shared_lock);
	if (--shared->users == 0) {
		/* A lost one was replaced in the table already. */
		if (g_hash_table_lookup(shared_connections, shared->key) == shared)
			g_hash_table_remove(shared_connections, shared->key);
		shared_connection_free(shared);
	}
	g_mutex_unlock(&shared_lock);
}

/* A new connection for @uri; NULL embeds the QEMU driver in a root of its own. */
static SgSharedConnection *
shared_connection_open(const gchar *key, const gchar *uri, const gchar *embed_base, GError **error)
{
	SgSharedConnection *shared = g_new0(SgSharedConnection, 1);

	shared->lost_watches = g_ptr_array_new_with_free_func(g_free);
	shared->key = g_strdup(key);
	shared->users = 1;
	if (uri == NULL) {
		g_autofree gchar *pid = g_strdup_printf("%d", (int)getpid());
		shared->embed_root = g_build_filename(embed_base, pid, NULL);
		if (!write_embed_config(shared->embed_root, error)) {
			shared_connection_free(shared);
			return NULL;
		}
		shared->uri = g_strdup_printf("qemu:///embed?root=%s", shared->embed_root);
	} else {
		shared->uri = g_strdup(uri);
	}
	shared->conn = virConnectOpen(shared->uri);
	if (shared->conn == NULL) {
		sg_virt_set_error(error, "cannot connect to %s", shared->uri);
		shared_connection_free(shared);
		return NULL;
	}
	/* A lab host that dies or drops off the network must be noticed in
	 * seconds: libvirt pings it and closes the connection after 3 missed
	 * answers 5 s apart (an embedded driver has nothing to ping). */
	if (uri != NULL && virConnectSetKeepAlive(shared->conn, 5, 3) < 0)
		g_debug("no keepalive on %s: %s", shared->uri, sg_virt_last_error());
	if (uri != NULL &&
	    virConnectRegisterCloseCallback(shared->conn, on_connection_closed, shared, NULL) < 0)
		g_debug("no close callback on %s: %s", shared->uri, sg_virt_last_error());
	return shared;
}

/* Opens (or shares) the connection for @uri; NULL embeds the QEMU driver. */
static SgSharedConnection *
shared_connection_acquire(const gchar *uri, const gchar *embed_base, GError **error)
{
	const gchar *key = uri != NULL ? uri : "";
	SgSharedConnection *shared;

	g_mutex_lock(&shared_lock);
	if (shared_connections == NULL)
		shared_connections = g_hash_table_new(g_str_hash, g_str_equal);
	shared = g_hash_table_lookup(shared_connections, key);
	/* A lost connection stays with the labs that hold it; new labs get a new one. */
	if (shared != NULL && shared->lost) {
		g_hash_table_steal(shared_connections, key);
		shared = NULL;
	}
	if (shared != NULL) {
		shared->users++;
	} else {
		shared = shared_connection_open(key, uri, embed_base, error);
		if (shared != NULL)
			g_hash_table_insert(shared_connections, shared->key, shared);
	}
	g_mutex_unlock(&shared_lock);
	return shared;
}

void
sg_lab_remove_stale(void)
{
	static gsize stale_checked = 0;

	if (g_once_init_enter(&stale_checked)) {
		g_autofree gchar *state = sg_lab_state_dir();
		g_autofree gchar *embed_base = g_build_filename(state, "embed", NULL);
		g_autofree gchar *scratch_base = g_build_filename(state, "scratch", NULL);

		remove_stale_folders(embed_base, TRUE);
		remove_stale_folders(scratch_base, FALSE);
		g_once_init_leave(&stale_checked, 1);
	}
}

SgLab *
sg_lab_open(const gchar *uri, GError **error)
{
	g_autofree gchar *state = sg_lab_state_dir();
	g_autofree gchar *embed_base = g_build_filename(state, "embed", NULL);
	g_autofree gchar *scratch_base = g_build_filename(state, "scratch", NULL);
	SgLab *lab = g_new0(SgLab, 1);

	g_mutex_init(&lab->media_lock);
	lab->names = sg_run_names_new();
	/* Once per process: what crashed runs left behind. */
	sg_lab_remove_stale();
	lab->scratch_dir = g_build_filename(scratch_base, sg_run_names_get_id(lab->names), NULL);
	if (g_mkdir_with_parents(lab->scratch_dir, 0700) != 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "cannot create %s: %s", lab->scratch_dir,
			    g_strerror(errno));
		sg_lab_close(lab);
		return NULL;
	}
	lab->shared = shared_connection_acquire(uri, embed_base, error);
	if (lab->shared == NULL) {
		sg_lab_close(lab);
		return NULL;
	}
	lab->conn = lab->shared->conn;
	lab->uri = g_strdup(lab->shared->uri);
	if (lab->shared->embed_root == NULL)
		destroy_orphan_guests(lab);
	return lab;
}

/* Destroys every guest this process still has, whatever state it is in. */
static void
destroy_own_guests(SgLab *lab)
{
	virDomainPtr *domains = NULL;
	int count = virConnectListAllDomains(lab->conn, &domains, 0);

	for (int i = 0; i < count; i++) {
		const char *name = virDomainGetName(domains[i]);
		if (name != NULL && sg_run_names_is_own(lab->names, name) &&
		    virDomainIsActive(domains[i]) == 1)
			virDomainDestroy(domains[i]);
		virDomainFree(domains[i]);
	}
	free(domains);
}

void
sg_lab_close(SgLab *lab)
{
	if (lab == NULL)
		return;
	if (lab->conn != NULL)
		destroy_own_guests(lab);
	/* Over a lost connection nothing can be removed: the run says why. */
	if (lab->conn != NULL && lab->shared->embed_root == NULL && !sg_lab_is_lost(lab))
		destroy_orphan_guests(lab);
	/* After the guests: no volume is deleted under a running QEMU. */
	g_clear_pointer(&lab->media, sg_media_free);
	g_mutex_clear(&lab->media_lock);
	if (lab->shared != NULL)
		shared_connection_release(lab->shared);
	if (lab->scratch_dir != NULL)
		sg_files_remove_tree(lab->scratch_dir);
	g_free(lab->scratch_dir);
	g_free(lab->uri);
	g_clear_pointer(&lab->names, sg_run_names_unref);
	g_free(lab);
}

guint
sg_lab_watch_lost(SgLab *lab, SgLabLostFunc func, gpointer user_data)
{
	static guint next_id = 0;
	SgLostWatch *watch = g_new0(SgLostWatch, 1);

	g_mutex_lock(&shared_lock);
	watch->id = ++next_id;
	watch->func = func;
	watch->user_data = user_data;
	g_ptr_array_add(lab->shared->lost_watches, watch);
	g_mutex_unlock(&shared_lock);
	return watch->id;
}

void
sg_lab_unwatch_lost(SgLab *lab, guint id)
{
	g_mutex_lock(&shared_lock);
	for (guint i = 0; i < lab->shared->lost_watches->len; i++) {
		SgLostWatch *watch = g_ptr_array_index(lab->shared->lost_watches, i);
		if (watch->id == id) {
			g_ptr_array_remove_index(lab->shared->lost_watches, i);
			break;
		}
	}
	g_mutex_unlock(&shared_lock);
}

gboolean
sg_lab_is_lost(SgLab *lab)
{
	gboolean lost;

	if (lab->shared == NULL)
		return FALSE;
	g_mutex_lock(&shared_lock);
	lost = lab->shared->lost;
	g_mutex_unlock(&shared_lock);
	return lost || (lab->shared->embed_root == NULL && virConnectIsAlive(lab->conn) != 1);
}

virConnectPtr
sg_lab_get_connection(SgLab *lab)
{
	return lab->conn;
}

const gchar *
sg_lab_get_uri(SgLab *lab)
{
	return lab->uri;
}

gboolean
sg_lab_uri_is_local(const gchar *uri)
{
	/* A remote URI names a host; local ones (embed, system, session) do not. */
	return strstr(uri, "://") != NULL && strstr(uri, ":///") != NULL;
}

gboolean
sg_lab_is_local(SgLab *lab)
{
	return sg_lab_uri_is_local(lab->uri);
}

gboolean
sg_lab_is_embedded(SgLab *lab)
{
	return g_str_has_prefix(lab->uri, "qemu:///embed");
}

SgMedia *
sg_lab_get_media(SgLab *lab, GError **error)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&lab->media_lock);

	if (lab->media == NULL) {
		SgMediaHost host = {
			.conn = lab->conn,
			.embedded = sg_lab_is_embedded(lab),
			.local = sg_lab_is_local(lab),
			.scratch_dir = lab->scratch_dir,
			.names = lab->names,
		};
		lab->media = sg_media_new(&host, error);
	}
	return lab->media;
}

const gchar *
sg_lab_get_scratch_dir(SgLab *lab)
{
	return lab->scratch_dir;
}

gchar *
sg_lab_new_guest_name(SgLab *lab, const gchar *phase)
{
	return sg_run_names_make(lab->names, phase);
}
