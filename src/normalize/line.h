/*
 * normalize: one input line after its prefixes are stripped. This is the
 * contract between input/normalize and every later stage (parser, scanner):
 * the parser sees only `text`; everything stripped is kept as metadata.
 */
#ifndef KT_NORMALIZE_LINE_H
#define KT_NORMALIZE_LINE_H

#include <stdbool.h>
#include <stdint.h>

#include "util/str.h"

/* The prefix style a line was recognised in. */
enum kt_line_fmt {
	KT_FMT_PLAIN,		/* no recognised prefix (serial console, bare text) */
	KT_FMT_DMESG,		/* "[   12.345678] msg" (also vmcore-dmesg) */
	KT_FMT_SYSLOG,		/* "Nov 23 09:26:01 host kernel: [ts] msg", RFC 3339 variants */
	KT_FMT_JOURNAL,		/* journalctl -k short / short-iso / short-precise / short-monotonic */
	KT_FMT_XEN_RING,	/* XenServer dom0.log: "[2637695.833005]  ALERT: msg" */
	KT_FMT_XEN_CONSOLE,	/* "(XEN) [ts] msg" */
	KT_FMT_KMSG,		/* /dev/kmsg and extended netconsole "6,339,5140900,-;msg" */
	KT_FMT_COUNT
};

/* Caller-id kinds from CONFIG_PRINTK_CALLER. */
enum kt_caller {
	KT_CALLER_NONE,
	KT_CALLER_TASK,		/* [  T123] */
	KT_CALLER_CPU,		/* [    C1] */
};

struct kt_line {
	struct kt_str text;	/* message, all prefixes stripped; valid until the next line */
	struct kt_str raw;	/* the line as read, without the newline */
	uint32_t no;		/* 1-based line number in its input */
	enum kt_line_fmt fmt;
	double ts;		/* kernel timestamp in seconds, or -1 */
	int level;		/* printk level 0..7, or -1 */
	enum kt_caller caller;
	int caller_id;		/* pid or cpu for the caller id, or -1 */
	struct kt_str wallclock; /* syslog/journal/(XEN) date-time text, or empty */
	struct kt_str host;	/* syslog/journal host, or empty */
	struct kt_str tag;	/* syslog/journal tag ("kernel", "systemd[1]"), or empty:
				 * lets later stages ignore user-space lines */
	bool xen;		/* carried a "(XEN) " prefix */
	bool truncated;		/* the raw line was longer than KT_MAX_LINE */
	bool boundary;		/* a log boundary, not kernel text: journalctl
				 * "-- Boot 3f1a… --", "-- Reboot --", "-- Logs begin … --" */
};

const char *kt_line_fmt_name(enum kt_line_fmt f);

#endif
