/*
 * cli: `ktriage watch` — follow /dev/kmsg or a growing log and report each
 * crash once, as soon as it is complete: at its end marker, at the next
 * report, or when the log has been quiet for a while after it began. Each
 * report can be handed on: --exec CMD (the report's JSON on its standard
 * input) and --server URL (POST /api/v1/uploads of `ktriage serve`).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ktriage/ktriage.h>

#include "commands.h"
#include "util.h"

/* --db URL: reports go into the crash store when ktriage has one. */
#if defined(__has_include)
#if __has_include(<ktriage/store.h>)
#include <ktriage/store.h>
#define KT_WATCH_STORE 1
#endif
#endif

static const char usage_text[] =
	"Usage: ktriage watch [--follow FILE | --kmsg-path PATH] [OPTIONS]\n"
	"\n"
	"Follow the kernel log and report each crash once, as soon as it is complete:\n"
	"at its end marker (---[ end trace ... ]---), at the next report, or after a\n"
	"quiet period once it began. Default: /dev/kmsg from its newest message.\n"
	"\n"
	"Sources:\n"
	"      --follow FILE      a growing log (kern.log, a serial console capture):\n"
	"                         followed across rotation (a new file at FILE) and\n"
	"                         truncation, like tail -F\n"
	"      --kmsg-path PATH   /dev/kmsg (default), or a saved copy (one record a line)\n"
	"      --from-start       read what is already there first (kmsg: the whole ring)\n"
	"\n"
	"Output and hand-on:\n"
	"  -f, --format FMT       text (default) or jsonl (one report per line)\n"
	"      --exec CMD         run CMD (sh -c) for each report, its JSON on standard\n"
	"                         input; KTRIAGE_TITLE, KTRIAGE_BUCKET, KTRIAGE_SOURCE set\n"
	"      --server URL       upload each report to 'ktriage serve' (POST /api/v1/uploads)\n"
	"      --db URL           import each report into the crash store (when built with it)\n"
	"      --token-file FILE  the server's bearer token\n"
	"      --quiet-period S   seconds after a report began with no end seen: it is\n"
	"                         complete (default 5)\n"
	"      --count N          stop after N reports\n"
	"      --duration S       stop after S seconds\n"
	"      --host-facts FILE, --rules DIR, --no-rules, --data DIR   as for analyze\n"
	"  -q, --quiet            no notices on standard error (lost messages, rotation)\n"
	"  -h, --help             show this help\n"
	"\n"
	"On overrun (the kernel ring overwrote messages before they were read) watch\n"
	"says how many were lost. It stops on SIGINT or SIGTERM.\n"
	"\n"
	"Exit status: 0 no crash seen, 1 crashes reported, 2 usage error, 3 runtime\n"
	"error (the source cannot be read).\n"
	"\n"
	"Examples:\n"
	"  ktriage watch\n"
	"  ktriage watch --follow /var/log/kern.log --exec 'logger -t crash'\n"
	"  ktriage watch --server http://triage.example:8474 --token-file /etc/ktriage/token\n";

#define END_GRACE 0.5	/* seconds after an end marker for the panic line */

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static double
now_s(void)
{
	return kt_cli_now();
}

struct watch {
	bool jsonl, quiet;
	const char *exec_cmd;
	const char *source;		/* "kmsg" or "file" */
	const char *name;		/* what is followed */
	struct kt_http_opts http;
	struct kt_ctx *ctx;
	size_t reports;
#ifdef KT_WATCH_STORE
	struct kt_store *store;
#endif
};

static char *
read_token(const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[512];
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return strdup(buf);
}

/* The report's own lines: what an upload carries. */
static char *
report_text(const struct kt_report *r, size_t *ret_len)
{
	size_t n = 0;
	char *p, *q;

	for (size_t i = 0; i < r->n_lines; i++)
		n += strlen(r->lines[i]) + 1;
	p = malloc(n + 1);
	if (!p)
		return NULL;
	q = p;
	for (size_t i = 0; i < r->n_lines; i++) {
		size_t k = strlen(r->lines[i]);

		memcpy(q, r->lines[i], k);
		q[k] = '\n';
		q += k + 1;
	}
	*q = '\0';
	*ret_len = n;
	return p;
}

