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
 * Next line, without its '\n' and without one trailing '\r'. Returns 1 (a
 * line), 0 (end of input) or KT_EIO (message on ctx). Lines longer than
 * KT_MAX_LINE are cut to KT_MAX_LINE bytes, the rest is skipped and
 * *truncated is set. *no is the 1-based line number. The view may contain
 * NUL bytes and is borrowed; valid until the next call on `in`.
 * A corrupt or truncated compressed stream ends the input early: what was
 * decoded is returned, a warning goes to kt_diag() and the input reports EOF.
 */
int kt_input_next(struct kt_input *in, struct kt_str *line, uint32_t *no, bool *truncated);

/*
 * Next raw block of (decompressed) bytes, for code that searches bytes
 * itself. Returns 1 (a block in *p, *len > 0), 0 (end) or KT_EIO. Borrowed;
 * valid until the next call. Do not mix with kt_input_next() on one input.
 */
int kt_input_read_block(struct kt_input *in, const char **p, size_t *len);

/* Name given at open ("-" for stdin). Borrowed; valid until `in` is freed. */
const char *kt_input_name(const struct kt_input *in);

/* Bytes consumed from the underlying file or buffer so far (compressed
 * bytes for a compressed file), for progress reporting. */
uint64_t kt_input_bytes_read(const struct kt_input *in);

/* True when the input is being decompressed. */
bool kt_input_compressed(const struct kt_input *in);

/* Close and free; NULL is a no-op. */
void kt_input_free(struct kt_input *in);

/*
 * Compression format of a buffer's first bytes: "gzip", "xz", "zstd",
 * "bzip2", "lz4", or NULL for none. Static string.
 */
const char *kt_input_sniff_compression(const void *head, size_t len);

#endif
