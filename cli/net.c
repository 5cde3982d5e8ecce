/*
 * cli: `ktriage net audit|plan|drivers|probe`. Argument parsing, output and
 * the --apply confirmation only; everything else is libktriage's net stage.
 * `net probe` belongs to cli/net_probe.c (kt_cli_net_probe).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ktriage/ktriage.h>
#include <ktriage/net.h>
#include <ktriage/probe.h>

#include "commands.h"

/* net_probe.c may not be linked in every build stage. */
#pragma weak kt_cli_net_probe

enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2, EXIT_RUNTIME = 3 };

#define MAX_PROBE_HOSTS 64

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: ktriage net audit [SOURCE] [--format text|json] [--probe HOST]...\n"
		"       ktriage net plan --network NAME|UUID --mtu N (--xe-dir DIR | --xe)\n"
		"                        [--force] [--format text|json]\n"
		"                        [--apply [--yes] [--journal FILE] [--step-timeout S]]\n"
		"       ktriage net plan --resume JOURNAL [--yes]     (live xe only)\n"
		"       ktriage net plan --rollback JOURNAL [--yes]   (live xe only)\n"
		"       ktriage net drivers [--format text|json]\n"
		"       ktriage net probe HOST [OPTIONS]   (see 'ktriage net probe --help')\n"
		"\n"
		"Audit host networking for MTU problems: every network, bridge, bond and VLAN\n"
		"down to its NICs and drivers, the configured MTU against what the driver can\n"
		"carry (data/net/drivers.tsv), and plan a pool-wide MTU change.\n"
		"\n"
		"SOURCE (one; default: this host's /sys/class/net + netlink + ovs-vsctl):\n"
		"  --sysfs-root DIR       a tree laid out like /sys (DIR/class/net/IF/...)\n"
		"  --xe-dir DIR           saved 'xe <class>-list params=all' outputs:\n"
		"                         host-list.txt network-list.txt pif-list.txt\n"
		"                         bond-list.txt vlan-list.txt [pool-list.txt\n"
		"                         vif-list.txt pbd-list.txt]\n"
		"  --xe                   run 'xe' on this host (pool master)\n"
		"  --status-report FILE   a XenServer status report (bug-report-*.tar.bz2)\n"
		"\n"
		"Options:\n"
		"  --format text|json     output format (json is loadable as --host-facts)\n"
		"  --probe HOST           also measure the path MTU to HOST (repeatable)\n"
		"  --network NAME|UUID    plan: the network to change\n"
		"  --mtu N                plan: the new MTU\n"
		"  --force                plan: keep going despite the refusals (unsafe or\n"
		"                         pointless targets: each is printed with its source)\n"
		"  --apply                plan: run the steps on the live pool (--xe only; asks\n"
		"                         first): re-reads the pool before each host, checks\n"
		"                         each host after (PIF MTU, PBDs, DF ping), stops at\n"
		"                         the first failure; ^C/SIGTERM finish the current\n"
		"                         step and stop\n"
		"  --journal FILE         plan: journal of the applied steps (default\n"
		"                         ./ktriage-net-plan-TIME.journal)\n"
		"  --step-timeout S       plan: seconds per xe command (default 300;\n"
		"                         vm-migrate gets 10 times that)\n"
		"  --resume JOURNAL       plan: go on from the first step not done\n"
		"  --rollback JOURNAL     plan: undo the journal's steps in reverse order\n"
		"  --yes                  plan: do not ask (the plan, manual steps)\n"
		"  --data DIR             read knowledge files from DIR\n"
		"  -h, --help             show this help\n"
		"\n"
		"Exit status: 0 no findings (plan: printed or applied), 1 findings (plan:\n"
		"refused or not confirmed), 2 usage error (also unknown network / invalid\n"
		"name, --apply on a saved dump), 3 runtime error (unreadable input, a plan\n"
		"step or check failed, interrupted).\n");
}

