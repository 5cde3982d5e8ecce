/*
 * render: HTML building blocks shared by `analyze --format html` (one
 * self-contained crash page, kt_render_html() in <ktriage/analyze.h>) and
 * the server's pages (src/server/), which wrap the same report section in
 * their own navigation.
 *
 * Every string that came from a log is untrusted. kt_html_esc() is the only
 * way text enters the page: it escapes the five HTML-significant characters
 * (& < > " ') so that the text is safe both in element content and inside
 * quoted attribute values (HTML Living Standard §13.1.2.6 and §13.2.5 on
 * character references), shows C0 control bytes and DEL as visible Unicode
 * control pictures (U+2400 block) and replaces bytes that are not valid
 * UTF-8 with U+FFFD, so the output is always valid UTF-8 with no raw control
 * bytes.
 */
#ifndef KT_RENDER_HTML_H
#define KT_RENDER_HTML_H

#include <stddef.h>

#include <ktriage/report.h>

#include "util/str.h"

/* Append s (NUL-terminated; NULL appends nothing), escaped. */
void kt_html_esc(struct kt_buf *b, const char *s);
/* Append n bytes of s, escaped. */
void kt_html_escn(struct kt_buf *b, const char *s, size_t n);
/* Append printf-formatted text, escaped as a whole. */
void kt_html_escf(struct kt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append a link to `url` showing `text` when url is http(s) (escaped into
 * the attribute); other schemes (javascript:, data:) are shown as text. */
void kt_html_link(struct kt_buf *b, const char *url, const char *text);
/* Append `prefix` and a severity's CSS class name: one of the known
 * severities (critical, high, medium, low, info), else medium; never the
 * text itself. */
void kt_html_sev_class(struct kt_buf *b, const char *prefix, const char *sev);

/* The page shell: doctype, head with the shared style sheet and a
 * restrictive Content-Security-Policy (no scripts, no external loads),
 * <body>. `title` is escaped. kt_html_page_close() ends the document. */
void kt_html_page_open(struct kt_buf *b, const char *title);
void kt_html_page_close(struct kt_buf *b);

/* The crash report as an <article class="report"> (title, what happened,
 * findings, fault, context, call trace, registers, modules, the report's
 * text with its input line numbers, parser notes). */
void kt_html_report(struct kt_buf *b, const struct kt_report *r);
/* The same with `extra` (trusted HTML, may be NULL) inserted after the
 * title and summary line: the server's "where it was seen" section. */
void kt_html_report_with(struct kt_buf *b, const struct kt_report *r, const char *extra);

#endif
