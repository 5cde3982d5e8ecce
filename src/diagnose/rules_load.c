/*
 * diagnose: the rule loader. Reads YAML rule files (libyaml document API,
 * so every node keeps its line) into struct kt_rule, validating as it goes:
 * each problem is reported as "file:line: reason" and loading continues to
 * find the next one. It does not evaluate rules (match.c does).
 * The format is documented in docs/rules.md.
 */
#include "diagnose/rules.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "util/arena.h"
#include "util/mem.h"
#include "util/ref.h"
#include "util/str.h"

/* Bounds for hostile rule files (rules check runs on anything). */
#define MAX_RULE_TEXT	(1u << 20)
#define MAX_CONDS	64
#define MAX_LIST	256

static const char *const cond_names[KT_COND_COUNT] = {
	[KT_COND_KIND] = "kind",
	[KT_COND_TITLE] = "title",
	[KT_COND_LINE] = "line",
	[KT_COND_PANIC] = "panic",
	[KT_COND_FRAMES] = "frames",
	[KT_COND_FRAMES_ORDER] = "frames-in-order",
	[KT_COND_GUILTY] = "guilty-frame",
	[KT_COND_GUILTY_MODULE] = "guilty-module",
	[KT_COND_CONTEXT] = "context",
	[KT_COND_MODULE] = "module",
	[KT_COND_TAINT] = "taint",
	[KT_COND_REGISTER] = "register",
	[KT_COND_REG_NOTE] = "reg-note",
	[KT_COND_HARDWARE] = "hardware",
	[KT_COND_KERNEL] = "kernel",
	[KT_COND_XEN] = "xen",
	[KT_COND_COMM] = "comm",
	[KT_COND_HOST_IFACE] = "host-iface",
	[KT_COND_HOST_NETWORK] = "host-network",
};

const char *
kt_cond_type_name(enum kt_cond_type t)
{
	return (unsigned)t < KT_COND_COUNT ? cond_names[t] : "unknown";
}

static const char *const severities[] = { "critical", "high", "medium", "low", "info" };
static const char *const levels[] = { "", "low", "medium", "high" };

/* Loader state for one file. */
struct ld {
	struct kt_ruleset *rs;
	yaml_document_t *doc;
	const char *name;
	kt_diag_fn fn;
	void *ud;
	size_t errors;
	bool lazy;	/* baked built-in rules: compile regexes on first use */
};

