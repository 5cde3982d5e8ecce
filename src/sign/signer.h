/*
 * sign: internal definition of the compiled sign tables (tables.c loads,
 * title.c uses them). Not part of any other stage's API.
 */
#ifndef KT_SIGN_SIGNER_H
#define KT_SIGN_SIGNER_H

#include "parse/detect.h"
#include "sign/nameset.h"
#include "sign/sign.h"

enum step_kind { STEP_FIND, STEP_PARSE };

struct sign_step {
	enum step_kind kind;
	struct kt_rx *rx;	/* STEP_FIND; borrowed from kt_signer.step_rx */
	bool has_group;
	bool required;		/* !NAME: the recipe fails without it */
	bool optional;		/* ?NAME: passed over when not found (else the
				 * step consumes the text, as in syzkaller) */
};

struct sign_recipe {
	struct sign_step *v;
	size_t n;
};

struct sign_format {
	bool *headers;		/* indexed by detect header index */
	struct kt_rx *title;
	struct kt_rx *report;
	char *fmt;
	char **alts;
	size_t n_alts;
	struct sign_recipe stack;
	struct sign_recipe stack2;
	struct kt_nameset *skip; /* the format's skips, or NULL */
	bool corrupted, nostack, stall, hang, fallback;
	bool rawframe;		/* frames as printed: no skip lists */
	bool topframe;		/* stall without an anchor: the top frame */
};

struct sign_sub {
	struct kt_rx *rx;
	char *with;		/* type name, replacement, or hang title */
};

struct kt_signer {
	struct kt_ctx *ctx;
	struct kt_detect *det;
	size_t n_headers;
	struct sign_format *f;
	size_t n_f;
	struct kt_rx *frame;	/* FRAME */
	struct kt_rx *unreliable; /* UNRELIABLE */
	struct kt_rx *stackstart; /* STACKSTART */
	struct kt_rx *trace;	/* TRACE */
	struct kt_rx *faultinject; /* FAULTINJECT */
	struct kt_rx *armcaller; /* ARMCALLER */
	struct kt_nameset *skip; /* global skip list */
	struct kt_rx **step_rx;	/* one compiled regex per define a step uses */
	size_t n_step_rx;
	char **wrappers;
	size_t n_wrappers;
	struct kt_nameset *anchors;
	struct sign_sub *renames;
	size_t n_renames;
	struct sign_sub *hangfirst;
	size_t n_hangfirst;
	struct kt_nameset *hangskip;
	struct sign_sub *types;
	size_t n_types;
	struct sign_sub *norm;
	size_t n_norm;
};

#endif
