/*
 * render: a report as HTML. Same sections and order as the text rendering
 * (render/text.c), laid out for a browser: findings with their remedies
 * near the top, the call trace as a table with the guilty frame marked, and
 * the report's own lines at the end. No scripts; the style sheet is inline
 * so that one file is the whole page (analyze --format html).
 */
#include <ktriage/ktriage.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/html.h"
#include "render/render.h"

/* ---- escaping ------------------------------------------------------------ */

void
kt_html_escn(struct kt_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;

	if (!s)
		return;
	while (i < n) {
		unsigned char c = p[i];
		const char *rep = NULL;
		char tmp[8];
		size_t len;

		if (c >= 0x80) {
			len = kt_utf8_len(p + i, n - i);
			if (len) {
				i += len;
				run += len;
				continue;
			}
			rep = "\xef\xbf\xbd";	/* U+FFFD */
		} else if (c == '&') {
			rep = "&amp;";
		} else if (c == '<') {
			rep = "&lt;";
		} else if (c == '>') {
			rep = "&gt;";
		} else if (c == '"') {
			rep = "&quot;";
		} else if (c == '\'') {
			rep = "&#39;";
		} else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
			/* U+2400 + c, or U+2421 for DEL: E2 90 80+c / E2 90 A1 */
			tmp[0] = (char)0xe2;
			tmp[1] = (char)0x90;
			tmp[2] = (char)(c == 0x7f ? 0xa1 : 0x80 + c);
			tmp[3] = '\0';
			rep = tmp;
		} else {
			i++;
			run++;
			continue;
		}
		kt_buf_add(b, s + i - run, run);
		run = 0;
		kt_buf_adds(b, rep);
		i++;
	}
	kt_buf_add(b, s + i - run, run);
}

void
kt_html_esc(struct kt_buf *b, const char *s)
{
	if (s)
		kt_html_escn(b, s, strlen(s));
}

void
kt_html_escf(struct kt_buf *b, const char *fmt, ...)
{
	struct kt_buf t;
	va_list ap;

	kt_buf_init(&t);
	va_start(ap, fmt);
	kt_buf_vprintf(&t, fmt, ap);
	va_end(ap);
	kt_html_escn(b, t.p ? t.p : "", t.len);
	kt_buf_deinit(&t);
}

void
kt_html_link(struct kt_buf *b, const char *url, const char *text)
{
	if (!url)
		return;
	if (strncmp(url, "https://", 8) && strncmp(url, "http://", 7)) {
		kt_html_esc(b, text ? text : url);
		return;
	}
	kt_buf_adds(b, "<a rel=\"noreferrer\" href=\"");
	kt_html_esc(b, url);
	kt_buf_adds(b, "\">");
	kt_html_esc(b, text ? text : url);
	kt_buf_adds(b, "</a>");
}

/* ---- page shell ---------------------------------------------------------- */

