#include "sg-error.h"

G_DEFINE_QUARK(smokegate - error - quark, sg_error)
