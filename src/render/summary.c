/*
 * render: what a run found, in a few lines. A kt_summary counts reports
 * (per bucket, per rule) and inputs; from it come the verdict that leads
 * each input's output, the closing summary, and `analyze --summary`'s one
 * line per bucket. It copies what it needs, so reports can be freed as
 * they stream by, and keeps at most KT_SUMMARY_MAX_BUCKETS buckets and
 * rules (the rest is counted, not listed).
 */
#include <ktriage/summary.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/html.h"
#include "render/jsonw.h"
#include "util/str.h"

#define MAX_HOSTS 4		/* host names listed per bucket */
#define MAX_PROBLEMS 8		/* problems listed (all are counted) */

struct top {
	char *rule, *title, *severity, *confidence, *first_step;
	char **raise;
	size_t n_raise;
	bool raise_hf;
};

struct bucket {
	char *key, *title;
	char *input;		/* the first input it was seen in */
	bool real_key;		/* key is the bucket id (not a title) */
	size_t count;
	char *first, *last;	/* time of the first and last crash, or NULL */
	char *hosts[MAX_HOSTS];
	size_t n_hosts;
	bool more_hosts;
	bool has_top;
	struct top top;
};

struct rulecount {
	char *rule, *title;
	size_t count;
};

struct kt_summary {
	size_t inputs, bad_inputs, reports, unlisted;	/* unlisted: reports past the bucket cap */
	struct bucket *b;
	size_t n_b, cap_b;
	uint32_t *slot;		/* hash of the keys: index + 1 in b, 0 = free */
	size_t n_slot;		/* a power of two, at least twice n_b; 0 = none yet */
	struct rulecount *rc;
	size_t n_rc, cap_rc;
	char *problems[MAX_PROBLEMS];
	size_t n_problems;
	bool xen;		/* some report came from Xen / XenServer */
};

static char *
dup(const char *s)
{
	char *p;

	if (!s)
		return NULL;
	p = strdup(s);
	if (!p)
		abort();	/* the library's OOM policy (STYLE.md §4) */
	return p;
}

static void *
grow(void *v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 16;
	v = realloc(v, *cap * size);
	if (!v)
		abort();
	return v;
}

struct kt_summary *
kt_summary_new(void)
{
	struct kt_summary *s = calloc(1, sizeof(*s));

	if (!s)
		abort();
	return s;
}

static void
top_free(struct top *t)
{
	free(t->rule);
	free(t->title);
	free(t->severity);
	free(t->confidence);
	free(t->first_step);
	for (size_t i = 0; i < t->n_raise; i++)
		free(t->raise[i]);
	free(t->raise);
}

/* Free what `s` holds and leave it empty. */
static void
kt_summary_free_contents(struct kt_summary *s)
{
	for (size_t i = 0; i < s->n_b; i++) {
		struct bucket *b = &s->b[i];

		free(b->key);
		free(b->title);
		free(b->input);
		free(b->first);
		free(b->last);
		for (size_t k = 0; k < b->n_hosts; k++)
			free(b->hosts[k]);
		if (b->has_top)
			top_free(&b->top);
	}
	free(s->b);
	free(s->slot);
	for (size_t i = 0; i < s->n_rc; i++) {
		free(s->rc[i].rule);
		free(s->rc[i].title);
	}
	free(s->rc);
	for (size_t i = 0; i < s->n_problems; i++)
		free(s->problems[i]);
	*s = (struct kt_summary){ 0 };
}

void
kt_summary_free(struct kt_summary *s)
{
	if (!s)
		return;
	kt_summary_free_contents(s);
	free(s);
}

size_t
kt_summary_reports(const struct kt_summary *s)
{
	return s->reports;
}

/* ---- the bucket index ---------------------------------------------------- */

/* FNV-1a (http://www.isthe.com/chongo/tech/comp/fnv/): keys are bucket
 * ids or titles, a few thousand at most; a linear search per report made
 * the summary a tenth of analyze's time at 10,000 crashes. */
static size_t
key_hash(const char *k)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 0x100000001b3ull;
	return (size_t)(h ^ (h >> 32));
}

/* The slot of `key`: the one that holds it, or the free one where it goes. */
static size_t
slot_of(const struct kt_summary *s, const char *key)
{
	size_t mask = s->n_slot - 1, i = key_hash(key) & mask;

	while (s->slot[i] && strcmp(s->b[s->slot[i] - 1].key, key))
		i = (i + 1) & mask;
	return i;
}

/* Keep at least twice as many slots as buckets, `n` buckets to come. */
static void
index_grow(struct kt_summary *s, size_t n)
{
	size_t want = s->n_slot ? s->n_slot : 64;

	while (want < 2 * n)
		want *= 2;
	if (want == s->n_slot)
		return;
	free(s->slot);
	s->slot = calloc(want, sizeof(*s->slot));
	if (!s->slot)
		abort();
	s->n_slot = want;
	for (size_t i = 0; i < s->n_b; i++)
		s->slot[slot_of(s, s->b[i].key)] = (uint32_t)(i + 1);
}

static const struct bucket *
lookup(const struct kt_summary *s, const char *key)
{
	size_t i;

	if (!s->n_slot)
		return NULL;
	i = slot_of(s, key);
	return s->slot[i] ? &s->b[s->slot[i] - 1] : NULL;
}

