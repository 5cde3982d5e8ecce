/*
 * The analysis pipeline: everything `ktriage analyze` does, as a library
 * call. For each input unit (a log file, stdin, a XenServer crash folder, a
 * log inside a status report) it reads, normalizes, finds and parses every
 * crash, signs, decodes and diagnoses it, and hands the reports to the
 * caller in log order.
 */
#ifndef KTRIAGE_ANALYZE_H
#define KTRIAGE_ANALYZE_H

#include <stdbool.h>

#include <ktriage/error.h>
#include <ktriage/export.h>
#include <ktriage/hostfacts.h>
#include <ktriage/input.h>
#include <ktriage/report.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kt_analyzer;

struct kt_analyze_opts {
	const char *vmlinux;		/* --vmlinux: symbolize frames */
	const char *modules_dir;	/* --modules */
	const char *system_map;		/* --system-map */
	const char *const *rule_dirs;	/* --rules DIR (NULL-terminated), added to the built-in rules */
	const char *host_facts;		/* --host-facts FILE (net audit JSON) */
	bool no_diagnose;		/* skip the knowledge base (faster; scan-like) */
	/* Caps on untrusted input (0 = the KT_DEFAULT_* / KT_MAX_LINE default);
	 * each one hit is reported as a KT_PROBLEM_LIMIT problem. */
	size_t max_reports;		/* reports per input unit; later ones are counted */
	size_t max_members;		/* directory and archive entries per PATH */
	size_t max_depth;		/* archives inside archives (SIZE_MAX: none) */
	size_t max_line;		/* bytes kept per line (64 .. 16 MiB) */
	uint64_t max_bytes;		/* bytes read per input, decompressed (0: no cap) */
	bool full_feed;			/* parse every line: no prefilter (the reference
					 * the prefiltered output is tested against) */
};

/* Per-unit callbacks. `unit` is the display path of the input unit. */
struct kt_analyze_cb {
	void (*unit_begin)(void *ud, const char *unit);
	/* A finished report. The callee owns it: free with kt_report_free(). */
	void (*report)(void *ud, const char *unit, struct kt_report *r);
	/* `status` is 0 or the negative KT_E* that stopped this unit (message
	 * in kt_ctx_errmsg). */
	void (*unit_end)(void *ud, const char *unit, int status);
	void *ud;
};

/* Create an analyzer (loads rules and host facts). An analyzer and its ctx
 * are used by one thread at a time; analyzers on different contexts may run
 * in parallel, also when the contexts share their compiled tables
 * (kt_ctx_share_tables(); ktriage analyze -j does: one context and one
 * analyzer per worker thread, one copy of the tables). Caller owns the result;
 * free with kt_analyzer_free(). Returns 0 or KT_EFORMAT/KT_EIO/KT_ENOTFOUND
 * (message on ctx). `opts` is copied; its strings are borrowed and must
 * outlive the analyzer. */
KT_API int kt_analyzer_new(struct kt_ctx *ctx, const struct kt_analyze_opts *opts,
			   struct kt_analyzer **ret);
KT_API void kt_analyzer_free(struct kt_analyzer *a);

/* Check the files the options name before any work: vmlinux must be an ELF
 * file, system_map must look like a System.map ("ADDRESS TYPE NAME" lines),
 * modules_dir must be a directory. Returns 0, KT_ENOTFOUND or KT_EFORMAT
 * with a message naming the option and the file. */
KT_API int kt_analyze_opts_check(struct kt_ctx *ctx, const struct kt_analyze_opts *opts);

/* Problems of the inputs (see ktriage/input.h): something of `unit` could
 * not be read fully. Without a callback they go to kt_diag as warnings.
 * Called between the unit's unit_begin and unit_end callbacks, before its
 * reports. A problem of a container that is not a unit itself (an archive
 * cut between members, an unreadable file in a directory, an empty
 * directory) comes as a unit of its own, named after the container, with
 * no reports. The problem is borrowed for the call. */
typedef void (*kt_analyze_problem_fn)(void *ud, const char *unit, const struct kt_problem *p);
KT_API void kt_analyzer_set_problem_fn(struct kt_analyzer *a, kt_analyze_problem_fn fn, void *ud);

/* Analyze everything under PATH ("-" = stdin; a file; a directory; a crash
 * folder; a tarball). Problems with one unit are reported through its
 * unit_end status and kt_diag; the walk goes on. Returns 0, or a negative
 * code when PATH itself cannot be read (missing, permission). */
KT_API int kt_analyze_path(struct kt_analyzer *a, const char *path,
			   const struct kt_analyze_cb *cb);

