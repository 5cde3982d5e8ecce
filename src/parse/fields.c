/*
 * parse/fields: kt_fields_extract(), the driver. It guesses the
 * architecture, then reads the report once, line by line, offering each
 * line to the recognisers (modules, call trace, the lines every
 * architecture shares, then x86/arm/ppc/s390) and keeping the first value
 * of every field. It copies what it keeps into the report's arena and
 * never interprets bits (decode stage).
 */
#include "parse/fields.h"

#include <string.h>

#include <ktriage/limits.h>

#include "util/arena.h"

const char *
kt_fx_strdup(struct kt_fx *fx, struct kt_str s)
{
	return kt_report_strndup(fx->r, s.p, s.len);
}

/* ---- architecture guess ------------------------------------------- */

/* Lines only one architecture prints (oops-format.md §1, §3). */
static const struct {
	const char *text;
	bool prefix;		/* must start the line (else: anywhere) */
	enum kt_arch arch;
} arch_marks[] = {
	{ "RIP: ", true, KT_ARCH_X86_64 },
	{ "RIP  [<", true, KT_ARCH_X86_64 },
	{ "RAX: ", true, KT_ARCH_X86_64 },
	{ "R13: ", true, KT_ARCH_X86_64 },
	/* >= 5.16; i386 prints it too, but its EIP:/EAX: lines outvote it */
	{ "<TASK>", true, KT_ARCH_X86_64 },
	{ "EIP: ", true, KT_ARCH_I386 },
	{ "EIP is at ", true, KT_ARCH_I386 },
	{ "EAX: ", true, KT_ARCH_I386 },
	{ "eax: ", true, KT_ARCH_I386 },
	{ "*pde = ", true, KT_ARCH_I386 },
	{ "pstate: ", false, KT_ARCH_ARM64 },
	{ "x29: ", true, KT_ARCH_ARM64 },
	{ "Mem abort info:", true, KT_ARCH_ARM64 },
	{ "psr: ", false, KT_ARCH_ARM },
	{ "r10: ", true, KT_ARCH_ARM },
	{ ") from [<", false, KT_ARCH_ARM },
	{ "NIP: ", true, KT_ARCH_PPC64 },
	{ "NIP [", true, KT_ARCH_PPC64 },
	{ "GPR00: ", true, KT_ARCH_PPC64 },
	{ "Krnl PSW", true, KT_ARCH_S390X },
	{ "Krnl GPRS", true, KT_ARCH_S390X },
	{ "epc : ", true, KT_ARCH_RISCV },
	{ "badaddr: ", false, KT_ARCH_RISCV },
	/* MIPS pads the names to six columns ("epc   : ", "$ 0   : ") */
	{ "epc   : ", true, KT_ARCH_MIPS },
	{ "$ 0   : ", true, KT_ARCH_MIPS },
	{ "PrId  : ", true, KT_ARCH_MIPS },
	/* linux arch/loongarch/kernel/traps.c __show_regs() */
	{ "ERA: ", true, KT_ARCH_LOONGARCH64 },
	{ "CRMD: ", true, KT_ARCH_LOONGARCH64 },
	{ "PRMD: ", true, KT_ARCH_LOONGARCH64 },
	{ "ESTAT: ", true, KT_ARCH_LOONGARCH64 },
	/* linux arch/sparc/kernel/process_64.c show_regs(), show_regwindow() */
	{ "TSTATE: ", true, KT_ARCH_SPARC64 },
	{ "TPC: <", true, KT_ARCH_SPARC64 },
	{ "RPC: <", true, KT_ARCH_SPARC64 },
	{ "I7: <", true, KT_ARCH_SPARC64 },
	/* linux arch/parisc/kernel/traps.c show_regs() */
	{ "YZrvWESTHLNXBCVMcbcbcbcbOGFRQPDI", true, KT_ARCH_PARISC },
	{ "IASQ: ", true, KT_ARCH_PARISC },
	{ "IAOQ[0]: ", true, KT_ARCH_PARISC },
	{ "ORIG_R28: ", true, KT_ARCH_PARISC },
};

static struct kt_str
clean_line(const char *text)
{
	struct kt_str s = kt_str_trim(kt_str_cstr(text));

	/* printk level markers left in raw rings: "<4>", "<d>", "<c>" */
	while (s.len >= 3 && s.p[0] == '<' && s.p[2] == '>' &&
	       ((s.p[1] >= '0' && s.p[1] <= '7') || s.p[1] == 'd' || s.p[1] == 'c'))
		s = kt_str_ltrim(kt_str_skip(s, 3));
	return s;
}

