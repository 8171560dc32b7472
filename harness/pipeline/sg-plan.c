#include "sg-plan.h"

#include "sg-arch.h"
#include "sg-emulation.h"
#include "sg-error.h"

gboolean
sg_accel_from_string(const gchar *name, SgAccel *accel, GError **error)
{
	if (g_strcmp0(name, "auto") == 0) {
		*accel = SG_ACCEL_AUTO;
	} else if (g_strcmp0(name, "kvm") == 0) {
		*accel = SG_ACCEL_KVM;
	} else if (g_strcmp0(name, "tcg") == 0) {
		*accel = SG_ACCEL_TCG;
	} else {
		g_set_error(error, SG_ERROR, SG_ERROR_USAGE, "--accel must be auto, kvm or tcg");
		return FALSE;
	}
	return TRUE;
}

SgPlan *
sg_plan_new(void)
{
	SgPlan *plan = g_new0(SgPlan, 1);

	plan->image_uploaded_bytes = -1;
	plan->limit_factor = 1.0;
	return plan;
}

static void
plan_media_clear(SgPlanMedia *media)
{
	g_free(media->image);
	g_free(media->kernel);
	g_free(media->initrd);
	g_free(media->live_kernel);
	g_free(media->live_initrd);
	g_free(media->cidata);
	g_free(media->probe_kernel);
}

void
sg_plan_free(SgPlan *plan)
{
	if (plan == NULL)
		return;
	/* The guests and volumes go first, with the lab. */
	g_clear_pointer(&plan->lab, sg_lab_close);
	plan_media_clear(&plan->media);
	g_free(plan->image);
	g_free(plan->sha256);
	g_clear_pointer(&plan->flavours, g_ptr_array_unref);
	g_free(plan->generic_hint);
	g_free(plan->answers_path);
	g_free(plan->answers);
	g_free(plan->username);
	g_clear_pointer(&plan->selected, g_ptr_array_unref);
	g_clear_pointer(&plan->suites, g_ptr_array_unref);
	g_clear_pointer(&plan->expect, sg_suite_expect_free);
	g_free(plan->evidence_dir);
	g_free(plan->mirror);
	g_clear_error(&plan->problem);
	g_free(plan->boot_method_reason);
	if (plan->firmwares != NULL) {
		for (guint i = 0; i < plan->firmwares->len; i++) {
			SgFirmwareEntry *entry =
				&g_array_index(plan->firmwares, SgFirmwareEntry, i);
			g_free(entry->not_applicable);
			g_free(entry->nvram);
		}
		g_array_unref(plan->firmwares);
	}
	g_clear_pointer(&plan->boot_menu, sg_boot_menu_free);
	g_free(plan->arch);
	g_free(plan->arch_source);
	g_free(plan->emulation);
	g_free(plan->layout_kernel);
	g_free(plan->layout_initrd);
	g_free(plan->answers_cmdline);
	g_free(plan);
}

gchar *
sg_plan_evidence_path(const SgPlan *plan, const gchar *name)
{
	return g_build_filename(plan->evidence_dir, name, NULL);
}

const SgFirmwareEntry *
sg_plan_main_firmware(const SgPlan *plan)
{
	for (guint i = 0; plan->firmwares != NULL && i < plan->firmwares->len; i++) {
		const SgFirmwareEntry *entry = &g_array_index(plan->firmwares, SgFirmwareEntry, i);
		if (entry->required && entry->not_applicable == NULL)
			return entry;
	}
	return NULL;
}

const SgBootLoader *
sg_plan_loader(const SgPlan *plan, SgFirmware firmware)
{
	const SgArch *machine;

	if (plan->boot_menu == NULL)
		return NULL;
	if (!sg_firmware_is_uefi(firmware))
		return plan->boot_menu->bios;
	/* UEFI starts its own machine's loader only: x64 OVMF BOOTX64.EFI
	 * (for an i386 image too), AAVMF BOOTAA64.EFI. */
	machine = sg_arch_machine(sg_arch_find(plan->arch != NULL ? plan->arch : "amd64"));
	return sg_boot_menu_uefi(plan->boot_menu, machine->efi);
}

guint
sg_plan_limit(const SgPlan *plan, guint seconds)
{
	return sg_emulation_scale(seconds, plan->limit_factor);
}

gchar *
sg_plan_emulation_words(const SgPlan *plan)
{
	if (plan->emulation == NULL)
		return g_strdup("");
	return g_strdup_printf(" (under emulation, %s)", plan->emulation);
}
