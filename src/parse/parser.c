/*
 * parse/parser: streaming report cutter (see parser.h). A small state
 * machine over normalized lines, one "slot" per open report:
 *   idle  -- a header line (detect.h) opens a report; other lines go to a
 *            ring so the report can start with a few lines of prefix;
 *   tentative -- until a report body (data/parse/cut.txt "body": task line,
 *            taint, registers, call trace, frames, end marker) is on the
 *            header or follows within BODY_WINDOW lines, the header is only
 *            a candidate: "a report starts only where the kernel speaks".
 *            Without a body a header with kernel provenance (timestamp,
 *            level, caller id, kernel facility) is a one-line report; one
 *            without provenance is a candidate kept only if no line of the
 *            input has a provenance (a bare console), and not even then for
 *            a "needbody" header (WARNING:, INFO:, which firmware prints
 *            too); either way the lines after it go back to the idle
 *            stream, so a later real crash is never hidden. A "fragment"
 *            header (a line only die() prints) opens a report whose header
 *            line was lost: the body lines before it come back from the
 *            ring (backfill()), and it is tentative until a body follows;
 *   open  -- lines of the report's printk context are appended; a new
 *            independent header closes it and opens the next one; once
 *            "---[ end trace" is seen the report is in its tail, where only
 *            panic lines (data/parse/cut.txt "tail") still belong to it
 *            (a few unrelated lines may come between).
 * Reports of different tasks (printk caller ids [T95], [T223]) are open at
 * the same time, each in its slot, so interleaved output is untangled. A
 * new boot (data/parse/cut.txt "boot", the timestamp going back to ~0, a
 * journal boundary) closes every open report.
 * The rules follow syzkaller's report cutting (google/syzkaller
 * pkg/report/linux.go):
 * up to 5 prefix lines (50 with a per-task caller id), lines of
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
/* Lines of its context after a header in which a report body must begin. */
#define BODY_WINDOW 10
/* Unrelated lines of its context a report's tail may skip over before a
 * tail line ("Kernel panic - not syncing: Fatal exception") arrives. */
#define TAIL_GAP 3
/* A report whose body stopped this many lines ago (no body line, no crash
 * line, no end) ends at its last body line: an oops with no end marker
 * followed by ordinary kernel chatter never runs on for hundreds of lines. */
#define QUIET_LINES 50
/* A report whose context printed nothing for this many input lines is
 * finished (its task went quiet), so that later reports are handed out. */
#define STALE_LINES 500
/* Reports open at once (different tasks or CPUs). */
#define MAX_OPEN 4
/* Bare keyword lines held while the input's provenance is unknown. */
#define MAX_CANDIDATES 64
/* A timestamp below this after one well above it is a new boot (s). */
#define BOOT_TS 5.0

struct ring_line {
	char *text;
	size_t len;
	uint32_t no;
	struct kt_lctx cx;
};

/* A finished report and the feed order of its header. */
struct done_ent {
	struct kt_report *r;
	uint64_t seq;
};

/* The compiled tables every parser of a context shares (kt_ctx_table():
 * compiling them costs far more than parsing a typical log; read-only once
 * built, so contexts of several threads share them too). */
struct parse_tables {
	struct kt_detect *det;
	struct kt_cut *cut;
	struct kt_archhint *arch;
};

/* The cutting state of a shadowed report (see struct slot), restored when
 * the report that interrupted it turns out to be none. */
struct saved {
	size_t header_idx;
	size_t last_body;
	int repeat;
	bool tail;
	bool nmi;
	bool standalone;
	bool provenance;
	bool needbody;
	unsigned gap;
	uint64_t seq;
};

/* One open report. */
struct slot {
	struct kt_report *r;	/* NULL: the slot is free */
	size_t cap_lines;
	size_t cap_nos;
	size_t header_idx;	/* index of the header in r->lines */
	int repeat;		/* cut.txt "repeat" rule of the header, or -1 */
	struct kt_lctx cx;
	bool tail;
	bool nmi;
	bool just_opened;
	bool body;		/* a report body was seen: the report is real */
	bool standalone;	/* the header is a report of one line on its own */
	bool provenance;	/* the header line is the kernel's own */
	bool needbody;		/* headers.txt "needbody": no candidate without a body */
	bool fragment;		/* opened at a die()-only body line: the header line
				 * is not in the input (headers.txt "fragment") */
	unsigned pending;	/* lines since the header, before any body */
	unsigned gap;		/* unrelated lines since the tail began */
	size_t last_body;	/* r->n_lines just after the last body line */
	uint64_t seq;		/* opening order */
	uint64_t last_fed;	/* p->n_fed at the last line of this context */

	/* With per-task/CPU caller ids, a crash inside a report of the same
	 * context does not end it (syzkaller untangles such output by context):
	 * the earlier report stays open as a "shadow" that receives the same
	 * lines until the newer one closes. */
	struct kt_report *shadow;
	size_t shadow_cap_lines;
	size_t shadow_cap_nos;
	struct saved shadow_st;	/* the shadow's own cutting state */
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

