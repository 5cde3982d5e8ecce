/*
 * Unit tests: parse/parser, where a report starts and ends. Each row is a
 * small log written for this test (formats of linux kernel/panic.c,
 * lib/dump_stack.c, kernel/workqueue.c, arch/arm/kernel/traps.c, ARM
 * Trusted Firmware and U-Boot console lines) run through normalize + parse; the row names the headers
 * of the reports found, in order, and facts about the first one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ktriage/report.h>

#include "normalize/normalize.h"
#include "parse/parser.h"

struct row {
	const char *name;
	const char *log;
	const char *headers;	/* the reports' headers joined by " | " ("" = none) */
	int first_lines;	/* lines of the first report, or -1 for any */
	int first_incomplete;	/* 0, 1, or -1 for any */
};

static const struct row rows[] = {
	{ "firmware WARNING before a timestamped kernel is no crash",
	  "WARNING: BL31: cortex_a53: CPU workaround for 843419 was missing!\n"
	  "INFO:    BL31: Preparing for EL3 exit to normal world\n"
	  "[    0.000000] Booting Linux on physical CPU 0x0\n"
	  "[    1.000000] random: crng init done\n",
	  "", -1, -1 },
	{ "a firmware WARNING right before a kernel panic does not hide it",
	  "WARNING: BL31: cortex_a53: CPU workaround for 843419 was missing!\n"
	  "[    1.0] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)\n"
	  "[    1.1] CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.55 #1\n"
	  "[    1.2] Call trace:\n[    1.3]  panic+0x168/0x354\n",
	  "Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)", 4, -1 },
	{ "a bare log: a BUG: keyword line is a one-line report",
	  "BUG: foo\nsome other line\n",
	  "BUG: foo", 1, 0 },
	{ "a bare log: a firmware WARNING:/INFO: line with no body is no crash",
	  "INFO:    BL31: Preparing for EL3 exit to normal world\n"
	  "WARNING: could not set reg FDT_ERR_BADOFFSET.\n"
	  "Hit any key to stop autoboot:  0\n"
	  "Starting kernel ...\n"
	  "Booting Linux on physical CPU 0x0\n",
	  "", -1, -1 },
	{ "a bare log: a WARNING: line after a device prefix is the kernel's",
	  "usb 5-1: WARNING: ath10k USB support is incomplete, don't expect anything to work!\n"
	  "usb 5-1: new high-speed USB device number 109 using dummy_hcd\n",
	  "usb 5-1: WARNING: ath10k USB support is incomplete, don't expect anything to work!", 1, 0 },
	{ "a bare log: a harness WARNING: on the last line is no crash",
	  "Run /sbin/init as init process\nWARNING: lava-test-shell: test case 'network' skipped\n",
	  "", -1, -1 },
	{ "a pasted WARNING:/INFO: line alone is a report",
	  "INFO: rcu_sched self-detected stall on CPU\n",
	  "INFO: rcu_sched self-detected stall on CPU", 1, -1 },
	{ "a bare log: a firmware WARNING does not hide the kernel WARN after it",
	  "WARNING: BL31: cortex_a53: CPU workaround for 843419 was missing!\n"
	  "Booting Linux on physical CPU 0x0\n"
	  "WARNING: CPU: 0 PID: 1 at drivers/base/dd.c:321 really_probe+0x3c/0x400\n"
	  "Modules linked in:\n"
	  "Call trace:\n really_probe+0x3c/0x400\n",
	  "WARNING: CPU: 0 PID: 1 at drivers/base/dd.c:321 really_probe+0x3c/0x400", -1, -1 },
	{ "a bare log: an old-style kernel WARNING with its body after it",
	  "WARNING: at fs/sysfs/dir.c:512 sysfs_add_one+0xa0/0xc0()\n"
	  "Modules linked in: e1000\n"
	  "Pid: 1, comm: swapper Not tainted 2.6.32 #1\n"
	  "Call Trace:\n [<c0431e1c>] warn_slowpath_common+0x6c/0xa0\n",
	  "WARNING: at fs/sysfs/dir.c:512 sysfs_add_one+0xa0/0xc0()", 5, -1 },
	/* linux arch/arm/kernel/traps.c __die(): "Internal error: ..." (lost
	 * here), print_modules(), __show_regs(), "Process %.*s (pid: %d, stack
	 * limit = 0x%p)", dump_mem("Stack: ", ...), dump_backtrace() */
	{ "an arm oops whose header is lost is a fragment report",
	  "<6>[   40.1] usb 1-1: new device\n"
	  "<5>[   41.1] Modules linked in:\n"
	  "<5>[   41.2] CPU: 0    Not tainted  (3.4.0 #1)\n"
	  "<5>[   41.3] PC is at foo_write+0x10/0x40\n"
	  "<5>[   41.4] LR is at vfs_write+0xa4/0x160\n"
	  "<5>[   41.5] pc : [<c01c0a10>]    lr : [<c00d2b44>]    psr: 60000013\n"
	  "<0>[   41.6] Process sh (pid: 77, stack limit = 0xc7a4e2f0)\n"
	  "<0>[   41.7] Stack: (0xc7a4ff40 to 0xc7a50000)\n"
	  "<0>[   41.8] ff40: 00000004 c7a4ff70 c00d2b44 c01c0a00 00000004 00000000 b6f3a000 00000004\n"
	  "<5>[   41.9] Backtrace:\n"
	  "<5>[   42.0] [<c01c0a10>] (foo_write+0x10/0x40) from [<c00d2b44>] (vfs_write+0xa4/0x160)\n"
	  "<5>[   42.1] [<c00d2b44>] (vfs_write+0xa4/0x160) from [<c000e8a0>] (ret_fast_syscall+0x0/0x30)\n",
	  "Process sh (pid: 77, stack limit = 0xc7a4e2f0)", 11, 1 },
	{ "a die()-only line with no stack dump or backtrace after it is no report",
	  "<5>[   41.3] PC is at foo_write+0x10/0x40\n"
	  "<0>[   41.6] Process sh (pid: 77, stack limit = 0xc7a4e2f0)\n"
	  "<6>[   41.7] usb 1-1: new device\n<6>[   41.8] usb 1-1: new device\n",
	  "", -1, -1 },
	{ "an arm oops with its header is one report, not two",
	  "<0>[   41.0] Internal error: Oops - BUG: 0 [#1] SMP ARM\n"
	  "<5>[   41.1] Modules linked in:\n"
	  "<5>[   41.3] PC is at foo_write+0x10/0x40\n"
	  "<0>[   41.6] Process sh (pid: 77, stack limit = 0xc7a4e2f0)\n"
	  "<0>[   41.7] Stack: (0xc7a4ff40 to 0xc7a50000)\n"
	  "<5>[   41.9] Backtrace:\n"
	  "<5>[   42.0] [<c01c0a10>] (foo_write+0x10/0x40) from [<c00d2b44>] (vfs_write+0xa4/0x160)\n",
	  "Internal error: Oops - BUG: 0 [#1] SMP ARM", 7, -1 },
	{ "provenance without body is one line long",
	  "[   72.1] WARNING: kernel stack regs at ffff88003e1f7f40 in a:1 has bad 'bp' value 0\n"
	  "[   72.2] e1000: eth0 NIC Link is Up\n[   72.3] e1000: eth1 NIC Link is Up\n",
	  "WARNING: kernel stack regs at ffff88003e1f7f40 in a:1 has bad 'bp' value 0", 1, 0 },
	{ "a benign mitigation notice is no crash",
	  "[    0.04] Speculative Return Stack Overflow: WARNING: See https://kernel.org/doc/html/latest/admin-guide/hw-vuln/srso.html for mitigation options.\n"
	  "[    0.05] x86/fpu: Supporting XSAVE feature 0x001\n",
	  "", -1, -1 },
	{ "a harness line echoed bare is user space",
	  "[  452.7][  T447] WARNING: next download broken!\nWARNING: next download broken!\n",
	  "", -1, -1 },
	{ "two workqueue lockup lines are one report",
	  "[  161.2] BUG: workqueue lockup - pool cpus=0 node=0 flags=0x0 nice=0 stuck for 38s!\n"
	  "[  161.3] BUG: workqueue lockup - pool cpus=0 node=0 flags=0x0 nice=-20 stuck for 38s!\n"
	  "[  161.4] Showing busy workqueues and worker pools:\n"
	  "[  161.5] workqueue events: flags=0x0\n",
	  "BUG: workqueue lockup - pool cpus=0 node=0 flags=0x0 nice=0 stuck for 38s!", 4, -1 },
	{ "a WARNING's tail does not swallow the next oops",
	  "[  812.0] WARNING: CPU: 2 PID: 733 at net/core/dev.c:3205 skb_warn_bad_offload+0x72/0xe0\n"
	  "[  812.1] Call Trace:\n[  812.2]  __skb_gso_segment+0x105/0x130\n"
	  "[  812.3] ---[ end trace 0d3b5f2a9e1c7b44 ]---\n"
	  "[  812.4] invalid opcode: 0000 [#1] SMP NOPTI\n"
	  "[  812.5] CPU: 2 PID: 733 Comm: ksoftirqd/2 Tainted: G        W 5.15.0 #1\n",
	  "WARNING: CPU: 2 PID: 733 at net/core/dev.c:3205 skb_warn_bad_offload+0x72/0xe0 | "
	  "invalid opcode: 0000 [#1] SMP NOPTI", 4, 0 },
	{ "the panic after an unrelated line stays with its oops",
	  "[ 2215.1] kernel BUG at fs/ext4/inode.c:2722!\n[ 2215.2] invalid opcode: 0000 [#1] SMP PTI\n"
	  "[ 2215.3] Call Trace:\n[ 2215.4]  do_writepages+0x34/0xc0\n"
	  "[ 2215.5] ---[ end trace 5b8a3f1c0e2d4a77 ]---\n"
	  "[ 2215.6] megaraid_sas 0000:18:00.0: scanning for scsi0...\n"
	  "[ 2215.7] Kernel panic - not syncing: Fatal exception\n",
	  "kernel BUG at fs/ext4/inode.c:2722!", 6, 0 },
	{ "interleaved tasks are two reports",
	  "[   54.1][  T223] WARNING: possible circular locking dependency detected\n"
	  "[   54.2][   T95] UBSAN: Undefined behaviour in include/linux/rhashtable.h:297:9\n"
	  "[   54.3][  T223] 5.4.101 #2 Not tainted\n"
	  "[   54.4][   T95] CPU: 1 PID: 95 Comm: kworker/1:1 Not tainted 5.4.101 #2\n"
	  "[   54.5][  T223] bootlogd/223 is trying to acquire lock:\n"
	  "[   54.6][   T95] Call Trace:\n",
	  "WARNING: possible circular locking dependency detected | "
	  "UBSAN: Undefined behaviour in include/linux/rhashtable.h:297:9", 3, -1 },
	{ "a new boot ends the report, which is incomplete",
	  "[ 5012.1] BUG: unable to handle page fault for address: ffffc90000a3e000\n"
	  "[ 5012.2] Oops: 0000 [#1] PREEMPT SMP NOPTI\n[ 5012.3] Call Trace:\n"
	  "[ 5012.4]  nvme_irq+0x1e1/0x2b0 [nvme]\n"
	  "[    0.000000] Linux version 6.6.8 (builder@ci) #1 SMP\n"
	  "[   42.1] WARNING: CPU: 1 PID: 511 at drivers/nvme/host/core.c:412 nvme_complete_rq+0x1b4/0x1c0\n",
	  "BUG: unable to handle page fault for address: ffffc90000a3e000 | "
	  "WARNING: CPU: 1 PID: 511 at drivers/nvme/host/core.c:412 nvme_complete_rq+0x1b4/0x1c0",
	  4, 1 },
	{ "a replayed header is dropped",
	  "[  584.3][   T31] INFO: t\n** replaying previous printk message **\n"
	  "[  584.3][   T31] INFO: task udevd:5612 blocked for more than 143 seconds.\n"
	  "[  584.4][   T31]       Not tainted 6.1 #0\n",
	  "INFO: task udevd:5612 blocked for more than 143 seconds.", -1, -1 },
};

