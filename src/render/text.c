/*
 * render: a report as text for people. Order: title, one-line summary, what
 * happened, fault, context, call trace (guilty frame marked, unreliable
 * frames set apart), register notes, modules of note, taint, hardware,
 * panic, findings. Colour only when the caller asks (the CLI decides: a
 * terminal and no NO_COLOR).
 */
#include <ktriage/analyze.h>
#include <ktriage/summary.h>

#include <stdlib.h>
#include <string.h>

#include "render/render.h"
#include "util/str.h"

#define MAX_TEXT_FRAMES 40	/* reliable frames shown without --verbose */
#define INSNS_BEFORE 4		/* instructions shown before the faulting one */
#define INSNS_AFTER 1

struct out {
	struct kt_buf b;
	bool color;
};

static const char *
sgr(const struct out *o, const char *code)
{
	return o->color ? code : "";
}

#define BOLD(o) sgr(o, "\033[1m")
#define DIM(o) sgr(o, "\033[2m")
#define RED(o) sgr(o, "\033[31m")
#define YEL(o) sgr(o, "\033[33m")
#define GRN(o) sgr(o, "\033[32m")
#define RST(o) sgr(o, "\033[0m")

static void
section(struct out *o, const char *name)
{
	kt_buf_printf(&o->b, "\n%s%s%s\n", BOLD(o), name, RST(o));
}

void
kt_render_frame(struct kt_buf *b, const struct kt_frame *f)
{
	kt_buf_adds(b, f->function ? f->function : "?");
	if (f->has_offset) {
		kt_buf_printf(b, "+0x%llx", (unsigned long long)f->offset);
		if (f->size)
			kt_buf_printf(b, "/0x%llx", (unsigned long long)f->size);
	}
	if (!f->function && f->address)
		kt_buf_printf(b, "0x%llx", (unsigned long long)f->address);
	if (f->module)
		kt_buf_printf(b, " [%s]", f->module);
	if (f->file)
		kt_buf_printf(b, " %s:%d", f->file, f->line_no);
	if (f->inlined)
		kt_buf_adds(b, " (inlined)");
}

static void
render_header(struct out *o, const struct kt_report *r)
{
	kt_buf_printf(&o->b, "%s%s%s\n", BOLD(o), r->title ? r->title : "(untitled crash)",
		      RST(o));
	kt_buf_printf(&o->b, "  %s%s", DIM(o), kt_kind_name(r->kind));
	if (r->arch != KT_ARCH_UNKNOWN)
		kt_buf_printf(&o->b, " · %s", kt_arch_name(r->arch));
	if (r->bucket[0])
		kt_buf_printf(&o->b, " · bucket %s", r->bucket);
	if (r->source.file)
		kt_buf_printf(&o->b, " · %s:%u-%u", r->source.file, r->source.first_line,
			      r->source.last_line);
	if (r->source.timestamp >= 0)
		kt_buf_printf(&o->b, " · [%.6f]", r->source.timestamp);
	if (r->source.wallclock)
		kt_buf_printf(&o->b, " · %s", r->source.wallclock);
	if (r->source.host)
		kt_buf_printf(&o->b, " · host %s", r->source.host);
	kt_buf_printf(&o->b, "%s\n", RST(o));
	if (r->corrupted)
		kt_buf_printf(&o->b, "  %sreport is incomplete: %s%s\n", YEL(o),
			      r->corrupted_reason ? r->corrupted_reason : "corrupted", RST(o));
	if (r->incomplete)
		kt_buf_printf(&o->b, "  %sreport is cut short: %s%s\n", YEL(o),
			      r->incomplete_reason ? r->incomplete_reason : "incomplete", RST(o));
}

static void
render_story(struct out *o, const struct kt_report *r)
{
	if (!r->n_story)
		return;
	section(o, "What happened");
	for (size_t i = 0; i < r->n_story; i++)
		kt_buf_printf(&o->b, "  %s\n", r->story[i]);
}

