/*
 * Unit tests: parse/xenlog, the crash folder's xen.log reader. Inputs: the
 * seed excerpt (tests/unit/parse/data/seed-xen.log) and a fuller file written
 * here from research/xen-domain.md §1.4 (header, host and guest blocks of
 * several PCPUs, console ring).
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
#include "parse/xenlog.h"
#include "report_helper.h"

static void
feed_text(struct kt_xenlog *x, const char *text)
{
	const char *p = text, *e;
	uint32_t no = 1;

	while (*p) {
		struct kt_line line;

		e = strchr(p, '\n');
		if (!e)
			e = p + strlen(p);
		memset(&line, 0, sizeof(line));
		line.text = kt_str_make(p, (size_t)(e - p));
		line.raw = line.text;
		line.no = no++;
		line.ts = -1;
		line.level = -1;
		kt_xenlog_feed(x, &line);
		p = *e ? e + 1 : e;
	}
}

static const struct kt_reg *
xreg(const struct kt_report *r, const char *name)
{
	for (size_t i = 0; i < r->xen.n_regs; i++)
		if (strcmp(r->xen.regs[i].name, name) == 0)
			return &r->xen.regs[i];
	return NULL;
}

static void
test_seed_xen(void **state)
{
	char *text = slurp("tests/unit/parse/data/seed-xen.log");
	struct kt_xenlog *x = kt_xenlog_new();
	struct kt_report *r = kt_report_new();
	bool memcpy_seen = false, skb_seen = false, frag_seen = false;

	(void)state;
	feed_text(x, text);
	assert_int_equal(kt_xenlog_n_blocks(x), 1);
	assert_int_equal(kt_xenlog_n_guest_blocks(x), 1);
	r->cpu = 4;
	kt_xenlog_attach(x, r);
	kt_xenlog_free(x);	/* everything was copied */
	free(text);

	assert_true(r->xen.present);
	assert_int_equal(r->xen.pcpu, 4);
	assert_int_equal(r->xen.domain, 0);
	assert_int_equal(r->xen.vcpu, 4);
	assert_true(r->xen.vcpu_mode_known);
	assert_true(r->xen.vcpu_kernel_mode);
	assert_string_equal(r->xen.guest_segment, "e033");
	assert_int_equal(r->xen.guest_ring, 3);
	assert_int_equal(r->xen.guest_rip_address, 0xffffffff810014aaull);
	assert_string_equal(r->xen.guest_rip, "xen_hypercall_kexec_op+0xa/0x20");
	assert_non_null(xreg(r, "RAX"));
	assert_int_equal(xreg(r, "RAX")->value, 0x25);
	assert_int_equal(xreg(r, "R09")->value, 0xffff88016586af00ull);
	assert_int_equal(xreg(r, "EFLAGS")->value, 0x246);
	assert_int_equal(xreg(r, "CS")->value, 0xe033);
	assert_int_equal(xreg(r, "SS")->value, 0xe02b);
	assert_int_equal(xreg(r, "R15")->value, 0x4a);
	assert_true(r->xen.n_frames > 40);
	assert_string_equal(r->xen.frames[0].function, "xen_hypercall_kexec_op");
	assert_true(r->xen.frames[0].reliable);
	assert_false(r->xen.frames[1].reliable);
	assert_string_equal(r->xen.frames[1].function, "panic");
	assert_int_equal(r->xen.frames[1].address, 0xffffffff810535c8ull);
	assert_int_equal(r->xen.frames[1].offset, 0x128);
	for (size_t i = 0; i < r->xen.n_frames; i++) {
		const char *f = r->xen.frames[i].function;

		memcpy_seen |= f && strcmp(f, "memcpy") == 0;
		skb_seen |= f && strcmp(f, "skb_copy_bits") == 0;
		frag_seen |= f && strcmp(f, "ip_fragment") == 0;
	}
	assert_true(memcpy_seen && skb_seen && frag_seen);
	assert_string_equal(r->xen.frames[r->xen.n_frames - 1].function,
			    "xen_do_hypervisor_callback");
	kt_report_free(r);
}

