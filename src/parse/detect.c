/*
 * parse/detect: crash header detection from the data table
 * data/parse/headers.txt (keywords, vetoes, "inside" headers, kinds).
 * Consumes one prefix-stripped line at a time; produces a header hit.
 * The first header (in table order) whose keyword is in the line and is
 * not vetoed wins, as in syzkaller. Keywords are found in one pass over the
 * line: each keyword is indexed by one of its byte pairs (the rarest-looking
 * one), a bitmap of those pairs rules out almost every position, and only
 * keywords whose pair occurs are compared. Regexes (vetoes, kinds) only run
 * on the rare lines that contain a keyword.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/detect.h"
#include "util/arena.h"
#include "util/ctx.h"
#include "util/data.h"
#include "util/mem.h"
#include "util/pcre.h"
#include "util/prefilter.h"

/* ---- kt_rx ---- */

/* Split a top-level alternation into at most this many regexes. */
#define MAX_SPLIT 4

struct kt_rx {
	struct kt_pcre re;	/* read-only once built: shared by threads (util/pcre.h) */
	pcre2_code *code;	/* re.code, for pattern info */
	uint32_t pairs;		/* capture groups + 1 */
	pcre2_match_context *mctx;
	/* From PCRE2's own analysis of the pattern, cheap tests that skip most
	 * calls: an anchored match must begin with one of the bytes of `first`;
	 * any match contains the byte `need` (or its other case `need2`). */
	bool has_first;
	uint8_t first[32];
	int need, need2;	/* -1: none */
	/* A pattern that is a plain literal is searched with memmem. */
	char *literal;
	size_t literal_len;
	/* Otherwise literals of which every match holds one (util/prefilter.h):
	 * when none occurs after `start`, PCRE2 is not called. */
	struct kt_lit *lits;
	size_t n_lits;
	/* "A|B" split into A and B, each with its own cheap tests: used when
	 * only the existence of a match is asked (see split_alternatives). */
	struct kt_rx *alts[MAX_SPLIT];
	size_t n_alts;
};

/* Is `pattern` (compiled with `flags`) a plain literal string? Only bytes
 * that stand for themselves in PCRE2 outside a class count. */
static bool
is_literal(const char *pattern, unsigned flags)
{
	if ((flags & ~(unsigned)PCRE2_MULTILINE) || !pattern[0])
		return false;
	for (const char *p = pattern; *p; p++)
		if (!kt_is_alpha(*p) && !kt_is_digit(*p) && !strchr(" _:-,/=@<>'\"!%&;~", *p))
			return false;
	return true;
}

static void
set_first(struct kt_rx *rx, unsigned c)
{
	rx->first[(c & 0xff) >> 3] |= (uint8_t)(1u << (c & 7));
}

static int
other_case(uint32_t cu)
{
	if (cu >= 'a' && cu <= 'z')
		return (int)(cu - 'a' + 'A');
	if (cu >= 'A' && cu <= 'Z')
		return (int)(cu - 'A' + 'a');
	return (int)cu;
}

/* A code unit every match must contain. PCRE2 reports caseless ones (from
 * (?i), or merged alternatives such as "oom|Out") without saying so: both
 * cases are accepted. */
static void
needed_byte(struct kt_rx *rx, uint32_t what_type, uint32_t what_unit)
{
	uint32_t type = 0, cu = 0;
	if (pcre2_pattern_info(rx->code, what_type, &type) != 0 || type != 1 ||
	    pcre2_pattern_info(rx->code, what_unit, &cu) != 0 || cu > 255)
		return;
	rx->need = (int)cu;
	rx->need2 = other_case(cu);
}

