/* util: allocation wrappers and the process-wide OOM hook (see mem.h). */
#include "util/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktriage/error.h>

static void
default_oom(size_t size)
{
	(void)fprintf(stderr, "ktriage: out of memory allocating %zu bytes\n", size);
	abort();
}

/* The only process-wide setting of the library (documented in error.h). */
static kt_oom_fn oom_fn = default_oom;

void
kt_set_oom_handler(kt_oom_fn fn)
{
	oom_fn = fn ? fn : default_oom;
}

_Noreturn void
kt_oom(size_t size)
{
	oom_fn(size);
	abort();
}

void *
kt_malloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		kt_oom(size);
	return p;
}

void *
kt_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		kt_oom(n * size);
	return p;
}

void *
kt_realloc(void *p, size_t size)
{
	void *q = realloc(p, size ? size : 1);

	if (!q)
		kt_oom(size);
	return q;
}

char *
kt_strndup(const char *s, size_t n)
{
	char *p = kt_malloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
kt_strdup(const char *s)
{
	return kt_strndup(s, strlen(s));
}

char *
kt_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		kt_oom(strlen(fmt));
	return p;
}

char *
kt_read_small(const char *path, size_t cap, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (ret_len)
		*ret_len = 0;
	if (!f)
		return NULL;
	buf = kt_malloc(cap + 1);
	n = fread(buf, 1, cap, f);
	fclose(f);
	buf[n] = '\0';
	if (ret_len)
		*ret_len = n;
	return buf;
}

void
kt_vec_init(struct kt_vec *vec, size_t elem_size)
{
	vec->v = NULL;
	vec->n = 0;
	vec->cap = 0;
	vec->elem = elem_size;
}

void
kt_vec_deinit(struct kt_vec *vec)
{
	free(vec->v);
	vec->v = NULL;
	vec->n = vec->cap = 0;
}

void *
kt_vec_push(struct kt_vec *vec)
{
	char *p;

	if (vec->n == vec->cap) {
		vec->cap = vec->cap ? vec->cap * 2 : 8;
		vec->v = kt_realloc(vec->v, vec->cap * vec->elem);
	}
	p = (char *)vec->v + vec->n * vec->elem;
	memset(p, 0, vec->elem);
	vec->n++;
	return p;
}
