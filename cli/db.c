/*
 * cli: `ktriage db` — the crash store: import logs, crash folders and status
 * reports, list and show issues, hosts and their facts, set an issue's
 * status, rebucket. Argument parsing and printing only; the store is
 * src/store/ (include/ktriage/store.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <ktriage/ktriage.h>
#include <ktriage/store.h>

#include "commands.h"
#include "util.h"

static const char usage_text[] =
	"Usage: ktriage db import [--host NAME] [--pool NAME] [--source S] PATH...\n"
	"       ktriage db issues [--since T] [--host H] [--pool P] [--kernel K]\n"
	"                         [--status S] [--limit N]\n"
	"       ktriage db show ISSUE\n"
	"       ktriage db crash ID\n"
	"       ktriage db hosts [--pool P] [--since T] [--limit N]\n"
	"       ktriage db host NAME\n"
	"       ktriage db facts --host NAME [--pool P] [--at T] FILE\n"
	"       ktriage db status ISSUE open|fixed|ignored [--fixed-in RELEASE] [--note TEXT]\n"
	"       ktriage db rebucket [--dry-run]\n"
	"       ktriage db stats\n"
	"  (every command also takes --db URL and --format text|json)\n"
	"\n"
	"The crash store keeps every crash of a host, pool or fleet: the raw bytes of\n"
	"each upload (compressed, addressed by SHA-256), each crash's excerpt and\n"
	"analysis, grouped into issues by bucket, with per-issue facets (host, pool,\n"
	"kernel, Xen version, driver@mtu, bridge/OVS backend, taint, hardware, rule).\n"
	"Importing the same bytes again changes nothing; one crash seen through several\n"
	"files (dmesg, kern.log, a crash folder) is counted once.\n"
	"\n"
	"Commands:\n"
	"  import    store and analyse PATH (what 'ktriage analyze' takes: logs, crash\n"
	"            folders, status-report tarballs, directories); the host is --host,\n"
	"            else the status report's own (inventory.xml; also for a crash\n"
	"            folder inside an unpacked report), else the syslog host field or\n"
	"            journal _HOSTNAME of the crash's lines, else (crash folder) a log\n"
	"            line naming it (systemd's \"Set hostname to <NAME>.\"), else\n"
	"            \"unknown\"; the pool is --pool, else a status report's pool\n"
	"            uuid (xapi-db.xml), else the host's; one crash seen in a dmesg\n"
	"            and in the journal of a host counts once\n"
	"  issues    issues, most crashes first: id, status, crashes, hosts, first and\n"
	"            last seen, kernel, top rule, title (json: every kernel)\n"
	"  show      one issue: counts, the lift of driver@mtu and backend when host\n"
	"            facts exist, facets, the crash list and its representative crash\n"
	"            as 'ktriage analyze' prints it\n"
	"  crash     one crash: where it was seen, its raw excerpt\n"
	"  hosts     hosts, most recently seen first; host: its facts over time and\n"
	"            its crashes\n"
	"  facts     store FILE, the output of 'ktriage net audit --format json' on\n"
	"            host NAME, collected at --at (ISO-8601, default now)\n"
	"  status    set an issue open, fixed (--fixed-in: first kernel release with the\n"
	"            fix; a crash on an older release is not a regression) or ignored\n"
	"  rebucket  re-analyse every stored excerpt with this ktriage; print what moves,\n"
	"            merges and splits; issue ids stay; --dry-run writes nothing\n"
	"  stats     totals: uploads, crashes, issues, hosts, bytes\n"
	"\n"
	"Options:\n"
	"      --db URL        sqlite:PATH, a bare PATH, or postgresql://... (libpq URI);\n"
	"                      default $KTRIAGE_DB, else\n"
	"                      sqlite:$XDG_DATA_HOME/ktriage/ktriage.db\n"
	"                      (~/.local/share/ktriage/ktriage.db)\n"
	"  -f, --format FMT    text (default) or json\n"
	"      --host NAME     import, facts: the host; issues: only crashes on NAME\n"
	"      --pool NAME     the pool of the host (import, facts) or a filter\n"
	"      --source S      import: how the files arrived (default cli)\n"
	"      --since T       only crashes at or after T (ISO-8601, e.g. 2026-12-01)\n"
	"      --kernel K      only crashes on kernel release K\n"
	"      --status S      only issues with status S (open, fixed, ignored)\n"
	"      --limit N       at most N rows (default 100)\n"
	"      --fixed-in R    status fixed: the first kernel release with the fix\n"
	"      --note TEXT     status: a note kept with the issue\n"
	"      --at T          facts: when the facts were collected\n"
	"      --dry-run       rebucket: only print what would change\n"
	"  -h, --help          show this help\n"
	"\n"
	"Exit status:\n"
	"  0  success, nothing found (no crash imported, no issue listed)\n"
	"  1  success, crashes imported or issues/hosts listed; rebucket: changes\n"
	"  2  usage error\n"
	"  3  runtime error (store cannot be opened, unreadable input, no such issue)\n"
	"\n"
	"Examples:\n"
	"  ktriage db import --host xs01 --pool lab /var/crash/20261205-101010-UTC\n"
	"  ktriage db issues --status open --limit 20\n"
	"  ktriage net audit --format json > xs01.json && ktriage db facts --host xs01 xs01.json\n"
	"  ktriage db status 12 fixed --fixed-in 4.19.0+1.2\n"
	"  KTRIAGE_DB=postgresql:///ktriage ktriage db show 12\n";

struct opts {
	const char *db, *host, *pool, *source, *since, *kernel, *status, *fixed_in, *note, *at;
	bool json, dry_run;
	long limit;
};

static void
print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (s) {
		puts(s);
		free(s);
	}
}

static const char *
jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

static long long
jint(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static int
fail(struct kt_ctx *ctx, int rc)
{
	fprintf(stderr, "ktriage db: %s\n", kt_ctx_errmsg(ctx));
	return rc == KT_EINVAL ? 2 : 3;
}

static void
print_import(json_t *res)
{
	for (size_t i = 0; i < json_array_size(res); i++) {
		json_t *u = json_array_get(res, i), *cr = json_object_get(u, "crashes");

		if (json_object_get(u, "error")) {
			printf("%s: error: %s\n", jstr(u, "path"), jstr(u, "error"));
			continue;
		}
		printf("%s: upload %lld (%s), host %s, %zu crash%s\n", jstr(u, "path"), jint(u, "upload"),
		       jstr(u, "status"), jstr(u, "host"), json_array_size(cr),
		       json_array_size(cr) == 1 ? "" : "es");
		for (size_t k = 0; k < json_array_size(cr); k++) {
			json_t *c = json_array_get(cr, k), *is = json_object_get(c, "issue");

			printf("  crash %lld %-4s issue %lld%s%s [%s] %s\n", jint(c, "id"),
			       jstr(c, "occurrence"), jint(is, "id"),
			       json_is_true(json_object_get(is, "new")) ? " (new)" : "",
			       json_is_true(json_object_get(is, "regression")) ? " (regression)" : "",
			       jstr(is, "status"), jstr(c, "title"));
		}
	}
}

static void
print_issues(json_t *res)
{
	printf("%6s %-7s %7s %5s %-20s %-20s %-18s %-24s %s\n", "ID", "STATUS", "CRASHES", "HOSTS",
	       "FIRST SEEN", "LAST SEEN", "KERNEL", "RULE", "TITLE");
	for (size_t i = 0; i < json_array_size(res); i++) {
		json_t *o = json_array_get(res, i);
		json_t *k = json_object_get(o, "kernels");

		printf("%6lld %-7s %7lld %5lld %-20s %-20s %-18.18s %-24.24s %s\n", jint(o, "id"),
		       jstr(o, "status"), jint(o, "crashes"), jint(o, "hosts"), jstr(o, "first_seen"),
		       jstr(o, "last_seen"),
		       json_array_size(k) ? json_string_value(json_array_get(k, 0)) : "-",
		       jstr(o, "rule"), jstr(o, "title"));
	}
}

static int
print_show(struct kt_store *s, json_t *o)
{
	json_t *fac = json_object_get(o, "facets"), *lift = json_object_get(o, "lift"), *v;
	json_t *rep = json_object_get(o, "representative");
	const char *key;
	char *text = NULL;

	printf("Issue %lld: %s\n", jint(o, "id"), jstr(o, "title"));
	printf("Status: %s", jstr(o, "status"));
	if (json_is_string(json_object_get(o, "fixed_in")))
		printf(" (fixed in %s)", jstr(o, "fixed_in"));
	printf("\nCrashes: %lld on %lld host%s, first %s, last %s\n", jint(o, "crashes"),
	       jint(o, "hosts"), jint(o, "hosts") == 1 ? "" : "s", jstr(o, "first_seen"),
	       jstr(o, "last_seen"));
	if (json_is_string(json_object_get(o, "note")))
		printf("Note: %s\n", jstr(o, "note"));
	for (size_t i = 0; i < json_array_size(lift); i++)
		printf("Lift: %s\n", jstr(json_array_get(lift, i), "text"));
	printf("\nFacets:\n");
	json_object_foreach(fac, key, v) {
		if (!json_array_size(v))
			continue;
		printf("  %s:\n", key);
		for (size_t i = 0; i < json_array_size(v) && i < 10; i++) {
			json_t *e = json_array_get(v, i);

			printf("    %-32s %6lld crashes %4lld hosts  %s .. %s\n", jstr(e, "value"),
			       jint(e, "crashes"), jint(e, "hosts"), jstr(e, "first_seen"),
			       jstr(e, "last_seen"));
		}
	}
	v = json_object_get(o, "events");
	if (json_array_size(v))
		printf("\nEvents:\n");
	for (size_t i = 0; i < json_array_size(v); i++)
		printf("  %s %s\n", jstr(json_array_get(v, i), "at"), jstr(json_array_get(v, i), "what"));
	v = json_object_get(o, "crash_list");
	printf("\nCrashes (newest %zu):\n", json_array_size(v));
	for (size_t i = 0; i < json_array_size(v) && i < 20; i++) {
		json_t *c = json_array_get(v, i);

		printf("  %8lld %-20s %-16s %s\n", jint(c, "id"), jstr(c, "crashed_at"), jstr(c, "host"),
		       jstr(c, "kernel"));
	}
	if (json_is_object(rep)) {
		struct kt_render_opts ro = { 0 };

		printf("\nRepresentative crash %lld:\n\n", jint(rep, "crash"));
		if (kt_store_crash_text(s, jint(rep, "crash"), &ro, &text) == 0 && text) {
			fputs(text, stdout);
			free(text);
		}
	}
	return 0;
}

static void
print_hosts(json_t *res)
{
	printf("%-24s %-12s %7s %6s %-20s %s\n", "HOST", "POOL", "CRASHES", "ISSUES", "LAST SEEN",
	       "KERNEL");
	for (size_t i = 0; i < json_array_size(res); i++) {
		json_t *o = json_array_get(res, i);

		printf("%-24s %-12s %7lld %6lld %-20s %s\n", jstr(o, "name"), jstr(o, "pool"),
		       jint(o, "crashes"), jint(o, "issues"), jstr(o, "last_seen"), jstr(o, "kernel"));
	}
}

static void
print_host(json_t *o)
{
	json_t *v = json_object_get(o, "facts");

	printf("Host %s (pool %s), seen %s .. %s\n", jstr(o, "name"), jstr(o, "pool"),
	       jstr(o, "first_seen"), jstr(o, "last_seen"));
	printf("\nFacts:\n");
	for (size_t i = 0; i < json_array_size(v); i++) {
		json_t *f = json_array_get(v, i), *sum = json_object_get(f, "summary");

		printf("  %s (%s, backend %s):", jstr(f, "collected_at"), jstr(f, "source"),
		       jstr(f, "backend"));
		for (size_t k = 0; k < json_array_size(sum); k++)
			printf("%s %s", k ? ";" : "", json_string_value(json_array_get(sum, k)));
		printf("\n");
	}
	v = json_object_get(o, "crashes");
	printf("\nCrashes:\n");
	for (size_t i = 0; i < json_array_size(v); i++) {
		json_t *c = json_array_get(v, i);

		printf("  %8lld %-20s %-18s issue %-6lld %s\n", jint(c, "id"), jstr(c, "crashed_at"),
		       jstr(c, "kernel"), jint(c, "issue"), jstr(c, "title"));
	}
}

static void
print_rebucket(json_t *o)
{
	json_t *v;

	printf("%s%lld crashes re-analysed, %lld changed\n",
	       json_is_true(json_object_get(o, "dry_run")) ? "(dry run) " : "", jint(o, "crashes"),
	       jint(o, "changed"));
	v = json_object_get(o, "moves");
	for (size_t i = 0; i < json_array_size(v); i++) {
		json_t *m = json_array_get(v, i);

		printf("  move  crash %lld: issue %lld -> %s%lld  %s -> %s\n", jint(m, "crash"),
		       jint(m, "from_issue"), json_is_null(json_object_get(m, "to_issue")) ? "new " : "",
		       jint(m, "to_issue"), jstr(m, "old_title"), jstr(m, "new_title"));
	}
	v = json_object_get(o, "new_issues");
	for (size_t i = 0; i < json_array_size(v); i++)
		printf("  new   issue %lld (%lld crashes): %s\n", jint(json_array_get(v, i), "id"),
		       jint(json_array_get(v, i), "crashes"), jstr(json_array_get(v, i), "title"));
	v = json_object_get(o, "merges");
	for (size_t i = 0; i < json_array_size(v); i++) {
		char *from = json_dumps(json_object_get(json_array_get(v, i), "from"), JSON_COMPACT);

		printf("  merge into issue %lld from %s\n", jint(json_array_get(v, i), "into"), from);
		free(from);
	}
	v = json_object_get(o, "splits");
	for (size_t i = 0; i < json_array_size(v); i++) {
		char *into = json_dumps(json_object_get(json_array_get(v, i), "into"), JSON_COMPACT);

		printf("  split issue %lld into %s\n", jint(json_array_get(v, i), "issue"), into);
		free(into);
	}
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (!f)
		return NULL;
	do {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 65536;
			if (cap > ((size_t)64 << 20)) {	/* host facts are small */
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	*len = n;
	return buf;
}

