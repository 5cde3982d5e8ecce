/*
 * Unit tests: parse/fields on whole reports, one per architecture and
 * generation, written from research/oops-format.md (values invented), and
 * the seed XenServer dom0 oops (tests/unit/parse/data/seed-dom0.txt: the
 * seed fixture's lines with the dom0.log prefixes stripped, as the
 * normalizer hands them on).
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

#include "util/arena.h"
#include "parse/fields.h"
#include "report_helper.h"

static const struct kt_frame *
find_frame(const struct kt_report *r, const char *func)
{
	for (size_t i = 0; i < r->n_frames; i++)
		if (r->frames[i].function && strcmp(r->frames[i].function, func) == 0)
			return &r->frames[i];
	return NULL;
}

static const struct kt_module *
find_module(const struct kt_report *r, const char *name)
{
	for (size_t i = 0; i < r->n_modules; i++)
		if (strcmp(r->modules[i].name, name) == 0)
			return &r->modules[i];
	return NULL;
}

static void
test_seed_dom0(void **state)
{
	static const char *const oot[] = { "enic", "fnic", "bnx2i", "cnic", "megaraid_sas" };
	char *text = slurp("tests/unit/parse/data/seed-dom0.txt");
	struct kt_report *r = extract_text(text);
	const struct kt_frame *f;
	uint64_t v;

	(void)state;
	assert_int_equal(r->arch, KT_ARCH_X86_64);
	assert_true(r->fault.present && r->fault.has_address);
	assert_int_equal(r->fault.address, 0xffff8801705505c0ull);
	assert_string_equal(r->fault.access, "read");
	assert_string_equal(r->fault.mode, "kernel");
	assert_string_equal(r->fault.reason, "not-present page");
	assert_true(r->fault.has_error_code);
	assert_int_equal(r->fault.error_code, 0);
	assert_string_equal(r->fault.page_table, "PGD 1a0d067 PUD 187fc2067 PMD 187e3f067 PTE 20");
	assert_string_equal(r->oops, "Oops: 0000 [#1] SMP");
	assert_int_equal(r->oops_count, 1);
	assert_true(r->ip.present);
	assert_string_equal(r->ip.function, "memcpy");
	assert_int_equal(r->ip.offset, 6);
	assert_int_equal(r->ip.size, 0x110);
	assert_int_equal(r->ip.address, 0xffffffff812d9656ull);
	assert_string_equal(r->ip.segment, "e030");
	assert_int_equal(r->cpu, 4);
	assert_int_equal(r->pid, 0);
	assert_string_equal(r->comm, "swapper/4");
	assert_string_equal(r->kernel.tainted, "G           O");
	assert_false(r->kernel.not_tainted);
	assert_string_equal(r->kernel.release, "3.10.0+2");
	assert_string_equal(r->kernel.version, "#1");
	for (size_t i = 0; i < sizeof(oot) / sizeof(oot[0]); i++) {
		const struct kt_module *m = find_module(r, oot[i]);

		if (!m || !m->flags || strcmp(m->flags, "O") != 0)
			fail_msg("module %s(O) missing", oot[i]);
	}
	assert_null(find_module(r, "bridge")->flags);
	/* the continuation record of the module list */
	assert_non_null(find_module(r, "uhci_hcd"));
	assert_string_equal(r->last_unloaded, "scsi_transport_iscsi");
	assert_string_equal(r->hardware, "Cisco Systems Inc UCSC-C220-M3S/UCSC-C220-M3S");
	assert_string_equal(r->bios, "C220M3.2.0.4b.0.042820150826 04/28/2015");
	assert_string_equal(r->panic, "Fatal exception in interrupt");
	assert_string_equal(r->end_trace, "3c032fd26d64546f");
	f = find_frame(r, "skb_copy_bits");
	assert_non_null(f);
	assert_false(f->reliable);
	assert_int_equal(f->stack, KT_STACK_IRQ);
	assert_int_equal(f->address, 0xffffffff8143f593ull);
	f = find_frame(r, "ip_fragment");
	assert_non_null(f);
	assert_true(f->reliable);
	assert_int_equal(f->stack, KT_STACK_IRQ);
	assert_int_equal(f->offset, 0x621);
	assert_int_equal(f->size, 0x760);
	assert_int_equal(f->log_line, 30);
	f = find_frame(r, "br_nf_dev_queue_xmit");
	assert_string_equal(f->module, "bridge");
	f = find_frame(r, "cpu_bringup_and_idle");
	assert_int_equal(f->stack, KT_STACK_TASK);
	assert_int_equal(r->frames[0].stack, KT_STACK_IRQ);
	assert_int_equal(r->n_frames, 62);
	/* Code: bytes, fault at the f3 (rep movsb) */
	assert_int_equal(r->code.n, 64);
	assert_int_equal(r->code.fault_offset, 43);
	assert_true(r->code.fault_is_opcode);
	assert_int_equal(r->code.bytes[43], 0xf3);
	assert_int_equal(r->code.bytes[44], 0xa4);
	/* registers */
	assert_true(kt_report_reg(r, "RSI", &v));
	assert_int_equal(v, 0xffff8801705505c0ull);
	assert_true(kt_report_reg(r, "CR2", &v));
	assert_int_equal(v, 0xffff8801705505c0ull);
	assert_true(kt_report_reg(r, "EFLAGS", &v));
	assert_int_equal(v, 0x10286);
	assert_true(kt_report_reg(r, "CS", &v));
	assert_int_equal(v, 0xe033);
	assert_true(kt_report_reg(r, "SS", &v));
	assert_int_equal(v, 0xe02b);
	assert_true(kt_report_reg(r, "R12", &v));
	assert_int_equal(v, 0x5dc);
	assert_true(kt_report_reg(r, "DR7", &v));
	assert_int_equal(v, 0x400);
	assert_int_equal(r->n_notes, 0);
	kt_report_free(r);
	free(text);
}

