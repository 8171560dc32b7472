#include "sg-domain-xml.h"

static gboolean
is_arm64(const SgDomainSpec *spec)
{
	return g_strcmp0(spec->arch, "arm64") == 0;
}

static gboolean
is_ppc64el(const SgDomainSpec *spec)
{
	return g_strcmp0(spec->arch, "ppc64el") == 0;
}

/* A machine of the PC's kind: IDE or SATA, VGA, pci.0 or pcie.0. */
static gboolean
is_x86(const SgDomainSpec *spec)
{
	return !is_arm64(spec) && !is_ppc64el(spec);
}

static void
append_escaped(GString *xml, const gchar *format, const gchar *value)
{
	g_autofree gchar *escaped = g_markup_escape_text(value, -1);
	g_string_append_printf(xml, format, escaped);
}

/* The firmware, and what it boots first. */
static void
append_os(GString *xml, const SgDomainSpec *spec)
{
	/* A virt machine boots through UEFI only. */
	gboolean uefi = sg_firmware_is_uefi(spec->firmware) || is_arm64(spec);

	if (uefi) {
		gboolean secure = spec->firmware == SG_FIRMWARE_UEFI_SECURE_BOOT;
		/* libvirt picks the OVMF (AAVMF) build from the descriptors that
		 * Debian's ovmf (qemu-efi-aarch64) package installs
		 * (/usr/share/qemu/firmware): with Secure Boot and Microsoft's
		 * keys enrolled, or plain. */
		g_string_append_printf(xml,
				       "  <os firmware='efi'>\n"
				       "    <type arch='%s' machine='%s'>hvm</type>\n"
				       "    <firmware>\n"
				       "      <feature enabled='%s' name='secure-boot'/>\n"
				       "      <feature enabled='%s' name='enrolled-keys'/>\n"
				       "    </firmware>\n",
				       is_arm64(spec) ? "aarch64" : "x86_64",
				       is_arm64(spec) ? "virt" : "q35", secure ? "yes" : "no",
				       secure ? "yes" : "no");
		/* secure='yes' is x86's SMM-protected flash; AAVMF needs none. */
		if (secure && !is_arm64(spec))
			g_string_append(xml, "    <loader secure='yes'/>\n");
		if (spec->nvram != NULL)
			append_escaped(xml, "    <nvram>%s</nvram>\n", spec->nvram);
	} else if (is_ppc64el(spec)) {
		/* pseries starts QEMU's SLOF by itself: nothing to choose. */
		g_string_append(xml,
				"  <os>\n    <type arch='ppc64le' machine='pseries'>hvm</type>\n");
	} else {
		g_string_append(xml, "  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>\n");
	}
	if (spec->kernel != NULL) {
		append_escaped(xml, "    <kernel>%s</kernel>\n", spec->kernel);
		if (spec->initrd != NULL)
			append_escaped(xml, "    <initrd>%s</initrd>\n", spec->initrd);
		if (spec->cmdline != NULL)
			append_escaped(xml, "    <cmdline>%s</cmdline>\n", spec->cmdline);
	} else if (spec->boot_cdrom) {
		g_string_append(xml, "    <boot dev='cdrom'/>\n");
	} else if (!uefi) {
		/* Under UEFI the variable store's boot entries choose, as on a
		 * real machine: the one the installer wrote, else the disk's
		 * removable-media loader. */
		g_string_append(xml, "    <boot dev='hd'/>\n");
	}
	/* SeaBIOS: a disk that does not boot makes it reset at once, which
	 * stops the guest: "did not boot" is seen in seconds, not at a
	 * timeout. Booting the CD, its own text and the bootloader's
	 * text-mode screen go to the serial port too (QEMU's -machine
	 * graphics=off), where the harness reads the menu and types. */
	if (!uefi && is_x86(spec))
		g_string_append_printf(xml, "    <bios %srebootTimeout='0'/>\n",
				       spec->boot_cdrom ? "useserial='yes' " : "");
	g_string_append(xml, "  </os>\n");
}

