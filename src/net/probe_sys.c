/*
 * net: the real probe sockets behind struct kt_probe_ops. Consumes a
 * destination address; produces DF-set ICMP echo or UDP probes and the
 * events their answers cause (echo replies, and ICMP errors read from the
 * socket error queue with IP_RECVERR / IPV6_RECVERR). Sends only to the
 * destination it was opened for. The search itself is in probe.c.
 *
 * IP_PMTUDISC_PROBE sets DF but ignores the kernel's cached path MTU, so a
 * size the kernel "knows" is too big still goes out and is measured
 * (include/uapi/linux/in.h, ip(7)); only the device MTU is enforced.
 */
#include "net/probe.h"

#include <errno.h>
#include <ifaddrs.h>
#include <linux/errqueue.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "util/mem.h"

/* ICMP type/code numbers: RFC 792 (v4), RFC 4443 (v6); RFC 1191 for
 * fragmentation-needed carrying the next-hop MTU. */
enum {
	ICMP4_ECHO_REPLY = 0,
	ICMP4_DEST_UNREACH = 3,
	ICMP4_PORT_UNREACH = 3,
	ICMP4_FRAG_NEEDED = 4,
	ICMP4_ECHO = 8,
	ICMP6_DEST_UNREACH_T = 1,
	ICMP6_PORT_UNREACH = 4,
	ICMP6_PKT_TOO_BIG = 2,
	ICMP6_ECHO = 128,
	ICMP6_ECHO_REPLY_T = 129,
};

/* setsockopt(SOL_RAW, ICMP_FILTER): include/uapi/linux/icmp.h (not
 * included: it clashes with <netinet/ip_icmp.h>-style definitions). */
#define LINUX_ICMP_FILTER 1

/* UDP probes go to 33434 + seq (the traceroute ports, RFC 1393 era), so
 * an ICMP error naming the original port tells which probe it is about. */
#define UDP_BASE_PORT	33434
#define UDP_PORT_SPAN	30000

struct sys_sock {
	int fd;
	enum kt_probe_method method;
	enum kt_probe_family family;
	uint16_t id;		/* ICMP id (raw sockets; ping sockets get the kernel's) */
	struct sockaddr_storage dst;
	socklen_t dst_len;
	uint8_t buf[KT_PROBE_MAX_SIZE + 1];
};

uint16_t
kt_probe_cksum(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void
kt_probe_build_echo(enum kt_probe_family f, uint16_t id, uint16_t seq, uint8_t *buf, size_t len)
{
	uint16_t sum;

	for (size_t i = 8; i < len; i++)
		buf[i] = (uint8_t)(0x20 + (i + seq) % 0x5f);	/* printable, like ping */
	buf[0] = f == KT_PROBE_FAMILY_V6 ? ICMP6_ECHO : ICMP4_ECHO;
	buf[1] = 0;
	buf[2] = buf[3] = 0;
	buf[4] = (uint8_t)(id >> 8);
	buf[5] = (uint8_t)id;
	buf[6] = (uint8_t)(seq >> 8);
	buf[7] = (uint8_t)seq;
	if (f == KT_PROBE_FAMILY_V6)
		return;	/* the kernel sums ICMPv6 (it needs the pseudo-header) */
	sum = kt_probe_cksum(buf, len);
	buf[2] = (uint8_t)(sum >> 8);
	buf[3] = (uint8_t)sum;
}

enum kt_probe_ev
kt_probe_classify_err(enum kt_probe_method method, uint8_t origin, uint8_t type, uint8_t code)
{
	bool udp = method == KT_PROBE_METHOD_UDP;

	if (origin == SO_EE_ORIGIN_ICMP) {
		if (type == ICMP4_DEST_UNREACH && code == ICMP4_FRAG_NEEDED)
			return KT_PROBE_EV_TOO_BIG;
		if (udp && type == ICMP4_DEST_UNREACH && code == ICMP4_PORT_UNREACH)
			return KT_PROBE_EV_REPLY;	/* it reached the host */
		return KT_PROBE_EV_UNREACH;
	}
	if (origin == SO_EE_ORIGIN_ICMP6) {
		if (type == ICMP6_PKT_TOO_BIG)
			return KT_PROBE_EV_TOO_BIG;
		if (udp && type == ICMP6_DEST_UNREACH_T && code == ICMP6_PORT_UNREACH)
			return KT_PROBE_EV_REPLY;
		return KT_PROBE_EV_UNREACH;
	}
	/* SO_EE_ORIGIN_LOCAL (our own EMSGSIZE, already seen by send()),
	 * timestamps, zerocopy: not about the path. */
	return KT_PROBE_EV_TIMEOUT;
}

static void
addr_text(const struct sockaddr *sa, socklen_t len, char out[KT_PROBE_ADDR_LEN])
{
	out[0] = '\0';
	if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)
		return;
	if (getnameinfo(sa, len, out, KT_PROBE_ADDR_LEN, NULL, 0, NI_NUMERICHOST) != 0)
		out[0] = '\0';
}