static const char style[] =
	":root{--fg:#1f2328;--mut:#59636e;--bd:#d1d9e0;--bg:#f6f8fa;--acc:#0969da;"
	"--crit:#cf222e;--high:#d1242f;--med:#9a6700;--low:#1a7f37}"
	"*{box-sizing:border-box}"
	"body{margin:0;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
	"color:var(--fg);background:#fff}"
	"header.top{background:#24292f;color:#fff;padding:10px 24px;display:flex;gap:24px;"
	"align-items:center}"
	"header.top a{color:#fff;text-decoration:none}header.top .brand{font-weight:700}"
	"main{max-width:1180px;margin:0 auto;padding:16px 24px 48px}"
	"h1{font-size:24px;margin:8px 0 4px;word-break:break-word}"
	"h2{font-size:17px;margin:28px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--bd)}"
	"a{color:var(--acc)}"
	"code,pre,.mono{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}"
	"pre{background:var(--bg);border:1px solid var(--bd);border-radius:6px;padding:10px 12px;"
	"overflow-x:auto;white-space:pre}"
	".meta{color:var(--mut);font-size:13px;display:flex;flex-wrap:wrap;gap:4px 14px}"
	".badge{display:inline-block;border-radius:12px;padding:0 9px;font-size:12px;"
	"font-weight:600;border:1px solid var(--bd);background:var(--bg);color:var(--fg)}"
	".sev-critical,.sev-high{background:#ffebe9;border-color:#ffcecb;color:var(--crit)}"
	".sev-medium{background:#fff8c5;border-color:#eac54f;color:var(--med)}"
	".sev-low,.sev-info{background:#dafbe1;border-color:#aceebb;color:var(--low)}"
	".st-open{background:#ddf4ff;border-color:#54aeff;color:#0969da}"
	".st-fixed{background:#dafbe1;border-color:#4ac26b;color:#1a7f37}"
	".st-ignored{background:#eaeef2;color:#59636e}"
	".st-regressed{background:#ffebe9;border-color:#ff8182;color:#cf222e}"
	".warn{background:#fff8c5;border:1px solid #eac54f;border-radius:6px;padding:6px 10px}"
	".story{font-size:16px;margin:6px 0;padding-left:20px}"
	".finding{border:1px solid var(--bd);border-left:4px solid var(--med);border-radius:6px;"
	"padding:10px 14px;margin:10px 0}"
	".finding.f-critical,.finding.f-high{border-left-color:var(--crit)}"
	".finding.f-low,.finding.f-info{border-left-color:var(--low)}"
	".finding h3{margin:0 0 4px;font-size:16px}.finding ol{margin:4px 0}"
	".finding .why{margin:4px 0}.finding .ev{color:var(--mut);font-size:13px;margin:0;"
	"padding-left:18px}"
	"table{border-collapse:collapse;width:100%;font-size:14px}"
	"th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}"
	"th{background:var(--bg);font-weight:600;color:var(--mut);font-size:12px;"
	"text-transform:uppercase;letter-spacing:.03em}"
	"td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
	"time{white-space:nowrap}"
	"table.issues td:first-child{min-width:300px}table.issues td:last-child{max-width:300px;"
	"font-size:13px}td.seen{font-size:13px;color:var(--mut)}svg.spark line{stroke:#d1d9e0}"
	"table.trace td{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;"
	"padding:2px 8px;border:0}"
	"tr.guilty td{background:#ffebe9;color:var(--crit);font-weight:700}"
	"tr.unrel td{color:#8c959f}tr.stack td{color:var(--mut);font-style:italic}"
	"pre.lines .ln{color:#8c959f;user-select:none;display:inline-block;min-width:5ch;"
	"text-align:right;margin-right:12px}"
	"dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}"
	"dl.kv dt{color:var(--mut)}dl.kv dd{margin:0;word-break:break-word}"
	"details>summary{cursor:pointer;color:var(--mut)}"
	".cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}"
	".card{border:1px solid var(--bd);border-radius:6px;padding:8px 14px;min-width:120px}"
	".card .v{font-size:22px;font-weight:700}.card .k{color:var(--mut);font-size:12px}"
	"form.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin:8px 0 12px}"
	"form.filters label{font-size:12px;color:var(--mut);display:flex;flex-direction:column}"
	"form.filters input,form.filters select{font:inherit;padding:3px 6px;border:1px solid "
	"var(--bd);border-radius:6px}"
	"button{font:inherit;padding:3px 12px;border:1px solid var(--bd);border-radius:6px;"
	"background:var(--bg);cursor:pointer}"
	"svg.spark rect{fill:#54aeff}svg.bars rect{fill:#0969da}svg.bars text{font-size:10px;"
	"fill:#59636e}"
	".tl{border-left:2px solid var(--bd);margin-left:8px;padding-left:14px}"
	".tl .ev{margin:8px 0;position:relative}.tl .ev:before{content:'';position:absolute;"
	"left:-21px;top:7px;width:10px;height:10px;border-radius:50%;background:var(--acc)}"
	".tl .ev.crash:before{background:var(--crit)}"
	".tl .when{color:var(--mut);font-size:12px;font-variant-numeric:tabular-nums}"
	".empty{color:var(--mut);font-style:italic}"
	"section.problems h2{color:var(--med)}"
	"section.verdict h2{margin:0 0 4px;border:0;padding:0}section.verdict p{margin:4px 0}"
	"section.verdict ul{margin:2px 0}"
	"footer{color:var(--mut);font-size:12px;margin-top:40px}";

