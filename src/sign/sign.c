/*
 * sign: entry point. kt_sign_run() compiles the sign tables once per
 * context (kt_ctx_table(): shared by the contexts of kt_ctx_share_tables(),
 * released with the last of them) and signs one report.
 */
#include "sign/sign.h"
#include "sign/signer.h"
#include "util/ctx.h"

static void
free_cache(void *p)
{
	kt_signer_free(p);
}

static void *
build(struct kt_ctx *ctx)
{
	struct kt_signer *s;

	return kt_signer_new(ctx, &s) == 0 ? s : NULL;
}

int
kt_sign_run(struct kt_ctx *ctx, struct kt_report *r)
{
	struct kt_signer *s = kt_ctx_table(ctx, KT_TABLE_SIGN, build, free_cache);

	if (!s)
		return KT_EFORMAT;	/* the message is on ctx */
	kt_signer_run(s, r);
	return 0;
}
