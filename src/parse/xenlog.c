/*
 * parse: reader for a crash folder's xen.log (see xenlog.h). The file is a
 * header ("Xen version: ..."), one block per PCPU ("PCPU 4 Host state:",
 * "PCPU 4 Guest state (DOM0 VCPU4):") each with a register dump and a raw
 * stack-scan "Call Trace:", then "Console Ring:" with the Xen console.
 * Everything kept lives in the reader's arena until kt_xenlog_attach()
 * copies one block into a report.
 */
#include "parse/xenlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktriage/limits.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "parse/fields.h"
#include "util/arena.h"
#include "util/ctx.h"
#include "util/data.h"
#include "util/mem.h"
#include "util/str.h"

/* PCPU blocks kept (hosts have up to a few hundred PCPUs, each with a host
 * block and maybe a guest block). */
#define XEN_MAX_BLOCKS 1024

struct xen_block {
	bool guest;
	int pcpu;
	int domain;		/* guest blocks only, else KT_NONE */
	int vcpu;
	int ran_on;		/* "Currently running on PCPUn" / "Last run on PCPUn" */
	int kernel_mode;	/* 1 kernel, 0 user, KT_NONE unknown */
	const char *segment;
	uint64_t rip;
	int ring;
	struct kt_reg *regs;
	size_t n_regs;
	struct kt_fx_regs rs;	/* points at regs/n_regs; only used while this is the
				 * last block (a later block may move the array) */
	struct kt_frame *frames;
	size_t n_frames;
	size_t cap_frames;
	bool in_trace;
};

struct kt_xenlog {
	struct kt_arena *arena;
	const char *version;
	const char *crash_reason;
	struct xen_block *blocks;
	size_t n_blocks;
	size_t cap_blocks;
	struct xen_block *cur;	/* block being read, or NULL */
	bool dropped;		/* blocks over XEN_MAX_BLOCKS were skipped */
	bool panic_next;	/* the previous console line was "Panic on CPU N:" */
	bool console;		/* past "Console Ring:": no more blocks */
};

struct kt_xenlog *
kt_xenlog_new(void)
{
	struct kt_xenlog *x = kt_calloc(1, sizeof(*x));

	x->arena = kt_arena_new();
	return x;
}

void
kt_xenlog_free(struct kt_xenlog *x)
{
	if (!x)
		return;
	kt_arena_free(x->arena);
	free(x);
}

static int
small_int(uint64_t v)
{
	return v > 1000000 ? KT_NONE : (int)v;
}

/* "PCPU 4 Host state:" / "PCPU 4 Guest state (DOM0 VCPU4):" */
static bool
block_start(struct kt_xenlog *x, struct kt_str s)
{
	struct xen_block *b;
	uint64_t pcpu, dom = 0, vcpu = 0;
	bool guest;

	if (!kt_fx_eat(&s, "PCPU ") || !kt_fx_dec(&s, &pcpu))
		return false;
	if (kt_fx_eat(&s, " Host state:")) {
		guest = false;
	} else if (kt_fx_eat(&s, " Guest state (DOM")) {
		if (!kt_fx_dec(&s, &dom) || !kt_fx_eat(&s, " VCPU") || !kt_fx_dec(&s, &vcpu))
			return false;
		guest = true;
	} else {
		return false;
	}
	if (x->n_blocks >= XEN_MAX_BLOCKS) {
		x->dropped = true;
		x->cur = NULL;
		return true;
	}
	b = kt_arena_push(x->arena, (void **)&x->blocks, &x->n_blocks, &x->cap_blocks,
			  sizeof(*b));
	memset(b, 0, sizeof(*b));
	b->guest = guest;
	b->pcpu = small_int(pcpu);
	b->domain = guest ? small_int(dom) : KT_NONE;
	b->vcpu = guest ? small_int(vcpu) : KT_NONE;
	b->ran_on = b->kernel_mode = b->ring = KT_NONE;
	b->rs.arena = x->arena;
	b->rs.v = &b->regs;
	b->rs.n = &b->n_regs;
	x->cur = b;
	return true;
}