/* 2.6.32 Xen PV dom0 (oops-format.md §1.12), "Modules linked in" before the task line */
static const char x86_64_old[] =
	"BUG: unable to handle kernel paging request at 0000000b819fdb98\n"
	"IP: [<ffffffff812a588f>] notify_remote_via_irq+0x13/0x34\n"
	"PGD 94b10067 PUD 0 \n"
	"Oops: 0000 [#1] SMP \n"
	"last sysfs file: /sys/class/misc/autofs/dev\n"
	"CPU 3 \n"
	"Modules linked in: autofs4(U) hidp(U) nfs(U) xen_blkfront(U) uhci_hcd(U)\n"
	"Pid: 18, comm: events/3 Not tainted 2.6.32\n"
	"RIP: e030:[<ffffffff812a588f>]  [<ffffffff812a588f>] notify_remote_via_irq+0x13/0x34\n"
	"RSP: e02b:ffff8800e7bf7bd0  EFLAGS: 00010202\n"
	"RAX: 0000000000000000 RBX: 0000000000000200 RCX: 0000000000000001\n"
	"FS:  00007f409d3906e0(0000) GS:ffff8800028b8000(0000) knlGS:0000000000000000\n"
	"CS:  e033 DS: 0000 ES: 0000 CR0: 000000008005003b\n"
	"Process events/3 (pid: 18, threadinfo ffff8800e7bf6000, task ffff8800e7bf4540)\n"
	"Stack:\n"
	" 0000000000000200 ffff8800e61c8000 ffff8800e7bf7c00 ffffffff812712c9\n"
	"<0> ffffffff8100ea5f ffffffff81438d80 ffff8800e7bf7cd0 ffffffff812714ee\n"
	"Call Trace:\n"
	" [<ffffffff812712c9>] ? blkif_notify_work+0x19/0x40 [xen_blkfront]\n"
	" [<ffffffff8108d0a6>] worker_thread+0x1a6/0x2a0\n"
	" [<ffffffff81092d16>] kthread+0x96/0xa0\n"
	"Code: 48 89 e5 0f 1f 44 00 00 48 8b 04 25 00 <8b> 04 b8 c9 c3\n"
	"RIP  [<ffffffff812a588f>] notify_remote_via_irq+0x13/0x34\n"
	" RSP <ffff8800e7bf7bd0>\n"
	"CR2: 0000000b819fdb98\n"
	"---[ end trace a7919e7f17c0a725 ]---\n";

static void
test_x86_64_old(void **state)
{
	struct kt_report *r = extract_text(x86_64_old);
	uint64_t v;

	(void)state;
	assert_int_equal(r->arch, KT_ARCH_X86_64);
	assert_int_equal(r->fault.address, 0xb819fdb98ull);
	assert_string_equal(r->ip.function, "notify_remote_via_irq");
	assert_string_equal(r->ip.segment, "e030");
	assert_int_equal(r->pid, 18);
	assert_int_equal(r->cpu, KT_NONE);
	assert_string_equal(r->comm, "events/3");
	assert_true(r->kernel.not_tainted);
	assert_string_equal(r->kernel.release, "2.6.32");
	assert_int_equal(r->n_modules, 5);
	assert_string_equal(r->modules[0].flags, "U");
	assert_int_equal(r->n_frames, 3);
	assert_false(r->frames[0].reliable);
	assert_string_equal(r->frames[0].module, "xen_blkfront");
	assert_int_equal(r->frames[0].stack, KT_STACK_NONE);
	assert_int_equal(r->code.fault_offset, 13);
	assert_true(kt_report_reg(r, "RBX", &v));
	assert_int_equal(v, 0x200);
	assert_string_equal(r->end_trace, "a7919e7f17c0a725");
	kt_report_free(r);
}