struct opts {
	const char *sysfs_root, *xe_dir, *status_report, *format, *data_dir;
	const char *network;
	const char *journal, *resume, *rollback;
	bool xe, apply, yes, help, force;
	int mtu, step_timeout;
	const char *probe[MAX_PROBE_HOSTS];
	size_t n_probe;
};

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "sysfs-root", required_argument, NULL, 'r' },
		{ "xe-dir", required_argument, NULL, 'x' },
		{ "xe", no_argument, NULL, 'X' },
		{ "status-report", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "data", required_argument, NULL, 'd' },
		{ "probe", required_argument, NULL, 'p' },
		{ "network", required_argument, NULL, 'n' },
		{ "mtu", required_argument, NULL, 'm' },
		{ "apply", no_argument, NULL, 'a' },
		{ "yes", no_argument, NULL, 'y' },
		{ "force", no_argument, NULL, 'F' },
		{ "journal", required_argument, NULL, 'j' },
		{ "resume", required_argument, NULL, 'R' },
		{ "rollback", required_argument, NULL, 'B' },
		{ "step-timeout", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, sources = 0;

	memset(o, 0, sizeof(*o));
	o->format = "text";
	o->mtu = -1;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		char *end;
		long v;

		switch (c) {
		case 'r': o->sysfs_root = optarg; sources++; break;
		case 'x': o->xe_dir = optarg; sources++; break;
		case 'X': o->xe = true; sources++; break;
		case 's': o->status_report = optarg; sources++; break;
		case 'f': o->format = optarg; break;
		case 'd': o->data_dir = optarg; break;
		case 'n': o->network = optarg; break;
		case 'a': o->apply = true; break;
		case 'y': o->yes = true; break;
		case 'F': o->force = true; break;
		case 'j': o->journal = optarg; break;
		case 'R': o->resume = optarg; break;
		case 'B': o->rollback = optarg; break;
		case 'T':
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 1 || v > 86400) {
				fprintf(stderr, "ktriage net: --step-timeout must be 1-86400 seconds\n");
				return -1;
			}
			o->step_timeout = (int)v;
			break;
		case 'h': o->help = true; break;
		case 'p':
			if (o->n_probe == MAX_PROBE_HOSTS) {
				fprintf(stderr, "ktriage net: at most %d --probe hosts\n", MAX_PROBE_HOSTS);
				return -1;
			}
			o->probe[o->n_probe++] = optarg;
			break;
		case 'm':
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 68 || v > 65535) {
				fprintf(stderr, "ktriage net: --mtu must be a number in 68-65535\n");
				return -1;
			}
			o->mtu = (int)v;
			break;
		default:
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ktriage net: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (sources > 1) {
		fprintf(stderr, "ktriage net: give only one of --sysfs-root, --xe-dir, --xe, "
			"--status-report\n");
		return -1;
	}
	if (strcmp(o->format, "text") != 0 && strcmp(o->format, "json") != 0) {
		fprintf(stderr, "ktriage net: --format must be text or json\n");
		return -1;
	}
	return 0;
}

static int
runtime_error(struct kt_ctx *ctx, const struct opts *o, int err)
{
	const char *msg = kt_ctx_errmsg(ctx);

	fprintf(stderr, "ktriage net: %s%s%s%s\n", msg[0] ? msg : kt_strerror(err),
		o && o->sysfs_root ? " (under --sysfs-root " : "",
		o && o->sysfs_root ? o->sysfs_root : "", o && o->sysfs_root ? ")" : "");
	return err == KT_EINVAL ? EXIT_USAGE : EXIT_RUNTIME;
}

/* Fill the inventory from the one source the options name. */
static int
load_inventory(struct kt_ctx *ctx, const struct opts *o, struct kt_net_inventory *inv)
{
	struct kt_host_ops *ops;
	int err;

	if (o->status_report)
		return kt_net_inventory_status_report(ctx, o->status_report, inv);
	ops = kt_host_ops_system_new(o->sysfs_root);
	if (o->xe_dir || o->xe) {
		err = kt_net_inventory_xe(ctx, ops, o->xe_dir, inv);
		/* live on a XenServer host: its own NICs' drivers from sysfs */
		if (!err && o->xe)
			(void)kt_net_inventory_xe_local(ctx, ops, inv);
	}
	else
		err = kt_net_inventory_sysfs(ctx, ops, inv);
	kt_host_ops_system_free(ops);
	return err;
}

static int
run_probes(struct kt_ctx *ctx, const struct opts *o, struct kt_net_inventory *inv)
{
	for (size_t i = 0; i < o->n_probe; i++) {
		struct kt_probe_opts po = { .host = o->probe[i] };
		struct kt_probe_result *r = calloc(1, sizeof(*r));
		int err;

		if (!r)
			return KT_ENOMEM;
		err = kt_probe_run(ctx, &po, r);
		if (err) {
			fprintf(stderr, "ktriage net: probe %s: %s\n", o->probe[i], kt_ctx_errmsg(ctx));
			free(r);
			return err;
		}
		kt_net_audit_add_probe(inv, r);
		free(r);
	}
	return 0;
}

