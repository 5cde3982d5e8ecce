/*
 * Test helper for the title tests: turn a multi-line string written in the
 * documented console formats into kt_lines ("[  12.345678] msg",
 * "[  12.3][ T123] msg", "[  12.3][   C1] msg", "(XEN) msg") and run them
 * through the parser (and optionally the sign stage).
 */
#ifndef KT_TEST_SIGN_FEED_H
#define KT_TEST_SIGN_FEED_H

#include <stdlib.h>
#include <string.h>

#include <ktriage/report.h>

#include "normalize/line.h"
#include "parse/parser.h"
#include "sign/sign.h"
#include "util/ctx.h"
#include "util/str.h"

#define FEED_MAX_REPORTS 16

struct feed_result {
	struct kt_report *r[FEED_MAX_REPORTS];
	size_t n;
};

static void
feed_split(struct kt_line *l, const char *p, size_t len)
{
	memset(l, 0, sizeof(*l));
	l->ts = -1;
	l->level = -1;
	l->caller_id = -1;
	l->raw = kt_str_make(p, len);
	size_t i = 0;
	if (len >= 6 && !memcmp(p, "(XEN) ", 6)) {
		l->xen = true;
		i = 6;
	}
	if (i < len && p[i] == '[') {
		char *end;
		double ts = strtod(p + i + 1, &end);
		if (end < p + len && *end == ']') {
			l->ts = ts;
			i = (size_t)(end - p) + 1;
			if (i + 2 < len && p[i] == '[') {
				size_t k = i + 1;
				while (k < len && p[k] == ' ')
					k++;
				if (k < len && (p[k] == 'T' || p[k] == 'C')) {
					l->caller = p[k] == 'T' ? KT_CALLER_TASK : KT_CALLER_CPU;
					l->caller_id = atoi(p + k + 1);
					while (k < len && p[k] != ']')
						k++;
					i = k + 1;
				}
			}
			if (i < len && p[i] == ' ')
				i++;
		}
	}
	l->fmt = l->ts >= 0 ? KT_FMT_DMESG : KT_FMT_PLAIN;
	l->text = kt_str_make(p + i, len - i);
}

static void
feed_take(struct kt_ctx *ctx, struct kt_parser *p, struct feed_result *res, bool sign)
{
	struct kt_report *r;
	while ((r = kt_parser_take(p))) {
		if (sign)
			(void)kt_sign_run(ctx, r);
		if (res->n < FEED_MAX_REPORTS)
			res->r[res->n++] = r;
		else
			kt_report_free(r);
	}
}

/* Parse (and sign) `text`; reports go to res (free with feed_free). */
static void
feed_text(struct kt_ctx *ctx, const char *text, bool sign, struct feed_result *res)
{
	struct kt_parser *p = kt_parser_new(ctx, "test.log");
	uint32_t no = 0;
	memset(res, 0, sizeof(*res));
	if (!p)
		return;
	for (const char *s = text; *s;) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		struct kt_line l;
		feed_split(&l, s, len);
		l.no = ++no;
		kt_parser_feed(p, &l);
		feed_take(ctx, p, res, sign);
		s += len + (nl ? 1 : 0);
	}
	kt_parser_end(p);
	feed_take(ctx, p, res, sign);
	kt_parser_free(p);
}

static void
feed_free(struct feed_result *res)
{
	for (size_t i = 0; i < res->n; i++)
		kt_report_free(res->r[i]);
	res->n = 0;
}

#endif
