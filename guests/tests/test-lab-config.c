#include <glib/gstdio.h>
#include <string.h>

#include "sg-error.h"
#include "sg-lab-config.h"

typedef struct {
	gchar *dir;
	gchar *path;
} Fixture;

static void
fixture_setup(Fixture *fixture, gconstpointer data)
{
	fixture->dir = g_dir_make_tmp("smokegate-lab-config-XXXXXX", NULL);
	fixture->path = g_build_filename(fixture->dir, "lab.conf", NULL);
}

static void
fixture_teardown(Fixture *fixture, gconstpointer data)
{
	g_unlink(fixture->path);
	g_rmdir(fixture->dir);
	g_free(fixture->path);
	g_free(fixture->dir);
}

static SgLabConfig *
load_text(Fixture *fixture, const gchar *text, GError **error)
{
	g_assert_true(g_file_set_contents(fixture->path, text, -1, NULL));
	return sg_lab_config_load(fixture->path, error);
}

/* @text is refused as a usage error whose one line names the file and @words. */
static void
assert_refused(Fixture *fixture, const gchar *text, const gchar *words)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SgLabConfig) config = load_text(fixture, text, &error);

	g_assert_null(config);
	g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);
	g_assert_nonnull(strstr(error->message, fixture->path));
	g_assert_nonnull(strstr(error->message, words));
	g_assert_null(strchr(error->message, '\n'));
}

static void
test_good(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SgLabConfig) config = load_text(fixture,
						  "# the lab\n"
						  "[Host lab1]\n"
						  "URI=qemu+ssh://lab1/system\n"
						  "MaxGuests=2\n"
						  "MemoryMiB=16384\n"
						  "VCPUs=8\n"
						  "Accel=tcg\n"
						  "Arches=amd64; arm64\n"
						  "EmulationFactor=2.5\n"
						  "\n"
						  "[Host lab2]\n"
						  "URI=qemu+tls://lab2.example.org/system\n",
						  &error);
	SgLabHost *host;

	g_assert_no_error(error);
	g_assert_nonnull(config);
	g_assert_cmpstr(config->path, ==, fixture->path);
	g_assert_cmpuint(config->hosts->len, ==, 2);
	host = g_ptr_array_index(config->hosts, 0);
	g_assert_cmpstr(host->name, ==, "lab1");
	g_assert_cmpstr(host->uri, ==, "qemu+ssh://lab1/system");
	g_assert_cmpuint(host->max_guests, ==, 2);
	g_assert_cmpuint(host->memory_mib, ==, 16384);
	g_assert_cmpuint(host->vcpus, ==, 8);
	g_assert_cmpstr(host->accel, ==, "tcg");
	g_assert_cmpuint(g_strv_length(host->arches), ==, 2);
	g_assert_cmpstr(host->arches[0], ==, "amd64");
	g_assert_cmpstr(host->arches[1], ==, "arm64");
	g_assert_cmpfloat(host->emulation_factor, ==, 2.5);
	/* The defaults: one guest, ask the host, probe KVM. */
	host = g_ptr_array_index(config->hosts, 1);
	g_assert_cmpstr(host->name, ==, "lab2");
	g_assert_cmpstr(host->uri, ==, "qemu+tls://lab2.example.org/system");
	g_assert_cmpuint(host->max_guests, ==, 1);
	g_assert_cmpuint(host->memory_mib, ==, 0);
	g_assert_cmpuint(host->vcpus, ==, 0);
	g_assert_cmpstr(host->accel, ==, "auto");
	g_assert_null(host->arches);			  /* the host's own, asked of it */
	g_assert_cmpfloat(host->emulation_factor, ==, 0); /* the profile's */

	g_assert_true(sg_lab_config_find_host(config, "lab2") == host);
	g_assert_null(sg_lab_config_find_host(config, "lab3"));
}

