/*
 * skip: analyze's line prefilter, for src/pipeline.c. Consumes the lines
 * kt_input_next() hands out and the bytes after them in the input's block;
 * passes over (kt_input_skip()) the lines that provably cannot change what
 * the parser finds, keeping the last KT_SKIP_RING of them for the caller
 * to parse before the next line it parses. It does not parse or normalize.
 */
#include "skip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktriage/error.h>

#include "input/input.h"
#include "normalize/normalize.h"
#include "parse/detect.h"
#include "scan/kwset.h"
#include "util/mem.h"

/*
 * A big log is mostly lines that neither start nor continue a report. Once
 * the parser is settled (no report open or waiting, and it has seen a
 * line with a kernel provenance), such an idle line only goes to its
 * prefix ring and sets the last timestamp. So a line is skipped -- not
 * normalized, not parsed -- when it provably changes nothing else:
 *  - its text holds no header keyword (data/parse/headers.txt, the
 *    scanner's keyword set), and the line no byte the normalizer drops or
 *    that cuts the line (joining control characters, CR): it starts no
 *    report;
 *  - it is not longer than KT_MAX_LINE;
 *  - and it has one of three shapes that pin down what the normalizer makes
 *    of it (normalize.c):
 *    dmesg: it begins with a printk stamp "[   12.345678]" (kernel_ts()),
 *      so it has a timestamp and a provenance of its own, and it has no
 *      "kernel:" (the only way a stamped line names a host, journalctl -o
 *      short-monotonic), so it goes to the same parser; the whole line is
 *      searched for the keywords and "kernel:";
 *    ring (XenServer dom0.log): a printk stamp, then a level word
 *      right-aligned in six columns and ": " (xen_ring_level()); the text
 *      follows. Keywords that a level field holds ("INFO:") are looked for
 *      in the text only, the others in the whole line;
 *    syslog: "Nov 12 13:46:40 HOST TAG: text" (rfc3164(), RFC 3164 4.1.2)
 *      with HOST the host the parser's splitter is on (so it goes to the
 *      same parser: parse/hostsplit.c) and TAG plain ASCII; its text, after
 *      "kernel: ", either begins with a printk stamp (a timestamp) or with
 *      neither '[' nor "(XEN) " (none: inner_kernel_ts()). Here "kernel:" is
 *      allowed (the tag is parsed from the fixed prefix), so these lines
 *      are searched with a keyword set without it.
 * Before the next line that is parsed, the last KT_MAX_PREFIX_LINES
 * skipped lines are parsed (what the parser's prefix ring holds): the
 * parser is then in the state that parsing every line would have left it
 * in, and the output is the same byte for byte (tests/api/prefilter.c).
 * For that the last stamped line skipped must be among them (it sets the
 * parser's last timestamp): an unstamped syslog line further away from it
 * is parsed. The keywords are searched once per block of input, not per
 * line; the lines between hits are walked with a newline mask, 64 bytes
 * at a time, and only their first bytes are looked at.
 */
_Static_assert((KT_SKIP_RING & (KT_SKIP_RING - 1)) == 0, "the ring's index is masked");

#define RING_X	2	/* keywords looked for in ring texts, at most */

/* The analyzer's keyword sets, one per mode (NULL: that mode is off). */
struct kt_skip_sets {
	struct kt_kwset *kw[KT_MODE_COUNT];
	uint64_t field[9];		/* ring level fields: 6 bytes, little-endian */
	char *x[RING_X];		/* keywords that a ring level field holds */
	size_t xlen[RING_X], nx;
};

void
kt_skip_sets_free(struct kt_skip_sets *s)
{
	if (!s)
		return;
	for (int m = 0; m < KT_MODE_COUNT; m++)
		kt_kwset_free(s->kw[m]);
	for (size_t i = 0; i < s->nx; i++)
		free(s->x[i]);
	free(s);
}

/* Does keyword i hold another keyword of kw[0..n) (the first of equal ones
 * stands for the others)? */
static bool
has_shorter(const char *const *kw, size_t n, size_t i)
{
	for (size_t j = 0; j < n; j++) {
		if (j == i || !strstr(kw[i], kw[j]))
			continue;
		if (strlen(kw[j]) < strlen(kw[i]) || j < i)
			return true;
	}
	return false;
}

static uint64_t
load6(const char *p)
{
	uint64_t v = 0;

	memcpy(&v, p, 6);
	return v;
}

