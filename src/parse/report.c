/*
 * parse: the report object's lifecycle, arena helpers and enum names (see
 * <ktriage/report.h>). The parser creates reports; later stages fill them.
 */
#include <ktriage/report.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ktriage/limits.h>

#include "util/arena.h"
#include "util/mem.h"

struct kt_report *
kt_report_new(void)
{
	struct kt_arena *a = kt_arena_new();
	struct kt_report *r = kt_arena_alloc(a, sizeof(*r));

	r->arena = a;
	r->cpu = r->pid = r->uid = KT_NONE;
	r->oops_count = KT_NONE;
	r->code.fault_offset = KT_NONE;
	r->source.timestamp = -1;
	r->xen.pcpu = r->xen.domain = r->xen.vcpu = KT_NONE;
	return r;
}

void
kt_report_free(struct kt_report *r)
{
	if (r)
		kt_arena_free(r->arena);	/* r itself lives in the arena */
}

const char *
kt_report_strndup(struct kt_report *r, const char *s, size_t len)
{
	return kt_arena_strndup(r->arena, s, len);
}

const char *
kt_report_strdup(struct kt_report *r, const char *s)
{
	return kt_arena_strdup(r->arena, s);
}

const char *
kt_report_printf(struct kt_report *r, const char *fmt, ...)
{
	va_list ap;
	const char *p;

	va_start(ap, fmt);
	p = kt_arena_vprintf(r->arena, fmt, ap);
	va_end(ap);
	return p;
}

void *
kt_report_alloc(struct kt_report *r, size_t size)
{
	return kt_arena_alloc(r->arena, size);
}

void
kt_report_note(struct kt_report *r, uint32_t line, enum kt_sev sev, const char *fmt, ...)
{
	struct kt_note *n;
	va_list ap;
	char buf[512];

	if (r->n_notes >= KT_MAX_NOTES)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	r->notes = kt_arena_realloc(r->arena, r->notes, r->n_notes * sizeof(*n),
				    (r->n_notes + 1) * sizeof(*n));
	n = &r->notes[r->n_notes++];
	n->line = line;
	n->sev = sev;
	n->msg = kt_arena_strdup(r->arena, buf);
}

bool
kt_report_reg(const struct kt_report *r, const char *name, uint64_t *ret)
{
	for (size_t i = 0; i < r->n_regs; i++) {
		if (r->regs[i].name && strcasecmp(r->regs[i].name, name) == 0) {
			*ret = r->regs[i].value;
			return true;
		}
	}
	return false;
}

static const char *const kind_names[KT_KIND_COUNT] = {
	[KT_KIND_UNKNOWN] = "unknown",
	[KT_KIND_PAGING_REQUEST] = "paging-request",
	[KT_KIND_NULL_DEREF] = "null-pointer-dereference",
	[KT_KIND_GPF] = "general-protection-fault",
	[KT_KIND_STACK_SEGMENT] = "stack-segment-fault",
	[KT_KIND_DOUBLE_FAULT] = "double-fault",
	[KT_KIND_DIVIDE_ERROR] = "divide-error",
	[KT_KIND_INVALID_OPCODE] = "invalid-opcode",
	[KT_KIND_INT3] = "int3",
	[KT_KIND_BUG] = "bug",
	[KT_KIND_WARNING] = "warning",
	[KT_KIND_SOFT_LOCKUP] = "soft-lockup",
	[KT_KIND_HARD_LOCKUP] = "hard-lockup",
	[KT_KIND_RCU_STALL] = "rcu-stall",
	[KT_KIND_HUNG_TASK] = "hung-task",
	[KT_KIND_ATOMIC_SLEEP] = "atomic-sleep",
	[KT_KIND_LOCKDEP] = "lockdep",
	[KT_KIND_SPINLOCK] = "spinlock",
	[KT_KIND_BAD_PAGE] = "bad-page-state",
	[KT_KIND_BAD_RSS] = "bad-rss-counter",
	[KT_KIND_LIST_CORRUPTION] = "list-corruption",
	[KT_KIND_REFCOUNT] = "refcount",
	[KT_KIND_STACK_GUARD] = "stack-guard-page",
	[KT_KIND_KASAN] = "kasan",
	[KT_KIND_KMSAN] = "kmsan",
	[KT_KIND_KCSAN] = "kcsan",
	[KT_KIND_KFENCE] = "kfence",
	[KT_KIND_UBSAN] = "ubsan",
	[KT_KIND_MEMORY_LEAK] = "memory-leak",
	[KT_KIND_STACK_PROTECTOR] = "stack-protector",
	[KT_KIND_PANIC] = "panic",
	[KT_KIND_OOM] = "oom",
	[KT_KIND_MCE] = "machine-check",
	[KT_KIND_XEN_CRASH] = "xen-crash",
	[KT_KIND_XEN_DOMAIN_CRASH] = "xen-domain-crash",
	[KT_KIND_ARM_FAULT] = "arm-fault",
	[KT_KIND_OTHER] = "other",
};

static const char *const arch_names[KT_ARCH_COUNT] = {
	[KT_ARCH_UNKNOWN] = "unknown",
	[KT_ARCH_X86_64] = "x86_64",
	[KT_ARCH_I386] = "i386",
	[KT_ARCH_ARM64] = "arm64",
	[KT_ARCH_ARM] = "arm",
	[KT_ARCH_PPC64] = "ppc64",
	[KT_ARCH_S390X] = "s390x",
	[KT_ARCH_RISCV] = "riscv",
	[KT_ARCH_MIPS] = "mips",
	[KT_ARCH_LOONGARCH64] = "loongarch64",
	[KT_ARCH_SPARC64] = "sparc64",
	[KT_ARCH_PARISC] = "parisc",
};

static const char *const context_names[KT_CONTEXT_COUNT] = {
	[KT_CONTEXT_UNKNOWN] = "unknown",
	[KT_CONTEXT_TASK] = "task",
	[KT_CONTEXT_SOFTIRQ] = "softirq",
	[KT_CONTEXT_HARDIRQ] = "hardirq",
	[KT_CONTEXT_NMI] = "nmi",
	[KT_CONTEXT_HYPERVISOR] = "hypervisor",
};

static const char *const stack_names[KT_STACK_COUNT] = {
	[KT_STACK_NONE] = "none",
	[KT_STACK_TASK] = "task",
	[KT_STACK_IRQ] = "irq",
	[KT_STACK_SOFTIRQ] = "softirq",
	[KT_STACK_NMI] = "nmi",
	[KT_STACK_EXCEPTION] = "exception",
};

static const char *
name_of(const char *const *names, size_t count, unsigned v)
{
	return v < count && names[v] ? names[v] : names[0];
}

static unsigned
from_name(const char *const *names, size_t count, const char *s)
{
	for (size_t i = 0; s && i < count; i++)
		if (names[i] && strcmp(names[i], s) == 0)
			return (unsigned)i;
	return 0;
}

#define ENUM_NAMES(prefix, type, table, count)				\
	const char *prefix##_name(type v)				\
	{								\
		return name_of(table, count, (unsigned)v);		\
	}								\
	type prefix##_from_name(const char *s)				\
	{								\
		return (type)from_name(table, count, s);		\
	}

ENUM_NAMES(kt_kind, enum kt_kind, kind_names, KT_KIND_COUNT)
ENUM_NAMES(kt_arch, enum kt_arch, arch_names, KT_ARCH_COUNT)
ENUM_NAMES(kt_context, enum kt_context, context_names, KT_CONTEXT_COUNT)
ENUM_NAMES(kt_stack, enum kt_stack, stack_names, KT_STACK_COUNT)
