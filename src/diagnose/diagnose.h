/*
 * diagnose: internal entry points of the stage. The public API is
 * <ktriage/diagnose.h>; the rule model is diagnose/rules.h. This stage reads
 * reports (parse/sign/decode filled them) and host facts, and writes only
 * r->findings and r->story.
 */
#ifndef KT_DIAGNOSE_DIAGNOSE_H
#define KT_DIAGNOSE_DIAGNOSE_H

#include <ktriage/diagnose.h>

#include "diagnose/rules.h"

/* The frame-meaning table (data/diagnose/frames.tsv), compiled. Caller
 * owns the result; free with kt_frame_table_free(). Never NULL: without the
 * data file the table is empty. */
struct kt_frame_table *kt_frame_table_load(struct kt_ctx *ctx);
void kt_frame_table_free(struct kt_frame_table *t);
size_t kt_frame_table_count(const struct kt_frame_table *t);
/* Execution context of r: the innermost reliable frame whose table row
 * fixes a context (agreeing with r->context when the decode stage set it),
 * else r->context, else the call-trace stack markers. *ret_why names the
 * evidence (borrowed from r), or NULL. */
enum kt_context kt_frame_table_context(const struct kt_frame_table *t, const struct kt_report *r,
				       const char **ret_why);
/* The built-in rule set of ctx, loaded on first use (kt_ctx_table():
 * shared read-only by the contexts of kt_ctx_share_tables()). NULL when it
 * could not be loaded (out of memory), with the error on ctx. Borrowed;
 * valid until ctx is freed. */
const struct kt_ruleset *kt_ruleset_builtin_shared(struct kt_ctx *ctx);
/* Build what kt_diagnose_run() would build on first use (the line
 * literals), so that rs is read-only from then on. */
void kt_ruleset_prepare(struct kt_ruleset *rs);
/* kt_diagnose_story() with an already loaded table. */
int kt_diagnose_story_with(struct kt_ctx *ctx, const struct kt_frame_table *t, struct kt_report *r);

#endif
