/*
 * net: path-MTU search. Consumes probe options and a struct kt_probe_ops
 * (sockets, or a test fake); produces a struct kt_probe_result. Knows the
 * search strategy (first guesses, bisection, retries against loss, trusting
 * an announced hop MTU) and nothing about packet formats (probe_sys.c).
 *
 * Invariant of the search: every size <= lo passed (lo = 0: none yet),
 * every size >= hi failed (hi = max + 1: none yet). Done when hi == lo + 1.
 */
#include "net/probe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ctx.h"
#include "util/mem.h"

static const char *const family_names[KT_PROBE_FAMILY_COUNT] = {
	[KT_PROBE_FAMILY_ANY] = "any",
	[KT_PROBE_FAMILY_V4] = "ipv4",
	[KT_PROBE_FAMILY_V6] = "ipv6",
};

static const char *const method_names[KT_PROBE_METHOD_COUNT] = {
	[KT_PROBE_METHOD_AUTO] = "auto",
	[KT_PROBE_METHOD_RAW] = "raw",
	[KT_PROBE_METHOD_PING] = "ping",
	[KT_PROBE_METHOD_UDP] = "udp",
};

static const char *const outcome_names[KT_PROBE_OUTCOME_COUNT] = {
	[KT_PROBE_PASSED] = "passed",
	[KT_PROBE_LOST] = "lost",
	[KT_PROBE_TOO_BIG] = "too-big",
	[KT_PROBE_LOCAL_TOO_BIG] = "local-too-big",
	[KT_PROBE_UNREACHABLE] = "unreachable",
	[KT_PROBE_INFERRED] = "inferred",
};

static const char *const verdict_names[KT_PROBE_VERDICT_COUNT] = {
	[KT_PROBE_VERDICT_FULL] = "full",
	[KT_PROBE_VERDICT_LIMITED] = "limited",
	[KT_PROBE_VERDICT_BLACK_HOLE] = "black-hole",
	[KT_PROBE_VERDICT_NO_REPLY] = "no-reply",
};

#define NAME_OF(table, v) ((unsigned)(v) < sizeof(table) / sizeof(table[0]) ? table[v] : "?")

const char *kt_probe_family_name(enum kt_probe_family f) { return NAME_OF(family_names, f); }
const char *kt_probe_method_name(enum kt_probe_method m) { return NAME_OF(method_names, m); }
const char *kt_probe_outcome_name(enum kt_probe_outcome oc) { return NAME_OF(outcome_names, oc); }
const char *kt_probe_verdict_name(enum kt_probe_verdict v) { return NAME_OF(verdict_names, v); }

int
kt_probe_method_from_name(const char *name)
{
	for (int i = 0; i < KT_PROBE_METHOD_COUNT; i++)
		if (name && strcmp(name, method_names[i]) == 0)
			return i;
	return -1;
}

int
kt_probe_overhead(enum kt_probe_family f)
{
	/* IPv4 header without options (20) or IPv6 header (40), + 8 bytes of
	 * ICMP echo or UDP header. */
	return (f == KT_PROBE_FAMILY_V6 ? 40 : 20) + 8;
}

/* Sizes worth trying before bisecting, largest first: the common MTUs of
 * jumbo, Ethernet, PPPoE (RFC 2516: 1492) and the IPv6 minimum. */
static const int common_mtus[] = { 9000, 1500, 1492, 1280 };

struct search {
	struct kt_ctx *ctx;
	const struct kt_probe_ops *ops;
	void *ud;
	void *sock;
	struct kt_probe_result *r;
	int tries;
	int timeout_ms;
	int lo, hi;
	int hint;		/* MTU a hop announced, tried next; 0: none */
	uint16_t seq;
	int max_rtt_us;		/* slowest reply so far; -1: no reply yet */
	int rechecks;		/* see recheck() */
};

static struct kt_probe_step *
find_step(struct kt_probe_result *r, int size)
{
	for (size_t i = 0; i < r->n_steps; i++)
		if (r->steps[i].size == size)
			return &r->steps[i];
	return NULL;
}

/* The step for `size`, created (LOST, no attempts yet) if new; NULL when the
 * result has no room left. */
static struct kt_probe_step *
get_step(struct kt_probe_result *r, int size)
{
	struct kt_probe_step *st = find_step(r, size);

	if (st || r->n_steps >= KT_PROBE_MAX_STEPS)
		return st;
	st = &r->steps[r->n_steps++];
	memset(st, 0, sizeof(*st));
	st->size = size;
	st->outcome = KT_PROBE_LOST;
	return st;
}