static int
cmd_audit(struct kt_ctx *ctx, const struct opts *o)
{
	struct kt_driver_db *db = NULL;
	struct kt_net_inventory *inv = NULL;
	char *out;
	int err, rc;

	err = kt_driver_db_load(ctx, &db);
	if (!err)
		err = kt_net_inventory_new(ctx, &inv);
	if (!err)
		err = load_inventory(ctx, o, inv);
	if (!err)
		err = kt_net_audit(ctx, inv, db);
	if (!err)
		err = run_probes(ctx, o, inv);
	if (err) {
		rc = runtime_error(ctx, o, err);
		goto out;
	}
	out = strcmp(o->format, "json") == 0 ? kt_net_audit_json(inv) : kt_net_audit_text(inv);
	fputs(out, stdout);
	if (strcmp(o->format, "json") == 0)
		putchar('\n');
	free(out);
	rc = inv->n_findings ? EXIT_FINDINGS : EXIT_OK;
out:
	kt_net_inventory_free(inv);
	kt_driver_db_free(db);
	return rc;
}

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* SIGINT/SIGTERM: finish the current step, record it, stop. */
static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
}

static void
print_output(FILE *f, const char *out)
{
	/* what the command printed (stdout and stderr), indented */
	for (const char *p = out; p && *p;) {
		size_t len = strcspn(p, "\n");

		fprintf(f, "      | %.*s\n", (int)len, p);
		p += len;
		if (*p)
			p++;
	}
}

static void
apply_progress(void *ud, size_t index, const struct kt_plan_step *s, int status, const char *out)
{
	(void)ud;
	if (status < 0) {
		if (s->kind == KT_PLAN_CHECK)
			printf("[step %zu] check: %s ... ", index + 1, s->text);
		else if (s->kind == KT_PLAN_MANUAL)
			printf("[step %zu] manual: %s\n", index + 1, s->text);
		else {
			char *t = kt_net_argv_text(s->argv);

			printf("[step %zu] $ %s ... ", index + 1, t);
			free(t);
		}
		fflush(stdout);
		return;
	}
	if (s->kind == KT_PLAN_MANUAL) {
		if (status)
			printf("[step %zu] manual step not confirmed\n", index + 1);
		fflush(stdout);
		return;
	}
	if (status == 0)
		printf("ok\n");
	else {
		printf("FAILED%s\n", s->kind == KT_PLAN_CHECK ? "" : status == 124 ? " (timed out)" : "");
		if (s->kind != KT_PLAN_CHECK)
			printf("      exit status %d\n", status);
		print_output(stdout, out);
	}
	fflush(stdout);
}

static bool
ask(const char *question)
{
	char line[64];

	printf("%s Type 'yes' to go on: ", question);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, "yes") == 0;
}

static bool
ask_manual(void *ud, size_t index, const struct kt_plan_step *s)
{
	(void)ud;
	(void)s;
	(void)index;
	return ask("      Done?");
}

static int
run_apply(struct kt_ctx *ctx, const struct opts *o, const struct kt_net_plan *plan,
	  const char *journal, size_t first)
{
	struct kt_net_apply_opts ao = {
		.progress = apply_progress, .journal = journal, .first = first,
		.resume = first > 0 || o->resume,
		.timeout = o->step_timeout, .stop = (volatile const int *)&stop_requested,
		.manual = o->yes ? NULL : ask_manual,
	};
	struct kt_host_ops *ops = kt_host_ops_system_new(NULL);
	size_t done = 0;
	int err;

	printf("Journal: %s\n", journal);
	catch_signals();
	err = kt_net_plan_apply2(ctx, ops, plan, &ao, &done);
	kt_host_ops_system_free(ops);
	if (err) {
		char *rb = kt_net_plan_rollback_text(plan, done);

		fprintf(stderr, "ktriage net: %s\n", kt_ctx_errmsg(ctx));
		if (done < plan->n_steps && plan->steps[done].cosmetic) {
			/* a rollback would put the old (crashing) MTU back for a
			 * step that changes no MTU */
			fprintf(stderr, "Step %zu changes no MTU: every MTU step before it is done. Fix "
				"its cause and resume:\n  ktriage net plan --resume %s\n(a rollback, "
				"ktriage net plan --rollback %s, would undo the whole change)\n",
				done + 1, journal, journal);
			free(rb);
			return EXIT_RUNTIME;
		}
		fprintf(stderr, "Resume with:   ktriage net plan --resume %s\n"
			"Roll back with: ktriage net plan --rollback %s\n", journal, journal);
		fputs(rb, stderr);
		free(rb);
		if (err == KT_EINVAL)
			return kt_net_plan_refused(plan) ? EXIT_FINDINGS : EXIT_USAGE;
		return EXIT_RUNTIME;
	}
	printf("All steps applied. Now run the verify steps above.\n");
	return EXIT_OK;
}

