/*
 * util: the library context (definition private to src/). Carries the last
 * error message, the diagnostics callback and per-run options. No global
 * state: everything a run needs hangs off here.
 */
#ifndef KT_UTIL_CTX_H
#define KT_UTIL_CTX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ktriage/error.h>
#include <ktriage/input.h>

/* Where input problems go while an analysis runs (src/pipeline.c sets it):
 * `input` names the container (file, directory, archive) when the problem
 * is not inside the unit being analysed, else NULL. */
typedef void (*kt_problem_fn)(void *ud, const char *input, const struct kt_problem *p);

/* Caps on untrusted input, set per run (0 = the default). */
struct kt_input_limits {
	size_t max_members;	/* entries examined per walked path */
	size_t max_depth;	/* archives inside archives */
	size_t max_line;	/* bytes kept per line */
	uint64_t max_bytes;	/* bytes read per input (decompressed); 0: no cap */
};

struct kt_ctx {
	char errmsg[1024];
	kt_diag_fn diag;
	void *diag_data;
	/* Options set through the public API (see ktriage.h). */
	const char *data_dir;	/* override for the embedded data, or NULL */
	kt_problem_fn problem;	/* input problems (NULL: they become warnings) */
	void *problem_data;
	struct kt_input_limits limits;
	/* Compiled knowledge tables, built on first use and shared with the
	 * contexts of kt_ctx_share_tables() (see kt_ctx_table()). */
	struct kt_tables *tables;
	/* Regexes compiled at build time (src/rx_bake.c; set by
	 * kt_analyzer_new()), or NULL: see kt_pcre_compile(). */
	const struct kt_pcre_bake *rx_bake;
	/* The build tool's hook: sees every pattern kt_pcre_compile() compiles. */
	void (*rx_record)(void *ud, const char *pat, size_t len, uint32_t flags,
			  const void *code);
	void *rx_record_ud;
};

/* The compiled tables a context keeps (one slot each). */
enum kt_table {
	KT_TABLE_PARSE,		/* header detection, cut classes (src/parse/parser.c) */
	KT_TABLE_SIGN,		/* title recipes, frame sets (src/sign/sign.c) */
	KT_TABLE_DECODE,	/* taint, error bits, MTU sizes ... (src/decode/decode.c) */
	KT_TABLE_RULES,		/* the built-in rule set (src/diagnose/ruleset.c) */
	KT_TABLE_COUNT
};

typedef void *(*kt_table_build_fn)(struct kt_ctx *ctx);
typedef void (*kt_table_free_fn)(void *table);

/*
 * The table `which` of ctx, built by build(ctx) on first use (NULL: it
 * failed, with the error on ctx; the next call tries again). Once built a
 * table must be read-only, or guard what it changes, since contexts that
 * share tables (kt_ctx_share_tables) run in several threads; a thread
 * that needs a table another is building waits for it. free_fn releases
 * it with the last context. Borrowed; valid until ctx is freed.
 */
void *kt_ctx_table(struct kt_ctx *ctx, enum kt_table which, kt_table_build_fn build,
		   kt_table_free_fn free_fn);

/*
 * Report an input problem: to ctx->problem if set, else as a kt_diag()
 * warning naming `input` (or the member). `member` may be NULL, `offset`
 * -1 when unknown.
 */
void kt_problem(struct kt_ctx *ctx, const char *input, enum kt_problem_kind kind,
		const char *member, int64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

#endif
