/*
 * Unit tests: sign stage titles. Each case is a small console log written
 * from the documented kernel/Xen message formats (not copied from any
 * corpus), run through the parser and kt_sign_run(); the first report's
 * title, type, corrupted flag and (optionally) one alternative title are
 * checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "feed.h"

struct title_case {
	const char *name;
	const char *log;
	const char *title;	/* NULL: a report without title */
	const char *type;	/* NULL: no type */
	bool corrupted;
	const char *alt;	/* one expected alt title, or NULL */
};

static const struct title_case title_cases[] = {
	{ "x86 paging request, Xen PV segment, unreliable frame skipped",
	  "[ 100.000001] BUG: unable to handle kernel paging request at ffff8801705505c0\n"
	  "[ 100.000002] IP: [<ffffffff812d9656>] memcpy+0x6/0x110\n"
	  "[ 100.000003] Oops: 0000 [#1] SMP\n"
	  "[ 100.000004] CPU: 4 PID: 0 Comm: swapper/4 Tainted: G           O 3.10.0+2 #1\n"
	  "[ 100.000005] RIP: e030:[<ffffffff812d9656>]  [<ffffffff812d9656>] memcpy+0x6/0x110\n"
	  "[ 100.000006] Call Trace:\n"
	  "[ 100.000007]  <IRQ>\n"
	  "[ 100.000008]  [<ffffffff8143f593>] ? skb_copy_bits+0x143/0x240\n"
	  "[ 100.000009]  [<ffffffff81486461>] ip_fragment+0x621/0x760\n"
	  "[ 100.000010]  [<ffffffffa02dbaa7>] br_nf_dev_queue_xmit+0x77/0xa0 [bridge]\n"
	  "[ 100.000011] Kernel panic - not syncing: Fatal exception in interrupt\n",
	  "BUG: unable to handle kernel paging request in ip_fragment", "MEMORY_SAFETY_BUG", false,
	  "bad-access in ip_fragment" },
	{ "new NULL pointer dereference header",
	  "[  5.1] BUG: kernel NULL pointer dereference, address: 0000000000000010\n"
	  "[  5.1] #PF: supervisor read access in kernel mode\n"
	  "[  5.1] Oops: 0000 [#1] PREEMPT SMP NOPTI\n"
	  "[  5.1] RIP: 0010:foo_probe+0x12/0x40 [foo]\n"
	  "[  5.1] Call Trace:\n"
	  "[  5.1]  <TASK>\n"
	  "[  5.1]  really_probe+0x1/0x2\n"
	  "[  5.1]  driver_probe_device+0x1/0x2\n"
	  "[  5.1]  </TASK>\n",
	  "BUG: unable to handle kernel NULL pointer dereference in foo_probe",
	  "NULL-POINTER-DEREFERENCE", false, NULL },
	{ "GPF with KASAN shadow hint, memcpy skipped",
	  "[ 7.0] general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1] PREEMPT SMP KASAN\n"
	  "[ 7.0] KASAN: null-ptr-deref in range [0x0000000000000008-0x000000000000000f]\n"
	  "[ 7.0] RIP: 0010:memcpy_orig+0x10/0x120\n"
	  "[ 7.0] Call Trace:\n"
	  "[ 7.0]  <TASK>\n"
	  "[ 7.0]  bar_copy+0x40/0x90\n"
	  "[ 7.0]  bar_ioctl+0x10/0x20\n",
	  "general protection fault in bar_copy", "DoS", false, "bad-access in bar_copy" },
	{ "old WARNING: at format, warn_slowpath skipped",
	  "[ 9.0] WARNING: at net/sched/sch_generic.c:255 dev_watchdog+0x25f/0x270()\n"
	  "[ 9.0] Modules linked in: e1000\n"
	  "[ 9.0] Pid: 0, comm: swapper Not tainted 2.6.32 #1\n"
	  "[ 9.0] Call Trace:\n"
	  "[ 9.0]  [<ffffffff81069b77>] warn_slowpath_common+0x87/0xc0\n"
	  "[ 9.0]  [<ffffffff81069c66>] warn_slowpath_fmt+0x46/0x50\n"
	  "[ 9.0]  [<ffffffff8143a5cf>] dev_watchdog+0x25f/0x270\n"
	  "[ 9.0]  [<ffffffff8107c4a7>] run_timer_softirq+0x197/0x340\n"
	  "[ 9.0] ---[ end trace 1b75b31a2719ed1c ]---\n",
	  "WARNING in dev_watchdog", "WARNING", false, NULL },
	{ "6.x WARNING: file:line at func, CPU#n",
	  "[ 9.0] ------------[ cut here ]------------\n"
	  "[ 9.0] WARNING: drivers/foo/bar.c:77 at bar_check+0x10/0x20, CPU#1: kworker/1:1/42\n"
	  "[ 9.0] RIP: 0010:bar_check+0x10/0x20\n"
	  "[ 9.0] Call Trace:\n"
	  "[ 9.0]  <TASK>\n"
	  "[ 9.0]  bar_work+0x1/0x2\n"
	  "[ 9.0]  process_one_work+0x1/0x2\n",
	  "WARNING in bar_check", "WARNING", false, NULL },
	{ "soft lockup: stall extractor stops above the ioctl dispatcher",
	  "[ 30.0] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [a.out:123]\n"
	  "[ 30.0] RIP: 0010:spin_fn+0x4/0x10\n"
	  "[ 30.0] Call Trace:\n"
	  "[ 30.0]  <TASK>\n"
	  "[ 30.0]  mydev_loop+0x20/0x40\n"
	  "[ 30.0]  mydev_ioctl+0x20/0x40\n"
	  "[ 30.0]  __x64_sys_ioctl+0x80/0xc0\n"
	  "[ 30.0]  do_syscall_64+0x30/0x80\n"
	  "[ 30.0]  entry_SYSCALL_64_after_hwframe+0x44/0xae\n",
	  "BUG: soft lockup in mydev_ioctl", "HANG", false, "stall in mydev_ioctl" },
	{ "rcu stall: syscall wrapper stripped, raw name kept as alternative",
	  "[ 50.0] rcu: INFO: rcu_preempt self-detected stall on CPU\n"
	  "[ 50.0] Call Trace:\n"
	  "[ 50.0]  <IRQ>\n"
	  "[ 50.0]  rcu_sched_clock_irq+0x1/0x2\n"
	  "[ 50.0]  sysvec_apic_timer_interrupt+0x1/0x2\n"
	  "[ 50.0]  </IRQ>\n"
	  "[ 50.0]  asm_sysvec_apic_timer_interrupt+0x1/0x2\n"
	  "[ 50.0] RIP: 0010:busy_fn+0x1/0x2\n"
	  "[ 50.0]  do_busy+0x1/0x2\n"
	  "[ 50.0]  __x64_sys_busy+0x1/0x2\n"
	  "[ 50.0]  do_syscall_64+0x1/0x2\n",
	  "INFO: rcu detected stall in sys_busy", "HANG", false,
	  "INFO: rcu detected stall in __x64_sys_busy" },
	{ "hung task: waiting frames skipped",
	  "[ 240.0] INFO: task kworker/0:1:12 blocked for more than 143 seconds.\n"
	  "[ 240.0]       Not tainted 6.1.0 #1\n"
	  "[ 240.0] Call Trace:\n"
	  "[ 240.0]  <TASK>\n"
	  "[ 240.0]  __schedule+0x1/0x2\n"
	  "[ 240.0]  schedule+0x1/0x2\n"
	  "[ 240.0]  schedule_timeout+0x1/0x2\n"
	  "[ 240.0]  wait_for_completion+0x1/0x2\n"
	  "[ 240.0]  my_flush_fn+0x1/0x2\n"
	  "[ 240.0]  process_one_work+0x1/0x2\n",
	  "INFO: task hung in my_flush_fn", "HANG", false, "hang in my_flush_fn" },
	{ "hung task in rtnl_lock",
	  "[ 240.0] INFO: task ip:99 blocked for more than 143 seconds.\n"
	  "[ 240.0] Call Trace:\n"
	  "[ 240.0]  __schedule+0x1/0x2\n"
	  "[ 240.0]  schedule+0x1/0x2\n"
	  "[ 240.0]  __mutex_lock+0x1/0x2\n"
	  "[ 240.0]  rtnl_lock+0x1/0x2\n"
	  "[ 240.0]  do_setlink+0x1/0x2\n",
	  "INFO: task hung in rtnl_lock", "HANG", false, NULL },
	{ "KASAN use-after-free read",
	  "[ 3.0] ==================================================================\n"
	  "[ 3.0] BUG: KASAN: use-after-free in foo_read+0x10/0x20\n"
	  "[ 3.0] Read of size 8 at addr ffff888012345678 by task a.out/1\n"
	  "[ 3.0] Call Trace:\n"
	  "[ 3.0]  <TASK>\n"
	  "[ 3.0]  dump_stack_lvl+0x1/0x2\n"
	  "[ 3.0]  kasan_report+0x1/0x2\n"
	  "[ 3.0]  foo_read+0x10/0x20\n",
	  "KASAN: use-after-free Read in foo_read", "KASAN-USE-AFTER-FREE-READ", false,
	  "bad-access in foo_read" },
	{ "list corruption via kernel BUG at lib/list_debug.c",
	  "[ 4.0] list_del corruption. prev->next should be ffff888000000001, but was ffff888000000002\n"
	  "[ 4.0] ------------[ cut here ]------------\n"
	  "[ 4.0] kernel BUG at lib/list_debug.c:53!\n"
	  "[ 4.0] invalid opcode: 0000 [#1] SMP\n"
	  "[ 4.0] RIP: 0010:__list_del_entry_valid+0xef/0x150\n"
	  "[ 4.0] Call Trace:\n"
	  "[ 4.0]  foo_user_remove+0x10/0x20\n"
	  "[ 4.0]  foo_user_close+0x10/0x20\n",
	  "BUG: corrupted list in foo_user_remove", "MEMORY_SAFETY_BUG", false, NULL },
	{ "hard lockup (ours)",
	  "[ 60.0] NMI watchdog: Watchdog detected hard LOCKUP on cpu 3\n"
	  "[ 60.0] RIP: 0010:tight_loop+0x1/0x2\n"
	  "[ 60.0] Call Trace:\n"
	  "[ 60.0]  <NMI>\n"
	  "[ 60.0]  tight_caller+0x1/0x2\n",
	  "BUG: hard lockup in tight_loop", "HANG", false, "stall in tight_loop" },
	{ "Xen BUG with call trace (ours)",
	  "(XEN) Xen BUG at common/sched/credit.c:1051\n"
	  "(XEN) ----[ Xen-4.17.3  x86_64  debug=n  Not tainted ]----\n"
	  "(XEN) CPU:    6\n"
	  "(XEN) RIP:    e008:[<ffff82d040239a2c>] csched_schedule+0x1c/0x250\n"
	  "(XEN) Xen call trace:\n"
	  "(XEN)    [<ffff82d040239a2c>] R csched_schedule+0x1c/0x250\n"
	  "(XEN)    [<ffff82d04023f3c1>] F schedule+0x101/0x500\n"
	  "(XEN) \n"
	  "(XEN) ****************************************\n"
	  "(XEN) Panic on CPU 6:\n"
	  "(XEN) Xen BUG at common/sched/credit.c:1051\n"
	  "(XEN) ****************************************\n"
	  "(XEN) Reboot in five seconds...\n",
	  "Xen BUG at common/sched/credit.c:LINE in csched_schedule", "DoS", false, NULL },
	{ "Xen FATAL TRAP (ours)",
	  "(XEN) ----[ Xen-4.13.4  x86_64  debug=n  Not tainted ]----\n"
	  "(XEN) RIP:    e008:[<ffff82d08023c0d1>] page_alloc.c#free_heap_pages+0x81/0x6d0\n"
	  "(XEN) Xen call trace:\n"
	  "(XEN)    [<ffff82d08023c0d1>] R page_alloc.c#free_heap_pages+0x81/0x6d0\n"
	  "(XEN) ****************************************\n"
	  "(XEN) Panic on CPU 0:\n"
	  "(XEN) FATAL TRAP: vec 14, #PF[0000]\n"
	  "(XEN) ****************************************\n",
	  "Xen FATAL TRAP #PF in free_heap_pages", "DoS", false, NULL },
	{ "stack-protector panic names its function",
	  "[ 2.0] Kernel panic - not syncing: stack-protector: Kernel stack is corrupted in: smash_fn+0x9/0x10\n"
	  "[ 2.0] CPU: 0 PID: 1 Comm: init\n"
	  "[ 2.0] Call Trace:\n"
	  "[ 2.0]  dump_stack+0x1/0x2\n"
	  "[ 2.0]  panic+0x1/0x2\n"
	  "[ 2.0]  __stack_chk_fail+0x1/0x2\n",
	  "kernel panic: stack is corrupted in smash_fn", "DoS", false, NULL },
	{ "lone Fatal exception panic: the real report was lost",
	  "[ 2.0] Kernel panic - not syncing: Fatal exception\n",
	  "kernel panic: Fatal exception", "DoS", true, NULL },
	{ "machine check (ours)",
	  "[ 8.0] mce: [Hardware Error]: CPU 3: Machine Check Exception: 5 Bank 4: b200000000070f0f\n"
	  "[ 8.0] mce: [Hardware Error]: RIP !INEXACT! 10:<ffffffff8100a0b0> {intel_idle+0x90/0x130}\n",
	  "machine check in bank NUM", NULL, false, NULL },
	{ "OOM kill is not a bug: no title",
	  "[ 9.0] a.out invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0\n"
	  "[ 9.0] Mem-Info:\n"
	  "[ 9.0] Out of memory: Killed process 348 (a.out) total-vm:78084kB, anon-rss:2980kB\n",
	  NULL, NULL, false, NULL },
};

