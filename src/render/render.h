/*
 * render: reports as text for people and JSON for machines. The entry
 * points are kt_render_text() and kt_render_json() in <ktriage/analyze.h>;
 * the JSON writer they use is render/jsonw.h.
 */
#ifndef KT_RENDER_RENDER_H
#define KT_RENDER_RENDER_H

#include <ktriage/report.h>

#endif
