/*
 * parse/fields: the register dumps of loongarch64, sparc64 and parisc,
 * which name the faulting pc in a line of their own:
 *   loongarch " ERA: 9000000000e1a2b4 foo_read+0x54/0x80 [foo]" and GPR
 *             rows "pc 9000000000e1a2b4 ra 9000000000e1a290 tp ... sp ..."
 *             (linux arch/loongarch/kernel/traps.c __show_regs)
 *   sparc64   "TSTATE: ... TPC: 000000001040a2c4 TNPC: ..." then
 *             "TPC: <baz_show+0x24/0x60 [baz]>" (linux
 *             arch/sparc/kernel/process_64.c show_regs)
 *   parisc    "r00-03  000000ff0804ff0f ..." rows, "IASQ: s s IAOQ: a b"
 *             then " IAOQ[0]: qux_show+0x38/0x90 [qux]" (linux
 *             arch/parisc/kernel/traps.c show_regs)
 * "NAME: value" lines of these dumps go through the generic pair reader.
 */
#include "parse/fields.h"

#include <stdio.h>
#include <string.h>

static bool
reg_value(const struct kt_fx *fx, const char *name, uint64_t *ret)
{
	for (size_t i = 0; i < *fx->regs.n; i++)
		if (strcmp((*fx->regs.v)[i].name, name) == 0) {
			*ret = (*fx->regs.v)[i].value;
			return true;
		}
	return false;
}

/* "NAME: <sym>" (sparc64) or "NAME: sym" (parisc): the pc as a symbol,
 * its address from the register dump line before it. */
static bool
symbol_pc(struct kt_fx *fx, const char *lit, const char *addr_reg)
{
	struct kt_str s = fx->line;
	struct kt_fx_sym sym;
	uint64_t addr = 0;

	if (!kt_fx_eat(&s, lit))
		return false;
	kt_fx_ws(&s);
	(void)kt_fx_eat(&s, "<");
	(void)reg_value(fx, addr_reg, &addr);
	if (kt_fx_sym(&s, true, &sym))
		kt_fx_set_ip(fx, addr, &sym, kt_str_make(NULL, 0));
	return true;
}

/* loongarch "pc 9000000000e1a2b4 ra 9000000000e1a290 tp ... sp ...":
 * four "NAME HEX" pairs of known register names */
static bool
loongarch_gpr_row(struct kt_fx *fx)
{
	struct kt_str s = fx->line;
	char canon[24];
	size_t n = 0;

	while (s.len) {
		struct kt_str name = kt_fx_token(&s), t;
		uint64_t v;

		kt_fx_ws(&s);
		t = kt_fx_token(&s);
		if (!name.len || !kt_fx_reg_canon(KT_ARCH_LOONGARCH64, name, canon, sizeof(canon)) ||
		    kt_fx_hex(&t, &v) < 8 || t.len)
			return false;
		if (n == 0 && strcmp(canon, "pc") == 0 && !fx->r->ip.present)
			kt_fx_set_ip(fx, v, NULL, kt_str_make(NULL, 0));
		(void)kt_fx_reg_add(&fx->regs, canon, v);
		n++;
		kt_fx_ws(&s);
	}
	return n > 0;
}

static bool
loongarch_line(struct kt_fx *fx)
{
	struct kt_str s = fx->line;
	struct kt_fx_sym sym;
	uint64_t v;

	/* "ERA: 9000000000e1a2b4 foo_read+0x54/0x80 [foo]" */
	if (kt_fx_eat(&s, "ERA: ")) {
		kt_fx_ws(&s);
		if (kt_fx_hex(&s, &v) < 8)
			return false;
		(void)kt_fx_reg_add(&fx->regs, "ERA", v);
		kt_fx_ws(&s);
		if (kt_fx_sym(&s, true, &sym))
			kt_fx_set_ip(fx, v, &sym, kt_str_make(NULL, 0));
		else
			kt_fx_set_ip(fx, v, NULL, kt_str_make(NULL, 0));
		return true;
	}
	/* "ra: 9000000000e1a290 foo_read+0x30/0x80 [foo]" */
	if (kt_fx_eat(&s, "ra: ")) {
		if (kt_fx_hex(&s, &v) >= 8)
			(void)kt_fx_reg_add(&fx->regs, "ra", v);
		return true;
	}
	/* "BADV: 0000000000000010" (<= 6.x), "BadVA : ..." (later) */
	if (kt_fx_eat(&s, "BADV: ") || kt_fx_eat(&s, "BadVA : ")) {
		if (kt_fx_hex(&s, &v) >= 8) {
			(void)kt_fx_reg_add(&fx->regs, "BADV", v);
			kt_fx_set_fault_address(fx, v);
		}
		return true;
	}
	return loongarch_gpr_row(fx);
}

/* parisc "r00-03  000000ff0804ff0f 0000000040c3b4a0 ...": r0..r31 */
static bool
parisc_gpr_row(struct kt_fx *fx)
{
	struct kt_str s = fx->line;
	uint64_t first, last, v;
	char name[8];

	if (!kt_fx_eat(&s, "r") || kt_fx_dec(&s, &first) != 2 || !kt_fx_eat(&s, "-") ||
	    kt_fx_dec(&s, &last) != 2 || first > 31 || last > 31 || last < first)
		return false;
	for (uint64_t i = first; i <= last; i++) {
		kt_fx_ws(&s);
		if (kt_fx_hex(&s, &v) < 8 || (s.len && !kt_is_space(s.p[0])))
			break;
		(void)snprintf(name, sizeof(name), "r%u", (unsigned)i);
		(void)kt_fx_reg_add(&fx->regs, name, v);
	}
	return true;
}

static bool
parisc_line(struct kt_fx *fx)
{
	struct kt_str s = fx->line;
	uint64_t v;

	/* "IASQ: 0000000000000000 0000000000000000 IAOQ: 000000004025e7d8 000000004025e7dc" */
	if (kt_fx_eat(&s, "IASQ: ")) {
		long at = kt_fx_find(s, "IAOQ: ");

		if (at >= 0) {
			s = kt_str_skip(s, (size_t)at + 6);
			if (kt_fx_hex(&s, &v) >= 8)
				(void)kt_fx_reg_add(&fx->regs, "IAOQ", v);
		}
		return true;
	}
	if (symbol_pc(fx, "IAOQ[0]:", "IAOQ"))
		return true;
	if (kt_str_starts_with(s, "IAOQ[1]:") || kt_str_starts_with(s, "RP(r2):"))
		return true;
	return parisc_gpr_row(fx);
}

static bool
sparc64_line(struct kt_fx *fx)
{
	struct kt_str s = fx->line;

	if (symbol_pc(fx, "TPC: <", "TPC"))
		return true;
	/* the return address and the caller of the register window */
	return kt_str_starts_with(s, "RPC: <") || kt_str_starts_with(s, "I7: <");
}

bool
kt_fx_more_line(struct kt_fx *fx)
{
	switch (fx->arch) {
	case KT_ARCH_LOONGARCH64:
		return loongarch_line(fx);
	case KT_ARCH_SPARC64:
		return sparc64_line(fx);
	case KT_ARCH_PARISC:
		return parisc_line(fx);
	default:
		return false;
	}
}
