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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
