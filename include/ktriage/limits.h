/*
 * Named limits for untrusted input. Exceeding one truncates what is kept
 * and adds a note to the report; it never fails the call.
 */
#ifndef KTRIAGE_LIMITS_H
#define KTRIAGE_LIMITS_H

/* Longest line kept; the rest of a longer line is skipped (and noted). */
#define KT_MAX_LINE		8192
/* Lines kept for one report (the cut-out text); longer reports are cut. */
#define KT_MAX_REPORT_LINES	4096
/* Lines of context kept before a report header. */
#define KT_MAX_PREFIX_LINES	64
/* Frames kept per report. */
#define KT_MAX_FRAMES		512
/* Modules kept per report. */
#define KT_MAX_MODULES		1024
/* Registers kept per report. */
#define KT_MAX_REGS		128
/* Notes kept per report. */
#define KT_MAX_NOTES		64
/* Reports kept per input; later ones are counted but dropped. */
#define KT_MAX_REPORTS		1000
/* Reports of one input held back until it ends, so that its primary report
 * (a hypervisor crash) comes first and Xen's echo of a dom0 crash is folded
 * into dom0's report; past this many, reports go out in log order as they
 * are found (memory stays flat however many crashes an input has). */
#define KT_HELD_REPORTS		64
/* Bytes of Code: kept. */
#define KT_MAX_CODE_BYTES	128
/* Files examined below one directory argument. */
#define KT_MAX_DIR_FILES	100000
/* Directory depth followed below one directory argument. */
#define KT_MAX_DIR_DEPTH	8

#endif
