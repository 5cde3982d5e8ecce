/*
 * Unit tests: path-MTU search (src/net/probe.c) against a scripted fake
 * network behind struct kt_probe_ops (hops with an MTU that do or do not
 * send ICMP, loss, latency, local MTU), plus the packet helpers of
 * probe_sys.c and the JSON form. No sockets, no sleeping: the fake owns
 * the clock.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/errqueue.h>

#include <cmocka.h>
#include <jansson.h>

#include <ktriage/ktriage.h>
#include <ktriage/probe.h>

#include "net/probe.h"

/* ---- the fake network ---------------------------------------------- */

struct hop {
	int mtu;		/* packets above this do not get past */
	bool icmp;		/* ... and the hop says so (TOO_BIG) */
	int announce;		/* MTU it announces; 0 = its mtu, -1 = none (old router) */
	const char *addr;
};

struct fake {
	/* scenario */
	enum kt_probe_family family;
	int iface_mtu;
	struct hop hops[3];
	bool silent;		/* the host never answers */
	uint64_t drop_mask;	/* bit i: the i-th probe sent is lost */
	uint64_t eperm_mask;	/* bit i: the i-th send fails with EPERM (local firewall) */
	int rtt_us;
	int open_err[KT_PROBE_METHOD_COUNT];
	int resolve_err, route_err;
	/* state */
	int64_t now;
	int sends;
	int opened;
	struct {
		int64_t at;
		struct kt_probe_event ev;
	} q[256];
	size_t nq;
};

static int
f_resolve(void *ud, const char *host, enum kt_probe_family family,
	  struct sockaddr_storage *ret, socklen_t *ret_len, char ret_text[KT_PROBE_ADDR_LEN])
{
	struct fake *f = ud;

	if (f->resolve_err)
		return f->resolve_err;
	memset(ret, 0, sizeof(*ret));
	ret->ss_family = f->family == KT_PROBE_FAMILY_V6 ? AF_INET6 : AF_INET;
	*ret_len = f->family == KT_PROBE_FAMILY_V6 ? sizeof(struct sockaddr_in6)
						   : sizeof(struct sockaddr_in);
	(void)snprintf(ret_text, KT_PROBE_ADDR_LEN, "%s",
		       f->family == KT_PROBE_FAMILY_V6 ? "2001:db8:2::2" : "198.51.100.2");
	return 0;
}

static int
f_route(void *ud, const struct sockaddr *dst, socklen_t dst_len, const char *iface,
	char ret_iface[KT_PROBE_IFNAME_LEN], int *ret_iface_mtu, int *ret_route_mtu)
{
	struct fake *f = ud;

	if (f->route_err)
		return f->route_err;
	(void)snprintf(ret_iface, KT_PROBE_IFNAME_LEN, "%s", iface ? iface : "eth0");
	*ret_iface_mtu = f->iface_mtu;
	*ret_route_mtu = f->iface_mtu;
	return 0;
}

static int
f_open(void *ud, enum kt_probe_method method, const struct sockaddr *dst, socklen_t dst_len,
       const char *iface, void **ret_sock)
{
	struct fake *f = ud;

	assert_true(method != KT_PROBE_METHOD_AUTO);
	if (f->open_err[method])
		return f->open_err[method];
	f->opened++;
	*ret_sock = f;
	return 0;
}

static void
push(struct fake *f, int64_t at, enum kt_probe_ev kind, uint16_t seq, int mtu, const char *from)
{
	assert_true(f->nq < 256);
	memset(&f->q[f->nq], 0, sizeof(f->q[0]));
	f->q[f->nq].at = at;
	f->q[f->nq].ev.kind = kind;
	f->q[f->nq].ev.seq = seq;
	f->q[f->nq].ev.seq_known = true;
	f->q[f->nq].ev.mtu = mtu;
	(void)snprintf(f->q[f->nq].ev.from, KT_PROBE_ADDR_LEN, "%s", from);
	f->nq++;
}

