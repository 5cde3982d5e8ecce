/*
 * render: a small streaming JSON writer into a kt_buf. Reports are written
 * with it directly: building a jansson tree and dumping it cost 40% of
 * `analyze` over a corpus (docs/scan.md has the numbers), and the output
 * side needs none of a DOM's features. Input-side JSON (host facts) still
 * goes through jansson.
 *
 * Strings are escaped per RFC 8259 and written as ASCII: non-ASCII UTF-8
 * becomes \uXXXX (surrogate pairs above U+FFFF); bytes that are not valid
 * UTF-8 (logs are untrusted) become '?', so the output is always valid.
 */
#ifndef KT_RENDER_JSONW_H
#define KT_RENDER_JSONW_H

#include <stdbool.h>
#include <stdint.h>

#include "util/str.h"

#define KT_JSONW_MAX_DEPTH 16

struct kt_jsonw {
	struct kt_buf b;
	int indent;		/* spaces per level; 0 = compact */
	int depth;
	bool first[KT_JSONW_MAX_DEPTH];
	bool after_key;
};

void kt_jsonw_init(struct kt_jsonw *w, int indent);
/* The text written so far; the caller takes ownership (free()). */
char *kt_jsonw_take(struct kt_jsonw *w);

void kt_jsonw_obj(struct kt_jsonw *w);
void kt_jsonw_obj_end(struct kt_jsonw *w);
void kt_jsonw_arr(struct kt_jsonw *w);
void kt_jsonw_arr_end(struct kt_jsonw *w);
void kt_jsonw_key(struct kt_jsonw *w, const char *key);
/* A key the program spells, already quoted with its colon: `quoted` is
 * "\"name\":" and len its length (KT_JSONW_KEY builds both from a string
 * literal). No escaping: one copy per key, the render's hot path. */
void kt_jsonw_key_lit(struct kt_jsonw *w, const char *quoted, size_t len);
#define KT_JSONW_KEY(w, k) kt_jsonw_key_lit((w), "\"" k "\":", sizeof(k) + 2)

void kt_jsonw_str(struct kt_jsonw *w, const char *s);	/* NULL -> null */
void kt_jsonw_hex(struct kt_jsonw *w, uint64_t v);	/* "0x1f" */
void kt_jsonw_int(struct kt_jsonw *w, long long v);
void kt_jsonw_real(struct kt_jsonw *w, double v, int decimals);
void kt_jsonw_bool(struct kt_jsonw *w, bool v);
void kt_jsonw_null(struct kt_jsonw *w);

#endif
