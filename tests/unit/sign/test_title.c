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
	/* rules from syzkaller pkg/report (linux.go, report.go) */
	{ "hang: synchronize_* titled synchronize_rcu, raw name kept as alternative",
	  "[ 50.0] INFO: task kworker/0:1:12 blocked for more than 143 seconds.\n"
	  "[ 50.0] Call Trace:\n"
	  "[ 50.0]  __schedule+0x1/0x2\n"
	  "[ 50.0]  schedule+0x1/0x2\n"
	  "[ 50.0]  synchronize_rcu_expedited+0x1/0x2\n"
	  "[ 50.0]  foo_teardown+0x1/0x2\n"
	  "[ 50.0]  process_one_work+0x1/0x2\n",
	  "INFO: task hung in synchronize_rcu", "HANG", false,
	  "INFO: task hung in synchronize_rcu_expedited" },
	{ "hang: a skipped frame is never the answer (skip before the extractor)",
	  "[ 50.0] INFO: task a.out:77 blocked for more than 143 seconds.\n"
	  "[ 50.0] Call Trace:\n"
	  "[ 50.0]  __schedule+0x1/0x2\n"
	  "[ 50.0]  io_schedule+0x1/0x2\n"
	  "[ 50.0]  do_read_cache_folio+0x1/0x2\n"
	  "[ 50.0]  read_cache_folio+0x1/0x2\n"
	  "[ 50.0]  foofs_read_super+0x1/0x2\n",
	  "INFO: task hung in read_cache_folio", "HANG", false, "hang in read_cache_folio" },
	{ "stall: no anchor in the stack gives no frame (corrupted)",
	  "[ 30.0] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [a.out:123]\n"
	  "[ 30.0] RIP: 0010:spin_fn+0x4/0x10\n"
	  "[ 30.0] Call Trace:\n"
	  "[ 30.0]  mydev_loop+0x20/0x40\n"
	  "[ 30.0]  mydev_poll+0x20/0x40\n",
	  "BUG: soft lockup in corrupted", "HANG", true, "stall in corrupted" },
	{ "fault injection line ends the step; the frames before it still count",
	  "[ 73.0] general protection fault: 0000 [#1] SMP KASAN\n"
	  "[ 73.0]  should_fail+0x8c0/0xa40\n"
	  "[ 73.0] RIP: 0010:qux_table+0x13/0x1a30\n"
	  "[ 73.0]  should_failslab+0xec/0x120\n"
	  "[ 73.0]  kmem_cache_alloc_node+0x5a/0x750\n"
	  "[ 73.0]  __alloc_skb+0x13b/0x780\n"
	  "[ 73.0] Call Trace:\n"
	  "[ 73.0]  qux_dump+0x545/0xcf0\n"
	  "[ 73.0]  qux_start+0x545/0xcf0\n",
	  "general protection fault in __alloc_skb", "DoS", true, "bad-access in __alloc_skb" },
	{ "fault injection outside the scanned stack does not corrupt",
	  "[ 10.0] BUG: KASAN: use-after-free in foo_work+0x10/0x20\n"
	  "[ 10.0] Read of size 8 at addr ffff888000001000 by task a/1\n"
	  "[ 10.0] Call Trace:\n"
	  "[ 10.0]  dump_stack+0x1/0x2\n"
	  "[ 10.0]  kasan_report+0x1/0x2\n"
	  "[ 10.0]  foo_work+0x10/0x20\n"
	  "[ 10.0]  process_one_work+0x1/0x2\n"
	  "[ 10.0] Allocated by task 7:\n"
	  "[ 10.0]  should_failslab+0xec/0x120\n"
	  "[ 10.0]  foo_alloc+0x1/0x2\n"
	  "[ 10.0] Freed by task 7:\n"
	  "[ 10.0]  foo_free+0x1/0x2\n"
	  "[ 10.0]  kfree+0x1/0x2\n",
	  "KASAN: use-after-free Read in foo_work", "KASAN-USE-AFTER-FREE-READ", false, NULL },
	{ "report regex fails: the header line is the title, corrupted",
	  "[ 5.0] WARNING: suspicious RCU usage\n"
	  "[ 5.0] 4.19.0 Not tainted\n"
	  "[ 5.0] -----------------------------\n"
	  "[ 5.0] Call Trace:\n"
	  "[ 5.0]  dump_stack+0x1/0x2\n"
	  "[ 5.0]  foo_lookup+0x1/0x2\n",
	  "WARNING: suspicious RCU usage", "WARNING", true, NULL },
	{ "old lockdep layout: the lock site printed is the title, no skip list",
	  "[ 1.0] [ INFO: possible circular locking dependency detected ]\n"
	  "[ 1.0] 2.6.32 #1\n"
	  "[ 1.0] -------------------------------------------------------\n"
	  "[ 1.0] kacpi_hotplug/246 is trying to acquire lock:\n"
	  "[ 1.0]  (kacpid){+.+.+.}, at: [<ffffffff8105bbd0>] flush_workqueue+0x0/0xb0\n"
	  "[ 1.0] \n"
	  "[ 1.0] but task is already holding lock:\n",
	  "possible deadlock in flush_workqueue", "LOCKDEP", true, NULL },
	{ "circular locking: the held lock's site when the wanted one is plumbing",
	  "[ 2.0] WARNING: possible circular locking dependency detected\n"
	  "[ 2.0] 6.1.0 Not tainted\n"
	  "[ 2.0] ------------------------------------------------------\n"
	  "[ 2.0] a.out/5 is trying to acquire lock:\n"
	  "[ 2.0] ffff8880 (&mm->mmap_lock){++++}-{3:3}, at: __might_fault+0x8f/0x110\n"
	  "[ 2.0] \n"
	  "[ 2.0] but task is already holding lock:\n"
	  "[ 2.0] ffff8881 (&ctx->mutex){+.+.}-{3:3}, at: foo_event_init+0x1d/0x80\n"
	  "[ 2.0] \n"
	  "[ 2.0] stack backtrace:\n"
	  "[ 2.0] Call Trace:\n"
	  "[ 2.0]  dump_stack_lvl+0x1/0x2\n"
	  "[ 2.0]  foo_event_init+0x1d/0x80\n",
	  "possible deadlock in foo_event_init", "LOCKDEP", false, NULL },
	{ "KMSAN: first stack frame, origin stack for the alternative",
	  "[ 3.0] BUG: KMSAN: kernel-usb-infoleak in usb_submit_urb+0x1/0x2\n"
	  "[ 3.0]  usb_submit_urb+0x1/0x2\n"
	  "[ 3.0]  foo_usb_send+0x1/0x2\n"
	  "[ 3.0]  foo_tx+0x1/0x2\n"
	  "[ 3.0] \n"
	  "[ 3.0] Uninit was created at:\n"
	  "[ 3.0]  __alloc_skb+0x1/0x2\n"
	  "[ 3.0]  foo_connect+0x1/0x2\n",
	  "KMSAN: kernel-usb-infoleak in foo_usb_send", "KMSAN-INFO-LEAK", false,
	  "KMSAN origin in foo_connect" },
	{ "info message with a stack ends the title text (no caller ids)",
	  "[ 76.0] [ BUG: bad unlock balance detected! ]\n"
	  "[ 76.0] 4.9.0 #1 Not tainted\n"
	  "[ 76.0] FAULT_FLAG_ALLOW_RETRY missing 30\n"
	  "[ 76.0] CPU: 0 PID: 1 Comm: a Not tainted 4.9.0 #1\n"
	  "[ 76.0] Call Trace:\n"
	  "[ 76.0]  [<ffffffff81d90469>] dump_stack+0xc1/0x128\n"
	  "[ 76.0]  [<ffffffff81d90470>] foo_fault+0xc1/0x128\n"
	  "[ 76.1] a/2 is trying to release lock (foo_lock) at:\n"
	  "[ 76.1] [<ffffffff834dea24>] foo_seq_stop+0xe4/0x140\n"
	  "[ 76.1] Call Trace:\n"
	  "[ 76.1]  [<ffffffff81d90469>] dump_stack+0xc1/0x128\n"
	  "[ 76.1]  [<ffffffff834dea24>] foo_seq_stop+0xe4/0x140\n",
	  "BUG: bad unlock balance in corrupted", "LOCKDEP", true, NULL },
	{ "info message with a stack does not cut a report with caller ids",
	  "[ 76.0][ T1] WARNING: bad unlock balance detected!\n"
	  "[ 76.0][ T2] FAULT_FLAG_ALLOW_RETRY missing 30\n"
	  "[ 76.1][ T1] a/2 is trying to release lock (foo_lock) at:\n"
	  "[ 76.1][ T1] [<ffffffff834dea24>] foo_seq_stop+0xe4/0x140\n"
	  "[ 76.1][ T1] Call Trace:\n"
	  "[ 76.1][ T1]  dump_stack+0xc1/0x128\n"
	  "[ 76.1][ T1]  foo_seq_stop+0xe4/0x140\n",
	  "WARNING: bad unlock balance in foo_seq_stop", "LOCKDEP", false, NULL },
	{ "arm: the caller named after \"from\" follows each frame",
	  "[ 86.0] WARNING: CPU: 0 PID: 30 at lib/string_helpers.c:10 __fortify_report+0x6c/0x74\n"
	  "[ 86.0] Call trace: \n"
	  "[ 86.0] [<818df678>] (dump_backtrace) from [<818df774>] (show_stack+0x18/0x1c)\n"
	  "[ 86.0]  r7:00000000 r6:82622e04\n"
	  "[ 86.0] [<80244050>] (warn_slowpath_fmt) from [<8080fe7c>] (__fortify_report+0x6c/0x74)\n"
	  "[ 86.0] [<818e9a30>] (__fortify_panic) from [<8062a3b0>] (foofs_getattr+0x0/0x78)\n"
	  "[ 86.0] [<8062829c>] (__foofs_ioctl) from [<8062aaac>] (foofs_ioctl+0x10/0x14)\n",
	  "WARNING in foofs_getattr", "WARNING", false, NULL },
	{ "trusty assertion with its message lost: corrupted (second trusty format)",
	  "[ 3.0] trusty: panic (caller 0xffffffffe000fbb8): ASSERT FAILED at (trusty/lib/ipc.c:472): \n",
	  "trusty: ASSERT FAILED:", "DoS", true, NULL },
	{ "trusty assertion with its message",
	  "[ 3.0] trusty: panic (caller 0xffffffffe000fbb8): DEBUG ASSERT FAILED at (trusty/x.h:63): list_ok(&r)\n",
	  "trusty: ASSERT FAILED: list_ok(&r)", "DoS", false, NULL },
	{ "a BUG: no format knows is titled by its line, not corrupted",
	  "[ 3.0] BUG: frobnicator overheated on unit 7\n"
	  "[ 3.0] Call Trace:\n"
	  "[ 3.0]  frob_tick+0x1/0x2\n",
	  "BUG: frobnicator overheated on unit NUM", NULL, false, NULL },
	{ "RIP without a symbol still is the RIP line",
	  "[ 4.0] BUG: unable to handle kernel NULL pointer dereference at 0000000000000286\n"
	  "[ 4.0] IP: 0x286\n"
	  "[ 4.0] Call Trace:\n"
	  "[ 4.0]  foo_worker+0x1/0x2\n"
	  "[ 4.0]  process_one_work+0x1/0x2\n"
	  "[ 4.0]  worker_thread+0x1/0x2\n",
	  "BUG: unable to handle kernel NULL pointer dereference in foo_worker",
	  "NULL-POINTER-DEREFERENCE", false, "bad-access in foo_worker" },

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
	{ "Rust panic: v0 names demangled, the panic entry (also under __rustc) skipped",
	  "[ 23.0] rust_kernel: panicked at drivers/mydrv/queue.rs:10:5:\n"
	  "[ 23.0] attempt to add with overflow\n"
	  "[ 23.0] Call Trace:\n"
	  "[ 23.0]  _RNvCs1a_7___rustc17rust_begin_unwind+0x1/0x2\n"
	  "[ 23.0]  _RNvNtCs2b_4core9panicking9panic_fmt+0x1/0x2\n"
	  "[ 23.0]  _RNvMNtCs3c_5mydrv5queueNtB2_5Queue4push+0x1/0x2\n"
	  "[ 23.0]  mydrv_ioctl+0x1/0x2\n",
	  "attempt to add with overflow in <mydrv::queue::Queue>::push", NULL, false, NULL },
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
