/* Unit tests: what a run found, in a few lines (src/render/summary.c): the
 * verdict, the closing summary and the bucket lines as text and Markdown,
 * and the same verdict and summary as JSON (kt_summary_verdict_json,
 * kt_summary_closing_json; keys in docs/report-json.md, VERDICT and
 * SUMMARY), checked on the same kind of counted reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include <ktriage/analyze.h>
#include <ktriage/summary.h>

static struct kt_report *
fake(const char *title, const char *bucket, const char *rule, const char *conf, bool raise_hf)
{
	struct kt_report *r = kt_report_new();

	r->title = kt_report_strdup(r, title);
	snprintf(r->bucket, sizeof(r->bucket), "%s", bucket);
	r->source.timestamp = -1;
	if (rule) {
		struct kt_finding *f = kt_report_alloc(r, sizeof(*f));

		f->rule = kt_report_strdup(r, rule);
		f->title = kt_report_printf(r, "cause %s", rule);
		f->severity = "high";
		f->confidence = conf;
		f->remedy = kt_report_alloc(r, sizeof(char *));
		f->remedy[0] = "do the first thing";
		f->n_remedy = 1;
		if (raise_hf) {
			f->raise = kt_report_alloc(r, sizeof(char *));
			f->raise[0] = "host facts: ... at MTU 9000";
			f->n_raise = 1;
			f->raise_host_facts = true;
		}
		r->findings = f;
		r->n_findings = 1;
	}
	return r;
}

/* Text and Markdown: what the verdict, summary and bucket lines say. */
static void
test_text(void **state)
{
	struct kt_summary *s = kt_summary_new(), *all = kt_summary_new();
	struct kt_report *v[3] = {
		fake("BUG in a", "aaaaaaaaaaaaaaaa", "rule-a", "medium", true),
		fake("BUG in a", "aaaaaaaaaaaaaaaa", "rule-a", "medium", true),
		fake("WARNING in b", "bbbbbbbbbbbbbbbb", NULL, NULL, false),
	};
	char *t;

	(void)state;
	for (int i = 0; i < 3; i++) {
		kt_summary_add(s, "log", v[i]);
		kt_report_free(v[i]);	/* the summary keeps copies */
	}
	kt_summary_input(s, "log", true, NULL);
	t = kt_summary_verdict(s, "log", KT_SUMMARY_TEXT, NULL);
	assert_non_null(strstr(t, "Verdict: cause rule-a\n"));
	assert_non_null(strstr(t, "in 2 of 3 crashes (2 buckets)"));
	assert_non_null(strstr(t, "First step: do the first thing"));
	assert_non_null(strstr(t, "host facts: ... at MTU 9000"));
	assert_non_null(strstr(t, "ktriage net audit --format json > facts.json"));
	assert_non_null(strstr(t, "ktriage analyze --host-facts facts.json log"));
	free(t);
	kt_summary_merge(all, s);
	kt_summary_merge(all, s);
	kt_summary_input(all, "gone.log", false, "No such file");
	t = kt_summary_closing(all, KT_SUMMARY_TEXT, NULL);
	assert_non_null(strstr(t, "Summary: 2 inputs read, 6 crashes in 2 distinct buckets."));
	assert_non_null(strstr(t, "findings by rule: rule-a 4"));
	assert_non_null(strstr(t, "problems: 1 input could not be read"));
	assert_non_null(strstr(t, "gone.log: No such file"));
	free(t);
	t = kt_summary_buckets(all, KT_SUMMARY_MD, NULL);
	assert_non_null(strstr(t, "| 4 | - | - | - | BUG in a | cause rule-a (medium, rule rule-a) |"));
	assert_non_null(strstr(t, "| 2 | - | - | - | WARNING in b | no finding |"));
	free(t);
	kt_summary_free(s);
	kt_summary_free(all);
}

/* kt_summary_move: into an empty summary (taken without a copy) and into
 * one with counts (merged), the same closing JSON as kt_summary_merge; the
 * source is left empty. */