/* Fill the cheap tests of rx (see struct kt_rx). */
static void
first_bytes(struct kt_rx *rx)
{
	uint32_t opts = 0, type = 0, cu = 0;
	const uint8_t *bm = NULL;

	rx->need = rx->need2 = -1;
	if (pcre2_pattern_info(rx->code, PCRE2_INFO_ALLOPTIONS, &opts) != 0)
		return;
	if (!(opts & PCRE2_ANCHORED)) {
		/* unanchored: the first code unit must occur somewhere */
		needed_byte(rx, PCRE2_INFO_FIRSTCODETYPE, PCRE2_INFO_FIRSTCODEUNIT);
		if (rx->need < 0)
			needed_byte(rx, PCRE2_INFO_LASTCODETYPE, PCRE2_INFO_LASTCODEUNIT);
		return;
	}
	needed_byte(rx, PCRE2_INFO_LASTCODETYPE, PCRE2_INFO_LASTCODEUNIT);
	if (pcre2_pattern_info(rx->code, PCRE2_INFO_FIRSTCODETYPE, &type) != 0)
		return;
	if (type == 1 && pcre2_pattern_info(rx->code, PCRE2_INFO_FIRSTCODEUNIT, &cu) == 0 &&
	    cu < 256) {
		set_first(rx, cu);
		set_first(rx, (unsigned)other_case(cu));
		rx->has_first = true;
	} else if (type == 0 && pcre2_pattern_info(rx->code, PCRE2_INFO_FIRSTBITMAP, &bm) == 0 &&
		   bm) {
		memcpy(rx->first, bm, sizeof(rx->first));
		rx->has_first = true;
	}
}

static int rx_build(struct kt_ctx *ctx, const char *pattern, unsigned flags, bool split,
		    struct kt_rx **ret);

/* The byte offsets of the top-level "|" of pattern (at most MAX_SPLIT - 1),
 * or 0 when the pattern must not be split: inline options and verbs could
 * reach across alternatives, back references could change their meaning,
 * \Q..\E and comments are not parsed here, an empty alternative matches
 * everything anyway. */
static size_t
top_level_bars(const char *p, size_t ret[MAX_SPLIT - 1])
{
	size_t n = 0, prev = 0;
	int depth = 0;
	for (size_t i = 0; p[i]; i++) {
		char c = p[i];
		if (c == '\\') {
			char e = p[i + 1];
			if (!e || e == 'Q' || e == 'g' || e == 'k' || (e >= '1' && e <= '9'))
				return 0;
			i++;
		} else if (c == '[') {
			size_t j = i + 1;
			if (p[j] == '^')
				j++;
			if (p[j] == ']')
				j++;
			for (; p[j] && p[j] != ']'; j++)
				if (p[j] == '\\' && p[j + 1])
					j++;
			if (!p[j])
				return 0;
			i = j;
		} else if (c == '(') {
			if (p[i + 1] == '*' ||
			    (p[i + 1] == '?' && p[i + 2] && !strchr(":=!<>|", p[i + 2])))
				return 0;
			if (p[i + 1] == '?' && p[i + 2] == '<' && p[i + 3] != '=' && p[i + 3] != '!')
				return 0; /* named group: names may be referred to */
			depth++;
		} else if (c == ')') {
			depth--;
		} else if (c == '|' && depth == 0) {
			if (n == MAX_SPLIT - 1 || i == prev)
				return 0;
			ret[n++] = i;
			prev = i + 1;
		}
	}
	return n && p[prev] ? n : 0;
}

/* Compile the alternatives of a top-level alternation one by one. */
static void
split_alternatives(struct kt_ctx *ctx, struct kt_rx *rx, const char *pattern, unsigned flags)
{
	size_t bars[MAX_SPLIT - 1];
	size_t n = (flags & PCRE2_EXTENDED) || strstr(pattern, "[:") ? 0
									: top_level_bars(pattern, bars);
	size_t from = 0;
	if (!n)
		return;
	for (size_t k = 0; k <= n; k++) {
		size_t to = k < n ? bars[k] : strlen(pattern);
		char *piece = kt_strndup(pattern + from, to - from);
		struct kt_rx *alt;
		int rc = rx_build(ctx, piece, flags, false, &alt);
		free(piece);
		if (rc) {
			for (size_t j = 0; j < rx->n_alts; j++)
				kt_rx_free(rx->alts[j]);
			rx->n_alts = 0;
			return;
		}
		rx->alts[rx->n_alts++] = alt;
		from = to + 1;
	}
}

