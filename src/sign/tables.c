/*
 * sign/tables: load and compile the sign tables from data/sign/
 * (formats.txt, skip.txt, wrappers.txt, extract.txt, types.txt,
 * normalize.txt). Every regex is compiled (and JIT-compiled) once here.
 * Consumes data files; produces struct kt_signer (signer.h). No titling.
 */
#include <stdlib.h>
#include <string.h>

#include "sign/signer.h"
#include "util/ctx.h"
#include "util/data.h"
#include "util/mem.h"
#include "util/str.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

struct define {
	char *name;
	char *pattern;
	struct kt_rx *rx;	/* compiled once when a stack step uses it */
};

struct loader {
	struct kt_ctx *ctx;
	struct kt_signer *s;
	const char *file;
	size_t no;
	struct define *defs;
	size_t n_defs;
	struct sign_format *cur;
	struct kt_nameset *target;	/* where alt_line() adds patterns */
};

static char *
dup_str(struct kt_str s)
{
	return kt_strndup(s.p, s.len);
}

/* Expand {{NAME}} references to defines. Caller owns the result. */
static char *
expand(struct loader *L, struct kt_str pat)
{
	struct kt_buf b;
	kt_buf_init(&b);
	size_t i = 0;
	while (i < pat.len) {
		struct kt_str rest = kt_str_skip(pat, i);
		long open = kt_str_find(rest, "{{");
		long close = open >= 0 ? kt_str_find(kt_str_skip(rest, (size_t)open), "}}") : -1;
		if (open < 0 || close < 0) {
			kt_buf_add(&b, rest.p, rest.len);
			break;
		}
		kt_buf_add(&b, rest.p, (size_t)open);
		struct kt_str name = kt_str_sub(rest, (size_t)open + 2, (size_t)close - 2);
		bool found = false;
		for (size_t d = 0; d < L->n_defs && !found; d++)
			if (kt_str_eq_cstr(name, L->defs[d].name)) {
				kt_buf_adds(&b, L->defs[d].pattern);
				found = true;
			}
		if (!found)
			kt_buf_add(&b, rest.p + open, (size_t)close + 2);
		i += (size_t)open + (size_t)close + 2;
	}
	if (!b.p)
		kt_buf_adds(&b, "");
	return b.p;
}

static const char *
find_def(struct loader *L, const char *name)
{
	for (size_t d = 0; d < L->n_defs; d++)
		if (!strcmp(L->defs[d].name, name))
			return L->defs[d].pattern;
	return NULL;
}

static int
compile(struct loader *L, struct kt_str pat, unsigned flags, struct kt_rx **ret)
{
	char *p = expand(L, pat);
	int rc = kt_rx_new(L->ctx, p, flags, ret);
	free(p);
	if (rc)
		return kt_error(L->ctx, rc, "%s:%zu: %s", L->file, L->no, kt_ctx_errmsg(L->ctx));
	return 0;
}

static int
bad(struct loader *L, const char *what)
{
	return kt_error(L->ctx, KT_EFORMAT, "%s:%zu: %s", L->file, L->no, what);
}

static int
parse_recipe(struct loader *L, struct kt_str steps, struct sign_recipe *ret)
{
	while (steps.len) {
		steps = kt_str_ltrim(steps);
		long sp = kt_str_chr(steps, ' ');
		struct kt_str tok = sp < 0 ? steps : kt_str_sub(steps, 0, (size_t)sp);
		steps = sp < 0 ? kt_str_make(steps.p + steps.len, 0) : kt_str_skip(steps, (size_t)sp);
		if (!tok.len)
			continue;
		ret->v = kt_realloc(ret->v, (ret->n + 1) * sizeof(*ret->v));
		struct sign_step *st = &ret->v[ret->n++];
		memset(st, 0, sizeof(*st));
		if (kt_str_eq_cstr(tok, "*")) {
			st->kind = STEP_PARSE;
			continue;
		}
		st->required = tok.p[0] == '!';
		st->optional = tok.p[0] == '?';
		if (st->required || st->optional)
			tok = kt_str_skip(tok, 1);
		struct define *d = NULL;
		for (size_t i = 0; i < L->n_defs && !d; i++)
			if (kt_str_eq_cstr(tok, L->defs[i].name))
				d = &L->defs[i];
		if (!d)
			return bad(L, "unknown stack step");
		st->kind = STEP_FIND;
		/* steps share one compiled regex per define (kt_signer.step_rx) */
		if (!d->rx) {
			int rc = compile(L, kt_str_cstr(d->pattern), PCRE2_MULTILINE, &d->rx);
			if (rc)
				return rc;
		}
		st->rx = d->rx;
		st->has_group = kt_rx_groups(st->rx) > 0;
	}
	return 0;
}

