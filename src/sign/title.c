/*
 * sign/title: title a report. Builds the report text (from the header on,
 * unreliable frames removed, cut at a late panic), picks the format whose
 * title regex matches earliest, finds the guilty frame with the format's
 * stack recipe and skip lists (plus stall/hang extractors), strips syscall
 * wrappers, renders and normalises title and alternatives, and decides
 * type, corrupted and bucket. Tables: signer.h / tables.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sign/signer.h"
#include "util/arena.h"
#include "util/ctx.h"
#include "util/mem.h"

/* Lines after which a "Kernel panic - not syncing" no longer belongs to
 * the text used for titling (panic_on_warn repeats the stack), as
 * syzkaller does. */
#define LATE_PANIC_LINES 22
/* A stack start must be followed by a frame within this many lines. */
#define TRACE_WINDOW 15
#define MAX_CANDS 256
#define FUNC_MAX 128
#define MAX_VARIANTS 8

struct text {
	struct kt_buf b;
	size_t *starts;		/* byte offset of each line */
	size_t n;
};

struct cand {
	char name[FUNC_MAX];
	size_t line;		/* index of its line in the text */
};

static void
text_build(const struct kt_signer *s, const struct kt_report *r, struct text *t)
{
	kt_buf_init(&t->b);
	t->starts = kt_calloc(r->n_lines + 1, sizeof(*t->starts));
	t->n = 0;
	size_t first = 0;
	for (size_t i = 0; r->header && i < r->n_lines; i++)
		if (!strcmp(r->lines[i], r->header)) {
			first = i;
			break;
		}
	for (size_t i = first; i < r->n_lines; i++) {
		struct kt_str l = kt_str_cstr(r->lines[i]);
		if (kt_rx_match(s->unreliable, l, 0, NULL, 0))
			continue;
		if (t->n > LATE_PANIC_LINES && i > first &&
		    (kt_str_starts_with(kt_str_ltrim(l), "Kernel panic - not syncing") ||
		     kt_str_find(l, "possible circular locking dependency detected") >= 0))
			break;
		t->starts[t->n++] = t->b.len;
		kt_buf_add(&t->b, l.p, l.len);
		kt_buf_addc(&t->b, '\n');
	}
	if (!t->b.p)
		kt_buf_adds(&t->b, "");
	t->starts[t->n] = t->b.len;
}

static void
text_free(struct text *t)
{
	kt_buf_deinit(&t->b);
	free(t->starts);
}

static struct kt_str
text_line(const struct text *t, size_t i)
{
	size_t a = t->starts[i], e = t->starts[i + 1];
	return kt_str_make(t->b.p + a, e > a ? e - a - 1 : 0);
}

/* A C++ (Itanium ABI) name "_Z8fakeNameiii" is titled by its plain
 * function name ("fakeName"). */
static void
demangle(char *buf)
{
	if (buf[0] != '_' || buf[1] != 'Z' || !kt_is_digit(buf[2]))
		return;
	char *end;
	unsigned long len = strtoul(buf + 2, &end, 10);
	if (len == 0 || len > strlen(end))
		return;
	memmove(buf, end, len);
	buf[len] = 0;
}

static void
copy_group(struct kt_str l, const long *ov, int g, char *buf, size_t bufsz)
{
	buf[0] = 0;
	if (ov[2 * g] < 0)
		return;
	size_t len = (size_t)(ov[2 * g + 1] - ov[2 * g]);
	if (len >= bufsz)
		len = bufsz - 1;
	memcpy(buf, l.p + ov[2 * g], len);
	buf[len] = 0;
	demangle(buf);
}

static void
add_cand(struct cand *c, size_t *n, const char *name, size_t line)
{
	if (*n >= MAX_CANDS || !name[0])
		return;
	snprintf(c[*n].name, FUNC_MAX, "%s", name);
	c[*n].line = line;
	(*n)++;
}

