/*
 * decode: the Code: bytes -> instructions (Capstone), the faulting one
 * marked, and a note on which register the faulting memory access went
 * through. Like scripts/decodecode, the window usually starts mid-
 * instruction, so variable-length code is resynchronised by trying start
 * offsets until one decodes cleanly onto the marker (linux
 * arch/x86/kernel/dumpstack.c show_opcodes). Does not guess an arch beyond
 * what the register names say.
 *
 *   "Code: ... 48 89 f8 48 89 d1 <f3> a4 c3 ..."   x86: bytes, <xx> = RIP
 *   "Code: 94f84769 f94002e8 (f9400d01)"           arm64/arm: words, (..) = PC
 *   "7fa3eb78 38a00000 <e87f0b20> 4bff81e9"        ppc "Instruction dump:"
 */
#include "decode/internal.h"

#include <capstone/capstone.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <ktriage/limits.h>

#include "util/arena.h"
#include "util/lazylib.h"
#include "util/str.h"

#define MAX_WINDOW 256	/* bounds the resync search (quadratic) */

struct window {
	uint8_t b[MAX_WINDOW];
	size_t n;
	long marker;		/* byte index of the faulting unit, or -1 */
	size_t unit;		/* bytes per printed unit: 1, 2 or 4 */
};

struct arch_desc {
	cs_arch arch;
	cs_mode mode;
	size_t step;		/* instruction alignment */
};

/* ---- getting the bytes -------------------------------------------------- */

static bool
big_endian_arch(enum kt_arch a)
{
	return a == KT_ARCH_PPC64 || a == KT_ARCH_S390X;
}

/* One token: "f3", "<f3>", "(f9400d01)". Returns hex digits (0 if not hex). */
static size_t
token_hex(const char *t, size_t len, uint64_t *ret, bool *ret_marked)
{
	size_t n = 0;
	uint64_t v = 0;

	*ret_marked = false;
	if (len >= 2 && ((t[0] == '<' && t[len - 1] == '>') || (t[0] == '(' && t[len - 1] == ')'))) {
		*ret_marked = true;
		t++;
		len -= 2;
	}
	if (len == 0 || len > 16 || (len & 1))
		return 0;
	for (; n < len; n++) {
		if (!kt_is_xdigit(t[n]))
			return 0;
		v = (v << 4) | (uint64_t)(t[n] <= '9' ? t[n] - '0' : (t[n] | 0x20) - 'a' + 10);
	}
	*ret = v;
	return n;
}

static void
put_unit(struct window *w, uint64_t v, size_t unit, bool be)
{
	for (size_t i = 0; i < unit && w->n < MAX_WINDOW; i++) {
		size_t shift = be ? (unit - 1 - i) * 8 : i * 8;

		w->b[w->n++] = (uint8_t)(v >> shift);
	}
}

/* Tokenize a raw Code line. Stops at the first token that is not a unit of
 * the same width ("Bad RIP value.", "????????", trailing text). */
static bool
window_from_raw(const char *raw, enum kt_arch arch, struct window *w)
{
	const char *p = strstr(raw, "Code:"), *dump = strstr(raw, "dump:");
	bool be = big_endian_arch(arch);

	p = p ? p + 5 : dump ? dump + 5 : raw;	/* ppc: "Instruction dump:" */
	w->n = 0;
	w->marker = -1;
	w->unit = 0;
	while (*p) {
		const char *t;
		size_t len, digits;
		uint64_t v;
		bool marked;

		while (*p && isspace((unsigned char)*p))
			p++;
		t = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		len = (size_t)(p - t);
		if (len == 0)
			break;
		digits = token_hex(t, len, &v, &marked);
		if ((digits != 2 && digits != 4 && digits != 8) || (w->unit && digits / 2 != w->unit))
			break;
		w->unit = digits / 2;
		if (marked && w->marker < 0)
			w->marker = (long)w->n;
		put_unit(w, v, w->unit, be);
	}
	return w->n > 0;
}

