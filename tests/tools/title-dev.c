/*
 * tests/tools/title-dev: development driver for the title helper. Reads
 * log files, splits lines, strips "[ ts]", "[ Tn]"/"[ Cn]" caller ids,
 * "<N>" levels, "(XEN) " and "** N printk messages dropped ** " crudely
 * into kt_lines (the real pipeline uses src/normalize/), runs the parser
 * and the sign stage and prints the JSON lines score-corpus expects:
 *   title-dev [analyze --format jsonl] FILE...
 * Not a test and not installed.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktriage/limits.h>

#include "normalize/line.h"
#include "parse/parser.h"
#include "sign/sign.h"
#include "util/ctx.h"
#include "util/mem.h"
#include "util/str.h"

static size_t
skip_ws(struct kt_str s, size_t i)
{
	while (i < s.len && s.p[i] == ' ')
		i++;
	return i;
}

/* "[  123.456789]" at i: returns the index after it (and after one
 * optional caller id), or i when absent. */
static size_t
strip_ts(struct kt_line *l, struct kt_str s, size_t i)
{
	if (i >= s.len || s.p[i] != '[')
		return i;
	size_t j = skip_ws(s, i + 1), d0 = j;
	while (j < s.len && (kt_is_digit(s.p[j]) || s.p[j] == '.'))
		j++;
	if (j == d0 || j >= s.len || s.p[j] != ']')
		return i;
	l->ts = strtod(s.p + d0, NULL);
	j++;
	/* caller id "[ T123]" / "[  C1]" */
	if (j < s.len && s.p[j] == '[') {
		size_t k = skip_ws(s, j + 1);
		if (k < s.len && (s.p[k] == 'T' || s.p[k] == 'C')) {
			char kind = s.p[k++];
			size_t d = k;
			while (k < s.len && kt_is_digit(s.p[k]))
				k++;
			if (k > d && k < s.len && s.p[k] == ']') {
				l->caller = kind == 'T' ? KT_CALLER_TASK : KT_CALLER_CPU;
				l->caller_id = atoi(s.p + d);
				j = k + 1;
			}
		}
	}
	if (j < s.len && s.p[j] == ' ')
		j++;
	return j;
}

static void
split(struct kt_line *l, struct kt_str raw)
{
	memset(l, 0, sizeof(*l));
	l->raw = raw;
	l->ts = -1;
	l->level = -1;
	l->caller_id = -1;
	size_t i = 0;
	if (raw.len > 6 && !memcmp(raw.p, "(XEN) ", 6)) {
		l->xen = true;
		i = 6;
	}
	if (i + 2 < raw.len && !memcmp(raw.p + i, "** ", 3)) {
		long e = kt_str_find(kt_str_skip(raw, i + 3), " **");
		if (e >= 0 && kt_str_find(kt_str_sub(raw, i, (size_t)e + 6), "dropped") >= 0)
			i = skip_ws(raw, i + 3 + (size_t)e + 3);
	}
	/* "syzkaller login: [  12.3] msg": console text glued before the prefix */
	long lg = kt_str_find(kt_str_sub(raw, i, 80), "login: [");
	if (lg >= 0)
		i += (size_t)lg + 7;
	if (i + 2 < raw.len && raw.p[i] == '<' && kt_is_digit(raw.p[i + 1]) && raw.p[i + 2] == '>')
		i += 3;
	i = strip_ts(l, raw, i);
	l->fmt = l->ts >= 0 ? KT_FMT_DMESG : KT_FMT_PLAIN;
	/* XenServer dom0.log: "[ts]  ALERT: msg" */
	static const char *const levels[] = { "EMERG: ", "ALERT: ", "CRIT: ", "ERR: ",
					       "WARN: ", "NOTICE: ", "INFO: ", "DEBUG: " };
	if (l->ts >= 0 && i < raw.len && raw.p[i] == ' ') {
		size_t k = skip_ws(raw, i);
		for (size_t n = 0; n < sizeof(levels) / sizeof(levels[0]); n++)
			if (kt_str_starts_with(kt_str_skip(raw, k), levels[n])) {
				i = k + strlen(levels[n]);
				break;
			}
	}
	l->text = kt_str_skip(raw, i);
	if (l->text.len > KT_MAX_LINE) {
		l->text.len = KT_MAX_LINE;
		l->truncated = true;
	}
}

static json_t *
report_json(struct kt_report *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "title", r->title ? json_string(r->title) : json_null());
	json_t *alts = json_array();
	for (size_t i = 0; i < r->n_alt_titles; i++)
		json_array_append_new(alts, json_string(r->alt_titles[i]));
	json_object_set_new(o, "alt_titles", alts);
	json_object_set_new(o, "type", r->type ? json_string(r->type) : json_null());
	json_object_set_new(o, "frame", r->frame ? json_string(r->frame) : json_null());
	json_object_set_new(o, "corrupted", json_boolean(r->corrupted));
	if (r->corrupted_reason)
		json_object_set_new(o, "corrupted_reason", json_string(r->corrupted_reason));
	json_object_set_new(o, "kind", json_string(kt_kind_name(r->kind)));
	json_object_set_new(o, "bucket", json_string(r->bucket));
	json_object_set_new(o, "first_line", json_integer(r->source.first_line));
	json_object_set_new(o, "last_line", json_integer(r->source.last_line));
	return o;
}

static void
drain(struct kt_ctx *ctx, struct kt_parser *p, json_t *reps)
{
	struct kt_report *r;
	while ((r = kt_parser_take(p))) {
		if (kt_sign_run(ctx, r))
			fprintf(stderr, "title-dev: %s\n", kt_ctx_errmsg(ctx));
		json_array_append_new(reps, report_json(r));
		kt_report_free(r);
	}
}

static int
run_file(struct kt_ctx *ctx, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 1;
	}
	struct kt_parser *p = kt_parser_new(ctx, path);
	if (!p) {
		fprintf(stderr, "title-dev: %s\n", kt_ctx_errmsg(ctx));
		fclose(f);
		return 1;
	}
	json_t *reps = json_array();
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	uint32_t no = 0;
	while ((n = getline(&buf, &cap, f)) >= 0) {
		size_t len = (size_t)n;
		while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			len--;
		struct kt_line l;
		split(&l, kt_str_make(buf, len));
		l.no = ++no;
		kt_parser_feed(p, &l);
		drain(ctx, p, reps);
	}
	kt_parser_end(p);
	drain(ctx, p, reps);
	free(buf);
	fclose(f);
	kt_parser_free(p);
	json_t *o = json_object();
	json_object_set_new(o, "input", json_string(path));
	json_object_set_new(o, "reports", reps);
	char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	puts(s);
	free(s);
	json_decref(o);
	return 0;
}

int
main(int argc, char **argv)
{
	struct kt_ctx *ctx = kt_ctx_new();
	int rc = 0, i = 1;
	if (i < argc && !strcmp(argv[i], "analyze"))
		i++;
	if (i + 1 < argc && !strcmp(argv[i], "--format"))
		i += 2;
	for (; i < argc; i++)
		rc |= run_file(ctx, argv[i]);
	kt_ctx_free(ctx);
	return rc;
}
