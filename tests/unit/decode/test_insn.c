/* Unit tests: Code: bytes -> instructions with Capstone (insn.c) on known
 * byte strings per architecture: the faulting instruction, its address
 * relative to RIP, resynchronisation before the marker, and the note on the
 * register the faulting access went through. */
#include "helpers.h"

struct insn_case {
	const char *name;
	enum kt_arch arch;
	const char *code;	/* raw Code text */
	bool as_bytes;		/* x86: also give parser-style bytes */
	uint64_t ip;
	const char *reg;	/* one register for the note, or NULL */
	uint64_t reg_value;
	uint64_t fault;		/* fault address (0 = none) */
	const char *want;	/* faulting instruction text, or NULL for none */
	const char *prev;	/* instruction before it, or NULL */
	const char *note;	/* substring of insn_note, or NULL */
	const char *used;	/* a register the faulting access used, or NULL */
};

static const struct insn_case cases[] = {
	{ "x86_64 seed: rep movsb through RSI == CR2", KT_ARCH_X86_64,
	  "Code: 25 c7 00 00 00 83 f8 05 0f 94 c0 0f b6 c0 eb 07 0f 1f 44 00 00 31 c0 48 8b 1c 24 "
	  "4c 8b 64 24 08 c9 c3 90 90 90 48 89 f8 48 89 d1 <f3> a4 c3 03 83 e2 07 f3 48 a5 89 d1 "
	  "f3 a4 c3 20 4c 8b 06 4c 8b", true, 0xffffffff812d9656ull, "RSI", 0xffff8801705505c0ull,
	  0xffff8801705505c0ull, "rep movsb byte ptr [rdi], byte ptr [rsi]", "mov rcx, rdx",
	  "reads memory through RSI = ffff8801705505c0, equal to the fault address (CR2)", "RSI" },
	{ "x86_64 mov eax, [rbx] with RBX == CR2 (do_raw_spin_lock)", KT_ARCH_X86_64,
	  "Code: f1 f1 f1 04 f3 f3 0f 85 f6 01 00 00 <8b> 03 3d ad 4e ad de 0f 85", true, 0,
	  "RBX", 0xffffffff9175c704ull, 0xffffffff9175c704ull, "mov eax, dword ptr [rbx]", NULL,
	  "reads memory through RBX", "RBX" },
	{ "x86_64 NULL + offset through a padded register name", KT_ARCH_X86_64,
	  "Code: 55 48 89 e5 <49> 8b 40 74 5d c3", true, 0x1000, "R08", 0, 0x74,
	  "mov rax, qword ptr [r8 + 0x74]", "mov rbp, rsp",
	  "through R8+0x74 = 0000000000000074, equal to the fault address (CR2)", "R8" },
	{ "x86_64 ud2 is BUG()", KT_ARCH_X86_64, "Code: 48 89 df e8 00 00 00 00 <0f> 0b 90", true,
	  0, NULL, 0, 0, "ud2", NULL, "BUG()", NULL },
	{ "x86_64 write through RDI", KT_ARCH_X86_64, "Code: 90 90 <48> 89 07 c3", true, 0,
	  "RDI", 0x10, 0x10, "mov qword ptr [rdi], rax", "nop", "writes memory through RDI", "RDI" },
	{ "x86_64 moffs load: read, at the absolute address (Capstone 4 leaves access unset)",
	  KT_ARCH_X86_64, "Code: 90 90 <a0> 00 00 00 00 00 fc ff df c3", true, 0, NULL, 0, 0,
	  "movabs al, byte ptr [0xdffffc0000000000]", "nop",
	  "reads memory at 0xdffffc0000000000", NULL },
	{ "x86_64 moffs store: write", KT_ARCH_X86_64,
	  "Code: 90 90 <a2> 00 00 00 00 00 fc ff df c3", true, 0, NULL, 0, 0,
	  "movabs byte ptr [0xdffffc0000000000], al", "nop",
	  "writes memory at 0xdffffc0000000000", NULL },
	{ "x86_64 no marker: nothing faulting", KT_ARCH_X86_64, "Code: 48 89 f8 48 89 d1 c3",
	  true, 0, NULL, 0, 0, NULL, NULL, NULL, NULL },
	{ "x86_64 marker at the last byte", KT_ARCH_X86_64, "Code: 48 89 f8 <48>", true, 0, NULL,
	  0, 0, NULL, NULL, NULL, NULL },
	{ "i386 mov eax, [eax+4] with EAX NULL", KT_ARCH_I386, "Code: 55 89 e5 8b 45 08 <8b> 40 04 5d c3",
	  true, 0xc1234567, "EAX", 0, 4, "mov eax, dword ptr [eax + 4]", "mov eax, dword ptr [ebp + 8]",
	  "through EAX+0x4", "EAX" },
	{ "arm64 ldr through x8 (words, (..) marker)", KT_ARCH_ARM64,
	  "Code: 94f84769 f94002e8 d0024dc0 91168400 (f9400d01)", false, 0xffff800080123456ull,
	  "x8", 0x0000000000000000, 0x18, "ldr x1, [x8, #0x18]", "add x0, x0, #0x5a1",
	  "reads memory through x8+0x18 = 0000000000000018, equal to the fault address (FAR)",
	  "x8" },
	{ "arm64 tagged pointer: FAR lacks the top byte", KT_ARCH_ARM64,
	  "Code: d503201f (f9400d01)", false, 0, "x8", 0x6100000000001000ull, 0x1018,
	  "ldr x1, [x8, #0x18]", "nop", "without the top-byte tag", "x8" },
	{ "arm64 brk is BUG()", KT_ARCH_ARM64, "Code: d503201f (d4210000)", false, 0, NULL, 0, 0,
	  "brk #0x800", "nop", "brk", NULL },
	{ "arm ldrb r3, [r0]", KT_ARCH_ARM, "Code: e89da800 e1a0c00d e92dd800 e24cb004 (e5d03000)",
	  false, 0, "r0", 0, 0, "ldrb r3, [r0]", "sub fp, ip, #4", "reads memory through r0", "r0" },
	{ "arm thumb halfwords", KT_ARCH_ARM, "Code: 4770 b510 (6803) bd10", false, 0, "r0", 4, 4,
	  "ldr r3, [r0]", "push {r4, lr}", "reads memory through r0", "r0" },
	{ "ppc64 Instruction dump <..>, GPR31 register name", KT_ARCH_PPC64,
	  "7fa3eb78 38a00000 <e87f0b20> 4bff81e9", false, 0, "GPR31", 0x1000, 0, "ld r3, 0xb20(r31)",
	  "li r5, 0", "reads memory through r31+0xb20 = 0000000000001b20", "r31" },
	{ "s390x bytes", KT_ARCH_S390X, "Code: e3 50 d0 08 00 04 <e3> 40 a2 00 00 08", false, 0,
	  NULL, 0, 0, "ag %r4, 0x200(%r10)", "lg %r5, 8(%r13)", NULL, NULL },
	{ "ppc64 with the dump header in the raw text", KT_ARCH_PPC64,
	  "Instruction dump:\n7fa3eb78 38a00000 <e87f0b20> 4bff81e9", false, 0, NULL, 0, 0,
	  "ld r3, 0xb20(r31)", "li r5, 0", NULL, NULL },
	{ "3-byte units are not a Code line", KT_ARCH_ARM, "Code: e89da8 (e5d030)", false, 0, NULL,
	  0, 0, NULL, NULL, NULL, NULL },
	{ "Bad RIP value", KT_ARCH_X86_64, "Code: Bad RIP value.", false, 0, NULL, 0, 0, NULL,
	  NULL, NULL, NULL },
	{ "unreadable arm64 word", KT_ARCH_ARM64, "Code: 94f84769 (\?\?\?\?\?\?\?\?)", false, 0, NULL, 0,
	  0, NULL, NULL, NULL, NULL },
	{ "riscv is not decoded", KT_ARCH_RISCV, "Code: 00053503 (00053503)", false, 0, NULL, 0,
	  0, NULL, NULL, NULL, NULL },
};