static void
problem(struct ld *l, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
problem(struct ld *l, unsigned long line, const char *fmt, ...)
{
	char where[512], msg[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	(void)snprintf(where, sizeof(where), "%s:%lu", l->name, line);
	l->errors++;
	if (l->fn)
		l->fn(l->ud, KT_SEV_ERROR, where, msg);
}

static unsigned long
line_of(const yaml_node_t *n)
{
	return (unsigned long)n->start_mark.line + 1;
}

static yaml_node_t *
node(struct ld *l, int i)
{
	return yaml_document_get_node(l->doc, i);
}

/* The scalar text of n copied to the arena, or NULL (+ problem). */
static const char *
scalar(struct ld *l, yaml_node_t *n, const char *what)
{
	if (!n || n->type != YAML_SCALAR_NODE) {
		problem(l, n ? line_of(n) : 0, "%s must be a string", what);
		return NULL;
	}
	return kt_arena_strndup(l->rs->arena, (const char *)n->data.scalar.value,
				n->data.scalar.length);
}

static bool
parse_bool(struct ld *l, yaml_node_t *n, const char *what, bool *ret)
{
	const char *s = scalar(l, n, what);

	if (!s)
		return false;
	if (!strcmp(s, "true") || !strcmp(s, "yes")) {
		*ret = true;
		return true;
	}
	if (!strcmp(s, "false") || !strcmp(s, "no")) {
		*ret = false;
		return true;
	}
	problem(l, line_of(n), "%s must be true or false, not '%s'", what, s);
	return false;
}

static bool
parse_u64(struct ld *l, yaml_node_t *n, const char *what, uint64_t *ret)
{
	const char *s = scalar(l, n, what);
	char *end;

	if (!s)
		return false;
	errno = 0;
	*ret = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-') {
		problem(l, line_of(n), "%s: '%s' is not a number", what, s);
		return false;
	}
	return true;
}

/* Compile `src` as a full-match regex ("^(?:src)$" semantics when anchored). */
static bool
compile(struct ld *l, yaml_node_t *n, const char *src, bool anchored, struct kt_regex *ret)
{
	int err;
	PCRE2_SIZE off;
	pcre2_code *code;
	char *pat = kt_arena_printf(l->rs->arena, anchored ? "^(?:%s)$" : "%s", src);

	struct kt_regex_code *rc = kt_arena_alloc(l->rs->arena, sizeof(*rc));

	rc->pat = pat;
	rc->bake = l->rs->bake;
	atomic_init(&rc->p, NULL);
	if (!l->lazy) {
		code = kt_pcre_compile_with(rc->bake, pat, PCRE2_ZERO_TERMINATED,
				       PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_MULTILINE,
				       &err, &off);
		if (!code) {
			PCRE2_UCHAR buf[256];

			(void)pcre2_get_error_message(err, buf, sizeof(buf));
			problem(l, line_of(n), "bad regex '%s': %s", src, (const char *)buf);
			return false;
		}
		struct kt_pcre *p = kt_malloc(sizeof(*p));

		kt_pcre_init(p, code);
		atomic_init(&rc->p, p);
	}
	*(struct kt_regex_code **)kt_arena_push(l->rs->arena, (void **)&l->rs->codes,
						&l->rs->n_codes, &l->rs->cap_codes,
						sizeof(rc)) = rc;
	ret->code = rc;
	ret->src = src;
	ret->n_lits = kt_prefilter_literals(pat, l->rs->arena, (struct kt_lit **)&ret->lits);
	return true;
}

static bool
compile_node(struct ld *l, yaml_node_t *n, const char *what, bool anchored, struct kt_regex *ret)
{
	const char *s = scalar(l, n, what);

	return s && compile(l, n, s, anchored, ret);
}

/* A scalar or a sequence of scalars -> array of strings (arena). */
static const char **
string_list(struct ld *l, yaml_node_t *n, const char *what, size_t *ret_n)
{
	const char **v = NULL;
	size_t cnt = 0, cap = 0;

	*ret_n = 0;
	if (n->type == YAML_SCALAR_NODE) {
		const char *s = scalar(l, n, what);

		if (!s)
			return NULL;
		*(const char **)kt_arena_push(l->rs->arena, (void **)&v, &cnt, &cap, sizeof(*v)) = s;
	} else if (n->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++) {
			const char *s = scalar(l, node(l, *it), what);

			if (!s)
				return NULL;
			if (cnt >= MAX_LIST) {
				problem(l, line_of(n), "%s: more than %d entries", what, MAX_LIST);
				return NULL;
			}
			*(const char **)kt_arena_push(l->rs->arena, (void **)&v, &cnt, &cap,
						      sizeof(*v)) = s;
		}
	} else {
		problem(l, line_of(n), "%s must be a string or a list of strings", what);
		return NULL;
	}
	*ret_n = cnt;
	return v;
}

static bool
parse_version(const char *s, uint32_t ret[4])
{
	size_t i = 0;

	memset(ret, 0, 4 * sizeof(ret[0]));
	while (i < 4 && *s >= '0' && *s <= '9') {
		unsigned long v = strtoul(s, (char **)&s, 10);

		ret[i++] = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
		if (*s != '.')
			break;
		s++;
	}
	return i > 0;
}

/* ---- matcher values -------------------------------------------------- */

static void
parse_kinds(struct ld *l, struct kt_cond *c, yaml_node_t *v)
{
	size_t n;
	const char **names = string_list(l, v, "kind", &n);

	for (size_t i = 0; names && i < n; i++) {
		enum kt_kind k = kt_kind_from_name(names[i]);

		if (k == KT_KIND_UNKNOWN && strcmp(names[i], "unknown") != 0)
			problem(l, line_of(v), "unknown kind '%s'", names[i]);
		c->kinds |= UINT64_C(1) << k;
	}
}

static void
parse_contexts(struct ld *l, struct kt_cond *c, yaml_node_t *v)
{
	size_t n;
	const char **names = string_list(l, v, "context", &n);

	for (size_t i = 0; names && i < n; i++) {
		enum kt_context k = kt_context_from_name(names[i]);

		if (k == KT_CONTEXT_UNKNOWN && strcmp(names[i], "unknown") != 0)
			problem(l, line_of(v), "unknown context '%s'", names[i]);
		c->contexts |= 1u << k;
	}
}

static void
parse_frames(struct ld *l, struct kt_cond *c, yaml_node_t *v)
{
	size_t n;
	const char **pats = string_list(l, v, cond_names[c->type], &n);

	if (!pats)
		return;
	if (n == 0)
		problem(l, line_of(v), "%s needs at least one pattern", cond_names[c->type]);
	c->res = kt_arena_alloc(l->rs->arena, (n ? n : 1) * sizeof(*c->res));
	for (size_t i = 0; i < n; i++)
		if (compile(l, v, pats[i], true, &c->res[i]))
			c->n_res++;
}

