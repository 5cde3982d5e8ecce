/*
 * util/demangle: Rust v0 symbol names (see demangle.h). A recursive-descent
 * reader of the grammar in the rustc book ("v0 Symbol Format"), printing
 * as rustc-demangle does in its short form (no crate hashes).
 */
#include "util/demangle.h"

#include <stdint.h>
#include <string.h>

#include "util/str.h"

#define MAX_DEPTH 64

struct dm {
	const char *s;		/* the symbol after "_R": back-references index it */
	size_t n, pos;
	char *out;
	size_t cap, len;
	int depth;
	int quiet;		/* > 0: read without printing (impl paths) */
	bool fail;
};

static void
put(struct dm *d, const char *p, size_t k)
{
	if (d->quiet || d->fail)
		return;
	if (d->len + k >= d->cap) {
		d->fail = true;
		return;
	}
	memcpy(d->out + d->len, p, k);
	d->len += k;
}

static void
puts_(struct dm *d, const char *p)
{
	put(d, p, strlen(p));
}

static void
put_u64(struct dm *d, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(d, tmp + i, sizeof(tmp) - i);
}

static char
peek(const struct dm *d)
{
	return d->pos < d->n ? d->s[d->pos] : '\0';
}

static bool
eat(struct dm *d, char c)
{
	if (!d->fail && c && peek(d) == c) {
		d->pos++;
		return true;
	}
	return false;
}

/* base-62-number: "_" is 0, digits "x_" are x + 1. */
static uint64_t
base62(struct dm *d)
{
	uint64_t x = 0;

	if (eat(d, '_'))
		return 0;
	for (;;) {
		char c = peek(d);
		unsigned v;

		if (c >= '0' && c <= '9')
			v = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'z')
			v = 10 + (unsigned)(c - 'a');
		else if (c >= 'A' && c <= 'Z')
			v = 36 + (unsigned)(c - 'A');
		else if (c == '_' && x < UINT64_MAX) {
			d->pos++;
			return x + 1;
		} else {
			d->fail = true;
			return 0;
		}
		if (x > (UINT64_MAX - v) / 62) {
			d->fail = true;
			return 0;
		}
		x = x * 62 + v;
		d->pos++;
	}
}

static uint64_t
decimal(struct dm *d)
{
	uint64_t x = 0;

	if (eat(d, '0'))
		return 0;
	if (peek(d) < '1' || peek(d) > '9') {
		d->fail = true;
		return 0;
	}
	while (peek(d) >= '0' && peek(d) <= '9') {
		unsigned v = (unsigned)(peek(d) - '0');

		if (x > (UINT64_MAX - v) / 10) {
			d->fail = true;
			return 0;
		}
		x = x * 10 + v;
		d->pos++;
	}
	return x;
}

/* disambiguator = "s" base-62-number; its value is that number + 1, 0 when absent. */
static uint64_t
disambiguator(struct dm *d)
{
	return eat(d, 's') ? base62(d) + 1 : 0;
}

/* identifier (after its disambiguator): decimal length, optional "_",
 * the bytes. Punycode ("u") is not supported. */
static void
identifier(struct dm *d, const char **ret, size_t *ret_n)
{
	uint64_t n;

	*ret = "";
	*ret_n = 0;
	if (peek(d) == 'u') {
		d->fail = true;
		return;
	}
	n = decimal(d);
	(void)eat(d, '_');
	if (d->fail || n > d->n - d->pos) {
		d->fail = true;
		return;
	}
	for (uint64_t i = 0; i < n; i++)
		if (!kt_is_ident(d->s[d->pos + i])) {
			d->fail = true;
			return;
		}
	*ret = d->s + d->pos;
	*ret_n = (size_t)n;
	d->pos += (size_t)n;
}

static void path(struct dm *d, bool in_value);
static void type(struct dm *d);
static void konst(struct dm *d);

/* "B" base-62-number: the production at that earlier offset, read again. */
static void
backref(struct dm *d, void (*fn)(struct dm *, bool), bool arg, void (*fn1)(struct dm *))
{
	size_t at = d->pos - 1, save;
	uint64_t i = base62(d);

	if (d->fail || i >= at) {
		d->fail = true;
		return;
	}
	save = d->pos;
	d->pos = (size_t)i;
	if (fn)
		fn(d, arg);
	else
		fn1(d);
	d->pos = save;
}

static void
generic_args(struct dm *d)
{
	size_t n = 0;

	while (!d->fail && !eat(d, 'E')) {
		if (d->pos >= d->n) {
			d->fail = true;
			return;
		}
		if (n++)
			puts_(d, ", ");
		if (eat(d, 'L')) {
			(void)base62(d);
			puts_(d, "'_");
		} else if (eat(d, 'K')) {
			konst(d);
		} else {
			type(d);
		}
	}
}

