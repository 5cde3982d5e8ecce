/*
 * host: lines that keep coming, for `ktriage watch` and the agent.
 *
 * A followed file (tail -F): read to the end, then wait for more; when the
 * path names another file (logrotate renamed it and made a new one) the
 * old file is read to its end and the new one from its start; when the
 * file shrank (truncated, copytruncate) it is read again from its start.
 *
 * /dev/kmsg: one record per read(2), "PRI,SEQ,TS_USEC,FLAGS[,...];TEXT"
 * then dictionary lines " KEY=VALUE"; non-printable bytes escaped \xNN;
 * read(2) fails with EPIPE when the records we had not read yet were
 * overwritten, and the gap in SEQ says how many were lost; lseek SEEK_END
 * skips to the newest, SEEK_SET to the oldest record in the buffer
 * (linux Documentation/ABI/testing/dev-kmsg). Records with the FLAGS 'c'
 * (a line begun) and '+' (its continuation), printed by older kernels, are
 * joined. A regular file given as kmsg is read as one record per line, for
 * tests and for saved copies.
 */
#include <ktriage/host.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ktriage/limits.h>

#include "util/str.h"

#define READ_CHUNK 65536
#define KMSG_REC 8192		/* the kernel's record limit is 1024 + dictionary */
#define FILE_POLL_MS 100	/* how often a quiet file is looked at again */

struct kt_follow {
	struct kt_ctx *ctx;
	bool kmsg;
	bool kmsg_file;		/* kmsg records in a regular file, one per line */
	char *path;
	int fd;
	dev_t dev;
	ino_t ino;
	off_t off;		/* file: bytes consumed */
	char *buf;		/* file: bytes read, not yet returned as lines */
	size_t len, start;
	bool eof_once;		/* file: at EOF once since the last growth */
	struct kt_buf line;	/* the line handed out */
	/* kmsg */
	struct kt_buf pending;	/* a 'c' record waiting for its '+' parts */
	bool have_pending;
	uint64_t pending_ts;
	struct kt_buf queue;	/* lines of one record ("\n"-separated) */
	size_t qpos;
	uint64_t after_seq;
	struct kt_follow_stats st;
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	(void)nanosleep(&ts, NULL);
}

static int
open_file(struct kt_follow *f, bool at_end)
{
	struct stat st;

	f->fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (f->fd < 0)
		return -errno;
	if (fstat(f->fd, &st) == 0) {
		f->dev = st.st_dev;
		f->ino = st.st_ino;
	}
	f->off = at_end ? lseek(f->fd, 0, SEEK_END) : 0;
	if (f->off < 0)
		f->off = 0;
	f->len = f->start = 0;
	return 0;
}

void
kt_follow_free(struct kt_follow *f)
{
	if (!f)
		return;
	if (f->fd >= 0)
		close(f->fd);
	free(f->path);
	free(f->buf);
	kt_buf_deinit(&f->line);
	kt_buf_deinit(&f->pending);
	kt_buf_deinit(&f->queue);
	free(f);
}

static struct kt_follow *
follow_new(struct kt_ctx *ctx, const char *path)
{
	struct kt_follow *f = calloc(1, sizeof(*f));

	if (!f)
		abort();
	f->ctx = ctx;
	f->fd = -1;
	f->path = strdup(path);
	f->buf = malloc(READ_CHUNK + KT_MAX_LINE + 1);
	if (!f->path || !f->buf)
		abort();
	kt_buf_init(&f->line);
	kt_buf_init(&f->pending);
	kt_buf_init(&f->queue);
	return f;
}

int
kt_follow_file(struct kt_ctx *ctx, const char *path, bool from_start, struct kt_follow **ret)
{
	struct kt_follow *f = follow_new(ctx, path);
	int rc = open_file(f, !from_start);

	if (rc) {
		kt_follow_free(f);
		return kt_error(ctx, rc == -ENOENT ? KT_ENOTFOUND : KT_EIO, "opening '%s': %s",
				path, strerror(-rc));
	}
	*ret = f;
	return 0;
}

int
kt_follow_kmsg(struct kt_ctx *ctx, const char *path, bool from_start, uint64_t after_seq,
	       struct kt_follow **ret)
{
	struct kt_follow *f = follow_new(ctx, path ? path : "/dev/kmsg");
	struct stat st;

	f->kmsg = true;
	f->after_seq = after_seq;
	f->fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (f->fd < 0) {
		int e = errno;

		kt_follow_free(f);
		return kt_error(ctx, e == ENOENT ? KT_ENOTFOUND : KT_EIO, "opening '%s': %s",
				path ? path : "/dev/kmsg", strerror(e));
	}
	f->kmsg_file = fstat(f->fd, &st) == 0 && S_ISREG(st.st_mode);
	if (!from_start && !after_seq)
		(void)lseek(f->fd, 0, SEEK_END);
	*ret = f;
	return 0;
}

