/*
 * parse/fields: small text cursors and the kallsyms symbol grammar shared by
 * every fields recogniser ("memcpy+0x6/0x110 [bridge]"). Views only; nothing
 * is copied here.
 */
#include "parse/fields.h"

#include <string.h>

void
kt_fx_ws(struct kt_str *s)
{
	while (s->len && kt_is_space(*s->p)) {
		s->p++;
		s->len--;
	}
}

size_t
kt_fx_hex(struct kt_str *s, uint64_t *ret)
{
	size_t n = kt_parse_hex(*s, ret);

	*s = kt_str_skip(*s, n);
	return n;
}

size_t
kt_fx_dec(struct kt_str *s, uint64_t *ret)
{
	size_t n = kt_parse_dec(*s, ret);

	*s = kt_str_skip(*s, n);
	return n;
}

struct kt_str
kt_fx_token(struct kt_str *s)
{
	struct kt_str t;
	size_t n = 0;

	kt_fx_ws(s);
	while (n < s->len && !kt_is_space(s->p[n]))
		n++;
	t = kt_str_make(s->p, n);
	*s = kt_str_skip(*s, n);
	return t;
}

/* Characters that end a symbol name. Names carry compiler suffixes
 * (".isra.0", ".cold"), ppc64 ELFv1 leading dots and Xen "file.c#func". */
static bool
sym_char(char c)
{
	unsigned char u = (unsigned char)c;

	if (u < 0x21 || u >= 0x7f)
		return false;
	/* the common case first: letters, digits, '_', '.' */
	if (kt_is_ident(c) || c == '.')
		return true;
	return !strchr("+()[]<>,:;{}=\"'", c);
}

static bool
all_hex(struct kt_str t)
{
	size_t i = 0;

	if (t.len > 2 && t.p[0] == '0' && (t.p[1] == 'x' || t.p[1] == 'X'))
		i = 2;
	if (i == t.len)
		return false;
	for (; i < t.len; i++)
		if (!kt_is_xdigit(t.p[i]))
			return false;
	return true;
}

/* " [bridge]" or " [sprd_gpio 814535e9...]" after a symbol. */
static void
sym_module(struct kt_str *s, struct kt_fx_sym *sym)
{
	struct kt_str t = *s, mod, bid = { 0 };
	size_t n = 0;

	kt_fx_ws(&t);
	if (!kt_fx_eat(&t, "[") || (t.len && t.p[0] == '<'))
		return;
	while (n < t.len && (kt_is_ident(t.p[n]) || t.p[n] == '-'))
		n++;
	if (n == 0)
		return;
	mod = kt_str_make(t.p, n);
	if (kt_str_eq_cstr(mod, "inline") || kt_str_eq_cstr(mod, "last"))
		return;
	t = kt_str_skip(t, n);
	if (t.len && t.p[0] == ' ') {
		kt_fx_ws(&t);
		n = 0;
		while (n < t.len && kt_is_xdigit(t.p[n]))
			n++;
		if (n == 0)
			return;
		bid = kt_str_make(t.p, n);
		t = kt_str_skip(t, n);
	}
	if (!kt_fx_eat(&t, "]"))
		return;
	sym->module = mod;
	sym->buildid = bid;
	*s = t;
}

bool
kt_fx_sym(struct kt_str *s, bool need_offset, struct kt_fx_sym *ret)
{
	struct kt_fx_sym sym;
	struct kt_str t = *s, name;
	size_t n = 0;

	memset(&sym, 0, sizeof(sym));
	if (kt_fx_eat(&t, "(null)")) {
		*s = t;
		*ret = sym;
		return true;
	}
	while (n < t.len && sym_char(t.p[n]))
		n++;
	if (n == 0)
		return false;
	name = kt_str_make(t.p, n);
	t = kt_str_skip(t, n);
	if (kt_fx_eat(&t, "+")) {
		if (!kt_fx_hex(&t, &sym.offset))
			return false;
		if (kt_fx_eat(&t, "/")) {
			if (!kt_fx_hex(&t, &sym.size))
				return false;
		}
		sym.has_offset = true;
	} else if (need_offset) {
		return false;
	}
	/* A bare hex word is an address, not a symbol. */
	if (!sym.has_offset && all_hex(name))
		return false;
	sym.func = name;
	sym_module(&t, &sym);
	*s = t;
	*ret = sym;
	return true;
}