static void
render_fault(struct out *o, const struct kt_report *r, bool verbose)
{
	const struct kt_fault *f = &r->fault;

	if (!f->present && !r->ip.present && !r->n_insns)
		return;
	section(o, "Fault");
	if (f->present) {
		kt_buf_adds(&o->b, "  ");
		if (f->mode)
			kt_buf_printf(&o->b, "%s-mode ", f->mode);
		kt_buf_printf(&o->b, "%s", f->access ? f->access : "access");
		if (f->reason)
			kt_buf_printf(&o->b, " of a %s", f->reason);
		if (f->has_address)
			kt_buf_printf(&o->b, " at %016llx", (unsigned long long)f->address);
		if (f->has_error_code)
			kt_buf_printf(&o->b, " (error code 0x%llx)", (unsigned long long)f->error_code);
		kt_buf_addc(&o->b, '\n');
		for (size_t i = 0; i < f->error_bits.n; i++)
			kt_buf_printf(&o->b, "    %-10s %s\n", f->error_bits.v[i].name,
				      f->error_bits.v[i].meaning ? f->error_bits.v[i].meaning : "");
		if (f->page_table)
			kt_buf_printf(&o->b, "  page table: %s\n", f->page_table);
	}
	if (r->ip.present) {
		kt_buf_printf(&o->b, "  at %s+0x%llx", r->ip.function ? r->ip.function : "?",
			      (unsigned long long)r->ip.offset);
		if (r->ip.size)
			kt_buf_printf(&o->b, "/0x%llx", (unsigned long long)r->ip.size);
		if (r->ip.module)
			kt_buf_printf(&o->b, " [%s]", r->ip.module);
		if (r->ip.address)
			kt_buf_printf(&o->b, " (%016llx)", (unsigned long long)r->ip.address);
		if (r->ip.segment)
			kt_buf_printf(&o->b, ", code segment %s", r->ip.segment);
		kt_buf_addc(&o->b, '\n');
	}
	if (r->n_insns) {
		size_t lo = 0, hi = r->n_insns;

		/* Around the faulting instruction: what led to it, and one after
		 * (bytes after the fault are printed but may decode as garbage). */
		for (size_t i = 0; i < r->n_insns; i++) {
			if (r->insns[i].faulting && !verbose) {
				lo = i > INSNS_BEFORE ? i - INSNS_BEFORE : 0;
				hi = i + INSNS_AFTER + 1 < r->n_insns ? i + INSNS_AFTER + 1 : r->n_insns;
				break;
			}
		}
		kt_buf_adds(&o->b, "  code:\n");
		for (size_t i = lo; i < hi; i++) {
			const struct kt_insn *in = &r->insns[i];

			kt_buf_printf(&o->b, "  %s%s %s%s%s\n", in->faulting ? RED(o) : "",
				      in->faulting ? "  =>" : "    ", in->text ? in->text : "",
				      in->faulting ? "   <- faulting instruction" : "",
				      in->faulting ? RST(o) : "");
		}
	}
	if (r->insn_note)
		kt_buf_printf(&o->b, "  %s\n", r->insn_note);
}

static void
render_context(struct out *o, const struct kt_report *r)
{
	const struct kt_xen *x = &r->xen;

	section(o, "Context");
	kt_buf_adds(&o->b, " ");
	if (r->cpu != KT_NONE)
		kt_buf_printf(&o->b, " CPU %d", r->cpu);
	if (r->pid != KT_NONE)
		kt_buf_printf(&o->b, " PID %d", r->pid);
	if (r->comm)
		kt_buf_printf(&o->b, " Comm %s", r->comm);
	kt_buf_printf(&o->b, "%s%s\n", r->cpu != KT_NONE || r->comm ? ": " : " ",
		      kt_context_name(r->context));
	if (r->context_why)
		kt_buf_printf(&o->b, "  %s\n", r->context_why);
	if (r->workqueue)
		kt_buf_printf(&o->b, "  workqueue: %s\n", r->workqueue);
	if (r->kernel.release)
		kt_buf_printf(&o->b, "  kernel %s\n", r->kernel.release);
	if (x->present) {
		kt_buf_adds(&o->b, "  Xen");
		if (x->version)
			kt_buf_printf(&o->b, " %s", x->version);
		if (x->pcpu != KT_NONE)
			kt_buf_printf(&o->b, ": on PCPU %d", x->pcpu);
		if (x->domain != KT_NONE)
			kt_buf_printf(&o->b, " as DOM%d", x->domain);
		if (x->vcpu != KT_NONE)
			kt_buf_printf(&o->b, " VCPU %d", x->vcpu);
		if (x->vcpu_kernel_mode)
			kt_buf_adds(&o->b, " (VCPU in kernel mode)");
		kt_buf_addc(&o->b, '\n');
		if (x->crash_reason)
			kt_buf_printf(&o->b, "  Xen says: %s\n", x->crash_reason);
		if (x->analyser_log_seen && !x->analyser_complete)
			kt_buf_printf(&o->b, "  %sxen-crashdump-analyser did not complete: the crash "
				      "folder may be partial%s\n", YEL(o), RST(o));
	}
}