/* The CPU: under TCG an arm64 guest is a cortex-a72, which has no pointer
 * authentication for QEMU to emulate (its default "max" is much slower);
 * a ppc64el one a POWER9, pseries-7.2's default: under TCG here Debian's
 * real ppc64el d-i reached its kernel 10 s and its first dialog 81 s after
 * power-on as a POWER9, but 56 s and none within 130 s as a POWER10 (one
 * run each, QEMU 7.2 booting its vmlinux directly). Under KVM the host's
 * own. x86 guests keep QEMU's default. */
static void
append_cpu(GString *xml, const SgDomainSpec *spec)
{
	if (is_x86(spec))
		return;
	if (g_strcmp0(spec->domain_type, "kvm") == 0)
		g_string_append(xml, "  <cpu mode='host-passthrough'/>\n");
	else
		g_string_append_printf(xml,
				       "  <cpu mode='custom' match='exact'>\n"
				       "    <model fallback='forbid'>%s</model>\n"
				       "  </cpu>\n",
				       is_arm64(spec) ? "cortex-a72" : "POWER9");
}

static void
append_features(GString *xml, const SgDomainSpec *spec)
{
	/* pseries describes itself in a device tree: no ACPI, no APIC. */
	if (is_ppc64el(spec))
		return;
	/* ACPI on virt comes from UEFI; it has a GIC, not an APIC. */
	if (is_arm64(spec))
		g_string_append(xml, "  <features><acpi/></features>\n");
	else if (spec->firmware == SG_FIRMWARE_UEFI_SECURE_BOOT)
		g_string_append(xml, "  <features><acpi/><apic/><smm state='on'/></features>\n");
	else
		g_string_append(xml, "  <features><acpi/><apic/></features>\n");
}

