/*
 * Path-MTU probe: send DF-set packets of chosen sizes to ONE host and find
 * the largest packet that gets through, the hop that announced a smaller MTU
 * (ICMP fragmentation-needed / ICMPv6 packet-too-big) and "black holes"
 * (big packets silently lost while small ones pass: a switch or router in
 * the path with a smaller MTU whose ICMP never comes back).
 *
 * Sizes are always full IP packet sizes (IP header included), the unit of
 * an interface MTU: a 1500-byte probe is what `ping -M do -s 1472` sends
 * over IPv4 and `ping -M do -s 1452` over IPv6.
 *
 * The result is a plain fixed-size struct (no pointers), so it can be
 * copied, stored and turned into JSON (see src/net/probe.h) freely.
 */
#ifndef KTRIAGE_PROBE_H
#define KTRIAGE_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include <ktriage/error.h>
#include <ktriage/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bounds of the fixed-size result. */
#define KT_PROBE_MAX_STEPS	64	/* sizes tried in one run (a search needs ~25) */
#define KT_PROBE_ADDR_LEN	64	/* numeric IPv4/IPv6 address with %scope */
#define KT_PROBE_HOST_LEN	256
#define KT_PROBE_IFNAME_LEN	16

/* Defaults used when an option is 0. */
#define KT_PROBE_DEFAULT_TIMEOUT_MS	1000
#define KT_PROBE_DEFAULT_TRIES		3

/* Smallest packet every link must carry (RFC 791 / RFC 8200). */
#define KT_PROBE_MIN_V4		68
#define KT_PROBE_MIN_V6		1280
/* Largest IP packet (IPv4 total length, IPv6 without jumbograms). */
#define KT_PROBE_MAX_SIZE	65535

enum kt_probe_family {
	KT_PROBE_FAMILY_ANY,	/* whatever the host name resolves to first */
	KT_PROBE_FAMILY_V4,
	KT_PROBE_FAMILY_V6,
	KT_PROBE_FAMILY_COUNT
};

/* How probes are sent. AUTO tries RAW (root), then PING (unprivileged ICMP
 * socket, needs net.ipv4.ping_group_range), then UDP. */
enum kt_probe_method {
	KT_PROBE_METHOD_AUTO,
	KT_PROBE_METHOD_RAW,	/* ICMP echo, raw socket */
	KT_PROBE_METHOD_PING,	/* ICMP echo, SOCK_DGRAM/IPPROTO_ICMP socket */
	KT_PROBE_METHOD_UDP,	/* UDP to a high port; ICMP port-unreachable = arrived (tracepath) */
	KT_PROBE_METHOD_COUNT
};

/* What became of one size. */
enum kt_probe_outcome {
	KT_PROBE_PASSED,	/* a reply came back */
	KT_PROBE_LOST,		/* every try went unanswered: silently dropped */
	KT_PROBE_TOO_BIG,	/* a hop answered fragmentation-needed / packet-too-big */
	KT_PROBE_LOCAL_TOO_BIG,	/* larger than the outgoing interface's MTU (EMSGSIZE) */
	KT_PROBE_UNREACHABLE,	/* ICMP unreachable (not for size) or send error */
	KT_PROBE_INFERRED,	/* not sent: above the MTU a hop announced */
	KT_PROBE_OUTCOME_COUNT
};

/* The answer in one word. */
enum kt_probe_verdict {
	KT_PROBE_VERDICT_FULL,		/* the path carries the largest size (--max) */
	KT_PROBE_VERDICT_LIMITED,	/* smaller, and the limit was announced (PMTUD works) */
	KT_PROBE_VERDICT_BLACK_HOLE,	/* smaller, and bigger packets vanish without ICMP */
	KT_PROBE_VERDICT_NO_REPLY,	/* not even the smallest probe was answered */
	KT_PROBE_VERDICT_COUNT
};

struct kt_probe_opts {
	const char *host;		/* name or address; the only host probes go to */
	const char *iface;		/* send through this interface (SO_BINDTODEVICE), or NULL */
	enum kt_probe_family family;
	enum kt_probe_method method;
	int max;			/* largest size tried; 0: the outgoing interface's MTU */
	int expect;			/* size the path must carry (also tried first); 0: none */
	int timeout_ms;			/* longest wait for one reply; 0: default */
	int tries;			/* losses before a size counts as failed; 0: default */
};

/* One size that was tried (or inferred). */
struct kt_probe_step {
	int size;			/* full IP packet size */
	enum kt_probe_outcome outcome;
	int attempts;			/* probes sent for this size */
	int rtt_us;			/* PASSED: round-trip time of the reply */
	int hop_mtu;			/* TOO_BIG: MTU the hop announced (0 if none) */
	char from[KT_PROBE_ADDR_LEN];	/* who answered (replier, hop), or "" */
};

struct kt_probe_result {
	char host[KT_PROBE_HOST_LEN];	/* as given */
	char addr[KT_PROBE_ADDR_LEN];	/* what it resolved to */
	enum kt_probe_family family;	/* V4 or V6 */
	enum kt_probe_method method;	/* method used (never AUTO) */
	char iface[KT_PROBE_IFNAME_LEN];/* outgoing interface, or "" if unknown */
	int iface_mtu;			/* its MTU, or 0 if unknown */
	int route_mtu;			/* kernel's cached path MTU to addr (IP_MTU) before probing, or 0 */
	int min;			/* protocol minimum (68 / 1280) */
	int max;			/* largest size tried */
	int expect;			/* as given (0: none) */

	enum kt_probe_verdict verdict;
	int pmtu;			/* largest size that passed; 0 if none */
	int smallest_failed;		/* smallest size that failed (or was inferred to); 0 if none */
	int hop_mtu;			/* smallest MTU a hop announced; 0 if none */
	char hop_addr[KT_PROBE_ADDR_LEN];/* address of that hop, or "" */
	bool black_hole;		/* smallest_failed was silently lost */
	bool expect_ok;			/* expect > 0 and pmtu >= expect */

	int probes_sent;
	int64_t elapsed_us;
	size_t n_steps;
	struct kt_probe_step steps[KT_PROBE_MAX_STEPS];	/* in the order tried */
};

/*
 * Measure the path MTU to o->host. Sends only to that host. Blocks for up to
 * about (sizes tried) x tries x timeout; a healthy path takes one round trip.
 * `ret` is caller-provided storage, written only on success.
 * Returns 0 (also when the path is bad or silent: see ret->verdict),
 * KT_EINVAL (bad options), KT_ENOTFOUND (host or interface unknown),
 * KT_EUNSUPPORTED (no probe socket can be opened), KT_EIO (socket error);
 * message on ctx.
 */
KT_API int kt_probe_run(struct kt_ctx *ctx, const struct kt_probe_opts *o,
			struct kt_probe_result *ret);

/* Names for JSON and text ("raw", "lost", "black-hole" ...). Static strings;
 * "?" for an out-of-range value. */
KT_API const char *kt_probe_family_name(enum kt_probe_family f);
KT_API const char *kt_probe_method_name(enum kt_probe_method m);
KT_API const char *kt_probe_outcome_name(enum kt_probe_outcome oc);
KT_API const char *kt_probe_verdict_name(enum kt_probe_verdict v);
/* Parse a method name ("auto", "raw", "ping", "udp"); -1 if unknown. */
KT_API int kt_probe_method_from_name(const char *name);

#ifdef __cplusplus
}
#endif
#endif
