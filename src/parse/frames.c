/*
 * parse/fields: stack frames of a Call Trace section, every generation and
 * architecture (oops-format.md §1.10, §3):
 *   " ? skb_copy_bits+0x143/0x240 [mod buildid]"            x86 >= 4.10, arm64, riscv
 *   " [<ffffffff8143f593>] ? skb_copy_bits+0x143/0x240"      x86 <= 4.9, arm64 <= 4.15
 *   "([<000003ff8086d036>] will_oops_init+0x36/0x1000 [will_oops])"   s390, unreliable
 *   "[c000000010f930b0] [c000000008068df8] .f+0x278/0x390 (unreliable)"   ppc
 *   "[<c0333330>] (shmem_getpage_gfp) from [<c031c7a0>] (g+0xa8/0x1c0)"   arm
 *   "[c000000384eafcc0] c0000000001e5514 .SyS_move_pages+0x524/0x7d0"   ppc xmon
 *   "--- Exception: c01 (System Call) at 00003fff795f30a8"   ppc xmon / show_stack
 *   " [000000000045a2c4] f+0x24/0x60"                        sparc64 <= 5.8
 * and the stack-section markers (<IRQ>, </IRQ>, <EOI>, <NMI>, <TASK> ...).
 * Frames are recognised only inside a trace section, except the distinctive
 * arm "from" form; a last-resort pass takes "[<addr>] f+off/len" anywhere.
 */
#include "parse/fields.h"

#include <string.h>

#include <ktriage/limits.h>

#include "util/arena.h"

struct pframe {
	struct kt_fx_sym sym;
	bool has_sym;
	uint64_t addr;
	bool reliable;
	bool inlined;
	struct kt_str file;
	uint64_t line_no;
	bool arm_from;		/* "f from g+off/size" (arm >= 5.16) */
};

/* ---- stack markers ------------------------------------------------ */

enum mark_kind { MARK_OPEN, MARK_CLOSE, MARK_TO_TASK, MARK_END_TASK };

static const struct {
	const char *text;
	enum mark_kind kind;
	enum kt_stack stack;
} markers[] = {
	{ "<IRQ>", MARK_OPEN, KT_STACK_IRQ },
	{ "</IRQ>", MARK_TO_TASK, KT_STACK_TASK },
	{ "<EOI>", MARK_TO_TASK, KT_STACK_TASK },	/* <= 4.9 end of IRQ stack */
	{ "<SOFTIRQ>", MARK_OPEN, KT_STACK_SOFTIRQ },
	{ "</SOFTIRQ>", MARK_CLOSE, KT_STACK_TASK },
	{ "<NMI>", MARK_OPEN, KT_STACK_NMI },
	{ "</NMI>", MARK_CLOSE, KT_STACK_TASK },
	{ "<TASK>", MARK_OPEN, KT_STACK_TASK },
	{ "</TASK>", MARK_END_TASK, KT_STACK_NONE },
	{ "<#DF>", MARK_OPEN, KT_STACK_EXCEPTION },
	{ "</#DF>", MARK_CLOSE, KT_STACK_TASK },
	{ "<#DB>", MARK_OPEN, KT_STACK_EXCEPTION },
	{ "<#DB1>", MARK_OPEN, KT_STACK_EXCEPTION },
	{ "<#DB2>", MARK_OPEN, KT_STACK_EXCEPTION },
	{ "</#DB>", MARK_CLOSE, KT_STACK_TASK },
	{ "<#MC>", MARK_OPEN, KT_STACK_EXCEPTION },
	{ "</#MC>", MARK_CLOSE, KT_STACK_TASK },
	{ "<#VC>", MARK_OPEN, KT_STACK_EXCEPTION },
	{ "<#VC2>", MARK_OPEN, KT_STACK_EXCEPTION },
	{ "</#VC>", MARK_CLOSE, KT_STACK_TASK },
	{ "<ENTRY_TRAMPOLINE>", MARK_OPEN, KT_STACK_EXCEPTION },
	{ "</ENTRY_TRAMPOLINE>", MARK_CLOSE, KT_STACK_TASK },
	{ "<<EOE>>", MARK_CLOSE, KT_STACK_TASK },	/* <= 4.9 end of exception stack */
	{ "<UNK>", MARK_OPEN, KT_STACK_NONE },
};

