/*
 * render: are two crashes the same bug, and where do they differ. The
 * verdict goes from strong to weak evidence: the same bucket (the signature
 * of title, type and guilty frames: src/sign/bucket.c), the same title or a
 * shared alternative title (syzkaller's AltTitles: one bug, several ways
 * its report can be titled), the same guilty function; then the frames the
 * two call traces share and the fields that differ.
 */
#include <ktriage/summary.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/jsonw.h"
#include "util/str.h"

#define MAX_DIFF_FRAMES 64	/* reliable frames compared per report */
#define MAX_LISTED 12		/* common frames listed in text */

static const char *const same_names[KT_SAME_COUNT] = {
	[KT_SAME_BUCKET] = "same-bucket",
	[KT_SAME_TITLE] = "same-title",
	[KT_SAME_GUILTY] = "same-guilty-frame",
	[KT_SAME_NO] = "different",
};

const char *
kt_same_name(enum kt_same s)
{
	return (unsigned)s < KT_SAME_COUNT ? same_names[s] : "?";
}

static bool
eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* A title both reports can be known by (title or alt titles), or NULL. */
static const char *
shared_title(const struct kt_report *a, const struct kt_report *b)
{
	for (size_t i = 0; i <= a->n_alt_titles; i++) {
		const char *t = i ? a->alt_titles[i - 1] : a->title;

		if (!t)
			continue;
		for (size_t k = 0; k <= b->n_alt_titles; k++)
			if (eq(t, k ? b->alt_titles[k - 1] : b->title))
				return t;
	}
	return NULL;
}

/* The reliable function frames, innermost first. */
static size_t
frames(const struct kt_report *r, const char **out)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_frames && n < MAX_DIFF_FRAMES; i++)
		if (r->frames[i].reliable && r->frames[i].function)
			out[n++] = r->frames[i].function;
	return n;
}

static bool
in(const char *s, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, v[i]))
			return true;
	return false;
}

enum kt_same
kt_diff_same(const struct kt_report *a, const struct kt_report *b)
{
	if (a->bucket[0] && !strcmp(a->bucket, b->bucket))
		return KT_SAME_BUCKET;
	if (shared_title(a, b))
		return KT_SAME_TITLE;
	if (a->frame && eq(a->frame, b->frame))
		return KT_SAME_GUILTY;
	return KT_SAME_NO;
}

/* ---- fields that differ ----------------------------------------------------- */

struct field {
	const char *name;
	char *a, *b;
};

static char *
fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static char *
fmt(const char *f, ...)
{
	va_list ap;
	char *p;

	va_start(ap, f);
	if (vasprintf(&p, f, ap) < 0)
		abort();
	va_end(ap);
	return p;
}

static char *
dupn(const char *s)
{
	return s ? fmt("%s", s) : NULL;
}

static char *
flagged_modules(const struct kt_report *r)
{
	struct kt_buf b;

	kt_buf_init(&b);
	for (size_t i = 0; i < r->n_modules; i++)
		if (r->modules[i].flags && r->modules[i].flags[0])
			kt_buf_printf(&b, "%s%s(%s)", b.len ? " " : "", r->modules[i].name,
				      r->modules[i].flags);
	return b.p;
}

static char *
top_finding(const struct kt_report *r)
{
	return r->n_findings ? fmt("%s (%s)", r->findings[0].rule, r->findings[0].confidence)
			     : NULL;
}

static char *
fault_text(const struct kt_report *r)
{
	if (!r->fault.present)
		return NULL;
	if (r->fault.has_address)
		return fmt("%s of a %s at %016llx", r->fault.access ? r->fault.access : "access",
			   r->fault.reason ? r->fault.reason : "page",
			   (unsigned long long)r->fault.address);
	return fmt("%s of a %s", r->fault.access ? r->fault.access : "access",
		   r->fault.reason ? r->fault.reason : "page");
}

static char *
ip_text(const struct kt_report *r)
{
	if (!r->ip.present)
		return NULL;
	return fmt("%s+0x%llx%s%s", r->ip.function ? r->ip.function : "?",
		   (unsigned long long)r->ip.offset, r->ip.module ? " " : "",
		   r->ip.module ? r->ip.module : "");
}

#define N_FIELDS 14

static void
set(struct field *f, size_t *i, int side, const char *name, char *v)
{
	f[*i].name = name;
	if (side)
		f[*i].b = v;
	else
		f[*i].a = v;
	(*i)++;
}

static size_t
fields(const struct kt_report *a, const struct kt_report *b, struct field *f)
{
	size_t n = 0;

	for (int k = 0; k < 2; k++) {
		const struct kt_report *r = k ? b : a;
		size_t i = 0;

		set(f, &i, k, "kind", dupn(kt_kind_name(r->kind)));
		set(f, &i, k, "title", dupn(r->title));
		set(f, &i, k, "bucket", dupn(r->bucket[0] ? r->bucket : NULL));
		set(f, &i, k, "guilty frame", dupn(r->frame));
		set(f, &i, k, "at", ip_text(r));
		set(f, &i, k, "fault", fault_text(r));
		set(f, &i, k, "context", dupn(kt_context_name(r->context)));
		set(f, &i, k, "comm", dupn(r->comm));
		set(f, &i, k, "kernel", dupn(r->kernel.release));
		set(f, &i, k, "tainted", dupn(r->kernel.tainted));
		set(f, &i, k, "flagged modules", flagged_modules(r));
		set(f, &i, k, "xen", dupn(r->xen.present ? r->xen.version : NULL));
		set(f, &i, k, "hardware", dupn(r->hardware));
		set(f, &i, k, "top finding", top_finding(r));
		n = i;
	}
	return n;
}