/* "RIP:    e033:[<ffffffff810014aa>] Ring 3" (also "EIP:" for 32-bit guests) */
static bool
rip_line(struct kt_xenlog *x, struct xen_block *b, struct kt_str s)
{
	struct kt_str seg;
	uint64_t v;
	size_t n;

	if (!kt_fx_eat(&s, "RIP:") && !kt_fx_eat(&s, "EIP:"))
		return false;
	kt_fx_ws(&s);
	seg = s;
	n = kt_fx_hex(&s, &v);
	if (n && kt_fx_eat(&s, ":")) {
		b->segment = kt_arena_strndup(x->arena, seg.p, n);
		(void)kt_fx_reg_add(&b->rs, "CS", v);
		(void)kt_fx_eat(&s, "[<");
		if (kt_fx_hex(&s, &b->rip)) {
			(void)kt_fx_reg_add(&b->rs, "RIP", b->rip);
			(void)kt_fx_eat(&s, ">]");
			kt_fx_ws(&s);
			if (kt_fx_eat(&s, "Ring ") && kt_fx_dec(&s, &v))
				b->ring = small_int(v);
		}
	}
	return true;
}

/* " [ffffffff810014aa] xen_hypercall_kexec_op+0xa/0x20"   the RIP
 * "  ffffffff810535c8  panic+0x128/0x260"                  stack-scan words */
static bool
trace_line(struct kt_xenlog *x, struct xen_block *b, struct kt_str s, uint32_t no)
{
	struct kt_fx_sym sym;
	struct kt_frame *f;
	uint64_t addr;
	bool rip = kt_fx_eat(&s, "[");

	if (!kt_fx_hex(&s, &addr) || (rip && !kt_fx_eat(&s, "]")))
		return false;
	if (s.len && !kt_is_space(s.p[0]))
		return false;
	kt_fx_ws(&s);
	if (!kt_fx_sym(&s, false, &sym))
		memset(&sym, 0, sizeof(sym));
	if (!b->guest)
		return true;	/* host (Xen) stacks: not needed for dom0 reports */
	if (b->n_frames >= KT_MAX_FRAMES)
		return true;
	f = kt_arena_push(x->arena, (void **)&b->frames, &b->n_frames, &b->cap_frames,
			  sizeof(*f));
	memset(f, 0, sizeof(*f));
	f->address = addr;
	if (sym.func.len)
		f->function = kt_arena_strndup(x->arena, sym.func.p, sym.func.len);
	f->offset = sym.offset;
	f->size = sym.size;
	f->has_offset = sym.has_offset;
	if (sym.module.len)
		f->module = kt_arena_strndup(x->arena, sym.module.p, sym.module.len);
	/* a raw stack scan: only the bracketed RIP entry is known to be live */
	f->reliable = rip;
	f->stack = KT_STACK_NONE;
	f->log_line = no;
	return true;
}

static void
block_line(struct kt_xenlog *x, struct xen_block *b, struct kt_str s, uint32_t no)
{
	uint64_t v;
	struct kt_str t = s;

	if (b->in_trace && trace_line(x, b, s, no))
		return;
	if (kt_str_eq_cstr(s, "Call Trace:")) {
		b->in_trace = true;
		return;
	}
	b->in_trace = false;
	if (rip_line(x, b, s))
		return;
	if (kt_str_eq_cstr(s, "VCPU in kernel mode")) {
		b->kernel_mode = 1;
		return;
	}
	if (kt_str_eq_cstr(s, "VCPU in user mode")) {
		b->kernel_mode = 0;
		return;
	}
	/* "Currently running on PCPU4", "Not running:  Last run on PCPU3" */
	if (kt_fx_eat(&t, "Currently running on PCPU") ||
	    (kt_fx_eat(&t, "Not running:") && (kt_fx_ws(&t), kt_fx_eat(&t, "Last run on PCPU")))) {
		if (kt_fx_dec(&t, &v))
			b->ran_on = small_int(v);
		return;
	}
	/* "rax: 0000000000000025   rbx: ...", "RFLAGS: 0000000000000246  IOPL0 ...",
	 * "cr3: ...   cr2: ...", "ds: 002b   es: 002b ...", 32-bit "eax: ..." */
	if (!kt_fx_reg_line(&b->rs, KT_ARCH_X86_64, s))
		(void)kt_fx_reg_line(&b->rs, KT_ARCH_I386, s);
}

