#include "sg-guest.h"

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "sg-error.h"

SgGuest *
sg_guest_start(SgLab *lab, const SgDomainSpec *spec, GError **error)
{
	g_autofree gchar *xml = sg_domain_xml_build(spec);
	virDomainPtr domain;
	SgGuest *guest;

	g_debug("starting guest:\n%s", xml);
	domain = virDomainCreateXML(sg_lab_get_connection(lab), xml, VIR_DOMAIN_START_PAUSED);
	if (domain == NULL) {
		sg_virt_set_error(error, "cannot start guest %s", spec->name);
		return NULL;
	}
	guest = g_new0(SgGuest, 1);
	guest->domain = domain;
	guest->name = g_strdup(spec->name);
	guest->lifecycle_callback = -1;
	return guest;
}

gboolean
sg_guest_resume(SgGuest *guest, GError **error)
{
	if (virDomainResume(guest->domain) < 0) {
		sg_virt_set_error(error, "cannot start the CPUs of guest %s", guest->name);
		return FALSE;
	}
	return TRUE;
}

static gboolean
finish_shutdown(SgGuest *guest)
{
	SgGuestStopped callback = guest->on_shutdown;

	g_clear_handle_id(&guest->shutdown_timeout, g_source_remove);
	guest->on_shutdown = NULL;
	if (callback != NULL)
		callback(guest->on_shutdown_data);
	return G_SOURCE_REMOVE;
}

static int
on_lifecycle(virConnectPtr conn, virDomainPtr domain, int event, int detail, void *opaque)
{
	SgGuest *guest = opaque;

	if (event != VIR_DOMAIN_EVENT_STOPPED && event != VIR_DOMAIN_EVENT_SHUTDOWN &&
	    event != VIR_DOMAIN_EVENT_CRASHED)
		return 0;
	/* SHUTDOWN comes before STOPPED when the guest powers off: only a
	 * stopped QEMU has said everything. */
	if (event != VIR_DOMAIN_EVENT_STOPPED && virDomainIsActive(domain) == 1)
		return 0;
	if (guest->stopped)
		return 0;
	guest->stopped = TRUE;
	if (guest->on_stopped != NULL)
		guest->on_stopped(guest->on_stopped_data);
	if (guest->on_shutdown != NULL)
		finish_shutdown(guest);
	return 0;
}

gboolean
sg_guest_watch_lifecycle(SgGuest *guest, SgGuestStopped callback, gpointer user_data,
			 GError **error)
{
	guest->on_stopped = callback;
	guest->on_stopped_data = user_data;
	if (guest->lifecycle_callback >= 0)
		return TRUE;
	guest->lifecycle_callback = virConnectDomainEventRegisterAny(
		virDomainGetConnect(guest->domain), guest->domain, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
		VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), guest, NULL);
	if (guest->lifecycle_callback < 0) {
		sg_virt_set_error(error, "cannot follow the state of guest %s", guest->name);
		return FALSE;
	}
	return TRUE;
}

gboolean
sg_guest_is_running(SgGuest *guest)
{
	/* A transient guest that stopped is gone: "no such domain" means off. */
	return !guest->stopped && virDomainIsActive(guest->domain) == 1;
}

static int
sink_to_bytes(virStreamPtr stream, const char *data, size_t len, void *opaque)
{
	g_byte_array_append(opaque, (const guint8 *)data, len);
	return (int)len; /* consumed: libvirt offers the rest again otherwise */
}

/* QEMU's screendump is a binary PPM (P6) with maxval 255. */
static GdkPixbuf *
pixbuf_from_ppm(GByteArray *ppm, GError **error)
{
	const gchar *p = (const gchar *)ppm->data;
	const gchar *end = p + ppm->len;
	guint64 fields[3];
	gsize header_len;

	if (ppm->len < 2 || p[0] != 'P' || p[1] != '6') {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "screenshot is not a PPM image");
		return NULL;
	}
	p += 2;
	for (guint i = 0; i < 3; i++) {
		gchar *after = NULL;
		while (p < end && g_ascii_isspace(*p))
			p++;
		fields[i] = g_ascii_strtoull(p, &after, 10);
		if (after == p) {
			g_set_error(error, SG_ERROR, SG_ERROR_LAB,
				    "screenshot PPM header is malformed");
			return NULL;
		}
		p = after;
	}
	p++; /* the single whitespace byte after maxval */
	header_len = p - (const gchar *)ppm->data;
	if (fields[2] != 255 || fields[0] == 0 || fields[1] == 0 ||
	    ppm->len - header_len < fields[0] * fields[1] * 3) {
		g_set_error(error, SG_ERROR, SG_ERROR_LAB, "screenshot PPM is truncated");
		return NULL;
	}
	return gdk_pixbuf_new_from_bytes(
		g_bytes_new(ppm->data + header_len, fields[0] * fields[1] * 3), GDK_COLORSPACE_RGB,
		FALSE, 8, (int)fields[0], (int)fields[1], (int)fields[0] * 3);
}