static int
parse_id(const char *s, int64_t *ret)
{
	char *end;
	long long v;

	if (!s)
		return -1;
	v = strtoll(s, &end, 10);
	if (*end || v <= 0)
		return -1;
	*ret = v;
	return 0;
}

static int
usage_err(const char *msg)
{
	fprintf(stderr, "ktriage db: %s (see 'ktriage db --help')\n", msg);
	return 2;
}

/* Run subcommand `cmd` with positional arguments args[0..n). */
static int
run(struct kt_store *s, struct kt_ctx *ctx, const char *cmd, char **args, int n,
    const struct opts *o)
{
	struct kt_store_filter f = { .since = o->since, .host = o->host, .pool = o->pool,
				     .kernel = o->kernel, .status = o->status,
				     .limit = o->limit > 0 ? (size_t)o->limit : 0 };
	json_t *res = NULL;
	int64_t id = 0;
	int rc = 0, found = 0;

	if (strcmp(cmd, "import") == 0) {
		struct kt_upload_meta m = { .host = o->host, .pool = o->pool, .source = o->source };
		int err = 0;

		if (n < 1)
			return usage_err("import needs a PATH");
		res = json_array();
		for (int i = 0; i < n; i++) {
			json_t *one = NULL;

			rc = kt_store_import_path(s, args[i], &m, &one);
			if (rc) {
				fprintf(stderr, "ktriage db: %s: %s\n", args[i], kt_ctx_errmsg(ctx));
				err = 3;
			}
			for (size_t k = 0; one && k < json_array_size(one); k++) {
				json_t *u = json_array_get(one, k);

				found |= json_array_size(json_object_get(u, "crashes")) > 0;
				if (json_object_get(u, "error"))
					err = 3;
				json_array_append(res, u);
			}
			json_decref(one);
		}
		if (o->json)
			print_json(res);
		else
			print_import(res);
		json_decref(res);
		return err ? err : found;
	}
	if (strcmp(cmd, "issues") == 0) {
		if ((rc = kt_store_issues(s, &f, &res)))
			return fail(ctx, rc);
		found = json_array_size(res) > 0;
		o->json ? print_json(res) : print_issues(res);
	} else if (strcmp(cmd, "show") == 0 || strcmp(cmd, "crash") == 0) {
		if (n != 1 || parse_id(args[0], &id))
			return usage_err("expected one numeric id");
		rc = cmd[0] == 's' ? kt_store_issue(s, id, &res) : kt_store_crash(s, id, &res);
		if (rc)
			return fail(ctx, rc);
		found = 1;
		if (o->json)
			print_json(res);
		else if (cmd[0] == 's')
			print_show(s, res);
		else
			printf("Crash %lld on %s at %s, issue %lld: %s\n\n%s", jint(res, "id"),
			       jstr(res, "host"), jstr(res, "crashed_at"), jint(res, "issue"),
			       jstr(res, "title"), jstr(res, "excerpt"));
	} else if (strcmp(cmd, "hosts") == 0) {
		if ((rc = kt_store_hosts(s, &f, &res)))
			return fail(ctx, rc);
		found = json_array_size(res) > 0;
		o->json ? print_json(res) : print_hosts(res);
	} else if (strcmp(cmd, "host") == 0) {
		if (n != 1)
			return usage_err("host needs a NAME");
		if ((rc = kt_store_host(s, args[0], &res)))
			return fail(ctx, rc);
		found = 1;
		o->json ? print_json(res) : print_host(res);
	} else if (strcmp(cmd, "facts") == 0) {
		size_t len = 0;
		char *buf;

		if (n != 1 || !o->host)
			return usage_err("facts needs --host NAME and one FILE");
		buf = slurp(args[0], &len);
		if (!buf) {
			fprintf(stderr, "ktriage db: cannot read '%s'\n", args[0]);
			return 3;
		}
		rc = kt_store_facts(s, o->host, o->pool, buf, len, o->at, &res);
		free(buf);
		if (rc)
			return fail(ctx, rc);
		if (o->json)
			print_json(res);
		else
			printf("facts %lld for host %s: %s\n", jint(res, "id"), jstr(res, "host"),
			       jstr(res, "status"));
	} else if (strcmp(cmd, "status") == 0) {
		if (n != 2 || parse_id(args[0], &id))
			return usage_err("status needs ISSUE and open|fixed|ignored");
		if ((rc = kt_store_set_status(s, id, args[1], o->fixed_in, o->note, &res)))
			return fail(ctx, rc);
		if (o->json)
			print_json(res);
		else
			printf("issue %lld: %s%s%s\n", jint(res, "id"), jstr(res, "status"),
			       o->fixed_in ? " in " : "", o->fixed_in ? o->fixed_in : "");
	} else if (strcmp(cmd, "rebucket") == 0) {
		if ((rc = kt_store_rebucket(s, o->dry_run, &res)))
			return fail(ctx, rc);
		found = jint(res, "changed") > 0;
		o->json ? print_json(res) : print_rebucket(res);
	} else if (strcmp(cmd, "stats") == 0) {
		if ((rc = kt_store_stats(s, &res)))
			return fail(ctx, rc);
		print_json(res);
	} else {
		return usage_err("unknown db command");
	}
	json_decref(res);
	return found;
}