static void
test_titles(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	(void)state;
	for (size_t i = 0; i < sizeof(title_cases) / sizeof(title_cases[0]); i++) {
		const struct title_case *c = &title_cases[i];
		struct feed_result res;
		feed_text(ctx, c->log, true, &res);
		print_message("case: %s\n", c->name);
		assert_true(res.n >= 1);
		struct kt_report *r = res.r[0];
		if (c->title)
			assert_string_equal(r->title ? r->title : "(null)", c->title);
		else
			assert_null(r->title);
		if (c->type)
			assert_string_equal(r->type ? r->type : "(null)", c->type);
		else
			assert_null(r->type);
		assert_int_equal(r->corrupted, c->corrupted);
		if (c->alt) {
			bool found = false;
			for (size_t k = 0; k < r->n_alt_titles; k++)
				found |= !strcmp(r->alt_titles[k], c->alt);
			assert_true(found);
		}
		if (r->title)
			assert_int_equal(strlen(r->bucket), 16);
		feed_free(&res);
	}
	kt_ctx_free(ctx);
}

/* Look-alikes and boot noise: no report at all. */
static const char *const no_crash_logs[] = {
	"[ 1.0] INFO: lockdep is turned off.\n",
	"[ 1.0] XFS (sda1): WARNING: Reset corrupted AGFL on AG 0.\n",
	"[ 1.0] traps: a.out[123] general protection fault ip:7f00 sp:7ffd error:0 in libc.so.6[7f00+1000]\n",
	"[ 1.0] a.out[123]: segfault at 0 ip 0000000000401000 sp 00007ffd error 4 in a.out[401000+1000]\n",
	"[ 1.0] INFO: NMI handler (perf_event_nmi_handler) took too long to run: 1.356 msecs\n",
	"[ 1.0] Spectre V2 : WARNING: Unprivileged eBPF is enabled\n",
	"[ 1.0] cam: CAM_INFO: probe done\n",
	"sshd[999]: WARNING: something about keys\n",
	"[ 1.0] ntfs3: Unknown parameter 'Booting the kernel.'\n",
	"\x01\x02garbage\xff\xfe with no header at all\n",
};

static void
test_no_crash(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	(void)state;
	for (size_t i = 0; i < sizeof(no_crash_logs) / sizeof(no_crash_logs[0]); i++) {
		struct feed_result res;
		feed_text(ctx, no_crash_logs[i], true, &res);
		print_message("log %zu\n", i);
		assert_int_equal(res.n, 0);
	}
	kt_ctx_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_titles),
		cmocka_unit_test(test_no_crash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
