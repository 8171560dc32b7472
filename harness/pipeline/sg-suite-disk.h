#pragma once

#include "sg-suite-guest.h"

G_BEGIN_DECLS

/*
 * The disks of the downstream suites on this machine: the installed disk
 * stays as the installer left it, a read-only base, and every boot of it
 * runs on a qcow2 overlay of its own (sg_disk_create_overlay,
 * sg_media_create_overlay).
 */

/* Puts @suite into @disk (its overlay) with libguestfs, so that it runs at
 * the disk's next boot (sg_suite_guest_files, for the disk's init). */
gboolean sg_suite_disk_inject(const gchar *disk, const SgSuite *suite, const gchar *lib_dir,
			      const SgSuiteExpect *expect, gboolean force_tcg, GError **error);
/* The fallback TAP file the suite wrote in @disk, read after power-off;
 * "" when it is not there. */
gchar *sg_suite_disk_read_tap(const gchar *disk, const SgSuite *suite, gboolean force_tcg,
			      GError **error);

G_END_DECLS
