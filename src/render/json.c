/*
 * render: a report as one JSON object, written straight into a buffer by
 * the streaming writer (jsonw.h). Keys are documented in
 * docs/report-json.md. 64-bit values (addresses, registers, offsets) are
 * hex strings ("0xffff8801705505c0"), since JSON numbers lose precision
 * above 2^53. Absent values are null, never invented.
 */
#include <ktriage/analyze.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/jsonw.h"

/* key: value helpers, so each field is one line below */
static void
kstr(struct kt_jsonw *w, const char *k, const char *v)
{
	kt_jsonw_key(w, k);
	kt_jsonw_str(w, v);
}

static void
khex(struct kt_jsonw *w, const char *k, bool present, uint64_t v)
{
	kt_jsonw_key(w, k);
	if (present)
		kt_jsonw_hex(w, v);
	else
		kt_jsonw_null(w);
}

static void
kint(struct kt_jsonw *w, const char *k, int v)
{
	kt_jsonw_key(w, k);
	if (v == KT_NONE)
		kt_jsonw_null(w);
	else
		kt_jsonw_int(w, v);
}

static void
kbool(struct kt_jsonw *w, const char *k, bool v)
{
	kt_jsonw_key(w, k);
	kt_jsonw_bool(w, v);
}

static void
str_array(struct kt_jsonw *w, const char *k, const char **v, size_t n)
{
	kt_jsonw_key(w, k);
	kt_jsonw_arr(w);
	for (size_t i = 0; i < n; i++)
		if (v[i])
			kt_jsonw_str(w, v[i]);
	kt_jsonw_arr_end(w);
}

static void
flag_array(struct kt_jsonw *w, const char *k, const struct kt_flag_list *l)
{
	kt_jsonw_key(w, k);
	kt_jsonw_arr(w);
	for (size_t i = 0; i < l->n; i++) {
		kt_jsonw_obj(w);
		kstr(w, "name", l->v[i].name);
		kstr(w, "meaning", l->v[i].meaning);
		kt_jsonw_obj_end(w);
	}
	kt_jsonw_arr_end(w);
}

static void
frame_obj(struct kt_jsonw *w, const struct kt_frame *f)
{
	kt_jsonw_obj(w);
	kstr(w, "function", f->function);
	khex(w, "offset", f->has_offset, f->offset);
	khex(w, "size", f->has_offset && f->size, f->size);
	khex(w, "address", f->address != 0, f->address);
	kstr(w, "module", f->module);
	if (f->buildid)
		kstr(w, "buildid", f->buildid);
	if (f->file) {
		kstr(w, "file", f->file);
		kint(w, "line", f->line_no);
	}
	if (f->inlined)
		kbool(w, "inlined", true);
	kbool(w, "reliable", f->reliable);
	kstr(w, "stack", kt_stack_name(f->stack));
	kint(w, "log_line", (int)f->log_line);
	kt_jsonw_obj_end(w);
}

static void
frames_arr(struct kt_jsonw *w, const char *k, const struct kt_frame *v, size_t n)
{
	kt_jsonw_key(w, k);
	kt_jsonw_arr(w);
	for (size_t i = 0; i < n; i++)
		frame_obj(w, &v[i]);
	kt_jsonw_arr_end(w);
}

static void
regs_obj(struct kt_jsonw *w, const char *k, const struct kt_reg *v, size_t n)
{
	kt_jsonw_key(w, k);
	kt_jsonw_obj(w);
	for (size_t i = 0; i < n; i++)
		if (v[i].name)
			khex(w, v[i].name, true, v[i].value);
	kt_jsonw_obj_end(w);
}

static void
fault_obj(struct kt_jsonw *w, const struct kt_fault *f)
{
	kt_jsonw_key(w, "fault");
	if (!f->present) {
		kt_jsonw_null(w);
		return;
	}
	kt_jsonw_obj(w);
	khex(w, "address", f->has_address, f->address);
	kstr(w, "access", f->access);
	kstr(w, "mode", f->mode);
	kstr(w, "reason", f->reason);
	khex(w, "error_code", f->has_error_code, f->error_code);
	flag_array(w, "error_bits", &f->error_bits);
	kstr(w, "page_table", f->page_table);
	flag_array(w, "pte_bits", &f->pte_bits);
	kt_jsonw_obj_end(w);
}

static void
ip_obj(struct kt_jsonw *w, const struct kt_ip *ip)
{
	kt_jsonw_key(w, "ip");
	if (!ip->present) {
		kt_jsonw_null(w);
		return;
	}
	kt_jsonw_obj(w);
	kstr(w, "function", ip->function);
	khex(w, "offset", true, ip->offset);
	khex(w, "size", ip->size != 0, ip->size);
	khex(w, "address", ip->address != 0, ip->address);
	kstr(w, "module", ip->module);
	kstr(w, "segment", ip->segment);
	kt_jsonw_obj_end(w);
}