static int
f_send(void *ud, void *sock, int size, uint16_t seq)
{
	struct fake *f = ud;
	int rtt = f->rtt_us ? f->rtt_us : 200;

	assert_ptr_equal(sock, f);
	if (size > f->iface_mtu)
		return -EMSGSIZE;
	if (f->eperm_mask & (UINT64_C(1) << (f->sends & 63))) {
		f->sends++;
		return -EPERM;
	}
	if (f->drop_mask & (UINT64_C(1) << (f->sends++ & 63)))
		return 0;
	for (size_t i = 0; i < 3 && f->hops[i].mtu; i++) {
		const struct hop *h = &f->hops[i];

		if (size <= h->mtu)
			continue;
		if (h->icmp)
			push(f, f->now + rtt / 2, KT_PROBE_EV_TOO_BIG, seq,
			     h->announce < 0 ? 0 : h->announce ? h->announce : h->mtu, h->addr);
		return 0;
	}
	if (!f->silent)
		push(f, f->now + rtt, KT_PROBE_EV_REPLY, seq, 0,
		     f->family == KT_PROBE_FAMILY_V6 ? "2001:db8:2::2" : "198.51.100.2");
	return 0;
}

static int
f_wait(void *ud, void *sock, int timeout_ms, struct kt_probe_event *ret)
{
	struct fake *f = ud;
	int64_t until = f->now + (int64_t)timeout_ms * 1000;
	size_t best = f->nq;

	for (size_t i = 0; i < f->nq; i++)
		if (f->q[i].at <= until && (best == f->nq || f->q[i].at < f->q[best].at))
			best = i;
	if (best == f->nq) {
		f->now = until;
		ret->kind = KT_PROBE_EV_TIMEOUT;
		return 0;
	}
	if (f->q[best].at > f->now)
		f->now = f->q[best].at;
	*ret = f->q[best].ev;
	f->q[best] = f->q[--f->nq];
	return 0;
}

static void
f_close(void *ud, void *sock)
{
	struct fake *f = ud;

	f->opened--;
}

static int64_t
f_now(void *ud)
{
	return ((struct fake *)ud)->now;
}

static const struct kt_probe_ops fake_ops = {
	.resolve = f_resolve, .route = f_route, .open = f_open, .send = f_send,
	.wait = f_wait, .close = f_close, .now_us = f_now,
};

/* ---- search scenarios ---------------------------------------------- */

struct scenario {
	const char *name;
	struct fake net;
	int max, expect, tries;
	/* expected */
	enum kt_probe_verdict verdict;
	int pmtu, smallest_failed, hop_mtu;
	const char *hop_addr;
	int max_probes;		/* upper bound on probes sent */
	int64_t max_elapsed_ms;	/* upper bound on (fake) time */
};

#define R1 "192.0.2.254"
#define R2 "198.51.100.254"

