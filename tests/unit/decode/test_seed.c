/* Unit tests: the whole decode stage on the seed crash (XenServer dom0,
 * enic, page fault in memcpy under net_rx_action), built field by field. */
#include "helpers.h"

#include "decode/decode.h"

static void
test_seed_stage(void **state)
{
	struct kt_report *r = t_seed_report();
	const struct kt_insn *fi;
	const struct kt_flag *f;

	(void)state;
	assert_int_equal(kt_decode_run(NULL, r, NULL), 0);

	/* taint: G and O, O names the out-of-tree modules */
	assert_non_null(t_flag(&r->kernel.taint, "G"));
	f = t_flag(&r->kernel.taint, "O");
	assert_non_null(f);
	assert_non_null(strstr(f->meaning, "out-of-tree"));
	assert_non_null(strstr(f->meaning, "enic"));
	assert_null(strstr(f->meaning, "bridge"));

	/* error code 0000: not present, read, supervisor */
	assert_non_null(t_flag(&r->fault.error_bits, "!PROT"));
	assert_non_null(t_flag(&r->fault.error_bits, "!WRITE"));
	assert_non_null(t_flag(&r->fault.error_bits, "!USER"));
	assert_string_equal(r->fault.access, "read");
	assert_string_equal(r->fault.mode, "kernel");
	assert_string_equal(r->fault.reason, "not-present page");

	/* PTE 20: accessed only, not present */
	assert_non_null(t_flag(&r->fault.pte_bits, "PTE"));
	assert_non_null(t_flag(&r->fault.pte_bits, "!P"));
	assert_non_null(t_flag(&r->fault.pte_bits, "A"));
	assert_null(t_flag(&r->fault.pte_bits, "RW"));

	/* EFLAGS 00010286: IF set; CR0 8005003b has TS (Xen PV) */
	assert_non_null(t_flag(&r->rflags, "IF"));
	assert_non_null(t_flag(&r->rflags, "RF"));
	assert_non_null(t_flag(&r->cr0, "TS"));
	assert_non_null(t_flag(&r->cr0, "PG"));
	assert_non_null(t_flag(&r->cr4, "PAE"));
	assert_null(t_flag(&r->cr4, "PGE"));	/* Xen PV: no global pages */

	/* context: softirq under net_rx_action */
	assert_int_equal(r->context, KT_CONTEXT_SOFTIRQ);
	assert_non_null(r->context_why);
	assert_non_null(strstr(r->context_why, "net_rx_action"));
	assert_non_null(strstr(r->context_why, "<IRQ>"));
	assert_non_null(strstr(r->context_why, "swapper/4"));

	/* mov rax, rdi; mov rcx, rdx; rep movsb <- faulting */
	fi = t_faulting(r);
	assert_non_null(fi);
	assert_string_equal(fi->text, "rep movsb byte ptr [rdi], byte ptr [rsi]");
	assert_int_equal(fi->address, 0xffffffff812d9656ull);
	assert_true(fi > r->insns + 1);
	assert_string_equal(fi[-1].text, "mov rcx, rdx");
	assert_string_equal(fi[-2].text, "mov rax, rdi");
	assert_string_equal(fi[1].text, "ret");
	assert_non_null(r->insn_note);
	assert_non_null(strstr(r->insn_note, "reads memory through RSI"));
	assert_non_null(strstr(r->insn_note, "equal to the fault address (CR2)"));

	/* register notes */
	assert_non_null(t_note(r, "RSI", "fault-address"));
	assert_null(t_note(r, "RDI", "fault-address"));
	assert_non_null(t_note(r, "R12", "mtu-size"));
	assert_non_null(strstr(t_note(r, "R12", "mtu-size")->what, "1500"));
	assert_non_null(t_note(r, "R13", "mtu-size"));
	for (size_t i = 0; i < 4; i++) {
		static const char *const n1480[] = { "RCX", "RDX", "R14", "R15" };
		const struct kt_reg_note *n = t_note(r, n1480[i], "mtu-size");

		assert_non_null(n);
		assert_non_null(strstr(n->what, "1480"));
	}
	assert_null(t_note(r, "R11", "mtu-size"));
	kt_report_free(r);
}

/* Empty options: no symbolization. Decoding twice replaces, not appends. */
static void
test_seed_rerun(void **state)
{
	struct kt_report *r = t_seed_report();
	struct kt_decode_opts o = { 0 };
	size_t n_insns, n_notes, n_taint, n_err;

	(void)state;
	assert_int_equal(kt_decode_run(NULL, r, &o), 0);
	for (size_t i = 0; i < r->n_frames; i++)
		assert_null(r->frames[i].file);
	n_insns = r->n_insns;
	n_notes = r->n_reg_notes;
	n_taint = r->kernel.taint.n;
	n_err = r->fault.error_bits.n;
	assert_int_equal(kt_decode_run(NULL, r, NULL), 0);
	assert_int_equal(r->n_insns, n_insns);
	assert_int_equal(r->n_reg_notes, n_notes);
	assert_int_equal(r->kernel.taint.n, n_taint);
	assert_int_equal(r->fault.error_bits.n, n_err);
	assert_int_equal(r->context, KT_CONTEXT_SOFTIRQ);
	assert_non_null(t_faulting(r));
	kt_report_free(r);
}

/* A report with nothing in it decodes to nothing, without complaint. */
static void
test_empty_report(void **state)
{
	struct kt_report *r = kt_report_new();

	(void)state;
	assert_int_equal(kt_decode_run(NULL, r, NULL), 0);
	assert_int_equal(r->n_insns, 0);
	assert_int_equal(r->n_reg_notes, 0);
	assert_int_equal(r->kernel.taint.n, 0);
	assert_int_equal(r->context, KT_CONTEXT_UNKNOWN);
	assert_null(r->context_why);
	kt_report_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_stage),
		cmocka_unit_test(test_seed_rerun),
		cmocka_unit_test(test_empty_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