/* A fuller xen.log (layout of research/xen-domain.md §1.4; values invented). */
static const char full_xen_log[] =
	"Xen version:      4.7.6-6.6\n"
	"Xen changeset:    abcdef0\n"
	"Xen compiler:     gcc (GCC) 4.8.5\n"
	"Debug build:      false\n"
	"\n"
	"Xen command line: dom0_mem=4096M,max:4096M watchdog crashkernel=256M,below=4G\n"
	"\n"
	"  PCPU 0 Host state:\n"
	"\tRIP:    e008:[<ffff82d08012a3b0>] Ring 0\n"
	"\tRFLAGS: 0000000000010046  IOPL0   RF IF ZF PF\n"
	"\n"
	"\trax: 0000000000000000   rbx: ffff83007a0f7f18   rcx: 0000000000000000\n"
	"\tcr0: 000000008005003b   PG AM WP NE ET TS MP PE\n"
	"\tds: 0000   es: 0000   fs: 0000   gs: 0000   ss: e010   cs: e008\n"
	"\n"
	"\tstack current VCPU  ffff8300778e8000 DOM0 VCPU0\n"
	"\tVCPU was RUNNING\n"
	"\n"
	"\tStack at ffff83007a0f7d98:\n"
	"\t  ffff83007a0f7d98: ffff82d08012a3b0 0000000000000000 0000000000000000 0000000000000000\n"
	"\n"
	"\tCall Trace:\n"
	"\t [ffff82d08012a3b0] machine_kexec+0x30/0x40\n"
	"\t  ffff82d080116e8b  kexec_crash+0x7b/0xa0\n"
	"\n"
	"  PCPU 0 Guest state (DOM0 VCPU0):\n"
	"\tRIP:    e033:[<ffffffff810013aa>] Ring 3\n"
	"\tRFLAGS: 0000000000000246  IOPL0   IF ZF PF\n"
	"\n"
	"\trax: 0000000000000000   rbx: 0000000000000001   rcx: ffffffff810013aa\n"
	"\tr15: 0000000000000000\n"
	"\n"
	"\tguest_table_user: 0000000100000000\n"
	"\tguest_table: 0000000100001000\n"
	"\tHW cr3: 0000000100001000\n"
	"\n"
	"\tds: 0000   es: 0000   fs: 0000   gs: 0000   ss: e02b   cs: e033\n"
	"\n"
	"\tPause Count: 0, Flags: 0x0 \n"
	"\tCurrently running on PCPU0\n"
	"\tStruct vcpu at ffff8300778e8000\n"
	"\tVCPU in kernel mode\n"
	"\n"
	"\tCall Trace:\n"
	"\t [ffffffff810013aa] xen_hypercall_sched_op+0xa/0x20\n"
	"\t  ffffffff81009b80  xen_safe_halt+0x10/0x20\n"
	"\t  ffffffff8101a735  default_idle+0x65/0xc0\n"
	"\n"
	"  PCPU 1 Host state:\n"
	"    PCPU Offline\n"
	"\n"
	"  PCPU 2 Host state:\n"
	"\tRIP:    e008:[<ffff82d08012a3b0>] Ring 0\n"
	"\n"
	"  PCPU 2 Guest state (DOM7 VCPU1):\n"
	"\tRIP:    0010:[<ffffffff8104f2a6>] Ring 0\n"
	"\tCurrently running on PCPU2\n"
	"\tVCPU in user mode\n"
	"\tCall Trace:\n"
	"\t  No symbol table for domain\n"
	"\n"
	"  PCPU 3 Guest state (DOM0 VCPU2):\n"
	"\tRIP:    e033:[<ffffffff81505f10>] Ring 3\n"
	"\tNot running:  Last run on PCPU5\n"
	"\tVCPU in kernel mode\n"
	"\tCall Trace:\n"
	"\t [ffffffff81505f10] _raw_spin_lock+0x10/0x30\n"
	"\n"
	"  Console Ring:\n"
	"\n"
	"(XEN) [   12.345678] Brought up 8 CPUs\n"
	"(XEN) ****************************************\n"
	"(XEN) Panic on CPU 0:\n"
	"(XEN) ****************************************\n"
	"(XEN) FATAL TRAP: vector = 6 (invalid opcode)\n"
	"(XEN) PCPU 9 Host state: is console text here, not a block\n";

struct pick_case {
	int cpu;
	bool block;		/* a guest block is expected */
	int pcpu, vcpu;
	const char *rip;
	bool kernel_mode;
	size_t n_frames;
};

