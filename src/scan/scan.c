/*
 * scan: the fast crash finder (see scan.h). Raw blocks are searched where
 * they lie (only their last lines are kept, in a window) until one holds a
 * candidate, then go through the window; the keyword prefilter finds the
 * next line that could be a crash header, newlines in the skipped text are
 * counted for line numbers, and a candidate line is normalized and checked
 * by the parser's own detector.
 * A real header switches to feeding: the KT_MAX_PREFIX_LINES lines before
 * it (what the parser's prefix ring would hold) and every line after it go
 * through normalize + parser until the parser is idle again; then skipping
 * resumes. Lines are cut exactly as kt_input_next() cuts them (LF, one
 * trailing CR dropped, KT_MAX_LINE), so line numbers and texts agree with
 * `ktriage analyze`. It does not decode or diagnose.
 */
#include "scan/scan.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ktriage/limits.h>

#include "input/walk.h"
#include "normalize/normalize.h"
#include "parse/detect.h"
#include "parse/hostsplit.h"
#include "parse/parser.h"
#include "parse/xenlog.h"
#include "sign/sign.h"
#include "util/ctx.h"
#include "util/mem.h"

/* Bytes appended to the window per round (default). */
#define CHUNK		((size_t)1 << 20)
/* Lines kept before the cursor: the parser's prefix ring holds this many
 * idle lines (parse/parser.c), so a backfill of this many reproduces it. */
#define HIST_LINES	KT_MAX_PREFIX_LINES
/* Bytes of a line that can matter: KT_MAX_LINE kept, one more tells a
 * truncated line from one with a dropped trailing CR. */
#define LINE_KEEP	((size_t)KT_MAX_LINE + 1)
/* Window: a chunk, the history lines, the partial line, slack for the
 * newline added at the end of input. */
#define WCAP(chunk)	((chunk) + (HIST_LINES + 2) * (LINE_KEEP + 1) + 64)

/* Prefix memo (see candidate()): line starts, digits masked to '0', up to
 * and one byte past a keyword that the normalizer stripped as a prefix. */
#define MEMO_N		16
#define MEMO_KEY	96

struct memo {
	size_t len;
	char key[MEMO_KEY];
};

struct kt_scanner {
	struct kt_ctx *ctx;
	struct kt_scan_opts opts;
	struct kt_kwset *kw;
	struct kt_detect *det;
	struct kt_normalizer *norm;
	char *w;
	size_t chunk, wcap;
	struct memo memo[MEMO_N];
	unsigned memo_next, memo_last;
	struct kt_scan_stats st;
};

/* One input being scanned. */
struct run {
	struct kt_scanner *s;
	struct kt_hostsplit *p;	/* a parser per syslog host */
	struct kt_xenlog *feed_xen;	/* crash-folder xen.log: fed every line */
	const struct kt_xenlog *attach;	/* the unit's xen.log reader, or NULL */
	const struct kt_scan_cb *cb;
	const char *unit;
	const char *name;		/* report source.file */
	size_t *n_reports;		/* reports of the unit (KT_MAX_REPORTS) */
	bool full;

	char *w;
	size_t wlen;
	size_t cur;		/* offset of the next unhandled line (a line start) */
	uint64_t cur_no;	/* its 1-based number */
	uint64_t fed_no;	/* last line number fed to the parser, 0 if none */
	bool feeding;		/* the parser is not idle: feed every line */
	uint64_t feed_to;	/* ... and at least up to this line (the header) */
	bool long_skip;		/* dropping the rest of an over-long line */

	/* For scan_parallel() only. File offsets: in_off is the offset of the
	 * next byte pushed; the window's bytes from raw_from on are the file's
	 * bytes from raw_off on (history lines before may have been cut). */
	uint64_t in_off, raw_off;
	size_t raw_from;
	/* A header found while skipping, to be fed after its backfill, which
	 * starts at line at_f (byte offset at_off, or NO_OFF). */
	bool at_pending;
	uint64_t at_f, at_off;
	struct part *par;	/* the range this run scans, or NULL */
	struct part *track;	/* record each such header (at_header()), or NULL */
	struct stitch *join;	/* look for a range to join at each, or NULL */
	bool stop;		/* joined: this line is the other range's */
};

#define NO_OFF		UINT64_MAX

struct part;
struct stitch;
static void at_header(struct run *u);
static void rec_close(struct part *pt, uint64_t z);

int
kt_scanner_new(struct kt_ctx *ctx, const struct kt_scan_opts *opts, struct kt_scanner **ret)
{
	struct kt_scanner *s = kt_calloc(1, sizeof(*s));
	const char *const *kw;
	size_t n;
	int r;

	s->ctx = ctx;
	if (opts)
		s->opts = *opts;
	r = kt_detect_new(ctx, &s->det);
	if (r < 0)
		goto fail;
	n = kt_detect_keywords(s->det, &kw);
	r = kt_kwset_new(ctx, kw, n, s->opts.engine, &s->kw);
	if (r < 0)
		goto fail;
	s->norm = kt_normalizer_new();
	s->chunk = s->opts.chunk ? s->opts.chunk : CHUNK;
	if (s->chunk > CHUNK)
		s->chunk = CHUNK;
	s->wcap = WCAP(s->chunk);
	s->w = kt_malloc(s->wcap);
	*ret = s;
	return 0;
fail:
	kt_scanner_free(s);
	return r;
}

void
kt_scanner_free(struct kt_scanner *s)
{
	if (!s)
		return;
	kt_kwset_free(s->kw);
	kt_detect_free(s->det);
	kt_normalizer_free(s->norm);
	free(s->w);
	free(s);
}

void
kt_scanner_stats(const struct kt_scanner *s, struct kt_scan_stats *ret)
{
	*ret = s->st;
}

enum kt_kwset_engine
kt_scanner_engine(const struct kt_scanner *s)
{
	return kt_kwset_engine(s->kw);
}

/* ---- lines ---------------------------------------------------------------- */

static uint32_t
clamp_no(uint64_t no)
{
	return no < UINT32_MAX ? (uint32_t)no : UINT32_MAX;
}

/* The line p[0..n) (n excludes the '\n') as kt_input_next() hands it out:
 * one trailing CR dropped, cut to KT_MAX_LINE. */
