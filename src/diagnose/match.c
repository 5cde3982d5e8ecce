/*
 * diagnose: the matcher. Evaluates every rule's conditions against one
 * report (and host facts when given), scores the weighted conditions that
 * held, picks the confidence from the rule's combinations, and writes
 * findings (evidence, explanation and remedy rendered from templates) into
 * the report's arena. It never changes anything else in the report.
 */
#include "diagnose/diagnose.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/ctx.h"
#include "util/mem.h"
#include "util/str.h"

/* Backtracking bound per regex match: rule regexes run on untrusted text. */
#define MATCH_LIMIT	200000
#define DEPTH_LIMIT	5000
#define MAX_VARS	16

pcre2_match_context *
kt_regex_context_new(void)
{
	pcre2_match_context *mc = pcre2_match_context_create(NULL);

	if (!mc)
		kt_oom(256);
	(void)pcre2_set_match_limit(mc, MATCH_LIMIT);
	(void)pcre2_set_depth_limit(mc, DEPTH_LIMIT);
	return mc;
}

/* The regex itself, once its prefilter has passed. */
static int
regex_run(const struct kt_regex *re, const char *subject, size_t len, pcre2_match_data *md,
	  pcre2_match_context *mc)
{
	struct kt_regex_code *c = re->code;
	struct kt_pcre *p = atomic_load_explicit(&c->p, memory_order_acquire);
	int rc;

	if (!p) {	/* a built-in rule's regex, first use: see struct kt_regex_code */
		struct kt_pcre *expected = NULL;
		int err;
		PCRE2_SIZE off;

		p = kt_malloc(sizeof(*p));
		kt_pcre_init(p, kt_pcre_compile_with(c->bake, c->pat, PCRE2_ZERO_TERMINATED,
						PCRE2_UTF | PCRE2_MATCH_INVALID_UTF |
						PCRE2_MULTILINE, &err, &off));
		/* (a NULL code cannot happen: test_baked compiles them all; it
		 * then never matches) */
		if (!atomic_compare_exchange_strong_explicit(&c->p, &expected, p,
							     memory_order_acq_rel,
							     memory_order_acquire)) {
			kt_pcre_deinit(p);	/* another thread was first */
			free(p);
			p = expected;
		}
	}
	rc = kt_pcre_match(p, subject, len, 0, md, mc);
	if (rc == 0)	/* more groups than md holds: all pairs it has are set */
		return (int)pcre2_get_ovector_count(md);
	return rc > 0 ? rc : 0;
}

int
kt_regex_match(const struct kt_regex *re, const char *subject, size_t len,
	       pcre2_match_data *md, pcre2_match_context *mc)
{
	if (!re->src || !re->code)
		return 1;
	if (!subject)
		return 0;
	if (re->n_lits && !kt_prefilter_pass(re->lits, re->n_lits, subject, len))
		return 0;
	return regex_run(re, subject, len, md, mc);
}

/* A frame as the matcher sees it (IP first, then the call trace). */
struct mframe {
	const char *function;
	const char *module;
	bool reliable;
};

struct var {
	const char *name;	/* "1", "iface" ... ("" = the condition's main value) */
	const char *value;
};

struct cres {
	bool held;
	struct var vars[MAX_VARS];
	size_t n_vars;
};

struct eval {
	struct kt_ctx *ctx;
	const struct kt_ruleset *rs;
	const struct kt_report *r;
	const struct kt_host_facts *hf;
	struct kt_arena *scratch;
	pcre2_match_data *md;
	pcre2_match_context *mc;	/* backtracking limits */
	struct mframe *frames;
	size_t n_frames;
	enum kt_context context;
	const char *text;	/* header, lines and panic joined by '\n' (built on first use) */
	size_t text_len;
	bool *present;		/* rs->line_lits found in text (scanned on first use) */
	const char *ftext;	/* frame function names joined by '\n' (built on first use) */
	size_t ftext_len;
	struct cres res[64];	/* per condition; written before it is read */
};

static void
set_var(struct eval *e, struct cres *c, const char *name, const char *value)
{
	if (c->n_vars < MAX_VARS && value) {
		c->vars[c->n_vars].name = name;
		c->vars[c->n_vars++].value = value;
	}
}

/* End of a list-collecting condition: the list (if any) becomes the whole-
 * match variable "" and the condition holds; an empty list does not. */
