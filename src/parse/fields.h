/*
 * parse: structured fields of one cut-out report. kt_fields_extract() reads
 * r->lines (prefix-stripped report text) and fills what the kernel printed:
 * arch, die header, task/taint line, hardware, ip, fault, registers,
 * modules, frames, Code: bytes, panic message, trailer ids. It never fails:
 * lines it cannot read are skipped, and oddities become notes. It does not
 * interpret values (error-code bits, taint letters, PTE bits): that is the
 * decode stage.
 *
 * The second half of this header is internal to src/parse/fields*.c,
 * frames.c, modules.c and xenlog.c (the per-architecture recognisers).
 */
#ifndef KT_PARSE_FIELDS_H
#define KT_PARSE_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <ktriage/report.h>

#include "util/str.h"

/* Fill the parse-stage fields of `r` from r->lines[0..n_lines). Fields
 * already set are left alone where the text offers nothing better. Every
 * string and array is allocated in r's arena. */
void kt_fields_extract(struct kt_report *r);

/* ---------------------------------------------------------------------
 * Internal: shared by the fields recognisers.
 */

/* Text cursor helpers over a view (they advance *s on success). Inline:
 * every recogniser calls them with literals on every line. */
static inline bool
kt_fx_eat(struct kt_str *s, const char *lit)
{
	size_t n;

	/* the first byte rules out almost every call cheaply */
	if (lit[0] && (!s->len || s->p[0] != lit[0]))
		return false;
	n = strlen(lit);
	if (s->len < n || memcmp(s->p, lit, n) != 0)
		return false;
	s->p += n;
	s->len -= n;
	return true;
}

/* Offset of the first occurrence of lit in s, or -1 (kt_str_find() with
 * less set-up: lines are short, so a memchr loop beats memmem). */
static inline long
kt_fx_find(struct kt_str s, const char *lit)
{
	size_t n = strlen(lit);
	const char *p = s.p, *end = s.p + s.len;

	if (n == 0)
		return 0;
	while (n <= (size_t)(end - p)) {
		p = memchr(p, lit[0], (size_t)(end - p) - n + 1);
		if (!p)
			return -1;
		if (!memcmp(p + 1, lit + 1, n - 1))
			return p - s.p;
		p++;
	}
	return -1;
}
void kt_fx_ws(struct kt_str *s);
/* Hex number (optional 0x); returns digits consumed (0: nothing, s kept). */
size_t kt_fx_hex(struct kt_str *s, uint64_t *ret);
/* "[<ffffffff812d9656>]" (or "[<  (null)>]", which gives 0) at the start of *s;
 * consumed on success. */
bool kt_fx_bracket_addr(struct kt_str *s, uint64_t *ret);
size_t kt_fx_dec(struct kt_str *s, uint64_t *ret);
/* Next whitespace-delimited token (s advanced past it); empty at end. */
struct kt_str kt_fx_token(struct kt_str *s);

/* A kallsyms reference: "name+0xoff/0xlen [module buildid]". */
struct kt_fx_sym {
	struct kt_str func;	/* empty for "(null)" */
	uint64_t offset;
	uint64_t size;
	bool has_offset;
	struct kt_str module;	/* empty when not printed */
	struct kt_str buildid;	/* empty when not printed */
};

/* Parse a symbol at the start of *s; advances past it (and past a
 * following " [module buildid]"). Returns false and leaves *s alone when
 * the text is not a symbol. `need_offset` rejects bare names. */
bool kt_fx_sym(struct kt_str *s, bool need_offset, struct kt_fx_sym *ret);

/* A growing register set (report or xen.log block) in an arena. */
struct kt_fx_regs {
	struct kt_arena *arena;
	struct kt_reg **v;
	size_t *n;
	size_t cap;
	bool full;		/* KT_MAX_REGS reached */
};

/* Canonical name of register `name` printed on `arch` into buf (x86 names
 * upper-case, R8 -> R08, RFLAGS -> EFLAGS; other archs as printed).
 * Returns false when `name` is not a register of that architecture. */
