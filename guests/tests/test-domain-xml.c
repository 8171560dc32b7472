/* A guest's domain XML, made from its SgDomainSpec alone. */
#include "sg-domain-xml.h"

static void
test_domain_xml(void)
{
	SgDomainSpec install = {
		.name = "smokegate-h-1-1-install",
		.domain_type = "qemu",
		.memory_mib = 512,
		.vcpus = 1,
		.kernel = "/s/kernel",
		.initrd = "/s/initrd",
		.cmdline = "auto=true a<b",
		.disk = "/s/disk.qcow2",
		.cdrom = "/images/it's.iso",
	};
	SgDomainSpec boot = install;
	g_autofree gchar *install_xml = sg_domain_xml_build(&install);
	g_autofree gchar *boot_xml = NULL;
	g_autofree gchar *mirror_xml = NULL;

	g_assert_true(g_str_has_prefix(install_xml, "<domain type='qemu' "));
	g_assert_null(strstr(install_xml, "<qemu:commandline>"));
	g_assert_nonnull(strstr(install_xml, "<cmdline>auto=true a&lt;b</cmdline>"));
	g_assert_nonnull(strstr(install_xml, "it&apos;s.iso"));
	g_assert_nonnull(strstr(install_xml, "<on_reboot>destroy</on_reboot>"));
	/* The console is a pty read over the connection: no host path. */
	g_assert_nonnull(strstr(install_xml, "<serial type='pty'>"));
	g_assert_null(strstr(install_xml, "console.log"));
	g_assert_null(strstr(install_xml, "<interface"));
	boot.kernel = NULL;
	boot.cdrom = NULL;
	boot_xml = sg_domain_xml_build(&boot);
	g_assert_null(strstr(boot_xml, "<kernel>"));
	g_assert_null(strstr(boot_xml, "device='cdrom'"));
	g_assert_nonnull(strstr(boot_xml, "<boot dev='hd'/>"));

	/* A guest that needs a mirror reaches that and nothing else. */
	install.mirror = "mirror.example:8080";
	mirror_xml = sg_domain_xml_build(&install);
	g_assert_nonnull(strstr(mirror_xml, "restrict=on"));
	g_assert_nonnull(strstr(mirror_xml,
				"guestfwd=tcp:10.0.2.100:80-cmd:socat - TCP:mirror.example:8080"));
	g_assert_null(strstr(mirror_xml, "<interface"));
}

/* A suite's results port: a UNIX socket channel (virDomainOpenChannel reads
 * no other kind), at a short path when given one. */
static void
test_domain_xml_channel(void)
{
	SgDomainSpec spec = {
		.name = "g",
		.domain_type = "qemu",
		.memory_mib = 512,
		.vcpus = 1,
		.disk = "/s/suite.qcow2",
		.channel = "org.smokegate.results.0",
	};
	g_autofree gchar *xml = sg_domain_xml_build(&spec);
	g_autofree gchar *socket_xml = NULL;

	g_assert_nonnull(strstr(xml,
				"<channel type='unix'>\n"
				"      <source mode='bind'/>\n"
				"      <target type='virtio' name='org.smokegate.results.0'/>"));
	spec.channel_socket = "/tmp/sg-1-0.sock";
	socket_xml = sg_domain_xml_build(&spec);
	g_assert_nonnull(strstr(socket_xml, "<source mode='bind' path='/tmp/sg-1-0.sock'/>"));
	spec.channel = NULL;
	g_free(socket_xml);
	socket_xml = sg_domain_xml_build(&spec);
	g_assert_null(strstr(socket_xml, "<channel"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/domain-xml/guest", test_domain_xml);
	g_test_add_func("/domain-xml/channel", test_domain_xml_channel);
	return g_test_run();
}
