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
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ktriage/limits.h>

#include "util/ctx.h"
#include "util/mem.h"

/* Size of one read() from a file. */
#define READ_BLOCK	(1u << 20)
/* Bytes needed to recognise every compression magic we know. */
#define SNIFF_BYTES	16

struct kt_input {
	struct kt_ctx *ctx;
	char *name;

	/* Undecoded source: a file descriptor or a memory buffer. */
	int fd;				/* -1 for memory */
	bool close_fd;
	const char *mem;
	size_t mem_len, mem_off;
	char *rbuf;			/* read() buffer (files only) */
	size_t rbuf_cap;		/* READ_BLOCK, or less for a small file */
	size_t rbuf_len;		/* bytes in rbuf not yet handed out */
	bool src_eof;
	bool io_error;			/* the source failed (message on ctx) */
	uint64_t bytes;

	struct archive *ar;		/* non-NULL when decompressing */

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

	if (in->fd < 0) {
		if (in->mem_off >= in->mem_len)
			return 0;
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
	const char *p;
	size_t len;
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

/* A broken compressed stream is malformed input, not an error: keep what
 * was decoded, warn, and stop. Only a failing source is an error. */
static int
archive_failed(struct kt_input *in)
{
	if (in->io_error)
		return KT_EIO;
	kt_diag(in->ctx, KT_SEV_WARN, in->name, "decompression stopped: %s",
		archive_error_string(in->ar) ? archive_error_string(in->ar) : "unknown error");
	in->eof = true;
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
	if (!in->ar) {
		r = src_read(in, &in->blk, &in->blk_len);
		if (r <= 0)
			in->eof = true;
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
	return in;
}

/* Read until SNIFF_BYTES are buffered or the file ends (pipes and ttys may
 * return short reads). */
static int
fill_head(struct kt_input *in)
{
	while (in->rbuf_len < SNIFF_BYTES) {
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
		if (fstat(in->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			r = kt_error(ctx, KT_EIO, "opening '%s': is a directory", path);
			goto fail;
		}
		/* Most logs are small: a buffer the size of the file (it may
		 * still grow: then it is read in more pieces) saves mapping
		 * and faulting in a megabyte per file. Readahead advice only
		 * matters for big ones. */
		if (S_ISREG(st.st_mode) && st.st_size >= 0 &&
		    (uint64_t)st.st_size < READ_BLOCK - 4096)
			in->rbuf_cap = ((size_t)st.st_size + 4096) & ~(size_t)4095;
		else
			(void)posix_fadvise(in->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	/* page-aligned: the kernel's copy into it is faster (rep movsb) */
	if (posix_memalign((void **)&in->rbuf, 4096, in->rbuf_cap) != 0)
		kt_oom(in->rbuf_cap);
	r = fill_head(in);
	if (r < 0)
		goto fail;
	if (kt_input_sniff_compression(in->rbuf, in->rbuf_len)) {
		r = start_archive(in);
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
	if (kt_input_sniff_compression(buf, len)) {
		r = start_archive(in);
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
	if (in->ar)
		(void)archive_read_free(in->ar);
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
	*truncated = total > KT_MAX_LINE;
	*line = kt_str_make(p, kept < total ? kept : (size_t)total);
	if (line->len > KT_MAX_LINE)
		line->len = KT_MAX_LINE;
	if (in->no < UINT32_MAX)
		in->no++;
	*no = in->no;
	return 1;
}

static void
append(struct kt_input *in, const char *s, size_t n)
{
	size_t room = KT_MAX_LINE - in->line_len;

	if (!in->line)
		in->line = kt_malloc(KT_MAX_LINE);
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
	return in->ar != NULL;
}
