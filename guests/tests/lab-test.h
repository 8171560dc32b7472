#pragma once

#include "sg-lab.h"

G_BEGIN_DECLS

/* What the tests against real libvirt daemons share. */

/* A kernel of this machine's (/boot/vmlinuz-*) a guest can boot, or NULL. */
const gchar *sg_lab_test_kernel(void);
/* Skips the test, saying @why, when @needed is NULL. */
gboolean sg_lab_test_skip_without(const gchar *needed, const gchar *why);
/* The lab at @uri (NULL: the embedded driver), or the test fails. */
SgLab *sg_lab_test_open(const gchar *uri);

G_END_DECLS
