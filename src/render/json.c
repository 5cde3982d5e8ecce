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

/* A key: K("name") is the quoted literal and its length, written as is;
 * kn == 0 is a key from the log (a register name), escaped as needed. */
#define K(k) "\"" k "\":", sizeof(k) + 2

static void
put_key(struct kt_jsonw *w, const char *k, size_t kn)
{
	if (kn)
		kt_jsonw_key_lit(w, k, kn);
	else
		kt_jsonw_key(w, k);
}

/* key: value helpers, so each field is one line below */
static void
kstr(struct kt_jsonw *w, const char *k, size_t kn, const char *v)
{
	put_key(w, k, kn);
	kt_jsonw_str(w, v);
}

static void
khex(struct kt_jsonw *w, const char *k, size_t kn, bool present, uint64_t v)
{
	put_key(w, k, kn);
	if (present)
		kt_jsonw_hex(w, v);
	else
		kt_jsonw_null(w);
}

static void
kint(struct kt_jsonw *w, const char *k, size_t kn, int v)
{
	put_key(w, k, kn);
	if (v == KT_NONE)
		kt_jsonw_null(w);
	else
		kt_jsonw_int(w, v);
}

static void
kbool(struct kt_jsonw *w, const char *k, size_t kn, bool v)
{
	put_key(w, k, kn);
	kt_jsonw_bool(w, v);
}

static void
str_array(struct kt_jsonw *w, const char *k, size_t kn, const char **v, size_t n)
{
	put_key(w, k, kn);
	kt_jsonw_arr(w);
	for (size_t i = 0; i < n; i++)
		if (v[i])
			kt_jsonw_str(w, v[i]);
	kt_jsonw_arr_end(w);
}

static void
flag_array(struct kt_jsonw *w, const char *k, size_t kn, const struct kt_flag_list *l)
{
	put_key(w, k, kn);
	kt_jsonw_arr(w);
	for (size_t i = 0; i < l->n; i++) {
		kt_jsonw_obj(w);
		kstr(w, K("name"), l->v[i].name);
		kstr(w, K("meaning"), l->v[i].meaning);
		kt_jsonw_obj_end(w);
	}
	kt_jsonw_arr_end(w);
}

static void
frame_obj(struct kt_jsonw *w, const struct kt_frame *f)
{
	kt_jsonw_obj(w);
	kstr(w, K("function"), f->function);
	khex(w, K("offset"), f->has_offset, f->offset);
	khex(w, K("size"), f->has_offset && f->size, f->size);
	khex(w, K("address"), f->address != 0, f->address);
	kstr(w, K("module"), f->module);
	if (f->buildid)
		kstr(w, K("buildid"), f->buildid);
	if (f->file) {
		kstr(w, K("file"), f->file);
		kint(w, K("line"), f->line_no);
	}
	if (f->inlined)
		kbool(w, K("inlined"), true);
	kbool(w, K("reliable"), f->reliable);
	kstr(w, K("stack"), kt_stack_name(f->stack));
	kint(w, K("log_line"), (int)f->log_line);
	kt_jsonw_obj_end(w);
}

static void
frames_arr(struct kt_jsonw *w, const char *k, size_t kn, const struct kt_frame *v, size_t n)
{
	put_key(w, k, kn);
	kt_jsonw_arr(w);
	for (size_t i = 0; i < n; i++)
		frame_obj(w, &v[i]);
	kt_jsonw_arr_end(w);
}

static void
regs_obj(struct kt_jsonw *w, const char *k, size_t kn, const struct kt_reg *v, size_t n)
{
	put_key(w, k, kn);
	kt_jsonw_obj(w);
	for (size_t i = 0; i < n; i++)
		if (v[i].name)
			khex(w, v[i].name, 0, true, v[i].value);
	kt_jsonw_obj_end(w);
}

static void
fault_obj(struct kt_jsonw *w, const struct kt_fault *f)
{
	KT_JSONW_KEY(w, "fault");
	if (!f->present) {
		kt_jsonw_null(w);
		return;
	}
	kt_jsonw_obj(w);
	khex(w, K("address"), f->has_address, f->address);
	kstr(w, K("access"), f->access);
	kstr(w, K("mode"), f->mode);
	kstr(w, K("reason"), f->reason);
	khex(w, K("error_code"), f->has_error_code, f->error_code);
	flag_array(w, K("error_bits"), &f->error_bits);
	kstr(w, K("page_table"), f->page_table);
	flag_array(w, K("pte_bits"), &f->pte_bits);
	kt_jsonw_obj_end(w);
}

