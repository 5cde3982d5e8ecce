/*
 * cli: `ktriage net probe HOST`: measure the path MTU to one host with
 * DF-set probes (kt_probe_run) and print the answer as text or JSON.
 * Argument parsing and output only; the search lives in src/net/probe.c.
 */
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <ktriage/ktriage.h>
#include <ktriage/probe.h>

#include "commands.h"
#include "net/probe.h"

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: ktriage net probe HOST [OPTIONS]\n"
		"\n"
		"Measure the path MTU to HOST: send don't-fragment probes of chosen sizes\n"
		"and find the largest that gets through, the hop that announced a smaller\n"
		"MTU (ICMP fragmentation-needed / packet-too-big), and black holes (big\n"
		"packets silently dropped while small ones pass). Probes go to HOST only.\n"
		"\n"
		"SIZE is always the full IP packet size, IP header included (the unit of\n"
		"an interface MTU): 1500 here is `ping -M do -s 1472` over IPv4 and\n"
		"`ping -M do -s 1452` over IPv6.\n"
		"\n"
		"Options:\n"
		"  -I, --interface IF   send through IF (default: the route's interface)\n"
		"  -m, --max SIZE       largest size to try (default: the interface MTU)\n"
		"  -e, --expect SIZE    the path must carry SIZE (sets the exit status)\n"
		"  -4, -6               use IPv4 / IPv6 only\n"
		"  -t, --timeout MS     longest wait for one reply (default %d)\n"
		"  -n, --tries N        losses before a size counts as failed (default %d)\n"
		"  -M, --method M       auto (default), raw (ICMP, root), ping (ICMP,\n"
		"                       unprivileged ping socket), udp (like tracepath)\n"
		"  -f, --format F       text (default) or json\n"
		"  -h, --help           show this help\n"
		"\n"
		"Exit status: 0 the path carries --expect SIZE (without --expect: probe ok,\n"
		"no black hole), 1 it does not, or a black hole was found, 2 usage error,\n"
		"3 runtime error (unknown host, no socket, no reply at any size).\n",
		KT_PROBE_DEFAULT_TIMEOUT_MS, KT_PROBE_DEFAULT_TRIES);
}

/* Whole-string decimal in [lo, hi], or -1. */
static int
parse_num(const char *s, int lo, int hi)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	v = strtol(s, &end, 10);
	if (*end || v < lo || v > hi)
		return -1;
	return (int)v;
}

static const char *
method_text(enum kt_probe_method m)
{
	switch (m) {
	case KT_PROBE_METHOD_RAW: return "ICMP echo, raw socket";
	case KT_PROBE_METHOD_PING: return "ICMP echo, ping socket";
	case KT_PROBE_METHOD_UDP: return "UDP, ICMP port-unreachable as the answer";
	default: return "?";
	}
}

static void
print_step(const struct kt_probe_result *r, const struct kt_probe_step *st)
{
	printf("  %6d  %-13s %5d  ", st->size, kt_probe_outcome_name(st->outcome), st->attempts);
	switch (st->outcome) {
	case KT_PROBE_PASSED:
		printf("%.2f ms\n", st->rtt_us / 1000.0);
		break;
	case KT_PROBE_TOO_BIG:
		printf("%s announced MTU %d\n", st->from[0] ? st->from : "a hop", st->hop_mtu);
		break;
	case KT_PROBE_INFERRED:
		printf("above the MTU %s announced\n", st->from[0] ? st->from : "a hop");
		break;
	case KT_PROBE_LOCAL_TOO_BIG:
		printf("larger than the local interface MTU\n");
		break;
	case KT_PROBE_UNREACHABLE:
		printf("unreachable%s%s\n", st->from[0] ? " from " : "", st->from);
		break;
	default:
		printf("no answer\n");
		break;
	}
}

static int
attempts_of(const struct kt_probe_result *r, int size)
{
	for (size_t i = 0; i < r->n_steps; i++)
		if (r->steps[i].size == size)
			return r->steps[i].attempts;
	return 0;
}

