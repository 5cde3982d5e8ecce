/*
 * analyze's prefilter (src/skip.c) changes nothing: the
 * reports (their JSON, byte for byte) and the problems of a log are the
 * same with it and with every line parsed (kt_analyze_opts.full_feed).
 * Logs: written here (seeded; crashes placed on every side of the 1 MiB
 * read blocks, and lines that must not be skipped: host names, CR, control
 * bytes, over-long lines, unstamped lines, reboots), read from a file and
 * through a pipe in random-sized writes (block edges anywhere); then
 * bench/gen_log's logs of every style when it is built. TAP.
 *
 * The crash text follows the documented formats: Linux kernel/panic.c
 * __warn() and check_panic_on_warn(), arch/x86/mm/fault.c
 * page_fault_oops() ("BUG: kernel NULL pointer dereference, address:"),
 * arch/x86/kernel/dumpstack.c (Call Trace, "---[ end trace"),
 * journalctl -o short-monotonic ("[   12.345678] host kernel: msg").
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ktriage/ktriage.h>

#include "tap.h"

/* ---- output of one run, as text ------------------------------------------ */

struct run {
	struct buf out;
	size_t reports;
};

static void
on_report(void *ud, const char *unit, struct kt_report *r)
{
	struct run *x = ud;
	char *json = kt_render_json(r, 0);

	(void)unit;
	put(&x->out, json ? json : "null");
	put(&x->out, "\n");
	free(json);
	/* the cut-out text too (prefix lines are not in the JSON) */
	for (size_t i = 0; i < r->n_lines; i++) {
		char no[16];

		snprintf(no, sizeof(no), "%u: ", r->line_nos[i]);
		put(&x->out, no);
		put(&x->out, r->lines[i]);
		put(&x->out, "\n");
	}
	x->reports++;
	kt_report_free(r);
}

static void
on_problem(void *ud, const char *unit, const struct kt_problem *p)
{
	struct run *x = ud;

	(void)unit;
	put(&x->out, "problem: ");
	put(&x->out, p->message ? p->message : "");
	put(&x->out, "\n");
}

static struct run
analyze(const char *path, bool full)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_analyze_opts opts = { .no_diagnose = true, .full_feed = full,
					.max_reports = 100000 };
	struct kt_analyzer *a = NULL;
	struct run x = { 0 };
	struct kt_analyze_cb cb = { NULL, on_report, NULL, &x };

	if (kt_analyzer_new(ctx, &opts, &a) != 0) {
		put(&x.out, "no analyzer");
	} else {
		kt_analyzer_set_problem_fn(a, on_problem, &x);
		if (kt_analyze_path(a, path, &cb) != 0)
			put(&x.out, "analyze failed");
	}
	kt_analyzer_free(a);
	kt_ctx_free(ctx);
	return x;
}

/* ---- a pipe fed in random-sized writes ------------------------------------ */

struct feeder {
	int fd;
	const char *data;
	size_t len;
	uint64_t seed;
};

static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void *
feed(void *arg)
{
	struct feeder *f = arg;

	for (size_t off = 0; off < f->len;) {
		size_t n = 1 + rnd(&f->seed) % 70000;
		ssize_t k;

		if (n > f->len - off)
			n = f->len - off;
		k = write(f->fd, f->data + off, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		off += (size_t)k;
	}
	close(f->fd);
	return NULL;
}

/* Every `from` in b replaced by `to`. */
static void
replace_all(struct buf *b, const char *from, const char *to)
{
	struct buf o = { 0 };
	size_t fl = strlen(from);
	const char *p = b->p, *q;

	if (!p)
		return;
	while ((q = strstr(p, from)) != NULL) {
		put_n(&o, p, (size_t)(q - p));
		put(&o, to);
		p = q + fl;
	}
	put(&o, p);
	free(b->p);
	*b = o;
}

static struct run
analyze_pipe(const struct buf *log, uint64_t seed, const char *as)
{
	struct feeder f = { -1, log->p, log->len, seed };
	char path[64];
	pthread_t tid;
	int fds[2];
	struct run x = { 0 };

	if (pipe(fds) != 0)
		return x;
	f.fd = fds[1];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[0]);
	if (pthread_create(&tid, NULL, feed, &f) != 0)
		return x;
	x = analyze(path, false);
	pthread_join(tid, NULL);
	close(fds[0]);
	replace_all(&x.out, path, as);
	return x;
}

