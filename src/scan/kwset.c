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

#define FP_BYTES 4	/* bytes of each keyword window in the fingerprint */
#define BUCKETS 16	/* "fat" Teddy: two 8-bucket tables, one per AVX2 lane */

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
	size_t max_win;			/* largest window offset */
	uint32_t *winv;			/* the 4 window bytes of each keyword */
	uint8_t bitmap[1 << 13];
	unsigned short_buckets;		/* buckets with a keyword shorter than 4
					 * bytes: the bitmap cannot vouch for them */
	uint16_t lo[FP_BYTES][16];
	uint16_t hi[FP_BYTES][16];
	/* The same tables laid out for the AVX2 lanes (lane 0: buckets 0-7,
	 * lane 1: buckets 8-15), built once. */
	uint8_t fat_lo[FP_BYTES][32];
	uint8_t fat_hi[FP_BYTES][32];
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

#ifdef KT_X86
/* Offset of the first joining control byte in p[0..len), or len; the
 * newlines before it are counted in the same pass (*ret_nl). */
__attribute__((target("avx2"))) static size_t
span_scan_avx2(const char *p, size_t len, uint64_t *ret_nl)
{
	const __m256i lim = _mm256_set1_epi8(0x1f), zero = _mm256_setzero_si256();
	const __m256i tab = _mm256_set1_epi8('\t'), nl = _mm256_set1_epi8('\n');
	const __m256i cr = _mm256_set1_epi8('\r'), del = _mm256_set1_epi8(0x7f);
	uint64_t total = 0;
	size_t i = 0;

	while (i + 32 <= len) {
		__m256i acc = zero, sum;
		/* At most 255 rounds so the byte counters cannot overflow. */
		size_t rounds = (len - i) / 32, r;

		if (rounds > 255)
			rounds = 255;
		for (r = 0; r < rounds; r++, i += 32) {
			__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
			__m256i low = _mm256_cmpeq_epi8(_mm256_min_epu8(v, lim), v);
			__m256i isnl = _mm256_cmpeq_epi8(v, nl);
			__m256i ok = _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(v, tab), isnl),
						     _mm256_cmpeq_epi8(v, cr));
			__m256i bad = _mm256_or_si256(_mm256_andnot_si256(ok, low),
						      _mm256_cmpeq_epi8(v, del));
			uint32_t m = (uint32_t)_mm256_movemask_epi8(bad);

			if (m) {
				size_t c = i + (size_t)__builtin_ctz(m);

				sum = _mm256_sad_epu8(acc, zero);
				*ret_nl = total + (uint64_t)_mm256_extract_epi64(sum, 0) +
					  (uint64_t)_mm256_extract_epi64(sum, 1) +
					  (uint64_t)_mm256_extract_epi64(sum, 2) +
					  (uint64_t)_mm256_extract_epi64(sum, 3) +
					  kt_count_newlines(p + i, c - i);
				return c;
			}
			acc = _mm256_sub_epi8(acc, isnl);
		}
		sum = _mm256_sad_epu8(acc, zero);
		total += (uint64_t)_mm256_extract_epi64(sum, 0) + (uint64_t)_mm256_extract_epi64(sum, 1) +
			 (uint64_t)_mm256_extract_epi64(sum, 2) + (uint64_t)_mm256_extract_epi64(sum, 3);
	}
	for (; i < len; i++) {
		if (kt_is_joining_control((unsigned char)p[i]))
			break;
		total += p[i] == '\n';
	}
	*ret_nl = total;
	return i;
}
#endif

size_t
kt_span_scan(const char *p, size_t len, uint64_t *ret_newlines)
{
	size_t c = len;

#ifdef KT_X86
	if (len >= 64 && __builtin_cpu_supports("avx2"))
		return span_scan_avx2(p, len, ret_newlines);
#endif
	for (size_t i = 0; i < len; i++)
		if (kt_is_joining_control((unsigned char)p[i])) {
			c = i;
			break;
		}
	*ret_newlines = kt_count_newlines(p, c);
	return c;
}

/* ---- Teddy ------------------------------------------------------------ */

/* How common a byte is in kernel logs, roughly, as a cost (higher is more
 * common): English letter frequencies for lower case (in tenths of a
 * percent, rounded), space most common, digits common, upper case and
 * punctuation rare. Used only to pick each keyword's search window; the
 * window with the lowest summed log-cost wins. */