static bool
window_from_report(const struct kt_report *r, enum kt_arch arch, struct window *w)
{
	bool x86 = arch == KT_ARCH_X86_64 || arch == KT_ARCH_I386;

	if (r->code.bytes && r->code.n > 0 && (x86 || !r->code.raw)) {
		w->n = r->code.n < MAX_WINDOW ? r->code.n : MAX_WINDOW;
		memcpy(w->b, r->code.bytes, w->n);
		w->marker = (r->code.fault_offset >= 0 && (size_t)r->code.fault_offset < w->n)
				    ? r->code.fault_offset : -1;
		w->unit = x86 ? 1 : 4;	/* no raw text: assume memory-order words */
		return true;
	}
	if (r->code.raw)
		return window_from_raw(r->code.raw, arch, w);
	return false;
}

/* ---- Capstone ------------------------------------------------------------ */

static enum kt_arch
effective_arch(const struct kt_report *r)
{
	uint64_t v;

	if (r->arch != KT_ARCH_UNKNOWN)
		return r->arch;
	if (kt_report_reg(r, "RIP", &v))
		return KT_ARCH_X86_64;
	if (kt_report_reg(r, "EIP", &v))
		return KT_ARCH_I386;
	if (kt_report_reg(r, "pstate", &v) || kt_report_reg(r, "x29", &v))
		return KT_ARCH_ARM64;
	if (kt_report_reg(r, "NIP", &v) || kt_report_reg(r, "GPR00", &v))
		return KT_ARCH_PPC64;
	return KT_ARCH_UNKNOWN;
}

static bool
arch_desc(enum kt_arch a, size_t unit, struct arch_desc *d)
{
	switch (a) {
	case KT_ARCH_X86_64:
		*d = (struct arch_desc){ CS_ARCH_X86, CS_MODE_64, 1 };
		return true;
	case KT_ARCH_I386:
		*d = (struct arch_desc){ CS_ARCH_X86, CS_MODE_32, 1 };
		return true;
	case KT_ARCH_ARM64:
		*d = (struct arch_desc){ CS_ARCH_ARM64, CS_MODE_ARM, 4 };
		return true;
	case KT_ARCH_ARM:
		/* 4-hex-digit units are Thumb halfwords (decodecode: -M force-thumb). */
		*d = unit == 2 ? (struct arch_desc){ CS_ARCH_ARM, CS_MODE_THUMB, 2 }
			       : (struct arch_desc){ CS_ARCH_ARM, CS_MODE_ARM, 4 };
		return true;
	case KT_ARCH_PPC64:
		*d = (struct arch_desc){ CS_ARCH_PPC, (cs_mode)(CS_MODE_64 | CS_MODE_BIG_ENDIAN), 4 };
		return true;
	case KT_ARCH_S390X:
		*d = (struct arch_desc){ CS_ARCH_SYSZ, CS_MODE_BIG_ENDIAN, 2 };
		return true;
	case KT_ARCH_MIPS:
		/* "Code:" prints 32-bit words (arch/mips/kernel/traps.c
		 * show_code): put in memory as little-endian words, they decode
		 * the same on either byte order; MIPS64 is a superset */
		*d = (struct arch_desc){ CS_ARCH_MIPS, (cs_mode)(CS_MODE_MIPS64 | CS_MODE_LITTLE_ENDIAN), 4 };
		return true;
	default:
		return false;
	}
}

/* Does decoding from `start` land exactly on `marker` with no invalid
 * bytes? `known` remembers, per offset, what an earlier walk found (0 not
 * visited, 1 lands, 2 does not): walks from nearby starts soon meet on a
 * common instruction boundary, so each offset is decoded at most once. */
static bool
lands_on(csh h, cs_insn *insn, const struct window *w, size_t start, size_t marker,
	 uint8_t *known)
{
	size_t path[MAX_WINDOW], n = 0;
	const uint8_t *code = w->b + start;
	size_t size = w->n - start;
	uint64_t addr = start;
	uint8_t verdict = 2;

	for (;;) {
		if (addr == marker) {
			verdict = 1;
			break;
		}
		if (addr > marker)
			break;
		if (known[addr]) {
			verdict = known[addr];
			break;
		}
		path[n++] = (size_t)addr;
		if (!cs_disasm_iter(h, &code, &size, &addr, insn))
			break;
	}
	for (size_t i = 0; i < n; i++)
		known[path[i]] = verdict;
	return verdict == 1;
}

