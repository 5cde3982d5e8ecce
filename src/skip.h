/*
 * skip: analyze's line prefilter (src/skip.c has the rules and why they
 * hold; docs/analyze-speed.md "Big logs" the figures). Internal to the
 * pipeline: a struct kt_skipper per member being read, one struct
 * kt_skip_sets per analyzer.
 */
#ifndef KT_SKIP_H
#define KT_SKIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ktriage/limits.h>

#include "util/str.h"

struct kt_ctx;
struct kt_detect;
struct kt_input;

#define KT_SKIP_AFTER	2048	/* lines read before the prefilter is made:
				 * small logs never pay for it */
#define KT_SKIP_RING	KT_MAX_PREFIX_LINES	/* lines held: the parser's prefix ring */

/* A skipped line: a view into the input's current block (the block's last
 * complete line is never skipped, so the lines held are parsed before the
 * input reads the next block). */
struct kt_skipped {
	const char *p;
	size_t len;
	uint32_t no;
	bool trunc;
};

/* What a line looks like to the prefilter (see above). */
enum kt_skip_shape {
	KT_SHAPE_NONE,		/* parse it */
	KT_SHAPE_DMESG,		/* stamped */
	KT_SHAPE_RING,		/* stamped, a ring level field */
	KT_SHAPE_SYSLOG_TS,	/* syslog prefix, then a stamp */
	KT_SHAPE_SYSLOG,		/* syslog prefix, no stamp */
};

/* The keywords a run of lines was searched for, by the shape of its first
 * line; which shapes the run may hold (accepts()). */
enum kt_skip_mode { KT_MODE_DMESG, KT_MODE_RING, KT_MODE_SYSLOG, KT_MODE_COUNT };

struct kt_skipper {
	const struct kt_skip_sets *sets;	/* NULL: no prefilter for this member */
	bool on;			/* the parser is settled: lines may be skipped */
	struct kt_str host;		/* the splitter's host (empty: no syslog lines) */
	enum kt_skip_mode mode;		/* what [lo, hi) was searched for */
	uint64_t lo, hi;		/* input offsets: lines in [lo, hi) are clean */
	uint32_t pause, wait;		/* lines not looked at after a look found none
					 * (a keyword on every line) */
	int stamp_age;			/* lines held after the last stamped one held,
					 * -1: none held since the last backfill */
	struct kt_skipped ring[KT_SKIP_RING];
	size_t next, n;			/* the slot to fill next; lines held */
	char pre[64];			/* the last syslog prefix found fit, */
	size_t pre_len;			/* its length (0: none) */
	const char *pre_host;		/* and the host it was for */
};

/*
 * The keyword sets of the prefilter for the header keywords of `det`.
 * Returns 0, KT_EUNSUPPORTED (a keyword the normalizer could make up: no
 * prefilter) or an error of kt_kwset_new() (message on ctx). Caller owns
 * the result; free with kt_skip_sets_free().
 */
int kt_skip_sets_new(struct kt_ctx *ctx, const struct kt_detect *det, struct kt_skip_sets **ret);
/* Free the sets; NULL is a no-op. */
void kt_skip_sets_free(struct kt_skip_sets *s);

/*
 * The line `raw` (number `no`, cut if `trunc`) was just read from `in`
 * while the parser is settled (sk->on): true when it and maybe more lines
 * after it were passed over and are held in sk->ring (the caller parses
 * the held lines before the next line it parses, then sets sk->n = 0 and
 * sk->stamp_age = -1); false: parse it.
 */
bool kt_skip_line(struct kt_skipper *sk, struct kt_input *in, struct kt_str raw, uint32_t no,
		  bool trunc);
/* The splitter's host `h` as sk->host, or empty when a syslog line cannot
 * be proven to name it. Borrowed from `h`. */
struct kt_str kt_skip_host(struct kt_str h);

#endif
