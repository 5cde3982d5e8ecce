/*
 * normalize/pstore: multi-part pstore records put back in log order (see
 * pstore.h for the format and its source).
 */
#include "normalize/pstore.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

struct pline {
	char *text;
	size_t len;
	uint32_t no;
};

/* Bytes a kept line costs besides its text (its struct, allocator overhead). */
#define LINE_COST (sizeof(struct pline) + 32)

struct part {
	char *reason;		/* NULL: lines before any header */
	size_t reason_len;
	uint64_t count, part;
	size_t seq;		/* order of first appearance of its record */
	struct pline *lines;
	size_t n, cap;
};

struct kt_pstore {
	struct part *parts;
	size_t n, cap;
	size_t cur;		/* the part being fed; (size_t)-1: none yet */
	size_t bytes;
	bool truncated;
	/* reading */
	bool sorted;
	size_t rd_part, rd_line;
};

bool
kt_pstore_header(struct kt_str l, struct kt_str *ret_reason, uint64_t *ret_count,
		 uint64_t *ret_part)
{
	static const char *const reasons[] = { "Oops", "Panic", "Emergency", "Shutdown",
					       "Unknown", "Restart", "Halt", "Poweroff" };
	struct kt_str t;
	uint64_t count, part;
	size_t n;

	while (l.len && (l.p[l.len - 1] == ' ' || l.p[l.len - 1] == '\r'))
		l.len--;
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		size_t k = strlen(reasons[i]);

		if (l.len <= k || memcmp(l.p, reasons[i], k) != 0 || l.p[k] != '#')
			continue;
		t = kt_str_skip(l, k + 1);
		n = kt_parse_dec(t, &count);
		if (n == 0 || n > 10)
			return false;
		t = kt_str_skip(t, n);
		if (!kt_str_starts_with(t, " Part"))
			return false;
		t = kt_str_skip(t, 5);
		n = kt_parse_dec(t, &part);
		if (n == 0 || n != t.len || n > 10)
			return false;
		if (ret_reason)
			*ret_reason = kt_str_make(l.p, k);
		if (ret_count)
			*ret_count = count;
		if (ret_part)
			*ret_part = part;
		return true;
	}
	return false;
}

struct kt_pstore *
kt_pstore_new(void)
{
	struct kt_pstore *ps = kt_calloc(1, sizeof(*ps));

	ps->cur = (size_t)-1;
	return ps;
}

void
kt_pstore_free(struct kt_pstore *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < ps->n; i++) {
		for (size_t k = 0; k < ps->parts[i].n; k++)
			free(ps->parts[i].lines[k].text);
		free(ps->parts[i].lines);
		free(ps->parts[i].reason);
	}
	free(ps->parts);
	free(ps);
}

static size_t
new_part(struct kt_pstore *ps, struct kt_str reason, uint64_t count, uint64_t part)
{
	struct part *p;
	size_t seq = ps->n;

	/* a record's order is where its first part appeared */
	for (size_t i = 0; i < ps->n; i++)
		if (ps->parts[i].reason && ps->parts[i].count == count &&
		    ps->parts[i].reason_len == reason.len &&
		    memcmp(ps->parts[i].reason, reason.p, reason.len) == 0) {
			seq = ps->parts[i].seq;
			break;
		}
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? 2 * ps->cap : 8;
		ps->parts = kt_realloc(ps->parts, ps->cap * sizeof(*ps->parts));
	}
	p = &ps->parts[ps->n];
	memset(p, 0, sizeof(*p));
	if (reason.len) {
		p->reason = kt_strndup(reason.p, reason.len);
		p->reason_len = reason.len;
	}
	p->count = count;
	p->part = part;
	p->seq = seq;
	return ps->n++;
}