/* Split PATH into pieces that can be analysed independently (in parallel,
 * one analyzer per thread): a directory that is not a crash folder gives
 * its crash folders (flags 0) and the files that may be logs or archives
 * (flags KT_PIECE_MEMBER), in kt_analyze_path()'s order; anything else is
 * one piece, PATH itself (flags 0). kt_analyze_piece() on each piece, in
 * order, gives the same units and reports as kt_analyze_path() on PATH,
 * except that an archive found in a directory is then analysed as if named
 * (a status report's network state becomes its host facts). fn's non-zero
 * return stops the split and is returned; otherwise returns 0, or a
 * negative code when the directory cannot be read (message on ctx;
 * problems below it go to kt_diag). */
#define KT_PIECE_MEMBER	1u	/* a file met in a directory: skipped if not text */
KT_API int kt_analyze_split(struct kt_ctx *ctx, const char *path,
			    int (*fn)(void *ud, const char *piece, unsigned flags), void *ud);
/* Analyze one piece of kt_analyze_split(); flags 0 is kt_analyze_path(). */
KT_API int kt_analyze_piece(struct kt_analyzer *a, const char *piece, unsigned flags,
			    const struct kt_analyze_cb *cb);

/* Analyze text in memory as one input unit named `name` (a pstore record,
 * a journal boot: include/ktriage/host.h). `text` is borrowed for the call.
 * Returns 0, or KT_EIO when the text cannot be read (compressed and
 * corrupt); problems inside go to the unit's status, as for a file. */
KT_API int kt_analyze_text(struct kt_analyzer *a, const char *name, const char *text,
			   size_t len, const struct kt_analyze_cb *cb);

/* A stream: lines that keep coming (a followed log, /dev/kmsg), analysed
 * as they arrive. Feed raw lines; take each report as soon as the parser
 * knows it is complete (its end marker, the next report); flush after a
 * quiet period to close a report that is still open. Memory is bounded
 * however long the stream runs. The stream borrows the analyzer. */
struct kt_stream;
KT_API int kt_stream_new(struct kt_analyzer *a, const char *name, struct kt_stream **ret);
KT_API void kt_stream_free(struct kt_stream *s);
/* One line, without its newline (cut at KT_MAX_LINE). */
KT_API void kt_stream_feed(struct kt_stream *s, const char *line, size_t len);
/* The next complete report (signed, decoded, diagnosed), or NULL. Caller
 * owns it; free with kt_report_free(). */
KT_API struct kt_report *kt_stream_take(struct kt_stream *s);
/* A report is open or waiting to be taken. */
KT_API bool kt_stream_pending(const struct kt_stream *s);
/* The open report printed its end marker; only a panic may still follow
 * (close it after a short grace). */
KT_API bool kt_stream_ended(const struct kt_stream *s);
/* Close the open report (the stream went quiet); take it next. */
KT_API void kt_stream_flush(struct kt_stream *s);

/* Render a report. Caller owns the result; free with free(). */
struct kt_render_opts {
	bool color;		/* ANSI colour (only for a terminal) */
	bool verbose;		/* all frames, all registers, notes */
	int width;		/* wrap lines to this many columns (0 = never) */
	bool ascii;		/* plain ASCII (a terminal with a non-UTF-8 locale) */
};
KT_API char *kt_render_text(const struct kt_report *r, const struct kt_render_opts *o);
/* The report as Markdown (for tickets and chat): headings, lists, code
 * blocks; text from the log is escaped (no HTML gets through). */
KT_API char *kt_render_md(const struct kt_report *r, const struct kt_render_opts *o);
/* One JSON object for the report (no trailing newline): compact when
 * indent is 0, else pretty-printed with that many spaces per level. Keys
 * are documented in docs/report-json.md. */
KT_API char *kt_render_json(const struct kt_report *r, int indent);
/* One self-contained HTML page for the report (inline style sheet, no
 * scripts, no external resources); every log-derived string is escaped.
 * Caller owns the result; free with free(). */
KT_API char *kt_render_html(const struct kt_report *r);
/* The same page in parts, for several reports in one document: the head
 * (doctype, style sheet, `title` escaped, opening <main>), one <article> per
 * report, and the tail. Caller owns each result; free with free(). */
KT_API char *kt_render_html_head(const char *title);
KT_API char *kt_render_html_article(const struct kt_report *r);
KT_API char *kt_render_html_tail(void);
/* An input's problems as a <section class="problems"> of the page: the
 * input's name and one table row per problem of `p` (n of them): kind,
 * member, offset, message, every string escaped. Caller owns the result;
 * free with free(). */
KT_API char *kt_render_html_problems(const char *input, const struct kt_problem *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif
