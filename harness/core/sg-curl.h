#pragma once

#include <curl/curl.h>
#include <glib.h>

G_BEGIN_DECLS

/* The one bridge to libcurl: handles made alike, failures said alike. */

G_DEFINE_AUTOPTR_CLEANUP_FUNC(CURL, curl_easy_cleanup)
typedef struct curl_slist SgCurlHeaders;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgCurlHeaders, curl_slist_free_all)

/* A new easy handle for @url with what every request of smokegate wants:
 * http and https only (behind a redirect too), smokegate's User-Agent, no
 * signals (requests run in worker threads, and signals are how the process
 * is interrupted), TLS verified, and @errbuf (CURL_ERROR_SIZE bytes, emptied
 * here) for curl's own words about a failure. NULL with SG_ERROR_FETCH when
 * libcurl cannot start. */
CURL *sg_curl_new(const gchar *url, gchar *errbuf, GError **error);

/* A failed transfer of @url as SG_ERROR_FETCH, one line "URL: what failed:
 * detail" (DNS, connect, TLS, timeout, short body, ...); the detail is
 * @errbuf, or curl's text for @code when @errbuf is empty. The URL is
 * shown redacted (sg_curl_redact_url()). */
void sg_curl_set_error(GError **error, const gchar *url, CURLcode code, const gchar *errbuf);

/* @url for messages, logs and files people read: a user, a password and a
 * query (where tokens go) are replaced by "***". Something that is no URL
 * is shown as "(not a URL)". */
gchar *sg_curl_redact_url(const gchar *url);

/* Whether @url carries a user or a password (https://user:pass@host/). */
gboolean sg_curl_url_has_userinfo(const gchar *url);

G_END_DECLS