static void
test_missing_file(Fixture *fixture, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SgLabConfig) config = sg_lab_config_load(fixture->path, &error);

	g_assert_null(config);
	g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);
	g_assert_nonnull(strstr(error->message, fixture->path));
}

static void
test_no_hosts(Fixture *fixture, gconstpointer data)
{
	assert_refused(fixture, "# nothing yet\n", "no [Host NAME] group");
}

static void
test_missing_uri(Fixture *fixture, gconstpointer data)
{
	assert_refused(fixture, "[Host lab1]\nMaxGuests=2\n", "[Host lab1] has no URI=");
	assert_refused(fixture, "[Host lab1]\nURI=\n", "[Host lab1] has no URI=");
}

static void
test_bad_max_guests(Fixture *fixture, gconstpointer data)
{
	assert_refused(fixture, "[Host lab1]\nURI=qemu:///system\nMaxGuests=0\n",
		       "MaxGuests=0 is not a whole number");
	assert_refused(fixture, "[Host lab1]\nURI=qemu:///system\nMaxGuests=-1\n",
		       "MaxGuests=-1 is not a whole number");
	assert_refused(fixture, "[Host lab1]\nURI=qemu:///system\nMaxGuests=two\n",
		       "MaxGuests=two is not a whole number");
	assert_refused(fixture, "[Host lab1]\nURI=qemu:///system\nMaxGuests=2x\n", "MaxGuests=2x");
	assert_refused(fixture, "[Host lab1]\nURI=qemu:///system\nMemoryMiB=lots\n",
		       "MemoryMiB=lots");
	assert_refused(fixture, "[Host lab1]\nURI=qemu:///system\nVCPUs=0\n", "VCPUs=0");
}

static void
test_bad_accel(Fixture *fixture, gconstpointer data)
{
	assert_refused(fixture, "[Host lab1]\nURI=qemu:///system\nAccel=hvf\n",
		       "Accel=hvf is not auto, kvm or tcg");
}

/* Arches= takes Debian's names only, at least one. */
static void
test_bad_arches(Fixture *fixture, gconstpointer data)
{
	assert_refused(fixture, "[Host lab1]\nURI=qemu:///system\nArches=amd64;aarch64\n",
		       "[Host lab1] Arches=: aarch64 is not an architecture's Debian name");
	assert_refused(fixture, "[Host lab1]\nURI=qemu:///system\nArches=vax\n",
		       "Arches=: vax is not");
	assert_refused(fixture, "[Host lab1]\nURI=qemu:///system\nArches=;\n",
		       "[Host lab1] Arches= names none");
}

/* EmulationFactor= lengthens limits only: from 1 to 20, a plain decimal. */
static void
test_bad_emulation_factor(Fixture *fixture, gconstpointer data)
{
	assert_refused(fixture, "[Host lab1]\nURI=qemu:///system\nEmulationFactor=0.5\n",
		       "[Host lab1] EmulationFactor=0.5 is not a number from 1 to 20");
	assert_refused(fixture, "[Host lab1]\nURI=qemu:///system\nEmulationFactor=slow\n",
		       "EmulationFactor=slow is not a number");
	assert_refused(fixture, "[Host lab1]\nURI=qemu:///system\nEmulationFactor=\n",
		       "EmulationFactor= is not a number");
}

static void
test_unknown_key(Fixture *fixture, gconstpointer data)
{
	assert_refused(fixture, "[Host lab1]\nURI=qemu:///system\nMaxGuest=2\n",
		       "[Host lab1] unknown key MaxGuest");
}

static void
test_unknown_group(Fixture *fixture, gconstpointer data)
{
	assert_refused(fixture, "[Host lab1]\nURI=qemu:///system\n[Lab]\nURI=qemu:///session\n",
		       "unknown group [Lab]");
	assert_refused(fixture, "[Host ]\nURI=qemu:///system\n", "the host NAME is empty");
}