size_t
kt_summary_bucket_count(const struct kt_summary *s, const struct kt_report *r)
{
	const char *key = r->bucket[0] ? r->bucket : (r->title ? r->title : "(untitled)");
	const struct bucket *b = lookup(s, key);

	return b ? b->count : 0;
}

/* ---- ranking ------------------------------------------------------------ */

static int
conf_rank(const char *c)
{
	return !c ? 0 : !strcmp(c, "high") ? 3 : !strcmp(c, "medium") ? 2 : 1;
}

static int
sev_rank(const char *s)
{
	static const char *const order[] = { "info", "low", "medium", "high", "critical" };

	for (int i = 0; s && i < 5; i++)
		if (!strcmp(s, order[i]))
			return i + 1;
	return 0;
}

/* > 0 when a ranks above b: confidence first, then severity. */
static int
top_cmp(const struct top *a, const struct top *b)
{
	int d = conf_rank(a->confidence) - conf_rank(b->confidence);

	return d ? d : sev_rank(a->severity) - sev_rank(b->severity);
}

static void
top_copy(struct top *t, const struct top *src)
{
	t->rule = dup(src->rule);
	t->title = dup(src->title);
	t->severity = dup(src->severity);
	t->confidence = dup(src->confidence);
	t->first_step = dup(src->first_step);
	t->n_raise = src->n_raise;
	t->raise = src->n_raise ? calloc(src->n_raise, sizeof(char *)) : NULL;
	if (src->n_raise && !t->raise)
		abort();
	for (size_t i = 0; i < src->n_raise; i++)
		t->raise[i] = dup(src->raise[i]);
	t->raise_hf = src->raise_hf;
}

/* A borrowed view of a report's finding, as a struct top. */
static struct top
top_view(const struct kt_finding *f)
{
	return (struct top){
		.rule = (char *)f->rule, .title = (char *)f->title,
		.severity = (char *)f->severity, .confidence = (char *)f->confidence,
		.first_step = f->n_remedy ? (char *)f->remedy[0] : NULL,
		.raise = (char **)f->raise, .n_raise = f->n_raise, .raise_hf = f->raise_host_facts,
	};
}

/* Keep the better of the bucket's top finding and `t`. */
static void
bucket_top(struct bucket *b, const struct top *t)
{
	if (b->has_top && top_cmp(t, &b->top) <= 0)
		return;
	if (b->has_top)
		top_free(&b->top);
	top_copy(&b->top, t);
	b->has_top = true;
}

/* ---- counting ----------------------------------------------------------- */

static struct bucket *
find_bucket(struct kt_summary *s, const char *key)
{
	const struct bucket *found = lookup(s, key);

	if (found)
		return &s->b[found - s->b];
	if (s->n_b >= KT_SUMMARY_MAX_BUCKETS)
		return NULL;
	index_grow(s, s->n_b + 1);
	s->b = grow(s->b, &s->cap_b, s->n_b, sizeof(*s->b));
	s->b[s->n_b] = (struct bucket){ .key = dup(key) };
	s->slot[slot_of(s, key)] = (uint32_t)(s->n_b + 1);
	return &s->b[s->n_b++];
}

static void
add_host(struct bucket *b, const char *h)
{
	if (!h || !*h)
		return;
	for (size_t i = 0; i < b->n_hosts; i++)
		if (!strcmp(b->hosts[i], h))
			return;
	if (b->n_hosts < MAX_HOSTS)
		b->hosts[b->n_hosts++] = dup(h);
	else
		b->more_hosts = true;
}

static void
set_time(char **slot, const char *t)
{
	if (!t)
		return;
	free(*slot);
	*slot = dup(t);
}

static void
count_rule(struct kt_summary *s, const char *rule, const char *title, size_t n)
{
	for (size_t i = 0; i < s->n_rc; i++) {
		if (!strcmp(s->rc[i].rule, rule)) {
			s->rc[i].count += n;
			return;
		}
	}
	if (s->n_rc >= KT_SUMMARY_MAX_BUCKETS)
		return;
	s->rc = grow(s->rc, &s->cap_rc, s->n_rc, sizeof(*s->rc));
	s->rc[s->n_rc++] = (struct rulecount){ dup(rule), dup(title), n };
}

void
kt_summary_add(struct kt_summary *s, const char *unit, const struct kt_report *r)
{
	const char *key = r->bucket[0] ? r->bucket : (r->title ? r->title : "(untitled)");
	struct bucket *b = find_bucket(s, key);
	char ts[48];
	const char *when = r->source.wallclock;

	s->reports++;
	s->xen |= r->xen.present;
	for (size_t i = 0; i < r->n_findings; i++)
		if (r->findings[i].rule)
			count_rule(s, r->findings[i].rule, r->findings[i].title, 1);
	if (!b) {
		s->unlisted++;
		return;
	}
	if (!when && r->source.timestamp >= 0) {
		snprintf(ts, sizeof(ts), "[%.6f]", r->source.timestamp);
		when = ts;
	}
	b->count++;
	b->real_key = r->bucket[0] != '\0';
	if (!b->input)
		b->input = dup(unit);
	if (!b->title)
		b->title = dup(r->title ? r->title : "(untitled crash)");
	if (!b->first)
		set_time(&b->first, when);
	set_time(&b->last, when);
	add_host(b, r->source.host);
	for (size_t i = 0; i < r->n_findings; i++) {
		struct top t = top_view(&r->findings[i]);

		if (t.rule && t.title)
			bucket_top(b, &t);
	}
}

