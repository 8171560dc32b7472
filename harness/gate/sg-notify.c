#include "sg-notify.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "sg-credentials.h"
#include "sg-curl.h"
#include "sg-error.h"
#include "sg-files.h"
#include "sg-json.h"
#include "sg-lock.h"
#include "sg-tree.h"

#define SEQUENCE_DIGITS 20
#define NOTICE_SUFFIX ".json"

/* The spool's locks are only ever waited for: no holder line. */
static SgLock *
notify_lock_take(const gchar *path, GError **error)
{
	return sg_lock_acquire(path, NULL, SG_LOCK_WAIT_FOREVER, NULL, error);
}

static gchar *
spool_dir(const gchar *tree)
{
	return g_build_filename(tree, ".smokegate", "notices", NULL);
}

/* Atomic and durable: a reader sees the old file, the new file or none, never
 * half of one, and a notice that was spooled survives a power cut. */
static gboolean
write_atomically(const gchar *path, const gchar *contents, GError **error)
{
	if (!sg_files_write_durably_private(path, contents, -1, error)) {
		g_prefix_error(error, "cannot spool a tracker notice: ");
		return FALSE;
	}
	return TRUE;
}

/* Only complete notices match: the temporary files that
 * g_file_set_contents_full() renames from have a suffix after ".json". */
static gboolean
is_notice_name(const gchar *name)
{
	if (strlen(name) != SEQUENCE_DIGITS + strlen(NOTICE_SUFFIX))
		return FALSE;
	for (guint i = 0; i < SEQUENCE_DIGITS; i++) {
		if (!g_ascii_isdigit(name[i]))
			return FALSE;
	}
	return g_str_has_suffix(name, NOTICE_SUFFIX);
}

static gboolean
keep_notice(const gchar *dir, const gchar *name)
{
	return is_notice_name(name);
}

/* The notice names in @queue_dir, oldest first (zero-padded numbers sort as text). */
static GPtrArray *
list_notices(const gchar *queue_dir)
{
	return sg_files_list(queue_dir, keep_notice);
}

/* The queue folders (one per URL), in a stable order. */
static GPtrArray *
list_queues(const gchar *dir_path)
{
	return sg_files_list(dir_path, sg_files_keep_folder);
}

static gboolean
read_sequence(const gchar *path, guint64 *sequence, GError **error)
{
	g_autofree gchar *text = NULL;
	g_autoptr(GError) local_error = NULL;

	if (!sg_files_read_regular(path, SG_FILES_NOFOLLOW, SG_FILES_CONFIG_MAX_BYTES, &text, NULL,
				   &local_error)) {
		if (g_error_matches(local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
			*sequence = 0;
			return TRUE;
		}
		g_set_error(error, SG_ERROR, SG_ERROR_TREE, "%s", local_error->message);
		return FALSE;
	}
	if (!g_ascii_string_to_unsigned(g_strstrip(text), 10, 0, G_MAXUINT64, sequence, NULL)) {
		g_set_error(error, SG_ERROR, SG_ERROR_TREE,
			    "%s does not hold a sequence number; fix or remove it", path);
		return FALSE;
	}
	return TRUE;
}

/* The queue folder of @url, created with its "url" file when it is new. */
static gchar *
ensure_queue(const gchar *dir, const gchar *url, GError **error)
{
	g_autofree gchar *hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, url, -1);
	g_autofree gchar *queue = g_build_filename(dir, hash, NULL);
	g_autofree gchar *url_path = g_build_filename(queue, "url", NULL);

	if (g_mkdir_with_parents(queue, 0700) != 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_TREE, "cannot create %s: %s", queue,
			    g_strerror(errno));
		return NULL;
	}
	if (!g_file_test(url_path, G_FILE_TEST_EXISTS)) {
		g_autofree gchar *line = g_strdup_printf("%s\n", url);
		if (!write_atomically(url_path, line, error))
			return NULL;
	}
	return g_steal_pointer(&queue);
}