static size_t
find_start(csh h, cs_insn *insn, const struct window *w, size_t step)
{
	uint8_t known[MAX_WINDOW] = { 0 };
	size_t marker;

	if (w->marker < 0)
		return 0;
	marker = (size_t)w->marker;
	for (size_t s = marker % step; s < marker; s += step)
		if (lands_on(h, insn, w, s, marker, known))
			return s;
	return marker;
}

static uint64_t
rip_value(const struct kt_report *r)
{
	static const char *const names[] = { "RIP", "EIP", "pc", "NIP", "PSW" };
	uint64_t v;

	if (r->ip.address)
		return r->ip.address;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (kt_report_reg(r, names[i], &v))
			return v;
	return 0;
}

/* ---- the note about the faulting instruction ------------------------------ */

/* Capstone register name -> the report's name ("esi" -> "RSI" in 64-bit
 * code, "w1" -> "x1"). Writes "" for registers without a report twin. */
static void
report_reg_name(csh h, enum kt_arch a, unsigned reg, char *out, size_t len)
{
	const char *n = cs_reg_name(h, reg);
	char tmp[16];
	size_t l;

	out[0] = '\0';
	if (!n || reg == 0)
		return;
	(void)snprintf(tmp, sizeof(tmp), "%s", n);
	l = strlen(tmp);
	if (a == KT_ARCH_X86_64 || a == KT_ARCH_I386) {
		char pre = a == KT_ARCH_X86_64 ? 'R' : 'E';

		if (tmp[0] == 'r' && isdigit((unsigned char)tmp[1])) {
			while (l && !isdigit((unsigned char)tmp[l - 1]))
				tmp[--l] = '\0';	/* r8d/r8w/r8b -> r8 */
			(void)snprintf(out, len, "R%s", tmp + 1);
		} else if (l == 3 && (tmp[0] == 'r' || tmp[0] == 'e') && strcmp(tmp, "rip") != 0) {
			(void)snprintf(out, len, "%c%c%c", pre, toupper((unsigned char)tmp[1]),
				       toupper((unsigned char)tmp[2]));
		} else if (l == 2 && strchr("abcd", tmp[0]) && strchr("xlh", tmp[1])) {
			(void)snprintf(out, len, "%c%cX", pre, toupper((unsigned char)tmp[0]));
		} else if ((l == 2 && strchr("sdb", tmp[0]) && strchr("ip", tmp[1])) ||
			   (l == 3 && tmp[2] == 'l')) {
			(void)snprintf(out, len, "%c%c%c", pre, toupper((unsigned char)tmp[0]),
				       toupper((unsigned char)tmp[1]));
		} else if (strcmp(tmp, "rip") == 0 || strcmp(tmp, "eip") == 0) {
			(void)snprintf(out, len, "%s", a == KT_ARCH_X86_64 ? "RIP" : "EIP");
		}
		return;
	}
	if (a == KT_ARCH_ARM64 && tmp[0] == 'w' && isdigit((unsigned char)tmp[1]))
		tmp[0] = 'x';
	if (strcmp(tmp, "xzr") == 0 || strcmp(tmp, "wzr") == 0)
		return;
	(void)snprintf(out, len, "%s", tmp);
}

struct memop {
	unsigned base, index;
	int scale;
	int64_t disp;
	uint8_t access;
	bool segmented;		/* fs:/gs: relative: the address is not base+disp */
};

/* Capstone 4 leaves the access field of some x86 operand forms unset (the
 * moffs form "movabs al, byte ptr [imm]", opcodes A0-A3, copies it from an
 * uninitialised table slot), so the same bytes could say "reads" in one run
 * and "writes" in the next. For the mov family the direction is the operand
 * position in Intel syntax (destination first), which is always right, so it
 * is taken from there and not from Capstone. */
static uint8_t
x86_access(const cs_insn *in, const cs_x86 *x, unsigned i)
{
	if (strncmp(in->mnemonic, "mov", 3) == 0 && x->op_count == 2)
		return i == 0 ? CS_AC_WRITE : CS_AC_READ;
	return x->operands[i].access;
}

