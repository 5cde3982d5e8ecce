/*
 * parse/fields: powerpc lines: "NIP [c000000008068dfc] f+0x27c/0x390",
 * "GPR00: v v v v" rows, and the "Instruction dump:" words (big-endian as
 * printed, the faulting word in <..>). "NIP: ... LR: ... CTR: ..." and
 * "MSR: ..." are ordinary register lines. Reference: oops-format.md §3.4.
 */
#include "parse/fields.h"

#include <stdio.h>

#include <ktriage/limits.h>

/* "GPR00: c000000008068df8 c000000010f930b0 c0000000091380e0 0000000000000015" */
static bool
gpr_line(struct kt_fx *fx)
{
	struct kt_str s = fx->line;
	uint64_t base, v;

	if (!kt_fx_eat(&s, "GPR") || kt_fx_dec(&s, &base) != 2 || !kt_fx_eat(&s, ":"))
		return false;
	for (uint64_t i = base; i < 32; i++) {
		char name[8];

		kt_fx_ws(&s);
		if (!kt_fx_hex(&s, &v))
			break;
		(void)snprintf(name, sizeof(name), "GPR%02u", (unsigned)i);
		(void)kt_fx_reg_add(&fx->regs, name, v);
	}
	return true;
}

bool
kt_fx_ppc_line(struct kt_fx *fx)
{
	struct kt_str s = fx->line;
	struct kt_fx_sym sym;
	uint64_t addr;

	if (fx->ppc_code) {
		uint64_t v;
		struct kt_str t = s;

		(void)kt_fx_eat(&t, "<");
		if (kt_fx_hex(&t, &v) == 8) {
			kt_fx_add_code_words(fx, s);
			if (fx->r->code.n >= KT_MAX_CODE_BYTES)
				fx->ppc_code = false;	/* bounded */
			return true;
		}
		fx->ppc_code = false;
	}
	/* "Instruction dump:" then rows of 8 words */
	if (kt_str_eq_cstr(s, "Instruction dump:")) {
		fx->ppc_code = !fx->r->code.raw;
		if (fx->ppc_code) {
			fx->r->code.fault_offset = KT_NONE;
			fx->r->code.n = 0;
		}
		return true;
	}
	/* "NIP [c000000008068dfc] .eeh_dev_check_failure+0x27c/0x390" */
	if (kt_fx_eat(&s, "NIP [")) {
		if (kt_fx_hex(&s, &addr) && kt_fx_eat(&s, "]")) {
			kt_fx_ws(&s);
			if (kt_fx_sym(&s, false, &sym))
				kt_fx_set_ip(fx, addr, &sym, kt_str_make(NULL, 0));
			else
				kt_fx_set_ip(fx, addr, NULL, kt_str_make(NULL, 0));
		}
		return true;
	}
	/* xmon: "pc: c0000000001ad6f0: .follow_page_mask+0x90/0x650" (linux
	 * arch/powerpc/xmon/xmon.c prregs / excprint) */
	if (kt_fx_eat(&s, "pc: ")) {
		if (kt_fx_hex(&s, &addr) >= 8 && kt_fx_eat(&s, ":")) {
			kt_fx_ws(&s);
			if (kt_fx_sym(&s, false, &sym))
				kt_fx_set_ip(fx, addr, &sym, kt_str_make(NULL, 0));
			return true;
		}
		s = fx->line;
	}
	if (kt_fx_eat(&s, "LR [") || kt_str_starts_with(s, "PACATMSCRATCH ["))
		return true;
	return gpr_line(fx);
}
