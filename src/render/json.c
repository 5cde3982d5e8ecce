/*
 * render: a report as one JSON object (jansson). Keys are documented in
 * docs/report-json.md. 64-bit values (addresses, registers, offsets) are
 * hex strings ("0xffff8801705505c0"), since JSON numbers lose precision
 * above 2^53. Absent values are null, never invented.
 */
#include <ktriage/analyze.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "render/render.h"

/* A JSON string; bytes that are not valid UTF-8 (logs are untrusted) are
 * replaced by '?' so the key is never silently dropped. */
static json_t *
jstr(const char *s)
{
	json_t *j;
	char *copy;

	if (!s)
		return json_null();
	j = json_string(s);
	if (j)
		return j;
	copy = strdup(s);
	if (!copy)
		return json_null();
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j ? j : json_null();
}

static json_t *
jhex(uint64_t v)
{
	char buf[24];

	(void)snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	return json_string(buf);
}

static json_t *
jint_or_null(int v)
{
	return v == KT_NONE ? json_null() : json_integer(v);
}

static json_t *
str_array(const char **v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		if (v[i])
			json_array_append_new(a, jstr(v[i]));
	return a;
}

static json_t *
flag_array(const struct kt_flag_list *l)
{
	json_t *a = json_array();

	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_pack("{s:o,s:o}", "name", jstr(l->v[i].name),
						   "meaning", jstr(l->v[i].meaning)));
	return a;
}

static json_t *
frame_obj(const struct kt_frame *f)
{
	json_t *o = json_object();

	json_object_set_new(o, "function", jstr(f->function));
	json_object_set_new(o, "offset", f->has_offset ? jhex(f->offset) : json_null());
	json_object_set_new(o, "size", f->has_offset && f->size ? jhex(f->size) : json_null());
	json_object_set_new(o, "address", f->address ? jhex(f->address) : json_null());
	json_object_set_new(o, "module", jstr(f->module));
	if (f->buildid)
		json_object_set_new(o, "buildid", json_string(f->buildid));
	if (f->file) {
		json_object_set_new(o, "file", json_string(f->file));
		json_object_set_new(o, "line", json_integer(f->line_no));
	}
	if (f->inlined)
		json_object_set_new(o, "inlined", json_true());
	json_object_set_new(o, "reliable", json_boolean(f->reliable));
	json_object_set_new(o, "stack", json_string(kt_stack_name(f->stack)));
	json_object_set_new(o, "log_line", json_integer(f->log_line));
	return o;
}

static json_t *
frames_arr(const struct kt_frame *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, frame_obj(&v[i]));
	return a;
}

static json_t *
regs_obj(const struct kt_reg *v, size_t n)
{
	json_t *o = json_object();

	for (size_t i = 0; i < n; i++)
		if (v[i].name)
			json_object_set_new(o, v[i].name, jhex(v[i].value));
	return o;
}

static json_t *
fault_obj(const struct kt_fault *f)
{
	json_t *o;

	if (!f->present)
		return json_null();
	o = json_object();
	json_object_set_new(o, "address", f->has_address ? jhex(f->address) : json_null());
	json_object_set_new(o, "access", jstr(f->access));
	json_object_set_new(o, "mode", jstr(f->mode));
	json_object_set_new(o, "reason", jstr(f->reason));
	json_object_set_new(o, "error_code", f->has_error_code ? jhex(f->error_code) : json_null());
	json_object_set_new(o, "error_bits", flag_array(&f->error_bits));
	json_object_set_new(o, "page_table", jstr(f->page_table));
	json_object_set_new(o, "pte_bits", flag_array(&f->pte_bits));
	return o;
}

static json_t *
ip_obj(const struct kt_ip *ip)
{
	if (!ip->present)
		return json_null();
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}",
			 "function", jstr(ip->function),
			 "offset", jhex(ip->offset),
			 "size", ip->size ? jhex(ip->size) : json_null(),
			 "address", ip->address ? jhex(ip->address) : json_null(),
			 "module", jstr(ip->module),
			 "segment", jstr(ip->segment));
}

static json_t *
code_obj(const struct kt_code *c)
{
	json_t *o;
	char *hex;

	if (!c->n && !c->raw)
		return json_null();
	hex = malloc(c->n * 3 + 1);
	if (!hex)
		return json_null();
	hex[0] = '\0';
	for (size_t i = 0; i < c->n; i++)
		(void)snprintf(hex + i * 3, 4, i ? " %02x" : "%02x", c->bytes[i]);
	o = json_pack("{s:s,s:o,s:o}", "bytes", hex,
		      "fault_offset", jint_or_null(c->fault_offset), "raw", jstr(c->raw));
	free(hex);
	return o;
}

static json_t *
modules_arr(const struct kt_report *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->n_modules; i++)
		json_array_append_new(a, json_pack("{s:o,s:o}", "name", jstr(r->modules[i].name),
						   "flags", jstr(r->modules[i].flags)));
	return a;
}

static json_t *
xen_obj(const struct kt_xen *x)
{
	json_t *o;

	if (!x->present)
		return json_null();
	o = json_object();
	json_object_set_new(o, "version", jstr(x->version));
	json_object_set_new(o, "pcpu", jint_or_null(x->pcpu));
	json_object_set_new(o, "domain", jint_or_null(x->domain));
	json_object_set_new(o, "vcpu", jint_or_null(x->vcpu));
	json_object_set_new(o, "vcpu_kernel_mode", json_boolean(x->vcpu_kernel_mode));
	json_object_set_new(o, "guest_rip", jstr(x->guest_rip));
	json_object_set_new(o, "crash_reason", jstr(x->crash_reason));
	if (x->analyser_log_seen)
		json_object_set_new(o, "analyser_complete", json_boolean(x->analyser_complete));
	json_object_set_new(o, "registers", regs_obj(x->regs, x->n_regs));
	json_object_set_new(o, "frames", frames_arr(x->frames, x->n_frames));
	return o;
}

static json_t *
findings_arr(const struct kt_report *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->n_findings; i++) {
		const struct kt_finding *f = &r->findings[i];

		json_array_append_new(a, json_pack(
			"{s:o,s:o,s:o,s:o,s:f,s:o,s:o,s:o,s:o}",
			"rule", jstr(f->rule), "title", jstr(f->title),
			"severity", jstr(f->severity), "confidence", jstr(f->confidence),
			"score", f->score,
			"evidence", str_array(f->evidence, f->n_evidence),
			"explanation", jstr(f->explanation),
			"remedy", str_array(f->remedy, f->n_remedy),
			"references", str_array(f->references, f->n_references)));
	}
	return a;
}

static json_t *
instruction_obj(const struct kt_report *r)
{
	json_t *list, *o;

	if (!r->n_insns)
		return json_null();
	list = json_array();
	o = json_object();
	for (size_t i = 0; i < r->n_insns; i++) {
		json_array_append_new(list, json_pack("{s:o,s:o,s:b}",
			"address", jhex(r->insns[i].address), "text", jstr(r->insns[i].text),
			"faulting", r->insns[i].faulting));
		if (r->insns[i].faulting)
			json_object_set_new(o, "faulting", jstr(r->insns[i].text));
	}
	json_object_set_new(o, "note", jstr(r->insn_note));
	json_object_set_new(o, "listing", list);
	return o;
}

static json_t *
reg_notes_arr(const struct kt_report *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->n_reg_notes; i++) {
		const struct kt_reg_note *n = &r->reg_notes[i];

		json_array_append_new(a, json_pack("{s:o,s:o,s:o,s:o}", "register", jstr(n->reg),
						   "value", jhex(n->value), "note", jstr(n->what),
						   "tag", jstr(n->tag)));
	}
	return a;
}

static json_t *
notes_arr(const struct kt_report *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->n_notes; i++)
		json_array_append_new(a, json_pack("{s:i,s:s,s:o}", "line", (int)r->notes[i].line,
						   "severity", kt_sev_name(r->notes[i].sev),
						   "message", jstr(r->notes[i].msg)));
	return a;
}

json_t *
kt_render_json_obj(const struct kt_report *r)
{
	json_t *o = json_object();
	json_t *kernel, *source;

	json_object_set_new(o, "title", jstr(r->title));
	json_object_set_new(o, "alt_titles", str_array(r->alt_titles, r->n_alt_titles));
	json_object_set_new(o, "type", jstr(r->type));
	json_object_set_new(o, "kind", json_string(kt_kind_name(r->kind)));
	json_object_set_new(o, "arch", json_string(kt_arch_name(r->arch)));
	json_object_set_new(o, "frame", jstr(r->frame));
	json_object_set_new(o, "corrupted", json_boolean(r->corrupted));
	json_object_set_new(o, "corrupted_reason", jstr(r->corrupted_reason));
	json_object_set_new(o, "bucket", r->bucket[0] ? json_string(r->bucket) : json_null());
	source = json_pack("{s:o,s:o,s:i,s:i}", "file", jstr(r->source.file),
			   "format", jstr(r->source.format),
			   "first_line", (int)r->source.first_line,
			   "last_line", (int)r->source.last_line);
	json_object_set_new(source, "timestamp",
			    r->source.timestamp >= 0 ? json_real(r->source.timestamp) : json_null());
	json_object_set_new(source, "wallclock", jstr(r->source.wallclock));
	json_object_set_new(source, "host", jstr(r->source.host));
	json_object_set_new(o, "source", source);
	json_object_set_new(o, "header", jstr(r->header));
	kernel = json_object();
	json_object_set_new(kernel, "release", jstr(r->kernel.release));
	json_object_set_new(kernel, "version", jstr(r->kernel.version));
	json_object_set_new(kernel, "tainted", r->kernel.not_tainted ? json_false()
				: (r->kernel.tainted ? json_string(r->kernel.tainted) : json_null()));
	json_object_set_new(kernel, "taint", flag_array(&r->kernel.taint));
	json_object_set_new(o, "kernel", kernel);
	json_object_set_new(o, "oops", jstr(r->oops));
	json_object_set_new(o, "cpu", jint_or_null(r->cpu));
	json_object_set_new(o, "pid", jint_or_null(r->pid));
	json_object_set_new(o, "uid", jint_or_null(r->uid));
	json_object_set_new(o, "comm", jstr(r->comm));
	json_object_set_new(o, "hardware", jstr(r->hardware));
	json_object_set_new(o, "bios", jstr(r->bios));
	json_object_set_new(o, "workqueue", jstr(r->workqueue));
	json_object_set_new(o, "context", json_string(kt_context_name(r->context)));
	json_object_set_new(o, "context_why", jstr(r->context_why));
	json_object_set_new(o, "fault", fault_obj(&r->fault));
	json_object_set_new(o, "ip", ip_obj(&r->ip));
	json_object_set_new(o, "registers", regs_obj(r->regs, r->n_regs));
	json_object_set_new(o, "rflags", flag_array(&r->rflags));
	json_object_set_new(o, "cr0", flag_array(&r->cr0));
	json_object_set_new(o, "cr4", flag_array(&r->cr4));
	json_object_set_new(o, "modules", modules_arr(r));
	json_object_set_new(o, "last_unloaded", jstr(r->last_unloaded));
	json_object_set_new(o, "frames", frames_arr(r->frames, r->n_frames));
	json_object_set_new(o, "code", code_obj(&r->code));
	json_object_set_new(o, "instruction", instruction_obj(r));
	json_object_set_new(o, "register_notes", reg_notes_arr(r));
	json_object_set_new(o, "panic", jstr(r->panic));
	json_object_set_new(o, "end_trace", jstr(r->end_trace));
	json_object_set_new(o, "kernel_offset", jstr(r->kernel_offset));
	json_object_set_new(o, "xen", xen_obj(&r->xen));
	json_object_set_new(o, "findings", findings_arr(r));
	json_object_set_new(o, "story", str_array(r->story, r->n_story));
	json_object_set_new(o, "notes", notes_arr(r));
	return o;
}

char *
kt_render_json(const struct kt_report *r, int indent)
{
	json_t *o = kt_render_json_obj(r);
	size_t flags = JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII |
		       (indent > 0 ? JSON_INDENT(indent > 8 ? 8 : indent) : JSON_COMPACT);
	char *s = json_dumps(o, flags);

	json_decref(o);
	return s;
}
