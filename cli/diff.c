/*
 * cli: `ktriage diff A B` — are the crashes in A and B the same bug (the
 * same bucket, title or alternative title, guilty function), which frames
 * they share, and where they differ (kt_diff_render).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktriage/ktriage.h>

#include "commands.h"
#include "util.h"

static const char usage_text[] =
	"Usage: ktriage diff [OPTIONS] A B\n"
	"\n"
	"Compare a crash in A with a crash in B (logs, crash folders, '-' for one of\n"
	"them): are they the same bug -- the same bucket, the same title or a shared\n"
	"alternative title, or only the same guilty function -- which frames of their\n"
	"call traces they share, and where they differ (kernel, taint, modules, fault,\n"
	"context, findings ...). The first crash of each is compared unless told.\n"
	"\n"
	"Options:\n"
	"  -f, --format FMT   text (default) or json\n"
	"      --a-index N    compare A's Nth crash (1 = the first)\n"
	"      --b-index N    compare B's Nth crash\n"
	"      --data DIR     read knowledge files from DIR\n"
	"      --no-rules     skip the knowledge base\n"
	"  -h, --help         show this help\n"
	"\n"
	"Exit status (as diff(1)): 0 the same bug (same bucket or title), 1 not the\n"
	"same (or only maybe: the same guilty function), 2 usage error, 3 runtime\n"
	"error (an input cannot be read or holds no crash).\n"
	"\n"
	"Example:\n"
	"  ktriage diff /var/crash/2015-06-01-10-11-12/ host2-kern.log\n";

struct pick {
	size_t want, seen;
	struct kt_report *r;
};

static void
on_report(void *ud, const char *unit, struct kt_report *r)
{
	struct pick *p = ud;

	(void)unit;
	if (++p->seen == p->want && !p->r)
		p->r = r;
	else
		kt_report_free(r);
}

static int
load(struct kt_analyzer *an, struct kt_ctx *ctx, const char *path, struct pick *p)
{
	struct kt_analyze_cb cb = { NULL, on_report, NULL, p };
	int rc = kt_analyze_path(an, path, &cb);

	if (rc) {
		fprintf(stderr, "ktriage diff: %s\n", kt_ctx_errmsg(ctx));
		return 3;
	}
	if (!p->r) {
		if (p->seen)
			fprintf(stderr, "ktriage diff: %s has %zu crash%s, not %zu\n", path, p->seen,
				p->seen == 1 ? "" : "es", p->want);
		else
			fprintf(stderr, "ktriage diff: no crash found in %s\n", path);
		return 3;
	}
	if (p->seen > 1 && p->want == 1)
		fprintf(stderr, "ktriage diff: %s has %zu crashes; comparing the first "
			"(--a-index/--b-index pick another)\n", path, p->seen);
	return 0;
}

static bool
parse_index(const char *s, size_t *ret)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end || v < 1 || v > 1000000)
		return false;
	*ret = (size_t)v;
	return true;
}

int
kt_cli_diff(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "a-index", required_argument, NULL, 'a' },
		{ "b-index", required_argument, NULL, 'b' },
		{ "data", required_argument, NULL, 'D' },
		{ "no-rules", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kt_analyze_opts opts = { 0 };
	const char *rule_dirs[1] = { NULL };
	struct pick pa = { 1, 0, NULL }, pb = { 1, 0, NULL };
	bool json = false;
	const char *data_dir = NULL;
	struct kt_ctx *ctx;
	struct kt_analyzer *an = NULL;
	enum kt_same same;
	char *out;
	int c, status;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "json"))
				json = true;
			else if (strcmp(optarg, "text")) {
				fprintf(stderr, "ktriage diff: unknown format '%s' (text, json)\n", optarg);
				return 2;
			}
			break;
		case 'a':
		case 'b':
			if (!parse_index(optarg, c == 'a' ? &pa.want : &pb.want)) {
				fputs("ktriage diff: --a-index/--b-index take a number from 1\n", stderr);
				return 2;
			}
			break;
		case 'D': data_dir = optarg; break;
		case 'N': opts.no_diagnose = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default:
			fputs("Try 'ktriage diff --help'.\n", stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		fputs("ktriage diff: give two inputs, A and B\nTry 'ktriage diff --help'.\n", stderr);
		return 2;
	}
	if (!strcmp(argv[optind], "-") && !strcmp(argv[optind + 1], "-")) {
		fputs("ktriage diff: '-' (standard input) given twice\n", stderr);
		return 2;
	}
	opts.rule_dirs = rule_dirs;
	ctx = kt_ctx_new();
	kt_ctx_set_diag(ctx, kt_cli_print_diag, NULL);
	if (data_dir)
		kt_ctx_set_data_dir(ctx, data_dir);
	if (kt_analyzer_new(ctx, &opts, &an)) {
		fprintf(stderr, "ktriage diff: %s\n", kt_ctx_errmsg(ctx));
		kt_ctx_free(ctx);
		return 3;
	}
	status = load(an, ctx, argv[optind], &pa);
	if (!status)
		status = load(an, ctx, argv[optind + 1], &pb);
	if (!status) {
		out = kt_diff_render(pa.r, pb.r, json, &same);
		fputs(out ? out : "", stdout);
		if (json)
			putchar('\n');
		free(out);
		status = same == KT_SAME_BUCKET || same == KT_SAME_TITLE ? 0 : 1;
	}
	kt_report_free(pa.r);
	kt_report_free(pb.r);
	kt_analyzer_free(an);
	kt_ctx_free(ctx);
	return status;
}