/* Decided: passed, failed for good, or lost `tries` times. */
static bool
decided(const struct search *s, const struct kt_probe_step *st)
{
	return st && (st->outcome != KT_PROBE_LOST || st->attempts >= s->tries);
}

static int
wait_ms(const struct search *s)
{
	int ms;

	if (s->max_rtt_us < 0)
		return s->timeout_ms;
	/* Four round trips of the slowest reply seen, plus scheduling slack. */
	ms = s->max_rtt_us * 4 / 1000 + 20;
	if (ms < KT_PROBE_MIN_WAIT_MS)
		ms = KT_PROBE_MIN_WAIT_MS;
	return ms < s->timeout_ms ? ms : s->timeout_ms;
}

/* A hop refused a probe of `size` as too big: remember the smallest MTU
 * announced as "the" hop. An announcement of 0 (pre-RFC 1191 routers) or
 * not below the probe size is no MTU, but still names the hop. */
static void
note_hop(struct search *s, int size, const struct kt_probe_event *ev)
{
	struct kt_probe_result *r = s->r;

	if (ev->mtu <= 0 || ev->mtu >= size) {
		if (!r->hop_addr[0])
			(void)snprintf(r->hop_addr, sizeof(r->hop_addr), "%s", ev->from);
		return;
	}
	if (r->hop_mtu == 0 || ev->mtu < r->hop_mtu) {
		r->hop_mtu = ev->mtu;
		(void)snprintf(r->hop_addr, sizeof(r->hop_addr), "%s", ev->from);
	}
}

/* Wait for the answer to the probe(s) of st sent with sequence numbers
 * [first_seq, s->seq]. Sets *ret to the outcome of this attempt (PASSED,
 * TOO_BIG, UNREACHABLE or LOST); returns 0 or KT_EIO. */
static int
await(struct search *s, struct kt_probe_step *st, uint16_t first_seq, int64_t sent_us,
      enum kt_probe_outcome *ret)
{
	int64_t deadline = sent_us + (int64_t)wait_ms(s) * 1000;
	struct kt_probe_event ev;
	int64_t now;
	int err;

	while ((now = s->ops->now_us(s->ud)) < deadline) {
		int left = (int)((deadline - now + 999) / 1000);

		memset(&ev, 0, sizeof(ev));
		err = s->ops->wait(s->ud, s->sock, left, &ev);
		if (err < 0)
			return kt_error(s->ctx, KT_EIO, "waiting for probe replies: %s",
					strerror(-err));
		if (ev.kind == KT_PROBE_EV_TIMEOUT)
			continue;
		/* An answer quoting a sequence number belongs to that probe;
		 * a late reply to an earlier try of this size still counts. */
		if (ev.seq_known && (uint16_t)(ev.seq - first_seq) > (uint16_t)(s->seq - first_seq))
			continue;
		(void)snprintf(st->from, sizeof(st->from), "%s", ev.from);
		switch (ev.kind) {
		case KT_PROBE_EV_REPLY:
			now = s->ops->now_us(s->ud);
			st->rtt_us = (int)(now - sent_us);
			if (st->rtt_us > s->max_rtt_us)
				s->max_rtt_us = st->rtt_us;
			*ret = KT_PROBE_PASSED;
			return 0;
		case KT_PROBE_EV_TOO_BIG:
			st->hop_mtu = ev.mtu;
			note_hop(s, st->size, &ev);
			*ret = KT_PROBE_TOO_BIG;
			return 0;
		case KT_PROBE_EV_UNREACH:
			*ret = KT_PROBE_UNREACHABLE;
			return 0;
		default:
			break;
		}
	}
	*ret = KT_PROBE_LOST;
	return 0;
}

/* Send up to `budget` tries of `size` (stopping at the first answer, and at
 * `limit` tries in all) and record the outcome in its step. */
