#pragma once

#include "sg-inspect.h"

G_BEGIN_DECLS

/*
 * Judges what the installed disk says. Returns TRUE when every piece of
 * evidence is there; otherwise FALSE with @reason naming the first piece
 * missing or contrary, quoting where it came from.
 */
gboolean sg_judge_inspection(const SgInspection *inspection, const gchar *username, gchar **reason);

G_END_DECLS
