/*
 * decode: register insights. Which registers hold the fault address, a
 * NULL-plus-offset or ERR_PTR pointer, a poison value, a non-canonical or
 * user address, or a packet size. Values come from the report; what the
 * values mean comes from data/decode/poison.tsv and mtu-sizes.tsv. Notes
 * on small numbers are limited to registers the faulting instruction used
 * (or the fault address itself), since small numbers are everywhere.
 */
#include "decode/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/arena.h"

/* Registers that are not general-purpose (flags, control, segment, debug, pc). */
static bool
is_gpr(const char *name)
{
	static const char *const prefixes[] = {
		"CR", "DR", "EFLAGS", "RFLAGS", "RIP", "EIP", "ORIG", "PSTATE", "MSR", "XER",
		"CTR", "TRAP", "CFAR", "IRQMASK", "SOFTE", "PSW", "PKRU", "DAR", "DSISR", "FAR",
		"ESR", "PSR", "CPSR", "TEID", "KNLGS", "FS", "GS", "NIP",
	};
	static const char *const exact[] = { "CS", "DS", "ES", "SS", "PC" };

	char first;

	if (!name || !name[0])
		return false;
	first = (char)(name[0] & ~0x20);	/* ASCII upper case: checked before each compare */
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (exact[i][0] == first && strcasecmp(name, exact[i]) == 0)
			return false;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (prefixes[i][0] == first &&
		    strncasecmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return false;
	return true;
}

/* "R08" -> "R8"; other names unchanged. */
static void
unpad(const char *name, char *out, size_t len)
{
	if ((name[0] == 'R' || name[0] == 'r') && name[1] == '0' && name[2] >= '0' &&
	    name[2] <= '9' && name[3] == '\0')
		(void)snprintf(out, len, "%c%c", name[0], name[2]);
	else
		(void)snprintf(out, len, "%s", name);
}

bool
kt_reg_same(const char *a, const char *b)
{
	char x[32], y[32];

	unpad(a, x, sizeof(x));
	unpad(b, y, sizeof(y));
	return strcasecmp(x, y) == 0;
}

bool
kt_decode_reg(const struct kt_report *r, const char *name, uint64_t *ret)
{
	char gpr[16];

	for (size_t i = 0; i < r->n_regs; i++) {
		if (r->regs[i].name && kt_reg_same(r->regs[i].name, name)) {
			*ret = r->regs[i].value;
			return true;
		}
	}
	/* powerpc: Capstone says "r31", the oops says "GPR31" */
	if (r->arch == KT_ARCH_PPC64 && name[0] == 'r' && name[1] >= '0' && name[1] <= '9' &&
	    strlen(name) <= 3) {
		(void)snprintf(gpr, sizeof(gpr), "GPR%02d", atoi(name + 1));
		for (size_t i = 0; i < r->n_regs; i++)
			if (r->regs[i].name && strcasecmp(r->regs[i].name, gpr) == 0) {
				*ret = r->regs[i].value;
				return true;
			}
	}
	return false;
}

bool
kt_fault_address(const struct kt_report *r, uint64_t *ret)
{
	if (r->fault.has_address) {
		*ret = r->fault.address;
		return true;
	}
	if ((r->kind == KT_KIND_PAGING_REQUEST || r->kind == KT_KIND_NULL_DEREF) &&
	    kt_report_reg(r, "CR2", ret))
		return true;
	return false;
}

const char *
kt_fault_name(enum kt_arch a)
{
	switch (a) {
	case KT_ARCH_ARM64:
	case KT_ARCH_ARM:
		return "FAR";
	case KT_ARCH_PPC64:
		return "DAR";
	case KT_ARCH_S390X:
		return "failing address";
	case KT_ARCH_RISCV:
		return "badaddr";
	case KT_ARCH_MIPS:
		return "BadVA";
	default:
		return "CR2";
	}
}

struct rn {
	struct kt_report *r;
	const struct kt_decode_tables *t;
	const struct kt_insn_regs *used;
	bool has_fault;
	uint64_t fault;
	const char *fault_name;
	size_t cap;
};

static void
add_note(struct rn *c, const char *reg, uint64_t v, const char *tag, const char *what)
{
	struct kt_reg_note *n = kt_arena_push(c->r->arena, (void **)&c->r->reg_notes,
					      &c->r->n_reg_notes, &c->cap, sizeof(*n));

	n->reg = reg;
	n->value = v;
	n->tag = tag;
	n->what = what;
}

static bool
is_used(const struct rn *c, const char *reg)
{
	if (!c->used)
		return false;
	for (size_t i = 0; i < c->used->n; i++)
		if (kt_reg_same(c->used->name[i], reg))
			return true;
	return false;
}

static bool
poison_note(struct rn *c, const char *reg, uint64_t v, bool focus)
{
	const struct kt_dtable *t = &c->t->poison;
	int c_v = kt_dtable_col(t, "value"), c_m = kt_dtable_col(t, "mask");
	int c_s = kt_dtable_col(t, "scope"), c_n = kt_dtable_col(t, "name");
	int c_w = kt_dtable_col(t, "meaning");

	for (size_t i = 0; i < t->n_rows; i++) {
		uint64_t val, mask;

		if (!kt_dtable_get_num(t, i, c_v, &val) ||
		    !kt_dtable_get_num(t, i, c_m, &mask) || (v & mask) != val)
			continue;
		if (strcmp(kt_dtable_get(t, i, c_s), "any") != 0 && !focus)
			return false;
		add_note(c, reg, v, "poison",
			 kt_report_printf(c->r, "%s: %s", kt_dtable_get(t, i, c_n),
					  kt_dtable_get(t, i, c_w)));
		return true;
	}
	return false;
}

static void
mtu_note(struct rn *c, const char *reg, uint64_t v)
{
	const struct kt_dtable *t = &c->t->mtu;
	int c_v = kt_dtable_col(t, "value"), c_m = kt_dtable_col(t, "meaning");

	for (size_t i = 0; i < t->n_rows; i++) {
		uint64_t val;

		if (kt_dtable_get_num(t, i, c_v, &val) && val == v) {
			add_note(c, reg, v, "mtu-size",
				 kt_report_printf(c->r, "0x%llx = %llu: %s", (unsigned long long)v,
						  (unsigned long long)v, kt_dtable_get(t, i, c_m)));
			return;
		}
	}
}

/* Address-space facts per arch: is v a user address / non-canonical? */
static bool
user_address(enum kt_arch a, uint64_t v)
{
	switch (a) {
	case KT_ARCH_X86_64:
		return v >= 4096 && v < 0x0000800000000000ull;
	case KT_ARCH_ARM64:
		v &= 0x00ffffffffffffffull;	/* TBI */
		return v >= 4096 && v < 0x0001000000000000ull;
	case KT_ARCH_RISCV:
		return v >= 4096 && v < 0x0001000000000000ull;
	case KT_ARCH_I386:
	case KT_ARCH_ARM:
		return v >= 4096 && v < 0xc0000000ull;	/* default 3G/1G split */
	default:
		return false;
	}
}

static bool
non_canonical(enum kt_arch a, uint64_t v)
{
	uint64_t top;

	if (a == KT_ARCH_X86_64) {
		top = v >> 47;	/* 4-level paging: bits 63..47 all equal */
		return top != 0 && top != 0x1ffff;
	}
	if (a == KT_ARCH_ARM64) {
		/* top byte ignored (TBI): pointer tags (KASAN sw-tags, MTE) live there */
		top = (v >> 48) & 0xff;
		return top != 0 && top != 0xff;
	}
	return false;
}

/* ERR_PTR(-errno): the top 4095 values of the address space. */
static bool
err_ptr(enum kt_arch a, uint64_t v, uint64_t *ret_errno)
{
	if (v >= (uint64_t)-4095) {
		*ret_errno = -v;
		return true;
	}
	if ((a == KT_ARCH_I386 || a == KT_ARCH_ARM) && v >= 0xfffff001ull && v <= 0xffffffffull) {
		*ret_errno = 0x100000000ull - v;
		return true;
	}
	return false;
}

static const char *
mode_of(const struct kt_report *r)
{
	return r->fault.mode ? r->fault.mode : "kernel";
}

/* Checks on a pointer-like value: the fault address itself or an operand. */
static void
pointer_notes(struct rn *c, const char *reg, uint64_t v)
{
	enum kt_arch a = c->r->arch;
	uint64_t e;

	if (poison_note(c, reg, v, true))
		return;
	if (v < 4096) {
		add_note(c, reg, v, "null-offset",
			 v == 0 ? "NULL pointer"
				: kt_report_printf(c->r, "NULL + 0x%llx: a field at offset 0x%llx of a "
							 "NULL structure pointer",
						   (unsigned long long)v, (unsigned long long)v));
	} else if (err_ptr(a, v, &e)) {
		add_note(c, reg, v, "err-ptr",
			 kt_report_printf(c->r, "ERR_PTR(-%llu): an error code used as a pointer",
					  (unsigned long long)e));
	} else if (non_canonical(a, v)) {
		add_note(c, reg, v, "non-canonical",
			 "non-canonical address (upper bits are not a sign extension): a corrupted "
			 "or uninitialised pointer");
	} else if (user_address(a, v) && strcmp(mode_of(c->r), "kernel") == 0) {
		add_note(c, reg, v, "user-address",
			 "user-space address dereferenced in kernel mode (missing copy_from_user, "
			 "or a corrupted pointer)");
	}
}

void
kt_decode_reg_notes(struct kt_report *r, const struct kt_decode_tables *t,
		    const struct kt_insn_regs *used)
{
	struct rn c = { r, t, used, false, 0,
			kt_fault_name(r->arch),
			r->n_reg_notes };
	bool gp_fault = r->kind == KT_KIND_GPF || r->kind == KT_KIND_STACK_SEGMENT;

	c.has_fault = kt_fault_address(r, &c.fault);
	if (c.has_fault)
		pointer_notes(&c, c.fault_name, c.fault);
	else if (used && used->has_addr)
		pointer_notes(&c, "EA", used->addr);	/* #GP and friends: no CR2 */
	for (size_t i = 0; i < r->n_regs; i++) {
		const char *name = r->regs[i].name;
		uint64_t v = r->regs[i].value;
		bool focus = is_used(&c, name), eq = c.has_fault && v == c.fault;

		if (!is_gpr(name))
			continue;
		if (eq)
			add_note(&c, name, v, "fault-address",
				 kt_report_printf(r, "equals the fault address (%s)", c.fault_name));
		if (focus && !eq)
			pointer_notes(&c, name, v);
		else if (!eq && !poison_note(&c, name, v, false) && gp_fault && non_canonical(r->arch, v))
			add_note(&c, name, v, "non-canonical",
				 "non-canonical address: a general protection fault is raised "
				 "when one is dereferenced");
		mtu_note(&c, name, v);
	}
}
