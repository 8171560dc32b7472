/* The SHA256SUMS reader: GNU ("HASH *name", "HASH  name") and BSD
 * ("SHA256 (name) = HASH") lines. The input is the file; the name looked
 * up is the first line's file name when it has one, so the fuzzer can find
 * entries, else an image name. */

#include <string.h>

#include "sg-fetch.h"
#include "sg-fuzz.h"

static void
sg_fuzz_setup(const gchar *dir)
{
	/* nothing on disk: the input is handed over in memory */
}

static void
check(const gchar *sums, const gchar *name)
{
	g_autofree gchar *hash = sg_fetch_find_sha256(sums, name);

	if (hash == NULL)
		return;
	g_assert(strlen(hash) == 64);
	g_assert(strspn(hash, "0123456789abcdef") == 64);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree gchar *sums = sg_fuzz_strndup(data, size);
	const gchar *end = strchr(sums, '\n');
	g_autofree gchar *first = g_strndup(sums, end != NULL ? (gsize)(end - sums) : strlen(sums));

	check(sums, "smoketest-amd64-good.iso");
	if (strlen(first) > 66)
		check(sums, first + 66);
	check(sums, "");
	return 0;
}