int
kt_rx_new(struct kt_ctx *ctx, const char *pattern, unsigned flags, struct kt_rx **ret)
{
	return rx_build(ctx, pattern, flags, true, ret);
}

/* PCRE2 knows neither the first byte of a match nor a set of them: it
 * then tries every position, and a literal prefilter pays off (where it
 * knows them, its own scan is as fast as a memmem). */
static bool
no_start_info(const pcre2_code *code)
{
	uint32_t type = 0;
	const uint8_t *bitmap = NULL;

	(void)pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODETYPE, &type);
	(void)pcre2_pattern_info(code, PCRE2_INFO_FIRSTBITMAP, &bitmap);
	return type == 0 && bitmap == NULL;
}

static int
rx_build(struct kt_ctx *ctx, const char *pattern, unsigned flags, bool split,
	 struct kt_rx **ret)
{
	int err;
	PCRE2_SIZE off;
	pcre2_code *code = kt_pcre_compile(ctx, pattern, PCRE2_ZERO_TERMINATED, flags, &err,
					   &off);
	if (!code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(err, msg, sizeof(msg));
		return kt_error(ctx, KT_EFORMAT, "regex '%s' at %zu: %s", pattern,
				(size_t)off, (const char *)msg);
	}
	struct kt_rx *rx = kt_calloc(1, sizeof(*rx));
	uint32_t groups = 0;
	(void)pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &groups);
	kt_pcre_init(&rx->re, code);
	rx->code = code;
	rx->pairs = groups + 1;
	rx->mctx = pcre2_match_context_create(NULL);
	if (!rx->mctx)
		kt_oom(sizeof(*rx));
	/* Untrusted input: bound backtracking so no line can hang us. */
	pcre2_set_match_limit(rx->mctx, 2000000);
	pcre2_set_depth_limit(rx->mctx, 10000);
	first_bytes(rx);
	if (is_literal(pattern, flags)) {
		rx->literal = kt_strdup(pattern);
		rx->literal_len = strlen(pattern);
	} else if (!(flags & ~(unsigned)(PCRE2_MULTILINE | PCRE2_UTF | PCRE2_DOTALL |
					 PCRE2_MATCH_INVALID_UTF | PCRE2_UNGREEDY)) &&
		   no_start_info(code)) {
		struct kt_arena *a = kt_arena_new();
		struct kt_lit *v;
		size_t n = kt_prefilter_literals(pattern, a, &v);

		if (n) {
			rx->lits = kt_calloc(n, sizeof(*rx->lits));
			for (size_t i = 0; i < n; i++) {
				rx->lits[i].s = kt_strndup(v[i].s, v[i].len);
				rx->lits[i].len = v[i].len;
			}
			rx->n_lits = n;
		}
		kt_arena_free(a);
	}
	if (split)
		split_alternatives(ctx, rx, pattern, flags);
	*ret = rx;
	return 0;
}

void
kt_rx_free(struct kt_rx *rx)
{
	if (!rx)
		return;
	pcre2_match_context_free(rx->mctx);
	kt_pcre_deinit(&rx->re);
	for (size_t i = 0; i < rx->n_alts; i++)
		kt_rx_free(rx->alts[i]);
	free(rx->literal);
	for (size_t i = 0; i < rx->n_lits; i++)
		free((char *)rx->lits[i].s);
	free(rx->lits);
	free(rx);
}

/* memmem for short haystacks: memchr for the first byte, then compare
 * (glibc's memmem pays a set-up cost per call that dominates on log lines). */
static const char *
find_literal(const char *h, size_t hlen, const char *lit, size_t n)
{
	const char *end = h + hlen;
	while (n && n <= (size_t)(end - h)) {
		h = memchr(h, lit[0], (size_t)(end - h) - n + 1);
		if (!h)
			return NULL;
		if (!memcmp(h + 1, lit + 1, n - 1))
			return h;
		h++;
	}
	return NULL;
}