static const struct scenario scenarios[] = {
	{ "healthy jumbo path", { .iface_mtu = 9000 },
	  0, 0, 0, KT_PROBE_VERDICT_FULL, 9000, 0, 0, NULL, 1, 10 },
	{ "router announces 1500", { .iface_mtu = 9000, .hops = { { 1500, true, 0, R1 } } },
	  0, 0, 0, KT_PROBE_VERDICT_LIMITED, 1500, 1501, 1500, R1, 2, 10 },
	{ "black hole at 1500", { .iface_mtu = 9000, .hops = { { 1500, false, 0, NULL } } },
	  0, 0, 0, KT_PROBE_VERDICT_BLACK_HOLE, 1500, 1501, 0, NULL, 12, 2500 },
	{ "black hole at an odd size (bisection)",
	  { .iface_mtu = 9000, .hops = { { 4321, false, 0, NULL } } },
	  0, 0, 0, KT_PROBE_VERDICT_BLACK_HOLE, 4321, 4322, 0, NULL, 60, 6000 },
	{ "IPv6 black hole at 1400",
	  { .family = KT_PROBE_FAMILY_V6, .iface_mtu = 9000, .hops = { { 1400, false, 0, NULL } } },
	  0, 0, 0, KT_PROBE_VERDICT_BLACK_HOLE, 1400, 1401, 0, NULL, 60, 6000 },
	{ "IPv6 packet-too-big 1280",
	  { .family = KT_PROBE_FAMILY_V6, .iface_mtu = 1500, .hops = { { 1280, true, 0, R1 } } },
	  0, 0, 0, KT_PROBE_VERDICT_LIMITED, 1280, 1281, 1280, R1, 2, 10 },
	{ "silent host", { .iface_mtu = 1500, .silent = true },
	  0, 0, 0, KT_PROBE_VERDICT_NO_REPLY, 0, 68, 0, NULL, 12, 15000 },
	{ "announced then black hole further on",
	  { .iface_mtu = 9000, .hops = { { 4000, true, 0, R1 }, { 1500, false, 0, NULL } } },
	  0, 0, 0, KT_PROBE_VERDICT_BLACK_HOLE, 1500, 1501, 4000, R1, 20, 3000 },
	{ "two routers announce, smallest wins",
	  { .iface_mtu = 9000, .hops = { { 4000, true, 0, R1 }, { 1500, true, 0, R2 } } },
	  0, 0, 0, KT_PROBE_VERDICT_LIMITED, 1500, 1501, 1500, R2, 3, 10 },
	{ "old router announces no MTU",
	  { .iface_mtu = 9000, .hops = { { 1500, true, -1, R1 } } },
	  0, 0, 0, KT_PROBE_VERDICT_LIMITED, 1500, 1501, 0, R1, 20, 50 },
	{ "bogus announced MTU above the probe",
	  { .iface_mtu = 9000, .hops = { { 1500, true, 20000, R1 } } },
	  0, 0, 0, KT_PROBE_VERDICT_LIMITED, 1500, 1501, 0, R1, 20, 50 },
	{ "--max above the interface MTU",
	  { .iface_mtu = 1500 },
	  9000, 0, 0, KT_PROBE_VERDICT_LIMITED, 1500, 1501, 0, NULL, 3, 10 },
	{ "--max below the path MTU", { .iface_mtu = 9000 },
	  4000, 0, 0, KT_PROBE_VERDICT_FULL, 4000, 0, 0, NULL, 1, 10 },
	{ "first probe lost on a healthy path",
	  { .iface_mtu = 9000, .drop_mask = 1 },
	  0, 0, 0, KT_PROBE_VERDICT_FULL, 9000, 0, 0, NULL, 3, 1200 },
	{ "loss: every third probe lost, black hole still exact",
	  { .iface_mtu = 9000, .hops = { { 1500, false, 0, NULL } },
	    .drop_mask = 0x4924924924924924ull },
	  0, 0, 0, KT_PROBE_VERDICT_BLACK_HOLE, 1500, 1501, 0, NULL, 30, 4000 },
	{ "loss: three losses in a row at the true MTU are rechecked",
	  { .iface_mtu = 9000, .hops = { { 1500, false, 0, NULL } },
	    /* sends: 9000, 68, 9000 x2, then 1500 x3 lost, 1501 ... */
	    .drop_mask = 0x70ull },
	  0, 0, 0, KT_PROBE_VERDICT_BLACK_HOLE, 1500, 1501, 0, NULL, 40, 5000 },
	{ "local firewall drops (EPERM) count as losses",
	  { .iface_mtu = 9000, .hops = { { 1500, false, 0, NULL } },
	    .eperm_mask = 0x1c1ull },
	  0, 0, 0, KT_PROBE_VERDICT_BLACK_HOLE, 1500, 1501, 0, NULL, 30, 5000 },
	{ "high latency (300 ms) black hole",
	  { .iface_mtu = 9000, .rtt_us = 300000, .hops = { { 1500, false, 0, NULL } } },
	  0, 0, 0, KT_PROBE_VERDICT_BLACK_HOLE, 1500, 1501, 0, NULL, 12, 12000 },
	{ "--expect is tried early",
	  { .iface_mtu = 9000, .hops = { { 8000, false, 0, NULL } } },
	  0, 8000, 0, KT_PROBE_VERDICT_BLACK_HOLE, 8000, 8001, 0, NULL, 14, 3000 },
	{ "--tries 1", { .iface_mtu = 9000, .hops = { { 1500, false, 0, NULL } } },
	  0, 0, 1, KT_PROBE_VERDICT_BLACK_HOLE, 1500, 1501, 0, NULL, 6, 1500 },
};

