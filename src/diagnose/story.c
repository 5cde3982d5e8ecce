/*
 * diagnose: the "what happened" story. Builds r->story, one plain sentence
 * per entry, only from report fields and the frame-meaning table
 * data/diagnose/frames.tsv: where the work came from, the context, the call
 * path, the fault, the outcome. It does not guess: a sentence whose fields
 * are missing is left out.
 */
#include "diagnose/diagnose.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/data.h"
#include "util/mem.h"
#include "util/str.h"

#define PATH_FRAMES	6

enum role { ROLE_ORIGIN, ROLE_CONTEXT, ROLE_HELPER, ROLE_KEXEC };

struct row {
	struct kt_pcre re;
	enum role role;
	enum kt_context context;	/* KT_CONTEXT_UNKNOWN for "-" */
	char *phrase;
};

struct kt_frame_table {
	struct row *rows;
	size_t n;
	/* All rows as one anchored alternation, each branch ending in
	 * (*MARK:i): one match per frame instead of one per row (the story
	 * classifies every frame several times). NULL: match row by row. */
	struct kt_pcre all;	/* code NULL: none */
	struct kt_buf all_src;
	/* classify() results by function name: the same kernel functions
	 * appear in report after report. Open addressing; emptied when full.
	 * The only part written after loading: guarded by memo_lock, as the
	 * built-in rules' table is shared by threads (kt_ctx_share_tables). */
	pthread_mutex_t memo_lock;
	struct memo_slot {
		char *name;
		long row;	/* -1: no row */
	} *memo;
	size_t memo_used;
};

#define MEMO_SLOTS	4096	/* power of two; filled to 3/4 at most */

void
kt_frame_table_free(struct kt_frame_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		kt_pcre_deinit(&t->rows[i].re);
		free(t->rows[i].phrase);
	}
	free(t->rows);
	kt_pcre_deinit(&t->all);
	for (size_t i = 0; t->memo && i < MEMO_SLOTS; i++)
		free(t->memo[i].name);
	free(t->memo);
	(void)pthread_mutex_destroy(&t->memo_lock);
	kt_buf_deinit(&t->all_src);
	free(t);
}

/* "pattern<TAB>role<TAB>context<TAB>phrase<TAB>source"; '#' comments and
 * the header row are skipped, malformed rows are ignored (the table is
 * checked by tests/unit/diagnose/test_story.c). */
static void
add_row(struct kt_ctx *ctx, struct kt_frame_table *t, struct kt_str line, size_t *cap)
{
	static const char *const roles[] = { "origin", "context", "helper", "kexec" };
	struct kt_str col[5];
	struct row row = { 0 };
	size_t n = 0;
	char *pat;
	pcre2_code *code;
	int err;
	PCRE2_SIZE off;

	while (n < 5) {
		long tab = kt_str_chr(line, '\t');

		col[n++] = tab < 0 ? line : kt_str_sub(line, 0, (size_t)tab);
		if (tab < 0)
			break;
		line = kt_str_skip(line, (size_t)tab + 1);
	}
	if (n < 4 || kt_str_eq_cstr(col[0], "pattern"))
		return;
	row.role = (enum role)4;
	for (size_t i = 0; i < 4; i++)
		if (kt_str_eq_cstr(col[1], roles[i]))
			row.role = (enum role)i;
	if ((int)row.role == 4)
		return;
	if (!kt_str_eq_cstr(col[2], "-")) {
		char buf[32];

		(void)snprintf(buf, sizeof(buf), "%.*s", (int)col[2].len, col[2].p);
		row.context = kt_context_from_name(buf);
	}
	pat = kt_malloc(col[0].len + 8);
	(void)snprintf(pat, col[0].len + 8, "^(?:%.*s)$", (int)col[0].len, col[0].p);
	code = kt_pcre_compile(ctx, pat, PCRE2_ZERO_TERMINATED, 0, &err, &off);
	free(pat);
	if (!code)
		return;
	kt_pcre_init(&row.re, code);
	kt_buf_printf(&t->all_src, "%s(?:%.*s)(*MARK:%zu)", t->n ? "|" : "^(?:",
		      (int)col[0].len, col[0].p, t->n);
	row.phrase = kt_strndup(col[3].p, col[3].len);
	if (t->n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		t->rows = kt_realloc(t->rows, *cap * sizeof(*t->rows));
	}
	t->rows[t->n++] = row;
}

