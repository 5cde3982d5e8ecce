/*
 * decode: which context the crashing code ran in (task, softirq, hardirq,
 * NMI, hypervisor) and why we think so. Evidence, strongest first
 * (linux kernel/sched/core.c __might_resched, arch/x86/kernel/dumpstack.c):
 * the preempt count of an atomic-sleep report, the stack section the top
 * frames sit in (<IRQ>, <NMI> ...), the first context frame from the top
 * (data/decode/context-frames.tsv), the panic message, the idle task,
 * EFLAGS.IF. It never overrides the parser's frames; it only reads them.
 */
#include "decode/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/str.h"

#define WHY_MAX 1024

struct why {
	char buf[WHY_MAX];
	size_t len;
};

static void
why_add(struct why *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
why_add(struct why *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->len + 3 >= sizeof(w->buf))
		return;
	if (w->len) {
		memcpy(w->buf + w->len, "; ", 2);
		w->len += 2;
	}
	va_start(ap, fmt);
	n = vsnprintf(w->buf + w->len, sizeof(w->buf) - w->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		w->len += (size_t)n < sizeof(w->buf) - w->len ? (size_t)n : sizeof(w->buf) - w->len - 1;
}

/* The first row whose "function" pattern names func ("name" exactly, or
 * "prefix*"); "ip_fragment.isra.0" / "foo.cold" compare by base name.
 * -1 when none. The first byte is compared before anything else: this
 * runs for every frame of every report. */
static long
context_row(const struct kt_dtable *cf, const char *func)
{
	int c_fn = kt_dtable_col(cf, "function");
	size_t flen;

	if (!func || c_fn < 0)
		return -1;
	flen = strcspn(func, ".");
	for (size_t i = 0; i < cf->n_rows; i++) {
		const char *pat = cf->cells[i * cf->n_cols + (size_t)c_fn];
		size_t plen;

		if (!pat || (pat[0] != func[0] && pat[0] != '*'))
			continue;
		plen = strlen(pat);
		if (plen && pat[plen - 1] == '*') {
			if (flen >= plen - 1 && strncmp(func, pat, plen - 1) == 0)
				return (long)i;
		} else if (plen == flen && strncmp(func, pat, flen) == 0) {
			return (long)i;
		}
	}
	return -1;
}

const char *
kt_context_of_function(const struct kt_dtable *cf, const char *func)
{
	long i = context_row(cf, func);

	return i < 0 ? NULL : kt_dtable_get(cf, (size_t)i, kt_dtable_col(cf, "context"));
}

static const char *
context_meaning(const struct kt_dtable *cf, const char *func)
{
	long i = context_row(cf, func);

	return i < 0 ? "" : kt_dtable_get(cf, (size_t)i, kt_dtable_col(cf, "meaning"));
}

static enum kt_context
context_from_name(const char *s)
{
	if (!s)
		return KT_CONTEXT_UNKNOWN;
	if (strcmp(s, "softirq") == 0)
		return KT_CONTEXT_SOFTIRQ;
	if (strcmp(s, "hardirq") == 0)
		return KT_CONTEXT_HARDIRQ;
	if (strcmp(s, "nmi") == 0)
		return KT_CONTEXT_NMI;
	if (strcmp(s, "task") == 0)
		return KT_CONTEXT_TASK;
	return KT_CONTEXT_UNKNOWN;
}

/* "BUG: scheduling while atomic: swapper/0/0/0x00000100" or the line
 * "preempt_count: 201, expected: 0" of "sleeping function called ...". */
static bool
find_preempt_count(const struct kt_report *r, uint64_t *ret)
{
	const char *h = r->header;

	if (h && strstr(h, "scheduling while atomic")) {
		const char *p = strrchr(h, '/');

		if (p && kt_parse_hex(kt_str_cstr(p + 1), ret) > 2)
			return true;
	}
	for (size_t i = 0; i < r->n_lines; i++) {
		const char *p = r->lines[i] ? strstr(r->lines[i], "preempt_count: ") : NULL;

		if (p && kt_parse_hex(kt_str_cstr(p + 15), ret) > 0)
			return true;
	}
	return false;
}

/* x86 preempt_count layout (include/linux/preempt.h): bits 0-7 preemption
 * depth, 8-15 softirq (0x100 = serving a softirq, 0x200 steps = BH disabled),
 * 16-19 hardirq, 20-23 NMI; bit 31 is x86's inverted need-resched flag. */
static enum kt_context
context_from_preempt_count(uint64_t pc, struct why *w)
{
	pc &= 0x7fffffff;
	if ((pc >> 20) & 0xf) {
		why_add(w, "preempt_count 0x%08llx has the NMI bits set", (unsigned long long)pc);
		return KT_CONTEXT_NMI;
	}
	if ((pc >> 16) & 0xf) {
		why_add(w, "preempt_count 0x%08llx has the hardirq bits set", (unsigned long long)pc);
		return KT_CONTEXT_HARDIRQ;
	}
	if ((pc >> 8) & 1) {
		why_add(w, "preempt_count 0x%08llx says a softirq was being served",
			(unsigned long long)pc);
		return KT_CONTEXT_SOFTIRQ;
	}
	why_add(w, "task context in an atomic section: preempt_count 0x%08llx (%s)",
		(unsigned long long)pc,
		((pc >> 8) & 0xff) ? "bottom halves disabled" : "preemption disabled");
	return KT_CONTEXT_TASK;
}

static const char *
stack_words(enum kt_stack s)
{
	switch (s) {
	case KT_STACK_IRQ:
		return "the interrupt stack (<IRQ> section of the call trace)";
	case KT_STACK_SOFTIRQ:
		return "the softirq stack (<SOFTIRQ> section of the call trace)";
	case KT_STACK_NMI:
		return "the NMI stack (<NMI> section of the call trace)";
	case KT_STACK_EXCEPTION:
		return "an exception stack";
	default:
		return "the task stack";
	}
}

/* The stack section of the top of the trace: the section of the first
 * reliable frame (or of the first frame if none is reliable). */
static size_t
top_section(const struct kt_report *r, enum kt_stack *ret_stack, size_t *ret_end)
{
	size_t first = 0, end;

	while (first < r->n_frames && !r->frames[first].reliable)
		first++;
	if (first == r->n_frames)
		first = 0;
	*ret_stack = r->frames[first].stack;
	for (end = 0; end < r->n_frames && (r->frames[end].stack == *ret_stack || end < first); end++)
		;
	*ret_end = end;
	return first;
}

/* First context frame (by the table) from the top of the section; reliable
 * frames only, unless the section has none. */
static const struct kt_frame *
first_context_frame(const struct kt_report *r, const struct kt_dtable *cf, size_t end)
{
	bool any_reliable = false;

	for (size_t i = 0; i < end; i++)
		any_reliable |= r->frames[i].reliable;
	for (size_t i = 0; i < end; i++) {
		const struct kt_frame *f = &r->frames[i];

		if ((f->reliable || !any_reliable) && kt_context_of_function(cf, f->function))
			return f;
	}
	return NULL;
}

static bool
panic_in_interrupt(const struct kt_report *r)
{
	return r->panic && strstr(r->panic, "in interrupt") != NULL;
}

static enum kt_context
context_from_frames(const struct kt_report *r, const struct kt_dtable *cf, struct why *w)
{
	enum kt_stack st;
	size_t end;
	const struct kt_frame *f;
	enum kt_context c;

	if (r->n_frames == 0)
		return KT_CONTEXT_UNKNOWN;
	(void)top_section(r, &st, &end);
	f = first_context_frame(r, cf, end);
	c = f ? context_from_name(kt_context_of_function(cf, f->function)) : KT_CONTEXT_UNKNOWN;
	if (st == KT_STACK_IRQ || st == KT_STACK_SOFTIRQ || st == KT_STACK_NMI)
		why_add(w, "the faulting code ran on %s", stack_words(st));
	if (f)
		why_add(w, "%s %s in the call trace (%s)",
			c == KT_CONTEXT_TASK ? "entered from" : "below", f->function,
			context_meaning(cf, f->function));
	if (st == KT_STACK_NMI)
		return KT_CONTEXT_NMI;
	if (st == KT_STACK_SOFTIRQ)
		return KT_CONTEXT_SOFTIRQ;
	if (st == KT_STACK_IRQ) {
		if (c == KT_CONTEXT_SOFTIRQ || c == KT_CONTEXT_NMI)
			return c;
		/* A cut-short trace may stop above the softirq frames. */
		if (r->incomplete && c == KT_CONTEXT_UNKNOWN) {
			why_add(w, "the call trace is cut short: hard or soft irq cannot be told");
			return KT_CONTEXT_UNKNOWN;
		}
		return KT_CONTEXT_HARDIRQ;
	}
	return c;
}

/* Stall and lockup reports are printed by a watchdog from the timer
 * interrupt (or an NMI): the <IRQ>/<NMI> section on top is the detector, and
 * the stalled code is the section below it. */
static enum kt_context
detector_context(const struct kt_report *r, const struct kt_dtable *cf, struct why *w)
{
	struct kt_report below;
	enum kt_stack st;
	size_t end;
	enum kt_context c;

	if ((r->kind != KT_KIND_SOFT_LOCKUP && r->kind != KT_KIND_HARD_LOCKUP &&
	     r->kind != KT_KIND_RCU_STALL) || r->n_frames == 0)
		return KT_CONTEXT_UNKNOWN;
	(void)top_section(r, &st, &end);
	if ((st != KT_STACK_IRQ && st != KT_STACK_NMI) || end >= r->n_frames)
		return KT_CONTEXT_UNKNOWN;
	below = *r;	/* a view of the frames under the detector's section */
	below.frames = r->frames + end;
	below.n_frames = r->n_frames - end;
	why_add(w, "the report was printed by the watchdog from %s; the stalled code is below it",
		stack_words(st));
	c = context_from_frames(&below, cf, w);
	if (c == KT_CONTEXT_UNKNOWN) {
		why_add(w, "no interrupt frames below the watchdog's section");
		c = KT_CONTEXT_TASK;
	}
	return c;
}

/* No kernel call trace, but Xen's guest-state block has a stack scan (a
 * dom0 whose own log was lost): use it, all frames being equally unsure. */
static enum kt_context
context_from_xen_scan(const struct kt_report *r, const struct kt_dtable *cf, struct why *w)
{
	struct kt_report view = *r;
	enum kt_context c;

	view.frames = r->xen.frames;
	view.n_frames = r->xen.n_frames;
	c = context_from_frames(&view, cf, w);
	if (c != KT_CONTEXT_UNKNOWN)
		why_add(w, "from the stack scan of Xen's guest-state dump (no kernel call trace)");
	return c;
}

static void
add_side_evidence(const struct kt_report *r, struct why *w)
{
	uint64_t fl;

	if (panic_in_interrupt(r))
		why_add(w, "the panic says \"%s\" (in_interrupt() was true)", r->panic);
	if (r->pid == 0 && r->comm && strncmp(r->comm, "swapper", 7) == 0)
		why_add(w, "the interrupted task is the idle task %s (PID 0): no user process involved",
			r->comm);
	if ((r->ip.segment && strcasecmp(r->ip.segment, "e030") == 0) ||
	    (r->xen.present && r->xen.vcpu_kernel_mode))
		why_add(w, "Xen PV guest kernel (CS e030 / VCPU in kernel mode): kernel mode even though "
			   "a PV kernel runs in ring 3");
	if ((kt_report_reg(r, "EFLAGS", &fl) || kt_report_reg(r, "RFLAGS", &fl)) && !(fl & 0x200))
		why_add(w, "interrupts were disabled (EFLAGS.IF clear)");
}

void
kt_decode_context(struct kt_report *r, const struct kt_dtable *cf)
{
	struct why w = { .len = 0 };
	enum kt_context c = KT_CONTEXT_UNKNOWN;
	uint64_t pc, fl;

	w.buf[0] = '\0';
	if (r->kind == KT_KIND_XEN_CRASH) {
		r->context = KT_CONTEXT_HYPERVISOR;
		r->context_why = "the Xen hypervisor itself crashed";
		return;
	}
	if (r->kind == KT_KIND_ATOMIC_SLEEP && find_preempt_count(r, &pc))
		c = context_from_preempt_count(pc, &w);
	if (c == KT_CONTEXT_UNKNOWN)
		c = detector_context(r, cf, &w);
	if (c == KT_CONTEXT_UNKNOWN)
		c = context_from_frames(r, cf, &w);
	if (c == KT_CONTEXT_UNKNOWN && r->n_frames == 0 && r->xen.n_frames > 0)
		c = context_from_xen_scan(r, cf, &w);
	if (c == KT_CONTEXT_UNKNOWN && panic_in_interrupt(r)) {
		/* in_interrupt() with no frame evidence: hard-irq handlers run with
		 * IF clear, so IF set points at softirq (or a BH-disabled section).
		 * Without EFLAGS either is possible: say so and leave it unknown. */
		if (kt_report_reg(r, "EFLAGS", &fl) || kt_report_reg(r, "RFLAGS", &fl)) {
			c = (fl & 0x200) ? KT_CONTEXT_SOFTIRQ : KT_CONTEXT_HARDIRQ;
			why_add(&w, "no interrupt frames found; guessed from the panic message and "
				    "EFLAGS.IF %s", (fl & 0x200) ? "set" : "clear");
		} else {
			why_add(&w, "interrupt context of an unknown kind (hard or soft irq): no frames "
				    "or EFLAGS to tell");
		}
	}
	if (c == KT_CONTEXT_UNKNOWN && r->incomplete) {
		/* no frame said it; the missing lines might have */
		why_add(&w, "the report is cut short (%s): no guess from a partial call trace",
			r->incomplete_reason ? r->incomplete_reason : "incomplete");
		r->context = c;
		r->context_why = kt_report_strndup(r, w.buf, w.len);
		return;
	}
	if (c == KT_CONTEXT_UNKNOWN && r->n_frames > 0 && r->panic && !panic_in_interrupt(r)) {
		c = KT_CONTEXT_TASK;
		why_add(&w, "no interrupt frames and the panic was not \"in interrupt\"");
	}
	if (c == KT_CONTEXT_UNKNOWN && r->n_frames > 0) {
		c = KT_CONTEXT_TASK;
		why_add(&w, "no interrupt, softirq or NMI frames in the call trace");
	}
	add_side_evidence(r, &w);
	r->context = c;
	r->context_why = w.len ? kt_report_strndup(r, w.buf, w.len) : NULL;
}