static void
test_scenarios(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		const struct scenario *sc = &scenarios[i];
		struct fake f = sc->net;
		struct kt_probe_opts o = { .host = "b.example", .max = sc->max,
					   .expect = sc->expect, .tries = sc->tries };
		struct kt_probe_result r;
		struct kt_ctx *ctx = kt_ctx_new();
		int err;

		f.now = 1000000;
		err = kt_probe_run_ops(ctx, &o, &fake_ops, &f, &r);
		if (err)
			fail_msg("%s: error %d: %s", sc->name, err, kt_ctx_errmsg(ctx));
		if (r.verdict != sc->verdict || r.pmtu != sc->pmtu ||
		    r.smallest_failed != sc->smallest_failed || r.hop_mtu != sc->hop_mtu ||
		    strcmp(r.hop_addr, sc->hop_addr ? sc->hop_addr : "") != 0)
			fail_msg("%s: got %s pmtu %d failed %d hop %d '%s'", sc->name,
				 kt_probe_verdict_name(r.verdict), r.pmtu, r.smallest_failed,
				 r.hop_mtu, r.hop_addr);
		if (r.probes_sent > sc->max_probes || r.elapsed_us > sc->max_elapsed_ms * 1000)
			fail_msg("%s: %d probes, %lld ms", sc->name, r.probes_sent,
				 (long long)(r.elapsed_us / 1000));
		assert_int_equal(r.black_hole, sc->verdict == KT_PROBE_VERDICT_BLACK_HOLE);
		assert_int_equal(r.expect_ok, sc->expect > 0 && r.pmtu >= sc->expect);
		assert_int_equal(f.opened, 0);	/* socket closed */
		assert_true(r.n_steps > 0 || sc->verdict == KT_PROBE_VERDICT_NO_REPLY);
		/* Every step is consistent with the answer. */
		for (size_t k = 0; k < r.n_steps; k++) {
			const struct kt_probe_step *st = &r.steps[k];

			if (st->outcome == KT_PROBE_PASSED)
				assert_true(st->size <= r.pmtu);
			else if (r.pmtu)
				assert_true(st->size > r.pmtu || st->outcome == KT_PROBE_LOST);
		}
		kt_ctx_free(ctx);
	}
}

static void
test_expect(void **state)
{
	static const struct { int expect; bool ok; } rows[] = {
		{ 9000, false }, { 1501, false }, { 1500, true }, { 1280, true },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct fake f = { .iface_mtu = 9000, .hops = { { 1500, true, 0, R1 } } };
		struct kt_probe_opts o = { .host = "b", .expect = rows[i].expect };
		struct kt_probe_result r;
		struct kt_ctx *ctx = kt_ctx_new();

		assert_int_equal(kt_probe_run_ops(ctx, &o, &fake_ops, &f, &r), 0);
		assert_int_equal(r.pmtu, 1500);
		assert_int_equal(r.expect, rows[i].expect);
		assert_int_equal(r.expect_ok, rows[i].ok);
		kt_ctx_free(ctx);
	}
}

