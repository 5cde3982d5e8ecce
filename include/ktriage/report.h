/*
 * The report model: one kernel or hypervisor crash, as parsed, signed,
 * decoded and diagnosed. Every pointer in a report points into the report's
 * own arena, so a report outlives the input it came from and is released
 * in one call (kt_report_free()).
 *
 * Fields are filled by stages in order: parse (what the kernel printed),
 * sign (title, type, guilty frame, bucket), decode (meanings of codes and
 * bits), diagnose (findings, story). A field a stage could not fill stays
 * zero / NULL / KT_NONE.
 */
#ifndef KTRIAGE_REPORT_H
#define KTRIAGE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ktriage/error.h>
#include <ktriage/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "Not known" for signed integer fields such as cpu and pid. */
#define KT_NONE (-1)

struct kt_arena;

/* What kind of crash. Names (kt_kind_name()) are the JSON `kind` values. */
enum kt_kind {
	KT_KIND_UNKNOWN,
	KT_KIND_PAGING_REQUEST,	/* unable to handle kernel paging request / page fault for address */
	KT_KIND_NULL_DEREF,	/* NULL pointer dereference */
	KT_KIND_GPF,		/* general protection fault */
	KT_KIND_STACK_SEGMENT,
	KT_KIND_DOUBLE_FAULT,
	KT_KIND_DIVIDE_ERROR,
	KT_KIND_INVALID_OPCODE,
	KT_KIND_INT3,
	KT_KIND_BUG,		/* kernel BUG at / BUG_ON */
	KT_KIND_WARNING,
	KT_KIND_SOFT_LOCKUP,
	KT_KIND_HARD_LOCKUP,
	KT_KIND_RCU_STALL,
	KT_KIND_HUNG_TASK,
	KT_KIND_ATOMIC_SLEEP,	/* scheduling while atomic, sleeping in invalid context */
	KT_KIND_LOCKDEP,
	KT_KIND_SPINLOCK,
	KT_KIND_BAD_PAGE,
	KT_KIND_BAD_RSS,
	KT_KIND_LIST_CORRUPTION,
	KT_KIND_REFCOUNT,
	KT_KIND_STACK_GUARD,
	KT_KIND_KASAN,
	KT_KIND_KMSAN,
	KT_KIND_KCSAN,
	KT_KIND_KFENCE,
	KT_KIND_UBSAN,
	KT_KIND_MEMORY_LEAK,
	KT_KIND_STACK_PROTECTOR,
	KT_KIND_PANIC,		/* Kernel panic - not syncing with no earlier report */
	KT_KIND_OOM,
	KT_KIND_MCE,		/* machine check / hardware error */
	KT_KIND_XEN_CRASH,	/* Xen hypervisor crash (FATAL TRAP, Xen BUG, assertion ...) */
	KT_KIND_XEN_DOMAIN_CRASH, /* "Domain N (vcpu#M) crashed" / "Hardware Dom0 crashed" */
	KT_KIND_ARM_FAULT,	/* arm/arm64 Internal error / Unhandled fault / Alignment trap */
	KT_KIND_OTHER,		/* a crash header we recognise but do not classify */
	KT_KIND_COUNT
};

enum kt_arch {
	KT_ARCH_UNKNOWN,
	KT_ARCH_X86_64,
	KT_ARCH_I386,
	KT_ARCH_ARM64,
	KT_ARCH_ARM,
	KT_ARCH_PPC64,
	KT_ARCH_S390X,
	KT_ARCH_RISCV,
	KT_ARCH_MIPS,
	KT_ARCH_LOONGARCH64,
	KT_ARCH_SPARC64,
	KT_ARCH_PARISC,
	KT_ARCH_COUNT
};

/* Execution context of the crashing code. */
enum kt_context {
	KT_CONTEXT_UNKNOWN,
	KT_CONTEXT_TASK,	/* process context (syscall, kthread, workqueue) */
	KT_CONTEXT_SOFTIRQ,
	KT_CONTEXT_HARDIRQ,
	KT_CONTEXT_NMI,
	KT_CONTEXT_HYPERVISOR,	/* Xen itself */
	KT_CONTEXT_COUNT
};