void
kt_pstore_add_line(struct kt_pstore *ps, struct kt_str l, uint32_t no)
{
	struct kt_str reason;
	uint64_t count, partno;
	struct part *p;

	if (ps->sorted)
		return;
	if (kt_pstore_header(l, &reason, &count, &partno)) {
		if (ps->n < KT_PSTORE_MAX_PARTS)
			ps->cur = new_part(ps, reason, count, partno);
		else
			ps->truncated = true;
		return;
	}
	if (ps->cur == (size_t)-1)
		ps->cur = new_part(ps, kt_str_make(NULL, 0), 0, 0);
	/* the cap counts what a line costs here, not only its text: a
	 * million empty lines must not cost more than the cap says */
	if (ps->bytes + l.len + LINE_COST > KT_PSTORE_MAX_BYTES) {
		ps->truncated = true;
		return;
	}
	ps->bytes += l.len + LINE_COST;
	p = &ps->parts[ps->cur];
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->lines = kt_realloc(p->lines, p->cap * sizeof(*p->lines));
	}
	p->lines[p->n].text = kt_strndup(l.p ? l.p : "", l.len);
	p->lines[p->n].len = l.len;
	p->lines[p->n].no = no;
	p->n++;
}

void
kt_pstore_add(struct kt_pstore *ps, const char *buf, size_t len)
{
	size_t start = 0;
	uint32_t no = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && buf[i] != '\n')
			continue;
		if (i == len && start == len)
			break;
		kt_pstore_add_line(ps, kt_str_make(buf + start, i - start), ++no);
		start = i + 1;
	}
	ps->cur = (size_t)-1;	/* the next buffer is another file */
}

/* Log order: headerless lines first, then by COUNT and first appearance,
 * parts from the highest number down; a duplicate part sorts after its
 * twin and is skipped when read. */
static int
cmp_part(const void *a, const void *b)
{
	const struct part *x = a, *y = b;

	if ((x->reason == NULL) != (y->reason == NULL))
		return x->reason ? 1 : -1;
	if (x->count != y->count)
		return x->count < y->count ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	if (x->part != y->part)
		return x->part > y->part ? -1 : 1;
	return 0;
}

static bool
same_record(const struct part *a, const struct part *b)
{
	return a->reason && b->reason && a->count == b->count && a->seq == b->seq;
}

bool
kt_pstore_next(struct kt_pstore *ps, struct kt_str *ret_line, uint32_t *ret_no)
{
	if (!ps->sorted) {
		/* qsort is not stable: seq and part decide, and equal keys
		 * (duplicate parts) are skipped anyway */
		qsort(ps->parts, ps->n, sizeof(*ps->parts), cmp_part);
		ps->sorted = true;
	}
	while (ps->rd_part < ps->n) {
		struct part *p = &ps->parts[ps->rd_part];

		if (ps->rd_part > 0 && same_record(p, p - 1) && p->part == p[-1].part) {
			ps->rd_part++;	/* the same part twice */
			continue;
		}
		if (ps->rd_line < p->n) {
			struct pline *l = &p->lines[ps->rd_line++];

			*ret_line = kt_str_make(l->text, l->len);
			*ret_no = l->no;
			return true;
		}
		ps->rd_part++;
		ps->rd_line = 0;
	}
	return false;
}

size_t
kt_pstore_records(const struct kt_pstore *ps)
{
	size_t n = 0;

	for (size_t i = 0; i < ps->n; i++) {
		bool seen = false;

		if (!ps->parts[i].reason)
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = ps->parts[k].reason && ps->parts[k].seq == ps->parts[i].seq;
		n += !seen;
	}
	return n;
}

bool
kt_pstore_gaps(const struct kt_pstore *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		const struct part *p = &ps->parts[i];
		uint64_t max = 0;
		size_t have = 0;

		if (!p->reason)
			continue;
		for (size_t k = 0; k < ps->n; k++)
			if (ps->parts[k].reason && ps->parts[k].seq == p->seq) {
				if (ps->parts[k].part > max)
					max = ps->parts[k].part;
				have++;
			}
		if (have < max)
			return true;
	}
	return false;
}

bool
kt_pstore_truncated(const struct kt_pstore *ps)
{
	return ps->truncated;
}