/* AUTO falls back raw -> ping -> udp when a method is not permitted. */
static void
test_method_fallback(void **state)
{
	static const struct {
		enum kt_probe_method want;
		int raw, ping, udp;
		int err;
		enum kt_probe_method got;
	} rows[] = {
		{ KT_PROBE_METHOD_AUTO, 0, 0, 0, 0, KT_PROBE_METHOD_RAW },
		{ KT_PROBE_METHOD_AUTO, -EPERM, 0, 0, 0, KT_PROBE_METHOD_PING },
		{ KT_PROBE_METHOD_AUTO, -EPERM, -EACCES, 0, 0, KT_PROBE_METHOD_UDP },
		{ KT_PROBE_METHOD_AUTO, -EPERM, -EACCES, -EPERM, KT_EUNSUPPORTED, 0 },
		{ KT_PROBE_METHOD_AUTO, -EAFNOSUPPORT, 0, 0, KT_EUNSUPPORTED, 0 },
		{ KT_PROBE_METHOD_AUTO, -EMFILE, 0, 0, KT_EIO, 0 },
		{ KT_PROBE_METHOD_RAW, -EPERM, 0, 0, KT_EUNSUPPORTED, 0 },
		{ KT_PROBE_METHOD_UDP, -EPERM, -EPERM, 0, 0, KT_PROBE_METHOD_UDP },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct fake f = { .iface_mtu = 1500 };
		struct kt_probe_opts o = { .host = "b", .method = rows[i].want };
		struct kt_probe_result r = { .pmtu = -7 };
		struct kt_ctx *ctx = kt_ctx_new();

		f.open_err[KT_PROBE_METHOD_RAW] = rows[i].raw;
		f.open_err[KT_PROBE_METHOD_PING] = rows[i].ping;
		f.open_err[KT_PROBE_METHOD_UDP] = rows[i].udp;
		assert_int_equal(kt_probe_run_ops(ctx, &o, &fake_ops, &f, &r), rows[i].err);
		if (rows[i].err) {
			assert_int_equal(r.pmtu, -7);	/* untouched on failure */
			assert_true(strlen(kt_ctx_errmsg(ctx)) > 0);
		} else {
			assert_int_equal(r.method, rows[i].got);
			assert_int_equal(r.pmtu, 1500);
		}
		kt_ctx_free(ctx);
	}
}

static void
test_bad_input(void **state)
{
	static const struct {
		const char *host;
		int max, expect, timeout, tries;
		enum kt_probe_family family;
		int resolve_err, route_err;
		int err;
	} rows[] = {
		{ NULL, 0, 0, 0, 0, 0, 0, 0, KT_EINVAL },
		{ "", 0, 0, 0, 0, 0, 0, 0, KT_EINVAL },
		{ "b", 70000, 0, 0, 0, 0, 0, 0, KT_EINVAL },
		{ "b", 0, -1, 0, 0, 0, 0, 0, KT_EINVAL },
		{ "b", 0, 0, -5, 0, 0, 0, 0, KT_EINVAL },
		{ "b", 0, 0, 0, 1000, 0, 0, 0, KT_EINVAL },
		{ "b", 1000, 0, 0, 0, KT_PROBE_FAMILY_V6, 0, 0, KT_EINVAL },	/* < 1280 */
		{ "b", 67, 0, 0, 0, KT_PROBE_FAMILY_V4, 0, 0, KT_EINVAL },	/* < 68 */
		{ "b", 0, 0, 0, 0, 0, -ENOENT, 0, KT_ENOTFOUND },
		{ "b", 0, 0, 0, 0, 0, 0, -ENODEV, KT_ENOTFOUND },
		{ "b", 0, 0, 0, 0, 0, 0, -ENETUNREACH, KT_EIO },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct fake f = { .iface_mtu = 1500, .family = rows[i].family,
				  .resolve_err = rows[i].resolve_err,
				  .route_err = rows[i].route_err };
		struct kt_probe_opts o = { .host = rows[i].host, .max = rows[i].max,
					   .expect = rows[i].expect,
					   .timeout_ms = rows[i].timeout, .tries = rows[i].tries,
					   .family = rows[i].family, .iface = "eth7" };
		struct kt_probe_result r;
		struct kt_ctx *ctx = kt_ctx_new();

		if (kt_probe_run_ops(ctx, &o, &fake_ops, &f, &r) != rows[i].err)
			fail_msg("row %zu: wanted %d", i, rows[i].err);
		assert_int_equal(f.opened, 0);
		kt_ctx_free(ctx);
	}
	assert_int_equal(kt_probe_run_ops(NULL, NULL, &fake_ops, NULL, NULL), KT_EINVAL);
}

/* ---- helpers of probe_sys.c ---------------------------------------- */