static enum kt_arch
guess_arch(const struct kt_report *r)
{
	size_t votes[KT_ARCH_COUNT] = { 0 };
	enum kt_arch best = KT_ARCH_UNKNOWN;
	bool x86_frames = false;

	for (size_t i = 0; i < r->n_lines; i++) {
		struct kt_str s = clean_line(r->lines[i]);

		for (size_t k = 0; k < sizeof(arch_marks) / sizeof(arch_marks[0]); k++) {
			bool hit = arch_marks[k].prefix
					   ? s.len && s.p[0] == arch_marks[k].text[0] &&
						     kt_str_starts_with(s, arch_marks[k].text)
					   : kt_fx_find(s, arch_marks[k].text) >= 0;

			if (hit)
				votes[arch_marks[k].arch]++;
		}
		if (s.len && s.p[0] == '[' &&
		    (kt_str_starts_with(s, "[<ffffffff8") || kt_str_starts_with(s, "[<ffffffffa")))
			x86_frames = true;
	}
	for (int a = 1; a < KT_ARCH_COUNT; a++)
		if (votes[a] > votes[best])
			best = (enum kt_arch)a;
	if (best == KT_ARCH_UNKNOWN && x86_frames)
		best = KT_ARCH_X86_64;
	return best;
}

/* ---- task line and taint ------------------------------------------ */

static bool
has_digit(struct kt_str t)
{
	for (size_t i = 0; i < t.len; i++)
		if (kt_is_digit(t.p[i]))
			return true;
	return false;
}

static struct kt_str
strip_parens(struct kt_str t)
{
	if (t.len >= 2 && t.p[0] == '(' && t.p[t.len - 1] == ')')
		return kt_str_sub(t, 1, t.len - 2);
	return t;
}

/* "Tainted: G           O 3.10.0+2 #1" / "Not tainted 6.13.0-rc3 #0 ..." /
 * "Not tainted (5.4.0-rc2)". s starts at the keyword. The flags are
 * positional (blanks matter), so they are kept as printed minus the tail. */
static void
parse_taint(struct kt_fx *fx, struct kt_str s)
{
	struct kt_report *r = fx->r;
	struct kt_str t, tok, prev = { 0 }, rel = { 0 }, ver = { 0 };
	bool not_tainted;

	if (kt_fx_eat(&s, "Not tainted"))
		not_tainted = true;
	else if (kt_fx_eat(&s, "Tainted:"))
		not_tainted = false;
	else
		return;
	kt_fx_ws(&s);
	if (!not_tainted && s.len && s.p[0] == '[')
		return;		/* >= 6.12 verbose "Tainted: [W]=WARN" line */
	if (fx->taint_seen)
		return;		/* the first taint text of the report wins */
	fx->taint_seen = true;
	r->kernel.not_tainted = not_tainted;
	/* SLUB "BUG kmalloc-4096 (Tainted: G          I ): Poison overwritten" */
	if (kt_str_chr(s, ')') >= 0 && kt_str_chr(s, '(') < 0)
		s = kt_str_sub(s, 0, (size_t)kt_str_chr(s, ')'));
	/* the release is the token before "#N" ... */
	t = s;
	while ((tok = kt_fx_token(&t)).len) {
		if (tok.p[0] == '#' && prev.len) {
			rel = prev;
			ver = kt_str_make(tok.p, (size_t)(s.p + s.len - tok.p));
			break;
		}
		prev = tok;
	}
	/* ... or, without a build number, the first token with a digit */
	t = s;
	while (!rel.len && (tok = kt_fx_token(&t)).len)
		if (has_digit(tok))
			rel = tok;
	if (rel.len && !r->kernel.release)
		r->kernel.release = kt_fx_strdup(fx, strip_parens(rel));
	if (ver.len && !r->kernel.version)
		r->kernel.version = kt_fx_strdup(fx, kt_str_trim(ver));
	if (!not_tainted && !r->kernel.tainted) {
		size_t n = rel.len ? (size_t)(rel.p - s.p) : s.len;
		struct kt_str f = kt_str_rtrim(kt_str_sub(s, 0, n));

		if (f.len)
			r->kernel.tainted = kt_fx_strdup(fx, f);
	}
}