static int
apply_plan(struct kt_ctx *ctx, const struct opts *o, const struct kt_net_plan *plan)
{
	char name[96];
	time_t now = time(NULL);
	struct tm tm;

	if (o->xe_dir) {
		fprintf(stderr, "ktriage net plan: --apply acts on the live pool only: run it with "
			"--xe on the pool master, not on a saved dump (--xe-dir)\n");
		return EXIT_USAGE;
	}
	if (kt_net_plan_refused(plan)) {
		printf("Not applied: the plan is refused (see REFUSED above; --force overrides).\n");
		return EXIT_FINDINGS;
	}
	if (!o->yes && !ask("\nApply this plan?")) {
		printf("Not applied.\n");
		return EXIT_FINDINGS;
	}
	gmtime_r(&now, &tm);
	(void)strftime(name, sizeof(name), "ktriage-net-plan-%Y%m%dT%H%M%SZ.journal", &tm);
	return run_apply(ctx, o, plan, o->journal ? o->journal : name, 0);
}

static int
cmd_resume_rollback(struct kt_ctx *ctx, const struct opts *o)
{
	const char *path = o->resume ? o->resume : o->rollback;
	struct kt_net_journal *j = NULL;
	int err, rc;

	if (o->network || o->mtu >= 0 || o->xe_dir || o->apply || (o->resume && o->rollback)) {
		fprintf(stderr, "ktriage net plan: --resume/--rollback take only the journal (and "
			"--yes, --step-timeout): they act on the live pool\n");
		return EXIT_USAGE;
	}
	err = kt_net_journal_load(ctx, path, &j);
	if (err)
		return runtime_error(ctx, o, err);
	if (o->resume) {
		size_t first = kt_net_journal_resume_index(j);
		char *text = kt_net_plan_text(j->plan);

		fputs(text, stdout);
		free(text);
		if (first >= j->n_steps || j->complete) {
			printf("\nThe journal says every step is done: nothing to resume.\n");
			kt_net_journal_free(j);
			return EXIT_OK;
		}
		printf("\nResuming at step %zu.\n", first + 1);
		if (!o->yes && !ask("Go on?")) {
			kt_net_journal_free(j);
			return EXIT_FINDINGS;
		}
		rc = run_apply(ctx, o, j->plan, path, first);
	} else {
		struct kt_net_apply_opts ao = {
			.progress = apply_progress, .timeout = o->step_timeout,
			.stop = (volatile const int *)&stop_requested,
		};
		struct kt_host_ops *ops;
		size_t n = 0;

		for (size_t i = 0; i < j->n_steps; i++)
			n += j->state[i] != 0 && j->state[i] != 4 && j->plan->steps[i].kind == KT_PLAN_RUN;
		printf("Rolling back %zu step(s) of network '%s' (MTU %d -> %d), newest first.\n", n,
		       j->plan->network_name ? j->plan->network_name : j->plan->network_uuid,
		       j->plan->old_mtu, j->plan->new_mtu);
		if (n && !o->yes && !ask("Go on?")) {
			kt_net_journal_free(j);
			return EXIT_FINDINGS;
		}
		catch_signals();
		ops = kt_host_ops_system_new(NULL);
		err = kt_net_plan_rollback(ctx, ops, path, j, &ao);
		kt_host_ops_system_free(ops);
		if (err) {
			fprintf(stderr, "ktriage net: %s\n", kt_ctx_errmsg(ctx));
			rc = EXIT_RUNTIME;
		} else {
			printf("Rolled back. Manual steps done by hand (switches, guests) are yours to "
			       "undo.\n");
			rc = EXIT_OK;
		}
	}
	kt_net_journal_free(j);
	return rc;
}

