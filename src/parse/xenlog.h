/*
 * parse: the xen.log of a XenServer crash folder (written by
 * https://github.com/xenserver/xen-crashdump-analyser). Lines are fed one at
 * a time after normalization; the reader keeps the Xen version, every
 * "PCPU N Host state" / "PCPU N Guest state (DOMd VCPUv)" block (RIP,
 * segment, ring, registers, run state, the stack-scan Call Trace of guest
 * blocks) and the hypervisor panic reason of the console ring. It does not
 * find crashes in the console ring (the parser does that).
 */
#ifndef KT_PARSE_XENLOG_H
#define KT_PARSE_XENLOG_H

#include <stddef.h>

#include <ktriage/report.h>

#include "normalize/line.h"

struct kt_xenlog;

/* Create an empty reader. Caller owns the result; free with kt_xenlog_free(). */
struct kt_xenlog *kt_xenlog_new(void);
/* Free a reader; NULL is a no-op. */
void kt_xenlog_free(struct kt_xenlog *x);

/* Feed the next line of xen.log. Copied; the line may change after return.
 * Memory stays bounded (blocks, registers and frames are capped). */
void kt_xenlog_feed(struct kt_xenlog *x, const struct kt_line *line);

/* Fill r->xen for a dom0 report whose CPU is r->cpu: the guest-state block
 * of DOM0 with VCPU == r->cpu (else the block of the PCPU it ran on; else,
 * when r->cpu is unknown, the only DOM0 block; none for a Xen hypervisor
 * crash report, whose CPU is a PCPU). Copies version, pcpu,
 * domain, vcpu, kernel mode, RIP, registers, frames and the crash reason
 * into r's arena (copied; x may be freed after return). With no matching
 * block only the version and crash reason are attached. */
void kt_xenlog_attach(const struct kt_xenlog *x, struct kt_report *r);

/*
 * The text of a dom0 crash rebuilt from the DOM0 guest-state block whose
 * stack scan shows the guest panicked (data/parse/xen-guest-crash.txt): an
 * oops header, "IP:" with the faulting frame and a "Call Trace:" of its
 * callers, one line each, for the parser. Returns 1 with the text in *out
 * (kt_buf, caller frees) and the block's PCPU/VCPU, 0 when no block shows
 * a panic, or a KT_E* from reading the data file.
 */
struct kt_ctx;
struct kt_buf;
int kt_xenlog_guest_crash(struct kt_ctx *ctx, const struct kt_xenlog *x, struct kt_buf *out,
			  int *pcpu, int *vcpu);

/* What was read (borrowed; valid until x is freed). NULL when absent. */
const char *kt_xenlog_version(const struct kt_xenlog *x);
const char *kt_xenlog_crash_reason(const struct kt_xenlog *x);
/* Number of PCPU state blocks read, and how many of them are guest blocks. */
size_t kt_xenlog_n_blocks(const struct kt_xenlog *x);
size_t kt_xenlog_n_guest_blocks(const struct kt_xenlog *x);

#endif
