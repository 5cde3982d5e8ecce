/*
 * parse/fields: x86 (x86_64 and i386) lines: the instruction pointer in all
 * its generations (IP:, RIP:, exec summary, EIP:), the #PF decode lines and
 * the page-table walk. Register dumps go through the generic pair reader.
 * Reference: linux arch/x86/kernel/dumpstack.c (__show_regs, show_opcodes),
 * arch/x86/mm/fault.c (show_fault_oops, dump_pagetable).
 */
#include "parse/fields.h"

#include <string.h>

/* The text after "RIP:", "IP:" or "EIP:":
 *   "e030:[<ffffffff812d9656>]  [<ffffffff812d9656>] memcpy+0x6/0x110"  (<= 4.9)
 *   "0010:memcpy_erms+0x6/0x10" (>= 4.10), "0033:0x7f5d2bc8d7f7" (user)
 *   "[<ffffffff812d9656>] memcpy+0x6/0x110", "kfree+0xb2/0x250"
 * Returns the rest of the line after what it read. */
static struct kt_str
ip_text(struct kt_fx *fx, struct kt_str s)
{
	struct kt_str seg = { 0 }, t;
	struct kt_fx_sym sym;
	uint64_t addr = 0, v;
	bool have_sym = false, have_addr = false;
	size_t n;

	kt_fx_ws(&s);
	t = s;
	n = kt_fx_hex(&t, &v);
	if (n >= 2 && n <= 4 && kt_fx_eat(&t, ":")) {
		seg = kt_str_make(s.p, n);
		s = t;
	}
	kt_fx_ws(&s);
	if (kt_fx_bracket_addr(&s, &addr)) {
		have_addr = true;
		kt_fx_ws(&s);
		t = s;
		if (kt_fx_bracket_addr(&t, &v))	/* the old form prints it twice */
			s = t;
		kt_fx_ws(&s);
	}
	t = s;
	if (kt_str_starts_with(s, "0x") && kt_fx_hex(&t, &v)) {
		if (!have_addr)
			addr = v;
		have_addr = true;
		s = t;
	} else if (kt_fx_sym(&s, have_addr, &sym)) {
		/* after "[<addr>]" only a real symbol: not "EFLAGS: ..." */
		have_sym = true;
	}
	if (have_sym || have_addr)
		kt_fx_set_ip(fx, addr, have_sym ? &sym : NULL, seg);
	return s;
}

/* "#PF: supervisor read access in kernel mode"
 * "#PF: error_code(0x0000) - not-present page"        (>= 5.1)
 * "#PF error: [normal kernel read fault]", "#PF error: [PROT] [WRITE]" (4.20-5.0) */
static bool
pf_line(struct kt_fx *fx)
{
	struct kt_fault *f = &fx->r->fault;
	struct kt_str s = fx->line;
	uint64_t code;
	long at;

	if (kt_fx_eat(&s, "#PF: error_code(")) {
		fx->pf_lines = true;
		f->present = true;
		if (kt_fx_hex(&s, &code)) {
			f->has_error_code = true;
			f->error_code = code;
		}
		at = kt_fx_find(s, " - ");
		if (at >= 0 && !f->reason)
			f->reason = kt_fx_strdup(fx, kt_str_trim(kt_str_skip(s, (size_t)at + 3)));
		return true;
	}
	if (kt_fx_eat(&s, "#PF: ")) {
		fx->pf_lines = true;
		f->present = true;
		if (!f->access)
			f->access = kt_fx_find(s, "instruction fetch") >= 0 ? "exec"
				    : kt_fx_find(s, "write") >= 0	    ? "write"
				    : kt_fx_find(s, "read") >= 0	    ? "read"
									    : "unknown";
		if (!f->mode)
			f->mode = kt_fx_find(s, "in user mode") >= 0 ? "user" : "kernel";
		return true;
	}
	if (kt_fx_eat(&s, "#PF error: ")) {
		bool normal = kt_fx_find(s, "[normal") >= 0;

		fx->pf_lines = true;
		f->present = true;
		if (!f->access)
			f->access = kt_fx_find(s, "[INSTR]") >= 0	   ? "exec"
				    : kt_fx_find(s, "WRITE]") >= 0	   ? "write"
				    : kt_fx_find(s, "write") >= 0	   ? "write"
									   : "read";
		if (!f->mode)
			f->mode = kt_fx_find(s, "[USER]") >= 0 || kt_fx_find(s, " user ") >= 0
					  ? "user" : "kernel";
		if (!f->reason)
			f->reason = kt_fx_find(s, "[RSVD]") >= 0 ? "reserved bit violation"
				    : !normal && kt_fx_find(s, "[PROT]") >= 0
					    ? "protection violation"
					    : "not-present page";
		return true;
	}
	return false;
}