static void
ip_obj(struct kt_jsonw *w, const struct kt_ip *ip)
{
	KT_JSONW_KEY(w, "ip");
	if (!ip->present) {
		kt_jsonw_null(w);
		return;
	}
	kt_jsonw_obj(w);
	kstr(w, K("function"), ip->function);
	khex(w, K("offset"), true, ip->offset);
	khex(w, K("size"), ip->size != 0, ip->size);
	khex(w, K("address"), ip->address != 0, ip->address);
	kstr(w, K("module"), ip->module);
	kstr(w, K("segment"), ip->segment);
	kt_jsonw_obj_end(w);
}

static void
code_obj(struct kt_jsonw *w, const struct kt_code *c)
{
	struct kt_buf hex;

	KT_JSONW_KEY(w, "code");
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
	kstr(w, K("bytes"), hex.p);
	kint(w, K("fault_offset"), c->fault_offset);
	kstr(w, K("raw"), c->raw);
	kt_jsonw_obj_end(w);
	kt_buf_deinit(&hex);
}

static void
modules_arr(struct kt_jsonw *w, const struct kt_report *r)
{
	KT_JSONW_KEY(w, "modules");
	kt_jsonw_arr(w);
	for (size_t i = 0; i < r->n_modules; i++) {
		kt_jsonw_obj(w);
		kstr(w, K("name"), r->modules[i].name);
		kstr(w, K("flags"), r->modules[i].flags);
		kt_jsonw_obj_end(w);
	}
	kt_jsonw_arr_end(w);
}

static void
xen_obj(struct kt_jsonw *w, const struct kt_xen *x)
{
	KT_JSONW_KEY(w, "xen");
	if (!x->present) {
		kt_jsonw_null(w);
		return;
	}
	kt_jsonw_obj(w);
	kstr(w, K("version"), x->version);
	kint(w, K("pcpu"), x->pcpu);
	kint(w, K("domain"), x->domain);
	kint(w, K("vcpu"), x->vcpu);
	kbool(w, K("vcpu_kernel_mode"), x->vcpu_kernel_mode);
	kstr(w, K("guest_rip"), x->guest_rip);
	kstr(w, K("crash_reason"), x->crash_reason);
	if (x->analyser_log_seen)
		kbool(w, K("analyser_complete"), x->analyser_complete);
	regs_obj(w, K("registers"), x->regs, x->n_regs);
	frames_arr(w, K("frames"), x->frames, x->n_frames);
	kt_jsonw_obj_end(w);
}

static void
findings_arr(struct kt_jsonw *w, const struct kt_report *r)
{
	KT_JSONW_KEY(w, "findings");
	kt_jsonw_arr(w);
	for (size_t i = 0; i < r->n_findings; i++) {
		const struct kt_finding *f = &r->findings[i];

		kt_jsonw_obj(w);
		kstr(w, K("rule"), f->rule);
		kstr(w, K("title"), f->title);
		kstr(w, K("severity"), f->severity);
		kstr(w, K("confidence"), f->confidence);
		KT_JSONW_KEY(w, "score");
		kt_jsonw_real(w, f->score, 3);
		str_array(w, K("evidence"), f->evidence, f->n_evidence);
		kstr(w, K("explanation"), f->explanation);
		str_array(w, K("remedy"), f->remedy, f->n_remedy);
		str_array(w, K("references"), f->references, f->n_references);
		if (f->n_raise) {
			str_array(w, K("raise"), f->raise, f->n_raise);
			KT_JSONW_KEY(w, "raise_needs_host_facts");
			kt_jsonw_bool(w, f->raise_host_facts);
		}
		kt_jsonw_obj_end(w);
	}
	kt_jsonw_arr_end(w);
}

static void
instruction_obj(struct kt_jsonw *w, const struct kt_report *r)
{
	const char *faulting = NULL;

	KT_JSONW_KEY(w, "instruction");
	if (!r->n_insns) {
		kt_jsonw_null(w);
		return;
	}
	for (size_t i = 0; i < r->n_insns; i++)
		if (r->insns[i].faulting)
			faulting = r->insns[i].text;
	kt_jsonw_obj(w);
	kstr(w, K("faulting"), faulting);
	kstr(w, K("note"), r->insn_note);
	KT_JSONW_KEY(w, "listing");
	kt_jsonw_arr(w);
	for (size_t i = 0; i < r->n_insns; i++) {
		kt_jsonw_obj(w);
		khex(w, K("address"), true, r->insns[i].address);
		kstr(w, K("text"), r->insns[i].text);
		kbool(w, K("faulting"), r->insns[i].faulting);
		kt_jsonw_obj_end(w);
	}
	kt_jsonw_arr_end(w);
	kt_jsonw_obj_end(w);
}

