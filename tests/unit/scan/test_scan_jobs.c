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

	for (size_t i = 0; i < r->n_lines; i++)
		sum = sum * 31 + r->line_nos[i];
	out_add(o, "%s|%s|%u-%u|%zu|%llu|%s|%s|%d\n", unit, r->source.file ? r->source.file : "",
		(unsigned)r->source.first_line, (unsigned)r->source.last_line, r->n_lines,
		(unsigned long long)sum, r->title ? r->title : "(null)", kt_kind_name(r->kind),
		(int)r->corrupted);
	o->n++;
	kt_report_free(r);
}

static void
scan_file(const char *path, unsigned jobs, uint64_t split_min, struct out *o,
	  struct kt_scan_stats *st)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_scan_opts opts = { .engine = KT_KWSET_AUTO, .jobs = jobs,
				     .split_min = split_min };
	struct kt_scanner *s = NULL;
	struct kt_scan_cb cb = { .report = on_report, .ud = o };

	assert_int_equal(kt_scanner_new(ctx, &opts, &s), 0);
	assert_int_equal(kt_scan_path(s, path, &cb), 0);
	if (st)
		kt_scanner_stats(s, st);
	kt_scanner_free(s);
	kt_ctx_free(ctx);
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
 * (b) a bare header with a body that a timestamp near 0 interrupts.
 */
static void
test_cross_idle_state(void **state)
{
	(void)state;
	for (int kind = 0; kind < 2; kind++) {
		for (size_t shift = 0; shift < 200; shift += 37) {
			struct out o = { 0 };
			noise(&o, 100, 1);
			out_add(&o, "%s", oops);
			noise(&o, 300, 2);
			plain(&o, 120 + shift, 3);
			if (kind == 0) {
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
			plain(&o, 700 - shift, 4);
			char *path = write_temp(o.s, o.len);
			(void)check_jobs(path, 1, kind ? "boot after bare header" : "bare header");
			unlink(path);
			free(path);
			free(o.s);
		}
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
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_hosts),
		cmocka_unit_test(test_generated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
