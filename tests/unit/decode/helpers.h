/*
 * Test helpers for the decode stage: build synthetic reports field by field
 * (the way the parser would fill them) and load the decode tables.
 */
#ifndef KT_TEST_DECODE_HELPERS_H
#define KT_TEST_DECODE_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include <ktriage/report.h>

#include "decode/internal.h"
#include "util/arena.h"

static inline void
t_reg(struct kt_report *r, const char *name, uint64_t v)
{
	r->regs = kt_arena_realloc(r->arena, r->regs, r->n_regs * sizeof(*r->regs),
				   (r->n_regs + 1) * sizeof(*r->regs));
	r->regs[r->n_regs].name = kt_report_strdup(r, name);
	r->regs[r->n_regs++].value = v;
}

static inline struct kt_frame *
t_frame(struct kt_report *r, const char *func, bool reliable, enum kt_stack st)
{
	struct kt_frame *f;

	r->frames = kt_arena_realloc(r->arena, r->frames, r->n_frames * sizeof(*r->frames),
				     (r->n_frames + 1) * sizeof(*r->frames));
	f = &r->frames[r->n_frames++];
	memset(f, 0, sizeof(*f));
	f->function = func ? kt_report_strdup(r, func) : NULL;
	f->reliable = reliable;
	f->stack = st;
	return f;
}

static inline void
t_module(struct kt_report *r, const char *name, const char *flags)
{
	r->modules = kt_arena_realloc(r->arena, r->modules, r->n_modules * sizeof(*r->modules),
				      (r->n_modules + 1) * sizeof(*r->modules));
	r->modules[r->n_modules].name = kt_report_strdup(r, name);
	r->modules[r->n_modules++].flags = flags ? kt_report_strdup(r, flags) : NULL;
}

/* Code bytes from "48 89 f8 <f3> a4" (x86 style), like the parser stores them. */
static inline void
t_code_bytes(struct kt_report *r, const char *text)
{
	const char *p = text;

	r->code.bytes = kt_report_alloc(r, strlen(text));
	r->code.n = 0;
	r->code.fault_offset = KT_NONE;
	r->code.raw = kt_report_strdup(r, text);
	while (*p) {
		unsigned v;
		int used = 0;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (*p == '<') {
			r->code.fault_offset = (int)r->code.n;
			r->code.fault_is_opcode = true;
			p++;
		}
		if (sscanf(p, "%2x%n", &v, &used) != 1)
			break;
		r->code.bytes[r->code.n++] = (uint8_t)v;
		p += used;
		if (*p == '>')
			p++;
	}
}

static inline const struct kt_flag *
t_flag(const struct kt_flag_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	return NULL;
}

static inline const struct kt_reg_note *
t_note(const struct kt_report *r, const char *reg, const char *tag)
{
	for (size_t i = 0; i < r->n_reg_notes; i++)
		if (strcasecmp(r->reg_notes[i].reg, reg) == 0 && strcmp(r->reg_notes[i].tag, tag) == 0)
			return &r->reg_notes[i];
	return NULL;
}

static inline const struct kt_insn *
t_faulting(const struct kt_report *r)
{
	for (size_t i = 0; i < r->n_insns; i++)
		if (r->insns[i].faulting)
			return &r->insns[i];
	return NULL;
}

/* The seed crash (XenServer dom0, enic, memcpy <- skb_copy_bits <- ip_fragment),
 * field by field as research/oops-format.md says the parser fills them. */
static inline struct kt_report *
t_seed_report(void)
{
	static const struct { const char *n; uint64_t v; } regs[] = {
		{ "RSP", 0xffff880182c834f8ull }, { "EFLAGS", 0x10286 },
		{ "RAX", 0xffff88013a62c024ull }, { "RBX", 0xffff88014785eb10ull },
		{ "RCX", 0x5c8 }, { "RDX", 0x5c8 }, { "RSI", 0xffff8801705505c0ull },
		{ "RDI", 0xffff88013a62c024ull }, { "RBP", 0xffff880182c83570ull },
		{ "R08", 0xffff880182c96dc0ull }, { "R09", 0xffff880119d4df00ull },
		{ "R10", 0xffffffff81a17260ull }, { "R11", 0x2c1a1fac }, { "R12", 0x5dc },
		{ "R13", 0x5dc }, { "R14", 0x5c8 }, { "R15", 0x5c8 }, { "CR0", 0x8005003b },
		{ "CR2", 0xffff8801705505c0ull }, { "CR3", 0x129589000ull }, { "CR4", 0x2660 },
	};
	static const struct { const char *f; bool rel; enum kt_stack st; } frames[] = {
		{ "skb_copy_bits", false, KT_STACK_IRQ }, { "ip_fragment", true, KT_STACK_IRQ },
		{ "br_nf_dev_queue_xmit", true, KT_STACK_IRQ }, { "nf_hook_slow", true, KT_STACK_IRQ },
		{ "__netif_receive_skb_core", true, KT_STACK_IRQ },
		{ "handle_edge_irq", false, KT_STACK_IRQ },
		{ "xenvif_poll", true, KT_STACK_IRQ }, { "net_rx_action", true, KT_STACK_IRQ },
		{ "__do_softirq", true, KT_STACK_IRQ }, { "call_softirq", true, KT_STACK_IRQ },
		{ "do_softirq", true, KT_STACK_IRQ }, { "irq_exit", true, KT_STACK_IRQ },
		{ "xen_evtchn_do_upcall", true, KT_STACK_IRQ },
		{ "xen_do_hypervisor_callback", true, KT_STACK_IRQ },
		{ "xen_hypercall_sched_op", false, KT_STACK_TASK },
		{ "cpu_startup_entry", false, KT_STACK_TASK },
	};
	struct kt_report *r = kt_report_new();

	r->kind = KT_KIND_PAGING_REQUEST;
	r->arch = KT_ARCH_X86_64;
	r->header = "BUG: unable to handle kernel paging request at ffff8801705505c0";
	r->cpu = 4;
	r->pid = 0;
	r->comm = "swapper/4";
	r->kernel.tainted = "G           O";
	r->fault.present = true;
	r->fault.has_address = true;
	r->fault.address = 0xffff8801705505c0ull;
	r->fault.has_error_code = true;
	r->fault.error_code = 0;
	r->fault.page_table = "PGD 1a0d067 PUD 187fc2067 PMD 187e3f067 PTE 20";
	r->ip.present = true;
	r->ip.function = "memcpy";
	r->ip.offset = 6;
	r->ip.size = 0x110;
	r->ip.address = 0xffffffff812d9656ull;
	r->ip.segment = "e030";
	r->panic = "Fatal exception in interrupt";
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		t_reg(r, regs[i].n, regs[i].v);
	for (size_t i = 0; i < sizeof(frames) / sizeof(frames[0]); i++)
		t_frame(r, frames[i].f, frames[i].rel, frames[i].st);
	t_module(r, "tun", NULL);
	t_module(r, "bnx2i", "O");
	t_module(r, "enic", "O");
	t_module(r, "fnic", "O");
	t_module(r, "bridge", NULL);
	t_code_bytes(r, "25 c7 00 00 00 83 f8 05 0f 94 c0 0f b6 c0 eb 07 0f 1f 44 00 00 31 c0 48 "
			"8b 1c 24 4c 8b 64 24 08 c9 c3 90 90 90 48 89 f8 48 89 d1 <f3> a4 c3 03 "
			"83 e2 07 f3 48 a5 89 d1 f3 a4 c3 20 4c 8b 06 4c 8b");
	return r;
}

#endif
