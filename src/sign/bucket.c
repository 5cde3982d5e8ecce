/*
 * sign/bucket: a stable bucket id for "the same bug": FNV-1a 64 over the
 * report kind, the guilty function and the next few meaningful frames —
 * function names only, so offsets, addresses, build ids and module names
 * (which change between builds) do not change the bucket. Without frames
 * the normalised title stands in.
 */
#include <stdio.h>
#include <string.h>

#include "sign/sign.h"

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t
fnv(uint64_t h, const char *s)
{
	for (; s && *s; s++) {
		h ^= (unsigned char)*s;
		h *= FNV_PRIME;
	}
	h ^= 0x1f; /* field separator */
	h *= FNV_PRIME;
	return h;
}

/* Only the identifier part of a frame name: "ip_fragment.isra.3+0x1/0x2"
 * and "ip_fragment" hash the same. */
static uint64_t
fnv_func(uint64_t h, const char *s)
{
	char buf[128];
	size_t n = 0;
	while (s && s[n] && n + 1 < sizeof(buf) &&
	       (s[n] == '_' || (s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
		(s[n] >= '0' && s[n] <= '9'))) {
		buf[n] = s[n];
		n++;
	}
	buf[n] = 0;
	return fnv(h, buf);
}

void
kt_sign_bucket(enum kt_kind kind, const char *guilty, const char *const *next, size_t n_next,
	       const char *title, char ret[17])
{
	uint64_t h = fnv(FNV_OFFSET, kt_kind_name(kind));
	if (guilty) {
		h = fnv_func(h, guilty);
		for (size_t i = 0; i < n_next; i++)
			h = fnv_func(h, next[i]);
	} else {
		h = fnv(h, title ? title : "");
	}
	snprintf(ret, 17, "%016llx", (unsigned long long)h);
}
