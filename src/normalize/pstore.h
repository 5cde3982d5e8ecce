/*
 * normalize/pstore: stitch pstore / EFI multi-part crash records.
 *
 * When the kernel dies, pstore saves the tail of the log in parts of the
 * backend's record size, each starting with a header line
 * "REASON#COUNT PartN" ("Oops#1 Part1", "Panic#2 Part3"; linux
 * fs/pstore/platform.c pstore_dump(), reasons from kmsg_dump_reason_str():
 * Panic, Oops, Emergency, Shutdown, Unknown). Part1 holds the NEWEST lines:
 * the dump walks the log backwards, so reading a record in log order means
 * the highest part first and Part1 last. /sys/fs/pstore shows one file per
 * part (dmesg-efi-*, dmesg-ramoops-*); a saved copy may hold several parts
 * in any order.
 *
 * Usage: kt_pstore_new(); feed every line of every part (one file after
 * another, any order) with kt_pstore_add_line() or whole buffers with
 * kt_pstore_add(); then kt_pstore_next() hands out the stitched log: lines
 * before the first header as they came, then each record (by COUNT, then
 * first appearance) with its parts from the highest number down to Part1,
 * the header lines dropped. Each line keeps the number it was fed with.
 * Memory is bounded (KT_PSTORE_MAX_BYTES; past it lines are dropped and
 * kt_pstore_truncated() says so).
 */
#ifndef KT_NORMALIZE_PSTORE_H
#define KT_NORMALIZE_PSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/str.h"

/* (pstore records are a few KiB to a few hundred KiB: linux
 * fs/pstore/ram.c record_size, efi-pstore variables of 1 KiB) */
#define KT_PSTORE_MAX_BYTES (16u << 20)
/* Parts kept; the lines of further parts join the last one. */
#define KT_PSTORE_MAX_PARTS 4096

struct kt_pstore;

/* Is `line` a pstore part header ("Oops#1 Part1")? The reason, count and
 * part number go to the ret_* pointers that are not NULL. */
bool kt_pstore_header(struct kt_str line, struct kt_str *ret_reason, uint64_t *ret_count,
		      uint64_t *ret_part);

/* Caller owns the result; free with kt_pstore_free() (NULL is a no-op). */
struct kt_pstore *kt_pstore_new(void);
void kt_pstore_free(struct kt_pstore *ps);

/* Feed one line (without '\n'; copied) numbered `no`. A header line starts
 * a new part; other lines belong to the part being fed. */
void kt_pstore_add_line(struct kt_pstore *ps, struct kt_str line, uint32_t no);
/* Feed a whole buffer (one /sys/fs/pstore file, or a saved copy of several
 * parts): split at '\n', lines numbered from 1 within the buffer. */
void kt_pstore_add(struct kt_pstore *ps, const char *buf, size_t len);

/* The next line of the stitched log (see above), or false at the end. The
 * view is borrowed from `ps` (valid until kt_pstore_free()). Once the first
 * line was taken, no more lines may be fed. */
bool kt_pstore_next(struct kt_pstore *ps, struct kt_str *ret_line, uint32_t *ret_no);

/* Number of multi-part records seen, and whether any of them lacks a part
 * between its highest and Part1 (a gap in the stitched text). */
size_t kt_pstore_records(const struct kt_pstore *ps);
bool kt_pstore_gaps(const struct kt_pstore *ps);
/* True when KT_PSTORE_MAX_BYTES was reached and lines were dropped. */
bool kt_pstore_truncated(const struct kt_pstore *ps);

#endif