void
kt_html_page_open(struct kt_buf *b, const char *title)
{
	kt_buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		       "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
		       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		       "style-src 'unsafe-inline'; img-src data:; form-action 'self'\">"
		       "<meta name=\"referrer\" content=\"no-referrer\"><title>");
	kt_html_esc(b, title);
	kt_buf_adds(b, "</title><style>");
	kt_buf_adds(b, style);
	kt_buf_adds(b, "</style></head>\n<body>\n");
}

void
kt_html_page_close(struct kt_buf *b)
{
	kt_buf_adds(b, "</body></html>\n");
}

/* ---- report sections ----------------------------------------------------- */

static void
kv(struct kt_buf *b, const char *k, const char *v)
{
	if (!v || !*v)
		return;
	kt_buf_adds(b, "<dt>");
	kt_buf_adds(b, k);
	kt_buf_adds(b, "</dt><dd>");
	kt_html_esc(b, v);
	kt_buf_adds(b, "</dd>");
}

static void
frame_html(struct kt_buf *b, const struct kt_frame *f)
{
	struct kt_buf t;

	kt_buf_init(&t);
	kt_render_frame(&t, f);
	kt_html_esc(b, t.p ? t.p : "");
	kt_buf_deinit(&t);
}

/* A CSS class from a severity: only known names, never the input text. */
void
kt_html_sev_class(struct kt_buf *b, const char *prefix, const char *sev)
{
	static const char *const known[] = { "critical", "high", "medium", "low", "info" };

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (sev && !strcmp(sev, known[i])) {
			kt_buf_printf(b, "%s%s", prefix, known[i]);
			return;
		}
	kt_buf_printf(b, "%smedium", prefix);
}

static void
render_head(struct kt_buf *b, const struct kt_report *r)
{
	kt_buf_adds(b, "<h1 class=\"title\">");
	kt_html_esc(b, r->title ? r->title : "(untitled crash)");
	kt_buf_adds(b, "</h1>\n<div class=\"meta\"><span class=\"badge\">");
	kt_html_esc(b, kt_kind_name(r->kind));
	kt_buf_adds(b, "</span>");
	if (r->arch != KT_ARCH_UNKNOWN)
		kt_buf_printf(b, "<span>%s</span>", kt_arch_name(r->arch));
	if (r->bucket[0]) {
		kt_buf_adds(b, "<span>bucket <code class=\"bucket\">");
		kt_html_esc(b, r->bucket);
		kt_buf_adds(b, "</code></span>");
	}
	if (r->source.file) {
		kt_buf_adds(b, "<span class=\"src\">");
		kt_html_esc(b, r->source.file);
		kt_buf_printf(b, ":%u-%u</span>", r->source.first_line, r->source.last_line);
	}
	if (r->source.format) {
		kt_buf_adds(b, "<span>");
		kt_html_esc(b, r->source.format);
		kt_buf_adds(b, "</span>");
	}
	if (r->source.timestamp >= 0)
		kt_buf_printf(b, "<span>[%.6f]</span>", r->source.timestamp);
	if (r->source.wallclock) {
		kt_buf_adds(b, "<span>");
		kt_html_esc(b, r->source.wallclock);
		kt_buf_adds(b, "</span>");
	}
	if (r->source.host) {
		kt_buf_adds(b, "<span>host ");
		kt_html_esc(b, r->source.host);
		kt_buf_adds(b, "</span>");
	}
	kt_buf_adds(b, "</div>\n");
	if (r->corrupted) {
		kt_buf_adds(b, "<p class=\"warn\">Report is incomplete: ");
		kt_html_esc(b, r->corrupted_reason ? r->corrupted_reason : "corrupted");
		kt_buf_adds(b, "</p>\n");
	}
}