/* Which stack a frame was printed under (the Call Trace section markers). */
enum kt_stack {
	KT_STACK_NONE,		/* no marker seen */
	KT_STACK_TASK,		/* <TASK> or after <EOI> / </IRQ> */
	KT_STACK_IRQ,		/* <IRQ> */
	KT_STACK_SOFTIRQ,	/* <SOFTIRQ> */
	KT_STACK_NMI,		/* <NMI> */
	KT_STACK_EXCEPTION,	/* <#DF>, <#MC>, <#DB>, <#VC>, exception stacks */
	KT_STACK_COUNT
};

/* One stack frame. Raw text is kept beside the parsed parts. */
struct kt_frame {
	const char *function;	/* "ip_fragment"; NULL if only an address */
	uint64_t offset;	/* 0x621 */
	uint64_t size;		/* 0x760 */
	uint64_t address;	/* 0xffffffff81486461; 0 if not printed */
	const char *module;	/* "bridge" or NULL for vmlinux */
	const char *buildid;	/* module build id if printed, else NULL */
	const char *file;	/* "net/ipv4/ip_output.c" after symbolization / if printed */
	int line_no;		/* source line if known, else 0 */
	bool has_offset;	/* "+0x621/0x760" was present */
	bool reliable;		/* false for "? func" and "(unreliable)" */
	bool inlined;		/* an [inline] frame from symbolization */
	enum kt_stack stack;
	uint32_t log_line;	/* line number in the input */
};

struct kt_reg {
	const char *name;	/* canonical upper-case name: "RAX", "CR2", "pc", "x0" kept as printed */
	uint64_t value;
};

struct kt_module {
	const char *name;
	const char *flags;	/* "O", "PO", "E" ... or NULL */
};

/* A lenient-parser diagnostic attached to a report. */
struct kt_note {
	uint32_t line;
	enum kt_sev sev;
	const char *msg;
};

/* A decoded flag or bit: used for taint letters, error-code bits, RFLAGS,
 * CR0/CR4 bits and PTE bits. */
struct kt_flag {
	const char *name;	/* "O", "PF_USER", "IF", "PG" */
	const char *meaning;	/* "externally-built (out-of-tree) module loaded" */
};

struct kt_flag_list {
	struct kt_flag *v;
	size_t n;
};

/* The faulting access, where the report says. */
struct kt_fault {
	bool present;		/* any fault information at all */
	bool has_address;
	uint64_t address;	/* CR2 / FAR / "at ffff8801705505c0" */
	const char *access;	/* "read", "write", "exec", "unknown" */
	const char *mode;	/* "kernel", "user" */
	const char *reason;	/* "not-present page", "protection violation", "reserved bit" ... */
	bool has_error_code;
	uint64_t error_code;	/* Oops: 0000 / #PF error_code(0x0000) / ESR */
	struct kt_flag_list error_bits; /* decoded error code bits (decode stage) */
	const char *page_table;	/* "PGD 1a0d067 PUD ... PTE 20" raw */
	struct kt_flag_list pte_bits;	/* decoded last-level entry bits (decode stage) */
};

/* The instruction pointer at the fault. */
struct kt_ip {
	bool present;
	const char *function;
	uint64_t offset;
	uint64_t size;
	uint64_t address;
	const char *module;
	const char *segment;	/* "0010", "e030" (Xen PV) or NULL */
};

struct kt_code {
	uint8_t *bytes;
	size_t n;
	int fault_offset;	/* index of the <xx> byte, or KT_NONE */
	bool fault_is_opcode;	/* marker was <..> (vs (..) : arm/ppc use (..) too) */
	const char *raw;
};