static bool
take_list(struct eval *e, struct cres *c, struct kt_buf *b)
{
	bool held = b->len > 0;

	if (held)
		set_var(e, c, "", kt_arena_strdup(e->scratch, b->p));
	kt_buf_deinit(b);
	return held;
}

/* Variables "" (whole match) and "1".."9" from the last match. */
static void
set_captures(struct eval *e, struct cres *c, const char *subject, int n)
{
	static const char *const names[] = { "", "1", "2", "3", "4", "5", "6", "7", "8", "9" };
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(e->md);

	for (int i = 0; i < n && i < 10; i++) {
		if (ov[2 * i] == PCRE2_UNSET || ov[2 * i + 1] < ov[2 * i])
			continue;
		set_var(e, c, names[i],
			kt_arena_strndup(e->scratch, subject + ov[2 * i], ov[2 * i + 1] - ov[2 * i]));
	}
}

static bool
match_text(struct eval *e, const struct kt_cond *cd, struct cres *c, const char *s)
{
	int n = s ? kt_regex_match(&cd->res[0], s, strlen(s), e->md, e->mc) : 0;

	if (!n)
		return false;
	set_captures(e, c, s, n);
	return true;
}

/* The report's text as one subject: one regex call per condition instead
 * of one per line (the per-call cost dominated). Regexes are compiled with
 * PCRE2_MULTILINE, so ^ and $ still anchor at each line. */
static const char *
report_text(struct eval *e)
{
	const struct kt_report *r = e->r;
	struct kt_buf b;

	if (e->text)
		return e->text;
	kt_buf_init(&b);
	if (r->header)
		kt_buf_adds(&b, r->header);
	for (size_t i = 0; i < r->n_lines; i++) {
		kt_buf_addc(&b, '\n');
		kt_buf_adds(&b, r->lines[i]);
	}
	if (r->panic) {
		kt_buf_addc(&b, '\n');
		kt_buf_adds(&b, r->panic);
	}
	e->text_len = b.len;
	e->text = kt_arena_strndup(e->scratch, b.p ? b.p : "", b.len);
	kt_buf_deinit(&b);
	return e->text;
}

/* line: the report header, every cut-out line, the panic line. The
 * prefilter literals of all line conditions were looked for in one pass
 * (rs->line_lits); a regex none of whose literals occur is not run. */
static bool
match_lines(struct eval *e, const struct kt_cond *cd, struct cres *c)
{
	const struct kt_regex *re = &cd->res[0];
	const char *text = report_text(e);
	bool any = false;
	int n;

	if (!re->src || !re->lit_ids)
		return match_text(e, cd, c, text);
	if (!e->present) {
		e->present = kt_arena_alloc(e->scratch, kt_litset_count(e->rs->line_lits) + 1);
		kt_litset_scan(e->rs->line_lits, text, e->text_len, e->present);
	}
	for (size_t k = 0; k < re->n_lits && !any; k++)
		any = e->present[re->lit_ids[k]];
	if (!any)
		return false;
	n = regex_run(re, text, e->text_len, e->md, e->mc);
	if (!n)
		return false;
	set_captures(e, c, text, n);
	return true;
}

static bool
frame_match(struct eval *e, const struct kt_regex *re, size_t i)
{
	const char *f = e->frames[i].function;

	return f && kt_regex_match(re, f, strlen(f), e->md, e->mc);
}

/* Every frame's function name, one per line (built on first use): a
 * regex whose prefilter literals occur in none of them matches no frame,
 * and one pass over this text replaces a check per frame. */
static const char *
frames_text(struct eval *e, size_t *len)
{
	if (!e->ftext) {
		struct kt_buf b;

		kt_buf_init(&b);
		for (size_t i = 0; i < e->n_frames; i++) {
			if (e->frames[i].function)
				kt_buf_adds(&b, e->frames[i].function);
			kt_buf_addc(&b, '\n');
		}
		e->ftext_len = b.len;
		e->ftext = kt_arena_strndup(e->scratch, b.p ? b.p : "", b.len);
		kt_buf_deinit(&b);
	}
	*len = e->ftext_len;
	return e->ftext;
}

