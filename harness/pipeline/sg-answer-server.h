#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A small HTTP server on the main loop that hands an installer its answer
 * file (d-i's and ubiquity's url=), so the image under test is never
 * remastered. It listens on a loopback address and an ephemeral port,
 * serves only the files registered with it, each under a random token
 * (/TOKEN/preseed.cfg), answers one GET or HEAD per connection and closes
 * it, and records every request for the evidence. Requests are read with a
 * size limit and a timeout; nothing blocks the loop. */
#define SG_TYPE_ANSWER_SERVER (sg_answer_server_get_type())
G_DECLARE_FINAL_TYPE(SgAnswerServer, sg_answer_server, SG, ANSWER_SERVER, GObject)

/* The largest file served, and the longest request head read. */
#define SG_ANSWER_SERVER_MAX_FILE (1024 * 1024)
#define SG_ANSWER_SERVER_MAX_REQUEST 8192

typedef struct {
	gint64 monotonic_us; /* g_get_monotonic_time() when the request was answered */
	GDateTime *time;     /* the same moment, as wall-clock time */
	gchar *peer;	     /* "127.0.0.1:40312" */
	gchar *method;	     /* NULL when no request line was read */
	gchar *path;
	guint status; /* 200, 404, 405, 400, 408, 414, 431 */
	gsize bytes;  /* body bytes sent */
} SgAnswerRequest;

void sg_answer_request_free(SgAnswerRequest *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgAnswerRequest, sg_answer_request_free)

/* Listens on @address (a loopback address, "127.0.0.1" when NULL) and a
 * port the kernel picks. Another address is SG_ERROR_USAGE: the server is
 * for the guests of this machine only. */
SgAnswerServer *sg_answer_server_new(const gchar *address, GError **error);

/* Serves the file @path (read once now) as @name. A file that is missing,
 * not regular, larger than SG_ANSWER_SERVER_MAX_FILE or not text (UTF-8
 * without NUL) is SG_ERROR_USAGE naming it. */
gboolean sg_answer_server_add_file(SgAnswerServer *self, const gchar *name, const gchar *path,
				   GError **error);

/* Serves @len bytes of @data as @name, under the same rules. */
gboolean sg_answer_server_add_data(SgAnswerServer *self, const gchar *name, const gchar *data,
				   gsize len, GError **error);

/* The random token every path starts with (32 hex digits). */
const gchar *sg_answer_server_get_token(SgAnswerServer *self);

guint16 sg_answer_server_get_port(SgAnswerServer *self);

/* Where the server listens, "127.0.0.1:40123": what a guest forward points at. */
gchar *sg_answer_server_host_address(SgAnswerServer *self);

/* The path of @name on the server, "/TOKEN/preseed.cfg". */
gchar *sg_answer_server_path(SgAnswerServer *self, const gchar *name);

/* @name's URL on this machine, "http://127.0.0.1:40123/TOKEN/preseed.cfg". */
gchar *sg_answer_server_host_url(SgAnswerServer *self, const gchar *name);

/* @name's URL as a guest sees it through a QEMU user-network forward of
 * @guest_address:@guest_port to this server:
 * "http://10.0.2.101/TOKEN/preseed.cfg" (the port left out when 80). */
gchar *sg_answer_server_guest_url(SgAnswerServer *self, const gchar *guest_address,
				  guint16 guest_port, const gchar *name);

/* The QEMU -netdev user guestfwd= rule for that forward:
 * "tcp:10.0.2.101:80-tcp:127.0.0.1:40123". */
gchar *sg_answer_server_guestfwd(SgAnswerServer *self, const gchar *guest_address,
				 guint16 guest_port);

/* How long a client may take to send its whole request (default 10 s). */
void sg_answer_server_set_read_timeout(SgAnswerServer *self, guint timeout_ms);

/* Every request answered so far, in order (SgAnswerRequest). The
 * "request" signal also announces each one as it is answered. */
GPtrArray *sg_answer_server_get_requests(SgAnswerServer *self);

/* Stops listening and drops connections still open. */
void sg_answer_server_stop(SgAnswerServer *self);

G_END_DECLS
