/*
 * net: the MTU plan as numbered text and as JSON (jansson), and the JSON
 * read back (the journal starts with the plan, so --resume and --rollback
 * work from the journal alone).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/plan.h"
#include "util/arena.h"
#include "util/ctx.h"
#include "util/mem.h"
#include "util/str.h"

static const char *const kind_name[KT_PLAN_KIND_COUNT] = {
	[KT_PLAN_RUN] = "run", [KT_PLAN_MANUAL] = "manual", [KT_PLAN_WARN] = "warning",
	[KT_PLAN_VERIFY] = "verify", [KT_PLAN_CHECK] = "check",
};

static void
add_argv(struct kt_buf *b, const char *const *argv)
{
	for (size_t i = 0; argv && argv[i]; i++) {
		bool quote = argv[i][0] == '\0' || strpbrk(argv[i], " \t'\"$;&|<>()*?`\\") != NULL;

		kt_buf_adds(b, i ? " " : "");
		if (!quote) {
			kt_buf_adds(b, argv[i]);
			continue;
		}
		kt_buf_addc(b, '\'');
		for (const char *c = argv[i]; *c; c++) {
			if (*c == '\'')
				kt_buf_adds(b, "'\\''");
			else
				kt_buf_addc(b, *c);
		}
		kt_buf_addc(b, '\'');
	}
}

char *
kt_net_argv_text(const char *const *argv)
{
	struct kt_buf b;

	kt_buf_init(&b);
	add_argv(&b, argv);
	if (!b.p)
		kt_buf_adds(&b, "");
	return b.p;
}

char *
kt_net_plan_text(const struct kt_net_plan *plan)
{
	struct kt_buf b;

	kt_buf_init(&b);
	kt_buf_printf(&b, "Plan: network '%s' (uuid %s) MTU %d -> %d (%s)\n",
		      plan->network_name ? plan->network_name : "", plan->network_uuid,
		      plan->old_mtu, plan->new_mtu,
		      plan->new_mtu > plan->old_mtu ? "raising: switches and storage first, then "
		      "PIFs host by host, VIFs last" : "lowering: guests and VIFs first, then PIFs "
		      "host by host, switches and storage last");
	for (size_t i = 0; i < plan->n_refusals; i++) {
		const struct kt_plan_note *n = &plan->refusals[i];

		kt_buf_printf(&b, "  %s%s%s [%s]: %s\n      source: %s\n",
			      plan->forced ? "FORCED (refused without --force)" : "REFUSED",
			      n->host ? " " : "", n->host ? n->host : "", n->id, n->text, n->source);
	}
	for (size_t i = 0; i < plan->n_warnings; i++) {
		const struct kt_plan_note *n = &plan->warnings[i];

		kt_buf_printf(&b, "  WARNING%s%s [%s]: %s\n      source: %s\n", n->host ? " " : "",
			      n->host ? n->host : "", n->id, n->text, n->source);
	}
	for (size_t i = 0; i < plan->n_steps; i++) {
		const struct kt_plan_step *s = &plan->steps[i];

		kt_buf_printf(&b, "%3zu. [%s]%s%s %s\n", i + 1, kind_name[s->kind],
			      s->host ? " host " : "", s->host ? s->host : "", s->text);
		if (s->argv) {
			kt_buf_adds(&b, "       $ ");
			add_argv(&b, s->argv);
			kt_buf_addc(&b, '\n');
		}
		for (size_t k = 0; s->check && s->check->after && k < s->check->n_pings; k++)
			kt_buf_printf(&b, "       $ ping -M do -s %d -c 3 %s   (and -s %d must fail)\n",
				      s->check->pif_mtu - 28, s->check->pings[k], s->check->pif_mtu - 27);
	}
	if (kt_net_plan_refused(plan))
		kt_buf_adds(&b, "\nThis plan is REFUSED (reasons above): nothing will be applied; "
			    "--force overrides.\n");
	return b.p;
}

/* ---- JSON ---- */

static json_t *
jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *
jargv(const char *const *argv)
{
	json_t *a = json_array();

	for (size_t i = 0; argv && argv[i]; i++)
		json_array_append_new(a, json_string(argv[i]));
	return a;
}