static char *
run(const char *log, struct kt_report **ret_first)
{
	struct kt_normalizer *n = kt_normalizer_new();
	struct kt_parser *p = kt_parser_new(NULL, "test.log");
	struct kt_report *r;
	size_t cap = 4096, len = 0;
	char *out = calloc(1, cap);
	const char *s = log;
	uint32_t no = 1;

	assert_non_null(p);
	*ret_first = NULL;
	for (;;) {
		const char *e = strchr(s, '\n');
		struct kt_line line;
		bool last = !e || !e[1];

		if (!e)
			e = s + strlen(s);
		kt_normalize(n, kt_str_make(s, (size_t)(e - s)), no++, &line);
		kt_parser_feed(p, &line);
		if (last)
			kt_parser_end(p);
		while ((r = kt_parser_take(p)) != NULL) {
			len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? " | " : "",
						r->header ? r->header : "");
			if (!*ret_first)
				*ret_first = r;
			else
				kt_report_free(r);
		}
		if (last)
			break;
		s = e + 1;
	}
	kt_parser_free(p);
	kt_normalizer_free(n);
	return out;
}

static void
test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct kt_report *first;
		char *got = run(rows[i].log, &first);

		if (strcmp(got, rows[i].headers))
			fail_msg("%s: headers\n  want \"%s\"\n  got  \"%s\"", rows[i].name,
				 rows[i].headers, got);
		if (rows[i].first_lines >= 0 && (int)first->n_lines != rows[i].first_lines)
			fail_msg("%s: first report has %zu lines, want %d", rows[i].name,
				 first->n_lines, rows[i].first_lines);
		if (rows[i].first_incomplete >= 0 && first->incomplete != (rows[i].first_incomplete == 1))
			fail_msg("%s: incomplete is %d", rows[i].name, first->incomplete);
		kt_report_free(first);
		free(got);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
