/*
 * parse/archhint: the architecture of a report without a register dump,
 * from its frames (data/parse/arch.txt: entry-code function names of one
 * architecture, and where each architecture maps kernel text).
 */
#ifndef KT_PARSE_ARCHHINT_H
#define KT_PARSE_ARCHHINT_H

#include <ktriage/report.h>

struct kt_ctx;
struct kt_archhint;

/* Load data/parse/arch.txt. Returns 0, KT_ENOTFOUND or KT_EFORMAT (message
 * on ctx). Caller owns the result; free with kt_archhint_free(). */
int kt_archhint_new(struct kt_ctx *ctx, struct kt_archhint **ret);
/* Free the table; NULL is a no-op. */
void kt_archhint_free(struct kt_archhint *h);

/* The architecture r's frames point to: the most votes of frame names; if
 * no name voted, of frame addresses; KT_ARCH_UNKNOWN when nothing voted or
 * two architectures tie. Reads r->frames only. */
enum kt_arch kt_archhint_guess(const struct kt_archhint *h, const struct kt_report *r);

#endif
