/*
 * Reports stream out of kt_analyze_*() (public API only, TAP). An input's
 * reports are held back until it ends only while there are at most
 * KT_HELD_REPORTS of them (so that a Xen crash comes first and Xen's echo
 * of a dom0 crash is folded into dom0's report); past that they go out in
 * log order as they are found, so memory stays flat:
 *  - a few WARNINGs then a Xen panic: the Xen crash comes first;
 *  - many WARNINGs then a Xen panic: log order, all of them;
 *  - a few / many WARNINGs then Xen's "Hardware Dom0 crashed" echo: folded
 *    into the first report / a report of its own with a note;
 *  - a log read from a pipe: reports arrive while the writer still writes.
 * The crash text is written here from the documented formats: Linux
 * kernel/panic.c __warn() ("WARNING: CPU: %d PID: %d at %pS", "---[ end
 * trace %016llx ]---"), Xen xen/drivers/char/console.c panic() and
 * xen/common/shutdown.c hwdom_shutdown() ("Hardware Dom0 crashed").
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ktriage/ktriage.h>

#include "tap.h"

static double ts = 100.0;

/* One complete WARNING report (different function each time) and a few
 * lines of ordinary chatter after it, which close it. */
static void
put_warning(struct buf *b, int i)
{
	char line[256];
	static const char *const body[] = {
		"Modules linked in: e1000",
		"CPU: 1 PID: 42 Comm: kworker/1:1 Not tainted 6.1.0 #1",
		"RIP: 0010:func_%d+0x10/0x20",
		"Call Trace:",
		" <TASK>",
		" caller_%d+0x31/0x80",
		" process_one_work+0x1e5/0x3b0",
		" </TASK>",
		"---[ end trace 0000000000000000 ]---",
		"e1000: eth0 NIC Link is Up 1000 Mbps Full Duplex",
		"systemd-journald[200]: received client request",
		"e1000: eth0 NIC Link is Down",
		"audit: type=1400 audit(0.0:1): apparmor=\"STATUS\"",
	};

	snprintf(line, sizeof(line), "[%11.6f] WARNING: CPU: 1 PID: 42 at drivers/x/x%d.c:10 func_%d+0x10/0x20\n",
		 ts, i, i);
	put(b, line);
	for (size_t k = 0; k < sizeof(body) / sizeof(body[0]); k++) {
		char text[160];

		ts += 0.000100;
		snprintf(text, sizeof(text), body[k], i);
		snprintf(line, sizeof(line), "[%11.6f] %s\n", ts, text);
		put(b, line);
	}
	ts += 1.0;
}

static void
put_xen_panic(struct buf *b)
{
	put(b, "(XEN) [ 2000.000100] ----[ Xen-4.17.0  x86_64  debug=n  Not tainted ]----\n"
	       "(XEN) [ 2000.000200] CPU:    3\n"
	       "(XEN) [ 2000.000300] RIP:    e008:[<ffff82d040200000>] do_thing+0x10/0x40\n"
	       "(XEN) [ 2000.000400] Xen call trace:\n"
	       "(XEN) [ 2000.000500]    [<ffff82d040200000>] do_thing+0x10/0x40\n"
	       "(XEN) [ 2000.000600] \n"
	       "(XEN) [ 2000.000700] ****************************************\n"
	       "(XEN) [ 2000.000800] Panic on CPU 3:\n"
	       "(XEN) [ 2000.000900] FATAL TRAP: vector = 6 (invalid opcode)\n"
	       "(XEN) [ 2000.001000] ****************************************\n"
	       "(XEN) [ 2000.001100] \n"
	       "(XEN) [ 2000.001200] Reboot in five seconds...\n");
}

static void
put_echo(struct buf *b)
{
	put(b, "(XEN) [ 3000.000100] Hardware Dom0 crashed: rebooting machine in 5 seconds.\n");
}

struct got {
	int n;
	int first_kind, last_kind;
	bool first_xen_present;
	int echoes, echo_notes;
	int in_order;		/* reports whose first line is after the previous one's */
	unsigned last_line;
	volatile int live;	/* reports received (pipe test, read by the writer) */
};

static void
on_report(void *ud, const char *unit, struct kt_report *r)
{
	struct got *g = ud;

	(void)unit;
	if (g->n == 0) {
		g->first_kind = (int)r->kind;
		g->first_xen_present = r->xen.present;
	}
	g->last_kind = (int)r->kind;
	if (r->source.first_line > g->last_line)
		g->in_order++;
	g->last_line = r->source.first_line;
	if (r->xen.echo) {
		g->echoes++;
		for (size_t i = 0; i < r->n_notes; i++)
			if (r->notes[i].msg && strstr(r->notes[i].msg, "not folded into dom0's report"))
				g->echo_notes++;
	}
	g->n++;
	__atomic_store_n(&g->live, g->n, __ATOMIC_RELEASE);
	kt_report_free(r);
}