static void
code_obj(struct kt_jsonw *w, const struct kt_code *c)
{
	struct kt_buf hex;

	kt_jsonw_key(w, "code");
	if (!c->n && !c->raw) {
		kt_jsonw_null(w);
		return;
	}
	kt_buf_init(&hex);
	kt_buf_add(&hex, "", 0);
	for (size_t i = 0; i < c->n; i++) {
		static const char digits[] = "0123456789abcdef";
		char two[3] = { ' ', digits[c->bytes[i] >> 4], digits[c->bytes[i] & 0xf] };

		kt_buf_add(&hex, i ? two : two + 1, i ? 3 : 2);
	}
	kt_jsonw_obj(w);
	kstr(w, "bytes", hex.p);
	kint(w, "fault_offset", c->fault_offset);
	kstr(w, "raw", c->raw);
	kt_jsonw_obj_end(w);
	kt_buf_deinit(&hex);
}

static void
modules_arr(struct kt_jsonw *w, const struct kt_report *r)
{
	kt_jsonw_key(w, "modules");
	kt_jsonw_arr(w);
	for (size_t i = 0; i < r->n_modules; i++) {
		kt_jsonw_obj(w);
		kstr(w, "name", r->modules[i].name);
		kstr(w, "flags", r->modules[i].flags);
		kt_jsonw_obj_end(w);
	}
	kt_jsonw_arr_end(w);
}

static void
xen_obj(struct kt_jsonw *w, const struct kt_xen *x)
{
	kt_jsonw_key(w, "xen");
	if (!x->present) {
		kt_jsonw_null(w);
		return;
	}
	kt_jsonw_obj(w);
	kstr(w, "version", x->version);
	kint(w, "pcpu", x->pcpu);
	kint(w, "domain", x->domain);
	kint(w, "vcpu", x->vcpu);
	kbool(w, "vcpu_kernel_mode", x->vcpu_kernel_mode);
	kstr(w, "guest_rip", x->guest_rip);
	kstr(w, "crash_reason", x->crash_reason);
	if (x->analyser_log_seen)
		kbool(w, "analyser_complete", x->analyser_complete);
	regs_obj(w, "registers", x->regs, x->n_regs);
	frames_arr(w, "frames", x->frames, x->n_frames);
	kt_jsonw_obj_end(w);
}

static void
findings_arr(struct kt_jsonw *w, const struct kt_report *r)
{
	kt_jsonw_key(w, "findings");
	kt_jsonw_arr(w);
	for (size_t i = 0; i < r->n_findings; i++) {
		const struct kt_finding *f = &r->findings[i];

		kt_jsonw_obj(w);
		kstr(w, "rule", f->rule);
		kstr(w, "title", f->title);
		kstr(w, "severity", f->severity);
		kstr(w, "confidence", f->confidence);
		kt_jsonw_key(w, "score");
		kt_jsonw_real(w, f->score, 3);
		str_array(w, "evidence", f->evidence, f->n_evidence);
		kstr(w, "explanation", f->explanation);
		str_array(w, "remedy", f->remedy, f->n_remedy);
		str_array(w, "references", f->references, f->n_references);
		kt_jsonw_obj_end(w);
	}
	kt_jsonw_arr_end(w);
}

static void
instruction_obj(struct kt_jsonw *w, const struct kt_report *r)
{
	const char *faulting = NULL;

	kt_jsonw_key(w, "instruction");
	if (!r->n_insns) {
		kt_jsonw_null(w);
		return;
	}
	for (size_t i = 0; i < r->n_insns; i++)
		if (r->insns[i].faulting)
			faulting = r->insns[i].text;
	kt_jsonw_obj(w);
	kstr(w, "faulting", faulting);
	kstr(w, "note", r->insn_note);
	kt_jsonw_key(w, "listing");
	kt_jsonw_arr(w);
	for (size_t i = 0; i < r->n_insns; i++) {
		kt_jsonw_obj(w);
		khex(w, "address", true, r->insns[i].address);
		kstr(w, "text", r->insns[i].text);
		kbool(w, "faulting", r->insns[i].faulting);
		kt_jsonw_obj_end(w);
	}
	kt_jsonw_arr_end(w);
	kt_jsonw_obj_end(w);
}

