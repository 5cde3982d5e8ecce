/*
 * cli: `ktriage analyze` — parse, title and explain every crash in the named
 * logs, crash folders and status reports. Text for people, JSON for
 * machines (one document, or JSON Lines with one line per input).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <ktriage/ktriage.h>

#include "commands.h"
#include "util.h"

enum format { FMT_TEXT, FMT_JSON, FMT_JSONL };

/* JSON output is streamed: each report is printed as soon as it is ready,
 * so memory does not grow with the number of crashes. */
struct run {
	enum format fmt;
	struct kt_render_opts ropts;
	size_t units;
	size_t unit_reports;
	size_t total_reports;
	size_t failed_units;
	bool quiet;
};

static const char usage_text[] =
	"Usage: ktriage analyze [OPTIONS] PATH...\n"
	"\n"
	"Find every kernel or Xen crash in each PATH, parse it into a structured report,\n"
	"title it (syzkaller conventions), decode it and explain it with the knowledge base.\n"
	"\n"
	"PATH is a log file (dmesg, kern.log/syslog, journalctl -k output, serial console,\n"
	"kdump vmcore-dmesg.txt; gzip/xz/zstd/bzip2 compressed or not), '-' for standard\n"
	"input, a XenServer crash folder (/var/crash/<timestamp>/ with xen.log and dom0.log),\n"
	"a status-report tarball, or a directory (walked recursively).\n"
	"\n"
	"Options:\n"
	"  -f, --format FMT      text (default), json (one document) or jsonl (one line per\n"
	"                        input: {\"input\": PATH, \"reports\": [...]})\n"
	"  -v, --verbose         text: all frames, all registers, parser notes\n"
	"      --color WHEN      auto (default: a terminal and no NO_COLOR), always, never\n"
	"      --host-facts FILE host facts for the rules: the JSON of 'ktriage net audit\n"
	"                        --format json' from the crashed host or pool\n"
	"      --rules DIR       add the rules in DIR to the built-in ones (repeatable)\n"
	"      --no-rules        skip the knowledge base\n"
	"      --vmlinux FILE    symbolize frames to file:line (with debug info)\n"
	"      --modules DIR     module .ko files with debug info, for [module] frames\n"
	"      --system-map FILE resolve bare addresses with a System.map\n"
	"      --data DIR        read knowledge files from DIR instead of the built-in copy\n"
	"  -q, --quiet           no warnings on standard error\n"
	"  -h, --help            show this help\n"
	"\n"
	"Exit status:\n"
	"  0  no crash found\n"
	"  1  at least one crash reported\n"
	"  2  usage error\n"
	"  3  an input could not be read (the others are still analysed)\n"
	"\n"
	"Examples:\n"
	"  ktriage analyze /var/crash/2015-06-01-10-11-12/\n"
	"  journalctl -k -b -1 | ktriage analyze -\n"
	"  ktriage analyze --format jsonl /srv/logs/ > crashes.jsonl\n";

static void
put_json_string(const char *s)
{
	json_t *j = json_string(s);
	char *enc = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : NULL;

	fputs(enc ? enc : "null", stdout);
	free(enc);
	json_decref(j);
}

static void
json_unit_open(struct run *run, const char *unit)
{
	if (run->fmt == FMT_JSON)
		fputs(run->units ? ",\n  {\"input\": " : "\n  {\"input\": ", stdout);
	else
		fputs("{\"input\":", stdout);
	put_json_string(unit);
	fputs(run->fmt == FMT_JSON ? ", \"reports\": [" : ",\"reports\":[", stdout);
}

static void
json_unit_close(struct run *run, int status, const char *msg)
{
	fputs("]", stdout);
	if (status) {
		fputs(run->fmt == FMT_JSON ? ", \"error\": " : ",\"error\":", stdout);
		put_json_string(msg);
	}
	fputs(run->fmt == FMT_JSON ? "}" : "}\n", stdout);
	run->units++;
}

static void
unit_begin(void *ud, const char *unit)
{
	struct run *run = ud;

	run->unit_reports = 0;
	if (run->fmt != FMT_TEXT)
		json_unit_open(run, unit);
}

static void
on_report(void *ud, const char *unit, struct kt_report *r)
{
	struct run *run = ud;
	char *s;

	run->unit_reports++;
	run->total_reports++;
	if (run->fmt == FMT_TEXT) {
		s = kt_render_text(r, &run->ropts);
		if (run->unit_reports == 1)
			printf("%s== %s ==\n\n", run->total_reports > 1 ? "\n" : "", unit);
		else
			printf("\n");
	} else {
		s = kt_render_json(r, run->fmt == FMT_JSON ? 2 : 0);
		if (run->unit_reports > 1)
			fputs(",", stdout);
	}
	if (s)
		fputs(s, stdout);
	free(s);
	kt_report_free(r);
}