static struct got
analyze(const struct buf *b)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_analyze_opts opts = { .no_diagnose = true };
	struct kt_analyzer *a = NULL;
	struct got g = { 0 };
	struct kt_analyze_cb cb = { NULL, on_report, NULL, &g };

	if (kt_analyzer_new(ctx, &opts, &a) != 0 ||
	    kt_analyze_text(a, "test.log", b->p, b->len, &cb) != 0)
		g.n = -1;
	kt_analyzer_free(a);
	kt_ctx_free(ctx);
	return g;
}

static void
test_held(void)
{
	struct buf b = { 0 };
	struct got g;

	for (int i = 0; i < 10; i++)
		put_warning(&b, i);
	put_xen_panic(&b);
	g = analyze(&b);
	ok(g.n == 11, "10 WARNINGs and a Xen panic: 11 reports");
	ok(g.first_kind == KT_KIND_XEN_CRASH, "few reports: the Xen crash comes first");
	free(b.p);

	b = (struct buf){ 0 };
	for (int i = 0; i < 3; i++)
		put_warning(&b, i);
	put_echo(&b);
	g = analyze(&b);
	ok(g.n == 3 && g.echoes == 0, "few reports: Xen's echo is folded into dom0's report");
	ok(g.first_xen_present, "few reports: the first report has the echo's xen section");
	free(b.p);
}

static void
test_streamed(void)
{
	struct buf b = { 0 };
	struct got g;
	int n = KT_HELD_REPORTS + 40;

	for (int i = 0; i < n; i++)
		put_warning(&b, i);
	put_xen_panic(&b);
	g = analyze(&b);
	ok(g.n == n + 1, "many WARNINGs and a Xen panic: every report comes out");
	ok(g.first_kind != KT_KIND_XEN_CRASH && g.last_kind == KT_KIND_XEN_CRASH,
	   "many reports: they stream out in log order (the Xen crash last)");
	ok(g.in_order == g.n, "many reports: line numbers only go up");
	free(b.p);

	b = (struct buf){ 0 };
	for (int i = 0; i < n; i++)
		put_warning(&b, i);
	put_echo(&b);
	g = analyze(&b);
	ok(g.n == n + 1 && g.echoes == 1, "many reports: Xen's echo is a report of its own");
	ok(g.echo_notes == 1, "many reports: the echo says why it was not folded");
	free(b.p);
}

/* ---- a pipe: reports arrive before the input ends ------------------------ */

struct writer {
	int fd;
	struct got *g;
	int n;
	bool streamed;		/* reports arrived while the writer held the pipe open */
};

static void *
write_log(void *arg)
{
	struct writer *w = arg;
	struct buf b = { 0 };

	for (int i = 0; i < w->n; i++)
		put_warning(&b, i);
	for (size_t off = 0; off < b.len;) {
		ssize_t k = write(w->fd, b.p + off, b.len - off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		off += (size_t)k;
	}
	/* wait (10 s at most) for reports before the input ends */
	for (int t = 0; t < 1000; t++) {
		if (__atomic_load_n(&w->g->live, __ATOMIC_ACQUIRE) >= w->n / 2) {
			w->streamed = true;
			break;
		}
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	free(b.p);
	close(w->fd);
	return NULL;
}

static void
test_pipe(void)
{
	char path[64];
	struct writer w = { 0 };
	struct got g = { 0 };
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_analyze_opts opts = { .no_diagnose = true };
	struct kt_analyzer *a = NULL;
	struct kt_analyze_cb cb = { NULL, on_report, NULL, &g };
	pthread_t tid;
	int fds[2];

	if (pipe(fds) != 0) {
		ok(false, "pipe");
		return;
	}
	/* the analyzer reads a path: the pipe's read end through /proc */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[0]);
	w = (struct writer){ fds[1], &g, 4 * KT_HELD_REPORTS, false };
	if (kt_analyzer_new(ctx, &opts, &a) != 0 ||
	    pthread_create(&tid, NULL, write_log, &w) != 0) {
		ok(false, "analyzer and writer");
		return;
	}
	(void)kt_analyze_path(a, path, &cb);
	pthread_join(tid, NULL);
	close(fds[0]);
	ok(w.streamed, "reports of a piped log arrive before the log ends");
	ok(g.n == w.n, "every report of the piped log arrives");
	kt_analyzer_free(a);
	kt_ctx_free(ctx);
}

int
main(void)
{
	printf("1..11\n");
	test_held();
	test_streamed();
	test_pipe();
	return n_failed ? 1 : 0;
}
