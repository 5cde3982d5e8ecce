/*
 * parse/detect: classify one normalized line: does it start a crash report,
 * which header (id, kind), is it vetoed as a look-alike. The table is data
 * (data/parse/headers.txt) compiled once per detector. Also home of the two
 * small helpers every data-driven table of parse and sign uses: a PCRE2
 * wrapper (kt_rx) and the " | " field splitter of the data files.
 * Does not cut reports (parser.c) nor title them (src/sign/).
 */
#ifndef KT_PARSE_DETECT_H
#define KT_PARSE_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ktriage/report.h>

#include "util/str.h"

struct kt_ctx;

/* ---- compiled regex (PCRE2, JIT when available) ---- */
struct kt_rx;

/* Compile `pattern` (PCRE2 syntax; `flags` are PCRE2 compile options such
 * as PCRE2_MULTILINE). Returns 0 or KT_EFORMAT with the message on ctx.
 * Caller owns the result; free with kt_rx_free(). */
int kt_rx_new(struct kt_ctx *ctx, const char *pattern, unsigned flags, struct kt_rx **ret);
void kt_rx_free(struct kt_rx *rx);
/* Match at or after byte `start` of s. On a match returns true and, when
 * `ovec` is not NULL, stores up to `n_pairs` (start, end) byte offsets
 * (group 0 first; unset groups are (-1, -1)). Thread-safe: a built rx is
 * read-only and may be shared by threads (util/pcre.h). */
bool kt_rx_match(const struct kt_rx *rx, struct kt_str s, size_t start, long *ovec,
		 size_t n_pairs);
/* Replace every match of rx in the C string `in` by `with` (PCRE2
 * substitution syntax, $1 = group 1). Returns NULL when nothing matched.
 * Caller owns the result; free with free(). */
char *kt_rx_replace(const struct kt_rx *rx, const char *in, const char *with);
/* Number of capture groups of the pattern. */
int kt_rx_groups(const struct kt_rx *rx);
/* True if every match must start at the start offset (e.g. "^..."). */
bool kt_rx_anchored(const struct kt_rx *rx);
/* The bytes a match may begin with, as a 256-bit set (all bits set when
 * PCRE2 cannot tell, or the pattern can match the empty string). */
void kt_rx_first_bytes(const struct kt_rx *rx, uint8_t ret[32]);

/* ---- data-file helper ---- */
/* Split one data line into at most `max` fields separated by " | " (the last
 * field takes the rest). Fields are trimmed views into `line`. Returns the
 * number of fields; 0 for blank and comment (#) lines. */
size_t kt_table_fields(struct kt_str line, struct kt_str *ret, size_t max);
/* Iterate the lines of a blob: stores the next line in *ret and advances
 * *pos; false at the end. */
bool kt_table_next_line(const char *data, size_t len, size_t *pos, struct kt_str *ret);

/* ---- detection ---- */
struct kt_detect;

struct kt_detect_hit {
	int header;		/* header index (kt_detect_header_id()) */
	enum kt_kind kind;	/* from the "kind" table; KT_KIND_OTHER if none */
	bool inside;		/* may continue an open report (not a new crash) */
	bool standalone;	/* a one-line report on its own (no body, any provenance) */
	bool echo;		/* repeats a crash another log reports (headers.txt "echo") */
	bool fragment;		/* a body line only die() prints: starts a report whose
				 * header line is not in the input (headers.txt "fragment") */
	bool frag_needs;	/* a fragment only if a body line taken back before
				 * it passes kt_detect_fragment_line() */
	bool needbody;		/* without kernel provenance, a report only with a body
				 * (headers.txt "needbody") */
	size_t pos;		/* byte offset of the keyword in the line */
};

/* Load and compile data/parse/headers.txt and data/parse/benign.txt (kernel
 * lines that use a crash keyword but report no crash). Returns 0, or KT_EFORMAT /
 * KT_ENOTFOUND with the message on ctx. Caller owns the result; free with
 * kt_detect_free(). */
int kt_detect_new(struct kt_ctx *ctx, struct kt_detect **ret);
void kt_detect_free(struct kt_detect *d);

/* Classify one line (`xen`: the line carried a (XEN) prefix). Returns true
 * and fills *ret when the line starts (or, for "inside" headers, may
 * continue) a crash report; false for ordinary and vetoed lines. */
bool kt_detect_line(const struct kt_detect *d, struct kt_str text, bool xen,
		    struct kt_detect_hit *ret);

/* Whether a body line before a fragment header of index `header` is the
 * one its "fragment | ID | REGEX" directive requires (true when it has
 * none). */
bool kt_detect_fragment_line(const struct kt_detect *d, int header, struct kt_str text);

/* The literal keywords of all headers (for a prefilter: a line containing
 * none of them is never a header). Borrowed; valid until `d` is freed. */
size_t kt_detect_keywords(const struct kt_detect *d, const char *const **ret);

/* The id ("bug", "warning", "xentrap") of header index i, or "" if out of
 * range. Borrowed; valid until `d` is freed. */
const char *kt_detect_header_id(const struct kt_detect *d, int i);
/* The header index for id, or -1. */
int kt_detect_header_find(const struct kt_detect *d, const char *id);

/* Kind of a header line by the kind table alone (used for Xen and tests). */
enum kt_kind kt_detect_kind(const struct kt_detect *d, struct kt_str text);

#endif