static struct kt_report *
make(const struct insn_case *c)
{
	struct kt_report *r = kt_report_new();

	r->arch = c->arch;
	r->kind = KT_KIND_PAGING_REQUEST;
	if (c->as_bytes)
		t_code_bytes(r, c->code + 6);	/* after "Code: " */
	r->code.raw = c->code;
	r->ip.address = c->ip;
	r->ip.present = c->ip != 0;
	if (c->reg)
		t_reg(r, c->reg, c->reg_value);
	if (c->fault) {
		r->fault.present = r->fault.has_address = true;
		r->fault.address = c->fault;
	}
	return r;
}

static void
dump(const struct kt_report *r)
{
	for (size_t i = 0; i < r->n_insns; i++)
		print_error("  %c %016llx %s\n", r->insns[i].faulting ? '*' : ' ',
			    (unsigned long long)r->insns[i].address, r->insns[i].text);
	print_error("  note: %s\n", r->insn_note ? r->insn_note : "(none)");
}

static void
test_insn_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct insn_case *c = &cases[i];
		struct kt_report *r = make(c);
		struct kt_insn_regs used;
		const struct kt_insn *f;
		bool ok = true;

		kt_decode_insns(r, &used);
		f = t_faulting(r);
		if (!c->want) {
			ok = f == NULL && r->insn_note == NULL;
		} else {
			ok = f && strcmp(f->text, c->want) == 0 && f->address == c->ip;
			if (ok && c->prev)
				ok = f > r->insns && strcmp(f[-1].text, c->prev) == 0;
			if (ok && c->note)
				ok = r->insn_note && strstr(r->insn_note, c->note);
			if (ok && c->used) {
				bool found = false;

				for (size_t k = 0; k < used.n; k++)
					found |= kt_reg_same(used.name[k], c->used);
				ok = found;
			}
		}
		if (!ok) {
			print_error("case '%s' failed:\n", c->name);
			dump(r);
			fail();
		}
		/* with a known RIP, addresses ascend (relative ones wrap below 0) */
		for (size_t k = 1; c->ip && k < r->n_insns; k++)
			assert_true(r->insns[k].address > r->insns[k - 1].address);
		kt_report_free(r);
	}
}