gboolean
sg_notify_enqueue(const gchar *tree, const gchar *const *urls, JsonNode *event, GError **error)
{
	g_autofree gchar *dir = NULL;
	g_autofree gchar *lock_path = NULL;
	g_autofree gchar *sequence_path = NULL;
	g_autofree gchar *body = NULL;
	g_autofree gchar *sequence_text = NULL;
	g_autofree gchar *notice_name = NULL;
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(SgLock) lock = NULL;
	guint64 sequence = 0;

	g_return_val_if_fail(tree != NULL, FALSE);
	g_return_val_if_fail(event != NULL && JSON_NODE_HOLDS_OBJECT(event), FALSE);

	if (urls == NULL || urls[0] == NULL)
		return TRUE;
	dir = spool_dir(tree);
	if (!sg_files_make_real_folder(dir, error)) {
		sg_tree_error_claim(error);
		return FALSE;
	}
	/* Only smokegate reads the spool: it names the trackers. */
	g_chmod(dir, 0700);
	body = json_to_string(event, FALSE);

	/* The lock is held until every copy is renamed into place, so a notice with
	 * a higher number never shows up before one with a lower number: a delivery
	 * that lists the queues under the same lock can never overtake a notice. */
	lock_path = g_build_filename(dir, ".lock", NULL);
	lock = notify_lock_take(lock_path, error);
	if (lock == NULL)
		return FALSE;
	sequence_path = g_build_filename(dir, ".sequence", NULL);
	if (!read_sequence(sequence_path, &sequence, error))
		return FALSE;
	sequence++;
	/* Saved before the notices: a crash in between leaves a gap, never a reused number. */
	sequence_text = g_strdup_printf("%" G_GUINT64_FORMAT "\n", sequence);
	if (!write_atomically(sequence_path, sequence_text, error))
		return FALSE;
	notice_name =
		g_strdup_printf("%0*" G_GUINT64_FORMAT NOTICE_SUFFIX, SEQUENCE_DIGITS, sequence);

	for (guint i = 0; urls[i] != NULL; i++) {
		g_autofree gchar *queue = NULL;
		g_autofree gchar *path = NULL;

		/* A URL listed twice in the configuration is still told once. */
		if (!g_hash_table_add(seen, (gpointer)urls[i]))
			continue;
		queue = ensure_queue(dir, urls[i], error);
		if (queue == NULL)
			return FALSE;
		path = g_build_filename(queue, notice_name, NULL);
		if (!write_atomically(path, body, error))
			return FALSE;
	}
	return TRUE;
}

static size_t
discard_body(char *data, size_t size, size_t nmemb, void *user_data)
{
	return size * nmemb;
}

static gboolean
post_notice(const gchar *url, const SgCredentials *credentials, const gchar *body, gsize length,
	    GError **error)
{
	g_autoptr(CURL) curl = NULL;
	g_autoptr(SgCurlHeaders) headers = NULL;
	g_autofree gchar *shown = sg_curl_redact_url(url);
	gchar message[CURL_ERROR_SIZE];
	CURLcode res;
	long status = 0;

	curl = sg_curl_new(url, message, error);
	if (curl == NULL)
		return FALSE;
	headers = curl_slist_append(headers, "Content-Type: application/json");
	if (credentials != NULL && credentials->token != NULL) {
		g_autofree gchar *bearer =
			g_strdup_printf("Authorization: Bearer %s", credentials->token);
		headers = curl_slist_append(headers, bearer);
	} else if (credentials != NULL) {
		curl_easy_setopt(curl, CURLOPT_USERNAME, credentials->user);
		curl_easy_setopt(curl, CURLOPT_PASSWORD,
				 credentials->password != NULL ? credentials->password : "");
	}
	/* No "100 continue" round trip: a small tracker may never answer it. */
	headers = curl_slist_append(headers, "Expect:");
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)length);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_body);

	res = curl_easy_perform(curl);
	if (res != CURLE_OK) {
		sg_curl_set_error(error, url, res, message);
		return FALSE;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		g_set_error(error, SG_ERROR, SG_ERROR_FETCH, "%s answered HTTP %ld", shown, status);
		return FALSE;
	}
	return TRUE;
}

/* The pause before another try, in the delivering thread: cut short when
 * @cancellable is cancelled. */
static void
pause_before_retry(guint seconds, GCancellable *cancellable)
{
	GPollFD fd;

	if (cancellable == NULL || !g_cancellable_make_pollfd(cancellable, &fd)) {
		g_poll(NULL, 0, (gint)seconds * 1000);
		return;
	}
	g_poll(&fd, 1, (gint)seconds * 1000);
	g_cancellable_release_fd(cancellable);
}

static gboolean
post_with_retries(const gchar *url, const SgCredentials *credentials, const gchar *body,
		  gsize length, guint attempts, GCancellable *cancellable, GError **error)
{
	g_autoptr(GError) local_error = NULL;
	g_autofree gchar *shown = sg_curl_redact_url(url);

	for (guint attempt = 0;; attempt++) {
		g_clear_error(&local_error);
		if (post_notice(url, credentials, body, length, &local_error))
			return TRUE;
		g_debug("notice to %s, attempt %u: %s", shown, attempt + 1, local_error->message);
		if (attempt >= attempts || g_cancellable_is_cancelled(cancellable))
			break;
		pause_before_retry(attempt + 1, cancellable);
	}
	g_propagate_error(error, g_steal_pointer(&local_error));
	return FALSE;
}