void
kt_summary_input(struct kt_summary *s, const char *unit, bool ok, const char *why)
{
	s->inputs++;
	if (ok)
		return;
	s->bad_inputs++;
	if (s->n_problems < MAX_PROBLEMS) {
		size_t n = strlen(unit ? unit : "") + strlen(why ? why : "") + 3;
		char *p = malloc(n);

		if (!p)
			abort();
		snprintf(p, n, "%s: %s", unit ? unit : "", why ? why : "not read");
		s->problems[s->n_problems++] = p;
	}
}

void
kt_summary_merge(struct kt_summary *dst, const struct kt_summary *src)
{
	dst->inputs += src->inputs;
	dst->bad_inputs += src->bad_inputs;
	dst->reports += src->reports;
	dst->unlisted += src->unlisted;
	dst->xen |= src->xen;
	for (size_t i = 0; i < src->n_b; i++) {
		const struct bucket *sb = &src->b[i];
		struct bucket *b = find_bucket(dst, sb->key);

		if (!b) {
			dst->unlisted += sb->count;
			continue;
		}
		b->count += sb->count;
		b->real_key = sb->real_key;
		if (!b->input)
			b->input = dup(sb->input);
		if (!b->title)
			b->title = dup(sb->title);
		if (!b->first)
			set_time(&b->first, sb->first);
		set_time(&b->last, sb->last);
		for (size_t k = 0; k < sb->n_hosts; k++)
			add_host(b, sb->hosts[k]);
		b->more_hosts |= sb->more_hosts;
		if (sb->has_top)
			bucket_top(b, &sb->top);
	}
	for (size_t i = 0; i < src->n_rc; i++)
		count_rule(dst, src->rc[i].rule, src->rc[i].title, src->rc[i].count);
	for (size_t i = 0; i < src->n_problems && dst->n_problems < MAX_PROBLEMS; i++)
		dst->problems[dst->n_problems++] = dup(src->problems[i]);
}

void
kt_summary_move(struct kt_summary *dst, struct kt_summary *src)
{
	struct kt_summary t;

	if (dst->inputs || dst->reports || dst->unlisted || dst->n_b || dst->n_rc ||
	    dst->n_problems || dst->xen) {
		kt_summary_merge(dst, src);
		kt_summary_free_contents(src);
		return;
	}
	t = *dst;
	*dst = *src;
	*src = t;
}

/* ---- writing ------------------------------------------------------------ */

struct w {
	struct kt_buf b;
	enum kt_summary_fmt fmt;
};

/* Text from a log or a rule: as is in text; escaped in Markdown, so that
 * no HTML or markup from the input gets through. */
static void
put(struct w *w, const char *s)
{
	if (w->fmt != KT_SUMMARY_MD) {
		kt_buf_adds(&w->b, s ? s : "");
		return;
	}
	for (; s && *s; s++) {
		switch (*s) {
		case '<': kt_buf_adds(&w->b, "&lt;"); break;
		case '>': kt_buf_adds(&w->b, "&gt;"); break;
		case '&': kt_buf_adds(&w->b, "&amp;"); break;
		case '\n': case '\r': kt_buf_addc(&w->b, ' '); break;
		case '\\': case '`': case '*': case '_': case '[': case ']': case '#':
		case '|': case '~':
			kt_buf_addc(&w->b, '\\');
			kt_buf_addc(&w->b, *s);
			break;
		default: kt_buf_addc(&w->b, *s);
		}
	}
}

/* A command: in backticks in Markdown (a fence longer than any backtick
 * run inside is not needed: these commands are ours). */
static void
cmd(struct w *w, const char *c)
{
	if (w->fmt == KT_SUMMARY_MD)
		kt_buf_printf(&w->b, "`%s`", c);
	else
		kt_buf_adds(&w->b, c);
}

/* Start a line: an indented line in text, a list item in Markdown. */
static void
item(struct w *w, int depth)
{
	if (w->fmt == KT_SUMMARY_MD)
		kt_buf_printf(&w->b, "%*s- ", 2 * (depth - 1), "");
	else
		kt_buf_printf(&w->b, "%*s", 2 * depth, "");
}

static char *
finish(struct w *w, const struct kt_render_opts *o)
{
	if (!w->b.p)
		kt_buf_adds(&w->b, "");
	if (w->fmt == KT_SUMMARY_TEXT && o && (o->width > 0 || o->ascii))
		return kt_render_fit(w->b.p, o->width, o->ascii);
	return w->b.p;
}

static const struct bucket *
best_bucket(const struct kt_summary *s)
{
	const struct bucket *best = NULL;

	for (size_t i = 0; i < s->n_b; i++) {
		const struct bucket *b = &s->b[i];

		if (!b->has_top)
			continue;
		if (!best || top_cmp(&b->top, &best->top) > 0 ||
		    (top_cmp(&b->top, &best->top) == 0 && b->count > best->count))
			best = b;
	}
	return best;
}

static size_t
rule_count(const struct kt_summary *s, const char *rule)
{
	for (size_t i = 0; i < s->n_rc; i++)
		if (!strcmp(s->rc[i].rule, rule))
			return s->rc[i].count;
	return 0;
}