/* Addresses are RIP-relative when RIP is unknown: the faulting one is 0 and
 * the ones before it wrap below zero. */
static void
test_relative_addresses(void **state)
{
	struct kt_report *r = kt_report_new();
	const struct kt_insn *f;

	(void)state;
	r->arch = KT_ARCH_X86_64;
	t_code_bytes(r, "48 89 f8 48 89 d1 <f3> a4 c3");
	kt_decode_insns(r, NULL);
	f = t_faulting(r);
	assert_non_null(f);
	assert_int_equal(f->address, 0);
	assert_int_equal(r->insns[0].address, (uint64_t)-6);
	kt_report_free(r);
}

/* The window begins mid-instruction: a start offset that decodes onto the
 * marker is found (here the first byte is the tail of an earlier insn). */
static void
test_resync(void **state)
{
	struct kt_report *r = kt_report_new();
	const struct kt_insn *f;

	(void)state;
	r->arch = KT_ARCH_X86_64;
	/* "0f 1f 44 00 00" = nopl; starting at "1f" would misdecode */
	t_code_bytes(r, "1f 44 00 00 48 8b 1c 24 <4c> 8b 64 24 08");
	kt_decode_insns(r, NULL);
	f = t_faulting(r);
	assert_non_null(f);
	assert_string_equal(f->text, "mov r12, qword ptr [rsp + 8]");
	assert_string_equal(f[-1].text, "mov rbx, qword ptr [rsp]");
	kt_report_free(r);
}