static void
render_story(struct kt_buf *b, const struct kt_report *r)
{
	if (!r->n_story)
		return;
	kt_buf_adds(b, "<section id=\"story\"><h2>What happened</h2><ul class=\"story\">");
	for (size_t i = 0; i < r->n_story; i++) {
		kt_buf_adds(b, "<li>");
		kt_html_esc(b, r->story[i]);
		kt_buf_adds(b, "</li>");
	}
	kt_buf_adds(b, "</ul></section>\n");
}

static void
render_findings(struct kt_buf *b, const struct kt_report *r)
{
	if (!r->n_findings)
		return;
	kt_buf_adds(b, "<section id=\"findings\"><h2>Findings</h2>\n");
	for (size_t i = 0; i < r->n_findings; i++) {
		const struct kt_finding *f = &r->findings[i];

		kt_buf_adds(b, "<div class=\"finding ");
		kt_html_sev_class(b, "f-", f->severity);
		kt_buf_adds(b, "\"><h3><span class=\"badge ");
		kt_html_sev_class(b, "sev-", f->severity);
		kt_buf_adds(b, "\">");
		kt_html_esc(b, f->severity ? f->severity : "?");
		kt_buf_adds(b, "</span> ");
		kt_html_esc(b, f->title);
		kt_buf_adds(b, "</h3><div class=\"meta\"><span>confidence ");
		kt_html_esc(b, f->confidence ? f->confidence : "?");
		kt_buf_adds(b, "</span><span>rule <code class=\"rule\">");
		kt_html_esc(b, f->rule ? f->rule : "?");
		kt_buf_adds(b, "</code></span></div>");
		if (f->explanation) {
			kt_buf_adds(b, "<p class=\"why\">");
			kt_html_esc(b, f->explanation);
			kt_buf_adds(b, "</p>");
		}
		if (f->n_remedy) {
			kt_buf_adds(b, "<b>Remedy</b><ol class=\"remedy\">");
			for (size_t j = 0; j < f->n_remedy; j++) {
				kt_buf_adds(b, "<li>");
				kt_html_esc(b, f->remedy[j]);
				kt_buf_adds(b, "</li>");
			}
			kt_buf_adds(b, "</ol>");
		}
		if (f->n_evidence) {
			kt_buf_adds(b, "<details><summary>Evidence</summary><ul class=\"ev\">");
			for (size_t j = 0; j < f->n_evidence; j++) {
				kt_buf_adds(b, "<li>");
				kt_html_esc(b, f->evidence[j]);
				kt_buf_adds(b, "</li>");
			}
			kt_buf_adds(b, "</ul></details>");
		}
		if (f->n_references) {
			kt_buf_adds(b, "<div class=\"meta\">See:");
			for (size_t j = 0; j < f->n_references; j++) {
				kt_buf_adds(b, " <span>");
				kt_html_link(b, f->references[j], NULL);
				kt_buf_adds(b, "</span>");
			}
			kt_buf_adds(b, "</div>");
		}
		kt_buf_adds(b, "</div>\n");
	}
	kt_buf_adds(b, "</section>\n");
}