/* 6.x (oops-format.md §1.1 shape) with an embedded user-mode register block */
static const char x86_64_new[] =
	"BUG: kernel NULL pointer dereference, address: 0000000000000010\n"
	"#PF: supervisor read access in kernel mode\n"
	"#PF: error_code(0x0000) - not-present page\n"
	"PGD 0 P4D 0 \n"
	"Oops: Oops: 0000 [#1] PREEMPT SMP NOPTI\n"
	"CPU: 2 UID: 1000 PID: 4242 Comm: kworker/2:0 Tainted: G        W  OE      6.12.3-test #1 PREEMPT(voluntary) \n"
	"Tainted: [W]=WARN, [O]=OOT_MODULE, [E]=UNSIGNED_MODULE\n"
	"Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.3-1 04/01/2014\n"
	"Workqueue: events demo_work_fn [demo]\n"
	"RIP: 0010:demo_work_fn+0x15/0x40 [demo 0123456789abcdef0123456789abcdef01234567]\n"
	"Code: 00 00 00 00 0f 1f 44 00 00 55 48 89 e5 53 48 8b 5f 08 <48> 8b 43 10 48 85 c0 74 05\n"
	"RSP: 0018:ffffb3c1c0413e60 EFLAGS: 00010246\n"
	"RAX: 0000000000000000 RBX: 0000000000000000 RCX: 0000000000000000\n"
	"RDX: 0000000000000001 RSI: ffff9d0c3bd21c80 RDI: ffff9d0c03a1b000\n"
	"RBP: ffffb3c1c0413e68 R08: 0000000000000000 R09: 0000000000000000\n"
	"R10: 0000000000000000 R11: 0000000000000000 R12: ffff9d0c3bd2c900\n"
	"R13: 0000000000000000 R14: ffff9d0c3bd2c905 R15: ffff9d0c01a4e000\n"
	"FS:  0000000000000000(0000) GS:ffff9d0c3bd00000(0000) knlGS:0000000000000000\n"
	"CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033\n"
	"CR2: 0000000000000010 CR3: 000000010a2e0000 CR4: 00000000000006f0\n"
	"Call Trace:\n"
	" <TASK>\n"
	" ? __die_body.cold+0x19/0x27\n"
	" ? page_fault_oops+0x15a/0x2d0\n"
	" ? exc_page_fault+0x81/0x190\n"
	" ? asm_exc_page_fault+0x26/0x30\n"
	" ? demo_work_fn+0x15/0x40 [demo 0123456789abcdef0123456789abcdef01234567]\n"
	" process_one_work+0x17c/0x390\n"
	" worker_thread+0x265/0x380\n"
	" ? __pfx_worker_thread+0x10/0x10\n"
	" kthread+0xd2/0x100\n"
	" ret_from_fork+0x34/0x50\n"
	" ret_from_fork_asm+0x1a/0x30\n"
	" </TASK>\n"
	"Modules linked in: demo(OE) nls_utf8 isofs\n"
	"CR2: 0000000000000010\n"
	"---[ end trace 0000000000000000 ]---\n"
	"RIP: 0010:demo_work_fn+0x15/0x40 [demo 0123456789abcdef0123456789abcdef01234567]\n"
	"Code: 00 00 00 00 0f 1f 44 00 00 55 48 89 e5 53 48 8b 5f 08 <48> 8b 43 10 48 85 c0 74 05\n"
	"RSP: 0018:ffffb3c1c0413e60 EFLAGS: 00010246\n"
	"Kernel panic - not syncing: Fatal exception\n"
	"Kernel Offset: 0x1e000000 from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff)\n"
	"---[ end Kernel panic - not syncing: Fatal exception ]---\n";