static int
probe_size(struct search *s, int size, int budget, int limit)
{
	struct kt_probe_step *st = get_step(s->r, size);
	uint16_t first_seq = (uint16_t)(s->seq + 1);
	enum kt_probe_outcome oc = KT_PROBE_LOST;
	int err;

	if (!st)
		return 0;
	while (budget-- > 0 && st->attempts < limit) {
		int64_t sent_us;

		s->seq++;
		st->attempts++;
		sent_us = s->ops->now_us(s->ud);
		err = s->ops->send(s->ud, s->sock, size, s->seq);
		if (err == -EMSGSIZE) {
			st->outcome = KT_PROBE_LOCAL_TOO_BIG;
			return 0;
		}
		s->r->probes_sent++;
		if (err < 0) {
			/* Dropped on the way out (a local firewall says EPERM,
			 * a full queue ENOBUFS ...): a loss like any other. */
			oc = KT_PROBE_LOST;
			continue;
		}
		err = await(s, st, first_seq, sent_us, &oc);
		if (err < 0)
			return err;
		if (oc == KT_PROBE_PASSED || oc == KT_PROBE_TOO_BIG)
			break;
	}
	/* A success or an announced MTU is final; unreachable or lost counts
	 * once all tries are used. */
	if (oc == KT_PROBE_UNREACHABLE && st->attempts < limit)
		oc = KT_PROBE_LOST;
	st->outcome = oc;
	return 0;
}

/* Fold a decided step into the bounds. */
static void
update_bounds(struct search *s, int size)
{
	struct kt_probe_step *st = find_step(s->r, size);
	struct kt_probe_step *inf;

	if (!decided(s, st))
		return;
	if (st->outcome == KT_PROBE_PASSED) {
		if (size > s->lo)
			s->lo = size;
		return;
	}
	if (size < s->hi)
		s->hi = size;
	/* Trust the announced MTU (RFC 1191/8201): everything above it fails
	 * at that hop, so try exactly it next instead of bisecting down to
	 * it (fewer probes, and fewer ICMP errors for the hop to rate-limit). */
	if (st->outcome == KT_PROBE_TOO_BIG && st->hop_mtu > s->lo && st->hop_mtu < size) {
		s->hint = st->hop_mtu;
		if (st->hop_mtu + 1 < s->hi && (inf = get_step(s->r, st->hop_mtu + 1))) {
			inf->outcome = KT_PROBE_INFERRED;
			inf->hop_mtu = st->hop_mtu;
			(void)snprintf(inf->from, sizeof(inf->from), "%s", st->from);
			s->hi = st->hop_mtu + 1;
		}
	}
}

static bool
candidate_ok(const struct search *s, int size)
{
	return size > s->lo && size < s->hi && !decided(s, find_step(s->r, size));
}

static bool
is_guess(const struct search *s, int size)
{
	for (size_t i = 0; i < sizeof(common_mtus) / sizeof(common_mtus[0]); i++)
		if (size == common_mtus[i])
			return true;
	return size == s->hint || size == s->r->expect;
}

/* Some size was lost (and is not decided yet). */
static bool
any_loss(const struct search *s)
{
	for (size_t i = 0; i < s->r->n_steps; i++)
		if (s->r->steps[i].outcome == KT_PROBE_LOST && s->r->steps[i].attempts > 0)
			return true;
	return false;
}

/* Next size to try, 0 when done. */
static int
next_size(struct search *s)
{
	const struct kt_probe_result *r = s->r;
	struct kt_probe_step *min = find_step(s->r, r->min);

	if (s->lo >= r->max || s->hi <= s->lo + 1)
		return 0;
	/* Nothing passed and the minimum failed: nobody answers. */
	if (s->lo == 0 && decided(s, min))
		return 0;
	if (s->lo == 0 && !min && any_loss(s))
		return r->min;	/* lost once: is the host there at all? */
	if (s->hint && candidate_ok(s, s->hint))
		return s->hint;
	if (candidate_ok(s, r->max))
		return r->max;
	if (r->expect && candidate_ok(s, r->expect))
		return r->expect;
	for (size_t i = 0; i < sizeof(common_mtus) / sizeof(common_mtus[0]); i++)
		if (candidate_ok(s, common_mtus[i]))
			return common_mtus[i];
	if (s->lo == 0)
		return candidate_ok(s, r->min) ? r->min : 0;
	/* A common MTU passed: most likely it is the path MTU, and one size
	 * above it proves that at once (a black hole at 1500 then costs one
	 * failed size instead of a dozen in a bisection). */
	if (is_guess(s, s->lo) && candidate_ok(s, s->lo + 1))
		return s->lo + 1;
	return s->lo + (s->hi - s->lo) / 2;
}

static void
search_bounds(struct search *s, int *err)
{
	int size;

	*err = 0;
	while ((size = next_size(s)) != 0 && s->r->n_steps < KT_PROBE_MAX_STEPS) {
		/* Until something has passed, try a size only once, then check
		 * the host answers at all (next_size() picks the minimum): an
		 * unknown round trip means full timeouts, so learn it cheaply. */
		int budget = (s->lo == 0 && size != s->r->min && !find_step(s->r, s->r->min))
				     ? 1 : s->tries;

		*err = probe_size(s, size, budget, s->tries);
		if (*err < 0)
			return;
		update_bounds(s, size);
	}
}

