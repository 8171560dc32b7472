#include "sg-arch.h"
#include "sg-error.h"
#include "sg-virt.h"

/* Debian's names and QEMU's find the same architecture; unknown words none. */
static void
test_find(void)
{
	g_assert_cmpstr(sg_arch_find("arm64")->qemu, ==, "aarch64");
	g_assert_true(sg_arch_find("aarch64") == sg_arch_find("arm64"));
	g_assert_cmpstr(sg_arch_find("amd64")->console, ==, "ttyS0");
	g_assert_cmpstr(sg_arch_find("arm64")->console, ==, "ttyAMA0");
	g_assert_cmpstr(sg_arch_find("ppc64el")->console, ==, "hvc0");
	g_assert_null(sg_arch_find("arm"));
	g_assert_null(sg_arch_find(NULL));
	g_assert_true(sg_arch_find_efi("AA64") == sg_arch_find("arm64"));
	g_assert_true(sg_arch_find_efi("ia32") == sg_arch_find("i386"));
	g_assert_null(sg_arch_find_efi("ppc"));
	g_assert_nonnull(sg_arch_host());
	g_assert_cmpstr(sg_arch_machine(sg_arch_find("i386"))->efi, ==, "x64");
	g_assert_cmpstr(sg_arch_machine(sg_arch_find("arm64"))->efi, ==, "aa64");
	g_assert_true(sg_arch_machine(sg_arch_find("amd64")) == sg_arch_find("amd64"));
}

/* A word that is no architecture, and one smokegate makes no guests of, are
 * one-line usage errors naming the option and the choices. */
static void
test_parse(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GError) error2 = NULL;

	g_assert_true(sg_arch_parse("arm64", "--arch", NULL) == sg_arch_find("arm64"));
	g_assert_null(sg_arch_parse("vax", "--arch", &error));
	g_assert_error(error, SG_ERROR, SG_ERROR_USAGE);
	g_assert_cmpstr(error->message, ==, "--arch must be one of amd64, i386, arm64, ppc64el");
	g_assert_true(sg_arch_parse("ppc64el", "--arch", NULL) == sg_arch_find("ppc64el"));
	g_assert_true(sg_arch_find("ppc64el")->boots_direct);
	g_assert_false(sg_arch_find("arm64")->boots_direct);
	g_assert_null(sg_arch_parse("s390x", "[Guest] Arch", &error2));
	g_assert_cmpstr(
		error2->message, ==,
		"[Guest] Arch must be one of amd64, i386, arm64, ppc64el (no guests of that "
		"architecture yet)");
}

/* cdimage's SERIES-TYPE-ARCH.iso; anything else says nothing. */
static void
test_file_name(void)
{
	g_assert_true(sg_arch_from_file_name("/x/noble-desktop-arm64.iso") ==
		      sg_arch_find("arm64"));
	g_assert_true(sg_arch_from_file_name("noble-live-server-amd64.iso") ==
		      sg_arch_find("amd64"));
	/* A machine's own build (cdimage's daily-live/pending/). */
	g_assert_true(sg_arch_from_file_name("/x/noble-desktop-arm64+x13s.iso") ==
		      sg_arch_find("arm64"));
	g_assert_null(sg_arch_from_file_name("/x/noble-desktop-arm64.iso.zsync"));
	g_assert_null(sg_arch_from_file_name("/x/good.iso"));
	g_assert_null(sg_arch_from_file_name("/x/arm64.iso"));
}

/* console=ttyS0 becomes the machine's serial port, its options kept;
 * other consoles and look-alikes are left alone. */
static void
test_console_args(void)
{
	const SgArch *arm64 = sg_arch_find("arm64");
	g_autofree gchar *one =
		sg_arch_console_args(arm64, "auto=true console=tty0 console=ttyS0,115200n8 quiet");
	g_autofree gchar *two = sg_arch_console_args(arm64, "console=ttyS0 console=ttyS01");
	g_autofree gchar *none = sg_arch_console_args(arm64, NULL);

	g_assert_cmpstr(one, ==, "auto=true console=tty0 console=ttyAMA0,115200n8 quiet");
	g_assert_cmpstr(two, ==, "console=ttyAMA0 console=ttyS01");
	g_assert_cmpstr(none, ==, "");
}

/* The host's own architecture from its capabilities: <host><cpu><arch>,
 * not a guest section's (TCG offers foreign ones). */
static void
test_host_arch(void)
{
	const gchar *x86 = "<capabilities>\n  <host>\n    <uuid>u</uuid>\n    <cpu>\n"
			   "      <arch>x86_64</arch>\n    </cpu>\n  </host>\n"
			   "  <guest>\n    <arch name='aarch64'>\n    </arch>\n  </guest>\n"
			   "</capabilities>\n";
	const gchar *arm = "<capabilities><host><cpu><arch>aarch64</arch></cpu></host>"
			   "</capabilities>";
	const gchar *odd = "<capabilities><host><cpu><arch>sparc64</arch></cpu></host>"
			   "</capabilities>";
	g_autofree gchar *a = sg_arch_host_from_capabilities(x86);
	g_autofree gchar *b = sg_arch_host_from_capabilities(arm);
	g_autofree gchar *c = sg_arch_host_from_capabilities(odd);
	g_autofree gchar *d = sg_arch_host_from_capabilities("<capabilities/>");
	g_autofree gchar *real = NULL;
	virConnectPtr conn = virConnectOpen("test:///default");
	char *caps = conn != NULL ? virConnectGetCapabilities(conn) : NULL;

	g_assert_cmpstr(a, ==, "amd64");
	g_assert_cmpstr(b, ==, "arm64");
	g_assert_null(c);
	g_assert_null(d);
	/* libvirt's own test driver's capabilities read the same way. */
	g_assert_nonnull(caps);
	real = sg_arch_host_from_capabilities(caps);
	g_assert_nonnull(real);
	free(caps);
	virConnectClose(conn);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	sg_virt_init();
	g_test_add_func("/arch/find", test_find);
	g_test_add_func("/arch/parse", test_parse);
	g_test_add_func("/arch/file-name", test_file_name);
	g_test_add_func("/arch/console-args", test_console_args);
	g_test_add_func("/arch/host-from-capabilities", test_host_arch);
	return g_test_run();
}
