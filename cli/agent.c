/*
 * cli: `ktriage agent` — every interval, find the host's new crash
 * material and network facts and upload what is new to `ktriage serve`,
 * through a spool that survives restarts and server outages (the logic is
 * kt_agent_round in src/host/agent.c).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ktriage/ktriage.h>

#include "commands.h"
#include "util.h"

static const char usage_text[] =
	"Usage: ktriage agent [--server URL [--token-file FILE] | --db URL] [--root DIR] [--once]\n"
	"                     [--interval S] [OPTIONS]\n"
	"\n"
	"Find this host's crash material and upload what is new to 'ktriage serve':\n"
	"XenServer/XCP-ng crash folders (as .tar.gz) and kdump-tools / kexec-tools dmesg\n"
	"files in /var/crash, pstore records (multi-part records stitched), the journal's\n"
	"earlier boots that hold a crash, crashes of the running boot from /dev/kmsg (or\n"
	"from /var/log/kern.log or messages with --no-kmsg or --root), the host's network\n"
	"facts (net audit) when they change, and a heartbeat (boot id, kernel, uptime).\n"
	"On XenServer/XCP-ng dom0 it also counts 'xe host-crashdump-list'.\n"
	"Each upload carries what the server files it under: X-Ktriage-Host, X-Ktriage-Pool\n"
	"and, for a crash of the running boot, X-Ktriage-Kernel (the kernel it ran),\n"
	"as they were when the crash was spooled.\n"
	"\n"
	"Everything goes through a spool, ROOT/var/lib/ktriage/ (incoming/, sent/,\n"
	"failed/, state/ with the cursors): each piece is spooled once and stays in\n"
	"incoming/ until the server took it, so nothing is sent twice and nothing is\n"
	"lost while the server is down or the agent restarts. When the server cannot be\n"
	"reached the agent retries with backoff (1 s doubling up to --interval).\n"
	"\n"
	"Options:\n"
	"      --server URL       the 'ktriage serve' to upload to (without: spool only)\n"
	"      --token-file FILE  its bearer token (first line of FILE)\n"
	"      --db URL           import into the crash store at URL instead (sqlite:PATH,\n"
	"                         postgresql://...), when ktriage is built with it\n"
	"      --root DIR         read a copy of a host's filesystem rooted at DIR\n"
	"      --spool DIR        the spool (default ROOT/var/lib/ktriage)\n"
	"      --once             one round, then exit\n"
	"      --interval S       seconds between rounds (default 300)\n"
	"      --host NAME        the host name sent (default: this host's name)\n"
	"      --pool NAME        the pool sent (default: on XenServer/XCP-ng, the pool uuid\n"
	"                         of the local xapi database named in /etc/xensource/db.conf)\n"
	"      --no-kmsg          do not read /dev/kmsg (read the syslog file instead)\n"
	"      --kmsg-path PATH   /dev/kmsg or a saved copy (one record a line)\n"
	"      --no-facts         no net audit\n"
	"      --no-heartbeat     no heartbeat\n"
	"      --data DIR, --rules DIR   as for analyze\n"
	"  -q, --quiet            no line per round on standard error\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status: 0 done (--once: everything sent or nothing new), 2 usage error,\n"
	"3 runtime error (the spool cannot be written; --once: items left unsent).\n"
	"\n"
	"Examples:\n"
	"  ktriage agent --server http://triage.example:8474 --token-file /etc/ktriage/token\n"
	"  ktriage agent --once --root /mnt/host1 --server http://127.0.0.1:8474\n"
	"  (dist/ktriage-agent.service and .timer run it with --once every 5 minutes)\n";

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* Sleep up to s seconds, waking early on SIGINT/SIGTERM. */
static void
nap(double s)
{
	double end = kt_cli_now() + s;

	while (!stop_flag && kt_cli_now() < end) {
		struct timespec ts = { 0, 100 * 1000000L };

		(void)nanosleep(&ts, NULL);
	}
}