/* ---- writing logs --------------------------------------------------------- */

enum gen_style {
	GEN_DMESG,	/* "[   12.345678] msg" */
	GEN_SYSLOG,	/* "Nov 12 13:46:40 host kernel: [   12.345678] msg" */
	GEN_JOURNAL,	/* "Nov 12 13:46:40 host kernel: msg" (journalctl -o short) */
	GEN_RING,	/* "[      12.345678]   INFO: msg" (XenServer dom0.log) */
	GEN_STYLES
};

struct gen {
	struct buf b;
	uint64_t seed;
	double ts;
	int crash;
	enum gen_style style;
	const char *host;	/* syslog host (default "node1") */
};

/* The syslog prefix of a line at the generator's time (RFC 3164 4.1.2:
 * "Mmm dd hh:mm:ss HOSTNAME TAG: "). */
static void
syslog_prefix(struct gen *g, char *out, size_t n, const char *host, const char *tag)
{
	unsigned t = 1000000u + (unsigned)g->ts;

	snprintf(out, n, "Nov %2u %02u:%02u:%02u %s %s: ", 1 + t / 86400 % 28, t / 3600 % 24,
		 t / 60 % 60, t % 60, host, tag);
}

static void
line(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
line(struct gen *g, const char *fmt, ...)
{
	char text[1024], full[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	g->ts += 0.000731;
	if (g->style == GEN_DMESG) {
		snprintf(full, sizeof(full), "[%12.6f] %s\n", g->ts, text);
	} else if (g->style == GEN_RING) {
		/* the level words of xen-crashdump-analyser's dom0.log ring,
		 * right-aligned in six columns */
		static const char *const lv[] = { "INFO", "INFO", "INFO", "WARN", "ERR",
						   "NOTICE", "ALERT", "" };

		snprintf(full, sizeof(full), "[%14.6f] %6s: %s\n", g->ts,
			 lv[rnd(&g->seed) % (sizeof(lv) / sizeof(lv[0]))], text);
	} else {
		char pre[128];

		syslog_prefix(g, pre, sizeof(pre), g->host ? g->host : "node1", "kernel");
		if (g->style == GEN_SYSLOG)
			snprintf(full, sizeof(full), "%s[%12.6f] %s\n", pre, g->ts, text);
		else
			snprintf(full, sizeof(full), "%s%s\n", pre, text);
	}
	put(&g->b, full);
}

/* A raw line with the generator's syslog prefix (host, tag) in front. */
static void
sysline(struct gen *g, const char *host, const char *tag, const char *text)
{
	char pre[256];

	syslog_prefix(g, pre, sizeof(pre), host, tag);
	put(&g->b, pre);
	put(&g->b, text);
	put(&g->b, "\n");
}

/* One line of a syslog file that may not be skipped, or that may (user
 * space): other hosts, tags, forms of the stamp after "kernel: ". */
static void
put_odd_syslog(struct gen *g)
{
	const char *host = g->host ? g->host : "node1";

	switch (rnd(&g->seed) % 12) {
	case 0:		/* another host's kernel, then this one's again */
		sysline(g, "node2", "kernel", "[    1.000000] e1000e: eth1 NIC Link is Up");
		break;
	case 1:		/* user space, same host: no stamp */
		sysline(g, host, "sshd[4242]", "Accepted publickey for root from 192.0.2.7 port 51234");
		break;
	case 2:		/* a burst of user-space lines, longer than the prefix ring */
		for (int i = 0; i < 70 + (int)(rnd(&g->seed) % 70); i++)
			sysline(g, host, "CRON[77]", "(root) CMD (run-parts /etc/cron.hourly)");
		break;
	case 3:		/* busybox facility.level between host and tag */
		sysline(g, host, "DAEMON.ERR dhcpcd[5651]", "eth0: no IPv6 Routers available");
		break;
	case 4:		/* Xen's console through the kernel */
		sysline(g, host, "kernel", "(XEN) d1v0 Unhandled: vec 14, #PF[0000]");
		break;
	case 5:		/* dmesg -d stamp with a delta */
		sysline(g, host, "kernel", "[   12.345678 <    0.000123>] delta stamp line");
		break;
	case 6:		/* a host name that is a prefix of this one */
		sysline(g, "node", "kernel", "[    2.000000] prefix host");
		break;
	case 7:		/* a line of another style in between */
		{
			char l[200];

			g->ts += 0.001;
			snprintf(l, sizeof(l), "[%12.6f] a dmesg line inside syslog\n", g->ts);
			put(&g->b, l);
		}
		break;
	case 8:		/* CR, and a control byte, in a syslog line */
		sysline(g, host, "kernel", "progress 10%\r[    3.000000] progress 100%");
		sysline(g, host, "kernel", "colour \x1b[1mBU\x1b[0mG: dropped");
		break;
	case 9:		/* a tag with a space and no colon: not RFC 3164 to the normalizer */
		sysline(g, host, "kernel", "");
		put(&g->b, "Nov 12 13:46:40 node1 no tag here\n");
		break;
	case 10:	/* user space with a keyword */
		sysline(g, host, "myapp[9]", "BUG: in my app, not the kernel");
		break;
	default:	/* non-ASCII in the tag and the text */
		sysline(g, host, "t\xc3\xa4g", "caf\xc3\xa9 \xff\xfe bytes");
		break;
	}
}

static const char *const chatter[] = {
	"e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex",
	"EXT4-fs (sda1): mounted filesystem with ordered data mode",
	"audit: type=1400 audit(1700000000.123:42): apparmor=\"STATUS\"",
	"usb 1-1: new high-speed USB device number 2 using ehci-pci",
	"xenbr0: port 2(vif3.0) entered forwarding state",
	"nf_conntrack: default automatic helper assignment has been turned off",
	"device vif4.0 left promiscuous mode",
	"systemd[1]: Started Session 12 of user root.",
};

static void
put_warning(struct gen *g)
{
	int i = g->crash++;

	line(g, "------------[ cut here ]------------");
	line(g, "WARNING: CPU: 1 PID: %d at drivers/net/x%d.c:%d xmit_%d+0x1c/0x90", 100 + i, i % 7,
	     10 + i, i % 5);
	line(g, "Modules linked in: e1000e xt_conntrack");
	line(g, "CPU: 1 PID: %d Comm: kworker/1:%d Tainted: G        W 6.1.0 #1", 100 + i, i % 9);
	line(g, "RIP: 0010:xmit_%d+0x1c/0x90", i % 5);
	line(g, "Call Trace:");
	line(g, " <TASK>");
	line(g, " dev_hard_start_xmit+0x%x/0x200", 0x40 + i % 32);
	line(g, " __dev_queue_xmit+0x2b1/0x8c0");
	line(g, " </TASK>");
	line(g, "---[ end trace %016x ]---", i);
}

static void
put_oops(struct gen *g)
{
	int i = g->crash++;

	line(g, "BUG: kernel NULL pointer dereference, address: 00000000000000%02x", 8 * (i % 16));
	line(g, "#PF: supervisor read access in kernel mode");
	line(g, "Oops: 0000 [#1] SMP NOPTI");
	line(g, "CPU: 0 PID: %d Comm: nfsd Not tainted 5.15.0 #1", 200 + i);
	line(g, "RIP: 0010:nfsd4_op_%d+0x2a/0x110 [nfsd]", i % 4);
	line(g, "Call Trace:");
	line(g, " <TASK>");
	line(g, " nfsd4_proc_compound+0x3a4/0x6e0 [nfsd]");
	line(g, " nfsd_dispatch+0x165/0x260 [nfsd]");
	line(g, " </TASK>");
	line(g, "---[ end trace %016x ]---", i);
	if (i % 3 == 0)
		line(g, "Kernel panic - not syncing: Fatal exception");
}

/* One line of something that may not be skipped (or that looks close). */
static void
put_odd(struct gen *g)
{
	char big[9000];

	switch (rnd(&g->seed) % 11) {
	case 0:		/* a host: journalctl -o short-monotonic */
		g->ts += 0.001;
		{
			char l[200];

			snprintf(l, sizeof(l), "[%12.6f] node%d kernel: eth0: link up\n", g->ts,
				 (int)(rnd(&g->seed) % 3));
			put(&g->b, l);
		}
		break;
	case 1:		/* CR inside: the terminal shows what follows */
		g->ts += 0.001;
		{
			char l[200];

			snprintf(l, sizeof(l), "[%12.6f] progress 10%%\r[%12.6f] progress 100%%\n",
				 g->ts, g->ts + 0.5);
			put(&g->b, l);
		}
		break;
	case 2:		/* ANSI colour (control bytes) */
		line(g, "\x1b[1;31mBU\x1b[0mG: colours are dropped");
		break;
	case 3:		/* over-long */
		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		line(g, "long %s", big);
		break;
	case 4:		/* no stamp */
		put(&g->b, "plain text from a serial console\n");
		break;
	case 5:		/* dmesg -T */
		put(&g->b, "[Thu Apr  2 15:52:54 2020] eth1: renamed from veth0\n");
		break;
	case 6:		/* a near miss: a keyword that is no header */
		line(g, "ACPI: BUG: no such table (firmware)");
		break;
	case 7:		/* the time goes back: a new boot */
		g->ts = 0.5 + (double)(rnd(&g->seed) % 100) / 1000.0;
		line(g, "Linux version 6.1.0 (builder@host) #1 SMP");
		break;
	case 8:		/* a CRLF line */
		g->ts += 0.001;
		{
			char l[200];

			snprintf(l, sizeof(l), "[%12.6f] crlf line\r\n", g->ts);
			put(&g->b, l);
		}
		break;
	case 9:		/* a caller id */
		g->ts += 0.001;
		{
			char l[200];

			snprintf(l, sizeof(l), "[%12.6f][  T%d] task line\n", g->ts,
				 (int)(rnd(&g->seed) % 500));
			put(&g->b, l);
		}
		break;
	default:	/* an empty line */
		put(&g->b, "\n");
		break;
	}
}

static void
put_noise(struct gen *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		line(g, "%s", chatter[rnd(&g->seed) % (sizeof(chatter) / sizeof(chatter[0]))]);
}

static void
put_crash(struct gen *g)
{
	if (rnd(&g->seed) % 2)
		put_warning(g);
	else
		put_oops(g);
}

/* About `size` bytes: noise with crashes and odd lines sprinkled in. */
static void
gen_random(struct gen *g, size_t size, unsigned crash_every, unsigned odd_every)
{
	line(g, "Linux version 6.1.0 (builder@host) #1 SMP");
	while (g->b.len < size) {
		uint64_t r = rnd(&g->seed);

		if (r % crash_every == 0)
			put_crash(g);
		else if (odd_every && r % odd_every == 1 && g->style != GEN_DMESG && r % 3)
			put_odd_syslog(g);
		else if (odd_every && r % odd_every == 1)
			put_odd(g);
		else
			put_noise(g, 1);
	}
}

/* Crashes around every 1 MiB block edge: the header line, the end marker,
 * the panic line, the line before the header, right across / before /
 * after the edge. */
static void
gen_edges(struct gen *g, int shift)
{
	const size_t block = 1u << 20;

	line(g, "Linux version 6.1.0 (builder@host) #1 SMP");
	for (size_t edge = block; edge <= 3 * block; edge += block) {
		/* noise until the crash's text reaches the edge at `shift` lines */
		while (g->b.len + 120 * 12 < edge)
			put_noise(g, 1);
		for (int k = 0; k < shift; k++)
			put_noise(g, 1);
		put_crash(g);
	}
	put_noise(g, 200);
}

static void
write_file(const char *path, const struct buf *b)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(b->p, 1, b->len, f) != b->len || fclose(f) != 0)
		abort();
}