static bool
same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		      &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr)) == 0;
}

static int
sys_resolve(void *ud, const char *host, enum kt_probe_family family,
	    struct sockaddr_storage *ret, socklen_t *ret_len, char ret_text[KT_PROBE_ADDR_LEN])
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res = NULL;

	hints.ai_family = family == KT_PROBE_FAMILY_V4   ? AF_INET
			  : family == KT_PROBE_FAMILY_V6 ? AF_INET6
							 : AF_UNSPEC;
	if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res)
		return -ENOENT;
	if (res->ai_addrlen > sizeof(*ret)) {
		freeaddrinfo(res);
		return -ENOENT;
	}
	memset(ret, 0, sizeof(*ret));
	memcpy(ret, res->ai_addr, res->ai_addrlen);
	*ret_len = res->ai_addrlen;
	freeaddrinfo(res);
	addr_text((struct sockaddr *)ret, *ret_len, ret_text);
	return 0;
}

/* Name of the interface that owns `local` (getifaddrs), or "" . */
static void
iface_of(const struct sockaddr_storage *local, char ret[KT_PROBE_IFNAME_LEN])
{
	struct ifaddrs *ifs = NULL;

	ret[0] = '\0';
	if (getifaddrs(&ifs) != 0)
		return;
	for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
		struct sockaddr_storage ss;

		if (!i->ifa_addr || i->ifa_addr->sa_family != local->ss_family)
			continue;
		memset(&ss, 0, sizeof(ss));
		memcpy(&ss, i->ifa_addr, local->ss_family == AF_INET ? sizeof(struct sockaddr_in)
								     : sizeof(struct sockaddr_in6));
		if (same_host(&ss, local)) {
			(void)snprintf(ret, KT_PROBE_IFNAME_LEN, "%s", i->ifa_name);
			break;
		}
	}
	freeifaddrs(ifs);
}

static int
sys_route(void *ud, const struct sockaddr *dst, socklen_t dst_len, const char *iface,
	  char ret_iface[KT_PROBE_IFNAME_LEN], int *ret_iface_mtu, int *ret_route_mtu)
{
	struct sockaddr_storage peer, local;
	socklen_t len = sizeof(local);
	bool v6 = dst->sa_family == AF_INET6;
	struct ifreq ifr;
	int mtu = 0, err = 0;
	int fd;

	*ret_iface_mtu = *ret_route_mtu = 0;
	ret_iface[0] = '\0';
	fd = socket(dst->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (iface && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, iface, (socklen_t)strlen(iface)))
		goto fail;
	/* Connecting a UDP socket picks the route and sends nothing. */
	memset(&peer, 0, sizeof(peer));
	memcpy(&peer, dst, dst_len);
	if (v6)
		((struct sockaddr_in6 *)&peer)->sin6_port = htons(9);
	else
		((struct sockaddr_in *)&peer)->sin_port = htons(9);
	if (connect(fd, (struct sockaddr *)&peer, dst_len) != 0)
		goto fail;
	len = sizeof(mtu);
	if (getsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MTU : IP_MTU, &mtu, &len) == 0)
		*ret_route_mtu = mtu;
	if (iface) {
		(void)snprintf(ret_iface, KT_PROBE_IFNAME_LEN, "%s", iface);
	} else {
		len = sizeof(local);
		if (getsockname(fd, (struct sockaddr *)&local, &len) == 0)
			iface_of(&local, ret_iface);
	}
	memset(&ifr, 0, sizeof(ifr));
	(void)snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ret_iface);
	if (ret_iface[0] && ioctl(fd, SIOCGIFMTU, &ifr) == 0)
		*ret_iface_mtu = ifr.ifr_mtu;
	close(fd);
	return 0;