/* The ring level fields " %6s" of normalize.c, and whether `kw` occurs in
 * one of them with its ": " ("  INFO: "). */
static bool
in_ring_field(const char *kw)
{
	char f[16];

	for (int l = -1; l < 8; l++) {
		snprintf(f, sizeof(f), " %6s: ", l < 0 ? "" : kt_normalize_ring_word(l));
		if (strstr(f, kw))
			return true;
	}
	return false;
}

/* The prefilter's keyword sets (made once per analyzer): the header
 * keywords, less those that hold a shorter one (a line holding "BUG
 * kmalloc-" holds "BUG " too, and fewer keywords give the search fewer
 * false candidates); with "kernel:" for dmesg lines; without the ring
 * level fields' for ring lines. NULL when the keywords cannot prove a
 * line clean. */
int
kt_skip_sets_new(struct kt_ctx *ctx, const struct kt_detect *det, struct kt_skip_sets **ret)
{
	const char *const *kw;
	const char **all, **ring;
	size_t n, k = 0, r = 0;
	struct kt_skip_sets *s;
	int rc = 0;

	s = kt_calloc(1, sizeof(*s));
	n = kt_detect_keywords(det, &kw);
	all = kt_calloc(n + 1, sizeof(*all));
	ring = kt_calloc(n + 1, sizeof(*ring));
	for (size_t i = 0; i < n; i++) {
		/* the normalizer turns invalid UTF-8 into '?': such a keyword
		 * could appear in the text without being in the line */
		if (strchr(kw[i], '?'))
			rc = KT_EUNSUPPORTED;
		if (has_shorter(kw, n, i))
			continue;
		all[k++] = kw[i];
		if (!in_ring_field(kw[i]))
			ring[r++] = kw[i];
		else if (s->nx < RING_X)
			s->xlen[s->nx] = strlen(kw[i]), s->x[s->nx++] = kt_strdup(kw[i]);
		else
			s->nx = RING_X + 1;	/* too many: no ring mode */
	}
	for (int l = -1; l < 8; l++) {
		char f[16];

		snprintf(f, sizeof(f), "%6s", l < 0 ? "" : kt_normalize_ring_word(l));
		s->field[l + 1] = load6(f);
	}
	if (s->nx > RING_X)
		s->nx = RING_X;	/* too many: no ring mode (kw[KT_MODE_RING] stays NULL) */
	else if (!rc)
		rc = kt_kwset_new(ctx, ring, r, KT_KWSET_AUTO, &s->kw[KT_MODE_RING]);
	if (!rc)
		rc = kt_kwset_new(ctx, all, k, KT_KWSET_AUTO, &s->kw[KT_MODE_SYSLOG]);
	all[k++] = "kernel:";
	if (!rc)
		rc = kt_kwset_new(ctx, all, k, KT_KWSET_AUTO, &s->kw[KT_MODE_DMESG]);
	free(all);
	free(ring);
	if (rc) {
		kt_skip_sets_free(s);
		return rc;
	}
	*ret = s;
	return 0;
}

/* "[", blanks, 1-12 digits, ".", 1-9 digits, "]": the printk stamp that
 * normalize.c kernel_ts() reads as a timestamp (its dmesg -d form with a
 * delta is left to the parser). Returns the index after ']', or 0. */
static size_t
stamp_end(struct kt_str l)
{
	size_t i = 1, d;

	if (l.len < 4 || l.p[0] != '[')
		return 0;
	while (i < l.len && (l.p[i] == ' ' || l.p[i] == '\t'))
		i++;
	for (d = 0; i < l.len && d <= 12 && l.p[i] >= '0' && l.p[i] <= '9'; i++, d++)
		;
	if (d == 0 || d > 12 || i >= l.len || l.p[i++] != '.')
		return 0;
	for (d = 0; i < l.len && d <= 9 && l.p[i] >= '0' && l.p[i] <= '9'; i++, d++)
		;
	return d > 0 && d <= 9 && i < l.len && l.p[i] == ']' ? i + 1 : 0;
}

#if defined(__x86_64__) && defined(__SSE2__)
#include <emmintrin.h>
#define SKIP_SSE2 1

/* Bit i set where p[i] is '\n', for p[0..64); *bad: where p[i] is a byte
 * that makes a line unfit (a joining control byte, kt_is_joining_control(),
 * or CR), as a mask too. */