bool
kt_rx_match(const struct kt_rx *rx, struct kt_str s, size_t start, long *ovec, size_t n_pairs)
{
	if (start > s.len)
		return false;
	if (rx->has_first) {
		unsigned char c = start < s.len ? (unsigned char)s.p[start] : 0;
		if (start >= s.len || !(rx->first[c >> 3] & (1u << (c & 7))))
			return false;
	}
	if (rx->need >= 0 &&
	    (start >= s.len || (!memchr(s.p + start, rx->need, s.len - start) &&
				(rx->need2 == rx->need ||
				 !memchr(s.p + start, rx->need2, s.len - start)))))
		return false;
	if (rx->n_lits && !kt_prefilter_pass(rx->lits, rx->n_lits, s.p + start, s.len - start))
		return false;
	if (rx->n_alts && (!ovec || !n_pairs)) {
		for (size_t i = 0; i < rx->n_alts; i++)
			if (kt_rx_match(rx->alts[i], s, start, NULL, 0))
				return true;
		return false;
	}
	if (rx->literal) {
		const char *hit = find_literal(s.p + start, s.len - start, rx->literal,
					       rx->literal_len);
		if (!hit)
			return false;
		for (size_t i = 0; ovec && i < n_pairs; i++)
			ovec[2 * i] = ovec[2 * i + 1] = -1;
		if (ovec && n_pairs) {
			ovec[0] = hit - s.p;
			ovec[1] = ovec[0] + (long)rx->literal_len;
		}
		return true;
	}
	pcre2_match_data *md = kt_pcre_scratch(rx->pairs);
	int rc = kt_pcre_match(&rx->re, s.p, s.len, start, md, rx->mctx);
	if (rc < 0)
		return false;
	if (ovec) {
		PCRE2_SIZE *v = pcre2_get_ovector_pointer(md);
		uint32_t n = rc > 0 ? (uint32_t)rc : pcre2_get_ovector_count(md);
		for (size_t i = 0; i < n_pairs; i++) {
			if (i < n && v[2 * i] != PCRE2_UNSET) {
				ovec[2 * i] = (long)v[2 * i];
				ovec[2 * i + 1] = (long)v[2 * i + 1];
			} else {
				ovec[2 * i] = ovec[2 * i + 1] = -1;
			}
		}
	}
	return true;
}

char *
kt_rx_replace(const struct kt_rx *rx, const char *in, const char *with)
{
	size_t cap = strlen(in) * 2 + 64;
	for (int tries = 0; tries < 4; tries++, cap *= 4) {
		char *out = kt_malloc(cap);
		size_t ol = cap;
		int rc = kt_pcre_substitute(&rx->re, in, with, rx->mctx, out, &ol);
		if (rc > 0)
			return out;
		free(out);
		if (rc != PCRE2_ERROR_NOMEMORY)
			return NULL;
	}
	return NULL;
}

void
kt_rx_first_bytes(const struct kt_rx *rx, uint8_t ret[32])
{
	if (rx->has_first)
		memcpy(ret, rx->first, 32);
	else
		memset(ret, 0xff, 32);
}

bool
kt_rx_anchored(const struct kt_rx *rx)
{
	uint32_t opts = 0;
	return pcre2_pattern_info(rx->code, PCRE2_INFO_ALLOPTIONS, &opts) == 0 &&
	       (opts & PCRE2_ANCHORED);
}

int
kt_rx_groups(const struct kt_rx *rx)
{
	uint32_t n = 0;
	(void)pcre2_pattern_info(rx->code, PCRE2_INFO_CAPTURECOUNT, &n);
	return (int)n;
}

/* ---- data-file helpers ---- */