static void
test_echo_and_cksum(void **state)
{
	static const size_t lens[] = { 8, 9, 40, 1472, 8972 };
	static uint8_t buf[9000];

	(void)state;
	/* RFC 1071 section 3 example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
	assert_int_equal(kt_probe_cksum((const uint8_t[]){ 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5,
							   0xf6, 0xf7 }, 8),
			 (uint16_t)~0xddf2);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		kt_probe_build_echo(KT_PROBE_FAMILY_V4, 0x1234, (uint16_t)(i + 0xfff0), buf, lens[i]);
		assert_int_equal(buf[0], 8);
		assert_int_equal(buf[4] << 8 | buf[5], 0x1234);
		assert_int_equal(buf[6] << 8 | buf[7], (uint16_t)(i + 0xfff0));
		assert_int_equal(kt_probe_cksum(buf, lens[i]), 0);	/* valid checksum */
		kt_probe_build_echo(KT_PROBE_FAMILY_V6, 7, 9, buf, lens[i]);
		assert_int_equal(buf[0], 128);
		assert_int_equal(buf[2] | buf[3], 0);	/* the kernel sums ICMPv6 */
	}
	assert_int_equal(kt_probe_overhead(KT_PROBE_FAMILY_V4), 28);
	assert_int_equal(kt_probe_overhead(KT_PROBE_FAMILY_V6), 48);
}

