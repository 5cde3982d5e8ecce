/*
 * cli: a spool, the output of one input held back until it ends (so that
 * the input's verdict can lead it). The oldest bytes go to an unlinked
 * temporary file once more than a small amount is held, so memory stays
 * flat however many reports an input has.
 */
#ifndef KT_CLI_SPOOL_H
#define KT_CLI_SPOOL_H

#include <stddef.h>
#include <stdint.h>

struct kt_spool {
	char *p;		/* the newest bytes, in memory */
	size_t len, cap;
	size_t mem_cap;		/* more than this in memory: write it to the file */
	uint64_t spilled;	/* bytes in the file, the oldest ones */
	int fd;			/* the temporary file, -1 until needed */
	char *where;		/* its directory ($TMPDIR or /tmp), for messages */
};

/* An empty spool holding up to `mem_cap` bytes in memory. */
void kt_spool_init(struct kt_spool *s, size_t mem_cap);
/* Closes the file (the system removes it) and frees the memory. */
void kt_spool_deinit(struct kt_spool *s);

/* Add n bytes. Returns 0, or an errno value when the file could not be
 * made or written (the bytes are then all still held, in memory). */
int kt_spool_add(struct kt_spool *s, const char *p, size_t n);

/* Bytes held in all. */
static inline uint64_t
kt_spool_size(const struct kt_spool *s)
{
	return s->spilled + s->len;
}

/* Hand every byte held to `fn`, oldest first, in pieces, and empty the
 * spool (the file is truncated, kept for the next input). Returns 0, or an
 * errno value when the file could not be read back; *ret_lost is then the
 * number of bytes not handed over. */
int kt_spool_drain(struct kt_spool *s, void (*fn)(void *ud, const char *p, size_t n), void *ud,
		   uint64_t *ret_lost);

#endif