bool kt_fx_reg_canon(enum kt_arch arch, struct kt_str name, char *buf, size_t bufsz);
/* Add a register; the first value of a name wins. Returns false when the
 * set is full. */
bool kt_fx_reg_add(struct kt_fx_regs *rs, const char *canon, uint64_t value);
/* Parse "NAME: value NAME: value ..." pairs (x86 "RSP: e02b:ffff...",
 * "FS: x(0000)", arm "r9 : x", ppc "MSR: x <SF,...>") and add the
 * registers of `arch`. Requires the first name to be a register; returns
 * the number of pairs read (0: not a register line). */
size_t kt_fx_reg_line(struct kt_fx_regs *rs, enum kt_arch arch, struct kt_str s);
/* Test hook: number of register names known for `arch` and the i-th one. */
size_t kt_fx_reg_count(enum kt_arch arch);
const char *kt_fx_reg_name(enum kt_arch arch, size_t i);

/* Extraction state for one report. */
struct kt_fx {
	struct kt_report *r;
	enum kt_arch arch;
	size_t i;		/* index into r->lines of the current line */
	uint32_t no;		/* its input line number */
	struct kt_str line;	/* the current line, trimmed */

	struct kt_fx_regs regs;
	size_t frames_cap;
	size_t modules_cap;

	bool in_trace;		/* inside a Call Trace section */
	bool frames_closed;	/* end trace seen after frames: keep no more */
	bool frames_noted;	/* limit note given */
	bool arm_from;		/* an arm >= 5.16 "f+0x1/0x2 from g+0x3/0x4" frame was read */
	enum kt_stack stack;	/* section of the next frame */
	enum kt_stack outer;	/* section to return to at a closing marker */

	bool modules_open;	/* the previous line was a module list */
	int modules_more;	/* continuation lines still allowed */
	int s390_gpr_next;	/* next s390 GPR index of a continued line, or -1 */
	bool ppc_code;		/* inside ppc "Instruction dump:" */
	bool ip_user;		/* r->ip came from a user-mode RIP */
	bool die_is_pf;		/* x86 die header said "Oops: XXXX" */
	bool pf_lines;		/* "#PF:" decode lines seen */
	bool task_seen;		/* a CPU:/Pid: task line was read */
	bool taint_seen;	/* a Tainted:/Not tainted text was read */
	bool xen_code_next;	/* the previous line was "Xen code around" */
};

/* Recognisers: each returns true when it consumed fx->line. */
bool kt_fx_x86_line(struct kt_fx *fx);
bool kt_fx_arm_line(struct kt_fx *fx);
bool kt_fx_ppc_line(struct kt_fx *fx);
bool kt_fx_s390_line(struct kt_fx *fx);
bool kt_fx_mips_line(struct kt_fx *fx);
bool kt_fx_more_line(struct kt_fx *fx);	/* loongarch64, sparc64, parisc */
bool kt_fx_frame_line(struct kt_fx *fx);
bool kt_fx_modules_line(struct kt_fx *fx);
/* Last resort when no trace section gave frames: "[<addr>] sym" anywhere. */
void kt_fx_frames_fallback(struct kt_fx *fx);

/* Setters used by the recognisers (first value wins). */
void kt_fx_set_ip(struct kt_fx *fx, uint64_t addr, const struct kt_fx_sym *sym,
		  struct kt_str segment);
void kt_fx_set_fault_address(struct kt_fx *fx, uint64_t addr);
void kt_fx_set_code(struct kt_fx *fx, struct kt_str text, int unit_endianness);
void kt_fx_add_code_words(struct kt_fx *fx, struct kt_str text);
const char *kt_fx_strdup(struct kt_fx *fx, struct kt_str s);

/* Byte order of multi-byte Code: units. r->code.bytes are kept in memory
 * order for the disassembler: x86 bytes as printed; 2- and 4-byte units of
 * arm/arm64/riscv "Code:" lines little-endian; ppc "Instruction dump:"
 * words big-endian (as printed; a ppc64le kernel needs them swapped). */
#define KT_FX_CODE_LE 0
#define KT_FX_CODE_BE 1

#endif
