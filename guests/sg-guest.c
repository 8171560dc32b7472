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
	domain = virDomainCreateXML(sg_lab_get_connection(lab), xml, VIR_DOMAIN_NONE);
	if (domain == NULL) {
		sg_virt_set_error(error, "cannot start guest %s", spec->name);
		return NULL;
	}
	guest = g_new0(SgGuest, 1);
	guest->domain = domain;
	guest->name = g_strdup(spec->name);
	return guest;
}

gboolean
sg_guest_is_running(SgGuest *guest)
{
	/* A transient guest that stopped is gone: "no such domain" means off. */
	return virDomainIsActive(guest->domain) == 1;
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

gboolean
sg_guest_screenshot(SgGuest *guest, const gchar *png_path, GError **error)
{
	virConnectPtr conn = virDomainGetConnect(guest->domain);
	g_autoptr(virStream) stream = virStreamNew(conn, 0);
	g_autoptr(GByteArray) image = g_byte_array_new();
	g_autofree char *mime = NULL;

	if (stream == NULL) {
		sg_virt_set_error(error, "cannot open a stream for the screenshot");
		return FALSE;
	}
	mime = virDomainScreenshot(guest->domain, stream, 0, 0);
	if (mime == NULL) {
		sg_virt_set_error(error, "cannot take a screenshot of %s", guest->name);
		return FALSE;
	}
	if (virStreamRecvAll(stream, sink_to_bytes, image) < 0 || virStreamFinish(stream) < 0) {
		sg_virt_set_error(error, "cannot read the screenshot of %s", guest->name);
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

void
sg_guest_shutdown(SgGuest *guest, guint seconds)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)seconds * G_USEC_PER_SEC;

	if (seconds > 0 && virDomainShutdown(guest->domain) == 0) {
		while (sg_guest_is_running(guest) && g_get_monotonic_time() < deadline)
			g_usleep(200 * 1000);
	}
	sg_guest_destroy(guest);
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
	sg_guest_destroy(guest);
	if (guest->domain != NULL)
		virDomainFree(guest->domain);
	g_free(guest->name);
	g_free(guest);
}
