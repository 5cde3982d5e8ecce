/*
 * render: reports as text for people and JSON for machines. The entry
 * points are kt_render_text() and kt_render_json() in <ktriage/analyze.h>;
 * the JSON writer they use is render/jsonw.h.
 */
#ifndef KT_RENDER_RENDER_H
#define KT_RENDER_RENDER_H

#include <ktriage/report.h>

#include "util/str.h"

/* "func+0xoff/0xsize [module] file:line (inlined)", as the text renderer
 * prints a frame; the HTML renderer escapes the same text. */
void kt_render_frame(struct kt_buf *b, const struct kt_frame *f);

#endif