static inline uint64_t
nl_mask64(const char *p, uint64_t *bad)
{
	const __m128i nl = _mm_set1_epi8('\n'), tab = _mm_set1_epi8('\t');
	const __m128i c1f = _mm_set1_epi8(0x1f), del = _mm_set1_epi8(0x7f);
	__m128i v[4], e[4], any = _mm_setzero_si128();
	uint64_t m = 0;

	for (int k = 0; k < 4; k++) {
		v[k] = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
		e[k] = _mm_cmpeq_epi8(v[k], nl);
		m |= (uint64_t)(uint16_t)_mm_movemask_epi8(e[k]) << (16 * k);
		/* v <= 0x1f (unsigned) but not TAB or LF, or DEL */
		e[k] = _mm_or_si128(_mm_andnot_si128(_mm_or_si128(e[k], _mm_cmpeq_epi8(v[k], tab)),
						     _mm_cmpeq_epi8(_mm_min_epu8(v[k], c1f), v[k])),
				    _mm_cmpeq_epi8(v[k], del));
		any = _mm_or_si128(any, e[k]);
	}
	*bad = 0;
	if (__builtin_expect(_mm_movemask_epi8(any) != 0, 0))
		for (int k = 0; k < 4; k++)
			*bad |= (uint64_t)(uint16_t)_mm_movemask_epi8(e[k]) << (16 * k);
	return m;
}

/* Bit i set where the first (up to 4) bytes of a keyword start at p[i],
 * for p[0..64); xv: each byte of the keyword in all 16 lanes (made once
 * per walk); p[64..67] must be readable. */
static inline uint64_t
kw_mask64(const char *p, const __m128i xv[4], size_t xlen)
{
	uint64_t m = 0;

#define KW_EQ(k, j) _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * (k) + (j))), \
				  xv[j])
	if (xlen >= 4) {
		for (int k = 0; k < 4; k++) {
			__m128i e = _mm_and_si128(_mm_and_si128(KW_EQ(k, 0), KW_EQ(k, 1)),
						  _mm_and_si128(KW_EQ(k, 2), KW_EQ(k, 3)));

			m |= (uint64_t)(uint16_t)_mm_movemask_epi8(e) << (16 * k);
		}
		return m;
	}
	for (int k = 0; k < 4; k++) {
		__m128i e = _mm_set1_epi8(-1);

		for (size_t j = 0; j < xlen; j++)
			e = _mm_and_si128(e, KW_EQ(k, j));
		m |= (uint64_t)(uint16_t)_mm_movemask_epi8(e) << (16 * k);
	}
#undef KW_EQ
	return m;
}

/* stamp_end() for a line whose first 16 bytes can be read (they may run
 * past its end: the '\n' stops every run below). One 16-byte compare per
 * class, then the runs are counted on the bit masks; a stamp that does not
 * end inside the 16 bytes goes to stamp_end(). */
static inline size_t
stamp_end16(struct kt_str l)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)l.p);
	__m128i dv = _mm_sub_epi8(v, _mm_set1_epi8('0'));
	/* unsigned dv <= 9: min(dv, 9) == dv */
	uint32_t dig = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(dv, _mm_set1_epi8(9)), dv));
	uint32_t blank = (uint16_t)_mm_movemask_epi8(_mm_or_si128(
		_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))));
	uint32_t dot = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')));
	uint32_t close = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(']')));
	unsigned i, d;

	if (l.p[0] != '[')
		return 0;
	i = 1 + (unsigned)__builtin_ctz(~(blank >> 1));
	d = (unsigned)__builtin_ctz(~(dig >> i));	/* ends by bit 16 at the latest */
	if (i + d >= 15)
		return stamp_end(l);
	if (d == 0 || d > 12 || !(dot >> (i + d) & 1))
		return 0;
	i += d + 1;
	d = (unsigned)__builtin_ctz(~(dig >> i));
	if (i + d >= 16)
		return stamp_end(l);
	return d > 0 && d <= 9 && (close >> (i + d) & 1) && i + d < l.len ? i + d + 1 : 0;
}
#endif

/* stamp_end(), fast when the 16 bytes from l.p are in [l.p, end). */
static inline size_t
stamp_end_in(struct kt_str l, const char *end)
{
#ifdef SKIP_SSE2
	if (end - l.p >= 16)
		return stamp_end16(l);
#else
	(void)end;
#endif
	return stamp_end(l);
}

