/*
 * parse/fields: "Modules linked in: tun nfsv3 bnx2i(O) ... [last unloaded: x]"
 * with its continuation lines (long lists arrive as several records in
 * XenServer dom0.log and wrapped in serial captures). Per-module flags are
 * the taint letters plus '+'/'-' (loading/unloading), kept as printed.
 * Reference: oops-format.md §1.7 (kernel/module/main.c print_modules()).
 */
#include "parse/fields.h"

#include <string.h>

#include <ktriage/limits.h>

#include "util/arena.h"

/* Lines a module list may continue over (beyond that it is not a list). */
#define MAX_CONTINUATIONS 64

struct mod_tok {
	struct kt_str name;
	struct kt_str flags;
};

/* "enic(O)", "nvidia(POE)", "mlx5_core(+)", "tun" */
static bool
module_token(struct kt_str tok, struct mod_tok *ret)
{
	size_t n = 0;

	while (n < tok.len && (kt_is_ident(tok.p[n]) || tok.p[n] == '-'))
		n++;
	if (n == 0)
		return false;
	ret->name = kt_str_make(tok.p, n);
	ret->flags = kt_str_make(NULL, 0);
	if (n == tok.len)
		return true;
	if (tok.p[n] != '(' || tok.p[tok.len - 1] != ')')
		return false;
	ret->flags = kt_str_sub(tok, n + 1, tok.len - n - 2);
	for (size_t i = 0; i < ret->flags.len; i++) {
		char c = ret->flags.p[i];

		if (!((c >= 'A' && c <= 'Z') || c == '+' || c == '-'))
			return false;
	}
	return true;
}

/* Does the whole of s read as a module list (for continuation lines)? */
static bool
looks_like_list(struct kt_str s)
{
	struct kt_str tok;
	struct mod_tok m;
	size_t count = 0;

	if (kt_str_starts_with(kt_str_ltrim(s), "[last unloaded: "))
		return true;
	while ((tok = kt_fx_token(&s)).len) {
		if (kt_str_eq_cstr(tok, "[last"))
			return count > 0;
		if (!module_token(tok, &m))
			return false;
		count++;
	}
	return count > 0;
}

static void
add_module(struct kt_fx *fx, const struct mod_tok *m)
{
	struct kt_report *r = fx->r;
	struct kt_module *mod;

	if (r->n_modules >= KT_MAX_MODULES) {
		if (r->n_modules == KT_MAX_MODULES && fx->modules_cap != (size_t)-1) {
			kt_report_note(r, fx->no, KT_SEV_WARN, "more than %d modules, rest dropped",
				       KT_MAX_MODULES);
			fx->modules_cap = (size_t)-1;
		}
		return;
	}
	mod = kt_arena_push(r->arena, (void **)&r->modules, &r->n_modules, &fx->modules_cap,
			    sizeof(*mod));
	mod->name = kt_fx_strdup(fx, m->name);
	mod->flags = m->flags.len ? kt_fx_strdup(fx, m->flags) : NULL;
}

/* Read module tokens; returns false once "[last unloaded: x]" ended the list. */
static bool
read_list(struct kt_fx *fx, struct kt_str s)
{
	struct kt_str tok;
	struct mod_tok m;
	long at;

	at = kt_fx_find(s, "[last unloaded: ");
	if (at >= 0) {
		struct kt_str last = kt_str_skip(s, (size_t)at + 16);
		long end = kt_str_chr(last, ']');

		if (end >= 0)
			last = kt_str_sub(last, 0, (size_t)end);
		last = kt_str_trim(last);
		if (last.len && !fx->r->last_unloaded)
			fx->r->last_unloaded = kt_fx_strdup(fx, last);
		s = kt_str_sub(s, 0, (size_t)at);
	}
	while ((tok = kt_fx_token(&s)).len)
		if (module_token(tok, &m))
			add_module(fx, &m);
	return at < 0;
}

bool
kt_fx_modules_line(struct kt_fx *fx)
{
	struct kt_str s = fx->line;

	if (kt_fx_eat(&s, "Modules linked in:")) {
		if (fx->r->n_modules || fx->r->last_unloaded) {
			fx->modules_open = false;	/* a later oops repeats the list */
			fx->in_trace = false;
			return true;
		}
		fx->modules_open = read_list(fx, s);
		fx->modules_more = MAX_CONTINUATIONS;
		fx->in_trace = false;	/* >= 4.17 the list follows the trace */
		return true;
	}
	if (!fx->modules_open)
		return false;
	if (fx->modules_more-- <= 0 || !looks_like_list(s)) {
		fx->modules_open = false;
		return false;
	}
	fx->modules_open = read_list(fx, s);
	return true;
}