	struct slot slots[MAX_OPEN];
	uint64_t seq;
	uint64_t n_fed;		/* lines fed so far (line numbers may go back:
				 * stitched pstore parts) */
	/* One-line reports of bare keyword lines (no provenance, no body): kept
	 * at the end only if no line of the input had a kernel provenance (a
	 * bare console log, where provenance cannot be judged). */
	struct kt_report *cand[MAX_CANDIDATES];
	uint64_t cand_seq[MAX_CANDIDATES];
	size_t n_cand;
	bool seen_prov;		/* some line had a kernel provenance */
	bool ending;		/* kt_parser_end() runs: no more lines will come */
	double last_ts;		/* timestamp of the last line that had one, or -1 */

	/* finished reports, in log order (the order their headers were fed:
	 * line numbers may go back in stitched pstore parts) */
	struct done_ent *done;
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

static void *
tables_build(struct kt_ctx *ctx)
{
	return tables_new(ctx);
}

struct kt_parser *
kt_parser_new(struct kt_ctx *ctx, const char *file)
{
	struct parse_tables *t;
	struct kt_parser *p;

	if (ctx)
		t = kt_ctx_table(ctx, KT_TABLE_PARSE, tables_build, tables_free);
	else
		t = tables_new(ctx);
	if (!t)
		return NULL;
	p = kt_calloc(1, sizeof(*p));
	p->ctx = ctx;
	p->file = kt_strdup(file ? file : "");
	p->det = t->det;
	p->cut = t->cut;
	p->arch = t->arch;
	p->own = ctx ? NULL : t;
	p->last_ts = -1;
	return p;
}

void
kt_parser_free(struct kt_parser *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < MAX_OPEN; i++) {
		kt_report_free(p->slots[i].r);
		kt_report_free(p->slots[i].shadow);
	}
	for (size_t i = p->head_done; i < p->n_done; i++)
		kt_report_free(p->done[i].r);
	free(p->done);
	for (size_t i = 0; i < p->n_cand; i++)
		kt_report_free(p->cand[i]);
	for (size_t i = 0; i < KT_MAX_PREFIX_LINES; i++)
		free(p->ring[i].text);
	tables_free(p->own);
	free(p->file);
	free(p);
}

static void
ring_push_text(struct kt_parser *p, const char *text, size_t len, uint32_t no,
	       struct kt_lctx cx)
{
	struct ring_line *rl = &p->ring[p->ring_next];
	if (len > KT_MAX_LINE)
		len = KT_MAX_LINE;
	free(rl->text);
	rl->text = kt_strndup(text ? text : "", len);
	rl->len = len;
	rl->no = no;
	rl->cx = cx;
	p->ring_next = (p->ring_next + 1) % KT_MAX_PREFIX_LINES;
	if (p->ring_n < KT_MAX_PREFIX_LINES)
		p->ring_n++;
}

