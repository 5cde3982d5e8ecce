/*
 * decode: the tab-separated table loader (see dtable.h). Tables are small
 * and trusted-ish (embedded, or a --data override), but a malformed one is
 * reported, never crashed on.
 */
#include "decode/dtable.h"

#include <stdlib.h>
#include <string.h>

#include <ktriage/error.h>

#include "util/data.h"
#include "util/mem.h"

/* Split `line` (NUL-terminated, no newline) at tabs into `out` (at most max
 * fields). Returns the number of fields found (may exceed max). */
static size_t
split_tabs(char *line, const char **out, size_t max)
{
	size_t n = 0;
	char *p = line;

	for (;;) {
		char *tab = strchr(p, '\t');

		if (n < max)
			out[n] = p;
		n++;
		if (!tab)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	return n;
}

static bool
skip_line(const char *line)
{
	while (*line == ' ' || *line == '\t' || *line == '\r')
		line++;
	return *line == '\0' || *line == '#';
}

static int
parse_header(struct kt_ctx *ctx, struct kt_dtable *t, char *line, uint32_t lno)
{
	size_t n = 1;

	for (const char *c = line; *c; c++)
		n += *c == '\t';
	t->head = kt_calloc(n, sizeof(*t->head));
	t->n_cols = split_tabs(line, t->head, n);
	for (size_t i = 0; i < t->n_cols; i++)
		if (t->head[i][0] == '\0')
			return kt_error(ctx, KT_EFORMAT, "%s:%u: empty column name", t->path,
					(unsigned)lno);
	return 0;
}

static int
add_row(struct kt_ctx *ctx, struct kt_dtable *t, char *line, uint32_t lno, size_t *cap)
{
	size_t n;

	if (t->n_rows == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		t->cells = kt_realloc(t->cells, *cap * t->n_cols * sizeof(*t->cells));
		t->line = kt_realloc(t->line, *cap * sizeof(*t->line));
	}
	n = split_tabs(line, &t->cells[t->n_rows * t->n_cols], t->n_cols);
	if (n != t->n_cols)
		return kt_error(ctx, KT_EFORMAT, "%s:%u: %zu fields, header has %zu", t->path,
				(unsigned)lno, n, t->n_cols);
	t->line[t->n_rows++] = lno;
	return 0;
}

int
kt_dtable_parse(struct kt_ctx *ctx, const char *path, const char *text, size_t len,
		struct kt_dtable *ret)
{
	struct kt_dtable t = { 0 };
	size_t cap = 0;
	uint32_t lno = 0;
	char *p;
	int rc = 0;

	t.path = path;
	t.text = kt_malloc(len + 1);
	memcpy(t.text, text, len);
	t.text[len] = '\0';
	if (strlen(t.text) != len) {
		kt_dtable_deinit(&t);
		return kt_error(ctx, KT_EFORMAT, "%s: contains a NUL byte", path);
	}
	for (p = t.text; p && *p && rc == 0;) {
		char *nl = strchr(p, '\n');
		char *line = p;
		size_t l;

		if (nl)
			*nl = '\0';
		p = nl ? nl + 1 : NULL;
		lno++;
		l = strlen(line);
		if (l && line[l - 1] == '\r')
			line[--l] = '\0';
		if (skip_line(line))
			continue;
		rc = t.head ? add_row(ctx, &t, line, lno, &cap) : parse_header(ctx, &t, line, lno);
	}
	if (rc == 0 && !t.head)
		rc = kt_error(ctx, KT_EFORMAT, "%s: no header row", path);
	if (rc) {
		kt_dtable_deinit(&t);
		return rc;
	}
	t.nums = kt_calloc(t.n_rows * t.n_cols + 1, sizeof(*t.nums));
	t.num_ok = kt_calloc(t.n_rows * t.n_cols + 1, sizeof(*t.num_ok));
	for (size_t i = 0; i < t.n_rows * t.n_cols; i++)
		t.num_ok[i] = kt_dtable_num(t.cells[i], &t.nums[i]);
	*ret = t;
	return 0;
}

bool
kt_dtable_get_num(const struct kt_dtable *t, size_t row, int col, uint64_t *ret)
{
	size_t i;

	if (col < 0 || (size_t)col >= t->n_cols || row >= t->n_rows || !t->num_ok)
		return false;
	i = row * t->n_cols + (size_t)col;
	if (!t->num_ok[i])
		return false;
	*ret = t->nums[i];
	return true;
}

int
kt_dtable_load(struct kt_ctx *ctx, const char *path, struct kt_dtable *ret)
{
	struct kt_data_blob blob;
	int rc = kt_data_read(ctx, path, &blob);

	if (rc)
		return rc;
	rc = kt_dtable_parse(ctx, path, blob.data, blob.len, ret);
	kt_data_blob_deinit(&blob);
	return rc;
}

void
kt_dtable_deinit(struct kt_dtable *t)
{
	free(t->text);
	free(t->head);
	free(t->cells);
	free(t->line);
	free(t->nums);
	free(t->num_ok);
	memset(t, 0, sizeof(*t));
}

int
kt_dtable_col(const struct kt_dtable *t, const char *name)
{
	for (size_t i = 0; i < t->n_cols; i++)
		if (strcmp(t->head[i], name) == 0)
			return (int)i;
	return -1;
}

const char *
kt_dtable_get(const struct kt_dtable *t, size_t row, int col)
{
	if (col < 0 || (size_t)col >= t->n_cols || row >= t->n_rows)
		return "";
	return t->cells[row * t->n_cols + (size_t)col];
}

bool
kt_dtable_num(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	v = strtoull(s, &end, 0);
	if (*end != '\0')
		return false;
	*ret = v;
	return true;
}

bool
kt_dtable_bits(const char *s, unsigned *ret_lo, unsigned *ret_hi)
{
	char *end;
	unsigned long lo, hi;

	if (!s || *s < '0' || *s > '9')
		return false;
	lo = strtoul(s, &end, 10);
	hi = lo;
	if (*end == '-') {
		if (end[1] < '0' || end[1] > '9')
			return false;
		hi = strtoul(end + 1, &end, 10);
	}
	if (*end != '\0' || lo > hi || hi > 63)
		return false;
	*ret_lo = (unsigned)lo;
	*ret_hi = (unsigned)hi;
	return true;
}