static void
compare(const char *what, const struct buf *log, bool pipe_too)
{
	char path[] = "/tmp/kt-test-prefilter-XXXXXX", msg[256];
	int fd = mkstemp(path);
	struct run full, fast;

	if (fd < 0)
		abort();
	close(fd);
	write_file(path, log);
	full = analyze(path, true);
	fast = analyze(path, false);
	snprintf(msg, sizeof(msg), "%s: same output with the prefilter (%zu reports)", what,
		 full.reports);
	ok(full.out.len && full.out.len == fast.out.len &&
	   memcmp(full.out.p, fast.out.p, full.out.len) == 0 && full.reports > 0, msg);
	if (pipe_too) {
		struct run piped = analyze_pipe(log, log->len, path);

		snprintf(msg, sizeof(msg), "%s: same output read from a pipe in random pieces",
			 what);
		ok(piped.out.len == full.out.len &&
		   memcmp(piped.out.p, full.out.p, full.out.len) == 0, msg);
		free(piped.out.p);
	}
	free(full.out.p);
	free(fast.out.p);
	unlink(path);
}

static void
test_written(void)
{
	for (uint64_t seed = 1; seed <= 4; seed++) {
		struct gen g = { .seed = seed, .ts = 1.0 };
		char what[64];

		gen_random(&g, 3u << 20, seed == 1 ? 400 : 2000, seed == 4 ? 0 : 50);
		snprintf(what, sizeof(what), "written log, seed %llu", (unsigned long long)seed);
		compare(what, &g.b, true);
		free(g.b.p);
	}
	{	/* a pstore dump header after a while: every later line is kept */
		struct gen g = { .seed = 5, .ts = 1.0 };

		put_noise(&g, 3000);
		put(&g.b, "Panic#1 Part1\n");
		put_noise(&g, 300);
		put_crash(&g);
		put_noise(&g, 300);
		compare("a pstore dump after 3,000 lines", &g.b, false);
		free(g.b.p);
	}
	for (int shift = 0; shift <= 12; shift += 3) {
		struct gen g = { .seed = 99, .ts = 1.0 };
		char what[64];

		gen_edges(&g, shift);
		snprintf(what, sizeof(what), "crashes at the block edges, shift %d", shift);
		compare(what, &g.b, false);
		free(g.b.p);
	}
}