/* "PGD 1a0d067 PUD 187fc2067 PMD 187e3f067 PTE 20", i386 "*pde = 00000000 ",
 * "*pdpt = 0000000033a4e001 *pde = 0000000000000000 " */
static bool
page_table_line(struct kt_fx *fx)
{
	struct kt_str s = fx->line, t = s;
	uint64_t v;

	if (kt_fx_eat(&t, "PGD ")) {
		if (!kt_fx_hex(&t, &v) && !kt_str_starts_with(t, "BAD"))
			return false;
	} else if (!kt_str_starts_with(s, "*pde = ") && !kt_str_starts_with(s, "*pdpt = ")) {
		return false;
	}
	fx->r->fault.present = true;
	if (!fx->r->fault.page_table)
		fx->r->fault.page_table = kt_fx_strdup(fx, s);
	return true;
}

bool
kt_fx_x86_line(struct kt_fx *fx)
{
	struct kt_str s = fx->line, rest;

	if (pf_line(fx) || page_table_line(fx))
		return true;
	/* "RIP: e030:[<ffffffff812d9656>]  [<...>] memcpy+0x6/0x110",
	 * "IP: [<ffffffff812d9656>] memcpy+0x6/0x110", "EIP: 0060:[<c0562cf4>] EFLAGS: ..." */
	if (kt_fx_eat(&s, "RIP:") || kt_fx_eat(&s, "IP:") || kt_fx_eat(&s, "EIP:")) {
		rest = ip_text(fx, s);
		kt_fx_ws(&rest);
		/* i386 <= 4.9 "EFLAGS: 00010246 CPU: 0", 4.10-4.16 "RSP: ffff..." */
		if (rest.len && !fx->in_trace) {
			long at = kt_fx_find(rest, "CPU: ");
			uint64_t cpu;

			(void)kt_fx_reg_line(&fx->regs, fx->arch, rest);
			if (at >= 0 && fx->r->cpu == KT_NONE) {
				struct kt_str t = kt_str_skip(rest, (size_t)at + 5);

				if (kt_fx_dec(&t, &cpu) && cpu < 100000)
					fx->r->cpu = (int)cpu;
			}
		}
		return true;
	}
	/* executive summary <= 4.9: "RIP  [<ffffffff812d9656>] memcpy+0x6/0x110",
	 * i386 "EIP: [<c04e2f4d>] func+0x1d/0x50 SS:ESP 0068:c0b4df3c" */
	if (kt_str_starts_with(s, "RIP  [<") || kt_str_starts_with(s, "RIP [<")) {
		s = kt_str_skip(s, 3);
		if (!fx->r->ip.present)
			(void)ip_text(fx, s);
		return true;
	}
	/* "EIP is at minstrel_ht_update_stats.clone.5+0x1fe/0x430 [mac80211]" */
	if (kt_fx_eat(&s, "EIP is at ")) {
		struct kt_fx_sym sym;

		if (kt_fx_sym(&s, false, &sym))
			kt_fx_set_ip(fx, 0, &sym, kt_str_make(NULL, 0));
		return true;
	}
	return false;
}