static void
test_full_xen_log(void **state)
{
	static const struct pick_case cases[] = {
		{ 0, true, 0, 0, "xen_hypercall_sched_op+0xa/0x20", true, 3 },
		{ 2, true, 3, 2, "_raw_spin_lock+0x10/0x30", true, 1 },
		{ 5, true, 3, 2, "_raw_spin_lock+0x10/0x30", true, 1 },	/* ran on PCPU5 */
		{ 7, false, KT_NONE, KT_NONE, NULL, false, 0 },
		{ KT_NONE, false, KT_NONE, KT_NONE, NULL, false, 0 },	/* two DOM0 blocks */
	};
	struct kt_xenlog *x = kt_xenlog_new();

	(void)state;
	feed_text(x, full_xen_log);
	assert_string_equal(kt_xenlog_version(x), "4.7.6-6.6");
	assert_string_equal(kt_xenlog_crash_reason(x), "FATAL TRAP: vector = 6 (invalid opcode)");
	assert_int_equal(kt_xenlog_n_blocks(x), 6);
	assert_int_equal(kt_xenlog_n_guest_blocks(x), 3);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kt_report *r = kt_report_new();

		r->cpu = cases[i].cpu;
		kt_xenlog_attach(x, r);
		assert_true(r->xen.present);
		assert_string_equal(r->xen.version, "4.7.6-6.6");
		assert_string_equal(r->xen.crash_reason, "FATAL TRAP: vector = 6 (invalid opcode)");
		if (r->xen.pcpu != cases[i].pcpu || r->xen.vcpu != cases[i].vcpu)
			fail_msg("row %zu: pcpu %d vcpu %d", i, r->xen.pcpu, r->xen.vcpu);
		if (cases[i].block) {
			assert_int_equal(r->xen.domain, 0);
			assert_string_equal(r->xen.guest_rip, cases[i].rip);
			assert_int_equal(r->xen.vcpu_kernel_mode, cases[i].kernel_mode);
			assert_int_equal(r->xen.n_frames, cases[i].n_frames);
		} else {
			assert_int_equal(r->xen.domain, KT_NONE);
			assert_int_equal(r->xen.n_frames, 0);
			assert_true(r->n_notes > 0);
		}
		kt_report_free(r);
	}
	/* a hypervisor crash report gets version and reason, no dom0 block */
	{
		struct kt_report *r = kt_report_new();

		r->cpu = 0;
		r->kind = KT_KIND_XEN_CRASH;
		kt_xenlog_attach(x, r);
		assert_true(r->xen.present);
		assert_string_equal(r->xen.version, "4.7.6-6.6");
		assert_int_equal(r->xen.vcpu, KT_NONE);
		assert_int_equal(r->xen.n_frames, 0);
		kt_report_free(r);
	}
	kt_xenlog_free(x);
}

static void
test_xen_garbage(void **state)
{
	static const char *const junk[] = {
		"", "PCPU\nPCPU x Host state:\nPCPU 1 Guest state (DOM\nPCPU 1 Guest state (DOMx VCPUy):\n",
		"  PCPU 0 Guest state (DOM0 VCPU0):\n\tRIP:\n\tRIP: e033:\n\tRIP: e033:[<\n\tCall Trace:\n\t [\n\t [zz] f\n\t  1 \n",
		"Xen version:\nConsole Ring:\n(XEN) Panic on CPU 0:\n", "\xff\xfe\x80 garbage\n\t\t\t\n",
	};
	struct kt_report *r;
	struct kt_xenlog *x;

	(void)state;
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		x = kt_xenlog_new();
		r = kt_report_new();
		feed_text(x, junk[i]);
		r->cpu = 0;
		kt_xenlog_attach(x, r);
		kt_report_free(r);
		kt_xenlog_free(x);
	}
	/* bounded: many blocks, many frames */
	x = kt_xenlog_new();
	for (int b = 0; b < 1100; b++) {
		char buf[128];

		snprintf(buf, sizeof(buf), "PCPU %d Guest state (DOM0 VCPU%d):\nCall Trace:\n", b, b);
		feed_text(x, buf);
	}
	assert_int_equal(kt_xenlog_n_blocks(x), 1024);
	r = kt_report_new();
	r->cpu = 1023;
	kt_xenlog_attach(x, r);
	assert_int_equal(r->xen.vcpu, 1023);
	kt_report_free(r);
	kt_xenlog_free(x);

	x = kt_xenlog_new();
	feed_text(x, "PCPU 5 Guest state (DOM0 VCPU5):\nCall Trace:\n");
	for (int f = 0; f < KT_MAX_FRAMES + 10; f++)
		feed_text(x, "\t  ffffffff81009b80  xen_safe_halt+0x10/0x20\n");
	r = kt_report_new();
	r->cpu = 5;
	kt_xenlog_attach(x, r);
	assert_int_equal(r->xen.n_frames, KT_MAX_FRAMES);
	kt_report_free(r);
	kt_xenlog_free(x);
	kt_xenlog_free(NULL);
	kt_xenlog_attach(NULL, NULL);
	kt_xenlog_feed(NULL, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_xen),
		cmocka_unit_test(test_full_xen_log),
		cmocka_unit_test(test_xen_garbage),
	};

	/* one malloc per arena allocation, so ASan sees overruns */
	kt_arena_set_debug(true);
	return cmocka_run_group_tests_name("parse-xenlog", tests, NULL, NULL);
}