/* Unknown arch: x86 is taken from the registers, otherwise nothing. */
static void
test_arch_from_regs(void **state)
{
	struct kt_report *r = kt_report_new();

	(void)state;
	t_code_bytes(r, "48 89 f8 <48> 89 d1");
	kt_decode_insns(r, NULL);
	assert_int_equal(r->n_insns, 0);
	t_reg(r, "RIP", 0xffffffff81000000ull);
	kt_decode_insns(r, NULL);
	assert_non_null(t_faulting(r));
	assert_string_equal(t_faulting(r)->text, "mov rcx, rdx");
	kt_report_free(r);

	r = kt_report_new();
	r->code.raw = "Code: d503201f (b9400021)";
	t_reg(r, "x29", 0xffff800082b3b9f0ull);
	kt_decode_insns(r, NULL);
	assert_non_null(t_faulting(r));
	assert_string_equal(t_faulting(r)->text, "ldr w1, [x1]");
	kt_report_free(r);
}

/* KASAN GPF: "cmp byte ptr [rdx + rax], 0" with RAX = shadow offset: the
 * pointer register is RAX (RDX is a small index), the effective address is a
 * KASAN shadow address, and the note on "EA" says so. */
static void
test_gpf_effective_address(void **state)
{
	struct kt_report *r = kt_report_new();
	struct kt_decode_tables t;
	struct kt_insn_regs used;
	const struct kt_reg_note *n;

	(void)state;
	assert_int_equal(kt_decode_tables_load(NULL, &t), 0);
	r->arch = KT_ARCH_X86_64;
	r->kind = KT_KIND_GPF;
	t_code_bytes(r, "48 89 fa 48 c1 ea 03 <80> 3c 02 00 75 05");
	t_reg(r, "RAX", 0xdffffc0000000000ull);
	t_reg(r, "RDX", 0x3f);
	kt_decode_insns(r, &used);
	assert_string_equal(t_faulting(r)->text, "cmp byte ptr [rdx + rax], 0");
	assert_true(used.has_addr);
	assert_int_equal(used.addr, 0xdffffc000000003full);
	assert_int_equal(used.n, 1);
	assert_string_equal(used.name[0], "RAX");
	kt_decode_reg_notes(r, &t, &used);
	n = t_note(r, "EA", "poison");
	assert_non_null(n);
	assert_non_null(strstr(n->what, "near-NULL"));
	assert_null(t_note(r, "RDX", "null-offset"));	/* an index, not a pointer */
	kt_report_free(r);
	kt_decode_tables_deinit(&t);
}

/* #DE: "div ecx" with ECX = 0 is a division by zero, not a NULL pointer. */
static void
test_divide(void **state)
{
	struct kt_report *r = kt_report_new();
	struct kt_decode_tables t;
	struct kt_insn_regs used;

	(void)state;
	assert_int_equal(kt_decode_tables_load(NULL, &t), 0);
	r->arch = KT_ARCH_X86_64;
	r->kind = KT_KIND_DIVIDE_ERROR;
	t_code_bytes(r, "31 d2 <f7> f1 c3");
	t_reg(r, "RAX", 0xf1328ef9);
	t_reg(r, "RCX", 0xffffffff00000000ull);	/* ECX = 0 */
	kt_decode_insns(r, &used);
	assert_string_equal(t_faulting(r)->text, "div ecx");
	assert_non_null(strstr(r->insn_note, "divides by ecx = 0x0 (from RCX): division by zero"));
	assert_int_equal(used.n, 0);
	kt_decode_reg_notes(r, &t, &used);
	assert_int_equal(r->n_reg_notes, 0);
	kt_report_free(r);
	kt_decode_tables_deinit(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insn_cases),
		cmocka_unit_test(test_relative_addresses),
		cmocka_unit_test(test_resync),
		cmocka_unit_test(test_arch_from_regs),
		cmocka_unit_test(test_gpf_effective_address),
		cmocka_unit_test(test_divide),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