bool
kt_table_next_line(const char *data, size_t len, size_t *pos, struct kt_str *ret)
{
	if (*pos >= len)
		return false;
	const char *p = data + *pos;
	const char *nl = memchr(p, '\n', len - *pos);
	size_t n = nl ? (size_t)(nl - p) : len - *pos;
	*pos += n + (nl ? 1 : 0);
	if (n && p[n - 1] == '\r')
		n--;
	*ret = kt_str_make(p, n);
	return true;
}

size_t
kt_table_fields(struct kt_str line, struct kt_str *ret, size_t max)
{
	struct kt_str s = kt_str_trim(line);
	if (!s.len || s.p[0] == '#' || !max)
		return 0;
	size_t n = 0;
	while (n + 1 < max) {
		long at = kt_str_find(s, " | ");
		if (at < 0)
			break;
		ret[n++] = kt_str_trim(kt_str_sub(s, 0, (size_t)at));
		s = kt_str_skip(s, (size_t)at + 3);
	}
	ret[n++] = kt_str_trim(s);
	return n;
}

/* ---- the header table ---- */

struct header {
	char *id;
	char *keyword;
	size_t kwlen;
	bool xen_only;
	bool at_start;
	bool inside;
	bool standalone;
	bool echo;
	bool fragment;
	bool needbody;
	struct kt_rx *frag_needs;	/* "fragment | ID | REGEX": a body line taken back must match */
	struct kt_rx **vetoes;
	size_t n_vetoes;
};

struct kind_rule {
	enum kt_kind kind;
	struct kt_rx *rx;
};

/* At most this many headers (the per-line hit set is a fixed bitmap). */
#define MAX_HEADERS 256

/* A keyword indexed by the byte pair at offset `off` of it. */
struct anchor {
	uint16_t pair;		/* first byte << 8 | second byte */
	uint16_t off;
	uint16_t header;
};

struct kt_detect {
	struct header *h;
	size_t n_h;
	const char **keywords;
	struct kind_rule *kinds;
	size_t n_kinds;
	/* data/parse/benign.txt: lines that are never a header */
	struct kt_rx **benign;
	size_t n_benign;
	/* keyword prefilter (see the file comment) */
	uint8_t pairs[65536 / 8];	/* bit set: some keyword is anchored here */
	struct anchor *anchors;		/* sorted by pair */
	size_t n_anchors;
	uint16_t *short_kw;		/* headers with one-byte keywords: memchr */
	size_t n_short;
};

static char *
str_dup(struct kt_str s)
{
	return kt_strndup(s.p, s.len);
}

int
kt_detect_header_find(const struct kt_detect *d, const char *id)
{
	for (size_t i = 0; i < d->n_h; i++)
		if (!strcmp(d->h[i].id, id))
			return (int)i;
	return -1;
}

static int
add_header(struct kt_detect *d, struct kt_str *f, size_t n)
{
	d->h = kt_realloc(d->h, (d->n_h + 1) * sizeof(*d->h));
	struct header *h = &d->h[d->n_h++];
	memset(h, 0, sizeof(*h));
	h->id = str_dup(f[1]);
	h->keyword = str_dup(f[2]);
	h->kwlen = f[2].len;
	if (n > 3) {
		h->xen_only = kt_str_find(f[3], "xen") >= 0;
		h->at_start = kt_str_find(f[3], "start") >= 0;
	}
	return 0;
}

static int
compile_field(struct kt_ctx *ctx, struct kt_str f, struct kt_rx **ret)
{
	char *pat = str_dup(f);
	int rc = kt_rx_new(ctx, pat, 0, ret);
	free(pat);
	return rc;
}