/* Syslog and journal files: lines of the splitter's host are skipped,
 * others parsed (hosts, tags, styles that switch, long user-space
 * stretches); crashes at the block edges too. */
static void
test_syslog(void)
{
	for (uint64_t seed = 21; seed <= 24; seed++) {
		struct gen g = { .seed = seed, .ts = 1.0 };
		char what[64];

		g.style = seed % 2 ? GEN_SYSLOG : GEN_JOURNAL;
		g.host = seed == 24 ? "xs-host-07.example" : NULL;
		gen_random(&g, 3u << 20, seed == 21 ? 400 : 2000, seed == 23 ? 0 : 40);
		snprintf(what, sizeof(what), "written %s log, seed %llu",
			 g.style == GEN_SYSLOG ? "syslog" : "journal", (unsigned long long)seed);
		compare(what, &g.b, seed <= 22);
		free(g.b.p);
	}
	{	/* the style switches every few thousand lines, crashes in each */
		struct gen g = { .seed = 31, .ts = 1.0 };

		while (g.b.len < (4u << 20)) {
			g.style = (enum gen_style)(rnd(&g.seed) % GEN_STYLES);
			for (int i = 0; i < 5000; i++)
				if (rnd(&g.seed) % 3000 == 0)
					put_crash(&g);
				else if (rnd(&g.seed) % 60 == 0)
					put_odd_syslog(&g);
				else
					put_noise(&g, 1);
		}
		compare("styles switching", &g.b, true);
		free(g.b.p);
	}
	for (int shift = 0; shift <= 12; shift += 4) {
		struct gen g = { .seed = 98, .ts = 1.0, .style = shift % 8 ? GEN_JOURNAL : GEN_SYSLOG };
		char what[64];

		gen_edges(&g, shift);
		snprintf(what, sizeof(what), "syslog crashes at the block edges, shift %d", shift);
		compare(what, &g.b, false);
		free(g.b.p);
	}
}