static size_t
mem_operands(const cs_insn *in, enum kt_arch a, struct memop *out, size_t max)
{
	size_t n = 0;

	if (!in->detail)
		return 0;
	if (a == KT_ARCH_X86_64 || a == KT_ARCH_I386) {
		const cs_x86 *x = &in->detail->x86;

		for (unsigned i = 0; i < x->op_count && n < max; i++)
			if (x->operands[i].type == X86_OP_MEM && in->id != X86_INS_LEA &&
			    in->id != X86_INS_NOP)
				out[n++] = (struct memop){
					x->operands[i].mem.base, x->operands[i].mem.index,
					x->operands[i].mem.scale, x->operands[i].mem.disp,
					x86_access(in, x, i),
					x->operands[i].mem.segment == X86_REG_FS ||
						x->operands[i].mem.segment == X86_REG_GS };
	} else if (a == KT_ARCH_ARM64) {
		const cs_arm64 *x = &in->detail->arm64;

		for (unsigned i = 0; i < x->op_count && n < max; i++)
			if (x->operands[i].type == ARM64_OP_MEM)
				out[n++] = (struct memop){ x->operands[i].mem.base,
							   x->operands[i].mem.index, 1,
							   x->operands[i].mem.disp,
							   x->operands[i].access, false };
	} else if (a == KT_ARCH_ARM) {
		const cs_arm *x = &in->detail->arm;

		for (unsigned i = 0; i < x->op_count && n < max; i++)
			if (x->operands[i].type == ARM_OP_MEM)
				out[n++] = (struct memop){ x->operands[i].mem.base,
							   x->operands[i].mem.index, 1,
							   x->operands[i].mem.disp,
							   x->operands[i].access, false };
	} else if (a == KT_ARCH_PPC64) {
		const cs_ppc *x = &in->detail->ppc;

		for (unsigned i = 0; i < x->op_count && n < max; i++)
			if (x->operands[i].type == PPC_OP_MEM)
				out[n++] = (struct memop){ x->operands[i].mem.base, 0, 1,
							   x->operands[i].mem.disp, 0, false };
	}
	return n;
}

static const char *
access_verb(uint8_t acc, const cs_insn *in)
{
	if ((acc & CS_AC_READ) && (acc & CS_AC_WRITE))
		return "reads and writes";
	if (acc & CS_AC_WRITE)
		return "writes";
	if (acc & CS_AC_READ)
		return "reads";
	/* No access info (older Capstone tables, ppc): guess from the mnemonic. */
	if (strncmp(in->mnemonic, "st", 2) == 0)
		return "writes";
	if (strncmp(in->mnemonic, "l", 1) == 0)
		return "reads";
	return "accesses";
}

static void
used_add(struct kt_insn_regs *u, const char *name)
{
	if (!name[0] || u->n >= KT_MAX_OPERAND_REGS)
		return;
	for (size_t i = 0; i < u->n; i++)
		if (strcasecmp(u->name[i], name) == 0)
			return;
	(void)snprintf(u->name[u->n++], sizeof(u->name[0]), "%s", name);
}

struct note_ctx {
	const struct kt_report *r;
	enum kt_arch arch;
	csh h;
	bool has_fault;
	uint64_t fault;
	const char *fault_name;	/* "CR2" or "FAR" */
	struct kt_buf *b;
	struct kt_insn_regs *used;
};

/* The register(s) holding the pointer: the base, unless its value is far
 * from the effective address (then it is an offset and the index is the
 * pointer, as in KASAN's "cmp byte ptr [rdx + rax], 0"). Also records the
 * effective address for the register notes. */
static void
pointer_regs(struct note_ctx *c, const struct memop *m, const char *base, bool have_b,
	     uint64_t bv, const char *index, bool have_i, uint64_t iv)
{
	uint64_t ea;

	if ((base[0] && !have_b) || (index[0] && !have_i) || m->segmented || (!base[0] && !index[0])) {
		used_add(c->used, base[0] ? base : index);
		return;
	}
	ea = bv + iv * (uint64_t)m->scale + (uint64_t)m->disp;
	if (!c->used->has_addr) {
		c->used->has_addr = true;
		c->used->addr = ea;
	}
	if (base[0] && (ea - bv < 4096 || bv - ea < 4096))
		used_add(c->used, base);
	else if (index[0] && (ea - iv < 4096 || iv - ea < 4096))
		used_add(c->used, index);
}