static int
load_line(struct kt_ctx *ctx, struct kt_detect *d, struct kt_str line, size_t no)
{
	struct kt_str f[4];
	size_t n = kt_table_fields(line, f, 4);
	if (!n)
		return 0;
	if (kt_str_eq_cstr(f[0], "header") && n >= 3)
		return add_header(d, f, n);
	if (n < 2)
		return kt_error(ctx, KT_EFORMAT, "parse/headers.txt:%zu: too few fields", no);
	char *id = str_dup(f[1]);
	int hi = kt_detect_header_find(d, id);
	int rc = 0;
	if (kt_str_eq_cstr(f[0], "kind") && n >= 3) {
		struct kind_rule kr = { kt_kind_from_name(id), NULL };
		if (kr.kind == KT_KIND_UNKNOWN)
			rc = kt_error(ctx, KT_EFORMAT, "parse/headers.txt:%zu: unknown kind '%s'", no, id);
		else if ((rc = compile_field(ctx, f[2], &kr.rx)) == 0) {
			d->kinds = kt_realloc(d->kinds, (d->n_kinds + 1) * sizeof(*d->kinds));
			d->kinds[d->n_kinds++] = kr;
		}
	} else if (hi < 0) {
		rc = kt_error(ctx, KT_EFORMAT, "parse/headers.txt:%zu: unknown header '%s'", no, id);
	} else if (kt_str_eq_cstr(f[0], "inside")) {
		d->h[hi].inside = true;
	} else if (kt_str_eq_cstr(f[0], "standalone")) {
		d->h[hi].standalone = true;
	} else if (kt_str_eq_cstr(f[0], "echo")) {
		d->h[hi].echo = true;
	} else if (kt_str_eq_cstr(f[0], "fragment")) {
		d->h[hi].fragment = true;
		if (n >= 3 && !d->h[hi].frag_needs)
			rc = compile_field(ctx, f[2], &d->h[hi].frag_needs);
	} else if (kt_str_eq_cstr(f[0], "needbody")) {
		d->h[hi].needbody = true;
	} else if (kt_str_eq_cstr(f[0], "veto") && n >= 3) {
		struct header *h = &d->h[hi];
		struct kt_rx *rx;
		if ((rc = compile_field(ctx, f[2], &rx)) == 0) {
			h->vetoes = kt_realloc(h->vetoes, (h->n_vetoes + 1) * sizeof(*h->vetoes));
			h->vetoes[h->n_vetoes++] = rx;
		}
	} else {
		rc = kt_error(ctx, KT_EFORMAT, "parse/headers.txt:%zu: bad directive", no);
	}
	free(id);
	return rc;
}

/* How unusual a byte is in kernel logs: spaces, hex digits and common
 * lower-case letters are everywhere; capitals and punctuation are not. */
static int
rarity(unsigned char c)
{
	if (c == ' ')
		return 0;
	if (kt_is_xdigit((char)c) && !(c >= 'A' && c <= 'F'))
		return 1;
	if (strchr("etaoinshrlu", c))
		return 1;
	if (c >= 'a' && c <= 'z')
		return 2;
	if (strchr("[]-_./=<>", c))
		return 2;
	return 3;
}

static int
anchor_cmp(const void *a, const void *b)
{
	const struct anchor *x = a, *y = b;
	if (x->pair != y->pair)
		return x->pair < y->pair ? -1 : 1;
	return x->header < y->header ? -1 : x->header > y->header;
}

/* Index every keyword by its rarest byte pair (the first of equals). */
static void
build_prefilter(struct kt_detect *d)
{
	d->anchors = kt_calloc(d->n_h + 1, sizeof(*d->anchors));
	d->short_kw = kt_calloc(d->n_h + 1, sizeof(*d->short_kw));
	for (size_t i = 0; i < d->n_h; i++) {
		const unsigned char *kw = (const unsigned char *)d->h[i].keyword;
		size_t len = d->h[i].kwlen, best = 0;
		int best_score = -1;
		if (len < 2) {
			d->short_kw[d->n_short++] = (uint16_t)i;
			continue;
		}
		for (size_t k = 0; k + 1 < len && k < UINT16_MAX; k++) {
			int sc = rarity(kw[k]) + rarity(kw[k + 1]);
			if (sc > best_score) {
				best_score = sc;
				best = k;
			}
		}
		struct anchor *a = &d->anchors[d->n_anchors++];
		a->pair = (uint16_t)(kw[best] << 8 | kw[best + 1]);
		a->off = (uint16_t)best;
		a->header = (uint16_t)i;
		d->pairs[a->pair >> 3] |= (uint8_t)(1u << (a->pair & 7));
	}
	qsort(d->anchors, d->n_anchors, sizeof(*d->anchors), anchor_cmp);
}

