/*
 * Unit tests of the scanner: for hand-written logs (our own text, written
 * from the documented formats) the crashes `scan` finds -- file, header
 * line number, title -- must equal what the analyze pipeline finds, for
 * every window chunk size (so keywords, lines and reports cross block
 * boundaries), with CRLF, huge lines, control bytes, no final newline,
 * dom0.log ring levels that look like keywords. Then the same on logs from
 * bench/gen_log (several seeds and styles) when it is built.
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

#include <ktriage/analyze.h>
#include <ktriage/ktriage.h>

#include "scan/scan.h"

/* ---- collecting results ------------------------------------------------ */

struct found {
	char **v;
	size_t n;
};

static void
add(struct found *f, const struct kt_report *r)
{
	char buf[600];
	snprintf(buf, sizeof(buf), "%u|%s", (unsigned)r->source.first_line,
		 r->title ? r->title : "(null)");
	f->v = realloc(f->v, (f->n + 1) * sizeof(*f->v));
	f->v[f->n++] = strdup(buf);
}

static void
on_scan(void *ud, const char *unit, struct kt_report *r)
{
	(void)unit;
	add(ud, r);
	kt_report_free(r);
}

static void
on_analyze(void *ud, const char *unit, struct kt_report *r)
{
	on_scan(ud, unit, r);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
found_free(struct found *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i]);
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

/* Same multiset of "line|title" (analyze puts a Xen crash first in a unit;
 * scan reports in log order). */
static void
assert_same(struct found *a, struct found *b, const char *what)
{
	if (a->n)
		qsort(a->v, a->n, sizeof(*a->v), cmp_str);
	if (b->n)
		qsort(b->v, b->n, sizeof(*b->v), cmp_str);
	if (a->n != b->n) {
		fprintf(stderr, "# %s: analyze %zu reports, scan %zu\n", what, a->n, b->n);
		for (size_t i = 0; i < a->n; i++)
			fprintf(stderr, "#  A %s\n", a->v[i]);
		for (size_t i = 0; i < b->n; i++)
			fprintf(stderr, "#  S %s\n", b->v[i]);
	}
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		if (strcmp(a->v[i], b->v[i]) != 0)
			fprintf(stderr, "# %s: analyze '%s' scan '%s'\n", what, a->v[i], b->v[i]);
		assert_string_equal(a->v[i], b->v[i]);
	}
}

static void
run_analyze(const char *path, struct found *out)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_analyze_opts opts = { .no_diagnose = true };
	struct kt_analyzer *an = NULL;
	struct kt_analyze_cb cb = { NULL, on_analyze, NULL, out };

	assert_int_equal(kt_analyzer_new(ctx, &opts, &an), 0);
	assert_int_equal(kt_analyze_path(an, path, &cb), 0);
	kt_analyzer_free(an);
	kt_ctx_free(ctx);
}

static void
run_scan(const char *path, size_t chunk, bool full, enum kt_kwset_engine e, struct found *out,
	 struct kt_scan_stats *st)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_scan_opts opts = { .engine = e, .full = full, .chunk = chunk };
	struct kt_scanner *s = NULL;
	struct kt_scan_cb cb = { .report = on_scan, .ud = out };
	int r = kt_scanner_new(ctx, &opts, &s);

	if (r == KT_EUNSUPPORTED) {
		kt_ctx_free(ctx);
		return;
	}
	assert_int_equal(r, 0);
	assert_int_equal(kt_scan_path(s, path, &cb), 0);
	if (st)
		kt_scanner_stats(s, st);
	kt_scanner_free(s);
	kt_ctx_free(ctx);
}