/* Apply a marker at the start of *s; returns false if there is none. */
static bool
stack_marker(struct kt_fx *fx, struct kt_str *s)
{
	for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
		if (!kt_str_starts_with(*s, markers[i].text))
			continue;
		switch (markers[i].kind) {
		case MARK_OPEN:
			fx->outer = fx->stack;
			fx->stack = markers[i].stack;
			break;
		case MARK_CLOSE:
			fx->stack = fx->outer != KT_STACK_NONE ? fx->outer : markers[i].stack;
			fx->outer = KT_STACK_NONE;
			break;
		case MARK_TO_TASK:
			fx->stack = KT_STACK_TASK;
			fx->outer = KT_STACK_NONE;
			break;
		case MARK_END_TASK:
			fx->stack = fx->outer = KT_STACK_NONE;
			break;
		}
		*s = kt_str_skip(*s, strlen(markers[i].text));
		kt_fx_ws(s);
		return true;
	}
	return false;
}

/* ---- one frame ---------------------------------------------------- */

/* "[<ffffffff812d9656>]" or "[<          (null)>]" */
bool
kt_fx_bracket_addr(struct kt_str *s, uint64_t *ret)
{
	struct kt_str t = *s;

	if (!kt_fx_eat(&t, "[<"))
		return false;
	kt_fx_ws(&t);
	if (kt_fx_eat(&t, "(null)"))
		*ret = 0;
	else if (!kt_fx_hex(&t, ret))
		return false;
	if (!kt_fx_eat(&t, ">]"))
		return false;
	*s = t;
	return true;
}

/* ppc "[c000000010f930b0] [c000000008068df8] ": stack pointer, then pc */
static bool
ppc_addrs(struct kt_str *s, uint64_t *ret)
{
	struct kt_str t = *s;
	uint64_t sp;

	if (!kt_fx_eat(&t, "[") || !kt_fx_hex(&t, &sp) || !kt_fx_eat(&t, "]"))
		return false;
	kt_fx_ws(&t);
	if (!kt_fx_eat(&t, "[") || !kt_fx_hex(&t, ret) || !kt_fx_eat(&t, "]"))
		return false;
	*s = t;
	return true;
}

/* sparc64 <= 5.8 show_stack(): " [000000000045a2c4] f+0x24/0x60" (one
 * bracket, no "<>"; linux arch/sparc/kernel/traps_64.c show_stack) */
static bool
sparc_addr(struct kt_str *s, uint64_t *ret)
{
	struct kt_str t = *s;

	if (!kt_fx_eat(&t, "[") || kt_fx_hex(&t, ret) < 8 || !kt_fx_eat(&t, "] "))
		return false;
	*s = t;
	return true;
}

/* ppc xmon's backtrace ("t" command, and on entry; linux
 * arch/powerpc/xmon/xmon.c xmon_show_stack): "[c000000384eafcc0] c0000000001e5514 "
 * (stack pointer, then the pc without brackets) or "[link register   ] c0000000001ad6d8 " */
static bool
xmon_addrs(struct kt_str *s, uint64_t *ret)
{
	struct kt_str t = *s;
	uint64_t sp;

	if (kt_fx_eat(&t, "[link register")) {
		kt_fx_ws(&t);
		if (!kt_fx_eat(&t, "]"))
			return false;
	} else if (!kt_fx_eat(&t, "[") || kt_fx_hex(&t, &sp) < 8 || !kt_fx_eat(&t, "]")) {
		return false;
	}
	kt_fx_ws(&t);
	if (kt_fx_hex(&t, ret) < 8 || !t.len || !kt_is_space(t.p[0]))
		return false;
	kt_fx_ws(&t);
	*s = t;
	return true;
}

/* "kernel/sched/core.c:6490" after a symbolised frame */
static bool
file_line(struct kt_str tok, struct pframe *pf)
{
	long colon = -1;
	struct kt_str num;

	for (size_t i = 0; i < tok.len; i++)
		if (tok.p[i] == ':')
			colon = (long)i;
	if (colon <= 0 || kt_str_chr(tok, '.') < 0)
		return false;
	num = kt_str_skip(tok, (size_t)colon + 1);
	if (!num.len || kt_parse_dec(num, &pf->line_no) != num.len)
		return false;
	pf->file = kt_str_sub(tok, 0, (size_t)colon);
	return true;
}

/* What follows a symbol: "(unreliable)", arm64 "(P)", "file.c:12", "[inline]",
 * and the linux scripts/decode_stacktrace.sh form "(path/file.c:123)",
 * "(a.h:26 b.c:326)" (inlined: the innermost location first, kept) or
 * "(file.c:7244 (discriminator 13))".
 * Returns whether something vouches for a symbol printed without offset. */