static void
test_x86_64_new(void **state)
{
	struct kt_report *r = extract_text(x86_64_new);
	const struct kt_frame *f;

	(void)state;
	assert_int_equal(r->arch, KT_ARCH_X86_64);
	assert_int_equal(r->fault.address, 0x10);
	assert_string_equal(r->fault.access, "read");
	assert_string_equal(r->fault.reason, "not-present page");
	assert_string_equal(r->fault.page_table, "PGD 0 P4D 0");
	assert_int_equal(r->oops_count, 1);
	assert_int_equal(r->cpu, 2);
	assert_int_equal(r->uid, 1000);
	assert_int_equal(r->pid, 4242);
	assert_string_equal(r->comm, "kworker/2:0");
	assert_string_equal(r->kernel.tainted, "G        W  OE");
	assert_string_equal(r->kernel.release, "6.12.3-test");
	assert_string_equal(r->kernel.version, "#1 PREEMPT(voluntary)");
	assert_string_equal(r->hardware, "QEMU Standard PC (Q35 + ICH9, 2009)");
	assert_string_equal(r->workqueue, "events demo_work_fn [demo]");
	assert_string_equal(r->ip.function, "demo_work_fn");
	assert_string_equal(r->ip.module, "demo");
	assert_string_equal(r->ip.segment, "0010");
	assert_int_equal(r->code.fault_offset, 18);
	assert_int_equal(r->n_frames, 11);
	f = find_frame(r, "demo_work_fn");
	assert_false(f->reliable);
	assert_string_equal(f->buildid, "0123456789abcdef0123456789abcdef01234567");
	f = find_frame(r, "process_one_work");
	assert_true(f->reliable);
	assert_int_equal(f->stack, KT_STACK_TASK);
	assert_int_equal(r->n_modules, 3);
	assert_string_equal(r->modules[0].flags, "OE");
	assert_string_equal(r->panic, "Fatal exception");
	assert_string_equal(r->end_trace, "0000000000000000");
	assert_non_null(r->kernel_offset);
	kt_report_free(r);
}

static const char i386_old[] =
	"BUG: unable to handle kernel NULL pointer dereference at 00000004\n"
	"IP: [<f862c0fe>] minstrel_ht_update_stats.clone.5+0x1fe/0x430 [mac80211]\n"
	"*pdpt = 0000000033a4e001 *pde = 0000000000000000 \n"
	"Oops: 0000 [#1] SMP \n"
	"Modules linked in: mac80211 cfg80211 rfkill\n"
	"Pid: 0, comm: swapper Not tainted 3.2.0-4-686-pae #1 Dell Inc. Latitude D630/0KU184\n"
	"EIP: 0060:[<f862c0fe>] EFLAGS: 00010246 CPU: 1\n"
	"EIP is at minstrel_ht_update_stats.clone.5+0x1fe/0x430 [mac80211]\n"
	"EAX: 00000000 EBX: f47c1600 ECX: 00000000 EDX: f3cf6120\n"
	"ESI: f3cf6000 EDI: f3e16400 EBP: f180dbf8 ESP: f180dbe4\n"
	" DS: 007b ES: 007b FS: 00d8 GS: 00e0 SS: 0068\n"
	"Process swapper (pid: 0, ti=c0b4c000 task=c0b52fc0 task.ti=c0b4c000)\n"
	"Stack:\n"
	" f180dc28 f8e3dde1 f180dc10 c09705a8\n"
	"Call Trace:\n"
	" [<f862c400>] minstrel_ht_tx_status+0xd0/0x130 [mac80211]\n"
	" [<c0140c39>] ? run_timer_softirq+0x24d/0x4df\n"
	"Code: 8b 45 f0 8b 55 ec 89 d1 <8b> 50 04 85 d2\n"
	"EIP: [<f862c0fe>] minstrel_ht_update_stats.clone.5+0x1fe/0x430 [mac80211] SS:ESP 0068:f180dbe4\n"
	"CR2: 0000000000000004\n";

static void
test_i386(void **state)
{
	struct kt_report *r = extract_text(i386_old);
	uint64_t v;

	(void)state;
	assert_int_equal(r->arch, KT_ARCH_I386);
	assert_int_equal(r->fault.address, 4);
	assert_string_equal(r->fault.mode, "kernel");
	assert_string_equal(r->ip.function, "minstrel_ht_update_stats.clone.5");
	assert_string_equal(r->ip.module, "mac80211");
	assert_int_equal(r->ip.address, 0xf862c0fe);
	assert_int_equal(r->cpu, 1);
	assert_int_equal(r->pid, 0);
	assert_string_equal(r->kernel.release, "3.2.0-4-686-pae");
	assert_true(kt_report_reg(r, "EBX", &v));
	assert_int_equal(v, 0xf47c1600);
	assert_true(kt_report_reg(r, "EFLAGS", &v));
	assert_int_equal(v, 0x10246);
	assert_true(kt_report_reg(r, "SS", &v));
	assert_int_equal(v, 0x68);
	assert_int_equal(r->n_frames, 2);
	assert_false(r->frames[1].reliable);
	assert_int_equal(r->code.fault_offset, 8);
	kt_report_free(r);
}