/* Sub-keys of mapping-valued matchers. `allowed` is a space-separated list. */
static bool
known_subkey(struct ld *l, const char *what, const char *allowed, const char *key,
	     yaml_node_t *kn)
{
	size_t len = strlen(key);

	for (const char *p = allowed; *p;) {
		size_t tok = strcspn(p, " ");

		if (tok == len && len && !strncmp(p, key, len))
			return true;
		p += tok;
		p += *p == ' ';
	}
	problem(l, line_of(kn), "%s: unknown key '%s' (expected: %s)", what, key, allowed);
	return false;
}

static void
parse_letters(struct ld *l, yaml_node_t *n, const char *what, const char **ret)
{
	const char *s = scalar(l, n, what);

	if (!s)
		return;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))) {
			problem(l, line_of(n), "%s: '%s' must be letters only", what, s);
			return;
		}
	*ret = s;
}

/* module / guilty-module: REGEX or {name: REGEX, flags: LETTERS} */
static void
parse_module(struct ld *l, struct kt_cond *c, yaml_node_t *v)
{
	const char *what = cond_names[c->type];

	if (v->type == YAML_SCALAR_NODE) {
		(void)compile_node(l, v, what, true, &c->name);
		return;
	}
	if (v->type != YAML_MAPPING_NODE) {
		problem(l, line_of(v), "%s must be a regex or a mapping", what);
		return;
	}
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = node(l, p->key), *vn = node(l, p->value);
		const char *k = scalar(l, kn, "key");

		if (!k || !known_subkey(l, what, "name flags", k, kn))
			continue;
		if (!strcmp(k, "name"))
			(void)compile_node(l, vn, "name", true, &c->name);
		else
			parse_letters(l, vn, "flags", &c->flags);
	}
}

static void
parse_register(struct ld *l, struct kt_cond *c, yaml_node_t *v)
{
	if (v->type != YAML_MAPPING_NODE) {
		problem(l, line_of(v), "register must be a mapping {name: REGEX, in: [values]}");
		return;
	}
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = node(l, p->key), *vn = node(l, p->value);
		const char *k = scalar(l, kn, "key");

		if (!k || !known_subkey(l, "register", "name in", k, kn))
			continue;
		if (!strcmp(k, "name")) {
			(void)compile_node(l, vn, "name", true, &c->name);
			continue;
		}
		if (vn->type == YAML_SCALAR_NODE) {
			c->values = kt_arena_alloc(l->rs->arena, sizeof(*c->values));
			if (parse_u64(l, vn, "in", &c->values[0]))
				c->n_values = 1;
			continue;
		}
		if (vn->type != YAML_SEQUENCE_NODE) {
			problem(l, line_of(vn), "register.in must be a value or a list of values");
			continue;
		}
		size_t n = (size_t)(vn->data.sequence.items.top - vn->data.sequence.items.start);

		if (n > MAX_LIST) {
			problem(l, line_of(vn), "register.in: more than %d values", MAX_LIST);
			continue;
		}
		c->values = kt_arena_alloc(l->rs->arena, (n ? n : 1) * sizeof(*c->values));
		for (size_t i = 0; i < n; i++)
			if (parse_u64(l, node(l, vn->data.sequence.items.start[i]), "in",
				      &c->values[c->n_values]))
				c->n_values++;
	}
	if (c->n_values == 0)
		problem(l, line_of(v), "register needs 'in' with at least one value");
}

static void
parse_kernel(struct ld *l, struct kt_cond *c, yaml_node_t *v)
{
	if (v->type != YAML_MAPPING_NODE) {
		problem(l, line_of(v), "kernel must be a mapping {min: VERSION, before: VERSION}");
		return;
	}
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = node(l, p->key), *vn = node(l, p->value);
		const char *k = scalar(l, kn, "key"), *s;
		bool min;

		if (!k || !known_subkey(l, "kernel", "min before", k, kn))
			continue;
		min = !strcmp(k, "min");
		s = scalar(l, vn, k);
		if (!s)
			continue;
		if (!parse_version(s, min ? c->ver_min : c->ver_before)) {
			problem(l, line_of(vn), "kernel.%s: '%s' is not a version", k, s);
			continue;
		}
		if (min)
			c->has_min = true;
		else
			c->has_before = true;
	}
	if (!c->has_min && !c->has_before)
		problem(l, line_of(v), "kernel needs 'min' or 'before'");
}