static void
normalize_line(struct run *u, const char *p, size_t n, uint64_t no, struct kt_line *ret)
{
	size_t total = n;
	bool trunc;

	if (total > 0 && p[total - 1] == '\r')
		total--;
	trunc = total > KT_MAX_LINE;
	kt_normalize(u->s->norm, kt_str_make(p, trunc ? KT_MAX_LINE : total), clamp_no(no), ret);
	ret->truncated = ret->truncated || trunc;
}

static void
deliver(struct run *u, struct kt_report *r)
{
	if (u->n_reports) {
		if (*u->n_reports >= KT_MAX_REPORTS) {
			kt_report_free(r);
			return;
		}
		(*u->n_reports)++;
	}
	u->s->st.reports++;
	if (u->attach)
		kt_xenlog_attach(u->attach, r);
	(void)kt_sign_run(u->s->ctx, r);
	if (u->cb && u->cb->report)
		u->cb->report(u->cb->ud, u->unit, r);
	else
		kt_report_free(r);
}

static void
take_reports(struct run *u)
{
	struct kt_report *r;

	while ((r = kt_hostsplit_take(u->p)) != NULL)
		deliver(u, r);
}

static void
feed_line(struct run *u, const char *p, size_t n, uint64_t no)
{
	struct kt_line line;

	normalize_line(u, p, n, no, &line);
	if (u->feed_xen)
		kt_xenlog_feed(u->feed_xen, &line);
	kt_hostsplit_feed(u->p, &line);
	u->fed_no = no;
	u->s->st.fed++;
	take_reports(u);
}

/* The memo key of line p[0..end): its bytes with digits masked. Returns
 * the key length, 0 if too long. */
static size_t
memo_key(const char *p, size_t end, char *key)
{
	if (end > MEMO_KEY)
		return 0;
	for (size_t i = 0; i < end; i++)
		key[i] = p[i] >= '0' && p[i] <= '9' ? '0' : p[i];
	return end;
}

static void
memo_add(struct kt_scanner *s, const char *key, size_t len)
{
	struct memo *m = &s->memo[s->memo_next++ % MEMO_N];
	memcpy(m->key, key, len);
	m->len = len;
}

/*
 * A dom0.log ring makes nearly every line a keyword line
 * ("[2637695.833000]   INFO: msg": the level word is a keyword, but the
 * normalizer strips it as a prefix). So the scanner remembers line starts
 * whose keyword the normalizer stripped: the normalizer works per line,
 * from the start, so a line that begins with the same bytes (digit values
 * aside) up to one byte past the keyword loses the same prefix, and that
 * keyword cannot be in its text. True if the keyword at p[h], length kl,
 * of the line starting at p is such a known prefix. The key ends one byte
 * past the keyword: the line's '\n' if the keyword ends the line (the
 * window always holds it).
 */
/* The 8 bytes of x with each ASCII digit replaced by '0' (SWAR: t = x ^
 * '0' is below 10 exactly for digits; adding 0x76 to its low 7 bits sets
 * bit 7 from 10 on, without a carry into the next byte). */
static inline uint64_t
digits_to_zero(uint64_t x)
{
	const uint64_t zeros = 0x3030303030303030ull;
	uint64_t t = x ^ zeros;
	uint64_t ge10 = ((t & 0x7f7f7f7f7f7f7f7full) + 0x7676767676767676ull) | t;
	uint64_t m = ((~ge10 & 0x8080808080808080ull) >> 7) * 0xff;

	return (x & ~m) | (zeros & m);
}

static bool
memo_says_prefix(struct kt_scanner *s, const char *p, size_t h, size_t kl)
{
	size_t len = h + kl + 1;

	/* A line with a control byte after the key is still caught: the
	 * control scan of the skipped text covers it once the search moves
	 * past it. Keys never hold one (memo_add() takes clean lines only). */
	if (len > MEMO_KEY)
		return false;
	for (unsigned k = 0; k < MEMO_N; k++) {
		unsigned i = (s->memo_last + k) % MEMO_N;	/* the last hit first */
		const struct memo *m = &s->memo[i];
		size_t j = 0;

		if (m->len != len)
			continue;
		for (; j + 8 <= len; j += 8) {	/* 8 bytes at a time */
			uint64_t a, b;
			memcpy(&a, p + j, 8);
			memcpy(&b, m->key + j, 8);
			if (digits_to_zero(a) != b)
				break;
		}
		while (j < len && m->key[j] == (p[j] >= '0' && p[j] <= '9' ? '0' : p[j]))
			j++;
		if (j == len) {
			s->memo_last = i;
			s->st.memo++;
			return true;
		}
	}
	return false;
}

/*
 * Is the line p[0..n) (number `no`, holding a keyword at h of length kl;
 * p[n] is its '\n') a crash header for an idle parser? That is decided by normalize + the
 * parser's detector. When the text holds no keyword and begins after the
 * one at h, the line start goes to the memo (see memo_says_prefix()).
 */
static bool
candidate(struct run *u, const char *p, size_t n, uint64_t no, size_t h, size_t kl)
{
	struct kt_scanner *s = u->s;
	struct kt_line line;
	struct kt_detect_hit hit;
	char key[MEMO_KEY];
	size_t off, keylen;
	uint64_t nl;

	normalize_line(u, p, n, no, &line);
	/* Every header holds a keyword in its text. */
	if (!kt_kwset_find(s->kw, line.text.p, line.text.len, &off, NULL)) {
		/* The text lies in the raw line after the keyword (it was not
		 * cleaned into the scratch buffer). */
		if (line.text.p >= p + h + kl && line.text.p <= p + n &&
		    kt_span_scan(p, n, &nl) == n &&
		    (keylen = memo_key(p, h + kl + 1, key)))
			memo_add(s, key, keylen);
		return false;
	}
	return kt_detect_line(s->det, line.text, line.xen, &hit);
}

/* Start of the line `k` lines before the line starting at `from` (or of
 * the first line of the window); *ret_k is how many lines that is. */
static size_t
back_lines(const char *w, size_t from, uint64_t k, uint64_t *ret_k)
{
	uint64_t got = 0;

	while (got < k && from > 0) {
		const char *q = from > 1 ? memrchr(w, '\n', from - 1) : NULL;
		from = q ? (size_t)(q - w) + 1 : 0;
		got++;
	}
	*ret_k = got;
	return from;
}

/* The file offset of the line starting at window offset f, given that
 * the line at ls >= f is in the raw part (see struct run); NO_OFF when a
 * line in between may have been cut. */
