#pragma once

#include "sg-family.h"

G_BEGIN_DECLS

/* The user an answer file asks the installer to create, so the evidence
 * can check that this very user exists and logged in. NULL if none. */
gchar *sg_answers_get_username(SgFamily family, const gchar *contents);

G_END_DECLS