static void
parse_host_iface(struct ld *l, struct kt_cond *c, yaml_node_t *v)
{
	c->mtu_above = -1;
	if (v->type != YAML_MAPPING_NODE) {
		problem(l, line_of(v), "host-iface must be a mapping");
		return;
	}
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = node(l, p->key), *vn = node(l, p->value);
		const char *k = scalar(l, kn, "key");
		uint64_t mtu;

		if (!k || !known_subkey(l, "host-iface", "driver mtu-above jumbo kind port-below-mtu",
					k, kn))
			continue;
		if (!strcmp(k, "port-below-mtu"))
			(void)parse_bool(l, vn, "port-below-mtu", &c->port_below);
		else if (!strcmp(k, "driver"))
			(void)compile_node(l, vn, "driver", true, &c->name);
		else if (!strcmp(k, "jumbo"))
			(void)compile_node(l, vn, "jumbo", true, &c->jumbo);
		else if (!strcmp(k, "kind"))
			(void)compile_node(l, vn, "kind", true, &c->kind);
		else if (parse_u64(l, vn, "mtu-above", &mtu))
			c->mtu_above = mtu > 1000000 ? 1000000 : (int)mtu;
	}
}

static void
parse_host_network(struct ld *l, struct kt_cond *c, yaml_node_t *v)
{
	c->mtu_above = -1;
	if (v->type != YAML_MAPPING_NODE) {
		problem(l, line_of(v), "host-network must be a mapping");
		return;
	}
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = node(l, p->key), *vn = node(l, p->value);
		const char *k = scalar(l, kn, "key");
		uint64_t mtu;

		if (!k || !known_subkey(l, "host-network", "name bridge mtu-above", k, kn))
			continue;
		if (!strcmp(k, "name"))
			(void)compile_node(l, vn, "name", false, &c->name);
		else if (!strcmp(k, "bridge"))
			(void)compile_node(l, vn, "bridge", true, &c->bridge);
		else if (parse_u64(l, vn, "mtu-above", &mtu))
			c->mtu_above = mtu > 1000000 ? 1000000 : (int)mtu;
	}
}

static void
parse_matcher(struct ld *l, struct kt_cond *c, yaml_node_t *v)
{
	switch (c->type) {
	case KT_COND_KIND:
		parse_kinds(l, c, v);
		break;
	case KT_COND_CONTEXT:
		parse_contexts(l, c, v);
		break;
	case KT_COND_FRAMES:
	case KT_COND_FRAMES_ORDER:
		parse_frames(l, c, v);
		break;
	case KT_COND_GUILTY:
	case KT_COND_HARDWARE:
	case KT_COND_COMM:
	case KT_COND_XEN:
	case KT_COND_TITLE:
	case KT_COND_LINE:
	case KT_COND_PANIC:
		c->res = kt_arena_alloc(l->rs->arena, sizeof(*c->res));
		/* frame and command names match whole; text matches anywhere */
		if (compile_node(l, v, cond_names[c->type],
				 c->type == KT_COND_GUILTY || c->type == KT_COND_COMM, c->res))
			c->n_res = 1;
		break;
	case KT_COND_MODULE:
	case KT_COND_GUILTY_MODULE:
		parse_module(l, c, v);
		break;
	case KT_COND_TAINT:
		parse_letters(l, v, "taint", &c->taint);
		break;
	case KT_COND_REGISTER:
		parse_register(l, c, v);
		break;
	case KT_COND_REG_NOTE:
		c->tag = scalar(l, v, "reg-note");
		break;
	case KT_COND_KERNEL:
		parse_kernel(l, c, v);
		break;
	case KT_COND_HOST_IFACE:
		parse_host_iface(l, c, v);
		break;
	case KT_COND_HOST_NETWORK:
		parse_host_network(l, c, v);
		break;
	case KT_COND_COUNT:
		break;
	}
}

