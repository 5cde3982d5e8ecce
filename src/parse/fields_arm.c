/*
 * parse/fields: arm64, 32-bit arm and riscv lines: the pc in its forms
 * ("pc : f+0x24/0xa0", "PC is at f+0x184/0x2b0", "pc : [<c0333330>] lr :
 * [<c0333200>] psr: 80070113", riscv "epc : f+0x1a/0x2e"), the arm64
 * "Mem abort info:" block and the page-table lines. Register dumps go
 * through the generic pair reader. Reference: oops-format.md §3.1, §3.2.
 */
#include "parse/fields.h"

#include <string.h>

/* "pc : [<c0333330>]    lr : [<c0333200>]    psr: 80070113" (arm, old arm64) */
static bool
bracketed_pc_line(struct kt_fx *fx, struct kt_str s)
{
	static const char *const names[] = { "pc", "lr" };
	char canon[24];
	size_t seen = 0;

	for (size_t i = 0; i < 2; i++) {
		uint64_t v;

		kt_fx_ws(&s);
		if (!kt_fx_eat(&s, names[i]))
			break;
		kt_fx_ws(&s);
		if (!kt_fx_eat(&s, ":"))
			break;
		kt_fx_ws(&s);
		if (!kt_fx_eat(&s, "[<") || !kt_fx_hex(&s, &v) || !kt_fx_eat(&s, ">]"))
			break;
		if (kt_fx_reg_canon(fx->arch, kt_str_cstr(names[i]), canon, sizeof(canon)))
			(void)kt_fx_reg_add(&fx->regs, canon, v);
		if (i == 0)
			kt_fx_set_ip(fx, v, NULL, kt_str_make(NULL, 0));
		seen++;
	}
	if (seen == 0)
		return false;
	kt_fx_ws(&s);
	if (s.len)
		(void)kt_fx_reg_line(&fx->regs, fx->arch, s);	/* "psr: ..." */
	return true;
}

/* "pc : may_access_direct_pkt_data+0x24/0xa0" (arm64 >= 4.x),
 * "epc : sbi_remote_fence_i+0x1a/0x2e" (riscv); a hex value instead of a
 * symbol makes it an ordinary register line. */
static bool
symbolic_pc_line(struct kt_fx *fx, struct kt_str s)
{
	struct kt_str t;
	struct kt_fx_sym sym;
	uint64_t v;
	size_t n;

	kt_fx_ws(&s);
	t = s;
	n = kt_fx_hex(&t, &v);
	if (n >= 8 && (t.len == 0 || kt_is_space(t.p[0]) || t.p[0] == ':'))
		return false;	/* "epc : ffffffe000204a60 ra : ...", ppc xmon "pc: c0...: f" */
	if (kt_str_starts_with(s, "0x") && kt_fx_hex(&s, &v)) {
		kt_fx_set_ip(fx, v, NULL, kt_str_make(NULL, 0));
		return true;
	}
	if (!kt_fx_sym(&s, false, &sym))
		return false;
	kt_fx_set_ip(fx, 0, &sym, kt_str_make(NULL, 0));
	return true;
}

/* arm64 "Mem abort info:" block (>= 4.15):
 *   "ESR = 0x0000000096000004", "EC = 0x25: DABT (current EL), IL = 32 bits",
 *   "FSC = 0x04: level 0 translation fault", "WnR = 0" (inside "CM = 0, WnR = 0") */
