/*
 * cli: `ktriage scan` — find every crash in huge logs fast and print one
 * line per crash (input, line number, timestamp, title), as text or JSON
 * Lines. The finding is done by src/scan/ (the same parser and titles as
 * `ktriage analyze`, without decoding and diagnosis).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include <ktriage/ktriage.h>

#include "commands.h"
#include "scan/scan.h"
#include "util.h"

/* Inputs bigger than this get a progress line on a terminal. */
#define PROGRESS_MIN_BYTES	((uint64_t)256 << 20)

struct run {
	bool jsonl;
	bool progress;		/* stderr is a terminal */
	uint64_t size;		/* size of the current PATH argument if a regular file */
	double t0;
	double last;
	bool progress_shown;
	size_t reports;
	size_t failed_units;
};

static const char usage_text[] =
	"Usage: ktriage scan [OPTIONS] PATH...\n"
	"\n"
	"Find every kernel or Xen crash in huge logs fast and print one line per crash:\n"
	"input, line number, kernel timestamp and title. It finds exactly the crashes\n"
	"'ktriage analyze' finds (same parser, same titles) but skips the text between\n"
	"them at several GB/s and does not decode or explain; run 'analyze' on what it finds.\n"
	"PATH is anything 'analyze' takes: a log file (compressed or not), '-', a crash\n"
	"folder, a status-report tarball or a directory.\n"
	"\n"
	"Options:\n"
	"  -f, --format FMT   text (default): FILE:LINE: [TIMESTAMP] TITLE\n"
	"                     jsonl: one JSON object per crash with the keys input, file,\n"
	"                     line, timestamp, wallclock, title, kind, type, corrupted\n"
	"  -j, --jobs N       threads for one plain log file (default: one per CPU); the\n"
	"                     file is cut into byte ranges at line starts and the output\n"
	"                     is the same as with -j 1; standard input, pipes and\n"
	"                     compressed logs are scanned on one thread\n"
	"      --engine NAME  keyword prefilter: auto (default), teddy, vectorscan, naive\n"
	"      --full         feed every line to the parser (no skipping; the reference)\n"
	"      --stats        print bytes, lines, candidates and speed on standard error\n"
	"      --no-progress  no progress line (shown on a terminal for inputs > 256 MiB)\n"
	"      --data DIR     read knowledge files from DIR instead of the built-in copy\n"
	"  -q, --quiet        no warnings on standard error\n"
	"  -h, --help         show this help\n"
	"\n"
	"Exit status:\n"
	"  0  no crash found\n"
	"  1  at least one crash found\n"
	"  2  usage error\n"
	"  3  an input could not be read (the others are still scanned)\n"
	"\n"
	"Examples:\n"
	"  ktriage scan /var/log/kern.log*\n"
	"  ktriage scan --format jsonl /srv/logs/ > crashes.jsonl\n";

static void
clear_progress(struct run *run)
{
	kt_cli_progress_clear(&run->progress_shown);
}

static void
on_progress(void *ud, const char *name, uint64_t bytes)
{
	struct run *run = ud;
	double t = kt_cli_now();

	if (!run->progress || run->size < PROGRESS_MIN_BYTES || t - run->last < 0.25)
		return;
	run->last = t;
	fprintf(stderr, "\r\033[Kscan: %s  %llu / %llu MB (%.0f%%)  %.0f MB/s", name,
		(unsigned long long)(bytes >> 20), (unsigned long long)(run->size >> 20),
		100.0 * (double)bytes / (double)run->size,
		(double)bytes / 1e6 / (t - run->t0 > 1e-9 ? t - run->t0 : 1e-9));
	run->progress_shown = true;
}

static void
on_report(void *ud, const char *unit, struct kt_report *r)
{
	struct run *run = ud;
	const char *file = r->source.file ? r->source.file : unit;

	clear_progress(run);
	run->reports++;
	if (run->jsonl) {
		json_t *o = json_object();
		json_object_set_new(o, "input", json_string(unit));
		json_object_set_new(o, "file", json_string(file));
		json_object_set_new(o, "line", json_integer(r->source.first_line));
		json_object_set_new(o, "timestamp",
				    r->source.timestamp >= 0 ? json_real(r->source.timestamp) : json_null());
		json_object_set_new(o, "wallclock",
				    r->source.wallclock ? json_string(r->source.wallclock) : json_null());
		json_object_set_new(o, "title", r->title ? json_string(r->title) : json_null());
		json_object_set_new(o, "kind", json_string(kt_kind_name(r->kind)));
		json_object_set_new(o, "type", r->type ? json_string(r->type) : json_null());
		json_object_set_new(o, "corrupted", json_boolean(r->corrupted));
		char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
		if (s)
			puts(s);
		free(s);
		json_decref(o);
	} else {
		printf("%s:%u: ", file, (unsigned)r->source.first_line);
		if (r->source.timestamp >= 0)
			printf("[%.6f] ", r->source.timestamp);
		else if (r->source.wallclock)
			printf("[%s] ", r->source.wallclock);
		printf("%s\n", r->title ? r->title : "(untitled)");
	}
	kt_report_free(r);
}