static bool
valid_id(const char *s)
{
	if (!*s || !((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '_'))
			return false;
	return true;
}

/* True (and a problem) if the key of pair p appeared earlier in mapping n. */
static bool
dup_key(struct ld *l, yaml_node_t *n, yaml_node_pair_t *p)
{
	yaml_node_t *kn = node(l, p->key);

	for (yaml_node_pair_t *q = n->data.mapping.pairs.start; kn && q < p; q++) {
		yaml_node_t *qn = node(l, q->key);

		if (qn && qn->type == YAML_SCALAR_NODE && kn->type == YAML_SCALAR_NODE &&
		    qn->data.scalar.length == kn->data.scalar.length &&
		    !memcmp(qn->data.scalar.value, kn->data.scalar.value, kn->data.scalar.length)) {
			problem(l, line_of(kn), "duplicate key '%.*s'", (int)kn->data.scalar.length,
				(const char *)kn->data.scalar.value);
			return true;
		}
	}
	return false;
}

static const char *
describe(struct ld *l, const struct kt_cond *c, yaml_node_t *v)
{
	const char *val;

	if (v->type == YAML_SCALAR_NODE) {
		val = (const char *)v->data.scalar.value;
	} else {
		struct kt_buf b;

		kt_buf_init(&b);
		for (yaml_node_item_t *it = v->type == YAML_SEQUENCE_NODE ? v->data.sequence.items.start : NULL;
		     it && it < v->data.sequence.items.top; it++) {
			yaml_node_t *e = node(l, *it);

			if (b.len)
				kt_buf_adds(&b, c->type == KT_COND_FRAMES_ORDER ? " < " : ", ");
			if (e && e->type == YAML_SCALAR_NODE)
				kt_buf_adds(&b, (const char *)e->data.scalar.value);
		}
		for (yaml_node_pair_t *p = v->type == YAML_MAPPING_NODE ? v->data.mapping.pairs.start : NULL;
		     p && p < v->data.mapping.pairs.top; p++) {
			yaml_node_t *kn = node(l, p->key), *vn = node(l, p->value);

			if (b.len)
				kt_buf_adds(&b, ", ");
			if (kn && kn->type == YAML_SCALAR_NODE)
				kt_buf_adds(&b, (const char *)kn->data.scalar.value);
			kt_buf_adds(&b, "=");
			if (vn && vn->type == YAML_SCALAR_NODE)
				kt_buf_adds(&b, (const char *)vn->data.scalar.value);
			for (yaml_node_item_t *it = vn && vn->type == YAML_SEQUENCE_NODE ?
						    vn->data.sequence.items.start : NULL;
			     it && it < vn->data.sequence.items.top; it++) {
				yaml_node_t *e = node(l, *it);

				kt_buf_adds(&b, it == vn->data.sequence.items.start ? "[" : " ");
				if (e && e->type == YAML_SCALAR_NODE)
					kt_buf_adds(&b, (const char *)e->data.scalar.value);
				if (it + 1 == vn->data.sequence.items.top)
					kt_buf_adds(&b, "]");
			}
		}
		val = kt_arena_strdup(l->rs->arena, b.p ? b.p : "");
		kt_buf_deinit(&b);
	}
	return kt_arena_printf(l->rs->arena, "%s%s%s (%s, weight %d): %s%s", c->id,
			       c->required ? " [required]" : "", c->absent ? " [absent]" : "",
			       cond_names[c->type], c->weight, c->absent ? "NOT " : "", val);
}

/* One entry of `conditions:`. Returns false if it is unusable. */
static bool
parse_cond(struct ld *l, yaml_node_t *n, struct kt_cond *c)
{
	yaml_node_t *matcher = NULL;

	memset(c, 0, sizeof(*c));
	c->weight = 1;
	c->mtu_above = -1;
	c->type = KT_COND_COUNT;
	c->line = (uint32_t)line_of(n);
	if (n->type != YAML_MAPPING_NODE) {
		problem(l, line_of(n), "a condition must be a mapping");
		return false;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = node(l, p->key), *vn = node(l, p->value);
		const char *k = scalar(l, kn, "key");
		uint64_t w;
		size_t t;

		if (!k || dup_key(l, n, p))
			continue;
		if (!strcmp(k, "id")) {
			c->id = scalar(l, vn, "id");
			if (c->id && !valid_id(c->id))
				problem(l, line_of(vn), "condition id '%s' must be [a-z0-9_-]+", c->id);
		} else if (!strcmp(k, "required")) {
			(void)parse_bool(l, vn, "required", &c->required);
		} else if (!strcmp(k, "absent")) {
			(void)parse_bool(l, vn, "absent", &c->absent);
		} else if (!strcmp(k, "weight")) {
			if (parse_u64(l, vn, "weight", &w)) {
				if (w < 1 || w > 100)
					problem(l, line_of(vn), "weight must be 1..100");
				else
					c->weight = (int)w;
			}
		} else if (!strcmp(k, "evidence")) {
			c->evidence = scalar(l, vn, "evidence");
		} else {
			for (t = 0; t < KT_COND_COUNT; t++)
				if (!strcmp(k, cond_names[t]))
					break;
			if (t == KT_COND_COUNT) {
				problem(l, line_of(kn), "unknown condition key '%s'", k);
			} else if (matcher) {
				problem(l, line_of(kn), "condition has two matchers ('%s' and '%s')",
					cond_names[c->type], k);
			} else {
				c->type = (enum kt_cond_type)t;
				matcher = vn;
			}
		}
	}
	if (!c->id) {
		problem(l, line_of(n), "condition without 'id'");
		return false;
	}
	if (!matcher) {
		problem(l, line_of(n), "condition '%s' has no matcher (kind, frames, line, ...)", c->id);
		return false;
	}
	parse_matcher(l, c, matcher);
	c->describe = describe(l, c, matcher);
	return true;
}

static void
parse_conditions(struct ld *l, struct kt_rule *r, yaml_node_t *n)
{
	size_t cap = r->n_conds;	/* dup_key() keeps this at 0; be safe */

	if (n->type != YAML_SEQUENCE_NODE) {
		problem(l, line_of(n), "conditions must be a list");
		return;
	}
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		struct kt_cond c;

		if (r->n_conds >= MAX_CONDS) {
			problem(l, line_of(n), "more than %d conditions", MAX_CONDS);
			return;
		}
		if (!parse_cond(l, node(l, *it), &c))
			continue;
		for (size_t i = 0; i < r->n_conds; i++)
			if (!strcmp(r->conds[i].id, c.id))
				problem(l, c.line, "duplicate condition id '%s'", c.id);
		*(struct kt_cond *)kt_arena_push(l->rs->arena, (void **)&r->conds, &r->n_conds, &cap,
						 sizeof(c)) = c;
	}
}