static bool
abort_info_line(struct kt_fx *fx)
{
	struct kt_fault *f = &fx->r->fault;
	struct kt_str s = fx->line, t;
	uint64_t v;
	long at;

	if (kt_fx_eat(&s, "ESR = ")) {
		if (kt_fx_hex(&s, &v) && !f->has_error_code) {
			f->has_error_code = true;
			f->error_code = v;
		}
		f->present = true;
		return true;
	}
	if (kt_fx_eat(&s, "EC = ") || kt_fx_eat(&s, "Exception class = ")) {
		if (!f->mode && kt_fx_find(s, "current EL") >= 0)
			f->mode = "kernel";
		else if (!f->mode && kt_fx_find(s, "lower EL") >= 0)
			f->mode = "user";
		if (kt_fx_find(s, "IABT") >= 0)
			f->access = "exec";
		return true;
	}
	if (kt_fx_eat(&s, "FSC = ")) {
		at = kt_fx_find(s, ": ");
		if (at >= 0 && !f->reason)
			f->reason = kt_fx_strdup(fx, kt_str_trim(kt_str_skip(s, (size_t)at + 2)));
		return true;
	}
	at = kt_fx_find(s, "WnR = ");
	if (at >= 0 && (kt_str_starts_with(s, "CM = ") || at == 0)) {
		t = kt_str_skip(s, (size_t)at + 6);
		if (!f->access && kt_fx_hex(&t, &v))
			f->access = v ? "write" : "read";
		return true;
	}
	return false;
}

/* "[0000000000000004] pgd=0000000000000000, p4d=0000000000000000" (arm64),
 * "[00000009] *pgd=00000000" (arm) */
static bool
page_table_line(struct kt_fx *fx)
{
	struct kt_str s = fx->line;
	uint64_t v;

	if (!kt_fx_eat(&s, "[") || !kt_fx_hex(&s, &v) || !kt_fx_eat(&s, "]"))
		return false;
	kt_fx_ws(&s);
	if (!kt_str_starts_with(s, "pgd=") && !kt_str_starts_with(s, "*pgd="))
		return false;
	fx->r->fault.present = true;
	if (!fx->r->fault.page_table)
		fx->r->fault.page_table = kt_fx_strdup(fx, fx->line);
	return true;
}

/* "SError Interrupt on CPU2, code 0x00000000bf000002 -- SError": the ESR
 * of an asynchronous external abort (linux arch/arm64/kernel/traps.c
 * arm64_serror_panic) */
static bool
serror_line(struct kt_fx *fx)
{
	struct kt_fault *f = &fx->r->fault;
	struct kt_str s = fx->line;
	long at;
	uint64_t v;

	if (!kt_str_starts_with(s, "SError Interrupt on CPU") || (at = kt_fx_find(s, ", code 0x")) < 0)
		return false;
	s = kt_str_skip(s, (size_t)at + 9);
	if (kt_fx_hex(&s, &v) && !f->has_error_code) {
		f->present = true;
		f->has_error_code = true;
		f->error_code = v;
	}
	return true;
}

bool
kt_fx_arm_line(struct kt_fx *fx)
{
	struct kt_str s = fx->line, t;
	struct kt_fx_sym sym;

	if (s.len && s.p[0] == 'S' && serror_line(fx))
		return true;

	/* "PC is at shmem_getpage_gfp+0x584/0x72c" (arm, arm64 <= 4.x) */
	if (kt_fx_eat(&s, "PC is at ")) {
		if (kt_fx_sym(&s, false, &sym))
			kt_fx_set_ip(fx, 0, &sym, kt_str_make(NULL, 0));
		return true;
	}
	if (kt_str_starts_with(s, "LR is at "))
		return true;
	t = s;
	if (kt_fx_eat(&t, "pc") || kt_fx_eat(&t, "epc")) {
		struct kt_str u = t;

		kt_fx_ws(&u);
		if (kt_fx_eat(&u, ":")) {
			struct kt_str w = u;

			kt_fx_ws(&w);
			if (kt_str_starts_with(w, "[<"))
				return bracketed_pc_line(fx, s);
			if (symbolic_pc_line(fx, u))
				return true;
		}
	}
	/* "lr : add_subprog_and_kfunc+0x634/0x8e8", riscv " ra : f+0x2a/0x3a" */
	t = s;
	if (kt_fx_eat(&t, "lr : ") || kt_fx_eat(&t, "ra : ")) {
		uint64_t v;
		size_t n = kt_fx_hex(&t, &v);

		if (!(n >= 8 && (t.len == 0 || kt_is_space(t.p[0]))))
			return true;	/* symbolic: the value is not printed */
	}
	return abort_info_line(fx) || page_table_line(fx);
}
