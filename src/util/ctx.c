/* util: context lifecycle, error messages and diagnostics (see error.h). */
#include "util/ctx.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

/* The tables of one or more contexts (kt_ctx_share_tables). */
struct kt_tables {
	atomic_uint refs;
	struct {
		_Atomic(void *) table;	/* published once built */
		kt_table_free_fn free_fn;
		pthread_mutex_t build;	/* held while it is built */
	} slot[KT_TABLE_COUNT];
};

static struct kt_tables *
tables_new(void)
{
	struct kt_tables *t = kt_calloc(1, sizeof(*t));

	atomic_init(&t->refs, 1);
	for (size_t i = 0; i < KT_TABLE_COUNT; i++) {
		atomic_init(&t->slot[i].table, NULL);
		(void)pthread_mutex_init(&t->slot[i].build, NULL);
	}
	return t;
}

static void
tables_unref(struct kt_tables *t)
{
	if (!t || atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) != 1)
		return;
	/* in the reverse order of the stages: rules may point into earlier tables */
	for (size_t i = KT_TABLE_COUNT; i-- > 0;) {
		void *p = atomic_load_explicit(&t->slot[i].table, memory_order_acquire);

		if (p && t->slot[i].free_fn)
			t->slot[i].free_fn(p);
		(void)pthread_mutex_destroy(&t->slot[i].build);
	}
	free(t);
}

static bool
tables_empty(struct kt_tables *t)
{
	for (size_t i = 0; i < KT_TABLE_COUNT; i++)
		if (atomic_load_explicit(&t->slot[i].table, memory_order_acquire))
			return false;
	return true;
}

struct kt_ctx *
kt_ctx_new(void)
{
	struct kt_ctx *ctx = kt_calloc(1, sizeof(struct kt_ctx));

	ctx->tables = tables_new();
	return ctx;
}

void
kt_ctx_free(struct kt_ctx *ctx)
{
	if (!ctx)
		return;
	tables_unref(ctx->tables);
	free(ctx);
}

int
kt_ctx_share_tables(struct kt_ctx *ctx, struct kt_ctx *from)
{
	if (!ctx || !from)
		return kt_error(ctx, KT_EINVAL, "kt_ctx_share_tables: NULL context");
	if (ctx->tables == from->tables)
		return 0;
	if (!tables_empty(ctx->tables))
		return kt_error(ctx, KT_EINVAL, "kt_ctx_share_tables: the context has tables");
	if ((ctx->data_dir || from->data_dir) &&
	    (!ctx->data_dir || !from->data_dir || strcmp(ctx->data_dir, from->data_dir)))
		return kt_error(ctx, KT_EINVAL,
				"kt_ctx_share_tables: the contexts read different data");
	atomic_fetch_add_explicit(&from->tables->refs, 1, memory_order_relaxed);
	tables_unref(ctx->tables);
	ctx->tables = from->tables;
	return 0;
}

void *
kt_ctx_table(struct kt_ctx *ctx, enum kt_table which, kt_table_build_fn build,
	     kt_table_free_fn free_fn)
{
	struct kt_tables *t = ctx->tables;
	void *p = atomic_load_explicit(&t->slot[which].table, memory_order_acquire);

	if (p)
		return p;
	(void)pthread_mutex_lock(&t->slot[which].build);
	p = atomic_load_explicit(&t->slot[which].table, memory_order_acquire);
	if (!p && (p = build(ctx)) != NULL) {
		t->slot[which].free_fn = free_fn;
		atomic_store_explicit(&t->slot[which].table, p, memory_order_release);
	}
	(void)pthread_mutex_unlock(&t->slot[which].build);
	return p;
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