static int
cond_index(const struct kt_rule *r, const char *id, size_t len)
{
	for (size_t i = 0; i < r->n_conds; i++)
		if (strlen(r->conds[i].id) == len && !strncmp(r->conds[i].id, id, len))
			return (int)i;
	return -1;
}

/* "trace + host-jumbo" -> condition indexes. */
static void
parse_combo(struct ld *l, struct kt_rule *r, yaml_node_t *n, int level, size_t *cap)
{
	const char *s = scalar(l, n, "confidence entry");
	struct kt_conf_combo cb = { .level = level };
	size_t ccap = 0;

	if (!s)
		return;
	cb.text = kt_arena_printf(l->rs->arena, "%s: %s", levels[level], s);
	for (const char *p = s; *p;) {
		size_t len;
		int idx;

		while (*p == ' ' || *p == '+' || *p == '\t')
			p++;
		len = strcspn(p, " +\t");
		if (!len)
			break;
		idx = cond_index(r, p, len);
		if (idx < 0)
			problem(l, line_of(n), "confidence refers to unknown condition '%.*s'",
				(int)len, p);
		else
			*(size_t *)kt_arena_push(l->rs->arena, (void **)&cb.conds, &cb.n_conds, &ccap,
						 sizeof(size_t)) = (size_t)idx;
		p += len;
	}
	if (!cb.n_conds) {
		problem(l, line_of(n), "empty confidence entry");
		return;
	}
	*(struct kt_conf_combo *)kt_arena_push(l->rs->arena, (void **)&r->combos, &r->n_combos, cap,
					       sizeof(cb)) = cb;
}

static void
parse_confidence(struct ld *l, struct kt_rule *r, yaml_node_t *n)
{
	size_t cap = r->n_combos;

	if (n->type != YAML_MAPPING_NODE) {
		problem(l, line_of(n), "confidence must be a mapping {high: [...], medium: [...], low: [...]}");
		return;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = node(l, p->key), *vn = node(l, p->value);
		const char *k = scalar(l, kn, "key");
		int level = 0;

		if (!k)
			continue;
		for (int i = 1; i <= 3; i++)
			if (!strcmp(k, levels[i]))
				level = i;
		if (!level) {
			problem(l, line_of(kn), "confidence level must be high, medium or low, not '%s'", k);
			continue;
		}
		if (vn->type == YAML_SEQUENCE_NODE) {
			for (yaml_node_item_t *it = vn->data.sequence.items.start;
			     it < vn->data.sequence.items.top; it++)
				parse_combo(l, r, node(l, *it), level, &cap);
		} else {
			parse_combo(l, r, vn, level, &cap);
		}
	}
}

/* The values a placeholder may name (match.c report_var and set_var). */
static const char report_fields[] =
	"title kind context release frame comm panic hardware xen-version";
#define GROUPS "1 2 3 4 5 6 7 8 9"
static const char *const cond_subs[KT_COND_COUNT] = {
	[KT_COND_KIND] = "", [KT_COND_TITLE] = GROUPS, [KT_COND_LINE] = GROUPS,
	[KT_COND_PANIC] = GROUPS, [KT_COND_FRAMES] = "", [KT_COND_FRAMES_ORDER] = "",
	[KT_COND_GUILTY] = GROUPS, [KT_COND_GUILTY_MODULE] = "flags function",
	[KT_COND_CONTEXT] = "", [KT_COND_MODULE] = "name flags", [KT_COND_TAINT] = "",
	[KT_COND_REGISTER] = "reg value dec", [KT_COND_REG_NOTE] = "reg",
	[KT_COND_HARDWARE] = GROUPS, [KT_COND_KERNEL] = "", [KT_COND_XEN] = GROUPS,
	[KT_COND_COMM] = GROUPS, [KT_COND_HOST_IFACE] = "iface driver mtu host port-mtu",
	[KT_COND_HOST_NETWORK] = "uuid name bridge mtu",
};
#undef GROUPS

