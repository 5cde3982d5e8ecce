/* Unit tests: register insights (regnotes.c), table-driven: fault address,
 * NULL + offset, poison, ERR_PTR, non-canonical, user address, MTU sizes,
 * and which of them need the register to be used by the faulting access. */
#include "helpers.h"

static struct kt_decode_tables tables;

static int
setup(void **state)
{
	(void)state;
	return kt_decode_tables_load(NULL, &tables);
}

static int
teardown(void **state)
{
	(void)state;
	kt_decode_tables_deinit(&tables);
	return 0;
}

struct rn_case {
	const char *name;
	enum kt_arch arch;
	enum kt_kind kind;
	const char *reg;
	uint64_t value;
	bool used;		/* the faulting instruction used the register */
	bool has_fault;
	uint64_t fault;
	const char *tag;	/* expected tag on `reg`, or NULL for no note */
	const char *what;	/* substring of the note, or NULL */
};

static const struct rn_case cases[] = {
	{ "equals CR2", KT_ARCH_X86_64, KT_KIND_PAGING_REQUEST, "RSI", 0xffff8801705505c0ull, false,
	  true, 0xffff8801705505c0ull, "fault-address", "(CR2)" },
	{ "equals FAR on arm64", KT_ARCH_ARM64, KT_KIND_PAGING_REQUEST, "x8", 0xdead0000, false,
	  true, 0xdead0000, "fault-address", "(FAR)" },
	{ "list poison anywhere", KT_ARCH_X86_64, KT_KIND_GPF, "RAX", 0xdead000000000122ull, false,
	  false, 0, "poison", "LIST_POISON2" },
	{ "slab free poison", KT_ARCH_X86_64, KT_KIND_GPF, "RDX", 0x6b6b6b6b6b6b6b6bull, false,
	  false, 0, "poison", "POISON_FREE" },
	{ "slab free poison + offset", KT_ARCH_X86_64, KT_KIND_GPF, "RDX", 0x6b6b6b6b6b6b6b83ull,
	  false, false, 0, "poison", "offset" },
	{ "KASAN shadow of NULL + 0x28", KT_ARCH_X86_64, KT_KIND_GPF, "RAX", 0xdffffc0000000005ull,
	  false, false, 0, "poison", "near-NULL" },
	{ "ZERO_SIZE_PTR only when used", KT_ARCH_X86_64, KT_KIND_PAGING_REQUEST, "RBX", 0x10, true,
	  true, 0x18, "poison", "kmalloc(0)" },
	{ "0x10 unused: nothing", KT_ARCH_X86_64, KT_KIND_PAGING_REQUEST, "RBX", 0x10, false, true,
	  0x20, NULL, NULL },
	{ "NULL + offset when used", KT_ARCH_X86_64, KT_KIND_NULL_DEREF, "RDI", 0x0, true, true,
	  0x74, "null-offset", "NULL pointer" },
	{ "small value unused: nothing", KT_ARCH_X86_64, KT_KIND_NULL_DEREF, "RCX", 0x74, false,
	  true, 0x78, NULL, NULL },
	{ "ERR_PTR when used", KT_ARCH_X86_64, KT_KIND_PAGING_REQUEST, "RAX", 0xfffffffffffffff4ull,
	  true, true, 0xfffffffffffffffcull, "err-ptr", "ERR_PTR(-12)" },
	{ "ERR_PTR on i386", KT_ARCH_I386, KT_KIND_PAGING_REQUEST, "EAX", 0xfffffff2, true, true,
	  0xfffffffa, "err-ptr", "ERR_PTR(-14)" },
	{ "non-canonical when used", KT_ARCH_X86_64, KT_KIND_GPF, "RBX", 0x00fd00000000abcdull, true,
	  false, 0, "non-canonical", NULL },
	{ "non-canonical in a GPF even unused", KT_ARCH_X86_64, KT_KIND_GPF, "R12",
	  0x4141414141414141ull, false, false, 0, "non-canonical", "general protection" },
	{ "non-canonical unused outside GPF: nothing", KT_ARCH_X86_64, KT_KIND_PAGING_REQUEST,
	  "R12", 0x4141414141414141ull, false, false, 0, NULL, NULL },
	{ "arm64 tagged kernel pointer is canonical", KT_ARCH_ARM64, KT_KIND_PAGING_REQUEST, "x1",
	  0xf6ff00001d527690ull, true, true, 0xffff00001d527000ull, NULL, NULL },
	{ "arm64 garbage pointer", KT_ARCH_ARM64, KT_KIND_PAGING_REQUEST, "x22",
	  0x61616161616161a1ull, true, true, 0x616161616161a1ull, "non-canonical", NULL },
	{ "user address in kernel mode", KT_ARCH_X86_64, KT_KIND_PAGING_REQUEST, "RSI",
	  0x00007ffd12345678ull, true, true, 0x00007ffd12345000ull, "user-address", NULL },
	{ "MTU 9000", KT_ARCH_X86_64, KT_KIND_PAGING_REQUEST, "R13", 9000, false, false, 0,
	  "mtu-size", "jumbo" },
	{ "MTU 8972", KT_ARCH_X86_64, KT_KIND_PAGING_REQUEST, "R13", 8972, false, false, 0,
	  "mtu-size", "9000 - 28" },
	{ "flags are not general registers", KT_ARCH_X86_64, KT_KIND_PAGING_REQUEST, "EFLAGS",
	  1500, false, false, 0, NULL, NULL },
	{ "CR2 is not compared with itself", KT_ARCH_X86_64, KT_KIND_PAGING_REQUEST, "CR2",
	  0xffff8801705505c0ull, false, true, 0xffff8801705505c0ull, NULL, NULL },
};

