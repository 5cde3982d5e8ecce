/*
 * parse/parser: streaming report cutter (see parser.h). A small state
 * machine over normalized lines:
 *   idle  -- a header line (detect.h) opens a report; other lines go to a
 *            ring so the report can start with a few lines of prefix;
 *   open  -- lines of the report's printk context are appended; a new
 *            independent header closes it and opens the next one; once
 *            "---[ end trace" is seen the report is in its tail, where only
 *            panic lines (data/parse/cut.txt "tail") still belong to it.
 * The rules follow syzkaller's report cutting (google/syzkaller
 * pkg/report/linux.go): up to 5 prefix lines (50 with a per-task caller id), lines of
 * other contexts are left out (CPU-context lines are kept after "Sending NMI
 * from CPU"), a header immediately followed by "** replaying previous printk
 * message **" is dropped because the kernel prints it again.
 */
#include <stdlib.h>
#include <string.h>

#include <ktriage/limits.h>

#include "parse/archhint.h"
#include "parse/cut.h"
#include "parse/detect.h"
#include "parse/fields.h"
#include "parse/parser.h"
#include "util/arena.h"
#include "util/ctx.h"
#include "util/mem.h"

/* Prefix lines kept before a header: syzkaller keeps 5, or 50 when lines
 * carry a per-task caller id (then they cannot be another task's). */
#define PREFIX_LINES 5
#define PREFIX_LINES_TASK 50
/* A header from another printk context closes a report only after this
 * many lines; before that the two are interleaved output of one event. */
#define OTHER_CONTEXT_GRACE 50

struct ring_line {
	char *text;
	size_t len;
	uint32_t no;
	struct kt_lctx cx;
};

/* The compiled tables every parser of a context shares (cached on the
 * context: compiling them costs far more than parsing a typical log). */
struct parse_tables {
	struct kt_detect *det;
	struct kt_cut *cut;
	struct kt_archhint *arch;
};

struct kt_parser {
	struct kt_ctx *ctx;
	char *file;
	const struct kt_detect *det;
	const struct kt_cut *cut;
	const struct kt_archhint *arch;
	struct parse_tables *own;	/* tables of a parser without a context */

	/* idle lines, for report prefixes */
	struct ring_line ring[KT_MAX_PREFIX_LINES];
	size_t ring_next;	/* slot the next line goes to */
	size_t ring_n;

	/* the open report, or NULL */
	struct kt_report *r;
	size_t cap_lines;
	size_t cap_nos;
	size_t header_idx;	/* index of the header in r->lines */
	struct kt_lctx cx;
	bool tail;
	bool nmi;
	bool just_opened;

	/* With per-task/CPU caller ids, a crash inside a report of the same
	 * context does not end it (syzkaller untangles such output by context):
	 * the earlier report stays open as a "shadow" that receives the same
	 * lines until the newer one closes. */
	struct kt_report *shadow;
	size_t shadow_cap_lines;
	size_t shadow_cap_nos;

	/* finished reports, in order */
	struct kt_report **done;
	size_t n_done;
	size_t head_done;
	size_t cap_done;
	size_t n_total;
	size_t n_dropped;
	size_t max_reports;	/* 0: KT_MAX_REPORTS */
};

static void
tables_free(void *v)
{
	struct parse_tables *t = v;
	if (!t)
		return;
	kt_detect_free(t->det);
	kt_cut_free(t->cut);
	kt_archhint_free(t->arch);
	free(t);
}

static struct parse_tables *
tables_new(struct kt_ctx *ctx)
{
	struct parse_tables *t = kt_calloc(1, sizeof(*t));
	if (kt_detect_new(ctx, &t->det) || kt_cut_new(ctx, &t->cut) ||
	    kt_archhint_new(ctx, &t->arch)) {
		tables_free(t);
		return NULL;
	}
	return t;
}