/* ".sub" (up to '|' or '}' before end) is a word of the space-separated list. */
static bool
known_sub(const char *list, const char *dot, const char *end)
{
	const char *bar = memchr(dot, '|', (size_t)(end - dot));
	size_t n;

	if (*dot != '.')
		return *dot == '|' || *dot == '}' ? list != report_fields : false;
	dot++;
	n = (size_t)((bar ? bar : end) - dot);
	for (const char *w = list; *w;) {
		size_t wl = strcspn(w, " ");

		if (wl == n && n && !strncmp(w, dot, n))
			return true;
		w += wl;
		while (*w == ' ')
			w++;
	}
	return false;
}

/* Placeholders "{cond-id}", "{cond-id.sub}", "{report.field}" with an
 * optional "|default" must name something that exists. */
static void
check_template(struct ld *l, const struct kt_rule *r, const char *t, uint32_t line)
{
	int k;

	for (const char *p = strchr(t, '{'); p; p = strchr(p + 1, '{')) {
		const char *end = strchr(p, '}');
		size_t len;

		if (!end) {
			problem(l, line, "unterminated '{' in template");
			return;
		}
		len = strcspn(p + 1, ".|}");
		if (len == 6 && !strncmp(p + 1, "report", 6)) {
			if (!known_sub(report_fields, p + 1 + len, end))
				problem(l, line, "template placeholder '%.*s' names no report field "
					"(%s)", (int)(end - p + 1), p, report_fields);
			continue;
		}
		k = cond_index(r, p + 1, len);
		if (k < 0)
			problem(l, line, "template placeholder '%.*s' names no condition",
				(int)(end - p + 1), p);
		else if (p[1 + len] == '.' && !known_sub(cond_subs[r->conds[k].type], p + 1 + len, end))
			problem(l, line, "template placeholder '%.*s' names no value of a %s "
				"condition (%s)", (int)(end - p + 1), p,
				cond_names[r->conds[k].type],
				*cond_subs[r->conds[k].type] ? cond_subs[r->conds[k].type] : "none");
	}
}

static const char **
parse_strings(struct ld *l, const struct kt_rule *r, yaml_node_t *n, const char *what,
	      size_t *ret_n)
{
	const char **v = string_list(l, n, what, ret_n);

	for (size_t i = 0; v && i < *ret_n; i++)
		check_template(l, r, v[i], (uint32_t)line_of(n));
	return v;
}

static void
check_rule(struct ld *l, struct kt_rule *r, yaml_node_t *n)
{
	size_t req = 0;

	if (!r->id)
		problem(l, line_of(n), "rule without 'id'");
	if (!r->title)
		problem(l, line_of(n), "rule without 'title'");
	if (!r->severity)
		problem(l, line_of(n), "rule without 'severity'");
	if (!r->n_conds)
		problem(l, line_of(n), "rule without conditions");
	if (!r->n_references)
		problem(l, line_of(n), "rule without references (every rule cites its source)");
	for (size_t i = 0; i < r->n_conds; i++) {
		req += r->conds[i].required;
		if (r->conds[i].evidence)
			check_template(l, r, r->conds[i].evidence, r->conds[i].line);
	}
	if (r->n_conds && !req)
		problem(l, line_of(n), "rule needs at least one 'required: true' condition");
	r->cond_text = kt_arena_alloc(l->rs->arena, (r->n_conds + 1) * sizeof(char *));
	for (size_t i = 0; i < r->n_conds; i++)
		r->cond_text[i] = r->conds[i].describe;
	r->conf_text = kt_arena_alloc(l->rs->arena, (r->n_combos + 1) * sizeof(char *));
	for (size_t i = 0; i < r->n_combos; i++)
		r->conf_text[i] = r->combos[i].text;
}

/* Top-level keys of a rule. Conditions are parsed first (other keys refer
 * to them), whatever their place in the file. */