static uint64_t
line_offset(const struct run *u, size_t f, size_t ls)
{
	if (ls < u->raw_from)
		return NO_OFF;
	for (size_t i = f; i < u->raw_from;) {
		size_t n = (size_t)((const char *)memchr(u->w + i, '\n', ls - i) - (u->w + i));
		if (n >= LINE_KEEP)
			return NO_OFF;
		i += n + 1;
	}
	return u->raw_off + (ls - u->raw_from) - (ls - f);
}

/* Handle the complete lines in [cur, end); end is just after a '\n'. */
static void
process(struct run *u, size_t end)
{
	char *w = u->w;

	while (u->cur < end) {
		if (u->feeding || u->full) {
			if (u->at_pending && u->cur_no == u->feed_to) {
				u->at_pending = false;
				at_header(u);
				if (u->stop)
					return;
			}
			const char *ls = w + u->cur;
			const char *nl = memchr(ls, '\n', end - u->cur);
			feed_line(u, ls, (size_t)(nl - ls), u->cur_no);
			u->cur = (size_t)(nl - w) + 1;
			u->cur_no++;
			if (!u->full && u->cur_no > u->feed_to && kt_hostsplit_idle(u->p)) {
				u->feeding = false;
				if (u->track)
					rec_close(u->track, u->cur_no - 1);
			}
			continue;
		}

		/* Skip to the first line with a keyword or a joining control. */
		size_t from = u->cur, off, klen, hit, hs, ls, le;
		uint64_t nls;
		bool is_hit;
again:
		klen = 0;
		hit = hs = end;
		if (kt_kwset_find(u->s->kw, w + from, end - from, &off, &klen)) {
			const char *q;
			hit = from + off;
			q = hit > u->cur ? memrchr(w + u->cur, '\n', hit - u->cur) : NULL;
			hs = q ? (size_t)(q - w) + 1 : u->cur;
		}
		size_t c = u->cur + kt_span_scan(w + u->cur, hs - u->cur, &nls);
		if (c < hs) {
			/* A control byte: the line is a candidate as a whole. */
			const char *q = c > u->cur ? memrchr(w + u->cur, '\n', c - u->cur) : NULL;
			ls = q ? (size_t)(q - w) + 1 : u->cur;
		} else if (hit < end) {
			ls = hs;
		} else {
			u->cur_no += nls;
			u->cur = end;
			return;
		}
		u->cur_no += nls;
		u->cur = ls;
		if (ls == hs && hit < end && memo_says_prefix(u->s, w + ls, hit - ls, klen)) {
			/* Go on searching after that keyword (maybe in the same
			 * line: then the key grows). */
			from = hit + 1;
			goto again;
		}
		le = (size_t)((const char *)memchr(w + ls, '\n', end - ls) - w);
		if (ls == hs && hit < end) {
			u->s->st.candidates++;
			is_hit = candidate(u, w + ls, le - ls, u->cur_no, hit - ls, klen);
		} else {
			struct kt_line line;
			struct kt_detect_hit dh;
			u->s->st.candidates++;
			normalize_line(u, w + ls, le - ls, u->cur_no, &line);
			is_hit = kt_detect_line(u->s->det, line.text, line.xen, &dh);
		}
		if (is_hit) {
			/* Backfill the lines the parser's prefix ring would hold;
			 * none of them is a header (each candidate among them
			 * was checked), so the parser stays idle through them. */
			uint64_t want = u->cur_no - 1 - u->fed_no, got;
			if (want > HIST_LINES)
				want = HIST_LINES;
			u->feed_to = u->cur_no;
			size_t f = back_lines(w, ls, want, &got);
			if (u->track || u->join) {
				u->at_pending = true;
				u->at_f = u->cur_no - got;
				u->at_off = line_offset(u, f, ls);
			}
			u->cur = f;
			u->cur_no -= got;
			u->feeding = true;
			continue;
		}
		u->cur = le + 1;
		u->cur_no++;
	}
}

/* Make room: keep the HIST_LINES lines before the cursor (each cut to
 * LINE_KEEP bytes, which keeps what kt_input_next() would hand out) and
 * the unhandled partial line. */
static void
compact(struct run *u)
{
	char *w = u->w;
	uint64_t got;
	size_t i = back_lines(w, u->cur, HIST_LINES, &got), o = 0;

	while (i < u->cur) {
		const char *nl = memchr(w + i, '\n', u->cur - i);
		size_t n = (size_t)(nl - (w + i));
		if (n > LINE_KEEP) {
			memmove(w + o, w + i, KT_MAX_LINE);
			o += KT_MAX_LINE;
			w[o++] = 'x';	/* not CR: the line stays "truncated" */
		} else {
			memmove(w + o, w + i, n);
			o += n;
		}
		w[o++] = '\n';
		i += n + 1;
	}
	memmove(w + o, w + u->cur, u->wlen - u->cur);
	u->wlen = o + (u->wlen - u->cur);
	if (u->raw_from <= u->cur) {
		u->raw_off += u->cur - u->raw_from;
		u->raw_from = o;
	} else {
		u->raw_from -= u->cur - o;
	}
	u->cur = o;
}

/* Append the line p[0..n) (n excludes the '\n') to the window as an
 * already handled history line, cut to LINE_KEEP bytes as compact() does. */
static void
put_hist_line(struct run *u, const char *p, size_t n)
{
	char *w = u->w;

	if (n > LINE_KEEP) {
		memcpy(w + u->wlen, p, KT_MAX_LINE);
		u->wlen += KT_MAX_LINE;
		w[u->wlen++] = 'x';
	} else {
		memcpy(w + u->wlen, p, n);
		u->wlen += n;
	}
	w[u->wlen++] = '\n';
}

/* An over-long partial line at the end of the window: keep what can
 * matter and drop the rest of it as it arrives. */
static void
cut_partial(struct run *u)
{
	if (u->wlen - u->cur > LINE_KEEP) {
		u->wlen = u->cur + KT_MAX_LINE;
		u->w[u->wlen++] = 'x';
		u->long_skip = true;
	}
}

/*
 * The common case without copying: search the complete lines of a piece
 * where they lie (the window holds no partial line, the parser is idle).
 * Returns the bytes handled: all of them when the piece has no candidate
 * line (its last HIST_LINES lines are kept in the window as history and
 * its partial last line goes there too); else the offset of the line
 * HIST_LINES lines before the first candidate, from where the window path
 * takes over (0: from the start).
 */