static char *
write_temp(const char *data, size_t len)
{
	char *path = strdup("/tmp/kt-test-scan-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

/* Scan `path` with every chunk size and engine; all must agree with
 * analyze. Returns the number of crashes. */
static size_t
check_agree(const char *path, const char *what)
{
	static const size_t chunks[] = { 1, 2, 5, 64, 4093, 0 };
	static const enum kt_kwset_engine eng[] = { KT_KWSET_TEDDY, KT_KWSET_VECTORSCAN };
	struct found a = { 0 };
	size_t n;

	run_analyze(path, &a);
	n = a.n;
	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++)
		for (size_t e = 0; e < sizeof(eng) / sizeof(eng[0]); e++)
			for (int full = 0; full < 2; full++) {
				struct found s = { 0 };
				run_scan(path, chunks[c], full, eng[e], &s, NULL);
				if (!s.n && eng[e] == KT_KWSET_VECTORSCAN && a.n)
					continue;	/* not built in */
				assert_same(&a, &s, what);
				found_free(&s);
			}
	found_free(&a);
	return n;
}

/* ---- hand-written logs ---------------------------------------------------- */

/* An x86_64 page-fault oops in dmesg format (research/oops-format.md §1). */
#define OOPS \
	"[  100.000001] BUG: unable to handle kernel paging request at ffff8801705505c0\n" \
	"[  100.000002] IP: [<ffffffff812d9656>] memcpy+0x6/0x110\n" \
	"[  100.000003] Oops: 0000 [#1] SMP\n" \
	"[  100.000004] CPU: 4 PID: 0 Comm: swapper/4 Tainted: G           O 3.10.0+2 #1\n" \
	"[  100.000005] RIP: e030:[<ffffffff812d9656>]  [<ffffffff812d9656>] memcpy+0x6/0x110\n" \
	"[  100.000006] Call Trace:\n" \
	"[  100.000007]  <IRQ>\n" \
	"[  100.000008]  [<ffffffff8143f593>] ? skb_copy_bits+0x143/0x240\n" \
	"[  100.000009]  [<ffffffff81486461>] ip_fragment+0x621/0x760\n" \
	"[  100.000010] ---[ end trace 1234567890abcdef ]---\n" \
	"[  100.000011] Kernel panic - not syncing: Fatal exception in interrupt\n"

#define WARN \
	"[  200.000001] ------------[ cut here ]------------\n" \
	"[  200.000002] refcount_t: underflow; use-after-free.\n" \
	"[  200.000003] WARNING: CPU: 1 PID: 7 at lib/refcount.c:28 refcount_warn_saturate+0xec/0x140\n" \
	"[  200.000004] RIP: 0010:refcount_warn_saturate+0xec/0x140\n" \
	"[  200.000005] Call Trace:\n" \
	"[  200.000006]  <TASK>\n" \
	"[  200.000007]  tcp_sendmsg+0x41/0x70\n" \
	"[  200.000008]  </TASK>\n" \
	"[  200.000009] ---[ end trace 0000000000000000 ]---\n"

#define NOISE \
	"[    1.000000] Linux version 5.10.0 (builder@host) #1 SMP\n" \
	"[    1.100000] e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex\n" \
	"[    1.200000] usb 1-1: new high-speed USB device number 2 using ehci-pci\n"

struct log_row {
	const char *name;
	const char *text;
	size_t len;		/* 0: strlen */
	size_t min_crashes;
};

static const struct log_row log_rows[] = {
	{ "empty", "", 0, 0 },
	{ "noise only", NOISE NOISE, 0, 0 },
	{ "one oops", NOISE OOPS NOISE, 0, 1 },
	{ "oops at start, no final newline", OOPS "[  101.0] trailing", 0, 1 },
	{ "header is the last line, no newline", NOISE "[  300.1] BUG: soft lockup - CPU#3 stuck for 22s! [kworker/3:1:123]", 0, 1 },
	{ "warning with prefix lines", NOISE NOISE WARN NOISE, 0, 1 },
	{ "two crashes back to back", OOPS WARN OOPS, 0, 2 },
	{ "keyword joined by an escape sequence",
	  NOISE "[  400.0] BU\x1b[1mG: unable to handle kernel NULL pointer dereference at 0000000000000008\n"
	  "[  400.1] RIP: 0010:ext4_map_blocks+0x1d/0x80\n" NOISE, 0, 1 },
	{ "keyword joined by a NUL byte",
	  NOISE "[  400.0] Kernel pan\0ic - not syncing: VFS: Unable to mount root fs\n" NOISE,
	  sizeof(NOISE "[  400.0] Kernel pan\0ic - not syncing: VFS: Unable to mount root fs\n" NOISE) - 1, 1 },
	{ "look-alikes are not crashes",
	  "[    5.0] traps: a.out[123] general protection fault ip:7f00 sp:7ffd error:0 in libc.so.6[7f00+195000]\n"
	  "[    5.1] INFO: lockdep is turned off.\n"
	  "[    5.2] xINFO: nothing\n", 0, 0 },
	{ "dom0.log ring levels",
	  "[2637695.833000]   INFO: device vif3.0 entered promiscuous mode\n"
	  "[2637695.833001]   WARN: nfs: server not responding\n"
	  "[2637695.833005]  ALERT: BUG: unable to handle kernel paging request at ffff8801705505c0\n"
	  "[2637695.833116]  ALERT: IP: [<ffffffff812d9656>] memcpy+0x6/0x110\n"
	  "[2637695.833295]   WARN: Oops: 0000 [#1] SMP \n"
	  "[2637695.836023]   WARN: Call Trace:\n"
	  "[2637695.836140]   WARN:  [<ffffffff81486461>] ip_fragment+0x621/0x760\n"
	  "[2637695.840000]   INFO: device vif3.0 left promiscuous mode\n", 0, 1 },
	{ "dom0.log ring: keywords after a known level word",
	  "[2637695.833000]   INFO: device vif3.0 entered promiscuous mode\n"
	  "[2637695.833001]   INFO: device vif3.0 entered promiscuous mode\n"
	  "[2637695.833002]   INFO:\n"
	  "[2637695.833003]   INFO: INFO: task jbd2/sda1-8:245 blocked for more than 120 seconds.\n"
	  "[2637695.833004]   INFO:       Not tainted 4.19.0 #1\n"
	  "[2637695.833005]   INFO: Call Trace:\n"
	  "[2637695.833006]   INFO:  schedule+0x46/0xb0\n"
	  "[2637695.833007]   INFO: ---[ end trace 0000000000000000 ]---\n"
	  "[2637695.833008]   INFO: device vif3.0 left promiscuous mode\n"
	  "[2637695.833009]   INFO: BU\x1b[0mG: unable to handle kernel NULL pointer dereference at 0000000000000008\n"
	  "[2637695.833010]   INFO: device vif3.0 left promiscuous mode\n"
	  "[2637695.833011]   INFO: device vif3.0 left promiscuous mode Kernel panic - not syncing: x\n"
	  "[2637695.833012]   INFO: device vif3.0 entered promiscuous mode\n", 0, 2 },
	{ "syslog and journal prefixes",
	  "Nov 23 09:26:01 host kernel: [  12.0] usb 1-1: new device\n"
	  "Nov 23 09:26:02 host kernel: [  12.1] general protection fault, probably for non-canonical address 0xdead000000000122: 0000 [#1] SMP\n"
	  "Nov 23 09:26:02 host kernel: [  12.2] RIP: 0010:list_del+0x2a/0x90\n"
	  "Nov 23 09:26:03 host sshd[12]: Accepted publickey for root\n"
	  "Nov 23 09:27:01 host kernel: INFO: task jbd2/sda1-8:245 blocked for more than 120 seconds.\n"
	  "Nov 23 09:27:01 host kernel:  schedule+0x46/0xb0\n", 0, 1 },
	{ "xen console",
	  "(XEN) [ 1.0] Xen version 4.17\n"
	  "(XEN) ****************************************\n"
	  "(XEN) Panic on CPU 6:\n"
	  "(XEN) FATAL PAGE FAULT\n"
	  "(XEN) ****************************************\n", 0, 1 },
};

static void
test_hand_written(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(log_rows) / sizeof(log_rows[0]); i++) {
		const struct log_row *r = &log_rows[i];
		size_t len = r->len ? r->len : strlen(r->text);
		char *path = write_temp(r->text, len);
		size_t n = check_agree(path, r->name);
		if (n < r->min_crashes)
			fprintf(stderr, "# %s: %zu crashes, expected at least %zu\n", r->name, n,
				r->min_crashes);
		assert_true(n >= r->min_crashes);
		if (r->min_crashes == 0 && strstr(r->name, "not crashes"))
			assert_int_equal(n, 0);
		unlink(path);
		free(path);
	}
}