static json_t *
jlist(const char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *
jnotes(const struct kt_plan_note *n, size_t count)
{
	json_t *a = json_array();

	for (size_t i = 0; i < count; i++)
		json_array_append_new(a, json_pack("{s:s, s:o, s:s, s:s}", "id", n[i].id, "host",
						   jstr(n[i].host), "text", n[i].text, "source",
						   n[i].source));
	return a;
}

json_t *
kt_net_plan_to_json(const struct kt_net_plan *plan)
{
	json_t *steps = json_array();

	for (size_t i = 0; i < plan->n_steps; i++) {
		const struct kt_plan_step *s = &plan->steps[i];
		json_t *o = json_pack("{s:I, s:s, s:o, s:s}", "n", (json_int_t)(i + 1), "kind",
				      kind_name[s->kind], "host", jstr(s->host), "text", s->text);

		if (s->argv)
			json_object_set_new(o, "argv", jargv(s->argv));
		if (s->cosmetic)
			json_object_set_new(o, "cosmetic", json_true());
		if (s->n_undo) {
			json_t *u = json_array();

			for (size_t k = 0; k < s->n_undo; k++)
				json_array_append_new(u, jargv(s->undo[k]));
			json_object_set_new(o, "undo", u);
		}
		if (s->check) {
			const struct kt_plan_check *c = s->check;

			json_object_set_new(o, "check", json_pack(
				"{s:b, s:o, s:s, s:i, s:b, s:o, s:o, s:o}", "after", c->after,
				"host_uuid", jstr(c->host_uuid), "pif_uuid", c->pif_uuid, "pif_mtu",
				c->pif_mtu, "ha_enabled", c->ha_enabled, "pbds", jlist(c->pbds, c->n_pbds),
				"vifs", jlist(c->vifs, c->n_vifs), "pings", jlist(c->pings, c->n_pings)));
		}
		json_array_append_new(steps, o);
	}
	return json_pack("{s:{s:s, s:o}, s:i, s:i, s:s, s:b, s:b, s:o, s:o, s:o}",
			 "network", "uuid", plan->network_uuid, "name", jstr(plan->network_name),
			 "old_mtu", plan->old_mtu, "new_mtu", plan->new_mtu, "direction",
			 plan->new_mtu > plan->old_mtu ? "raise" : "lower", "forced", plan->forced,
			 "refused", kt_net_plan_refused(plan), "refusals",
			 jnotes(plan->refusals, plan->n_refusals), "warnings",
			 jnotes(plan->warnings, plan->n_warnings), "steps", steps);
}

char *
kt_net_plan_json(const struct kt_net_plan *plan)
{
	json_t *j = kt_net_plan_to_json(plan);
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	char *ret = kt_strdup(s ? s : "{}");

	free(s);
	json_decref(j);
	return ret;
}

/* ---- reading it back ---- */

static const char *
gstr(struct kt_arena *a, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? kt_arena_strdup(a, json_string_value(v)) : NULL;
}

static const char **
gargv(struct kt_arena *a, json_t *arr, bool *ok)
{
	size_t n = json_array_size(arr);
	const char **v;

	if (!json_is_array(arr) || n == 0 || n > 64) {
		*ok = false;
		return NULL;
	}
	v = kt_arena_alloc(a, (n + 1) * sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(arr, i);

		if (!json_is_string(e)) {
			*ok = false;
			return NULL;
		}
		v[i] = kt_arena_strdup(a, json_string_value(e));
	}
	v[n] = NULL;
	return v;
}

static const char **
glist(struct kt_arena *a, json_t *arr, size_t *n, bool *ok)
{
	const char **v;

	*n = 0;
	if (!json_is_array(arr)) {
		*ok = false;
		return NULL;
	}
	v = kt_arena_alloc(a, (json_array_size(arr) + 1) * sizeof(*v));
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *e = json_array_get(arr, i);

		if (!json_is_string(e)) {
			*ok = false;
			return v;
		}
		v[(*n)++] = kt_arena_strdup(a, json_string_value(e));
	}
	return v;
}

static bool
gnotes(struct kt_arena *a, json_t *arr, struct kt_plan_note **ret, size_t *n, size_t *cap)
{
	if (!json_is_array(arr))
		return false;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *o = json_array_get(arr, i);
		struct kt_plan_note *note = kt_arena_push(a, (void **)ret, n, cap, sizeof(*note));

		note->id = gstr(a, o, "id");
		note->host = gstr(a, o, "host");
		note->text = gstr(a, o, "text");
		note->source = gstr(a, o, "source");
		if (!note->id || !note->text || !note->source)
			return false;
	}
	return true;
}