fail:
	err = -errno;
	close(fd);
	return err;
}

/* setsockopt that reports failure as -errno. */
static int
sockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	return setsockopt(fd, level, name, val, len) == 0 ? 0 : -errno;
}

static int
setup_sock(struct sys_sock *ss, const char *iface)
{
	int on = 1, err;

	if (ss->family == KT_PROBE_FAMILY_V6) {
		int probe = IPV6_PMTUDISC_PROBE;

		err = sockopt(ss->fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &probe, sizeof(probe));
		if (!err)
			err = sockopt(ss->fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on));
		/* Never fragment locally either (RFC 3542 section 11.2). */
		if (!err)
			err = sockopt(ss->fd, IPPROTO_IPV6, IPV6_DONTFRAG, &on, sizeof(on));
		if (!err && ss->method == KT_PROBE_METHOD_RAW) {
			struct icmp6_filter f;

			ICMP6_FILTER_SETBLOCKALL(&f);
			ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY_T, &f);
			err = sockopt(ss->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
		}
	} else {
		int probe = IP_PMTUDISC_PROBE;

		err = sockopt(ss->fd, IPPROTO_IP, IP_MTU_DISCOVER, &probe, sizeof(probe));
		if (!err)
			err = sockopt(ss->fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
		if (!err && ss->method == KT_PROBE_METHOD_RAW) {
			/* Deliver echo replies only; ICMP errors about our
			 * probes still reach the error queue. */
			uint32_t mask = ~(UINT32_C(1) << ICMP4_ECHO_REPLY);

			err = sockopt(ss->fd, SOL_RAW, LINUX_ICMP_FILTER, &mask, sizeof(mask));
		}
	}
	if (!err && iface)
		err = sockopt(ss->fd, SOL_SOCKET, SO_BINDTODEVICE, iface, (socklen_t)strlen(iface));
	return err;
}

static int
sys_open(void *ud, enum kt_probe_method method, const struct sockaddr *dst, socklen_t dst_len,
	 const char *iface, void **ret_sock)
{
	bool v6 = dst->sa_family == AF_INET6;
	int type = method == KT_PROBE_METHOD_RAW ? SOCK_RAW : SOCK_DGRAM;
	int proto = method == KT_PROBE_METHOD_UDP ? IPPROTO_UDP
		    : v6			  ? IPPROTO_ICMPV6
						  : IPPROTO_ICMP;
	struct sys_sock *ss;
	int fd, err;

	if (method == KT_PROBE_METHOD_AUTO || method >= KT_PROBE_METHOD_COUNT ||
	    dst_len > sizeof(ss->dst))
		return -EINVAL;
	fd = socket(dst->sa_family, type | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return -errno;
	ss = kt_calloc(1, sizeof(*ss));
	ss->fd = fd;
	ss->method = method;
	ss->family = v6 ? KT_PROBE_FAMILY_V6 : KT_PROBE_FAMILY_V4;
	ss->id = (uint16_t)(getpid() ^ ((uintptr_t)ss >> 4));
	memcpy(&ss->dst, dst, dst_len);
	ss->dst_len = dst_len;
	err = setup_sock(ss, iface);
	if (err < 0) {
		close(fd);
		free(ss);
		return err;
	}
	*ret_sock = ss;
	return 0;
}

static void
set_port(struct sockaddr_storage *sa, uint16_t port)
{
	if (sa->ss_family == AF_INET6)
		((struct sockaddr_in6 *)sa)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)sa)->sin_port = htons(port);
}

