/*
 * What a run found, in a few lines: the verdict that leads each input's
 * report (top finding, confidence, first remedy step, how to raise the
 * confidence) and the closing summary (inputs, crashes, distinct buckets,
 * findings by rule, problems), or one line per bucket (--summary).
 *
 * A summary copies what it needs from each report; reports may be freed
 * right after kt_summary_add(). Memory is bounded: at most
 * KT_SUMMARY_MAX_BUCKETS buckets and rules are kept, the rest is counted.
 */
#ifndef KTRIAGE_SUMMARY_H
#define KTRIAGE_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>

#include <ktriage/analyze.h>
#include <ktriage/export.h>
#include <ktriage/report.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KT_SUMMARY_MAX_BUCKETS 4096

struct kt_summary;

/* A new, empty summary. Caller owns it; free with kt_summary_free(). */
KT_API struct kt_summary *kt_summary_new(void);
KT_API void kt_summary_free(struct kt_summary *s);

/* Count one report (of input `unit`). */
KT_API void kt_summary_add(struct kt_summary *s, const char *unit, const struct kt_report *r);
/* Count one input read (`ok`) or not (a problem: `why`, copied). */
KT_API void kt_summary_input(struct kt_summary *s, const char *unit, bool ok, const char *why);
/* Add everything counted in `src` to `dst` (src is left unchanged). */
KT_API void kt_summary_merge(struct kt_summary *dst, const struct kt_summary *src);
/* The same, and `src` is left empty: when `dst` is empty (nothing counted
 * yet) it takes src's counts without copying them. */
KT_API void kt_summary_move(struct kt_summary *dst, struct kt_summary *src);
KT_API size_t kt_summary_reports(const struct kt_summary *s);
/* How many reports of r's bucket were counted so far (r included once it
 * was added); the renderers print a repeat as one line. */
KT_API size_t kt_summary_bucket_count(const struct kt_summary *s, const struct kt_report *r);

/* Output formats of the texts below. */
enum kt_summary_fmt { KT_SUMMARY_TEXT, KT_SUMMARY_MD, KT_SUMMARY_FMT_COUNT };

/* The verdict for the reports counted in `s` (one input): the top finding,
 * its confidence and first remedy step and, when the confidence is not
 * high, the evidence that would raise it and the commands that gather it.
 * `input` is the path to name in the suggested commands. Caller frees. */
KT_API char *kt_summary_verdict(const struct kt_summary *s, const char *input,
				enum kt_summary_fmt fmt, const struct kt_render_opts *o);
/* The closing summary: inputs read, crashes, distinct buckets, findings by
 * rule, problems. Caller frees. */
KT_API char *kt_summary_closing(const struct kt_summary *s, enum kt_summary_fmt fmt,
				const struct kt_render_opts *o);
/* The verdict as a JSON object (VERDICT in docs/report-json.md): crashes,
 * buckets, the top finding's rule, title, severity, confidence and first
 * remedy step, the crashes it matched, the crash's title and bucket, and
 * what would raise the confidence (raise, commands). The same data as
 * kt_summary_verdict(). `s` may be NULL (nothing counted). `indent`:
 * spaces per level, 0 = one line. Caller frees. */
KT_API char *kt_summary_verdict_json(const struct kt_summary *s, const char *input, int indent);
/* The verdict as a <section class="verdict"> of an HTML page: the same
 * data as kt_summary_verdict() (title, severity, confidence, rule, crash
 * counts, first step, what would raise the confidence and the commands),
 * every string escaped. Empty when nothing was counted. Caller frees. */
KT_API char *kt_summary_verdict_html(const struct kt_summary *s, const char *input);
/* The closing summary as a JSON object (SUMMARY in docs/report-json.md):
 * inputs read and incomplete, crashes, buckets, findings by rule, one
 * entry per bucket, and the verdict of the whole run. Caller frees. */
KT_API char *kt_summary_closing_json(const struct kt_summary *s, int indent);
/* One line per bucket, most crashes first: count, first and last time,
 * hosts, title, top finding. Caller frees. */
KT_API char *kt_summary_buckets(const struct kt_summary *s, enum kt_summary_fmt fmt,
				const struct kt_render_opts *o);

/* Are two crashes the same bug? From the strongest evidence down. */
enum kt_same {
	KT_SAME_BUCKET,		/* the same bucket: the same signature */
	KT_SAME_TITLE,		/* the same title, or a shared alternative title */
	KT_SAME_GUILTY,		/* only the same guilty function: maybe */
	KT_SAME_NO,
	KT_SAME_COUNT
};
KT_API const char *kt_same_name(enum kt_same s);
KT_API enum kt_same kt_diff_same(const struct kt_report *a, const struct kt_report *b);
/* The comparison of A and B: the verdict, the frames in common and only in
 * one, the fields that differ; text, or JSON (keys same, shared_title,
 * frames_common, frames_only_a, frames_only_b, differ: {field: [a, b]}).
 * Caller frees. */
KT_API char *kt_diff_render(const struct kt_report *a, const struct kt_report *b, bool json,
			    enum kt_same *ret_same);

/* Fit text for a terminal: wrap lines longer than `width` columns (0 =
 * never) at spaces, continuation lines indented under the first; with
 * `ascii`, replace non-ASCII characters (the separators this renderer
 * uses by their ASCII forms, others by '?'). Takes ownership of `text`
 * and returns the result (maybe the same pointer). */
KT_API char *kt_render_fit(char *text, int width, bool ascii);

#ifdef __cplusplus
}
#endif
#endif
