/*
 * scan/kwset: multi-keyword literal search and newline counting (see
 * kwset.h). The Teddy-style filter follows the idea of Geoff Langdale's
 * Teddy literal matcher (as described in Hyperscan's design notes and the
 * Rust regex crate's aho-corasick/packed/teddy README): every keyword gets a
 * 4-byte window and one of 16 buckets; for each window byte a table gives
 * the bucket bits of the byte, and a window start whose 4 lookups AND to a
 * non-zero value is a candidate, confirmed by a hash bitmap of the 4 bytes
 * and a compare. AVX2 looks up nibbles with PSHUFB (16 starts a round);
 * AVX-512 VBMI looks up whole bytes (low 7 bits) with VPERMI2B (64 starts a
 * round, no nibble aliasing). plan() picks windows and buckets.
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
#ifndef PLAN_PASSES
#define PLAN_PASSES 1	/* moves of single keywords after the greedy plan */
#endif

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
	/* AVX-512 VBMI: whole-byte tables ([fingerprint byte][bucket half]
	 * [byte & 0x7f] -> bits of buckets 0-7 / 8-15), looked up 64 positions
	 * at a time by VPERMI2B: no nibble aliasing. */
	uint8_t vb_tab[FP_BYTES][2][128];
	uint32_t *bucket[BUCKETS];	/* keyword indices per bucket */
	size_t bucket_n[BUCKETS];
	/* What teddy_verify() reads, packed per bucket: entries
	 * bent[bstart[b]] .. bent[bstart[b + 1] - 1] */
	struct bent {
		uint32_t winv;		/* the 4 window bytes */
		uint32_t k;		/* keyword index */
		uint16_t win, len;
	} *bent;
	uint32_t bstart[BUCKETS + 1];
	/* Adapting to the text (teddy_adapt()): per keyword, the window
	 * offsets found to be common in it, and how often its window matched
	 * where the keyword did not since the last look. */
	uint64_t (*ban)[4];
	uint32_t *miss;
	uint8_t *bucket_of;
	uint64_t searched;		/* bytes searched since the last look */
	unsigned replans;
	int isa;			/* KT_KWSET_ISA_* in use */
	int isa_max;			/* the best the CPU has */

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

#endif

/* The best SIMD level this CPU runs (KT_KWSET_ISA_*). */
static int
cpu_isa(void)
{
#ifdef KT_X86
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("avx512vbmi"))
		return KT_KWSET_ISA_AVX512VBMI;
	if (__builtin_cpu_supports("avx2"))
		return KT_KWSET_ISA_AVX2;
#endif
	return KT_KWSET_ISA_SCALAR;
}

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

#ifdef KT_X86
static uint64_t count_nl_avx512(const char *p, size_t len);
static bool cpu_avx512bw(void);
#endif

