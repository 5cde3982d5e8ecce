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
#include "util/demangle.h"
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
	size_t title_n;		/* the first title_n lines are the title text */
};

struct cand {
	char name[FUNC_MAX];
	size_t line;		/* index of its line in the text */
	unsigned seg;		/* stack segment (a "*" step after the first starts a new one) */
	signed char skip;	/* skip lists name it: -1 not asked yet, 0, 1 */
};

/* What a stack recipe found: the candidates that survived the skip lists,
 * in order, split into segments; `fault` when it scanned a fault-injection
 * frame (syzkaller's corruptedLines). */
struct found {
	struct cand *c;
	size_t n;
	unsigned nseg;
	bool fault;
};

/* The report text a title is made from: from the header line on (the
 * prefix lines before it are not the report's), or from the first line
 * when `whole` (a fragment: the lines before its header line are the body
 * lines die() printed, taken back by the parser). */
static void
text_build(const struct kt_signer *s, const struct kt_report *r, bool whole, struct text *t)
{
	kt_buf_init(&t->b);
	t->starts = kt_calloc(r->n_lines + 1, sizeof(*t->starts));
	t->n = 0;
	size_t first = 0;
	for (size_t i = 0; r->header && !whole && i < r->n_lines; i++)
		if (!strcmp(r->lines[i], r->header)) {
			first = i;
			break;
		}
	t->title_n = SIZE_MAX;
	for (size_t i = first; i < r->n_lines; i++) {
		struct kt_str l = kt_str_cstr(r->lines[i]);
		if (r->title_end && i == r->title_end && i > first)
			t->title_n = t->n;
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
	if (t->title_n > t->n)
		t->title_n = t->n;
}

/* The title text: the first title_n lines of t (a view; not freed). */
static struct text
text_title(const struct text *t)
{
	struct text v = *t;
	v.n = t->title_n;
	v.b.len = t->starts[v.n];
	return v;
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
 * function name ("fakeName"); a Rust v0 name "_RNvMs3_...7Process10update_ref"
 * by its readable path ("<rust_binder::process::Process>::update_ref"). buf
 * holds FUNC_MAX bytes. */
static void
demangle(char *buf)
{
	if (buf[0] == '_' && buf[1] == 'R') {
		char out[FUNC_MAX];

		if (kt_rust_demangle(buf, strlen(buf), out, sizeof(out)))
			memcpy(buf, out, strlen(out) + 1);
		return;
	}
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

/* A frame candidate. Whether a skip list names it is asked lazily
 * (cand_skipped()): skipped candidates are invisible to every picker, as
 * syzkaller's appendStackFrame drops them before the extractors run; a
 * "rawframe" format takes its frame as printed. */
static void
add_cand(const struct kt_signer *s, const struct sign_format *f, struct found *fd,
	 const char *name, size_t line)
{
	(void)s;
	if (fd->n >= MAX_CANDS || !name[0])
		return;
	fd->c[fd->n].skip = f->rawframe ? 0 : -1;
	size_t len = strnlen(name, FUNC_MAX - 1);
	memcpy(fd->c[fd->n].name, name, len);
	fd->c[fd->n].name[len] = 0;
	fd->c[fd->n].line = line;
	fd->c[fd->n].seg = fd->nseg ? fd->nseg - 1 : 0;
	fd->n++;
}

/* A fault-injection frame (its name matches FAULTINJECT) ends the step
 * that scans it and makes the report corrupted: its stack is interleaved
 * with the real one. `ov` is the FRAME match of the line. */
static bool
fault_frame(const struct kt_signer *s, struct kt_str l, const long *ov, struct found *fd)
{
	if (ov[2] < 0 || !kt_rx_match(s->faultinject,
				      kt_str_make(l.p + ov[2], (size_t)(ov[3] - ov[2])), 0, NULL, 0))
		return false;
	fd->fault = true;
	return true;
}

static bool
fault_line(const struct kt_signer *s, struct kt_str l, struct found *fd)
{
	long ov[4];
	return kt_rx_match(s->frame, l, 0, ov, 2) && fault_frame(s, l, ov, fd);
}

/* Scan forward from *li for the step's line; its group 1 is a candidate. */
static bool
run_find(const struct kt_signer *s, const struct sign_format *f, const struct sign_step *st,
	 const struct text *t, size_t *li, struct found *fd)
{
	long ov[4];
	char name[FUNC_MAX];
	for (size_t j = *li; j < t->n; j++) {
		struct kt_str l = text_line(t, j);
		if (fault_line(s, l, fd)) {
			*li = j + 1;
			return false;
		}
		if (!kt_rx_match(st->rx, l, 0, ov, 2))
			continue;
		if (st->has_group) {
			copy_group(l, ov, 1, name, sizeof(name));
			add_cand(s, f, fd, name, j);
		}
		*li = j + 1;
		return true;
	}
	if (!st->optional)
		*li = t->n;
	return false;
}

/* Take the frames of the stack trace from *li on, up to the line the next
 * step wants or the start of another stack trace. */
static void
run_parse(const struct kt_signer *s, const struct sign_format *f, const struct sign_step *next,
	  const struct text *t, size_t *li, struct found *fd)
{
	long ov[4];
	char name[FUNC_MAX];
	for (; *li < t->n; (*li)++) {
		struct kt_str l = text_line(t, *li);
		bool is_frame = kt_rx_match(s->frame, l, 0, ov, 2);
		if (is_frame && fault_frame(s, l, ov, fd)) {
			(*li)++;
			break;
		}
		if (next && next->rx && kt_rx_match(next->rx, l, 0, NULL, 0))
			break;
		if (!is_frame) {
			if (kt_rx_match(s->stackstart, l, 0, NULL, 0))
				break;
			continue;
		}
		copy_group(l, ov, 1, name, sizeof(name));
		add_cand(s, f, fd, name, *li);
		/* arm "[<pc>] (f) from [<pc>] (g+off/size)": g follows f, as
		 * syzkaller takes both (g is often a tail-called f of no line) */
		if (kt_rx_match(s->armcaller, l, 0, ov, 2)) {
			copy_group(l, ov, 1, name, sizeof(name));
			add_cand(s, f, fd, name, *li);
		}
	}
}

/* Run a stack recipe (syzkaller's stackFmt parts): candidates in order.
 * Each "*" step after the first starts a new segment ($F, $G). */
static void
run_recipe(const struct kt_signer *s, const struct sign_format *f, const struct sign_recipe *rc,
	   const struct text *t, struct found *fd)
{
	size_t li = 0;
	bool parsed = false;
	fd->n = 0;
	fd->nseg = 1;
	fd->fault = false;
	for (size_t k = 0; k < rc->n; k++) {
		const struct sign_step *st = &rc->v[k];
		if (st->kind == STEP_FIND) {
			if (!run_find(s, f, st, t, &li, fd) && st->required)
				return;
			continue;
		}
		if (parsed)
			fd->nseg++;
		parsed = true;
		run_parse(s, f, k + 1 < rc->n ? &rc->v[k + 1] : NULL, t, &li, fd);
	}
}

static bool
cand_skipped(const struct kt_signer *s, const struct sign_format *f, struct cand *c)
{
	if (c->skip < 0)
		c->skip = skipped(s, f, c->name);
	return c->skip;
}

/* The stall extractor (data/sign/extract.txt), over the frames that
 * survived the skip lists: walking from the top, the frame just above the
 * first anchor; an anchor on top is itself the answer; an anchor that is
 * a "rename" frame is the answer under its new name. No anchor: nothing
 * (syzkaller's linuxStallFrameExtractor). */
static int
pick_stall(const struct kt_signer *s, const struct sign_format *f, struct cand *c, size_t n,
	   const char **renamed)
{
	char buf[FUNC_MAX];
	int prev = -1;
	for (size_t i = 0; i < n; i++) {
		if (cand_skipped(s, f, &c[i]))
			continue;
		kt_signer_strip_wrapper(s, c[i].name, buf, sizeof(buf));
		if (kt_nameset_match(s->anchors, buf)) {
			for (size_t k = 0; k < s->n_renames; k++)
				if (kt_rx_match(s->renames[k].rx, kt_str_cstr(buf), 0, NULL, 0)) {
					*renamed = s->renames[k].with;
					return (int)i;
				}
			return prev >= 0 ? prev : (int)i;
		}
		prev = (int)i;
	}
	return -1;
}

/* The hang extractor: the first frame matching a "hangfirst" pattern
 * (titled by its replacement, or itself for "$0"), else the first frame
 * that is not just waiting (syzkaller's linuxHangTaskFrameExtractor). */
static int
pick_hang(const struct kt_signer *s, const struct sign_format *f, struct cand *c, size_t n,
	  const char **renamed)
{
	char buf[FUNC_MAX];
	for (size_t i = 0; i < n; i++) {
		if (cand_skipped(s, f, &c[i]))
			continue;
		kt_signer_strip_wrapper(s, c[i].name, buf, sizeof(buf));
		for (size_t h = 0; h < s->n_hangfirst; h++)
			if (kt_rx_match(s->hangfirst[h].rx, kt_str_cstr(buf), 0, NULL, 0)) {
				if (strcmp(s->hangfirst[h].with, "$0"))
					*renamed = s->hangfirst[h].with;
				return (int)i;
			}
	}
	for (size_t i = 0; i < n; i++) {
		if (cand_skipped(s, f, &c[i]))
			continue;
		kt_signer_strip_wrapper(s, c[i].name, buf, sizeof(buf));
		if (!kt_nameset_match(s->hangskip, buf))
			return (int)i;
	}
	return -1;
}

/* The guilty candidate of segment `seg` (index into c), or -1. */
static int
pick(const struct kt_signer *s, const struct sign_format *f, struct found *fd,
     unsigned seg, const char **renamed)
{
	size_t a = 0;
	while (a < fd->n && fd->c[a].seg < seg)
		a++;
	size_t b = a;
	while (b < fd->n && fd->c[b].seg == seg)
		b++;
	int at = -1;
	*renamed = NULL;
	if (f->hang)
		at = pick_hang(s, f, fd->c + a, b - a, renamed);
	else if (f->stall)
		at = pick_stall(s, f, fd->c + a, b - a, renamed);
	/* the first survivor; our own stall kinds (hard lockup) take it too
	 * when there is no anchor */
	if (at < 0 && (!(f->hang || f->stall) || f->topframe))
		for (size_t i = a; i < b && at < 0; i++)
			if (!cand_skipped(s, f, &fd->c[i]))
				at = (int)(i - a);
	return at < 0 ? -1 : at + (int)a;
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

/* Name variants of the guilty frame: [0] = the title's (`renamed`, or the
 * wrapper-stripped raw name), then the raw name and its one-prefix strips
 * (syzkaller's partiallyStrippedArgs). */
static size_t
variants(const struct kt_signer *s, const char *raw, const char *renamed,
	 char v[MAX_VARIANTS][FUNC_MAX])
{
	size_t n = 0;
	char tmp[FUNC_MAX];
	kt_signer_strip_wrapper(s, raw, tmp, sizeof(tmp));
	snprintf(v[n++], FUNC_MAX, "%s", renamed ? renamed : tmp);
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
       const char *func2, struct kt_buf *out)
{
	kt_buf_clear(out);
	for (const char *p = tmpl; *p; p++) {
		if (p[0] == '$' && (p[1] == 'F' || p[1] == 'G')) {
			const char *fn = p[1] == 'F' ? func : func2;
			kt_buf_adds(out, fn && fn[0] ? fn : "corrupted");
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

/* Corruption checks for formats that expect a stack trace (syzkaller's
 * isCorrupted): the first stack start of each kind (its first 6 bytes)
 * needs two more lines after it and a frame (or "(stack is not
 * available)") within 15 lines, before another stack starts; and some
 * stack start must exist. */
static const char *
check_stack(const struct kt_signer *s, const struct text *t)
{
	char kinds[8][6];
	size_t n_kinds = 0;
	bool any = false;
	for (size_t i = 0; i < t->n; i++) {
		struct kt_str l = text_line(t, i);
		if (!kt_rx_match(s->stackstart, l, 0, NULL, 0))
			continue;
		struct kt_str k = kt_str_ltrim(l);
		char key[6] = { 0 };
		memcpy(key, k.p, k.len < sizeof(key) ? k.len : sizeof(key));
		bool seen = false;
		for (size_t j = 0; j < n_kinds && !seen; j++)
			seen = !memcmp(kinds[j], key, sizeof(key));
		if (seen)
			continue;
		if (n_kinds < 8)
			memcpy(kinds[n_kinds++], key, sizeof(key));
		if (t->n - i < 3)
			return "call trace is missed";
		bool ok = false;
		for (size_t j = i + 1; j < t->n && j <= i + TRACE_WINDOW && !ok; j++) {
			struct kt_str lj = text_line(t, j);
			if (kt_rx_match(s->stackstart, lj, 0, NULL, 0))
				break;
			ok = kt_str_find(lj, "(stack is not available)") >= 0 ||
			     kt_rx_match(s->frame, lj, 0, NULL, 0);
		}
		if (!ok)
			return "no frames in a stack trace";
		any = true;
	}
	return any ? NULL : "no stack trace in report";
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

/* The format whose title regex matches earliest (ties: table order;
 * "fallback" formats only when no other matched). A format whose stricter
 * "report" regex fails gives no title; when every format matching at the
 * earliest position fails so, *ret_unmatched is set and -1 returned
 * (syzkaller's extractDescription). */
static int
choose_format(const struct kt_signer *s, int hi, const struct text *t, long *ov,
	      bool *ret_unmatched)
{
	struct kt_str all = kt_str_make(t->b.p, t->b.len);
	long *at = kt_malloc((s->n_f + 1) * sizeof(*at));
	int ret = -1;
	*ret_unmatched = false;
	for (int pass = 0; pass < 2 && ret < 0 && !*ret_unmatched; pass++) {
		long best_at = -1;
		for (size_t i = 0; i < s->n_f; i++) {
			const struct sign_format *f = &s->f[i];
			long o[2];
			at[i] = -1;
			if (!f->headers[hi] || f->fallback != (pass == 1) ||
			    !kt_rx_match(f->title, all, 0, o, 1))
				continue;
			at[i] = o[0];
			if (best_at < 0 || o[0] < best_at)
				best_at = o[0];
		}
		if (best_at < 0)
			continue;
		for (size_t i = 0; i < s->n_f && ret < 0; i++) {
			const struct sign_format *f = &s->f[i];
			if (at[i] != best_at ||
			    (f->report && !kt_rx_match(f->report, all, 0, NULL, 0)))
				continue;
			if (kt_rx_match(f->title, all, 0, ov, 10))
				ret = (int)i;
		}
		*ret_unmatched = ret < 0;
	}
	free(at);
	return ret;
}

struct sig {
	const struct sign_format *f;
	struct kt_str hl;	/* the text the groups refer to */
	long ov[20];
	char v[MAX_VARIANTS][FUNC_MAX];
	size_t nv;
	char second[FUNC_MAX];	/* $G: the guilty frame of the second segment */
	bool ok;		/* every segment gave a frame, no fault injection */
	bool fault;
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

/* Run one recipe; true if every segment gave a frame and no fault
 * injection frame was scanned (syzkaller's "ok"). */
static bool
guilty_recipe(const struct kt_signer *s, struct sig *g, const struct sign_recipe *rc,
	      const struct text *t, struct found *fd)
{
	run_recipe(s, g->f, rc, t, fd);
	g->nv = 0;
	g->n_next = 0;
	g->second[0] = 0;
	g->fault = fd->fault;
	bool ok = !fd->fault;
	for (unsigned seg = 0; seg < fd->nseg && seg < 2; seg++) {
		const char *renamed;
		int at = pick(s, g->f, fd, seg, &renamed);
		if (at < 0) {
			ok = false;
			continue;
		}
		if (seg == 1) {
			char tmp[FUNC_MAX];
			kt_signer_strip_wrapper(s, fd->c[at].name, tmp, sizeof(tmp));
			snprintf(g->second, FUNC_MAX, "%s", renamed ? renamed : tmp);
			continue;
		}
		g->nv = variants(s, fd->c[at].name, renamed, g->v);
		for (size_t i = (size_t)at + 1; i < fd->n && g->n_next < 3; i++) {
			if (cand_skipped(s, g->f, &fd->c[i]))
				continue;
			snprintf(g->nextbuf[g->n_next], FUNC_MAX, "%s", fd->c[i].name);
			g->next[g->n_next] = g->nextbuf[g->n_next];
			g->n_next++;
		}
	}
	if (fd->nseg > 2)
		ok = false;
	return ok;
}

/* The guilty frame(s): the stack recipe, and the fallback recipe when the
 * first did not give every frame (syzkaller's parts / parts2). */
static void
guilty(const struct kt_signer *s, struct sig *g, const struct text *t)
{
	struct found fd;
	/* not zeroed: add_cand() writes each entry before it is counted */
	fd.c = kt_malloc(MAX_CANDS * sizeof(*fd.c));
	g->ok = guilty_recipe(s, g, &g->f->stack, t, &fd);
	if (!g->ok && g->f->stack2.n)
		g->ok = guilty_recipe(s, g, &g->f->stack2, t, &fd);
	free(fd.c);
}

/* Render, normalise and store the title and the alternative titles (the
 * title with the other names of the guilty frame, and every "alt" template
 * with every name). Returns the normalised title; caller frees it. */
static char *
render_titles(const struct kt_signer *s, const struct sig *g, int ng, struct kt_report *r,
	      struct kt_buf *b)
{
	render(g->f->fmt ? g->f->fmt : "$0", g->hl, g->ov, ng, g->nv ? g->v[0] : NULL,
	       g->second, b);
	char *title = kt_signer_normalize(s, b->p);
	r->title = kt_report_strdup(r, title);
	size_t cap = 0;
	const char **alts = NULL;
	for (size_t k = 1; k < g->nv; k++) {
		render(g->f->fmt, g->hl, g->ov, ng, g->v[k], g->second, b);
		add_alt(r, s, title, b->p, &alts, &cap);
	}
	for (size_t a = 0; a < g->f->n_alts; a++)
		for (size_t k = 0; k < (g->nv ? g->nv : 1); k++) {
			render(g->f->alts[a], g->hl, g->ov, ng, g->nv ? g->v[k] : NULL, g->second,
			       b);
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
	struct text full, t;
	text_build(s, r, hit.fragment, &full);
	t = text_title(&full);
	struct sig *g = kt_calloc(1, sizeof(*g));
	bool unmatched;
	int fi = choose_format(s, hit.header, &t, g->ov, &unmatched);
	struct kt_buf b;
	kt_buf_init(&b);
	if (fi < 0) {
		/* the header line from its keyword on is the title */
		size_t at = hit.pos < strlen(r->header) ? hit.pos : 0;
		char *tt = kt_signer_normalize(s, r->header + at);
		r->title = kt_report_strdup(r, tt);
		r->type = kt_signer_type(s, tt);
		if (r->type)
			r->type = kt_report_strdup(r, r->type);
		free(tt);
		/* no format at all is not corruption (syzkaller isCorrupted()) */
		if (unmatched)
			set_corrupted(r, "matched title but not report regexp");
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
		guilty(s, g, &t);
	char *title = render_titles(s, g, ng, r, &b);
	r->type = kt_signer_type(s, title);
	if (r->type)
		r->type = kt_report_strdup(r, r->type);
	if (g->f->corrupted)
		set_corrupted(r, "the matched format is corrupted by definition");
	if (wants_frame && g->fault)
		set_corrupted(r, "fault injection frames in the report");
	if (wants_frame && !g->ok)
		set_corrupted(r, "extracted no frames");
	if (!g->f->nostack) {
		const char *why = check_stack(s, &full);
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
	text_free(&full);
}
