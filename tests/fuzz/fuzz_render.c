/*
 * fuzz: libFuzzer target for what the renderers write from untrusted text:
 * the data is read as a log (normalized, parsed, signed, as fuzz_parse
 * does) and every report is rendered as JSON and counted in a summary,
 * whose verdict and closing summary are rendered as JSON too; all of it must
 * be valid JSON (RFC 8259), whatever bytes the log holds. The data is also
 * an input name and a problem's member and message on the HTML page: the
 * page must have exactly the markup (<, >, ") of the page for a harmless
 * name, so nothing from the input can open a tag or end an attribute. The
 * same holds for the HTML verdict, with the data as the input name and as
 * every string of a report and its finding; the log's own summary gets
 * one too.
 */
#include <stdint.h>
#include <stdio.h>
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

/* A summary of one report whose title and finding strings are all `text`
 * (the finding's raise asks for host facts, so every part of the verdict
 * is there). */
static struct kt_summary *
verdict_summary(const char *text)
{
	struct kt_summary *s = kt_summary_new();
	struct kt_report *r = kt_report_new();
	struct kt_finding *f = kt_report_alloc(r, sizeof(*f));
	const char **list = kt_report_alloc(r, 2 * sizeof(char *));

	list[0] = list[1] = kt_report_strdup(r, text);
	r->title = list[0];
	snprintf(r->bucket, sizeof(r->bucket), "%s", "0123456789abcdef");
	r->source.timestamp = -1;
	f->rule = f->title = f->severity = f->confidence = list[0];
	f->remedy = list;
	f->n_remedy = 1;
	f->raise = list;
	f->n_raise = 2;
	f->raise_host_facts = true;
	r->findings = f;
	r->n_findings = 1;
	kt_summary_add(s, text, r);
	kt_summary_add(s, text, r);
	kt_report_free(r);
	return s;
}

static void
html_verdict(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct kt_summary *s, *ref_s;
	char *page, *ref;

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	/* "medium" is not high: the raise part is written for both */
	ref_s = verdict_summary("medium");
	ref = kt_summary_verdict_html(ref_s, "name");
	s = verdict_summary(text);
	page = kt_summary_verdict_html(s, text);
	/* a confidence that ranks high has no raise part: compare only then */
	if (!page || !ref || (strcmp(text, "high") && markup(page) != markup(ref)))
		abort();
	free(page);
	free(ref);
	kt_summary_free(s);
	kt_summary_free(ref_s);
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
	free(kt_summary_verdict_html(s, "fuzz"));
	kt_parser_free(p);
	kt_normalizer_free(n);
	kt_summary_free(s);
	html_problems(data, size);
	html_verdict(data, size);
	return 0;
}
