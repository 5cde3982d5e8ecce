/*
 * parse/fields: register names per architecture and the "NAME: value" pair
 * reader used for every register dump (x86 "RAX: ... RBX: ...", Xen's
 * lower-case "rax: ...", arm64 "x29: ...", arm "r9 : ...", ppc "MSR: ...",
 * riscv " gp : ..."). x86 names are stored upper-case as the kernel prints
 * them (R08, EFLAGS); other architectures keep the printed spelling.
 */
#include "parse/fields.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <ktriage/limits.h>

#include "util/arena.h"

/* arch/x86/kernel/process_64.c __show_regs(), dumpstack_64.c */
static const char *const regs_x86_64[] = {
	"RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "RSP",
	"R08", "R09", "R10", "R11", "R12", "R13", "R14", "R15",
	"RIP", "EFLAGS", "ORIG_RAX", "FS", "GS", "KNLGS", "CS", "DS", "ES", "SS",
	"CR0", "CR2", "CR3", "CR4", "CR8", "DR0", "DR1", "DR2", "DR3", "DR6", "DR7",
	"PKRU",
};

/* arch/x86/kernel/process_32.c __show_regs() */
static const char *const regs_i386[] = {
	"EAX", "EBX", "ECX", "EDX", "ESI", "EDI", "EBP", "ESP", "EIP", "EFLAGS",
	"DS", "ES", "FS", "GS", "SS", "CS", "CR0", "CR2", "CR3", "CR4",
	"DR0", "DR1", "DR2", "DR3", "DR6", "DR7", "PKRU",
};

/* arch/arm64/kernel/process.c __show_regs() */
static const char *const regs_arm64[] = {
	"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9",
	"x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19",
	"x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "x29",
	"x30", "pc", "lr", "sp", "pstate",
};

/* arch/arm/kernel/process.c __show_regs() */
static const char *const regs_arm[] = {
	"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10",
	"fp", "ip", "sp", "lr", "pc", "psr",
};

/* arch/powerpc/kernel/process.c show_regs() */
static const char *const regs_ppc64[] = {
	"NIP", "LR", "CTR", "REGS", "TRAP", "MSR", "CR", "XER", "CFAR", "IRQMASK",
	"SOFTE", "DAR", "DSISR", "DEAR", "ESR",
	"GPR00", "GPR01", "GPR02", "GPR03", "GPR04", "GPR05", "GPR06", "GPR07",
	"GPR08", "GPR09", "GPR10", "GPR11", "GPR12", "GPR13", "GPR14", "GPR15",
	"GPR16", "GPR17", "GPR18", "GPR19", "GPR20", "GPR21", "GPR22", "GPR23",
	"GPR24", "GPR25", "GPR26", "GPR27", "GPR28", "GPR29", "GPR30", "GPR31",
};

/* arch/s390/kernel/dumpstack.c show_registers(): "Krnl GPRS:" r0..r15 */
static const char *const regs_s390x[] = {
	"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
	"psw.mask", "psw.addr",
};

/* arch/riscv/kernel/process.c __show_regs() */
static const char *const regs_riscv[] = {
	"epc", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1",
	"a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7",
	"s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
	"t3", "t4", "t5", "t6", "status", "badaddr", "cause", "orig_a0",
};

/* arch/mips/kernel/traps.c __show_regs(): "$ 0   :" rows are general
 * registers by number (not named here); the named ones follow */
static const char *const regs_mips[] = {
	"epc", "ra", "Status", "Cause", "BadVA", "PrId", "Hi", "Lo",
};

/* arch/loongarch/kernel/traps.c __show_regs(): GPR rows "pc %lx ra %lx tp
 * %lx sp %lx" (pc = csr_era in the slot of $zero), then the CSRs */
static const char *const regs_loongarch64[] = {
	"pc", "ra", "tp", "sp", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7",
	"t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "u0", "s9",
	"s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8",
	"ERA", "CRMD", "PRMD", "EUEN", "ECFG", "ESTAT", "BADV", "BadVA",
};

