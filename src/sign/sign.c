/*
 * sign: entry point. kt_sign_run() compiles the sign tables once per
 * context (cached on struct kt_ctx, released by kt_ctx_free()) and signs
 * one report.
 */
#include "sign/sign.h"
#include "sign/signer.h"
#include "util/ctx.h"

static void
free_cache(void *p)
{
	kt_signer_free(p);
}

int
kt_sign_run(struct kt_ctx *ctx, struct kt_report *r)
{
	if (!ctx->sign_cache) {
		struct kt_signer *s;
		int rc = kt_signer_new(ctx, &s);
		if (rc)
			return rc;
		ctx->sign_cache = s;
		ctx->sign_cache_free = free_cache;
	}
	kt_signer_run(ctx->sign_cache, r);
	return 0;
}
