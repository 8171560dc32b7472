/* The TAP reader of downstream suites (TAP 12 and 13, YAML blocks) as the
 * results channel brings it: in chunks of random sizes, then the end.
 *
 * Input: the stream, then one control byte seeding the chunking. Seeds are
 * real Test::More, node and GLib TAP with a control byte added. */

#include "sg-fuzz.h"
#include "sg-tap.h"

static void
sg_fuzz_setup(const gchar *dir)
{
	/* nothing on disk: the input is handed over in memory */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(SgTap) tap = sg_tap_new();
	g_autofree gchar *reason = NULL;
	GPtrArray *cases;
	guint32 state;
	gsize offset = 0;

	if (size == 0)
		return 0;
	size--;
	state = 0x9e3779b9u ^ ((guint32)data[size] << 8) ^ (guint32)size;
	while (offset < size) {
		gsize chunk = sg_fuzz_chunk(sg_fuzz_random(&state), size - offset);

		sg_tap_feed(tap, (const gchar *)data + offset, chunk);
		offset += chunk;
		(void)sg_tap_started(tap);
		(void)sg_tap_finished(tap);
	}
	sg_tap_end(tap);
	(void)sg_tap_verdict(tap, &reason);
	cases = sg_tap_get_cases(tap);
	for (guint i = 0; i < cases->len; i++) {
		SgTapCase *c = g_ptr_array_index(cases, i);
		g_assert(c->description != NULL);
		(void)sg_tap_outcome_to_string(c->outcome);
	}
	(void)sg_tap_get_planned(tap);
	(void)sg_tap_get_skip_all(tap);
	(void)sg_tap_get_bail_out(tap);
	(void)sg_tap_get_junk_lines(tap);
	return 0;
}