static uint16_t
get_port(const struct sockaddr_storage *sa)
{
	if (sa->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return ntohs(((const struct sockaddr_in *)sa)->sin_port);
}

static int
sys_send(void *ud, void *sock, int size, uint16_t seq)
{
	struct sys_sock *ss = sock;
	struct sockaddr_storage to = ss->dst;
	int ip_hdr = kt_probe_overhead(ss->family) - 8;
	size_t len;

	if (size < kt_probe_overhead(ss->family) || size > KT_PROBE_MAX_SIZE)
		return -EINVAL;
	if (ss->method == KT_PROBE_METHOD_UDP) {
		len = (size_t)(size - kt_probe_overhead(ss->family));
		memset(ss->buf, 0, len);
		if (len >= 2) {
			ss->buf[0] = (uint8_t)(seq >> 8);
			ss->buf[1] = (uint8_t)seq;
		}
		set_port(&to, (uint16_t)(UDP_BASE_PORT + seq % UDP_PORT_SPAN));
	} else {
		len = (size_t)(size - ip_hdr);	/* ICMP header + data */
		kt_probe_build_echo(ss->family, ss->id, seq, ss->buf, len);
		set_port(&to, 0);
	}
	if (sendto(ss->fd, ss->buf, len, 0, (struct sockaddr *)&to, ss->dst_len) < 0)
		return -errno;
	return 0;
}

bool
kt_probe_parse_quoted(enum kt_probe_method method, enum kt_probe_family family, uint16_t id,
		      const uint8_t *p, size_t n, uint16_t *ret_seq)
{
	uint8_t echo = family == KT_PROBE_FAMILY_V6 ? ICMP6_ECHO : ICMP4_ECHO;

	if (n < 8 || p[0] != echo)
		return false;
	if (method == KT_PROBE_METHOD_RAW && (uint16_t)(p[4] << 8 | p[5]) != id)
		return false;
	*ret_seq = (uint16_t)(p[6] << 8 | p[7]);
	return true;
}

bool
kt_probe_parse_reply(enum kt_probe_method method, enum kt_probe_family family, uint16_t id,
		     const uint8_t *p, size_t n, uint16_t *ret_seq)
{
	uint8_t reply = family == KT_PROBE_FAMILY_V6 ? ICMP6_ECHO_REPLY_T : ICMP4_ECHO_REPLY;

	/* Raw IPv4 sockets see the IP header first ("45 00 05 dc ...":
	 * version 4, header length 5 words); the others start at ICMP. */
	if (method == KT_PROBE_METHOD_RAW && family == KT_PROBE_FAMILY_V4) {
		size_t ihl;

		if (n < 20 || p[0] >> 4 != 4)
			return false;
		ihl = (size_t)(p[0] & 0x0f) * 4;
		if (ihl < 20 || n < ihl + 8)
			return false;
		p += ihl;
		n -= ihl;
	}
	if (n < 8 || p[0] != reply || p[1] != 0)
		return false;
	if (method == KT_PROBE_METHOD_RAW && (uint16_t)(p[4] << 8 | p[5]) != id)
		return false;	/* someone else's ping */
	*ret_seq = (uint16_t)(p[6] << 8 | p[7]);
	return true;
}

/* Address of the hop that sent the ICMP error: a sockaddr right after ee
 * in the cmsg (SO_EE_OFFENDER, include/uapi/linux/errqueue.h). */
static void
offender_text(const struct sock_extended_err *ee, size_t ee_len, char out[KT_PROBE_ADDR_LEN])
{
	const struct sockaddr *off = SO_EE_OFFENDER(ee);
	size_t room = ee_len - sizeof(*ee);

	out[0] = '\0';
	if (room >= sizeof(struct sockaddr_in6) && off->sa_family == AF_INET6)
		addr_text(off, sizeof(struct sockaddr_in6), out);
	else if (room >= sizeof(struct sockaddr_in) && off->sa_family == AF_INET)
		addr_text(off, sizeof(struct sockaddr_in), out);
}

/* One entry of the error queue -> event (kind TIMEOUT if irrelevant). */
static void
read_errqueue(struct sys_sock *ss, struct kt_probe_event *ev)
{
	union {
		char buf[512];
		struct cmsghdr align;
	} cbuf;
	struct sockaddr_storage name;
	struct iovec iov = { ss->buf, sizeof(ss->buf) };
	struct msghdr msg = {
		.msg_name = &name, .msg_namelen = sizeof(name),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf),
	};
	const struct sock_extended_err *ee = NULL;
	size_t ee_len = 0;
	ssize_t n;

	ev->kind = KT_PROBE_EV_TIMEOUT;
	memset(&name, 0, sizeof(name));
	n = recvmsg(ss->fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
	if (n < 0) {
		/* A pending socket error with nothing queued: clear it, or
		 * poll() keeps reporting POLLERR until the deadline. */
		int soerr;
		socklen_t len = sizeof(soerr);

		(void)getsockopt(ss->fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
		return;
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
		     (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)) &&
		    c->cmsg_len >= CMSG_LEN(sizeof(*ee))) {
			ee = (const struct sock_extended_err *)CMSG_DATA(c);
			ee_len = c->cmsg_len - CMSG_LEN(0);
		}
	if (!ee)
		return;
	if (ss->method == KT_PROBE_METHOD_UDP) {
		/* msg_name is the original destination, with our port. */
		if (!same_host(&name, &ss->dst))
			return;
		ev->seq = (uint16_t)(get_port(&name) - UDP_BASE_PORT);
		ev->seq_known = get_port(&name) >= UDP_BASE_PORT;
	} else {
		ev->seq_known = kt_probe_parse_quoted(ss->method, ss->family, ss->id, ss->buf,
						      (size_t)n, &ev->seq);
		if (!ev->seq_known && ss->method == KT_PROBE_METHOD_RAW)
			return;	/* someone else's ping on this host */
	}
	ev->kind = kt_probe_classify_err(ss->method, ee->ee_origin, ee->ee_type, ee->ee_code);
	ev->mtu = ev->kind == KT_PROBE_EV_TOO_BIG ? (int)ee->ee_info : 0;
	ev->error = (int)ee->ee_errno;
	offender_text(ee, ee_len, ev->from);
}

/* One datagram -> event (kind TIMEOUT if not an answer to us). */
static void
read_reply(struct sys_sock *ss, struct kt_probe_event *ev)
{
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	ssize_t n;

	ev->kind = KT_PROBE_EV_TIMEOUT;
	memset(&from, 0, sizeof(from));
	n = recvfrom(ss->fd, ss->buf, sizeof(ss->buf), MSG_DONTWAIT, (struct sockaddr *)&from,
		     &flen);
	if (n <= 0 || !same_host(&from, &ss->dst))
		return;
	addr_text((struct sockaddr *)&from, flen, ev->from);
	if (ss->method == KT_PROBE_METHOD_UDP) {
		ev->kind = KT_PROBE_EV_REPLY;	/* something listens and answered */
		return;
	}
	if (kt_probe_parse_reply(ss->method, ss->family, ss->id, ss->buf, (size_t)n, &ev->seq)) {
		ev->kind = KT_PROBE_EV_REPLY;
		ev->seq_known = true;
	}
}

static int
sys_wait(void *ud, void *sock, int timeout_ms, struct kt_probe_event *ret)
{
	struct sys_sock *ss = sock;
	struct pollfd pfd = { .fd = ss->fd, .events = POLLIN };
	int rc;

	ret->kind = KT_PROBE_EV_TIMEOUT;
	rc = poll(&pfd, 1, timeout_ms);
	if (rc < 0)
		return errno == EINTR ? 0 : -errno;
	if (rc == 0)
		return 0;
	if (pfd.revents & POLLERR)
		read_errqueue(ss, ret);
	else if (pfd.revents & POLLIN)
		read_reply(ss, ret);
	return 0;
}

static void
sys_close(void *ud, void *sock)
{
	struct sys_sock *ss = sock;

	if (!ss)
		return;
	close(ss->fd);
	free(ss);
}

static int64_t
sys_now_us(void *ud)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

const struct kt_probe_ops kt_probe_sys_ops = {
	.resolve = sys_resolve,
	.route = sys_route,
	.open = sys_open,
	.send = sys_send,
	.wait = sys_wait,
	.close = sys_close,
	.now_us = sys_now_us,
};
