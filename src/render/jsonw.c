/* render: streaming JSON writer (see jsonw.h). */
#include "render/jsonw.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
kt_jsonw_init(struct kt_jsonw *w, int indent)
{
	memset(w, 0, sizeof(*w));
	kt_buf_init(&w->b);
	w->indent = indent < 0 ? 0 : indent > 8 ? 8 : indent;
	w->first[0] = true;
}

char *
kt_jsonw_take(struct kt_jsonw *w)
{
	char *p;

	if (!w->b.p)
		kt_buf_add(&w->b, "", 0);
	p = w->b.p;
	kt_buf_init(&w->b);
	return p;
}

static void
newline(struct kt_jsonw *w)
{
	if (!w->indent)
		return;
	kt_buf_addc(&w->b, '\n');
	for (int i = 0; i < w->depth * w->indent; i++)
		kt_buf_addc(&w->b, ' ');
}

/* Separator and indentation before a value (or a key). */
static void
before_value(struct kt_jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0) {
		if (!w->first[w->depth])
			kt_buf_addc(&w->b, ',');
		w->first[w->depth] = false;
		newline(w);
	}
}

static void
open_nest(struct kt_jsonw *w, char c)
{
	before_value(w);
	kt_buf_addc(&w->b, c);
	if (w->depth + 1 < KT_JSONW_MAX_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
}

static void
close_nest(struct kt_jsonw *w, char c)
{
	bool empty = w->first[w->depth];

	if (w->depth > 0)
		w->depth--;
	if (!empty)
		newline(w);
	kt_buf_addc(&w->b, c);
}

void kt_jsonw_obj(struct kt_jsonw *w) { open_nest(w, '{'); }
void kt_jsonw_obj_end(struct kt_jsonw *w) { close_nest(w, '}'); }
void kt_jsonw_arr(struct kt_jsonw *w) { open_nest(w, '['); }
void kt_jsonw_arr_end(struct kt_jsonw *w) { close_nest(w, ']'); }

/* Decode one UTF-8 sequence at p (n bytes left); 0 if invalid. */
static size_t
utf8_decode(const unsigned char *p, size_t n, unsigned *cp)
{
	size_t len = kt_utf8_len(p, n);

	if (len == 2)
		*cp = ((p[0] & 0x1fu) << 6) | (p[1] & 0x3fu);
	else if (len == 3)
		*cp = ((p[0] & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu);
	else if (len == 4)
		*cp = ((p[0] & 0x07u) << 18) | ((p[1] & 0x3fu) << 12) | ((p[2] & 0x3fu) << 6) |
		      (p[3] & 0x3fu);
	return len;
}

static void
put_string(struct kt_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;

	kt_buf_addc(b, '"');
	while (i < n) {
		size_t run = i;
		unsigned cp = 0;
		size_t len;

		/* plain printable ASCII goes out in one piece; 8 bytes at a
		 * time while no byte needs escaping (SWAR: a byte below 0x20,
		 * at or above 0x7f, '"' or '\\' sets its high bit in `bad`) */
		while (run + 8 <= n) {
			uint64_t x, bad;

			memcpy(&x, p + run, 8);
			bad = (x - 0x2020202020202020ull) | (x + 0x0101010101010101ull) | x |
			      ((x ^ 0x2222222222222222ull) - 0x0101010101010101ull) |
			      ((x ^ 0x5c5c5c5c5c5c5c5cull) - 0x0101010101010101ull);
			if (bad & 0x8080808080808080ull)
				break;
			run += 8;
		}
		while (run < n && p[run] >= 0x20 && p[run] < 0x7f && p[run] != '"' && p[run] != '\\')
			run++;
		if (run > i) {
			kt_buf_add(b, s + i, run - i);
			i = run;
			continue;
		}
		switch (p[i]) {
		case '"': kt_buf_adds(b, "\\\""); i++; continue;
		case '\\': kt_buf_adds(b, "\\\\"); i++; continue;
		case '\n': kt_buf_adds(b, "\\n"); i++; continue;
		case '\t': kt_buf_adds(b, "\\t"); i++; continue;
		case '\r': kt_buf_adds(b, "\\r"); i++; continue;
		default: break;
		}
		if (p[i] < 0x80) {	/* other control bytes and DEL */
			kt_buf_printf(b, "\\u%04x", p[i]);
			i++;
			continue;
		}
		len = utf8_decode(p + i, n - i, &cp);
		if (!len) {
			kt_buf_addc(b, '?');
			i++;
			continue;
		}
		if (cp >= 0x10000) {
			cp -= 0x10000;
			kt_buf_printf(b, "\\u%04x\\u%04x", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
		} else {
			kt_buf_printf(b, "\\u%04x", cp);
		}
		i += len;
	}
	kt_buf_addc(b, '"');
}

/* Keys are the program's own ASCII names, except register names, which
 * come from the log: plain ones skip the escaper (the hot path). */
void
kt_jsonw_key(struct kt_jsonw *w, const char *key)
{
	size_t n = 0;
	bool plain = true;

	before_value(w);
	for (; key[n]; n++)
		plain &= (unsigned char)key[n] >= 0x20 && (unsigned char)key[n] < 0x7f &&
			 key[n] != '"' && key[n] != '\\';
	if (plain) {
		kt_buf_addc(&w->b, '"');
		kt_buf_add(&w->b, key, n);
		kt_buf_addc(&w->b, '"');
	} else {
		put_string(&w->b, key);
	}
	kt_buf_add(&w->b, w->indent ? ": " : ":", w->indent ? 2 : 1);
	w->after_key = true;
}

void
kt_jsonw_key_lit(struct kt_jsonw *w, const char *quoted, size_t len)
{
	before_value(w);
	kt_buf_add(&w->b, quoted, len);
	if (w->indent)
		kt_buf_addc(&w->b, ' ');
	w->after_key = true;
}

void
kt_jsonw_str(struct kt_jsonw *w, const char *s)
{
	if (!s) {
		kt_jsonw_null(w);
		return;
	}
	before_value(w);
	put_string(&w->b, s);
}

/* Hex and decimal by hand: reports are mostly addresses and registers,
 * and printf's machinery was a tenth of the whole run. */
void
kt_jsonw_hex(struct kt_jsonw *w, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[24];
	size_t i = sizeof(tmp);

	before_value(w);
	tmp[--i] = '"';
	do {
		tmp[--i] = digits[v & 0xf];
		v >>= 4;
	} while (v);
	tmp[--i] = 'x';
	tmp[--i] = '0';
	tmp[--i] = '"';
	kt_buf_add(&w->b, tmp + i, sizeof(tmp) - i);
}

void
kt_jsonw_int(struct kt_jsonw *w, long long v)
{
	char tmp[24];
	size_t i = sizeof(tmp);
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

	before_value(w);
	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--i] = '-';
	kt_buf_add(&w->b, tmp + i, sizeof(tmp) - i);
}

void
kt_jsonw_real(struct kt_jsonw *w, double v, int decimals)
{
	before_value(w);
	kt_buf_printf(&w->b, "%.*f", decimals, v);
}

void
kt_jsonw_bool(struct kt_jsonw *w, bool v)
{
	before_value(w);
	kt_buf_adds(&w->b, v ? "true" : "false");
}

void
kt_jsonw_null(struct kt_jsonw *w)
{
	before_value(w);
	kt_buf_adds(&w->b, "null");
}
