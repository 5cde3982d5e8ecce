/* util: string views, number parsing and the byte buffer (see str.h). */
#include "util/str.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "util/mem.h"

struct kt_str
kt_str_cstr(const char *s)
{
	return kt_str_make(s, s ? strlen(s) : 0);
}

bool
kt_str_eq(struct kt_str a, struct kt_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

bool
kt_str_ends_with(struct kt_str s, const char *suffix)
{
	size_t n = strlen(suffix);

	return s.len >= n && memcmp(s.p + s.len - n, suffix, n) == 0;
}

long
kt_str_find(struct kt_str s, const char *needle)
{
	size_t n = strlen(needle);
	const char *hit;

	if (n == 0)
		return 0;
	if (s.len < n)
		return -1;
	hit = kt_memmem(s.p, s.len, needle, n);
	return hit ? (long)(hit - s.p) : -1;
}

const char *
kt_memmem(const char *h, size_t hl, const char *n, size_t nl)
{
	size_t i = 0;

	if (nl == 0)
		return h;
	if (nl > hl)
		return NULL;
	if (nl == 1)
		return memchr(h, n[0], hl);
#ifdef __SSE2__
	{
		const __m128i first = _mm_set1_epi8(n[0]), last = _mm_set1_epi8(n[nl - 1]);

		for (; i + nl - 1 + 16 <= hl; i += 16) {
			__m128i a = _mm_loadu_si128((const __m128i *)(const void *)(h + i));
			__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(h + i + nl - 1));
			unsigned m = (unsigned)_mm_movemask_epi8(
				_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, last)));

			while (m) {
				size_t k = i + (size_t)__builtin_ctz(m);

				if (memcmp(h + k + 1, n + 1, nl - 2) == 0)
					return h + k;
				m &= m - 1;
			}
		}
	}
#endif
	for (; i + nl <= hl; i++)
		if (h[i] == n[0] && h[i + nl - 1] == n[nl - 1] && memcmp(h + i + 1, n + 1, nl - 2) == 0)
			return h + i;
	return NULL;
}

long
kt_str_chr(struct kt_str s, char c)
{
	const char *hit = s.len ? memchr(s.p, c, s.len) : NULL;

	return hit ? (long)(hit - s.p) : -1;
}

struct kt_str
kt_str_ltrim(struct kt_str s)
{
	while (s.len && (kt_is_space(*s.p) || *s.p == '\r' || *s.p == '\n')) {
		s.p++;
		s.len--;
	}
	return s;
}

struct kt_str
kt_str_rtrim(struct kt_str s)
{
	while (s.len && (kt_is_space(s.p[s.len - 1]) || s.p[s.len - 1] == '\r' ||
			 s.p[s.len - 1] == '\n'))
		s.len--;
	return s;
}

struct kt_str
kt_str_trim(struct kt_str s)
{
	return kt_str_rtrim(kt_str_ltrim(s));
}

struct kt_str
kt_str_skip(struct kt_str s, size_t n)
{
	if (n > s.len)
		n = s.len;
	s.p += n;
	s.len -= n;
	return s;
}

struct kt_str
kt_str_sub(struct kt_str s, size_t off, size_t len)
{
	s = kt_str_skip(s, off);
	if (len < s.len)
		s.len = len;
	return s;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t
kt_parse_hex(struct kt_str s, uint64_t *ret)
{
	size_t i = 0, start;
	uint64_t v = 0;

	if (s.len >= 3 && s.p[0] == '0' && (s.p[1] == 'x' || s.p[1] == 'X') &&
	    hexval(s.p[2]) >= 0)
		i = 2;
	start = i;
	for (; i < s.len && hexval(s.p[i]) >= 0; i++)
		v = (v >> 60) ? UINT64_MAX : (v << 4) | (uint64_t)hexval(s.p[i]);
	if (i == start)
		return 0;
	*ret = v;
	return i;
}

size_t
kt_parse_dec(struct kt_str s, uint64_t *ret)
{
	size_t i = 0;
	uint64_t v = 0;

	for (; i < s.len && kt_is_digit(s.p[i]); i++) {
		uint64_t d = (uint64_t)(s.p[i] - '0');

		v = (v > (UINT64_MAX - d) / 10) ? UINT64_MAX : v * 10 + d;
	}
	if (i)
		*ret = v;
	return i;
}

void
kt_buf_init(struct kt_buf *b)
{
	b->p = NULL;
	b->len = b->cap = 0;
}

void
kt_buf_deinit(struct kt_buf *b)
{
	free(b->p);
	kt_buf_init(b);
}

void
kt_buf_clear(struct kt_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

static void
reserve(struct kt_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < need)
		b->cap *= 2;
	b->p = kt_realloc(b->p, b->cap);
}

void
kt_buf_grow(struct kt_buf *b, size_t extra)
{
	reserve(b, extra);
}

void
kt_buf_vprintf(struct kt_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	size_t room;
	int n;

	if (!fmt)	/* keeps gcc's -Wformat-truncation quiet under -fsanitize */
		return;
	reserve(b, 64);	/* most calls fit: format once, straight into the buffer */
	room = b->cap - b->len;
	va_copy(ap2, ap);
	n = vsnprintf(b->p + b->len, room, fmt, ap2);
	va_end(ap2);
	if (n > 0 && (size_t)n >= room) {
		reserve(b, (size_t)n);
		(void)vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	}
	if (n > 0)
		b->len += (size_t)n;
	b->p[b->len] = '\0';
}

void
kt_buf_printf(struct kt_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kt_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

/* Length of a valid UTF-8 sequence at p (RFC 3629 §4), 0 if invalid. */
size_t
kt_utf8_len(const unsigned char *p, size_t n)
{
	size_t len;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	/* overlong 3/4-byte forms, surrogates, > U+10FFFF */
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
		return 0;
	return len;
}
