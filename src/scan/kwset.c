/*
 * scan/kwset: multi-keyword literal search and newline counting (see
 * kwset.h). The Teddy-style filter follows the idea of Geoff Langdale's
 * Teddy literal matcher (as described in Hyperscan's design notes and the
 * Rust regex crate's aho-corasick/packed/teddy README): every keyword is put
 * in one of 8 buckets; for each of its first three bytes two 16-entry tables
 * (low nibble, high nibble) hold the bucket bits; PSHUFB looks up 32 input
 * positions at once and ANDs the three byte positions. A non-zero byte is a
 * candidate, confirmed with memcmp against the keywords of its buckets.
 */
#include "scan/kwset.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define KT_X86 1
#endif
#ifdef KT_HAVE_VECTORSCAN
#include <hs/hs.h>
#endif

#include <ktriage/error.h>

#include "util/mem.h"

#define FP_BYTES 3	/* bytes of each keyword in the fingerprint */
#define BUCKETS 8

struct kt_kwset {
	enum kt_kwset_engine engine;
	char **kw;
	size_t *len;
	size_t n;
	size_t max_len;

	/* Teddy: each keyword is searched by a 4-byte window at offset win[k]
	 * (its "rarest" bytes); the first FP_BYTES bytes of the window feed the
	 * nibble tables ([fingerprint byte][nibble] -> bucket bits), all four
	 * a 64 Ki-bit bitmap (hash of the 4 bytes) that rejects most
	 * candidates before any memcmp. */
	size_t *win;
	uint8_t bitmap[1 << 13];
	bool bitmap_off;		/* a keyword shorter than 4 bytes */
	uint8_t lo[FP_BYTES][16];
	uint8_t hi[FP_BYTES][16];
	uint32_t *bucket[BUCKETS];	/* keyword indices per bucket */
	size_t bucket_n[BUCKETS];
	bool avx2;

#ifdef KT_HAVE_VECTORSCAN
	hs_database_t *db;
	hs_scratch_t *scratch;
#endif
};

static const char *const engine_names[KT_KWSET_ENGINE_COUNT] = {
	[KT_KWSET_AUTO] = "auto",
	[KT_KWSET_TEDDY] = "teddy",
	[KT_KWSET_VECTORSCAN] = "vectorscan",
	[KT_KWSET_NAIVE] = "naive",
};

const char *
kt_kwset_engine_name(enum kt_kwset_engine e)
{
	return (unsigned)e < KT_KWSET_ENGINE_COUNT ? engine_names[e] : "unknown";
}

enum kt_kwset_engine
kt_kwset_engine_from_name(const char *s)
{
	for (int i = 0; i < KT_KWSET_ENGINE_COUNT; i++)
		if (s && strcmp(s, engine_names[i]) == 0)
			return (enum kt_kwset_engine)i;
	return KT_KWSET_ENGINE_COUNT;
}

/* ---- newline counting ------------------------------------------------- */

#ifdef KT_X86
__attribute__((target("avx2"))) static uint64_t
count_nl_avx2(const char *p, size_t len)
{
	const __m256i nl = _mm256_set1_epi8('\n');
	const __m256i zero = _mm256_setzero_si256();
	uint64_t total = 0;
	size_t i = 0;

	while (i + 32 <= len) {
		__m256i acc = zero;
		/* At most 255 rounds so the byte counters cannot overflow. */
		size_t rounds = (len - i) / 32;
		if (rounds > 255)
			rounds = 255;
		for (size_t r = 0; r < rounds; r++, i += 32) {
			__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
			acc = _mm256_sub_epi8(acc, _mm256_cmpeq_epi8(v, nl));
		}
		__m256i s = _mm256_sad_epu8(acc, zero);
		total += (uint64_t)_mm256_extract_epi64(s, 0) + (uint64_t)_mm256_extract_epi64(s, 1) +
			 (uint64_t)_mm256_extract_epi64(s, 2) + (uint64_t)_mm256_extract_epi64(s, 3);
	}
	for (; i < len; i++)
		total += p[i] == '\n';
	return total;
}