/* Earliest of the keywords that end a Comm: value. */
static long
comm_end(struct kt_str s)
{
	static const char *const ends[] = { " Tainted:", " Not tainted", " Kdump: loaded" };
	long best = -1;

	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		long at = kt_fx_find(s, ends[i]);

		if (at >= 0 && (best < 0 || at < best))
			best = at;
	}
	return best;
}

/* "CPU: 4 PID: 0 Comm: swapper/4 Tainted: G           O 3.10.0+2 #1"
 * "CPU: 1 UID: 0 PID: 51 Comm: kworker/1:1 Not tainted 6.13.0-rc3 #0"
 * "Pid: 0, comm: swapper Tainted: P         C  2.6.38-8-generic #42-Ubuntu" */
static bool
task_line(struct kt_fx *fx)
{
	struct kt_report *r = fx->r;
	struct kt_str s = fx->line;
	uint64_t v;
	long end, taint;

	if (kt_fx_eat(&s, "CPU:")) {
		kt_fx_ws(&s);
		if (kt_fx_find(s, "PID: ") < 0) {
			/* Xen hypervisor dump: "(XEN) CPU:    6" */
			if (kt_fx_dec(&s, &v) && s.len == 0 && fx->r->cpu == KT_NONE && v < 100000)
				fx->r->cpu = (int)v;
			return s.len == 0;
		}
		if (!kt_fx_dec(&s, &v))
			return false;
		if (fx->task_seen)
			return true;
		r->cpu = v > 100000 ? KT_NONE : (int)v;
		kt_fx_ws(&s);
		if (kt_fx_eat(&s, "UID: ") && kt_fx_dec(&s, &v))
			r->uid = v > 0x7fffffff ? KT_NONE : (int)v;
		kt_fx_ws(&s);
		if (!kt_fx_eat(&s, "PID: "))
			return true;
	} else if (kt_fx_eat(&s, "Pid: ")) {
		if (kt_fx_find(s, ", comm: ") < 0)
			return false;
		if (fx->task_seen)
			return true;
	} else {
		return false;
	}
	fx->task_seen = true;
	if (kt_fx_dec(&s, &v))
		r->pid = v > 0x7fffffff ? KT_NONE : (int)v;
	kt_fx_ws(&s);
	if (!kt_fx_eat(&s, "Comm: ") && !kt_fx_eat(&s, ", comm: "))
		return true;
	end = comm_end(s);
	r->comm = kt_fx_strdup(fx, kt_str_trim(end >= 0 ? kt_str_sub(s, 0, (size_t)end) : s));
	if (end < 0)
		return true;
	s = kt_str_skip(s, (size_t)end + 1);
	taint = kt_fx_find(s, "Not tainted");
	if (taint < 0)
		taint = kt_fx_find(s, "Tainted:");
	if (taint >= 0)
		parse_taint(fx, kt_str_skip(s, (size_t)taint));
	return true;
}

/* Taint text on other lines: "Not tainted 6.0.0 #0" (hung task),
 * "3.5.0-rc5 #2 Not tainted" (lockdep), ppc "TRAP: 0700 Not tainted (3.10.0)". */
static void
taint_elsewhere(struct kt_fx *fx)
{
	struct kt_str s = fx->line;
	long at;

	if (fx->taint_seen)
		return;
	at = kt_fx_find(s, "Not tainted");
	if (at < 0)
		at = kt_fx_find(s, "Tainted: ");
	if (at < 0)
		return;
	if (at > 0) {
		/* "REL #N Not tainted": the release comes first */
		struct kt_str t = s, rel = kt_fx_token(&t), num = kt_fx_token(&t);

		if (num.len && num.p[0] == '#' && num.p + num.len <= s.p + at &&
		    has_digit(rel) && !fx->r->kernel.release) {
			fx->r->kernel.release = kt_fx_strdup(fx, rel);
			fx->r->kernel.version = kt_fx_strdup(fx, num);
		}
	}
	parse_taint(fx, kt_str_skip(s, (size_t)at));
}

/* ---- other lines every architecture prints ------------------------ */

/* "Oops: 0000 [#1] SMP", "Internal error: Oops: 96000004 [#1] PREEMPT SMP",
 * "general protection fault: 0000 [#1] SMP KASAN", "Oops: 0004 ilc:3 [#1]" */