void
kt_follow_get_stats(const struct kt_follow *f, struct kt_follow_stats *ret)
{
	*ret = f->st;
}

/* ---- files -------------------------------------------------------------- */

/* A complete line in the buffer: hand it out. */
static bool
take_line(struct kt_follow *f, const char **line, size_t *len, bool partial_ok)
{
	char *p = f->buf + f->start;
	size_t avail = f->len - f->start;
	char *nl = memchr(p, '\n', avail);
	size_t n;

	if (!nl && !(partial_ok && avail) && avail < KT_MAX_LINE)
		return false;
	n = nl ? (size_t)(nl - p) : (avail < KT_MAX_LINE ? avail : KT_MAX_LINE);
	kt_buf_clear(&f->line);
	kt_buf_add(&f->line, p, n && p[n - 1] == '\r' ? n - 1 : n);
	f->start += n + (nl ? 1 : 0);
	*line = f->line.p ? f->line.p : "";
	*len = f->line.len;
	return true;
}

/* The path now names another file, or none: logrotate moved ours. */
static bool
rotated(struct kt_follow *f)
{
	struct stat st;

	if (stat(f->path, &st) != 0)
		return false;	/* not there yet: keep reading the old one */
	return st.st_ino != f->ino || st.st_dev != f->dev;
}

static int
file_next(struct kt_follow *f, int timeout_ms, const char **line, size_t *len)
{
	double deadline = now_ms() + timeout_ms;

	for (;;) {
		ssize_t n;
		struct stat st;

		if (take_line(f, line, len, false))
			return 1;
		if (f->start) {	/* keep the partial line at the front */
			memmove(f->buf, f->buf + f->start, f->len - f->start);
			f->len -= f->start;
			f->start = 0;
		}
		n = f->fd >= 0 ? read(f->fd, f->buf + f->len, READ_CHUNK) : 0;
		if (n > 0) {
			f->len += (size_t)n;
			f->off += n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return kt_error(f->ctx, KT_EIO, "reading '%s': %s", f->path, strerror(errno));
		/* at the end of the file */
		if (f->fd >= 0 && fstat(f->fd, &st) == 0 && st.st_size < f->off) {
			f->st.truncations++;
			(void)lseek(f->fd, 0, SEEK_SET);
			f->off = 0;
			f->len = f->start = 0;
			continue;
		}
		if (f->fd < 0 || rotated(f)) {
			/* the old file is read to its end: its last line too */
			if (take_line(f, line, len, true))
				return 1;
			if (f->fd >= 0) {
				close(f->fd);
				f->fd = -1;
				f->st.rotations++;
			}
			if (open_file(f, false) == 0)
				continue;
			f->fd = -1;	/* not created yet: look again */
		}
		if (now_ms() >= deadline)
			return 0;
		sleep_ms(FILE_POLL_MS);
	}
}

/* ---- kmsg --------------------------------------------------------------- */

static int
hexval(char c)
{
	return kt_is_digit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10
		: (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}

int
kt_kmsg_parse(const char *rec, size_t len, struct kt_kmsg_record *ret)
{
	const char *semi = memchr(rec, ';', len), *p = rec, *end;
	unsigned long long v[3];
	char *e;

	if (!semi)
		return KT_EFORMAT;
	for (int i = 0; i < 3; i++) {
		if (p >= semi || !kt_is_digit(*p))
			return KT_EFORMAT;
		v[i] = strtoull(p, &e, 10);
		if (e > semi || (*e != ',' && *e != ';'))
			return KT_EFORMAT;
		p = e + (*e == ',' ? 1 : 0);
	}
	ret->level = (int)(v[0] & 7);
	ret->facility = (int)(v[0] >> 3);
	ret->seq = v[1];
	ret->ts_usec = v[2];
	ret->flag = p < semi && *p != ',' && *p != ';' ? *p : '-';
	ret->text = semi + 1;
	end = memchr(ret->text, '\n', len - (size_t)(ret->text - rec));
	ret->text_len = end ? (size_t)(end - ret->text) : len - (size_t)(ret->text - rec);
	return 0;
}

/* "\x0a" -> byte; a newline inside the text starts another line. */
static void
unescape(struct kt_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi, lo;

		if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' &&
		    (hi = hexval(s[i + 2])) >= 0 && (lo = hexval(s[i + 3])) >= 0) {
			char c = (char)(hi * 16 + lo);

			kt_buf_addc(b, c == '\0' ? ' ' : c);
			i += 3;
		} else {
			kt_buf_addc(b, s[i]);
		}
	}
}