static void
free_fields(struct field *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].a);
		free(f[i].b);
	}
}

static const char *
verdict_text(enum kt_same s)
{
	switch (s) {
	case KT_SAME_BUCKET: return "yes: the same bucket";
	case KT_SAME_TITLE: return "yes: the same title (the buckets differ: other frames under the guilty one)";
	case KT_SAME_GUILTY: return "maybe: the same guilty function, different titles";
	default: return "no";
	}
}

char *
kt_diff_render(const struct kt_report *a, const struct kt_report *b, bool json,
	       enum kt_same *ret_same)
{
	const char *fa[MAX_DIFF_FRAMES], *fb[MAX_DIFF_FRAMES];
	size_t na = frames(a, fa), nb = frames(b, fb), n_common = 0;
	struct field f[N_FIELDS];
	size_t nf;
	enum kt_same same = kt_diff_same(a, b);
	const char *shared = shared_title(a, b);

	memset(f, 0, sizeof(f));
	nf = fields(a, b, f);
	for (size_t i = 0; i < na; i++)
		n_common += in(fa[i], fb, nb);
	if (ret_same)
		*ret_same = same;
	if (json) {
		struct kt_jsonw w;

		kt_jsonw_init(&w, 2);
		kt_jsonw_obj(&w);
		KT_JSONW_KEY(&w, "same");
		kt_jsonw_str(&w, kt_same_name(same));
		KT_JSONW_KEY(&w, "shared_title");
		kt_jsonw_str(&w, shared);
		KT_JSONW_KEY(&w, "same_cause");
		kt_jsonw_str(&w, a->n_findings && b->n_findings &&
				 eq(a->findings[0].rule, b->findings[0].rule) ? a->findings[0].rule : NULL);
		KT_JSONW_KEY(&w, "frames_common");
		kt_jsonw_arr(&w);
		for (size_t i = 0; i < na; i++)
			if (in(fa[i], fb, nb))
				kt_jsonw_str(&w, fa[i]);
		kt_jsonw_arr_end(&w);
		KT_JSONW_KEY(&w, "frames_only_a");
		kt_jsonw_arr(&w);
		for (size_t i = 0; i < na; i++)
			if (!in(fa[i], fb, nb))
				kt_jsonw_str(&w, fa[i]);
		kt_jsonw_arr_end(&w);
		KT_JSONW_KEY(&w, "frames_only_b");
		kt_jsonw_arr(&w);
		for (size_t i = 0; i < nb; i++)
			if (!in(fb[i], fa, na))
				kt_jsonw_str(&w, fb[i]);
		kt_jsonw_arr_end(&w);
		KT_JSONW_KEY(&w, "differ");
		kt_jsonw_obj(&w);
		for (size_t i = 0; i < nf; i++) {
			if (eq(f[i].a, f[i].b))
				continue;
			kt_jsonw_key(&w, f[i].name);
			kt_jsonw_arr(&w);
			kt_jsonw_str(&w, f[i].a);
			kt_jsonw_str(&w, f[i].b);
			kt_jsonw_arr_end(&w);
		}
		kt_jsonw_obj_end(&w);
		kt_jsonw_obj_end(&w);
		free_fields(f, nf);
		return kt_jsonw_take(&w);
	}

	struct kt_buf o;
	size_t shown = 0;

	kt_buf_init(&o);
	kt_buf_printf(&o, "Same bug: %s\n", verdict_text(same));
	if (shared && same == KT_SAME_TITLE)
		kt_buf_printf(&o, "  shared title: %s\n", shared);
	kt_buf_printf(&o, "  A: %s\n  B: %s\n", a->title ? a->title : "(untitled)",
		      b->title ? b->title : "(untitled)");
	if (a->n_findings && b->n_findings && eq(a->findings[0].rule, b->findings[0].rule))
		kt_buf_printf(&o, "  the same known cause: %s (rule %s)\n", a->findings[0].title,
			      a->findings[0].rule);
	kt_buf_printf(&o, "\nFrames in common: %zu (A has %zu, B has %zu)\n", n_common, na, nb);
	for (size_t i = 0, listed = 0; i < na; i++) {
		if (!in(fa[i], fb, nb))
			continue;
		if (listed++ == MAX_LISTED) {
			kt_buf_printf(&o, "  ... %zu more\n", n_common - MAX_LISTED);
			break;
		}
		kt_buf_printf(&o, "  %s\n", fa[i]);
	}
	for (int side = 0; side < 2; side++) {
		const char **x = side ? fb : fa, **y = side ? fa : fb;
		size_t nx = side ? nb : na, ny = side ? na : nb, k = 0;

		for (size_t i = 0; i < nx; i++)
			k += !in(x[i], y, ny);
		if (!k)
			continue;
		kt_buf_printf(&o, "Only in %s:", side ? "B" : "A");
		for (size_t i = 0; i < nx; i++)
			if (!in(x[i], y, ny))
				kt_buf_printf(&o, " %s", x[i]);
		kt_buf_addc(&o, '\n');
	}
	for (size_t i = 0; i < nf; i++) {
		if (eq(f[i].a, f[i].b))
			continue;
		if (!shown++)
			kt_buf_adds(&o, "\nWhere they differ:\n");
		kt_buf_printf(&o, "  %-16s A: %s\n  %-16s B: %s\n", f[i].name, f[i].a ? f[i].a : "-",
			      "", f[i].b ? f[i].b : "-");
	}
	if (!shown)
		kt_buf_adds(&o, "\nNo difference in the compared fields.\n");
	free_fields(f, nf);
	return o.p;
}
