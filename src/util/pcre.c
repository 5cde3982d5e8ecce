/* util/pcre: lazy, thread-safe JIT and per-thread match data (see pcre.h). */
#include "util/pcre.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/ctx.h"
#include "util/mem.h"

static int
baked_cmp(const char *pat, size_t len, uint32_t flags, const struct kt_pcre_baked *e)
{
	if (len != e->len)
		return len < e->len ? -1 : 1;
	int c = memcmp(pat, e->pat, len);

	if (c)
		return c;
	return flags == e->flags ? 0 : flags < e->flags ? -1 : 1;
}

/* The build-time copy of (pat, flags), or NULL. */
static pcre2_code *
baked(const struct kt_pcre_bake *b, const char *pat, size_t len, uint32_t flags)
{
	size_t lo = 0, hi = b->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = baked_cmp(pat, len, flags, &b->v[mid]);

		if (c == 0) {
			const struct kt_pcre_baked *e = &b->v[mid];
			unsigned char *buf = kt_malloc(b->prefix_len + e->size);
			pcre2_code *code = NULL;

			/* the serialized form of this one code: aligned, whole */
			memcpy(buf, b->prefix, b->prefix_len);
			memcpy(buf + b->prefix_len, b->codes + e->off, e->size);
			if (pcre2_serialize_decode(&code, 1, buf, NULL) != 1)
				code = NULL;	/* another PCRE2 than at build time */
			free(buf);
			return code;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

pcre2_code *
kt_pcre_compile_with(const struct kt_pcre_bake *bake, const char *pat, size_t len,
		     uint32_t flags, int *err, PCRE2_SIZE *off)
{
	pcre2_code *code = NULL;

	if (bake)
		code = baked(bake, pat, len == PCRE2_ZERO_TERMINATED ? strlen(pat) : len, flags);
	return code ? code : pcre2_compile((PCRE2_SPTR)pat, len, flags, err, off, NULL);
}

pcre2_code *
kt_pcre_compile(struct kt_ctx *ctx, const char *pat, size_t len, uint32_t flags, int *err,
		PCRE2_SIZE *off)
{
	pcre2_code *code = kt_pcre_compile_with(ctx ? ctx->rx_bake : NULL, pat, len, flags, err,
						 off);

	if (code && ctx && ctx->rx_record)
		ctx->rx_record(ctx->rx_record_ud, pat,
			       len == PCRE2_ZERO_TERMINATED ? strlen(pat) : len, flags, code);
	return code;
}

void
kt_pcre_init(struct kt_pcre *p, pcre2_code *code)
{
	p->code = code;
	atomic_init(&p->jit, NULL);
	atomic_init(&p->uses, 0);
	atomic_init(&p->no_jit, code == NULL);
	/* Without a known first code unit, start bitmap or anchoring, the
	 * interpreter tries the pattern at every position of the subject: its
	 * cost per byte is then much higher than the JIT's. */
	uint32_t type = 0, opts = 0;
	const uint8_t *bitmap = NULL;

	size_t starts = 256;

	p->shift = 6;
	if (!code || pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODETYPE, &type) != 0 ||
	    pcre2_pattern_info(code, PCRE2_INFO_FIRSTBITMAP, &bitmap) != 0 ||
	    pcre2_pattern_info(code, PCRE2_INFO_ALLOPTIONS, &opts) != 0 || type != 0 ||
	    (opts & PCRE2_ANCHORED))
		return;
	if (bitmap) {
		starts = 0;
		for (size_t i = 0; i < 32; i++)
			starts += (size_t)__builtin_popcount(bitmap[i]);
	}
	if (starts > 64)	/* e.g. a lookahead on \S */
		p->shift = 2;
}

void
kt_pcre_deinit(struct kt_pcre *p)
{
	if (!p)
		return;
	pcre2_code_free(atomic_load_explicit(&p->jit, memory_order_acquire));
	pcre2_code_free(p->code);
	p->code = NULL;
	atomic_store_explicit(&p->jit, NULL, memory_order_relaxed);
}

/* The JIT-compiled copy of p, made now if needed; NULL when PCRE2 has no
 * JIT for it. The copy is built before it is published, so a thread that
 * sees the pointer sees a finished code; two threads racing both build one
 * and the loser frees its own. p->code itself is never touched, as other
 * threads may be running it.
 * The copy takes its own character tables: a pattern from
 * pcre2_serialize_decode() holds tables with a reference count that
 * pcre2_code_copy() and pcre2_code_free() change without a lock (pcre2
 * src/pcre2_compile.c pcre2_code_copy(), PCRE2_DEREF_TABLES), so two
 * threads copying one baked pattern at once lost a count, and the tables
 * were freed early and written after the free (a heap corruption seen as
 * glibc's abort at exit under load). */
static pcre2_code *
jit_now(const struct kt_pcre *cp)
{
	struct kt_pcre *p = (struct kt_pcre *)cp;	/* the JIT is a cache */
	pcre2_code *j = atomic_load_explicit(&p->jit, memory_order_acquire);
	pcre2_code *expected = NULL;

	if (j || atomic_load_explicit(&p->no_jit, memory_order_relaxed))
		return j;
	j = pcre2_code_copy_with_tables(p->code);
	if (!j)
		kt_oom(1024);
	if (pcre2_jit_compile(j, PCRE2_JIT_COMPLETE) != 0) {
		pcre2_code_free(j);
		atomic_store_explicit(&p->no_jit, true, memory_order_relaxed);
		return NULL;
	}
	if (!atomic_compare_exchange_strong_explicit(&p->jit, &expected, j, memory_order_acq_rel,
						     memory_order_acquire)) {
		pcre2_code_free(j);
		j = expected;
	}
	return j;
}

/* The JIT copy to run now: the existing one, or a new one once p has been
 * used often enough (NULL: run the interpreter). */
static pcre2_code *
jit_for_use(const struct kt_pcre *cp, size_t bytes)
{
	struct kt_pcre *p = (struct kt_pcre *)cp;
	pcre2_code *j = atomic_load_explicit(&p->jit, memory_order_acquire);

	if (j || atomic_load_explicit(&p->no_jit, memory_order_relaxed))
		return j;
	unsigned cost = 1 + (unsigned)((bytes > 65536 ? 65536 : bytes) >> p->shift);

	if (atomic_fetch_add_explicit(&p->uses, cost, memory_order_relaxed) + cost <
	    KT_PCRE_JIT_AFTER)
		return NULL;
	return jit_now(p);
}

/* An error after which the other engine may still finish. */
static bool
stopped(int rc)
{
	return rc < 0 && rc != PCRE2_ERROR_NOMATCH && rc != PCRE2_ERROR_PARTIAL;
}

int
kt_pcre_match_slow(const struct kt_pcre *p, const char *s, size_t len, size_t start,
		   pcre2_match_data *md, pcre2_match_context *mc, int jit_rc)
{
	PCRE2_SPTR subj = (PCRE2_SPTR)(s ? s : "");
	pcre2_code *j;
	int rc;

	if (!p->code)
		return PCRE2_ERROR_NOMATCH;
	if (jit_rc != 1) {	/* the JIT copy stopped at a limit: the interpreter */
		rc = pcre2_match(p->code, subj, len, start, 0, md, mc);
		return stopped(rc) ? PCRE2_ERROR_MATCHLIMIT : rc;
	}
	j = jit_for_use(p, len > start ? len - start : 0);
	if (j) {
		rc = pcre2_jit_match(j, subj, len, start, 0, md, mc);
		if (stopped(rc)) {
			int rc2 = pcre2_match(p->code, subj, len, start, 0, md, mc);
			rc = stopped(rc2) ? PCRE2_ERROR_MATCHLIMIT : rc2;
		}
		return rc;
	}
	rc = pcre2_match(p->code, subj, len, start, 0, md, mc);
	if (stopped(rc)) {
		j = jit_now(p);
		if (j) {
			int rc2 = pcre2_jit_match(j, subj, len, start, 0, md, mc);
			rc = stopped(rc2) ? PCRE2_ERROR_MATCHLIMIT : rc2;
		} else {
			rc = PCRE2_ERROR_MATCHLIMIT;
		}
	}
	return rc;
}

int
kt_pcre_substitute(const struct kt_pcre *p, const char *in, const char *with,
		   pcre2_match_context *mc, char *out, size_t *outlen)
{
	PCRE2_SIZE ol = *outlen;
	int rc;

	if (!p->code)
		return PCRE2_ERROR_NOMATCH;
	/* Rare (titles of a few headers): always the interpreter first. */
	rc = pcre2_substitute(p->code, (PCRE2_SPTR)in, PCRE2_ZERO_TERMINATED, 0,
			      PCRE2_SUBSTITUTE_GLOBAL, NULL, mc, (PCRE2_SPTR)with,
			      PCRE2_ZERO_TERMINATED, (PCRE2_UCHAR *)out, &ol);
	if (stopped(rc) && rc != PCRE2_ERROR_NOMEMORY) {
		pcre2_code *j = jit_now(p);

		ol = *outlen;
		rc = j ? pcre2_substitute(j, (PCRE2_SPTR)in, PCRE2_ZERO_TERMINATED, 0,
					  PCRE2_SUBSTITUTE_GLOBAL, NULL, mc, (PCRE2_SPTR)with,
					  PCRE2_ZERO_TERMINATED, (PCRE2_UCHAR *)out, &ol)
		       : PCRE2_ERROR_MATCHLIMIT;
		if (stopped(rc) && rc != PCRE2_ERROR_NOMEMORY)
			rc = PCRE2_ERROR_MATCHLIMIT;
	}
	*outlen = ol;
	return rc;
}

/* ---- per-thread match data ---- */

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static _Thread_local pcre2_match_data *scratch_md;
static _Thread_local uint32_t scratch_pairs;

static void
scratch_free(void *md)
{
	pcre2_match_data_free(md);
}

static void
scratch_key_make(void)
{
	(void)pthread_key_create(&scratch_key, scratch_free);
}

pcre2_match_data *
kt_pcre_scratch(uint32_t pairs)
{
	if (pairs > scratch_pairs || !scratch_md) {
		uint32_t n = pairs < 32 ? 32 : pairs;

		(void)pthread_once(&scratch_once, scratch_key_make);
		pcre2_match_data_free(scratch_md);
		scratch_md = pcre2_match_data_create(n, NULL);
		if (!scratch_md)
			kt_oom(n * 16);
		scratch_pairs = n;
		/* for the thread-exit destructor only */
		(void)pthread_setspecific(scratch_key, scratch_md);
	}
	return scratch_md;
}