static void
test_move(void **state)
{
	struct kt_summary *s1 = kt_summary_new(), *s2 = kt_summary_new();
	struct kt_summary *merged = kt_summary_new(), *moved = kt_summary_new();
	struct kt_report *v[3] = {
		fake("BUG in a", "aaaaaaaaaaaaaaaa", "rule-a", "medium", true),
		fake("WARNING in b", "bbbbbbbbbbbbbbbb", NULL, NULL, false),
		fake("BUG in a", "aaaaaaaaaaaaaaaa", "rule-a", "high", false),
	};
	char *a, *b;

	(void)state;
	kt_summary_add(s1, "one.log", v[0]);
	kt_summary_add(s1, "one.log", v[1]);
	kt_summary_input(s1, "one.log", true, NULL);
	kt_summary_add(s2, "two.log", v[2]);
	kt_summary_input(s2, "two.log", false, "truncated");
	for (int i = 0; i < 3; i++)
		kt_report_free(v[i]);
	kt_summary_merge(merged, s1);
	kt_summary_merge(merged, s2);
	kt_summary_move(moved, s1);	/* empty: taken */
	kt_summary_move(moved, s2);	/* not empty: merged */
	assert_int_equal(kt_summary_reports(s1), 0);
	assert_int_equal(kt_summary_reports(s2), 0);
	a = kt_summary_closing_json(merged, 0);
	b = kt_summary_closing_json(moved, 0);
	assert_string_equal(a, b);
	assert_non_null(strstr(b, "\"crashes\":3"));
	free(a);
	free(b);
	a = kt_summary_closing_json(s1, 0);	/* left empty */
	assert_non_null(strstr(a, "\"inputs\":0,"));
	assert_non_null(strstr(a, "\"by_bucket\":[]"));
	free(a);
	kt_summary_free(s1);
	kt_summary_free(s2);
	kt_summary_free(merged);
	kt_summary_free(moved);
}

static json_t *
parse(char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);

	if (!j)
		fail_msg("invalid JSON (%s): %s", e.text, text);
	free(text);
	return j;
}

static const char *
str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_non_null(v);	/* every key is always present */
	return json_is_null(v) ? NULL : json_string_value(v);
}

static long long
num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

/* Two crashes of one bucket with rule-a (medium, host facts would raise
 * it), one of another bucket with no rule: as the text verdict says it. */
static void
test_verdict(void **state)
{
	struct kt_summary *s = kt_summary_new();
	struct kt_report *v[3] = {
		fake("BUG in a", "aaaaaaaaaaaaaaaa", "rule-a", "medium", true),
		fake("BUG in a", "aaaaaaaaaaaaaaaa", "rule-a", "medium", true),
		fake("WARNING in b", "bbbbbbbbbbbbbbbb", NULL, NULL, false),
	};
	json_t *j, *a;
	char *one;

	(void)state;
	for (int i = 0; i < 3; i++) {
		kt_summary_add(s, "my log", v[i]);
		kt_report_free(v[i]);
	}
	kt_summary_input(s, "my log", true, NULL);
	j = parse(kt_summary_verdict_json(s, "my log", 2));
	assert_int_equal(num(j, "crashes"), 3);
	assert_int_equal(num(j, "buckets"), 2);
	assert_string_equal(str(j, "rule"), "rule-a");
	assert_string_equal(str(j, "title"), "cause rule-a");
	assert_string_equal(str(j, "severity"), "high");
	assert_string_equal(str(j, "confidence"), "medium");
	assert_string_equal(str(j, "first_step"), "do the first thing");
	assert_int_equal(num(j, "rule_crashes"), 2);
	assert_string_equal(str(j, "crash_title"), "BUG in a");
	assert_string_equal(str(j, "bucket"), "aaaaaaaaaaaaaaaa");
	assert_null(json_object_get(j, "input"));	/* the run's verdict only */
	a = json_object_get(j, "raise");
	assert_int_equal(json_array_size(a), 1);
	assert_string_equal(json_string_value(json_array_get(a, 0)), "host facts: ... at MTU 9000");
	assert_true(json_is_true(json_object_get(j, "raise_needs_host_facts")));
	a = json_object_get(j, "commands");
	assert_int_equal(json_array_size(a), 2);
	assert_string_equal(json_string_value(json_array_get(a, 0)),
			    "ktriage net audit --format json > facts.json");
	assert_string_equal(json_string_value(json_array_get(a, 1)),
			    "ktriage analyze --host-facts facts.json my log");
	json_decref(j);
	/* indent 0: one line */
	one = kt_summary_verdict_json(s, "my log", 0);
	assert_null(strchr(one, '\n'));
	free(one);
	kt_summary_free(s);
}

/* No crash (or no summary at all): the keys are there, empty. */
static void
test_verdict_empty(void **state)
{
	struct kt_summary *s = kt_summary_new();
	json_t *j;

	(void)state;
	for (int k = 0; k < 2; k++) {
		j = parse(kt_summary_verdict_json(k ? NULL : s, "x.log", 0));
		assert_int_equal(num(j, "crashes"), 0);
		assert_int_equal(num(j, "buckets"), 0);
		assert_null(str(j, "rule"));
		assert_null(str(j, "title"));
		assert_null(str(j, "crash_title"));
		assert_null(str(j, "bucket"));
		assert_int_equal(json_array_size(json_object_get(j, "raise")), 0);
		assert_int_equal(json_array_size(json_object_get(j, "commands")), 0);
		json_decref(j);
	}
	kt_summary_free(s);
}