/* "reads [rsi] through RSI = ffff8801705505c0, equal to the fault address (CR2)" */
static void
note_memop(struct note_ctx *c, const cs_insn *in, const struct memop *m)
{
	char base[16], index[16];
	uint64_t bv = 0, iv = 0, ea;
	bool have_b, have_i;

	report_reg_name(c->h, c->arch, m->base, base, sizeof(base));
	report_reg_name(c->h, c->arch, m->index, index, sizeof(index));
	have_b = base[0] && kt_decode_reg(c->r, base, &bv);
	have_i = index[0] && kt_decode_reg(c->r, index, &iv);
	pointer_regs(c, m, base, have_b, bv, index, have_i, iv);
	kt_buf_printf(c->b, "%s%s memory", c->b->len ? "; " : "", access_verb(m->access, in));
	if (base[0])
		kt_buf_printf(c->b, " through %s", base);
	if (index[0])
		kt_buf_printf(c->b, "%s%s*%d", base[0] ? "+" : " through ", index, m->scale);
	if (!base[0] && !index[0]) {
		/* an absolute address (moffs): the displacement is the address */
		kt_buf_printf(c->b, " at 0x%llx", (unsigned long long)(uint64_t)m->disp);
		return;
	}
	if (m->disp)
		kt_buf_printf(c->b, "%s0x%llx", m->disp < 0 ? "-" : "+",
			      (unsigned long long)(m->disp < 0 ? -(uint64_t)m->disp : (uint64_t)m->disp));
	if (!base[0] && !index[0])
		return;
	if ((base[0] && !have_b) || (index[0] && !have_i) || m->segmented) {
		if (have_b)
			kt_buf_printf(c->b, " (%s = %016llx)", base, (unsigned long long)bv);
		return;
	}
	ea = bv + iv * (uint64_t)m->scale + (uint64_t)m->disp;
	kt_buf_printf(c->b, " = %016llx", (unsigned long long)ea);
	if (!c->has_fault)
		return;
	if (ea == c->fault)
		kt_buf_printf(c->b, ", equal to the fault address (%s)", c->fault_name);
	else if (c->arch == KT_ARCH_ARM64 && (ea & 0x00ffffffffffffffull) == c->fault)
		kt_buf_printf(c->b, ", equal to the fault address (%s) without the top-byte tag",
			      c->fault_name);	/* TBI: the tag byte is not part of FAR */
	else if (have_b && bv == c->fault)
		kt_buf_printf(c->b, "; %s equals the fault address (%s)", base, c->fault_name);
	else if (ea - c->fault < 4096 || c->fault - ea < 4096)
		kt_buf_printf(c->b, ", within %llu bytes of the fault address (%s)",
			      (unsigned long long)(ea > c->fault ? ea - c->fault : c->fault - ea),
			      c->fault_name);
}

/* Special instructions whose fault is by design. */
static const char *
trap_meaning(const cs_insn *in, enum kt_arch a)
{
	if (a == KT_ARCH_X86_64 || a == KT_ARCH_I386) {
		if (in->id == X86_INS_UD2)
			return "BUG()/WARN() trap (a deliberate invalid opcode)";
		if (in->id == X86_INS_INT3)
			return "breakpoint (kprobe, text patching or a stray 0xcc)";
	}
	if (a == KT_ARCH_ARM64 && in->id == ARM64_INS_BRK)
		return "BUG()/WARN() or sanitizer trap";
	if (a == KT_ARCH_ARM && strcmp(in->mnemonic, "udf") == 0)
		return "BUG() trap (undefined instruction)";
	if (a == KT_ARCH_PPC64 && (strncmp(in->mnemonic, "tw", 2) == 0 ||
				   strncmp(in->mnemonic, "td", 2) == 0))
		return "BUG()/WARN() trap";
	return NULL;
}