static const char arm64[] =
	"Unable to handle kernel NULL pointer dereference at virtual address 0000000000000004\n"
	"Mem abort info:\n"
	"  ESR = 0x0000000096000004\n"
	"  EC = 0x25: DABT (current EL), IL = 32 bits\n"
	"  SET = 0, FnV = 0\n"
	"  EA = 0, S1PTW = 0\n"
	"  FSC = 0x04: level 0 translation fault\n"
	"Data abort info:\n"
	"  ISV = 0, ISS = 0x00000004, ISS2 = 0x00000000\n"
	"  CM = 0, WnR = 0, TnD = 0, TagAccess = 0\n"
	"user pgtable: 4k pages, 48-bit VAs, pgdp=0000000101354000\n"
	"[0000000000000004] pgd=0000000000000000, p4d=0000000000000000\n"
	"Internal error: Oops: 0000000096000004 [#1] PREEMPT SMP\n"
	"Modules linked in: demo(O)\n"
	"CPU: 0 PID: 99 Comm: probe_thing Not tainted 6.10.0-rc3 #1\n"
	"Hardware name: linux,dummy-virt (DT)\n"
	"pstate: 60000005 (nZCv daif -PAN -UAO -TCO -DIT -SSBS BTYPE=--)\n"
	"pc : probe_thing_read+0x24/0xa0 [demo]\n"
	"lr : vfs_read+0x634/0x8e8\n"
	"sp : ffff80008283b9f0\n"
	"x29: ffff80008283b9f0 x28: ffff800082795048 x27: 0000000000000001\n"
	"x2 : 0000000000000000 x1 : 0000000100000001 x0 : ffff80000cb555a1\n"
	"Call trace:\n"
	" probe_thing_read+0x24/0xa0 [demo] (P)\n"
	" vfs_read+0x634/0x8e8\n"
	" el0t_64_sync+0x190/0x198\n"
	"Code: 94f84769 f94002e8 d0024dc0 91168400 (f9400d01) \n"
	"---[ end trace 0000000000000000 ]---\n"
	"Kernel panic - not syncing: Oops: Fatal exception\n"
	"SMP: stopping secondary CPUs\n"
	"Kernel Offset: disabled\n";

static void
test_arm64(void **state)
{
	struct kt_report *r = extract_text(arm64);
	uint64_t v;

	(void)state;
	assert_int_equal(r->arch, KT_ARCH_ARM64);
	assert_int_equal(r->fault.address, 4);
	assert_int_equal(r->fault.error_code, 0x96000004);
	assert_string_equal(r->fault.access, "read");
	assert_string_equal(r->fault.mode, "kernel");
	assert_string_equal(r->fault.reason, "level 0 translation fault");
	assert_string_equal(r->oops, "Internal error: Oops: 0000000096000004 [#1] PREEMPT SMP");
	assert_string_equal(r->ip.function, "probe_thing_read");
	assert_string_equal(r->ip.module, "demo");
	assert_true(kt_report_reg(r, "x28", &v));
	assert_int_equal(v, 0xffff800082795048ull);
	assert_true(kt_report_reg(r, "sp", &v));
	assert_true(kt_report_reg(r, "pstate", &v));
	assert_int_equal(r->n_frames, 3);
	assert_string_equal(r->frames[0].module, "demo");
	assert_true(r->frames[0].reliable);
	assert_int_equal(r->code.n, 20);
	assert_int_equal(r->code.fault_offset, 16);
	assert_string_equal(r->panic, "Oops: Fatal exception");
	assert_string_equal(r->hardware, "linux,dummy-virt (DT)");
	kt_report_free(r);
}

static const char arm32[] =
	"Unable to handle kernel NULL pointer dereference at virtual address 00000010\n"
	"pgd = e8a60000\n"
	"[00000010] *pgd=00000000\n"
	"Internal error: Oops: 805 [#1] SMP ARM\n"
	"Modules linked in: usbnet mii\n"
	"CPU: 1 PID: 431 Comm: some-daemon Not tainted 3.17.8-300.fc21.armv7hl #1\n"
	"task: ed16dd80 ti: e8a58000 task.ti: e8a58000\n"
	"PC is at fill_page+0x584/0x72c\n"
	"LR is at fill_page+0x454/0x72c\n"
	"pc : [<c0333330>]    lr : [<c0333200>]    psr: 80070113\n"
	"sp : e8a59dd8  ip : 2d2f9000  fp : 00000000\n"
	"r10: e89fa198  r9 : 00000001  r8 : 000200da\n"
	"r3 : ee1a44a0  r2 : 00000010  r1 : 00000000  r0 : 00000000\n"
	"Flags: Nzcv  IRQs on  FIQs on  Mode SVC_32  ISA ARM  Segment user\n"
	"Stack: (0xe8a59dd8 to 0xe8a5a000)\n"
	"9dc0:                                                       00000020 ee1a3fc0\n"
	"[<c0333330>] (fill_page) from [<c031c7a0>] (generic_perform_write+0xa8/0x1c0)\n"
	"[<c031c7a0>] (generic_perform_write) from [<c036e4e4>] (vfs_write+0x84/0xa8)\n"
	" r7:00000000 r6:00000000 r5:c00447b0 r4:edbd89c0\n"
	"[<c036e4e4>] (vfs_write) from [<c020ea40>] (ret_fast_syscall+0x0/0x30)\n"
	"Code: ea000005 e59d302c e59d2024 e3a00000 (e5823000) \n";