static void
reg_notes_arr(struct kt_jsonw *w, const struct kt_report *r)
{
	KT_JSONW_KEY(w, "register_notes");
	kt_jsonw_arr(w);
	for (size_t i = 0; i < r->n_reg_notes; i++) {
		const struct kt_reg_note *n = &r->reg_notes[i];

		kt_jsonw_obj(w);
		kstr(w, K("register"), n->reg);
		khex(w, K("value"), true, n->value);
		kstr(w, K("note"), n->what);
		kstr(w, K("tag"), n->tag);
		kt_jsonw_obj_end(w);
	}
	kt_jsonw_arr_end(w);
}

static void
notes_arr(struct kt_jsonw *w, const struct kt_report *r)
{
	KT_JSONW_KEY(w, "notes");
	kt_jsonw_arr(w);
	for (size_t i = 0; i < r->n_notes; i++) {
		kt_jsonw_obj(w);
		kint(w, K("line"), (int)r->notes[i].line);
		kstr(w, K("severity"), kt_sev_name(r->notes[i].sev));
		kstr(w, K("message"), r->notes[i].msg);
		kt_jsonw_obj_end(w);
	}
	kt_jsonw_arr_end(w);
}

static void
source_obj(struct kt_jsonw *w, const struct kt_source *s)
{
	KT_JSONW_KEY(w, "source");
	kt_jsonw_obj(w);
	kstr(w, K("file"), s->file);
	kstr(w, K("format"), s->format);
	kint(w, K("first_line"), (int)s->first_line);
	kint(w, K("last_line"), (int)s->last_line);
	KT_JSONW_KEY(w, "timestamp");
	if (s->timestamp >= 0)
		kt_jsonw_real(w, s->timestamp, 6);
	else
		kt_jsonw_null(w);
	kstr(w, K("wallclock"), s->wallclock);
	kstr(w, K("host"), s->host);
	kt_jsonw_obj_end(w);
}

static void
kernel_obj(struct kt_jsonw *w, const struct kt_report *r)
{
	KT_JSONW_KEY(w, "kernel");
	kt_jsonw_obj(w);
	kstr(w, K("release"), r->kernel.release);
	kstr(w, K("version"), r->kernel.version);
	KT_JSONW_KEY(w, "tainted");
	if (r->kernel.not_tainted)
		kt_jsonw_bool(w, false);
	else
		kt_jsonw_str(w, r->kernel.tainted);
	flag_array(w, K("taint"), &r->kernel.taint);
	kt_jsonw_obj_end(w);
}

static void
report_obj(struct kt_jsonw *w, const struct kt_report *r)
{
	kt_jsonw_obj(w);
	kstr(w, K("title"), r->title);
	str_array(w, K("alt_titles"), r->alt_titles, r->n_alt_titles);
	kstr(w, K("type"), r->type);
	kstr(w, K("kind"), kt_kind_name(r->kind));
	kstr(w, K("arch"), kt_arch_name(r->arch));
	kstr(w, K("frame"), r->frame);
	kbool(w, K("corrupted"), r->corrupted);
	kstr(w, K("corrupted_reason"), r->corrupted_reason);
	kbool(w, K("incomplete"), r->incomplete);
	kstr(w, K("incomplete_reason"), r->incomplete_reason);
	kstr(w, K("bucket"), r->bucket[0] ? r->bucket : NULL);
	source_obj(w, &r->source);
	kstr(w, K("header"), r->header);
	kernel_obj(w, r);
	kstr(w, K("oops"), r->oops);
	kint(w, K("cpu"), r->cpu);
	kint(w, K("pid"), r->pid);
	kint(w, K("uid"), r->uid);
	kstr(w, K("comm"), r->comm);
	kstr(w, K("hardware"), r->hardware);
	kstr(w, K("bios"), r->bios);
	kstr(w, K("workqueue"), r->workqueue);
	kstr(w, K("context"), kt_context_name(r->context));
	kstr(w, K("context_why"), r->context_why);
	fault_obj(w, &r->fault);
	ip_obj(w, &r->ip);
	regs_obj(w, K("registers"), r->regs, r->n_regs);
	flag_array(w, K("rflags"), &r->rflags);
	flag_array(w, K("cr0"), &r->cr0);
	flag_array(w, K("cr4"), &r->cr4);
	modules_arr(w, r);
	kstr(w, K("last_unloaded"), r->last_unloaded);
	frames_arr(w, K("frames"), r->frames, r->n_frames);
	code_obj(w, &r->code);
	instruction_obj(w, r);
	reg_notes_arr(w, r);
	kstr(w, K("panic"), r->panic);
	kstr(w, K("end_trace"), r->end_trace);
	kstr(w, K("kernel_offset"), r->kernel_offset);
	xen_obj(w, &r->xen);
	findings_arr(w, r);
	str_array(w, K("story"), r->story, r->n_story);
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
