/*
 * util/prefilter: which literals every match of a rule regex contains
 * (see prefilter.h). A small recursive-descent reading of the pattern:
 * a sequence requires each of its mandatory parts, so it picks the most
 * selective one (the longest literal run, or a group's set); an
 * alternation requires one of its branches, so it is the union of the
 * branches' sets, and only usable when every branch has one.
 */
#include "util/prefilter.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/mem.h"
#include "util/str.h"

#define MAX_DEPTH	32
#define MAX_RUN		128

struct set {
	struct kt_lit v[KT_PREFILTER_MAX_LITS];
	size_t n;
	bool ok;
};

struct px {
	const char *p, *end;
	struct kt_arena *a;
	int depth;
	bool fail;		/* syntax outside the understood subset */
};

/* How selective a set is: its shortest literal (0 = unusable). */
static size_t
score(const struct set *s)
{
	size_t min = SIZE_MAX;

	if (!s->ok || s->n == 0)
		return 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].len < min)
			min = s->v[i].len;
	return min >= KT_PREFILTER_MIN_LEN ? min : 0;
}

static void
consider(struct set *best, const struct set *cand)
{
	size_t sc = score(cand), sb = score(best);

	if (sc > sb || (sc && sc == sb && cand->n < best->n))
		*best = *cand;
}

static void
flush(struct px *x, struct set *best, char *run, size_t *rl)
{
	struct set one = { .n = 1, .ok = true };

	if (*rl == 0)
		return;
	one.v[0].s = kt_arena_strndup(x->a, run, *rl);
	one.v[0].len = *rl;
	consider(best, &one);
	*rl = 0;
}

/* A quantifier after an atom: its minimum count, or -1 when there is none.
 * Consumes it and a lazy '?' or possessive '+' suffix. */
static long
quantifier(struct px *x)
{
	long min;

	if (x->p >= x->end)
		return -1;
	switch (*x->p) {
	case '*': min = 0; x->p++; break;
	case '?': min = 0; x->p++; break;
	case '+': min = 1; x->p++; break;
	case '{':
		x->p++;
		if (x->p >= x->end || !kt_is_digit(*x->p)) {
			x->fail = true;
			return -1;
		}
		min = 0;
		while (x->p < x->end && kt_is_digit(*x->p)) {
			if (min < 100000)
				min = min * 10 + (*x->p - '0');
			x->p++;
		}
		if (x->p < x->end && *x->p == ',')
			for (x->p++; x->p < x->end && kt_is_digit(*x->p); x->p++)
				;
		if (x->p >= x->end || *x->p != '}') {
			x->fail = true;
			return -1;
		}
		x->p++;
		break;
	default:
		return -1;
	}
	if (x->p < x->end && (*x->p == '?' || *x->p == '+'))
		x->p++;
	return min;
}

/* Skip a character class "[...]" (x->p at '['). */
static void
skip_class(struct px *x)
{
	x->p++;
	if (x->p < x->end && *x->p == '^')
		x->p++;
	if (x->p < x->end && *x->p == ']')
		x->p++;
	while (x->p < x->end) {
		char c = *x->p;

		if (c == '\\') {
			x->p += 2;
		} else if (c == '[' && x->p + 1 < x->end &&
			   (x->p[1] == ':' || x->p[1] == '.' || x->p[1] == '=')) {
			break;	/* POSIX class: not understood */
		} else if (c == ']') {
			x->p++;
			return;
		} else {
			x->p++;
		}
	}
	x->fail = true;
}

static void parse_alt(struct px *x, struct set *ret);

/* A sequence of atoms, up to '|', ')' or the end. */
static void
parse_seq(struct px *x, struct set *ret)
{
	/* Escapes that stand for a character type or an assertion, with no
	 * argument; other letters and digits take arguments or are references. */
	static const char type_escapes[] = "dDsSwWbBhHvVRNAzZGtnrfe";
	struct set best = { .ok = false };
	char run[MAX_RUN];
	size_t rl = 0;

	while (x->p < x->end && !x->fail) {
		char c = *x->p, lit = 0;
		enum { LIT, OTHER, GROUP } kind;
		struct set g = { .ok = false };
		bool look = false;
		long q;

		if (c == '|' || c == ')')
			break;
		if ((unsigned char)c >= 0x80) {
			x->fail = true;	/* multi-byte characters: a quantifier
					 * would apply to the whole character */
			break;
		}
		if (c == '\\') {
			char e = x->p + 1 < x->end ? x->p[1] : '\0';

			if (e == '\0' || ((unsigned char)e >= 0x80)) {
				x->fail = true;
				break;
			}
			if (kt_is_digit(e) || kt_is_alpha(e)) {
				if (!strchr(type_escapes, e)) {
					x->fail = true;
					break;
				}
				kind = OTHER;
			} else {
				kind = LIT;
				lit = e;
			}
			x->p += 2;
		} else if (c == '[') {
			skip_class(x);
			kind = OTHER;
		} else if (c == '(') {
			x->p++;
			if (x->p < x->end && *x->p == '?') {
				char k = x->p + 1 < x->end ? x->p[1] : '\0';
				char k2 = x->p + 2 < x->end ? x->p[2] : '\0';

				if (k == ':' || k == '|') {
					x->p += 2;	/* a branch reset only renumbers groups */
				} else if (k == '=' || k == '!') {
					x->p += 2;
					look = true;
				} else if (k == '<' && (k2 == '=' || k2 == '!')) {
					x->p += 3;
					look = true;
				} else {
					x->fail = true;	/* options, names */
					break;
				}
			}
			if (++x->depth > MAX_DEPTH) {
				x->fail = true;
				break;
			}
			parse_alt(x, &g);
			x->depth--;
			if (x->fail || x->p >= x->end || *x->p != ')') {
				x->fail = true;
				break;
			}
			x->p++;
			kind = look ? OTHER : GROUP;	/* a lookaround matches no text:
							 * it requires nothing here */
		} else if (c == '.' || c == '^' || c == '$') {
			x->p++;
			kind = OTHER;
		} else if (c == '*' || c == '+' || c == '?' || c == '{' || c == ']' || c == '}') {
			x->fail = true;
			break;
		} else {
			kind = LIT;
			lit = c;
			x->p++;
		}
		if (x->fail)
			break;
		q = quantifier(x);
		if (x->fail)
			break;
		switch (kind) {
		case LIT:
			if (q == 0) {
				flush(x, &best, run, &rl);
				break;
			}
			if (rl == MAX_RUN)
				flush(x, &best, run, &rl);
			run[rl++] = lit;
			if (q > 0)	/* repeated: what follows is not adjacent */
				flush(x, &best, run, &rl);
			break;
		case OTHER:
			flush(x, &best, run, &rl);
			break;
		case GROUP:
			flush(x, &best, run, &rl);
			if (q != 0)
				consider(&best, &g);
			break;
		}
	}
	flush(x, &best, run, &rl);
	*ret = best;
}