static size_t
skip_in_place(struct run *u, const char *p, size_t n)
{
	const char *lastnl = memrchr(p, '\n', n);
	size_t end, off, klen, hit, hs, c, ls, from;
	uint64_t nls, got;

	if (!lastnl)
		return 0;
	end = (size_t)(lastnl - p) + 1;
	hit = hs = end;
	if (kt_kwset_find(u->s->kw, p, end, &off, &klen)) {
		const char *q = off > 0 ? memrchr(p, '\n', off) : NULL;
		hit = off;
		hs = q ? (size_t)(q - p) + 1 : 0;
	}
	c = kt_span_scan(p, hs, &nls);
	if (c < hs || hit < end) {
		const char *q = c < hs && c > 0 ? memrchr(p, '\n', c) : NULL;
		ls = c < hs ? (q ? (size_t)(q - p) + 1 : 0) : hs;
		from = back_lines(p, ls, HIST_LINES, &got);
		if (from == 0)
			return 0;
		/* The lines before `from` are no candidates; the window's
		 * older lines are not needed by any backfill any more. */
		u->cur_no += kt_count_newlines(p, from);
		u->wlen = u->cur = 0;
		return from;
	}
	u->cur_no += nls;
	from = back_lines(p, end, HIST_LINES, &got);
	if (got < HIST_LINES)
		compact(u);		/* keep older history lines too */
	else
		u->wlen = u->cur = 0;
	for (size_t i = from; i < end;) {
		size_t len = (size_t)((const char *)memchr(p + i, '\n', end - i) - (p + i));
		put_hist_line(u, p + i, len);
		i += len + 1;
	}
	u->cur = u->wlen;
	u->raw_from = u->cur;
	u->raw_off = u->in_off + end;
	memcpy(u->w + u->wlen, p + end, n - end);
	u->wlen += n - end;
	cut_partial(u);
	return n;
}

/* Append p[0..n) to the window (the next bytes of the input). */
static void
win_append(struct run *u, const char *p, size_t n)
{
	if (u->raw_from > u->wlen || u->raw_off + (u->wlen - u->raw_from) != u->in_off) {
		u->raw_from = u->wlen;
		u->raw_off = u->in_off;
	}
	memcpy(u->w + u->wlen, p, n);
	u->wlen += n;
	u->in_off += n;
}

static void
push_bytes(struct run *u, const char *p, size_t n)
{
	while (n > 0 && !u->stop) {
		if (u->long_skip) {
			const char *nl = memchr(p, '\n', n);
			if (!nl) {
				u->in_off += n;
				return;
			}
			n -= (size_t)(nl - p);
			u->in_off += (size_t)(nl - p);
			p = nl;
			u->long_skip = false;
		}
		size_t take = n < u->s->chunk ? n : u->s->chunk;
		if (!u->full && !u->feeding) {
			if (u->wlen == u->cur) {
				size_t used = skip_in_place(u, p, take);
				if (used) {
					p += used;
					n -= used;
					u->in_off += used;
					continue;
				}
			} else {
				/* Finish the partial line through the window. */
				const char *nl = memchr(p, '\n', take);
				if (nl)
					take = (size_t)(nl - p) + 1;
			}
		}
		if (u->wlen + take > u->s->wcap)
			compact(u);
		size_t old = u->wlen;
		win_append(u, p, take);
		p += take;
		n -= take;
		const char *last = memrchr(u->w + old, '\n', take);
		if (last)
			process(u, (size_t)(last - u->w) + 1);
		cut_partial(u);
	}
}

/* At the end of the input: the last line has no newline; kt_input_next()
 * still hands it out. */
static void
run_last_line(struct run *u)
{
	if (u->wlen > u->cur) {
		if (u->wlen >= u->s->wcap)
			compact(u);
		u->w[u->wlen++] = '\n';
		process(u, u->wlen);
	}
}

static int
run_input(struct run *u, struct kt_input *in, const char *name)
{
	const char *p;
	size_t n;
	int rc;

	u->w = u->s->w;
	u->cur_no = 1;
	u->name = name;
	u->p = kt_hostsplit_new(u->s->ctx, name);
	if (!u->p)
		return KT_EFORMAT;
	/* The unit's cap applies in log order (deliver()), as with -j N. */
	kt_hostsplit_set_max_reports(u->p, SIZE_MAX);
	while ((rc = kt_input_read_block(in, &p, &n)) > 0) {
		u->s->st.bytes += n;
		push_bytes(u, p, n);
		if (u->cb && u->cb->progress)
			u->cb->progress(u->cb->ud, name, kt_input_bytes_read(in));
	}
	if (rc == 0)
		run_last_line(u);
	kt_hostsplit_end(u->p);
	take_reports(u);
	u->s->st.lines += u->cur_no - 1;
	kt_hostsplit_free(u->p);
	u->p = NULL;
	return rc < 0 ? rc : 0;
}

int
kt_scan_input(struct kt_scanner *s, struct kt_input *in, const char *name,
	      const struct kt_scan_cb *cb)
{
	size_t n_reports = 0;
	struct run u = { .s = s, .cb = cb, .unit = name, .n_reports = &n_reports,
			 .full = s->opts.full };

	return run_input(&u, in, name);
}

/* ---- one regular file on several threads ---------------------------------- */

/*
 * scan_parallel() cuts a plain regular file into byte ranges at line
 * starts and scans each on its own thread with its own scanner, counting
 * lines from 1 in each range (line numbers are moved afterwards). A
 * range's scanner starts from fresh parsers, so near its start it may
 * disagree with one thread. The ranges are joined exactly:
 *
 * - Each range records every header it found while skipping: the header
 *   line h, the first line f of its backfill, the last line z it fed
 *   before its parsers were idle again, and a digest of the complete
 *   parser state just before h is fed (kt_hostsplit_state(): everything
 *   that can change what the parsers do with later lines).
 * - After the threads end, the scanner of range k -- exact, because it is
 *   range 0 or it joined an exact one -- goes on past its end. A line that
 *   no later range fed is no header (that range's scanner checked it), so
 *   when it is idle before line x it moves straight to the backfill start
 *   f of the first recorded header after x, or to the end of the file when
 *   there is none: a scanner that is idle feeds nothing before the next
 *   header, so its state does not change over the text it jumps.
 * - When it is about to feed a header h that range j recorded with the
 *   same digest, both scanners are in the same state before the same text
 *   (the scanner's own state there is "idle, fed up to h - 1"), so they do
 *   the same from there on: reports with a header before h come from the
 *   first, from h on from range j, whose scanner then goes on in turn.
 * So the output is the one-thread output by construction (up to a
 * collision of the 128-bit keyed digest); the joins only decide which
 * thread did the work. Without a match the scanner simply goes on.
 */