/* The crash of put_oops(), in g's style, with one line of `host` stamped
 * at 0.5 s after its header (a new boot if the parser's last time was
 * over 5 s: src/parse/parser.c new_boot()). */
static void
put_oops_boot(struct gen *g, const char *host)
{
	line(g, "BUG: kernel NULL pointer dereference, address: 0000000000000008");
	sysline(g, host, "kernel", "[    0.500000] early line of a new boot");
	line(g, "#PF: supervisor read access in kernel mode");
	line(g, "Oops: 0000 [#1] SMP NOPTI");
	line(g, "CPU: 0 PID: 7 Comm: nfsd Not tainted 5.15.0 #1");
	line(g, "RIP: 0010:nfsd4_op_1+0x2a/0x110 [nfsd]");
	line(g, "Call Trace:");
	line(g, " nfsd_dispatch+0x165/0x260 [nfsd]");
	line(g, "---[ end trace 0000000000000001 ]---");
}

/* What a skipped syslog line leaves behind: the parser's last time (the
 * last stamped line skipped must be parsed again even after a long run
 * of unstamped ones), the splitter's host (a line of another host is
 * never skipped: its parser keeps the line as a prefix), a stamp with a
 * delta (a time the prefilter does not read). Each log's output differs
 * if the prefilter gets that wrong. */