static double
byte_cost(unsigned char c)
{
	static const unsigned char lower[26] = {
		82, 15, 28, 43, 127, 22, 20, 61, 70, 2, 8, 40, 24,
		67, 75, 19, 1, 60, 63, 91, 28, 10, 24, 2, 20, 1,
	};
	if (c >= 'a' && c <= 'z')
		return lower[c - 'a'];
	if (c == ' ')
		return 150;
	if (c >= '0' && c <= '9')
		return 50;
	if (c >= 'A' && c <= 'Z')
		return 8;
	if (strchr(":.[]-/,()=", c) && c)
		return 15;
	return 3;
}

/* Text on nearly every line of some log formats: the tag of kernel lines
 * in syslog files and `journalctl -o short` ("HOST kernel: MSG", RFC 3164
 * section 4.1.3 TAG; https://www.freedesktop.org/software/systemd/man/journalctl.html).
 * A window inside it would make every such line a candidate (the window
 * "kern" of "Booting the kernel." did), so none is picked there. */
static const char boilerplate[] = " kernel: ";

static size_t
pick_window(const char *kw, size_t len)
{
	size_t best = 0;
	double best_score = 1e300;

	for (size_t o = 0; o + FP_BYTES <= len; o++) {
		double score = 1;
		for (size_t j = 0; j < FP_BYTES; j++)
			score *= byte_cost((unsigned char)kw[o + j]);
		if (memmem(boilerplate, sizeof(boilerplate) - 1, kw + o, FP_BYTES))
			score *= 1e12;
		if (score < best_score) {
			best_score = score;
			best = o;
		}
	}
	return best;
}