static bool
match_frames(struct eval *e, const struct kt_cond *cd, struct cres *c)
{
	struct kt_buf b;
	size_t next = 0, tlen;
	const char *text = frames_text(e, &tlen);

	for (size_t k = 0; k < cd->n_res; k++)
		if (cd->res[k].n_lits && !kt_prefilter_pass(cd->res[k].lits, cd->res[k].n_lits, text, tlen))
			return false;
	kt_buf_init(&b);
	for (size_t k = 0; k < cd->n_res; k++) {
		size_t i = cd->type == KT_COND_FRAMES_ORDER ? next : 0;

		while (i < e->n_frames && !frame_match(e, &cd->res[k], i))
			i++;
		if (i == e->n_frames) {
			kt_buf_deinit(&b);
			return false;
		}
		next = i + 1;
		if (b.len)
			kt_buf_adds(&b, cd->type == KT_COND_FRAMES_ORDER ? " <- " : ", ");
		kt_buf_adds(&b, e->frames[i].function);
	}
	set_var(e, c, "", kt_arena_strdup(e->scratch, b.p ? b.p : ""));
	kt_buf_deinit(&b);
	return true;
}

static const char *
guilty_function(const struct kt_report *r)
{
	return r->frame ? r->frame : r->ip.function;
}

static const struct kt_module *
find_module(const struct kt_report *r, const char *name)
{
	for (size_t i = 0; name && i < r->n_modules; i++)
		if (r->modules[i].name && !strcmp(r->modules[i].name, name))
			return &r->modules[i];
	return NULL;
}

static bool
flags_ok(const struct kt_cond *cd, const char *flags)
{
	if (!cd->flags)
		return true;
	for (const char *p = cd->flags; flags && *p; p++)
		if (strchr(flags, *p))
			return true;
	return false;
}

static bool
match_module(struct eval *e, const struct kt_cond *cd, struct cres *c)
{
	const struct kt_report *r = e->r;
	struct kt_buf b;

	kt_buf_init(&b);
	for (size_t i = 0; i < r->n_modules; i++) {
		const struct kt_module *m = &r->modules[i];

		if (!m->name || !flags_ok(cd, m->flags) ||
		    !kt_regex_match(&cd->name, m->name, strlen(m->name), e->md, e->mc))
			continue;
		if (!c->n_vars) {
			set_var(e, c, "name", m->name);
			set_var(e, c, "flags", m->flags ? m->flags : "");
		}
		if (b.len)
			kt_buf_adds(&b, ", ");
		kt_buf_printf(&b, "%s%s%s%s", m->name, m->flags ? "(" : "", m->flags ? m->flags : "",
			      m->flags ? ")" : "");
		if (b.len > 400)
			break;
	}
	return take_list(e, c, &b);
}

/* guilty-module: the module the guilty frame (or the IP) lives in. */
static bool
match_guilty_module(struct eval *e, const struct kt_cond *cd, struct cres *c)
{
	const struct kt_report *r = e->r;
	const char *fn = guilty_function(r), *mod = NULL;
	const struct kt_module *m;

	if (r->ip.function && fn && !strcmp(r->ip.function, fn))
		mod = r->ip.module;
	for (size_t i = 0; !mod && fn && i < e->n_frames; i++)
		if (e->frames[i].function && !strcmp(e->frames[i].function, fn))
			mod = e->frames[i].module;
	if (!mod)
		return false;
	m = find_module(r, mod);
	if (!flags_ok(cd, m ? m->flags : NULL) ||
	    !kt_regex_match(&cd->name, mod, strlen(mod), e->md, e->mc))
		return false;
	set_var(e, c, "", mod);
	set_var(e, c, "flags", m && m->flags ? m->flags : "");
	set_var(e, c, "function", fn);
	return true;
}

static bool
match_taint(struct eval *e, const struct kt_cond *cd, struct cres *c)
{
	const struct kt_report *r = e->r;

	for (const char *p = cd->taint; p && *p; p++) {
		bool found = r->kernel.tainted && strchr(r->kernel.tainted, *p);

		for (size_t i = 0; !found && i < r->kernel.taint.n; i++)
			found = r->kernel.taint.v[i].name && r->kernel.taint.v[i].name[0] == *p &&
				!r->kernel.taint.v[i].name[1];
		if (!found)
			return false;
	}
	set_var(e, c, "", r->kernel.tainted ? r->kernel.tainted : cd->taint);
	return true;
}