static void
render_trace(struct out *o, const struct kt_report *r, bool verbose)
{
	enum kt_stack cur = KT_STACK_COUNT;
	size_t shown = 0, hidden = 0, unreliable = 0;
	bool guilty_done = false;

	if (!r->n_frames)
		return;
	section(o, "Call trace");
	for (size_t i = 0; i < r->n_frames; i++) {
		const struct kt_frame *f = &r->frames[i];
		bool guilty = !guilty_done && r->frame && f->function && f->reliable &&
			      strcmp(f->function, r->frame) == 0;

		if (!f->reliable) {
			unreliable++;
			if (!verbose)
				continue;
		}
		if (!verbose && shown >= MAX_TEXT_FRAMES) {
			hidden++;
			continue;
		}
		if (f->stack != cur) {
			cur = f->stack;
			if (cur != KT_STACK_NONE)
				kt_buf_printf(&o->b, "  %s<%s>%s\n", DIM(o), kt_stack_name(cur), RST(o));
		}
		guilty_done |= guilty;
		kt_buf_printf(&o->b, "  %s%s", guilty ? RED(o) : (f->reliable ? "" : DIM(o)),
			      guilty ? "=> " : (f->reliable ? "   " : " ? "));
		kt_render_frame(&o->b, f);
		kt_buf_printf(&o->b, "%s%s\n", guilty ? "   <- guilty frame" : "", RST(o));
		shown++;
	}
	if (hidden)
		kt_buf_printf(&o->b, "  ... %zu more frames (--verbose shows all)\n", hidden);
	if (unreliable && !verbose)
		kt_buf_printf(&o->b, "  %s%zu unreliable '?' frames (stack-scan leftovers) set apart; "
			      "--verbose shows them%s\n", DIM(o), unreliable, RST(o));
}

static void
render_regs(struct out *o, const struct kt_report *r, bool verbose)
{
	if (!r->n_reg_notes && !(verbose && r->n_regs))
		return;
	section(o, "Registers");
	for (size_t i = 0; i < r->n_reg_notes; i++)
		kt_buf_printf(&o->b, "  %-6s %016llx  %s\n", r->reg_notes[i].reg,
			      (unsigned long long)r->reg_notes[i].value, r->reg_notes[i].what);
	if (verbose)
		for (size_t i = 0; i < r->n_regs; i++)
			kt_buf_printf(&o->b, "%s%-6s %016llx", i % 3 ? "  " : "\n  ",
				      r->regs[i].name, (unsigned long long)r->regs[i].value);
	if (verbose && r->n_regs)
		kt_buf_addc(&o->b, '\n');
}

