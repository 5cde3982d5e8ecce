/*
 * Test helper (parse): build a struct kt_report from literal text the way
 * the parser hands it to kt_fields_extract(): one entry of r->lines per
 * line, prefixes already stripped, line numbers 1..n.
 */
#ifndef KT_TEST_REPORT_HELPER_H
#define KT_TEST_REPORT_HELPER_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktriage/report.h>

/* Lines of `text` (split at '\n'), the first one becomes r->header. */
static inline struct kt_report *
report_from_text(const char *text)
{
	struct kt_report *r = kt_report_new();
	size_t n = 1, i = 0;
	const char *p, *e;

	for (p = text; *p; p++)
		n += *p == '\n';
	r->lines = kt_report_alloc(r, n * sizeof(*r->lines));
	r->line_nos = kt_report_alloc(r, n * sizeof(*r->line_nos));
	for (p = text; *p; p = *e ? e + 1 : e) {
		e = strchr(p, '\n');
		if (!e)
			e = p + strlen(p);
		r->lines[i] = kt_report_strndup(r, p, (size_t)(e - p));
		r->line_nos[i] = (uint32_t)i + 1;
		i++;
	}
	r->n_lines = i;
	r->header = i ? r->lines[0] : NULL;
	return r;
}

/* One-line report, extracted. */
static inline struct kt_report *
extract_text(const char *text)
{
	struct kt_report *r = report_from_text(text);

	kt_fields_extract(r);
	return r;
}

static inline const struct kt_reg *
find_reg(const struct kt_report *r, const char *name)
{
	for (size_t i = 0; i < r->n_regs; i++)
		if (strcmp(r->regs[i].name, name) == 0)
			return &r->regs[i];
	return NULL;
}

/* A test input file under the source tree (KT_SOURCE_ROOT), NUL-terminated;
 * free() it. Needs cmocka (fail_msg) included first. */
static inline char *
slurp(const char *rel)
{
	const char *root = getenv("KT_SOURCE_ROOT");
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", root ? root : ".", rel);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		fail_msg("short read %s", path);
	buf[n] = 0;
	fclose(f);
	return buf;
}

#endif