static void
test_arm(void **state)
{
	struct kt_report *r = extract_text(arm32);
	uint64_t v;

	(void)state;
	assert_int_equal(r->arch, KT_ARCH_ARM);
	assert_int_equal(r->fault.address, 0x10);
	assert_int_equal(r->fault.error_code, 0x805);
	assert_string_equal(r->fault.page_table, "[00000010] *pgd=00000000");
	assert_string_equal(r->ip.function, "fill_page");
	assert_int_equal(r->ip.address, 0xc0333330);
	assert_true(kt_report_reg(r, "pc", &v));
	assert_int_equal(v, 0xc0333330);
	assert_true(kt_report_reg(r, "psr", &v));
	assert_int_equal(v, 0x80070113);
	assert_true(kt_report_reg(r, "r9", &v));
	assert_int_equal(v, 1);
	assert_true(kt_report_reg(r, "r2", &v));
	assert_int_equal(v, 0x10);
	assert_int_equal(r->n_frames, 3);
	assert_string_equal(r->frames[2].function, "vfs_write");
	assert_int_equal(r->frames[2].address, 0xc036e4e4);
	assert_int_equal(r->code.fault_offset, 16);
	kt_report_free(r);
}

static const char ppc64[] =
	"BUG: Unable to handle kernel data access at 0x8000000041a25f20\n"
	"Faulting instruction address: 0xc00000000022d79c\n"
	"Oops: Kernel access of bad area, sig: 11 [#1]\n"
	"LE PAGE_SIZE=64K MMU=Hash SMP NR_CPUS=2048 NUMA pSeries\n"
	"Modules linked in: ipr(+) libata\n"
	"CPU: 0 PID: 12 Comm: kworker/0:1 Not tainted 5.4.0-rc2 #0\n"
	"NIP:  c00000000022d79c LR: c00000000022d784 CTR: 0000000000000000\n"
	"REGS: c00000007a3ef6e0 TRAP: 0380   Not tainted  (5.4.0-rc2)\n"
	"MSR:  800000010280b033 <SF,VEC,VSX,EE,FP,ME,IR,DR,RI,LE,TM[E]>  CR: 22824428  XER: 20000000\n"
	"CFAR: c000000000aaf11c IRQMASK: 0 \n"
	"GPR00: c00000000022d784 c00000007a3ef970 c000000001a23000 0000000000000000 \n"
	"GPR04: 0000000000000001 0000000000000002 0000000000000003 0000000000000004 \n"
	"NIP [c00000000022d79c] partition_sched_domains_locked+0x1ac/0x5f0\n"
	"LR [c00000000022d784] partition_sched_domains_locked+0x194/0x5f0\n"
	"Call Trace:\n"
	"[c00000007a3efa20] [c00000000030a060] rebuild_sched_domains_locked+0x7b0/0x13a0 (unreliable)\n"
	"[c00000007a3efb20] [c00000000030a9f0] rebuild_sched_domains+0x30/0x50\n"
	"[c00000007a3efb50] [d000000000881234] ipr_probe+0x2c/0x520 [ipr]\n"
	"Instruction dump:\n"
	"7fa3eb78 38a00000 60000000 4bfff8e1 60000000 e93f0b20 7fa3e214 e9490000 \n"
	"e93f0b28 7d2a4a14 e9290000 7c295040 <e87f0b20> 4bff81e9 60000000 38600001 \n"
	"---[ end trace ecc3a767a3dac4b3 ]---\n";

static void
test_ppc64(void **state)
{
	struct kt_report *r = extract_text(ppc64);
	uint64_t v;

	(void)state;
	assert_int_equal(r->arch, KT_ARCH_PPC64);
	assert_int_equal(r->fault.address, 0x8000000041a25f20ull);
	assert_string_equal(r->ip.function, "partition_sched_domains_locked");
	assert_int_equal(r->ip.address, 0xc00000000022d79cull);
	assert_true(kt_report_reg(r, "GPR05", &v));
	assert_int_equal(v, 2);
	assert_true(kt_report_reg(r, "MSR", &v));
	assert_int_equal(v, 0x800000010280b033ull);
	assert_true(kt_report_reg(r, "TRAP", &v));
	assert_int_equal(v, 0x380);
	assert_int_equal(r->n_frames, 3);
	assert_false(r->frames[0].reliable);
	assert_string_equal(r->frames[2].module, "ipr");
	assert_int_equal(r->n_modules, 2);
	assert_string_equal(r->modules[0].flags, "+");
	assert_int_equal(r->code.n, 64);
	assert_int_equal(r->code.fault_offset, 48);
	assert_int_equal(r->code.bytes[48], 0xe8);
	assert_string_equal(r->kernel.release, "5.4.0-rc2");
	kt_report_free(r);
}