/* The answer hinges on one size being lost `tries` times in a row (the
 * smallest failure, or the minimum if nothing passed). Give it as many tries
 * again, so random loss on the link cannot fake a black hole or silence.
 * Returns true if it passed this time: the search must go on. */
static bool
recheck(struct search *s, int *err)
{
	int size = s->lo == 0 ? s->r->min : s->hi;
	struct kt_probe_step *st = find_step(s->r, size);

	if (s->rechecks >= 3 || !st || st->outcome != KT_PROBE_LOST || size > s->r->max ||
	    st->attempts >= 2 * s->tries)
		return false;
	s->rechecks++;
	*err = probe_size(s, size, s->tries, 2 * s->tries);
	if (*err < 0 || st->outcome != KT_PROBE_PASSED)
		return false;
	/* Re-derive the bounds: everything decided above `size` still holds. */
	s->lo = size;
	s->hi = s->r->max + 1;
	for (size_t i = 0; i < s->r->n_steps; i++) {
		const struct kt_probe_step *o = &s->r->steps[i];

		if (o->size > s->lo && o->size < s->hi && o->outcome != KT_PROBE_PASSED &&
		    decided(s, o))
			s->hi = o->size;
	}
	return true;
}

static void
search(struct search *s, int *err)
{
	do
		search_bounds(s, err);
	while (*err == 0 && recheck(s, err));
}

static void
conclude(struct search *s)
{
	struct kt_probe_result *r = s->r;
	struct kt_probe_step *failed;

	r->pmtu = s->lo;
	r->smallest_failed = s->hi <= r->max ? s->hi : 0;
	failed = r->smallest_failed ? find_step(r, r->smallest_failed) : NULL;
	if (r->pmtu == 0)
		r->verdict = KT_PROBE_VERDICT_NO_REPLY;
	else if (r->pmtu >= r->max)
		r->verdict = KT_PROBE_VERDICT_FULL;
	else if (failed && failed->outcome == KT_PROBE_LOST)
		r->verdict = KT_PROBE_VERDICT_BLACK_HOLE;
	else
		r->verdict = KT_PROBE_VERDICT_LIMITED;
	r->black_hole = r->verdict == KT_PROBE_VERDICT_BLACK_HOLE;
	r->expect_ok = r->expect > 0 && r->pmtu >= r->expect;
}

static int
errno_to_kt(int err)
{
	switch (err) {
	case -ENOENT:
	case -ENODEV:
	case -ENXIO:
		return KT_ENOTFOUND;
	case -EPERM:
	case -EACCES:
	case -EPROTONOSUPPORT:
	case -EAFNOSUPPORT:
		return KT_EUNSUPPORTED;
	default:
		return KT_EIO;
	}
}

/* Open the socket for o->method, or the first that works for AUTO. */
static int
open_sock(struct search *s, const struct kt_probe_opts *o, const struct sockaddr *dst,
	  socklen_t dst_len)
{
	enum kt_probe_method m = o->method == KT_PROBE_METHOD_AUTO ? KT_PROBE_METHOD_RAW : o->method;
	int err;

	for (;; m++) {
		err = s->ops->open(s->ud, m, dst, dst_len, o->iface, &s->sock);
		if (err == 0) {
			s->r->method = m;
			return 0;
		}
		if (o->method != KT_PROBE_METHOD_AUTO || m + 1 >= KT_PROBE_METHOD_COUNT ||
		    (err != -EPERM && err != -EACCES && err != -EPROTONOSUPPORT))
			break;
	}
	return kt_error(s->ctx, errno_to_kt(err), "opening a %s probe socket: %s",
			o->method == KT_PROBE_METHOD_AUTO ? "raw, ping or UDP" : method_names[m],
			strerror(-err));
}

static int
check_opts(struct kt_ctx *ctx, const struct kt_probe_opts *o)
{
	if (!o || !o->host || !*o->host)
		return kt_error(ctx, KT_EINVAL, "probe: no host given");
	if ((unsigned)o->family >= KT_PROBE_FAMILY_COUNT ||
	    (unsigned)o->method >= KT_PROBE_METHOD_COUNT)
		return kt_error(ctx, KT_EINVAL, "probe: bad family or method");
	if (o->max < 0 || o->max > KT_PROBE_MAX_SIZE || o->expect < 0 ||
	    o->expect > KT_PROBE_MAX_SIZE)
		return kt_error(ctx, KT_EINVAL, "probe: sizes must be between 0 and %d",
				KT_PROBE_MAX_SIZE);
	if (o->timeout_ms < 0 || o->timeout_ms > 60000 || o->tries < 0 || o->tries > 100)
		return kt_error(ctx, KT_EINVAL, "probe: timeout must be 0..60000 ms, tries 0..100");
	if (o->iface && strlen(o->iface) >= KT_PROBE_IFNAME_LEN)
		return kt_error(ctx, KT_EINVAL, "probe: interface name '%s' too long", o->iface);
	return 0;
}