static int
cmd_plan(struct kt_ctx *ctx, const struct opts *o)
{
	struct kt_driver_db *db = NULL;
	struct kt_net_inventory *inv = NULL;
	struct kt_net_plan *plan = NULL;
	struct kt_net_plan_opts po = { .network = o->network, .mtu = o->mtu, .force = o->force };
	bool json = strcmp(o->format, "json") == 0;
	char *text;
	int err, rc;

	if (o->resume || o->rollback)
		return cmd_resume_rollback(ctx, o);
	if (!o->network || o->mtu < 0 || !(o->xe_dir || o->xe)) {
		fprintf(stderr, "ktriage net plan: needs --network, --mtu and --xe-dir DIR or --xe\n");
		return EXIT_USAGE;
	}
	if (!kt_net_valid_uuid(o->network) && !kt_net_valid_name(o->network)) {
		fprintf(stderr, "ktriage net plan: invalid network name '%s'\n", o->network);
		return EXIT_USAGE;
	}
	if (o->apply && json) {
		fprintf(stderr, "ktriage net plan: --apply prints text progress; drop --format json\n");
		return EXIT_USAGE;
	}
	if (o->apply && o->xe_dir) {
		fprintf(stderr, "ktriage net plan: --apply acts on the live pool only: run it with "
			"--xe on the pool master, not on a saved dump (--xe-dir)\n");
		return EXIT_USAGE;
	}
	err = kt_driver_db_load(ctx, &db);
	if (!err)
		err = kt_net_inventory_new(ctx, &inv);
	if (!err)
		err = load_inventory(ctx, o, inv);
	if (!err) {
		kt_net_inventory_resolve(inv, db);
		err = kt_net_plan_build2(ctx, inv, db, &po, &plan);
	}
	if (err) {
		rc = err == KT_ENOTFOUND && inv && inv->is_xe ? EXIT_USAGE : runtime_error(ctx, o, err);
		if (rc == EXIT_USAGE && err == KT_ENOTFOUND)
			fprintf(stderr, "ktriage net plan: %s\n", kt_ctx_errmsg(ctx));
		goto out;
	}
	text = json ? kt_net_plan_json(plan) : kt_net_plan_text(plan);
	fputs(text, stdout);
	if (json)
		putchar('\n');
	free(text);
	if (o->apply)
		rc = apply_plan(ctx, o, plan);
	else {
		rc = kt_net_plan_refused(plan) ? EXIT_FINDINGS : EXIT_OK;
		if (!json)
			printf("\nPrint-only: nothing was changed (use --xe --apply to run it).\n");
	}
out:
	kt_net_plan_free(plan);
	kt_net_inventory_free(inv);
	kt_driver_db_free(db);
	return rc;
}

static int
cmd_drivers(struct kt_ctx *ctx, const struct opts *o)
{
	struct kt_driver_db *db;
	int err = kt_driver_db_load(ctx, &db);
	bool json = strcmp(o->format, "json") == 0;

	if (err)
		return runtime_error(ctx, o, err);
	if (json)
		printf("[\n");
	for (size_t i = 0; i < kt_driver_db_count(db); i++) {
		const struct kt_driver_info *d = kt_driver_db_at(db, i);

		char mtu[16];

		/* -1: the limit comes from the device or a lower device ("-") */
		if (d->max_mtu < 0)
			snprintf(mtu, sizeof(mtu), json ? "null" : "-");
		else
			snprintf(mtu, sizeof(mtu), "%d", d->max_mtu);
		if (json)
			printf("  {\"driver\": \"%s\", \"max_mtu\": %s, \"jumbo\": \"%s\"}%s\n",
			       d->driver, mtu, d->jumbo, i + 1 < kt_driver_db_count(db) ? "," : "");
		else
			printf("%-14s %-8s max_mtu %-6s jumbo %-8s %s\n", d->driver, d->cls, mtu,
			       d->jumbo, d->caveat);
	}
	if (json)
		printf("]\n");
	kt_driver_db_free(db);
	return EXIT_OK;
}

int
kt_cli_net(int argc, char **argv)
{
	struct kt_ctx *ctx;
	struct opts o;
	const char *sub;
	int rc;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	sub = argv[1];
	if (strcmp(sub, "probe") == 0) {
		if (!kt_cli_net_probe) {
			fprintf(stderr, "ktriage net: 'probe' is not available in this build\n");
			return EXIT_RUNTIME;
		}
		return kt_cli_net_probe(argc - 1, argv + 1);
	}
	if (strcmp(sub, "audit") != 0 && strcmp(sub, "plan") != 0 && strcmp(sub, "drivers") != 0) {
		fprintf(stderr, "ktriage net: unknown subcommand '%s'; try 'ktriage net --help'\n", sub);
		return EXIT_USAGE;
	}
	if (parse_opts(argc - 1, argv + 1, &o) < 0) {
		fprintf(stderr, "Try 'ktriage net --help'.\n");
		return EXIT_USAGE;
	}
	if (o.help) {
		usage(stdout);
		return EXIT_OK;
	}
	ctx = kt_ctx_new();
	if (o.data_dir)
		kt_ctx_set_data_dir(ctx, o.data_dir);
	if (strcmp(sub, "audit") == 0)
		rc = cmd_audit(ctx, &o);
	else if (strcmp(sub, "plan") == 0)
		rc = cmd_plan(ctx, &o);
	else
		rc = cmd_drivers(ctx, &o);
	kt_ctx_free(ctx);
	return rc;
}