static int
finish_skip(struct loader *L)
{
	if (L->cur && L->cur->skip)
		return kt_nameset_build(L->ctx, L->cur->skip);
	return 0;
}

static int
start_format(struct loader *L, struct kt_str heads, struct kt_str title)
{
	int rc = finish_skip(L);
	if (rc)
		return rc;
	struct kt_signer *s = L->s;
	s->f = kt_realloc(s->f, (s->n_f + 1) * sizeof(*s->f));
	struct sign_format *f = &s->f[s->n_f++];
	memset(f, 0, sizeof(*f));
	L->cur = f;
	f->headers = kt_calloc(s->n_headers + 1, sizeof(bool));
	while (heads.len) {
		long c = kt_str_chr(heads, ',');
		struct kt_str h = kt_str_trim(c < 0 ? heads : kt_str_sub(heads, 0, (size_t)c));
		heads = c < 0 ? kt_str_make(heads.p + heads.len, 0) : kt_str_skip(heads, (size_t)c + 1);
		char *id = dup_str(h);
		int hi = kt_detect_header_find(s->det, id);
		free(id);
		if (hi < 0)
			return bad(L, "unknown header id");
		f->headers[hi] = true;
	}
	return compile(L, title, PCRE2_MULTILINE, &f->title);
}

static int
format_line(struct loader *L, struct kt_str *fl, size_t n)
{
	struct kt_str d = fl[0];
	if (kt_str_eq_cstr(d, "define") && n == 3) {
		L->defs = kt_realloc(L->defs, (L->n_defs + 1) * sizeof(*L->defs));
		L->defs[L->n_defs].name = dup_str(fl[1]);
		L->defs[L->n_defs].pattern = expand(L, fl[2]);
		L->defs[L->n_defs].rx = NULL;
		L->n_defs++;
		return 0;
	}
	if (kt_str_eq_cstr(d, "format") && n == 3)
		return start_format(L, fl[1], fl[2]);
	struct sign_format *f = L->cur;
	if (!f || n != 2)
		return bad(L, "directive outside a format or wrong field count");
	if (kt_str_eq_cstr(d, "fmt"))
		f->fmt = dup_str(fl[1]);
	else if (kt_str_eq_cstr(d, "report"))
		return compile(L, fl[1], PCRE2_MULTILINE, &f->report);
	else if (kt_str_eq_cstr(d, "alt")) {
		f->alts = kt_realloc(f->alts, (f->n_alts + 1) * sizeof(*f->alts));
		f->alts[f->n_alts++] = dup_str(fl[1]);
	} else if (kt_str_eq_cstr(d, "stack"))
		return parse_recipe(L, fl[1], &f->stack);
	else if (kt_str_eq_cstr(d, "stack2"))
		return parse_recipe(L, fl[1], &f->stack2);
	else if (kt_str_eq_cstr(d, "skip")) {
		if (!f->skip)
			f->skip = kt_nameset_new();
		kt_nameset_add(f->skip, fl[1]);
	} else if (kt_str_eq_cstr(d, "flags")) {
		f->corrupted = kt_str_find(fl[1], "corrupted") >= 0;
		f->nostack = kt_str_find(fl[1], "nostack") >= 0;
		f->stall = kt_str_find(fl[1], "stall") >= 0;
		f->hang = kt_str_find(fl[1], "hang") >= 0;
		f->fallback = kt_str_find(fl[1], "fallback") >= 0;
		f->rawframe = kt_str_find(fl[1], "rawframe") >= 0;
		f->topframe = kt_str_find(fl[1], "topframe") >= 0;
	} else
		return bad(L, "unknown directive");
	return 0;
}