static gchar *
read_queue_url(const gchar *queue_dir)
{
	g_autofree gchar *path = g_build_filename(queue_dir, "url", NULL);
	g_autofree gchar *text = NULL;

	if (!sg_files_read_regular(path, SG_FILES_NOFOLLOW, SG_FILES_CONFIG_MAX_BYTES, &text, NULL,
				   NULL))
		return NULL;
	g_strstrip(text);
	if (text[0] == '\0')
		return NULL;
	return g_steal_pointer(&text);
}

/* Sends what @queue holds now, oldest first, and stops at the first notice the
 * tracker would not take so that nothing behind it overtakes it. */
static gboolean
deliver_queue(const gchar *queue_dir, GPtrArray *names, guint attempts, GCancellable *cancellable,
	      guint *sent, GError **error)
{
	g_autofree gchar *url = read_queue_url(queue_dir);
	g_autoptr(SgCredentials) credentials = NULL;
	g_autoptr(GError) credentials_error = NULL;

	if (url == NULL) {
		g_set_error(error, SG_ERROR, SG_ERROR_TREE, "%s has no readable url file",
			    queue_dir);
		return FALSE;
	}
	credentials = sg_credentials_lookup(url, &credentials_error);
	if (credentials_error != NULL) {
		g_propagate_prefixed_error(error, g_steal_pointer(&credentials_error),
					   "tracker credentials: ");
		return FALSE;
	}
	for (guint i = 0; i < names->len; i++) {
		g_autofree gchar *path = g_build_filename(queue_dir, names->pdata[i], NULL);
		g_autofree gchar *body = NULL;
		gsize length = 0;

		if (!sg_files_read_regular(path, SG_FILES_NOFOLLOW, SG_JSON_FILE_MAX_BYTES, &body,
					   &length, error))
			return FALSE;
		if (!post_with_retries(url, credentials, body, length, attempts, cancellable,
				       error))
			return FALSE;
		/* Removed only after the 2xx: a crash in between sends it twice, never zero times.
		 */
		if (g_unlink(path) != 0) {
			g_set_error(error, SG_ERROR, SG_ERROR_TREE,
				    "%s was delivered but cannot be removed: %s", path,
				    g_strerror(errno));
			return FALSE;
		}
		(*sent)++;
	}
	return TRUE;
}

/* Snapshot of every queue's notices, taken under the enqueue lock so that it
 * holds every notice up to the newest one it holds. */
static GHashTable *
snapshot_queues(const gchar *dir, GPtrArray **queues_out, GError **error)
{
	g_autofree gchar *lock_path = g_build_filename(dir, ".lock", NULL);
	g_autoptr(SgLock) lock = notify_lock_take(lock_path, error);
	g_autoptr(GHashTable) snapshot = NULL;
	g_autoptr(GPtrArray) queues = NULL;

	if (lock == NULL)
		return NULL;
	snapshot = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					 (GDestroyNotify)g_ptr_array_unref);
	queues = list_queues(dir);
	for (guint i = 0; i < queues->len; i++) {
		g_autofree gchar *queue_dir = g_build_filename(dir, queues->pdata[i], NULL);
		g_hash_table_insert(snapshot, g_strdup(queues->pdata[i]), list_notices(queue_dir));
	}
	*queues_out = g_steal_pointer(&queues);
	return g_steal_pointer(&snapshot);
}

/* Empty queue folders go, under the enqueue lock so that no enqueue is
 * writing into a folder while it is removed. */
static void
prune_empty_queues(const gchar *dir)
{
	g_autofree gchar *lock_path = g_build_filename(dir, ".lock", NULL);
	g_autoptr(SgLock) lock = notify_lock_take(lock_path, NULL);
	g_autoptr(GPtrArray) queues = NULL;

	if (lock == NULL)
		return;
	queues = list_queues(dir);
	for (guint i = 0; i < queues->len; i++) {
		g_autofree gchar *queue_dir = g_build_filename(dir, queues->pdata[i], NULL);
		g_autofree gchar *url_path = g_build_filename(queue_dir, "url", NULL);
		g_autoptr(GPtrArray) names = list_notices(queue_dir);

		if (names->len > 0)
			continue;
		g_unlink(url_path);
		if (g_rmdir(queue_dir) != 0)
			g_debug("cannot remove the empty queue %s: %s", queue_dir,
				g_strerror(errno));
	}
}