/* "aaa _d dd:dd:dd" as normalize.c shape() reads it. */
static bool
syslog_date(const char *p)
{
	static const char pat[] = "aaa _d dd:dd:dd";

	for (size_t i = 0; i < sizeof(pat) - 1; i++) {
		char c = p[i];
		bool ok = pat[i] == 'd' ? kt_is_digit(c) :
			  pat[i] == '_' ? c == ' ' || kt_is_digit(c) :
			  pat[i] == 'a' ? kt_is_alpha(c) : c == pat[i];

		if (!ok)
			return false;
	}
	return true;
}

/* p[0..n) == q[0..n), inline for the short prefixes compared per line. */
static inline bool
same_bytes(const char *p, const char *q, size_t n)
{
	uint64_t x, y;

	for (; n >= 8; p += 8, q += 8, n -= 8) {
		memcpy(&x, p, 8);
		memcpy(&y, q, 8);
		if (x != y)
			return false;
	}
	while (n--)
		if (*p++ != *q++)
			return false;
	return true;
}

/* The shape of a syslog line's text l (after "TAG: "). */
static inline enum kt_skip_shape
syslog_text(struct kt_str l, const char *end)
{
	if (l.len && l.p[0] == '[')
		return stamp_end_in(l, end) ? KT_SHAPE_SYSLOG_TS : KT_SHAPE_NONE;
	return l.len >= 6 && memcmp(l.p, "(XEN) ", 6) == 0 ? KT_SHAPE_NONE : KT_SHAPE_SYSLOG;
}

/* A syslog line of host sk->host (see the comment above): what
 * normalize.c rfc3164() and inner_kernel_ts() make of it is fixed. The
 * last prefix found fit ("Nov 12 13:46:40 host kernel: ", ending in ": ")
 * is kept: a line that begins with the same bytes has the same prefix
 * (every test below reads only them), so most lines cost one compare. */
__attribute__((noinline)) static enum kt_skip_shape
syslog_shape(struct kt_skipper *sk, struct kt_str l, const char *end)
{
	size_t h = 16 + sk->host.len, t;

	if (sk->pre_len && sk->pre_host == sk->host.p && l.len >= sk->pre_len &&
	    same_bytes(l.p, sk->pre, sk->pre_len))
		return syslog_text(kt_str_make(l.p + sk->pre_len, l.len - sk->pre_len), end);
	/* host_tag() looks for the tag's end in its first 300 bytes */
	if (!sk->host.len || l.len < h + 3 || l.p[15] != ' ' || l.p[h] != ' ' ||
	    !syslog_date(l.p) || memcmp(l.p + 16, sk->host.p, sk->host.len) != 0)
		return KT_SHAPE_NONE;
	for (t = h + 1; t < l.len && t < 16 + 300; t++) {
		unsigned char c = (unsigned char)l.p[t];

		if (c == ':' || c <= ' ' || c >= 0x7f)
			break;
	}
	if (t == h + 1 || t >= l.len || t >= 16 + 300 || l.p[t] != ':')
		return KT_SHAPE_NONE;
	if (t + 1 < l.len && l.p[t + 1] == ' ') {
		t += 2;
		if (t <= sizeof(sk->pre)) {
			memcpy(sk->pre, l.p, t);
			sk->pre_len = t;
			sk->pre_host = sk->host.p;
		}
	} else {
		t += 1;
	}
	return syslog_text(kt_str_make(l.p + t, l.len - t), end);
}

/* The splitter's host, if a syslog line can name it in a way that
 * syslog_shape() checks byte for byte: printable ASCII, not ending in ':'
 * (host_tag() would read "host: " as a tag). Else empty. */
struct kt_str
kt_skip_host(struct kt_str h)
{
	struct kt_str none = { "", 0 };

	if (!h.len || h.len > 200 || h.p[h.len - 1] == ':')
		return none;
	for (size_t i = 0; i < h.len; i++)
		if ((unsigned char)h.p[i] <= ' ' || (unsigned char)h.p[i] >= 0x7f)
			return none;
	return h;
}

/* Is the text of the stamped line l (stamp ending at j) a ring level field
 * (normalize.c xen_ring_level(): " %6s: ")? Then *text is where its text
 * starts. */