/* Bytes per pread() of a range; bytes per step past a range's end. */
#define PAR_READ	((size_t)1 << 20)
#define PAR_STEP	((size_t)64 << 10)
/* Default smallest range: smaller files are not worth a thread. */
#define PAR_MIN		((uint64_t)16 << 20)
/* Reports kept per range before the join (the unit keeps KT_MAX_REPORTS;
 * see join_check() for a range that kept fewer than it found). */
#define PAR_REPORTS	(KT_MAX_REPORTS + 64)
/* Headers recorded per range; beyond, the range is joined no later. */
#define PAR_RECS	((size_t)1 << 14)
/* Largest parser state digested (many syslog hosts with long lines in
 * their prefix rings); a bigger one is not compared (no join there). */
#define PAR_STATE_MAX	((size_t)1 << 20)
#define PAR_THREADS	64

/* A header a range's scanner found while skipping (lines of the range). */
struct rec {
	uint64_t f, h, z;	/* backfill from f, header h, fed up to z */
	uint64_t off_f;		/* byte offset of line f, or NO_OFF */
	uint64_t d[2];		/* digest of the parser state before h */
	bool ok;		/* d is valid (parsers idle) */
};

struct part {
	struct kt_scanner *parent;
	const char *name, *unit;
	struct kt_scanner *s;
	bool own;		/* s (and its ctx) belong to the part */
	struct run u;
	struct kt_scan_cb cb;	/* collects into rep, or delivers (out) */
	int fd;
	uint64_t off, end, fsize;
	uint64_t pos;		/* next byte to push */
	uint64_t lines;		/* lines in [off, end) */
	uint64_t lines_all;	/* ... with a last line without newline */
	bool done;		/* pushed up to the end of the file and ended */
	int rc;
	char *buf;
	struct kt_report **rep;
	size_t n_rep, n_drop;	/* reports kept; not kept (over PAR_REPORTS) */
	struct rec *rec;
	size_t n_rec, cap_rec;
	bool rec_lost;		/* more than PAR_RECS headers: later ones unknown */
	const uint64_t *key;	/* digest keys, shared by the parts */
	struct kt_buf state;	/* scratch: the serialized parser state */
	struct stitch *out;	/* deliver reports at once (the scanner going on) */
	uint64_t base;		/* lines before the range */
	pthread_t tid;
	bool started;
};

/* The join: the parts, their first line numbers, where reports go. */
struct stitch {
	struct part *parts;
	unsigned np, k;		/* parts[k] is the scanner going on */
	const uint64_t *base;
	const struct kt_scan_cb *cb;
	const char *unit;
	size_t *n_reports;
	uint64_t delivered;
	unsigned sync_m;	/* the range joined, at its header line sync_h */
	uint64_t sync_h;
};

/* SipHash-2-4 (Aumasson and Bernstein, https://www.aumasson.jp/siphash/),
 * keyed per run so that crafted input cannot aim at a collision. */
#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND \
	do { \
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
	} while (0)

static uint64_t
siphash(const uint64_t key[2], const unsigned char *p, size_t n)
{
	uint64_t v0 = key[0] ^ 0x736f6d6570736575ULL, v1 = key[1] ^ 0x646f72616e646f6dULL;
	uint64_t v2 = key[0] ^ 0x6c7967656e657261ULL, v3 = key[1] ^ 0x7465646279746573ULL;
	uint64_t b = (uint64_t)n << 56, m;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&m, p + i, 8);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (size_t k = 0; i + k < n; k++)
		b |= (uint64_t)p[i + k] << (8 * k);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* Digest of the parser state before the line cur_no (the header). */
static bool
state_digest(struct run *u, uint64_t d[2])
{
	struct part *pt = u->par;

	if (u->cur_no >= UINT32_MAX)
		return false;
	kt_buf_clear(&pt->state);
	if (!kt_hostsplit_state(u->p, (uint32_t)u->cur_no, PAR_STATE_MAX, &pt->state))
		return false;
	d[0] = siphash(pt->key, (const unsigned char *)pt->state.p, pt->state.len);
	d[1] = siphash(pt->key + 2, (const unsigned char *)pt->state.p, pt->state.len);
	return true;
}

static void
rec_add(struct part *pt, const struct run *u, bool ok, const uint64_t d[2])
{
	if (pt->rec_lost)
		return;
	if (pt->n_rec == PAR_RECS) {
		pt->rec_lost = true;
		return;
	}
	if (pt->n_rec == pt->cap_rec) {
		pt->cap_rec = pt->cap_rec ? 2 * pt->cap_rec : 64;
		pt->rec = kt_realloc(pt->rec, pt->cap_rec * sizeof(*pt->rec));
	}
	pt->rec[pt->n_rec++] = (struct rec){ .f = u->at_f, .h = u->cur_no, .z = UINT64_MAX,
					     .off_f = u->at_off, .d = { d[0], d[1] }, .ok = ok };
}

/* The parsers are idle again after line z. */
static void
rec_close(struct part *pt, uint64_t z)
{
	if (pt->n_rec && pt->rec[pt->n_rec - 1].z == UINT64_MAX)
		pt->rec[pt->n_rec - 1].z = z;
}

/* The record of header line h of a part, or NULL. */
static const struct rec *
rec_find(const struct part *pt, uint64_t h)
{
	size_t lo = 0, hi = pt->n_rec;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pt->rec[mid].h < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < pt->n_rec && pt->rec[lo].h == h ? &pt->rec[lo] : NULL;
}

static uint32_t
shift_no(uint32_t no, uint64_t base)
{
	return no ? clamp_no(no + base) : 0;
}

/* Hand one report of a range (line numbers moved by `base`) to the caller. */
static void
deliver_one(struct stitch *js, struct kt_report *r, uint64_t base)
{
	if (*js->n_reports >= KT_MAX_REPORTS) {
		kt_report_free(r);
		return;
	}
	r->source.first_line = shift_no(r->source.first_line, base);
	r->source.last_line = shift_no(r->source.last_line, base);
	for (size_t k = 0; k < r->n_lines; k++)
		r->line_nos[k] = shift_no(r->line_nos[k], base);
	for (size_t k = 0; k < r->n_notes; k++)
		r->notes[k].line = shift_no(r->notes[k].line, base);
	for (size_t k = 0; k < r->n_frames; k++)
		r->frames[k].log_line = shift_no(r->frames[k].log_line, base);
	(*js->n_reports)++;
	js->delivered++;
	if (js->cb && js->cb->report)
		js->cb->report(js->cb->ud, js->unit, r);
	else
		kt_report_free(r);
}

