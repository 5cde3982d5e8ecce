/*
 * input: streaming access to one log (a file, stdin or a memory buffer).
 * Consumes bytes, transparently decompressing gzip/xz/zstd/bzip2/lz4 through
 * libarchive; produces lines (views without '\n' and trailing '\r') or raw
 * blocks. Never reads a whole file into memory and bounds every line to
 * KT_MAX_LINE. It does not interpret the text (that is normalize/).
 */
#ifndef KT_INPUT_INPUT_H
#define KT_INPUT_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/str.h"

struct kt_ctx;
struct kt_input;

/*
 * Open `path` for reading; "-" is standard input. Compression is detected
 * by magic bytes (not by name). Returns 0, KT_ENOTFOUND (no such file) or
 * KT_EIO (message on ctx). Caller owns the result; free with kt_input_free().
 * `ctx` is borrowed and must outlive the input.
 */
int kt_input_open(struct kt_ctx *ctx, const char *path, struct kt_input **ret);

/*
 * Read from a memory buffer (decompressed if it starts with a compression
 * magic). `name` is copied; `buf` is borrowed and must stay valid until the
 * input is freed. Returns 0 or KT_EIO. Caller owns the result; free with
 * kt_input_free().
 */
int kt_input_open_mem(struct kt_ctx *ctx, const char *name, const void *buf, size_t len,
		      struct kt_input **ret);

/*
 * A source of bytes: returns 1 with the next chunk in *p, *len (borrowed,
 * valid until the next call), 0 at the end, KT_EFORMAT when the data is
 * damaged (the reader has reported the problem with kt_problem(); the input
 * then ends, keeping what came before), or another KT_E* (message on ctx).
 */
typedef int (*kt_input_reader_fn)(void *ud, const char **p, size_t *len);

/*
 * Read from `fn` (an archive member, standard input after a look at its
 * head ...), decompressed if it starts with a compression magic. `name` is
 * copied. Returns 0 or a KT_E* from the reader or the decompressor. Caller
 * owns the result; free with kt_input_free().
 */
int kt_input_open_reader(struct kt_ctx *ctx, const char *name, kt_input_reader_fn fn, void *ud,
			 struct kt_input **ret);

/*
 * Next line, without its '\n' and without one trailing '\r'. Returns 1 (a
 * line), 0 (end of input) or KT_EIO (message on ctx). Lines longer than
 * the context's max_line (default KT_MAX_LINE) are cut to that many bytes,
 * the rest is skipped and *truncated is set; kt_input_free() reports how
 * many were cut as a KT_PROBLEM_LIMIT problem. *no is the 1-based line number. The view may contain
 * NUL bytes and is borrowed; valid until the next call on `in`.
 * A corrupt or truncated compressed stream ends the input early: what was
 * decoded is returned, a KT_PROBLEM_TRUNCATED or KT_PROBLEM_CORRUPT problem
 * (with the decompressed offset) goes to kt_problem() and the input reports
 * EOF.
 */
int kt_input_next(struct kt_input *in, struct kt_str *line, uint32_t *no, bool *truncated);

/*
 * The bytes kt_input_next() has buffered after the line it handed out
 * last (the rest of the current block; lines are views into it until the
 * block ends), for a caller that searches ahead, and the offset of *p in
 * the (decompressed) input. False when there are none or a partial line
 * is being gathered. Borrowed, valid until the next call.
 */
bool kt_input_peek(const struct kt_input *in, const char **p, size_t *len, uint64_t *ret_offset);
/* Bytes kept per line (the context's max_line, or KT_MAX_LINE). */
size_t kt_input_max_line(const struct kt_input *in);
/*
 * Pass over the first `nbytes` bytes that kt_input_peek() shows: `lines`
 * whole lines, each ended by '\n' and none longer than kt_input_max_line()
 * (the caller checked), counted as if kt_input_next() had handed them out.
 */
void kt_input_skip(struct kt_input *in, size_t nbytes, uint32_t lines);
/*
 * Next raw block of (decompressed) bytes, for code that searches bytes
 * itself. Returns 1 (a block in *p, *len > 0), 0 (end) or KT_EIO. Borrowed;
 * valid until the next call. Do not mix with kt_input_next() on one input.
 */
int kt_input_read_block(struct kt_input *in, const char **p, size_t *len);

/*
 * Open file descriptor `fd` (stat'ed as *st; the input owns and closes it,
 * also on failure) as the input named `path`: kt_input_open() without its
 * open() and fstat(), for a caller that looked at the file already. With
 * `plain`, a compressed file is not decoded: KT_EFORMAT, no message.
 */
struct stat;
int kt_input_open_fd(struct kt_ctx *ctx, const char *path, int fd, const struct stat *st,
		     bool plain, struct kt_input **ret);
/*
 * The first min(want, file size) raw bytes of an uncompressed file input
 * that has not handed anything out yet (read now if need be), for a look
 * at what the file holds without reading it twice. *p is borrowed. Returns
 * 0, KT_EINVAL (compressed, memory or reader input; in use) or KT_EIO.
 */
int kt_input_raw_head(struct kt_input *in, size_t want, const char **p, size_t *len);
/* Name given at open ("-" for stdin). Borrowed; valid until `in` is freed. */
const char *kt_input_name(const struct kt_input *in);

/* Bytes consumed from the underlying file or buffer so far (compressed
 * bytes for a compressed file), for progress reporting. */
uint64_t kt_input_bytes_read(const struct kt_input *in);

/* True when the input is being decompressed. */
bool kt_input_compressed(const struct kt_input *in);

/* Quiet: damage of the stream is recorded (kt_input_damage) but not
 * reported with kt_problem(), for readers that report it themselves (an
 * archive over a compressed stream, a look at a file's head). Also mutes
 * the cut-lines report. */
void kt_input_set_quiet(struct kt_input *in, bool quiet);

/* The damage met so far: a KT_PROBLEM_* kind with *msg (borrowed) and
 * *offset (decompressed bytes handed out), or -1 when none. */
int kt_input_damage(const struct kt_input *in, const char **msg, uint64_t *offset);

/* Compression format ("gzip" ...) or NULL. Static string. */
const char *kt_input_format(const struct kt_input *in);

/* Close and free; NULL is a no-op. */
void kt_input_free(struct kt_input *in);

/*
 * Compression format of a buffer's first bytes: "gzip", "xz", "zstd",
 * "bzip2", "lz4", or NULL for none. Static string.
 */
const char *kt_input_sniff_compression(const void *head, size_t len);

#endif