/* Run a stack recipe; candidates in order. */
static void
run_recipe(const struct kt_signer *s, const struct sign_recipe *rc, const struct text *t,
	   struct cand *c, size_t *n)
{
	size_t li = 0;
	long ov[4];
	char name[FUNC_MAX];
	for (size_t k = 0; k < rc->n; k++) {
		const struct sign_step *st = &rc->v[k];
		if (st->kind == STEP_FIND) {
			bool found = false;
			for (size_t j = li; j < t->n; j++) {
				struct kt_str l = text_line(t, j);
				if (!kt_rx_match(st->rx, l, 0, ov, 2))
					continue;
				found = true;
				if (st->has_group) {
					copy_group(l, ov, 1, name, sizeof(name));
					add_cand(c, n, name, j);
				}
				li = j + 1;
				break;
			}
			if (st->required && !found)
				return;
			continue;
		}
		const struct sign_step *next = k + 1 < rc->n ? &rc->v[k + 1] : NULL;
		/* arm "(f) from (g)": g counts only at the end of a block */
		char caller[FUNC_MAX] = "";
		size_t caller_line = 0;
		for (; li < t->n; li++) {
			struct kt_str l = text_line(t, li);
			if (next && next->rx && kt_rx_match(next->rx, l, 0, NULL, 0))
				break;
			if (kt_rx_match(s->stackstart, l, 0, NULL, 0) && li > 0 &&
			    *n > 0)
				break;
			bool is_frame = kt_rx_match(s->frame, l, 0, ov, 2);
			if (caller[0] && !is_frame && !kt_rx_match(s->armregs, l, 0, NULL, 0)) {
				add_cand(c, n, caller, caller_line);
				caller[0] = 0;
			}
			if (!is_frame)
				continue;
			caller[0] = 0;
			copy_group(l, ov, 1, name, sizeof(name));
			add_cand(c, n, name, li);
			if (kt_rx_match(s->armcaller, l, 0, ov, 2)) {
				copy_group(l, ov, 1, caller, sizeof(caller));
				caller_line = li;
			}
		}
		if (caller[0])
			add_cand(c, n, caller, caller_line);
	}
}

bool
kt_signer_skipped(const struct kt_signer *s, const char *func)
{
	return kt_nameset_match(s->skip, func);
}

static bool
skipped(const struct kt_signer *s, const struct sign_format *f, const char *func)
{
	if (kt_signer_skipped(s, func))
		return true;
	return f->skip && kt_nameset_match(f->skip, func);
}

/* The stall extractor (data/sign/extract.txt): walking from the top, the
 * last non-skipped frame before the first anchor; an anchor met first is
 * itself the answer; a "rename" frame met first wins. */
static int
pick_stall(const struct kt_signer *s, const struct sign_format *f, const struct cand *c, size_t n)
{
	int prev = -1, first = -1;
	for (size_t i = 0; i < n; i++) {
		struct kt_str name = kt_str_cstr(c[i].name);
		for (size_t k = 0; k < s->n_renames; k++)
			if (kt_rx_match(s->renames[k].rx, name, 0, NULL, 0))
				return (int)i;
		if (kt_nameset_match(s->anchors, c[i].name))
			return prev >= 0 ? prev : (int)i;
		if (skipped(s, f, c[i].name))
			continue;
		prev = (int)i;
		if (first < 0)
			first = (int)i;
	}
	return first;
}

static int
pick_first(const struct kt_signer *s, const struct sign_format *f, const struct cand *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!skipped(s, f, c[i].name))
			return (int)i;
	return -1;
}

/* The hang extractor; may replace the name (e.g. synchronize_rcu). */
static int
pick_hang(const struct kt_signer *s, const struct sign_format *f, struct cand *c, size_t n)
{
	for (size_t h = 0; h < s->n_hangfirst; h++)
		for (size_t i = 0; i < n; i++)
			if (kt_rx_match(s->hangfirst[h].rx, kt_str_cstr(c[i].name), 0, NULL, 0)) {
				snprintf(c[i].name, FUNC_MAX, "%s", s->hangfirst[h].with);
				return (int)i;
			}
	for (size_t i = 0; i < n; i++)
		if (!kt_nameset_match(s->hangskip, c[i].name) &&
		    !skipped(s, f, c[i].name))
			return (int)i;
	return -1;
}

static int
pick(const struct kt_signer *s, const struct sign_format *f, struct cand *c, size_t n)
{
	if (f->hang)
		return pick_hang(s, f, c, n);
	if (f->stall)
		return pick_stall(s, f, c, n);
	return pick_first(s, f, c, n);
}