static inline bool
ring_field(const struct kt_skip_sets *sets, struct kt_str l, size_t j, size_t *text)
{
	uint64_t f;

	if (j + 9 > l.len || l.p[j] != ' ' || l.p[j + 7] != ':' || l.p[j + 8] != ' ')
		return false;
	f = load6(l.p + j + 1);
	for (int i = 0; i < 9; i++)
		if (f == sets->field[i]) {
			*text = j + 9;
			return true;
		}
	return false;
}

/* The shape of line l (a view into a block ending at `end`); *text: where
 * the text of a ring line starts. */
__attribute__((always_inline)) static inline enum kt_skip_shape
line_shape(struct kt_skipper *sk, struct kt_str l, const char *end, size_t *text)
{
	if (l.len && l.p[0] == '[') {
		size_t j = stamp_end_in(l, end);

		if (!j)
			return KT_SHAPE_NONE;
		return ring_field(sk->sets, l, j, text) ? KT_SHAPE_RING : KT_SHAPE_DMESG;
	}
	return syslog_shape(sk, l, end);
}

/* May a run searched in `mode` hold a line of shape s? */
static inline bool
accepts(enum kt_skip_mode mode, enum kt_skip_shape s)
{
	switch (mode) {
	case KT_MODE_DMESG: return s == KT_SHAPE_DMESG || s == KT_SHAPE_RING;
	case KT_MODE_RING: return s == KT_SHAPE_RING;
	default: return s == KT_SHAPE_SYSLOG || s == KT_SHAPE_SYSLOG_TS;
	}
}

/* Does the text t[0..n) of a ring line hold a keyword of a level field? */
static bool
ring_text_hit(const struct kt_skip_sets *sets, const char *t, size_t n)
{
	for (size_t i = 0; i < sets->nx; i++)
		if (memmem(t, n, sets->x[i], sets->xlen[i]))
			return true;
	return false;
}

/* Find the clean lines from `line` (a view into the block at input offset
 * `off`) to the end of the block: [sk->lo, sk->hi), searched in `mode`. */
static void
look_ahead(struct kt_skipper *sk, const char *line, const char *end, uint64_t off,
	   enum kt_skip_mode mode)
{
	size_t len = (size_t)(end - line), bad = len, k;

	/* (unfit bytes are looked for line by line: kt_skip_line(), skip_run()) */
	if (kt_kwset_find(sk->sets->kw[mode], line, len, &k, NULL))
		bad = k;
	/* up to the start of the bad line, or of the block's partial last line */
	{
		const char *q = bad ? memrchr(line, '\n', bad) : NULL;

		bad = q ? (size_t)(q - line) + 1 : 0;
	}
	sk->mode = mode;
	sk->lo = off;
	sk->hi = off + bad;
}

/* May a line of this shape be held now? An unstamped one must not push the
 * last stamped line held out of the ring. */
static inline bool
may_hold(struct kt_skipper *sk, enum kt_skip_shape s)
{
	if (s == KT_SHAPE_SYSLOG) {
		if (sk->stamp_age >= KT_SKIP_RING - 1)
			return false;
		if (sk->stamp_age >= 0)
			sk->stamp_age++;
	} else {
		sk->stamp_age = 0;
	}
	return true;
}

static inline void
hold(struct kt_skipper *sk, const char *p, size_t len, uint32_t no, bool trunc)
{
	sk->ring[sk->next] = (struct kt_skipped){ p, len, no, trunc };
	sk->next = (sk->next + 1) & (KT_SKIP_RING - 1);
	if (sk->n < KT_SKIP_RING)
		sk->n++;
}

/* A byte of p[0..n) that makes a line unfit (see nl_mask64()). */
static bool
unfit_byte(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (kt_is_joining_control((unsigned char)p[i]) || p[i] == '\r')
			return true;
	return false;
}

/* The last min(k, KT_SKIP_RING) of the k lines p[0..len) (each ended by '\n',
 * the first numbered no) into the ring, found from the end. */
static void
hold_tail(struct kt_skipper *sk, const char *p, size_t len, uint32_t no, uint32_t k)
{
	const char *start[KT_SKIP_RING];
	size_t n[KT_SKIP_RING];
	uint32_t keep = k < KT_SKIP_RING ? k : KT_SKIP_RING;
	const char *e = p + len - 1;	/* the '\n' of the line */

	for (uint32_t j = 0; j < keep; j++) {
		const char *b = j + 1 < k ? memrchr(p, '\n', (size_t)(e - p)) : NULL;

		start[j] = b ? b + 1 : p;
		n[j] = (size_t)(e - start[j]);
		e = start[j] - 1;
	}
	for (uint32_t j = keep; j-- > 0;)
		hold(sk, start[j], n[j], no + k - 1 - j, false);
}

