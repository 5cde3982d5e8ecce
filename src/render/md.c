/*
 * render: a report as Markdown, for tickets and chat (CommonMark:
 * https://spec.commonmark.org/). The same sections as the text renderer,
 * shorter: title, one line of facts, what happened, findings with their
 * remedy, then the fault, call trace and registers in code blocks. Text
 * from the log is escaped outside code blocks (no HTML or markup gets
 * through); a code block's fence is longer than any backtick run inside.
 */
#include <ktriage/analyze.h>

#include <stdlib.h>
#include <string.h>

#include "render/render.h"
#include "util/str.h"

#define MAX_MD_FRAMES 40	/* reliable frames shown without --verbose */

static void
esc(struct kt_buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': kt_buf_adds(b, "&lt;"); break;
		case '>': kt_buf_adds(b, "&gt;"); break;
		case '&': kt_buf_adds(b, "&amp;"); break;
		case '\n': case '\r': kt_buf_addc(b, ' '); break;
		case '\\': case '`': case '*': case '_': case '[': case ']': case '#':
		case '|': case '~': case '!':
			kt_buf_addc(b, '\\');
			kt_buf_addc(b, *s);
			break;
		default: kt_buf_addc(b, *s);
		}
	}
}

/* A code block holding `body`: fenced with one backtick more than the
 * longest run in it (CommonMark §4.5), at least three. */