static void
render_modules(struct out *o, const struct kt_report *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_modules; i++)
		n += r->modules[i].flags && r->modules[i].flags[0];
	if (!n && !r->kernel.tainted)
		return;
	section(o, "Modules and taint");
	if (n) {
		kt_buf_adds(&o->b, "  flagged modules:");
		for (size_t i = 0; i < r->n_modules; i++)
			if (r->modules[i].flags && r->modules[i].flags[0])
				kt_buf_printf(&o->b, " %s(%s)", r->modules[i].name, r->modules[i].flags);
		kt_buf_addc(&o->b, '\n');
	}
	if (r->kernel.tainted) {
		kt_buf_printf(&o->b, "  tainted: %s\n", r->kernel.tainted);
		for (size_t i = 0; i < r->kernel.taint.n; i++)
			kt_buf_printf(&o->b, "    %-3s %s\n", r->kernel.taint.v[i].name,
				      r->kernel.taint.v[i].meaning ? r->kernel.taint.v[i].meaning : "");
	}
	kt_buf_printf(&o->b, "  %s%zu modules loaded%s%s%s\n", DIM(o), r->n_modules,
		      r->last_unloaded ? "; last unloaded: " : "",
		      r->last_unloaded ? r->last_unloaded : "", RST(o));
}

static void
render_misc(struct out *o, const struct kt_report *r)
{
	if (r->hardware) {
		section(o, "Hardware");
		kt_buf_printf(&o->b, "  %s%s%s\n", r->hardware, r->bios ? ", BIOS " : "",
			      r->bios ? r->bios : "");
	}
	if (r->panic) {
		section(o, "Panic");
		kt_buf_printf(&o->b, "  %sKernel panic - not syncing: %s%s\n", RED(o), r->panic, RST(o));
	}
}

static const char *
sev_color(const struct out *o, const char *sev)
{
	if (!sev)
		return "";
	if (!strcmp(sev, "critical") || !strcmp(sev, "high"))
		return RED(o);
	if (!strcmp(sev, "medium"))
		return YEL(o);
	return GRN(o);
}

static void
render_findings(struct out *o, const struct kt_report *r)
{
	if (!r->n_findings)
		return;
	section(o, "Findings");
	for (size_t i = 0; i < r->n_findings; i++) {
		const struct kt_finding *f = &r->findings[i];

		kt_buf_printf(&o->b, "  %s[%s]%s %s%s%s  (confidence %s; rule %s)\n",
			      sev_color(o, f->severity), f->severity ? f->severity : "?", RST(o),
			      BOLD(o), f->title ? f->title : "", RST(o),
			      f->confidence ? f->confidence : "?", f->rule ? f->rule : "?");
		for (size_t j = 0; j < f->n_evidence; j++)
			kt_buf_printf(&o->b, "      evidence: %s\n", f->evidence[j]);
		if (f->explanation)
			kt_buf_printf(&o->b, "      why: %s\n", f->explanation);
		for (size_t j = 0; j < f->n_remedy; j++)
			kt_buf_printf(&o->b, "      %zu. %s\n", j + 1, f->remedy[j]);
		for (size_t j = 0; j < f->n_raise; j++)
			kt_buf_printf(&o->b, "      would raise the confidence: %s\n", f->raise[j]);
		for (size_t j = 0; j < f->n_references; j++)
			kt_buf_printf(&o->b, "      see: %s\n", f->references[j]);
	}
}

static void
render_notes(struct out *o, const struct kt_report *r)
{
	if (!r->n_notes)
		return;
	section(o, "Parser notes");
	for (size_t i = 0; i < r->n_notes; i++)
		kt_buf_printf(&o->b, "  line %u: %s: %s\n", r->notes[i].line,
			      kt_sev_name(r->notes[i].sev), r->notes[i].msg);
}

char *
kt_render_text(const struct kt_report *r, const struct kt_render_opts *opts)
{
	struct out o;
	bool verbose = opts && opts->verbose;

	kt_buf_init(&o.b);
	o.color = opts && opts->color;
	render_header(&o, r);
	render_story(&o, r);
	render_fault(&o, r, verbose);
	render_context(&o, r);
	render_trace(&o, r, verbose);
	render_regs(&o, r, verbose);
	render_modules(&o, r);
	render_misc(&o, r);
	render_findings(&o, r);
	if (verbose)
		render_notes(&o, r);
	if (!o.b.p)
		kt_buf_adds(&o.b, "");
	if (opts && (opts->width > 0 || opts->ascii))
		return kt_render_fit(o.b.p, opts->width, opts->ascii);
	return o.b.p;
}