/* Console ring: "(XEN) Panic on CPU 6:" then the reason ("FATAL PAGE FAULT"). */
static void
console_line(struct kt_xenlog *x, struct kt_str s)
{
	(void)kt_fx_eat(&s, "(XEN) ");
	kt_fx_ws(&s);
	if (s.len && s.p[0] == '[') {	/* "[    4.132689] " / "[2023-05-11 10:11:12] " */
		long end = kt_str_chr(s, ']');

		if (end > 0 && end < 40)
			s = kt_str_trim(kt_str_skip(s, (size_t)end + 1));
	}
	if (x->panic_next) {
		if (s.len && s.p[0] != '*') {
			if (!x->crash_reason)
				x->crash_reason = kt_arena_strndup(x->arena, s.p, s.len);
			x->panic_next = false;
		}
		return;
	}
	if (kt_fx_eat(&s, "Panic on CPU "))
		x->panic_next = true;
}

void
kt_xenlog_feed(struct kt_xenlog *x, const struct kt_line *line)
{
	struct kt_str s;

	if (!x || !line)
		return;
	s = kt_str_trim(line->text);
	if (!s.len)
		return;
	if (kt_fx_eat(&s, "Xen version:")) {
		s = kt_str_trim(s);
		if (!x->version && s.len)
			x->version = kt_arena_strndup(x->arena, s.p, s.len);
		return;
	}
	if (x->console) {
		console_line(x, s);
		return;
	}
	if (block_start(x, s))
		return;
	if (kt_str_eq_cstr(s, "Console Ring:")) {
		x->cur = NULL;
		x->console = true;
		return;
	}
	if (x->cur)
		block_line(x, x->cur, s, line->no);
	else
		console_line(x, s);
}

/* ---- attach ------------------------------------------------------- */

static const struct xen_block *
pick_block(const struct kt_xenlog *x, int cpu)
{
	const struct xen_block *only = NULL;
	size_t n_dom0 = 0;

	for (size_t i = 0; i < x->n_blocks; i++) {
		const struct xen_block *b = &x->blocks[i];

		if (b->guest && b->domain == 0 && cpu != KT_NONE && b->vcpu == cpu)
			return b;
	}
	for (size_t i = 0; i < x->n_blocks; i++) {
		const struct xen_block *b = &x->blocks[i];

		if (!b->guest || b->domain != 0)
			continue;
		if (cpu != KT_NONE && (b->ran_on == cpu || b->pcpu == cpu))
			return b;
		only = b;
		n_dom0++;
	}
	return cpu == KT_NONE && n_dom0 == 1 ? only : NULL;
}

static const char *
dup(struct kt_report *r, const char *s)
{
	return s ? kt_report_strdup(r, s) : NULL;
}

static void
copy_block(const struct xen_block *b, struct kt_report *r)
{
	struct kt_xen *xen = &r->xen;

	xen->pcpu = b->pcpu;
	xen->domain = b->domain;
	xen->vcpu = b->vcpu;
	xen->vcpu_mode_known = b->kernel_mode != KT_NONE;
	xen->vcpu_kernel_mode = b->kernel_mode == 1;
	xen->guest_rip_address = b->rip;
	xen->guest_segment = dup(r, b->segment);
	xen->guest_ring = b->segment ? b->ring : KT_NONE;
	if (b->n_frames && b->frames[0].reliable && b->frames[0].function)
		xen->guest_rip = kt_report_printf(r, "%s+0x%llx/0x%llx", b->frames[0].function,
						  (unsigned long long)b->frames[0].offset,
						  (unsigned long long)b->frames[0].size);
	else if (b->rip)
		xen->guest_rip = kt_report_printf(r, "0x%llx", (unsigned long long)b->rip);
	xen->regs = kt_report_alloc(r, (b->n_regs ? b->n_regs : 1) * sizeof(*xen->regs));
	for (size_t i = 0; i < b->n_regs; i++) {
		xen->regs[i].name = dup(r, b->regs[i].name);
		xen->regs[i].value = b->regs[i].value;
	}
	xen->n_regs = b->n_regs;
	xen->frames = kt_report_alloc(r, (b->n_frames ? b->n_frames : 1) * sizeof(*xen->frames));
	for (size_t i = 0; i < b->n_frames; i++) {
		xen->frames[i] = b->frames[i];
		xen->frames[i].function = dup(r, b->frames[i].function);
		xen->frames[i].module = dup(r, b->frames[i].module);
	}
	xen->n_frames = b->n_frames;
}

void
kt_xenlog_attach(const struct kt_xenlog *x, struct kt_report *r)
{
	const struct xen_block *b;
	bool hypervisor;

	if (!x || !r)
		return;
	/* a hypervisor crash's CPU is a PCPU, not a dom0 VCPU: no guest block */
	hypervisor = r->kind == KT_KIND_XEN_CRASH || r->kind == KT_KIND_XEN_DOMAIN_CRASH;
	b = hypervisor ? NULL : pick_block(x, r->cpu);
	if (!b && !x->version && !x->crash_reason)
		return;
	r->xen.present = true;
	if (x->version && !r->xen.version)
		r->xen.version = kt_report_strdup(r, x->version);
	if (x->crash_reason && !r->xen.crash_reason)
		r->xen.crash_reason = kt_report_strdup(r, x->crash_reason);
	if (x->dropped)
		kt_report_note(r, 0, KT_SEV_WARN, "xen.log: more than %d PCPU blocks, rest dropped",
			       XEN_MAX_BLOCKS);
	if (b)
		copy_block(b, r);
	else if (!hypervisor)
		kt_report_note(r, 0, KT_SEV_INFO,
			       "xen.log has no guest-state block of DOM0 for CPU %d", r->cpu);
}

const char *
kt_xenlog_version(const struct kt_xenlog *x)
{
	return x ? x->version : NULL;
}

const char *
kt_xenlog_crash_reason(const struct kt_xenlog *x)
{
	return x ? x->crash_reason : NULL;
}

size_t
kt_xenlog_n_blocks(const struct kt_xenlog *x)
{
	return x ? x->n_blocks : 0;
}

size_t
kt_xenlog_n_guest_blocks(const struct kt_xenlog *x)
{
	size_t n = 0;

	for (size_t i = 0; x && i < x->n_blocks; i++)
		n += x->blocks[i].guest;
	return n;
}

/* --- a dom0 crash from the guest state ------------------------------------ */

/* Frames written into a rebuilt report. */
#define GUEST_CRASH_FRAMES 64

struct gc_rule {
	bool entry;
	pcre2_code *re;
	char *header;
};

static bool
re_match(pcre2_code *re, const char *s)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	int r = pcre2_match(re, (PCRE2_SPTR)s, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL);

	pcre2_match_data_free(md);
	return r >= 0;
}