static bool
match_register(struct eval *e, const struct kt_cond *cd, struct cres *c)
{
	const struct kt_report *r = e->r;
	struct kt_buf b;

	kt_buf_init(&b);
	for (size_t i = 0; i < r->n_regs; i++) {
		const struct kt_reg *g = &r->regs[i];
		bool in = false;

		for (size_t k = 0; k < cd->n_values && !in; k++)
			in = g->value == cd->values[k];
		if (!in || !g->name ||
		    !kt_regex_match(&cd->name, g->name, strlen(g->name), e->md, e->mc))
			continue;
		if (!b.len) {
			set_var(e, c, "reg", g->name);
			set_var(e, c, "value",
				kt_arena_printf(e->scratch, "0x%" PRIx64, g->value));
			set_var(e, c, "dec",
				kt_arena_printf(e->scratch, "%" PRIu64, g->value));
		}
		if (b.len)
			kt_buf_adds(&b, ", ");
		kt_buf_printf(&b, "%s=0x%" PRIx64, g->name, g->value);
	}
	return take_list(e, c, &b);
}

static bool
match_reg_note(struct eval *e, const struct kt_cond *cd, struct cres *c)
{
	const struct kt_report *r = e->r;

	for (size_t i = 0; cd->tag && i < r->n_reg_notes; i++) {
		const struct kt_reg_note *n = &r->reg_notes[i];

		if (!n->tag || strcmp(n->tag, cd->tag) != 0)
			continue;
		set_var(e, c, "", kt_arena_printf(e->scratch, "%s=0x%" PRIx64 " %s",
						  n->reg ? n->reg : "?", n->value,
						  n->what ? n->what : ""));
		set_var(e, c, "reg", n->reg);
		return true;
	}
	return false;
}

