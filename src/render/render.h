/*
 * render: reports as text for people and JSON for machines. The public
 * entry points are kt_render_text() and kt_render_json() in
 * <ktriage/analyze.h>; this header adds the jansson-level helper used to
 * compose documents (the CLI wraps reports in {"input":..., "reports":[...]}).
 */
#ifndef KT_RENDER_RENDER_H
#define KT_RENDER_RENDER_H

#include <jansson.h>

#include <ktriage/report.h>

/* The report as a new JSON object. Caller owns the result; json_decref(). */
json_t *kt_render_json_obj(const struct kt_report *r);

#endif
