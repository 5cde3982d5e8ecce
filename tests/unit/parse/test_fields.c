/*
 * Unit tests: parse/fields, one table row per line kind (register layouts,
 * ip lines of every architecture, frame forms, stack markers, module lists,
 * task and taint lines, die headers, fault lines, Code: lines, trailer
 * lines, garbage). Inputs are written from research/oops-format.md.
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
#include <ktriage/report.h>

#include "util/arena.h"
#include "parse/fields.h"
#include "report_helper.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct kt_report *
extract_arch(enum kt_arch arch, const char *text)
{
	struct kt_report *r = report_from_text(text);

	r->arch = arch;
	kt_fields_extract(r);
	return r;
}

static void
assert_str_or_null(const char *got, const char *want)
{
	if (!want)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}

/* ---- registers ---------------------------------------------------- */

struct reg_case {
	enum kt_arch arch;
	const char *line;
	size_t n_regs;
	const char *name;
	uint64_t value;
};

static void
test_register_lines(void **state)
{
	static const struct reg_case cases[] = {
		{ KT_ARCH_X86_64, "RAX: 0000000000000000 RBX: ffffffff9175c704 RCX: 1ffff92000176efc",
		  3, "RBX", 0xffffffff9175c704ull },
		{ KT_ARCH_X86_64, "RSP: e02b:ffff880182c834f8  EFLAGS: 00010286", 3, "SS", 0xe02b },
		{ KT_ARCH_X86_64, "RSP: e02b:ffff880182c834f8  EFLAGS: 00010286", 3, "RSP",
		  0xffff880182c834f8ull },
		{ KT_ARCH_X86_64, "RSP: 0018:ffffc90000bb77a0 EFLAGS: 00010046 ORIG_RAX: ffffffffffffffda",
		  4, "ORIG_RAX", 0xffffffffffffffdaull },
		{ KT_ARCH_X86_64, "FS:  0000000000000000(0000) GS:ffff880182c80000(0000) knlGS:ffff880182c80000",
		  3, "KNLGS", 0xffff880182c80000ull },
		{ KT_ARCH_X86_64, "CS:  e033 DS: 002b ES: 002b CR0: 000000008005003b", 4, "CR0",
		  0x8005003b },
		{ KT_ARCH_X86_64, "CR2: ffff8801705505c0 CR3: 0000000129589000 CR4: 0000000000002660",
		  3, "CR2", 0xffff8801705505c0ull },
		{ KT_ARCH_X86_64, "DR3: 0000000000000000 DR6: 00000000ffff0ff0 DR7: 0000000000000400",
		  3, "DR6", 0xffff0ff0 },
		{ KT_ARCH_X86_64, "R10: ffffffff81a17260 R11: 000000002c1a1fac R12: 00000000000005dc",
		  3, "R12", 0x5dc },
		{ KT_ARCH_X86_64, "rax: 0000000000000025   rbx: ffffffff817bc558   rcx: ffffffff810014aa",
		  3, "RAX", 0x25 },
		{ KT_ARCH_X86_64, "r9:  ffff88016586af00   r10: 0000000000000001   r11: 0000000000000246",
		  3, "R09", 0xffff88016586af00ull },
		{ KT_ARCH_X86_64, "PKRU: 55555554", 1, "PKRU", 0x55555554 },
		{ KT_ARCH_I386, "EAX: 00000000 EBX: f47c1600 ECX: 00000000 EDX: f3cf6120", 4, "EDX",
		  0xf3cf6120 },
		{ KT_ARCH_I386, "ESI: f3cf6000 EDI: f3e16400 EBP: f180dbf8 ESP: f180dbe4", 4, "ESP",
		  0xf180dbe4 },
		{ KT_ARCH_I386, " DS: 007b ES: 007b FS: 00d8 GS: 00e0 SS: 0068", 5, "FS", 0xd8 },
		{ KT_ARCH_I386, "CR0: 80050033 CR2: 071e03d0 CR3: 203e2000 CR4: 000006b0", 4, "CR2",
		  0x071e03d0 },
		{ KT_ARCH_I386, "eax: 00000000   ebx: c0562cf4   ecx: 00000001   edx: 00000000", 4,
		  "EBX", 0xc0562cf4 },
		{ KT_ARCH_ARM64, "x29: ffff80008283b9f0 x28: ffff800082795048 x27: 0000000000000001",
		  3, "x28", 0xffff800082795048ull },
		{ KT_ARCH_ARM64, "x2 : 0000000000000000 x1 : 0000000100000001 x0 : ffff80000cb555a1",
		  3, "x1", 0x100000001ull },
		{ KT_ARCH_ARM64, "sp : ffff80008283b9f0", 1, "sp", 0xffff80008283b9f0ull },
		{ KT_ARCH_ARM64, "pstate: 60000005 (nZCv daif -PAN -UAO -TCO -DIT -SSBS BTYPE=--)", 1,
		  "pstate", 0x60000005 },
		{ KT_ARCH_ARM, "r10: e89fa198  r9 : 00000001  r8 : 000200da", 3, "r9", 1 },
		{ KT_ARCH_ARM, "sp : e8a59dd8  ip : 2d2f9000  fp : 00000000", 3, "ip", 0x2d2f9000 },
		{ KT_ARCH_PPC64, "NIP:  c00000000022d79c LR: c00000000022d784 CTR: 0000000000000000",
		  3, "LR", 0xc00000000022d784ull },
		{ KT_ARCH_PPC64, "MSR:  800000010280b033 <SF,VEC,VSX,EE,FP,ME,IR,DR,RI,LE,TM[E]>  CR: 22824428  XER: 20000000",
		  3, "XER", 0x20000000 },
		{ KT_ARCH_PPC64, "GPR04: 0000000000000000 0000000000000001 c000000008b030f8 c00000000a122548",
		  4, "GPR06", 0xc000000008b030f8ull },
		{ KT_ARCH_RISCV, "epc : ffffffe000204a60 ra : ffffffe000204a84 sp : ffffffe0010a7d30",
		  3, "ra", 0xffffffe000204a84ull },
		{ KT_ARCH_RISCV, " gp : ffffffe0010f0ed0 tp : ffffffe0010a0000 t0 : 0000000000000007",
		  3, "t0", 7 },
		{ KT_ARCH_RISCV, "status: 0000000000000120 badaddr: 0000000000000000 cause: 000000000000000d",
		  3, "cause", 0xd },
		/* not register lines */
		{ KT_ARCH_X86_64, "CPU: 4 PID: 0 Comm: swapper/4", 0, NULL, 0 },
		{ KT_ARCH_X86_64, "RAX: zzzz RBX: 0000", 0, NULL, 0 },
		{ KT_ARCH_X86_64, "x29: ffff80008283b9f0", 0, NULL, 0 },
		{ KT_ARCH_ARM64, "RAX: 0000000000000000", 0, NULL, 0 },
		{ KT_ARCH_X86_64, "Stack:", 0, NULL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct kt_report *r = extract_arch(cases[i].arch, cases[i].line);
		const struct kt_reg *reg;

		if (r->n_regs != cases[i].n_regs)
			fail_msg("row %zu '%s': %zu regs, want %zu", i, cases[i].line, r->n_regs,
				 cases[i].n_regs);
		if (cases[i].name) {
			reg = find_reg(r, cases[i].name);
			if (!reg)
				fail_msg("row %zu: no %s", i, cases[i].name);
			assert_int_equal(reg->value, cases[i].value);
		}
		kt_report_free(r);
	}
}

static void
test_register_tables(void **state)
{
	(void)state;
	for (int a = 0; a < KT_ARCH_COUNT; a++) {
		size_t n = kt_fx_reg_count((enum kt_arch)a);

		assert_true(n > 0);
		for (size_t i = 0; i < n; i++) {
			const char *name = kt_fx_reg_name((enum kt_arch)a, i);
			char canon[24];

			assert_non_null(name);
			assert_true(strlen(name) < 16);
			/* every name reads back as itself */
			assert_true(kt_fx_reg_canon((enum kt_arch)a, kt_str_cstr(name), canon,
						    sizeof(canon)));
			assert_string_equal(canon, name);
			for (size_t j = i + 1; j < n; j++)
				assert_string_not_equal(name, kt_fx_reg_name((enum kt_arch)a, j));
			if (a == KT_ARCH_X86_64 || a == KT_ARCH_I386)
				for (const char *p = name; *p; p++)
					assert_false(*p >= 'a' && *p <= 'z');
		}
	}
	assert_null(kt_fx_reg_name(KT_ARCH_X86_64, 1000));
}

/* ---- instruction pointer ------------------------------------------ */

struct ip_case {
	enum kt_arch arch;
	const char *text;
	const char *function;
	uint64_t offset;
	uint64_t size;
	uint64_t address;
	const char *module;
	const char *segment;
};

static void
test_ip_lines(void **state)
{
	static const struct ip_case cases[] = {
		{ KT_ARCH_X86_64, "IP: [<ffffffff812d9656>] memcpy+0x6/0x110", "memcpy", 6, 0x110,
		  0xffffffff812d9656ull, NULL, NULL },
		{ KT_ARCH_X86_64, "IP: kfree+0xb2/0x250", "kfree", 0xb2, 0x250, 0, NULL, NULL },
		{ KT_ARCH_X86_64, "RIP: e030:[<ffffffff812d9656>]  [<ffffffff812d9656>] memcpy+0x6/0x110",
		  "memcpy", 6, 0x110, 0xffffffff812d9656ull, NULL, "e030" },
		{ KT_ARCH_X86_64, "RIP: 0010:memcpy_erms+0x6/0x10", "memcpy_erms", 6, 0x10, 0, NULL,
		  "0010" },
		{ KT_ARCH_X86_64, "RIP: 0010:decrease_reservation+0x194/0x1a0 [xen_balloon]",
		  "decrease_reservation", 0x194, 0x1a0, 0, "xen_balloon", "0010" },
		{ KT_ARCH_X86_64, "RIP: 0033:0x7f5d2bc8d7f7", NULL, 0, 0, 0x7f5d2bc8d7f7ull, NULL,
		  "0033" },
		{ KT_ARCH_X86_64, "RIP  [<ffffffff8140c7ca>] unregister_netdevice_queue+0x3a/0xb0",
		  "unregister_netdevice_queue", 0x3a, 0xb0, 0xffffffff8140c7caull, NULL, NULL },
		{ KT_ARCH_X86_64, "IP: [<          (null)>]           (null)", NULL, 0, 0, 0, NULL, NULL },
		{ KT_ARCH_X86_64, "RIP:    e008:[<ffff82d040248f89>] schedule_cpu_add+0x50/0x456",
		  "schedule_cpu_add", 0x50, 0x456, 0xffff82d040248f89ull, NULL, "e008" },
		/* a kernel RIP replaces a user one seen first */
		{ KT_ARCH_X86_64, "RIP: 0033:0x7f5d2bc8d7f7\nRIP: 0010:do_sys_poll+0x10/0x20",
		  "do_sys_poll", 0x10, 0x20, 0, NULL, "0010" },
		{ KT_ARCH_I386, "EIP: 0060:[<f862c0fe>] EFLAGS: 00010246 CPU: 0", NULL, 0, 0,
		  0xf862c0fe, NULL, "0060" },
		{ KT_ARCH_I386, "EIP: 0060:[<f862c0fe>] EFLAGS: 00010246 CPU: 0\nEIP is at minstrel_ht_update_stats.clone.5+0x1fe/0x430 [mac80211]",
		  "minstrel_ht_update_stats.clone.5", 0x1fe, 0x430, 0xf862c0fe, "mac80211", "0060" },
		{ KT_ARCH_I386, "EIP: wdev_priv.part.8+0x3/0x5 [wl]", "wdev_priv.part.8", 3, 5, 0,
		  "wl", NULL },
		{ KT_ARCH_ARM64, "pc : may_access_direct_pkt_data+0x24/0xa0",
		  "may_access_direct_pkt_data", 0x24, 0xa0, 0, NULL, NULL },
		{ KT_ARCH_ARM64, "pc : [<ffffffc000d394c4>] lr : [<ffffffc000d39000>] pstate: 200001c5",
		  NULL, 0, 0, 0xffffffc000d394c4ull, NULL, NULL },
		{ KT_ARCH_ARM, "PC is at shmem_getpage_gfp+0x584/0x72c", "shmem_getpage_gfp", 0x584,
		  0x72c, 0, NULL, NULL },
		{ KT_ARCH_ARM, "PC is at shmem_getpage_gfp+0x584/0x72c\nLR is at shmem_getpage_gfp+0x454/0x72c\npc : [<c0333330>]    lr : [<c0333200>]    psr: 80070113",
		  "shmem_getpage_gfp", 0x584, 0x72c, 0xc0333330, NULL, NULL },
		{ KT_ARCH_PPC64, "NIP [c000000008068dfc] .eeh_dev_check_failure+0x27c/0x390",
		  ".eeh_dev_check_failure", 0x27c, 0x390, 0xc000000008068dfcull, NULL, NULL },
		{ KT_ARCH_S390X, "Krnl PSW : 0704f00180000000 000003ff8086d03a (will_oops_init+0x3a/0x1000 [will_oops])",
		  "will_oops_init", 0x3a, 0x1000, 0x3ff8086d03aull, "will_oops", NULL },
		{ KT_ARCH_RISCV, "epc : sbi_remote_fence_i+0x1a/0x2e", "sbi_remote_fence_i", 0x1a,
		  0x2e, 0, NULL, NULL },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct kt_report *r = extract_arch(cases[i].arch, cases[i].text);

		if (!r->ip.present)
			fail_msg("row %zu: no ip", i);
		assert_str_or_null(r->ip.function, cases[i].function);
		assert_int_equal(r->ip.offset, cases[i].offset);
		assert_int_equal(r->ip.size, cases[i].size);
		assert_int_equal(r->ip.address, cases[i].address);
		assert_str_or_null(r->ip.module, cases[i].module);
		assert_str_or_null(r->ip.segment, cases[i].segment);
		kt_report_free(r);
	}
}

/* ---- frames ------------------------------------------------------- */

struct frame_case {
	const char *line;
	const char *function;	/* NULL with n == 1: address-only frame */
	uint64_t offset;
	uint64_t size;
	uint64_t address;
	const char *module;
	const char *buildid;
	bool reliable;
	size_t n;		/* frames expected from the line */
};

static void
test_frame_lines(void **state)
{
	static const struct frame_case cases[] = {
		{ " [<ffffffff8143f593>] ? skb_copy_bits+0x143/0x240", "skb_copy_bits", 0x143, 0x240,
		  0xffffffff8143f593ull, NULL, NULL, false, 1 },
		{ " [<ffffffff81486461>] ip_fragment+0x621/0x760", "ip_fragment", 0x621, 0x760,
		  0xffffffff81486461ull, NULL, NULL, true, 1 },
		{ " [<ffffffffa02d4410>] ? br_forward_finish+0x60/0x60 [bridge]", "br_forward_finish",
		  0x60, 0x60, 0xffffffffa02d4410ull, "bridge", NULL, false, 1 },
		{ " ? __die_body+0x5f/0xb0", "__die_body", 0x5f, 0xb0, 0, NULL, NULL, false, 1 },
		{ " process_srcu+0x542/0x12e0", "process_srcu", 0x542, 0x12e0, 0, NULL, NULL, true, 1 },
		{ " gpio_fn+0x1/0x2 [sprd_gpio 814535e93c6d8e0853c45c02eab0fa88a9da6487]", "gpio_fn", 1,
		  2, 0, "sprd_gpio", "814535e93c6d8e0853c45c02eab0fa88a9da6487", true, 1 },
		{ "([<000003ff8086d036>] will_oops_init+0x36/0x1000 [will_oops])", "will_oops_init",
		  0x36, 0x1000, 0x3ff8086d036ull, "will_oops", NULL, false, 1 },
		{ " [<000003fffd4a1d92>] 0x3fffd4a1d92", NULL, 0, 0, 0x3fffd4a1d92ull, NULL, NULL, true,
		  1 },
		{ "[c000000010f930b0] [c000000008068df8] .eeh_dev_check_failure+0x278/0x390 (unreliable)",
		  ".eeh_dev_check_failure", 0x278, 0x390, 0xc000000008068df8ull, NULL, NULL, false, 1 },
		{ "[c000000010f93340] [d0000000008c991c] .ipr_probe_ioa+0x6c/0x1390 [ipr]",
		  ".ipr_probe_ioa", 0x6c, 0x1390, 0xd0000000008c991cull, "ipr", NULL, true, 1 },
		{ "[<c0333330>] (shmem_getpage_gfp) from [<c031c7a0>] (generic_perform_write+0xa8/0x1c0)",
		  "shmem_getpage_gfp", 0, 0, 0xc0333330, NULL, NULL, true, 1 },
		{ "[<c0014990>] (unwind_backtrace+0x0/0xf4) from [<c005ccb8>] (__lock_acquire+0x14f8/0x1b98)",
		  "unwind_backtrace", 0, 0xf4, 0xc0014990, NULL, NULL, true, 1 },
		{ " may_access_direct_pkt_data+0x24/0xa0 (P)", "may_access_direct_pkt_data", 0x24,
		  0xa0, 0, NULL, NULL, true, 1 },
		{ " __schedule+0xadf/0x5270 kernel/sched/core.c:6490", "__schedule", 0xadf, 0x5270, 0,
		  NULL, NULL, true, 1 },
		{ " context_switch kernel/sched/core.c:5178 [inline]", "context_switch", 0, 0, 0, NULL,
		  NULL, true, 1 },
		{ "unwind_backtrace from show_stack+0x10/0x14", "unwind_backtrace", 0, 0, 0, NULL, NULL,
		  true, 1 },
		{ " <IRQ>  [<ffffffff813a0886>] _sched_show_task+0x2a6/0x4f0", "_sched_show_task",
		  0x2a6, 0x4f0, 0xffffffff813a0886ull, NULL, NULL, true, 1 },
		{ " ? 0xffffffffc08a1234", NULL, 0, 0, 0xffffffffc08a1234ull, NULL, NULL, false, 1 },
		/* not frames */
		{ "Code: 25 c7 00 00 00 83 f8 05", NULL, 0, 0, 0, NULL, NULL, true, 0 },
		{ "RIP: 0010:memcpy_erms+0x6/0x10", NULL, 0, 0, 0, NULL, NULL, true, 0 },
		{ "RSP: 0018:ffffc90000bb77a0 EFLAGS: 00010046", NULL, 0, 0, 0, NULL, NULL, true, 0 },
		{ "Sending NMI from CPU 0 to CPUs 1:", NULL, 0, 0, 0, NULL, NULL, true, 0 },
		{ "INFO: lockdep is turned off.", NULL, 0, 0, 0, NULL, NULL, true, 0 },
		{ "hardirqs last  enabled at (73095): [<ffff80008037bc00>] console_emit+0x1/0x2", NULL,
		  0, 0, 0, NULL, NULL, true, 0 },
		{ " ffffffff8143f593 0000000000000020 ffff880119d4df00", NULL, 0, 0, 0, NULL, NULL,
		  true, 0 },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		char text[512];
		struct kt_report *r;
		const struct kt_frame *f;

		/* a trailing real frame keeps the fallback pass out of the way */
		snprintf(text, sizeof(text), "Call Trace:\n%s\n anchor_fn+0x1/0x2", cases[i].line);
		r = extract_text(text);
		if (r->n_frames != cases[i].n + 1)
			fail_msg("row %zu '%s': %zu frames, want %zu", i, cases[i].line,
				 r->n_frames - 1, cases[i].n);
		assert_string_equal(r->frames[r->n_frames - 1].function, "anchor_fn");
		if (cases[i].n) {
			f = &r->frames[0];
			assert_str_or_null(f->function, cases[i].function);
			assert_int_equal(f->offset, cases[i].offset);
			assert_int_equal(f->size, cases[i].size);
			assert_int_equal(f->address, cases[i].address);
			assert_str_or_null(f->module, cases[i].module);
			assert_str_or_null(f->buildid, cases[i].buildid);
			assert_int_equal(f->reliable, cases[i].reliable);
			assert_int_equal(f->log_line, 2);
		}
		kt_report_free(r);
	}
}

static void
test_frame_details(void **state)
{
	struct kt_report *r;

	(void)state;
	r = extract_text("Call Trace:\n __schedule+0xadf/0x5270 kernel/sched/core.c:6490\n"
			 " context_switch kernel/sched/core.c:5178 [inline]");
	assert_int_equal(r->n_frames, 2);
	assert_string_equal(r->frames[0].file, "kernel/sched/core.c");
	assert_int_equal(r->frames[0].line_no, 6490);
	assert_true(r->frames[0].has_offset);
	assert_true(r->frames[1].inlined);
	assert_false(r->frames[1].has_offset);
	kt_report_free(r);
}

struct stack_case {
	const char *text;
	const char *stacks;	/* one letter per frame: N none, T task, I irq, S softirq, M nmi, X exception */
};

static char
stack_letter(enum kt_stack s)
{
	static const char letters[KT_STACK_COUNT] = {
		[KT_STACK_NONE] = 'N', [KT_STACK_TASK] = 'T', [KT_STACK_IRQ] = 'I',
		[KT_STACK_SOFTIRQ] = 'S', [KT_STACK_NMI] = 'M', [KT_STACK_EXCEPTION] = 'X',
	};
	return letters[s];
}

static void
test_stack_markers(void **state)
{
	static const struct stack_case cases[] = {
		{ "Call Trace:\n a+0x1/0x2\n <IRQ> \n\n [<ffffffff81000001>] ? b+0x1/0x2\n"
		  " <EOI> \n [<ffffffff81000002>] c+0x1/0x2", "NIT" },
		{ "Call Trace:\n <IRQ>\n a+0x1/0x2\n </IRQ>\n <TASK>\n b+0x1/0x2\n </TASK>", "IT" },
		{ "Call Trace:\n <NMI>\n a+0x1/0x2\n </NMI>\n <TASK>\n b+0x1/0x2\n </TASK>", "MT" },
		{ "Call Trace:\n <#DF>\n a+0x1/0x2\n </#DF>\n b+0x1/0x2", "XT" },
		{ "Call Trace:\n <SOFTIRQ>\n a+0x1/0x2\n </SOFTIRQ>\n b+0x1/0x2", "ST" },
		{ "Call Trace:\n <IRQ>  [<ffffffff813a0886>] a+0x2a6/0x4f0\n"
		  " <EOI>  [<ffffffff81010d64>] ? b+0x64/0x80", "IT" },
		{ "Call Trace:\n <NMI> \n [<ffffffff81000001>] a+0x1/0x2\n <<EOE>> \n"
		  " [<ffffffff81000002>] b+0x1/0x2", "MT" },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct kt_report *r = extract_text(cases[i].text);
		char got[16] = { 0 };

		for (size_t k = 0; k < r->n_frames && k < sizeof(got) - 1; k++)
			got[k] = stack_letter(r->frames[k].stack);
		if (strcmp(got, cases[i].stacks) != 0)
			fail_msg("row %zu: stacks '%s', want '%s'", i, got, cases[i].stacks);
		kt_report_free(r);
	}
}

/* ---- modules ------------------------------------------------------ */

struct mod_case {
	const char *text;
	size_t n;
	size_t idx;
	const char *name;
	const char *flags;
	const char *last;
};

static void
test_modules(void **state)
{
	static const struct mod_case cases[] = {
		{ "Modules linked in: enic(O) nvidia(POE) tun", 3, 1, "nvidia", "POE", NULL },
		{ "Modules linked in: will_oops(OF+) sg qeth_l2", 3, 0, "will_oops", "OF+", NULL },
		{ "Modules linked in: mlx5_core(+) mlx5_ib(-)", 2, 1, "mlx5_ib", "-", NULL },
		{ "Modules linked in:", 0, 0, NULL, NULL, NULL },
		{ "Modules linked in: a b(O)\n c d(E) [last unloaded: scsi_transport_iscsi]", 4, 3, "d",
		  "E", "scsi_transport_iscsi" },
		{ "Modules linked in: a [last unloaded: rockchip_vpu(C)]", 1, 0, "a", NULL,
		  "rockchip_vpu(C)" },
		{ "Modules linked in: a b\nCPU: 0 PID: 1 Comm: x Not tainted 6.1.0 #1", 2, 1, "b",
		  NULL, NULL },
		{ "Modules linked in: a [last unloaded: z]\n y x", 1, 0, "a", NULL, "z" },
		{ "Modules linked in: ipv6(U) autofs4(U)\nPid: 18, comm: events/3 Not tainted 2.6.32", 2,
		  0, "ipv6", "U", NULL },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct kt_report *r = extract_text(cases[i].text);

		if (r->n_modules != cases[i].n)
			fail_msg("row %zu: %zu modules, want %zu", i, r->n_modules, cases[i].n);
		if (cases[i].name) {
			assert_string_equal(r->modules[cases[i].idx].name, cases[i].name);
			assert_str_or_null(r->modules[cases[i].idx].flags, cases[i].flags);
		}
		assert_str_or_null(r->last_unloaded, cases[i].last);
		kt_report_free(r);
	}
}

/* ---- task and taint lines ----------------------------------------- */

struct task_case {
	const char *line;
	int cpu, pid, uid;
	const char *comm;
	const char *tainted;
	bool not_tainted;
	const char *release;
	const char *version;
};

static void
test_task_lines(void **state)
{
	static const struct task_case cases[] = {
		{ "CPU: 4 PID: 0 Comm: swapper/4 Tainted: G           O 3.10.0+2 #1", 4, 0, KT_NONE,
		  "swapper/4", "G           O", false, "3.10.0+2", "#1" },
		{ "CPU: 1 UID: 0 PID: 51 Comm: kworker/1:1 Not tainted 6.13.0-rc3-syzkaller #0", 1, 51,
		  0, "kworker/1:1", NULL, true, "6.13.0-rc3-syzkaller", "#0" },
		{ "CPU: 7 UID: 0 PID: 3666669 Comm: journalctl Kdump: loaded Tainted: G        W  O        6.18.7-cf-2026.1.15 #1 PREEMPT(voluntary) ",
		  7, 3666669, 0, "journalctl", "G        W  O", false, "6.18.7-cf-2026.1.15",
		  "#1 PREEMPT(voluntary)" },
		{ "Pid: 0, comm: swapper Tainted: P         C  2.6.38-8-generic #42-Ubuntu BOARD/N150P",
		  KT_NONE, 0, KT_NONE, "swapper", "P         C", false, "2.6.38-8-generic",
		  "#42-Ubuntu BOARD/N150P" },
		{ "Pid: 18, comm: events/3 Not tainted 2.6.32", KT_NONE, 18, KT_NONE, "events/3", NULL,
		  true, "2.6.32", NULL },
		{ "CPU: 0 PID: 0 Comm: swapper/0", 0, 0, KT_NONE, "swapper/0", NULL, false, NULL, NULL },
		{ "CPU: 2 PID: 77 Comm: my task name Not tainted 5.10.0 #1", 2, 77, KT_NONE,
		  "my task name", NULL, true, "5.10.0", "#1" },
		{ "CPU: 0 PID: 32037 Comm: insmod Tainted: GF          O--------------   3.10.0-54.0.1.el7.s390x #1",
		  0, 32037, KT_NONE, "insmod", "GF          O--------------", false,
		  "3.10.0-54.0.1.el7.s390x", "#1" },
		/* taint text on other lines */
		{ "      Not tainted 6.0.0-syzkaller-09589-g55be6084c8e0 #0", KT_NONE, KT_NONE, KT_NONE,
		  NULL, NULL, true, "6.0.0-syzkaller-09589-g55be6084c8e0", "#0" },
		{ "3.5.0-rc5 #2 Not tainted", KT_NONE, KT_NONE, KT_NONE, NULL, NULL, true, "3.5.0-rc5",
		  "#2" },
		{ "3.6.0-rc1-wl+ #296 Tainted: G        W", KT_NONE, KT_NONE, KT_NONE, NULL,
		  "G        W", false, "3.6.0-rc1-wl+", "#296" },
		{ "REGS: c00000007a3ef6e0 TRAP: 0380   Not tainted  (5.4.0-rc2)", KT_NONE, KT_NONE,
		  KT_NONE, NULL, NULL, true, "5.4.0-rc2", NULL },
		{ "BUG kmalloc-4096 (Tainted: G          I ): Poison overwritten", KT_NONE, KT_NONE,
		  KT_NONE, NULL, "G          I", false, NULL, NULL },
		{ "Tainted: [W]=WARN, [O]=OOT_MODULE", KT_NONE, KT_NONE, KT_NONE, NULL, NULL, false,
		  NULL, NULL },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct kt_report *r = extract_text(cases[i].line);

		if (r->cpu != cases[i].cpu || r->pid != cases[i].pid || r->uid != cases[i].uid)
			fail_msg("row %zu: cpu %d pid %d uid %d", i, r->cpu, r->pid, r->uid);
		assert_str_or_null(r->comm, cases[i].comm);
		assert_str_or_null(r->kernel.tainted, cases[i].tainted);
		assert_int_equal(r->kernel.not_tainted, cases[i].not_tainted);
		assert_str_or_null(r->kernel.release, cases[i].release);
		assert_str_or_null(r->kernel.version, cases[i].version);
		kt_report_free(r);
	}
}

/* ---- die header, fault -------------------------------------------- */

struct die_case {
	const char *line;
	const char *oops;
	int count;
	bool has_code;
	uint64_t code;
};

static void
test_die_headers(void **state)
{
	static const struct die_case cases[] = {
		{ "Oops: 0000 [#1] SMP ", "Oops: 0000 [#1] SMP", 1, true, 0 },
		{ "Internal error: Oops: 96000004 [#1] PREEMPT SMP",
		  "Internal error: Oops: 96000004 [#1] PREEMPT SMP", 1, true, 0x96000004 },
		{ "Oops: Oops: 0002 [#3] PREEMPT SMP KASAN PTI", "Oops: Oops: 0002 [#3] PREEMPT SMP KASAN PTI",
		  3, true, 2 },
		{ "general protection fault: 0000 [#2] SMP", "general protection fault: 0000 [#2] SMP", 2,
		  false, 0 },
		{ "Oops: 0004 ilc:3 [#1] SMP", "Oops: 0004 ilc:3 [#1] SMP", 1, false, 0 },
		{ "Oops: Kernel access of bad area, sig: 11 [#1]", "Oops: Kernel access of bad area, sig: 11 [#1]",
		  1, false, 0 },
		{ "Oops: Exception in kernel mode, sig: 5 [#1]", "Oops: Exception in kernel mode, sig: 5 [#1]",
		  1, false, 0 },
		{ "[ INFO: possible recursive locking detected ]", NULL, KT_NONE, false, 0 },
		{ "BUG: soft lockup - CPU#3 stuck for 22s! [kworker/3:1:123]", NULL, KT_NONE, false, 0 },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct kt_report *r = extract_arch(KT_ARCH_X86_64, cases[i].line);

		assert_str_or_null(r->oops, cases[i].oops);
		assert_int_equal(r->oops_count, cases[i].count);
		if (cases[i].has_code) {
			assert_true(r->fault.has_error_code);
			assert_int_equal(r->fault.error_code, cases[i].code);
		}
		kt_report_free(r);
	}
}

struct fault_case {
	enum kt_arch arch;
	const char *text;
	bool has_address;
	uint64_t address;
	const char *access, *mode, *reason;
	bool has_code;
	uint64_t code;
	const char *page_table;
};

static void
test_faults(void **state)
{
	static const struct fault_case cases[] = {
		{ KT_ARCH_X86_64, "BUG: unable to handle kernel paging request at ffff8801705505c0\n"
				  "PGD 1a0d067 PUD 187fc2067 PMD 187e3f067 PTE 20\nOops: 0000 [#1] SMP",
		  true, 0xffff8801705505c0ull, "read", "kernel", "not-present page", true, 0,
		  "PGD 1a0d067 PUD 187fc2067 PMD 187e3f067 PTE 20" },
		{ KT_ARCH_X86_64, "BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
				  "#PF: supervisor write access in kernel mode\n"
				  "#PF: error_code(0x0002) - not-present page\nPGD 0 P4D 0 \n"
				  "Oops: 0002 [#1] PREEMPT SMP PTI",
		  true, 8, "write", "kernel", "not-present page", true, 2, "PGD 0 P4D 0" },
		{ KT_ARCH_X86_64, "BUG: unable to handle page fault for address: ffffffff9175c704\n"
				  "#PF: supervisor instruction fetch in kernel mode\n"
				  "#PF: error_code(0x0011) - permissions violation",
		  true, 0xffffffff9175c704ull, "exec", "kernel", "permissions violation", true, 0x11,
		  NULL },
		{ KT_ARCH_X86_64, "BUG: unable to handle kernel NULL pointer dereference at           (null)\n"
				  "IP: [<          (null)>]           (null)\nOops: 0010 [#1] SMP",
		  true, 0, "exec", "kernel", "not-present page", true, 0x10, NULL },
		{ KT_ARCH_X86_64, "BUG: unable to handle kernel paging request at ffffffff81a00000\n"
				  "#PF error: [PROT] [WRITE]\nOops: 0003 [#1] SMP",
		  true, 0xffffffff81a00000ull, "write", "kernel", "protection violation", true, 3,
		  NULL },
		{ KT_ARCH_X86_64, "Oops: 0006 [#1] SMP\nCR2: 00007f0000001000",
		  true, 0x7f0000001000ull, "write", "user", "not-present page", true, 6, NULL },
		{ KT_ARCH_ARM64, "Unable to handle kernel paging request at virtual address dead000000000108\n"
				 "Mem abort info:\n  ESR = 0x96000045\n"
				 "  EC = 0x25: DABT (current EL), IL = 32 bits\n"
				 "  FSC = 0x05: level 1 translation fault\nData abort info:\n"
				 "  ISV = 0, ISS = 0x00000045\n  CM = 0, WnR = 1\n"
				 "[dead000000000108] pgd=0000000000000000, p4d=0000000000000000\n"
				 "Internal error: Oops: 96000045 [#1] PREEMPT SMP",
		  true, 0xdead000000000108ull, "write", "kernel", "level 1 translation fault", true,
		  0x96000045, "[dead000000000108] pgd=0000000000000000, p4d=0000000000000000" },
		{ KT_ARCH_ARM, "Unable to handle kernel NULL pointer dereference at virtual address 00000009\n"
			       "pgd = e8a60000\n[00000009] *pgd=00000000\nInternal error: Oops: 805 [#1] SMP ARM",
		  true, 9, NULL, NULL, NULL, true, 0x805, "[00000009] *pgd=00000000" },
		{ KT_ARCH_PPC64, "BUG: Unable to handle kernel data access at 0x8000000041a25f20\n"
				 "Faulting instruction address: 0xc00000000022d79c",
		  true, 0x8000000041a25f20ull, NULL, NULL, NULL, false, 0, NULL },
		{ KT_ARCH_S390X, "Unable to handle kernel pointer dereference in virtual kernel address space\n"
				 "Failing address: 000003ff8015b000 TEID: 000003ff8015b407",
		  true, 0x3ff8015b000ull, NULL, NULL, NULL, false, 0, NULL },
		{ KT_ARCH_X86_64, "general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1] PREEMPT SMP KASAN",
		  true, 0xdffffc0000000001ull, NULL, NULL, NULL, false, 0, NULL },
		{ KT_ARCH_I386, "BUG: unable to handle kernel NULL pointer dereference at 00000004\n"
				"*pdpt = 0000000033a4e001 *pde = 0000000000000000 ",
		  true, 4, NULL, NULL, NULL, false, 0, "*pdpt = 0000000033a4e001 *pde = 0000000000000000" },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct kt_report *r = extract_arch(cases[i].arch, cases[i].text);

		if (!r->fault.present || r->fault.has_address != cases[i].has_address)
			fail_msg("row %zu: present %d has_address %d", i, r->fault.present,
				 r->fault.has_address);
		assert_int_equal(r->fault.address, cases[i].address);
		assert_str_or_null(r->fault.access, cases[i].access);
		assert_str_or_null(r->fault.mode, cases[i].mode);
		assert_str_or_null(r->fault.reason, cases[i].reason);
		assert_int_equal(r->fault.has_error_code, cases[i].has_code);
		assert_int_equal(r->fault.error_code, cases[i].code);
		assert_str_or_null(r->fault.page_table, cases[i].page_table);
		kt_report_free(r);
	}
}

/* ---- Code: lines -------------------------------------------------- */

struct code_case {
	enum kt_arch arch;
	const char *text;
	size_t n;
	int fault_offset;
	bool is_opcode;
	uint8_t first;
	uint8_t at_fault;
};

static void
test_code_lines(void **state)
{
	static const struct code_case cases[] = {
		{ KT_ARCH_X86_64, "Code: 25 c7 00 00 00 83 f8 05 0f 94 c0 0f b6 c0 eb 07 0f 1f 44 00 00 31 c0 48 8b 1c 24 4c 8b 64 24 08 c9 c3 90 90 90 48 89 f8 48 89 d1 <f3> a4 c3 03 83 e2 07 f3 48 a5 89 d1 f3 a4 c3 20 4c 8b 06 4c 8b ",
		  64, 43, true, 0x25, 0xf3 },
		{ KT_ARCH_X86_64, "Code: 55 48 89 e5 <0f> 0b", 6, 4, true, 0x55, 0x0f },
		{ KT_ARCH_X86_64, "Code: 90 90 90", 3, KT_NONE, false, 0x90, 0 },
		{ KT_ARCH_X86_64, "Code:  Bad RIP value.", 0, KT_NONE, false, 0, 0 },
		{ KT_ARCH_X86_64, "Code: Unable to access opcode bytes at 0x7f0a9c79bbe1.", 0, KT_NONE,
		  false, 0, 0 },
		{ KT_ARCH_ARM64, "Code: 94f84769 f94002e8 d0024dc0 91168400 (f9400d01)", 20, 16, false,
		  0x69, 0x01 },
		{ KT_ARCH_ARM, "Code: 4b04 681b (6818) bd10", 8, 4, false, 0x04, 0x18 },
		{ KT_ARCH_ARM64, "Code: 94f84769 (\?\?\?\?\?\?\?\?)", 4, KT_NONE, false, 0x69, 0 },
		{ KT_ARCH_PPC64, "Instruction dump:\n7fa3eb78 38a00000 60000000 <e87f0b20> 4bff81e9\n"
				 "60000000 38600001",
		  28, 12, true, 0x7f, 0xe8 },
		/* the first Code: line with bytes wins (exec summary, user frames) */
		{ KT_ARCH_X86_64, "Code: Bad RIP value.\nCode: 0f 0b <cc>\nCode: 11 22", 3, 2, true, 0x0f,
		  0xcc },
		{ KT_ARCH_X86_64, "Xen code around <ffff82d040248f89> (schedule_cpu_add+0x50/0x456):\n"
				  " db 8e 37 00 <4c> 8b 2c 02",
		  8, 4, true, 0xdb, 0x4c },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct kt_report *r = extract_arch(cases[i].arch, cases[i].text);

		assert_non_null(r->code.raw);
		if (r->code.n != cases[i].n || r->code.fault_offset != cases[i].fault_offset)
			fail_msg("row %zu: n %zu fault %d", i, r->code.n, r->code.fault_offset);
		if (cases[i].n)
			assert_int_equal(r->code.bytes[0], cases[i].first);
		if (cases[i].fault_offset != KT_NONE) {
			assert_int_equal(r->code.fault_is_opcode, cases[i].is_opcode);
			assert_int_equal(r->code.bytes[cases[i].fault_offset], cases[i].at_fault);
		}
		kt_report_free(r);
	}
}

/* ---- trailer and context lines ------------------------------------ */

static void
test_misc_lines(void **state)
{
	struct kt_report *r;

	(void)state;
	r = extract_text("Hardware name: Cisco Systems Inc UCSC-C220-M3S/UCSC-C220-M3S, BIOS C220M3.2.0.4b.0.042820150826 04/28/2015\n"
			 "Workqueue: events_unbound deferred_probe_work_func\n"
			 "---[ end trace 3c032fd26d64546f ]---\n"
			 "Kernel panic - not syncing: Fatal exception in interrupt\n"
			 "Kernel Offset: 0x6000000 from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff)\n"
			 "---[ end Kernel panic - not syncing: Fatal exception in interrupt ]---\n"
			 "Kernel panic - not syncing: something later");
	assert_string_equal(r->hardware, "Cisco Systems Inc UCSC-C220-M3S/UCSC-C220-M3S");
	assert_string_equal(r->bios, "C220M3.2.0.4b.0.042820150826 04/28/2015");
	assert_string_equal(r->workqueue, "events_unbound deferred_probe_work_func");
	assert_string_equal(r->end_trace, "3c032fd26d64546f");
	assert_string_equal(r->panic, "Fatal exception in interrupt");
	assert_string_equal(r->kernel_offset,
			    "0x6000000 from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff)");
	kt_report_free(r);

	r = extract_text("Hardware name: linux,dummy-virt (DT)\nKernel panic - not syncing: Oops: Fatal exception\nKernel Offset: disabled");
	assert_string_equal(r->hardware, "linux,dummy-virt (DT)");
	assert_null(r->bios);
	assert_string_equal(r->panic, "Oops: Fatal exception");
	assert_string_equal(r->kernel_offset, "disabled");
	kt_report_free(r);
}

/* Frames after the end marker belong to a later dump (the panic's). */
static void
test_frames_stop_at_end_trace(void **state)
{
	struct kt_report *r;

	(void)state;
	r = extract_text("Call Trace:\n a+0x1/0x2\n b+0x1/0x2\n---[ end trace 0000000000000000 ]---\n"
			 "Kernel panic - not syncing: Fatal exception\nCall Trace:\n panic+0x1/0x2");
	assert_int_equal(r->n_frames, 2);
	kt_report_free(r);

	/* no trace section at all: frames from "[<addr>] f" elsewhere, then bare lines */
	r = extract_text("BUG: bad unlock balance detected!\n"
			 "x/1 is trying to release lock (l) at:\n[<c022c3da>] writeback_sb_inodes+0x160/0x327");
	assert_int_equal(r->n_frames, 1);
	assert_string_equal(r->frames[0].function, "writeback_sb_inodes");
	assert_true(r->n_notes > 0);
	kt_report_free(r);

	r = extract_text("-> #1 (&sig->cred_guard_mutex){+.+.+.}:\n       validate_chain+0x444/0x4f4\n"
			 "       lock_acquire+0x12b/0x158\nnot a frame+0x1/0x2 here");
	assert_int_equal(r->n_frames, 2);
	kt_report_free(r);
}

/* ---- garbage and limits ------------------------------------------- */

static void
test_garbage(void **state)
{
	static const char *const junk[] = {
		"", "\n\n\n", "Call Trace:\n<\n<<\n[<\n[<ffff\n[<ffff>]\n? \n+0x\nf+0x/0x\nf+/\n()\n( )",
		"RIP: \nRIP: 0010:\nRIP: 0010:[<\nEIP: [<>]\nIP: \npc : \nepc : \nNIP [\nKrnl PSW : \n",
		"Code: <\nCode: <>\nCode: ()\nCode: <zz>\nCode: 1\nCode: 123\n",
		"CPU: \nCPU: 1 PID: \nCPU: 99999999999999999999 PID: 1 Comm: \nPid: , comm: \n",
		"Modules linked in: (O) a( b) [last unloaded: \nTainted: \nNot tainted\n",
		"Krnl GPRS: 1 2\n 0 0 0 0\nGPR99: 1\nGPR: 1\n\xff\xfe\xc3\x28 broken utf-8 \x80\x80",
		"Oops: [#\nOops: 0000 [#\nOops: 0000 [#x]\n [#1]\n#PF: \n#PF: error_code(\nPGD \n",
		"Hardware name: \nWorkqueue: \n---[ end trace \nKernel Offset: \nKernel panic - not syncing:",
		"Mem abort info:\nESR = \nEC = \nFSC = \nWnR = \n[] pgd=\n[1] pgd=\n",
	};

	(void)state;
	for (size_t i = 0; i < N(junk); i++) {
		for (int a = 0; a < KT_ARCH_COUNT; a++) {
			struct kt_report *r = extract_arch((enum kt_arch)a, junk[i]);

			assert_true(r->n_frames <= KT_MAX_FRAMES);
			assert_true(r->code.n <= KT_MAX_CODE_BYTES);
			kt_report_free(r);
		}
	}
}

static void
test_limits(void **state)
{
	size_t n = KT_MAX_FRAMES + 100, len = 0;
	char *text = malloc(n * 32 + 4096);
	struct kt_report *r;

	(void)state;
	len += (size_t)sprintf(text + len, "Call Trace:\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, " f%zu+0x1/0x2\n", i);
	len += (size_t)sprintf(text + len, "Code:");
	for (size_t i = 0; i < KT_MAX_CODE_BYTES + 10; i++)
		len += (size_t)sprintf(text + len, " 90");
	r = extract_text(text);
	assert_int_equal(r->n_frames, KT_MAX_FRAMES);
	assert_int_equal(r->code.n, KT_MAX_CODE_BYTES);
	assert_true(r->n_notes >= 2);
	kt_report_free(r);

	/* a very long line of brackets stays linear and bounded */
	memset(text, '[', n * 32);
	memcpy(text, "Call Trace:\n", 12);
	text[n * 32] = 0;
	r = extract_text(text);
	assert_int_equal(r->n_frames, 0);
	kt_report_free(r);
	free(text);
	kt_fields_extract(NULL);
}

/* The text cursors: kt_fx_find() agrees with kt_str_find() (memmem), and
 * kt_fx_eat() only consumes a literal that starts the text. */
static void
test_text_helpers(void **state)
{
	static const char *const hay[] = {
		"", "a", "ab", "aab", "abab", "Not tainted 6.1.0 #1", "x Tainted: G W",
		"[<ffff>] f+0x1/0x2", "aaaaaaaaab",
	};
	static const char *const needles[] = {
		"", "a", "b", "ab", "aab", "abab", "ababa", "Tainted: ", "Not tainted", "+0x",
		"aaab", "z",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(hay) / sizeof(hay[0]); i++)
		for (size_t j = 0; j < sizeof(needles) / sizeof(needles[0]); j++) {
			struct kt_str h = kt_str_cstr(hay[i]);
			/* also a view that ends before the NUL */
			struct kt_str cut = kt_str_make(h.p, h.len ? h.len - 1 : 0);
			assert_int_equal(kt_fx_find(h, needles[j]), kt_str_find(h, needles[j]));
			assert_int_equal(kt_fx_find(cut, needles[j]), kt_str_find(cut, needles[j]));
		}
	assert_int_equal(kt_fx_find(kt_str_make(NULL, 0), "a"), -1);
	struct kt_str s = kt_str_cstr("Code: 48 89");
	assert_false(kt_fx_eat(&s, "Cod:"));
	assert_false(kt_fx_eat(&s, "X"));
	assert_true(kt_fx_eat(&s, ""));
	assert_true(kt_fx_eat(&s, "Code: "));
	assert_int_equal(s.len, 5);
	struct kt_str empty = kt_str_make(NULL, 0);
	assert_false(kt_fx_eat(&empty, "a"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_helpers),
		cmocka_unit_test(test_register_lines),
		cmocka_unit_test(test_register_tables),
		cmocka_unit_test(test_ip_lines),
		cmocka_unit_test(test_frame_lines),
		cmocka_unit_test(test_frame_details),
		cmocka_unit_test(test_stack_markers),
		cmocka_unit_test(test_modules),
		cmocka_unit_test(test_task_lines),
		cmocka_unit_test(test_die_headers),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_code_lines),
		cmocka_unit_test(test_misc_lines),
		cmocka_unit_test(test_frames_stop_at_end_trace),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_limits),
	};

	/* one malloc per arena allocation, so ASan sees overruns */
	kt_arena_set_debug(true);
	return cmocka_run_group_tests_name("parse-fields", tests, NULL, NULL);
}
