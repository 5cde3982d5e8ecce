/*
 * parse/cut: the line classes that decide where a report starts and ends
 * (data/parse/cut.txt: end-of-trace tails, end markers, printk replay and
 * dropped-message markers, NMI backtraces) and the printk context of a line
 * (caller id / console / none) used to untangle interleaved output.
 * The state machine that uses them is parser.c.
 */
#ifndef KT_PARSE_CUT_H
#define KT_PARSE_CUT_H

#include <stdbool.h>
#include <stdint.h>

#include "normalize/line.h"
#include "util/str.h"

struct kt_ctx;

enum kt_cut_class {
	KT_CUT_TAILSTART,	/* "---[ end trace" */
	KT_CUT_TAIL,		/* may follow in a report's tail (panic lines) */
	KT_CUT_END,		/* last line of a report */
	KT_CUT_REPLAY,		/* "** replaying previous printk message **" */
	KT_CUT_DROPPED,		/* "** N printk messages dropped **" */
	KT_CUT_NMI,		/* "Sending NMI from CPU" */
	KT_CUT_SKIP,		/* never kept in a report */
	KT_CUT_INFOSTACK,	/* an info message that prints a stack of its own */
	KT_CUT_BODY,		/* only a kernel report prints it: confirms a header */
	KT_CUT_REPEAT,		/* a header the kernel repeats within one event */
	KT_CUT_BOOT,		/* the kernel starts again: no report spans it */
	KT_CUT_BOTTOM,		/* the bottom of a complete call trace */
	KT_CUT_COUNT
};

#define KT_CUT_BIT(c) (1u << (c))

struct kt_cut;

/* Load data/parse/cut.txt. Returns 0, KT_ENOTFOUND or KT_EFORMAT.
 * Caller owns the result; free with kt_cut_free(). */
int kt_cut_new(struct kt_ctx *ctx, struct kt_cut **ret);
void kt_cut_free(struct kt_cut *c);

/* Bit set (KT_CUT_BIT) of the classes `text` belongs to. For
 * KT_CUT_DROPPED, *ret_dropped gets the count (may be NULL). */
unsigned kt_cut_classify(const struct kt_cut *c, struct kt_str text, uint64_t *ret_dropped);
/* The same, restricted to the classes in the bit set `want` (rules of
 * other classes are not run: the parser asks only what its state needs). */
unsigned kt_cut_classify_some(const struct kt_cut *c, struct kt_str text, unsigned want,
			      uint64_t *ret_dropped);

/* The index of the first rule of class `cls` that `text` matches, or -1
 * (tells apart two lines of one class, e.g. two "repeat" rules). */
int kt_cut_rule(const struct kt_cut *c, struct kt_str text, enum kt_cut_class cls);

/* The printk context of a line. */
enum kt_ctx_kind {
	KT_LCTX_NONE,		/* no recognisable prefix */
	KT_LCTX_CONSOLE,	/* a timestamp but no caller id */
	KT_LCTX_TASK,		/* caller id [Tn] */
	KT_LCTX_CPU,		/* caller id [Cn] */
	KT_LCTX_XEN,		/* a (XEN) line: the hypervisor console */
};

struct kt_lctx {
	enum kt_ctx_kind kind;
	int id;
};

struct kt_lctx kt_cut_context(const struct kt_line *l);
bool kt_cut_same_context(struct kt_lctx a, struct kt_lctx b);

#endif