/* The 64-byte masks of p[base..base+64) (scalar at the end of the block):
 * newlines (returned), unfit bytes (*bad) and, in ring mode, where a level
 * field's keyword may start (*cand). */
#ifdef SKIP_SSE2
#define XV_PARAM , __m128i (*xv)[4]
#define XV_ARG , xv
#else
#define XV_PARAM
#define XV_ARG
#endif
__attribute__((always_inline)) static inline uint64_t
masks64(const struct kt_skipper *sk, const char *p, size_t base, size_t len, uint64_t *bad,
	uint64_t *cand, enum kt_skip_mode mode XV_PARAM)
{
	uint64_t m = 0;

	*bad = *cand = 0;
#ifdef SKIP_SSE2
	if (base + 64 + 4 <= len) {
		m = nl_mask64(p + base, bad);
		if (mode == KT_MODE_RING)
			for (size_t i = 0; i < sk->sets->nx; i++)
				*cand |= kw_mask64(p + base, xv[i], sk->sets->xlen[i]);
		return m;
	}
#endif
	for (size_t i = base; i < base + 64 && i < len; i++) {
		if (p[i] == '\n')
			m |= 1ull << (i - base);
		else if (unfit_byte(p + i, 1))
			*bad |= 1ull << (i - base);
		for (size_t x = 0; mode == KT_MODE_RING && x < sk->sets->nx; x++)
			if (p[i] == sk->sets->x[x][0])
				*cand |= 1ull << (i - base);
	}
	return m;
}

/* The shape of line l in a run searched in `mode`, if the run may hold
 * it, else KT_SHAPE_NONE; *text as for line_shape(). In a dmesg run a ring
 * line is a dmesg line (its whole text was searched). */
__attribute__((always_inline)) static inline enum kt_skip_shape
run_shape(struct kt_skipper *sk, struct kt_str l, const char *end, size_t *text,
	  enum kt_skip_mode mode)
{
	size_t j;

	if (mode == KT_MODE_SYSLOG) {
		enum kt_skip_shape s = l.len && l.p[0] != '[' ? syslog_shape(sk, l, end) : KT_SHAPE_NONE;

		return s == KT_SHAPE_SYSLOG || s == KT_SHAPE_SYSLOG_TS ? s : KT_SHAPE_NONE;
	}
	if (!l.len || l.p[0] != '[' || !(j = stamp_end_in(l, end)))
		return KT_SHAPE_NONE;
	if (mode == KT_MODE_DMESG)
		return KT_SHAPE_DMESG;
	return ring_field(sk->sets, l, j, text) ? KT_SHAPE_RING : KT_SHAPE_NONE;
}

/* skip_run() for one mode (a constant: the compiler makes one loop each).
 * Returns the lines passed over; *ret_len: their bytes. */
__attribute__((always_inline)) static inline uint32_t
walk(struct kt_skipper *sk, const char *p, size_t len, size_t limit, size_t max, size_t *ret_len,
     enum kt_skip_mode mode)
{
	size_t start = 0, badpos = SIZE_MAX;
	size_t top = 0;		/* ring mode: 1 + the last candidate of the chunks before */
	const char *end = p + len;
	uint32_t k = 0;
#ifdef SKIP_SSE2
	__m128i xv[RING_X][4];

	for (size_t i = 0; mode == KT_MODE_RING && i < sk->sets->nx; i++)
		for (size_t j = 0; j < 4; j++)
			xv[i][j] = _mm_set1_epi8(j < sk->sets->xlen[i] ? sk->sets->x[i][j] : 0);
#endif

	for (size_t base = 0; base < limit; base += 64) {
		uint64_t bad, cand, m = masks64(sk, p, base, len, &bad, &cand, mode XV_ARG);

		if (bad && badpos == SIZE_MAX)
			badpos = base + (size_t)__builtin_ctzll(bad);
		while (m) {
			size_t nl = base + (size_t)__builtin_ctzll(m), n = nl - start, text = 0;
			enum kt_skip_shape s;

			m &= m - 1;
			if (nl + 1 >= limit || n > max || nl > badpos)
				goto out;
			s = run_shape(sk, kt_str_make(p + start, n), end, &text, mode);
			if (s == KT_SHAPE_NONE || !may_hold(sk, s))
				goto out;
			if (mode == KT_MODE_RING) {
				/* 1 + the last candidate before the newline: one
				 * in the text is looked at */
				uint64_t below = nl > base ? cand & ((1ull << (nl - base)) - 1) : 0;
				size_t last = below ? base + 64 - (size_t)__builtin_clzll(below) : top;

				if (last > start + text &&
				    ring_text_hit(sk->sets, p + start + text, n - text))
					goto out;
			}
			k++;
			start = nl + 1;
		}
		if (cand)
			top = base + 64 - (size_t)__builtin_clzll(cand);
	}
out:
	*ret_len = start;
	return k;
}

