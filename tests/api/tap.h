/* What the API tests share: TAP result lines and a growing text buffer
 * (each test file includes this once; everything is static). */
#ifndef KT_TESTS_API_TAP_H
#define KT_TESTS_API_TAP_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int n_tests, n_failed;

static void
ok(bool cond, const char *what)
{
	n_tests++;
	if (!cond)
		n_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", n_tests, what);
	fflush(stdout);
}

struct buf {
	char *p;
	size_t len, cap;
};

static void
put_n(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
put(struct buf *b, const char *s)
{
	put_n(b, s, strlen(s));
}

#endif
