/*
 * Fuzz target: analyze's line prefilter (src/skip.c) must
 * never change the output. The input is put into a log after 2,100 lines
 * of clean noise (so the prefilter is on when it comes), then again after
 * 100 more; the noise's style is picked by the input's first byte (dmesg,
 * syslog of one host, journalctl -o short, XenServer dom0.log ring). The
 * log is analyzed with every line parsed (kt_analyze_opts.full_feed) and
 * with the prefilter; the reports (JSON and cut-out lines) must be the
 * same byte for byte, or it aborts (a finding).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktriage/ktriage.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct out {
	char *p;
	size_t len, cap;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		o->cap = (o->len + n + 1) * 2;
		o->p = realloc(o->p, o->cap);
		if (!o->p)
			abort();
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void
on_report(void *ud, const char *unit, struct kt_report *r)
{
	struct out *o = ud;
	char *json = kt_render_json(r, 0);
	char no[16];

	(void)unit;
	put(o, json ? json : "null", json ? strlen(json) : 4);
	free(json);
	for (size_t i = 0; i < r->n_lines; i++) {
		snprintf(no, sizeof(no), "\n%u: ", r->line_nos[i]);
		put(o, no, strlen(no));
		put(o, r->lines[i], strlen(r->lines[i]));
	}
	put(o, "\n", 1);
	kt_report_free(r);
}

/* Clean noise lines in one of four styles (their public formats: printk
 * "[%5lu.%06lu]", RFC 3164 syslog, journalctl -o short, and the dom0.log
 * ring of https://github.com/xenserver/xen-crashdump-analyser). */
static void
noise(struct out *o, int style, unsigned n, unsigned *t)
{
	char l[200];

	for (unsigned i = 0; i < n; i++, (*t)++) {
		static const char *const msg[] = {
			"e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex",
			"xenbr0: port 2(vif3.0) entered forwarding state",
			"EXT4-fs (sda1): mounted filesystem with ordered data mode",
		};
		const char *m = msg[*t % 3];
		unsigned s = *t / 1000, us = *t % 1000 * 997;

		switch (style) {
		case 0: snprintf(l, sizeof(l), "[%5u.%06u] %s\n", 10 + s, us, m); break;
		case 1: snprintf(l, sizeof(l), "Nov 12 13:%02u:%02u node1 kernel: [%5u.%06u] %s\n",
				 s / 60 % 60, s % 60, 10 + s, us, m); break;
		case 2: snprintf(l, sizeof(l), "Nov 12 13:%02u:%02u node1 kernel: %s\n",
				 s / 60 % 60, s % 60, m); break;
		default: snprintf(l, sizeof(l), "[%7u.%06u]   INFO: %s\n", 10 + s, us, m); break;
		}
		put(o, l, strlen(l));
	}
}

static struct out
run(struct kt_ctx *ctx, const struct out *log, bool full)
{
	struct kt_analyze_opts opts = { .no_diagnose = true, .full_feed = full,
					.max_reports = 100000 };
	struct kt_analyzer *a = NULL;
	struct out o = { 0 };
	struct kt_analyze_cb cb = { NULL, on_report, NULL, &o };

	if (kt_analyzer_new(ctx, &opts, &a) != 0)
		abort();
	(void)kt_analyze_text(a, "fuzz", log->p, log->len, &cb);
	kt_analyzer_free(a);
	put(&o, "", 0);
	return o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kt_ctx *ctx;
	struct out log = { 0 }, full, fast;
	unsigned t = 0;
	int style = size ? data[0] % 4 : 0;

	if (size > (1u << 16))
		return 0;
	if (!ctx)
		ctx = kt_ctx_new();
	noise(&log, style, 2100, &t);
	put(&log, (const char *)data, size);
	put(&log, "\n", 1);
	noise(&log, style, 100, &t);
	put(&log, (const char *)data, size);
	put(&log, "\n", 1);
	noise(&log, style, 70, &t);
	full = run(ctx, &log, true);
	fast = run(ctx, &log, false);
	if (full.len != fast.len || memcmp(full.p, fast.p, full.len) != 0)
		abort();	/* the prefilter changed the output */
	free(full.p);
	free(fast.p);
	free(log.p);
	return 0;
}
