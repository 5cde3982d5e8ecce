/*
 * input: streaming reader for one log. Bytes come from a file descriptor
 * (large read() blocks) or a memory buffer; if they start with a compression
 * magic they go through libarchive (raw format, all filters). Lines are cut
 * out of the decoded blocks without copying when a line lies inside one
 * block, and assembled in a KT_MAX_LINE buffer otherwise.
 * It does not look at what the lines say.
 */
#include "input/input.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ktriage/limits.h>

#include "input/decomp.h"
#include "util/ctx.h"
#include "util/mem.h"

/* Size of one read() from a file. */
#define READ_BLOCK	(1u << 20)
/* Decompressed block size. */
#define DECODE_BLOCK	(256u << 10)
/* Bytes needed to recognise every compression magic we know. */
#define SNIFF_BYTES	16

struct kt_input {
	struct kt_ctx *ctx;
	char *name;

	/* Undecoded source: a file descriptor, a memory buffer or a reader. */
	int fd;				/* -1 for memory or a reader */
	kt_input_reader_fn reader;	/* bytes from a callback (archive member) */
	void *reader_ud;
	bool close_fd;
	const char *mem;
	size_t mem_len, mem_off;
	char *rbuf;			/* read() buffer (files only) */
	size_t rbuf_cap;		/* READ_BLOCK, or less for a small file */
	size_t rbuf_len;		/* bytes in rbuf not yet handed out */
	bool src_eof;
	bool io_error;			/* the source failed (message on ctx) */
	bool src_damaged;		/* the reader reported damaged data */
	uint64_t bytes;
	uint64_t decoded;		/* bytes handed to the line cutter so far */
	size_t max_line;		/* bytes kept per line */
	uint64_t max_bytes;		/* stop after this many decoded bytes; 0: no cap */
	uint32_t cut_lines;		/* lines longer than max_line */
	uint32_t first_cut;		/* line number of the first one */

	struct archive *ar;		/* decompressing through libarchive (lz4) */
	struct kt_decomp *dc;		/* decompressing gzip, xz, zstd, bzip2 */
	char *dbuf;			/* dc's output block */
	const char *sp;			/* undecoded bytes not yet given to dc */
	size_t slen;
	bool src_done;			/* the source has no more bytes */
	bool stream_ended;		/* dc ended a stream with the last bytes */
	bool eof_after;			/* damage found: end after this block */
	const char *format;		/* "gzip", "xz" ... (static) */
	bool quiet;			/* record damage, do not report it */
	enum kt_problem_kind damage;	/* KT_PROBLEM_COUNT: none */
	char damage_msg[256];

	/* Current decoded block and the position in it. */
	const char *blk;
	size_t blk_len, blk_off;
	bool eof;

	/* Line being assembled across blocks. */
	char *line;
	size_t line_len;		/* bytes kept (<= KT_MAX_LINE) */
	uint64_t line_total;		/* bytes seen, kept or not */
	char line_last;			/* last byte seen */
	bool pending;
	uint32_t no;
};

/* Magic numbers: gzip RFC 1952 §2.3.1; xz file-format spec §2.1.1.1;
 * zstd RFC 8878 §3.1.1; bzip2 "BZh" + block size + block/end magic
 * (bzip2 source, compress.c); lz4 frame format spec (0x184D2204 LE). */
const char *
kt_input_sniff_compression(const void *head, size_t len)
{
	const unsigned char *b = head;

	if (len >= 3 && b[0] == 0x1f && b[1] == 0x8b && b[2] == 8)	/* CM = deflate */
		return "gzip";
	if (len >= 6 && memcmp(b, "\xfd" "7zXZ\0", 6) == 0)
		return "xz";
	if (len >= 4 && memcmp(b, "\x28\xb5\x2f\xfd", 4) == 0)
		return "zstd";
	if (len >= 4 && memcmp(b, "\x04\x22\x4d\x18", 4) == 0)
		return "lz4";
	if (len >= 10 && memcmp(b, "BZh", 3) == 0 && b[3] >= '1' && b[3] <= '9' &&
	    (memcmp(b + 4, "\x31\x41\x59\x26\x53\x59", 6) == 0 ||
	     memcmp(b + 4, "\x17\x72\x45\x38\x50\x90", 6) == 0))
		return "bzip2";
	return NULL;
}