/* data/parse/benign.txt: "REGEX | SOURCE"; the source is mandatory. */
static int
load_benign(struct kt_ctx *ctx, struct kt_detect *d)
{
	struct kt_data_blob blob;
	int rc = kt_data_read(ctx, "parse/benign.txt", &blob);
	if (rc)
		return rc;
	size_t pos = 0, no = 0;
	struct kt_str line, f[2];
	while (rc == 0 && kt_table_next_line(blob.data, blob.len, &pos, &line)) {
		size_t n = kt_table_fields(line, f, 2);
		struct kt_rx *rx;
		no++;
		if (!n)
			continue;
		if (n != 2 || !f[1].len) {
			rc = kt_error(ctx, KT_EFORMAT, "parse/benign.txt:%zu: want REGEX | SOURCE", no);
			break;
		}
		if ((rc = compile_field(ctx, f[0], &rx)) != 0)
			break;
		d->benign = kt_realloc(d->benign, (d->n_benign + 1) * sizeof(*d->benign));
		d->benign[d->n_benign++] = rx;
	}
	kt_data_blob_deinit(&blob);
	return rc;
}

int
kt_detect_new(struct kt_ctx *ctx, struct kt_detect **ret)
{
	struct kt_data_blob blob;
	int rc = kt_data_read(ctx, "parse/headers.txt", &blob);
	if (rc)
		return rc;
	struct kt_detect *d = kt_calloc(1, sizeof(*d));
	size_t pos = 0, no = 0;
	struct kt_str line;
	while (kt_table_next_line(blob.data, blob.len, &pos, &line))
		if ((rc = load_line(ctx, d, line, ++no)) != 0)
			break;
	kt_data_blob_deinit(&blob);
	if (rc == 0)
		rc = load_benign(ctx, d);
	if (rc) {
		kt_detect_free(d);
		return rc;
	}
	if (d->n_h > MAX_HEADERS) {
		kt_detect_free(d);
		return kt_error(ctx, KT_EFORMAT, "parse/headers.txt: more than %d headers",
				MAX_HEADERS);
	}
	for (size_t i = 0; i < d->n_h; i++)
		if (!d->h[i].kwlen) {
			kt_detect_free(d);
			return kt_error(ctx, KT_EFORMAT, "parse/headers.txt: empty keyword");
		}
	d->keywords = kt_calloc(d->n_h + 1, sizeof(*d->keywords));
	for (size_t i = 0; i < d->n_h; i++)
		d->keywords[i] = d->h[i].keyword;
	build_prefilter(d);
	*ret = d;
	return 0;
}

void
kt_detect_free(struct kt_detect *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n_h; i++) {
		for (size_t j = 0; j < d->h[i].n_vetoes; j++)
			kt_rx_free(d->h[i].vetoes[j]);
		free(d->h[i].vetoes);
		kt_rx_free(d->h[i].frag_needs);
		free(d->h[i].id);
		free(d->h[i].keyword);
	}
	for (size_t i = 0; i < d->n_kinds; i++)
		kt_rx_free(d->kinds[i].rx);
	free(d->kinds);
	for (size_t i = 0; i < d->n_benign; i++)
		kt_rx_free(d->benign[i]);
	free(d->benign);
	free(d->keywords);
	free(d->anchors);
	free(d->short_kw);
	free(d->h);
	free(d);
}

enum kt_kind
kt_detect_kind(const struct kt_detect *d, struct kt_str text)
{
	for (size_t i = 0; i < d->n_kinds; i++)
		if (kt_rx_match(d->kinds[i].rx, text, 0, NULL, 0))
			return d->kinds[i].kind;
	return KT_KIND_OTHER;
}