static void
test_classify(void **state)
{
	static const struct {
		enum kt_probe_method m;
		uint8_t origin, type, code;
		enum kt_probe_ev ev;
	} rows[] = {
		{ KT_PROBE_METHOD_RAW, SO_EE_ORIGIN_ICMP, 3, 4, KT_PROBE_EV_TOO_BIG },
		{ KT_PROBE_METHOD_UDP, SO_EE_ORIGIN_ICMP, 3, 4, KT_PROBE_EV_TOO_BIG },
		{ KT_PROBE_METHOD_RAW, SO_EE_ORIGIN_ICMP, 3, 1, KT_PROBE_EV_UNREACH },
		{ KT_PROBE_METHOD_RAW, SO_EE_ORIGIN_ICMP, 3, 3, KT_PROBE_EV_UNREACH },
		{ KT_PROBE_METHOD_UDP, SO_EE_ORIGIN_ICMP, 3, 3, KT_PROBE_EV_REPLY },
		{ KT_PROBE_METHOD_PING, SO_EE_ORIGIN_ICMP, 11, 0, KT_PROBE_EV_UNREACH },
		{ KT_PROBE_METHOD_PING, SO_EE_ORIGIN_ICMP6, 2, 0, KT_PROBE_EV_TOO_BIG },
		{ KT_PROBE_METHOD_UDP, SO_EE_ORIGIN_ICMP6, 1, 4, KT_PROBE_EV_REPLY },
		{ KT_PROBE_METHOD_RAW, SO_EE_ORIGIN_ICMP6, 1, 4, KT_PROBE_EV_UNREACH },
		{ KT_PROBE_METHOD_RAW, SO_EE_ORIGIN_ICMP6, 1, 0, KT_PROBE_EV_UNREACH },
		{ KT_PROBE_METHOD_RAW, SO_EE_ORIGIN_LOCAL, 0, 0, KT_PROBE_EV_TIMEOUT },
		{ KT_PROBE_METHOD_UDP, SO_EE_ORIGIN_NONE, 3, 4, KT_PROBE_EV_TIMEOUT },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (kt_probe_classify_err(rows[i].m, rows[i].origin, rows[i].type,
					  rows[i].code) != rows[i].ev)
			fail_msg("classify row %zu", i);
}

/* Received bytes are untrusted: table of real shapes and broken ones. */
static void
test_parse_reply(void **state)
{
	static const uint8_t ip4_hdr[20] = { 0x45, 0, 0, 28, 0, 0, 0x40, 0, 64, 1 };
	static const struct {
		const char *name;
		enum kt_probe_method m;
		enum kt_probe_family f;
		bool ip_hdr;		/* prepend ip4_hdr */
		uint8_t icmp[8];
		size_t n;		/* ICMP bytes given */
		bool ok;
		uint16_t seq;
	} rows[] = {
		{ "raw v4 reply", KT_PROBE_METHOD_RAW, KT_PROBE_FAMILY_V4, true,
		  { 0, 0, 0xab, 0xcd, 0x12, 0x34, 0x00, 0x07 }, 8, true, 7 },
		{ "raw v4 other id", KT_PROBE_METHOD_RAW, KT_PROBE_FAMILY_V4, true,
		  { 0, 0, 0, 0, 0x43, 0x21, 0x00, 0x07 }, 8, false, 0 },
		{ "raw v4 echo request", KT_PROBE_METHOD_RAW, KT_PROBE_FAMILY_V4, true,
		  { 8, 0, 0, 0, 0x12, 0x34, 0x00, 0x07 }, 8, false, 0 },
		{ "raw v4 truncated ICMP", KT_PROBE_METHOD_RAW, KT_PROBE_FAMILY_V4, true,
		  { 0, 0, 0, 0, 0x12, 0x34, 0x00 }, 7, false, 0 },
		{ "raw v4 no IP header", KT_PROBE_METHOD_RAW, KT_PROBE_FAMILY_V4, false,
		  { 0, 0, 0, 0, 0x12, 0x34, 0x00, 0x07 }, 8, false, 0 },
		{ "ping v4 reply (id is the kernel's)", KT_PROBE_METHOD_PING, KT_PROBE_FAMILY_V4,
		  false, { 0, 0, 0, 0, 0x99, 0x99, 0x01, 0x00 }, 8, true, 256 },
		{ "ping v4 bad code", KT_PROBE_METHOD_PING, KT_PROBE_FAMILY_V4, false,
		  { 0, 1, 0, 0, 0, 0, 0, 1 }, 8, false, 0 },
		{ "raw v6 reply", KT_PROBE_METHOD_RAW, KT_PROBE_FAMILY_V6, false,
		  { 129, 0, 0, 0, 0x12, 0x34, 0xff, 0xff }, 8, true, 0xffff },
		{ "raw v6 v4-type reply", KT_PROBE_METHOD_RAW, KT_PROBE_FAMILY_V6, false,
		  { 0, 0, 0, 0, 0x12, 0x34, 0, 1 }, 8, false, 0 },
		{ "ping v6 reply", KT_PROBE_METHOD_PING, KT_PROBE_FAMILY_V6, false,
		  { 129, 0, 0, 0, 0, 1, 0, 2 }, 8, true, 2 },
		{ "empty", KT_PROBE_METHOD_PING, KT_PROBE_FAMILY_V6, false, { 0 }, 0, false, 0 },
	};
	uint8_t buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t n = 0;
		uint16_t seq = 0;
		bool ok;

		if (rows[i].ip_hdr) {
			memcpy(buf, ip4_hdr, sizeof(ip4_hdr));
			n = sizeof(ip4_hdr);
		}
		memcpy(buf + n, rows[i].icmp, rows[i].n);
		n += rows[i].n;
		ok = kt_probe_parse_reply(rows[i].m, rows[i].f, 0x1234, buf, n, &seq);
		if (ok != rows[i].ok || (ok && seq != rows[i].seq))
			fail_msg("%s: ok %d seq %u", rows[i].name, ok, seq);
	}
	/* Quoted probe in an error-queue entry. */
	{
		static const uint8_t q4[8] = { 8, 0, 0, 0, 0x12, 0x34, 0, 9 };
		static const uint8_t q6[8] = { 128, 0, 0, 0, 0x77, 0x77, 0, 10 };
		uint16_t seq = 0;

		assert_true(kt_probe_parse_quoted(KT_PROBE_METHOD_RAW, KT_PROBE_FAMILY_V4, 0x1234,
						  q4, 8, &seq));
		assert_int_equal(seq, 9);
		assert_false(kt_probe_parse_quoted(KT_PROBE_METHOD_RAW, KT_PROBE_FAMILY_V4, 0x1235,
						   q4, 8, &seq));
		assert_false(kt_probe_parse_quoted(KT_PROBE_METHOD_RAW, KT_PROBE_FAMILY_V4, 0x1234,
						   q4, 7, &seq));
		assert_true(kt_probe_parse_quoted(KT_PROBE_METHOD_PING, KT_PROBE_FAMILY_V6, 0,
						  q6, 8, &seq));
		assert_int_equal(seq, 10);
		assert_false(kt_probe_parse_quoted(KT_PROBE_METHOD_PING, KT_PROBE_FAMILY_V4, 0,
						   q6, 8, &seq));
	}
}