struct kt_parser *
kt_parser_new(struct kt_ctx *ctx, const char *file)
{
	struct parse_tables *t;
	struct kt_parser *p;

	if (ctx && ctx->parse_cache) {
		t = ctx->parse_cache;
	} else {
		if ((t = tables_new(ctx)) == NULL)
			return NULL;
		if (ctx) {
			ctx->parse_cache = t;
			ctx->parse_cache_free = tables_free;
		}
	}
	p = kt_calloc(1, sizeof(*p));
	p->ctx = ctx;
	p->file = kt_strdup(file ? file : "");
	p->det = t->det;
	p->cut = t->cut;
	p->arch = t->arch;
	p->own = ctx ? NULL : t;
	return p;
}

void
kt_parser_free(struct kt_parser *p)
{
	if (!p)
		return;
	kt_report_free(p->r);
	kt_report_free(p->shadow);
	for (size_t i = p->head_done; i < p->n_done; i++)
		kt_report_free(p->done[i]);
	free(p->done);
	for (size_t i = 0; i < KT_MAX_PREFIX_LINES; i++)
		free(p->ring[i].text);
	tables_free(p->own);
	free(p->file);
	free(p);
}

static void
ring_push(struct kt_parser *p, const struct kt_line *l, struct kt_lctx cx)
{
	struct ring_line *rl = &p->ring[p->ring_next];
	size_t len = l->text.len < KT_MAX_LINE ? l->text.len : KT_MAX_LINE;
	free(rl->text);
	rl->text = kt_strndup(l->text.p ? l->text.p : "", len);
	rl->len = len;
	rl->no = l->no;
	rl->cx = cx;
	p->ring_next = (p->ring_next + 1) % KT_MAX_PREFIX_LINES;
	if (p->ring_n < KT_MAX_PREFIX_LINES)
		p->ring_n++;
}

/* Append one line of text to report r (NUL bytes become spaces, so the C
 * string is the whole line). */
static void
append_to(struct kt_report *r, size_t *cap_lines, size_t *cap_nos, const char *text, size_t len,
	  uint32_t no)
{
	if (len > KT_MAX_LINE)
		len = KT_MAX_LINE;
	char *copy = kt_arena_strndup(r->arena, text ? text : "", len);
	for (size_t i = 0; i < len; i++)
		if (!copy[i])
			copy[i] = ' ';
	size_t n = r->n_lines;
	const char **slot = kt_arena_push(r->arena, (void **)&r->lines, &n, cap_lines,
					  sizeof(*r->lines));
	*slot = copy;
	n = r->n_lines;
	uint32_t *nos = kt_arena_push(r->arena, (void **)&r->line_nos, &n, cap_nos,
				      sizeof(*r->line_nos));
	*nos = no;
	r->n_lines++;
	r->source.last_line = no;
}

static void
append(struct kt_parser *p, const char *text, size_t len, uint32_t no)
{
	append_to(p->r, &p->cap_lines, &p->cap_nos, text, len, no);
	if (p->shadow && p->shadow->n_lines < KT_MAX_REPORT_LINES)
		append_to(p->shadow, &p->shadow_cap_lines, &p->shadow_cap_nos, text, len, no);
}

static void
queue(struct kt_parser *p, struct kt_report *r)
{
	if (p->n_total >= (p->max_reports ? p->max_reports : KT_MAX_REPORTS)) {
		p->n_dropped++;
		kt_report_free(r);
		return;
	}
	p->n_total++;
	/* no register dump said it: the frames may (entry code, text addresses) */
	if (r->arch == KT_ARCH_UNKNOWN)
		r->arch = kt_archhint_guess(p->arch, r);
	if (p->head_done == p->n_done)
		p->head_done = p->n_done = 0;
	if (p->n_done == p->cap_done) {
		p->cap_done = p->cap_done ? 2 * p->cap_done : 8;
		p->done = kt_realloc(p->done, p->cap_done * sizeof(*p->done));
	}
	p->done[p->n_done++] = r;
}

static void
close_report(struct kt_parser *p)
{
	struct kt_report *r = p->r;
	if (p->shadow) {
		kt_fields_extract(p->shadow);
		queue(p, p->shadow);
		p->shadow = NULL;
	}
	if (!r)
		return;
	p->r = NULL;
	kt_fields_extract(r);
	queue(p, r);
}