static bool
die_header(struct kt_fx *fx)
{
	struct kt_report *r = fx->r;
	struct kt_str s = fx->line, t;
	long at = kt_fx_find(s, " [#");
	uint64_t n, code;

	if (at < 0 || kt_fx_find(kt_str_sub(s, 0, (size_t)at), ": ") < 0)
		return false;
	t = kt_str_skip(s, (size_t)at + 3);
	if (!kt_fx_dec(&t, &n) || !kt_fx_eat(&t, "]"))
		return false;
	if (r->oops) {
		/* a second oops: its trace is collateral damage */
		if (r->n_frames)
			fx->frames_closed = true;
		return true;
	}
	r->oops = kt_fx_strdup(fx, s);
	r->oops_count = n > 1000000 ? KT_NONE : (int)n;
	t = s;
	(void)kt_fx_eat(&t, "Internal error: ");
	while (kt_str_starts_with(t, "Oops: Oops: "))
		t = kt_str_skip(t, 6);
	if (kt_fx_eat(&t, "Oops: ") && kt_fx_hex(&t, &code) &&
	    (t.len == 0 || kt_is_space(t.p[0]))) {
		r->fault.present = true;
		if (!r->fault.has_error_code) {
			r->fault.has_error_code = true;
			r->fault.error_code = code;
		}
		fx->die_is_pf = fx->arch == KT_ARCH_X86_64 || fx->arch == KT_ARCH_I386 ||
				fx->arch == KT_ARCH_UNKNOWN;
	}
	return true;
}

/* "BUG: unable to handle kernel paging request at ffff8801705505c0",
 * "BUG: kernel NULL pointer dereference, address: 0000000000000008",
 * "Unable to handle kernel paging request at virtual address dead000000000108",
 * "BUG: Unable to handle kernel data access at 0x8000000041a25f20" (ppc),
 * "general protection fault, probably for non-canonical address 0xdffffc0000000001: ..." */
static bool
fault_headline(struct kt_fx *fx)
{
	static const char *const anchors[] = {
		" at virtual address ", " for address: ", " address: ", " at address ",
		"non-canonical address ", "for address ", " at ",
	};
	struct kt_str s = fx->line;
	uint64_t addr;

	if (kt_fx_find(s, "nable to handle") < 0 &&
	    kt_fx_find(s, "NULL pointer dereference") < 0 &&
	    !kt_str_starts_with(s, "general protection fault") &&
	    !kt_str_starts_with(s, "Oops: general protection fault"))
		return false;
	for (size_t i = 0; i < sizeof(anchors) / sizeof(anchors[0]); i++) {
		long at = kt_fx_find(s, anchors[i]);
		struct kt_str t;

		if (at < 0)
			continue;
		t = kt_str_skip(s, (size_t)at + strlen(anchors[i]));
		kt_fx_ws(&t);
		if (kt_fx_eat(&t, "(null)"))
			addr = 0;
		else if (!kt_fx_hex(&t, &addr))
			continue;
		kt_fx_set_fault_address(fx, addr);
		return true;
	}
	return kt_str_starts_with(s, "BUG: ") || kt_str_starts_with(s, "Unable");
}

/* "Hardware name: Cisco Systems Inc UCSC-C220-M3S/UCSC-C220-M3S, BIOS C220M3... 04/28/2015" */
static bool
hardware_line(struct kt_fx *fx)
{
	struct kt_str s = fx->line;
	long at;

	if (!kt_fx_eat(&s, "Hardware name: "))
		return false;
	if (fx->r->hardware)
		return true;
	at = kt_fx_find(s, ", BIOS ");
	if (at >= 0) {
		fx->r->hardware = kt_fx_strdup(fx, kt_str_trim(kt_str_sub(s, 0, (size_t)at)));
		fx->r->bios = kt_fx_strdup(fx, kt_str_trim(kt_str_skip(s, (size_t)at + 7)));
	} else {
		fx->r->hardware = kt_fx_strdup(fx, kt_str_trim(s));
	}
	return true;
}