/* The same logs with CRLF line ends. */
static void
test_crlf(void **state)
{
	(void)state;
	const char *src = NOISE OOPS WARN NOISE;
	size_t n = strlen(src), o = 0;
	char *buf = malloc(2 * n + 1);

	for (size_t i = 0; i < n; i++) {
		if (src[i] == '\n')
			buf[o++] = '\r';
		buf[o++] = src[i];
	}
	char *path = write_temp(buf, o);
	struct found s = { 0 };
	assert_int_equal(check_agree(path, "crlf"), 2);
	/* The header line numbers are those of the LF version. */
	run_scan(path, 0, false, KT_KWSET_AUTO, &s, NULL);
	qsort(s.v, s.n, sizeof(*s.v), cmp_str);
	assert_int_equal(s.n, 2);
	assert_int_equal(strtoul(s.v[0], NULL, 10), 17);
	assert_int_equal(strtoul(s.v[1], NULL, 10), 4);
	found_free(&s);
	unlink(path);
	free(path);
	free(buf);
}

/* Lines longer than KT_MAX_LINE: a keyword past the cut is invisible to
 * analyze and must be to scan; one before it counts. */
static void
test_huge_lines(void **state)
{
	(void)state;
	size_t big = 3 * KT_MAX_LINE + 17;
	char *buf = calloc(8 * big + 4096, 1);
	size_t o = 0;

	if (!buf)
		abort();
	o += (size_t)sprintf(buf + o, "%s", NOISE);
	/* 1: a huge line with "BUG:" only after the cut */
	memset(buf + o, 'a', big);
	memcpy(buf + o + KT_MAX_LINE + 5, "BUG: unable to handle kernel", 28);
	o += big;
	buf[o++] = '\n';
	/* 2: a huge line that starts with a real header */
	o += (size_t)sprintf(buf + o, "[  500.0] Kernel panic - not syncing: ");
	memset(buf + o, 'b', big);
	o += big;
	buf[o++] = '\n';
	/* 3: a keyword straddling the cut */
	memset(buf + o, 'c', KT_MAX_LINE - 3);
	o += KT_MAX_LINE - 3;
	o += (size_t)sprintf(buf + o, "WARNING: CPU: 1 PID: 1 at x.c:1 f+0x1/0x2\n");
	/* 4: a line of exactly KT_MAX_LINE bytes plus CR */
	memset(buf + o, 'd', KT_MAX_LINE);
	o += KT_MAX_LINE;
	buf[o++] = '\r';
	buf[o++] = '\n';
	o += (size_t)sprintf(buf + o, "%s%s", OOPS, NOISE);
	/* 5: a huge last line without newline, header at its start */
	o += (size_t)sprintf(buf + o, "[  600.0] BUG: soft lockup - CPU#1 stuck for 23s! [x:1] ");
	memset(buf + o, 'e', big);
	o += big;

	char *path = write_temp(buf, o);
	size_t n = check_agree(path, "huge lines");
	assert_true(n >= 3);
	unlink(path);
	free(path);
	free(buf);
}