static const char s390x[] =
	"Unable to handle kernel pointer dereference in virtual kernel address space\n"
	"Failing address: 000003ff8015b000 TEID: 000003ff8015b407\n"
	"Fault in home space mode while using kernel ASCE.\n"
	"Oops: 0004 ilc:3 [#1] SMP \n"
	"Modules linked in: demo(O)\n"
	"CPU: 0 PID: 1743 Comm: modprobe Tainted: G              K   5.6.0 #2\n"
	"Hardware name: IBM 2964 N96 400 (z/VM 6.4.0)\n"
	"Krnl PSW : 0704e00180000000 000000006bf6be0a (apply_rela+0x2ba/0x4e0)\n"
	"           R:0 T:1 IO:1 EX:1 Key:0 M:1 W:0 P:0 AS:3 CC:2 PM:0 RI:0 EA:3\n"
	"Krnl GPRS: 000003ff80147010 000003e0001b9588 000003ff8015c168 000003ff8015b19a\n"
	"           0000000000000004 0000000000000005 0000000000000006 0000000000000007\n"
	"           0000000000000008 0000000000000009 000000000000000a 000000000000000b\n"
	"           000000000000000c 000000000000000d 000000000000000e 000000000000000f\n"
	"Krnl Code: 000000006bf6bdf8: e350d0080004        lg      %r5,8(%r13)\n"
	"          >000000006bf6be0a: e35040000024        stg     %r5,0(%r4)\n"
	"Call Trace:\n"
	"([<000003ff8086d036>] demo_init+0x36/0x1000 [demo])\n"
	" [<000000000010014e>] do_one_initcall+0xce/0x160\n"
	" [<000003fffd4a1d92>] 0x3fffd4a1d92\n"
	"Last Breaking-Event-Address:\n"
	" [<000003ff8086d036>] demo_init+0x36/0x1000 [demo]\n"
	"---[ end trace 4e37b1eb61ae9844 ]---\n";

static void
test_s390x(void **state)
{
	struct kt_report *r = extract_text(s390x);
	uint64_t v;

	(void)state;
	assert_int_equal(r->arch, KT_ARCH_S390X);
	assert_int_equal(r->fault.address, 0x3ff8015b000ull);
	assert_string_equal(r->ip.function, "apply_rela");
	assert_int_equal(r->ip.address, 0x6bf6be0a);
	assert_true(kt_report_reg(r, "r0", &v));
	assert_int_equal(v, 0x3ff80147010ull);
	assert_true(kt_report_reg(r, "r15", &v));
	assert_int_equal(v, 0xf);
	assert_true(kt_report_reg(r, "psw.mask", &v));
	assert_int_equal(r->n_frames, 3);
	assert_false(r->frames[0].reliable);
	assert_string_equal(r->frames[0].module, "demo");
	assert_null(r->frames[2].function);
	assert_int_equal(r->frames[2].address, 0x3fffd4a1d92ull);
	assert_string_equal(r->kernel.tainted, "G              K");
	assert_string_equal(r->hardware, "IBM 2964 N96 400 (z/VM 6.4.0)");
	kt_report_free(r);
}

static const char riscv[] =
	"Unable to handle kernel NULL pointer dereference at virtual address 0000000000000008\n"
	"Oops [#1]\n"
	"Modules linked in:\n"
	"CPU: 1 PID: 57 Comm: sh Not tainted 6.1.0 #1\n"
	"Hardware name: riscv-virtio,qemu (DT)\n"
	"epc : demo_write+0x1a/0x2e\n"
	" ra : vfs_write+0x2a/0x3a\n"
	"epc : ffffffff80204a60 ra : ffffffff80204a84 sp : ff2000000af37630\n"
	" gp : ffffffff810f0ed0 tp : ff6000000a0a0000 t0 : 0000000000000000\n"
	"status: 0000000200000120 badaddr: 0000000000000008 cause: 000000000000000d\n"
	"[<ffffffff80204a60>] demo_write+0x1a/0x2e\n"
	"[<ffffffff80204a84>] vfs_write+0x2a/0x3a\n"
	"---[ end trace 0000000000000000 ]---\n";

static void
test_riscv(void **state)
{
	struct kt_report *r = extract_text(riscv);
	uint64_t v;

	(void)state;
	assert_int_equal(r->arch, KT_ARCH_RISCV);
	assert_int_equal(r->fault.address, 8);
	assert_string_equal(r->ip.function, "demo_write");
	assert_true(kt_report_reg(r, "epc", &v));
	assert_int_equal(v, 0xffffffff80204a60ull);
	assert_true(kt_report_reg(r, "badaddr", &v));
	assert_int_equal(v, 8);
	assert_true(kt_report_reg(r, "tp", &v));
	/* riscv prints no "Call Trace:" header: frames come from the fallback */
	assert_int_equal(r->n_frames, 2);
	assert_string_equal(r->frames[1].function, "vfs_write");
	kt_report_free(r);
}

