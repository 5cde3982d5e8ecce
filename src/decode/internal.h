/*
 * decode: internal interfaces between the decode stage's modules (tables,
 * bit decoders, context, disassembly, register notes, symbolization).
 * kt_decode_run() in decode.c calls them in order; unit tests call them
 * one by one.
 */
#ifndef KT_DECODE_INTERNAL_H
#define KT_DECODE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ktriage/decode.h>
#include <ktriage/report.h>

#include "decode/dtable.h"

struct kt_ctx;

/* Every table of data/decode/. A table that failed to load is zeroed (no rows). */
struct kt_decode_tables {
	struct kt_dtable taint;		/* decode/taint.tsv */
	struct kt_dtable pf_error;	/* decode/pf-error.tsv */
	struct kt_dtable rflags;	/* decode/rflags.tsv */
	struct kt_dtable cr0;		/* decode/cr0.tsv */
	struct kt_dtable cr4;		/* decode/cr4.tsv */
	struct kt_dtable pte;		/* decode/pte-x86.tsv */
	struct kt_dtable esr_ec;	/* decode/arm64-esr-ec.tsv */
	struct kt_dtable fsc;		/* decode/arm64-fsc.tsv */
	struct kt_dtable poison;	/* decode/poison.tsv */
	struct kt_dtable mtu;		/* decode/mtu-sizes.tsv */
	struct kt_dtable ctx_frames;	/* decode/context-frames.tsv */
};

/* Load all tables. Returns 0, or the first error (the table stays empty and
 * the others are still loaded; message on ctx). */
int kt_decode_tables_load(struct kt_ctx *ctx, struct kt_decode_tables *t);
void kt_decode_tables_deinit(struct kt_decode_tables *t);

/* bits.c ---------------------------------------------------------------- */

/* Decode `value` with a bit table (columns bits, name, set, clear) and append
 * the flags to `out` (allocated in r's arena). Set bits not in the table are
 * listed as "bitN". */
void kt_bits_decode(struct kt_report *r, const struct kt_dtable *t, uint64_t value,
		    struct kt_flag_list *out);
/* kernel.tainted -> kernel.taint (letters; per-module letters name the modules). */
void kt_decode_taint(struct kt_report *r, const struct kt_dtable *taint);
/* fault.error_bits (x86 #PF error code or arm64 ESR), fault.pte_bits, and
 * fault.access/mode/reason when the parser left them empty. */
void kt_decode_fault(struct kt_report *r, const struct kt_decode_tables *t);
/* rflags / cr0 / cr4 from the EFLAGS, CR0, CR4 registers (x86 only). */
void kt_decode_cpu_regs(struct kt_report *r, const struct kt_decode_tables *t);

/* context.c -------------------------------------------------------------- */

/* context + context_why from stack markers, context frames, comm/pid, the
 * panic message and the preempt count of atomic-sleep reports. */
void kt_decode_context(struct kt_report *r, const struct kt_dtable *ctx_frames);
/* The context ("softirq", "hardirq", "nmi", "task") a frame function proves
 * according to the table, or NULL. */
const char *kt_context_of_function(const struct kt_dtable *ctx_frames, const char *func);

/* insn.c ----------------------------------------------------------------- */

#define KT_MAX_OPERAND_REGS 8

/* What the faulting instruction's memory access went through: the
 * registers that hold the pointer (report names, "RSI", "x1"; a register
 * used only as an index or offset is left out) and the effective address
 * when every register in it is known. */
struct kt_insn_regs {
	char name[KT_MAX_OPERAND_REGS][16];
	size_t n;
	bool has_addr;
	uint64_t addr;
};

/* Disassemble code (Code: bytes) with Capstone for r->arch into r->insns,
 * mark the faulting instruction, write r->insn_note and the registers the
 * faulting instruction used (ret_regs may be NULL). Leaves insns empty when
 * there are no bytes or the arch is not supported. */
void kt_decode_insns(struct kt_report *r, struct kt_insn_regs *ret_regs);

/* regnotes.c ------------------------------------------------------------- */

/* kt_report_reg() that also accepts the zero-padded spelling of x86 R8/R9
 * ("R8" finds "R08" and the other way round). */
bool kt_decode_reg(const struct kt_report *r, const char *name, uint64_t *ret);
/* Same register name, ignoring case and that padding. */
bool kt_reg_same(const char *a, const char *b);

/* The fault address the register notes compare against: fault.address, else
 * CR2 for page faults. Returns false if none. */
bool kt_fault_address(const struct kt_report *r, uint64_t *ret);
/* What the arch calls the fault address register: "CR2", "FAR", "DAR" ... */
const char *kt_fault_name(enum kt_arch a);
/* r->reg_notes from the registers, the fault address, the tables and the
 * registers the faulting instruction used (`used` may be NULL). Without a
 * fault address (e.g. a general protection fault) the effective address of
 * the faulting access is examined instead, as register "EA". */
void kt_decode_reg_notes(struct kt_report *r, const struct kt_decode_tables *t,
			 const struct kt_insn_regs *used);

/* symbolize.c ------------------------------------------------------------ */

/* Resolve frames to file:line (+ inlined frames) with libdw using
 * opts->vmlinux / modules_dir, and bare addresses with opts->system_map.
 * Returns 0 or KT_EIO/KT_ENOTFOUND/KT_EFORMAT for an unusable file. */
int kt_symbolize(struct kt_ctx *ctx, struct kt_report *r, const struct kt_decode_opts *opts);

#endif