static const char *
plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

#define N_RAISE_CMDS 3

/* The commands that gather the host facts a finding lacks: audit the
 * crashed host, analyse `input` again with them and, on XenServer/XCP-ng,
 * the pool-wide plan for a network's MTU. `again` (n bytes) holds the
 * second one. The text and JSON verdicts both list these. */
static size_t
raise_commands(const struct kt_summary *s, const char *input, char *again, size_t n,
	       const char *ret[N_RAISE_CMDS])
{
	size_t k = 0;

	ret[k++] = s->xen ? "ktriage net audit --xe --format json > facts.json"
			  : "ktriage net audit --format json > facts.json";
	snprintf(again, n, "ktriage analyze --host-facts facts.json %.500s",
		 input ? input : "LOG");
	ret[k++] = again;
	if (s->xen)
		ret[k++] = "ktriage net plan --network NAME --mtu 1500 --xe";
	return k;
}

/* How to raise the confidence: what is missing, and the commands that
 * gather host facts when that is what is missing. */
static void
verdict_raise(struct w *w, const struct kt_summary *s, const struct top *t, const char *input)
{
	const char *c[N_RAISE_CMDS];
	char again[600];
	size_t n;

	item(w, 1);
	kt_buf_printf(&w->b, "Confidence is %s; this evidence would raise it:\n", t->confidence);
	for (size_t i = 0; i < t->n_raise; i++) {
		item(w, 2);
		if (w->fmt == KT_SUMMARY_TEXT)
			kt_buf_adds(&w->b, "- ");
		put(w, t->raise[i]);
		kt_buf_addc(&w->b, '\n');
	}
	if (!t->raise_hf)
		return;
	n = raise_commands(s, input, again, sizeof(again), c);
	item(w, 1);
	kt_buf_printf(&w->b, "The host facts come from the crashed host%s; gather them there, "
		      "then analyse again:\n", s->xen ? " (XenServer/XCP-ng: its pool master)" : "");
	for (size_t i = 0; i < 2; i++) {
		item(w, 2);
		cmd(w, c[i]);
		kt_buf_addc(&w->b, '\n');
	}
	if (n > 2) {
		item(w, 1);
		kt_buf_adds(&w->b, "On XenServer/XCP-ng, ");
		cmd(w, c[2]);
		kt_buf_adds(&w->b, " prints the pool-wide steps for a network's MTU.\n");
	}
}

char *
kt_summary_verdict(const struct kt_summary *s, const char *input, enum kt_summary_fmt fmt,
		   const struct kt_render_opts *o)
{
	struct w w = { .fmt = fmt };
	const struct bucket *b = best_bucket(s);
	size_t nb = s->n_b + (s->unlisted ? 1 : 0);

	kt_buf_init(&w.b);
	if (!s->reports)
		return finish(&w, o);
	if (!b) {
		kt_buf_adds(&w.b, fmt == KT_SUMMARY_MD ? "**Verdict:** " : "Verdict: ");
		kt_buf_printf(&w.b, "%zu %s in %zu %s; no rule of the knowledge base matched. "
			      "The first: ", s->reports, plural(s->reports, "crash", "crashes"), nb,
			      plural(nb, "bucket", "buckets"));
		put(&w, s->n_b ? s->b[0].title : "(untitled crash)");
		kt_buf_addc(&w.b, '\n');
		return finish(&w, o);
	}
	kt_buf_adds(&w.b, fmt == KT_SUMMARY_MD ? "**Verdict:** " : "Verdict: ");
	put(&w, b->top.title);
	kt_buf_addc(&w.b, '\n');
	if (fmt == KT_SUMMARY_MD)
		kt_buf_addc(&w.b, '\n');
	item(&w, 1);
	kt_buf_printf(&w.b, "%s, confidence %s (rule %s)", b->top.severity, b->top.confidence,
		      b->top.rule);
	if (s->reports > 1)
		kt_buf_printf(&w.b, "; in %zu of %zu crashes", rule_count(s, b->top.rule),
			      s->reports);
	if (nb > 1)
		kt_buf_printf(&w.b, " (%zu buckets)", nb);
	kt_buf_addc(&w.b, '\n');
	if (b->top.first_step) {
		item(&w, 1);
		kt_buf_adds(&w.b, "First step: ");
		put(&w, b->top.first_step);
		kt_buf_addc(&w.b, '\n');
	}
	if (conf_rank(b->top.confidence) < 3 && b->top.n_raise)
		verdict_raise(&w, s, &b->top, input);
	return finish(&w, o);
}

/* html: an escaped list item per string (`code`: each in <code>). */
static void
html_items(struct kt_buf *b, const char *cls, const char *const *v, size_t n, bool code)
{
	kt_buf_printf(b, "<ul class=\"%s\">", cls);
	for (size_t i = 0; i < n; i++) {
		kt_buf_adds(b, code ? "<li><code>" : "<li>");
		kt_html_esc(b, v[i]);
		kt_buf_adds(b, code ? "</code></li>" : "</li>");
	}
	kt_buf_adds(b, "</ul>\n");
}

/* The html verdict's lines after its title: what kt_summary_verdict()
 * writes after "Verdict: TITLE". */