static struct kt_rule *
parse_rule(struct ld *l, yaml_node_t *n)
{
	struct kt_rule *r = kt_arena_alloc(l->rs->arena, sizeof(*r));
	yaml_node_t *later[3] = { NULL, NULL, NULL };	/* confidence, remedy, references */

	r->file = kt_arena_strdup(l->rs->arena, l->name);
	r->line = (uint32_t)line_of(n);
	if (n->type != YAML_MAPPING_NODE) {
		problem(l, line_of(n), "a rule must be a mapping");
		return NULL;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = node(l, p->key), *vn = node(l, p->value);
		const char *k = scalar(l, kn, "key");

		if (!k || dup_key(l, n, p))
			continue;
		if (!strcmp(k, "id")) {
			r->id = scalar(l, vn, "id");
			if (r->id && !valid_id(r->id))
				problem(l, line_of(vn), "rule id '%s' must be [a-z0-9_-]+", r->id);
		} else if (!strcmp(k, "title")) {
			r->title = scalar(l, vn, "title");
		} else if (!strcmp(k, "severity")) {
			r->severity = scalar(l, vn, "severity");
			bool ok = false;

			for (size_t i = 0; r->severity && i < 5; i++)
				ok |= !strcmp(r->severity, severities[i]);
			if (r->severity && !ok)
				problem(l, line_of(vn), "severity must be critical, high, medium, low or info, not '%s'",
					r->severity);
		} else if (!strcmp(k, "explanation")) {
			r->explanation = scalar(l, vn, "explanation");
		} else if (!strcmp(k, "conditions")) {
			parse_conditions(l, r, vn);
		} else if (!strcmp(k, "confidence")) {
			later[0] = vn;
		} else if (!strcmp(k, "remedy")) {
			later[1] = vn;
		} else if (!strcmp(k, "references")) {
			later[2] = vn;
		} else {
			problem(l, line_of(kn), "unknown key '%s'", k);
		}
	}
	if (later[0])
		parse_confidence(l, r, later[0]);
	if (later[1])
		r->remedy = parse_strings(l, r, later[1], "remedy", &r->n_remedy);
	if (later[2]) {
		r->references = parse_strings(l, r, later[2], "references", &r->n_references);
		for (size_t i = 0; r->references && i < r->n_references; i++) {
			const char *why = NULL;

			if (!kt_ref_is_public(r->references[i], &why))
				problem(l, line_of(later[2]), "reference '%.60s%s' %s",
					r->references[i], strlen(r->references[i]) > 60 ? "..." : "",
					why);
		}
	}
	if (r->explanation)
		check_template(l, r, r->explanation, r->line);
	check_rule(l, r, n);
	return r;
}

/* One document: its rule (if any) appended to *v. */
static void
take_doc(struct ld *l, yaml_document_t *doc, yaml_node_t *root, struct kt_rule ***v, size_t *n,
	 size_t *cap)
{
	struct kt_rule *r;

	l->doc = doc;
	r = parse_rule(l, root);
	if (r)
		*(struct kt_rule **)kt_arena_push(l->rs->arena, (void **)v, n, cap, sizeof(r)) = r;
}

size_t
kt_rules_parse(struct kt_ruleset *rs, const char *name, const char *text, size_t len,
	       kt_diag_fn fn, void *ud, struct kt_rule ***ret_rules, size_t *ret_n)
{
	struct ld l = { .rs = rs, .name = name, .fn = fn, .ud = ud };
	struct kt_rule **v = NULL;
	size_t n = 0, cap = 0;
	yaml_parser_t parser;

	*ret_rules = NULL;
	*ret_n = 0;
	if (len > MAX_RULE_TEXT) {
		problem(&l, 1, "rule file larger than %u bytes", MAX_RULE_TEXT);
		return l.errors;
	}
	if (!yaml_parser_initialize(&parser))
		kt_oom(sizeof(parser));
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	for (;;) {
		yaml_document_t doc;
		yaml_node_t *root;

		if (!yaml_parser_load(&parser, &doc)) {
			problem(&l, (unsigned long)parser.problem_mark.line + 1, "YAML: %s%s%s",
				parser.problem ? parser.problem : "syntax error",
				parser.context ? " " : "", parser.context ? parser.context : "");
			break;
		}
		root = yaml_document_get_root_node(&doc);
		if (!root) {
			yaml_document_delete(&doc);
			break;
		}
		take_doc(&l, &doc, root, &v, &n, &cap);
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	if (!n && !l.errors)
		problem(&l, 1, "no rule in file");
	*ret_rules = v;
	*ret_n = n;
	return l.errors;
}

size_t
kt_rules_parse_baked(struct kt_ruleset *rs, const struct kt_baked_rules *b, kt_diag_fn fn,
		     void *ud, struct kt_rule ***ret_rules, size_t *ret_n)
{
	struct ld l = { .rs = rs, .name = b->path, .fn = fn, .ud = ud, .lazy = true };
	struct kt_rule **v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < b->n_docs; i++)
		take_doc(&l, &b->docs[i], yaml_document_get_root_node(&b->docs[i]), &v, &n, &cap);
	if (!n && !l.errors)
		problem(&l, 1, "no rule in file");
	*ret_rules = v;
	*ret_n = n;
	return l.errors;
}
