#include "sg-main-loop.h"

#include <glib-unix.h>
#include <libvirt-glib/libvirt-glib.h>
#include <signal.h>

#include "sg-virt.h"

void
sg_main_loop_init(void)
{
	static gsize registered = 0;

	if (g_once_init_enter(&registered)) {
		sg_virt_init();
		gvir_event_register();
		g_once_init_leave(&registered, 1);
	}
}

static gboolean
on_signal(gpointer user_data)
{
	g_message("interrupted: stopping guests and cleaning up");
	g_cancellable_cancel(user_data);
	return G_SOURCE_CONTINUE;
}

void
sg_main_loop_run(GMainLoop *loop, GCancellable *cancellable)
{
	guint sigint, sigterm, sighup;

	sg_main_loop_init();
	sigint = g_unix_signal_add(SIGINT, on_signal, cancellable);
	sigterm = g_unix_signal_add(SIGTERM, on_signal, cancellable);
	/* A closed terminal or a dropped ssh session must not leave a guest
	 * running and no verdict: a hang-up stops the work like SIGTERM. */
	sighup = g_unix_signal_add(SIGHUP, on_signal, cancellable);
	g_main_loop_run(loop);
	g_source_remove(sigint);
	g_source_remove(sigterm);
	g_source_remove(sighup);
}