static void
test_duplicate_uri(Fixture *fixture, gconstpointer data)
{
	assert_refused(fixture,
		       "[Host lab1]\nURI=qemu+ssh://lab1/system\n"
		       "[Host again]\nURI=qemu+ssh://lab1/system\n",
		       "[Host lab1] and [Host again] have the same URI qemu+ssh://lab1/system");
}

static void
test_not_a_key_file(Fixture *fixture, gconstpointer data)
{
	assert_refused(fixture, "URI=qemu:///system\n", "lab file");
}

static void
test_default(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SgLabConfig) config = NULL;
	SgLabHost *host;

	if (g_file_test(SG_LAB_CONFIG_DEFAULT_PATH, G_FILE_TEST_EXISTS)) {
		g_test_skip("this machine has a " SG_LAB_CONFIG_DEFAULT_PATH);
		return;
	}
	config = sg_lab_config_load(NULL, &error);
	g_assert_no_error(error);
	g_assert_null(config->path);
	g_assert_cmpuint(config->hosts->len, ==, 1);
	host = g_ptr_array_index(config->hosts, 0);
	g_assert_cmpstr(host->name, ==, "local");
	g_assert_null(host->uri);
	g_assert_cmpuint(host->max_guests, ==, 1);
	g_assert_cmpstr(host->accel, ==, "auto");
}

static void
test_new_single(void)
{
	g_autoptr(SgLabConfig) local = sg_lab_config_new_single(NULL, NULL);
	g_autoptr(SgLabConfig) system = sg_lab_config_new_single("qemu:///system", "tcg");
	g_autoptr(SgLabConfig) remote =
		sg_lab_config_new_single("qemu+tcp://127.0.0.2/system", "kvm");
	SgLabHost *host;

	g_assert_null(local->path);
	g_assert_cmpuint(local->hosts->len, ==, 1);
	host = g_ptr_array_index(local->hosts, 0);
	g_assert_cmpstr(host->name, ==, "local");
	g_assert_null(host->uri);
	g_assert_cmpuint(host->max_guests, ==, 1);
	g_assert_cmpuint(host->memory_mib, ==, 0);
	g_assert_cmpuint(host->vcpus, ==, 0);
	g_assert_cmpstr(host->accel, ==, "auto");

	host = g_ptr_array_index(system->hosts, 0);
	g_assert_cmpstr(host->name, ==, "local");
	g_assert_cmpstr(host->uri, ==, "qemu:///system");
	g_assert_cmpstr(host->accel, ==, "tcg");

	host = g_ptr_array_index(remote->hosts, 0);
	g_assert_cmpstr(host->name, ==, "127.0.0.2");
	g_assert_cmpstr(host->uri, ==, "qemu+tcp://127.0.0.2/system");
	g_assert_cmpstr(host->accel, ==, "kvm");
	g_assert_true(sg_lab_config_find_host(remote, "127.0.0.2") == host);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, func) g_test_add(name, Fixture, NULL, fixture_setup, func, fixture_teardown)
	ADD("/lab-config/good", test_good);
	ADD("/lab-config/bad-arches", test_bad_arches);
	ADD("/lab-config/bad-emulation-factor", test_bad_emulation_factor);
	ADD("/lab-config/missing-file", test_missing_file);
	ADD("/lab-config/no-hosts", test_no_hosts);
	ADD("/lab-config/missing-uri", test_missing_uri);
	ADD("/lab-config/bad-max-guests", test_bad_max_guests);
	ADD("/lab-config/bad-accel", test_bad_accel);
	ADD("/lab-config/unknown-key", test_unknown_key);
	ADD("/lab-config/unknown-group", test_unknown_group);
	ADD("/lab-config/duplicate-uri", test_duplicate_uri);
	ADD("/lab-config/not-a-key-file", test_not_a_key_file);
#undef ADD
	g_test_add_func("/lab-config/default", test_default);
	g_test_add_func("/lab-config/new-single", test_new_single);
	return g_test_run();
}
