/*
 * sg-media-put URI FILE [SHA256]: puts FILE on the lab host at URI as a test
 * does (as the cached image when SHA256 is given, else as a file of one
 * test, deleted on exit) and prints "PATH BYTES-SENT SECONDS". For
 * bench/volume-upload.sh and for trying a lab host by hand.
 */
#include <stdio.h>

#include "sg-lab.h"
#include "sg-media.h"

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SgLab) lab = NULL;
	g_autofree gchar *path = NULL;
	SgMedia *media;
	gint64 start;

	if (argc != 3 && argc != 4) {
		g_printerr("usage: %s URI FILE [SHA256]\n", argv[0]);
		return 64;
	}
	sg_virt_init();
	lab = sg_lab_open(argv[1], &error);
	media = lab != NULL ? sg_lab_get_media(lab, &error) : NULL;
	if (media == NULL) {
		g_printerr("%s\n", error->message);
		return 2;
	}
	start = g_get_monotonic_time();
	path = argc == 4 ? sg_media_put_image(media, argv[2], argv[3], &error)
			 : sg_media_put_file(media, argv[2], "file", &error);
	if (path == NULL) {
		g_printerr("%s\n", error->message);
		return 2;
	}
	printf("%s %" G_GUINT64_FORMAT " %.3f\n", path, sg_media_get_bytes_uploaded(media),
	       (g_get_monotonic_time() - start) / (double)G_USEC_PER_SEC);
	return 0;
}