static bool
have_avx2(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2");
}
#endif

static uint64_t
count_nl_scalar(const char *p, size_t len)
{
	uint64_t total = 0;
	const char *end = p + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		total++;
		p = nl + 1;
	}
	return total;
}

uint64_t
kt_count_newlines(const char *p, size_t len)
{
#ifdef KT_X86
	/* __builtin_cpu_supports reads a cached, process-wide CPU model that
	 * libgcc initialises once; it is not mutable state of ours. */
	if (len >= 64 && __builtin_cpu_supports("avx2"))
		return count_nl_avx2(p, len);
#endif
	return count_nl_scalar(p, len);
}

/* ---- Teddy ------------------------------------------------------------ */

static int
cmp_fp(const void *a, const void *b, void *ud)
{
	const struct kt_kwset *s = ud;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	size_t lx = s->len[x] < FP_BYTES ? s->len[x] : FP_BYTES;
	size_t ly = s->len[y] < FP_BYTES ? s->len[y] : FP_BYTES;
	int c = memcmp(s->kw[x], s->kw[y], lx < ly ? lx : ly);
	return c ? c : (lx > ly) - (lx < ly);
}

/* Bucket keywords with similar fingerprints together (sorted order, cut
 * into BUCKETS runs) so the nibble tables alias less. */
static void
teddy_build(struct kt_kwset *s)
{
	uint32_t *order = kt_calloc(s->n, sizeof(*order));

	for (size_t i = 0; i < s->n; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, s->n, sizeof(*order), cmp_fp, s);
	for (size_t i = 0; i < s->n; i++) {
		uint32_t k = order[i];
		unsigned b = (unsigned)(i * BUCKETS / s->n);
		uint8_t bit = (uint8_t)(1u << b);

		if (!s->bucket[b])
			s->bucket[b] = kt_calloc(s->n, sizeof(uint32_t));
		s->bucket[b][s->bucket_n[b]++] = k;
		for (unsigned j = 0; j < FP_BYTES; j++) {
			if (j >= s->len[k]) {	/* short keyword: any byte */
				for (unsigned x = 0; x < 16; x++)
					s->lo[j][x] |= bit, s->hi[j][x] |= bit;
				continue;
			}
			unsigned char c = (unsigned char)s->kw[k][j];
			s->lo[j][c & 15] |= bit;
			s->hi[j][c >> 4] |= bit;
		}
	}
	free(order);
}

/* Confirm the candidate at p[i] for the buckets in `bits`. */
static inline bool
teddy_verify(const struct kt_kwset *s, const char *p, size_t len, size_t i, unsigned bits)
{
	while (bits) {
		unsigned b = (unsigned)__builtin_ctz(bits);
		bits &= bits - 1;
		for (size_t j = 0; j < s->bucket_n[b]; j++) {
			uint32_t k = s->bucket[b][j];
			if (s->len[k] <= len - i && memcmp(p + i, s->kw[k], s->len[k]) == 0)
				return true;
		}
	}
	return false;
}

static inline unsigned
teddy_bits_at(const struct kt_kwset *s, const char *p, size_t len, size_t i)
{
	unsigned bits = 0xff;
	for (unsigned j = 0; j < FP_BYTES && i + j < len; j++) {
		unsigned char c = (unsigned char)p[i + j];
		bits &= s->lo[j][c & 15] & s->hi[j][c >> 4];
	}
	return bits;
}

static bool
teddy_find_scalar(const struct kt_kwset *s, const char *p, size_t len, size_t from,
		  size_t *ret_off)
{
	for (size_t i = from; i < len; i++) {
		unsigned bits = teddy_bits_at(s, p, len, i);
		if (bits && teddy_verify(s, p, len, i, bits)) {
			*ret_off = i;
			return true;
		}
	}
	return false;
}

#ifdef KT_X86
__attribute__((target("avx2"))) static inline __m256i
teddy_lookup(__m256i v, __m256i lo, __m256i hi, __m256i m)
{
	__m256i l = _mm256_shuffle_epi8(lo, _mm256_and_si256(v, m));
	__m256i h = _mm256_shuffle_epi8(hi, _mm256_and_si256(_mm256_srli_epi16(v, 4), m));
	return _mm256_and_si256(l, h);
}