struct kt_frame_table *
kt_frame_table_load(struct kt_ctx *ctx)
{
	struct kt_frame_table *t = kt_calloc(1, sizeof(*t));
	struct kt_data_blob blob;
	struct kt_str rest;
	size_t cap = 0;

	kt_pcre_init(&t->all, NULL);
	(void)pthread_mutex_init(&t->memo_lock, NULL);
	if (kt_data_read(ctx, "diagnose/frames.tsv", &blob) != 0)
		return t;	/* no knowledge: the story uses report fields only */
	rest = kt_str_make(blob.data, blob.len);
	while (rest.len) {
		long nl = kt_str_chr(rest, '\n');
		struct kt_str line = nl < 0 ? rest : kt_str_sub(rest, 0, (size_t)nl);

		rest = nl < 0 ? kt_str_make(rest.p + rest.len, 0) : kt_str_skip(rest, (size_t)nl + 1);
		if (line.len && line.p[line.len - 1] == '\r')
			line.len--;
		if (line.len && line.p[0] != '#')
			add_row(ctx, t, line, &cap);
	}
	kt_data_blob_deinit(&blob);
	if (t->n) {
		int err;
		PCRE2_SIZE off;

		kt_buf_adds(&t->all_src, ")$");
		kt_pcre_init(&t->all, kt_pcre_compile(ctx, t->all_src.p, t->all_src.len, 0,
						      &err, &off));
	}
	return t;
}

size_t
kt_frame_table_count(const struct kt_frame_table *t)
{
	return t ? t->n : 0;
}

/* First row (table order) that matches fn, or NULL. */
static const struct row *
classify_uncached(const struct kt_frame_table *t, const char *fn)
{
	pcre2_match_data *md = kt_pcre_scratch(1);

	if (t && fn && t->all.code) {
		const char *mark;
		char *end;
		unsigned long i;

		if (kt_pcre_match(&t->all, fn, strlen(fn), 0, md, NULL) < 0)
			return NULL;
		mark = (const char *)pcre2_get_mark(md);
		i = mark ? strtoul(mark, &end, 10) : t->n;
		return i < t->n ? &t->rows[i] : NULL;
	}
	for (size_t i = 0; t && fn && i < t->n; i++)
		if (kt_pcre_match(&t->rows[i].re, fn, strlen(fn), 0, md, NULL) >= 0)
			return &t->rows[i];
	return NULL;
}

static const struct row *
classify_locked(struct kt_frame_table *t, const char *fn, uint64_t h)
{
	const struct row *row;
	size_t i;

	if (!t->memo)
		t->memo = kt_calloc(MEMO_SLOTS, sizeof(*t->memo));
	for (i = h & (MEMO_SLOTS - 1); t->memo[i].name; i = (i + 1) & (MEMO_SLOTS - 1))
		if (strcmp(t->memo[i].name, fn) == 0)
			return t->memo[i].row < 0 ? NULL : &t->rows[t->memo[i].row];
	row = classify_uncached(t, fn);
	if (t->memo_used >= MEMO_SLOTS / 4 * 3) {
		for (size_t k = 0; k < MEMO_SLOTS; k++) {
			free(t->memo[k].name);
			t->memo[k].name = NULL;
		}
		t->memo_used = 0;
		for (i = h & (MEMO_SLOTS - 1); t->memo[i].name; i = (i + 1) & (MEMO_SLOTS - 1))
			;
	}
	t->memo[i].name = kt_strdup(fn);
	t->memo[i].row = row ? (long)(row - t->rows) : -1;
	t->memo_used++;
	return row;
}