static void
render_fault(struct kt_buf *b, const struct kt_report *r)
{
	const struct kt_fault *f = &r->fault;

	if (!f->present && !r->ip.present && !r->n_insns)
		return;
	kt_buf_adds(b, "<section id=\"fault\"><h2>Fault</h2>");
	if (f->present) {
		kt_buf_adds(b, "<p>");
		if (f->mode)
			kt_html_escf(b, "%s-mode ", f->mode);
		kt_html_esc(b, f->access ? f->access : "access");
		if (f->reason)
			kt_html_escf(b, " of a %s", f->reason);
		if (f->has_address)
			kt_buf_printf(b, " at <code>%016llx</code>", (unsigned long long)f->address);
		if (f->has_error_code)
			kt_buf_printf(b, " (error code 0x%llx)", (unsigned long long)f->error_code);
		kt_buf_adds(b, "</p>");
		if (f->error_bits.n) {
			kt_buf_adds(b, "<dl class=\"kv\">");
			for (size_t i = 0; i < f->error_bits.n; i++) {
				kt_buf_adds(b, "<dt><code>");
				kt_html_esc(b, f->error_bits.v[i].name);
				kt_buf_adds(b, "</code></dt><dd>");
				kt_html_esc(b, f->error_bits.v[i].meaning);
				kt_buf_adds(b, "</dd>");
			}
			kt_buf_adds(b, "</dl>");
		}
		if (f->page_table) {
			kt_buf_adds(b, "<p>page table: <code>");
			kt_html_esc(b, f->page_table);
			kt_buf_adds(b, "</code></p>");
		}
	}
	if (r->ip.present) {
		kt_buf_adds(b, "<p>at <code>");
		kt_html_esc(b, r->ip.function ? r->ip.function : "?");
		kt_buf_printf(b, "+0x%llx", (unsigned long long)r->ip.offset);
		if (r->ip.size)
			kt_buf_printf(b, "/0x%llx", (unsigned long long)r->ip.size);
		if (r->ip.module) {
			kt_buf_adds(b, " [");
			kt_html_esc(b, r->ip.module);
			kt_buf_adds(b, "]");
		}
		kt_buf_adds(b, "</code>");
		if (r->ip.address)
			kt_buf_printf(b, " (%016llx)", (unsigned long long)r->ip.address);
		if (r->ip.segment) {
			kt_buf_adds(b, ", code segment ");
			kt_html_esc(b, r->ip.segment);
		}
		kt_buf_adds(b, "</p>");
	}
	if (r->n_insns) {
		kt_buf_adds(b, "<pre class=\"code\">");
		for (size_t i = 0; i < r->n_insns; i++) {
			const struct kt_insn *in = &r->insns[i];

			kt_buf_adds(b, in->faulting ? "<b>=&gt; " : "   ");
			kt_html_esc(b, in->text);
			kt_buf_adds(b, in->faulting ? "   &lt;- faulting instruction</b>\n" : "\n");
		}
		kt_buf_adds(b, "</pre>");
	}
	if (r->insn_note) {
		kt_buf_adds(b, "<p>");
		kt_html_esc(b, r->insn_note);
		kt_buf_adds(b, "</p>");
	}
	kt_buf_adds(b, "</section>\n");
}

static void
render_context(struct kt_buf *b, const struct kt_report *r)
{
	const struct kt_xen *x = &r->xen;
	char num[32];

	kt_buf_adds(b, "<section id=\"context\"><h2>Context</h2><dl class=\"kv\">");
	kv(b, "context", kt_context_name(r->context));
	kv(b, "why", r->context_why);
	if (r->cpu != KT_NONE) {
		snprintf(num, sizeof(num), "%d", r->cpu);
		kv(b, "CPU", num);
	}
	if (r->pid != KT_NONE) {
		snprintf(num, sizeof(num), "%d", r->pid);
		kv(b, "PID", num);
	}
	kv(b, "command", r->comm);
	kv(b, "workqueue", r->workqueue);
	kv(b, "kernel", r->kernel.release);
	kv(b, "build", r->kernel.version);
	kv(b, "oops", r->oops);
	if (x->present) {
		kv(b, "Xen", x->version ? x->version : "yes");
		if (x->pcpu != KT_NONE) {
			snprintf(num, sizeof(num), "%d", x->pcpu);
			kv(b, "PCPU", num);
		}
		if (x->domain != KT_NONE) {
			snprintf(num, sizeof(num), "DOM%d", x->domain);
			kv(b, "domain", num);
		}
		if (x->vcpu != KT_NONE) {
			snprintf(num, sizeof(num), "%d%s", x->vcpu,
				 x->vcpu_kernel_mode ? " (kernel mode)" : "");
			kv(b, "VCPU", num);
		}
		kv(b, "guest RIP", x->guest_rip);
		kv(b, "Xen reason", x->crash_reason);
	}
	kv(b, "hardware", r->hardware);
	kv(b, "BIOS", r->bios);
	kt_buf_adds(b, "</dl>");
	if (x->present && x->analyser_log_seen && !x->analyser_complete)
		kt_buf_adds(b, "<p class=\"warn\">xen-crashdump-analyser did not complete: the crash "
			       "folder may be partial.</p>");
	if (r->panic) {
		kt_buf_adds(b, "<p class=\"warn\">Kernel panic - not syncing: ");
		kt_html_esc(b, r->panic);
		kt_buf_adds(b, "</p>");
	}
	kt_buf_adds(b, "</section>\n");
}

static void
render_trace(struct kt_buf *b, const struct kt_report *r)
{
	enum kt_stack cur = KT_STACK_COUNT;
	bool guilty_done = false;
	size_t unreliable = 0;

	if (!r->n_frames)
		return;
	kt_buf_adds(b, "<section id=\"trace\"><h2>Call trace</h2><table class=\"trace\">");
	for (size_t i = 0; i < r->n_frames; i++) {
		const struct kt_frame *f = &r->frames[i];
		bool guilty = !guilty_done && r->frame && f->function && f->reliable &&
			      strcmp(f->function, r->frame) == 0;

		if (f->stack != cur) {
			cur = f->stack;
			if (cur != KT_STACK_NONE)
				kt_buf_printf(b, "<tr class=\"stack\"><td></td><td>&lt;%s&gt;</td></tr>",
					      kt_stack_name(cur));
		}
		guilty_done |= guilty;
		unreliable += !f->reliable;
		kt_buf_printf(b, "<tr%s><td>%s</td><td>",
			      guilty ? " class=\"guilty\"" : (f->reliable ? "" : " class=\"unrel\""),
			      guilty ? "=&gt;" : (f->reliable ? "" : "?"));
		frame_html(b, f);
		kt_buf_printf(b, "%s</td></tr>", guilty ? "  &lt;- guilty frame" : "");
	}
	kt_buf_adds(b, "</table>");
	if (unreliable)
		kt_buf_printf(b, "<p class=\"meta\">%zu unreliable '?' frames (stack-scan "
			      "leftovers) in grey.</p>", unreliable);
	kt_buf_adds(b, "</section>\n");
}

static void
render_regs(struct kt_buf *b, const struct kt_report *r)
{
	if (!r->n_reg_notes && !r->n_regs)
		return;
	kt_buf_adds(b, "<section id=\"registers\"><h2>Registers</h2>");
	if (r->n_reg_notes) {
		kt_buf_adds(b, "<table><tr><th>register</th><th>value</th><th>note</th></tr>");
		for (size_t i = 0; i < r->n_reg_notes; i++) {
			kt_buf_adds(b, "<tr><td><code>");
			kt_html_esc(b, r->reg_notes[i].reg);
			kt_buf_printf(b, "</code></td><td><code>%016llx</code></td><td>",
				      (unsigned long long)r->reg_notes[i].value);
			kt_html_esc(b, r->reg_notes[i].what);
			kt_buf_adds(b, "</td></tr>");
		}
		kt_buf_adds(b, "</table>");
	}
	if (r->n_regs) {
		kt_buf_printf(b, "<details><summary>All %zu registers</summary><pre>", r->n_regs);
		for (size_t i = 0; i < r->n_regs; i++) {
			kt_html_escf(b, "%-6s", r->regs[i].name ? r->regs[i].name : "?");
			kt_buf_printf(b, " %016llx%s", (unsigned long long)r->regs[i].value,
				      i % 3 == 2 ? "\n" : "   ");
		}
		kt_buf_adds(b, "</pre></details>");
	}
	kt_buf_adds(b, "</section>\n");
}

static void
render_modules(struct kt_buf *b, const struct kt_report *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_modules; i++)
		n += r->modules[i].flags && r->modules[i].flags[0];
	if (!r->n_modules && !r->kernel.tainted)
		return;
	kt_buf_adds(b, "<section id=\"modules\"><h2>Modules and taint</h2>");
	if (n) {
		kt_buf_adds(b, "<p>flagged modules:");
		for (size_t i = 0; i < r->n_modules; i++)
			if (r->modules[i].flags && r->modules[i].flags[0]) {
				kt_buf_adds(b, " <code>");
				kt_html_esc(b, r->modules[i].name);
				kt_buf_adds(b, "(");
				kt_html_esc(b, r->modules[i].flags);
				kt_buf_adds(b, ")</code>");
			}
		kt_buf_adds(b, "</p>");
	}
	if (r->kernel.tainted) {
		kt_buf_adds(b, "<p>tainted: <code>");
		kt_html_esc(b, r->kernel.tainted);
		kt_buf_adds(b, "</code></p><dl class=\"kv\">");
		for (size_t i = 0; i < r->kernel.taint.n; i++) {
			kt_buf_adds(b, "<dt><code>");
			kt_html_esc(b, r->kernel.taint.v[i].name);
			kt_buf_adds(b, "</code></dt><dd>");
			kt_html_esc(b, r->kernel.taint.v[i].meaning);
			kt_buf_adds(b, "</dd>");
		}
		kt_buf_adds(b, "</dl>");
	}
	if (r->n_modules) {
		kt_buf_printf(b, "<details><summary>%zu modules loaded</summary><p class=\"mono\">",
			      r->n_modules);
		for (size_t i = 0; i < r->n_modules; i++) {
			kt_html_esc(b, r->modules[i].name);
			kt_buf_adds(b, " ");
		}
		kt_buf_adds(b, "</p></details>");
	}
	if (r->last_unloaded) {
		kt_buf_adds(b, "<p>last unloaded: <code>");
		kt_html_esc(b, r->last_unloaded);
		kt_buf_adds(b, "</code></p>");
	}
	kt_buf_adds(b, "</section>\n");
}

static void
render_lines(struct kt_buf *b, const struct kt_report *r)
{
	if (!r->n_lines)
		return;
	kt_buf_printf(b, "<section id=\"text\"><h2>Report text</h2><details open><summary>%zu "
		      "lines as printed (prefixes stripped)</summary><pre class=\"lines\">",
		      r->n_lines);
	for (size_t i = 0; i < r->n_lines; i++) {
		kt_buf_printf(b, "<span class=\"ln\">%u</span>", r->line_nos ? r->line_nos[i] : 0);
		kt_html_esc(b, r->lines[i]);
		kt_buf_addc(b, '\n');
	}
	kt_buf_adds(b, "</pre></details></section>\n");
}

static void
render_notes(struct kt_buf *b, const struct kt_report *r)
{
	if (!r->n_notes)
		return;
	kt_buf_printf(b, "<section id=\"notes\"><details><summary>%zu parser notes</summary><ul>",
		      r->n_notes);
	for (size_t i = 0; i < r->n_notes; i++) {
		kt_buf_printf(b, "<li>line %u: %s: ", r->notes[i].line, kt_sev_name(r->notes[i].sev));
		kt_html_esc(b, r->notes[i].msg);
		kt_buf_adds(b, "</li>");
	}
	kt_buf_adds(b, "</ul></details></section>\n");
}

