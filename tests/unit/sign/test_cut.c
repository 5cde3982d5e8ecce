/*
 * Unit tests: report cutting (src/parse/parser.c): several crashes in
 * order, prefix lines, printk replay, a panic that follows an oops, caller-id
 * de-interleaving, dropped-message notes, the report length cap and garbage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ktriage/limits.h>

#include "feed.h"

static bool
has_line(const struct kt_report *r, const char *needle)
{
	for (size_t i = 0; i < r->n_lines; i++)
		if (strstr(r->lines[i], needle))
			return true;
	return false;
}

static void
test_two_crashes_in_order(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct feed_result res;
	(void)state;
	feed_text(ctx,
		  "[ 1.0] eth0: link up\n"
		  "[ 1.1] ------------[ cut here ]------------\n"
		  "[ 1.2] WARNING: CPU: 0 PID: 1 at fs/a.c:1 a_fn+0x1/0x2\n"
		  "[ 1.2] RIP: 0010:a_fn+0x1/0x2\n"
		  "[ 1.3] Call Trace:\n"
		  "[ 1.4]  a_caller+0x1/0x2\n"
		  "[ 1.5] ---[ end trace 0000000000000000 ]---\n"
		  "[ 2.0] usb 1-1: new device\n"
		  "[ 3.0] BUG: unable to handle page fault for address: ffffc90000000000\n"
		  "[ 3.1] RIP: 0010:b_fn+0x1/0x2\n"
		  "[ 3.2] Call Trace:\n"
		  "[ 3.3]  b_caller+0x1/0x2\n",
		  true, &res);
	assert_int_equal(res.n, 2);
	assert_int_equal(res.r[0]->kind, KT_KIND_WARNING);
	assert_int_equal(res.r[1]->kind, KT_KIND_PAGING_REQUEST);
	assert_string_equal(res.r[0]->title, "WARNING in a_fn");
	assert_string_equal(res.r[1]->title, "BUG: unable to handle kernel paging request in b_fn");
	assert_int_equal(res.r[0]->source.first_line, 3);
	assert_int_equal(res.r[1]->source.first_line, 9);
	/* the "cut here" prefix line belongs to the first report */
	assert_true(has_line(res.r[0], "cut here"));
	assert_false(has_line(res.r[0], "usb 1-1"));
	assert_false(has_line(res.r[1], "a_caller"));
	feed_free(&res);
	kt_ctx_free(ctx);
}

static void
test_replay_and_panic(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct feed_result res;
	(void)state;
	feed_text(ctx,
		  "[ 1.0] BUG: unable to handle kernel NULL poin\n"
		  "[ 1.0] ** replaying previous printk message **\n"
		  "[ 1.0] BUG: unable to handle kernel NULL pointer dereference at 0000000000000008\n"
		  "[ 1.1] IP: [<ffffffff81000000>] c_fn+0x1/0x2\n"
		  "[ 1.2] Oops: 0000 [#1] SMP\n"
		  "[ 1.3] Call Trace:\n"
		  "[ 1.4]  [<ffffffff81000001>] c_caller+0x1/0x2\n"
		  "[ 1.5] ---[ end trace 1111111111111111 ]---\n"
		  "[ 1.6] Kernel panic - not syncing: Fatal exception in interrupt\n"
		  "[ 1.7] Kernel Offset: disabled\n"
		  "[ 1.8] ---[ end Kernel panic - not syncing: Fatal exception in interrupt ]---\n"
		  "[ 9.0] later boot line\n",
		  true, &res);
	assert_int_equal(res.n, 1);
	struct kt_report *r = res.r[0];
	assert_string_equal(r->header,
			    "BUG: unable to handle kernel NULL pointer dereference at 0000000000000008");
	assert_true(has_line(r, "Kernel panic - not syncing: Fatal exception in interrupt"));
	assert_false(has_line(r, "later boot line"));
	assert_string_equal(r->title, "BUG: unable to handle kernel NULL pointer dereference in c_fn");
	assert_false(r->corrupted);
	feed_free(&res);
	kt_ctx_free(ctx);
}

static void
test_caller_ids(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct feed_result res;
	(void)state;
	feed_text(ctx,
		  "[ 5.0][ T100] general protection fault: 0000 [#1] SMP\n"
		  "[ 5.0][ T200] other task chatter\n"
		  "[ 5.0][ T100] RIP: 0010:d_fn+0x1/0x2\n"
		  "[ 5.0][ T200] more chatter from 200\n"
		  "[ 5.0][ T100] Call Trace:\n"
		  "[ 5.0][ T100]  d_caller+0x1/0x2\n",
		  true, &res);
	assert_int_equal(res.n, 1);
	assert_false(has_line(res.r[0], "chatter"));
	assert_string_equal(res.r[0]->title, "general protection fault in d_fn");
	feed_free(&res);
	kt_ctx_free(ctx);
}

