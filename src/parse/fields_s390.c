/*
 * parse/fields: s390 lines: "Krnl PSW : mask addr (f+0x3a/0x1000 [mod])",
 * "Krnl GPRS:" with its three continuation rows (r0-r15), and "Failing
 * address:". The "Krnl Code:" disassembly is left in the text (no bytes).
 * Reference: oops-format.md §3.5.
 */
#include "parse/fields.h"

#include <stdio.h>

/* Up to four hex words of a GPRS row; returns how many were stored. */
static int
gprs_row(struct kt_fx *fx, struct kt_str s, int first)
{
	int i = first;
	uint64_t v;

	for (; i < 16 && i < first + 4; i++) {
		char name[8];
		size_t n;

		kt_fx_ws(&s);
		n = kt_fx_hex(&s, &v);
		if (n < 8 || (s.len && !kt_is_space(s.p[0])))
			break;
		(void)snprintf(name, sizeof(name), "r%d", i);
		(void)kt_fx_reg_add(&fx->regs, name, v);
	}
	return i - first;
}

bool
kt_fx_s390_line(struct kt_fx *fx)
{
	struct kt_str s = fx->line;
	struct kt_fx_sym sym;
	uint64_t mask, addr;

	if (fx->s390_gpr_next > 0 && fx->s390_gpr_next < 16) {
		int n = gprs_row(fx, s, fx->s390_gpr_next);

		if (n == 4) {
			fx->s390_gpr_next += 4;
			return true;
		}
		fx->s390_gpr_next = -1;
	}
	/* "Krnl GPRS: 0000000000010000 070000000020db8e 0000000000000030 00000000000000d7" */
	if (kt_fx_eat(&s, "Krnl GPRS:")) {
		fx->s390_gpr_next = gprs_row(fx, s, 0) == 4 ? 4 : -1;
		return true;
	}
	/* "Krnl PSW : 0704f00180000000 000003ff8086d03a (f+0x3a/0x1000 [mod])" */
	if (kt_fx_eat(&s, "Krnl PSW")) {
		kt_fx_ws(&s);
		if (!kt_fx_eat(&s, ":"))
			return true;
		kt_fx_ws(&s);
		if (!kt_fx_hex(&s, &mask))
			return true;
		kt_fx_ws(&s);
		if (!kt_fx_hex(&s, &addr))
			return true;
		(void)kt_fx_reg_add(&fx->regs, "psw.mask", mask);
		(void)kt_fx_reg_add(&fx->regs, "psw.addr", addr);
		kt_fx_ws(&s);
		if (kt_fx_eat(&s, "(") && kt_fx_sym(&s, false, &sym))
			kt_fx_set_ip(fx, addr, &sym, kt_str_make(NULL, 0));
		else
			kt_fx_set_ip(fx, addr, NULL, kt_str_make(NULL, 0));
		return true;
	}
	/* "Failing address: 000003ff8015b000 TEID: 000003ff8015b407" */
	if (kt_fx_eat(&s, "Failing address: ")) {
		if (kt_fx_hex(&s, &addr))
			kt_fx_set_fault_address(fx, addr);
		return true;
	}
	if (kt_str_starts_with(s, "Krnl Code:"))
		return true;
	return false;
}