int
kt_cli_agent(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "server", required_argument, NULL, 'U' },
		{ "token-file", required_argument, NULL, 'T' },
		{ "db", required_argument, NULL, 'B' },
		{ "root", required_argument, NULL, 'r' },
		{ "spool", required_argument, NULL, 's' },
		{ "once", no_argument, NULL, '1' },
		{ "interval", required_argument, NULL, 'i' },
		{ "host", required_argument, NULL, 'n' },
		{ "pool", required_argument, NULL, 'P' },
		{ "no-kmsg", no_argument, NULL, 'K' },
		{ "kmsg-path", required_argument, NULL, 'k' },
		{ "no-facts", no_argument, NULL, 'F' },
		{ "no-heartbeat", no_argument, NULL, 'b' },
		{ "data", required_argument, NULL, 'D' },
		{ "rules", required_argument, NULL, 'R' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kt_agent_opts o = { 0 };
	struct kt_analyze_opts aopts = { 0 };
	const char *rule_dirs[17] = { 0 };
	size_t n_rule_dirs = 0;
	const char *token_file = NULL, *data_dir = NULL;
	char *token = NULL, hostname[256] = "";
	bool once = false, quiet = false;
	double interval = 300, backoff = 1;
	struct kt_ctx *ctx = NULL;
	struct kt_analyzer *an = NULL;
	struct kt_agent *ag = NULL;
	struct kt_agent_stats st = { 0 };
	int c, status = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'U': o.http.url = optarg; break;
		case 'T': token_file = optarg; break;
		case 'B': o.db_url = optarg; break;
		case 'r': o.root = optarg; break;
		case 's': o.spool = optarg; break;
		case '1': once = true; break;
		case 'i': {
			char *end;

			interval = strtod(optarg, &end);
			if (*optarg == '\0' || *end || interval < 0.1 || interval > 86400 * 7) {
				fputs("ktriage agent: --interval takes seconds (0.1 to a week)\n", stderr);
				return 2;
			}
			break;
		}
		case 'n': o.http.host = optarg; break;
		case 'P': o.http.pool = optarg; break;
		case 'K': o.no_kmsg = true; break;
		case 'k': o.kmsg_path = optarg; break;
		case 'F': o.no_facts = true; break;
		case 'b': o.no_heartbeat = true; break;
		case 'D': data_dir = optarg; break;
		case 'R':
			if (n_rule_dirs + 1 >= sizeof(rule_dirs) / sizeof(rule_dirs[0])) {
				fputs("ktriage agent: too many --rules\n", stderr);
				return 2;
			}
			rule_dirs[n_rule_dirs++] = optarg;
			break;
		case 'q': quiet = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default:
			fputs("Try 'ktriage agent --help'.\n", stderr);
			return 2;
		}
	}
	if (o.db_url && o.http.url) {
		fputs("ktriage agent: give --server or --db, not both\n", stderr);
		return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "ktriage agent: unexpected argument '%s'\nTry 'ktriage agent --help'.\n",
			argv[optind]);
		return 2;
	}
	if (token_file && !(token = kt_cli_read_token(token_file))) {
		fprintf(stderr, "ktriage agent: cannot read --token-file '%s'\n", token_file);
		return 3;
	}
	o.http.token = token;
	if (!o.http.host && gethostname(hostname, sizeof(hostname) - 1) == 0)
		o.http.host = hostname;
	aopts.rule_dirs = rule_dirs;
	ctx = kt_ctx_new();
	if (!quiet)
		kt_ctx_set_diag(ctx, kt_cli_print_diag, NULL);
	if (data_dir)
		kt_ctx_set_data_dir(ctx, data_dir);
	if (kt_analyzer_new(ctx, &aopts, &an) || kt_agent_new(ctx, an, &o, &ag)) {
		fprintf(stderr, "ktriage agent: %s\n", kt_ctx_errmsg(ctx));
		status = 3;
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	while (!stop_flag) {
		if (kt_agent_round(ag, &st) != 0) {
			fprintf(stderr, "ktriage agent: %s\n", kt_ctx_errmsg(ctx));
			status = 3;
			break;
		}
		if (!quiet && (st.spooled || st.sent || st.failed || st.pending || st.errors || st.lost))
			fprintf(stderr, "ktriage agent: %zu new, %zu sent, %zu refused, %zu waiting%s%s%s\n",
				st.spooled, st.sent, st.failed, st.pending,
				st.server_down ? " (server: " : "",
				st.server_down && st.last_error ? st.last_error : "",
				st.server_down ? ")" : "");
		if (st.lost && !quiet)
			fprintf(stderr, "ktriage agent: %llu kernel messages lost to ring overruns\n",
				(unsigned long long)st.lost);
		if (once) {
			if (st.pending && (o.http.url || o.db_url))
				status = 3;
			break;
		}
		if (st.server_down) {
			nap(backoff < interval ? backoff : interval);
			backoff = backoff * 2 > 300 ? 300 : backoff * 2;
		} else {
			backoff = 1;
			nap(interval);
		}
	}
out:
	free(st.last_error);
	kt_agent_free(ag);
	kt_analyzer_free(an);
	kt_ctx_free(ctx);
	free(token);
	return status;
}