static void
run_exec(struct watch *W, const struct kt_report *r, const char *json)
{
	FILE *p;
	int st;

	setenv("KTRIAGE_TITLE", r->title ? r->title : "", 1);
	setenv("KTRIAGE_BUCKET", r->bucket, 1);
	setenv("KTRIAGE_SOURCE", W->name, 1);
	fflush(stdout);
	p = popen(W->exec_cmd, "w");
	if (!p) {
		fprintf(stderr, "ktriage watch: --exec: %s\n", strerror(errno));
		return;
	}
	fputs(json, p);
	fputc('\n', p);
	st = pclose(p);
	if (st != 0 && !W->quiet)
		fprintf(stderr, "ktriage watch: --exec command exited with status %d\n",
			WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void
upload(struct watch *W, const struct kt_report *r)
{
	size_t len = 0;
	char *text = report_text(r, &len);
	long status = 0;
	int rc;

	if (!text)
		return;
	rc = kt_http_post(W->ctx, &W->http, "/api/v1/uploads", W->source, "text/plain", text, len,
			  &status, NULL);
	if (rc)
		fprintf(stderr, "ktriage watch: upload: %s\n", kt_ctx_errmsg(W->ctx));
	else if (status != 200 && status != 201)
		fprintf(stderr, "ktriage watch: upload: the server answered HTTP %ld\n", status);
	free(text);
}

#ifdef KT_WATCH_STORE
static void
store_report(struct watch *W, const struct kt_report *r)
{
	size_t len = 0;
	char *text = report_text(r, &len);
	struct kt_upload_meta m = { .name = W->name, .host = W->http.host, .source = W->source };
	json_t *ret = NULL;

	if (!text)
		return;
	if (kt_store_import(W->store, &m, text, len, &ret) != 0)
		fprintf(stderr, "ktriage watch: --db: %s\n", kt_ctx_errmsg(W->ctx));
	json_decref(ret);
	free(text);
}
#endif

static void
emit(struct watch *W, struct kt_report *r)
{
	char *json = kt_render_json(r, 0);
	time_t t = time(NULL);
	struct tm tm;
	char when[32] = "";

	W->reports++;
	if (W->jsonl) {
		printf("%s\n", json ? json : "{}");
	} else {
		struct kt_render_opts o = { 0 };
		char *s = kt_render_text(r, &o);

		if (gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		printf("%s== crash seen %s in %s ==\n\n%s", W->reports > 1 ? "\n" : "", when, W->name,
		       s ? s : "");
		free(s);
	}
	fflush(stdout);
	if (W->exec_cmd && json)
		run_exec(W, r, json);
	if (W->http.url)
		upload(W, r);
#ifdef KT_WATCH_STORE
	if (W->store)
		store_report(W, r);
#endif
	free(json);
	kt_report_free(r);
}

static bool
parse_seconds(const char *s, double *ret)
{
	char *end;
	double v = strtod(s, &end);

	if (*s == '\0' || *end || v < 0 || v > 1e7)
		return false;
	*ret = v;
	return true;
}

int
kt_cli_watch(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "follow", required_argument, NULL, 'F' },
		{ "kmsg-path", required_argument, NULL, 'K' },
		{ "from-start", no_argument, NULL, 'S' },
		{ "format", required_argument, NULL, 'f' },
		{ "exec", required_argument, NULL, 'E' },
		{ "server", required_argument, NULL, 'U' },
		{ "token-file", required_argument, NULL, 'T' },
		{ "db", required_argument, NULL, 'B' },
		{ "quiet-period", required_argument, NULL, 'P' },
		{ "count", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "host-facts", required_argument, NULL, 'H' },
		{ "rules", required_argument, NULL, 'R' },
		{ "no-rules", no_argument, NULL, 'N' },
		{ "data", required_argument, NULL, 'D' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct watch W = { .source = "kmsg" };
	struct kt_analyze_opts opts = { 0 };
	const char *rule_dirs[17] = { 0 };
	size_t n_rule_dirs = 0;
	const char *follow = NULL, *kmsg_path = NULL, *data_dir = NULL, *token_file = NULL;
	const char *db_url = NULL;
	char *token = NULL;
	bool from_start = false;
	double quiet = 5, duration = 0, t0, pending_since = -1, last_line = 0;
	long count = 0;
	struct kt_analyzer *an = NULL;
	struct kt_stream *st = NULL;
	struct kt_follow *f = NULL;
	struct kt_follow_stats prev = { 0 }, cur;
	int c, status = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'F': follow = optarg; break;
		case 'K': kmsg_path = optarg; break;
		case 'S': from_start = true; break;
		case 'f':
			if (!strcmp(optarg, "jsonl") || !strcmp(optarg, "json"))
				W.jsonl = true;
			else if (strcmp(optarg, "text")) {
				fprintf(stderr, "ktriage watch: unknown format '%s' (text, jsonl)\n", optarg);
				return 2;
			}
			break;
		case 'E': W.exec_cmd = optarg; break;
		case 'U': W.http.url = optarg; break;
		case 'T': token_file = optarg; break;
		case 'B': db_url = optarg; break;
		case 'P':
			if (!parse_seconds(optarg, &quiet) || quiet < 0.1) {
				fputs("ktriage watch: --quiet-period takes seconds (at least 0.1)\n", stderr);
				return 2;
			}
			break;
		case 'n': {
			char *end;

			count = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || count < 1) {
				fputs("ktriage watch: --count takes a positive number\n", stderr);
				return 2;
			}
			break;
		}
		case 'd':
			if (!parse_seconds(optarg, &duration) || duration <= 0) {
				fputs("ktriage watch: --duration takes seconds\n", stderr);
				return 2;
			}
			break;
		case 'H': opts.host_facts = optarg; break;
		case 'R':
			if (n_rule_dirs + 1 >= sizeof(rule_dirs) / sizeof(rule_dirs[0])) {
				fputs("ktriage watch: too many --rules\n", stderr);
				return 2;
			}
			rule_dirs[n_rule_dirs++] = optarg;
			break;
		case 'N': opts.no_diagnose = true; break;
		case 'D': data_dir = optarg; break;
		case 'q': W.quiet = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default:
			fputs("Try 'ktriage watch --help'.\n", stderr);
			return 2;
		}
	}
	if (optind < argc || (follow && kmsg_path)) {
		fputs("ktriage watch: give one source: --follow FILE or --kmsg-path PATH\n"
		      "Try 'ktriage watch --help'.\n", stderr);
		return 2;
	}
	opts.rule_dirs = rule_dirs;
	W.ctx = kt_ctx_new();
	if (!W.quiet)
		kt_ctx_set_diag(W.ctx, kt_cli_print_diag, NULL);
	if (data_dir)
		kt_ctx_set_data_dir(W.ctx, data_dir);
	if (token_file && !(token = read_token(token_file))) {
		fprintf(stderr, "ktriage watch: cannot read --token-file '%s'\n", token_file);
		status = 3;
		goto out;
	}
	W.http.token = token;
	if (db_url) {
#ifdef KT_WATCH_STORE
		if (kt_store_open(W.ctx, db_url, NULL, &W.store) != 0) {
			fprintf(stderr, "ktriage watch: --db: %s\n", kt_ctx_errmsg(W.ctx));
			status = 3;
			goto out;
		}
#else
		fputs("ktriage watch: --db: this build has no crash store; use --server or --exec\n",
		      stderr);
		status = 3;
		goto out;
#endif
	}
	{
		static char hn[256];

		if (gethostname(hn, sizeof(hn) - 1) == 0)
			W.http.host = hn;
	}
	if (follow) {
		W.source = "file";
		W.name = follow;
		c = kt_follow_file(W.ctx, follow, from_start, &f);
	} else {
		W.name = kmsg_path ? kmsg_path : "/dev/kmsg";
		c = kt_follow_kmsg(W.ctx, kmsg_path, from_start, 0, &f);
	}
	if (c || kt_analyzer_new(W.ctx, &opts, &an) || kt_stream_new(an, W.name, &st)) {
		fprintf(stderr, "ktriage watch: %s\n", kt_ctx_errmsg(W.ctx));
		status = 3;
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (!W.quiet)
		fprintf(stderr, "ktriage watch: following %s%s\n", W.name,
			from_start ? " from its start" : "");
	t0 = now_s();
	while (!stop_flag) {
		const char *line;
		size_t len;
		struct kt_report *r;
		double t;
		int rc = kt_follow_next(f, 100, &line, &len);

		if (rc < 0) {
			fprintf(stderr, "ktriage watch: %s\n", kt_ctx_errmsg(W.ctx));
			status = 3;
			break;
		}
		if (rc > 0)
			kt_stream_feed(st, line, len);
		t = now_s();
		if (rc > 0)
			last_line = t;
		if (kt_stream_pending(st)) {
			/* complete: its end marker and a short grace for the
			 * panic that may follow, or the quiet period */
			if (pending_since < 0)
				pending_since = t;
			if (rc == 0 && (t - pending_since >= quiet ||
					(kt_stream_ended(st) && t - last_line >= END_GRACE)))
				kt_stream_flush(st);
		} else {
			pending_since = -1;
		}
		while ((r = kt_stream_take(st)) != NULL) {
			emit(&W, r);
			if (count && (long)W.reports >= count)
				stop_flag = 1;
		}
		if (!kt_stream_pending(st))
			pending_since = -1;
		kt_follow_get_stats(f, &cur);
		if (cur.lost > prev.lost && !W.quiet)
			fprintf(stderr, "ktriage watch: %llu kernel messages lost: the ring buffer "
				"overwrote them before they were read\n",
				(unsigned long long)(cur.lost - prev.lost));
		if (cur.rotations > prev.rotations && !W.quiet)
			fprintf(stderr, "ktriage watch: %s was rotated; following the new file\n", W.name);
		if (cur.truncations > prev.truncations && !W.quiet)
			fprintf(stderr, "ktriage watch: %s was truncated; reading it from its start\n",
				W.name);
		prev = cur;
		if (duration > 0 && t - t0 >= duration)
			break;
	}
	if (!count || (long)W.reports < count) {
		struct kt_report *r;

		kt_stream_flush(st);
		while ((r = kt_stream_take(st)) != NULL) {
			if (count && (long)W.reports >= count)
				kt_report_free(r);
			else
				emit(&W, r);
		}
	}
out:
#ifdef KT_WATCH_STORE
	kt_store_close(W.store);
#endif
	kt_stream_free(st);
	kt_analyzer_free(an);
	kt_follow_free(f);
	kt_ctx_free(W.ctx);
	free(token);
	if (status)
		return status;
	return W.reports ? 1 : 0;
}