static bool
frame_tail(struct kt_str s, struct pframe *pf)
{
	struct kt_str tok;
	bool vouched = false;

	while ((tok = kt_fx_token(&s)).len) {
		if (kt_str_eq_cstr(tok, "(discriminator")) {
			(void)kt_fx_token(&s);	/* "13))" */
		} else if (tok.p[0] == '(' && tok.len > 1 && !kt_str_eq_cstr(tok, "(unreliable)")) {
			struct pframe loc;

			while (tok.len && (tok.p[0] == '(' || tok.p[tok.len - 1] == ')'))
				tok = tok.p[0] == '(' ? kt_str_skip(tok, 1) : kt_str_sub(tok, 0, tok.len - 1);
			if (file_line(tok, &loc)) {
				vouched = true;
				if (!pf->file.len) {
					pf->file = loc.file;
					pf->line_no = loc.line_no;
				}
			}
		} else if (tok.p[tok.len - 1] == ')' && pf->file.len) {
			/* the outer locations of an inlined chain: "b.c:326)" */
			vouched = true;
		} else if (kt_str_eq_cstr(tok, "(unreliable)")) {
			pf->reliable = false;
		} else if (kt_str_eq_cstr(tok, "[inline]")) {
			pf->inlined = vouched = true;
		} else if (kt_str_eq_cstr(tok, "from")) {
			/* arm >= 5.16 "f from g+0x10/0x14" */
			struct kt_fx_sym caller;

			kt_fx_ws(&s);
			vouched = pf->arm_from = kt_fx_sym(&s, true, &caller);
			break;
		} else if (file_line(tok, pf)) {
			vouched = true;
		}
	}
	return vouched;
}

/* Parse one frame line (markers already stripped). */
static bool
parse_frame(struct kt_str s, bool need_offset, struct pframe *pf)
{
	bool has_addr = false;
	struct kt_str t;

	memset(pf, 0, sizeof(*pf));
	pf->reliable = true;
	if (s.len >= 2 && s.p[0] == '(' && s.p[s.len - 1] == ')' && kt_str_starts_with(s, "([<")) {
		s = kt_str_sub(s, 1, s.len - 2);	/* s390: not confirmed by the unwinder */
		pf->reliable = false;
	}
	if (kt_fx_eat(&s, "? "))
		pf->reliable = false;
	if (kt_fx_bracket_addr(&s, &pf->addr) || ppc_addrs(&s, &pf->addr) ||
	    sparc_addr(&s, &pf->addr))
		has_addr = true;
	kt_fx_ws(&s);
	/* arm: "[<pc>] (func+0x0/0xf4) from [<lr>] (caller+...)" */
	t = s;
	if (has_addr && kt_fx_eat(&t, "(")) {
		if (!kt_fx_sym(&t, false, &pf->sym) || !kt_fx_eat(&t, ")"))
			return false;
		pf->has_sym = pf->sym.func.len > 0;
		return true;
	}
	if (kt_fx_eat(&s, "? "))
		pf->reliable = false;
	/* Xen "Xen call trace:" entries: "[<ffff82d04035cd5f>] S arch_do_domctl+0x7f/0x2330"
	 * (R = RIP, F = frame pointer, S = stack scan) */
	if (has_addr && s.len > 2 && strchr("RFS", s.p[0]) && s.p[1] == ' ') {
		if (s.p[0] == 'S')
			pf->reliable = false;
		s = kt_str_skip(s, 2);
	}
	t = s;
	if (kt_str_starts_with(s, "0x") && kt_fx_hex(&t, &pf->addr) >= 6) {
		return has_addr || (t.len == 0 || kt_is_space(t.p[0]));
	}
	if (!kt_fx_sym(&s, false, &pf->sym))
		return has_addr;
	pf->has_sym = pf->sym.func.len > 0;
	if (frame_tail(s, pf) || pf->sym.has_offset || has_addr)
		return !need_offset || pf->sym.has_offset;
	return false;
}

static void
add_frame(struct kt_fx *fx, const struct pframe *pf)
{
	struct kt_report *r = fx->r;
	struct kt_frame *f;

	if (fx->frames_closed)
		return;
	if (r->n_frames >= KT_MAX_FRAMES) {
		if (!fx->frames_noted)
			kt_report_note(r, fx->no, KT_SEV_WARN, "more than %d frames, rest dropped",
				       KT_MAX_FRAMES);
		fx->frames_noted = true;
		return;
	}
	f = kt_arena_push(r->arena, (void **)&r->frames, &r->n_frames, &fx->frames_cap,
			  sizeof(*f));
	memset(f, 0, sizeof(*f));
	if (pf->has_sym)
		f->function = kt_fx_strdup(fx, pf->sym.func);
	f->offset = pf->sym.offset;
	f->size = pf->sym.size;
	f->has_offset = pf->sym.has_offset;
	f->address = pf->addr;
	if (pf->sym.module.len)
		f->module = kt_fx_strdup(fx, pf->sym.module);
	if (pf->sym.buildid.len)
		f->buildid = kt_fx_strdup(fx, pf->sym.buildid);
	if (pf->file.len)
		f->file = kt_fx_strdup(fx, pf->file);
	f->line_no = pf->line_no > 0x7fffffff ? 0 : (int)pf->line_no;
	f->reliable = pf->reliable;
	f->inlined = pf->inlined;
	f->stack = fx->stack;
	f->log_line = fx->no;
	fx->arm_from |= pf->arm_from;
}

