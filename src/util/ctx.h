/*
 * util: the library context (definition private to src/). Carries the last
 * error message, the diagnostics callback and per-run options. No global
 * state: everything a run needs hangs off here.
 */
#ifndef KT_UTIL_CTX_H
#define KT_UTIL_CTX_H

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
	/* Compiled tables of the sign stage, built on first use and released
	 * by kt_ctx_free() (src/sign/sign.c). */
	void *sign_cache;
	void (*sign_cache_free)(void *cache);
	/* Compiled tables of the parse stage (header detection, cut classes),
	 * built on first use by kt_parser_new() and released by kt_ctx_free()
	 * (src/parse/parser.c). */
	void *parse_cache;
	void (*parse_cache_free)(void *cache);
	/* Decoder tables (taint, error bits, poison, MTU sizes ...), loaded on
	 * first use (src/decode/decode.c). */
	void *decode_cache;
	void (*decode_cache_free)(void *cache);
};

/*
 * Report an input problem: to ctx->problem if set, else as a kt_diag()
 * warning naming `input` (or the member). `member` may be NULL, `offset`
 * -1 when unknown.
 */
void kt_problem(struct kt_ctx *ctx, const char *input, enum kt_problem_kind kind,
		const char *member, int64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

#endif