/* No rule matched: the verdict names the first crash; a high-confidence
 * finding has nothing to raise. */
static void
test_verdict_no_rule_and_high(void **state)
{
	struct kt_summary *s = kt_summary_new(), *h = kt_summary_new();
	struct kt_report *r = fake("WARNING in b", "bbbbbbbbbbbbbbbb", NULL, NULL, false);
	json_t *j;

	(void)state;
	kt_summary_add(s, "b.log", r);
	kt_report_free(r);
	j = parse(kt_summary_verdict_json(s, "b.log", 0));
	assert_null(str(j, "rule"));
	assert_int_equal(num(j, "crashes"), 1);
	assert_string_equal(str(j, "crash_title"), "WARNING in b");
	assert_string_equal(str(j, "bucket"), "bbbbbbbbbbbbbbbb");
	json_decref(j);
	r = fake("BUG in a", "aaaaaaaaaaaaaaaa", "rule-a", "high", true);
	kt_summary_add(h, "a.log", r);
	kt_report_free(r);
	j = parse(kt_summary_verdict_json(h, "a.log", 0));
	assert_string_equal(str(j, "confidence"), "high");
	assert_int_equal(json_array_size(json_object_get(j, "raise")), 0);
	assert_false(json_is_true(json_object_get(j, "raise_needs_host_facts")));
	json_decref(j);
	kt_summary_free(s);
	kt_summary_free(h);
}

/* Many buckets (the index grows several times): each is found again and
 * counted; past KT_SUMMARY_MAX_BUCKETS they are counted, not listed. */
static void
test_many_buckets(void **state)
{
	struct kt_summary *s = kt_summary_new(), *all = kt_summary_new();
	size_t n = KT_SUMMARY_MAX_BUCKETS + 100;
	char id[17];
	json_t *j;

	(void)state;
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < n; i++) {
			struct kt_report *r;

			snprintf(id, sizeof(id), "%016zx", i * 7919);
			r = fake("BUG in x", id, NULL, NULL, false);
			kt_summary_add(s, "many.log", r);
			assert_int_equal(kt_summary_bucket_count(s, r),
					 i < KT_SUMMARY_MAX_BUCKETS ? (size_t)round + 1 : 0);
			kt_report_free(r);
		}
	kt_summary_merge(all, s);
	kt_summary_merge(all, s);
	j = parse(kt_summary_closing_json(all, 0));
	assert_int_equal(num(j, "crashes"), 4 * n);
	assert_int_equal(num(j, "buckets"), KT_SUMMARY_MAX_BUCKETS + 1);
	assert_int_equal(num(j, "crashes_unlisted"), 4 * 100);
	assert_int_equal(num(json_array_get(json_object_get(j, "by_bucket"), 0), "crashes"), 4);
	json_decref(j);
	kt_summary_free(s);
	kt_summary_free(all);
}

/* The HTML verdict: the text verdict's data, in a section, escaped. */
static void
test_verdict_html(void **state)
{
	struct kt_summary *s = kt_summary_new(), *h = kt_summary_new();
	struct kt_report *v[3] = {
		fake("BUG in a", "aaaaaaaaaaaaaaaa", "rule-a", "medium", true),
		fake("BUG in a", "aaaaaaaaaaaaaaaa", "rule-a", "medium", true),
		fake("WARNING in b", "bbbbbbbbbbbbbbbb", NULL, NULL, false),
	};
	struct kt_report *r;
	char *t;

	(void)state;
	t = kt_summary_verdict_html(s, "log");
	assert_string_equal(t, "");	/* nothing counted: nothing to say */
	free(t);
	for (int i = 0; i < 3; i++) {
		kt_summary_add(s, "log", v[i]);
		kt_report_free(v[i]);
	}
	t = kt_summary_verdict_html(s, "a<b>&.log");
	assert_non_null(strstr(t, "<section class=\"verdict finding f-high\">"));
	assert_non_null(strstr(t, "<h2>Verdict for <code>a&lt;b&gt;&amp;.log</code>: cause rule-a"
				  "</h2>"));
	assert_non_null(strstr(t, "<span class=\"badge sev-high\">high</span>"
				  "<span>confidence medium</span><span>rule <code class=\"rule\">"
				  "rule-a</code></span><span>in 2 of 3 crashes</span>"
				  "<span>2 buckets</span>"));
	assert_non_null(strstr(t, "<b>First step:</b> do the first thing</p>"));
	assert_non_null(strstr(t, "<p>Confidence is medium; this evidence would raise it:</p>"));
	assert_non_null(strstr(t, "<li>host facts: ... at MTU 9000</li>"));
	assert_non_null(strstr(t, "<li><code>ktriage net audit --format json &gt; facts.json"
				  "</code></li>"));
	assert_non_null(strstr(t, "<li><code>ktriage analyze --host-facts facts.json "
				  "a&lt;b&gt;&amp;.log</code></li>"));
	assert_null(strstr(t, "<b>&"));
	free(t);
	/* no rule: the first crash's title, from the log, escaped */
	r = fake("BUG in <script>\"x\"</script>", "", NULL, NULL, false);
	kt_summary_add(h, "h.log", r);
	kt_report_free(r);
	t = kt_summary_verdict_html(h, "h.log");
	assert_non_null(strstr(t, "<section class=\"verdict finding f-info\">"));
	assert_non_null(strstr(t, ": 1 crash in 1 bucket; no rule of the knowledge base matched. "
				  "The first: BUG in &lt;script&gt;&quot;x&quot;&lt;/script&gt;</h2>"));
	assert_null(strstr(t, "<script"));
	free(t);
	kt_summary_free(s);
	kt_summary_free(h);
}