static const char *const commands[] = {
	"import", "issues", "show", "crash", "hosts", "host", "facts", "status", "rebucket", "stats",
};

int
kt_cli_db(int argc, char **argv)
{
	enum { O_DB = 256, O_HOST, O_POOL, O_SOURCE, O_SINCE, O_KERNEL, O_STATUS, O_LIMIT,
	       O_FIXED, O_NOTE, O_AT, O_DRY };
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, O_DB },
		{ "format", required_argument, NULL, 'f' },
		{ "host", required_argument, NULL, O_HOST },
		{ "pool", required_argument, NULL, O_POOL },
		{ "source", required_argument, NULL, O_SOURCE },
		{ "since", required_argument, NULL, O_SINCE },
		{ "kernel", required_argument, NULL, O_KERNEL },
		{ "status", required_argument, NULL, O_STATUS },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "fixed-in", required_argument, NULL, O_FIXED },
		{ "note", required_argument, NULL, O_NOTE },
		{ "at", required_argument, NULL, O_AT },
		{ "dry-run", no_argument, NULL, O_DRY },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { 0 };
	const char *cmd;
	char *url;
	struct kt_ctx *ctx;
	struct kt_store *s = NULL;
	int c, rc;
	bool known = false;

	if (argc < 2) {
		fputs(usage_text, stderr);
		return 2;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (c) {
		case O_DB: o.db = optarg; break;
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "text"))
				return usage_err("--format is text or json");
			o.json = strcmp(optarg, "json") == 0;
			break;
		case O_HOST: o.host = optarg; break;
		case O_POOL: o.pool = optarg; break;
		case O_SOURCE: o.source = optarg; break;
		case O_SINCE: o.since = optarg; break;
		case O_KERNEL: o.kernel = optarg; break;
		case O_STATUS: o.status = optarg; break;
		case O_LIMIT:
			o.limit = strtol(optarg, NULL, 10);
			if (o.limit <= 0)
				return usage_err("--limit needs a positive number");
			break;
		case O_FIXED: o.fixed_in = optarg; break;
		case O_NOTE: o.note = optarg; break;
		case O_AT: o.at = optarg; break;
		case O_DRY: o.dry_run = true; break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return 2;
		}
	}
	if (optind >= argc)
		return usage_err("missing db command");
	cmd = argv[optind++];
	if (strcmp(cmd, "help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		known |= strcmp(cmd, commands[i]) == 0;
	if (!known)
		return usage_err("unknown db command");
	url = o.db ? strdup(o.db)
		   : kt_store_default_url(getenv("KTRIAGE_DB"), getenv("XDG_DATA_HOME"), getenv("HOME"));
	if (!url)
		return usage_err("no store: give --db URL or set KTRIAGE_DB");
	ctx = kt_ctx_new();
	kt_ctx_set_diag(ctx, kt_cli_print_diag, NULL);
	{
		struct kt_store_opts so = { .tmp_dir = getenv("TMPDIR") };

		rc = kt_store_open(ctx, url, &so, &s);
	}
	free(url);
	if (rc) {
		rc = fail(ctx, rc);
		kt_ctx_free(ctx);
		return rc == 2 ? 2 : 3;
	}
	rc = run(s, ctx, cmd, argv + optind, argc - optind, &o);
	kt_store_close(s);
	kt_ctx_free(ctx);
	return rc;
}