static int
load_gc_rules(struct kt_ctx *ctx, struct gc_rule *v, size_t cap, size_t *n)
{
	struct kt_data_blob b;
	const char *path = "parse/xen-guest-crash.txt";
	int r = kt_data_read(ctx, path, &b);
	struct kt_str rest;

	*n = 0;
	if (r < 0)
		return r;
	rest = kt_str_make(b.data, b.len);
	while (rest.len > 0 && *n < cap) {
		long nl = kt_str_find(rest, "\n");
		struct kt_str line = kt_str_make(rest.p, nl < 0 ? rest.len : (size_t)nl);
		char buf[512], *f[3] = { 0 }, *t;
		int nf = 0;

		rest = nl < 0 ? kt_str_make(rest.p + rest.len, 0)
			      : kt_str_make(rest.p + nl + 1, rest.len - (size_t)nl - 1);
		line = kt_str_trim(line);
		if (line.len == 0 || line.p[0] == '#' || line.len >= sizeof(buf))
			continue;
		memcpy(buf, line.p, line.len);
		buf[line.len] = '\0';
		/* fields are separated by " | " (a regex may hold a bare '|') */
		for (t = buf; t && nf < 3; ) {
			char *sep = nf < 2 ? strstr(t, " | ") : NULL;

			if (sep)
				*sep = '\0';
			f[nf++] = t;
			t = sep ? sep + 3 : NULL;
		}
		bool entry = nf == 3 && strcmp(f[0], "entry") == 0;
		if (!entry && !(nf == 2 && strcmp(f[0], "panic") == 0))
			continue;
		int err;
		PCRE2_SIZE off;
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)f[1], PCRE2_ZERO_TERMINATED, 0, &err,
					       &off, NULL);
		if (!re)
			continue;
		v[*n].entry = entry;
		v[*n].re = re;
		v[*n].header = entry ? kt_strdup(f[2]) : NULL;
		(*n)++;
	}
	kt_data_blob_deinit(&b);
	return 0;
}

static void
put_frame(struct kt_buf *out, const char *prefix, const struct kt_frame *f)
{
	kt_buf_printf(out, "%s[<%016llx>] %s", prefix, (unsigned long long)f->address, f->function);
	if (f->has_offset)
		kt_buf_printf(out, "+0x%llx/0x%llx", (unsigned long long)f->offset,
			      (unsigned long long)f->size);
	if (f->module)
		kt_buf_printf(out, " [%s]", f->module);
	kt_buf_addc(out, '\n');
}

int
kt_xenlog_guest_crash(struct kt_ctx *ctx, const struct kt_xenlog *x, struct kt_buf *out,
		      int *pcpu, int *vcpu)
{
	struct gc_rule rules[32];
	size_t n_rules, i, k;
	int r, found = 0;

	if (!x)
		return 0;
	r = load_gc_rules(ctx, rules, sizeof(rules) / sizeof(rules[0]), &n_rules);
	if (r < 0)
		return r;
	for (i = 0; i < x->n_blocks && !found; i++) {
		const struct xen_block *b = &x->blocks[i];
		bool panicked = false;

		if (!b->guest || b->domain != 0)
			continue;
		for (k = 0; k < b->n_frames && !panicked; k++)
			for (size_t j = 0; j < n_rules && b->frames[k].function; j++)
				if (!rules[j].entry && re_match(rules[j].re, b->frames[k].function))
					panicked = true;
		if (!panicked)
			continue;
		/* the innermost exception entry under the panic */
		for (; k < b->n_frames && !found; k++) {
			const char *fn = b->frames[k].function;

			for (size_t j = 0; fn && j < n_rules && !found; j++) {
				if (!rules[j].entry || !re_match(rules[j].re, fn))
					continue;
				if (k + 1 >= b->n_frames || !b->frames[k + 1].function)
					break;
				kt_buf_printf(out, "%s\n", rules[j].header);
				put_frame(out, "IP: ", &b->frames[k + 1]);
				kt_buf_adds(out, "Call Trace:\n");
				for (size_t m = k + 2; m < b->n_frames && m < k + 2 + GUEST_CRASH_FRAMES;
				     m++)
					if (b->frames[m].function)
						put_frame(out, " ", &b->frames[m]);
				*pcpu = b->pcpu;
				*vcpu = b->vcpu;
				found = 1;
			}
		}
	}
	for (i = 0; i < n_rules; i++) {
		pcre2_code_free(rules[i].re);
		free(rules[i].header);
	}
	return found;
}