/* The headers whose keyword occurs in text (and may: xen, start), as a
 * bit set, with the leftmost position of each. Returns false if none. */
static bool
find_keywords(const struct kt_detect *d, struct kt_str text, bool xen,
	      uint64_t found[MAX_HEADERS / 64], uint32_t at[MAX_HEADERS])
{
	const unsigned char *t = (const unsigned char *)text.p;
	bool any = false;
	memset(found, 0, MAX_HEADERS / 8);
	for (size_t i = 0; i + 1 < text.len; i++) {
		unsigned pair = (unsigned)t[i] << 8 | t[i + 1];
		if (!(d->pairs[pair >> 3] & (1u << (pair & 7))))
			continue;
		size_t lo = 0, hi = d->n_anchors;
		while (lo < hi) {	/* first anchor of this pair */
			size_t mid = lo + (hi - lo) / 2;
			if (d->anchors[mid].pair < pair)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t k = lo; k < d->n_anchors && d->anchors[k].pair == pair; k++) {
			const struct anchor *a = &d->anchors[k];
			const struct header *h = &d->h[a->header];
			if (a->off > i || h->xen_only != xen ||
			    (found[a->header / 64] >> (a->header % 64) & 1))
				continue;
			size_t p = i - a->off;
			if ((h->at_start && p) || p + h->kwlen > text.len ||
			    memcmp(t + p, h->keyword, h->kwlen))
				continue;
			found[a->header / 64] |= 1ull << (a->header % 64);
			at[a->header] = (uint32_t)p;
			any = true;
		}
	}
	for (size_t k = 0; k < d->n_short; k++) {
		const struct header *h = &d->h[d->short_kw[k]];
		const char *p = memchr(text.p, h->keyword[0], h->at_start ? 1 : text.len);
		if (h->xen_only != xen || !p)
			continue;
		found[d->short_kw[k] / 64] |= 1ull << (d->short_kw[k] % 64);
		at[d->short_kw[k]] = (uint32_t)(p - text.p);
		any = true;
	}
	return any;
}

bool
kt_detect_line(const struct kt_detect *d, struct kt_str text, bool xen, struct kt_detect_hit *ret)
{
	uint64_t found[MAX_HEADERS / 64];
	uint32_t pos[MAX_HEADERS];

	if (!text.len || text.len > UINT32_MAX || !find_keywords(d, text, xen, found, pos))
		return false;
	for (size_t i = 0; i < d->n_benign; i++)
		if (kt_rx_match(d->benign[i], text, 0, NULL, 0))
			return false;
	for (size_t i = 0; i < d->n_h; i++) {
		const struct header *h = &d->h[i];
		if (!(found[i / 64] >> (i % 64) & 1))
			continue;
		long at = (long)pos[i];
		bool vetoed = false;
		for (size_t j = 0; j < h->n_vetoes && !vetoed; j++)
			vetoed = kt_rx_match(h->vetoes[j], text, 0, NULL, 0);
		if (vetoed)
			continue;
		ret->header = (int)i;
		ret->kind = kt_detect_kind(d, text);
		ret->inside = h->inside;
		ret->standalone = h->standalone;
		ret->echo = h->echo;
		ret->fragment = h->fragment;
		ret->frag_needs = h->frag_needs != NULL;
		ret->needbody = h->needbody;
		ret->pos = (size_t)at;
		return true;
	}
	return false;
}

bool
kt_detect_fragment_line(const struct kt_detect *d, int header, struct kt_str text)
{
	if (header < 0 || (size_t)header >= d->n_h || !d->h[header].frag_needs)
		return true;
	return kt_rx_match(d->h[header].frag_needs, text, 0, NULL, 0);
}

size_t
kt_detect_keywords(const struct kt_detect *d, const char *const **ret)
{
	*ret = d->keywords;
	return d->n_h;
}

const char *
kt_detect_header_id(const struct kt_detect *d, int i)
{
	return i >= 0 && (size_t)i < d->n_h ? d->h[i].id : "";
}
