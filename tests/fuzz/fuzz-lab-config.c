/* The lab file (/etc/smokegate/lab.conf): [Host NAME] groups with URI,
 * MaxGuests, MemoryMiB, VCPUs and Accel. The input is the file. */

#include "sg-fuzz.h"
#include "sg-lab-config.h"

static gchar *lab_path;

static void
sg_fuzz_setup(const gchar *dir)
{
	lab_path = g_build_filename(dir, "lab.conf", NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(SgLabConfig) config = NULL;
	g_autoptr(GError) error = NULL;

	sg_fuzz_write(lab_path, data, size);
	config = sg_lab_config_load(lab_path, &error);
	if (config == NULL) {
		g_assert(error != NULL);
		return 0;
	}
	g_assert(config->hosts->len > 0);
	for (guint i = 0; i < config->hosts->len; i++) {
		SgLabHost *host = g_ptr_array_index(config->hosts, i);
		g_assert(host->max_guests >= 1 && host->uri != NULL && host->accel != NULL);
		g_assert(sg_lab_config_find_host(config, host->name) != NULL);
	}
	return 0;
}