static void
reg_notes_arr(struct kt_jsonw *w, const struct kt_report *r)
{
	kt_jsonw_key(w, "register_notes");
	kt_jsonw_arr(w);
	for (size_t i = 0; i < r->n_reg_notes; i++) {
		const struct kt_reg_note *n = &r->reg_notes[i];

		kt_jsonw_obj(w);
		kstr(w, "register", n->reg);
		khex(w, "value", true, n->value);
		kstr(w, "note", n->what);
		kstr(w, "tag", n->tag);
		kt_jsonw_obj_end(w);
	}
	kt_jsonw_arr_end(w);
}

static void
notes_arr(struct kt_jsonw *w, const struct kt_report *r)
{
	kt_jsonw_key(w, "notes");
	kt_jsonw_arr(w);
	for (size_t i = 0; i < r->n_notes; i++) {
		kt_jsonw_obj(w);
		kint(w, "line", (int)r->notes[i].line);
		kstr(w, "severity", kt_sev_name(r->notes[i].sev));
		kstr(w, "message", r->notes[i].msg);
		kt_jsonw_obj_end(w);
	}
	kt_jsonw_arr_end(w);
}

static void
source_obj(struct kt_jsonw *w, const struct kt_source *s)
{
	kt_jsonw_key(w, "source");
	kt_jsonw_obj(w);
	kstr(w, "file", s->file);
	kstr(w, "format", s->format);
	kint(w, "first_line", (int)s->first_line);
	kint(w, "last_line", (int)s->last_line);
	kt_jsonw_key(w, "timestamp");
	if (s->timestamp >= 0)
		kt_jsonw_real(w, s->timestamp, 6);
	else
		kt_jsonw_null(w);
	kstr(w, "wallclock", s->wallclock);
	kstr(w, "host", s->host);
	kt_jsonw_obj_end(w);
}

static void
kernel_obj(struct kt_jsonw *w, const struct kt_report *r)
{
	kt_jsonw_key(w, "kernel");
	kt_jsonw_obj(w);
	kstr(w, "release", r->kernel.release);
	kstr(w, "version", r->kernel.version);
	kt_jsonw_key(w, "tainted");
	if (r->kernel.not_tainted)
		kt_jsonw_bool(w, false);
	else
		kt_jsonw_str(w, r->kernel.tainted);
	flag_array(w, "taint", &r->kernel.taint);
	kt_jsonw_obj_end(w);
}

static void
report_obj(struct kt_jsonw *w, const struct kt_report *r)
{
	kt_jsonw_obj(w);
	kstr(w, "title", r->title);
	str_array(w, "alt_titles", r->alt_titles, r->n_alt_titles);
	kstr(w, "type", r->type);
	kstr(w, "kind", kt_kind_name(r->kind));
	kstr(w, "arch", kt_arch_name(r->arch));
	kstr(w, "frame", r->frame);
	kbool(w, "corrupted", r->corrupted);
	kstr(w, "corrupted_reason", r->corrupted_reason);
	kstr(w, "bucket", r->bucket[0] ? r->bucket : NULL);
	source_obj(w, &r->source);
	kstr(w, "header", r->header);
	kernel_obj(w, r);
	kstr(w, "oops", r->oops);
	kint(w, "cpu", r->cpu);
	kint(w, "pid", r->pid);
	kint(w, "uid", r->uid);
	kstr(w, "comm", r->comm);
	kstr(w, "hardware", r->hardware);
	kstr(w, "bios", r->bios);
	kstr(w, "workqueue", r->workqueue);
	kstr(w, "context", kt_context_name(r->context));
	kstr(w, "context_why", r->context_why);
	fault_obj(w, &r->fault);
	ip_obj(w, &r->ip);
	regs_obj(w, "registers", r->regs, r->n_regs);
	flag_array(w, "rflags", &r->rflags);
	flag_array(w, "cr0", &r->cr0);
	flag_array(w, "cr4", &r->cr4);
	modules_arr(w, r);
	kstr(w, "last_unloaded", r->last_unloaded);
	frames_arr(w, "frames", r->frames, r->n_frames);
	code_obj(w, &r->code);
	instruction_obj(w, r);
	reg_notes_arr(w, r);
	kstr(w, "panic", r->panic);
	kstr(w, "end_trace", r->end_trace);
	kstr(w, "kernel_offset", r->kernel_offset);
	xen_obj(w, &r->xen);
	findings_arr(w, r);
	str_array(w, "story", r->story, r->n_story);
	notes_arr(w, r);
	kt_jsonw_obj_end(w);
}

char *
kt_render_json(const struct kt_report *r, int indent)
{
	struct kt_jsonw w;

	kt_jsonw_init(&w, indent);
	report_obj(&w, r);
	return kt_jsonw_take(&w);
}
