/*
 * decode: the stage that explains what the kernel printed. Consumes a parsed
 * and signed report; fills the decode-stage fields (taint letters, error-code,
 * EFLAGS/CR0/CR4 and PTE bits, execution context, the disassembled Code: bytes,
 * register insights and, with debug info, source lines of frames). It does not
 * judge the crash (diagnose) and never rewrites what the parser found, except
 * to fill a fault field the parser left empty.
 */
#ifndef KT_DECODE_DECODE_H
#define KT_DECODE_DECODE_H

#include <ktriage/decode.h>
#include <ktriage/report.h>

struct kt_ctx;

/* Fill the decode-stage fields of `r` (see <ktriage/report.h>): fault.error_bits,
 * fault.pte_bits, kernel.taint, rflags, cr0, cr4, context + context_why, insns
 * + insn_note, reg_notes, and with `opts` naming debug files, frames[].file /
 * line_no plus inlined frames. `opts` may be NULL. Everything added lives in
 * r's arena. Returns 0; KT_EIO / KT_ENOTFOUND / KT_EFORMAT only when a file
 * named in `opts` cannot be used (message on ctx; the other fields are still
 * filled). A knowledge table that fails to load is reported with kt_diag and
 * skipped. Running it again replaces the earlier decode results.
 *
 * Conventions of the output:
 *  - insns[].address is RIP + (offset from the marked byte): the real address
 *    when the report printed RIP's address, else relative to RIP (0 for the
 *    faulting instruction, wrapping below 0 for the ones before it); with no
 *    marker in the Code line, the offset in the window.
 *  - flag names are the table names when a bit is set ("WRITE", "IF") and
 *    "!NAME" when a clear bit has a meaning ("!PROT" = page not present);
 *    "bitN" for set bits no table knows; kernel.taint also lists module-only
 *    letters and the module states "+" / "-".
 *  - reg_notes[].tag is one of fault-address, null-offset, poison, err-ptr,
 *    non-canonical, user-address, mtu-size; reg "CR2"/"FAR"/"DAR" marks a
 *    note about the fault address itself. */
int kt_decode_run(struct kt_ctx *ctx, struct kt_report *r, const struct kt_decode_opts *opts);

#endif
