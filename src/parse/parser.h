/*
 * parse/parser: the streaming report cutter. Fed normalized lines one at a
 * time, it finds crash headers (detect.h), keeps only those the kernel
 * itself printed (a report body follows, or the line has a kernel
 * provenance; docs/report-json.md "Detection"), cuts each report out of the
 * stream (prefix lines, same printk context, one report per task when
 * lines carry caller ids, stop at the next independent crash, at a new
 * boot or when the body stops, keep the panic that follows an oops), and
 * hands out finished struct kt_report objects in log order with lines,
 * header, kind, source and `incomplete` filled; kt_fields_extract() then
 * fills the structured fields.
 * Memory is bounded for any input: a ring of prefix lines, a few open
 * reports, reports capped at KT_MAX_REPORT_LINES (cut reports are marked
 * corrupted), at most KT_MAX_REPORTS reports queued. Titles are not made
 * here (src/sign/).
 */
#ifndef KT_PARSE_PARSER_H
#define KT_PARSE_PARSER_H

#include <stdbool.h>
#include <stdint.h>

#include <ktriage/report.h>

#include "normalize/line.h"

struct kt_ctx;
struct kt_parser;
struct kt_detect;

/* Create a parser for one input named `file` (used in report sources;
 * copied). The data tables are compiled on first use and cached on ctx
 * (released by kt_ctx_free()); with ctx NULL the parser compiles its own.
 * Returns NULL when the data tables cannot be loaded (the message is on
 * ctx). Caller owns the result; free with kt_parser_free(). */
struct kt_parser *kt_parser_new(struct kt_ctx *ctx, const char *file);
/* Free the parser and any report not taken yet; NULL is a no-op. */
void kt_parser_free(struct kt_parser *p);

/* Feed the next line. Copied; the line may be freed after return. */
void kt_parser_feed(struct kt_parser *p, const struct kt_line *line);
/* The input is finished: close the open report, if any. */
void kt_parser_end(struct kt_parser *p);
/* The next finished report in log order, or NULL. Caller owns the result;
 * free with kt_report_free(). */
struct kt_report *kt_parser_take(struct kt_parser *p);
/* True when no report is open and none is waiting to be taken (a scanner
 * may then skip ahead to the next line containing a header keyword). */
bool kt_parser_idle(const struct kt_parser *p);
/* True when the open report printed its end marker ("---[ end trace") and
 * only its tail (a panic) may still follow: a follower of a live log can
 * close it after a short grace instead of a long quiet period. */
bool kt_parser_in_tail(const struct kt_parser *p);
/* The line number of the earliest report not handed out yet (open, held
 * as a candidate, or finished but waiting behind an earlier one), or
 * UINT32_MAX when there is none: every report still to come starts at or
 * after min(this, the next line fed). */
uint32_t kt_parser_first_pending(const struct kt_parser *p);
/* True once a line fed had a kernel provenance (timestamp, level, caller
 * id, kernel facility): from then on idle lines without a header change
 * nothing but the prefix ring and the last timestamp. */
bool kt_parser_seen_provenance(const struct kt_parser *p);
/* The header detector the parser uses (borrowed; lives as long as the
 * parser's tables). */
const struct kt_detect *kt_parser_detector(const struct kt_parser *p);
/* Number of reports dropped because KT_MAX_REPORTS (or the number set with
 * kt_parser_set_max_reports) were already found. */
size_t kt_parser_dropped(const struct kt_parser *p);
/* Keep at most `n` reports (0: KT_MAX_REPORTS); later ones are counted. */
void kt_parser_set_max_reports(struct kt_parser *p, size_t n);

#endif