static void
code_block(struct kt_buf *b, const char *body)
{
	size_t run = 0, longest = 0;

	for (const char *p = body; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	longest = longest < 3 ? 3 : longest + 1;
	for (size_t i = 0; i < longest; i++)
		kt_buf_addc(b, '`');
	kt_buf_addc(b, '\n');
	kt_buf_adds(b, body);
	if (*body && body[strlen(body) - 1] != '\n')
		kt_buf_addc(b, '\n');
	for (size_t i = 0; i < longest; i++)
		kt_buf_addc(b, '`');
	kt_buf_adds(b, "\n");
}

static void
facts(struct kt_buf *b, const struct kt_report *r)
{
	kt_buf_printf(b, "*%s*", kt_kind_name(r->kind));
	if (r->arch != KT_ARCH_UNKNOWN)
		kt_buf_printf(b, " · %s", kt_arch_name(r->arch));
	if (r->bucket[0])
		kt_buf_printf(b, " · bucket `%s`", r->bucket);
	if (r->kernel.release) {
		kt_buf_adds(b, " · kernel ");
		esc(b, r->kernel.release);
	}
	if (r->source.file) {
		kt_buf_adds(b, " · ");
		esc(b, r->source.file);
		kt_buf_printf(b, ":%u-%u", r->source.first_line, r->source.last_line);
	}
	if (r->source.wallclock) {
		kt_buf_adds(b, " · ");
		esc(b, r->source.wallclock);
	} else if (r->source.timestamp >= 0) {
		kt_buf_printf(b, " · \\[%.6f\\]", r->source.timestamp);
	}
	if (r->source.host) {
		kt_buf_adds(b, " · host ");
		esc(b, r->source.host);
	}
	kt_buf_adds(b, "\n");
	if (r->corrupted) {
		kt_buf_adds(b, "\n> report is incomplete: ");
		esc(b, r->corrupted_reason ? r->corrupted_reason : "corrupted");
		kt_buf_addc(b, '\n');
	}
}

static void
findings(struct kt_buf *b, const struct kt_report *r)
{
	if (!r->n_findings)
		return;
	kt_buf_adds(b, "\n#### Findings\n");
	for (size_t i = 0; i < r->n_findings; i++) {
		const struct kt_finding *f = &r->findings[i];

		kt_buf_adds(b, "\n**");
		esc(b, f->title);
		kt_buf_printf(b, "** (%s, confidence %s, rule `%s`)\n\n",
			      f->severity ? f->severity : "?", f->confidence ? f->confidence : "?",
			      f->rule ? f->rule : "?");
		for (size_t j = 0; j < f->n_evidence; j++) {
			kt_buf_adds(b, "- evidence: ");
			esc(b, f->evidence[j]);
			kt_buf_addc(b, '\n');
		}
		for (size_t j = 0; j < f->n_raise; j++) {
			kt_buf_adds(b, "- would raise the confidence: ");
			esc(b, f->raise[j]);
			kt_buf_addc(b, '\n');
		}
		if (f->explanation) {
			kt_buf_adds(b, "\n");
			esc(b, f->explanation);
			kt_buf_addc(b, '\n');
		}
		if (f->n_remedy)
			kt_buf_addc(b, '\n');
		for (size_t j = 0; j < f->n_remedy; j++) {
			kt_buf_printf(b, "%zu. ", j + 1);
			esc(b, f->remedy[j]);
			kt_buf_addc(b, '\n');
		}
		if (f->n_references)
			kt_buf_addc(b, '\n');
		for (size_t j = 0; j < f->n_references; j++) {
			kt_buf_adds(b, "- see: ");
			esc(b, f->references[j]);
			kt_buf_addc(b, '\n');
		}
	}
}

static void
trace(struct kt_buf *b, const struct kt_report *r, bool verbose)
{
	struct kt_buf body;
	size_t shown = 0, hidden = 0;

	if (!r->n_frames)
		return;
	kt_buf_init(&body);
	for (size_t i = 0; i < r->n_frames; i++) {
		const struct kt_frame *f = &r->frames[i];
		bool guilty = r->frame && f->function && f->reliable && !strcmp(f->function, r->frame);

		if (!f->reliable && !verbose)
			continue;
		if (!verbose && shown >= MAX_MD_FRAMES) {
			hidden++;
			continue;
		}
		kt_buf_adds(&body, guilty ? "=> " : f->reliable ? "   " : " ? ");
		kt_render_frame(&body, f);	/* the text report's frame format */
		kt_buf_addc(&body, '\n');
		shown++;
	}
	if (hidden)
		kt_buf_printf(&body, "... %zu more frames\n", hidden);
	kt_buf_adds(b, "\n#### Call trace\n\n");
	code_block(b, body.p ? body.p : "");
	kt_buf_deinit(&body);
}

static void
fault(struct kt_buf *b, const struct kt_report *r)
{
	struct kt_buf body;
	const struct kt_fault *f = &r->fault;

	if (!f->present && !r->ip.present)
		return;
	kt_buf_init(&body);
	if (f->present) {
		if (f->mode)
			kt_buf_printf(&body, "%s-mode ", f->mode);
		kt_buf_adds(&body, f->access ? f->access : "access");
		if (f->reason)
			kt_buf_printf(&body, " of a %s", f->reason);
		if (f->has_address)
			kt_buf_printf(&body, " at %016llx", (unsigned long long)f->address);
		kt_buf_addc(&body, '\n');
	}
	if (r->ip.present) {
		kt_buf_printf(&body, "at %s+0x%llx", r->ip.function ? r->ip.function : "?",
			      (unsigned long long)r->ip.offset);
		if (r->ip.module)
			kt_buf_printf(&body, " [%s]", r->ip.module);
		kt_buf_addc(&body, '\n');
	}
	for (size_t i = 0; i < r->n_insns; i++)
		if (r->insns[i].faulting && r->insns[i].text)
			kt_buf_printf(&body, "=> %s\n", r->insns[i].text);
	kt_buf_adds(b, "\n#### Fault\n\n");
	code_block(b, body.p ? body.p : "");
	kt_buf_deinit(&body);
}

char *
kt_render_md(const struct kt_report *r, const struct kt_render_opts *o)
{
	struct kt_buf b;
	bool verbose = o && o->verbose;

	kt_buf_init(&b);
	kt_buf_adds(&b, "### ");
	esc(&b, r->title ? r->title : "(untitled crash)");
	kt_buf_adds(&b, "\n\n");
	facts(&b, r);
	if (r->n_story) {
		kt_buf_adds(&b, "\n#### What happened\n\n");
		for (size_t i = 0; i < r->n_story; i++) {
			kt_buf_adds(&b, "- ");
			esc(&b, r->story[i]);
			kt_buf_addc(&b, '\n');
		}
	}
	findings(&b, r);
	fault(&b, r);
	trace(&b, r, verbose);
	if (r->panic) {
		kt_buf_adds(&b, "\n#### Panic\n\n");
		code_block(&b, r->panic);
	}
	if (r->kernel.tainted) {
		kt_buf_adds(&b, "\nTainted: ");
		esc(&b, r->kernel.tainted);
		kt_buf_addc(&b, '\n');
	}
	if (!b.p)
		kt_buf_adds(&b, "");
	return b.p;
}
