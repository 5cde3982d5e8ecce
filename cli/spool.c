/*
 * cli: the spool of cli/spool.h. The file is made on first need in
 * $TMPDIR (or /tmp) with O_TMPFILE, so it has no name and disappears
 * with the process however it ends; a file system without O_TMPFILE gets
 * mkostemp() and an immediate unlink(). A write that fails (no space, a
 * file size limit) leaves the bytes in memory and says why: the caller
 * then writes them out itself, so nothing is lost.
 */
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DRAIN_CHUNK (64u << 10)	/* bytes read back from the file at a time */

/* Out of memory: as the rest of the CLI (STYLE.md, errors). */
static void
oom(void)
{
	fputs("ktriage: out of memory\n", stderr);
	exit(3);
}

void
kt_spool_init(struct kt_spool *s, size_t mem_cap)
{
	*s = (struct kt_spool){ .mem_cap = mem_cap, .fd = -1 };
}

void
kt_spool_deinit(struct kt_spool *s)
{
	if (s->fd >= 0)
		(void)close(s->fd);
	free(s->p);
	free(s->where);
	*s = (struct kt_spool){ .fd = -1 };
}

/* Make the file. Returns 0 or an errno value. */
static int
spool_open(struct kt_spool *s)
{
	const char *dir = getenv("TMPDIR");
	char *path = NULL;
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	if (!s->where && !(s->where = strdup(dir)))
		oom();
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
		if (asprintf(&path, "%s/ktriage-spool-XXXXXX", dir) < 0)
			oom();
		fd = mkostemp(path, O_CLOEXEC);
		if (fd >= 0)
			(void)unlink(path);
		free(path);
	}
	if (fd < 0)
		return errno ? errno : EIO;
	s->fd = fd;
	return 0;
}

/* Move the bytes in memory to the end of the file. On failure they stay
 * in memory (a part written before the failure is past `spilled`, so it
 * does not count). */
static int
spool_spill(struct kt_spool *s)
{
	size_t done = 0;

	if (s->fd < 0) {
		int e = spool_open(s);

		if (e)
			return e;
	}
	while (done < s->len) {
		ssize_t n = pwrite(s->fd, s->p + done, s->len - done, (off_t)(s->spilled + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		done += (size_t)n;
	}
	s->spilled += s->len;
	s->len = 0;
	return 0;
}

int
kt_spool_add(struct kt_spool *s, const char *p, size_t n)
{
	int e = 0;

	if (!n)
		return 0;
	/* what is held goes to the file first, so memory stays near mem_cap */
	if (s->len && s->len + n > s->mem_cap)
		e = spool_spill(s);
	if (s->len + n > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		char *v;

		while (cap < s->len + n)
			cap *= 2;
		v = realloc(s->p, cap);
		if (!v)
			oom();
		s->p = v;
		s->cap = cap;
	}
	memcpy(s->p + s->len, p, n);
	s->len += n;
	if (!e && s->len > s->mem_cap)	/* one piece bigger than mem_cap */
		e = spool_spill(s);
	return e;
}

int
kt_spool_drain(struct kt_spool *s, void (*fn)(void *ud, const char *p, size_t n), void *ud,
	       uint64_t *ret_lost)
{
	uint64_t off = 0;
	char *buf = s->spilled ? malloc(DRAIN_CHUNK) : NULL;
	int e = 0;

	if (s->spilled && !buf)
		oom();

	while (!e && off < s->spilled) {
		size_t want = s->spilled - off < DRAIN_CHUNK ? (size_t)(s->spilled - off)
							     : DRAIN_CHUNK;
		ssize_t n = pread(s->fd, buf, want, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? errno : EIO;	/* 0: the file is shorter than written */
			break;
		}
		fn(ud, buf, (size_t)n);
		off += (size_t)n;
	}
	free(buf);
	if (e)
		*ret_lost = s->spilled - off;
	if (s->len)
		fn(ud, s->p, s->len);
	if (s->spilled)
		(void)ftruncate(s->fd, 0);	/* give the space back now */
	s->spilled = 0;
	s->len = 0;
	return e;
}