/* arch/sparc/kernel/process_64.c show_regs(), show_regwindow() */
static const char *const regs_sparc64[] = {
	"TSTATE", "TPC", "TNPC", "Y",
	"g0", "g1", "g2", "g3", "g4", "g5", "g6", "g7",
	"o0", "o1", "o2", "o3", "o4", "o5", "sp", "ret_pc",
	"l0", "l1", "l2", "l3", "l4", "l5", "l6", "l7",
	"i0", "i1", "i2", "i3", "i4", "i5", "i6", "i7",
};

/* arch/parisc/kernel/traps.c show_regs(): "r00-03" rows are r0..r31 (not
 * named here), then the interruption registers */
static const char *const regs_parisc[] = {
	"IASQ", "IAOQ", "IIR", "ISR", "IOR", "CR30", "CR31", "ORIG_R28",
};

struct reg_table {
	const char *const *names;
	size_t n;
};

#define TABLE(t) { t, sizeof(t) / sizeof(t[0]) }

static const struct reg_table tables[KT_ARCH_COUNT] = {
	[KT_ARCH_UNKNOWN] = TABLE(regs_x86_64),
	[KT_ARCH_X86_64] = TABLE(regs_x86_64),
	[KT_ARCH_I386] = TABLE(regs_i386),
	[KT_ARCH_ARM64] = TABLE(regs_arm64),
	[KT_ARCH_ARM] = TABLE(regs_arm),
	[KT_ARCH_PPC64] = TABLE(regs_ppc64),
	[KT_ARCH_S390X] = TABLE(regs_s390x),
	[KT_ARCH_RISCV] = TABLE(regs_riscv),
	[KT_ARCH_MIPS] = TABLE(regs_mips),
	[KT_ARCH_LOONGARCH64] = TABLE(regs_loongarch64),
	[KT_ARCH_SPARC64] = TABLE(regs_sparc64),
	[KT_ARCH_PARISC] = TABLE(regs_parisc),
};

/* Printed spellings that differ from the canonical x86 name. */
static const struct {
	const char *printed;
	const char *canon;
} x86_alias[] = {
	{ "R8", "R08" }, { "R9", "R09" }, { "RFLAGS", "EFLAGS" },
};

size_t
kt_fx_reg_count(enum kt_arch arch)
{
	return (unsigned)arch < KT_ARCH_COUNT ? tables[arch].n : 0;
}

const char *
kt_fx_reg_name(enum kt_arch arch, size_t i)
{
	return i < kt_fx_reg_count(arch) ? tables[arch].names[i] : NULL;
}

static bool
is_x86(enum kt_arch arch)
{
	return arch == KT_ARCH_X86_64 || arch == KT_ARCH_I386 || arch == KT_ARCH_UNKNOWN;
}

static const char *
lookup(enum kt_arch arch, struct kt_str name)
{
	const struct reg_table *t = &tables[arch];
	bool fold = is_x86(arch);

	for (size_t i = 0; i < t->n; i++) {
		size_t l;

		/* the first letter, case-folded for x86, rules out most names */
		if ((fold ? (t->names[i][0] | 0x20) != (name.p[0] | 0x20)
			  : t->names[i][0] != name.p[0]))
			continue;
		l = strlen(t->names[i]);
		if (l != name.len)
			continue;
		if (fold ? strncasecmp(t->names[i], name.p, l) == 0
			 : memcmp(t->names[i], name.p, l) == 0)
			return t->names[i];
	}
	if (!fold)
		return NULL;
	for (size_t i = 0; i < sizeof(x86_alias) / sizeof(x86_alias[0]); i++)
		if (strlen(x86_alias[i].printed) == name.len &&
		    strncasecmp(x86_alias[i].printed, name.p, name.len) == 0)
			return x86_alias[i].canon;
	return NULL;
}

