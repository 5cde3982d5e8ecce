/*
 * sign/nameset: a list of name patterns answered mostly without regexes
 * (see nameset.h). A pattern made only of literal characters, optionally
 * "^" first and "$" last, and "|" between such pieces, is split into
 * literals: exact names (sorted, binary search), prefixes (sorted, with each
 * entry's longest shorter prefix, so one binary search and a short walk
 * decide), suffixes (a loop; there are few) and substrings (indexed by their
 * first byte pair). Anything else is kept for one PCRE2 alternation.
 */
#include "sign/nameset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse/detect.h"
#include "util/mem.h"

struct lit {
	char *s;
	size_t len;
	int parent;		/* prefixes: longest shorter prefix in the set, or -1 */
};

struct litvec {
	struct lit *v;
	size_t n, cap;
};

struct kt_nameset {
	size_t n_patterns;
	struct litvec exact, prefix, suffix, sub;
	uint8_t subpairs[65536 / 8];	/* first byte pairs of the substrings */
	struct kt_buf rest;		/* the other patterns, as an alternation */
	struct kt_rx *rx;		/* compiled `rest`, or NULL */
};

struct kt_nameset *
kt_nameset_new(void)
{
	struct kt_nameset *ns = kt_calloc(1, sizeof(*ns));
	kt_buf_init(&ns->rest);
	return ns;
}

static void
litvec_free(struct litvec *lv)
{
	for (size_t i = 0; i < lv->n; i++)
		free(lv->v[i].s);
	free(lv->v);
}

void
kt_nameset_free(struct kt_nameset *ns)
{
	if (!ns)
		return;
	litvec_free(&ns->exact);
	litvec_free(&ns->prefix);
	litvec_free(&ns->suffix);
	litvec_free(&ns->sub);
	kt_buf_deinit(&ns->rest);
	kt_rx_free(ns->rx);
	free(ns);
}

static void
litvec_push(struct litvec *lv, struct kt_str s)
{
	if (lv->n == lv->cap) {
		lv->cap = lv->cap ? 2 * lv->cap : 16;
		lv->v = kt_realloc(lv->v, lv->cap * sizeof(*lv->v));
	}
	lv->v[lv->n].s = kt_strndup(s.p, s.len);
	lv->v[lv->n].len = s.len;
	lv->v[lv->n].parent = -1;
	lv->n++;
}

/* Characters that stand for themselves in a PCRE2 pattern without flags. */
static bool
literal_char(char c)
{
	return kt_is_ident(c) || c == ':' || c == '-' || c == ' ' || c == '@' || c == '<' ||
	       c == '>' || c == ',' || c == '/' || c == '=' || c == '%' || c == '!' ||
	       c == '"' || c == '\'' || c == '&' || c == '~' || c == '`' || c == ';';
}

/* Classify one piece "^lit$" / "^lit" / "lit$" / "lit"; false if it is not
 * one of those. */
static bool
add_piece(struct kt_nameset *ns, struct kt_str p, bool dry)
{
	bool start = p.len && p.p[0] == '^';
	if (start)
		p = kt_str_skip(p, 1);
	bool end = p.len && p.p[p.len - 1] == '$';
	if (end)
		p.len--;
	if (!p.len)
		return false;
	for (size_t i = 0; i < p.len; i++)
		if (!literal_char(p.p[i]))
			return false;
	if (dry)
		return true;
	if (start && end)
		litvec_push(&ns->exact, p);
	else if (start)
		litvec_push(&ns->prefix, p);
	else if (end)
		litvec_push(&ns->suffix, p);
	else
		litvec_push(&ns->sub, p);
	return true;
}

/* Split a top-level alternation of literal pieces; false (nothing added)
 * if any piece is not a literal. */
static bool
add_literals(struct kt_nameset *ns, struct kt_str pattern)
{
	for (int dry = 1; dry >= 0; dry--) {
		struct kt_str rest = pattern;
		for (;;) {
			long bar = kt_str_chr(rest, '|');
			struct kt_str piece = bar < 0 ? rest : kt_str_sub(rest, 0, (size_t)bar);
			if (!add_piece(ns, piece, dry))
				return false;
			if (bar < 0)
				break;
			rest = kt_str_skip(rest, (size_t)bar + 1);
		}
	}
	return true;
}

void
kt_nameset_add(struct kt_nameset *ns, struct kt_str pattern)
{
	ns->n_patterns++;
	if (add_literals(ns, pattern))
		return;
	if (ns->rest.len)
		kt_buf_addc(&ns->rest, '|');
	kt_buf_adds(&ns->rest, "(?:");
	kt_buf_add(&ns->rest, pattern.p, pattern.len);
	kt_buf_adds(&ns->rest, ")");
}