static void
verdict_html_body(struct kt_buf *b, const struct kt_summary *s, const struct top *t,
		  const char *input, size_t nb)
{
	const char *c[N_RAISE_CMDS];
	char again[600];
	size_t n;

	kt_buf_adds(b, "<div class=\"meta\"><span class=\"badge ");
	kt_html_sev_class(b, "sev-", t->severity);
	kt_buf_adds(b, "\">");
	kt_html_esc(b, t->severity);
	kt_buf_adds(b, "</span><span>confidence ");
	kt_html_esc(b, t->confidence);
	kt_buf_adds(b, "</span><span>rule <code class=\"rule\">");
	kt_html_esc(b, t->rule);
	kt_buf_adds(b, "</code></span>");
	if (s->reports > 1)
		kt_buf_printf(b, "<span>in %zu of %zu crashes</span>", rule_count(s, t->rule),
			      s->reports);
	if (nb > 1)
		kt_buf_printf(b, "<span>%zu buckets</span>", nb);
	kt_buf_adds(b, "</div>\n");
	if (t->first_step) {
		kt_buf_adds(b, "<p class=\"first-step\"><b>First step:</b> ");
		kt_html_esc(b, t->first_step);
		kt_buf_adds(b, "</p>\n");
	}
	if (conf_rank(t->confidence) >= 3 || !t->n_raise)
		return;
	kt_buf_adds(b, "<p>Confidence is ");
	kt_html_esc(b, t->confidence);
	kt_buf_adds(b, "; this evidence would raise it:</p>\n");
	html_items(b, "raise", (const char *const *)t->raise, t->n_raise, false);
	if (!t->raise_hf)
		return;
	n = raise_commands(s, input, again, sizeof(again), c);
	kt_buf_printf(b, "<p>The host facts come from the crashed host%s; gather them there, "
		      "then analyse again:</p>\n", s->xen ? " (XenServer/XCP-ng: its pool master)"
							 : "");
	html_items(b, "commands", c, 2, true);
	if (n > 2) {
		kt_buf_adds(b, "<p>On XenServer/XCP-ng, <code>");
		kt_html_esc(b, c[2]);
		kt_buf_adds(b, "</code> prints the pool-wide steps for a network's MTU.</p>\n");
	}
}

char *
kt_summary_verdict_html(const struct kt_summary *s, const char *input)
{
	struct kt_buf b;
	const struct bucket *best;
	size_t nb;

	kt_buf_init(&b);
	kt_buf_adds(&b, "");
	if (!s || !s->reports)
		return b.p;
	best = best_bucket(s);
	nb = s->n_b + (s->unlisted ? 1 : 0);
	kt_buf_adds(&b, "<section class=\"verdict finding ");
	kt_html_sev_class(&b, "f-", best ? best->top.severity : "info");
	kt_buf_adds(&b, "\">\n<h2>Verdict for <code>");
	kt_html_esc(&b, input ? input : "?");
	kt_buf_adds(&b, "</code>: ");
	if (!best) {
		kt_buf_printf(&b, "%zu %s in %zu %s; no rule of the knowledge base matched. "
			      "The first: ", s->reports, plural(s->reports, "crash", "crashes"), nb,
			      plural(nb, "bucket", "buckets"));
		kt_html_esc(&b, s->n_b ? s->b[0].title : "(untitled crash)");
		kt_buf_adds(&b, "</h2>\n</section>\n");
		return b.p;
	}
	kt_html_esc(&b, best->top.title);
	kt_buf_adds(&b, "</h2>\n");
	verdict_html_body(&b, s, &best->top, input, nb);
	kt_buf_adds(&b, "</section>\n");
	return b.p;
}

static int
cmp_rule(const void *pa, const void *pb)
{
	const struct rulecount *a = pa, *b = pb;

	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	return strcmp(a->rule, b->rule);
}

/* The rule counts, most crashes first: a copy, the caller frees it (NULL
 * when there is none). */
static struct rulecount *
sorted_rules(const struct kt_summary *s)
{
	struct rulecount *rc = s->n_rc ? malloc(s->n_rc * sizeof(*rc)) : NULL;

	if (s->n_rc && !rc)
		abort();
	if (s->n_rc) {
		memcpy(rc, s->rc, s->n_rc * sizeof(*rc));
		qsort(rc, s->n_rc, sizeof(*rc), cmp_rule);
	}
	return rc;
}

char *
kt_summary_closing(const struct kt_summary *s, enum kt_summary_fmt fmt,
		   const struct kt_render_opts *o)
{
	struct w w = { .fmt = fmt };
	size_t nb = s->n_b + (s->unlisted ? 1 : 0);
	struct rulecount *rc = NULL;

	kt_buf_init(&w.b);
	kt_buf_adds(&w.b, fmt == KT_SUMMARY_MD ? "**Summary:** " : "Summary: ");
	kt_buf_printf(&w.b, "%zu %s read, ", s->inputs - s->bad_inputs,
		      plural(s->inputs - s->bad_inputs, "input", "inputs"));
	if (s->reports)
		kt_buf_printf(&w.b, "%zu %s in %s%zu distinct %s.\n", s->reports,
			      plural(s->reports, "crash", "crashes"), s->unlisted ? "over " : "",
			      nb, plural(nb, "bucket", "buckets"));
	else
		kt_buf_adds(&w.b, "no crash found.\n");
	if (fmt == KT_SUMMARY_MD)
		kt_buf_addc(&w.b, '\n');
	if (s->n_rc) {
		rc = sorted_rules(s);
		item(&w, 1);
		kt_buf_adds(&w.b, "findings by rule:");
		for (size_t i = 0; i < s->n_rc; i++) {
			kt_buf_printf(&w.b, "%s ", i ? "," : "");
			put(&w, rc[i].rule);
			kt_buf_printf(&w.b, " %zu", rc[i].count);
		}
		kt_buf_addc(&w.b, '\n');
		free(rc);
	} else if (s->reports) {
		item(&w, 1);
		kt_buf_adds(&w.b, "findings by rule: none (no rule matched)\n");
	}
	if (s->bad_inputs) {
		item(&w, 1);
		kt_buf_printf(&w.b, "problems: %zu %s could not be read\n", s->bad_inputs,
			      plural(s->bad_inputs, "input", "inputs"));
		for (size_t i = 0; i < s->n_problems; i++) {
			item(&w, 2);
			put(&w, s->problems[i]);
			kt_buf_addc(&w.b, '\n');
		}
	}
	return finish(&w, o);
}

