/*
 * parse/hostsplit: a central syslog server's file holds the kernel logs of
 * many hosts, interleaved line by line ("Nov 23 09:26:01 web-1 kernel: ...",
 * "Nov 23 09:26:01 db-2 kernel: ..."). Cutting a report looks at the lines
 * around its header, so the hosts are split first: every host gets its own
 * parser (parser.h) and each line goes to the parser of its syslog/journal
 * host. A line without a host (a continuation, a banner) goes with the line
 * before it. Each report's source.host names its host.
 */
#ifndef KT_PARSE_HOSTSPLIT_H
#define KT_PARSE_HOSTSPLIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ktriage/report.h>

#include "normalize/line.h"
#include "util/str.h"

struct kt_ctx;
struct kt_hostsplit;

/* At most this many hosts get a parser of their own; the lines of further
 * hosts share the last one (a note on their reports says so). Each parser
 * keeps up to KT_MAX_PREFIX_LINES lines: this bounds the memory. */
#define KT_HOSTSPLIT_MAX 128

/* Create a splitter for one input named `file` (see kt_parser_new()).
 * Returns NULL when the parse tables cannot be loaded (message on ctx).
 * Caller owns the result; free with kt_hostsplit_free(). */
struct kt_hostsplit *kt_hostsplit_new(struct kt_ctx *ctx, const char *file);
/* Free the splitter and every report not taken; NULL is a no-op. */
void kt_hostsplit_free(struct kt_hostsplit *h);
/* Feed the next line (copied). */
void kt_hostsplit_feed(struct kt_hostsplit *h, const struct kt_line *line);
/* The input is finished: close every open report. */
void kt_hostsplit_end(struct kt_hostsplit *h);
/* A finished report, or NULL. Reports of one host come in log order;
 * reports of different hosts in the order they finished (sort by
 * source.first_line for log order). Caller owns the result. */
struct kt_report *kt_hostsplit_take(struct kt_hostsplit *h);
/* Hand out at most `n` reports in all (0: no cap of its own; each parser
 * still keeps at most KT_MAX_REPORTS); later ones are freed and counted in
 * kt_hostsplit_dropped(). */
void kt_hostsplit_set_max_reports(struct kt_hostsplit *h, size_t n);
/* Reports dropped: over the cap above, or by a parser over its own. */
size_t kt_hostsplit_dropped(const struct kt_hostsplit *h);
/* True when no parser has an open report or one waiting (kt_parser_idle()). */
bool kt_hostsplit_idle(const struct kt_hostsplit *h);
/* The line number of the earliest report of any host not handed out yet
 * (kt_parser_first_pending()), or UINT32_MAX. */
uint32_t kt_hostsplit_first_pending(const struct kt_hostsplit *h);
/* Idle (kt_hostsplit_idle()), and the parser that the next line without a
 * host goes to has seen a kernel provenance (kt_parser_seen_provenance()). */
bool kt_hostsplit_settled(const struct kt_hostsplit *h);
/* The host the last line that named one named: where a line naming no
 * host goes, and whose parser a line naming it again reaches without
 * changing anything here. Empty when no line named a host. Borrowed;
 * valid until `h` is freed. */
struct kt_str kt_hostsplit_cur_host(const struct kt_hostsplit *h);
/* The header detector of its parsers (borrowed). */
const struct kt_detect *kt_hostsplit_detector(const struct kt_hostsplit *h);
/* Append the state of the splitter and of its idle parsers (see
 * kt_parser_state()) to `out`: host names in the order they came, the host
 * of the last line, where take() goes on. The parser of lines without a
 * host is left out once a host was named (it gets no line any more).
 * Returns false when a parser is not idle, or when `out` grew past `max`
 * bytes (then its content is of no use). */
bool kt_hostsplit_state(const struct kt_hostsplit *h, uint32_t origin, size_t max,
			struct kt_buf *out);
/* Number of distinct hosts seen so far (0 when no line named one). */
size_t kt_hostsplit_hosts(const struct kt_hostsplit *h);

#endif