static void
unit_end(void *ud, const char *unit, int status)
{
	struct run *run = ud;

	if (status)
		run->failed_units++;
	if (run->fmt == FMT_TEXT) {
		if (!run->unit_reports && !status)
			printf("%s: no crash found\n", unit);
	} else {
		json_unit_close(run, status, kt_strerror(status));
	}
	fflush(stdout);
}

int
kt_cli_analyze(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "color", required_argument, NULL, 'C' },
		{ "host-facts", required_argument, NULL, 'H' },
		{ "rules", required_argument, NULL, 'R' },
		{ "no-rules", no_argument, NULL, 'N' },
		{ "vmlinux", required_argument, NULL, 'V' },
		{ "modules", required_argument, NULL, 'M' },
		{ "system-map", required_argument, NULL, 'S' },
		{ "data", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	struct kt_analyze_opts opts = { 0 };
	const char *rule_dirs[17] = { 0 };
	size_t n_rule_dirs = 0;
	const char *color = "auto", *data_dir = NULL;
	struct run run = { .fmt = FMT_TEXT };
	struct kt_analyze_cb cb = { unit_begin, on_report, unit_end, &run };
	struct kt_analyzer *an = NULL;
	struct kt_ctx *ctx;
	int c, rc, warnings = 0, status = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:vqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "text"))
				run.fmt = FMT_TEXT;
			else if (!strcmp(optarg, "json"))
				run.fmt = FMT_JSON;
			else if (!strcmp(optarg, "jsonl"))
				run.fmt = FMT_JSONL;
			else {
				fprintf(stderr, "ktriage analyze: unknown format '%s' (text, json, jsonl)\n", optarg);
				return 2;
			}
			break;
		case 'v': run.ropts.verbose = true; break;
		case 'q': run.quiet = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		case 'C': color = optarg; break;
		case 'H': opts.host_facts = optarg; break;
		case 'R':
			if (n_rule_dirs + 1 >= sizeof(rule_dirs) / sizeof(rule_dirs[0])) {
				fprintf(stderr, "ktriage analyze: too many --rules\n");
				return 2;
			}
			rule_dirs[n_rule_dirs++] = optarg;
			break;
		case 'N': opts.no_diagnose = true; break;
		case 'V': opts.vmlinux = optarg; break;
		case 'M': opts.modules_dir = optarg; break;
		case 'S': opts.system_map = optarg; break;
		case 'D': data_dir = optarg; break;
		default:
			fputs("Try 'ktriage analyze --help'.\n", stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fputs("ktriage analyze: no input (give a PATH, or '-' for standard input)\n"
		      "Try 'ktriage analyze --help'.\n", stderr);
		return 2;
	}
	c = kt_cli_color(color, stdout);
	if (c < 0) {
		fprintf(stderr, "ktriage analyze: --color takes auto, always or never\n");
		return 2;
	}
	run.ropts.color = c == 1;
	opts.rule_dirs = rule_dirs;

	ctx = kt_ctx_new();
	if (!run.quiet)
		kt_ctx_set_diag(ctx, kt_cli_print_diag, &warnings);
	if (data_dir)
		kt_ctx_set_data_dir(ctx, data_dir);
	rc = kt_analyzer_new(ctx, &opts, &an);
	if (rc) {
		fprintf(stderr, "ktriage analyze: %s\n", kt_ctx_errmsg(ctx));
		kt_ctx_free(ctx);
		return 3;
	}
	if (run.fmt == FMT_JSON)
		printf("{\"ktriage\": \"%s\", \"inputs\": [", kt_version());
	for (int i = optind; i < argc; i++) {
		rc = kt_analyze_path(an, argv[i], &cb);
		if (rc) {
			fprintf(stderr, "ktriage analyze: %s\n", kt_ctx_errmsg(ctx));
			status = 3;
			if (run.fmt != FMT_TEXT) {
				json_unit_open(&run, argv[i]);
				json_unit_close(&run, rc, kt_ctx_errmsg(ctx));
			}
		}
	}
	if (run.fmt == FMT_JSON)
		fputs("\n]}\n", stdout);
	kt_analyzer_free(an);
	kt_ctx_free(ctx);
	if (status || run.failed_units)
		return 3;
	return run.total_reports ? 1 : 0;
}