static bool
simple_lines(struct kt_fx *fx)
{
	struct kt_report *r = fx->r;
	struct kt_str s = fx->line;
	long at;

	/* "Workqueue: events_unbound deferred_probe_work_func" */
	if (kt_fx_eat(&s, "Workqueue: ")) {
		if (!r->workqueue)
			r->workqueue = kt_fx_strdup(fx, kt_str_trim(s));
		return true;
	}
	/* "---[ end trace 3c032fd26d64546f ]---" */
	if (kt_fx_eat(&s, "---[ end trace ")) {
		struct kt_str id = kt_fx_token(&s);

		if (!r->end_trace && id.len)
			r->end_trace = kt_fx_strdup(fx, id);
		if (r->n_frames)
			fx->frames_closed = true;
		fx->in_trace = false;
		return true;
	}
	if (kt_str_starts_with(s, "---[ end Kernel panic"))
		return true;
	/* "Kernel panic - not syncing: Fatal exception in interrupt" */
	at = kt_fx_find(s, "Kernel panic - not syncing:");
	if (at >= 0 || kt_str_starts_with(s, "Kernel panic: ")) {
		s = kt_str_skip(s, at >= 0 ? (size_t)at + 27 : 14);
		if (!r->panic)
			r->panic = kt_fx_strdup(fx, kt_str_trim(s));
		fx->in_trace = false;
		return true;
	}
	/* "Kernel Offset: 0x6000000 from 0xffffffff81000000 (relocation range: ...)" */
	if (kt_fx_eat(&s, "Kernel Offset: ")) {
		if (!r->kernel_offset)
			r->kernel_offset = kt_fx_strdup(fx, kt_str_trim(s));
		return true;
	}
	/* "Code: 25 c7 00 ... <f3> a4 c3 ..." (all architectures but s390) */
	if (kt_fx_eat(&s, "Code: ") || kt_str_eq_cstr(s, "Code:")) {
		kt_fx_set_code(fx, s, KT_FX_CODE_LE);
		return true;
	}
	/* Xen: "Xen code around <ffff82d040248f89> (schedule_cpu_add+0x50/0x456):" */
	if (kt_str_starts_with(s, "Xen code around ")) {
		fx->xen_code_next = true;
		return true;
	}
	return false;
}

/* Start and end of a call-trace section. */
static bool
trace_markers(struct kt_fx *fx)
{
	static const char *const starts[] = {
		"Call Trace:", "Call trace:", "Backtrace:", "backtrace:", "Xen call trace:",
	};
	static const char *const stops[] = {
		"Last Breaking-Event-Address:", "Instruction dump:", "Modules linked in:",
	};
	struct kt_str s = fx->line;

	/* every start marker ends with ':' */
	for (size_t i = 0; s.len && s.p[s.len - 1] == ':' &&
			   i < sizeof(starts) / sizeof(starts[0]); i++) {
		if (kt_str_ends_with(s, starts[i]) &&
		    (s.len == strlen(starts[i]) || s.p[s.len - strlen(starts[i]) - 1] == ' ')) {
			fx->in_trace = true;
			fx->stack = fx->outer = KT_STACK_NONE;
			return true;
		}
	}
	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		if (s.len && s.p[0] == stops[i][0] && kt_str_starts_with(s, stops[i]))
			fx->in_trace = false;
	return false;
}

/* ---- setters shared with the arch recognisers --------------------- */

void
kt_fx_set_fault_address(struct kt_fx *fx, uint64_t addr)
{
	struct kt_fault *f = &fx->r->fault;

	f->present = true;
	if (f->has_address)
		return;
	f->has_address = true;
	f->address = addr;
}

static bool
user_segment(struct kt_str seg)
{
	uint64_t v;

	return seg.len && kt_parse_hex(seg, &v) == seg.len && (v & 3) == 3;
}

void
kt_fx_set_ip(struct kt_fx *fx, uint64_t addr, const struct kt_fx_sym *sym,
	     struct kt_str segment)
{
	struct kt_ip *ip = &fx->r->ip;
	bool user = user_segment(segment);

	if (ip->present && !(fx->ip_user && !user)) {
		/* same place seen again: complete what the first line lacked */
		if (!ip->segment && segment.len)
			ip->segment = kt_fx_strdup(fx, segment);
		if (!ip->address && addr)
			ip->address = addr;
		if (!ip->function && sym && sym->func.len) {
			ip->function = kt_fx_strdup(fx, sym->func);
			ip->offset = sym->offset;
			ip->size = sym->size;
			if (sym->module.len)
				ip->module = kt_fx_strdup(fx, sym->module);
		}
		return;
	}
	memset(ip, 0, sizeof(*ip));
	ip->present = true;
	ip->address = addr;
	if (segment.len)
		ip->segment = kt_fx_strdup(fx, segment);
	if (sym && sym->func.len) {
		ip->function = kt_fx_strdup(fx, sym->func);
		ip->offset = sym->offset;
		ip->size = sym->size;
		if (sym->module.len)
			ip->module = kt_fx_strdup(fx, sym->module);
	}
	fx->ip_user = user;
}