static void
ring_push(struct kt_parser *p, const struct kt_line *l, struct kt_lctx cx)
{
	ring_push_text(p, l->text.p, l->text.len, l->no, cx);
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
append(struct slot *s, const char *text, size_t len, uint32_t no)
{
	append_to(s->r, &s->cap_lines, &s->cap_nos, text, len, no);
	if (s->shadow && s->shadow->n_lines < KT_MAX_REPORT_LINES)
		append_to(s->shadow, &s->shadow_cap_lines, &s->shadow_cap_nos, text, len, no);
}

/* Queue a finished report, keeping the queue in log order (reports of
 * different tasks close in any order). */
static void
queue(struct kt_parser *p, struct kt_report *r, uint64_t seq)
{
	if (p->n_total >= (p->max_reports ? p->max_reports : KT_MAX_REPORTS)) {
		p->n_dropped++;
		kt_report_free(r);
		return;
	}
	kt_fields_extract(r);
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
	size_t i = p->n_done++;
	while (i > p->head_done && p->done[i - 1].seq > seq) {
		p->done[i] = p->done[i - 1];
		i--;
	}
	p->done[i] = (struct done_ent){ r, seq };
}

static void
close_slot(struct kt_parser *p, struct slot *s)
{
	if (s->shadow) {
		queue(p, s->shadow, s->shadow_st.seq);
		s->shadow = NULL;
	}
	if (s->r)
		queue(p, s->r, s->seq);
	s->r = NULL;
}

/* Lines from the end of a report searched for the bottom of its trace. */
#define BOTTOM_LINES 8

/* Close a report the input (or the boot) ends in. It is complete when it
 * reached its end marker or the bottom of its call trace; else it is marked
 * incomplete, with `why`. */
static void
close_cut(struct kt_parser *p, struct slot *s, const char *why)
{
	struct kt_report *r = s->r;
	bool done = s->tail;
	unsigned want = KT_CUT_BIT(KT_CUT_BOTTOM) | KT_CUT_BIT(KT_CUT_TAILSTART) |
			KT_CUT_BIT(KT_CUT_END);
	for (size_t k = 0; !done && k < BOTTOM_LINES && k + s->header_idx < r->n_lines; k++) {
		const char *t = r->lines[r->n_lines - 1 - k];
		done = kt_cut_classify_some(p->cut, kt_str_cstr(t), want, NULL) != 0;
	}
	if (!done && !s->standalone && !r->incomplete) {
		r->incomplete = true;
		r->incomplete_reason = why;
	}
	close_slot(p, s);
}

static void
close_all(struct kt_parser *p, const char *why)
{
	for (size_t i = 0; i < MAX_OPEN; i++)
		if (p->slots[i].r)
			close_cut(p, &p->slots[i], why);
}

static bool
any_open(const struct kt_parser *p)
{
	for (size_t i = 0; i < MAX_OPEN; i++)
		if (p->slots[i].r)
			return true;
	return false;
}

/* Does the line come from the kernel itself? Only lines that carry no
 * prefix at all (a bare serial console, where firmware and user space
 * write too), or a syslog/journal line of another program, do not. */
static bool
has_provenance(const struct kt_line *l)
{
	if (l->xen)
		return true;
	if (l->tag.len && !kt_str_eq_cstr(l->tag, "kernel"))
		return false;
	return l->fmt != KT_FMT_PLAIN || l->ts >= 0 || l->level >= 0 ||
	       l->caller != KT_CALLER_NONE;
}

/* A free slot; when all are taken the oldest report is finished first. */
static struct slot *
free_slot(struct kt_parser *p)
{
	struct slot *old = NULL;
	for (size_t i = 0; i < MAX_OPEN; i++) {
		if (!p->slots[i].r)
			return &p->slots[i];
		if (!old || p->slots[i].seq < old->seq)
			old = &p->slots[i];
	}
	close_slot(p, old);
	return old;
}

/* A report that starts at a die()-only body line (headers.txt
 * "fragment"): its header line was lost (the log begins inside the oops,
 * or printk dropped it). The body lines die() printed before that line
 * (Modules linked in, CPU:, PC is at, registers) are the idle lines of the
 * same context just before it that are report body lines (cut.txt "body"):
 * take them back from the ring, oldest first, up to the first line that is
 * not one. The report is marked incomplete. */
/* The ring slots of the body lines of context `cx` just before the
 * current line, newest first, up to the first line that is not one. */
static size_t
body_before(const struct kt_parser *p, struct kt_lctx cx, size_t idx[KT_MAX_PREFIX_LINES])
{
	size_t n = 0;

	for (size_t k = 0; k < p->ring_n; k++) {
		size_t i = (p->ring_next + KT_MAX_PREFIX_LINES - 1 - k) % KT_MAX_PREFIX_LINES;
		if (!kt_cut_same_context(p->ring[i].cx, cx))
			continue;
		struct kt_str t = kt_str_make(p->ring[i].text, p->ring[i].len);
		if (!kt_cut_classify_some(p->cut, t, KT_CUT_BIT(KT_CUT_BODY), NULL))
			break;
		idx[n++] = i;
	}
	return n;
}

static void
backfill(struct kt_parser *p, struct slot *s, struct kt_lctx cx)
{
	size_t idx[KT_MAX_PREFIX_LINES], n = body_before(p, cx, idx);

	while (n--)
		append(s, p->ring[idx[n]].text, p->ring[idx[n]].len, p->ring[idx[n]].no);
	struct kt_report *r = s->r;
	r->incomplete = true;
	r->incomplete_reason = "the report's header line is not in the input "
			       "(it begins inside the body of an oops)";
	if (r->n_lines)
		r->source.first_line = r->line_nos[0];
}

/* A fragment header whose directive names a required line (a stack trace
 * before x86's "Modules linked in:"): does the body that backfill() would
 * take back hold it? */
static bool
backfill_has(const struct kt_parser *p, struct kt_lctx cx, int header)
{
	size_t idx[KT_MAX_PREFIX_LINES], n = body_before(p, cx, idx);

	for (size_t k = 0; k < n; k++)
		if (kt_detect_fragment_line(p->det, header,
					    kt_str_make(p->ring[idx[k]].text, p->ring[idx[k]].len)))
			return true;
	return false;
}

/* Nothing but blanks and punctuation before offset `pos` of the line. */
static bool
only_decoration(struct kt_str text, size_t pos)
{
	for (size_t i = 0; i < pos && i < text.len; i++)
		if (kt_is_alpha(text.p[i]) || kt_is_digit(text.p[i]))
			return false;
	return true;
}

static void
open_report(struct kt_parser *p, struct slot *s, const struct kt_line *l, struct kt_lctx cx,
	    const struct kt_detect_hit *hit)
{
	struct kt_report *r = kt_report_new();
	struct kt_report *shadow = s->shadow;
	size_t shadow_lines = s->shadow_cap_lines, shadow_nos = s->shadow_cap_nos;
	struct saved shadow_st = s->shadow_st;

	memset(s, 0, sizeof(*s));
	s->shadow = shadow;
	s->shadow_cap_lines = shadow_lines;
	s->shadow_cap_nos = shadow_nos;
	s->shadow_st = shadow_st;
	s->r = r;
	s->cx = cx;
	s->just_opened = true;
	s->seq = ++p->seq;
	s->last_fed = p->n_fed;
	s->standalone = hit->standalone;
	s->provenance = has_provenance(l);
	/* firmware prints its markers first on the line, maybe after
	 * decoration ("** WARNING: ...", "*** Warning - ..."); after a device
	 * prefix ("usb 5-1: WARNING: ...", dev_printk) the line is the kernel's */
	s->needbody = hit->needbody && only_decoration(l->text, hit->pos);
	s->fragment = hit->fragment;
	s->repeat = kt_cut_rule(p->cut, l->text, KT_CUT_REPEAT);
	/* Hypervisor lines and headers that carry their own body ("WARNING:
	 * CPU: 0 PID: 1 at ...") need nothing more. */
	s->body = !hit->fragment &&
		  (l->xen || kt_cut_classify_some(p->cut, l->text, KT_CUT_BIT(KT_CUT_BODY),
						  NULL) != 0);
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
	r->xen.echo = hit->echo;

	if (hit->fragment) {
		backfill(p, s, cx);
		/* the required trace was taken back: the body is there */
		s->body = hit->frag_needs;
	} else {
		/* Prefix: the last few idle lines of the same context, oldest first. */
		size_t want = cx.kind == KT_LCTX_TASK ? PREFIX_LINES_TASK : PREFIX_LINES;
		size_t idx[PREFIX_LINES_TASK], n = 0;
		for (size_t k = 0; k < p->ring_n && n < want; k++) {
			size_t i = (p->ring_next + KT_MAX_PREFIX_LINES - 1 - k) %
				   KT_MAX_PREFIX_LINES;
			if (kt_cut_same_context(p->ring[i].cx, cx))
				idx[n++] = i;
		}
		while (n--)
			append(s, p->ring[idx[n]].text, p->ring[idx[n]].len, p->ring[idx[n]].no);
	}
	p->ring_n = 0;
	s->header_idx = r->n_lines;
	append(s, l->text.p, l->text.len, l->no);
	/* The header is the report's own copy of the line (NULs made spaces). */
	r->header = r->lines[s->header_idx];
	s->last_body = r->n_lines;
}

/* Give the open report's place back to its shadow (the report the new
 * header interrupted), or free the slot. */
static void
restore_shadow(struct slot *s)
{
	const struct saved *st = &s->shadow_st;

	kt_report_free(s->r);
	s->r = s->shadow;
	s->cap_lines = s->shadow_cap_lines;
	s->cap_nos = s->shadow_cap_nos;
	s->shadow = NULL;
	s->just_opened = false;
	/* the shadow was a confirmed report: it had a body */
	s->body = s->r != NULL;
	s->pending = 0;
	if (!s->r)
		return;
	s->header_idx = st->header_idx;
	s->last_body = st->last_body;
	s->repeat = st->repeat;
	s->tail = st->tail;
	s->nmi = st->nmi;
	s->standalone = st->standalone;
	s->provenance = st->provenance;
	s->needbody = st->needbody;
	s->fragment = false;
	s->gap = st->gap;
	s->seq = st->seq;
}

/* A tentative report is no report: its lines go back to the idle stream. */
static void
drop_tentative(struct kt_parser *p, struct slot *s)
{
	struct kt_report *r = s->r;
	for (size_t i = 0; i < r->n_lines; i++)
		ring_push_text(p, r->lines[i], strlen(r->lines[i]), r->line_nos[i], s->cx);
	restore_shadow(s);
}

/* No report body came: keep the header alone when it is a standalone
 * header or the kernel's own line, hold it as a candidate when the input's
 * provenance is not known yet (not for "needbody" headers: firmware and
 * test harnesses print WARNING:/INFO: lines too), else drop it; the lines
 * that followed the header go back to the idle stream. A fragment (a
 * die()-only line with no body after it) is never a report. */
static void
expire(struct kt_parser *p, struct slot *s)
{
	struct kt_report *r = s->r;
	bool keep = !s->fragment && (s->standalone || s->provenance);
	/* a "needbody" header line that is the whole input (a pasted line:
	 * nothing to judge it by) is kept as a candidate */
	bool alone = p->ending && s->header_idx == 0 && r->n_lines == 1;
	bool cand = !keep && !s->fragment && (!s->needbody || alone) &&
		    !p->seen_prov && p->n_cand < MAX_CANDIDATES;
	if ((!keep && !cand) || s->header_idx >= r->n_lines) {
		drop_tentative(p, s);
		return;
	}
	for (size_t i = s->header_idx + 1; i < r->n_lines; i++)
		ring_push_text(p, r->lines[i], strlen(r->lines[i]), r->line_nos[i], s->cx);
	r->n_lines = s->header_idx + 1;
	if (r->title_end > r->n_lines)
		r->title_end = 0;
	r->source.last_line = r->line_nos[s->header_idx];
	kt_report_note(r, r->source.last_line, KT_SEV_INFO,
		       "no report body (task line, registers, call trace) follows the header");
	if (cand) {
		p->cand_seq[p->n_cand] = s->seq;
		p->cand[p->n_cand++] = r;
		s->r = NULL;
		restore_shadow(s);
		return;
	}
	s->body = true;
	close_slot(p, s);
}

/* The first line of the input with a kernel provenance: bare keyword
 * lines before it were firmware or user space. */
static void
drop_candidates(struct kt_parser *p)
{
	for (size_t i = 0; i < p->n_cand; i++)
		kt_report_free(p->cand[i]);
	p->n_cand = 0;
}

/* A test harness that writes a message to /dev/kmsg and to its own output
 * makes the same text appear twice, the second time bare (lkp-tests
 * "WARNING: lkp next download broken!"): the first was user space too. */
static void
drop_echoed(struct kt_parser *p, const struct kt_line *l)
{
	for (size_t i = 0; i < MAX_OPEN; i++) {
		struct slot *s = &p->slots[i];
		if (s->r && !s->body && s->provenance && !s->standalone &&
		    strlen(s->r->header) == l->text.len &&
		    !memcmp(s->r->header, l->text.p, l->text.len))
			drop_tentative(p, s);
	}
}

/* Shadow the open report (see struct slot); an older shadow is finished. */
static void
shadow_report(struct kt_parser *p, struct slot *s)
{
	if (s->shadow)
		queue(p, s->shadow, s->shadow_st.seq);
	s->shadow = s->r;
	s->shadow_cap_lines = s->cap_lines;
	s->shadow_cap_nos = s->cap_nos;
	s->shadow_st = (struct saved){
		.header_idx = s->header_idx, .last_body = s->last_body, .repeat = s->repeat,
		.tail = s->tail, .nmi = s->nmi, .standalone = s->standalone,
		.provenance = s->provenance, .needbody = s->needbody, .gap = s->gap,
		.seq = s->seq,
	};
	s->r = NULL;
}

static void
feed_idle(struct kt_parser *p, const struct kt_line *l, struct kt_lctx cx, bool is_hit,
	  const struct kt_detect_hit *hit)
{
	if (is_hit && !(hit->frag_needs && !backfill_has(p, cx, hit->header)))
		open_report(p, free_slot(p), l, cx, hit);
	else
		ring_push(p, l, cx);
}

/* A line of a tentative report (no body yet) that is no body line.
 * Returns false when the report was ended and the line still has to be
 * handled as an idle line. */
static bool
feed_tentative(struct kt_parser *p, struct slot *s, const struct kt_line *l, bool is_hit)
{
	if (is_hit) {
		if (s->repeat >= 0 && kt_cut_rule(p->cut, l->text, KT_CUT_REPEAT) == s->repeat) {
			append(s, l->text.p, l->text.len, l->no);
			return true;
		}
		expire(p, s);
		return false;
	}
	append(s, l->text.p, l->text.len, l->no);
	if (++s->pending >= BODY_WINDOW)
		expire(p, s);
	return true;
}

/* QUIET_LINES lines since the last known body line: look back for a later
 * one (lines are classified only here, a few per QUIET_LINES lines of a
 * report, not each as it comes). True when there is none. */
static bool
body_stopped(struct kt_parser *p, struct slot *s)
{
	const struct kt_report *r = s->r;
	unsigned want = KT_CUT_BIT(KT_CUT_BODY);
	size_t k = r->n_lines;
	while (k > s->last_body &&
	       !kt_cut_classify_some(p->cut, kt_str_cstr(r->lines[k - 1]), want, NULL))
		k--;
	if (k == s->last_body)
		return true;
	s->last_body = k;
	return false;
}

/* The report's body stopped QUIET_LINES ago: end it at its last body
 * line; the lines after it go back to the idle stream. */
static void
trim_quiet(struct kt_parser *p, struct slot *s)
{
	struct kt_report *r = s->r;
	size_t keep = s->last_body > s->header_idx ? s->last_body : s->header_idx + 1;
	if (keep > r->n_lines)
		keep = r->n_lines;
	for (size_t i = keep; i < r->n_lines; i++)
		ring_push_text(p, r->lines[i], strlen(r->lines[i]), r->line_nos[i], s->cx);
	r->n_lines = keep;
	if (r->title_end > r->n_lines)
		r->title_end = 0;
	r->source.last_line = r->line_nos[keep - 1];
	close_slot(p, s);
}

/* A line of an open report's context. Returns false when the report was
 * closed and the line still has to be handled as an idle line. */
static bool
feed_same(struct kt_parser *p, struct slot *s, const struct kt_line *l, unsigned cls,
	  bool is_hit, const struct kt_detect_hit *hit)
{
	struct kt_report *r = s->r;
	if (cls & KT_CUT_BIT(KT_CUT_SKIP))
		return true;
	if (!s->body) {
		/* A crash after a header in the same task's own output: that task
		 * reports a chain of crashes; shadow the header's report below. */
		bool chained = is_hit && !hit->inside &&
			       (s->cx.kind == KT_LCTX_TASK || s->cx.kind == KT_LCTX_CPU);
		/* the body on a new crash's header line ("WARNING: CPU: 0 PID:
		 * 1 at ...") is that crash's, not this header's */
		bool own = !is_hit || hit->inside;
		if (!chained && !(own && (cls & (KT_CUT_BIT(KT_CUT_BODY) |
						 KT_CUT_BIT(KT_CUT_TAILSTART) |
						 KT_CUT_BIT(KT_CUT_END)))))
			return feed_tentative(p, s, l, is_hit);
		s->body = true;
	}
	if (s->tail) {
		if (!(cls & (KT_CUT_BIT(KT_CUT_TAIL) | KT_CUT_BIT(KT_CUT_END)))) {
			if (is_hit || ++s->gap > TAIL_GAP) {
				close_slot(p, s);
				return false;
			}
			/* an unrelated line between the trace and its panic */
			ring_push(p, l, s->cx);
			return true;
		}
		s->gap = 0;
	} else if (is_hit && !hit->inside) {
		if (s->repeat >= 0 && kt_cut_rule(p->cut, l->text, KT_CUT_REPEAT) == s->repeat)
			goto add;
		if (s->cx.kind == KT_LCTX_TASK || s->cx.kind == KT_LCTX_CPU) {
			shadow_report(p, s);
			open_report(p, s, l, s->cx, hit);
			return true;
		}
		close_slot(p, s);
		return false;
	}
add:
	if (r->n_lines >= KT_MAX_REPORT_LINES) {
		r->corrupted = true;
		r->corrupted_reason = "report cut at KT_MAX_REPORT_LINES lines";
		kt_report_note(r, l->no, KT_SEV_WARN, "report longer than %d lines: cut",
			       KT_MAX_REPORT_LINES);
		close_slot(p, s);
		return true;
	}
	append(s, l->text.p, l->text.len, l->no);
	if (is_hit || (cls & (KT_CUT_BIT(KT_CUT_TAILSTART) | KT_CUT_BIT(KT_CUT_END) |
			      KT_CUT_BIT(KT_CUT_NMI))))
		s->last_body = r->n_lines;
	else if (!s->tail && r->n_lines - s->last_body >= QUIET_LINES && body_stopped(p, s)) {
		trim_quiet(p, s);
		return true;
	}
	if (cls & KT_CUT_BIT(KT_CUT_TAILSTART))
		s->tail = true;
	if (cls & KT_CUT_BIT(KT_CUT_NMI))
		s->nmi = true;
	if (cls & KT_CUT_BIT(KT_CUT_END))
		close_slot(p, s);
	return true;
}

/* A line of slot s's context. Returns false when the slot was closed and
 * the line still has to be handled as an idle line. */
static bool
feed_slot(struct kt_parser *p, struct slot *s, const struct kt_line *l, bool is_hit,
	  const struct kt_detect_hit *hit)
{
	uint64_t dropped = 0;
	s->last_fed = p->n_fed;
	/* tail lines only matter in a report's tail, a replay only right
	 * after the header, body lines only before the body */
	unsigned want = KT_CUT_BIT(KT_CUT_TAILSTART) | KT_CUT_BIT(KT_CUT_END) |
			KT_CUT_BIT(KT_CUT_DROPPED) | KT_CUT_BIT(KT_CUT_NMI) | KT_CUT_BIT(KT_CUT_SKIP);
	if (s->tail)
		want |= KT_CUT_BIT(KT_CUT_TAIL);
	if (!s->body)
		want |= KT_CUT_BIT(KT_CUT_BODY);
	unsigned cls = kt_cut_classify_some(p->cut, l->text, want, &dropped);
	if (cls & KT_CUT_BIT(KT_CUT_DROPPED))
		kt_report_note(s->r, l->no, KT_SEV_WARN,
			       "%llu printk messages dropped inside the report",
			       (unsigned long long)dropped);
	return feed_same(p, s, l, cls, is_hit, hit);
}

/* The open report a line of context cx belongs to, or NULL. */
static struct slot *
find_slot(struct kt_parser *p, struct kt_lctx cx)
{
	for (size_t i = 0; i < MAX_OPEN; i++)
		if (p->slots[i].r && kt_cut_same_context(p->slots[i].cx, cx))
			return &p->slots[i];
	if (cx.kind == KT_LCTX_CPU)
		for (size_t i = 0; i < MAX_OPEN; i++)
			if (p->slots[i].r && p->slots[i].nmi)
				return &p->slots[i];
	return NULL;
}

/* A line no open report's context matches. Returns true when it is to be
 * handled as an idle line. */
static bool
feed_other(struct kt_parser *p, const struct kt_line *l, struct kt_lctx cx, bool is_hit,
	   const struct kt_detect_hit *hit)
{
	if (!is_hit)
		return false;
	/* A line that may continue a report ("Kernel panic", "invalid opcode")
	 * belongs to another context's confirmed report; with only tentative
	 * reports open it is a crash of its own. */
	if (hit->inside)
		for (size_t i = 0; i < MAX_OPEN; i++)
			if (p->slots[i].r && p->slots[i].body &&
			    (p->slots[i].provenance || !has_provenance(l)))
				return false;
	/* Another task's crash: its own report, next to the open ones. */
	if (cx.kind == KT_LCTX_TASK)
		return true;
	/* Otherwise not ours, unless it starts a crash of its own well after
	 * ours began (or after ours ended its trace). */
	bool blocked = false;
	for (size_t i = 0; i < MAX_OPEN; i++) {
		struct slot *s = &p->slots[i];
		if (!s->r || s->cx.kind == KT_LCTX_TASK)
			continue;
		if (!s->body)
			expire(p, s);
		else if (s->tail || s->r->n_lines > s->header_idx + OTHER_CONTEXT_GRACE)
			close_slot(p, s);
		else
			blocked = true;
	}
	return !blocked;
}

/* Without caller ids another crash or an info message with its own stack,
 * on any line, ends the text a report is titled from (syzkaller's
 * secondReportPos / reportEnd). */
static void
mark_title_end(struct kt_parser *p, const struct kt_line *l, bool is_hit,
	       const struct kt_detect_hit *hit)
{
	bool checked = false, info = false;
	for (size_t i = 0; i < MAX_OPEN; i++) {
		struct slot *s = &p->slots[i];
		if (!s->r || s->r->title_end || s->cx.kind == KT_LCTX_TASK ||
		    s->cx.kind == KT_LCTX_CPU || s->cx.kind == KT_LCTX_XEN)
			continue;
		if (!checked) {
			info = (is_hit && !hit->inside) ||
			       kt_cut_classify_some(p->cut, l->text,
						    KT_CUT_BIT(KT_CUT_INFOSTACK), NULL);
			checked = true;
		}
		if (info)
			s->r->title_end = s->r->n_lines;
	}
}

/* Finish the reports whose context has been silent for STALE_LINES. */
static void
close_stale(struct kt_parser *p)
{
	for (size_t i = 0; i < MAX_OPEN; i++) {
		struct slot *s = &p->slots[i];
		if (!s->r || p->n_fed - s->last_fed <= STALE_LINES)
			continue;
		if (!s->body)
			expire(p, s);
		if (s->r)
			close_slot(p, s);
	}
}

/* Xen's echo of a dom0 crash while dom0's report is still open (a serial
 * console with (XEN) lines): it is that report's xen section. */
static bool
echo_into_open(struct kt_parser *p, const struct kt_line *l)
{
	struct slot *s = NULL;
	for (size_t i = 0; i < MAX_OPEN; i++)
		if (p->slots[i].r && p->slots[i].body && p->slots[i].cx.kind != KT_LCTX_XEN &&
		    (!s || p->slots[i].seq > s->seq))
			s = &p->slots[i];
	if (!s)
		return false;
	s->r->xen.present = true;
	if (!s->r->xen.crash_reason)
		s->r->xen.crash_reason = kt_report_strndup(s->r, l->text.p, l->text.len);
	kt_report_note(s->r, l->no, KT_SEV_INFO, "Xen's console repeats this crash: \"%.*s\"",
		       (int)(l->text.len > 200 ? 200 : l->text.len), l->text.p);
	return true;
}

/* The line right after a header, in any context, says the header was cut
 * short and is printed again: drop the report the header opened. */
static bool
replayed(struct kt_parser *p, const struct kt_line *l)
{
	for (size_t i = 0; i < MAX_OPEN; i++) {
		struct slot *s = &p->slots[i];
		if (!s->r || !s->just_opened)
			continue;
		s->just_opened = false;
		if (kt_cut_classify_some(p->cut, l->text, KT_CUT_BIT(KT_CUT_REPLAY), NULL)) {
			restore_shadow(s);
			return true;
		}
	}
	return false;
}

/* A new boot: the timestamp goes back to ~0, a journal boundary, or the
 * kernel banner. */
static bool
new_boot(struct kt_parser *p, const struct kt_line *l)
{
	bool boot = l->boundary;
	if (l->ts >= 0 && !l->xen) {
		if (p->last_ts >= BOOT_TS && l->ts < BOOT_TS && l->ts + 1 < p->last_ts)
			boot = true;
		p->last_ts = l->ts;
	}
	if (!boot && l->text.len && l->text.p[0] == 'L')
		boot = kt_cut_classify_some(p->cut, l->text, KT_CUT_BIT(KT_CUT_BOOT), NULL) != 0;
	return boot;
}

void
kt_parser_feed(struct kt_parser *p, const struct kt_line *l)
{
	struct kt_lctx cx = kt_cut_context(l);
	struct kt_detect_hit hit;

	p->n_fed++;
	if (new_boot(p, l) && any_open(p)) {
		for (size_t i = 0; i < MAX_OPEN; i++)
			if (p->slots[i].r && !p->slots[i].body)
				expire(p, &p->slots[i]);
		close_all(p, "a new boot begins inside the report (no end marker, no bottom frame)");
	}
	bool prov = has_provenance(l);
	if (prov && !p->seen_prov) {
		p->seen_prov = true;
		drop_candidates(p);
	}
	if (!prov && l->text.len && any_open(p))
		drop_echoed(p, l);
	bool is_hit = kt_detect_line(p->det, l->text, l->xen, &hit);
	if (!any_open(p)) {
		feed_idle(p, l, cx, is_hit, &hit);
		return;
	}
	close_stale(p);
	if (replayed(p, l))
		return;
	if (is_hit && hit.echo && echo_into_open(p, l))
		return;
	mark_title_end(p, l, is_hit, &hit);
	struct slot *s = find_slot(p, cx);
	if (s) {
		if (feed_slot(p, s, l, is_hit, &hit))
			return;
	} else if (!feed_other(p, l, cx, is_hit, &hit)) {
		ring_push(p, l, cx);
		return;
	}
	feed_idle(p, l, cx, is_hit, &hit);
}

void
kt_parser_end(struct kt_parser *p)
{
	p->ending = true;
	for (size_t i = 0; i < MAX_OPEN; i++) {
		struct slot *s = &p->slots[i];
		if (!s->r)
			continue;
		if (!s->body)
			expire(p, s);
		if (!s->r)
			continue;
		if (s->r->n_lines > 0 && s->r->n_lines == s->header_idx + 1)
			kt_report_note(s->r, s->r->source.last_line, KT_SEV_WARN,
				       "input ends right after the report header");
		close_cut(p, s, "the input ends inside the report (no end marker, no bottom frame)");
	}
	for (size_t i = 0; i < p->n_cand; i++)
		queue(p, p->cand[i], p->cand_seq[i]);
	p->n_cand = 0;
	p->ring_n = 0;
}

struct kt_report *
kt_parser_take(struct kt_parser *p)
{
	if (p->head_done >= p->n_done)
		return NULL;
	/* an open report that began earlier comes first */
	uint64_t first = p->done[p->head_done].seq;
	if (p->n_cand && p->cand_seq[0] < first)
		return NULL;
	for (size_t i = 0; i < MAX_OPEN; i++) {
		const struct slot *s = &p->slots[i];
		if ((s->r && s->seq < first) || (s->shadow && s->shadow_st.seq < first))
			return NULL;
	}
	return p->done[p->head_done++].r;
}

bool
kt_parser_idle(const struct kt_parser *p)
{
	return !any_open(p) && !p->n_cand && p->head_done >= p->n_done;
}

bool
kt_parser_in_tail(const struct kt_parser *p)
{
	bool open = false;

	/* every open report (one per printk context) is in its tail */
	for (size_t i = 0; i < MAX_OPEN; i++) {
		if (!p->slots[i].r)
			continue;
		if (!p->slots[i].tail)
			return false;
		open = true;
	}
	return open;
}

static uint32_t
min_line(uint32_t lo, const struct kt_report *r)
{
	return r && r->source.first_line < lo ? r->source.first_line : lo;
}

uint32_t
kt_parser_first_pending(const struct kt_parser *p)
{
	uint32_t lo = UINT32_MAX;

	for (size_t i = 0; i < MAX_OPEN; i++)
		lo = min_line(min_line(lo, p->slots[i].r), p->slots[i].shadow);
	for (size_t i = 0; i < p->n_cand; i++)
		lo = min_line(lo, p->cand[i]);
	for (size_t i = p->head_done; i < p->n_done; i++)
		lo = min_line(lo, p->done[i].r);
	return lo;
}

bool
kt_parser_seen_provenance(const struct kt_parser *p)
{
	return p->seen_prov;
}

const struct kt_detect *
kt_parser_detector(const struct kt_parser *p)
{
	return p->det;
}

static void
put_bytes(struct kt_buf *out, const void *v, size_t n)
{
	kt_buf_add(out, v, n);
}

bool
kt_parser_state(const struct kt_parser *p, uint32_t origin, struct kt_buf *out)
{
	uint8_t prov = p->seen_prov;
	uint64_t n = p->ring_n;

	if (!kt_parser_idle(p))
		return false;
	for (size_t i = 0; i < MAX_OPEN; i++)
		if (p->slots[i].r || p->slots[i].shadow)
			return false;
	put_bytes(out, &prov, sizeof(prov));
	put_bytes(out, &p->last_ts, sizeof(p->last_ts));
	put_bytes(out, &n, sizeof(n));
	for (size_t k = 0; k < p->ring_n; k++) {	/* oldest first */
		const struct ring_line *rl =
			&p->ring[(p->ring_next + 2 * KT_MAX_PREFIX_LINES - p->ring_n + k) %
				 KT_MAX_PREFIX_LINES];
		uint64_t len = rl->len;
		uint32_t no = rl->no - origin;
		int32_t cx[2] = { (int32_t)rl->cx.kind, (int32_t)rl->cx.id };

		put_bytes(out, &len, sizeof(len));
		put_bytes(out, rl->text, rl->len);
		put_bytes(out, &no, sizeof(no));
		put_bytes(out, cx, sizeof(cx));
	}
	return true;
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