static void
on_unit_end(void *ud, const char *unit, int status)
{
	struct run *run = ud;

	(void)unit;
	if (status)
		run->failed_units++;
	fflush(stdout);
}

static void
print_stats(const struct kt_scanner *s, double secs)
{
	struct kt_scan_stats st;

	kt_scanner_stats(s, &st);
	fprintf(stderr,
		"scan: engine %s, %llu bytes, %llu lines, %llu candidate lines (%llu memo), %llu lines parsed, "
		"%llu crashes, %.3f s, %.0f MB/s\n",
		kt_kwset_engine_name(kt_scanner_engine(s)), (unsigned long long)st.bytes,
		(unsigned long long)st.lines, (unsigned long long)st.candidates, (unsigned long long)st.memo,
		(unsigned long long)st.fed, (unsigned long long)st.reports, secs,
		secs > 0 ? (double)st.bytes / 1e6 / secs : 0.0);
	if (st.joins || st.past_end)
		fprintf(stderr, "scan: %llu range joins, %llu bytes read again past range ends\n",
			(unsigned long long)st.joins, (unsigned long long)st.past_end);
}

int
kt_cli_scan(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "engine", required_argument, NULL, 'E' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "full", no_argument, NULL, 'F' },
		{ "stats", no_argument, NULL, 'S' },
		{ "no-progress", no_argument, NULL, 'P' },
		{ "data", required_argument, NULL, 'D' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct kt_scan_opts opts = { .engine = KT_KWSET_AUTO,
				     .jobs = ncpu > 0 ? (unsigned)ncpu : 1 };
	struct run run = { .progress = isatty(STDERR_FILENO) == 1 };
	struct kt_scan_cb cb = { NULL, on_report, on_unit_end, on_progress, &run };
	const char *data_dir = NULL;
	bool stats = false, quiet = false;
	struct kt_scanner *s = NULL;
	struct kt_ctx *ctx;
	int c, rc, warnings = 0, status = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:j:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "text") || !strcmp(optarg, "jsonl"))
				run.jsonl = !strcmp(optarg, "jsonl");
			else {
				fprintf(stderr, "ktriage scan: unknown format '%s' (text, jsonl)\n", optarg);
				return 2;
			}
			break;
		case 'E':
			opts.engine = kt_kwset_engine_from_name(optarg);
			if (opts.engine == KT_KWSET_ENGINE_COUNT) {
				fprintf(stderr, "ktriage scan: unknown engine '%s' "
					"(auto, teddy, vectorscan, naive)\n", optarg);
				return 2;
			}
			break;
		case 'j': {
			char *end;
			long j = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || j < 1 || j > 64) {
				fprintf(stderr, "ktriage scan: -j takes a number from 1 to 64\n");
				return 2;
			}
			opts.jobs = (unsigned)j;
			break;
		}
		case 'F': opts.full = true; break;
		case 'S': stats = true; break;
		case 'P': run.progress = false; break;
		case 'D': data_dir = optarg; break;
		case 'q': quiet = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default:
			fputs("Try 'ktriage scan --help'.\n", stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fputs("ktriage scan: no input (give a PATH, or '-' for standard input)\n"
		      "Try 'ktriage scan --help'.\n", stderr);
		return 2;
	}

	ctx = kt_ctx_new();
	if (!quiet)
		kt_ctx_set_diag(ctx, kt_cli_print_diag, &warnings);
	if (data_dir)
		kt_ctx_set_data_dir(ctx, data_dir);
	rc = kt_scanner_new(ctx, &opts, &s);
	if (rc) {
		fprintf(stderr, "ktriage scan: %s\n", kt_ctx_errmsg(ctx));
		kt_ctx_free(ctx);
		return 3;
	}
	double t0 = kt_cli_now();
	for (int i = optind; i < argc; i++) {
		struct stat st;

		run.size = stat(argv[i], &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
		run.t0 = run.last = kt_cli_now();
		rc = kt_scan_path(s, argv[i], &cb);
		clear_progress(&run);
		if (rc) {
			fprintf(stderr, "ktriage scan: %s\n", kt_ctx_errmsg(ctx));
			status = 3;
		}
	}
	if (stats)
		print_stats(s, kt_cli_now() - t0);
	kt_scanner_free(s);
	kt_ctx_free(ctx);
	if (status || run.failed_units)
		return 3;
	return run.reports ? 1 : 0;
}