bool
kt_fx_reg_canon(enum kt_arch arch, struct kt_str name, char *buf, size_t bufsz)
{
	const char *c;

	if ((unsigned)arch >= KT_ARCH_COUNT || name.len == 0 || name.len > 16)
		return false;
	c = lookup(arch, name);
	if (!c && arch == KT_ARCH_UNKNOWN)
		c = lookup(KT_ARCH_I386, name);
	if (!c || bufsz == 0)
		return false;
	{
		size_t n = strlen(c);

		if (n >= bufsz)
			n = bufsz - 1;
		memcpy(buf, c, n);
		buf[n] = '\0';
	}
	return true;
}

bool
kt_fx_reg_add(struct kt_fx_regs *rs, const char *canon, uint64_t value)
{
	struct kt_reg *reg;

	for (size_t i = 0; i < *rs->n; i++)
		if (strcmp((*rs->v)[i].name, canon) == 0)
			return true;
	if (*rs->n >= KT_MAX_REGS) {
		rs->full = true;
		return false;
	}
	reg = kt_arena_push(rs->arena, (void **)rs->v, rs->n, &rs->cap, sizeof(*reg));
	reg->name = kt_arena_strdup(rs->arena, canon);
	reg->value = value;
	return true;
}

/* Skip a bracketed decoration after a value: "(0000)" or "<SF,VEC,EE>". */
static void
skip_group(struct kt_str *s, char open, char close)
{
	long end;

	if (!s->len || s->p[0] != open)
		return;
	end = kt_str_chr(*s, close);
	if (end >= 0)
		*s = kt_str_skip(*s, (size_t)end + 1);
}

/* One "NAME: value" pair. Returns false when the text is not a pair. */
static bool
read_pair(struct kt_str *s, struct kt_str *name, uint64_t *value, uint64_t *seg,
	  bool *has_seg)
{
	struct kt_str t = *s, u;
	size_t n = 0;

	kt_fx_ws(&t);
	while (n < t.len && (kt_is_ident(t.p[n]) || t.p[n] == '.'))
		n++;
	if (n == 0)
		return false;
	*name = kt_str_make(t.p, n);
	t = kt_str_skip(t, n);
	kt_fx_ws(&t);
	if (!kt_fx_eat(&t, ":"))
		return false;
	kt_fx_ws(&t);
	if (!kt_fx_hex(&t, value))
		return false;
	*has_seg = false;
	u = t;
	if (kt_fx_eat(&u, ":") && kt_fx_hex(&u, seg)) {
		/* "RSP: e02b:ffff880182c834f8": selector, then value */
		uint64_t tmp = *seg;

		*seg = *value;
		*value = tmp;
		*has_seg = true;
		t = u;
	}
	if (t.len && !kt_is_space(t.p[0]) && t.p[0] != '(' && t.p[0] != '<')
		return false;
	skip_group(&t, '(', ')');
	kt_fx_ws(&t);
	skip_group(&t, '<', '>');
	*s = t;
	return true;
}

size_t
kt_fx_reg_line(struct kt_fx_regs *rs, enum kt_arch arch, struct kt_str s)
{
	size_t count = 0;
	char canon[24];

	for (;;) {
		struct kt_str name;
		uint64_t value, seg = 0;
		bool has_seg;

		if (!read_pair(&s, &name, &value, &seg, &has_seg))
			break;
		if (!kt_fx_reg_canon(arch, name, canon, sizeof(canon))) {
			if (count == 0)
				return 0;
			continue;
		}
		if (count == 0 && strcmp(canon, "RIP") == 0)
			return 0;	/* "RIP:" lines belong to the ip recogniser */
		(void)kt_fx_reg_add(rs, canon, value);
		if (has_seg && (strcmp(canon, "RSP") == 0 || strcmp(canon, "ESP") == 0))
			(void)kt_fx_reg_add(rs, "SS", seg);
		count++;
	}
	return count;
}
