/*
 * util: the library context (definition private to src/). Carries the last
 * error message, the diagnostics callback and per-run options. No global
 * state: everything a run needs hangs off here.
 */
#ifndef KT_UTIL_CTX_H
#define KT_UTIL_CTX_H

#include <stdbool.h>

#include <ktriage/error.h>

struct kt_ctx {
	char errmsg[1024];
	kt_diag_fn diag;
	void *diag_data;
	/* Options set through the public API (see ktriage.h). */
	const char *data_dir;	/* override for the embedded data, or NULL */
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

#endif