static int
cmp_bucket(const void *pa, const void *pb)
{
	const struct bucket *const *a = pa, *const *b = pb;

	if ((*a)->count != (*b)->count)
		return (*a)->count < (*b)->count ? 1 : -1;
	return *a < *b ? -1 : *a > *b;	/* then first seen first */
}

/* The buckets, most crashes first. Caller frees the array (NULL when
 * there is no bucket). */
static const struct bucket **
sorted_buckets(const struct kt_summary *s)
{
	const struct bucket **v = s->n_b ? malloc(s->n_b * sizeof(*v)) : NULL;

	if (s->n_b && !v)
		abort();
	for (size_t i = 0; i < s->n_b; i++)
		v[i] = &s->b[i];
	if (s->n_b)
		qsort(v, s->n_b, sizeof(*v), cmp_bucket);
	return v;
}

char *
kt_summary_buckets(const struct kt_summary *s, enum kt_summary_fmt fmt,
		   const struct kt_render_opts *o)
{
	struct w w = { .fmt = fmt };
	const struct bucket **v = sorted_buckets(s);

	kt_buf_init(&w.b);
	if (fmt == KT_SUMMARY_MD && s->n_b)
		kt_buf_adds(&w.b, "| crashes | first | last | hosts | title | top finding |\n"
				  "| ---: | --- | --- | --- | --- | --- |\n");
	for (size_t i = 0; i < s->n_b; i++) {
		const struct bucket *b = v[i];
		const char *sep = fmt == KT_SUMMARY_MD ? " | " : "  ";

		kt_buf_printf(&w.b, fmt == KT_SUMMARY_MD ? "| %zu | " : "%6zu  ", b->count);
		put(&w, b->first ? b->first : "-");
		kt_buf_adds(&w.b, fmt == KT_SUMMARY_MD ? sep : " .. ");
		put(&w, b->last ? b->last : "-");
		kt_buf_adds(&w.b, sep);
		for (size_t k = 0; k < b->n_hosts; k++) {
			if (k)
				kt_buf_addc(&w.b, ',');
			put(&w, b->hosts[k]);
		}
		if (!b->n_hosts)
			kt_buf_adds(&w.b, "-");
		if (b->more_hosts)
			kt_buf_adds(&w.b, ",...");
		kt_buf_adds(&w.b, sep);
		put(&w, b->title);
		kt_buf_adds(&w.b, fmt == KT_SUMMARY_MD ? sep : "  => ");
		if (b->has_top) {
			put(&w, b->top.title);
			kt_buf_printf(&w.b, " (%s, rule %s)", b->top.confidence, b->top.rule);
		} else {
			kt_buf_adds(&w.b, "no finding");
		}
		kt_buf_adds(&w.b, fmt == KT_SUMMARY_MD ? " |\n" : "\n");
	}
	if (s->unlisted)
		kt_buf_printf(&w.b, "%s%zu more crashes in buckets past the first %d\n",
			      fmt == KT_SUMMARY_MD ? "\n" : "", s->unlisted, KT_SUMMARY_MAX_BUCKETS);
	free(v);
	return finish(&w, o);
}

/* ---- JSON: the same verdict and summary, for machines ------------------ */

/* A string array; an empty one when n is 0. */
static void
json_strs(struct kt_jsonw *j, const char *const *v, size_t n)
{
	kt_jsonw_arr(j);
	for (size_t i = 0; i < n; i++)
		kt_jsonw_str(j, v[i]);
	kt_jsonw_arr_end(j);
}

/* The VERDICT object of docs/report-json.md: what kt_summary_verdict()
 * says in text, as values. `run`: the verdict of a whole run, which names
 * the input its crash came from (and uses it in the commands). */
