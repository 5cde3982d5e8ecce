/*
 * Developer tool (not a test): normalize -> parser (report cutting) ->
 * kt_fields_extract() over whole files, one line per report with its frame
 * count, the way the pipeline will run until `ktriage analyze` is wired.
 * Usage: fields-pipe-dev FILE...   (exit status 1 if a file gave a report
 * without frames or no report at all)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktriage/error.h>
#include <ktriage/report.h>

#include "normalize/normalize.h"
#include "util/arena.h"
#include "parse/parser.h"

static int
one(struct kt_ctx *ctx, const char *path)
{
	FILE *f = fopen(path, "r");
	struct kt_normalizer *n = kt_normalizer_new();
	struct kt_parser *p = kt_parser_new(ctx, path);
	struct kt_report *r;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len;
	uint32_t no = 0;
	int reports = 0, bad = 0;

	if (!f || !p) {
		fprintf(stderr, "%s: cannot open or no parser\n", path);
		return 1;
	}
	while ((len = getline(&buf, &cap, f)) >= 0) {
		struct kt_line line;

		while (len && (buf[len - 1] == '\n'))
			buf[--len] = 0;
		kt_normalize(n, kt_str_make(buf, (size_t)len), ++no, &line);
		kt_parser_feed(p, &line);
	}
	kt_parser_end(p);
	while ((r = kt_parser_take(p))) {
		reports++;
		bad += r->n_frames == 0;
		printf("%s: report %d kind=%s arch=%s frames=%zu ip=%s lines=%zu\n", path, reports,
		       kt_kind_name(r->kind), kt_arch_name(r->arch), r->n_frames,
		       r->ip.function ? r->ip.function : "-", r->n_lines);
		if (r->n_frames == 0 && getenv("FIELDS_DEV_DUMP"))
			for (size_t i = 0; i < r->n_lines; i++)
				printf("    | %s\n", r->lines[i]);
		kt_report_free(r);
	}
	if (!reports)
		printf("%s: no report\n", path);
	free(buf);
	fclose(f);
	kt_parser_free(p);
	kt_normalizer_free(n);
	return bad || !reports;
}

int
main(int argc, char **argv)
{
	struct kt_ctx *ctx = kt_ctx_new();
	int rc = 0;

	if (getenv("KT_ARENA_DEBUG"))
		kt_arena_set_debug(true);
	for (int i = 1; i < argc; i++)
		rc |= one(ctx, argv[i]);
	kt_ctx_free(ctx);
	return rc;
}
