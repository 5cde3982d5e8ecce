/*
 * input: streaming decompressors for single compressed streams (gzip, xz,
 * zstd, bzip2), used instead of libarchive's filters because they hand out
 * every byte that decodes before damage: libarchive's filters drop the last
 * partly filled output block of a truncated stream. Concatenated streams
 * (pigz, pbzip2, multi-frame zstd, xz --concatenated) are read through.
 */
#ifndef KT_INPUT_DECOMP_H
#define KT_INPUT_DECOMP_H

#include <stdbool.h>
#include <stddef.h>

struct kt_decomp;

/* A decoder for `format` ("gzip", "xz", "zstd", "bzip2"), or NULL when that
 * format is not handled here. Free with kt_decomp_free(). */
struct kt_decomp *kt_decomp_new(const char *format);
void kt_decomp_free(struct kt_decomp *d);

/*
 * Decode from in[0..*in_len) into out[0..out_cap). On return *in_len is the
 * number of input bytes consumed and *out_len the bytes produced. Returns
 * 0 (more input welcome), 1 (a stream ended exactly at the end of what was
 * consumed: the data may end here) or -1 (damaged data: *msg says why;
 * what was produced before the damage is in out).
 */
int kt_decomp_run(struct kt_decomp *d, const void *in, size_t *in_len, void *out,
		  size_t out_cap, size_t *out_len, const char **msg);

#endif