/* x86 "div ecx" / "idiv r8": the divisor register and what its value means
 * (#DE is raised for a zero divisor or a quotient that does not fit). */
static bool
note_division(struct note_ctx *c, const cs_insn *in)
{
	const cs_x86 *x;
	char name[16];
	uint64_t v;

	if ((c->arch != KT_ARCH_X86_64 && c->arch != KT_ARCH_I386) || !in->detail ||
	    (in->id != X86_INS_DIV && in->id != X86_INS_IDIV))
		return false;
	x = &in->detail->x86;
	if (x->op_count < 1 || x->operands[0].type != X86_OP_REG)
		return false;
	report_reg_name(c->h, c->arch, x->operands[0].reg, name, sizeof(name));
	if (!name[0] || !kt_decode_reg(c->r, name, &v)) {
		kt_buf_printf(c->b, "divides by %s", name[0] ? name : "a register");
		return true;
	}
	v &= x->operands[0].size >= 8 ? ~0ull : (1ull << (8 * x->operands[0].size)) - 1;
	kt_buf_printf(c->b, "divides by %s = 0x%llx (from %s): %s",
		      cs_reg_name(c->h, x->operands[0].reg), (unsigned long long)v, name,
		      v == 0 ? "division by zero" : "the quotient does not fit (divide overflow)");
	return true;
}