static void
open_report(struct kt_parser *p, const struct kt_line *l, struct kt_lctx cx,
	    const struct kt_detect_hit *hit)
{
	struct kt_report *r = kt_report_new();
	p->r = r;
	p->cap_lines = p->cap_nos = 0;
	p->cx = cx;
	p->tail = p->nmi = false;
	p->just_opened = true;
	r->kind = hit->kind;
	r->source.file = kt_report_strdup(r, p->file);
	r->source.format = kt_line_fmt_name(l->fmt);
	r->source.first_line = l->no;
	r->source.timestamp = l->ts;
	if (l->wallclock.len)
		r->source.wallclock = kt_report_strndup(r, l->wallclock.p, l->wallclock.len);
	if (l->host.len)
		r->source.host = kt_report_strndup(r, l->host.p, l->host.len);
	if (hit->kind == KT_KIND_XEN_CRASH || hit->kind == KT_KIND_XEN_DOMAIN_CRASH)
		r->context = KT_CONTEXT_HYPERVISOR;

	/* Prefix: the last few idle lines of the same context, oldest first. */
	size_t want = cx.kind == KT_LCTX_TASK ? PREFIX_LINES_TASK : PREFIX_LINES;
	size_t idx[PREFIX_LINES_TASK], n = 0;
	for (size_t k = 0; k < p->ring_n && n < want; k++) {
		size_t i = (p->ring_next + KT_MAX_PREFIX_LINES - 1 - k) % KT_MAX_PREFIX_LINES;
		if (kt_cut_same_context(p->ring[i].cx, cx))
			idx[n++] = i;
	}
	while (n--)
		append(p, p->ring[idx[n]].text, p->ring[idx[n]].len, p->ring[idx[n]].no);
	p->ring_n = 0;
	p->header_idx = r->n_lines;
	append(p, l->text.p, l->text.len, l->no);
	/* The header is the report's own copy of the line (NULs made spaces). */
	r->header = r->lines[p->header_idx];
}

static void
feed_idle(struct kt_parser *p, const struct kt_line *l, struct kt_lctx cx)
{
	struct kt_detect_hit hit;
	if (kt_detect_line(p->det, l->text, l->xen, &hit))
		open_report(p, l, cx, &hit);
	else
		ring_push(p, l, cx);
}

/* Keep the open report as the shadow of the next one (see struct
 * kt_parser); an older shadow is finished first. */
static void
shadow_report(struct kt_parser *p)
{
	if (p->shadow) {
		kt_fields_extract(p->shadow);
		queue(p, p->shadow);
	}
	p->shadow = p->r;
	p->shadow_cap_lines = p->cap_lines;
	p->shadow_cap_nos = p->cap_nos;
	p->r = NULL;
}

/* A line of the open report's context. Returns false when the report was
 * closed and the line still has to be handled as an idle line. */
static bool
feed_same(struct kt_parser *p, const struct kt_line *l, unsigned cls, bool is_hit,
	  const struct kt_detect_hit *hit)
{
	struct kt_report *r = p->r;
	if (cls & KT_CUT_BIT(KT_CUT_SKIP))
		return true;
	if (p->tail) {
		if (!(cls & (KT_CUT_BIT(KT_CUT_TAIL) | KT_CUT_BIT(KT_CUT_END))) &&
		    !(is_hit && hit->inside)) {
			close_report(p);
			return false;
		}
	} else if (is_hit && !hit->inside) {
		if (p->cx.kind == KT_LCTX_TASK || p->cx.kind == KT_LCTX_CPU) {
			shadow_report(p);
			return false;
		}
		close_report(p);
		return false;
	}
	if (r->n_lines >= KT_MAX_REPORT_LINES) {
		r->corrupted = true;
		r->corrupted_reason = "report cut at KT_MAX_REPORT_LINES lines";
		kt_report_note(r, l->no, KT_SEV_WARN, "report longer than %d lines: cut",
			       KT_MAX_REPORT_LINES);
		close_report(p);
		return true;
	}
	append(p, l->text.p, l->text.len, l->no);
	if (cls & KT_CUT_BIT(KT_CUT_TAILSTART))
		p->tail = true;
	if (cls & KT_CUT_BIT(KT_CUT_NMI))
		p->nmi = true;
	if (cls & KT_CUT_BIT(KT_CUT_END))
		close_report(p);
	return true;
}

