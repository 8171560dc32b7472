#include "sg-guest-teardown.h"

typedef struct {
	SgGuest *guest;
	gchar *png_path;
} SgTeardown;

static void
teardown_free(SgTeardown *teardown)
{
	g_free(teardown->png_path);
	g_free(teardown);
}

static void
teardown_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	SgTeardown *teardown = data;
	g_autoptr(GError) error = NULL;
	gboolean pictured = FALSE;

	if (teardown->png_path != NULL) {
		pictured = sg_guest_screenshot(teardown->guest, teardown->png_path, &error);
		if (!pictured)
			g_debug("no screenshot: %s", error->message);
	}
	sg_guest_destroy(teardown->guest);
	g_task_return_boolean(task, pictured);
}

void
sg_guest_teardown_async(SgGuest *guest, const gchar *png_path, GAsyncReadyCallback callback,
			gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, NULL, callback, user_data);
	SgTeardown *teardown = g_new0(SgTeardown, 1);

	teardown->guest = guest;
	teardown->png_path = g_strdup(png_path);
	g_task_set_source_tag(task, sg_guest_teardown_async);
	g_task_set_task_data(task, teardown, (GDestroyNotify)teardown_free);
	g_task_run_in_thread(task, teardown_thread);
}

gboolean
sg_guest_teardown_finish(GAsyncResult *result)
{
	g_return_val_if_fail(g_task_is_valid(result, NULL), FALSE);
	return g_task_propagate_boolean(G_TASK(result), NULL);
}