static void
test_inner_crash_same_task(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct feed_result res;
	(void)state;
	/* With caller ids, a crash inside a report keeps the first report
	 * going (it sees the lines after the second header too). */
	feed_text(ctx,
		  "[ 5.0][ T7] WARNING: bad unlock balance detected!\n"
		  "[ 5.0][ T7] a/7 is trying to release lock (x) at:\n"
		  "[ 5.0][ T7] Unable to handle kernel paging request at virtual address 0000000000000017\n"
		  "[ 5.0][ T7] pc : e_fn+0x1/0x2\n"
		  "[ 5.0][ T7] Call trace:\n"
		  "[ 5.0][ T7]  e_fn+0x1/0x2\n"
		  "[ 5.0][ T7]  e_caller+0x1/0x2\n",
		  true, &res);
	assert_int_equal(res.n, 2);
	assert_true(has_line(res.r[0], "e_caller"));
	assert_int_equal(res.r[1]->kind, KT_KIND_PAGING_REQUEST);
	feed_free(&res);
	kt_ctx_free(ctx);
}

static void
test_dropped_note(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct feed_result res;
	(void)state;
	feed_text(ctx,
		  "[ 5.0] kernel BUG at mm/x.c:10!\n"
		  "[ 5.0] ** 42 printk messages dropped **\n"
		  "[ 5.0] RIP: 0010:f_fn+0x1/0x2\n",
		  false, &res);
	assert_int_equal(res.n, 1);
	bool noted = false;
	for (size_t i = 0; i < res.r[0]->n_notes; i++)
		noted |= strstr(res.r[0]->notes[i].msg, "42 printk messages dropped") != NULL;
	assert_true(noted);
	feed_free(&res);
	kt_ctx_free(ctx);
}

static void
test_length_cap(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_parser *p = kt_parser_new(ctx, "long.log");
	char buf[64];
	(void)state;
	assert_non_null(p);
	for (uint32_t i = 0; i < KT_MAX_REPORT_LINES + 100; i++) {
		struct kt_line l;
		int n = i ? snprintf(buf, sizeof(buf), "[ 1.0]  g_fn+0x%x/0x100", i)
			  : snprintf(buf, sizeof(buf), "[ 1.0] INFO: task a:1 blocked for more than 120 seconds.");
		feed_split(&l, buf, (size_t)n);
		l.no = i + 1;
		kt_parser_feed(p, &l);
	}
	kt_parser_end(p);
	struct kt_report *r = kt_parser_take(p);
	assert_non_null(r);
	assert_true(r->corrupted);
	assert_true(r->n_lines <= KT_MAX_REPORT_LINES);
	kt_report_free(r);
	while ((r = kt_parser_take(p)))
		kt_report_free(r);
	kt_parser_free(p);
	kt_ctx_free(ctx);
}

static void
test_garbage(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_parser *p = kt_parser_new(ctx, "garbage.log");
	static char big[KT_MAX_LINE + 100];
	(void)state;
	assert_non_null(p);
	memset(big, 'B', sizeof(big));
	memcpy(big + 10, "BUG:\0\0\xff", 7);
	for (int i = 0; i < 3; i++) {
		struct kt_line l;
		feed_split(&l, big, sizeof(big));
		l.text.len = l.text.len > KT_MAX_LINE ? KT_MAX_LINE : l.text.len;
		l.no = (uint32_t)i + 1;
		kt_parser_feed(p, &l);
	}
	kt_parser_end(p);
	struct kt_report *r;
	size_t n = 0;
	while ((r = kt_parser_take(p))) {
		/* a "BUG:" in garbage may open a report; it must be sane */
		assert_true(r->n_lines <= KT_MAX_REPORT_LINES);
		assert_int_equal(kt_sign_run(ctx, r), 0);
		kt_report_free(r);
		n++;
	}
	assert_true(n <= 3);
	assert_true(kt_parser_idle(p));
	kt_parser_free(p);
	kt_ctx_free(ctx);
}

/* A panic that follows an oops belongs to it, whatever the kernel prints
 * between "---[ end trace" and the panic: nothing (old layout), or the
 * register summary of the first oops again (new layout, >= 5.x). */