__attribute__((target("avx2"))) static bool
teddy_find_avx2(const struct kt_kwset *s, const char *p, size_t len, size_t *ret_off)
{
	const __m256i m = _mm256_set1_epi8(0x0f);
	const __m256i zero = _mm256_setzero_si256();
	__m256i lo[FP_BYTES], hi[FP_BYTES];
	size_t i = 0;

	for (unsigned j = 0; j < FP_BYTES; j++) {
		lo[j] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)s->lo[j]));
		hi[j] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)s->hi[j]));
	}
	for (; i + 32 + FP_BYTES - 1 <= len; i += 32) {
		const char *q = p + i;
		__m256i r = teddy_lookup(_mm256_loadu_si256((const __m256i *)(const void *)q),
					 lo[0], hi[0], m);
		r = _mm256_and_si256(r, teddy_lookup(
			_mm256_loadu_si256((const __m256i *)(const void *)(q + 1)), lo[1], hi[1], m));
		r = _mm256_and_si256(r, teddy_lookup(
			_mm256_loadu_si256((const __m256i *)(const void *)(q + 2)), lo[2], hi[2], m));
		if (_mm256_testz_si256(r, r))
			continue;
		uint8_t b[32];
		_mm256_storeu_si256((__m256i *)(void *)b, r);
		uint32_t cand = ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(r, zero));
		while (cand) {
			unsigned j = (unsigned)__builtin_ctz(cand);
			cand &= cand - 1;
			if (teddy_verify(s, p, len, i + j, b[j])) {
				*ret_off = i + j;
				return true;
			}
		}
	}
	return teddy_find_scalar(s, p, len, i, ret_off);
}
#endif

/* ---- Vectorscan --------------------------------------------------------- */

#ifdef KT_HAVE_VECTORSCAN
struct hs_first {
	const struct kt_kwset *s;
	size_t off;
	bool found;
};

static int
hs_on_match(unsigned int id, unsigned long long from, unsigned long long to,
	    unsigned int flags, void *ud)
{
	struct hs_first *f = ud;
	(void)from;
	(void)flags;
	/* Matches arrive in order of their end; the first one ends earliest,
	 * so it lies in the earliest line that holds a match. */
	f->off = (size_t)to - f->s->len[id];
	f->found = true;
	return 1;	/* stop scanning */
}

static int
hs_build(struct kt_ctx *ctx, struct kt_kwset *s)
{
	unsigned *ids = kt_calloc(s->n, sizeof(*ids));
	unsigned *flags = kt_calloc(s->n, sizeof(*flags));
	hs_compile_error_t *err = NULL;
	int r = 0;

	for (size_t i = 0; i < s->n; i++)
		ids[i] = (unsigned)i;
	if (hs_compile_lit_multi((const char *const *)s->kw, flags, ids, s->len,
				 (unsigned)s->n, HS_MODE_BLOCK, NULL, &s->db, &err) != HS_SUCCESS) {
		r = kt_error(ctx, KT_EINVAL, "vectorscan: %s", err ? err->message : "compile failed");
		hs_free_compile_error(err);
	} else if (hs_alloc_scratch(s->db, &s->scratch) != HS_SUCCESS) {
		r = kt_error(ctx, KT_EUNSUPPORTED, "vectorscan: cannot allocate scratch");
	}
	free(ids);
	free(flags);
	return r;
}

static bool
hs_find(struct kt_kwset *s, const char *p, size_t len, size_t *ret_off)
{
	struct hs_first f = { .s = s };
	/* hs_scan takes an unsigned int length: search huge ranges in pieces
	 * that overlap by max_len - 1 bytes. */
	const size_t piece = (size_t)1 << 30;
	size_t at = 0;

	for (;;) {
		size_t n = len - at < piece ? len - at : piece;
		(void)hs_scan(s->db, p + at, (unsigned)n, 0, s->scratch, hs_on_match, &f);
		if (f.found) {
			*ret_off = at + f.off;
			return true;
		}
		if (at + n >= len)
			return false;
		at += n - (s->max_len - 1);
	}
}
#endif