gchar *
sg_domain_xml_build(const SgDomainSpec *spec)
{
	gboolean uefi = sg_firmware_is_uefi(spec->firmware);
	const gchar *cd_bus = !is_x86(spec) ? "scsi" : uefi ? "sata" : "ide";
	const gchar *cd_devs[] = {uefi || !is_x86(spec) ? "sda" : "hdc",
				  uefi || !is_x86(spec) ? "sdb" : "hdd"};
	GString *xml = g_string_new(NULL);

	append_escaped(
		xml, "<domain type='%s' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n",
		spec->domain_type);
	append_escaped(xml, "  <name>%s</name>\n", spec->name);
	g_string_append_printf(xml, "  <memory unit='MiB'>%u</memory>\n", spec->memory_mib);
	g_string_append_printf(xml, "  <vcpu>%u</vcpu>\n", spec->vcpus);
	append_os(xml, spec);
	append_features(xml, spec);
	append_cpu(xml, spec);
	g_string_append(xml, "  <on_poweroff>destroy</on_poweroff>\n"
			     "  <on_reboot>destroy</on_reboot>\n"
			     "  <on_crash>destroy</on_crash>\n");
	g_string_append(xml, "  <devices>\n");
	if (spec->disk != NULL) {
		append_escaped(xml,
			       "    <disk type='file' device='disk'>\n"
			       "      <driver name='qemu' type='qcow2'/>\n"
			       "      <source file='%s'/>\n",
			       spec->disk);
		if (spec->disk_backing != NULL)
			append_escaped(xml,
				       "      <backingStore type='file'>\n"
				       "        <format type='qcow2'/>\n"
				       "        <source file='%s'/>\n"
				       "        <backingStore/>\n"
				       "      </backingStore>\n",
				       spec->disk_backing);
		g_string_append(xml, "      <target dev='vda' bus='virtio'/>\n"
				     "    </disk>\n");
	}
	const gchar *cdroms[] = {spec->cdrom, spec->seed_cdrom};
	/* virt has no IDE or SATA; pseries' default SCSI is spapr-vscsi, which
	 * SLOF and Linux read too, but virtio-scsi is one path for both. */
	if (!is_x86(spec) && (spec->cdrom != NULL || spec->seed_cdrom != NULL))
		g_string_append(xml, "    <controller type='scsi' model='virtio-scsi'/>\n");
	for (guint i = 0; i < G_N_ELEMENTS(cdroms); i++) {
		if (cdroms[i] == NULL)
			continue;
		append_escaped(xml,
			       "    <disk type='file' device='cdrom'>\n"
			       "      <driver name='qemu' type='raw'/>\n"
			       "      <source file='%s'/>\n",
			       cdroms[i]);
		g_string_append_printf(xml,
				       "      <target dev='%s' bus='%s'/>\n"
				       "      <readonly/>\n"
				       "    </disk>\n",
				       cd_devs[i], cd_bus);
	}
	/* A pty read over the connection (virDomainOpenConsole): nothing on
	 * the host's file system, the same for a local or a remote host. On
	 * pseries libvirt makes it the hypervisor's console (spapr-vty), hvc0
	 * to Linux, SLOF's too. */
	g_string_append(xml, "    <serial type='pty'>\n"
			     "      <target port='0'/>\n"
			     "    </serial>\n"
			     "    <console type='pty'>\n"
			     "      <target type='serial' port='0'/>\n"
			     "    </console>\n");
	/* virDomainOpenChannel reads UNIX socket channels only; libvirt names
	 * and places the socket itself unless told (its own path can be
	 * longer than a socket's 108 bytes, as under the embedded driver). */
	if (spec->channel != NULL) {
		g_string_append(xml, "    <channel type='unix'>\n");
		if (spec->channel_socket != NULL)
			append_escaped(xml, "      <source mode='bind' path='%s'/>\n",
				       spec->channel_socket);
		else
			g_string_append(xml, "      <source mode='bind'/>\n");
		append_escaped(xml,
			       "      <target type='virtio' name='%s'/>\n"
			       "    </channel>\n",
			       spec->channel);
	}
	/* virt has no VGA: a virtio GPU, which AAVMF and Linux both draw on.
	 * pseries takes QEMU's standard VGA (Linux's bochs driver draws on it),
	 * so a screenshot is what it is elsewhere; with no USB keyboard beside
	 * it SLOF keeps its own words on the hypervisor console. */
	if (is_arm64(spec))
		g_string_append(xml, "    <video><model type='virtio'/></video>\n");
	else
		g_string_append(xml, "    <video><model type='vga' vram='16384'/></video>\n");
	g_string_append(xml, "    <memballoon model='none'/>\n"
			     "  </devices>\n");
	if (spec->mirror != NULL || spec->answers != NULL) {
		/* libvirt's own user-mode interface cannot restrict the guest, so
		 * QEMU is told directly: restrict=on cuts the guest off from the
		 * host and the world, and the only ways out are the forwards to
		 * the mirror and the answer server (socat, one process per
		 * connection). */
		g_autoptr(GString) netdev = g_string_new("user,id=mirror0,restrict=on");
		if (spec->mirror != NULL)
			g_string_append_printf(netdev,
					       ",guestfwd=tcp:" SG_DOMAIN_MIRROR_ADDRESS
					       ":80-cmd:socat - TCP:%s",
					       spec->mirror);
		if (spec->answers != NULL)
			g_string_append_printf(netdev,
					       ",guestfwd=tcp:" SG_DOMAIN_ANSWERS_ADDRESS
					       ":80-cmd:socat - TCP:%s",
					       spec->answers);
		g_string_append(xml, "  <qemu:commandline>\n"
				     "    <qemu:arg value='-netdev'/>\n");
		append_escaped(xml, "    <qemu:arg value='%s'/>\n", netdev->str);
		/* The root bus is pcie.0 on q35 and virt, pci.0 on i440FX and
		 * pseries. */
		g_string_append_printf(xml,
				       "    <qemu:arg value='-device'/>\n"
				       "    <qemu:arg "
				       "value='virtio-net-pci,netdev=mirror0,bus=%s,addr=0x10'/>\n"
				       "  </qemu:commandline>\n",
				       uefi || is_arm64(spec) ? "pcie.0" : "pci.0");
	}
	g_string_append(xml, "</domain>\n");
	return g_string_free(xml, FALSE);
}
