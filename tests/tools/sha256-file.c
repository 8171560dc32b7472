/* sha256-file FILE: prints the SHA-256 smokegate computes for FILE (the
 * same function stage and test use), for bench/sha256.sh. */
#include <stdio.h>

#include "sg-image-check.h"

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *sum = NULL;
	guint64 size = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE\n", argv[0]);
		return 64;
	}
	if (!sg_image_checksum(argv[1], &sum, &size, &error)) {
		fprintf(stderr, "%s: %s\n", argv[0], error->message);
		return 1;
	}
	printf("%s\n", sum);
	return 0;
}