static void
path(struct dm *d, bool in_value)
{
	char tag = peek(d);
	const char *id;
	size_t idn;
	uint64_t dis;

	if (++d->depth > MAX_DEPTH || d->fail) {
		d->fail = true;
		return;
	}
	d->pos++;
	switch (tag) {
	case 'C':	/* crate root */
		(void)disambiguator(d);
		identifier(d, &id, &idn);
		put(d, id, idn);
		break;
	case 'N': {	/* nested path: namespace, parent, name */
		char ns = peek(d);

		d->pos++;
		if (!((ns >= 'a' && ns <= 'z') || (ns >= 'A' && ns <= 'Z'))) {
			d->fail = true;
			break;
		}
		path(d, in_value);
		dis = disambiguator(d);
		identifier(d, &id, &idn);
		if (ns >= 'A' && ns <= 'Z') {
			puts_(d, "::{");
			puts_(d, ns == 'C' ? "closure" : ns == 'S' ? "shim" : (char[2]){ ns, 0 });
			if (idn) {
				puts_(d, ":");
				put(d, id, idn);
			}
			puts_(d, "#");
			put_u64(d, dis);
			puts_(d, "}");
		} else if (idn) {
			puts_(d, "::");
			put(d, id, idn);
		}
		break;
	}
	case 'M':	/* inherent impl: <Type> */
		(void)disambiguator(d);
		d->quiet++;
		path(d, false);
		d->quiet--;
		puts_(d, "<");
		type(d);
		puts_(d, ">");
		break;
	case 'X':	/* trait impl: <Type as Trait> */
		(void)disambiguator(d);
		d->quiet++;
		path(d, false);
		d->quiet--;
		puts_(d, "<");
		type(d);
		puts_(d, " as ");
		path(d, false);
		puts_(d, ">");
		break;
	case 'Y':	/* trait definition: <Type as Trait> */
		puts_(d, "<");
		type(d);
		puts_(d, " as ");
		path(d, false);
		puts_(d, ">");
		break;
	case 'I':	/* generic arguments */
		path(d, in_value);
		puts_(d, in_value ? "::<" : "<");
		generic_args(d);
		puts_(d, ">");
		break;
	case 'B':
		backref(d, path, in_value, NULL);
		break;
	default:
		d->fail = true;
		break;
	}
	d->depth--;
}

static const char *
basic_type(char c)
{
	switch (c) {
	case 'a': return "i8";
	case 'b': return "bool";
	case 'c': return "char";
	case 'd': return "f64";
	case 'e': return "str";
	case 'f': return "f32";
	case 'h': return "u8";
	case 'i': return "isize";
	case 'j': return "usize";
	case 'l': return "i32";
	case 'm': return "u32";
	case 'n': return "i128";
	case 'o': return "u128";
	case 'p': return "_";
	case 's': return "i16";
	case 't': return "u16";
	case 'u': return "()";
	case 'v': return "...";
	case 'x': return "i64";
	case 'y': return "u64";
	case 'z': return "!";
	default: return NULL;
	}
}

static void
type(struct dm *d)
{
	char c = peek(d);
	const char *basic = basic_type(c);

	if (++d->depth > MAX_DEPTH || d->fail) {
		d->fail = true;
		return;
	}
	if (basic) {
		d->pos++;
		puts_(d, basic);
		d->depth--;
		return;
	}
	switch (c) {
	case 'R':
	case 'Q':
		d->pos++;
		puts_(d, c == 'R' ? "&" : "&mut ");
		if (eat(d, 'L'))
			(void)base62(d);	/* lifetimes are not printed */
		type(d);
		break;
	case 'P':
	case 'O':
		d->pos++;
		puts_(d, c == 'P' ? "*const " : "*mut ");
		type(d);
		break;
	case 'A':
		d->pos++;
		puts_(d, "[");
		type(d);
		puts_(d, "; ");
		konst(d);
		puts_(d, "]");
		break;
	case 'S':
		d->pos++;
		puts_(d, "[");
		type(d);
		puts_(d, "]");
		break;
	case 'T': {
		size_t n = 0;

		d->pos++;
		puts_(d, "(");
		while (!d->fail && !eat(d, 'E')) {
			if (d->pos >= d->n) {
				d->fail = true;
				break;
			}
			if (n++)
				puts_(d, ", ");
			type(d);
		}
		puts_(d, n == 1 ? ",)" : ")");
		break;
	}
	case 'B':
		d->pos++;
		backref(d, NULL, false, type);
		break;
	case 'C':
	case 'N':
	case 'M':
	case 'X':
	case 'Y':
	case 'I':
		path(d, false);
		break;
	default:	/* function pointers, dyn types: not supported */
		d->fail = true;
		break;
	}
	d->depth--;
}

/* A const generic argument: "p" (placeholder) or an integer or bool. */
static void
konst(struct dm *d)
{
	char ty = peek(d);
	bool neg;
	uint64_t v = 0;

	if (eat(d, 'p')) {
		puts_(d, "_");
		return;
	}
	if (ty == 'B') {
		d->pos++;
		backref(d, NULL, false, konst);
		return;
	}
	if (!strchr("abhijlmnostxy", ty) || !ty) {
		d->fail = true;
		return;
	}
	d->pos++;
	neg = eat(d, 'n');
	while (!d->fail && !eat(d, '_')) {
		char c = peek(d);
		unsigned x;

		if (c >= '0' && c <= '9')
			x = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')	/* v0 hex is lower case only */
			x = 10 + (unsigned)(c - 'a');
		else {
			d->fail = true;
			return;
		}
		if (v >> 60) {
			d->fail = true;
			return;
		}
		v = v << 4 | x;
		d->pos++;
	}
	if (ty == 'b') {
		puts_(d, v ? "true" : "false");
		return;
	}
	if (neg)
		puts_(d, "-");
	put_u64(d, v);
}

bool
kt_rust_demangle(const char *sym, size_t len, char *out, size_t outsz)
{
	struct dm d = { .out = out, .cap = outsz };

	if (!sym || len < 3 || sym[0] != '_' || sym[1] != 'R' || outsz == 0)
		return false;
	d.s = sym + 2;
	d.n = len - 2;
	if (peek(&d) >= '0' && peek(&d) <= '9')	/* encoding version */
		(void)decimal(&d);
	path(&d, true);
	if (d.fail || d.len == 0)
		return false;
	out[d.len] = '\0';
	return true;
}
