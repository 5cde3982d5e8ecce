/* util: context lifecycle, error messages and diagnostics (see error.h). */
#include "util/ctx.h"

#include <stdio.h>
#include <stdlib.h>

#include "util/mem.h"

struct kt_ctx *
kt_ctx_new(void)
{
	return kt_calloc(1, sizeof(struct kt_ctx));
}

void
kt_ctx_free(struct kt_ctx *ctx)
{
	if (ctx && ctx->sign_cache_free)
		ctx->sign_cache_free(ctx->sign_cache);
	if (ctx && ctx->parse_cache_free)
		ctx->parse_cache_free(ctx->parse_cache);
	if (ctx && ctx->decode_cache_free)
		ctx->decode_cache_free(ctx->decode_cache);
	free(ctx);
}

const char *
kt_ctx_errmsg(const struct kt_ctx *ctx)
{
	return ctx ? ctx->errmsg : "";
}

void
kt_ctx_set_diag(struct kt_ctx *ctx, kt_diag_fn fn, void *userdata)
{
	ctx->diag = fn;
	ctx->diag_data = userdata;
}

int
kt_error(struct kt_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;

	if (!ctx)
		return code;
	va_start(ap, fmt);
	(void)vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
	va_end(ap);
	return code;
}

void
kt_diag(struct kt_ctx *ctx, enum kt_sev sev, const char *what, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!ctx || !ctx->diag)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->diag(ctx->diag_data, sev, what, msg);
}

static const char *const problem_names[KT_PROBLEM_COUNT] = {
	[KT_PROBLEM_TRUNCATED] = "truncated",
	[KT_PROBLEM_CORRUPT] = "corrupt",
	[KT_PROBLEM_UNREADABLE] = "unreadable",
	[KT_PROBLEM_TOO_DEEP] = "too-deep",
	[KT_PROBLEM_LIMIT] = "limit",
	[KT_PROBLEM_UNSUPPORTED] = "unsupported",
	[KT_PROBLEM_EMPTY] = "empty",
};

const char *
kt_problem_kind_name(enum kt_problem_kind kind)
{
	return (unsigned)kind < KT_PROBLEM_COUNT ? problem_names[kind] : "corrupt";
}

int
kt_problem_incomplete(enum kt_problem_kind kind)
{
	return kind != KT_PROBLEM_EMPTY;
}

void
kt_problem(struct kt_ctx *ctx, const char *input, enum kt_problem_kind kind,
	   const char *member, int64_t offset, const char *fmt, ...)
{
	char msg[1024];
	struct kt_problem p = { .kind = kind, .member = member, .offset = offset,
				.message = msg };
	va_list ap;

	if (!ctx)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ctx->problem) {
		ctx->problem(ctx->problem_data, input, &p);
		return;
	}
	enum kt_sev sev = kind == KT_PROBLEM_EMPTY ? KT_SEV_INFO : KT_SEV_WARN;

	if (input && member)
		kt_diag(ctx, sev, input, "member '%s': %s", member, msg);
	else
		kt_diag(ctx, sev, input ? input : member, "%s", msg);
}

static const char *const err_names[KT_ERR_COUNT_] = {
	[0] = "success",
	[1] = "out of memory",
	[2] = "I/O error",
	[3] = "invalid argument",
	[4] = "unrecognised format",
	[5] = "not found",
	[6] = "database error",
	[7] = "not supported",
};

const char *
kt_strerror(int code)
{
	int i = -code;

	if (i < 0 || i >= KT_ERR_COUNT_)
		return "unknown error";
	return err_names[i];
}

static const char *const sev_names[KT_SEV_COUNT] = {
	[KT_SEV_INFO] = "info",
	[KT_SEV_WARN] = "warning",
	[KT_SEV_ERROR] = "error",
};

const char *
kt_sev_name(enum kt_sev sev)
{
	return (unsigned)sev < KT_SEV_COUNT ? sev_names[sev] : "unknown";
}
