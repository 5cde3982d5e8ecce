/*
 * sign: give a cut report its identity: title (syzkaller conventions),
 * alternative titles, bug type, guilty frame, corrupted flag and bucket id.
 * Works from r->lines (the report text); all knowledge (formats, skip lists,
 * extractors, types, normalisation) is data under data/sign/, compiled once
 * per context. It does not parse fields (src/parse/fields*.c) nor decode.
 */
#ifndef KT_SIGN_SIGN_H
#define KT_SIGN_SIGN_H

#include <stdbool.h>
#include <stddef.h>

#include <ktriage/report.h>

#include "util/str.h"

struct kt_ctx;
struct kt_signer;

/* Title, alt_titles, type, frame, corrupted(+reason) and bucket of `r`,
 * using the tables compiled on first use and cached on ctx (released by
 * kt_ctx_free()). Returns 0, or KT_EFORMAT/KT_ENOTFOUND when the data
 * tables are broken (message on ctx). Strings go to r's arena. */
int kt_sign_run(struct kt_ctx *ctx, struct kt_report *r);

/* The compiled tables themselves (for tests and tools). Caller owns the
 * result; free with kt_signer_free(). Returns 0, KT_EFORMAT, KT_ENOTFOUND. */
int kt_signer_new(struct kt_ctx *ctx, struct kt_signer **ret);
void kt_signer_free(struct kt_signer *s);
/* Same as kt_sign_run() with explicit tables. */
void kt_signer_run(struct kt_signer *s, struct kt_report *r);

/* Title normalisation (data/sign/normalize.txt + spaces, control bytes,
 * 120-byte cut). Caller owns the result; free with free(). */
char *kt_signer_normalize(const struct kt_signer *s, const char *title);
/* Bug type of a final title, or NULL. Borrowed; valid until s is freed. */
const char *kt_signer_type(const struct kt_signer *s, const char *title);
/* True if `func` may never be a guilty frame (global skip list). */
bool kt_signer_skipped(const struct kt_signer *s, const char *func);
/* The syscall-wrapper-stripped form of func (shortest of the one-prefix
 * strips, or func itself) written to buf. */
void kt_signer_strip_wrapper(const struct kt_signer *s, const char *func, char *buf,
			     size_t bufsz);

/* Bucket id of a report with guilty frame `guilty` and the following
 * frames `next` (function names, no offsets): 16 hex digits of FNV-1a 64
 * over kind name and the names, written to ret (17 bytes). */
void kt_sign_bucket(enum kt_kind kind, const char *guilty, const char *const *next,
		    size_t n_next, const char *title, char ret[17]);

#endif