uint64_t
kt_count_newlines(const char *p, size_t len)
{
#ifdef KT_X86
	/* __builtin_cpu_supports reads a cached, process-wide CPU model that
	 * libgcc initialises once; it is not mutable state of ours. */
	if (len >= 64 && cpu_avx512bw())
		return count_nl_avx512(p, len);
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

#ifdef KT_X86
#define KT_AVX512BW __attribute__((target("avx512f,avx512bw,popcnt")))

KT_AVX512BW static uint64_t
count_nl_avx512(const char *p, size_t len)
{
	const __m512i nl = _mm512_set1_epi8('\n');
	uint64_t total = 0;
	size_t i = 0;

	for (; i + 64 <= len; i += 64)
		total += (uint64_t)__builtin_popcountll(
			_mm512_cmpeq_epi8_mask(_mm512_loadu_si512((const void *)(p + i)), nl));
	/* Not a byte loop here: clang 14 fails to compile its vectorised
	 * form for this target ("Cannot select ... PCMPEQ"). */
	return total + count_nl_scalar(p + i, len - i);
}

/* 64 bytes a round: bytes below 0x20 other than '\n' or DEL are rare, so
 * one test of "below 0x20 == newline, no DEL" passes most rounds; TAB and
 * CR are told apart only in the others. */
KT_AVX512BW static size_t
span_scan_avx512(const char *p, size_t len, uint64_t *ret_nl)
{
	const __m512i lim = _mm512_set1_epi8(0x20), tab = _mm512_set1_epi8('\t');
	const __m512i nl = _mm512_set1_epi8('\n'), cr = _mm512_set1_epi8('\r');
	const __m512i del = _mm512_set1_epi8(0x7f);
	uint64_t total = 0;
	size_t i = 0;

	for (; i + 64 <= len; i += 64) {
		__m512i v = _mm512_loadu_si512((const void *)(p + i));
		__mmask64 low = _mm512_cmplt_epu8_mask(v, lim);
		__mmask64 isnl = _mm512_cmpeq_epi8_mask(v, nl);
		__mmask64 bad = _mm512_cmpeq_epi8_mask(v, del);

		if (__builtin_expect(low != isnl || bad, 0)) {
			bad |= low & ~isnl & ~_mm512_cmpeq_epi8_mask(v, tab) &
			       ~_mm512_cmpeq_epi8_mask(v, cr);
			if (bad) {
				unsigned c = (unsigned)__builtin_ctzll(bad);
				*ret_nl = total + (uint64_t)__builtin_popcountll(
					isnl & (((__mmask64)1 << c) - 1));
				return i + c;
			}
		}
		total += (uint64_t)__builtin_popcountll(isnl);
	}
	if (i < len) {
		/* The tail by a masked load: bytes masked off are not read (no
		 * fault past the end). */
		__mmask64 in = (__mmask64)(~0ull >> (64 - (len - i)));
		__m512i v = _mm512_maskz_loadu_epi8(in, p + i);
		__mmask64 low = _mm512_mask_cmplt_epu8_mask(in, v, lim);
		__mmask64 isnl = _mm512_mask_cmpeq_epi8_mask(in, v, nl);
		__mmask64 bad = _mm512_mask_cmpeq_epi8_mask(in, v, del) |
				(low & ~isnl & ~_mm512_cmpeq_epi8_mask(v, tab) &
				 ~_mm512_cmpeq_epi8_mask(v, cr));

		if (bad) {
			unsigned c = (unsigned)__builtin_ctzll(bad);
			*ret_nl = total + (uint64_t)__builtin_popcountll(isnl & (((__mmask64)1 << c) - 1));
			return i + c;
		}
		total += (uint64_t)__builtin_popcountll(isnl);
	}
	*ret_nl = total;
	return len;
}

static bool
cpu_avx512bw(void)
{
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
}
#endif

static size_t
span_scan_scalar(const char *p, size_t len, uint64_t *ret_newlines)
{
	size_t c = len;

	for (size_t i = 0; i < len; i++)
		if (kt_is_joining_control((unsigned char)p[i])) {
			c = i;
			break;
		}
	*ret_newlines = count_nl_scalar(p, c);
	return c;
}

size_t
kt_span_scan(const char *p, size_t len, uint64_t *ret_newlines)
{
#ifdef KT_X86
	if (len >= 16 && cpu_avx512bw())
		return span_scan_avx512(p, len, ret_newlines);
	if (len >= 64 && __builtin_cpu_supports("avx2"))
		return span_scan_avx2(p, len, ret_newlines);
#endif
	return span_scan_scalar(p, len, ret_newlines);
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

/* ---- Teddy plan: windows and buckets --------------------------------- */

/* The filter passes a window start when, for some bucket, each of the 4
 * bytes there is one of that bucket's keywords' bytes at that place (the
 * VBMI tables; the AVX2 nibble tables pass a superset). With bytes drawn
 * independently by byte_cost() frequency, a bucket passes a start with
 * probability prod_j P(set_j): the plan picks each keyword's window and
 * bucket to keep the sum over buckets small. Greedy, hardest keyword first,
 * then PLAN_PASSES passes that move single keywords; deterministic. */
struct plan {
	double pw[128];				/* byte weight, folded to 7 bits */
	uint64_t set[BUCKETS][FP_BYTES][2];	/* bytes of the bucket's windows */
	bool wild[BUCKETS][FP_BYTES];		/* a short keyword: any byte */
	double p[BUCKETS][FP_BYTES];		/* P(set) */
	bool used[BUCKETS];
};

static bool
in_set(const uint64_t set[2], unsigned c)
{
	return set[c >> 6] >> (c & 63) & 1;
}

/* The bucket's cost if keyword k with window o joined it. */
static double
plan_cost(const struct plan *pl, const struct kt_kwset *s, unsigned b, size_t k, size_t o)
{
	double c = 1;

	for (unsigned j = 0; j < FP_BYTES; j++) {
		double p;
		if (o + j >= s->len[k] || pl->wild[b][j]) {
			p = 1;
		} else {
			unsigned x = (unsigned char)s->kw[k][o + j] & 0x7f;
			p = pl->used[b] ? pl->p[b][j] : 0;
			if (!pl->used[b] || !in_set(pl->set[b][j], x))
				p += pl->pw[x];
		}
		c *= p;
	}
	return c;
}

static double
plan_bucket_cost(const struct plan *pl, unsigned b)
{
	double c = pl->used[b];

	for (unsigned j = 0; j < FP_BYTES; j++)
		c *= pl->p[b][j];
	return c;
}

static void
plan_add(struct plan *pl, const struct kt_kwset *s, unsigned b, size_t k, size_t o)
{
	for (unsigned j = 0; j < FP_BYTES; j++) {
		if (o + j >= s->len[k]) {
			pl->wild[b][j] = true;
			pl->p[b][j] = 1;
			continue;
		}
		unsigned x = (unsigned char)s->kw[k][o + j] & 0x7f;
		if (!pl->used[b])
			pl->p[b][j] = 0;
		if (!in_set(pl->set[b][j], x)) {
			pl->set[b][j][x >> 6] |= (uint64_t)1 << (x & 63);
			if (!pl->wild[b][j])
				pl->p[b][j] += pl->pw[x];
		}
	}
	pl->used[b] = true;
}

static bool
boiler_window(const char *w)
{
	for (size_t i = 0; i + FP_BYTES < sizeof(boilerplate); i++)
		if (memcmp(boilerplate + i, w, FP_BYTES) == 0)
			return true;
	return false;
}

/* The solo cost of keyword k's window at o (penalties included). */
static double
plan_window(const struct plan *pl, const struct kt_kwset *s, size_t k, size_t o)
{
	double c = 1;

	for (unsigned j = 0; j < FP_BYTES && o + j < s->len[k]; j++)
		c *= pl->pw[(unsigned char)s->kw[k][o + j] & 0x7f];
	/* A window on nearly every line of some formats: never, unless the
	 * keyword has no other. */
	if (s->len[k] >= FP_BYTES && boiler_window(s->kw[k] + o))
		c += 1e6;
	if (s->ban[k][o >> 6] >> (o & 63) & 1)
		c += 1e3;
	return c;
}

/* Put keyword k where it adds least: sets s->win[k], returns the bucket.
 * Tried: its PLAN_OFFSETS windows of least solo cost, in every bucket in
 * use and the first empty one (empty buckets are all alike). */
#define PLAN_OFFSETS 6
static unsigned
plan_place(struct plan *pl, struct kt_kwset *s, size_t k)
{
	double best = 1e300, bc[BUCKETS], oc[PLAN_OFFSETS];
	unsigned best_b = 0, nb = 0, no = 0;
	size_t best_o = 0, last = s->len[k] > FP_BYTES ? s->len[k] - FP_BYTES : 0;
	size_t offs[PLAN_OFFSETS];
	unsigned char cand[BUCKETS];

	for (size_t o = 0; o <= last; o++) {	/* keep the cheapest, sorted */
		double c = plan_window(pl, s, k, o);
		unsigned i = no < PLAN_OFFSETS ? no++ : PLAN_OFFSETS;
		if (i == PLAN_OFFSETS && c >= oc[PLAN_OFFSETS - 1])
			continue;
		if (i == PLAN_OFFSETS)
			i--;
		for (; i > 0 && oc[i - 1] > c; i--) {
			oc[i] = oc[i - 1];
			offs[i] = offs[i - 1];
		}
		oc[i] = c;
		offs[i] = o;
	}
	for (unsigned b = 0; b < BUCKETS; b++) {
		if (!pl->used[b] && nb > 0 && !pl->used[cand[nb - 1]])
			continue;
		bc[nb] = plan_bucket_cost(pl, b);
		cand[nb++] = (unsigned char)b;
	}
	for (unsigned x = 0; x < no; x++) {
		size_t o = offs[x];
		double pen = oc[x] >= 1e3 ? oc[x] : 0;
		for (unsigned i = 0; i < nb; i++) {
			double d = plan_cost(pl, s, cand[i], k, o) - bc[i] + pen;
			if (d < best) {
				best = d;
				best_b = cand[i];
				best_o = o;
			}
		}
	}
	s->win[k] = best_o;
	plan_add(pl, s, best_b, k, best_o);
	return best_b;
}

/* The cost of keyword k's best window alone. */
static double
plan_solo(const struct plan *pl, const struct kt_kwset *s, size_t k)
{
	double best = 1e300;
	size_t last = s->len[k] > FP_BYTES ? s->len[k] - FP_BYTES : 0;

	for (size_t o = 0; o <= last; o++) {
		double c = plan_window(pl, s, k, o);
		if (c < best)
			best = c;
	}
	return best;
}

static void
plan_rebuild(struct plan *pl, const struct kt_kwset *s, const uint8_t *bucket_of, unsigned b)
{
	memset(pl->set[b], 0, sizeof(pl->set[b]));
	memset(pl->wild[b], 0, sizeof(pl->wild[b]));
	memset(pl->p[b], 0, sizeof(pl->p[b]));
	pl->used[b] = false;
	for (size_t k = 0; k < s->n; k++)
		if (bucket_of[k] == b)
			plan_add(pl, s, b, k, s->win[k]);
}

/* Commonest best window first; ties in keyword order. */
static int
cmp_hard(const void *a, const void *b, void *ud)
{
	const double *hard = ud;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (hard[x] != hard[y])
		return hard[x] < hard[y] ? 1 : -1;
	return (x > y) - (x < y);
}

static void
plan(struct kt_kwset *s, uint8_t *bucket_of)
{
	struct plan *pl = kt_calloc(1, sizeof(*pl));
	uint32_t *order = kt_calloc(s->n, sizeof(*order));
	double *hard = kt_calloc(s->n, sizeof(*hard)), total = 0;

	for (unsigned c = 0; c < 256; c++)
		total += byte_cost((unsigned char)c);
	for (unsigned c = 0; c < 256; c++)
		pl->pw[c & 0x7f] += byte_cost((unsigned char)c) / total;
	/* Hardest first: the keywords whose best window alone is commonest. */
	for (size_t k = 0; k < s->n; k++) {
		order[k] = (uint32_t)k;
		hard[k] = plan_solo(pl, s, k);
	}
	qsort_r(order, s->n, sizeof(*order), cmp_hard, hard);
	for (size_t i = 0; i < s->n; i++)
		bucket_of[order[i]] = (uint8_t)plan_place(pl, s, order[i]);
	for (int pass = 0; pass < PLAN_PASSES && s->n <= 4096; pass++)
		for (size_t k = 0; k < s->n; k++) {
			unsigned b = bucket_of[k];
			bucket_of[k] = BUCKETS;		/* out */
			plan_rebuild(pl, s, bucket_of, b);
			bucket_of[k] = (uint8_t)plan_place(pl, s, k);
		}
	free(hard);
	free(order);
	free(pl);
}

/* (Re)build the tables from s->win and s->bucket_of. */
static void
teddy_tables(struct kt_kwset *s)
{
	memset(s->bitmap, 0, sizeof(s->bitmap));
	memset(s->lo, 0, sizeof(s->lo));
	memset(s->hi, 0, sizeof(s->hi));
	memset(s->vb_tab, 0, sizeof(s->vb_tab));
	memset(s->bucket_n, 0, sizeof(s->bucket_n));
	s->short_buckets = 0;
	s->max_win = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (s->win[i] > s->max_win)
			s->max_win = s->win[i];
		if (s->len[i] >= 4) {
			s->winv[i] = load32(s->kw[i] + s->win[i]);
			unsigned h = bitmap_hash(s->winv[i]);
			s->bitmap[h >> 3] |= (uint8_t)(1u << (h & 7));
		}
	}
	for (size_t k = 0; k < s->n; k++) {
		unsigned b = s->bucket_of[k];
		uint16_t bit = (uint16_t)(1u << b);

		if (!s->bucket[b])
			s->bucket[b] = kt_calloc(s->n, sizeof(uint32_t));
		s->bucket[b][s->bucket_n[b]++] = (uint32_t)k;
		if (s->len[k] < 4)
			s->short_buckets |= bit;
		for (unsigned j = 0; j < FP_BYTES; j++) {
			uint8_t vbit = (uint8_t)(1u << (b & 7));

			if (s->win[k] + j >= s->len[k]) {	/* short keyword: any byte */
				for (unsigned x = 0; x < 16; x++)
					s->lo[j][x] |= bit, s->hi[j][x] |= bit;
				for (unsigned x = 0; x < 128; x++)
					s->vb_tab[j][b >> 3][x] |= vbit;
				continue;
			}
			unsigned char c = (unsigned char)s->kw[k][s->win[k] + j];
			s->lo[j][c & 15] |= bit;
			s->hi[j][c >> 4] |= bit;
			/* Bytes >= 0x80 alias their low 7 bits: a superset. */
			s->vb_tab[j][b >> 3][c & 0x7f] |= vbit;
		}
	}
	if (!s->bent)
		s->bent = kt_calloc(s->n, sizeof(*s->bent));
	for (unsigned b = 0, o = 0; b < BUCKETS; b++) {
		s->bstart[b] = o;
		for (size_t j = 0; j < s->bucket_n[b]; j++, o++) {
			uint32_t k = s->bucket[b][j];
			s->bent[o] = (struct bent){ .winv = s->winv[k], .k = k,
						    .win = (uint16_t)s->win[k],
						    .len = (uint16_t)s->len[k] };
		}
		s->bstart[b + 1] = o;
	}
	for (unsigned j = 0; j < FP_BYTES; j++)
		for (unsigned x = 0; x < 16; x++) {
			s->fat_lo[j][x] = (uint8_t)(s->lo[j][x] & 0xff);
			s->fat_lo[j][16 + x] = (uint8_t)(s->lo[j][x] >> 8);
			s->fat_hi[j][x] = (uint8_t)(s->hi[j][x] & 0xff);
			s->fat_hi[j][16 + x] = (uint8_t)(s->hi[j][x] >> 8);
		}
}

static void
teddy_build(struct kt_kwset *s)
{
	s->win = kt_calloc(s->n, sizeof(*s->win));
	s->winv = kt_calloc(s->n, sizeof(*s->winv));
	s->bucket_of = kt_calloc(s->n, sizeof(*s->bucket_of));
	s->ban = kt_calloc(s->n, sizeof(*s->ban));
	s->miss = kt_calloc(s->n, sizeof(*s->miss));
	plan(s, s->bucket_of);
	teddy_tables(s);
}

/*
 * The byte-frequency model knows no words: in real logs a window like
 * "evic" (of "unregister_netdevice") or "faul" is in "device" and "fault"
 * on many lines. So the search counts, per keyword, where its window
 * matched but the keyword did not; every ADAPT_BYTES searched, a window
 * that did so more than ADAPT_MISSES times is banned for that keyword and
 * the plan is made again (at most MAX_REPLANS times per set). Which
 * window a keyword is searched by changes the speed and at most which
 * occurrence in the earliest line holding one is returned (kwset.h).
 */
#define ADAPT_BYTES	((uint64_t)1 << 20)
#define ADAPT_MISSES	32
#define MAX_REPLANS	16

static void
teddy_adapt(struct kt_kwset *s)
{
	bool again = false;

	for (size_t k = 0; k < s->n; k++) {
		if (s->miss[k] > ADAPT_MISSES && s->len[k] > FP_BYTES) {
			size_t o = s->win[k];
			s->ban[k][o >> 6] |= (uint64_t)1 << (o & 63);
			again = true;
		}
		s->miss[k] = 0;
	}
	s->searched = 0;
	if (again && s->replans < MAX_REPLANS) {
		s->replans++;
		plan(s, s->bucket_of);
		teddy_tables(s);
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
		for (uint32_t j = s->bstart[b]; j < s->bstart[b + 1]; j++) {
			const struct bent *e = &s->bent[j];
			size_t w = e->win, kl = e->len;
			if (kl >= 4 && (!full || e->winv != v))
				continue;
			if (w <= i && kl <= len - (i - w) && bytes_eq(p + i - w, s->kw[e->k], kl)) {
				if (*best_len == 0 || i - w < *best_off) {
					*best_off = i - w;
					*best_len = kl;
				}
			} else if (kl >= 4) {
				s->miss[e->k]++;	/* a window here, not the keyword */
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
teddy_find_avx2(const struct kt_kwset *s, const char *p, size_t len, size_t from,
		size_t *ret_off, size_t *ret_len)
{
	const __m256i m = _mm256_set1_epi8(0x0f);
	const __m256i zero = _mm256_setzero_si256();
	/* Written out for FP_BYTES == 4 so the tables stay in registers. */
	const __m256i lo0 = fat_table(s->fat_lo[0]), hi0 = fat_table(s->fat_hi[0]);
	const __m256i lo1 = fat_table(s->fat_lo[1]), hi1 = fat_table(s->fat_hi[1]);
	const __m256i lo2 = fat_table(s->fat_lo[2]), hi2 = fat_table(s->fat_hi[2]);
	const __m256i lo3 = fat_table(s->fat_lo[3]), hi3 = fat_table(s->fat_hi[3]);
	size_t i = from;

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

#define KT_VBMI __attribute__((target("avx512f,avx512bw,avx512vbmi")))

/* 64 window starts at once: for each of the 4 window bytes, two VPERMI2B
 * lookups (buckets 0-7 and 8-15) of the byte's low 7 bits in 128-entry
 * tables. Stops where fewer than 64 + 3 bytes are left; *ret_at is then
 * where the AVX2 loop goes on. */
KT_VBMI static bool
teddy_find_vbmi(const struct kt_kwset *s, const char *p, size_t len, size_t *ret_at,
		size_t *ret_off, size_t *ret_len)
{
#define TAB(j, h, x) _mm512_loadu_si512((const void *)(s->vb_tab[j][h] + (x)))
	const __m512i a0l = TAB(0, 0, 0), a0h = TAB(0, 0, 64), b0l = TAB(0, 1, 0), b0h = TAB(0, 1, 64);
	const __m512i a1l = TAB(1, 0, 0), a1h = TAB(1, 0, 64), b1l = TAB(1, 1, 0), b1h = TAB(1, 1, 64);
	const __m512i a2l = TAB(2, 0, 0), a2h = TAB(2, 0, 64), b2l = TAB(2, 1, 0), b2h = TAB(2, 1, 64);
	const __m512i a3l = TAB(3, 0, 0), a3h = TAB(3, 0, 64), b3l = TAB(3, 1, 0), b3h = TAB(3, 1, 64);
#undef TAB
	size_t i = 0;

	_Static_assert(FP_BYTES == 4, "teddy_find_vbmi is unrolled for 4 bytes");
	for (; i + 64 + FP_BYTES - 1 <= len; i += 64) {
		const char *q = p + i;
		__m512i v0 = _mm512_loadu_si512((const void *)q);
		__m512i v1 = _mm512_loadu_si512((const void *)(q + 1));
		__m512i v2 = _mm512_loadu_si512((const void *)(q + 2));
		__m512i v3 = _mm512_loadu_si512((const void *)(q + 3));
		/* 0x80: a & b & c */
		__m512i a = _mm512_ternarylogic_epi32(_mm512_permutex2var_epi8(a0l, v0, a0h),
						      _mm512_permutex2var_epi8(a1l, v1, a1h),
						      _mm512_permutex2var_epi8(a2l, v2, a2h), 0x80);
		__m512i b = _mm512_ternarylogic_epi32(_mm512_permutex2var_epi8(b0l, v0, b0h),
						      _mm512_permutex2var_epi8(b1l, v1, b1h),
						      _mm512_permutex2var_epi8(b2l, v2, b2h), 0x80);
		__mmask64 m = _mm512_test_epi8_mask(a, _mm512_permutex2var_epi8(a3l, v3, a3h)) |
			      _mm512_test_epi8_mask(b, _mm512_permutex2var_epi8(b3l, v3, b3h));

		if (__builtin_expect(m == 0, 1))
			continue;
		uint8_t ba[64], bb[64];
		_mm512_storeu_si512((void *)ba, _mm512_and_si512(a, _mm512_permutex2var_epi8(a3l, v3, a3h)));
		_mm512_storeu_si512((void *)bb, _mm512_and_si512(b, _mm512_permutex2var_epi8(b3l, v3, b3h)));
		while (m) {
			unsigned j = (unsigned)__builtin_ctzll(m);
			m &= m - 1;
			teddy_verify(s, p, len, i + j, (unsigned)ba[j] | (unsigned)bb[j] << 8,
				     ret_off, ret_len);
			if (*ret_len)
				return true;
		}
	}
	*ret_at = i;
	return false;
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
	s->isa = s->isa_max = cpu_isa();
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
	free(s->bent);
	free(s->win);
	free(s->winv);
	free(s->bucket_of);
	free(s->ban);
	free(s->miss);
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
		if (s->isa == KT_KWSET_ISA_AVX512VBMI) {
			size_t at = 0;

			found = teddy_find_vbmi(s, p, len, &at, &off, &klen) ||
				teddy_find_avx2(s, p, len, at, &off, &klen);
			break;
		}
		if (s->isa == KT_KWSET_ISA_AVX2) {
			found = teddy_find_avx2(s, p, len, 0, &off, &klen);
			break;
		}
#endif
		found = teddy_find_scalar(s, p, len, 0, &off, &klen);
		break;
	}
	if (s->engine == KT_KWSET_TEDDY) {
		s->searched += found ? off : len;
		if (s->searched >= ADAPT_BYTES)
			teddy_adapt(s);
	}
	if (!found)
		return false;
	*ret_off = off;
	*(ret_len ? ret_len : &dummy) = klen;
	return true;
}

int
kt_kwset_isa(const struct kt_kwset *s)
{
	return s->isa;
}

int
kt_kwset_set_isa(struct kt_kwset *s, int isa)
{
	if (isa >= KT_KWSET_ISA_SCALAR && isa <= s->isa_max)
		s->isa = isa;
	return s->isa;
}

unsigned
kt_kwset_replans(const struct kt_kwset *s)
{
	return s->replans;
}

uint64_t
kt_count_newlines_isa(int isa, const char *p, size_t len)
{
#ifdef KT_X86
	if (isa >= KT_KWSET_ISA_AVX512VBMI && cpu_avx512bw())
		return count_nl_avx512(p, len);
	if (isa >= KT_KWSET_ISA_AVX2 && __builtin_cpu_supports("avx2"))
		return count_nl_avx2(p, len);
#endif
	(void)isa;
	return count_nl_scalar(p, len);
}

size_t
kt_span_scan_isa(int isa, const char *p, size_t len, uint64_t *ret_newlines)
{
#ifdef KT_X86
	if (isa >= KT_KWSET_ISA_AVX512VBMI && cpu_avx512bw())
		return span_scan_avx512(p, len, ret_newlines);
	if (isa >= KT_KWSET_ISA_AVX2 && __builtin_cpu_supports("avx2"))
		return span_scan_avx2(p, len, ret_newlines);
#endif
	(void)isa;
	return span_scan_scalar(p, len, ret_newlines);
}