typedef int (*line_fn)(struct loader *L, struct kt_str *f, size_t n);

static int
load_file(struct loader *L, const char *path, size_t max_fields, line_fn fn)
{
	struct kt_data_blob blob;
	int rc = kt_data_read(L->ctx, path, &blob);
	if (rc)
		return rc;
	L->file = path;
	L->no = 0;
	size_t pos = 0;
	struct kt_str line, f[4];
	while (rc == 0 && kt_table_next_line(blob.data, blob.len, &pos, &line)) {
		L->no++;
		size_t n = kt_table_fields(line, f, max_fields);
		if (n)
			rc = fn(L, f, n);
	}
	kt_data_blob_deinit(&blob);
	return rc;
}

/* A list of name patterns, one per line (see nameset.h). */
static int
alt_line(struct loader *L, struct kt_str *f, size_t n)
{
	kt_nameset_add(L->target, f[0]);
	return 0;
}

static int
wrapper_line(struct loader *L, struct kt_str *f, size_t n)
{
	struct kt_signer *s = L->s;
	s->wrappers = kt_realloc(s->wrappers, (s->n_wrappers + 1) * sizeof(char *));
	s->wrappers[s->n_wrappers++] = dup_str(f[0]);
	return 0;
}

static int
push_sub(struct loader *L, struct sign_sub **v, size_t *n, struct kt_str rx, struct kt_str with)
{
	struct kt_rx *c;
	int rc = compile(L, rx, 0, &c);
	if (rc)
		return rc;
	*v = kt_realloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n].rx = c;
	(*v)[*n].with = dup_str(with);
	(*n)++;
	return 0;
}

static int
extract_line(struct loader *L, struct kt_str *f, size_t n)
{
	struct kt_signer *s = L->s;
	if (kt_str_eq_cstr(f[0], "anchor") && n == 2) {
		kt_nameset_add(s->anchors, f[1]);
		return 0;
	}
	if (kt_str_eq_cstr(f[0], "hangskip") && n == 2) {
		kt_nameset_add(s->hangskip, f[1]);
		return 0;
	}
	if (kt_str_eq_cstr(f[0], "rename") && n == 3) {
		return push_sub(L, &s->renames, &s->n_renames, f[1], f[2]);
	}
	if (kt_str_eq_cstr(f[0], "hangfirst") && n == 3)
		return push_sub(L, &s->hangfirst, &s->n_hangfirst, f[1], f[2]);
	return bad(L, "unknown directive");
}

static int
type_line(struct loader *L, struct kt_str *f, size_t n)
{
	if (n != 2)
		return bad(L, "want REGEX | TYPE");
	return push_sub(L, &L->s->types, &L->s->n_types, f[0], f[1]);
}

static int
norm_line(struct loader *L, struct kt_str *f, size_t n)
{
	if (n != 2)
		return bad(L, "want REGEX | REPLACEMENT");
	return push_sub(L, &L->s->norm, &L->s->n_norm, f[0], f[1]);
}


static int
need_def(struct loader *L, const char *name, struct kt_rx **ret)
{
	const char *p = find_def(L, name);
	if (!p)
		return kt_error(L->ctx, KT_EFORMAT, "sign/formats.txt: no define %s", name);
	return kt_rx_new(L->ctx, p, PCRE2_MULTILINE, ret);
}