/* A disassembled instruction (decode stage, Capstone). */
struct kt_insn {
	uint64_t address;
	const char *text;	/* "rep movsb byte ptr [rdi], byte ptr [rsi]" */
	bool faulting;
};

/* A note about a register value (decode stage). */
struct kt_reg_note {
	const char *reg;	/* "RSI" */
	uint64_t value;
	const char *what;	/* "equals the fault address (CR2)" */
	const char *tag;	/* machine-readable: "fault-address", "mtu-size", "poison", "null-offset", "non-canonical", "user-address" */
};

/* One finding of the knowledge base (diagnose stage). */
struct kt_finding {
	const char *rule;	/* rule id */
	const char *title;
	const char *severity;	/* "critical", "high", "medium", "low", "info" */
	const char *confidence;	/* "high", "medium", "low" */
	double score;		/* 0..1, fraction of weighted conditions met */
	const char **evidence;
	size_t n_evidence;
	const char *explanation;
	const char **remedy;
	size_t n_remedy;
	const char **references;
	size_t n_references;
	/* What would raise the confidence: the conditions of the rule's
	 * higher-confidence combinations that did not hold, as the evidence
	 * they would give (placeholders shown as "..."). */
	const char **raise;
	size_t n_raise;
	bool raise_host_facts;	/* some of them are host facts (--host-facts) */
};

/* Xen / XenServer context for a report from a crash folder or (XEN) lines. */
struct kt_xen {
	bool present;
	const char *version;	/* "4.4.1-xs100346" */
	int pcpu;		/* KT_NONE if unknown */
	int domain;		/* 0 for dom0; KT_NONE if unknown */
	int vcpu;
	bool vcpu_kernel_mode;	/* "VCPU in kernel mode" */
	const char *guest_rip;	/* symbolised guest RIP from the guest-state block */
	bool analyser_complete;	/* xen-crashdump-analyser.log says COMPLETE */
	bool analyser_log_seen;
	const char *crash_reason; /* hypervisor panic text, if any */
	struct kt_frame *frames; /* the guest-state block's call trace (stack scan) */
	size_t n_frames;
	struct kt_reg *regs;
	size_t n_regs;
	/* added by the fields helper (xen.log guest-state block): */
	uint64_t guest_rip_address; /* the RIP value, 0 if unknown */
	const char *guest_segment; /* "e033" (PV kernel runs in ring 3), or NULL */
	int guest_ring;		/* "Ring 3"; meaningful only when guest_segment is set */
	bool vcpu_mode_known;	/* "VCPU in kernel|user mode" was printed */
	bool echo;		/* this report is Xen's echo of a dom0 crash ("Hardware
				 * Dom0 crashed"): folded into dom0's own report */
};

/* Where the report came from. */
struct kt_source {
	const char *file;	/* path as given (member path for folders/tarballs) */
	const char *format;	/* "dmesg", "syslog", "journal", "xen-dom0-ring", "xen-console", "kmsg", "plain" */
	uint32_t first_line;
	uint32_t last_line;
	double timestamp;	/* kernel timestamp of the header line, or -1 */
	const char *wallclock;	/* syslog/journal time text of the header line, or NULL */
	const char *host;	/* syslog host name, or NULL */
};

struct kt_report {
	struct kt_arena *arena;