static void
print_text(const struct kt_probe_result *r)
{
	printf("Path MTU probe to %s", r->host);
	if (strcmp(r->host, r->addr) != 0)
		printf(" (%s)", r->addr);
	printf(", %s, %s\n", r->family == KT_PROBE_FAMILY_V6 ? "IPv6" : "IPv4",
	       method_text(r->method));
	printf("  out via %s", r->iface[0] ? r->iface : "?");
	if (r->iface_mtu)
		printf(" (MTU %d)", r->iface_mtu);
	if (r->route_mtu && r->route_mtu < r->iface_mtu && r->route_mtu < KT_PROBE_MAX_SIZE)
		printf("; the kernel's cached path MTU was %d", r->route_mtu);
	printf("; sizes %d..%d are full IP packets\n\n", r->min, r->max);
	printf("  %6s  %-13s %5s  %s\n", "size", "result", "tries", "detail");
	for (size_t i = 0; i < r->n_steps; i++)
		print_step(r, &r->steps[i]);
	printf("\n");
	switch (r->verdict) {
	case KT_PROBE_VERDICT_FULL:
		printf("Path MTU: %d (the full size tried)\n", r->pmtu);
		break;
	case KT_PROBE_VERDICT_LIMITED:
		printf("Path MTU: %d, below the %d tried", r->pmtu, r->max);
		if (r->hop_mtu)
			printf("; %s announced MTU %d (path MTU discovery works)",
			       r->hop_addr[0] ? r->hop_addr : "a hop", r->hop_mtu);
		else if (r->hop_addr[0])
			printf("; %s refused bigger packets without naming its MTU",
			       r->hop_addr);
		printf("\n");
		break;
	case KT_PROBE_VERDICT_BLACK_HOLE:
		printf("Path MTU: %d\n"
		       "BLACK HOLE: packets of %d bytes and more are dropped without an ICMP\n"
		       "'fragmentation needed'/'packet too big' (%d passed, %d got no answer\n"
		       "in %d tries). A device in the path has a smaller MTU than the hosts.\n",
		       r->pmtu, r->smallest_failed, r->pmtu, r->smallest_failed,
		       attempts_of(r, r->smallest_failed));
		break;
	default:
		printf("No reply from %s at any size (down, filtered, or no route)\n", r->addr);
		break;
	}
	if (r->expect)
		printf("Expected %d: %s\n", r->expect,
		       r->expect_ok ? "carried" : "NOT carried");
	printf("(%d probes, %.2f s)\n", r->probes_sent, (double)r->elapsed_us / 1e6);
}

static int
exit_status(const struct kt_probe_result *r)
{
	if (r->verdict == KT_PROBE_VERDICT_NO_REPLY)
		return 3;
	if (r->expect)
		return r->expect_ok ? 0 : 1;
	return r->black_hole ? 1 : 0;
}

static const struct option long_opts[] = {
	{ "interface", required_argument, NULL, 'I' },
	{ "max", required_argument, NULL, 'm' },
	{ "expect", required_argument, NULL, 'e' },
	{ "timeout", required_argument, NULL, 't' },
	{ "tries", required_argument, NULL, 'n' },
	{ "method", required_argument, NULL, 'M' },
	{ "format", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Parse argv into o; returns 0, 1 for --help (done), or 2 (usage error). */
static int
parse_args(int argc, char **argv, struct kt_probe_opts *o, bool *json)
{
	int c, m;

	optind = 1;
	while ((c = getopt_long(argc, argv, "I:m:e:t:n:M:f:46h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'I': o->iface = optarg; break;
		case '4': o->family = KT_PROBE_FAMILY_V4; break;
		case '6': o->family = KT_PROBE_FAMILY_V6; break;
		case 'h': usage(stdout); return 1;
		case 'm':
			if ((o->max = parse_num(optarg, KT_PROBE_MIN_V4, KT_PROBE_MAX_SIZE)) < 0)
				goto bad;
			break;
		case 'e':
			if ((o->expect = parse_num(optarg, KT_PROBE_MIN_V4, KT_PROBE_MAX_SIZE)) < 0)
				goto bad;
			break;
		case 't':
			if ((o->timeout_ms = parse_num(optarg, 1, 60000)) < 0)
				goto bad;
			break;
		case 'n':
			if ((o->tries = parse_num(optarg, 1, 100)) < 0)
				goto bad;
			break;
		case 'M':
			if ((m = kt_probe_method_from_name(optarg)) < 0)
				goto bad;
			o->method = (enum kt_probe_method)m;
			break;
		case 'f':
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
				goto bad;
			*json = strcmp(optarg, "json") == 0;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "ktriage net probe: give exactly one HOST\n");
		usage(stderr);
		return 2;
	}
	o->host = argv[optind];
	return 0;
bad:
	fprintf(stderr, "ktriage net probe: bad value '%s' for -%c (see --help)\n", optarg, c);
	return 2;
}

int
kt_cli_net_probe(int argc, char **argv)
{
	struct kt_probe_opts o = { 0 };
	struct kt_probe_result *r;
	struct kt_ctx *ctx;
	bool json = false;
	int rc, err;

	rc = parse_args(argc, argv, &o, &json);
	if (rc)
		return rc == 1 ? 0 : rc;
	ctx = kt_ctx_new();
	r = calloc(1, sizeof(*r));
	if (!r) {
		kt_ctx_free(ctx);
		return 3;
	}
	err = kt_probe_run(ctx, &o, r);
	if (err < 0) {
		fprintf(stderr, "ktriage net probe: %s\n", kt_ctx_errmsg(ctx));
		rc = err == KT_EINVAL ? 2 : 3;
	} else {
		if (json) {
			json_t *j = kt_probe_result_to_json(r);

			(void)json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
			printf("\n");
			json_decref(j);
		} else {
			print_text(r);
		}
		rc = exit_status(r);
	}
	free(r);
	kt_ctx_free(ctx);
	return rc;
}
