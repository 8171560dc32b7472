#pragma once

/* What every fuzz target shares: a quiet log that still aborts on a
 * critical (a broken precondition is a bug the fuzzer should report), one
 * scratch folder per process for parsers that only read paths, and a plain
 * write into it (no fsync: a run is thousands of writes a second). */

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sg-files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static gchar *sg_fuzz_dir;

static void
sg_fuzz_log(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer user_data)
{
	/* Operators' messages about bad input are expected here. A critical
	 * is a broken precondition: abort() here, as GLib's own fatal path
	 * raises SIGTRAP, which libFuzzer does not catch and save. */
	if ((level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR)) != 0) {
		g_printerr("%s: %s\n", domain != NULL ? domain : "", message);
		abort();
	}
}

static void
sg_fuzz_cleanup(void)
{
	if (sg_fuzz_dir != NULL)
		sg_files_remove_tree(sg_fuzz_dir);
}

static inline const gchar *
sg_fuzz_init(void)
{
	g_autoptr(GError) error = NULL;

	g_log_set_default_handler(sg_fuzz_log, NULL);
	/* bench/fuzz.sh points TMPDIR at memory: rewriting a file on ext4
	 * flushes it to the disk (auto_da_alloc), a hundredfold slower than
	 * the parse. */
	sg_fuzz_dir = g_dir_make_tmp("sg-fuzz-XXXXXX", &error);
	if (sg_fuzz_dir == NULL) {
		g_printerr("cannot make a scratch folder: %s\n", error->message);
		abort();
	}
	atexit(sg_fuzz_cleanup);
	return sg_fuzz_dir;
}

/* @path := @data, or abort: a fuzz run cannot go on without its input. */
static inline void
sg_fuzz_write(const gchar *path, const void *data, gsize size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	const guint8 *p = data;

	if (fd < 0) {
		g_printerr("cannot write %s: %s\n", path, g_strerror(errno));
		abort();
	}
	while (size > 0) {
		ssize_t n = write(fd, p, size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			g_printerr("cannot write %s: %s\n", path, g_strerror(errno));
			abort();
		}
		p += n;
		size -= (gsize)n;
	}
	close(fd);
}

/* The input as a string, as the parsers get files: NUL-terminated, any bytes. */
static inline gchar *
sg_fuzz_strndup(const uint8_t *data, size_t size)
{
	gchar *text = g_malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	return text;
}

/* xorshift32: chunking and timing must follow from the input alone. */
static inline guint32
sg_fuzz_random(guint32 *state)
{
	guint32 x = *state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

/* The next read's size from @random, at most @left: 1 byte to 4 KiB, small
 * ones as often as large, since escape sequences, UTF-8 characters and
 * lines split across reads are the point. */
static inline gsize
sg_fuzz_chunk(guint32 random, gsize left)
{
	gsize chunk = 1 + (random & ((1u << (random >> 28 & 0xc)) - 1));
	return MIN(chunk, left);
}

/* Each target's own start: paths in the scratch folder @dir, fixtures. */
static void sg_fuzz_setup(const gchar *dir);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	sg_fuzz_setup(sg_fuzz_init());
	return 0;
}
