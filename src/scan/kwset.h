/*
 * scan/kwset: find any of a set of literal keywords in a byte range, fast,
 * and count newlines. This is the scanner's hot loop: it only says "one of
 * the keywords occurs here"; whether the line is a crash header is decided
 * by the parser (src/parse/detect.h). No domain knowledge here.
 *
 * Two engines: a hand-rolled "Teddy"-style fingerprint filter (AVX-512
 * VBMI byte tables or AVX2 nibble tables over a 4-byte window of each
 * keyword, then a hash bitmap and a compare), and Vectorscan
 * (hs_compile_lit_multi, block mode) when built with it.
 * docs/scan.md has the measurements that chose the default.
 */
#ifndef KT_SCAN_KWSET_H
#define KT_SCAN_KWSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kt_ctx;
struct kt_kwset;

enum kt_kwset_engine {
	KT_KWSET_AUTO,		/* the measured default (see docs/scan.md) */
	KT_KWSET_TEDDY,		/* hand-rolled SIMD filter (scalar without AVX2) */
	KT_KWSET_VECTORSCAN,	/* Vectorscan; KT_EUNSUPPORTED if not built in */
	KT_KWSET_NAIVE,		/* memmem per keyword: the reference for tests */
	KT_KWSET_ENGINE_COUNT
};

/* Name of an engine ("auto", "teddy", "vectorscan", "naive"); "unknown"
 * when out of range. */
const char *kt_kwset_engine_name(enum kt_kwset_engine e);
/* Engine for a name, or KT_KWSET_ENGINE_COUNT when unknown. */
enum kt_kwset_engine kt_kwset_engine_from_name(const char *s);

/*
 * Compile `n` keywords (each non-empty, at most 255 bytes, no '\n').
 * Copied; the arguments may be freed after return. Returns 0, KT_EINVAL
 * (bad keyword) or KT_EUNSUPPORTED (engine not built in), message on ctx.
 * Caller owns the result; free with kt_kwset_free().
 */
int kt_kwset_new(struct kt_ctx *ctx, const char *const *kw, size_t n,
		 enum kt_kwset_engine engine, struct kt_kwset **ret);
/* Free a keyword set; NULL is a no-op. */
void kt_kwset_free(struct kt_kwset *s);

/* The engine actually used (AUTO resolved). */
enum kt_kwset_engine kt_kwset_engine(const struct kt_kwset *s);
/* Length of the longest keyword. */
size_t kt_kwset_max_len(const struct kt_kwset *s);

/*
 * Search p[0..len) for a keyword occurrence that lies wholly inside it. On
 * success returns true and stores in *ret_off the start of an occurrence
 * in the earliest line (text up to a '\n') holding any, and in *ret_len
 * (may be NULL) its length. Which one of that line: the leftmost for the
 * naive and Vectorscan engines, the one whose search window comes first
 * for Teddy (usually the leftmost too). Not thread-safe per set (Vectorscan
 * scratch); use one set per thread.
 */
bool kt_kwset_find(struct kt_kwset *s, const char *p, size_t len, size_t *ret_off,
		   size_t *ret_len);

/* Number of '\n' bytes in p[0..len). */
uint64_t kt_count_newlines(const char *p, size_t len);

/* True for the bytes the normalizer drops from inside a line (control
 * characters other than TAB, CR and LF, and DEL): dropping them can join
 * the two halves of a keyword, so a line holding one is always a candidate.
 * CR is not one of them: the normalizer keeps what follows the last CR,
 * which never joins text. */
static inline bool
kt_is_joining_control(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
}

/*
 * Walk p[0..len): count its '\n' bytes up to the first joining control
 * byte (kt_is_joining_control()). Returns the offset of that byte, or len
 * if there is none; *ret_newlines is the number of '\n' before it.
 */
size_t kt_span_scan(const char *p, size_t len, uint64_t *ret_newlines);

/* SIMD code of the Teddy engine, best last. */
enum {
	KT_KWSET_ISA_SCALAR,
	KT_KWSET_ISA_AVX2,		/* 16 window starts a round (nibble tables) */
	KT_KWSET_ISA_AVX512VBMI,	/* 64 a round (whole-byte tables) */
};
/* The SIMD level a set's Teddy search uses: by default the best this CPU
 * runs. All levels find the same occurrence. */
int kt_kwset_isa(const struct kt_kwset *s);
/* For tests and benchmarks: use `isa` if this CPU runs it (else keep the
 * current one); returns the level now in use. */
int kt_kwset_set_isa(struct kt_kwset *s, int isa);
/* How often Teddy chose other windows for keywords whose window turned out
 * to be common in the text searched so far (see kwset.c teddy_adapt()). */
unsigned kt_kwset_replans(const struct kt_kwset *s);
/* kt_count_newlines() and kt_span_scan() with the SIMD code of level `isa`
 * (AVX-512BW for KT_KWSET_ISA_AVX512VBMI), or the best below it this CPU
 * runs: for tests, which compare the levels. */
uint64_t kt_count_newlines_isa(int isa, const char *p, size_t len);
size_t kt_span_scan_isa(int isa, const char *p, size_t len, uint64_t *ret_newlines);

#endif
