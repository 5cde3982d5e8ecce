/*
 * parse/fields: MIPS lines of show_registers()/__show_regs():
 *   "epc   : 804010f0 lkdtm_do_action+0x68/0x3f8"   the faulting pc
 *   "ra    : 804018b8 direct_entry+0x110/0x154"     return address
 *   "$ 0   : 00000000 804018b8 804010f0 7785b507"   general registers, 4 a row
 *   "Status: 3100dc03 KERNEL EXL IE", "Cause : 10800024", "BadVA : 0000000c"
 * Source: linux arch/mips/kernel/traps.c __show_regs(), show_registers().
 */
#include "parse/fields.h"

#include <stdio.h>

/* "NAME<pad>: hexvalue[ rest]": the padded name and the value. */
static bool
padded_pair(struct kt_str *s, const char *name, uint64_t *ret)
{
	struct kt_str t = *s;

	if (!kt_fx_eat(&t, name))
		return false;
	kt_fx_ws(&t);
	if (!kt_fx_eat(&t, ":"))
		return false;
	kt_fx_ws(&t);
	if (kt_fx_hex(&t, ret) < 8 || (t.len && !kt_is_space(t.p[0])))
		return false;
	kt_fx_ws(&t);
	*s = t;
	return true;
}

/* "$ 8   : 80830000 20746365 72746e65 55422079" -> r8..r11 */
static bool
gpr_row(struct kt_fx *fx, struct kt_str s)
{
	uint64_t first, v;
	char name[8];

	if (!kt_fx_eat(&s, "$"))
		return false;
	kt_fx_ws(&s);
	if (!kt_fx_dec(&s, &first) || first > 31)
		return false;
	kt_fx_ws(&s);
	if (!kt_fx_eat(&s, ":"))
		return false;
	for (uint64_t i = first; i < 32 && i < first + 4; i++) {
		size_t n;

		kt_fx_ws(&s);
		n = kt_fx_hex(&s, &v);
		if (n < 8 || (s.len && !kt_is_space(s.p[0])))
			break;
		(void)snprintf(name, sizeof(name), "$%u", (unsigned)i);
		(void)kt_fx_reg_add(&fx->regs, name, v);
	}
	return true;
}

bool
kt_fx_mips_line(struct kt_fx *fx)
{
	static const char *const named[] = { "ra", "Status", "Cause", "BadVA", "PrId", "Hi", "Lo" };
	struct kt_str s = fx->line;
	struct kt_fx_sym sym;
	uint64_t v;

	if (fx->arch != KT_ARCH_MIPS)
		return false;
	if (padded_pair(&s, "epc", &v)) {
		(void)kt_fx_reg_add(&fx->regs, "epc", v);
		if (kt_fx_sym(&s, false, &sym))
			kt_fx_set_ip(fx, v, &sym, kt_str_make(NULL, 0));
		else
			kt_fx_set_ip(fx, v, NULL, kt_str_make(NULL, 0));
		return true;
	}
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		s = fx->line;
		if (padded_pair(&s, named[i], &v)) {
			(void)kt_fx_reg_add(&fx->regs, named[i], v);
			return true;
		}
	}
	return gpr_row(fx, fx->line);
}