/* The record's lines, each "[ssss.uuuuuu] text", onto the queue. */
static void
queue_record(struct kt_follow *f, const struct kt_buf *text, uint64_t ts)
{
	const char *p = text->p ? text->p : "";
	size_t n = text->len;

	for (;;) {
		const char *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) : n;

		kt_buf_printf(&f->queue, "[%5llu.%06llu] ", (unsigned long long)(ts / 1000000),
			      (unsigned long long)(ts % 1000000));
		kt_buf_add(&f->queue, p, k);
		kt_buf_addc(&f->queue, '\n');
		if (!nl)
			break;
		p = nl + 1;
		n -= k + 1;
	}
}

/* One record read: to the queue (joined with a waiting 'c' record). */
static void
kmsg_record(struct kt_follow *f, const char *rec, size_t len)
{
	struct kt_kmsg_record r;
	struct kt_buf t;

	if (kt_kmsg_parse(rec, len, &r) != 0)
		return;		/* a dictionary line of a saved copy, or junk */
	if (f->after_seq && r.seq <= f->after_seq)
		return;
	if (f->st.last_seq && r.seq > f->st.last_seq + 1)
		f->st.lost += r.seq - f->st.last_seq - 1;
	if (!f->st.last_seq || r.seq > f->st.last_seq)
		f->st.last_seq = r.seq;
	kt_buf_init(&t);
	unescape(&t, r.text, r.text_len);
	if (r.flag == '+' && f->have_pending) {
		kt_buf_add(&f->pending, t.p ? t.p : "", t.len);
		kt_buf_deinit(&t);
		return;
	}
	if (f->have_pending) {
		queue_record(f, &f->pending, f->pending_ts);
		f->have_pending = false;
	}
	if (r.flag == 'c') {
		kt_buf_clear(&f->pending);
		kt_buf_add(&f->pending, t.p ? t.p : "", t.len);
		f->pending_ts = r.ts_usec;
		f->have_pending = true;
	} else {
		queue_record(f, &t, r.ts_usec);
	}
	kt_buf_deinit(&t);
}

static bool
queue_take(struct kt_follow *f, const char **line, size_t *len)
{
	const char *p, *nl;

	if (f->qpos >= f->queue.len) {
		kt_buf_clear(&f->queue);
		f->qpos = 0;
		return false;
	}
	p = f->queue.p + f->qpos;
	nl = memchr(p, '\n', f->queue.len - f->qpos);
	*line = p;
	*len = nl ? (size_t)(nl - p) : f->queue.len - f->qpos;
	f->qpos += *len + 1;
	return true;
}

static int
kmsg_next(struct kt_follow *f, int timeout_ms, const char **line, size_t *len)
{
	double deadline = now_ms() + timeout_ms;
	char rec[KMSG_REC];

	for (;;) {
		ssize_t n;

		if (queue_take(f, line, len))
			return 1;
		if (f->kmsg_file) {	/* a saved copy: one record per line */
			struct kt_str l;

			for (;;) {
				const char *lp;
				size_t ll;

				if (!take_line(f, &lp, &ll, false)) {
					if (f->start) {
						memmove(f->buf, f->buf + f->start, f->len - f->start);
						f->len -= f->start;
						f->start = 0;
					}
					n = read(f->fd, f->buf + f->len, READ_CHUNK);
					if (n > 0) {
						f->len += (size_t)n;
						continue;
					}
					break;
				}
				l = kt_str_make(lp, ll);
				if (l.len && l.p[0] != ' ')
					kmsg_record(f, l.p, l.len);
				if (f->queue.len > f->qpos)
					break;
			}
			if (queue_take(f, line, len))
				return 1;
		} else {
			n = read(f->fd, rec, sizeof(rec) - 1);
			if (n > 0) {
				kmsg_record(f, rec, (size_t)n);
				continue;
			}
			if (n < 0 && errno == EPIPE) {
				/* overwritten before we read them: the next
				 * record's sequence number says how many */
				f->st.overruns++;
				continue;
			}
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				return kt_error(f->ctx, KT_EIO, "reading '%s': %s", f->path,
						strerror(errno));
		}
		if (now_ms() >= deadline) {
			if (f->have_pending) {	/* no '+' came: the line is whole */
				queue_record(f, &f->pending, f->pending_ts);
				f->have_pending = false;
				continue;
			}
			return 0;
		}
		if (f->kmsg_file) {
			sleep_ms(FILE_POLL_MS);
		} else {
			struct pollfd pfd = { .fd = f->fd, .events = POLLIN };
			int left = (int)(deadline - now_ms());

			(void)poll(&pfd, 1, left > 0 ? left : 0);
		}
	}
}

int
kt_follow_next(struct kt_follow *f, int timeout_ms, const char **line, size_t *len)
{
	return f->kmsg ? kmsg_next(f, timeout_ms, line, len) : file_next(f, timeout_ms, line, len);
}