static const char *const panic_layouts[] = {
	"[ 1.0] BUG: unable to handle page fault for address: ffff9c2e8a6f3000\n"
	"[ 1.0] Oops: 0000 [#1] PREEMPT SMP NOPTI\n"
	"[ 1.0] RIP: 0010:h_fn+0x31/0x140\n"
	"[ 1.0] Call Trace:\n"
	"[ 1.0]  <IRQ>\n"
	"[ 1.0]  h_caller+0x1/0x2\n"
	"[ 1.0]  </IRQ>\n"
	"[ 1.0] CR2: ffff9c2e8a6f3000\n"
	"[ 1.0] ---[ end trace 0000000000000000 ]---\n"
	"[ 1.1] RIP: 0010:h_fn+0x31/0x140\n"
	"[ 1.1] Code: 48 83 fa 20 <4c> 8b 4e 08\n"
	"[ 1.1] RSP: 0018:ffffb3c0c0210b58 EFLAGS: 00010206\n"
	"[ 1.1] RAX: 0000000000000001 RBX: 0000000000000002 RCX: 0000000000000003\n"
	"[ 1.1] RSI: 0000000000000004 RDI: 0000000000000005 RBP: 0000000000000006\n"
	"[ 1.1] R08: 0000000000000007 R09: 0000000000000008 R10: 0000000000000009\n"
	"[ 1.1] FS:  0000000000000000(0000) GS:ffff8e3f7fcc0000(0000) knlGS:0\n"
	"[ 1.1] CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033\n"
	"[ 1.1] CR2: ffff9c2e8a6f3000 CR3: 000000010b80a004 CR4: 00000000007706e0\n"
	"[ 1.1] PKRU: 55555554\n"
	"[ 1.1] Kernel panic - not syncing: Fatal exception in interrupt\n"
	"[ 1.1] Kernel Offset: 0x18a00000 from 0xffffffff81000000\n"
	"[ 1.2] ---[ end Kernel panic - not syncing: Fatal exception in interrupt ]---\n"
	"[ 9.0] later boot line\n",

	"[ 1.0] BUG: unable to handle kernel paging request at ffff9c2e8a6f3000\n"
	"[ 1.0] IP: [<ffffffff81000000>] h_fn+0x31/0x140\n"
	"[ 1.0] Oops: 0000 [#1] SMP\n"
	"[ 1.0] Call Trace:\n"
	"[ 1.0]  <IRQ>\n"
	"[ 1.0]  [<ffffffff81000001>] h_caller+0x1/0x2\n"
	"[ 1.0]  <EOI>\n"
	"[ 1.0] RIP  [<ffffffff81000000>] h_fn+0x31/0x140\n"
	"[ 1.0]  RSP <ffff88003ec03a58>\n"
	"[ 1.0] CR2: ffff9c2e8a6f3000\n"
	"[ 1.0] ---[ end trace 3c032fd26d64546f ]---\n"
	"[ 1.1] Kernel panic - not syncing: Fatal exception in interrupt\n"
	"[ 1.1] Kernel Offset: disabled\n"
	"[ 1.2] Rebooting in 30 seconds..\n"
	"[ 9.0] later boot line\n",
};

static void
test_panic_after_summary(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(panic_layouts) / sizeof(panic_layouts[0]); i++) {
		struct kt_ctx *ctx = kt_ctx_new();
		struct feed_result res;
		feed_text(ctx, panic_layouts[i], true, &res);
		print_message("layout %zu\n", i);
		assert_int_equal(res.n, 1);
		struct kt_report *r = res.r[0];
		assert_non_null(r->panic);
		assert_string_equal(r->panic, "Fatal exception in interrupt");
		assert_non_null(r->kernel_offset);
		assert_false(has_line(r, "later boot line"));
		assert_string_equal(r->title, "BUG: unable to handle kernel paging request in h_fn");
		feed_free(&res);
		kt_ctx_free(ctx);
	}
}

/* SLUB debug: the allocation and free tracks belong to the report
 * (mm/slub.c print_track); alone they are a crash of their own. */
static void
test_slub_tracks(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct feed_result res;
	(void)state;
	feed_text(ctx,
		  "[ 9.0] =============================================================\n"
		  "[ 9.0] BUG numa_policy (Not tainted): Poison overwritten\n"
		  "[ 9.0] -------------------------------------------------------------\n"
		  "[ 9.0]\n"
		  "[ 9.0] INFO: 0xffff880146498250-0xffff880146498250. First byte 0x6a instead of 0x6b\n"
		  "[ 9.0] INFO: Allocated in a_new+0xa3/0x140 age=46310 cpu=6 pid=32154\n"
		  "[ 9.0]  __slab_alloc+0x3d3/0x445\n"
		  "[ 9.0]  a_new+0xa3/0x140\n"
		  "[ 9.0] INFO: Freed in a_put+0x27/0x30 age=46268 cpu=6 pid=32154\n"
		  "[ 9.0]  __slab_free+0x2e/0x2e0\n"
		  "[ 9.0]  a_put+0x27/0x30\n"
		  "[ 9.0] INFO: Slab 0xffffea0005192600 objects=32 used=32 fp=0x  (null)\n"
		  "[ 9.0] INFO: Object 0xffff880146498248 @offset=584 fp=0xffff880146498ab0\n",
		  true, &res);
	assert_int_equal(res.n, 1);
	assert_true(res.r[0]->n_frames > 0);
	assert_true(has_line(res.r[0], "a_put+0x27"));
	assert_string_equal(res.r[0]->title, "BUG: Poison overwritten");
	feed_free(&res);

	feed_text(ctx,
		  "[ 9.0] INFO: Freed in b_free_rcu+0x14/0x20 age=7 cpu=0 pid=3\n"
		  "[ 9.0]  __slab_free+0x2e/0x2e0\n"
		  "[ 9.0]  b_free_rcu+0x14/0x20\n",
		  true, &res);
	assert_int_equal(res.n, 1);
	assert_string_equal(res.r[0]->title, "INFO: Freed in b_free_rcu age=NUM cpu=NUM pid=NUM");
	feed_free(&res);
	kt_ctx_free(ctx);
}

