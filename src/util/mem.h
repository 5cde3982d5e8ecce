/*
 * util: heap allocation that never returns NULL. On failure the OOM hook
 * runs (default: message to stderr and abort(), as Redis and satyr do);
 * see kt_set_oom_handler() in <ktriage/error.h>.
 */
#ifndef KT_UTIL_MEM_H
#define KT_UTIL_MEM_H

#include <stddef.h>

void *kt_malloc(size_t size);
void *kt_calloc(size_t n, size_t size);
void *kt_realloc(void *p, size_t size);
char *kt_strdup(const char *s);
/* A formatted string on the heap (free()); out of memory goes to the OOM
 * hook like every kt_ allocation. */
/* At most `cap` bytes of a small file, NUL-terminated (free()); NULL when it
 * cannot be opened. ret_len (may be NULL) gets the length. */
char *kt_read_small(const char *path, size_t cap, size_t *ret_len);
char *kt_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *kt_strndup(const char *s, size_t n);
/* Run the OOM hook; does not return. */
_Noreturn void kt_oom(size_t size);

/* Heap-backed growable array of fixed-size elements (the one documented
 * container helper). Free `v` with free(). */
struct kt_vec {
	void *v;
	size_t n;
	size_t cap;
	size_t elem;
};

void kt_vec_init(struct kt_vec *vec, size_t elem_size);
void kt_vec_deinit(struct kt_vec *vec);
/* Append a zeroed element and return a pointer to it. */
void *kt_vec_push(struct kt_vec *vec);
#define KT_VEC_AT(vec, type, i) (&((type *)(vec)->v)[i])

#endif
