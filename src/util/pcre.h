/*
 * util/pcre: how ktriage runs PCRE2, for every stage that matches regexes
 * (parse/detect's kt_rx, the rule regexes of diagnose, the story's frame
 * table). A compiled pattern here is read-only once built, so one table of
 * them can serve several threads (docs/analyze-speed.md, "Parallel
 * inputs"):
 *
 *  - match data is per thread (kt_pcre_scratch()), never per pattern;
 *  - JIT compilation is lazy and thread-safe: a pattern runs in PCRE2's
 *    interpreter until it has been used KT_PCRE_JIT_AFTER times, then a
 *    JIT-compiled copy is published with an atomic pointer (most patterns
 *    of the tables run a few times per log: JIT-compiling them cost more
 *    than it saved, a third of a one-oops log's start-up);
 *  - the engine never changes a result: when the engine used stops at a
 *    backtracking limit, the other engine runs, and a match is reported
 *    when either found one. Both engines give the same answer whenever they
 *    finish, so the answer does not depend on which engine a thread
 *    happened to use, i.e. on -j or on timing.
 */
#ifndef KT_UTIL_PCRE_H
#define KT_UTIL_PCRE_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kt_ctx;

/* Interpreter work on a pattern before it is JIT-compiled: one unit per
 * match plus one per 64 bytes of subject, or per 4 bytes for a pattern the
 * interpreter must try at every position (JIT compilation of a table
 * pattern costs about as much as the interpreter does in this much work). */
#ifndef KT_PCRE_JIT_AFTER
#define KT_PCRE_JIT_AFTER 64
#endif

struct kt_pcre {
	pcre2_code *code;		/* never JIT-compiled itself */
	_Atomic(pcre2_code *) jit;	/* JIT-compiled copy of code, once made */
	atomic_uint uses;		/* interpreter work so far (see KT_PCRE_JIT_AFTER) */
	atomic_bool no_jit;		/* JIT compilation failed: interpreter only */
	uint8_t shift;			/* subject bytes per unit of work: 1 << shift */
};

/* Compile a pattern (pcre2_compile() arguments). Returns NULL with *err and
 * *off set on a syntax error. Caller owns the result; free with
 * pcre2_code_free(). */
pcre2_code *kt_pcre_compile(struct kt_ctx *ctx, const char *pat, size_t len, uint32_t flags,
			    int *err, PCRE2_SIZE *off);

/* Take ownership of `code` (may be NULL: kt_pcre_match then never matches). */
void kt_pcre_init(struct kt_pcre *p, pcre2_code *code);
void kt_pcre_deinit(struct kt_pcre *p);

/* pcre2_match() of p on s[0..len) from `start` (see the file comment for the
 * engine). Returns what pcre2_match() returns: >= 0 on a match (0: md has
 * too few pairs), PCRE2_ERROR_NOMATCH, or a limit error when both engines
 * stopped at a limit. Thread-safe; md must be the caller's (e.g.
 * kt_pcre_scratch()). */
int kt_pcre_match(const struct kt_pcre *p, const char *s, size_t len, size_t start,
		  pcre2_match_data *md, pcre2_match_context *mc);

/* pcre2_substitute() with PCRE2_SUBSTITUTE_GLOBAL of p over the C string
 * `in` into out[*outlen]; same return values and engine rules. */
int kt_pcre_substitute(const struct kt_pcre *p, const char *in, const char *with,
		       pcre2_match_context *mc, char *out, size_t *outlen);

/* This thread's match data, with room for at least `pairs` pairs. Valid
 * until the thread's next call with more pairs, or its end; freed at thread
 * exit. */
pcre2_match_data *kt_pcre_scratch(uint32_t pairs);

#endif
