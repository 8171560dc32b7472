#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * Tracker notices. Every event is spooled on disk before anything is sent, so a
 * tracker that is down or a gate that is killed loses nothing: the spool is
 * delivered later, oldest first, separately for each tracker URL.
 *
 * Layout under TREE/.smokegate/notices/:
 *   .lock           flock'd while a sequence number is allocated or a queue listed
 *   .deliver.lock   flock'd by the one process delivering
 *   .sequence       the last sequence number handed out
 *   <sha256(url)>/url                    the tracker URL of this queue
 *   <sha256(url)>/<20-digit seq>.json    one notice, the exact body to POST
 */

/* Spools @event (a JSON object; the caller fills "event", "flavour", "image_type",
 * "build", "note", "who", "time") for each of @urls under TREE/.smokegate/notices/,
 * written atomically (temporary name, fsync, rename) with a sequence number that
 * keeps the order across processes (use a lock file with flock while allocating). */
gboolean sg_notify_enqueue(const gchar *tree, const gchar *const *urls, JsonNode *event,
			   GError **error);

/* Delivers spooled notices, oldest first, for every URL separately: a notice is
 * removed for a URL only after that URL answered 2xx; the first failure for a URL
 * stops that URL's queue (order is kept) and is retried @attempts times with a short
 * backoff (1 s, 2 s, ...). Returns FALSE with SG_ERROR_FETCH when some notices are
 * still spooled; @delivered counts what went out. Safe to call while another process
 * enqueues. */
gboolean sg_notify_deliver(const gchar *tree, guint attempts, guint *delivered, GError **error);
/* The same in a thread (HTTP and the waits between tries block), its
 * waits cut short by @cancellable; @callback on the caller's main loop. */
void sg_notify_deliver_async(const gchar *tree, guint attempts, GCancellable *cancellable,
			     GAsyncReadyCallback callback, gpointer user_data);
gboolean sg_notify_deliver_finish(GAsyncResult *result, guint *delivered, GError **error);

/* How many notices wait for delivery (all URLs). */
guint sg_notify_pending(const gchar *tree);

G_END_DECLS