static int
vercmp(const uint32_t a[4], const uint32_t b[4])
{
	for (int i = 0; i < 4; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

static bool
match_kernel(struct eval *e, const struct kt_cond *cd, struct cres *c)
{
	const char *s = e->r->kernel.release;
	uint32_t v[4] = { 0, 0, 0, 0 };
	size_t i = 0;

	if (!s || !kt_is_digit(*s))
		return false;
	while (i < 4 && kt_is_digit(*s)) {
		uint64_t n;

		s += kt_parse_dec(kt_str_cstr(s), &n);
		v[i++] = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
		if (*s != '.')
			break;
		s++;
	}
	if (cd->has_min && vercmp(v, cd->ver_min) < 0)
		return false;
	if (cd->has_before && vercmp(v, cd->ver_before) >= 0)
		return false;
	set_var(e, c, "", e->r->kernel.release);
	return true;
}

static bool
match_host_iface(struct eval *e, const struct kt_cond *cd, struct cres *c)
{
	for (size_t i = 0; e->hf && i < e->hf->n_ifaces; i++) {
		const struct kt_host_iface *f = &e->hf->ifaces[i];

		if (cd->name.src && (!f->driver ||
				      !kt_regex_match(&cd->name, f->driver, strlen(f->driver), e->md, e->mc)))
			continue;
		if (cd->mtu_above >= 0 && f->mtu <= cd->mtu_above)
			continue;
		if (cd->port_below && !(f->port_mtu > 0 && f->mtu > f->port_mtu))
			continue;
		if (cd->jumbo.src && (!f->jumbo ||
				       !kt_regex_match(&cd->jumbo, f->jumbo, strlen(f->jumbo), e->md, e->mc)))
			continue;
		if (cd->kind.src && (!f->kind ||
				      !kt_regex_match(&cd->kind, f->kind, strlen(f->kind), e->md, e->mc)))
			continue;
		set_var(e, c, "", kt_arena_printf(e->scratch, "%s%s%s (driver %s) MTU %d",
						  f->host ? f->host : "", f->host ? ":" : "",
						  f->name ? f->name : "?",
						  f->driver ? f->driver : "?", f->mtu));
		set_var(e, c, "iface", f->name);
		set_var(e, c, "driver", f->driver);
		set_var(e, c, "mtu", kt_arena_printf(e->scratch, "%d", f->mtu));
		set_var(e, c, "host", f->host);
		if (f->port_mtu > 0)
			set_var(e, c, "port-mtu", kt_arena_printf(e->scratch, "%d", f->port_mtu));
		return true;
	}
	return false;
}

/* host-network: a network (xe network / bridge) whose MTU is above N. */
static bool
match_host_network(struct eval *e, const struct kt_cond *cd, struct cres *c)
{
	for (size_t i = 0; e->hf && i < e->hf->n_networks; i++) {
		const struct kt_host_network *n = &e->hf->networks[i];

		if (cd->name.src && (!n->name ||
				      !kt_regex_match(&cd->name, n->name, strlen(n->name), e->md, e->mc)))
			continue;
		if (cd->bridge.src && (!n->bridge ||
					!kt_regex_match(&cd->bridge, n->bridge, strlen(n->bridge), e->md,
							e->mc)))
			continue;
		if (cd->mtu_above >= 0 && n->mtu <= cd->mtu_above)
			continue;
		set_var(e, c, "", kt_arena_printf(e->scratch, "network %s%s%s%s%s MTU %d",
						  n->name ? "'" : "", n->name ? n->name : "",
						  n->name ? "'" : "", n->bridge ? " on " : "",
						  n->bridge ? n->bridge : "", n->mtu));
		set_var(e, c, "uuid", n->uuid);
		set_var(e, c, "name", n->name);
		set_var(e, c, "bridge", n->bridge);
		set_var(e, c, "mtu", kt_arena_printf(e->scratch, "%d", n->mtu));
		return true;
	}
	return false;
}

static bool
match_cond(struct eval *e, const struct kt_cond *cd, struct cres *c)
{
	const struct kt_report *r = e->r;

	switch (cd->type) {
	case KT_COND_KIND:
		set_var(e, c, "", kt_kind_name(r->kind));
		return (cd->kinds >> r->kind) & 1;
	case KT_COND_TITLE:
		return match_text(e, cd, c, r->title ? r->title : r->header);
	case KT_COND_LINE:
		return match_lines(e, cd, c);
	case KT_COND_PANIC:
		return match_text(e, cd, c, r->panic);
	case KT_COND_FRAMES:
	case KT_COND_FRAMES_ORDER:
		return match_frames(e, cd, c);
	case KT_COND_GUILTY:
		return match_text(e, cd, c, guilty_function(r));
	case KT_COND_GUILTY_MODULE:
		return match_guilty_module(e, cd, c);
	case KT_COND_CONTEXT:
		set_var(e, c, "", kt_context_name(e->context));
		return (cd->contexts >> e->context) & 1;
	case KT_COND_MODULE:
		return match_module(e, cd, c);
	case KT_COND_TAINT:
		return match_taint(e, cd, c);
	case KT_COND_REGISTER:
		return match_register(e, cd, c);
	case KT_COND_REG_NOTE:
		return match_reg_note(e, cd, c);
	case KT_COND_HARDWARE:
		return match_text(e, cd, c, r->hardware);
	case KT_COND_KERNEL:
		return match_kernel(e, cd, c);
	case KT_COND_XEN:
		if (!r->xen.present)
			return false;
		return match_text(e, cd, c, r->xen.version ? r->xen.version : "");
	case KT_COND_COMM:
		return match_text(e, cd, c, r->comm);
	case KT_COND_HOST_IFACE:
		return match_host_iface(e, cd, c);
	case KT_COND_HOST_NETWORK:
		return match_host_network(e, cd, c);
	case KT_COND_COUNT:
		break;
	}
	return false;
}

/* ---- templates --------------------------------------------------------- */

static const char *
report_var(const struct eval *e, const char *name, size_t len)
{
	const struct kt_report *r = e->r;
	static const char *const keys[] = { "title", "kind", "context", "release", "frame",
					    "comm", "panic", "hardware", "xen-version" };
	const char *vals[] = { r->title, kt_kind_name(r->kind), kt_context_name(e->context),
			       r->kernel.release, guilty_function(r), r->comm, r->panic,
			       r->hardware, r->xen.version };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i]) == len && !strncmp(keys[i], name, len))
			return vals[i];
	return NULL;
}