void
kt_signer_strip_wrapper(const struct kt_signer *s, const char *func, char *buf, size_t bufsz)
{
	const char *best = func;
	for (size_t i = 0; i < s->n_wrappers; i++) {
		size_t pl = strlen(s->wrappers[i]);
		if (!strncmp(func, s->wrappers[i], pl) && func[pl] && strlen(func + pl) < strlen(best))
			best = func + pl;
	}
	snprintf(buf, bufsz, "%s", best);
}

/* Name variants of the guilty frame: [0] = the title's, then the others
 * (raw, partly stripped, renamed-from). */
static size_t
variants(const struct kt_signer *s, const char *raw, char v[MAX_VARIANTS][FUNC_MAX])
{
	size_t n = 0;
	char tmp[FUNC_MAX];
	const char *base = raw;
	for (size_t i = 0; i < s->n_renames; i++)
		if (kt_rx_match(s->renames[i].rx, kt_str_cstr(raw), 0, NULL, 0)) {
			base = s->renames[i].with;
			break;
		}
	kt_signer_strip_wrapper(s, base, tmp, sizeof(tmp));
	snprintf(v[n++], FUNC_MAX, "%s", tmp);
	if (strcmp(raw, v[0]))
		snprintf(v[n++], FUNC_MAX, "%s", raw);
	for (size_t i = 0; i < s->n_wrappers && n < MAX_VARIANTS; i++) {
		size_t pl = strlen(s->wrappers[i]);
		if (strncmp(raw, s->wrappers[i], pl) || !raw[pl])
			continue;
		bool dup = false;
		for (size_t j = 0; j < n; j++)
			dup |= !strcmp(v[j], raw + pl);
		if (!dup)
			snprintf(v[n++], FUNC_MAX, "%s", raw + pl);
	}
	return n;
}

/* Render a fmt/alt template. */
static void
render(const char *tmpl, struct kt_str hl, const long *ov, int ngroups, const char *func,
       struct kt_buf *out)
{
	kt_buf_clear(out);
	for (const char *p = tmpl; *p; p++) {
		if (p[0] == '$' && p[1] == 'F') {
			kt_buf_adds(out, func ? func : "corrupted");
			p++;
		} else if (p[0] == '$' && p[1] >= '0' && p[1] <= '9') {
			int g = p[1] - '0';
			if (g <= ngroups && ov[2 * g] >= 0)
				kt_buf_add(out, hl.p + ov[2 * g], (size_t)(ov[2 * g + 1] - ov[2 * g]));
			p++;
		} else {
			kt_buf_addc(out, *p);
		}
	}
	if (!out->p)
		kt_buf_adds(out, "");
}

char *
kt_signer_normalize(const struct kt_signer *s, const char *title)
{
	char *cur = kt_strdup(title);
	for (size_t i = 0; i < s->n_norm; i++) {
		for (int round = 0; round < 8; round++) {
			char *out = kt_rx_replace(s->norm[i].rx, cur, s->norm[i].with);
			if (!out || !strcmp(out, cur)) {
				free(out);
				break;
			}
			free(cur);
			cur = out;
		}
	}
	/* Drop control and non-ASCII bytes, tabs to spaces, collapse spaces. */
	size_t w = 0;
	bool space = true;
	for (size_t r = 0; cur[r]; r++) {
		unsigned char ch = (unsigned char)cur[r];
		if (ch == '\t')
			ch = ' ';
		if (ch < 0x20 || ch >= 0x7f)
			continue;
		if (ch == ' ' && space)
			continue;
		space = ch == ' ';
		cur[w++] = (char)ch;
	}
	while (w && cur[w - 1] == ' ')
		w--;
	if (w > 120)
		w = 120;
	cur[w] = 0;
	return cur;
}

const char *
kt_signer_type(const struct kt_signer *s, const char *title)
{
	for (size_t i = 0; i < s->n_types; i++)
		if (kt_rx_match(s->types[i].rx, kt_str_cstr(title), 0, NULL, 0))
			return strcmp(s->types[i].with, "-") ? s->types[i].with : NULL;
	return NULL;
}