/* Resolve the host and learn the outgoing interface: fills the header of r. */
static int
prepare(struct search *s, const struct kt_probe_opts *o, struct sockaddr_storage *dst,
	socklen_t *dst_len)
{
	struct kt_probe_result *r = s->r;
	int err;

	(void)snprintf(r->host, sizeof(r->host), "%s", o->host);
	err = s->ops->resolve(s->ud, o->host, o->family, dst, dst_len, r->addr);
	if (err < 0)
		return kt_error(s->ctx, KT_ENOTFOUND, "probe: cannot resolve '%s'%s", o->host,
				o->family == KT_PROBE_FAMILY_V4	  ? " to an IPv4 address"
				: o->family == KT_PROBE_FAMILY_V6 ? " to an IPv6 address"
								  : "");
	r->family = dst->ss_family == AF_INET6 ? KT_PROBE_FAMILY_V6 : KT_PROBE_FAMILY_V4;
	r->min = r->family == KT_PROBE_FAMILY_V6 ? KT_PROBE_MIN_V6 : KT_PROBE_MIN_V4;
	err = s->ops->route(s->ud, (struct sockaddr *)dst, *dst_len, o->iface, r->iface,
			    &r->iface_mtu, &r->route_mtu);
	if (err == -ENODEV)
		return kt_error(s->ctx, KT_ENOTFOUND, "probe: no interface '%s'", o->iface);
	if (err < 0)
		return kt_error(s->ctx, errno_to_kt(err), "probe: no route to %s: %s", r->addr,
				strerror(-err));
	r->max = o->max ? o->max : r->iface_mtu ? r->iface_mtu : r->route_mtu;
	if (r->max > KT_PROBE_MAX_SIZE)
		r->max = KT_PROBE_MAX_SIZE;	/* loopback says 65536 */
	if (r->max == 0)
		return kt_error(s->ctx, KT_EIO, "probe: cannot tell the MTU towards %s; give --max",
				r->addr);
	if (r->max < r->min)
		return kt_error(s->ctx, KT_EINVAL, "probe: --max %d is below the %s minimum %d",
				r->max, kt_probe_family_name(r->family), r->min);
	return 0;
}

int
kt_probe_run_ops(struct kt_ctx *ctx, const struct kt_probe_opts *o,
		 const struct kt_probe_ops *ops, void *ud, struct kt_probe_result *ret)
{
	struct sockaddr_storage dst;
	socklen_t dst_len = sizeof(dst);
	struct search s = { .ctx = ctx, .ops = ops, .ud = ud, .max_rtt_us = -1 };
	int64_t start;
	int err;

	err = check_opts(ctx, o);
	if (err < 0)
		return err;
	/* Work on a heap copy: ret is written only on success. */
	s.r = kt_calloc(1, sizeof(*s.r));
	s.tries = o->tries ? o->tries : KT_PROBE_DEFAULT_TRIES;
	s.timeout_ms = o->timeout_ms ? o->timeout_ms : KT_PROBE_DEFAULT_TIMEOUT_MS;
	s.r->expect = o->expect;
	start = ops->now_us(ud);
	memset(&dst, 0, sizeof(dst));
	err = prepare(&s, o, &dst, &dst_len);
	if (err < 0)
		goto out;
	err = open_sock(&s, o, (struct sockaddr *)&dst, dst_len);
	if (err < 0)
		goto out;
	s.lo = 0;
	s.hi = s.r->max + 1;
	search(&s, &err);
	ops->close(ud, s.sock);
	if (err < 0)
		goto out;
	conclude(&s);
	s.r->elapsed_us = ops->now_us(ud) - start;
	*ret = *s.r;
out:
	free(s.r);
	return err;
}

int
kt_probe_run(struct kt_ctx *ctx, const struct kt_probe_opts *o, struct kt_probe_result *ret)
{
	return kt_probe_run_ops(ctx, o, &kt_probe_sys_ops, NULL, ret);
}