	/* parse */
	enum kt_kind kind;
	enum kt_arch arch;
	const char *header;	/* the line that started the report, prefix stripped */
	const char **lines;	/* the cut-out report text, prefixes stripped */
	uint32_t *line_nos;	/* input line number of each entry of `lines` */
	size_t n_lines;
	size_t title_end;	/* if not 0: only lines[0..title_end) are titled (a
				 * second crash interleaved without caller ids) */
	bool incomplete;	/* cut short (input end, new boot): fields the missing
				 * lines would decide (context) are left unknown */
	const char *incomplete_reason;
	struct kt_source source;
	const char *oops;	/* "Oops: 0000 [#1] SMP" */
	int oops_count;		/* the N of [#N], or KT_NONE */
	struct {
		const char *release;	/* "3.10.0+2" */
		const char *version;	/* "#1 SMP ..." build string after the release */
		const char *tainted;	/* "G           O" as printed, or NULL if "Not tainted" */
		bool not_tainted;
		struct kt_flag_list taint; /* decoded letters (decode stage) */
	} kernel;
	int cpu;
	int pid;
	int uid;
	const char *comm;
	const char *hardware;
	const char *bios;
	const char *workqueue;
	enum kt_context context;
	const char *context_why;	/* evidence for `context` (decode stage) */
	struct kt_fault fault;
	struct kt_ip ip;
	struct kt_reg *regs;
	size_t n_regs;
	struct kt_flag_list rflags;	/* decode stage */
	struct kt_flag_list cr0;	/* decode stage */
	struct kt_flag_list cr4;	/* decode stage */
	struct kt_module *modules;
	size_t n_modules;
	const char *last_unloaded;
	struct kt_frame *frames;
	size_t n_frames;
	struct kt_code code;
	const char *panic;	/* "Fatal exception in interrupt" */
	const char *end_trace;	/* the id of ---[ end trace ID ]--- */
	const char *kernel_offset; /* "Kernel Offset: 0x..." */
	struct kt_xen xen;
	struct kt_note *notes;
	size_t n_notes;

	/* sign */
	const char *title;
	const char **alt_titles;
	size_t n_alt_titles;
	const char *type;	/* syzkaller bug type, or NULL when unknown */
	const char *frame;	/* guilty function, or NULL */
	bool corrupted;
	const char *corrupted_reason;
	char bucket[17];	/* 16 hex digits + NUL; "" before signing */

	/* decode */
	struct kt_insn *insns;
	size_t n_insns;
	const char *insn_note;	/* "reads through RSI (equals CR2)" */
	struct kt_reg_note *reg_notes;
	size_t n_reg_notes;

	/* diagnose */
	struct kt_finding *findings;
	size_t n_findings;
	const char **story;	/* "What happened", one sentence per entry */
	size_t n_story;
};

/* Create an empty report with its own arena. Caller owns the result; free
 * with kt_report_free(). */
KT_API struct kt_report *kt_report_new(void);
/* Free a report and everything in its arena; NULL is a no-op. */
KT_API void kt_report_free(struct kt_report *r);

/* Copy a string into the report's arena. Copied; the argument may be freed
 * after return. `len` bytes are copied and NUL-terminated. */
KT_API const char *kt_report_strndup(struct kt_report *r, const char *s, size_t len);
KT_API const char *kt_report_strdup(struct kt_report *r, const char *s);
/* Formatted string in the report's arena. Borrowed; valid until the report
 * is freed. */
KT_API const char *kt_report_printf(struct kt_report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Allocate zeroed memory in the report's arena. */
KT_API void *kt_report_alloc(struct kt_report *r, size_t size);

/* Append a note (lenient diagnostic). Silently capped at KT_MAX_NOTES. */
KT_API void kt_report_note(struct kt_report *r, uint32_t line, enum kt_sev sev,
			   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Find a register by name (case-insensitive); returns false if absent. */
KT_API bool kt_report_reg(const struct kt_report *r, const char *name, uint64_t *ret);

/* Enum names; "unknown" for out-of-range values. *_from_name returns
 * the enum value or the UNKNOWN/NONE value (0) when not found. */
KT_API const char *kt_kind_name(enum kt_kind k);
KT_API enum kt_kind kt_kind_from_name(const char *s);
KT_API const char *kt_arch_name(enum kt_arch a);
KT_API enum kt_arch kt_arch_from_name(const char *s);
KT_API const char *kt_context_name(enum kt_context c);
KT_API enum kt_context kt_context_from_name(const char *s);
KT_API const char *kt_stack_name(enum kt_stack s);
KT_API enum kt_stack kt_stack_from_name(const char *s);

#ifdef __cplusplus
}
#endif
#endif