/* Corruption checks for formats that expect a stack trace. */
static const char *
check_stack(const struct kt_signer *s, const struct text *t)
{
	bool any = false;
	for (size_t i = 0; i < t->n; i++) {
		if (!kt_rx_match(s->trace, text_line(t, i), 0, NULL, 0))
			continue;
		any = true;
		for (size_t j = i + 1; j < t->n && j <= i + TRACE_WINDOW; j++)
			if (kt_rx_match(s->frame, text_line(t, j), 0, NULL, 0))
				return NULL;
	}
	return any ? "no frames after the stack trace start" : "no stack trace in report";
}

static void
add_alt(struct kt_report *r, const struct kt_signer *s, const char *title, const char *alt,
	const char ***v, size_t *cap)
{
	char *n = kt_signer_normalize(s, alt);
	bool dup = !strcmp(n, title);
	for (size_t i = 0; i < r->n_alt_titles && !dup; i++)
		dup = !strcmp((*v)[i], n);
	if (!dup)
		*(const char **)kt_arena_push(r->arena, (void **)v, &r->n_alt_titles, cap,
					      sizeof(char *)) = kt_report_strdup(r, n);
	free(n);
}

static bool
has_panic(const struct kt_report *r)
{
	for (size_t i = 0; i < r->n_lines; i++)
		if (strstr(r->lines[i], "Kernel panic - not syncing"))
			return true;
	return false;
}

static int
choose_format(const struct kt_signer *s, int hi, const struct text *t, long *ov)
{
	int best = -1;
	long best_at = -1;
	for (int pass = 0; pass < 2 && best < 0; pass++)
		for (size_t i = 0; i < s->n_f; i++) {
			const struct sign_format *f = &s->f[i];
			if (!f->headers[hi] || f->fallback != (pass == 1))
				continue;
			long o[20];
			if (!kt_rx_match(f->title, kt_str_make(t->b.p, t->b.len), 0, o, 10))
				continue;
			if (best < 0 || o[0] < best_at) {
				best = (int)i;
				best_at = o[0];
				memcpy(ov, o, sizeof(o));
			}
		}
	return best;
}

struct sig {
	const struct sign_format *f;
	struct kt_str hl;	/* the text the groups refer to */
	long ov[20];
	char v[MAX_VARIANTS][FUNC_MAX];
	size_t nv;
	const char *next[3];
	char nextbuf[3][FUNC_MAX];
	size_t n_next;
};

static void
set_corrupted(struct kt_report *r, const char *why)
{
	if (!r->corrupted) {
		r->corrupted = true;
		r->corrupted_reason = why;
	}
}

static void
guilty(const struct kt_signer *s, struct sig *g, const struct text *t, struct kt_report *r)
{
	/* Fault-injection stacks interleave with the real one: the report is
	 * corrupted, and a guilty frame printed after them is not trusted. */
	size_t fault_line = SIZE_MAX;
	long fo[4];
	for (size_t i = 0; i < t->n && fault_line == SIZE_MAX; i++)
		if (kt_rx_match(s->frame, text_line(t, i), 0, fo, 2) &&
		    kt_rx_match(s->faultinject, kt_str_make(t->b.p + t->starts[i] + fo[2],
						(size_t)(fo[3] - fo[2])), 0, NULL, 0)) {
			set_corrupted(r, "fault injection frames in the report");
			fault_line = i;
		}
	/* not zeroed: add_cand() writes each entry before it is counted */
	struct cand *c = kt_malloc(MAX_CANDS * sizeof(*c));
	size_t n = 0;
	run_recipe(s, &g->f->stack, t, c, &n);
	int at = pick(s, g->f, c, n);
	if (at >= 0 && c[at].line > fault_line)
		at = -1;
	if (at < 0 && g->f->stack2.n) {
		n = 0;
		run_recipe(s, &g->f->stack2, t, c, &n);
		at = pick(s, g->f, c, n);
		if (at >= 0 && c[at].line > fault_line)
			at = -1;
	}
	if (at >= 0) {
		g->nv = variants(s, c[at].name, g->v);
		for (size_t i = (size_t)at + 1; i < n && g->n_next < 3; i++)
			if (!skipped(s, g->f, c[i].name)) {
				snprintf(g->nextbuf[g->n_next], FUNC_MAX, "%s", c[i].name);
				g->next[g->n_next] = g->nextbuf[g->n_next];
				g->n_next++;
			}
	}
	free(c);
}

