/*
 * net: path-MTU probe internals. The search (probe.c) talks to the network
 * only through struct kt_probe_ops, so unit tests drive it with a scripted
 * fake; probe_sys.c is the real implementation (raw/ping/UDP sockets, error
 * queue). probe_json.c turns a result into JSON for the CLI and the audit.
 */
#ifndef KT_NET_PROBE_H
#define KT_NET_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <ktriage/probe.h>

/* What the socket saw while waiting for one probe's answer. */
enum kt_probe_ev {
	KT_PROBE_EV_TIMEOUT,	/* nothing (relevant) before the deadline */
	KT_PROBE_EV_REPLY,	/* echo reply, or port-unreachable from the host (UDP) */
	KT_PROBE_EV_TOO_BIG,	/* ICMP fragmentation-needed / ICMPv6 packet-too-big */
	KT_PROBE_EV_UNREACH,	/* any other ICMP error about our probe */
	KT_PROBE_EV_COUNT
};

struct kt_probe_event {
	enum kt_probe_ev kind;
	bool seq_known;		/* the answer quoted our sequence number */
	uint16_t seq;
	int mtu;		/* TOO_BIG: announced next-hop MTU (0: none) */
	int error;		/* UNREACH: errno the kernel mapped the ICMP to */
	char from[KT_PROBE_ADDR_LEN];	/* replier / ICMP sender, numeric, or "" */
};

/*
 * The seam. `ud` is the ops' own state; `sock` a handle from open().
 * Functions returning int give 0 or a negative errno.
 */
struct kt_probe_ops {
	/* Resolve host for family (ANY/V4/V6) into *ret (numeric form in
	 * ret_text). -ENOENT if it does not resolve. */
	int (*resolve)(void *ud, const char *host, enum kt_probe_family family,
		       struct sockaddr_storage *ret, socklen_t *ret_len,
		       char ret_text[KT_PROBE_ADDR_LEN]);
	/* Outgoing interface to dst (or `iface` if given): its name and MTU,
	 * and the kernel's current route/path MTU (0 if unknown). Sends
	 * nothing. -ENODEV: iface unknown; -ENETUNREACH: no route. */
	int (*route)(void *ud, const struct sockaddr *dst, socklen_t dst_len, const char *iface,
		     char ret_iface[KT_PROBE_IFNAME_LEN], int *ret_iface_mtu, int *ret_route_mtu);
	/* Open a DF-probing socket of `method` (never AUTO) towards dst.
	 * -EPERM / -EACCES / -EPROTONOSUPPORT: method not available here. */
	int (*open)(void *ud, enum kt_probe_method method, const struct sockaddr *dst,
		    socklen_t dst_len, const char *iface, void **ret_sock);
	/* Send one probe of `size` bytes (full IP packet) carrying seq.
	 * -EMSGSIZE: larger than the local interface allows. */
	int (*send)(void *ud, void *sock, int size, uint16_t seq);
	/* Wait up to timeout_ms for the next relevant event. */
	int (*wait)(void *ud, void *sock, int timeout_ms, struct kt_probe_event *ret);
	void (*close)(void *ud, void *sock);
	/* Monotonic clock, microseconds. */
	int64_t (*now_us)(void *ud);
};

/* The real thing: sockets, getaddrinfo, the error queue. */
extern const struct kt_probe_ops kt_probe_sys_ops;

/* kt_probe_run() with explicit ops (tests pass a fake). */
int kt_probe_run_ops(struct kt_ctx *ctx, const struct kt_probe_opts *o,
		     const struct kt_probe_ops *ops, void *ud, struct kt_probe_result *ret);

/* Shortest wait for one reply once the round-trip time is known: keeps a
 * black-holed LAN path from costing tries x timeout per size. */
#define KT_PROBE_MIN_WAIT_MS	100

/* Bytes of IP + ICMP/UDP header in a probe of family f (28 / 48). */
int kt_probe_overhead(enum kt_probe_family f);

/* Internet checksum (RFC 1071) of buf. */
uint16_t kt_probe_cksum(const void *buf, size_t len);

/* Build an ICMP (v4) or ICMPv6 echo request of `len` bytes (>= 8) into buf:
 * header (id, seq, checksum for v4; the kernel sums ICMPv6) + pattern. */
void kt_probe_build_echo(enum kt_probe_family f, uint16_t id, uint16_t seq, uint8_t *buf,
			 size_t len);

/* Classify an error-queue entry (struct sock_extended_err fields) about a
 * probe sent with `method`. Returns the event kind; KT_PROBE_EV_TIMEOUT means
 * "not about the path, ignore" (local errors, unknown origins). */
enum kt_probe_ev kt_probe_classify_err(enum kt_probe_method method, uint8_t origin,
				       uint8_t type, uint8_t code);

/* Parse a received datagram (untrusted bytes): true if it is an echo reply
 * for a probe of `method`/`family` (ICMP id checked on raw sockets, whose
 * IPv4 datagrams start with the IP header); *ret_seq is its sequence. */
bool kt_probe_parse_reply(enum kt_probe_method method, enum kt_probe_family family, uint16_t id,
			  const uint8_t *p, size_t n, uint16_t *ret_seq);
/* Parse the payload of an error-queue entry (the start of our probe as a
 * hop quoted it): true if it is our echo request; *ret_seq is its sequence. */
bool kt_probe_parse_quoted(enum kt_probe_method method, enum kt_probe_family family, uint16_t id,
			   const uint8_t *p, size_t n, uint16_t *ret_seq);

/* Result as a JSON object (jansson). Caller owns the reference; release it
 * with json_decref(). */
struct json_t;
struct json_t *kt_probe_result_to_json(const struct kt_probe_result *r);

#endif