/* Next chunk of undecoded bytes: 1 (chunk), 0 (end) or KT_EIO. */
static int
src_read(struct kt_input *in, const char **p, size_t *len)
{
	ssize_t n;

	if (in->reader) {
		int r;

		if (in->rbuf_len > 0) {		/* the chunk read while sniffing */
			*p = in->rbuf;
			*len = in->rbuf_len;
			in->rbuf_len = 0;
			return 1;
		}
		if (in->src_eof)
			return 0;
		r = in->reader(in->reader_ud, p, len);
		if (r == 1) {
			in->bytes += *len;
			return 1;
		}
		in->src_eof = true;
		if (r == KT_EFORMAT) {	/* damaged: like the end, reported by the reader */
			in->src_damaged = true;
			return 0;
		}
		if (r < 0)
			in->io_error = true;
		return r;
	}
	if (in->fd < 0) {
		if (in->mem_off >= in->mem_len) {
			in->src_eof = true;
			return 0;
		}
		*p = in->mem + in->mem_off;
		*len = in->mem_len - in->mem_off;
		in->mem_off = in->mem_len;
		in->bytes += *len;
		return 1;
	}
	if (in->rbuf_len > 0) {		/* bytes read ahead while sniffing */
		*p = in->rbuf;
		*len = in->rbuf_len;
		in->rbuf_len = 0;
		return 1;
	}
	if (in->src_eof)
		return 0;
	do
		n = read(in->fd, in->rbuf, in->rbuf_cap);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		in->io_error = true;
		return kt_error(in->ctx, KT_EIO, "reading '%s': %s", in->name, strerror(errno));
	}
	if (n == 0) {
		in->src_eof = true;
		return 0;
	}
	in->bytes += (uint64_t)n;
	*p = in->rbuf;
	*len = (size_t)n;
	return 1;
}

static la_ssize_t
archive_cb_read(struct archive *a, void *ud, const void **buf)
{
	struct kt_input *in = ud;
	const char *p = NULL;
	size_t len = 0;
	int r = src_read(in, &p, &len);

	if (r < 0) {
		archive_set_error(a, EIO, "%s", kt_ctx_errmsg(in->ctx));
		return -1;
	}
	if (r == 0)
		return 0;
	*buf = p;
	return (la_ssize_t)len;
}