/* The closing summary of two inputs merged, one more unreadable. */
static void
test_closing(void **state)
{
	struct kt_summary *s1 = kt_summary_new(), *s2 = kt_summary_new(), *all = kt_summary_new();
	struct kt_report *r;
	json_t *j, *a, *b, *v;

	(void)state;
	for (int i = 0; i < 3; i++) {
		r = fake("BUG in a", "aaaaaaaaaaaaaaaa", "rule-a", "medium", false);
		kt_summary_add(s1, "one.log", r);
		kt_report_free(r);
	}
	kt_summary_input(s1, "one.log", true, NULL);
	r = fake("WARNING in b", "bbbbbbbbbbbbbbbb", "rule-b", "high", false);
	kt_summary_add(s2, "two.log", r);
	kt_report_free(r);
	kt_summary_input(s2, "two.log", true, NULL);
	kt_summary_merge(all, s1);
	kt_summary_merge(all, s2);
	kt_summary_input(all, "gone.log", false, "No such file");
	j = parse(kt_summary_closing_json(all, 2));
	assert_int_equal(num(j, "inputs"), 3);
	assert_int_equal(num(j, "inputs_read"), 2);
	assert_int_equal(num(j, "inputs_incomplete"), 1);
	assert_int_equal(num(j, "crashes"), 4);
	assert_int_equal(num(j, "buckets"), 2);
	assert_int_equal(num(j, "crashes_unlisted"), 0);
	a = json_object_get(j, "findings_by_rule");
	assert_int_equal(json_array_size(a), 2);
	assert_string_equal(str(json_array_get(a, 0), "rule"), "rule-a");	/* most first */
	assert_int_equal(num(json_array_get(a, 0), "crashes"), 3);
	assert_string_equal(str(json_array_get(a, 1), "title"), "cause rule-b");
	a = json_object_get(j, "by_bucket");
	assert_int_equal(json_array_size(a), 2);
	b = json_array_get(a, 0);
	assert_string_equal(str(b, "bucket"), "aaaaaaaaaaaaaaaa");
	assert_int_equal(num(b, "crashes"), 3);
	assert_string_equal(str(b, "input"), "one.log");
	assert_string_equal(str(b, "rule"), "rule-a");
	assert_null(str(b, "first"));	/* no time in these reports */
	/* the run's verdict: rule-b is high, so it leads; it names its input */
	v = json_object_get(j, "verdict");
	assert_string_equal(str(v, "rule"), "rule-b");
	assert_string_equal(str(v, "input"), "two.log");
	assert_int_equal(num(v, "crashes"), 4);
	assert_int_equal(num(v, "rule_crashes"), 1);
	json_decref(j);
	kt_summary_free(s1);
	kt_summary_free(s2);
	kt_summary_free(all);
}

/* Hostile text from a log (a title) comes out as a valid JSON string. */
static void
test_hostile_title(void **state)
{
	struct kt_summary *s = kt_summary_new();
	struct kt_report *r = fake("BUG \"x\"\n\\ \x01 \xff</script>", "cccccccccccccccc", NULL,
				   NULL, false);
	json_t *j;

	(void)state;
	kt_summary_add(s, "in\"put", r);
	kt_report_free(r);
	j = parse(kt_summary_closing_json(s, 0));
	assert_string_equal(str(json_object_get(j, "verdict"), "crash_title"),
			    "BUG \"x\"\n\\ \x01 ?</script>");
	assert_string_equal(str(json_object_get(j, "verdict"), "input"), "in\"put");
	json_decref(j);
	kt_summary_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_move),
		cmocka_unit_test(test_verdict),
		cmocka_unit_test(test_verdict_empty),
		cmocka_unit_test(test_verdict_no_rule_and_high),
		cmocka_unit_test(test_verdict_html),
		cmocka_unit_test(test_many_buckets),
		cmocka_unit_test(test_closing),
		cmocka_unit_test(test_hostile_title),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