/* Line `no` was skipped; skip the clean lines after it (p[0..len), at
 * input offset `off`) in one step, without handing them out one by one.
 * The walk looks at each line's first bytes (its shape) and, 64 bytes at
 * a time, for newlines, unfit bytes and (ring lines) the start of a level
 * field's keyword; the ring gets the run's last lines at the end. */
static void
skip_run(struct kt_skipper *sk, struct kt_input *in, const char *p, size_t len, uint64_t off,
	 uint32_t no)
{
	size_t max = kt_input_max_line(in), limit, done = 0;
	uint32_t k;

	if (max > KT_MAX_LINE)
		max = KT_MAX_LINE;
	/* the same rule as for a line handed out: its end and the next byte
	 * are clean, it has a shape, it is not cut */
	limit = sk->hi > off ? (size_t)(sk->hi - off) : 0;
	if (limit > len)
		limit = len;
	if (UINT32_MAX - 2 - no < limit)	/* a line is at least one byte */
		limit = UINT32_MAX - 2 - no;
	switch (sk->mode) {
	case KT_MODE_DMESG: k = walk(sk, p, len, limit, max, &done, KT_MODE_DMESG); break;
	case KT_MODE_RING: k = walk(sk, p, len, limit, max, &done, KT_MODE_RING); break;
	default: k = walk(sk, p, len, limit, max, &done, KT_MODE_SYSLOG); break;
	}
	if (k) {
		hold_tail(sk, p, done, no + 1, k);
		kt_input_skip(in, done, k);
	}
}

/* Skip this line? (It was just read from `in`; see the comment above.) */
bool
kt_skip_line(struct kt_skipper *sk, struct kt_input *in, struct kt_str raw, uint32_t no, bool trunc)
{
	const char *next;
	size_t rest, text = 0;
	uint64_t off, at;
	enum kt_skip_shape s;
	enum kt_skip_mode mode;

	if (raw.len > KT_MAX_LINE ||
	    !kt_input_peek(in, &next, &rest, &off) || next <= raw.p + raw.len ||
	    next > raw.p + raw.len + 2 || next[-1] != '\n')
		return false;	/* not a view into the block: parse it */
	s = line_shape(sk, raw, next + rest, &text);
	mode = s == KT_SHAPE_DMESG ? KT_MODE_DMESG : s == KT_SHAPE_RING ? KT_MODE_RING : KT_MODE_SYSLOG;
	if (s == KT_SHAPE_RING && !sk->sets->kw[KT_MODE_RING])
		mode = KT_MODE_DMESG;
	if (s == KT_SHAPE_NONE || !sk->sets->kw[mode] ||
	    unfit_byte(raw.p, (size_t)(next - raw.p) - 1) ||
	    (s == KT_SHAPE_RING && ring_text_hit(sk->sets, raw.p + text, raw.len - text)))
		return false;
	at = off - (uint64_t)(next - raw.p);
	/* a line is skipped when its end and the next byte are clean: the
	 * block's last complete line is parsed (with the lines held) */
	if (at < sk->lo || (uint64_t)(next - raw.p) + at >= sk->hi || !accepts(sk->mode, s)) {
		if (sk->wait) {
			sk->wait--;
			return false;
		}
		look_ahead(sk, raw.p, next + rest, at, mode);
		if ((uint64_t)(next - raw.p) + at >= sk->hi) {
			sk->pause = sk->pause ? (sk->pause < 4096 ? 2 * sk->pause : 4096) : 1;
			sk->wait = sk->pause;
			return false;
		}
		sk->pause = 0;
	}
	if (!may_hold(sk, s))
		return false;
	hold(sk, raw.p, raw.len, no, trunc);
	skip_run(sk, in, next, rest, off, no);
	return true;
}

