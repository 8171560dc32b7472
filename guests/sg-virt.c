#include "sg-virt.h"

#include "sg-error.h"

static void
sg_virt_silent_error_handler(void *user_data, virErrorPtr err)
{
	g_debug("libvirt: %s", err != NULL && err->message != NULL ? err->message : "?");
}

void
sg_virt_init(void)
{
	virSetErrorFunc(NULL, sg_virt_silent_error_handler);
}

const gchar *
sg_virt_last_error(void)
{
	const char *message = virGetLastErrorMessage();

	return message != NULL ? message : "unknown libvirt error";
}

void
sg_virt_set_error(GError **error, const gchar *format, ...)
{
	va_list args;
	g_autofree gchar *prefix = NULL;

	va_start(args, format);
	prefix = g_strdup_vprintf(format, args);
	va_end(args);
	g_set_error(error, SG_ERROR, SG_ERROR_LAB, "%s: %s", prefix, sg_virt_last_error());
}
