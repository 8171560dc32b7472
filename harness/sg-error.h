#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SG_ERROR (sg_error_quark())

/*
 * One error domain for the whole harness. The code says who is to blame,
 * because that decides the verdict: a bad image is a "fail", a lab or
 * harness problem is an "error" (the image could not be judged).
 */
typedef enum {
	SG_ERROR_USAGE,	    /* bad arguments or input paths: exit 64 */
	SG_ERROR_IMAGE,	    /* the image itself is bad: verdict fail */
	SG_ERROR_LAB,	    /* the lab or harness failed: verdict error */
	SG_ERROR_CANCELLED, /* interrupted by a signal: verdict error */
} SgErrorCode;

GQuark sg_error_quark(void);

G_END_DECLS
