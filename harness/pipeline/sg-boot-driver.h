#pragma once

#include <glib.h>

#include "sg-boot-menu.h"
#include "sg-firmware.h"

G_BEGIN_DECLS

/*
 * Boots an image through its own bootloader as a person at the machine
 * would, over the serial console: waits for the firmware to start the
 * image's loader and for its menu, opens the default entry's kernel line
 * (GRUB: `e`, down to the linux line, Ctrl-E; isolinux's menu: Tab; its
 * boot: prompt: the label), types the arguments the test needs after the
 * image's own (the console, the answer file), checks they are on the screen,
 * and boots (Ctrl-X, Enter). Then it waits for the kernel's first line.
 *
 * What the firmware or the bootloader prints on the way is judged the
 * moment it shows: the firmware refusing the loader (Secure Boot's "Access
 * Denied", shim's "Security Violation"), no bootable device, a menu entry
 * whose kernel is missing, a bootloader at its rescue prompt. A menu that
 * never appears, or a kernel that never starts, is judged at a limit.
 *
 * It is a state machine fed with console bytes and the time, so it can be
 * tested on recorded consoles: the caller sends what
 * sg_boot_driver_take_keys() returns and calls sg_boot_driver_tick() at
 * sg_boot_driver_get_next_deadline().
 */

typedef enum {
	SG_BOOT_DRIVER_RUNNING,	       /* still on its way to a kernel */
	SG_BOOT_DRIVER_KERNEL_STARTED, /* the kernel's first line is on the console */
	SG_BOOT_DRIVER_FAILED,	       /* the image did not boot: see the reason */
	/* The bootloader did not answer the keys as it should: whether the
	 * image boots was not learnt (not the image's fail). */
	SG_BOOT_DRIVER_NOT_JUDGED,
} SgBootDriverState;

typedef struct _SgBootDriver SgBootDriver;

/*
 * @loader: the image's bootloader under @firmware (sg_boot_menu_read()),
 * NULL to type nothing and only read how the boot goes (an installed
 * disk's own bootloader, or an image with no loader for @firmware: the
 * firmware's own words then decide).
 * @args: what to add to the default entry's kernel line, or NULL to boot it
 * untouched. @limit_seconds: from power-on to the kernel's first line.
 */
SgBootDriver *sg_boot_driver_new(SgFirmware firmware, const SgBootLoader *loader, const gchar *args,
				 guint limit_seconds, gint64 now_us);
void sg_boot_driver_free(SgBootDriver *driver);
/* The kernel is booted directly (the driver made with no loader): only its
 * first line is waited for, and a kernel that never prints one is named by
 * @console ("hvc0"), where its words would have come. */
void sg_boot_driver_set_kernel_console(SgBootDriver *driver, const gchar *console);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SgBootDriver, sg_boot_driver_free)

/* Console bytes as they came at @now_us (monotonic µs). */
void sg_boot_driver_feed(SgBootDriver *driver, const gchar *data, gsize len, gint64 now_us);
/* Lets time pass: a key's turn, a settled menu, the limit. */
void sg_boot_driver_tick(SgBootDriver *driver, gint64 now_us);
/* The machine stopped (a firmware that resets when it finds nothing to
 * boot): the image did not boot, unless its kernel had started. */
void sg_boot_driver_machine_stopped(SgBootDriver *driver, gint64 now_us);
/* When sg_boot_driver_tick() must next run, monotonic µs; 0: nothing waits. */
gint64 sg_boot_driver_get_next_deadline(SgBootDriver *driver);
/* The bytes to send to the console now (keys), or NULL. Free with g_free(). */
gchar *sg_boot_driver_take_keys(SgBootDriver *driver);

SgBootDriverState sg_boot_driver_get_state(SgBootDriver *driver);
/* With SG_BOOT_DRIVER_FAILED: one line, what the firmware or bootloader
 * said ("the firmware refused the image's loader: BdsDxe: ..."). */
const gchar *sg_boot_driver_get_reason(SgBootDriver *driver);
/* Whether its limit (the bootloader's seconds) ran out, rather than a
 * firmware or bootloader that said why. */
gboolean sg_boot_driver_timed_out(SgBootDriver *driver);
/* Monotonic µs of the console bytes that decided it, 0 while running. */
gint64 sg_boot_driver_get_decided_time(SgBootDriver *driver);
/* Seconds from power-on to the kernel's first line, -1 before. */
gdouble sg_boot_driver_get_seconds_to_kernel(SgBootDriver *driver);
/* The keys sent so far, readable ("e <Down> <Down> <Ctrl-E> ' console=ttyS0'
 * <Ctrl-X>"). */
const gchar *sg_boot_driver_get_keys(SgBootDriver *driver);
/* The menu as the console showed it when the driver first read it, NULL
 * when it never showed. */
const gchar *sg_boot_driver_get_menu_screen(SgBootDriver *driver);
/* The kernel command line typed: the entry's own and @args, NULL when the
 * entry was booted untouched or nothing was typed. */
const gchar *sg_boot_driver_get_cmdline(SgBootDriver *driver);
/* The menu entry booted (its title), NULL when none was chosen. */
const gchar *sg_boot_driver_get_entry(SgBootDriver *driver);
/* The screen as it is now, for the evidence. Free with g_free(). */
gchar *sg_boot_driver_get_screen_text(SgBootDriver *driver);

G_END_DECLS