static void
test_regnote_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rn_case *c = &cases[i];
		struct kt_report *r = kt_report_new();
		struct kt_insn_regs used = { .n = 0 };
		const struct kt_reg_note *n = NULL;

		r->arch = c->arch;
		r->kind = c->kind;
		r->fault.mode = "kernel";
		r->fault.has_address = c->has_fault;
		r->fault.address = c->fault;
		t_reg(r, c->reg, c->value);
		if (c->used) {
			(void)snprintf(used.name[0], sizeof(used.name[0]), "%s", c->reg);
			used.n = 1;
		}
		kt_decode_reg_notes(r, &tables, &used);
		for (size_t k = 0; k < r->n_reg_notes; k++)
			if (strcmp(r->reg_notes[k].reg, c->reg) == 0)
				n = &r->reg_notes[k];
		if (c->tag ? !n || strcmp(n->tag, c->tag) != 0 ||
			     (c->what && !strstr(n->what, c->what))
			   : n != NULL) {
			print_error("case '%s': got %s [%s]\n", c->name, n ? n->what : "(no note)",
				    n ? n->tag : "");
			fail();
		}
		if (n)
			assert_int_equal(n->value, c->value);
		kt_report_free(r);
	}
}

/* The fault address itself is examined too (named CR2), e.g. NULL + 0x74. */
static void
test_fault_address_itself(void **state)
{
	struct kt_report *r = kt_report_new();

	(void)state;
	r->arch = KT_ARCH_X86_64;
	r->kind = KT_KIND_NULL_DEREF;
	t_reg(r, "CR2", 0x74);
	kt_decode_reg_notes(r, &tables, NULL);
	assert_non_null(t_note(r, "CR2", "null-offset"));
	assert_non_null(strstr(t_note(r, "CR2", "null-offset")->what, "0x74"));
	kt_report_free(r);

	/* no fault address at all: no CR2 note, and CR2 ignored for non-page faults */
	r = kt_report_new();
	r->arch = KT_ARCH_X86_64;
	r->kind = KT_KIND_WARNING;
	t_reg(r, "CR2", 0x74);
	kt_decode_reg_notes(r, &tables, NULL);
	assert_int_equal(r->n_reg_notes, 0);
	kt_report_free(r);
}

/* "R08" in the report and "R8" from Capstone are the same register. */
static void
test_padded_names(void **state)
{
	struct kt_report *r = kt_report_new();
	struct kt_insn_regs used = { .n = 1 };
	uint64_t v;

	(void)state;
	r->arch = KT_ARCH_X86_64;
	r->kind = KT_KIND_PAGING_REQUEST;
	t_reg(r, "R08", 0);
	(void)snprintf(used.name[0], sizeof(used.name[0]), "R8");
	kt_decode_reg_notes(r, &tables, &used);
	assert_non_null(t_note(r, "R08", "null-offset"));
	assert_true(kt_decode_reg(r, "R8", &v));
	assert_true(kt_decode_reg(r, "r08", &v));
	assert_false(kt_decode_reg(r, "R80", &v));
	assert_true(kt_reg_same("R09", "r9"));
	assert_false(kt_reg_same("R10", "R1"));
	kt_report_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regnote_cases),
		cmocka_unit_test(test_fault_address_itself),
		cmocka_unit_test(test_padded_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