/* Hand the part's reports whose header is at or after line `from` over. */
static void
part_deliver(struct part *pt, uint64_t from, struct stitch *js)
{
	for (size_t i = 0; i < pt->n_rep; i++) {
		struct kt_report *r = pt->rep[i];

		pt->rep[i] = NULL;
		if (r->source.first_line < from)
			kt_report_free(r);
		else
			deliver_one(js, r, pt->base);
	}
	pt->n_rep = 0;
}

/* The scanner going on is about to feed the header at its line cur_no:
 * join the range that recorded the same state there (see above). A range
 * that did not keep all its reports is joined only when the reports it
 * kept fill the unit. */
static void
join_check(struct stitch *js, struct run *u)
{
	uint64_t h = js->base[js->k] + u->cur_no, d[2];

	for (unsigned m = js->k + 1; m < js->np; m++) {
		const struct part *pt = &js->parts[m];
		const struct rec *r;

		if (h <= js->base[m] || h > js->base[m] + pt->lines_all)
			continue;
		r = rec_find(pt, h - js->base[m]);
		if (!r || !r->ok || !state_digest(u, d) || r->d[0] != d[0] || r->d[1] != d[1])
			return;
		if (pt->n_drop) {
			size_t kept = 0;
			for (size_t i = 0; i < pt->n_rep; i++)
				kept += pt->rep[i]->source.first_line >= r->h;
			if (*js->n_reports + kept < KT_MAX_REPORTS)
				return;
		}
		js->sync_m = m;
		js->sync_h = r->h;
		u->stop = true;
		return;
	}
}

/* Records whose state is digested: all of the first ones (a join
 * happens near a range's start), then one in 64 (bounds the work on
 * inputs with many hosts and crashes). */
#define PAR_DIGEST_ALL	1024
#define PAR_DIGEST_EVERY 64

static void
at_header(struct run *u)
{
	if (u->track) {
		uint64_t d[2] = { 0, 0 };
		size_t n = u->track->n_rec;
		bool ok = (n < PAR_DIGEST_ALL || n % PAR_DIGEST_EVERY == 0) && state_digest(u, d);
		rec_add(u->track, u, ok, d);
	}
	if (u->join)
		join_check(u->join, u);
}

/*
 * What follows line X (of the file) for a scanner idle before it: 1 and
 * the first header recorded after X whose backfill starts after X (*ret,
 * of part *ret_m); 2 when no line from X on is a header; 0 when not known
 * (X is in text a range fed, or past the headers a range recorded).
 */
static int
next_header(const struct stitch *js, uint64_t X, unsigned *ret_m, const struct rec **ret)
{
	for (unsigned m = js->k + 1; m < js->np; m++) {
		const struct part *pt = &js->parts[m];
		uint64_t x = X > js->base[m] ? X - js->base[m] : 1;
		size_t lo = 0, hi = pt->n_rec;

		if (js->base[m] + pt->lines_all < X)
			continue;
		while (lo < hi) {	/* the first record fed up to x or later */
			size_t mid = lo + (hi - lo) / 2;
			if (pt->rec[mid].z < x)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < pt->n_rec) {
			if (pt->rec[lo].f <= x)
				return 0;
			*ret_m = m;
			*ret = &pt->rec[lo];
			return 1;
		}
		if (pt->rec_lost)
			return 0;
	}
	return 2;
}

static void
part_collect(void *ud, const char *unit, struct kt_report *r)
{
	struct part *pt = ud;

	(void)unit;
	if (pt->out) {
		deliver_one(pt->out, r, pt->base);
		return;
	}
	if (pt->n_rep >= PAR_REPORTS) {
		pt->n_drop++;
		kt_report_free(r);
		return;
	}
	pt->rep[pt->n_rep++] = r;
}

/* Push the bytes [pos, upto) of the file to the part's scanner (less when
 * it joined another range). */
static int
part_push(struct part *pt, uint64_t upto)
{
	while (pt->pos < upto && !pt->u.stop) {
		uint64_t left = upto - pt->pos;
		size_t want = left < PAR_READ ? (size_t)left : PAR_READ;
		ssize_t n = pread(pt->fd, pt->buf, want, (off_t)pt->pos);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return kt_error(pt->s->ctx, KT_EIO, "%s: %s", pt->u.name, strerror(errno));
		if (n == 0) {		/* the file shrank */
			pt->fsize = pt->pos;
			break;
		}
		pt->u.in_off = pt->pos;
		push_bytes(&pt->u, pt->buf, (size_t)n);
		pt->pos += (uint64_t)n;
	}
	return 0;
}

/* The end of the file: the last line, the open reports. */
static void
part_finish(struct part *pt)
{
	run_last_line(&pt->u);
	if (pt->u.stop)
		return;
	kt_hostsplit_end(pt->u.p);
	take_reports(&pt->u);
	pt->done = true;
}

/* Move the part's scanner, idle, to line `no` at byte `off` (nothing
 * before it is a header, see next_header()). */
static void
part_jump(struct part *pt, uint64_t off, uint64_t no)
{
	struct run *u = &pt->u;

	u->wlen = u->cur = 0;
	u->long_skip = false;
	u->raw_from = 0;
	u->raw_off = u->in_off = off;
	u->cur_no = no;
	pt->pos = off;
}

/* The part's scanner (a copy of the parent's: its own context, tables and
 * window) and its run. */
