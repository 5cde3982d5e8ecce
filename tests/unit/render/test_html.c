/* Unit tests: HTML escaping (render/html.h) and the crash page of a report
 * whose every string field is hostile. Escaping follows the HTML Living
 * Standard (https://html.spec.whatwg.org/multipage/syntax.html): & < > " '
 * as character references; control bytes shown as U+2400 control pictures;
 * bytes that are not UTF-8 (RFC 3629) as U+FFFD. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ktriage/analyze.h>

#include "render/html.h"

static char *
esc(const char *s, size_t n)
{
	struct kt_buf b;

	kt_buf_init(&b);
	kt_html_escn(&b, s, n);
	kt_buf_addc(&b, '\0');
	return b.p;
}

static void
test_escape(void **state)
{
	static const struct { const char *in; size_t n; const char *want; } cases[] = {
		{ "plain text", 10, "plain text" },
		{ "<script>alert(1)</script>", 25, "&lt;script&gt;alert(1)&lt;/script&gt;" },
		{ "a\"b'c&d", 7, "a&quot;b&#39;c&amp;d" },
		{ "\x1b[31mred", 8, "\xe2\x90\x9b[31mred" },	/* ESC -> U+241B */
		{ "a\x00" "b", 3, "a\xe2\x90\x80" "b" },	/* NUL -> U+2400 */
		{ "del\x7f", 4, "del\xe2\x90\xa1" },		/* DEL -> U+2421 */
		{ "tab\tnl\n", 7, "tab\tnl\n" },
		{ "caf\xc3\xa9", 5, "caf\xc3\xa9" },		/* valid UTF-8 kept */
		{ "bad\xff\xc3", 5, "bad\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" }, /* surrogate */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = esc(cases[i].in, cases[i].n);

		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

static void
test_link(void **state)
{
	struct kt_buf b;

	(void)state;
	kt_buf_init(&b);
	kt_html_link(&b, "javascript:alert(1)", NULL);
	assert_null(strstr(b.p, "<a"));
	kt_buf_clear(&b);
	kt_html_link(&b, "https://example.org/\"onmouseover=\"x", NULL);
	assert_non_null(strstr(b.p, "href=\"https://example.org/&quot;onmouseover=&quot;x\""));
	kt_buf_deinit(&b);
}

/* A report with hostile text in every string field: the page must not
 * contain any of it unescaped. */
static void
test_report_page(void **state)
{
	static const char evil[] = "<script>x</script>\"'\x1b";
	struct kt_report *r = kt_report_new();
	const char *e;
	char *page;

	(void)state;
	e = kt_report_strdup(r, evil);
	r->title = r->header = r->oops = r->comm = r->hardware = r->bios = e;
	r->workqueue = r->panic = r->context_why = r->insn_note = r->last_unloaded = e;
	r->corrupted = true;
	r->corrupted_reason = e;
	r->kernel.release = r->kernel.version = r->kernel.tainted = e;
	r->source.file = r->source.format = r->source.wallclock = r->source.host = e;
	r->fault.present = true;
	r->fault.access = r->fault.mode = r->fault.reason = r->fault.page_table = e;
	r->ip.present = true;
	r->ip.function = r->ip.module = r->ip.segment = e;
	r->xen.present = true;
	r->xen.version = r->xen.guest_rip = r->xen.crash_reason = e;
	r->n_story = 1;
	r->story = kt_report_alloc(r, sizeof(*r->story));
	r->story[0] = e;
	r->n_lines = 1;
	r->lines = kt_report_alloc(r, sizeof(*r->lines));
	r->lines[0] = e;
	r->n_frames = 1;
	r->frames = kt_report_alloc(r, sizeof(*r->frames));
	r->frames[0].function = r->frames[0].module = r->frames[0].file = e;
	r->frame = e;
	r->frames[0].reliable = true;
	r->n_modules = 1;
	r->modules = kt_report_alloc(r, sizeof(*r->modules));
	r->modules[0].name = r->modules[0].flags = e;
	r->n_findings = 1;
	r->findings = kt_report_alloc(r, sizeof(*r->findings));
	r->findings[0].rule = r->findings[0].title = r->findings[0].severity = e;
	r->findings[0].confidence = r->findings[0].explanation = e;
	r->findings[0].n_remedy = r->findings[0].n_evidence = r->findings[0].n_references = 1;
	r->findings[0].remedy = r->findings[0].evidence = r->findings[0].references = r->story;
	r->n_reg_notes = 1;
	r->reg_notes = kt_report_alloc(r, sizeof(*r->reg_notes));
	r->reg_notes[0].reg = r->reg_notes[0].what = r->reg_notes[0].tag = e;
	r->n_notes = 1;
	r->notes = kt_report_alloc(r, sizeof(*r->notes));
	r->notes[0].msg = e;
	r->n_insns = 1;
	r->insns = kt_report_alloc(r, sizeof(*r->insns));
	r->insns[0].text = e;

	page = kt_render_html(r);
	assert_non_null(page);
	assert_null(strstr(page, "<script"));
	assert_null(strstr(page, "\x1b"));
	assert_null(strstr(page, "x</script>"));
	assert_non_null(strstr(page, "&lt;script&gt;x&lt;/script&gt;&quot;&#39;\xe2\x90\x9b"));
	assert_non_null(strstr(page, "Content-Security-Policy"));
	free(page);
	kt_report_free(r);
}

/* An input's problems: every field escaped, the numbers shown, a missing
 * member or offset shown as a dash; "empty" alone is not "incomplete". */
static void
test_problems(void **state)
{
	static const char evil[] = "<script>x</script>\"'\x1b";
	const struct kt_problem p[2] = {
		{ KT_PROBLEM_TRUNCATED, evil, 6118, evil, 0 },
		{ KT_PROBLEM_UNREADABLE, NULL, -1, "permission denied", 0 },
	};
	const struct kt_problem empty = { KT_PROBLEM_EMPTY, NULL, -1, "empty directory", 1 };
	char *s;

	(void)state;
	s = kt_render_html_problems(evil, p, 2);
	assert_null(strstr(s, "<script"));
	assert_null(strstr(s, "\x1b"));
	assert_non_null(strstr(s, "<h2>Input <code>&lt;script&gt;x&lt;/script&gt;&quot;&#39;\xe2\x90\x9b"
				  "</code>: could not be read fully</h2>"));
	assert_non_null(strstr(s, "<tr><td>truncated</td><td><code>&lt;script&gt;"));
	assert_non_null(strstr(s, "<td class=\"num\">6118</td>"));
	assert_non_null(strstr(s, "<tr><td>unreadable</td><td>&mdash;</td><td class=\"num\">&mdash;"
				  "</td><td>permission denied</td></tr>"));
	free(s);
	s = kt_render_html_problems("d/", &empty, 1);
	assert_non_null(strstr(s, "<code>d/</code>: nothing to analyse</h2>"));
	assert_null(strstr(s, "class=\"warn\""));
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_problems),
		cmocka_unit_test(test_link),
		cmocka_unit_test(test_report_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