/* ---- naive reference ---------------------------------------------------- */

static bool
naive_find(const struct kt_kwset *s, const char *p, size_t len, size_t *ret_off)
{
	bool found = false;
	size_t best = 0;

	for (size_t k = 0; k < s->n; k++) {
		const char *m = memmem(p, found ? best + s->len[k] : len, s->kw[k], s->len[k]);
		if (m && (!found || (size_t)(m - p) < best)) {
			best = (size_t)(m - p);
			found = true;
		}
	}
	if (found)
		*ret_off = best;
	return found;
}

/* ---- public ------------------------------------------------------------- */

int
kt_kwset_new(struct kt_ctx *ctx, const char *const *kw, size_t n,
	     enum kt_kwset_engine engine, struct kt_kwset **ret)
{
	struct kt_kwset *s;
	int r = 0;

	if (n == 0 || n > UINT32_MAX || (unsigned)engine >= KT_KWSET_ENGINE_COUNT)
		return kt_error(ctx, KT_EINVAL, "keyword set: bad arguments");
	for (size_t i = 0; i < n; i++) {
		size_t l = kw[i] ? strlen(kw[i]) : 0;
		if (l == 0 || l > 255 || memchr(kw[i], '\n', l))
			return kt_error(ctx, KT_EINVAL, "keyword set: bad keyword %zu", i);
	}
	if (engine == KT_KWSET_AUTO)
		engine = KT_KWSET_TEDDY;	/* measured in docs/scan.md */
#ifndef KT_HAVE_VECTORSCAN
	if (engine == KT_KWSET_VECTORSCAN)
		return kt_error(ctx, KT_EUNSUPPORTED, "built without Vectorscan");
#endif
	s = kt_calloc(1, sizeof(*s));
	s->engine = engine;
	s->n = n;
	s->kw = kt_calloc(n, sizeof(*s->kw));
	s->len = kt_calloc(n, sizeof(*s->len));
	for (size_t i = 0; i < n; i++) {
		s->kw[i] = kt_strdup(kw[i]);
		s->len[i] = strlen(kw[i]);
		if (s->len[i] > s->max_len)
			s->max_len = s->len[i];
	}
	teddy_build(s);
#ifdef KT_X86
	s->avx2 = have_avx2();
#endif
#ifdef KT_HAVE_VECTORSCAN
	if (engine == KT_KWSET_VECTORSCAN)
		r = hs_build(ctx, s);
#endif
	if (r < 0) {
		kt_kwset_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

void
kt_kwset_free(struct kt_kwset *s)
{
	if (!s)
		return;
#ifdef KT_HAVE_VECTORSCAN
	if (s->scratch)
		(void)hs_free_scratch(s->scratch);
	if (s->db)
		(void)hs_free_database(s->db);
#endif
	for (size_t i = 0; i < s->n; i++)
		free(s->kw[i]);
	for (unsigned b = 0; b < BUCKETS; b++)
		free(s->bucket[b]);
	free(s->kw);
	free(s->len);
	free(s);
}

enum kt_kwset_engine
kt_kwset_engine(const struct kt_kwset *s)
{
	return s->engine;
}

size_t
kt_kwset_max_len(const struct kt_kwset *s)
{
	return s->max_len;
}

bool
kt_kwset_find(struct kt_kwset *s, const char *p, size_t len, size_t *ret_off)
{
	if (len == 0)
		return false;
	switch (s->engine) {
#ifdef KT_HAVE_VECTORSCAN
	case KT_KWSET_VECTORSCAN:
		return hs_find(s, p, len, ret_off);
#endif
	case KT_KWSET_NAIVE:
		return naive_find(s, p, len, ret_off);
	default:
#ifdef KT_X86
		if (s->avx2)
			return teddy_find_avx2(s, p, len, ret_off);
#endif
		return teddy_find_scalar(s, p, len, 0, ret_off);
	}
}
