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

/* The firmware a guest boots under, and the CD it boots through it. */
static void
test_domain_xml_firmware(void)
{
	SgDomainSpec spec = {
		.name = "g",
		.domain_type = "qemu",
		.memory_mib = 1024,
		.vcpus = 1,
		.disk = "/s/disk.qcow2",
		.cdrom = "/s/image.iso",
		.seed_cdrom = "/s/cidata.iso",
		.boot_cdrom = TRUE,
		.firmware = SG_FIRMWARE_BIOS,
		.answers = "127.0.0.1:40000",
	};
	g_autofree gchar *bios = sg_domain_xml_build(&spec);
	g_autofree gchar *secure = NULL;
	g_autofree gchar *plain = NULL;
	g_autofree gchar *disk = NULL;

	g_assert_nonnull(strstr(bios, "machine='pc'"));
	g_assert_nonnull(strstr(bios, "<boot dev='cdrom'/>"));
	/* SeaBIOS and isolinux on the serial port, where keys are typed. */
	g_assert_nonnull(strstr(bios, "<bios useserial='yes' rebootTimeout='0'/>"));
	g_assert_nonnull(strstr(bios, "<target dev='hdc' bus='ide'/>"));
	g_assert_nonnull(
		strstr(bios, "guestfwd=tcp:10.0.2.101:80-cmd:socat - TCP:127.0.0.1:40000"));
	g_assert_null(strstr(bios, "10.0.2.100"));
	g_assert_nonnull(strstr(bios, "bus=pci.0"));

	spec.firmware = SG_FIRMWARE_UEFI_SECURE_BOOT;
	spec.nvram = "/s/nvram-install.fd";
	secure = sg_domain_xml_build(&spec);
	g_assert_nonnull(strstr(secure, "<os firmware='efi'>"));
	g_assert_nonnull(strstr(secure, "machine='q35'"));
	g_assert_nonnull(strstr(secure, "<feature enabled='yes' name='secure-boot'/>"));
	g_assert_nonnull(strstr(secure, "<feature enabled='yes' name='enrolled-keys'/>"));
	g_assert_nonnull(strstr(secure, "<loader secure='yes'/>"));
	g_assert_nonnull(strstr(secure, "<nvram>/s/nvram-install.fd</nvram>"));
	g_assert_nonnull(strstr(secure, "<smm state='on'/>"));
	/* q35 has no IDE: both CD-ROMs on SATA. */
	g_assert_nonnull(strstr(secure, "<target dev='sda' bus='sata'/>"));
	g_assert_nonnull(strstr(secure, "<target dev='sdb' bus='sata'/>"));
	g_assert_null(strstr(secure, "bus='ide'"));
	g_assert_nonnull(strstr(secure, "bus=pcie.0"));
	g_assert_null(strstr(secure, "<bios"));

	spec.firmware = SG_FIRMWARE_UEFI;
	plain = sg_domain_xml_build(&spec);
	g_assert_nonnull(strstr(plain, "<feature enabled='no' name='secure-boot'/>"));
	g_assert_null(strstr(plain, "<loader secure='yes'/>"));
	g_assert_null(strstr(plain, "<smm"));

	/* The installed disk under UEFI: the store's boot entries choose. */
	spec.boot_cdrom = FALSE;
	spec.cdrom = spec.seed_cdrom = NULL;
	spec.answers = NULL;
	disk = sg_domain_xml_build(&spec);
	g_assert_null(strstr(disk, "<boot dev="));
	g_assert_null(strstr(disk, "<qemu:commandline>"));
}

/* An arm64 guest: an aarch64 virt machine, UEFI whatever the firmware
 * asked (virt has no BIOS), a cortex-a72 under TCG and the host's CPU
 * under KVM, its CD-ROMs on virtio-scsi (no IDE or SATA on virt), a
 * virtio GPU (no VGA), no APIC, and no x86 SMM flash under Secure Boot. */