static int
part_setup(struct part *pt)
{
	if (!pt->s) {
		struct kt_scan_opts o = pt->parent->opts;
		struct kt_ctx *ctx = kt_ctx_new();
		int rc;

		o.jobs = 1;
		ctx->data_dir = pt->parent->ctx->data_dir;
		rc = kt_scanner_new(ctx, &o, &pt->s);
		if (rc) {
			kt_ctx_free(ctx);
			return rc;
		}
		pt->own = true;
	}
	pt->cb = (struct kt_scan_cb){ .report = part_collect, .ud = pt };
	pt->u = (struct run){ .s = pt->s, .cb = &pt->cb, .unit = pt->unit, .name = pt->name,
			      .w = pt->s->w, .cur_no = 1, .par = pt, .in_off = pt->pos,
			      .raw_off = pt->pos };
	pt->u.p = kt_hostsplit_new(pt->s->ctx, pt->name);
	if (!pt->u.p)
		return KT_EFORMAT;
	/* No cap of the parsers' own: the unit's cap applies in log order,
	 * and parser states compare without a report count. */
	kt_hostsplit_set_max_reports(pt->u.p, SIZE_MAX);
	return 0;
}

static void *
part_main(void *arg)
{
	struct part *pt = arg;

	pt->rc = part_setup(pt);
	if (pt->rc)
		return NULL;
	pt->u.track = pt;
	pt->rc = part_push(pt, pt->end);
	pt->lines = pt->u.cur_no - 1;
	if (!pt->rc && pt->pos >= pt->fsize)
		part_finish(pt);
	pt->lines_all = pt->u.cur_no - 1;
	pt->u.track = NULL;
	return NULL;
}

/* The first line start at or after byte `at` (fsize if none). */
static uint64_t
line_start_at(int fd, uint64_t at, uint64_t fsize, char *buf)
{
	uint64_t pos = at - 1;		/* a line starts after a '\n' */

	while (pos < fsize) {
		ssize_t n = pread(fd, buf, PAR_STEP, (off_t)pos);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fsize;
		const char *nl = memchr(buf, '\n', (size_t)n);
		if (nl)
			return pos + (uint64_t)(nl - buf) + 1;
		pos += (uint64_t)n;
	}
	return fsize;
}

static void
part_free(struct part *pt)
{
	for (size_t i = 0; i < pt->n_rep; i++)
		kt_report_free(pt->rep[i]);
	free(pt->rep);
	free(pt->rec);
	kt_buf_deinit(&pt->state);
	free(pt->buf);
	kt_hostsplit_free(pt->u.p);
	if (pt->own && pt->s) {
		struct kt_ctx *ctx = pt->s->ctx;
		kt_scanner_free(pt->s);
		kt_ctx_free(ctx);
	}
}

/* Digest keys for one file: random, else from the clock and an address. */
static void
digest_keys(uint64_t key[4])
{
	if (getrandom(key, 4 * sizeof(*key), GRND_NONBLOCK) == (ssize_t)(4 * sizeof(*key)))
		return;
	struct timespec ts;
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	key[0] = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL;
	key[1] = (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)key;
	key[2] = key[0] ^ 0x2545f4914f6cdd1dULL;
	key[3] = ~key[1] * 0xff51afd7ed558ccdULL;
}

/*
 * The scanner of parts[js->k] goes on past its range until it joins a
 * later range (returns 0 with its run's stop set) or reaches the end of
 * the file. Its reports go to the caller as they come.
 */
static int
go_on(struct stitch *js)
{
	struct part *A = &js->parts[js->k];
	struct part *last = &js->parts[js->np - 1];

	A->out = js;
	A->u.join = js;
	while (!A->done && !A->u.stop) {
		if (*js->n_reports >= KT_MAX_REPORTS && !A->u.feeding && !A->u.at_pending) {
			/* The unit is full: nothing after this can be shown. */
			part_jump(A, A->fsize, last->base + last->lines_all + 1 - A->base);
			part_finish(A);
			break;
		}
		if (!A->u.feeding && !A->u.at_pending) {
			uint64_t X = A->base + A->u.cur_no;
			const struct rec *r = NULL;
			unsigned m = 0;
			int nh = next_header(js, X, &m, &r);

			if (nh == 2) {
				part_jump(A, A->fsize, last->base + last->lines_all + 1 - A->base);
				part_finish(A);
				break;
			}
			if (nh == 1 && r->off_f != NO_OFF && r->f + HIST_LINES == r->h &&
			    js->base[m] + r->f > X)
				part_jump(A, r->off_f, js->base[m] + r->f - A->base);
		}
		uint64_t upto = A->pos + PAR_STEP < A->fsize ? A->pos + PAR_STEP : A->fsize;
		uint64_t at = A->pos;
		int rc = part_push(A, upto);
		A->parent->st.past_end += A->pos - at;
		if (rc)
			return rc;
		if (!A->u.stop && A->pos >= A->fsize)
			part_finish(A);
	}
	return 0;
}

/*
 * Scan the regular file `fd` of `fsize` bytes on up to opts.jobs threads.
 * Returns 1 when it is not worth it (the caller scans on one thread), else
 * 0 or a negative KT_E*.
 */