static gboolean
deliver(const gchar *tree, guint attempts, GCancellable *cancellable, guint *delivered,
	GError **error)
{
	g_autofree gchar *dir = NULL;
	g_autofree gchar *deliver_lock_path = NULL;
	g_autoptr(GHashTable) stopped =
		g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GString) failures = g_string_new(NULL);
	g_autoptr(SgLock) deliver_lock = NULL;
	guint sent = 0;
	guint left;

	g_return_val_if_fail(tree != NULL, FALSE);

	if (delivered != NULL)
		*delivered = 0;
	dir = spool_dir(tree);
	if (!g_file_test(dir, G_FILE_TEST_IS_DIR))
		return TRUE;

	/* One deliverer at a time, or two would send the same notice twice. */
	deliver_lock_path = g_build_filename(dir, ".deliver.lock", NULL);
	deliver_lock = notify_lock_take(deliver_lock_path, error);
	if (deliver_lock == NULL)
		return FALSE;

	/* Keep going while something went out: notices enqueued meanwhile by
	 * another process are picked up by the next round. */
	for (gboolean progress = TRUE; progress;) {
		g_autoptr(GPtrArray) queues = NULL;
		g_autoptr(GHashTable) snapshot = snapshot_queues(dir, &queues, error);

		if (snapshot == NULL)
			return FALSE;
		progress = FALSE;
		for (guint i = 0; i < queues->len; i++) {
			const gchar *queue = queues->pdata[i];
			GPtrArray *names = g_hash_table_lookup(snapshot, queue);
			g_autofree gchar *queue_dir = g_build_filename(dir, queue, NULL);
			g_autoptr(GError) local_error = NULL;
			guint before = sent;

			if (names->len == 0 || g_hash_table_contains(stopped, queue))
				continue;
			if (!deliver_queue(queue_dir, names, attempts, cancellable, &sent,
					   &local_error)) {
				g_hash_table_add(stopped, g_strdup(queue));
				if (failures->len > 0)
					g_string_append(failures, "; ");
				g_string_append(failures, local_error->message);
			}
			if (sent > before)
				progress = TRUE;
		}
	}
	prune_empty_queues(dir);

	if (delivered != NULL)
		*delivered = sent;
	left = sg_notify_pending(tree);
	if (g_hash_table_size(stopped) > 0) {
		g_set_error(error, SG_ERROR, SG_ERROR_FETCH,
			    "%u tracker notices are still spooled for the next delivery: %s", left,
			    failures->str);
		return FALSE;
	}
	if (left > 0)
		g_debug("%u tracker notices arrived during this delivery; they go out next time",
			left);
	return TRUE;
}

gboolean
sg_notify_deliver(const gchar *tree, guint attempts, guint *delivered, GError **error)
{
	return deliver(tree, attempts, NULL, delivered, error);
}

typedef struct {
	gchar *tree;
	guint attempts;
	guint delivered;
} SgDelivery;

static void
delivery_free(SgDelivery *delivery)
{
	g_free(delivery->tree);
	g_free(delivery);
}

static void
deliver_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	SgDelivery *delivery = data;
	GError *error = NULL;

	if (deliver(delivery->tree, delivery->attempts, cancellable, &delivery->delivered, &error))
		g_task_return_boolean(task, TRUE);
	else
		g_task_return_error(task, error);
}

void
sg_notify_deliver_async(const gchar *tree, guint attempts, GCancellable *cancellable,
			GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);
	SgDelivery *delivery = g_new0(SgDelivery, 1);

	delivery->tree = g_strdup(tree);
	delivery->attempts = attempts;
	g_task_set_task_data(task, delivery, (GDestroyNotify)delivery_free);
	/* What went out is said even when the rest stays spooled. */
	g_task_set_check_cancellable(task, FALSE);
	g_task_run_in_thread(task, deliver_thread);
}

gboolean
sg_notify_deliver_finish(GAsyncResult *result, guint *delivered, GError **error)
{
	SgDelivery *delivery = g_task_get_task_data(G_TASK(result));

	if (delivered != NULL)
		*delivered = delivery->delivered;
	return g_task_propagate_boolean(G_TASK(result), error);
}

guint
sg_notify_pending(const gchar *tree)
{
	g_autofree gchar *dir = spool_dir(tree);
	g_autoptr(GPtrArray) queues = list_queues(dir);
	guint count = 0;

	for (guint i = 0; i < queues->len; i++) {
		g_autofree gchar *queue_dir = g_build_filename(dir, queues->pdata[i], NULL);
		g_autoptr(GPtrArray) names = list_notices(queue_dir);
		count += names->len;
	}
	return count;
}