static void
test_domain_xml_arm64(void)
{
	SgDomainSpec spec = {
		.name = "g",
		.arch = "arm64",
		.domain_type = "qemu",
		.memory_mib = 1024,
		.vcpus = 2,
		.firmware = SG_FIRMWARE_BIOS,
		.boot_cdrom = TRUE,
		.cdrom = "/images/noble-desktop-arm64.iso",
		.seed_cdrom = "/s/cidata.iso",
		.mirror = "mirror.example:8080",
	};
	g_autofree gchar *tcg = sg_domain_xml_build(&spec);
	g_autofree gchar *kvm = NULL;
	g_autofree gchar *secure = NULL;
	g_autofree gchar *amd64 = NULL;

	g_assert_nonnull(strstr(tcg, "<os firmware='efi'>\n"
				     "    <type arch='aarch64' machine='virt'>hvm</type>\n"));
	g_assert_nonnull(strstr(tcg, "<feature enabled='no' name='secure-boot'/>"));
	g_assert_null(strstr(tcg, "<bios"));
	g_assert_nonnull(strstr(tcg, "<model fallback='forbid'>cortex-a72</model>"));
	g_assert_nonnull(strstr(tcg, "<features><acpi/></features>"));
	g_assert_nonnull(strstr(tcg, "<controller type='scsi' model='virtio-scsi'/>"));
	g_assert_nonnull(strstr(tcg, "<target dev='sda' bus='scsi'/>"));
	g_assert_nonnull(strstr(tcg, "<target dev='sdb' bus='scsi'/>"));
	g_assert_null(strstr(tcg, "bus='ide'"));
	g_assert_null(strstr(tcg, "bus='sata'"));
	g_assert_nonnull(strstr(tcg, "<video><model type='virtio'/></video>"));
	g_assert_null(strstr(tcg, "type='vga'"));
	g_assert_nonnull(strstr(tcg, "virtio-net-pci,netdev=mirror0,bus=pcie.0"));
	g_assert_nonnull(strstr(tcg, "<boot dev='cdrom'/>"));

	spec.domain_type = "kvm";
	kvm = sg_domain_xml_build(&spec);
	g_assert_nonnull(strstr(kvm, "<cpu mode='host-passthrough'/>"));
	g_assert_null(strstr(kvm, "cortex-a72"));

	spec.domain_type = "qemu";
	spec.firmware = SG_FIRMWARE_UEFI_SECURE_BOOT;
	secure = sg_domain_xml_build(&spec);
	g_assert_nonnull(strstr(secure, "<feature enabled='yes' name='secure-boot'/>"));
	g_assert_nonnull(strstr(secure, "<feature enabled='yes' name='enrolled-keys'/>"));
	g_assert_null(strstr(secure, "<loader secure='yes'/>"));
	g_assert_null(strstr(secure, "smm"));

	/* The same spec as amd64 stays the PC it was. */
	spec.arch = "amd64";
	amd64 = sg_domain_xml_build(&spec);
	g_assert_nonnull(strstr(amd64, "<type arch='x86_64' machine='q35'>"));
	g_assert_nonnull(strstr(amd64, "<loader secure='yes'/>"));
	g_assert_nonnull(strstr(amd64, "bus='sata'"));
	g_assert_null(strstr(amd64, "<cpu"));
	g_assert_null(strstr(amd64, "virtio-scsi"));
}

/* A ppc64el guest: a pseries machine under its own SLOF (no firmware
 * element to choose one, no SeaBIOS <bios>), the real d-i's vmlinux booted
 * directly, a POWER9 under TCG and the host's CPU under KVM, no ACPI or
 * APIC (a device tree), its CD-ROMs on virtio-scsi, a standard VGA, the
 * mirror's NIC on pseries' pci.0. */
static void
test_domain_xml_ppc64el(void)
{
	SgDomainSpec spec = {
		.name = "g",
		.arch = "ppc64el",
		.domain_type = "qemu",
		.memory_mib = 2048,
		.vcpus = 2,
		.firmware = SG_FIRMWARE_SLOF,
		.kernel = "/s/vmlinux",
		.initrd = "/s/initrd",
		.cmdline = "console=hvc0",
		.disk = "/s/disk.qcow2",
		.cdrom = "/images/debian-ppc64el-netinst.iso",
		.mirror = "mirror.example:8080",
	};
	g_autofree gchar *tcg = sg_domain_xml_build(&spec);
	g_autofree gchar *kvm = NULL;

	g_assert_nonnull(strstr(tcg, "<os>\n"
				     "    <type arch='ppc64le' machine='pseries'>hvm</type>\n"
				     "    <kernel>/s/vmlinux</kernel>\n"));
	g_assert_null(strstr(tcg, "firmware="));
	g_assert_null(strstr(tcg, "<bios"));
	g_assert_null(strstr(tcg, "<features>"));
	g_assert_nonnull(strstr(tcg, "<model fallback='forbid'>POWER9</model>"));
	g_assert_nonnull(strstr(tcg, "<controller type='scsi' model='virtio-scsi'/>"));
	g_assert_nonnull(strstr(tcg, "<target dev='sda' bus='scsi'/>"));
	g_assert_null(strstr(tcg, "bus='ide'"));
	g_assert_nonnull(strstr(tcg, "<video><model type='vga' vram='16384'/></video>"));
	g_assert_nonnull(strstr(tcg, "<serial type='pty'>"));
	g_assert_nonnull(strstr(tcg, "virtio-net-pci,netdev=mirror0,bus=pci.0"));

	spec.domain_type = "kvm";
	kvm = sg_domain_xml_build(&spec);
	g_assert_nonnull(strstr(kvm, "<cpu mode='host-passthrough'/>"));
	g_assert_null(strstr(kvm, "POWER9"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/domain-xml/guest", test_domain_xml);
	g_test_add_func("/domain-xml/channel", test_domain_xml_channel);
	g_test_add_func("/domain-xml/firmware", test_domain_xml_firmware);
	g_test_add_func("/domain-xml/arm64", test_domain_xml_arm64);
	g_test_add_func("/domain-xml/ppc64el", test_domain_xml_ppc64el);
	return g_test_run();
}