static const char *
lookup(const struct eval *e, const struct kt_rule *rule, const char *name, size_t len)
{
	size_t idlen = strcspn(name, ".");
	const char *sub;

	if (idlen > len)
		idlen = len;
	if (idlen == 6 && !strncmp(name, "report", 6) && len > 7)
		return report_var(e, name + 7, len - 7);
	sub = idlen < len ? name + idlen + 1 : "";
	for (size_t i = 0; i < rule->n_conds; i++) {
		const struct cres *c = &e->res[i];
		size_t sublen = idlen < len ? len - idlen - 1 : 0;

		if (strlen(rule->conds[i].id) != idlen || strncmp(rule->conds[i].id, name, idlen))
			continue;
		if (!c->held)
			return NULL;
		for (size_t k = 0; k < c->n_vars; k++)
			if (strlen(c->vars[k].name) == sublen && !strncmp(c->vars[k].name, sub, sublen))
				return c->vars[k].value;
		return NULL;
	}
	return NULL;
}

/* "{cond.sub|default}" -> value, default, or "<cond.sub>". */
static const char *
render(struct eval *e, const struct kt_rule *rule, const char *t)
{
	struct kt_buf b;
	const char *out;

	kt_buf_init(&b);
	while (*t) {
		const char *open = strchr(t, '{'), *close, *bar, *v;

		if (!open || !(close = strchr(open, '}'))) {
			kt_buf_adds(&b, t);
			break;
		}
		kt_buf_add(&b, t, (size_t)(open - t));
		bar = memchr(open, '|', (size_t)(close - open));
		v = lookup(e, rule, open + 1, (size_t)((bar ? bar : close) - open - 1));
		if (v)
			kt_buf_adds(&b, v);
		else if (bar)
			kt_buf_add(&b, bar + 1, (size_t)(close - bar - 1));
		else
			kt_buf_printf(&b, "<%.*s>", (int)(close - open - 1), open + 1);
		t = close + 1;
	}
	out = kt_report_strdup((struct kt_report *)e->r, b.p ? b.p : "");
	kt_buf_deinit(&b);
	return out;
}

/* ---- rules -> findings ------------------------------------------------- */

static const char *const level_names[] = { "low", "low", "medium", "high" };

static int
confidence(const struct eval *e, const struct kt_rule *rule, double score)
{
	int best = 0;

	if (!rule->n_combos)
		return score >= 0.75 ? 3 : score >= 0.45 ? 2 : 1;
	for (size_t i = 0; i < rule->n_combos; i++) {
		const struct kt_conf_combo *cb = &rule->combos[i];
		bool all = true;

		for (size_t k = 0; k < cb->n_conds && all; k++)
			all = e->res[cb->conds[k]].held;
		if (all && cb->level > best)
			best = cb->level;
	}
	return best ? best : 1;
}

static const char *
default_evidence(struct eval *e, const struct kt_cond *cd, const struct cres *c)
{
	const char *v = c->n_vars && !c->vars[0].name[0] ? c->vars[0].value : NULL;

	for (size_t k = 0; !v && k < c->n_vars; k++)
		if (!c->vars[k].name[0])
			v = c->vars[k].value;
	if (cd->absent)
		return kt_report_printf((struct kt_report *)e->r, "%s: no %s matching the rule",
					cd->id, kt_cond_type_name(cd->type));
	return kt_report_printf((struct kt_report *)e->r, "%s (%s): %s", cd->id,
				kt_cond_type_name(cd->type), v ? v : "matched");
}

/* A condition's evidence template with its placeholders as "...": what
 * the user would see if it held. */
static const char *
hint(struct kt_report *r, const struct kt_cond *cd)
{
	struct kt_buf b;
	const char *t = cd->evidence, *out;

	if (!t)
		return kt_report_printf(r, "%s", cd->describe ? cd->describe : cd->id);
	kt_buf_init(&b);
	while (*t) {
		const char *open = strchr(t, '{'), *close;

		if (!open || !(close = strchr(open, '}'))) {
			kt_buf_adds(&b, t);
			break;
		}
		kt_buf_add(&b, t, (size_t)(open - t));
		kt_buf_adds(&b, "...");
		t = close + 1;
	}
	out = kt_report_strdup(r, b.p ? b.p : "");
	kt_buf_deinit(&b);
	return out;
}

#define MAX_RAISE 6

/* The conditions that, added to what held, would reach a combination of a
 * higher confidence level than `level`. */