/* ---- driver ------------------------------------------------------- */

static void
one_line(struct kt_fx *fx)
{
	bool xen_code = fx->xen_code_next, headline;

	fx->xen_code_next = false;
	if (xen_code && kt_fx_find(fx->line, "<") >= 0) {
		kt_fx_set_code(fx, fx->line, KT_FX_CODE_LE);
		return;
	}
	if (kt_fx_modules_line(fx))
		return;
	if (trace_markers(fx))
		return;
	if (kt_fx_frame_line(fx))
		return;
	if (task_line(fx) || hardware_line(fx) || simple_lines(fx))
		return;
	taint_elsewhere(fx);
	headline = fault_headline(fx);
	if (die_header(fx) || headline)
		return;
	if (kt_fx_more_line(fx) || kt_fx_x86_line(fx) || kt_fx_arm_line(fx) ||
	    kt_fx_ppc_line(fx) || kt_fx_s390_line(fx) || kt_fx_mips_line(fx))
		return;
	if (!fx->in_trace)
		(void)kt_fx_reg_line(&fx->regs, fx->arch, fx->line);
}

/* x86 page faults without "#PF:" lines: access, mode and reason from the
 * error code of "Oops: 0000" (arch/x86/include/asm/trap_pf.h bits 0-4). */
static void
x86_fault_from_code(struct kt_fx *fx)
{
	struct kt_fault *f = &fx->r->fault;
	uint64_t e = f->error_code;

	if (!fx->die_is_pf || fx->pf_lines || !f->has_error_code)
		return;
	if (!f->access)
		f->access = (e & 0x10) ? "exec" : (e & 0x2) ? "write" : "read";
	if (!f->mode)
		f->mode = (e & 0x4) ? "user" : "kernel";
	if (!f->reason)
		f->reason = (e & 0x8) ? "reserved bit violation"
			    : (e & 0x1) ? "protection violation" : "not-present page";
}

static void
finish(struct kt_fx *fx)
{
	struct kt_report *r = fx->r;
	uint64_t cr2;

	if (r->n_frames == 0)
		kt_fx_frames_fallback(fx);
	/* the fault address of an x86 page fault is CR2 when no headline said */
	if (fx->die_is_pf && !r->fault.has_address && kt_report_reg(r, "CR2", &cr2))
		kt_fx_set_fault_address(fx, cr2);
	x86_fault_from_code(fx);
	if (fx->regs.full)
		kt_report_note(r, 0, KT_SEV_WARN, "more than %d registers, rest dropped",
			       KT_MAX_REGS);
	/* only arm's unwinder prints "f+0x1c/0x40 from g+0xd4/0x3a0" (linux
	 * arch/arm/kernel/traps.c dump_backtrace_entry, >= 5.16) */
	if (fx->arch == KT_ARCH_UNKNOWN && fx->arm_from)
		fx->arch = KT_ARCH_ARM;
	if (r->arch == KT_ARCH_UNKNOWN)
		r->arch = fx->arch;
}

void
kt_fields_extract(struct kt_report *r)
{
	struct kt_fx fx;

	if (!r || !r->lines)
		return;
	memset(&fx, 0, sizeof(fx));
	fx.r = r;
	fx.arch = r->arch != KT_ARCH_UNKNOWN ? r->arch : guess_arch(r);
	fx.regs.arena = r->arena;
	fx.regs.v = &r->regs;
	fx.regs.n = &r->n_regs;
	fx.regs.cap = r->n_regs;
	fx.frames_cap = r->n_frames;
	fx.modules_cap = r->n_modules;
	fx.s390_gpr_next = -1;
	if (r->code.fault_offset == 0 && !r->code.raw)
		r->code.fault_offset = KT_NONE;
	for (size_t i = 0; i < r->n_lines; i++) {
		if (!r->lines[i])
			continue;
		fx.i = i;
		fx.no = r->line_nos ? r->line_nos[i] : (uint32_t)i + 1;
		fx.line = clean_line(r->lines[i]);
		if (fx.line.len == 0) {
			fx.modules_open = false;
			fx.ppc_code = false;
			continue;
		}
		one_line(&fx);
	}
	finish(&fx);
}
