/*
 * Input problems: what could not be read. A damaged, unreadable or
 * oversized input is never silent: everything that can be read is analysed,
 * and each place where reading stopped short is reported as a problem of the
 * input (file, crash folder, archive or archive member) it belongs to.
 * `ktriage analyze` prints them on the input's header line (text) or in the
 * input object's "problems" array (JSON, docs/report-json.md) and exits 3.
 */
#ifndef KTRIAGE_INPUT_H
#define KTRIAGE_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include <ktriage/export.h>

#ifdef __cplusplus
extern "C" {
#endif

enum kt_problem_kind {
	KT_PROBLEM_TRUNCATED,	/* the data ends early (cut file, cut stream) */
	KT_PROBLEM_CORRUPT,	/* damaged data: decoding stopped there */
	KT_PROBLEM_UNREADABLE,	/* cannot be opened or read (permission, I/O) */
	KT_PROBLEM_TOO_DEEP,	/* archive nesting or directory depth beyond the limit */
	KT_PROBLEM_LIMIT,	/* a cap was hit (--max-reports, --max-members, --max-line ...) */
	KT_PROBLEM_UNSUPPORTED,	/* a format or entry type that is not read */
	KT_PROBLEM_EMPTY,	/* nothing to analyse (empty directory); informational */
	KT_PROBLEM_COUNT
};

struct kt_problem {
	enum kt_problem_kind kind;
	const char *member;	/* member of the input it happened in, or NULL */
	int64_t offset;		/* byte offset (decompressed) where it happened, or -1 */
	const char *message;	/* what happened, for people */
	/* The problem is of a container (an archive, a directory) reported as
	 * an input of its own: its units, and their crashes, come separately. */
	int container;
};

/* "truncated", "corrupt", "unreadable", "too-deep", "limit", "unsupported",
 * "empty". Static string. */
KT_API const char *kt_problem_kind_name(enum kt_problem_kind kind);

/* Whether a problem means the input was not read fully (every kind but
 * KT_PROBLEM_EMPTY): `ktriage analyze` then exits 3. */
KT_API int kt_problem_incomplete(enum kt_problem_kind kind);

/* Defaults of the caps (options of kt_analyze_opts and `ktriage analyze`). */
#define KT_DEFAULT_MAX_REPORTS	1000	/* reports kept per input unit */
#define KT_DEFAULT_MAX_MEMBERS	100000	/* entries examined per PATH argument */
#define KT_DEFAULT_MAX_DEPTH	4	/* archives inside archives */

#ifdef __cplusplus
}
#endif
#endif
