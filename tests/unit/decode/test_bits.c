/* Unit tests: taint letters, x86 page-fault error code, arm64 ESR, page-table
 * entries, EFLAGS/CR0/CR4 (bits.c), table-driven. */
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

/* "A,B,C" must be exactly the names of the list, in order. */
static void
assert_names(const struct kt_flag_list *l, const char *want)
{
	char got[512] = "";
	size_t len = 0;

	for (size_t i = 0; i < l->n; i++) {
		assert_non_null(l->v[i].name);
		assert_non_null(l->v[i].meaning);
		assert_true(l->v[i].meaning[0] != '\0');
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s", i ? "," : "",
					l->v[i].name);
	}
	assert_string_equal(got, want);
}

struct taint_case {
	const char *tainted;
	const char *want;
};

static void
test_taint(void **state)
{
	static const struct taint_case cases[] = {
		{ "G           O", "G,O" },
		{ "P        W  O     ", "P,W,O" },
		{ "GF          O--------------", "G,F,O" },	/* RHEL 7 dash columns */
		{ "[W]=WARN, [O]=OOT_MODULE, [E]=UNSIGNED_MODULE", "W,O,E" },	/* verbose */
		{ "G    B   D   ", "G,B,D" },
		{ "G Q", "G,Q" },	/* unknown letter kept */
		{ "", "" },
		{ "   ", "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kt_report *r = kt_report_new();

		r->kernel.tainted = cases[i].tainted;
		kt_decode_taint(r, &tables.taint);
		assert_names(&r->kernel.taint, cases[i].want);
		kt_report_free(r);
	}
}

static void
test_taint_modules(void **state)
{
	struct kt_report *r = kt_report_new();
	const struct kt_flag *p, *o, *e, *w;

	(void)state;
	r->kernel.tainted = "P     W     OE";
	t_module(r, "nvidia", "POE");
	t_module(r, "zfs", "PO");
	t_module(r, "ext4", NULL);
	t_module(r, "mlx5_core", "+");
	kt_decode_taint(r, &tables.taint);
	p = t_flag(&r->kernel.taint, "P");
	o = t_flag(&r->kernel.taint, "O");
	e = t_flag(&r->kernel.taint, "E");
	w = t_flag(&r->kernel.taint, "W");
	assert_non_null(strstr(p->meaning, "(modules: nvidia, zfs)"));
	assert_non_null(strstr(o->meaning, "(modules: nvidia, zfs)"));
	assert_non_null(strstr(e->meaning, "(modules: nvidia)"));
	assert_null(strstr(w->meaning, "modules"));	/* W is not a per-module flag */
	assert_null(strstr(o->meaning, "ext4"));
	kt_report_free(r);
	/* no Tainted: text: the module flags still explain themselves */
	r = kt_report_new();
	t_module(r, "foo", "OE+");
	t_module(r, "bar", "-");
	kt_decode_taint(r, &tables.taint);
	assert_names(&r->kernel.taint, "O,E,+,-");
	assert_non_null(strstr(t_flag(&r->kernel.taint, "O")->meaning, "module flag only"));
	assert_non_null(strstr(t_flag(&r->kernel.taint, "+")->meaning, "loading"));
	assert_non_null(strstr(t_flag(&r->kernel.taint, "-")->meaning, "(modules: bar)"));
	kt_report_free(r);
	/* Not tainted: nothing */
	r = kt_report_new();
	r->kernel.not_tainted = true;
	kt_decode_taint(r, &tables.taint);
	assert_int_equal(r->kernel.taint.n, 0);
	kt_report_free(r);
}

struct pf_case {
	uint64_t code;
	const char *want;
	const char *access, *mode, *reason;
};

static void
test_pf_error(void **state)
{
	static const struct pf_case cases[] = {
		{ 0x0, "!PROT,!WRITE,!USER", "read", "kernel", "not-present page" },
		{ 0x2, "!PROT,WRITE,!USER", "write", "kernel", "not-present page" },
		{ 0x3, "PROT,WRITE,!USER", "write", "kernel", "permissions violation" },
		{ 0x10, "!PROT,!WRITE,!USER,INSTR", "exec", "kernel", "not-present page" },
		{ 0x11, "PROT,!WRITE,!USER,INSTR", "exec", "kernel", "permissions violation" },
		{ 0x7, "PROT,WRITE,USER", "write", "user", "permissions violation" },
		{ 0x9, "PROT,!WRITE,!USER,RSVD", "read", "kernel", "reserved bit violation" },
		{ 0x21, "PROT,!WRITE,!USER,PK", "read", "kernel", "protection keys violation" },
		{ 0x8000, "!PROT,!WRITE,!USER,SGX", "read", "kernel", "not-present page" },
		{ 0x100, "!PROT,!WRITE,!USER,bit8", "read", "kernel", "not-present page" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kt_report *r = kt_report_new();

		r->arch = KT_ARCH_X86_64;
		r->kind = KT_KIND_PAGING_REQUEST;
		r->fault.present = r->fault.has_error_code = true;
		r->fault.error_code = cases[i].code;
		kt_decode_fault(r, &tables);
		assert_names(&r->fault.error_bits, cases[i].want);
		assert_string_equal(r->fault.access, cases[i].access);
		assert_string_equal(r->fault.mode, cases[i].mode);
		assert_string_equal(r->fault.reason, cases[i].reason);
		kt_report_free(r);
	}
}

static void
test_pf_keeps_parser_fields(void **state)
{
	struct kt_report *r = kt_report_new();

	(void)state;
	r->arch = KT_ARCH_X86_64;
	r->kind = KT_KIND_NULL_DEREF;
	r->fault.present = r->fault.has_error_code = true;
	r->fault.error_code = 0;
	r->fault.access = "read";
	r->fault.mode = "kernel";
	r->fault.reason = "not-present page";
	kt_decode_fault(r, &tables);
	assert_string_equal(r->fault.reason, "not-present page");
	kt_report_free(r);

	/* GPF: the error code is a selector, not page-fault bits */
	r = kt_report_new();
	r->arch = KT_ARCH_X86_64;
	r->kind = KT_KIND_GPF;
	r->fault.has_error_code = true;
	r->fault.error_code = 0;
	kt_decode_fault(r, &tables);
	assert_int_equal(r->fault.error_bits.n, 0);
	assert_null(r->fault.access);
	kt_report_free(r);
}

/* Xen PV dom0: a "user" mode from the CS/ring must read as kernel. */
static void
test_xen_pv_kernel_mode(void **state)
{
	struct kt_report *r = kt_report_new();

	(void)state;
	r->arch = KT_ARCH_X86_64;
	r->kind = KT_KIND_PAGING_REQUEST;
	r->fault.present = r->fault.has_error_code = true;
	r->fault.error_code = 0x4;	/* USER bit: the CPU saw ring 3 */
	r->ip.segment = "e030";
	kt_decode_fault(r, &tables);
	assert_string_equal(r->fault.mode, "kernel");
	assert_int_equal(r->n_notes, 1);
	kt_report_free(r);

	r = kt_report_new();
	r->arch = KT_ARCH_X86_64;
	r->kind = KT_KIND_PAGING_REQUEST;
	r->fault.present = true;
	r->fault.mode = "user";
	r->xen.present = r->xen.vcpu_kernel_mode = true;
	kt_decode_fault(r, &tables);
	assert_string_equal(r->fault.mode, "kernel");
	kt_report_free(r);
}

struct esr_case {
	uint64_t esr;
	const char *want;
	const char *access, *mode, *reason;
};

static void
test_arm64_esr(void **state)
{
	static const struct esr_case cases[] = {
		{ 0x96000004, "EC=0x25,FSC=0x04,!WnR", "read", "kernel", "level 0 translation fault" },
		{ 0x96000005, "EC=0x25,FSC=0x05,!WnR", "read", "kernel", "level 1 translation fault" },
		{ 0x96000045, "EC=0x25,FSC=0x05,WnR", "write", "kernel", "level 1 translation fault" },
		{ 0x9600004f, "EC=0x25,FSC=0x0f,WnR", "write", "kernel", "level 3 permission fault" },
		{ 0x86000004, "EC=0x21,FSC=0x04", "exec", "kernel", "level 0 translation fault" },
		{ 0x92000004, "EC=0x24,FSC=0x04,!WnR", "read", "user", "level 0 translation fault" },
		{ 0xf2000800, "EC=0x3c,BRK=0x800", NULL, NULL, NULL },
		{ 0x96000021, "EC=0x25,FSC=0x21,!WnR", "read", "kernel", "alignment fault" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kt_report *r = kt_report_new();

		r->arch = KT_ARCH_ARM64;
		r->kind = KT_KIND_PAGING_REQUEST;
		r->fault.present = r->fault.has_error_code = true;
		r->fault.error_code = cases[i].esr;
		kt_decode_fault(r, &tables);
		assert_names(&r->fault.error_bits, cases[i].want);
		if (cases[i].access) {
			assert_string_equal(r->fault.access, cases[i].access);
			assert_string_equal(r->fault.mode, cases[i].mode);
			assert_string_equal(r->fault.reason, cases[i].reason);
		} else {
			assert_null(r->fault.reason);
		}
		kt_report_free(r);
	}
}

struct pte_case {
	const char *walk;
	const char *want;
};

static void
test_pte(void **state)
{
	static const struct pte_case cases[] = {
		{ "PGD 1a0d067 PUD 187fc2067 PMD 187e3f067 PTE 20", "PTE,!P,!RW,!US,A" },
		{ "PGD 0 P4D 0 ", "P4D,!P,!RW,!US" },
		{ "PGD 73c74067 PUD 73114067 PMD 0", "PMD,!P,!RW,!US" },
		{ "PGD e73a067 P4D e73a067 PUD e73b063 PMD 14d9c9063 PTE 800fffffee8a3062",
		  "PTE,!P,RW,!US,A,D,PFN,NX" },
		{ "PGD 2a0f067 P4D 2a0f067 PUD 2a10063 PMD 8000000036e001e3",
		  "PMD,P,RW,!US,A,D,PSE_PAT,G,PFN,NX" },
		{ "*pdpt = 0000000033a4e001 *pde = 0000000000000000 ", "pde,!P,!RW,!US" },
		{ "*pde = 00000000 ", "pde,!P,!RW,!US" },
		{ "PGD BAD", "" },
		{ "", "" },
		{ "garbage ### zz", "" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kt_report *r = kt_report_new();

		r->arch = KT_ARCH_X86_64;
		r->kind = KT_KIND_PAGING_REQUEST;
		r->fault.page_table = cases[i].walk;
		kt_decode_fault(r, &tables);
		assert_names(&r->fault.pte_bits, cases[i].want);
		kt_report_free(r);
	}
}

struct reg_case {
	const char *reg;
	uint64_t value;
	const char *want;
};

static void
test_cpu_regs(void **state)
{
	static const struct reg_case cases[] = {
		{ "EFLAGS", 0x10246, "FIXED,PF,ZF,IF,RF" },
		{ "EFLAGS", 0x10046, "FIXED,PF,ZF,!IF,RF" },
		{ "EFLAGS", 0x50246, "FIXED,PF,ZF,IF,RF,AC" },
		{ "EFLAGS", 0x3246, "FIXED,PF,ZF,IF,IOPL" },
		{ "EFLAGS", 0x0, "!FIXED,!IF" },
		{ "CR0", 0x80050033, "PE,MP,ET,NE,WP,AM,PG" },
		{ "CR0", 0x80040033, "PE,MP,ET,NE,!WP,AM,PG" },
		{ "CR4", 0x3506e0, "PAE,MCE,PGE,OSFXSR,OSXMMEXCPT,FSGSBASE,OSXSAVE,SMEP,SMAP" },
		{ "CR4", 0x4000000, "bit26" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kt_report *r = kt_report_new();
		const struct kt_flag_list *l;

		r->arch = KT_ARCH_X86_64;
		t_reg(r, cases[i].reg, cases[i].value);
		kt_decode_cpu_regs(r, &tables);
		l = strcmp(cases[i].reg, "EFLAGS") == 0 ? &r->rflags
		    : strcmp(cases[i].reg, "CR0") == 0  ? &r->cr0 : &r->cr4;
		assert_names(l, cases[i].want);
		kt_report_free(r);
	}
	/* not x86: nothing */
	{
		struct kt_report *r = kt_report_new();

		r->arch = KT_ARCH_ARM64;
		t_reg(r, "CR0", 0x80050033);
		kt_decode_cpu_regs(r, &tables);
		assert_int_equal(r->cr0.n, 0);
		kt_report_free(r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_taint),
		cmocka_unit_test(test_taint_modules),
		cmocka_unit_test(test_pf_error),
		cmocka_unit_test(test_pf_keeps_parser_fields),
		cmocka_unit_test(test_xen_pv_kernel_mode),
		cmocka_unit_test(test_arm64_esr),
		cmocka_unit_test(test_pte),
		cmocka_unit_test(test_cpu_regs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