int
kt_net_plan_from_jobj(struct kt_ctx *ctx, json_t *j, struct kt_net_plan **ret)
{
	struct kt_net_plan *p = kt_calloc(1, sizeof(*p));
	struct kt_arena *a;
	json_t *net = json_object_get(j, "network"), *steps = json_object_get(j, "steps");
	bool ok = true;

	p->arena = a = kt_arena_new();
	p->network_uuid = gstr(a, net, "uuid");
	p->network_name = gstr(a, net, "name");
	p->old_mtu = (int)json_integer_value(json_object_get(j, "old_mtu"));
	p->new_mtu = (int)json_integer_value(json_object_get(j, "new_mtu"));
	p->forced = json_is_true(json_object_get(j, "forced"));
	ok = p->network_uuid && kt_net_valid_uuid(p->network_uuid) && json_is_array(steps) &&
	     json_array_size(steps) < 100000 && p->new_mtu >= 68 && p->new_mtu <= 65535 &&
	     gnotes(a, json_object_get(j, "refusals"), &p->refusals, &p->n_refusals, &p->cap_refusals) &&
	     gnotes(a, json_object_get(j, "warnings"), &p->warnings, &p->n_warnings, &p->cap_warnings);
	for (size_t i = 0; ok && i < json_array_size(steps); i++) {
		json_t *o = json_array_get(steps, i), *u = json_object_get(o, "undo");
		json_t *c = json_object_get(o, "check");
		struct kt_plan_step *s = kt_arena_push(a, (void **)&p->steps, &p->n_steps,
						       &p->cap_steps, sizeof(*s));
		const char *kind = gstr(a, o, "kind");

		s->kind = KT_PLAN_KIND_COUNT;
		for (int k = 0; kind && k < KT_PLAN_KIND_COUNT; k++)
			if (strcmp(kind, kind_name[k]) == 0)
				s->kind = (enum kt_plan_kind)k;
		s->host = gstr(a, o, "host");
		s->text = gstr(a, o, "text");
		s->cosmetic = json_is_true(json_object_get(o, "cosmetic"));
		if (s->kind == KT_PLAN_KIND_COUNT || !s->text ||
		    json_integer_value(json_object_get(o, "n")) != (json_int_t)(i + 1)) {
			ok = false;
			break;
		}
		if (json_object_get(o, "argv"))
			s->argv = gargv(a, json_object_get(o, "argv"), &ok);
		if (s->kind == KT_PLAN_RUN && !s->argv)
			ok = false;
		if (u) {
			ok = ok && json_is_array(u) && json_array_size(u) <= 64;
			s->undo = kt_arena_alloc(a, (json_array_size(u) + 1) * sizeof(*s->undo));
			for (size_t k = 0; ok && k < json_array_size(u); k++)
				s->undo[s->n_undo++] = gargv(a, json_array_get(u, k), &ok);
		}
		if (c) {
			struct kt_plan_check *ck = kt_arena_alloc(a, sizeof(*ck));

			memset(ck, 0, sizeof(*ck));
			ck->after = json_is_true(json_object_get(c, "after"));
			ck->host_uuid = gstr(a, c, "host_uuid");
			ck->pif_uuid = gstr(a, c, "pif_uuid");
			ck->pif_mtu = (int)json_integer_value(json_object_get(c, "pif_mtu"));
			ck->ha_enabled = json_is_true(json_object_get(c, "ha_enabled"));
			ck->pbds = glist(a, json_object_get(c, "pbds"), &ck->n_pbds, &ok);
			ck->vifs = glist(a, json_object_get(c, "vifs"), &ck->n_vifs, &ok);
			ck->pings = glist(a, json_object_get(c, "pings"), &ck->n_pings, &ok);
			ok = ok && ck->pif_uuid;
			s->check = ck;
		}
		if (s->kind == KT_PLAN_CHECK && !s->check)
			ok = false;
	}
	if (!ok) {
		kt_arena_free(a);
		free(p);
		return kt_error(ctx, KT_EFORMAT, "not a ktriage net plan");
	}
	*ret = p;
	return 0;
}

int
kt_net_plan_from_json(struct kt_ctx *ctx, const char *text, struct kt_net_plan **ret)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	int err;

	if (!j)
		return kt_error(ctx, KT_EFORMAT, "plan JSON: %s (line %d)", e.text, e.line);
	err = kt_net_plan_from_jobj(ctx, j, ret);
	json_decref(j);
	return err;
}