static int
lit_cmp(const void *a, const void *b)
{
	const struct lit *x = a, *y = b;
	return strcmp(x->s, y->s);
}

static uint16_t
pair_of(const char *s)
{
	return (uint16_t)((unsigned char)s[0] << 8 | (unsigned char)s[1]);
}

static int
pair_cmp(const void *a, const void *b)
{
	const struct lit *x = a, *y = b;
	int px = x->len >= 2 ? pair_of(x->s) : -1, py = y->len >= 2 ? pair_of(y->s) : -1;
	return px < py ? -1 : px > py;
}

int
kt_nameset_build(struct kt_ctx *ctx, struct kt_nameset *ns)
{
	if (ns->exact.n)
		qsort(ns->exact.v, ns->exact.n, sizeof(struct lit), lit_cmp);
	if (ns->prefix.n)
		qsort(ns->prefix.v, ns->prefix.n, sizeof(struct lit), lit_cmp);
	/* parent links: a stack of the entries that prefix the current one */
	int *stack = kt_calloc(ns->prefix.n + 1, sizeof(int));
	size_t top = 0;
	for (size_t i = 0; i < ns->prefix.n; i++) {
		struct lit *l = &ns->prefix.v[i];
		while (top && strncmp(l->s, ns->prefix.v[stack[top - 1]].s,
				      ns->prefix.v[stack[top - 1]].len))
			top--;
		l->parent = top ? stack[top - 1] : -1;
		stack[top++] = (int)i;
	}
	free(stack);
	if (ns->sub.n)
		qsort(ns->sub.v, ns->sub.n, sizeof(struct lit), pair_cmp);
	for (size_t i = 0; i < ns->sub.n; i++)
		if (ns->sub.v[i].len >= 2) {
			uint16_t p = pair_of(ns->sub.v[i].s);
			ns->subpairs[p >> 3] |= (uint8_t)(1u << (p & 7));
		}
	kt_rx_free(ns->rx);
	ns->rx = NULL;
	if (ns->rest.len)
		return kt_rx_new(ctx, ns->rest.p, 0, &ns->rx);
	return 0;
}

static bool
match_exact(const struct litvec *lv, const char *name)
{
	size_t lo = 0, hi = lv->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(lv->v[mid].s, name);
		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Every prefix P of name satisfies P <= Q <= name for Q the last entry
 * <= name, so P is a prefix of Q too: it is on Q's parent chain. */
static bool
match_prefix(const struct litvec *lv, const char *name)
{
	size_t lo = 0, hi = lv->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(lv->v[mid].s, name) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (int e = (int)lo - 1; e >= 0; e = lv->v[e].parent)
		if (!strncmp(name, lv->v[e].s, lv->v[e].len))
			return true;
	return false;
}

static bool
match_suffix(const struct litvec *lv, const char *name, size_t len)
{
	for (size_t i = 0; i < lv->n; i++)
		if (lv->v[i].len <= len && !memcmp(name + len - lv->v[i].len, lv->v[i].s, lv->v[i].len))
			return true;
	return false;
}

static bool
match_sub(const struct kt_nameset *ns, const char *name, size_t len)
{
	const struct litvec *lv = &ns->sub;
	size_t first2 = 0;
	/* one-byte substrings sort first (pair -1) */
	while (first2 < lv->n && lv->v[first2].len < 2) {
		if (memchr(name, lv->v[first2].s[0], len))
			return true;
		first2++;
	}
	for (size_t i = 0; i + 1 < len; i++) {
		uint16_t p = pair_of(name + i);
		if (!(ns->subpairs[p >> 3] & (1u << (p & 7))))
			continue;
		size_t lo = first2, hi = lv->n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (pair_of(lv->v[mid].s) < p)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t k = lo; k < lv->n && pair_of(lv->v[k].s) == p; k++)
			if (lv->v[k].len <= len - i && !memcmp(name + i, lv->v[k].s, lv->v[k].len))
				return true;
	}
	return false;
}

bool
kt_nameset_match(const struct kt_nameset *ns, const char *name)
{
	size_t len = strlen(name);
	if (match_exact(&ns->exact, name) || match_prefix(&ns->prefix, name) ||
	    match_suffix(&ns->suffix, name, len) || match_sub(ns, name, len))
		return true;
	return ns->rx && kt_rx_match(ns->rx, kt_str_make(name, len), 0, NULL, 0);
}

size_t
kt_nameset_count(const struct kt_nameset *ns)
{
	return ns->n_patterns;
}