/* Garbage of every length never crashes the parsers (run under ASan). */
static void
test_parse_garbage(void **state)
{
	uint8_t buf[128];
	uint32_t x = 2463534242u;	/* xorshift32 */

	(void)state;
	for (int round = 0; round < 20000; round++) {
		size_t n = (size_t)(round % (int)sizeof(buf));
		uint16_t seq;

		for (size_t i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			buf[i] = (uint8_t)x;
		}
		if (round & 1)
			buf[0] = 0x40 | (uint8_t)(x & 0x0f);	/* plausible IPv4 header */
		for (int m = KT_PROBE_METHOD_RAW; m < KT_PROBE_METHOD_COUNT; m++)
			for (int f = KT_PROBE_FAMILY_V4; f <= KT_PROBE_FAMILY_V6; f++) {
				(void)kt_probe_parse_reply(m, f, 0x1234, buf, n, &seq);
				(void)kt_probe_parse_quoted(m, f, 0x1234, buf, n, &seq);
			}
	}
}

static void
test_names(void **state)
{
	(void)state;
	for (int i = 0; i < KT_PROBE_FAMILY_COUNT; i++)
		assert_string_not_equal(kt_probe_family_name(i), "?");
	for (int i = 0; i < KT_PROBE_OUTCOME_COUNT; i++)
		assert_string_not_equal(kt_probe_outcome_name(i), "?");
	for (int i = 0; i < KT_PROBE_VERDICT_COUNT; i++)
		assert_string_not_equal(kt_probe_verdict_name(i), "?");
	for (int i = 0; i < KT_PROBE_METHOD_COUNT; i++)
		assert_int_equal(kt_probe_method_from_name(kt_probe_method_name(i)), i);
	assert_string_equal(kt_probe_verdict_name(KT_PROBE_VERDICT_COUNT), "?");
	assert_string_equal(kt_probe_verdict_name(KT_PROBE_VERDICT_BLACK_HOLE), "black-hole");
	assert_int_equal(kt_probe_method_from_name("carrier-pigeon"), -1);
	assert_int_equal(kt_probe_method_from_name(NULL), -1);
}

static void
test_json(void **state)
{
	struct fake f = { .iface_mtu = 9000, .hops = { { 1500, false, 0, NULL } } };
	struct kt_probe_opts o = { .host = "b.example" };
	struct kt_probe_result r;
	json_t *j, *steps;

	(void)state;
	assert_int_equal(kt_probe_run_ops(NULL, &o, &fake_ops, &f, &r), 0);
	j = kt_probe_result_to_json(&r);
	assert_string_equal(json_string_value(json_object_get(j, "verdict")), "black-hole");
	assert_string_equal(json_string_value(json_object_get(j, "host")), "b.example");
	assert_string_equal(json_string_value(json_object_get(j, "address")), "198.51.100.2");
	assert_string_equal(json_string_value(json_object_get(j, "family")), "ipv4");
	assert_int_equal(json_integer_value(json_object_get(j, "path_mtu")), 1500);
	assert_int_equal(json_integer_value(json_object_get(j, "smallest_failed")), 1501);
	assert_true(json_is_true(json_object_get(j, "black_hole")));
	assert_true(json_is_null(json_object_get(j, "hop_address")));
	assert_true(json_is_null(json_object_get(j, "expect_ok")));
	steps = json_object_get(j, "steps");
	assert_int_equal(json_array_size(steps), r.n_steps);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(steps, 0), "size")),
			 9000);
	assert_string_equal(json_string_value(json_object_get(json_array_get(steps, 0),
								  "outcome")), "lost");
	json_decref(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenarios),
		cmocka_unit_test(test_expect),
		cmocka_unit_test(test_method_fallback),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_echo_and_cksum),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_parse_reply),
		cmocka_unit_test(test_parse_garbage),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