static int
scan_parallel(struct kt_scanner *s, int fd, uint64_t fsize, const char *name,
	      const char *unit, const struct kt_scan_cb *cb, size_t *n_reports)
{
	uint64_t min = s->opts.split_min ? s->opts.split_min : PAR_MIN;
	unsigned n = s->opts.jobs < PAR_THREADS ? s->opts.jobs : PAR_THREADS;
	uint64_t cut[PAR_THREADS + 1], base[PAR_THREADS], key[4], rep0 = s->st.reports;
	struct part *parts;
	char *tmp;
	unsigned np = 0;
	int rc = 0;

	if (s->opts.n_cuts)
		n = s->opts.n_cuts + 1 < PAR_THREADS ? s->opts.n_cuts + 1 : PAR_THREADS;
	else if (n > fsize / min)
		n = (unsigned)(fsize / min);
	if (n < 2)
		return 1;
	tmp = kt_malloc(PAR_STEP);
	cut[np++] = 0;
	for (unsigned k = 1; k < n; k++) {
		uint64_t at = s->opts.n_cuts ? s->opts.cuts[k - 1] : fsize / n * k;
		uint64_t b = at ? line_start_at(fd, at, fsize, tmp) : 0;
		if (b > cut[np - 1] && b < fsize)
			cut[np++] = b;
	}
	free(tmp);
	if (np < 2)
		return 1;
	cut[np] = fsize;
	digest_keys(key);

	parts = kt_calloc(np, sizeof(*parts));
	for (unsigned k = 0; k < np; k++) {
		struct part *pt = &parts[k];
		pt->s = k == 0 ? s : NULL;	/* the others are made on their thread */
		pt->parent = s;
		pt->name = name;
		pt->unit = unit;
		pt->fd = fd;
		pt->off = pt->pos = cut[k];
		pt->end = cut[k + 1];
		pt->fsize = fsize;
		pt->key = key;
		/* Page-aligned: the kernel copies into it faster (docs/scan.md). */
		if (posix_memalign((void **)&pt->buf, 4096, PAR_READ) != 0) {
			rc = kt_error(s->ctx, KT_ENOMEM, "%s: out of memory", name);
			break;
		}
		pt->rep = kt_malloc(PAR_REPORTS * sizeof(*pt->rep));
	}
	if (rc)
		goto out;
	/* Range 0 on this thread, the others on their own. */
	for (unsigned k = 1; k < np; k++)
		parts[k].started = pthread_create(&parts[k].tid, NULL, part_main, &parts[k]) == 0;
	part_main(&parts[0]);
	for (unsigned k = 0; k < np; k++) {
		if (parts[k].started)
			pthread_join(parts[k].tid, NULL);
		else if (k > 0)
			part_main(&parts[k]);
		if (parts[k].rc && !rc) {
			rc = parts[k].rc;
			if (parts[k].own && parts[k].s)
				(void)kt_error(s->ctx, rc, "%s", kt_ctx_errmsg(parts[k].s->ctx));
		}
	}
	if (rc) {
		if (rc != KT_EIO)
			rc = kt_error(s->ctx, rc, "%s: cannot set up the scanner threads", name);
		goto out;
	}

	/* Join. */
	base[0] = 0;
	for (unsigned k = 1; k < np; k++)
		base[k] = base[k - 1] + parts[k - 1].lines;
	for (unsigned k = 0; k < np; k++)
		parts[k].base = base[k];
	struct stitch js = { .parts = parts, .np = np, .base = base, .cb = cb, .unit = unit,
			     .n_reports = n_reports };
	uint64_t from = 0;
	for (;;) {
		struct part *A = &parts[js.k];
		part_deliver(A, from, &js);
		rc = go_on(&js);
		if (rc)
			goto out;
		if (!A->u.stop)
			break;
		from = js.sync_h;
		js.k = js.sync_m;
		s->st.joins++;
	}
	struct part *A = &parts[js.k];
	s->st.bytes += fsize;
	s->st.lines += A->base + A->u.cur_no - 1;
	s->st.reports = rep0 + js.delivered;	/* part 0 counted its own */
	for (unsigned k = 1; k < np; k++) {
		struct kt_scan_stats *t = &parts[k].s->st;
		s->st.candidates += t->candidates;
		s->st.memo += t->memo;
		s->st.fed += t->fed;
	}
	if (cb && cb->progress)
		cb->progress(cb->ud, name, fsize);
out:
	for (unsigned k = 0; k < np; k++)
		part_free(&parts[k]);
	free(parts);
	return rc;
}

/* ---- units (mirrors src/pipeline.c) ---------------------------------------- */

struct walk_state {
	struct kt_scanner *s;
	const struct kt_scan_cb *cb;
};

/* Members are read in this order: xen.log before the kernel rings. */
static int
member_rank(enum kt_member_role role)
{
	switch (role) {
	case KT_ROLE_XEN_LOG: return 1;
	case KT_ROLE_DOM0_LOG: return 2;
	case KT_ROLE_KEXEC_DMESG: return 3;
	case KT_ROLE_DOMN_LOG: return 4;
	case KT_ROLE_LOG: return 5;
	default: return -1;	/* not a log: analyser log, lspci, other */
	}
}

static int
scan_member(struct walk_state *ws, const struct kt_unit *unit, size_t i,
	    struct kt_xenlog *xen, size_t *n_reports)
{
	const struct kt_unit_member *m = &unit->members[i];
	struct kt_input *in;
	int rc = kt_unit_open(ws->s->ctx, unit, i, &in);

	if (rc) {
		kt_diag(ws->s->ctx, KT_SEV_WARN, m->name, "%s", kt_ctx_errmsg(ws->s->ctx));
		return rc;
	}
	bool is_xen = m->role == KT_ROLE_XEN_LOG && xen;
	if (ws->s->opts.jobs > 1 && !ws->s->opts.full && !xen && m->path_ &&
	    strcmp(m->path_, "-") != 0 && !kt_input_compressed(in)) {
		int fd = open(m->path_, O_RDONLY | O_CLOEXEC);
		struct stat st;
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
			rc = scan_parallel(ws->s, fd, (uint64_t)st.st_size, kt_input_name(in),
					   unit->display, ws->cb, n_reports);
			if (rc <= 0) {
				close(fd);
				if (rc)
					kt_diag(ws->s->ctx, KT_SEV_WARN, m->name, "%s",
						kt_ctx_errmsg(ws->s->ctx));
				kt_input_free(in);
				return rc;
			}
		}
		if (fd >= 0)
			close(fd);
	}
	struct run u = {
		.s = ws->s, .cb = ws->cb, .unit = unit->display, .n_reports = n_reports,
		.feed_xen = is_xen ? xen : NULL, .attach = xen,
		/* xen.log is small and its reader needs every line. */
		.full = ws->s->opts.full || is_xen,
	};
	rc = run_input(&u, in, kt_input_name(in));
	if (rc)
		kt_diag(ws->s->ctx, KT_SEV_WARN, m->name, "%s", kt_ctx_errmsg(ws->s->ctx));
	kt_input_free(in);
	return rc;
}

static int
scan_unit(void *ud, const struct kt_unit *unit)
{
	struct walk_state *ws = ud;
	struct kt_xenlog *xen = unit->crash_folder ? kt_xenlog_new() : NULL;
	size_t n_reports = 0;
	int status = 0;

	if (ws->cb->unit_begin)
		ws->cb->unit_begin(ws->cb->ud, unit->display);
	for (int rank = 1; rank <= 5; rank++)
		for (size_t i = 0; i < unit->n_members; i++)
			if (member_rank(unit->members[i].role) == rank) {
				int rc = scan_member(ws, unit, i, xen, &n_reports);
				if (rc && !status)
					status = rc;
			}
	kt_xenlog_free(xen);
	if (ws->cb->unit_end)
		ws->cb->unit_end(ws->cb->ud, unit->display, status);
	return 0;
}

int
kt_scan_path(struct kt_scanner *s, const char *path, const struct kt_scan_cb *cb)
{
	static const struct kt_scan_cb none;
	struct walk_state ws = { .s = s, .cb = cb ? cb : &none };

	return kt_walk(s->ctx, path, scan_unit, &ws);
}
