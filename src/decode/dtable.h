/*
 * decode: loader for the tab-separated knowledge tables in data/decode/
 * (format: data/decode/README.md). One loader for every table; the meaning
 * of the columns is up to the caller, which looks them up by header name.
 */
#ifndef KT_DECODE_DTABLE_H
#define KT_DECODE_DTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kt_ctx;

struct kt_dtable {
	char *text;		/* owned copy of the file; fields point into it */
	const char **head;	/* column names */
	size_t n_cols;
	const char **cells;	/* n_rows * n_cols fields, row-major */
	uint32_t *line;		/* file line of each row (for messages and tests) */
	size_t n_rows;
	const char *path;	/* "decode/taint.tsv" (static string from the caller) */
	/* Every cell parsed once as a number (kt_dtable_num) at load time, so
	 * per-register lookups do no string parsing: nums[i] is valid when
	 * num_ok[i]. Indexed like cells. */
	uint64_t *nums;
	bool *num_ok;
};

/* Parse `len` bytes of table text. Returns 0 or KT_EFORMAT (message on ctx:
 * "decode/x.tsv:12: 4 fields, header has 5"). Release with kt_dtable_deinit(). */
int kt_dtable_parse(struct kt_ctx *ctx, const char *path, const char *text, size_t len,
		    struct kt_dtable *ret);
/* Read data file PATH (relative to data/) and parse it. Returns 0,
 * KT_ENOTFOUND, KT_EIO or KT_EFORMAT. */
int kt_dtable_load(struct kt_ctx *ctx, const char *path, struct kt_dtable *ret);
/* Release a table; a zeroed table is a no-op. */
void kt_dtable_deinit(struct kt_dtable *t);

/* Index of column NAME, or -1. */
/* The number in a cell (parsed at load time); false if the cell is not a
 * number or out of range. */
bool kt_dtable_get_num(const struct kt_dtable *t, size_t row, int col, uint64_t *ret);

int kt_dtable_col(const struct kt_dtable *t, const char *name);
/* Field of row `row` in column `col` ("" when col < 0). Borrowed; valid until
 * the table is released. */
const char *kt_dtable_get(const struct kt_dtable *t, size_t row, int col);

/* Parse a whole field as a number: "0x1f" (hex) or "31" (decimal). */
bool kt_dtable_num(const char *s, uint64_t *ret);
/* Parse a "bits" field: "9" or "12-13" (inclusive, lo <= hi <= 63). */
bool kt_dtable_bits(const char *s, unsigned *ret_lo, unsigned *ret_hi);

#endif