static inline uint32_t
load32(const char *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static inline unsigned
bitmap_hash(uint32_t v)
{
	return (unsigned)((v * 0x9e3779b1u) >> 16);
}

/* memcmp(a, b, n) == 0 without a call for the short keywords (most are
 * under 16 bytes). */
static inline bool
bytes_eq(const char *a, const char *b, size_t n)
{
	uint64_t x, y;

	while (n >= 8) {
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return false;
		a += 8, b += 8, n -= 8;
	}
	while (n--)
		if (*a++ != *b++)
			return false;
	return true;
}

static int
cmp_fp(const void *a, const void *b, void *ud)
{
	const struct kt_kwset *s = ud;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	size_t lx = s->len[x] - s->win[x], ly = s->len[y] - s->win[y];
	int c = memcmp(s->kw[x] + s->win[x], s->kw[y] + s->win[y],
		       (lx < ly ? lx : ly) < FP_BYTES ? (lx < ly ? lx : ly) : FP_BYTES);
	return c ? c : (x > y) - (x < y);
}

/* Bucket keywords with similar windows together (sorted order, cut into
 * BUCKETS runs) so the nibble tables alias less. */
static void
teddy_build(struct kt_kwset *s)
{
	uint32_t *order = kt_calloc(s->n, sizeof(*order));

	s->win = kt_calloc(s->n, sizeof(*s->win));
	s->winv = kt_calloc(s->n, sizeof(*s->winv));
	for (size_t i = 0; i < s->n; i++) {
		order[i] = (uint32_t)i;
		s->win[i] = pick_window(s->kw[i], s->len[i]);
		if (s->win[i] > s->max_win)
			s->max_win = s->win[i];
		if (s->len[i] >= 4) {
			s->winv[i] = load32(s->kw[i] + s->win[i]);
			unsigned h = bitmap_hash(s->winv[i]);
			s->bitmap[h >> 3] |= (uint8_t)(1u << (h & 7));
		}
	}
	qsort_r(order, s->n, sizeof(*order), cmp_fp, s);
	for (size_t i = 0; i < s->n; i++) {
		uint32_t k = order[i];
		unsigned b = (unsigned)(i * BUCKETS / s->n);
		uint16_t bit = (uint16_t)(1u << b);

		if (!s->bucket[b])
			s->bucket[b] = kt_calloc(s->n, sizeof(uint32_t));
		s->bucket[b][s->bucket_n[b]++] = k;
		if (s->len[k] < 4)
			s->short_buckets |= bit;
		for (unsigned j = 0; j < FP_BYTES; j++) {
			if (s->win[k] + j >= s->len[k]) {	/* short keyword: any byte */
				for (unsigned x = 0; x < 16; x++)
					s->lo[j][x] |= bit, s->hi[j][x] |= bit;
				continue;
			}
			unsigned char c = (unsigned char)s->kw[k][s->win[k] + j];
			s->lo[j][c & 15] |= bit;
			s->hi[j][c >> 4] |= bit;
		}
	}
	free(order);
	for (unsigned j = 0; j < FP_BYTES; j++)
		for (unsigned x = 0; x < 16; x++) {
			s->fat_lo[j][x] = (uint8_t)(s->lo[j][x] & 0xff);
			s->fat_lo[j][16 + x] = (uint8_t)(s->lo[j][x] >> 8);
			s->fat_hi[j][x] = (uint8_t)(s->hi[j][x] & 0xff);
			s->fat_hi[j][16 + x] = (uint8_t)(s->hi[j][x] >> 8);
		}
}

/* Check the candidate window at p[i] for the buckets in `bits`; keeps the
 * leftmost-starting match in *best_off / *best_len (*best_len == 0: none
 * yet). A window of 4 bytes must hash into the bitmap and equal the
 * keyword's window (keywords shorter than 4 bytes are checked directly). */
static inline void
teddy_verify(const struct kt_kwset *s, const char *p, size_t len, size_t i, unsigned bits,
	     size_t *best_off, size_t *best_len)
{
	uint32_t v = 0;
	bool full = i + 4 <= len;

	if (full) {
		v = load32(p + i);
		unsigned h = bitmap_hash(v);
		if (!(s->bitmap[h >> 3] & (1u << (h & 7))))
			bits &= s->short_buckets;
	} else {
		bits &= s->short_buckets;
	}
	while (bits) {
		unsigned b = (unsigned)__builtin_ctz(bits);
		bits &= bits - 1;
		for (size_t j = 0; j < s->bucket_n[b]; j++) {
			uint32_t k = s->bucket[b][j];
			size_t w = s->win[k];
			if (s->len[k] >= 4 && (!full || s->winv[k] != v))
				continue;
			if (w <= i && s->len[k] <= len - (i - w) &&
			    (*best_len == 0 || i - w < *best_off) &&
			    bytes_eq(p + i - w, s->kw[k], s->len[k])) {
				*best_off = i - w;
				*best_len = s->len[k];
			}
		}
	}
}

static inline unsigned
teddy_bits_at(const struct kt_kwset *s, const char *p, size_t len, size_t i)
{
	unsigned bits = 0xffff;
	for (unsigned j = 0; j < FP_BYTES && i + j < len; j++) {
		unsigned char c = (unsigned char)p[i + j];
		bits &= s->lo[j][c & 15] & s->hi[j][c >> 4];
	}
	return bits;
}

static bool
teddy_find_scalar(const struct kt_kwset *s, const char *p, size_t len, size_t from,
		  size_t *ret_off, size_t *ret_len)
{
	for (size_t i = from; i < len; i++) {
		unsigned bits = teddy_bits_at(s, p, len, i);
		if (!bits)
			continue;
		teddy_verify(s, p, len, i, bits, ret_off, ret_len);
		if (*ret_len)
			return true;
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

/* Both lanes see the same 16 input bytes; lane 0 looks up buckets 0-7,
 * lane 1 buckets 8-15. */
__attribute__((target("avx2"))) static inline __m256i
fat_table(const uint8_t t[32])
{
	return _mm256_loadu_si256((const __m256i *)(const void *)t);
}

__attribute__((target("avx2"))) static bool
teddy_find_avx2(const struct kt_kwset *s, const char *p, size_t len, size_t *ret_off,
		size_t *ret_len)
{
	const __m256i m = _mm256_set1_epi8(0x0f);
	const __m256i zero = _mm256_setzero_si256();
	/* Written out for FP_BYTES == 4 so the tables stay in registers. */
	const __m256i lo0 = fat_table(s->fat_lo[0]), hi0 = fat_table(s->fat_hi[0]);
	const __m256i lo1 = fat_table(s->fat_lo[1]), hi1 = fat_table(s->fat_hi[1]);
	const __m256i lo2 = fat_table(s->fat_lo[2]), hi2 = fat_table(s->fat_hi[2]);
	const __m256i lo3 = fat_table(s->fat_lo[3]), hi3 = fat_table(s->fat_hi[3]);
	size_t i = 0;

	_Static_assert(FP_BYTES == 4, "teddy_find_avx2 is unrolled for 4 bytes");
	/* The last window start i + 15 needs bytes up to i + 15 + 3. */
	for (; i + 16 + FP_BYTES - 1 <= len; i += 16) {
		const char *q = p + i;
#define LOAD16(x) _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)(x)))
		__m256i r0 = teddy_lookup(LOAD16(q), lo0, hi0, m);
		__m256i r1 = teddy_lookup(LOAD16(q + 1), lo1, hi1, m);
		__m256i r2 = teddy_lookup(LOAD16(q + 2), lo2, hi2, m);
		__m256i r3 = teddy_lookup(LOAD16(q + 3), lo3, hi3, m);
#undef LOAD16
		__m256i r = _mm256_and_si256(_mm256_and_si256(r0, r1), _mm256_and_si256(r2, r3));
		if (__builtin_expect(_mm256_testz_si256(r, r), 1))
			continue;
		uint8_t b[32];
		_mm256_storeu_si256((__m256i *)(void *)b, r);
		uint32_t nz = ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(r, zero));
		uint32_t cand = (nz | (nz >> 16)) & 0xffff;
		while (cand) {
			unsigned j = (unsigned)__builtin_ctz(cand);
			cand &= cand - 1;
			teddy_verify(s, p, len, i + j, (unsigned)b[j] | (unsigned)b[16 + j] << 8,
				     ret_off, ret_len);
			if (*ret_len)
				return true;
		}
	}
	return teddy_find_scalar(s, p, len, i, ret_off, ret_len);
}
#endif

/* ---- Vectorscan --------------------------------------------------------- */

#ifdef KT_HAVE_VECTORSCAN
struct hs_first {
	const struct kt_kwset *s;
	size_t off, len;
	bool found;
};

static int
hs_on_match(unsigned int id, unsigned long long from, unsigned long long to,
	    unsigned int flags, void *ud)
{
	struct hs_first *f = ud;
	size_t start = (size_t)to - f->s->len[id];
	(void)from;
	(void)flags;
	/* Matches arrive in order of their end: the first one lies in the
	 * earliest line with a match; one that ends max_len past the best
	 * start cannot start before it, so stop there. */
	if (f->found && to >= f->off + f->s->max_len)
		return 1;
	if (!f->found || start < f->off) {
		f->off = start;
		f->len = f->s->len[id];
		f->found = true;
	}
	return 0;
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
hs_find(struct kt_kwset *s, const char *p, size_t len, size_t *ret_off, size_t *ret_len)
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
			*ret_len = f.len;
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
naive_find(const struct kt_kwset *s, const char *p, size_t len, size_t *ret_off, size_t *ret_len)
{
	bool found = false;
	size_t best = 0, best_len = 0;

	for (size_t k = 0; k < s->n; k++) {
		size_t lim = found ? best + s->len[k] : len;
		const char *m = memmem(p, lim < len ? lim : len, s->kw[k], s->len[k]);
		if (m && (!found || (size_t)(m - p) < best)) {
			best = (size_t)(m - p);
			best_len = s->len[k];
			found = true;
		}
	}
	if (found) {
		*ret_off = best;
		*ret_len = best_len;
	}
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
	free(s->win);
	free(s->winv);
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
kt_kwset_find(struct kt_kwset *s, const char *p, size_t len, size_t *ret_off, size_t *ret_len)
{
	size_t off = 0, klen = 0, dummy;
	bool found;

	if (len == 0)
		return false;
	switch (s->engine) {
#ifdef KT_HAVE_VECTORSCAN
	case KT_KWSET_VECTORSCAN:
		found = hs_find(s, p, len, &off, &klen);
		break;
#endif
	case KT_KWSET_NAIVE:
		found = naive_find(s, p, len, &off, &klen);
		break;
	default:
#ifdef KT_X86
		if (s->avx2) {
			found = teddy_find_avx2(s, p, len, &off, &klen);
			break;
		}
#endif
		found = teddy_find_scalar(s, p, len, 0, &off, &klen);
		break;
	}
	if (!found)
		return false;
	*ret_off = off;
	*(ret_len ? ret_len : &dummy) = klen;
	return true;
}