/* An OOM-killer message printed into an open report of the same context
 * (no caller ids: another CPU's lines interleaved) continues it; alone, it
 * is a report of its own. */
static void
test_oom_inside_report(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct feed_result res;
	(void)state;
	feed_text(ctx,
		  "[ 9.0] Kernel panic - not syncing: corrupted stack end detected inside scheduler\n"
		  "[ 9.0] CPU: 1 PID: 7 Comm: kworker/u4:0 Not tainted 4.20.0+ #1\n"
		  "[ 9.0] Workqueue: writeback wb_workfn (flush-8:0)\n"
		  "[ 9.0] Call Trace:\n"
		  "[ 9.0]  dump_stack+0x1d3/0x2c6\n"
		  "[ 9.0]  panic+0x2ad/0x55f\n"
		  "[ 9.0]  __schedule+0x1ec6/0x1ed0\n"
		  "[ 9.1] syz-executor1 invoked oom-killer: gfp_mask=0x6202c2, order=0, oom_score_adj=1000\n"
		  "[ 9.1] syz-executor1 cpuset=syz4 mems_allowed=0-1\n"
		  "[ 9.2]  a_writepages+0x2573/0x4180\n"
		  "[ 9.2]  a_workfn+0xee9/0x1790\n"
		  "[ 9.2]  process_one_work+0xc90/0x1c40\n"
		  "[ 9.2]  worker_thread+0x17f/0x1390\n"
		  "[ 9.2]  kthread+0x35a/0x440\n"
		  "[ 9.3] Kernel Offset: disabled\n",
		  true, &res);
	assert_int_equal(res.n, 1);
	assert_true(has_line(res.r[0], "a_workfn+0xee9"));
	assert_string_equal(res.r[0]->title, "kernel panic: corrupted stack end in a_workfn");
	feed_free(&res);

	feed_text(ctx,
		  "[ 9.1] syz-executor1 invoked oom-killer: gfp_mask=0x6202c2, order=0, oom_score_adj=1000\n"
		  "[ 9.1] CPU: 0 PID: 3 Comm: syz-executor1 Not tainted 4.20.0+ #1\n"
		  "[ 9.1] Call Trace:\n"
		  "[ 9.1]  dump_stack+0x1d3/0x2c6\n"
		  "[ 9.1]  out_of_memory+0x1/0x2\n",
		  true, &res);
	assert_int_equal(res.n, 1);
	assert_int_equal(res.r[0]->kind, KT_KIND_OOM);
	feed_free(&res);
	kt_ctx_free(ctx);
}

/* Parsers of one context share the compiled tables; without a context
 * a parser compiles its own. */
static void
test_tables_cached(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	(void)state;
	struct kt_parser *a = kt_parser_new(ctx, "a.log");
	assert_non_null(a);
	void *cache = kt_ctx_table(ctx, KT_TABLE_PARSE, NULL, NULL);	/* built: no build */
	assert_non_null(cache);
	struct kt_parser *b = kt_parser_new(ctx, "b.log");
	assert_non_null(b);
	assert_ptr_equal(kt_ctx_table(ctx, KT_TABLE_PARSE, NULL, NULL), cache);
	kt_parser_free(a);
	kt_parser_free(b);
	struct kt_parser *c = kt_parser_new(NULL, "c.log");
	assert_non_null(c);
	kt_parser_free(c);
	kt_ctx_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_crashes_in_order),
		cmocka_unit_test(test_replay_and_panic),
		cmocka_unit_test(test_caller_ids),
		cmocka_unit_test(test_inner_crash_same_task),
		cmocka_unit_test(test_dropped_note),
		cmocka_unit_test(test_length_cap),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_panic_after_summary),
		cmocka_unit_test(test_slub_tracks),
		cmocka_unit_test(test_oom_inside_report),
		cmocka_unit_test(test_tables_cached),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
