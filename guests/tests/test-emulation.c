#include <string.h>

#include <glib/gstdio.h>

#include "sg-emulation.h"
#include "sg-error.h"
#include "sg-kvm-probe.h"
#include "sg-lab-survey.h"
#include "sg-virt.h"

static void
test_parse_factor(void)
{
	const struct {
		const gchar *text;
		gdouble factor;
	} good[] = {{"2", 2.0}, {"1.5", 1.5}, {" 3 ", 3.0}, {"1", 1.0}, {"20", 20.0}};
	const gchar *bad[] = {"",    "abc", "0.5", "0",	 "-2", "21",  "1e1",
			      "0x2", "inf", "nan", "2x", ".5", "1,5", NULL};

	for (guint i = 0; i < G_N_ELEMENTS(good); i++) {
		g_autoptr(GError) error = NULL;
		gdouble factor = 0;

		g_assert_true(sg_emulation_parse_factor(good[i].text, &factor, &error));
		g_assert_no_error(error);
		g_assert_cmpfloat(factor, ==, good[i].factor);
	}
	for (guint i = 0; bad[i] != NULL; i++) {
		g_autoptr(GError) error = NULL;
		gdouble factor = 7;

		g_assert_false(sg_emulation_parse_factor(bad[i], &factor, &error));
		g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);
		g_assert_nonnull(strstr(error->message, "is not a number from 1 to 20"));
		g_assert_null(strchr(error->message, '\n'));
		g_assert_cmpfloat(factor, ==, 7); /* untouched */
	}
}

/* Only an architecture the host's CPU is not counts as emulated. */
static void
test_describe(void)
{
	const struct {
		const gchar *guest;
		const gchar *host;
		const gchar *words;
	} cases[] = {
		{"arm64", "amd64", "arm64 on an x86_64 host"},
		{"arm64", "x86_64", "arm64 on an x86_64 host"},
		{"amd64", "arm64", "amd64 on an aarch64 host"},
		{"ppc64el", "amd64", "ppc64el on an x86_64 host"},
		{"amd64", "ppc64el", "amd64 on a ppc64le host"},
		{"amd64", "amd64", NULL},
		{"i386", "amd64", NULL}, /* amd64 runs i386 as its own */
		{"arm64", "arm64", NULL},
		{"i386", "i386", NULL}, /* an i686 host: libvirt's test driver */
		{"arm64", NULL, NULL},	/* the host said nothing known */
		{"vax", "amd64", NULL},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *words = sg_emulation_describe(cases[i].guest, cases[i].host);
		g_assert_cmpstr(words, ==, cases[i].words);
	}
}

static void
test_scale(void)
{
	g_assert_cmpuint(sg_emulation_scale(300, 1.0), ==, 300);
	g_assert_cmpuint(sg_emulation_scale(300, 2.0), ==, 600);
	g_assert_cmpuint(sg_emulation_scale(3600, 1.5), ==, 5400);
	g_assert_cmpuint(sg_emulation_scale(7, 1.5), ==, 11); /* rounded up */
	g_assert_cmpuint(sg_emulation_scale(0, 2.0), ==, 0);
	g_assert_cmpuint(sg_emulation_scale(G_MAXUINT - 1, 20.0), ==, G_MAXUINT);
}

/* The KVM probe per architecture: a foreign one is emulated at once, with
 * no guest and nothing cached; the host's own goes on to the probe's other
 * answers. libvirt's test driver stands for the host. */
static void
test_probe_per_arch(void)
{
	g_autofree gchar *dir = g_dir_make_tmp("sg-emulation-XXXXXX", NULL);
	virConnectPtr conn = virConnectOpen("test:///default");
	g_autofree gchar *host_arch = sg_emulation_host_arch(conn);
	const gchar *foreign = g_strcmp0(host_arch, "arm64") == 0 ? "amd64" : "arm64";
	g_autofree gchar *reason = NULL;
	g_autofree gchar *own_reason = NULL;
	g_autofree gchar *emulated = sg_emulation_describe(foreign, host_arch);
	g_autoptr(GDir) listing = NULL;
	gboolean works = TRUE;

	g_assert_nonnull(host_arch);
	g_assert_nonnull(emulated);
	g_assert_true(sg_kvm_probe_lookup(conn, "test:///default", foreign, emulated, dir, &works,
					  &reason));
	g_assert_false(works);
	g_assert_true(g_str_has_prefix(reason, "emulated under TCG, "));
	g_assert_nonnull(strstr(reason, foreign));
	g_assert_nonnull(strstr(reason, "not probed"));
	listing = g_dir_open(dir, 0, NULL);
	g_assert_null(g_dir_read_name(listing)); /* nothing cached */
	/* The host's own: not emulated, whatever KVM then says. */
	g_assert_null(sg_emulation_describe(host_arch, host_arch));
	sg_kvm_probe_lookup(conn, "test:///default", host_arch, NULL, dir, &works, &own_reason);
	g_assert_true(own_reason == NULL || strstr(own_reason, "emulated") == NULL);
	virConnectClose(conn);
	g_rmdir(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	sg_virt_init();
	g_test_add_func("/emulation/probe-per-arch", test_probe_per_arch);
	g_test_add_func("/emulation/parse-factor", test_parse_factor);
	g_test_add_func("/emulation/describe", test_describe);
	g_test_add_func("/emulation/scale", test_scale);
	return g_test_run();
}
