/*
 * fuzz: libFuzzer target for the report parser and the sign stage. The data
 * is read as a log, every line normalized and fed to kt_parser; every report
 * is signed. Checks the invariants later stages rely on: bounded report
 * size, lines and line numbers in step, a title of at most 120 bytes, a
 * 16-digit bucket for titled reports.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ktriage/error.h>
#include <ktriage/limits.h>
#include <ktriage/report.h>

#include "input/input.h"
#include "normalize/normalize.h"
#include "parse/parser.h"
#include "sign/sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(struct kt_ctx *ctx, struct kt_report *r)
{
	if (r->n_lines > KT_MAX_REPORT_LINES || !r->header || (r->n_lines && !r->line_nos))
		abort();
	for (size_t i = 0; i < r->n_lines; i++)
		if (!r->lines[i] || strlen(r->lines[i]) > KT_MAX_LINE)
			abort();
	if (kt_sign_run(ctx, r) != 0)
		abort();
	if (r->title && (strlen(r->title) > 120 || strlen(r->bucket) != 16))
		abort();
	kt_report_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* One context for the whole run: the sign tables compile once. */
	static struct kt_ctx *ctx;
	struct kt_normalizer *n;
	struct kt_parser *p;
	struct kt_input *in;
	struct kt_report *r;
	struct kt_str line;
	struct kt_line out;
	uint32_t no;
	bool trunc;

	if (!ctx)
		ctx = kt_ctx_new();
	n = kt_normalizer_new();
	p = kt_parser_new(ctx, "fuzz");
	if (!p)
		abort();
	if (kt_input_open_mem(ctx, "fuzz", data, size, &in) == 0) {
		while (kt_input_next(in, &line, &no, &trunc) == 1) {
			kt_normalize(n, line, no, &out);
			kt_parser_feed(p, &out);
			while ((r = kt_parser_take(p)))
				check(ctx, r);
		}
		kt_input_free(in);
	}
	kt_parser_end(p);
	while ((r = kt_parser_take(p)))
		check(ctx, r);
	if (!kt_parser_idle(p))
		abort();
	kt_parser_free(p);
	kt_normalizer_free(n);
	return 0;
}
