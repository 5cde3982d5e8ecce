/*
 * decode: the stage entry point. Loads the tables of data/decode/, then runs
 * the decoders in order: bits (taint, fault, CPU registers), context,
 * instructions, register notes, symbolization. Each decoder only adds
 * fields; one that cannot read its input leaves its fields empty.
 */
#include "decode/decode.h"

#include <stdlib.h>
#include <string.h>

#include "decode/internal.h"
#include "util/ctx.h"
#include "util/data.h"
#include "util/mem.h"

static const struct {
	const char *path;
	size_t offset;
} table_files[] = {
	{ "decode/taint.tsv", offsetof(struct kt_decode_tables, taint) },
	{ "decode/pf-error.tsv", offsetof(struct kt_decode_tables, pf_error) },
	{ "decode/rflags.tsv", offsetof(struct kt_decode_tables, rflags) },
	{ "decode/cr0.tsv", offsetof(struct kt_decode_tables, cr0) },
	{ "decode/cr4.tsv", offsetof(struct kt_decode_tables, cr4) },
	{ "decode/pte-x86.tsv", offsetof(struct kt_decode_tables, pte) },
	{ "decode/arm64-esr-ec.tsv", offsetof(struct kt_decode_tables, esr_ec) },
	{ "decode/arm64-fsc.tsv", offsetof(struct kt_decode_tables, fsc) },
	{ "decode/poison.tsv", offsetof(struct kt_decode_tables, poison) },
	{ "decode/mtu-sizes.tsv", offsetof(struct kt_decode_tables, mtu) },
	{ "decode/context-frames.tsv", offsetof(struct kt_decode_tables, ctx_frames) },
};

int
kt_decode_tables_load(struct kt_ctx *ctx, struct kt_decode_tables *t)
{
	int first = 0;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < sizeof(table_files) / sizeof(table_files[0]); i++) {
		struct kt_dtable *d = (struct kt_dtable *)((char *)t + table_files[i].offset);
		int rc = kt_dtable_load(ctx, table_files[i].path, d);

		if (rc) {
			kt_diag(ctx, KT_SEV_WARN, table_files[i].path, "%s", kt_ctx_errmsg(ctx));
			if (!first)
				first = rc;
		}
	}
	return first;
}

void
kt_decode_tables_deinit(struct kt_decode_tables *t)
{
	for (size_t i = 0; i < sizeof(table_files) / sizeof(table_files[0]); i++)
		kt_dtable_deinit((struct kt_dtable *)((char *)t + table_files[i].offset));
}

/* Forget earlier decode results so that running the stage again replaces
 * them instead of appending (the old arrays stay in the arena). Fault fields
 * that decode filled stay: they are filled only when empty. */
static void
reset_outputs(struct kt_report *r)
{
	static const struct kt_flag_list none = { NULL, 0 };

	r->kernel.taint = none;
	r->fault.error_bits = none;
	r->fault.pte_bits = none;
	r->rflags = none;
	r->cr0 = none;
	r->cr4 = none;
	r->context = KT_CONTEXT_UNKNOWN;
	r->context_why = NULL;
	r->insns = NULL;
	r->n_insns = 0;
	r->insn_note = NULL;
	r->reg_notes = NULL;
	r->n_reg_notes = 0;
}

static void
free_cached_tables(void *p)
{
	kt_decode_tables_deinit(p);
	free(p);
}

static void *
build_tables(struct kt_ctx *ctx)
{
	struct kt_decode_tables *t = kt_calloc(1, sizeof(*t));

	(void)kt_decode_tables_load(ctx, t);	/* problems were reported via kt_diag */
	return t;
}

/* The tables are loaded once per context and kept on it: loading them for
 * every report cost more than decoding the report. */
static const struct kt_decode_tables *
cached_tables(struct kt_ctx *ctx, struct kt_decode_tables *local)
{
	if (!ctx) {
		(void)kt_decode_tables_load(ctx, local);
		return local;
	}
	return kt_ctx_table(ctx, KT_TABLE_DECODE, build_tables, free_cached_tables);
}

int
kt_decode_run(struct kt_ctx *ctx, struct kt_report *r, const struct kt_decode_opts *opts)
{
	struct kt_decode_tables local;
	const struct kt_decode_tables *t;
	struct kt_insn_regs used;
	int rc = 0;

	memset(&local, 0, sizeof(local));
	reset_outputs(r);
	t = cached_tables(ctx, &local);
	kt_decode_taint(r, &t->taint);
	kt_decode_fault(r, t);
	kt_decode_cpu_regs(r, t);
	kt_decode_context(r, &t->ctx_frames);
	kt_decode_insns(r, &used);
	kt_decode_reg_notes(r, t, &used);
	if (t == &local)
		kt_decode_tables_deinit(&local);
	if (opts && (opts->vmlinux || opts->modules_dir || opts->system_map))
		rc = kt_symbolize(ctx, r, opts);
	return rc;
}