/* The stream is damaged here: remember it and, unless quiet, report it. */
static void
set_damage(struct kt_input *in, enum kt_problem_kind kind, uint64_t at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
set_damage(struct kt_input *in, enum kt_problem_kind kind, uint64_t at, const char *fmt, ...)
{
	va_list ap;

	if (in->damage != KT_PROBLEM_COUNT)
		return;
	in->damage = kind;
	va_start(ap, fmt);
	(void)vsnprintf(in->damage_msg, sizeof(in->damage_msg), fmt, ap);
	va_end(ap);
	if (!in->quiet)
		kt_problem(in->ctx, NULL, kind, NULL, (int64_t)at, "%s",
			   in->damage_msg);
}

/* A broken compressed stream is malformed input, not an error: keep what
 * was decoded, warn, and stop. Only a failing source is an error. */
static int
archive_failed(struct kt_input *in)
{
	const char *msg = archive_error_string(in->ar);
	bool cut;

	if (in->io_error)
		return KT_EIO;
	in->eof = true;
	if (in->src_damaged)	/* the reader below said why */
		return 0;
	if (!msg)
		msg = "unknown error";
	/* Data that stops inside a stream is a cut file; anything else that
	 * fails to decode is damage. */
	cut = in->src_eof || strstr(msg, "runcat") || strstr(msg, "remature");
	set_damage(in, cut ? KT_PROBLEM_TRUNCATED : KT_PROBLEM_CORRUPT, in->decoded,
		   "%s stream %s after %llu decompressed bytes: %s",
		   in->format ? in->format : "compressed", cut ? "ends" : "is damaged",
		   (unsigned long long)in->decoded, msg);
	return 0;
}

static int start_archive(struct kt_input *in);

/* The source starts with a compression magic: decode it. */
static int
start_decoding(struct kt_input *in)
{
	in->dc = kt_decomp_new(in->format);
	if (!in->dc)
		return start_archive(in);
	in->dbuf = kt_malloc(DECODE_BLOCK);
	return 0;
}

static int
start_archive(struct kt_input *in)
{
	struct archive_entry *ent;
	int r;

	in->ar = archive_read_new();
	if (!in->ar)
		kt_oom(sizeof(void *));
	(void)archive_read_support_filter_all(in->ar);
	(void)archive_read_support_format_raw(in->ar);
	(void)archive_read_support_format_empty(in->ar);
	r = archive_read_open(in->ar, in, NULL, archive_cb_read, NULL);
	if (r == ARCHIVE_OK)
		r = archive_read_next_header(in->ar, &ent);
	if (r == ARCHIVE_EOF) {
		in->eof = true;
		return 0;
	}
	if (r < ARCHIVE_WARN)
		return archive_failed(in);
	return 0;
}

/* next_block() through a kt_decomp. */
static int
next_decoded(struct kt_input *in)
{
	for (;;) {
		const char *msg = NULL;
		size_t used, made = 0;
		int r;

		if (in->eof_after) {
			in->eof = true;
			return 0;
		}
		if (in->slen == 0 && !in->src_done) {
			r = src_read(in, &in->sp, &in->slen);
			if (r < 0)
				return r;
			if (r == 0)
				in->src_done = true;
			continue;
		}
		used = in->slen;
		r = kt_decomp_run(in->dc, in->sp, &used, in->dbuf, DECODE_BLOCK, &made, &msg);
		in->sp += used;
		in->slen -= used;
		if (r == 1)
			in->stream_ended = true;
		else if (r == 0 && (used || made))
			in->stream_ended = false;
		if (r < 0) {
			set_damage(in, KT_PROBLEM_CORRUPT, in->decoded + made,
				   "%s data is damaged after %llu decompressed bytes: %s",
				   in->format, (unsigned long long)(in->decoded + made), msg);
			in->eof_after = true;
		}
		if (made) {
			in->blk = in->dbuf;
			in->blk_len = made;
			in->decoded += made;
			return 1;
		}
		if (r < 0)
			continue;
		if (in->src_done && in->slen == 0) {
			in->eof = true;
			if (!in->stream_ended && !in->src_damaged && in->bytes > 0)
				set_damage(in, KT_PROBLEM_TRUNCATED, in->decoded,
					   "%s stream ends early, after %llu decompressed bytes",
					   in->format, (unsigned long long)in->decoded);
			return 0;
		}
		if (used == 0 && made == 0 && in->slen > 0) {	/* no progress: give up */
			set_damage(in, KT_PROBLEM_CORRUPT, in->decoded, "%s data cannot be decoded after "
				   "%llu bytes", in->format, (unsigned long long)in->decoded);
			in->eof = true;
			return 0;
		}
	}
}

/* Fill in->blk with the next decoded block: 1, 0 (end) or KT_EIO. */
static int
next_block(struct kt_input *in)
{
	const void *buf;
	size_t size;
	la_int64_t off;
	int r;

	in->blk_off = in->blk_len = 0;
	if (in->eof)
		return 0;
	if (in->max_bytes && in->decoded >= in->max_bytes) {
		in->eof = true;
		if (!in->quiet)
			kt_problem(in->ctx, NULL, KT_PROBLEM_LIMIT, NULL, (int64_t)in->decoded,
				   "stopped after %llu bytes (--max-bytes)",
				   (unsigned long long)in->decoded);
		return 0;
	}
	if (in->dc)
		return next_decoded(in);
	if (!in->ar) {
		r = src_read(in, &in->blk, &in->blk_len);
		if (r <= 0)
			in->eof = true;
		else
			in->decoded += in->blk_len;
		return r;
	}
	for (;;) {
		r = archive_read_data_block(in->ar, &buf, &size, &off);
		if (r == ARCHIVE_EOF) {
			in->eof = true;
			return 0;
		}
		if (r < ARCHIVE_WARN) {
			r = archive_failed(in);
			return r < 0 ? r : 0;
		}
		if (size > 0) {
			in->blk = buf;
			in->blk_len = size;
			in->decoded += size;
			return 1;
		}
	}
}

static struct kt_input *
input_new(struct kt_ctx *ctx, const char *name)
{
	struct kt_input *in = kt_calloc(1, sizeof(*in));

	in->ctx = ctx;
	in->name = kt_strdup(name);
	in->fd = -1;
	in->max_line = ctx && ctx->limits.max_line ? ctx->limits.max_line : KT_MAX_LINE;
	in->damage = KT_PROBLEM_COUNT;
	in->max_bytes = ctx ? ctx->limits.max_bytes : 0;
	return in;
}

/* Read until SNIFF_BYTES are buffered or the file ends (pipes and ttys may
 * return short reads). */
static int
fill_to(struct kt_input *in, size_t want)
{
	if (want > in->rbuf_cap)
		want = in->rbuf_cap;
	while (in->rbuf_len < want && !in->src_eof) {
		ssize_t n = read(in->fd, in->rbuf + in->rbuf_len, in->rbuf_cap - in->rbuf_len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return kt_error(in->ctx, KT_EIO, "reading '%s': %s", in->name,
					strerror(errno));
		if (n == 0) {
			in->src_eof = true;
			break;
		}
		in->rbuf_len += (size_t)n;
		in->bytes += (uint64_t)n;
	}
	return 0;
}

static int
fill_head(struct kt_input *in)
{
	return fill_to(in, SNIFF_BYTES);
}

static int open_fd(struct kt_input *in, const struct stat *st, bool plain);

int
kt_input_open(struct kt_ctx *ctx, const char *path, struct kt_input **ret)
{
	struct kt_input *in;
	struct stat st;
	int r;

	if (!path)
		return kt_error(ctx, KT_EINVAL, "no input path");
	in = input_new(ctx, path);
	in->rbuf_cap = READ_BLOCK;
	if (strcmp(path, "-") == 0) {
		in->fd = STDIN_FILENO;
	} else {
		in->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (in->fd < 0) {
			r = errno == ENOENT ? KT_ENOTFOUND : KT_EIO;
			r = kt_error(ctx, r, "opening '%s': %s", path, strerror(errno));
			goto fail;
		}
		in->close_fd = true;
		if (fstat(in->fd, &st) != 0)
			st.st_mode = 0;
		r = open_fd(in, &st, false);
		if (r < 0)
			goto fail;
		*ret = in;
		return 0;
	}
	/* page-aligned: the kernel's copy into it is faster (rep movsb) */
	if (posix_memalign((void **)&in->rbuf, 4096, in->rbuf_cap) != 0)
		kt_oom(in->rbuf_cap);
	r = fill_head(in);
	if (r < 0)
		goto fail;
	if ((in->format = kt_input_sniff_compression(in->rbuf, in->rbuf_len)) != NULL) {
		r = start_decoding(in);
		if (r < 0)
			goto fail;
	}
	*ret = in;
	return 0;
fail:
	kt_input_free(in);
	return r;
}

int
kt_input_open_fd(struct kt_ctx *ctx, const char *path, int fd, const struct stat *st,
		 bool plain, struct kt_input **ret)
{
	struct kt_input *in = input_new(ctx, path);
	int r;

	in->rbuf_cap = READ_BLOCK;
	in->fd = fd;
	in->close_fd = true;
	r = open_fd(in, st, plain);
	if (r < 0) {
		kt_input_free(in);
		return r;
	}
	*ret = in;
	return 0;
}

int
kt_input_raw_head(struct kt_input *in, size_t want, const char **p, size_t *len)
{
	int r;

	if (in->format || in->fd < 0 || in->decoded)
		return KT_EINVAL;
	r = fill_to(in, want);
	if (r < 0)
		return r;
	*p = in->rbuf;
	*len = in->rbuf_len < want ? in->rbuf_len : want;
	return 0;
}

/* The rest of opening file descriptor in->fd (stat'ed as *st): size the
 * read buffer, read the head, start decompressing. */
static int
open_fd(struct kt_input *in, const struct stat *st, bool plain)
{
	int r;

	{
		if (S_ISDIR(st->st_mode)) {
			return kt_error(in->ctx, KT_EIO, "opening '%s': is a directory", in->name);
		}
		/* Most logs are small: a buffer the size of the file (it may
		 * still grow: then it is read in more pieces) saves mapping
		 * and faulting in a megabyte per file. Readahead advice only
		 * matters for big ones. */
		if (S_ISREG(st->st_mode) && st->st_size >= 0 &&
		    (uint64_t)st->st_size < READ_BLOCK - 4096)
			in->rbuf_cap = ((size_t)st->st_size + 4096) & ~(size_t)4095;
		else
			(void)posix_fadvise(in->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	/* page-aligned: the kernel's copy into it is faster (rep movsb) */
	if (posix_memalign((void **)&in->rbuf, 4096, in->rbuf_cap) != 0)
		kt_oom(in->rbuf_cap);
	r = fill_head(in);
	if (r < 0)
		return r;
	if ((in->format = kt_input_sniff_compression(in->rbuf, in->rbuf_len)) != NULL) {
		if (plain)
			return KT_EFORMAT;
		r = start_decoding(in);
		if (r < 0)
			return r;
	}
	return 0;
}

int
kt_input_open_mem(struct kt_ctx *ctx, const char *name, const void *buf, size_t len,
		  struct kt_input **ret)
{
	struct kt_input *in;
	int r;

	if (!buf && len > 0)
		return kt_error(ctx, KT_EINVAL, "no buffer for '%s'", name ? name : "");
	in = input_new(ctx, name ? name : "<memory>");
	in->mem = buf;
	in->mem_len = len;
	if ((in->format = kt_input_sniff_compression(buf, len)) != NULL) {
		r = start_decoding(in);
		if (r < 0) {
			kt_input_free(in);
			return r;
		}
	}
	*ret = in;
	return 0;
}

int
kt_input_open_reader(struct kt_ctx *ctx, const char *name, kt_input_reader_fn fn, void *ud,
		     struct kt_input **ret)
{
	struct kt_input *in;
	const char *p;
	size_t len;
	int r;

	in = input_new(ctx, name ? name : "<stream>");
	in->reader = fn;
	in->reader_ud = ud;
	/* Sniff the first chunk: keep it as the first source block. */
	r = src_read(in, &p, &len);
	if (r < 0) {
		kt_input_free(in);
		return r;
	}
	if (r > 0) {
		in->rbuf_cap = len;
		in->rbuf = kt_malloc(len);
		memcpy(in->rbuf, p, len);
		in->rbuf_len = len;
	}
	if ((in->format = kt_input_sniff_compression(in->rbuf, in->rbuf_len)) != NULL) {
		r = start_decoding(in);
		if (r < 0) {
			kt_input_free(in);
			return r;
		}
	}
	*ret = in;
	return 0;
}

void
kt_input_free(struct kt_input *in)
{
	if (!in)
		return;
	if (in->cut_lines && !in->quiet)
		kt_problem(in->ctx, NULL, KT_PROBLEM_LIMIT, NULL, -1,
			   "%u line%s longer than %zu bytes cut (the first is line %u; "
			   "see --max-line)", in->cut_lines, in->cut_lines == 1 ? "" : "s",
			   in->max_line, in->first_cut);
	if (in->ar)
		(void)archive_read_free(in->ar);
	kt_decomp_free(in->dc);
	free(in->dbuf);
	if (in->close_fd)
		(void)close(in->fd);
	free(in->rbuf);
	free(in->line);
	free(in->name);
	free(in);
}

/* Hand out one line: drop one trailing '\r', cut at KT_MAX_LINE. `total`
 * counts every byte of the line, `kept` those available at p. */
static int
emit(struct kt_input *in, const char *p, size_t kept, uint64_t total, char last,
     struct kt_str *line, uint32_t *no, bool *truncated)
{
	if (total > 0 && last == '\r')
		total--;
	*truncated = total > in->max_line;
	*line = kt_str_make(p, kept < total ? kept : (size_t)total);
	if (line->len > in->max_line)
		line->len = in->max_line;
	if (in->no < UINT32_MAX)
		in->no++;
	*no = in->no;
	if (*truncated && in->cut_lines++ == 0)
		in->first_cut = in->no;
	return 1;
}

static void
append(struct kt_input *in, const char *s, size_t n)
{
	size_t room = in->max_line - in->line_len;

	if (!in->line)
		in->line = kt_malloc(in->max_line);
	if (n > 0) {
		memcpy(in->line + in->line_len, s, n < room ? n : room);
		in->line_len += n < room ? n : room;
		in->line_total += n;
		in->line_last = s[n - 1];
	}
	in->pending = true;
}

static int
emit_pending(struct kt_input *in, struct kt_str *line, uint32_t *no, bool *truncated)
{
	int r = emit(in, in->line, in->line_len, in->line_total, in->line_last, line, no,
		     truncated);

	in->pending = false;
	in->line_len = 0;
	in->line_total = 0;
	in->line_last = 0;
	return r;
}

int
kt_input_next(struct kt_input *in, struct kt_str *line, uint32_t *no, bool *truncated)
{
	for (;;) {
		if (in->blk_off < in->blk_len) {
			const char *s = in->blk + in->blk_off;
			size_t avail = in->blk_len - in->blk_off;
			const char *nl = memchr(s, '\n', avail);
			size_t n = nl ? (size_t)(nl - s) : avail;

			in->blk_off += n + (nl != NULL);
			if (nl && !in->pending)	/* the common case: no copy */
				return emit(in, s, n, n, n ? s[n - 1] : 0, line, no, truncated);
			append(in, s, n);
			if (nl)
				return emit_pending(in, line, no, truncated);
			continue;
		}
		if (in->eof) {
			if (in->pending)
				return emit_pending(in, line, no, truncated);
			return 0;
		}
		int r = next_block(in);
		if (r < 0)
			return r;
	}
}

bool
kt_input_peek(const struct kt_input *in, const char **p, size_t *len, uint64_t *ret_offset)
{
	if (in->pending || in->blk_off >= in->blk_len)
		return false;
	*p = in->blk + in->blk_off;
	*len = in->blk_len - in->blk_off;
	*ret_offset = in->decoded - *len;
	return true;
}

size_t
kt_input_max_line(const struct kt_input *in)
{
	return in->max_line;
}

void
kt_input_skip(struct kt_input *in, size_t nbytes, uint32_t lines)
{
	in->blk_off += nbytes;
	in->no = lines > UINT32_MAX - in->no ? UINT32_MAX : in->no + lines;
}

int
kt_input_read_block(struct kt_input *in, const char **p, size_t *len)
{
	int r;

	if (in->blk_off >= in->blk_len) {
		r = next_block(in);
		if (r <= 0)
			return r;
	}
	*p = in->blk + in->blk_off;
	*len = in->blk_len - in->blk_off;
	in->blk_off = in->blk_len;
	return 1;
}

const char *
kt_input_name(const struct kt_input *in)
{
	return in->name;
}

uint64_t
kt_input_bytes_read(const struct kt_input *in)
{
	return in->bytes;
}

bool
kt_input_compressed(const struct kt_input *in)
{
	return in->ar != NULL || in->dc != NULL;
}

void
kt_input_set_quiet(struct kt_input *in, bool quiet)
{
	in->quiet = quiet;
}

int
kt_input_damage(const struct kt_input *in, const char **msg, uint64_t *offset)
{
	if (in->damage == KT_PROBLEM_COUNT)
		return -1;
	if (msg)
		*msg = in->damage_msg;
	if (offset)
		*offset = in->decoded;
	return (int)in->damage;
}

const char *
kt_input_format(const struct kt_input *in)
{
	return in->format;
}