/* Branches separated by '|', up to ')' or the end. */
static void
parse_alt(struct px *x, struct set *ret)
{
	struct set acc = { .ok = true };

	for (;;) {
		struct set b;

		parse_seq(x, &b);
		if (x->fail)
			break;
		if (!score(&b) || acc.n + b.n > KT_PREFILTER_MAX_LITS) {
			acc.ok = false;
		} else if (acc.ok) {
			memcpy(&acc.v[acc.n], b.v, b.n * sizeof(b.v[0]));
			acc.n += b.n;
		}
		if (x->p < x->end && *x->p == '|') {
			x->p++;
			continue;
		}
		break;
	}
	acc.ok = acc.ok && acc.n > 0 && !x->fail;
	*ret = acc;
}

size_t
kt_prefilter_literals(const char *pattern, struct kt_arena *a, struct kt_lit **ret)
{
	struct px x = { .p = pattern, .end = pattern + strlen(pattern), .a = a };
	struct set s;

	*ret = NULL;
	parse_alt(&x, &s);
	if (x.fail || x.p != x.end || !score(&s))
		return 0;
	*ret = kt_arena_alloc(a, s.n * sizeof(**ret));
	memcpy(*ret, s.v, s.n * sizeof(**ret));
	return s.n;
}

bool
kt_prefilter_pass(const struct kt_lit *lits, size_t n, const char *text, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (kt_memmem(text, len, lits[i].s, lits[i].len))
			return true;
	return false;
}

/* ---- literal sets --------------------------------------------------------- */

struct kt_litset {
	struct lit {
		char *s;
		size_t len;
		size_t next;	/* next literal with the same first two bytes, or SIZE_MAX */
	} *v;
	size_t n, cap;
	/* Per bigram: 1 + the first literal starting with it, 0 for none.
	 * Zeroed lazily by calloc: only the pages of used bigrams are touched. */
	uint32_t *head;
	uint64_t has[65536 / 64];	/* per bigram: any literal */
};

#define BIGRAM(a, b) (((size_t)(unsigned char)(a) << 8) | (unsigned char)(b))

struct kt_litset *
kt_litset_new(void)
{
	struct kt_litset *s = kt_calloc(1, sizeof(*s));

	s->head = kt_calloc(65536, sizeof(*s->head));
	return s;
}

void
kt_litset_free(struct kt_litset *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].s);
	free(s->v);
	free(s->head);
	free(s);
}

size_t
kt_litset_add(struct kt_litset *s, const char *lit, size_t len)
{
	size_t bg;

	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].len == len && memcmp(s->v[i].s, lit, len) == 0)
			return i;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 32;
		s->v = kt_realloc(s->v, s->cap * sizeof(*s->v));
	}
	bg = BIGRAM(lit[0], len > 1 ? lit[1] : 0);
	s->v[s->n] = (struct lit){ kt_strndup(lit, len), len,
				   s->head[bg] ? s->head[bg] - 1 : SIZE_MAX };
	s->head[bg] = (uint32_t)s->n + 1;
	s->has[bg / 64] |= UINT64_C(1) << (bg % 64);
	return s->n++;
}

size_t
kt_litset_count(const struct kt_litset *s)
{
	return s->n;
}

void
kt_litset_scan(const struct kt_litset *s, const char *text, size_t len, bool *present)
{
	memset(present, 0, s->n * sizeof(*present));
	for (size_t i = 0; i + 1 < len; i++) {
		size_t bg = BIGRAM(text[i], text[i + 1]);

		if (!(s->has[bg / 64] >> (bg % 64) & 1))
			continue;
		for (size_t k = s->head[bg] - 1; k != SIZE_MAX; k = s->v[k].next)
			if (!present[k] && s->v[k].len <= len - i &&
			    memcmp(text + i + 2, s->v[k].s + 2, s->v[k].len - 2) == 0)
				present[k] = true;
	}
}