/* Render, normalise and store the title and the alternative titles (the
 * title with the other names of the guilty frame, and every "alt" template
 * with every name). Returns the normalised title; caller frees it. */
static char *
render_titles(const struct kt_signer *s, const struct sig *g, int ng, struct kt_report *r,
	      struct kt_buf *b)
{
	render(g->f->fmt ? g->f->fmt : "$0", g->hl, g->ov, ng, g->nv ? g->v[0] : NULL, b);
	char *title = kt_signer_normalize(s, b->p);
	r->title = kt_report_strdup(r, title);
	size_t cap = 0;
	const char **alts = NULL;
	for (size_t k = 1; k < g->nv; k++) {
		render(g->f->fmt, g->hl, g->ov, ng, g->v[k], b);
		add_alt(r, s, title, b->p, &alts, &cap);
	}
	for (size_t a = 0; a < g->f->n_alts; a++)
		for (size_t k = 0; k < (g->nv ? g->nv : 1); k++) {
			render(g->f->alts[a], g->hl, g->ov, ng, g->nv ? g->v[k] : NULL, b);
			add_alt(r, s, title, b->p, &alts, &cap);
		}
	r->alt_titles = alts;
	return title;
}

void
kt_signer_run(struct kt_signer *s, struct kt_report *r)
{
	if (!r->header)
		return;
	bool xen = r->kind == KT_KIND_XEN_CRASH || r->kind == KT_KIND_XEN_DOMAIN_CRASH;
	struct kt_detect_hit hit;
	if (!kt_detect_line(s->det, kt_str_cstr(r->header), xen, &hit)) {
		char *t = kt_signer_normalize(s, r->header);
		r->title = kt_report_strdup(r, t);
		free(t);
		set_corrupted(r, "header not recognised");
		kt_sign_bucket(r->kind, NULL, NULL, 0, r->title, r->bucket);
		return;
	}
	if (r->kind == KT_KIND_OOM && !has_panic(r))
		return; /* not a bug: no title (docs/titles.md) */
	struct text t;
	text_build(s, r, &t);
	struct sig *g = kt_calloc(1, sizeof(*g));
	int fi = choose_format(s, hit.header, &t, g->ov);
	struct kt_buf b;
	kt_buf_init(&b);
	if (fi < 0) {
		char *tt = kt_signer_normalize(s, r->header);
		r->title = kt_report_strdup(r, tt);
		free(tt);
		set_corrupted(r, "no title format matched");
		kt_sign_bucket(r->kind, NULL, NULL, 0, r->title, r->bucket);
		goto out;
	}
	g->f = &s->f[fi];
	g->hl = kt_str_make(t.b.p, t.b.len);
	int ng = kt_rx_groups(g->f->title);
	if (ng > 9)
		ng = 9;
	bool wants_frame = g->f->fmt && strstr(g->f->fmt, "$F");
	for (size_t i = 0; i < g->f->n_alts && !wants_frame; i++)
		wants_frame = strstr(g->f->alts[i], "$F") != NULL;
	if (wants_frame)
		guilty(s, g, &t, r);
	char *title = render_titles(s, g, ng, r, &b);
	r->type = kt_signer_type(s, title);
	if (r->type)
		r->type = kt_report_strdup(r, r->type);
	if (g->f->corrupted)
		set_corrupted(r, "the matched format is corrupted by definition");
	if (g->f->report && !kt_rx_match(g->f->report, g->hl, 0, NULL, 0))
		set_corrupted(r, "matched title but not report regexp");
	if (wants_frame && !g->nv)
		set_corrupted(r, "extracted no frames");
	if (!g->f->nostack) {
		const char *why = check_stack(s, &t);
		if (why)
			set_corrupted(r, why);
	}
	const char *in = strstr(title, " in ");
	for (const char *p = in; p; p = strstr(p + 1, " in "))
		in = p;
	if (in && wants_frame)
		r->frame = kt_report_strdup(r, in + 4);
	kt_sign_bucket(r->kind, g->nv ? g->v[0] : NULL, g->next, g->n_next, title, r->bucket);
	free(title);
out:
	kt_buf_deinit(&b);
	free(g);
	text_free(&t);
}