static void
add_raise(struct eval *e, const struct kt_rule *rule, int level, struct kt_finding *f)
{
	struct kt_report *r = (struct kt_report *)e->r;
	uint64_t seen = 0;

	f->raise = kt_report_alloc(r, (MAX_RAISE + 1) * sizeof(char *));
	for (size_t i = 0; i < rule->n_combos; i++) {
		const struct kt_conf_combo *cb = &rule->combos[i];

		if (cb->level <= level)
			continue;
		for (size_t k = 0; k < cb->n_conds && f->n_raise < MAX_RAISE; k++) {
			size_t ci = cb->conds[k];
			const struct kt_cond *cd = &rule->conds[ci];

			if (ci >= 64 || e->res[ci].held || (seen & (1ull << ci)) || cd->absent)
				continue;
			seen |= 1ull << ci;
			f->raise[f->n_raise++] = hint(r, cd);
			if (cd->type == KT_COND_HOST_IFACE || cd->type == KT_COND_HOST_NETWORK)
				f->raise_host_facts = true;
		}
	}
}

static void
add_finding(struct eval *e, const struct kt_rule *rule, double score, int level,
	    size_t *cap)
{
	struct kt_report *r = (struct kt_report *)e->r;
	struct kt_finding *f = kt_arena_push(r->arena, (void **)&r->findings, &r->n_findings, cap,
					     sizeof(*f));
	size_t ecap = 0;

	f->rule = kt_report_strdup(r, rule->id);
	f->title = kt_report_strdup(r, rule->title);
	f->severity = kt_report_strdup(r, rule->severity);
	f->confidence = level_names[level];
	f->score = score;
	for (size_t i = 0; i < rule->n_conds; i++) {
		const struct kt_cond *cd = &rule->conds[i];

		if (!e->res[i].held || (cd->absent && !cd->evidence))
			continue;
		*(const char **)kt_arena_push(r->arena, (void **)&f->evidence, &f->n_evidence, &ecap,
					      sizeof(char *)) =
			cd->evidence ? render(e, rule, cd->evidence)
				     : default_evidence(e, cd, &e->res[i]);
	}
	f->explanation = rule->explanation ? render(e, rule, rule->explanation) : NULL;
	f->remedy = kt_report_alloc(r, (rule->n_remedy + 1) * sizeof(char *));
	for (size_t i = 0; i < rule->n_remedy; i++)
		f->remedy[f->n_remedy++] = render(e, rule, rule->remedy[i]);
	f->references = kt_report_alloc(r, (rule->n_references + 1) * sizeof(char *));
	for (size_t i = 0; i < rule->n_references; i++)
		f->references[f->n_references++] = kt_report_strdup(r, rule->references[i]);
	if (level < 3)
		add_raise(e, rule, level, f);
}

/* Conditions that run regexes over the report text or every frame. */
static bool
costly(enum kt_cond_type t)
{
	return t == KT_COND_LINE || t == KT_COND_FRAMES || t == KT_COND_FRAMES_ORDER;
}

static void
eval_rule(struct eval *e, const struct kt_rule *rule, size_t *cap)
{
	int total = 0, got = 0;
	double score;

	/* Required conditions first: most rules fail one of them on most
	 * reports, so the optional (often regex-heavy) ones are skipped; and
	 * among the required ones the cheap checks (kind, context, taint ...)
	 * before those that run regexes over the text or the frames. All
	 * required conditions must hold, so the order changes no result. */
	for (int pass = 0; pass < 3; pass++) {
		for (size_t i = 0; i < rule->n_conds && i < 64; i++) {
			const struct kt_cond *cd = &rule->conds[i];
			struct cres *c = &e->res[i];
			bool m;

			if (cd->required != (pass < 2) ||
			    (pass < 2 && costly(cd->type) != (pass == 1)))
				continue;
			c->n_vars = 0;
			m = match_cond(e, cd, c);
			c->held = cd->absent ? !m : m;
			if (cd->absent)
				c->n_vars = 0;
			if (!c->held && cd->required)
				return;
			total += cd->weight;
			got += c->held ? cd->weight : 0;
		}
	}
	score = total ? (double)got / total : 0;
	add_finding(e, rule, score, confidence(e, rule, score), cap);
}

static int
sev_rank(const char *s)
{
	static const char *const order[] = { "critical", "high", "medium", "low", "info" };

	for (int i = 0; i < 5; i++)
		if (!strcmp(s, order[i]))
			return i;
	return 5;
}

