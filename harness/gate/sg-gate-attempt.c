#include "sg-gate-attempt.h"

#include <glib/gstdio.h>

#include "sg-error.h"
#include "sg-test-run.h"
#include "sg-thumbnail.h"

#define THUMBNAIL_WIDTH 240

typedef struct {
	/* The pipeline borrows these strings for as long as it runs. */
	SgTestOptions test;
	gchar *image;
	gchar *evidence;
	gchar *uri;
	gchar *accel;
	gchar *flavours_dir;
	gchar *suites_dir;
	gchar **suites;
	gchar *flavour; /* the tree's folder name, for a second try */
	SgProgress *progress;
	SgResult *result;
	gchar *failure; /* when no result */
} SgAttempt;

static void
attempt_free(SgAttempt *attempt)
{
	g_free(attempt->image);
	g_free(attempt->evidence);
	g_free(attempt->uri);
	g_free(attempt->accel);
	g_free(attempt->flavours_dir);
	g_free(attempt->suites_dir);
	g_strfreev(attempt->suites);
	g_free(attempt->flavour);
	sg_result_free(attempt->result);
	g_free(attempt->failure);
	g_free(attempt);
}

/* A build tried again keeps the evidence of the attempts that came before. */
static gchar *
fresh_evidence_dir(const gchar *build_dir)
{
	gchar *smoke = g_build_filename(build_dir, "smoke", NULL);

	if (g_file_test(smoke, G_FILE_TEST_EXISTS)) {
		for (guint n = 1;; n++) {
			g_autofree gchar *old = g_strdup_printf("%s.attempt-%u", smoke, n);
			if (!g_file_test(old, G_FILE_TEST_EXISTS)) {
				g_rename(smoke, old);
				break;
			}
		}
	}
	return smoke;
}

/* The last step, in a thread: reading and scaling a screenshot takes a
 * while. A test without a screenshot has no thumbnail. */
static void
thumbnail_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	SgAttempt *attempt = data;
	g_autofree gchar *screenshot = g_build_filename(attempt->evidence, "screenshot.png", NULL);
	g_autofree gchar *thumbnail = g_build_filename(attempt->evidence, "thumbnail.png", NULL);
	g_autoptr(GError) error = NULL;

	if (g_file_test(screenshot, G_FILE_TEST_EXISTS) &&
	    !sg_thumbnail_write(screenshot, thumbnail, THUMBNAIL_WIDTH, &error))
		g_debug("no thumbnail: %s", error->message);
	g_task_return_pointer(task, g_steal_pointer(&attempt->result),
			      (GDestroyNotify)sg_result_free);
}

static void
on_test_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	SgAttempt *attempt = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	SgResult *result = sg_test_run_finish(res, &error);

	/* Told from the image first; the tree's folder name is the fallback. */
	if (result == NULL && g_error_matches(error, SG_ERROR, SG_ERROR_USAGE) &&
	    attempt->test.flavour == NULL) {
		/* Read before the task is handed on: the order in which a
		 * call's arguments are evaluated is not C's to promise. */
		GCancellable *cancellable = g_task_get_cancellable(task);

		attempt->test.flavour = attempt->flavour;
		sg_test_run_async(&attempt->test, attempt->progress, cancellable, on_test_done,
				  g_steal_pointer(&task));
		return;
	}
	if (result == NULL)
		attempt->failure = g_strdup(error != NULL ? error->message : "no verdict");
	attempt->result = result;
	g_task_run_in_thread(task, thumbnail_thread);
}

void
sg_gate_attempt_run_async(const SgCandidate *candidate, SgLabHost *host,
			  const SgGateOptions *options, gchar **suites, SgProgress *progress,
			  GCancellable *cancellable, GAsyncReadyCallback callback,
			  gpointer user_data)
{
	GTask *task = g_task_new(NULL, cancellable, callback, user_data);
	SgAttempt *attempt = g_new0(SgAttempt, 1);
	SgTestOptions *test = &attempt->test;

	/* A verdict reached while the run is cancelled is still the test's. */
	g_task_set_check_cancellable(task, FALSE);
	g_task_set_task_data(task, attempt, (GDestroyNotify)attempt_free);
	attempt->image = g_build_filename(candidate->dir, candidate->image, NULL);
	attempt->evidence = fresh_evidence_dir(candidate->dir);
	attempt->uri = g_strdup(host->uri);
	attempt->accel = g_strdup(options->accel != NULL ? options->accel
				  : host->accel != NULL	 ? host->accel
							 : "auto");
	attempt->flavours_dir = g_strdup(options->flavours_dir);
	attempt->suites_dir = g_strdup(options->suites_dir);
	attempt->suites = g_strdupv(suites);
	attempt->flavour = g_strdup(candidate->flavour);
	attempt->progress = progress;
	test->image = attempt->image;
	test->evidence_dir = attempt->evidence;
	test->connect_uri = attempt->uri;
	test->max_guests = host->max_guests;
	test->emulation_factor = host->emulation_factor;
	test->flavours_dir = attempt->flavours_dir;
	/* The flavour profile's Suites=, then the tree's. */
	test->suites = (const gchar *const *)attempt->suites;
	test->suites_dir = attempt->suites_dir;
	test->profile_suites = TRUE;
	test->keep_disk = TRUE;
	test->accel = attempt->accel;
	sg_test_run_async(test, progress, cancellable, on_test_done, task);
}

SgResult *
sg_gate_attempt_run_finish(GAsyncResult *result, gchar **failure)
{
	SgAttempt *attempt = g_task_get_task_data(G_TASK(result));
	SgResult *test_result = g_task_propagate_pointer(G_TASK(result), NULL);

	if (test_result == NULL && failure != NULL)
		*failure = g_strdup(attempt->failure != NULL ? attempt->failure : "no verdict");
	return test_result;
}