static const struct row *
classify(const struct kt_frame_table *ct, const char *fn)
{
	struct kt_frame_table *t = (struct kt_frame_table *)ct;	/* the memo only */
	uint64_t h = 1469598103934665603ull;
	const struct row *row;

	if (!t || !fn)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)fn; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	(void)pthread_mutex_lock(&t->memo_lock);
	row = classify_locked(t, fn, h);
	(void)pthread_mutex_unlock(&t->memo_lock);
	return row;
}

/* The frames the story reads: the report's trace, or Xen's guest trace. */
static const struct kt_frame *
frames_of(const struct kt_report *r, size_t *n)
{
	*n = r->n_frames ? r->n_frames : r->xen.n_frames;
	return r->n_frames ? r->frames : r->xen.frames;
}

/* Every frame's row, classified once per report (the sentences below
 * each walk the trace; classifying per walk was most of the story's cost). */
struct memo {
	const struct row **frames;	/* one per r->frames[i] */
	const struct row **xen;		/* one per r->xen.frames[i] */
};

static const struct row **
classify_all(struct kt_report *r, const struct kt_frame_table *t, const struct kt_frame *f,
	     size_t n)
{
	const struct row **v = kt_report_alloc(r, (n ? n : 1) * sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = classify(t, f[i].function);
	return v;
}

/* The memo entries that go with frames_of(). */
static const struct row **
rows_of(const struct memo *m, const struct kt_report *r)
{
	return r->n_frames ? m->frames : m->xen;
}

enum kt_context
kt_frame_table_context(const struct kt_frame_table *t, const struct kt_report *r,
		       const char **ret_why)
{
	size_t n;
	const struct kt_frame *f = frames_of(r, &n);

	*ret_why = NULL;
	/* innermost reliable frame whose meaning fixes the context; the decode
	 * stage's verdict (r->context) wins, the frame then only names why */
	for (size_t i = 0; i < n; i++) {
		const struct row *row = f[i].reliable ? classify(t, f[i].function) : NULL;

		if (row && row->context != KT_CONTEXT_UNKNOWN &&
		    (r->context == KT_CONTEXT_UNKNOWN || r->context == row->context)) {
			*ret_why = f[i].function;
			return row->context;
		}
	}
	if (r->context != KT_CONTEXT_UNKNOWN) {
		*ret_why = r->context_why;
		return r->context;
	}
	if (r->kind == KT_KIND_XEN_CRASH)
		return KT_CONTEXT_HYPERVISOR;
	/* a cut-short report: the stack section alone does not tell hard
	 * from soft irq (docs/report-json.md "incomplete") */
	if (r->incomplete)
		return KT_CONTEXT_UNKNOWN;
	for (size_t i = 0; i < n; i++) {
		if (f[i].stack == KT_STACK_SOFTIRQ)
			return KT_CONTEXT_SOFTIRQ;
		if (f[i].stack == KT_STACK_NMI)
			return KT_CONTEXT_NMI;
		if (f[i].stack == KT_STACK_IRQ)
			return KT_CONTEXT_HARDIRQ;
	}
	return KT_CONTEXT_UNKNOWN;
}

static void
say(struct kt_report *r, size_t *cap, const char *sentence)
{
	*(const char **)kt_arena_push(r->arena, (void **)&r->story, &r->n_story, cap,
				      sizeof(char *)) = sentence;
}

/* Sentence: where the work came from. Fields: frames[].function/reliable
 * (or xen.frames), the table's origin rows in table order. */
static const char *
origin_sentence(const struct memo *m, struct kt_report *r, const char **ret_fn)
{
	size_t n;
	const struct kt_frame *f = frames_of(r, &n);
	const struct row **rows = rows_of(m, r);

	const struct row *best = NULL;

	*ret_fn = NULL;
	/* The origin row earliest in table order wins, at its first frame:
	 * one classification per frame (rows are contiguous, so pointer order
	 * is table order). */
	for (size_t i = 0; i < n; i++) {
		const struct row *row;

		if (!f[i].reliable || !f[i].function)
			continue;
		row = rows[i];
		if (row && row->role == ROLE_ORIGIN && (!best || row < best)) {
			best = row;
			*ret_fn = f[i].function;
		}
	}
	if (!best)
		return NULL;
	return kt_report_printf(r, "The work came from %s (%s).", best->phrase, *ret_fn);
}

/* Sentence: the call path, innermost first. Fields: ip.function, frames[]
 * (function, reliable); helper rows are left out. An unreliable first trace
 * entry is kept: a leaf function such as memcpy sets up no frame, so its
 * caller is printed with '?' although it is the real caller. */
static const char *
path_sentence(const struct memo *m, struct kt_report *r, const char *origin_fn)
{
	struct kt_buf b;
	size_t n, shown = 0;
	const struct kt_frame *f = frames_of(r, &n);
	const struct row **rows = rows_of(m, r);
	bool origin_shown = false;
	const char *out;

	kt_buf_init(&b);
	if (r->ip.function) {
		kt_buf_adds(&b, r->ip.function);
		shown++;
	}
	for (size_t i = 0; i < n && shown < PATH_FRAMES; i++) {
		const struct row *row = rows[i];

		if (!f[i].function || (!f[i].reliable && i > 0) || (row && row->role == ROLE_HELPER))
			continue;
		if (shown == 1 && r->ip.function && !strcmp(f[i].function, r->ip.function))
			continue;
		kt_buf_printf(&b, "%s%s", b.len ? " <- " : "", f[i].function);
		origin_shown |= origin_fn && !strcmp(f[i].function, origin_fn);
		shown++;
	}
	if (shown < 2) {
		kt_buf_deinit(&b);
		return NULL;
	}
	if (origin_fn && !origin_shown)
		kt_buf_printf(&b, " <- ... <- %s", origin_fn);
	out = kt_report_printf(r, "The call path, innermost first: %s.", b.p);
	kt_buf_deinit(&b);
	return out;
}

/* Sentence: the fault. Fields: fault.{present,has_address,address,access,
 * mode,reason}, ip.{function,offset}; else kind and header. */
static const char *
fault_sentence(struct kt_report *r)
{
	const struct kt_fault *f = &r->fault;
	char where[256] = "";

	if (r->ip.function)
		(void)snprintf(where, sizeof(where), " in %s+0x%" PRIx64, r->ip.function,
			       r->ip.offset);
	if (f->present && f->has_address)
		return kt_report_printf(r, "The CPU faulted%s on a %s%s%s access to address 0x%" PRIx64
					"%s%s%s.", where,
					f->access ? f->access : "memory",
					f->mode ? " " : "", f->mode ? f->mode : "",
					f->address, f->reason ? " (" : "", f->reason ? f->reason : "",
					f->reason ? ")" : "");
	if (r->header)
		return kt_report_printf(r, "%s printed this report (kind %s%s): \"%s\".",
					r->kind == KT_KIND_XEN_CRASH ||
					r->kind == KT_KIND_XEN_DOMAIN_CRASH ? "Xen" : "The kernel",
					kt_kind_name(r->kind), where, r->header);
	return NULL;
}

/* Sentence: the faulting instruction. Fields: insns[].faulting/text,
 * insn_note. */
static const char *
insn_sentence(struct kt_report *r)
{
	for (size_t i = 0; i < r->n_insns; i++) {
		if (!r->insns[i].faulting || !r->insns[i].text)
			continue;
		/* the decode stage's note already quotes the instruction */
		if (r->insn_note && strstr(r->insn_note, r->insns[i].text))
			return kt_report_printf(r, "Faulting instruction: %s.", r->insn_note);
		return kt_report_printf(r, "Faulting instruction: %s%s%s.", r->insns[i].text,
					r->insn_note ? ": " : "", r->insn_note ? r->insn_note : "");
	}
	return NULL;
}

/* Sentence: the outcome. Fields: panic, oops, xen.crash_reason. */
static const char *
outcome_sentence(struct kt_report *r)
{
	if (r->panic)
		return kt_report_printf(r, "The kernel then panicked: \"%s\".", r->panic);
	if (r->xen.crash_reason)
		return kt_report_printf(r, "Xen then crashed: \"%s\".", r->xen.crash_reason);
	if (r->oops)
		return kt_report_printf(r, "The kernel printed an oops (\"%s\"); "
					"the report shows no panic after it.", r->oops);
	return NULL;
}

/* Sentence: kexec into the crash kernel. Fields: frames[] and xen.frames[]
 * matching kexec rows, xen.present. */
static const char *
kexec_sentence(const struct memo *m, struct kt_report *r)
{
	const struct kt_frame *sets[2] = { r->frames, r->xen.frames };
	const struct row **rows[2] = { m->frames, m->xen };
	size_t ns[2] = { r->n_frames, r->xen.n_frames };

	for (int s = 0; s < 2; s++) {
		for (size_t i = 0; i < ns[s]; i++) {
			const struct row *row = rows[s][i];

			if (!row || row->role != ROLE_KEXEC)
				continue;
			if (r->xen.present)
				return kt_report_printf(r, "Xen then ran its kexec crash path (%s%s), "
							"which boots the crash kernel that writes "
							"the crash folder.", sets[s][i].function,
							s ? " in the dom0 guest state" : "");
			return kt_report_printf(r, "The kernel then entered the kexec crash path (%s) "
						"to boot the crash kernel.", sets[s][i].function);
		}
	}
	return NULL;
}

static int
story(struct kt_ctx *ctx, const struct kt_frame_table *t, struct kt_report *r)
{
	size_t cap = 0;
	const char *origin_fn, *why, *s;
	enum kt_context c = kt_frame_table_context(t, r, &why);
	struct memo m = { classify_all(r, t, r->frames, r->n_frames),
			  classify_all(r, t, r->xen.frames, r->xen.n_frames) };

	(void)ctx;
	r->story = NULL;
	r->n_story = 0;
	if ((s = origin_sentence(&m, r, &origin_fn)))
		say(r, &cap, s);
	/* Sentence: the context. Fields: context / context_why, or the frame
	 * that decided it (kt_frame_table_context). */
	if (c != KT_CONTEXT_UNKNOWN) {
		/* the decode stage's reason can be a list of clauses: keep the first */
		int wlen = why ? (int)strcspn(why, ";(") : 0;

		while (wlen > 0 && why[wlen - 1] == ' ')
			wlen--;
		say(r, &cap, kt_report_printf(r, "It ran in %s context%s%.*s%s.", kt_context_name(c),
					      wlen ? " (" : "", wlen, wlen ? why : "", wlen ? ")" : ""));
	}
	if ((s = path_sentence(&m, r, origin_fn)))
		say(r, &cap, s);
	if ((s = fault_sentence(r)))
		say(r, &cap, s);
	if ((s = insn_sentence(r)))
		say(r, &cap, s);
	if ((s = outcome_sentence(r)))
		say(r, &cap, s);
	if ((s = kexec_sentence(&m, r)))
		say(r, &cap, s);
	return 0;
}

int
kt_diagnose_story_with(struct kt_ctx *ctx, const struct kt_frame_table *t, struct kt_report *r)
{
	return story(ctx, t, r);
}

int
kt_diagnose_story(struct kt_ctx *ctx, struct kt_report *r)
{
	struct kt_frame_table *t;
	int rc;

	if (!r)
		return kt_error(ctx, KT_EINVAL, "kt_diagnose_story: NULL report");
	t = kt_frame_table_load(ctx);
	rc = story(ctx, t, r);
	kt_frame_table_free(t);
	return rc;
}
