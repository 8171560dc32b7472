/* The answer-file user reader of one family (SG_FUZZ_FAMILY): preseed
 * ("d-i passwd/username string NAME") or autoinstall YAML ("identity:" ...
 * "username: NAME"). The input is the answer file. */

#include "sg-answers.h"
#include "sg-fuzz.h"

static void
sg_fuzz_setup(const gchar *dir)
{
	/* nothing on disk: the input is handed over in memory */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree gchar *contents = sg_fuzz_strndup(data, size);
	g_autofree gchar *user = sg_answers_get_username(SG_FUZZ_FAMILY, contents);

	/* The name is looked up in the installed disk's /etc/passwd and
	 * written to result.json. */
	if (user != NULL)
		g_assert(user[0] != '\0' && g_utf8_validate(user, -1, NULL));
	return 0;
}
