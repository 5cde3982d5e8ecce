/*
 * fuzz: libFuzzer target for what the renderers write from untrusted text:
 * the data is read as a log (normalized, parsed, signed, as fuzz_parse
 * does) and every report is rendered as JSON and counted in a summary,
 * whose verdict and closing summary are rendered as JSON too; all of it must
 * be valid JSON (RFC 8259), whatever bytes the log holds. The data is also
 * an input name and a problem's member and message on the HTML page: the
 * page must have exactly the markup (<, >, ") of the page for a harmless
 * name, so nothing from the input can open a tag or end an attribute.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <ktriage/analyze.h>
#include <ktriage/error.h>
#include <ktriage/summary.h>

#include "input/input.h"
#include "normalize/normalize.h"
#include "parse/parser.h"
#include "sign/sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
valid_json(char *text)
{
	json_t *j;

	if (!text)
		abort();
	j = json_loads(text, 0, NULL);
	if (!j)
		abort();
	json_decref(j);
	free(text);
}

static void
take(struct kt_ctx *ctx, struct kt_summary *s, struct kt_report *r)
{
	if (kt_sign_run(ctx, r) != 0)
		abort();
	valid_json(kt_render_json(r, 0));
	kt_summary_add(s, "fuzz", r);
	kt_report_free(r);
}

/* How many of the characters that make markup the text holds. */
static size_t
markup(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '<' || *s == '>' || *s == '"';
	return n;
}

static void
html_problems(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct kt_problem p = { KT_PROBLEM_CORRUPT, "member", 7, "message", 0 };
	char *page, *ref;

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	ref = kt_render_html_problems("name", &p, 1);
	p.member = p.message = text;
	page = kt_render_html_problems(text, &p, 1);
	if (!page || !ref || markup(page) != markup(ref))
		abort();
	free(page);
	free(ref);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* One context for the whole run: the sign tables compile once. */
	static struct kt_ctx *ctx;
	struct kt_summary *s = kt_summary_new();
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
				take(ctx, s, r);
		}
		kt_input_free(in);
	}
	kt_parser_end(p);
	while ((r = kt_parser_take(p)))
		take(ctx, s, r);
	kt_summary_input(s, "fuzz", true, NULL);
	valid_json(kt_summary_verdict_json(s, "fuzz", 2));
	valid_json(kt_summary_closing_json(s, 0));
	kt_parser_free(p);
	kt_normalizer_free(n);
	kt_summary_free(s);
	html_problems(data, size);
	return 0;
}