static void
verdict_json(struct kt_jsonw *j, const struct kt_summary *s, const char *input, bool run)
{
	const struct bucket *b = s ? best_bucket(s) : NULL;
	const struct bucket *crash = b ? b : s && s->n_b ? &s->b[0] : NULL;
	const struct top *t = b ? &b->top : NULL;
	bool raise = t && conf_rank(t->confidence) < 3 && t->n_raise;
	const char *c[N_RAISE_CMDS];
	char again[600];
	size_t n_cmds = 0;

	if (run && crash)
		input = crash->input;
	if (raise && t->raise_hf)
		n_cmds = raise_commands(s, input, again, sizeof(again), c);
	kt_jsonw_obj(j);
	KT_JSONW_KEY(j, "crashes");
	kt_jsonw_int(j, s ? (long long)s->reports : 0);
	KT_JSONW_KEY(j, "buckets");
	kt_jsonw_int(j, s ? (long long)(s->n_b + (s->unlisted ? 1 : 0)) : 0);
	KT_JSONW_KEY(j, "rule");
	kt_jsonw_str(j, t ? t->rule : NULL);
	KT_JSONW_KEY(j, "title");
	kt_jsonw_str(j, t ? t->title : NULL);
	KT_JSONW_KEY(j, "severity");
	kt_jsonw_str(j, t ? t->severity : NULL);
	KT_JSONW_KEY(j, "confidence");
	kt_jsonw_str(j, t ? t->confidence : NULL);
	KT_JSONW_KEY(j, "first_step");
	kt_jsonw_str(j, t ? t->first_step : NULL);
	KT_JSONW_KEY(j, "rule_crashes");
	kt_jsonw_int(j, t ? (long long)rule_count(s, t->rule) : 0);
	KT_JSONW_KEY(j, "crash_title");
	kt_jsonw_str(j, crash ? crash->title : NULL);
	KT_JSONW_KEY(j, "bucket");
	kt_jsonw_str(j, crash && crash->real_key ? crash->key : NULL);
	if (run) {
		KT_JSONW_KEY(j, "input");
		kt_jsonw_str(j, crash ? crash->input : NULL);
	}
	KT_JSONW_KEY(j, "raise");
	json_strs(j, raise ? (const char *const *)t->raise : NULL, raise ? t->n_raise : 0);
	KT_JSONW_KEY(j, "raise_needs_host_facts");
	kt_jsonw_bool(j, raise && t->raise_hf);
	KT_JSONW_KEY(j, "commands");
	json_strs(j, c, n_cmds);
	kt_jsonw_obj_end(j);
}

char *
kt_summary_verdict_json(const struct kt_summary *s, const char *input, int indent)
{
	struct kt_jsonw j;

	kt_jsonw_init(&j, indent);
	verdict_json(&j, s, input, false);
	return kt_jsonw_take(&j);
}

static void
json_buckets(struct kt_jsonw *j, const struct kt_summary *s)
{
	const struct bucket **v = sorted_buckets(s);

	kt_jsonw_arr(j);
	for (size_t i = 0; i < s->n_b; i++) {
		const struct bucket *b = v[i];

		kt_jsonw_obj(j);
		KT_JSONW_KEY(j, "bucket");
		kt_jsonw_str(j, b->real_key ? b->key : NULL);
		KT_JSONW_KEY(j, "title");
		kt_jsonw_str(j, b->title);
		KT_JSONW_KEY(j, "crashes");
		kt_jsonw_int(j, (long long)b->count);
		KT_JSONW_KEY(j, "first");
		kt_jsonw_str(j, b->first);
		KT_JSONW_KEY(j, "last");
		kt_jsonw_str(j, b->last);
		KT_JSONW_KEY(j, "hosts");
		json_strs(j, (const char *const *)b->hosts, b->n_hosts);
		KT_JSONW_KEY(j, "more_hosts");
		kt_jsonw_bool(j, b->more_hosts);
		KT_JSONW_KEY(j, "input");
		kt_jsonw_str(j, b->input);
		KT_JSONW_KEY(j, "rule");
		kt_jsonw_str(j, b->has_top ? b->top.rule : NULL);
		KT_JSONW_KEY(j, "finding");
		kt_jsonw_str(j, b->has_top ? b->top.title : NULL);
		KT_JSONW_KEY(j, "confidence");
		kt_jsonw_str(j, b->has_top ? b->top.confidence : NULL);
		kt_jsonw_obj_end(j);
	}
	kt_jsonw_arr_end(j);
	free(v);
}

char *
kt_summary_closing_json(const struct kt_summary *s, int indent)
{
	struct kt_jsonw j;
	struct rulecount *rc = NULL;

	kt_jsonw_init(&j, indent);
	kt_jsonw_obj(&j);
	KT_JSONW_KEY(&j, "inputs");
	kt_jsonw_int(&j, (long long)s->inputs);
	KT_JSONW_KEY(&j, "inputs_read");
	kt_jsonw_int(&j, (long long)(s->inputs - s->bad_inputs));
	KT_JSONW_KEY(&j, "inputs_incomplete");
	kt_jsonw_int(&j, (long long)s->bad_inputs);
	KT_JSONW_KEY(&j, "crashes");
	kt_jsonw_int(&j, (long long)s->reports);
	KT_JSONW_KEY(&j, "buckets");
	kt_jsonw_int(&j, (long long)(s->n_b + (s->unlisted ? 1 : 0)));
	KT_JSONW_KEY(&j, "crashes_unlisted");
	kt_jsonw_int(&j, (long long)s->unlisted);
	KT_JSONW_KEY(&j, "findings_by_rule");
	rc = sorted_rules(s);
	kt_jsonw_arr(&j);
	for (size_t i = 0; i < s->n_rc; i++) {
		kt_jsonw_obj(&j);
		KT_JSONW_KEY(&j, "rule");
		kt_jsonw_str(&j, rc[i].rule);
		KT_JSONW_KEY(&j, "title");
		kt_jsonw_str(&j, rc[i].title);
		KT_JSONW_KEY(&j, "crashes");
		kt_jsonw_int(&j, (long long)rc[i].count);
		kt_jsonw_obj_end(&j);
	}
	kt_jsonw_arr_end(&j);
	free(rc);
	KT_JSONW_KEY(&j, "by_bucket");
	json_buckets(&j, s);
	KT_JSONW_KEY(&j, "verdict");
	verdict_json(&j, s, NULL, true);
	kt_jsonw_obj_end(&j);
	return kt_jsonw_take(&j);
}