static void
build_note(struct note_ctx *c, const cs_insn *in)
{
	struct memop m[4];
	size_t n = mem_operands(in, c->arch, m, 4);
	const char *trap = trap_meaning(in, c->arch);

	if (trap) {
		kt_buf_printf(c->b, "%s", trap);
		return;
	}
	/* The operand through the faulting address first. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			char base[16];
			uint64_t bv;
			bool hit;

			report_reg_name(c->h, c->arch, m[i].base, base, sizeof(base));
			hit = c->has_fault && base[0] && kt_decode_reg(c->r, base, &bv) &&
			      (bv == c->fault || bv + (uint64_t)m[i].disp == c->fault);
			if (hit == (pass == 0))
				note_memop(c, in, &m[i]);
		}
	}
	if (n == 0 && !note_division(c, in))
		kt_buf_printf(c->b, "no memory operand");
}

/* ---- entry point ------------------------------------------------------------ */

static void
push_insn(struct kt_report *r, size_t *cap, const cs_insn *in, uint64_t addr, bool faulting)
{
	struct kt_insn *k = kt_arena_push(r->arena, (void **)&r->insns, &r->n_insns, cap,
					  sizeof(*k));

	size_t ml = strlen(in->mnemonic), ol = strlen(in->op_str);
	char *t = kt_report_alloc(r, ml + 1 + ol + 1);

	memcpy(t, in->mnemonic, ml);
	if (ol) {
		t[ml] = ' ';
		memcpy(t + ml + 1, in->op_str, ol + 1);
	} else {
		t[ml] = '\0';
	}
	k->address = addr;
	k->text = t;
	k->faulting = faulting;
}

static void
disassemble(struct kt_report *r, csh h, const struct window *w, size_t start,
	    enum kt_arch arch, struct kt_insn_regs *used)
{
	cs_insn *in;
	/* allocated with room for details, which are then switched off for
	 * the listing and on for the faulting instruction */
	(void)cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	in = cs_malloc(h);
	(void)cs_option(h, CS_OPT_DETAIL, CS_OPT_OFF);
	const uint8_t *code = w->b + start;
	size_t size = w->n - start, cap = r->n_insns;	/* full: the first push copies */
	uint64_t off = start, rip = rip_value(r), fault = 0;
	struct kt_buf note;
	struct note_ctx nc = { r, arch, h, false, 0,
			       kt_fault_name(arch),
			       &note, used };

	kt_buf_init(&note);
	nc.has_fault = kt_fault_address(r, &fault);
	nc.fault = fault;
	while (size > 0) {
		uint64_t at = off;
		bool faulting;

		if (!cs_disasm_iter(h, &code, &size, &off, in))
			break;
		faulting = w->marker >= 0 && at <= (uint64_t)w->marker &&
			   (uint64_t)w->marker < off;
		/* RIP-relative; without a marker only offsets in the window are known */
		push_insn(r, &cap, in, w->marker >= 0 ? rip + (at - (uint64_t)w->marker) : at,
			  faulting);
		if (faulting && !r->insn_note) {
			/* Operand details only for this one: decoding them for
			 * every instruction of the listing cost more than all else. */
			const uint8_t *again = w->b + at;
			size_t left = w->n - at;
			uint64_t a2 = at;

			(void)cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
			(void)cs_disasm_iter(h, &again, &left, &a2, in);
			(void)cs_option(h, CS_OPT_DETAIL, CS_OPT_OFF);
			kt_buf_clear(&note);
			build_note(&nc, in);
			r->insn_note = kt_report_printf(r, "%s%s%s: %s", in->mnemonic,
							in->op_str[0] ? " " : "", in->op_str,
							note.p ? note.p : "");
		}
	}
	kt_buf_deinit(&note);
	cs_free(in, 1);
}

/* Capstone 4 builds some tables on first use without a lock: the x86 Intel
 * printer sorts its table of implicit registers (X86_insn_reg_intel in
 * arch/X86/X86Mapping.c, https://github.com/capstone-engine/capstone/blob/4.0.2/arch/X86/X86Mapping.c)
 * the first time any thread prints an instruction, so two analyzer threads
 * decoding at once could look up a half-sorted table: `movabs al, [moffs]`
 * then lost its implicit AL operand and "reads memory" became "writes
 * memory" in one run out of many. One instruction of every architecture
 * we decode, with details on, in one thread before any other decodes,
 * builds them all once. */
static void
capstone_warm(void)
{
	static const uint8_t code[16] = { 0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0x90, 0x90, 0x90, 0x90 };
	static const enum kt_arch archs[] = { KT_ARCH_X86_64, KT_ARCH_I386, KT_ARCH_ARM64,
					      KT_ARCH_ARM, KT_ARCH_PPC64, KT_ARCH_S390X,
					      KT_ARCH_MIPS };

	for (size_t i = 0; i < sizeof(archs) / sizeof(archs[0]); i++) {
		for (size_t unit = 2; unit <= 4; unit += 2) {
			struct arch_desc d;
			cs_insn *in = NULL;
			csh h;

			if (!arch_desc(archs[i], unit, &d) || cs_open(d.arch, d.mode, &h) != CS_ERR_OK)
				continue;
			(void)cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
			size_t n = cs_disasm(h, code, sizeof(code), 0x1000, 4, &in);
			if (n)
				cs_free(in, n);
			(void)cs_close(&h);
		}
	}
}

void
kt_decode_insns(struct kt_report *r, struct kt_insn_regs *ret_regs)
{
	static pthread_once_t warm_once = PTHREAD_ONCE_INIT;
	struct kt_insn_regs used = { .n = 0 };
	enum kt_arch arch = effective_arch(r);
	struct window w;
	struct arch_desc d;
	csh h;
	cs_insn *probe;
	size_t start;

	if (!window_from_report(r, arch, &w) || !arch_desc(arch, w.unit, &d))
		goto out;
	/* Capstone is opened on first use (util/lazylib.h): without it the
	 * bytes stay undecoded, like an architecture Capstone lacks. */
	if (kt_lazylib_require("capstone") != 0) {
		kt_report_note(r, 0, KT_SEV_INFO,
			       "decode: the Capstone library could not be loaded; "
			       "Code: bytes are not disassembled");
		goto out;
	}
	(void)pthread_once(&warm_once, capstone_warm);
	if (cs_open(d.arch, d.mode, &h) != CS_ERR_OK)
		goto out;
	probe = cs_malloc(h);
	start = find_start(h, probe, &w, d.step);	/* detail off: cheaper */
	cs_free(probe, 1);
	if (w.marker >= 0 && start == (size_t)w.marker && start > 0)
		kt_report_note(r, 0, KT_SEV_INFO,
			       "decode: Code bytes before the marker do not decode onto it; "
			       "disassembly starts at the faulting instruction");
	disassemble(r, h, &w, start, arch, &used);
	(void)cs_close(&h);
out:
	if (ret_regs)
		*ret_regs = used;
}