void
kt_html_report_with(struct kt_buf *b, const struct kt_report *r, const char *extra)
{
	kt_buf_adds(b, "<article class=\"report\">\n");
	render_head(b, r);
	if (extra)
		kt_buf_adds(b, extra);
	render_story(b, r);
	render_findings(b, r);
	render_fault(b, r);
	render_context(b, r);
	render_trace(b, r);
	render_regs(b, r);
	render_modules(b, r);
	render_lines(b, r);
	render_notes(b, r);
	kt_buf_adds(b, "</article>\n");
}

void
kt_html_report(struct kt_buf *b, const struct kt_report *r)
{
	kt_html_report_with(b, r, NULL);
}

char *
kt_render_html_head(const char *title)
{
	struct kt_buf b;

	kt_buf_init(&b);
	kt_html_page_open(&b, title);
	kt_buf_adds(&b, "<main>\n");
	return b.p;
}

char *
kt_render_html_article(const struct kt_report *r)
{
	struct kt_buf b;

	kt_buf_init(&b);
	kt_html_report(&b, r);
	return b.p;
}

/* "dom0.log.gz: could not be read fully" and a row per problem; see
 * docs/report-json.md for the kinds. */
char *
kt_render_html_problems(const char *input, const struct kt_problem *p, size_t n)
{
	struct kt_buf b;
	bool incomplete = false;

	kt_buf_init(&b);
	for (size_t i = 0; i < n; i++)
		incomplete |= kt_problem_incomplete(p[i].kind) != 0;
	kt_buf_adds(&b, "<section class=\"problems\">\n<h2>Input <code>");
	kt_html_esc(&b, input ? input : "?");
	kt_buf_adds(&b, incomplete ? "</code>: could not be read fully</h2>\n"
				   : "</code>: nothing to analyse</h2>\n");
	if (incomplete)
		kt_buf_adds(&b, "<p class=\"warn\">Only what could be read before the problem "
				"was analysed: a crash in the rest is not shown.</p>\n");
	kt_buf_adds(&b, "<table class=\"problems\"><tr><th>kind</th><th>member</th>"
			"<th class=\"num\">offset</th><th>message</th></tr>\n");
	for (size_t i = 0; i < n; i++) {
		kt_buf_adds(&b, "<tr><td>");
		kt_html_esc(&b, kt_problem_kind_name(p[i].kind));
		kt_buf_adds(&b, "</td><td>");
		if (p[i].member) {
			kt_buf_adds(&b, "<code>");
			kt_html_esc(&b, p[i].member);
			kt_buf_adds(&b, "</code>");
		} else {
			kt_buf_adds(&b, "&mdash;");
		}
		kt_buf_adds(&b, "</td><td class=\"num\">");
		if (p[i].offset >= 0)
			kt_buf_printf(&b, "%lld", (long long)p[i].offset);
		else
			kt_buf_adds(&b, "&mdash;");
		kt_buf_adds(&b, "</td><td>");
		kt_html_esc(&b, p[i].message ? p[i].message : "");
		kt_buf_adds(&b, "</td></tr>\n");
	}
	kt_buf_adds(&b, "</table>\n</section>\n");
	return b.p;
}

char *
kt_render_html_tail(void)
{
	struct kt_buf b;

	kt_buf_init(&b);
	kt_buf_adds(&b, "<footer>ktriage " KT_VERSION_STRING "</footer></main>\n");
	kt_html_page_close(&b);
	return b.p;
}

char *
kt_render_html(const struct kt_report *r)
{
	struct kt_buf b;

	kt_buf_init(&b);
	kt_html_page_open(&b, r->title ? r->title : "ktriage crash report");
	kt_buf_adds(&b, "<main>\n");
	kt_html_report(&b, r);
	kt_buf_adds(&b, "<footer>ktriage " KT_VERSION_STRING "</footer></main>\n");
	kt_html_page_close(&b);
	return b.p;
}