/* ---- fitting text to a terminal ----------------------------------------- */

/* ASCII forms of the non-ASCII characters the renderers write. */
static const struct {
	const char *utf8, *ascii;
} ascii_forms[] = {
	{ "\xc2\xb7", "-" },		/* U+00B7 middle dot */
	{ "\xe2\x80\xa6", "..." },	/* U+2026 ellipsis */
	{ "\xe2\x80\x94", "--" },	/* U+2014 em dash */
	{ "\xe2\x80\x93", "-" },	/* U+2013 en dash */
	{ "\xe2\x86\x90", "<-" },	/* U+2190 leftwards arrow */
	{ "\xe2\x86\x92", "->" },	/* U+2192 rightwards arrow */
	{ "\xe2\x80\x98", "'" }, { "\xe2\x80\x99", "'" },
	{ "\xe2\x80\x9c", "\"" }, { "\xe2\x80\x9d", "\"" },
};

static void
to_ascii(struct kt_buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t len;
		bool done = false;

		if (c < 0x80) {
			kt_buf_addc(out, (char)c);
			i++;
			continue;
		}
		len = kt_utf8_len((const unsigned char *)s + i, n - i);
		for (size_t k = 0; len && k < sizeof(ascii_forms) / sizeof(ascii_forms[0]); k++) {
			if (strlen(ascii_forms[k].utf8) == len && !memcmp(s + i, ascii_forms[k].utf8, len)) {
				kt_buf_adds(out, ascii_forms[k].ascii);
				done = true;
				break;
			}
		}
		if (!done)
			kt_buf_addc(out, '?');
		i += len ? len : 1;
	}
}

/* Columns of a line: ANSI escape sequences take none, a UTF-8 sequence
 * one. Fills pos[] with the byte offset of each column (up to max). */
static size_t
columns(const char *s, size_t n, size_t *pos, size_t max)
{
	size_t col = 0;

	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0x1b && i + 1 < n && s[i + 1] == '[') {
			i += 2;
			while (i < n && !(s[i] >= '@' && s[i] <= '~'))
				i++;
			i++;
			continue;
		}
		if (col < max)
			pos[col] = i;
		col++;
		if (c < 0x80) {
			i++;
		} else {
			size_t len = kt_utf8_len((const unsigned char *)s + i, n - i);

			i += len ? len : 1;
		}
	}
	return col;
}

#define MAX_WIDTH 1024

static void
wrap_line(struct kt_buf *out, const char *s, size_t n, int width)
{
	size_t pos[MAX_WIDTH + 1];
	size_t indent = 0, cont;
	bool first = true;

	while (indent < n && s[indent] == ' ')
		indent++;
	/* continuation lines: under the text, a little further in */
	cont = indent + 4;
	if (cont > (size_t)width / 2)
		cont = (size_t)width / 2;
	for (;;) {
		size_t avail = (size_t)width - (first ? 0 : cont);
		size_t cols = columns(s, n, pos, MAX_WIDTH + 1);
		size_t cut, next, lo = first ? indent + 1 : 1;

		if (cols <= avail) {
			if (!first)
				kt_buf_printf(out, "%*s", (int)cont, "");
			kt_buf_add(out, s, n);
			return;
		}
		/* last space at or before column `avail` that leaves text */
		cut = 0;
		for (size_t c = avail; c >= lo; c--) {
			if (s[pos[c]] == ' ') {
				cut = pos[c];
				break;
			}
		}
		if (!cut) {	/* no space: break inside the word */
			cut = pos[avail];
			next = cut;
		} else {
			next = cut;
			while (next < n && s[next] == ' ')
				next++;
		}
		if (!first)
			kt_buf_printf(out, "%*s", (int)cont, "");
		kt_buf_add(out, s, cut);
		kt_buf_addc(out, '\n');
		s += next;
		n -= next;
		first = false;
		if (!n)
			return;
	}
}

char *
kt_render_fit(char *text, int width, bool ascii)
{
	struct kt_buf a, out;
	const char *p;

	if (!text)
		return NULL;
	kt_buf_init(&a);
	if (ascii) {
		to_ascii(&a, text, strlen(text));
		free(text);
		text = a.p ? a.p : strdup("");
		if (!text)
			abort();
	}
	if (width <= 0)
		return text;
	if (width < 20)
		width = 20;
	if (width > MAX_WIDTH)
		width = MAX_WIDTH;
	kt_buf_init(&out);
	for (p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		wrap_line(&out, p, n, width);
		if (nl)
			kt_buf_addc(&out, '\n');
		p += n + (nl ? 1 : 0);
	}
	free(text);
	if (!out.p)
		kt_buf_adds(&out, "");
	return out.p;
}