void
kt_parser_feed(struct kt_parser *p, const struct kt_line *l)
{
	struct kt_lctx cx = kt_cut_context(l);
	if (!p->r) {
		feed_idle(p, l, cx);
		return;
	}
	uint64_t dropped = 0;
	/* tail lines only matter in a report's tail, a replay only right
	 * after the header */
	unsigned want = ~0u;
	if (!p->tail)
		want &= ~KT_CUT_BIT(KT_CUT_TAIL);
	if (!p->just_opened)
		want &= ~KT_CUT_BIT(KT_CUT_REPLAY);
	if (p->r->title_end || p->cx.kind == KT_LCTX_TASK || p->cx.kind == KT_LCTX_CPU ||
	    p->cx.kind == KT_LCTX_XEN)
		want &= ~KT_CUT_BIT(KT_CUT_INFOSTACK);
	unsigned cls = kt_cut_classify_some(p->cut, l->text, want, &dropped);
	if (p->just_opened) {
		p->just_opened = false;
		if (cls & KT_CUT_BIT(KT_CUT_REPLAY)) {
			/* The header was cut short; the kernel prints it again. */
			kt_report_free(p->r);
			p->r = p->shadow;
			p->cap_lines = p->shadow_cap_lines;
			p->cap_nos = p->shadow_cap_nos;
			p->shadow = NULL;
			return;
		}
	}
	if (cls & KT_CUT_BIT(KT_CUT_DROPPED))
		kt_report_note(p->r, l->no, KT_SEV_WARN,
			       "%llu printk messages dropped inside the report",
			       (unsigned long long)dropped);
	struct kt_detect_hit hit;
	bool is_hit = kt_detect_line(p->det, l->text, l->xen, &hit);
	bool same = kt_cut_same_context(cx, p->cx) || (p->nmi && cx.kind == KT_LCTX_CPU);
	/* Without caller ids another crash or an info message with its own
	 * stack, on any line, ends the text the report is titled from
	 * (syzkaller's secondReportPos / reportEnd). */
	if ((want & KT_CUT_BIT(KT_CUT_INFOSTACK)) &&
	    ((cls & KT_CUT_BIT(KT_CUT_INFOSTACK)) || (is_hit && !hit.inside)))
		p->r->title_end = p->r->n_lines;
	if (!same) {
		/* Another context: not ours, unless it starts a crash of its own
		 * well after ours began (or after ours ended its trace). */
		if (is_hit && !hit.inside &&
		    (p->tail || p->r->n_lines > p->header_idx + OTHER_CONTEXT_GRACE)) {
			close_report(p);
			feed_idle(p, l, cx);
		}
		return;
	}
	if (!feed_same(p, l, cls, is_hit, &hit))
		feed_idle(p, l, cx);
}

void
kt_parser_end(struct kt_parser *p)
{
	if (p->r && p->r->n_lines > 0 && p->r->n_lines == p->header_idx + 1)
		kt_report_note(p->r, p->r->source.last_line, KT_SEV_WARN,
			       "input ends right after the report header");
	close_report(p);
	p->ring_n = 0;
}

struct kt_report *
kt_parser_take(struct kt_parser *p)
{
	if (p->head_done >= p->n_done)
		return NULL;
	return p->done[p->head_done++];
}

bool
kt_parser_idle(const struct kt_parser *p)
{
	return !p->r && p->head_done >= p->n_done;
}

size_t
kt_parser_dropped(const struct kt_parser *p)
{
	return p->n_dropped;
}

void
kt_parser_set_max_reports(struct kt_parser *p, size_t n)
{
	p->max_reports = n;
}
