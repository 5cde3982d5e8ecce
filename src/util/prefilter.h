/*
 * util/prefilter: literal prefilters for rule regexes.
 *
 * Most rule regexes match no report: running PCRE2 over a report's whole
 * text to learn that is the matcher's main cost when the pattern does not
 * start with a fixed byte (`(\S+): dropped over-mtu packet`), because the
 * JIT then tries every position. A prefilter is a set of literals of which
 * every match contains at least one; when none occurs in the text (one
 * memmem each), the regex cannot match and is not run.
 *
 * The analysis understands a conservative subset of PCRE2 syntax (literal
 * characters, escaped punctuation, character-type escapes, classes, '.',
 * anchors, non-capturing and capturing groups, alternation, the usual
 * quantifiers). Anything else (inline options such as (?i), lookaround,
 * backreferences, \x/\p escapes, POSIX classes, \Q..\E) gives no prefilter:
 * the regex then always runs. No prefilter is ever wrong, only missing.
 */
#ifndef KT_UTIL_PREFILTER_H
#define KT_UTIL_PREFILTER_H

#include <stdbool.h>
#include <stddef.h>

struct kt_arena;

/* Shortest literal worth a memmem: shorter ones occur everywhere. */
#define KT_PREFILTER_MIN_LEN	3
/* More literals than this cost more memmem passes than the regex saves. */
#define KT_PREFILTER_MAX_LITS	8

struct kt_lit {
	const char *s;		/* not NUL-terminated when taken from a pattern */
	size_t len;
};

/* The literals for `pattern` (allocated in `a`): returns their number, or 0
 * when the pattern gives no usable prefilter (then always run the regex). */
size_t kt_prefilter_literals(const char *pattern, struct kt_arena *a, struct kt_lit **ret);

/* True when one of the n literals occurs in text[0..len). */
bool kt_prefilter_pass(const struct kt_lit *lits, size_t n, const char *text, size_t len);

/*
 * A set of literals found in one pass over a text: where many regexes with
 * prefilters run over the same text (every rule's line conditions over one
 * report), one scan answers all of them instead of a memmem per literal.
 * A bigram table (the first two bytes of each literal) picks the positions
 * worth a compare. Literals shorter than 2 bytes are not accepted.
 */
struct kt_litset;

/* An empty set. Caller owns it; free with kt_litset_free(). */
struct kt_litset *kt_litset_new(void);
void kt_litset_free(struct kt_litset *s);
/* Add a literal (copied); returns its index, the same for an equal literal
 * added before. */
size_t kt_litset_add(struct kt_litset *s, const char *lit, size_t len);
size_t kt_litset_count(const struct kt_litset *s);
/* present[i] = whether literal i occurs in text[0..len) (count bytes). */
void kt_litset_scan(const struct kt_litset *s, const char *text, size_t len, bool *present);

#endif
