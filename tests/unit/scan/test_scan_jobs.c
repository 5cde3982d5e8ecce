/*
 * Unit tests of `scan` on several threads (kt_scan_opts.jobs): a plain
 * file is cut into byte ranges at line starts, one scanner per range, and
 * the result must be the one-thread result exactly -- same reports in the
 * same order with the same line numbers (header, last line, every line of
 * the report), titles and kinds -- when a crash, its prefix lines or its
 * tail lie across a range boundary, with many crashes, with none, with
 * several syslog hosts and with a last line without a newline. The logs
 * are our own text in the documented dmesg and syslog formats (dmesg
 * lines: linux kernel/printk/printk.c, info_print_prefix(); syslog: RFC
 * 3164), then bench/gen_log logs when it is built.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <ktriage/ktriage.h>

#include "scan/scan.h"

/* ---- results as text ------------------------------------------------------ */

struct out {
	char *s;
	size_t len, cap;
	size_t n;
};

static void
out_add(struct out *o, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];
	int k;

	va_start(ap, fmt);
	k = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	assert_true(k >= 0);
	if ((size_t)k >= sizeof(buf))
		k = sizeof(buf) - 1;
	if (o->len + (size_t)k + 1 > o->cap) {
		o->cap = (o->cap + (size_t)k + 1) * 2;
		o->s = realloc(o->s, o->cap);
	}
	memcpy(o->s + o->len, buf, (size_t)k);
	o->len += (size_t)k;
	o->s[o->len] = '\0';
}

static void
on_report(void *ud, const char *unit, struct kt_report *r)
{
	struct out *o = ud;
	uint64_t sum = 0;

	uint64_t text = 1469598103934665603ULL;

	for (size_t i = 0; i < r->n_lines; i++) {
		sum = sum * 31 + r->line_nos[i];
		for (const char *c = r->lines[i]; *c; c++)
			text = (text ^ (unsigned char)*c) * 1099511628211ULL;
		text = (text ^ '\n') * 1099511628211ULL;
	}
	out_add(o, "%s|%s|%u-%u|%zu|%llu|%llx|%s|%s|%d|%d|%s|%s|%.6f", unit,
		r->source.file ? r->source.file : "", (unsigned)r->source.first_line,
		(unsigned)r->source.last_line, r->n_lines, (unsigned long long)sum,
		(unsigned long long)text, r->title ? r->title : "(null)", kt_kind_name(r->kind),
		(int)r->corrupted, (int)r->incomplete,
		r->incomplete_reason ? r->incomplete_reason : "", r->source.host ? r->source.host : "",
		r->source.timestamp);
	for (size_t i = 0; i < r->n_notes; i++)
		out_add(o, "|%u:%s", (unsigned)r->notes[i].line, r->notes[i].msg);
	out_add(o, "\n");
	o->n++;
	kt_report_free(r);
}

static void
scan_cut(const char *path, unsigned jobs, uint64_t split_min, const uint64_t *cuts,
	 unsigned n_cuts, struct out *o, struct kt_scan_stats *st)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_scan_opts opts = { .engine = KT_KWSET_AUTO, .jobs = jobs,
				     .split_min = split_min, .cuts = cuts, .n_cuts = n_cuts };
	struct kt_scanner *s = NULL;
	struct kt_scan_cb cb = { .report = on_report, .ud = o };

	assert_int_equal(kt_scanner_new(ctx, &opts, &s), 0);
	assert_int_equal(kt_scan_path(s, path, &cb), 0);
	if (st)
		kt_scanner_stats(s, st);
	kt_scanner_free(s);
	kt_ctx_free(ctx);
}

static void
scan_file(const char *path, unsigned jobs, uint64_t split_min, struct out *o,
	  struct kt_scan_stats *st)
{
	scan_cut(path, jobs, split_min, NULL, 0, o, st);
}

/* One thread vs 2..8 threads with ranges as small as `split_min`. Returns
 * the number of reports. */