/* The blocking screenshot of @domain (whose guest is called @name). */
static gboolean
screenshot_domain(virDomainPtr domain, const gchar *name, const gchar *png_path, GError **error)
{
	virConnectPtr conn = virDomainGetConnect(domain);
	g_autoptr(virStream) stream = virStreamNew(conn, 0);
	g_autoptr(GByteArray) image = g_byte_array_new();
	g_autofree char *mime = NULL;

	if (stream == NULL) {
		sg_virt_set_error(error, "cannot open a stream for the screenshot");
		return FALSE;
	}
	mime = virDomainScreenshot(domain, stream, 0, 0);
	if (mime == NULL) {
		sg_virt_set_error(error, "cannot take a screenshot of %s", name);
		return FALSE;
	}
	if (virStreamRecvAll(stream, sink_to_bytes, image) < 0 || virStreamFinish(stream) < 0) {
		sg_virt_set_error(error, "cannot read the screenshot of %s", name);
		virStreamAbort(stream);
		return FALSE;
	}
	/* libvirt 9 with QEMU 7.2 already hands PNG; older ones hand PPM. */
	if (g_str_equal(mime, "image/png"))
		return g_file_set_contents(png_path, (const gchar *)image->data, image->len, error);
	{
		g_autoptr(GdkPixbuf) pixbuf = pixbuf_from_ppm(image, error);
		if (pixbuf == NULL)
			return FALSE;
		return gdk_pixbuf_save(pixbuf, png_path, "png", error, NULL);
	}
}

gboolean
sg_guest_screenshot(SgGuest *guest, const gchar *png_path, GError **error)
{
	return screenshot_domain(guest->domain, guest->name, png_path, error);
}

/* What a screenshot thread needs: its own reference to the domain, so the
 * guest may be freed while the picture is taken. */
typedef struct {
	virDomainPtr domain;
	gchar *name;
	gchar *png_path;
} SgScreenshotJob;

static void
screenshot_job_free(SgScreenshotJob *job)
{
	virDomainFree(job->domain);
	g_free(job->name);
	g_free(job->png_path);
	g_free(job);
}

static void
screenshot_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	SgScreenshotJob *job = data;
	GError *error = NULL;

	if (g_task_return_error_if_cancelled(task))
		return;
	if (screenshot_domain(job->domain, job->name, job->png_path, &error))
		g_task_return_boolean(task, TRUE);
	else
		g_task_return_error(task, error);
}

void
sg_guest_screenshot_async(SgGuest *guest, const gchar *png_path, GCancellable *cancellable,
			  GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);
	SgScreenshotJob *job = g_new0(SgScreenshotJob, 1);

	virDomainRef(guest->domain);
	job->domain = guest->domain;
	job->name = g_strdup(guest->name);
	job->png_path = g_strdup(png_path);
	g_task_set_source_tag(task, sg_guest_screenshot_async);
	g_task_set_task_data(task, job, (GDestroyNotify)screenshot_job_free);
	g_task_run_in_thread(task, screenshot_thread);
}

gboolean
sg_guest_screenshot_finish(GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, NULL), FALSE);
	return g_task_propagate_boolean(G_TASK(result), error);
}

static gboolean
on_shutdown_timeout(gpointer user_data)
{
	SgGuest *guest = user_data;

	guest->shutdown_timeout = 0;
	sg_guest_destroy(guest);
	/* The destroy's lifecycle event may come later, or never for a guest
	 * already gone: the callback runs now either way. */
	return finish_shutdown(guest);
}

void
sg_guest_shutdown_async(SgGuest *guest, guint seconds, SgGuestStopped callback, gpointer user_data)
{
	guest->on_shutdown = callback;
	guest->on_shutdown_data = user_data;
	if (!sg_guest_is_running(guest) || seconds == 0 || virDomainShutdown(guest->domain) < 0) {
		sg_guest_destroy(guest);
		g_idle_add((GSourceFunc)finish_shutdown, guest);
		return;
	}
	guest->shutdown_timeout = g_timeout_add_seconds(seconds, on_shutdown_timeout, guest);
}

void
sg_guest_destroy(SgGuest *guest)
{
	if (guest->domain != NULL && virDomainIsActive(guest->domain) == 1)
		virDomainDestroy(guest->domain);
}

void
sg_guest_free(SgGuest *guest)
{
	if (guest == NULL)
		return;
	g_clear_handle_id(&guest->shutdown_timeout, g_source_remove);
	g_idle_remove_by_data(guest);
	sg_guest_destroy(guest);
	if (guest->lifecycle_callback >= 0)
		virConnectDomainEventDeregisterAny(virDomainGetConnect(guest->domain),
						   guest->lifecycle_callback);
	if (guest->domain != NULL)
		virDomainFree(guest->domain);
	g_free(guest->name);
	g_free(guest);
}