/* The scanner really skips: few candidates and few parsed lines on a log
 * that is mostly noise. */
static void
test_skips(void **state)
{
	(void)state;
	size_t reps = 2000, n1 = strlen(NOISE), o = 0;
	char *buf = malloc((reps + 100) * n1 + 4096);

	for (size_t i = 0; i < reps; i++, o += n1)
		memcpy(buf + o, NOISE, n1);
	o += (size_t)sprintf(buf + o, "%s", OOPS);
	for (size_t i = 0; i < 100; i++, o += n1)
		memcpy(buf + o, NOISE, n1);
	char *path = write_temp(buf, o);
	struct found s = { 0 };
	struct kt_scan_stats st;

	run_scan(path, 0, false, KT_KWSET_AUTO, &s, &st);
	assert_int_equal(s.n, 1);
	assert_int_equal(strtoul(s.v[0], NULL, 10), 3 * reps + 1);
	assert_int_equal(st.lines, 3 * (reps + 100) + 11);
	assert_true(st.fed < 400);
	assert_true(st.candidates < 20);
	found_free(&s);
	unlink(path);
	free(path);
	free(buf);
}

/* ---- generated logs (bench/gen_log) --------------------------------------- */

static void
test_generated(void **state)
{
	(void)state;
	const char *root = getenv("KT_BUILD_ROOT");
	static const char *const styles[] = { "mixed", "ring", "syslog", "journal", "dmesg" };
	char gen[4096], cmd[8192];

	if (!root)
		skip();
	snprintf(gen, sizeof(gen), "%s/bench/gen_log", root);
	if (access(gen, X_OK) != 0)
		skip();
	for (size_t i = 0; i < sizeof(styles) / sizeof(styles[0]); i++) {
		char path[] = "/tmp/kt-test-gen-XXXXXX";
		int fd = mkstemp(path);
		assert_true(fd >= 0);
		close(fd);
		snprintf(cmd, sizeof(cmd),
			 "'%s' --size 3M --crash-every 48k --seed %zu --style %s -o '%s' 2>/dev/null",
			 gen, i + 7, styles[i], path);
		assert_int_equal(system(cmd), 0);

		struct found a = { 0 }, s = { 0 };
		run_analyze(path, &a);
		run_scan(path, 0, false, KT_KWSET_AUTO, &s, NULL);
		assert_true(a.n >= 20);
		assert_same(&a, &s, styles[i]);
		found_free(&a);
		found_free(&s);
		unlink(path);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand_written),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_huge_lines),
		cmocka_unit_test(test_skips),
		cmocka_unit_test(test_generated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
