/*
 * util: bump-pointer arena. Everything a report owns lives in one arena and
 * is released at once. KT_ARENA_DEBUG=1 in the environment of the *caller*
 * is read by the CLI and passed down as a flag (the library never calls
 * getenv), making each allocation a separate malloc for ASan/valgrind.
 */
#ifndef KT_UTIL_ARENA_H
#define KT_UTIL_ARENA_H

#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>

struct kt_arena;

/* Create an arena. Caller owns the result; free with kt_arena_free(). */
struct kt_arena *kt_arena_new(void);
/* Free an arena and everything allocated in it; NULL is a no-op. */
void kt_arena_free(struct kt_arena *a);
/* Process-wide default for new arenas (set once by the CLI at start-up). */
void kt_arena_set_debug(bool on);

/* Zeroed, 16-byte aligned memory. Never returns NULL (OOM hook). */
void *kt_arena_alloc(struct kt_arena *a, size_t size);
/* Grow an array allocated in the arena: returns a new block of new_size
 * bytes with the old contents (old_size bytes) copied. */
void *kt_arena_realloc(struct kt_arena *a, void *old, size_t old_size, size_t new_size);
char *kt_arena_strndup(struct kt_arena *a, const char *s, size_t len);
char *kt_arena_strdup(struct kt_arena *a, const char *s);
char *kt_arena_printf(struct kt_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *kt_arena_vprintf(struct kt_arena *a, const char *fmt, va_list ap);
/* Bytes handed out so far (for limits and tests). */
size_t kt_arena_used(const struct kt_arena *a);

/* Append one element to an arena-backed array, growing it geometrically.
 * `*vp` is the array, `*np` its length, `*capp` its capacity (elements). */
void *kt_arena_push(struct kt_arena *a, void **vp, size_t *np, size_t *capp,
		    size_t elem_size);

#endif