/* powerpc exception boundary inside a stack: "--- Exception: c01 (System
 * Call) at 00003fff795f30a8" (xmon; a user address: the stack ends), "---
 * Exception: 700 at .func+0x1d8/0x4fc" (show_stack <= 5.x), "--- interrupt:
 * 700 at func+0x1d8/0x4fc" (>= 5.x; linux arch/powerpc/kernel/process.c
 * show_stack): the interrupted pc is a frame on the exception stack. */
static bool
ppc_exception_line(struct kt_fx *fx)
{
	struct kt_str s = fx->line;
	struct pframe pf;
	long at;

	if (!kt_fx_eat(&s, "--- Exception: ") && !kt_fx_eat(&s, "--- interrupt: "))
		return false;
	at = kt_fx_find(s, " at ");
	if (at < 0)
		return false;
	s = kt_str_skip(s, (size_t)at + 4);
	kt_fx_ws(&s);
	memset(&pf, 0, sizeof(pf));
	pf.reliable = true;
	if (kt_fx_sym(&s, true, &pf.sym) && pf.sym.func.len) {
		pf.has_sym = true;
		fx->stack = KT_STACK_EXCEPTION;
		add_frame(fx, &pf);
	} else {
		fx->in_trace = false;	/* back to user space: nothing below */
	}
	return true;
}

bool
kt_fx_frame_line(struct kt_fx *fx)
{
	struct kt_str s = fx->line;
	struct pframe pf;
	bool marked = false;

	if (s.len > 4 && s.p[0] == '-' && ppc_exception_line(fx))
		return true;
	if (s.len && s.p[0] == '[' && xmon_addrs(&s, &pf.addr)) {
		uint64_t addr = pf.addr;

		if (parse_frame(s, true, &pf) && pf.has_sym) {
			pf.addr = addr;
			add_frame(fx, &pf);
			return true;
		}
		s = fx->line;
	}
	if (!fx->in_trace) {
		/* the arm "from" form is unmistakable even without a header */
		if (kt_str_starts_with(s, "[<") && kt_fx_find(s, ") from [<") >= 0 &&
		    parse_frame(s, false, &pf)) {
			add_frame(fx, &pf);
			return true;
		}
		return false;
	}
	while (s.len && s.p[0] == '<' && stack_marker(fx, &s))
		marked = true;
	if (s.len == 0)
		return marked;
	if (parse_frame(s, false, &pf)) {
		add_frame(fx, &pf);
		return true;
	}
	return marked;
}

/* A whole line that is nothing but "[? ]f+0x1/0x2[ [mod]]": lockdep
 * dependency chains and SLUB "INFO: Allocated in" lists print these
 * without a "Call Trace:" header. */
static bool
bare_frame_line(struct kt_str s, struct pframe *pf)
{
	memset(pf, 0, sizeof(*pf));
	pf->reliable = !kt_fx_eat(&s, "? ");
	if (!kt_fx_sym(&s, true, &pf->sym) || !pf->sym.size)
		return false;
	kt_fx_ws(&s);
	pf->has_sym = true;
	return s.len == 0;
}

void
kt_fx_frames_fallback(struct kt_fx *fx)
{
	struct kt_report *r = fx->r;

	fx->frames_closed = false;
	fx->stack = KT_STACK_NONE;
	for (int pass = 0; pass < 2 && r->n_frames == 0; pass++) {
		for (size_t i = 0; i < r->n_lines; i++) {
			struct kt_str s;
			struct pframe pf;
			long at;
			bool ok;

			if (!r->lines[i])
				continue;
			s = kt_str_trim(kt_str_cstr(r->lines[i]));
			fx->no = r->line_nos ? r->line_nos[i] : (uint32_t)i + 1;
			if (pass == 0) {
				at = kt_fx_find(s, "[<");
				ok = at >= 0 &&
				     parse_frame(kt_str_skip(s, (size_t)at), true, &pf) &&
				     pf.has_sym;
			} else {
				ok = bare_frame_line(s, &pf);
			}
			if (ok)
				add_frame(fx, &pf);
		}
	}
	if (r->n_frames)
		kt_report_note(r, 0, KT_SEV_INFO,
			       "no call trace section; frames taken from addresses elsewhere");
}