static int
load_all(struct loader *L)
{
	struct kt_signer *s = L->s;
	int rc = load_file(L, "sign/formats.txt", 3, format_line);
	if (!rc)
		rc = finish_skip(L);
	if (!rc)
		rc = need_def(L, "FRAME", &s->frame);
	if (!rc)
		rc = need_def(L, "UNRELIABLE", &s->unreliable);
	if (!rc)
		rc = need_def(L, "STACKSTART", &s->stackstart);
	if (!rc)
		rc = need_def(L, "TRACE", &s->trace);
	if (!rc)
		rc = need_def(L, "FAULTINJECT", &s->faultinject);
	if (!rc)
		rc = need_def(L, "ARMCALLER", &s->armcaller);
	L->target = s->skip;
	if (!rc)
		rc = load_file(L, "sign/skip.txt", 1, alt_line);
	if (!rc)
		rc = kt_nameset_build(L->ctx, s->skip);
	if (!rc)
		rc = load_file(L, "sign/wrappers.txt", 1, wrapper_line);
	if (!rc)
		rc = load_file(L, "sign/extract.txt", 3, extract_line);
	if (!rc)
		rc = kt_nameset_build(L->ctx, s->anchors);
	if (!rc)
		rc = kt_nameset_build(L->ctx, s->hangskip);
	if (!rc)
		rc = load_file(L, "sign/types.txt", 2, type_line);
	if (!rc)
		rc = load_file(L, "sign/normalize.txt", 2, norm_line);
	return rc;
}

int
kt_signer_new(struct kt_ctx *ctx, struct kt_signer **ret)
{
	struct kt_signer *s = kt_calloc(1, sizeof(*s));
	s->ctx = ctx;
	int rc = kt_detect_new(ctx, &s->det);
	if (rc) {
		free(s);
		return rc;
	}
	const char *const *kw;
	s->n_headers = kt_detect_keywords(s->det, &kw);
	s->skip = kt_nameset_new();
	s->anchors = kt_nameset_new();
	s->hangskip = kt_nameset_new();
	struct loader L = { .ctx = ctx, .s = s };
	rc = load_all(&L);
	for (size_t i = 0; i < L.n_defs; i++) {
		free(L.defs[i].name);
		free(L.defs[i].pattern);
		if (L.defs[i].rx) {
			s->step_rx = kt_realloc(s->step_rx, (s->n_step_rx + 1) * sizeof(*s->step_rx));
			s->step_rx[s->n_step_rx++] = L.defs[i].rx;
		}
	}
	free(L.defs);
	if (rc) {
		kt_signer_free(s);
		return rc;
	}
	*ret = s;
	return 0;
}

static void
free_subs(struct sign_sub *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		kt_rx_free(v[i].rx);
		free(v[i].with);
	}
	free(v);
}

/* The steps' regexes are borrowed from kt_signer.step_rx. */
static void
free_recipe(struct sign_recipe *r)
{
	free(r->v);
}

void
kt_signer_free(struct kt_signer *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_f; i++) {
		struct sign_format *f = &s->f[i];
		free(f->headers);
		kt_rx_free(f->title);
		kt_rx_free(f->report);
		free(f->fmt);
		for (size_t j = 0; j < f->n_alts; j++)
			free(f->alts[j]);
		free(f->alts);
		free_recipe(&f->stack);
		free_recipe(&f->stack2);
		kt_nameset_free(f->skip);
	}
	free(s->f);
	kt_rx_free(s->frame);
	kt_rx_free(s->unreliable);
	kt_rx_free(s->stackstart);
	kt_rx_free(s->trace);
	kt_rx_free(s->faultinject);
	kt_rx_free(s->armcaller);
	kt_nameset_free(s->skip);
	for (size_t i = 0; i < s->n_step_rx; i++)
		kt_rx_free(s->step_rx[i]);
	free(s->step_rx);
	for (size_t i = 0; i < s->n_wrappers; i++)
		free(s->wrappers[i]);
	free(s->wrappers);
	kt_nameset_free(s->anchors);
	free_subs(s->renames, s->n_renames);
	free_subs(s->hangfirst, s->n_hangfirst);
	kt_nameset_free(s->hangskip);
	free_subs(s->types, s->n_types);
	free_subs(s->norm, s->n_norm);
	kt_detect_free(s->det);
	free(s);
}
