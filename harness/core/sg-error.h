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
	SG_ERROR_FETCH,	    /* a download failed: server, network, TLS, timeout */
	SG_ERROR_CHECKSUM,  /* a file does not match its published SHA256SUMS */
	SG_ERROR_LOCKED,    /* another gate holds the tree */
	SG_ERROR_TREE,	    /* the image tree is not in the shape it must be */
	SG_ERROR_DAMAGED,   /* part of the tree is damaged (a record, a link): exit 65 */
	SG_ERROR_SIGNATURE, /* a SHA256SUMS without a good signature by the keyring: exit 65 */
} SgErrorCode;

GQuark sg_error_quark(void);

G_END_DECLS
