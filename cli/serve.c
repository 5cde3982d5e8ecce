/*
 * cli: `ktriage serve` — the fleet server (library: src/server/). Parses
 * options, starts the server, prints one line per request to stderr, and
 * stops cleanly on SIGINT or SIGTERM.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ktriage/ktriage.h>
#include <ktriage/server.h>
#include <ktriage/store.h>

#include "commands.h"

static const char usage_text[] =
	"Usage: ktriage serve [--db URL] [--listen ADDR:PORT] [--token-file FILE]\n"
	"                     [--max-body BYTES] [--threads N] [--rate N[/BURST]]\n"
	"\n"
	"Run the fleet server: hosts upload crashes, host facts and heartbeats over\n"
	"HTTP into the crash store, and people read the issues in a browser (pages\n"
	"without JavaScript; every page is also JSON with ?format=json).\n"
	"\n"
	"API:\n"
	"  POST /api/v1/uploads    raw log or tarball; headers Authorization: Bearer TOKEN,\n"
	"                          X-Ktriage-Host, X-Ktriage-Pool, X-Ktriage-Name,\n"
	"                          X-Ktriage-Source (kdump, pstore, journal, kmsg,\n"
	"                          crash-folder, status-report, file). 201 new, 200 seen.\n"
	"  POST /api/v1/facts      'ktriage net audit --format json' output (X-Ktriage-Host)\n"
	"  POST /api/v1/heartbeat  {\"host\", \"boot_id\", \"kernel\", \"uptime\"}\n"
	"  GET  /api/v1/issues[?limit=N&host=&pool=&kernel=&status=&since=]\n"
	"  GET  /api/v1/issues/ID\n"
	"Pages: /  /issues/ID  /hosts/NAME  /pools/NAME  /crashes/ID  /crashes/ID/raw\n"
	"Errors are JSON: 400 malformed, 401 bad or missing token, 413 body too large,\n"
	"415 unsupported Content-Type, 429 rate limit, 503 store unavailable.\n"
	"\n"
	"Options:\n"
	"      --db URL            crash store: sqlite:PATH, a bare path or postgresql://...\n"
	"                          (default: $KTRIAGE_DB, else ~/.local/share/ktriage/ktriage.db)\n"
	"  -l, --listen ADDR:PORT  address to listen on (default 127.0.0.1:8474;\n"
	"                          [::1]:8474 for IPv6; port 0 picks a free port)\n"
	"      --token-file FILE   accepted bearer tokens, one per line (or sha256:HEX);\n"
	"                          only their SHA-256 is kept. Without it uploads are\n"
	"                          accepted from loopback only.\n"
	"      --max-body BYTES    largest request body (default 268435456; K, M, G suffixes)\n"
	"      --threads N         worker threads (default 4)\n"
	"      --max-connections N concurrent connections (default 256)\n"
	"      --rate N[/BURST]    uploads per minute per host (default 600/120)\n"
	"      --port-file FILE    write the port listened on to FILE once listening\n"
	"  -q, --quiet             no request log\n"
	"  -h, --help              show this help\n"
	"\n"
	"Log: one line per request on standard error:\n"
	"  TIME CLIENT \"METHOD PATH\" STATUS BODY-BYTES RESPONSE-BYTES DURATION\n"
	"\n"
	"Exit status:\n"
	"  0  stopped by SIGINT or SIGTERM\n"
	"  2  usage error\n"
	"  3  runtime error (store unreachable, cannot listen, bad token file)\n"
	"\n"
	"Examples:\n"
	"  ktriage serve --db /srv/ktriage/crashes.db --listen 0.0.0.0:8474 --token-file /etc/ktriage/tokens\n"
	"  curl -H 'Authorization: Bearer $TOKEN' -H 'X-Ktriage-Host: xs-a' \\\n"
	"       -H 'Content-Type: application/octet-stream' --data-binary @kern.log \\\n"
	"       http://server:8474/api/v1/uploads\n";

static void
log_line(void *ud, const char *line)
{
	char ts[32];
	time_t t = time(NULL);
	struct tm tm;

	(void)ud;
	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s\n", ts, line);
}

static int
parse_size(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -1;
	switch (*end) {
	case 'K': case 'k': v <<= 10; end++; break;
	case 'M': case 'm': v <<= 20; end++; break;
	case 'G': case 'g': v <<= 30; end++; break;
	default: break;
	}
	if (*end || !v)
		return -1;
	*ret = v;
	return 0;
}

static int
parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < (long)lo || v > (long)hi)
		return -1;
	*ret = (unsigned)v;
	return 0;
}

int
kt_cli_serve(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "token-file", required_argument, NULL, 't' },
		{ "max-body", required_argument, NULL, 'b' },
		{ "threads", required_argument, NULL, 'T' },
		{ "max-connections", required_argument, NULL, 'C' },
		{ "rate", required_argument, NULL, 'r' },
		{ "port-file", required_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct kt_server_opts o = { .log = log_line };
	const char *port_file = NULL;
	char *db = NULL;
	struct kt_ctx *ctx;
	struct kt_server *srv;
	sigset_t set;
	int c, sig, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "l:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o.db_url = optarg; break;
		case 'l': o.listen = optarg; break;
		case 't': o.token_file = optarg; break;
		case 'b':
			if (parse_size(optarg, &o.max_body)) {
				fprintf(stderr, "ktriage serve: --max-body takes a positive byte count\n");
				return 2;
			}
			break;
		case 'T':
			if (parse_uint(optarg, 1, 256, &o.threads)) {
				fprintf(stderr, "ktriage serve: --threads takes 1..256\n");
				return 2;
			}
			break;
		case 'C':
			if (parse_uint(optarg, 1, 100000, &o.max_connections)) {
				fprintf(stderr, "ktriage serve: --max-connections takes 1..100000\n");
				return 2;
			}
			break;
		case 'r': {
			char buf[64], *slash;

			snprintf(buf, sizeof(buf), "%s", optarg);
			slash = strchr(buf, '/');
			if (slash)
				*slash++ = '\0';
			if (parse_uint(buf, 1, 100000000, &o.rate_per_minute) ||
			    (slash && parse_uint(slash, 1, 100000000, &o.rate_burst))) {
				fprintf(stderr, "ktriage serve: --rate takes N or N/BURST (per minute)\n");
				return 2;
			}
			break;
		}
		case 'P': port_file = optarg; break;
		case 'q': o.log = NULL; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ktriage serve: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!o.db_url) {
		db = kt_store_default_url(getenv("KTRIAGE_DB"), getenv("XDG_DATA_HOME"),
					  getenv("HOME"));
		if (!db) {
			fprintf(stderr, "ktriage serve: no --db and no $KTRIAGE_DB or $HOME\n");
			return 2;
		}
		o.db_url = db;
	}
	/* The server's threads inherit this mask: the signals wait for sigwait. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	ctx = kt_ctx_new();
	rc = kt_server_start(ctx, &o, &srv);
	if (rc) {
		fprintf(stderr, "ktriage serve: %s\n", kt_ctx_errmsg(ctx));
		kt_ctx_free(ctx);
		free(db);
		return 3;
	}
	fprintf(stderr, "ktriage serve: listening on port %u, store %s%s\n", kt_server_port(srv),
		strncmp(o.db_url, "postgres", 8) ? o.db_url : "postgresql://...",
		o.token_file ? "" : " (no --token-file: uploads from loopback only)");
	if (port_file) {
		char tmp[4096];
		FILE *f;

		snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
		f = fopen(tmp, "w");
		if (f) {
			fprintf(f, "%u\n", kt_server_port(srv));
			if (fclose(f) == 0)
				(void)rename(tmp, port_file);
		}
	}
	while (sigwait(&set, &sig) == 0 && sig != SIGINT && sig != SIGTERM)
		;
	fprintf(stderr, "ktriage serve: stopping (signal %d)\n", sig);
	kt_server_free(srv);
	kt_ctx_free(ctx);
	free(db);
	return 0;
}
