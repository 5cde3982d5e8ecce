/*
 * sign/nameset: "does this function name match any pattern of a list"
 * (skip lists, stall anchors, hang skips of data/sign/). Most patterns are
 * plain literals ("kasan", "^do_trap", "^die$", "vfs_ioctl$"); those are
 * answered by sorted tables and a byte-pair index, and only the few real
 * regexes left go to PCRE2, as one alternation. The answer is the one the
 * alternation of all patterns would give. No knowledge of its own.
 */
#ifndef KT_SIGN_NAMESET_H
#define KT_SIGN_NAMESET_H

#include <stdbool.h>

#include "util/str.h"

struct kt_ctx;
struct kt_nameset;

/* An empty set (matches nothing). Caller owns the result; free with
 * kt_nameset_free(). */
struct kt_nameset *kt_nameset_new(void);
void kt_nameset_free(struct kt_nameset *ns);

/* Add one pattern (PCRE2 syntax, matched without flags). Copied. */
void kt_nameset_add(struct kt_nameset *ns, struct kt_str pattern);
/* Finish the set after the last add: sort the tables and compile the
 * regexes. Returns 0 or KT_EFORMAT (message on ctx). */
int kt_nameset_build(struct kt_ctx *ctx, struct kt_nameset *ns);

/* True if some pattern matches `name` (a NUL-terminated function name). */
bool kt_nameset_match(const struct kt_nameset *ns, const char *name);
/* Number of patterns added. */
size_t kt_nameset_count(const struct kt_nameset *ns);

#endif
