/* The flavour profile loader (guests/flavours/NAME.conf) and what is done
 * with a loaded profile: detection by its globs, the generic lookup, the
 * console markers compiled by the judge. The input is the profile file. */

#include "sg-console.h"
#include "sg-flavour.h"
#include "sg-fuzz.h"

static gchar *profile_dir;
static gchar *profile_path;

static void
sg_fuzz_setup(const gchar *dir)
{
	profile_dir = g_build_filename(dir, "flavours", NULL);
	g_mkdir(profile_dir, 0755);
	profile_path = g_build_filename(profile_dir, "fuzz.conf", NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const gchar *dirs[] = {profile_dir, NULL};
	g_autoptr(GPtrArray) flavours = NULL;
	g_autoptr(SgConsole) console = NULL;
	g_autofree gchar *names = NULL;
	g_autoptr(GError) error = NULL;
	SgFlavour *flavour;

	sg_fuzz_write(profile_path, data, size);
	flavours = sg_flavour_load_dirs(dirs, &error);
	if (flavours == NULL) {
		g_assert(error != NULL);
		return 0;
	}
	g_assert(flavours->len == 1);
	flavour = sg_flavour_find(flavours, "fuzz");
	g_assert(flavour != NULL);
	(void)sg_flavour_detect(flavours, "Ubuntu 24.04 LTS \"Noble Numbat\" - Release amd64",
				"Ubuntu 24.04 LTS amd64");
	(void)sg_flavour_detect(flavours, NULL, "d-i 12.8.0 amd64 1");
	(void)sg_flavour_find_generic(flavours, flavour->family);
	names = sg_flavour_list_names(flavours);
	/* A profile that loads has markers the judge can compile. */
	console =
		sg_console_new(flavour->family, SG_CONSOLE_PHASE_DESKTOP, flavour->display_manager,
			       (const gchar *const *)flavour->console_markers, &error);
	g_assert(console != NULL);
	return 0;
}
