/*
 * util: bump-pointer arena (see arena.h). Chunks grow geometrically; a
 * request larger than a chunk gets a chunk of its own.
 */
#include "util/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktriage/error.h>

#include "util/mem.h"

#define CHUNK_MIN 4096
#define ALIGN 16

struct chunk {
	struct chunk *next;
	size_t size;
	size_t used;
	/* payload follows, aligned */
	max_align_t data[];
};

struct kt_arena {
	struct chunk *head;
	size_t next_size;
	size_t used;
	bool debug;
};

static bool default_debug;

void
kt_arena_set_debug(bool on)
{
	default_debug = on;
}

void
kt_set_debug_allocations(int on)
{
	kt_arena_set_debug(on != 0);
}

struct kt_arena *
kt_arena_new(void)
{
	struct kt_arena *a = kt_calloc(1, sizeof(*a));

	a->next_size = CHUNK_MIN;
	a->debug = default_debug;
	return a;
}

void
kt_arena_free(struct kt_arena *a)
{
	struct chunk *c, *next;

	if (!a)
		return;
	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

static struct chunk *
new_chunk(struct kt_arena *a, size_t need)
{
	size_t size = a->debug ? need : a->next_size;
	struct chunk *c;

	if (size < need)
		size = need;
	c = kt_malloc(sizeof(*c) + size);
	c->size = size;
	c->used = 0;
	c->next = a->head;
	a->head = c;
	if (!a->debug && a->next_size < (1u << 20))
		a->next_size *= 2;
	return c;
}

/* Uninitialised memory, for callers that write every byte (strings). */
static void *
alloc_raw(struct kt_arena *a, size_t size)
{
	struct chunk *c = a->head;
	size_t rounded = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	void *p;

	if (rounded < size)	/* overflow */
		kt_oom(size);
	if (a->debug || !c || c->size - c->used < rounded)
		c = new_chunk(a, rounded ? rounded : ALIGN);
	p = (char *)c->data + c->used;
	c->used += rounded;
	a->used += rounded;
	return p;
}

void *
kt_arena_alloc(struct kt_arena *a, size_t size)
{
	void *p = alloc_raw(a, size);

	memset(p, 0, size);
	return p;
}

void *
kt_arena_realloc(struct kt_arena *a, void *old, size_t old_size, size_t new_size)
{
	size_t keep = old && old_size ? (old_size < new_size ? old_size : new_size) : 0;
	char *p = alloc_raw(a, new_size);

	if (keep)
		memcpy(p, old, keep);
	memset(p + keep, 0, new_size - keep);
	return p;
}

char *
kt_arena_strndup(struct kt_arena *a, const char *s, size_t len)
{
	char *p = alloc_raw(a, len + 1);

	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
kt_arena_strdup(struct kt_arena *a, const char *s)
{
	return s ? kt_arena_strndup(a, s, strlen(s)) : NULL;
}

char *
kt_arena_vprintf(struct kt_arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	char small[256];	/* most strings fit: formatted once */
	int n;
	char *p;

	if (!fmt)	/* keeps gcc's -Wformat-truncation quiet under -fsanitize */
		return kt_arena_strdup(a, "");
	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap2);
	va_end(ap2);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof(small))
		return kt_arena_strndup(a, small, (size_t)n);
	p = alloc_raw(a, (size_t)n + 1);
	(void)vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
kt_arena_printf(struct kt_arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = kt_arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

size_t
kt_arena_used(const struct kt_arena *a)
{
	return a->used;
}

void *
kt_arena_push(struct kt_arena *a, void **vp, size_t *np, size_t *capp,
	      size_t elem_size)
{
	char *base;

	if (*np == *capp) {
		size_t cap = *capp ? *capp * 2 : 8;

		*vp = kt_arena_realloc(a, *vp, *np * elem_size, cap * elem_size);
		*capp = cap;
	}
	base = *vp;
	(*np)++;
	return base + (*np - 1) * elem_size;
}