static void
test_syslog_state(void)
{
	static const char *const what[] = {
		"the last stamp before 100 user-space lines",
		"the same with a dmesg -d stamp",
		"a line of another host, its crash 600 lines later",
	};

	for (int t = 0; t < 3; t++) {
		struct gen g = { .seed = 41 + (uint64_t)t, .ts = 1.0, .style = GEN_SYSLOG };
		char msg[128];

		put_noise(&g, 3000);
		if (t < 2) {
			g.ts = 50.0;
			if (t == 0)
				line(&g, "eth0: link up");
			else	/* right after a line that is parsed (a CR) */
				sysline(&g, "node1", "kernel", "eth0: carrier lost\r"),
				sysline(&g, "node1", "kernel", "[   50.000000 <    0.000123>] eth0: link up");
			for (int i = 0; i < 100; i++)
				sysline(&g, "node1", "CRON[77]", "(root) CMD (run-parts /etc/cron.hourly)");
			g.style = GEN_JOURNAL;
			put_oops_boot(&g, "node1");
		} else {
			sysline(&g, "node2", "kernel", "[    9.000000] e1000e: node2's early line");
			put_noise(&g, 600);
			g.host = "node2";
			put_oops(&g);
			g.host = NULL;
		}
		put_noise(&g, 300);
		snprintf(msg, sizeof(msg), "syslog: %s", what[t]);
		compare(msg, &g.b, false);
		free(g.b.p);
	}
}

/* A hung task report: its header keyword "INFO:" is also a ring level
 * word (linux kernel/hung_task.c check_hung_task()). */
static void
put_hung_as(struct gen *g, const char *field)
{
	int i = g->crash++;

	if (field) {	/* the header behind a field that is no ring level field */
		char l[300];

		g->ts += 0.001;
		snprintf(l, sizeof(l), "[%14.6f] %sINFO: task nfsd:%d blocked for more than 120 seconds.\n",
			 g->ts, field, 300 + i);
		put(&g->b, l);
	} else {
		line(g, "INFO: task nfsd:%d blocked for more than 120 seconds.", 300 + i);
	}
	line(g, "      Not tainted 5.15.0 #1");
	line(g, "\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.");
	line(g, "task:nfsd            state:D stack:    0 pid:%5d ppid:     2 flags:0x00004000",
	     300 + i);
	line(g, "Call Trace:");
	line(g, " <TASK>");
	line(g, " __schedule+0x2e0/0x8a0");
	line(g, " schedule+0x4e/0xb0");
	line(g, " nfsd4_op_%d+0x2a/0x110 [nfsd]", i % 4);
	line(g, " </TASK>");
}

static void
put_hung(struct gen *g)
{
	put_hung_as(g, NULL);
}