/* Xen hypervisor crash on the console (oops-format.md §3.6), "(XEN) " stripped */
static const char xen_hv[] =
	"----[ Xen-4.17.3-pre  x86_64  debug=y  Not tainted ]----\n"
	"CPU:    6\n"
	"RIP:    e008:[<ffff82d040248f89>] schedule_cpu_add+0x50/0x456\n"
	"RFLAGS: 0000000000010202   CONTEXT: hypervisor (d0v3)\n"
	"rax: ffff82d0405a9288   rbx: 0000000000000000   rcx: 0000000000000001\n"
	"cr3: 000000107ec0e000   cr2: 0000000000000144\n"
	"ds: 0000   es: 0000   fs: 0000   gs: 0000   ss: e010   cs: e008\n"
	"Xen code around <ffff82d040248f89> (schedule_cpu_add+0x50/0x456):\n"
	" db 8e 37 00 48 8b 14 ca <4c> 8b 2c 02 3b 3d 75 f0\n"
	"Xen stack trace from rsp=ffff831087d3fc68:\n"
	"   0000000000000000 ffff82d040248f89 0000000000000000 0000000000000001\n"
	"Xen call trace:\n"
	"   [<ffff82d040248f89>] R schedule_cpu_add+0x50/0x456\n"
	"   [<ffff82d04035cd5f>] S arch_do_domctl+0x7f/0x2330\n"
	"   [<ffff82d040269984>] F iommu_do_domctl+0x4/0x30\n"
	"\n"
	"Pagetable walk from 0000000000000144:\n"
	" L4[0x000] = 0000000000000000 ffffffffffffffff\n"
	"****************************************\n"
	"Panic on CPU 6:\n"
	"FATAL PAGE FAULT\n";

static void
test_xen_hypervisor(void **state)
{
	struct kt_report *r = extract_text(xen_hv);
	uint64_t v;

	(void)state;
	assert_int_equal(r->arch, KT_ARCH_X86_64);
	assert_int_equal(r->cpu, 6);
	assert_string_equal(r->ip.function, "schedule_cpu_add");
	assert_string_equal(r->ip.segment, "e008");
	assert_true(kt_report_reg(r, "EFLAGS", &v));
	assert_int_equal(v, 0x10202);
	assert_true(kt_report_reg(r, "CR2", &v));
	assert_int_equal(v, 0x144);
	assert_true(kt_report_reg(r, "CS", &v));
	assert_int_equal(v, 0xe008);
	assert_int_equal(r->n_frames, 3);
	assert_string_equal(r->frames[0].function, "schedule_cpu_add");
	assert_true(r->frames[0].reliable);
	assert_string_equal(r->frames[1].function, "arch_do_domctl");
	assert_false(r->frames[1].reliable);
	assert_int_equal(r->code.n, 16);
	assert_int_equal(r->code.fault_offset, 8);
	kt_report_free(r);
}

/* A second oops in the same report: its frames and header are not mixed in. */
static void
test_second_oops(void **state)
{
	struct kt_report *r = extract_text(
		"Oops: 0002 [#1] SMP\nCPU: 0 PID: 1 Comm: a Not tainted 4.4.0 #1\n"
		"Call Trace:\n first+0x1/0x2\nOops: 0000 [#2] SMP\n"
		"CPU: 1 PID: 2 Comm: b Tainted: G      D 4.4.0 #1\nCall Trace:\n second+0x1/0x2\n");

	(void)state;
	assert_int_equal(r->oops_count, 1);
	assert_int_equal(r->pid, 1);
	assert_true(r->kernel.not_tainted);
	assert_null(r->kernel.tainted);
	assert_int_equal(r->n_frames, 1);
	assert_string_equal(r->frames[0].function, "first");
	kt_report_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_dom0),
		cmocka_unit_test(test_x86_64_old),
		cmocka_unit_test(test_x86_64_new),
		cmocka_unit_test(test_i386),
		cmocka_unit_test(test_arm64),
		cmocka_unit_test(test_arm),
		cmocka_unit_test(test_ppc64),
		cmocka_unit_test(test_s390x),
		cmocka_unit_test(test_riscv),
		cmocka_unit_test(test_xen_hypervisor),
		cmocka_unit_test(test_second_oops),
	};

	/* one malloc per arena allocation, so ASan sees overruns */
	kt_arena_set_debug(true);
	return cmocka_run_group_tests_name("parse-fields-reports", tests, NULL, NULL);
}
