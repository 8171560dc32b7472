#include "sg-worker.h"

#include "sg-main-loop.h"

typedef struct {
	GThreadFunc func;
	gpointer data;
	gpointer result;
	GMainLoop *loop;
} SgWorker;

static gboolean
quit_loop(gpointer user_data)
{
	g_main_loop_quit(user_data);
	return G_SOURCE_REMOVE;
}

static gpointer
worker_thread(gpointer user_data)
{
	SgWorker *worker = user_data;

	worker->result = worker->func(worker->data);
	/* Queued, never called here: g_main_context_invoke() would run it in
	 * this thread when the main loop has not started yet, and the quit
	 * would be lost before the loop runs. */
	g_idle_add(quit_loop, worker->loop);
	return NULL;
}

gpointer
sg_worker_run(GThreadFunc func, gpointer data, GCancellable *cancellable)
{
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	SgWorker worker = {func, data, NULL, loop};
	GThread *thread;

	sg_main_loop_init();
	thread = g_thread_new("smokegate-worker", worker_thread, &worker);
	sg_main_loop_run(loop, cancellable);
	g_thread_join(thread);
	return worker.result;
}

void
sg_worker_wait(SgWorkerWait *wait, GSourceFunc start, gpointer data)
{
	g_return_if_fail(!g_main_context_is_owner(g_main_context_default()));
	g_mutex_init(&wait->lock);
	g_cond_init(&wait->cond);
	wait->done = FALSE;
	g_idle_add(start, data);
	g_mutex_lock(&wait->lock);
	while (!wait->done)
		g_cond_wait(&wait->cond, &wait->lock);
	g_mutex_unlock(&wait->lock);
	g_mutex_clear(&wait->lock);
	g_cond_clear(&wait->cond);
}

void
sg_worker_wait_done(SgWorkerWait *wait)
{
	g_mutex_lock(&wait->lock);
	wait->done = TRUE;
	g_cond_signal(&wait->cond);
	g_mutex_unlock(&wait->lock);
}