/* Lines of a ring log that may not be skipped, or that look close. */
static void
put_odd_ring(struct gen *g)
{
	char l[300];

	g->ts += 0.001;
	switch (rnd(&g->seed) % 8) {
	case 6:		/* the header glued to the field: no ring line */
		put_hung_as(g, "  INFO:");
		return;
	case 7:		/* the header behind a field with no level word */
		put_hung_as(g, "  HINT: ");
		return;
	case 0:		/* the level field's keyword inside the text */
		snprintf(l, sizeof(l), "[%14.6f]   INFO: usb 1-1: INFO: not at the start\n", g->ts);
		break;
	case 1:		/* a level word the ring does not have */
		snprintf(l, sizeof(l), "[%14.6f]  HELLO: INFO: task x blocked\n", g->ts);
		break;
	case 2:		/* no space after the colon */
		snprintf(l, sizeof(l), "[%14.6f]   INFO:INFO: glued\n", g->ts);
		break;
	case 3:		/* a keyword right after the field */
		snprintf(l, sizeof(l), "[%14.6f]   WARN: INFO:\n", g->ts);
		break;
	case 4:		/* the field at the end of the line */
		snprintf(l, sizeof(l), "[%14.6f]   INFO:\n", g->ts);
		break;
	default:	/* a dmesg line in between */
		snprintf(l, sizeof(l), "[%12.6f] INFO: a dmesg line\n", g->ts);
		break;
	}
	put(&g->b, l);
}

/* XenServer dom0.log rings: hung tasks (whose keyword is a level word),
 * other crashes and odd lines; at the block edges too. */
static void
test_ring(void)
{
	for (uint64_t seed = 51; seed <= 53; seed++) {
		struct gen g = { .seed = seed, .ts = 1.0, .style = GEN_RING };
		char what[64];

		line(&g, "Linux version 6.1.0 (builder@host) #1 SMP");
		while (g.b.len < (3u << 20)) {
			uint64_t r = rnd(&g.seed);

			if (r % 1500 == 0)
				put_hung(&g);
			else if (r % 1500 == 1)
				put_crash(&g);
			else if (seed != 53 && r % 40 == 2)
				put_odd_ring(&g);
			else
				put_noise(&g, 1);
		}
		snprintf(what, sizeof(what), "written ring log, seed %llu", (unsigned long long)seed);
		compare(what, &g.b, seed == 51);
		free(g.b.p);
	}
	for (int shift = 0; shift <= 12; shift += 6) {
		struct gen g = { .seed = 97, .ts = 1.0, .style = GEN_RING };
		const size_t block = 1u << 20;
		char what[64];

		line(&g, "Linux version 6.1.0 (builder@host) #1 SMP");
		for (size_t edge = block; edge <= 3 * block; edge += block) {
			while (g.b.len + 140 * 10 < edge)
				put_noise(&g, 1);
			put_noise(&g, (size_t)shift);
			put_hung(&g);
		}
		put_noise(&g, 200);
		snprintf(what, sizeof(what), "ring hung tasks at the block edges, shift %d", shift);
		compare(what, &g.b, false);
		free(g.b.p);
	}
}

static void
test_gen_log(void)
{
	static const char *const styles[] = { "dmesg", "mixed", "ring", "syslog", "journal" };
	const char *root = getenv("KT_BUILD_ROOT");
	char gen[4096], cmd[8192];

	snprintf(gen, sizeof(gen), "%s/bench/gen_log", root ? root : ".");
	for (size_t i = 0; i < sizeof(styles) / sizeof(styles[0]); i++) {
		char path[] = "/tmp/kt-test-prefilter-gen-XXXXXX", what[64];
		int fd;
		struct run full, fast;

		if (!root || access(gen, X_OK) != 0) {
			printf("ok %d - # SKIP bench/gen_log not built\n", ++n_tests);
			continue;
		}
		fd = mkstemp(path);
		if (fd < 0)
			abort();
		close(fd);
		snprintf(cmd, sizeof(cmd),
			 "'%s' --size 3M --crash-every 40k --seed %zu --style %s -o '%s' 2>/dev/null",
			 gen, i + 11, styles[i], path);
		if (system(cmd) != 0)
			abort();
		full = analyze(path, true);
		fast = analyze(path, false);
		snprintf(what, sizeof(what), "bench/gen_log --style %s: same output (%zu reports)",
			 styles[i], full.reports);
		ok(full.reports > 0 && full.out.len == fast.out.len &&
		   memcmp(full.out.p, fast.out.p, full.out.len) == 0, what);
		free(full.out.p);
		free(fast.out.p);
		unlink(path);
	}
}

int
main(void)
{
	printf("1..%d\n", 19 + 15 + 7);
	test_written();
	test_syslog();
	test_syslog_state();
	test_ring();
	test_gen_log();
	return n_failed ? 1 : 0;
}
