/*
 * util: string views and small text helpers. A view never owns its bytes;
 * it points into an input buffer or an arena. No domain knowledge here.
 */
#ifndef KT_UTIL_STR_H
#define KT_UTIL_STR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct kt_str {
	const char *p;
	size_t len;
};

#define KT_STR(lit) ((struct kt_str){ (lit), sizeof(lit) - 1 })

static inline struct kt_str
kt_str_make(const char *p, size_t len)
{
	struct kt_str s = { p, len };
	return s;
}

struct kt_str kt_str_cstr(const char *s);
bool kt_str_eq(struct kt_str a, struct kt_str b);
/* Inline: the parsers call these with literal strings on every line, and
 * inlined the compiler folds the strlen of the literal. */
static inline bool
kt_str_eq_cstr(struct kt_str a, const char *b)
{
	size_t n = strlen(b);

	return a.len == n && (n == 0 || memcmp(a.p, b, n) == 0);
}

static inline bool
kt_str_starts_with(struct kt_str s, const char *prefix)
{
	size_t n = strlen(prefix);

	return s.len >= n && (n == 0 || memcmp(s.p, prefix, n) == 0);
}

bool kt_str_ends_with(struct kt_str s, const char *suffix);
/* Offset of the first occurrence of `needle` in s, or -1. */
long kt_str_find(struct kt_str s, const char *needle);
/* memmem() that is fast on the short-to-medium haystacks of this program
 * (log lines, function names, one report's text): SSE2 compares of the
 * needle's first and last bytes 16 positions at a time, then memcmp of the
 * middle (glibc 2.36's generic memmem was an eighth of analyze time). */
const char *kt_memmem(const char *hay, size_t hay_len, const char *needle, size_t needle_len);
/* Offset of the first occurrence of byte c, or -1. */
long kt_str_chr(struct kt_str s, char c);
struct kt_str kt_str_trim(struct kt_str s);
struct kt_str kt_str_ltrim(struct kt_str s);
struct kt_str kt_str_rtrim(struct kt_str s);
/* Drop the first n bytes (clamped). */
struct kt_str kt_str_skip(struct kt_str s, size_t n);
struct kt_str kt_str_sub(struct kt_str s, size_t off, size_t len);

/* Parse an unsigned hex number (optional 0x) at the start of s. Returns the
 * number of bytes consumed, 0 if none; saturates on overflow. */
size_t kt_parse_hex(struct kt_str s, uint64_t *ret);
/* Parse an unsigned decimal number at the start of s; returns bytes consumed. */
size_t kt_parse_dec(struct kt_str s, uint64_t *ret);

/* Length of the valid UTF-8 sequence at p (at most n bytes available):
 * 2..4, or 0 when it is not valid UTF-8 (overlong forms, surrogates and
 * code points above U+10FFFF are invalid; RFC 3629 §4). ASCII is the
 * caller's business. */
size_t kt_utf8_len(const unsigned char *p, size_t n);

static inline bool kt_is_space(char c) { return c == ' ' || c == '\t'; }
static inline bool kt_is_digit(char c) { return c >= '0' && c <= '9'; }
static inline bool kt_is_xdigit(char c)
{
	return kt_is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static inline bool kt_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static inline bool kt_is_ident(char c)
{
	return kt_is_alpha(c) || kt_is_digit(c) || c == '_';
}

/* Growable heap byte buffer, always NUL-terminated. */
struct kt_buf {
	char *p;
	size_t len;
	size_t cap;
};

void kt_buf_init(struct kt_buf *b);
void kt_buf_deinit(struct kt_buf *b);
void kt_buf_clear(struct kt_buf *b);
/* Make room for `extra` more bytes (and the NUL): the slow path of the
 * appenders below, which are inline because every stage's hot loops call
 * them (a call per character was a visible share of analyze time). */
void kt_buf_grow(struct kt_buf *b, size_t extra);

static inline void
kt_buf_add(struct kt_buf *b, const char *s, size_t len)
{
	if (b->len + len + 1 > b->cap)
		kt_buf_grow(b, len);
	if (len)
		memcpy(b->p + b->len, s, len);
	b->len += len;
	b->p[b->len] = '\0';
}

static inline void
kt_buf_adds(struct kt_buf *b, const char *s)
{
	kt_buf_add(b, s, strlen(s));
}

static inline void
kt_buf_addc(struct kt_buf *b, char c)
{
	if (b->len + 2 > b->cap)
		kt_buf_grow(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}
void kt_buf_printf(struct kt_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void kt_buf_vprintf(struct kt_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#endif