static size_t
check_jobs(const char *path, uint64_t split_min, const char *what)
{
	static const unsigned jobs[] = { 2, 3, 4, 7, 8 };
	struct out one = { 0 };
	struct kt_scan_stats st1, st;

	scan_file(path, 1, split_min, &one, &st1);
	for (size_t j = 0; j < sizeof(jobs) / sizeof(jobs[0]); j++) {
		struct out par = { 0 };
		scan_file(path, jobs[j], split_min, &par, &st);
		if (par.len != one.len || (one.len && memcmp(par.s, one.s, one.len) != 0))
			fprintf(stderr, "# %s -j %u:\n# one thread:\n%s# threads:\n%s", what,
				jobs[j], one.s ? one.s : "", par.s ? par.s : "");
		assert_int_equal(par.len, one.len);
		if (one.len)
			assert_memory_equal(par.s, one.s, one.len);
		assert_int_equal(st.lines, st1.lines);
		assert_int_equal(st.reports, st1.reports);
		free(par.s);
	}
	size_t n = one.n;
	free(one.s);
	return n;
}

static char *
write_temp(const char *data, size_t len)
{
	char *path = strdup("/tmp/kt-test-scanj-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

/* ---- hand-written logs ---------------------------------------------------- */

/* An x86_64 page-fault oops in dmesg format (linux arch/x86/mm/fault.c,
 * show_fault_oops(); arch/x86/kernel/dumpstack.c, __die()). */
static const char oops[] =
	"[  100.000001] BUG: unable to handle kernel paging request at ffff8801705505c0\n"
	"[  100.000002] IP: [<ffffffff812d9656>] memcpy+0x6/0x110\n"
	"[  100.000003] Oops: 0000 [#1] SMP\n"
	"[  100.000004] CPU: 4 PID: 0 Comm: swapper/4 Tainted: G           O 3.10.0+2 #1\n"
	"[  100.000005] RIP: e030:[<ffffffff812d9656>]  [<ffffffff812d9656>] memcpy+0x6/0x110\n"
	"[  100.000006] Call Trace:\n"
	"[  100.000007]  <IRQ>\n"
	"[  100.000008]  [<ffffffff8143f593>] ? skb_copy_bits+0x143/0x240\n"
	"[  100.000009]  [<ffffffff81486461>] ip_fragment+0x621/0x760\n"
	"[  100.000010] ---[ end trace 1234567890abcdef ]---\n"
	"[  100.000011] Kernel panic - not syncing: Fatal exception in interrupt\n";

/* A refcount warning (linux lib/refcount.c, refcount_warn_saturate();
 * kernel/panic.c, __warn()). */
static const char warn[] =
	"[  200.000001] ------------[ cut here ]------------\n"
	"[  200.000002] refcount_t: underflow; use-after-free.\n"
	"[  200.000003] WARNING: CPU: 1 PID: 7 at lib/refcount.c:28 refcount_warn_saturate+0xec/0x140\n"
	"[  200.000004] RIP: 0010:refcount_warn_saturate+0xec/0x140\n"
	"[  200.000005] Call Trace:\n"
	"[  200.000006]  <TASK>\n"
	"[  200.000007]  tcp_sendmsg+0x41/0x70\n"
	"[  200.000008]  </TASK>\n"
	"[  200.000009] ---[ end trace 0000000000000000 ]---\n";

static void
noise(struct out *o, size_t lines, unsigned seed)
{
	for (size_t i = 0; i < lines; i++)
		out_add(o, "[%5u.%06u] e1000e 0000:00:19.0 eth%u: NIC Link is Up %u Mbps Full Duplex\n",
			seed, (unsigned)i, (unsigned)(i % 4), 100u * (unsigned)(1 + i % 10));
}

/* A crash slides across the middle of the file (the one boundary of two
 * ranges): every line of it, and of the prefix lines before it, is once
 * the first line of the second range. */
static void
test_boundary_sweep(void **state)
{
	(void)state;
	for (int kind = 0; kind < 2; kind++) {
		const char *crash = kind ? warn : oops;
		for (size_t shift = 0; shift < 90; shift += 3) {
			struct out o = { 0 };
			noise(&o, 100 + shift, 1);
			out_add(&o, "%s", crash);
			noise(&o, 200 - shift, 2);
			char *path = write_temp(o.s, o.len);
			assert_int_equal(check_jobs(path, 1, kind ? "warn sweep" : "oops sweep"), 1);
			unlink(path);
			free(path);
			free(o.s);
		}
	}
}

/* Plain console lines: no timestamp, level or tag, so no kernel provenance
 * (docs/report-json.md "Detection"). */
static void
plain(struct out *o, size_t lines, unsigned seed)
{
	for (size_t i = 0; i < lines; i++)
		out_add(o, "eth%u: link state changed, seed %u line %u\n", (unsigned)(i % 4), seed,
			(unsigned)i);
}

/*
 * State the parser keeps across idle stretches: whether a line with a
 * kernel provenance was seen (a bare header line without a body is then
 * dropped, else held as a candidate) and the last timestamp (a timestamp
 * going back to ~0 is a new boot that closes the open report). A range
 * that starts from a fresh parser knows neither; the join must still give
 * the one-thread result. The first half has an oops with timestamps; the
 * second half only plain lines, with (a) a bare header and no body,
 * (b) a bare header with a body that a timestamp near 0 interrupts, or
 * (c) lines with a level but no timestamp and the same crash; (d) as (a)
 * after a first half of lines with levels and no timestamps.
 */
/* Lines with a level (KERN_SOH + digit, linux include/linux/kern_levels.h)
 * and no timestamp: a kernel provenance, no time. */
static void
leveled(struct out *o, size_t lines, unsigned seed)
{
	for (size_t i = 0; i < lines; i++)
		out_add(o, "\0016eth%u: link state changed, seed %u line %u\n", (unsigned)(i % 4), seed,
			(unsigned)i);
}

static void
test_cross_idle_state(void **state)
{
	(void)state;
	for (int kind = 0; kind < 4; kind++) {
		for (size_t shift = 0; shift < 200; shift += 37) {
			struct out o = { 0 };
			if (kind == 3) {
				/* (d) levels, no timestamp at all, then (a): only
				 * the provenance flag differs */
				leveled(&o, 100, 1);
				out_add(&o, "\0011BUG: unable to handle kernel paging request at 0000000000002000\n"
					    "\0014IP: [<ffffffff812d9656>] memcpy+0x6/0x110\n"
					    "\0014Oops: 0000 [#1] SMP\n"
					    "\0014Call Trace:\n"
					    "\0014 [<ffffffff81486461>] ip_fragment+0x621/0x760\n"
					    "\0014---[ end trace 1234567890abcdef ]---\n");
				leveled(&o, 300, 2);
			} else {
				noise(&o, 100, 1);
				out_add(&o, "%s", oops);
				noise(&o, 300, 200);	/* timestamps 200.x: well after boot */
			}
			if (kind == 2)
				leveled(&o, 120 + shift, 3);
			else
				plain(&o, 120 + shift, 3);
			if (kind == 2) {
				/* (c) the same with levels: the provenance is
				 * known, only the last timestamp differs */
				out_add(&o, "\0011BUG: unable to handle kernel paging request at 0000000000001000\n"
					    "\0014IP: [<ffffffff812d9656>] memcpy+0x6/0x110\n"
					    "\0014Oops: 0000 [#1] SMP\n"
					    "\0014Call Trace:\n"
					    "\0014 [<ffffffff81486461>] ip_fragment+0x621/0x760\n"
					    "[    1.000000] random: crng init done\n"
					    "\0014 [<ffffffff81486462>] ip_output+0x21/0x60\n");
			} else if (kind == 0 || kind == 3) {
				out_add(&o, "BUG: unable to handle kernel paging request at 0000000000001000\n");
			} else {
				out_add(&o, "BUG: unable to handle kernel paging request at 0000000000001000\n"
					    "IP: [<ffffffff812d9656>] memcpy+0x6/0x110\n"
					    "Oops: 0000 [#1] SMP\n"
					    "Call Trace:\n"
					    " [<ffffffff81486461>] ip_fragment+0x621/0x760\n"
					    "[    1.000000] Linux version 4.19.0 (builder@host) #1 SMP\n"
					    " [<ffffffff81486462>] ip_output+0x21/0x60\n");
			}
			if (kind == 2)
				leveled(&o, 700 - shift, 4);
			else
				plain(&o, 700 - shift, 4);
			char *path = write_temp(o.s, o.len);
			(void)check_jobs(path, 1, kind == 3 ? "bare header after levels" :
					 kind == 2 ? "boot after leveled header" :
					 kind ? "boot after bare header" : "bare header");
			unlink(path);
			free(path);
			free(o.s);
		}
	}
}

/* ---- every cut position --------------------------------------------------- */

/* One thread against ranges cut at the line starts at or after `cuts`
 * (ascending, n <= 3): the same reports, byte for byte. */
static void
check_cuts(const char *path, const struct out *one, const uint64_t *cuts, unsigned n,
	   const char *what)
{
	struct out par = { 0 };

	scan_cut(path, n + 1, 1, cuts, n, &par, NULL);
	if (par.len != one->len || (one->len && memcmp(par.s, one->s, one->len) != 0)) {
		fprintf(stderr, "# %s, cuts at", what);
		for (unsigned i = 0; i < n; i++)
			fprintf(stderr, " %llu", (unsigned long long)cuts[i]);
		fprintf(stderr, ":\n# one thread:\n%s# ranges:\n%s", one->s ? one->s : "",
			par.s ? par.s : "");
	}
	assert_int_equal(par.len, one->len);
	if (one->len)
		assert_memory_equal(par.s, one->s, one->len);
	free(par.s);
}

/* An oops whose body has continuation lines (printed without a prefix,
 * as pr_cont() text that reached the console on its own line). */
static const char oops_cont[] =
	"[  300.000001] general protection fault, probably for non-canonical address 0xdead000000000122: 0000 [#1] SMP\n"
	"[  300.000002] CPU: 2 PID: 412 Comm: kworker/2:1 Not tainted 5.10.0 #1\n"
	"[  300.000003] RIP: 0010:list_del+0x2a/0x90\n"
	"[  300.000004] Call Trace:\n"
	" process_one_work+0x1d6/0x3a0\n"
	" worker_thread+0x4d/0x3d0\n"
	"[  300.000005]  kthread+0x117/0x130\n"
	"[  300.000006] Modules linked in: e1000e\n"
	"[  300.000007] ---[ end trace 00000000000000aa ]---\n";

/* Two tasks' reports interleaved, lines with printk caller ids
 * (CONFIG_PRINTK_CALLER: linux kernel/printk/printk.c, print_caller()). */
static const char tasks[] =
	"[  400.000001][ T1234] BUG: KASAN: use-after-free in tcp_close+0x10/0x60\n"
	"[  400.000002][  T777] BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
	"[  400.000003][ T1234] Read of size 8 at addr ffff888012345678 by task a.out/1234\n"
	"[  400.000004][  T777] #PF: supervisor read access in kernel mode\n"
	"[  400.000005][ T1234] CPU: 0 PID: 1234 Comm: a.out Not tainted 5.10.0 #1\n"
	"[  400.000006][  T777] RIP: 0010:sock_close+0x8/0x30\n"
	"[  400.000007][ T1234] Call Trace:\n"
	"[  400.000008][  T777] Call Trace:\n"
	"[  400.000009][ T1234]  __fput+0x9e/0x250\n"
	"[  400.000010][  T777]  __fput+0x9e/0x250\n"
	"[  400.000011][ T1234] ==================================================================\n";

/* A report with no end marker: ordinary chatter ends it after its body
 * stopped (the parser's quiet rule). */
static const char no_end[] =
	"[  500.000001] kernel BUG at mm/slub.c:306!\n"
	"[  500.000002] invalid opcode: 0000 [#1] SMP\n"
	"[  500.000003] RIP: 0010:kfree+0x1d4/0x220\n"
	"[  500.000004] Call Trace:\n"
	"[  500.000005]  skb_release_data+0xd2/0x130\n";

/* Reports of every kind of boundary: prefix lines, header, body,
 * continuation lines, end marker, panic tail, interleaved tasks, a report
 * without end marker, short and long (> 500 lines) idle stretches, a bare
 * header and a timestamp going back to 0. */
static void
classes_log(struct out *o)
{
	noise(o, 90, 1);
	out_add(o, "%s", oops);
	noise(o, 8, 2);
	out_add(o, "%s", warn);
	noise(o, 3, 3);
	out_add(o, "%s", oops_cont);
	noise(o, 620, 4);
	out_add(o, "%s", tasks);
	noise(o, 70, 5);
	out_add(o, "%s", no_end);
	noise(o, 80, 6);
	plain(o, 70, 7);
	out_add(o, "BUG: unable to handle kernel paging request at 0000000000001000\n");
	plain(o, 12, 8);
	out_add(o, "[    0.500000] BUG: unable to handle kernel NULL pointer dereference at 0000000000000010\n"
		   "[    0.500001] IP: [<ffffffff812d9656>] memcpy+0x6/0x110\n"
		   "[    0.500002] Oops: 0000 [#1] SMP\n");
	noise(o, 40, 9);
	out_add(o, "%s", oops);
}

/* Cut the file at every line start (two ranges), then at pairs and
 * triples of nearby line starts (three and four ranges). */
static void
test_cut_everywhere(void **state)
{
	struct out o = { 0 }, one = { 0 };
	uint64_t *starts;
	size_t n = 0;

	(void)state;
	classes_log(&o);
	char *path = write_temp(o.s, o.len);
	scan_file(path, 1, 1, &one, NULL);
	assert_true(one.n >= 8);
	starts = malloc((o.len + 1) * sizeof(*starts));
	for (size_t i = 0; i < o.len; i++)
		if (i == 0 || o.s[i - 1] == '\n')
			starts[n++] = i;
	for (size_t i = 1; i < n; i++)	/* (every 9th inside the long idle stretch) */
		if (i < 230 || i > 700 || i % 9 == 0)
			check_cuts(path, &one, &starts[i], 1, "every line");
	for (size_t i = 1; i + 70 < n; i += 19) {
		static const size_t gap[] = { 1, 2, 9, 63, 64, 65, 70 };
		for (size_t g = 0; g < sizeof(gap) / sizeof(gap[0]); g++) {
			uint64_t c[3] = { starts[i], starts[i + gap[g]], 0 };
			check_cuts(path, &one, c, 2, "two cuts");
			if (i + gap[g] + 3 < n) {
				c[2] = starts[i + gap[g] + 3];
				check_cuts(path, &one, c, 3, "three cuts");
			}
		}
	}
	unlink(path);
	free(path);
	free(starts);
	free(one.s);
	free(o.s);
}

/* xorshift64: a fixed sequence, so a failure is reproducible. */
static uint64_t
rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Property: any cut points give the one-thread result. Random logs made
 * of the pieces above in random order with random idle stretches (dmesg,
 * plain and syslog lines of three hosts), cut at 1-3 random byte offsets. */
static void
test_random_cuts(void **state)
{
	static const char *const pieces[] = { oops, warn, oops_cont, tasks, no_end };
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	(void)state;
	for (unsigned file = 0; file < 12; file++) {
		struct out o = { 0 }, one = { 0 };
		unsigned np = 4 + (unsigned)(rnd(&x) % 12);

		for (unsigned i = 0; i < np; i++) {
			unsigned idle = (unsigned)(rnd(&x) % 4);
			size_t lines = (size_t)(rnd(&x) % (idle == 3 ? 700 : 90));
			if (file % 3 == 2) {
				for (size_t k = 0; k < lines; k++)
					out_add(&o, "Nov 23 09:26:%02u host%u kernel: [ %4u.%06u] usb 1-1: reset\n",
						(unsigned)(k % 60), (unsigned)((k + i) % 3), i, (unsigned)k);
			} else if (idle == 0) {
				plain(&o, lines, i);
			} else {
				noise(&o, lines, i);
			}
			if (rnd(&x) % 5 == 0)
				out_add(&o, "BUG: unable to handle kernel paging request at 0000000000001000\n");
			else
				out_add(&o, "%s", pieces[rnd(&x) % 5]);
		}
		if (rnd(&x) % 2)
			out_add(&o, "[  999.000000] last line without a newline");
		char *path = write_temp(o.s, o.len);
		scan_file(path, 1, 1, &one, NULL);
		for (unsigned t = 0; t < 25; t++) {
			unsigned n = 1 + (unsigned)(rnd(&x) % 3);
			uint64_t c[3];
			for (unsigned i = 0; i < n; i++)
				c[i] = 1 + rnd(&x) % o.len;
			for (unsigned i = 1; i < n; i++)	/* ascending */
				for (unsigned j = i; j > 0 && c[j - 1] > c[j]; j--) {
					uint64_t tmp = c[j];
					c[j] = c[j - 1];
					c[j - 1] = tmp;
				}
			check_cuts(path, &one, c, n, "random cuts");
		}
		unlink(path);
		free(path);
		free(one.s);
		free(o.s);
	}
}

/* Many crashes back to back and close together: boundaries fall into
 * reports, their prefixes and their tails everywhere. */
static void
test_many(void **state)
{
	struct out o = { 0 };

	(void)state;
	for (unsigned i = 0; i < 60; i++) {
		noise(&o, i % 7 == 0 ? 0 : (i * 13) % 90, i);
		out_add(&o, "%s", i % 3 ? oops : warn);
	}
	out_add(&o, "[  999.0] trailing line without a newline");
	char *path = write_temp(o.s, o.len);
	for (uint64_t m = 1; m < 64 << 10; m *= 7)
		assert_int_equal(check_jobs(path, m, "many"), 60);
	unlink(path);
	free(path);
	free(o.s);
}

/* No crash at all, and an empty file. */
static void
test_none(void **state)
{
	struct out o = { 0 };

	(void)state;
	noise(&o, 3000, 5);
	char *path = write_temp(o.s, o.len);
	assert_int_equal(check_jobs(path, 1, "none"), 0);
	assert_int_equal(check_jobs(path, 4096, "none"), 0);
	unlink(path);
	free(path);
	free(o.s);
	path = write_temp("", 0);
	assert_int_equal(check_jobs(path, 1, "empty"), 0);
	unlink(path);
	free(path);
}

/* Syslog lines of several hosts, crashes of two of them interleaved
 * (RFC 3164 "TIMESTAMP HOSTNAME TAG: MSG"). */
static void
test_hosts(void **state)
{
	static const char *const hosts[] = { "alpha", "beta", "gamma" };
	struct out o = { 0 };

	(void)state;
	for (unsigned i = 0; i < 40; i++) {
		for (unsigned k = 0; k < 30 + (i * 11) % 50; k++)
			out_add(&o, "Nov 23 09:%02u:%02u %s kernel: [ %4u.%06u] usb 1-%u: new device\n",
				i % 60, k % 60, hosts[(i + k) % 3], i, k, k % 5);
		const char *h = hosts[i % 2];
		out_add(&o, "Nov 23 09:%02u:59 %s kernel: [ %4u.100000] general protection fault, probably for "
			"non-canonical address 0xdead000000000122: 0000 [#1] SMP\n", i % 60, h, i);
		out_add(&o, "Nov 23 09:%02u:59 %s kernel: [ %4u.100001] RIP: 0010:list_del+0x2a/0x90\n",
			i % 60, h, i);
		out_add(&o, "Nov 23 09:%02u:59 %s kernel: [ %4u.100002] Call Trace:\n", i % 60, hosts[2], i);
		out_add(&o, "Nov 23 09:%02u:59 %s kernel: [ %4u.100003]  schedule+0x46/0xb0\n", i % 60, h, i);
	}
	char *path = write_temp(o.s, o.len);
	for (uint64_t m = 1; m < 64 << 10; m *= 5)
		assert_true(check_jobs(path, m, "hosts") >= 40);
	unlink(path);
	free(path);
	free(o.s);
}

/* Logs from bench/gen_log (all styles, frequent crashes) in many ranges. */
static void
test_generated(void **state)
{
	static const char *const styles[] = { "mixed", "dmesg", "syslog", "journal", "ring" };
	const char *root = getenv("KT_BUILD_ROOT");
	char gen[4096], cmd[8192];

	(void)state;
	if (!root)
		skip();
	snprintf(gen, sizeof(gen), "%s/bench/gen_log", root);
	if (access(gen, X_OK) != 0)
		skip();
	for (size_t i = 0; i < sizeof(styles) / sizeof(styles[0]); i++) {
		char path[] = "/tmp/kt-test-genj-XXXXXX";
		int fd = mkstemp(path);
		assert_true(fd >= 0);
		close(fd);
		snprintf(cmd, sizeof(cmd),
			 "'%s' --size 4M --crash-every 24k --seed %zu --style %s -o '%s' 2>/dev/null",
			 gen, i + 11, styles[i], path);
		assert_int_equal(system(cmd), 0);
		assert_true(check_jobs(path, 100000, styles[i]) >= 50);
		unlink(path);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boundary_sweep),
		cmocka_unit_test(test_cross_idle_state),
		cmocka_unit_test(test_cut_everywhere),
		cmocka_unit_test(test_random_cuts),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_hosts),
		cmocka_unit_test(test_generated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