static int
level_rank(const char *s)
{
	return !strcmp(s, "high") ? 0 : !strcmp(s, "medium") ? 1 : 2;
}

static int
cmp_finding(const void *pa, const void *pb)
{
	const struct kt_finding *a = pa, *b = pb;
	int d = level_rank(a->confidence) - level_rank(b->confidence);

	if (d)
		return d;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	d = sev_rank(a->severity) - sev_rank(b->severity);
	return d ? d : strcmp(a->rule, b->rule);
}

/* The IP function first (when the trace does not start with it), then the
 * call trace; the Xen guest-state trace stands in when there is none. */
static void
collect_frames(struct eval *e)
{
	const struct kt_report *r = e->r;
	const struct kt_frame *fv = r->n_frames ? r->frames : r->xen.frames;
	size_t nf = r->n_frames ? r->n_frames : r->xen.n_frames;
	size_t n = 0;

	e->frames = kt_arena_alloc(e->scratch, (nf + 1) * sizeof(*e->frames));
	if (r->ip.function && !(nf && fv[0].function && !strcmp(fv[0].function, r->ip.function)))
		e->frames[n++] = (struct mframe){ r->ip.function, r->ip.module, true };
	for (size_t i = 0; i < nf; i++)
		e->frames[n++] = (struct mframe){ fv[i].function, fv[i].module, fv[i].reliable };
	e->n_frames = n;
}

/* Gather the prefilter literals of every line condition into one set (on
 * the first run after the rules changed; the set belongs to one context). */
void
kt_ruleset_prepare(struct kt_ruleset *rs)
{
	if (rs->line_lits)
		return;
	rs->line_lits = kt_litset_new();
	for (size_t i = 0; i < rs->n_rules; i++)
		for (size_t j = 0; j < rs->rules[i]->n_conds; j++) {
			struct kt_cond *cd = &rs->rules[i]->conds[j];
			struct kt_regex *re = cd->res;
			size_t *ids;

			if (cd->type != KT_COND_LINE || !re || !re->n_lits)
				continue;
			ids = kt_arena_alloc(rs->arena, re->n_lits * sizeof(*ids));
			for (size_t k = 0; k < re->n_lits; k++)
				ids[k] = kt_litset_add(rs->line_lits, re->lits[k].s, re->lits[k].len);
			re->lit_ids = ids;
		}
}

/* A shared rule set was prepared when it was built (kt_ruleset_builtin_shared). */
static const struct kt_ruleset *
prepare_line_lits(const struct kt_ruleset *crs)
{
	if (!crs->line_lits)
		kt_ruleset_prepare((struct kt_ruleset *)crs);
	return crs;
}

int
kt_diagnose_run(struct kt_ctx *ctx, const struct kt_ruleset *rs,
		const struct kt_host_facts *hf, struct kt_report *r)
{
	struct eval *e;
	struct kt_frame_table *own = NULL;
	const struct kt_frame_table *t;
	const char *why;
	size_t cap = 0;
	int rc;

	if (!rs || !r)
		return kt_error(ctx, KT_EINVAL, "kt_diagnose_run: NULL rule set or report");
	e = malloc(sizeof(*e));
	if (!e)
		kt_oom(sizeof(*e));
	memset(e, 0, offsetof(struct eval, res));
	e->ctx = ctx;
	e->rs = prepare_line_lits(rs);
	e->r = r;
	e->hf = hf;
	e->scratch = kt_arena_new();
	e->mc = kt_regex_context_new();
	e->md = pcre2_match_data_create(10, NULL);
	if (!e->md)
		kt_oom(256);
	t = rs->frames ? rs->frames : (own = kt_frame_table_load(ctx));
	e->context = kt_frame_table_context(t, r, &why);
	collect_frames(e);
	r->findings = NULL;
	r->n_findings = 0;
	for (size_t i = 0; i < rs->n_rules; i++)
		eval_rule(e, rs->rules[i], &cap);
	if (r->n_findings > 1)
		qsort(r->findings, r->n_findings, sizeof(*r->findings), cmp_finding);
	pcre2_match_data_free(e->md);
	pcre2_match_context_free(e->mc);
	kt_arena_free(e->scratch);
	free(e);
	rc = kt_diagnose_story_with(ctx, t, r);
	kt_frame_table_free(own);
	return rc;
}
