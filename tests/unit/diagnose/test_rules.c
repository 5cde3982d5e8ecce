/* Unit tests: diagnose rule loader (valid rules, each error as file:line,
 * unknown keys, bad regexes, the embedded rule set, rules check on a dir). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <ktriage/diagnose.h>

#include "diagnose/rules.h"
#include "util/arena.h"

/* A minimal valid rule; the error cases below each break one thing. */
#define GOOD_RULE                                                        \
	"id: good-rule\n"                                                \
	"title: A good rule\n"                                           \
	"severity: high\n"                                               \
	"conditions:\n"                                                  \
	"  - id: trace\n"                                                \
	"    required: true\n"                                           \
	"    weight: 3\n"                                                \
	"    frames-in-order: [\"memcpy|memcpy_erms\", skb_copy_bits]\n" \
	"  - id: drv\n"                                                  \
	"    module: {name: enic, flags: O}\n"                           \
	"confidence:\n"                                                  \
	"  high: [\"trace + drv\"]\n"                                    \
	"explanation: found {trace}\n"                                   \
	"remedy: [\"fix {drv.name|the driver}\"]\n"                      \
	"references: [\"https://example.org/kb\"]\n"

struct problems {
	char first[512];
	char all[2048];
	size_t n;
};

static void
collect(void *ud, enum kt_sev sev, const char *what, const char *msg)
{
	struct problems *p = ud;

	(void)sev;
	if (p->n++ == 0)
		(void)snprintf(p->first, sizeof(p->first), "%s: %s", what, msg);
	(void)snprintf(p->all + strlen(p->all), sizeof(p->all) - strlen(p->all), "%s: %s\n",
		       what, msg);
}

static size_t
parse(const char *text, struct problems *p, size_t *n_rules)
{
	struct kt_ruleset *rs = kt_ruleset_new();
	struct kt_rule **v;
	size_t errors;

	memset(p, 0, sizeof(*p));
	errors = kt_rules_parse(rs, "t.yaml", text, strlen(text), collect, p, &v, n_rules);
	kt_ruleset_free(rs);
	return errors;
}

static void
test_valid(void **state)
{
	struct problems p;
	size_t n;

	(void)state;
	assert_int_equal(parse(GOOD_RULE, &p, &n), 0);
	assert_int_equal(n, 1);
	/* two documents, two rules */
	assert_int_equal(parse(GOOD_RULE "---\n" GOOD_RULE, &p, &n), 0);
	assert_int_equal(n, 2);
}

struct err_case {
	const char *text;
	const char *expect;	/* prefix "t.yaml:LINE: reason..." */
};

static const struct err_case err_cases[] = {
	{ "id: x\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    required: true\n"
	  "    kind: bug\nreferences: [\"https://example.org/r\"]\nbogus: 1\n",
	  "t.yaml:9: unknown key 'bogus'" },
	{ "id: x\ntitle: t\nseverity: urgent\nconditions:\n  - id: a\n    required: true\n"
	  "    kind: bug\nreferences: [\"https://example.org/r\"]\n",
	  "t.yaml:3: severity must be" },
	{ "id: x\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    required: true\n"
	  "    frames: [\"ip_(frag\"]\nreferences: [\"https://example.org/r\"]\n",
	  "t.yaml:7: bad regex 'ip_(frag'" },
	{ "id: x\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    required: true\n"
	  "    kind: bug\n    colour: red\nreferences: [\"https://example.org/r\"]\n",
	  "t.yaml:8: unknown condition key 'colour'" },
	{ "id: x\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    kind: bug\n"
	  "references: [\"https://example.org/r\"]\n",
	  "t.yaml:1: rule needs at least one 'required: true'" },
	{ "id: x\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    required: true\n"
	  "    kind: no-such-kind\nreferences: [\"https://example.org/r\"]\n",
	  "t.yaml:7: unknown kind 'no-such-kind'" },
	{ "id: x\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    required: true\n"
	  "    kind: bug\nconfidence:\n  high: [\"a + b\"]\nreferences: [\"https://example.org/r\"]\n",
	  "t.yaml:9: confidence refers to unknown condition 'b'" },
	{ "id: x\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    required: true\n"
	  "    kind: bug\nremedy: [\"run {nope.iface}\"]\nreferences: [\"https://example.org/r\"]\n",
	  "t.yaml:8: template placeholder '{nope.iface}' names no condition" },
	{ "id: x\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    required: true\n"
	  "    kind: bug\n    title: x\nreferences: [\"https://example.org/r\"]\n",
	  "t.yaml:8: condition has two matchers" },
	{ "id: x\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    required: true\n"
	  "    kind: bug\n  - id: a\n    title: x\nreferences: [\"https://example.org/r\"]\n",
	  "t.yaml:8: duplicate condition id 'a'" },
	{ "id: x\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    required: maybe\n"
	  "    kind: bug\nreferences: [\"https://example.org/r\"]\n",
	  "t.yaml:6: required must be true or false" },
	{ "id: x\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    required: true\n"
	  "    register: {name: RCX, in: [0xzz]}\nreferences: [\"https://example.org/r\"]\n",
	  "t.yaml:7: in: '0xzz' is not a number" },
	{ "id: x\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    required: true\n"
	  "    host-iface: {driver: enic, speed: 10}\nreferences: [\"https://example.org/r\"]\n",
	  "t.yaml:7: host-iface: unknown key 'speed'" },
	{ "id: x\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    required: true\n"
	  "    kind: bug\n",
	  "t.yaml:1: rule without references" },
	{ "id: x\ntitle: [oops\n", "t.yaml:3: YAML: " },
	{ "", "t.yaml:1: no rule in file" },
	/* an empty sub-key once looped forever (found by fuzz_rules) */
	{ "id: x\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    required: true\n"
	  "    register: {\"\": 1, in: [1]}\nreferences: [\"https://example.org/r\"]\n",
	  "t.yaml:7: register: unknown key ''" },
	{ "id: x\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    required: true\n"
	  "    kind: bug\nreferences: [\"https://example.org/r\"]\nconditions: []\n",
	  "t.yaml:9: duplicate key 'conditions'" },
	{ "id: Bad Id\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    required: true\n"
	  "    kind: bug\nreferences: [\"https://example.org/r\"]\n",
	  "t.yaml:1: rule id 'Bad Id'" },
	{ "id: x\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    required: true\n"
	  "    kernel: {min: banana}\nreferences: [\"https://example.org/r\"]\n",
	  "t.yaml:7: kernel.min: 'banana' is not a version" },
	/* references a user reads must be public: a URL or a source path */
	{ "id: x\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    required: true\n"
	  "    kind: bug\nreferences: [\"/work/shared/research/xen-domain.md §2\"]\n",
	  "t.yaml:8: reference '/work/shared/research/xen-domain.md §2' names a local path" },
	{ "id: x\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    required: true\n"
	  "    kind: bug\nreferences: [\"research/xen-domain.md 4.1\"]\n",
	  "t.yaml:8: reference 'research/xen-domain.md 4.1' cites a private write-up" },
	{ "id: x\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    required: true\n"
	  "    kind: bug\nreferences: [\"see ../shared/STYLE.md\"]\n",
	  "t.yaml:8: reference 'see ../shared/STYLE.md' names a local path" },
	{ "id: x\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    required: true\n"
	  "    kind: bug\nreferences: [\"the vendor said so\"]\n",
	  "t.yaml:8: reference 'the vendor said so' is neither a URL nor a source path" },
	{ "id: x\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    required: true\n"
	  "    kind: bug\nreferences: [\"https://terry\"]\n",
	  "t.yaml:8: reference 'https://terry' is neither a URL nor a source path" },
	/* placeholders must resolve */
	{ "id: x\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    required: true\n"
	  "    kind: bug\nremedy: [\"run {nope}\"]\nreferences: [\"https://example.org/r\"]\n",
	  "t.yaml:8: template placeholder '{nope}' names no condition" },
	{ "id: x\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    required: true\n"
	  "    kind: bug\nremedy: [\"run {report.nosuch}\"]\nreferences: [\"https://example.org/r\"]\n",
	  "t.yaml:8: template placeholder '{report.nosuch}' names no report field" },
	{ "id: x\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    required: true\n"
	  "    line: \"x\"\n    evidence: \"{a.iface}\"\nreferences: [\"https://example.org/r\"]\n",
	  "t.yaml:5: template placeholder '{a.iface}' names no value of a line condition" },
	{ "id: x\ntitle: t\nseverity: high\nconditions:\n  - id: a\n    required: true\n"
	  "    kind: bug\nexplanation: \"see {b}\"\nreferences: [\"https://example.org/r\"]\n",
	  "t.yaml:1: template placeholder '{b}' names no condition" },
};

static void
test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		struct problems p;
		size_t n;

		if (parse(err_cases[i].text, &p, &n) == 0 ||
		    strncmp(p.first, err_cases[i].expect, strlen(err_cases[i].expect)) != 0)
			fail_msg("case %zu: got '%s', want '%s...'", i, p.first, err_cases[i].expect);
	}
}

static void
test_builtin(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_ruleset *rs = NULL;
	struct kt_rule_info ri;
	int i;

	(void)state;
	if (kt_ruleset_load_builtin(ctx, &rs) != 0)
		fail_msg("builtin rules: %s", kt_ctx_errmsg(ctx));
	assert_true(kt_ruleset_count(rs) >= 26);
	i = kt_ruleset_find(rs, "enic-jumbo-frames");
	assert_true(i >= 0);
	assert_int_equal(kt_ruleset_info(rs, (size_t)i, &ri), 0);
	assert_string_equal(ri.severity, "medium");	/* the crash is the general rule's */
	assert_true(ri.n_remedy >= 3);
	i = kt_ruleset_find(rs, "bridge-refragment-guest-vif");
	assert_true(i >= 0);
	assert_int_equal(kt_ruleset_info(rs, (size_t)i, &ri), 0);
	assert_string_equal(ri.severity, "critical");
	assert_true(ri.n_references >= 1);
	assert_int_equal(kt_ruleset_find(rs, "no-such-rule"), KT_ENOTFOUND);
	assert_int_equal(kt_ruleset_info(rs, kt_ruleset_count(rs), &ri), KT_EINVAL);
	/* sorted by id */
	for (size_t k = 1; k < kt_ruleset_count(rs); k++) {
		struct kt_rule_info a, b;

		(void)kt_ruleset_info(rs, k - 1, &a);
		(void)kt_ruleset_info(rs, k, &b);
		assert_true(strcmp(a.id, b.id) < 0);
	}
	kt_ruleset_free(rs);
	kt_ruleset_free(NULL);
	kt_ctx_free(ctx);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* check_dir reports every problem of every file; add_dir stops at the first
 * and overrides built-in rules by id. */
static void
test_dirs(void **state)
{
	char dir[] = "/tmp/kt-rules-XXXXXX", a[600], b[600], c[600];
	struct kt_ctx *ctx = kt_ctx_new();
	struct problems p = { .n = 0 };
	struct kt_ruleset *rs = kt_ruleset_new();

	(void)state;
	assert_non_null(mkdtemp(dir));
	(void)snprintf(a, sizeof(a), "%s/a.yaml", dir);
	(void)snprintf(b, sizeof(b), "%s/b.yaml", dir);
	(void)snprintf(c, sizeof(c), "%s/notes.txt", dir);
	write_file(a, GOOD_RULE);
	write_file(c, "not a rule");
	assert_int_equal(kt_ruleset_check_dir(ctx, dir, collect, &p), 0);
	assert_int_equal(p.n, 0);
	assert_int_equal(kt_ruleset_add_dir(ctx, rs, dir), 0);
	assert_int_equal(kt_ruleset_count(rs), 1);

	/* same id again in b.yaml, plus a bad regex */
	write_file(b, GOOD_RULE "---\nid: other\ntitle: t\nseverity: low\nconditions:\n"
		      "  - id: a\n    required: true\n    line: \"(\"\nreferences: [\"https://example.org/r\"]\n");
	assert_int_equal(kt_ruleset_check_dir(ctx, dir, collect, &p), KT_EFORMAT);
	assert_int_equal(p.n, 2);
	assert_non_null(strstr(p.all, "b.yaml:23: bad regex '('"));
	assert_non_null(strstr(p.all, "b.yaml:1: duplicate rule id 'good-rule'"));
	assert_int_equal(kt_ruleset_add_dir(ctx, rs, dir), KT_EFORMAT);
	assert_non_null(strstr(kt_ctx_errmsg(ctx), "b.yaml:23: bad regex"));
	assert_int_equal(kt_ruleset_add_dir(ctx, rs, "/nonexistent/dir"), KT_EIO);

	/* a local rule with a built-in id replaces the built-in one */
	unlink(b);
	write_file(a, "id: enic-jumbo-frames\ntitle: Local override\nseverity: low\n"
		      "conditions:\n  - {id: k, required: true, kind: bug}\nreferences: [\"https://example.org/x\"]\n");
	{
		struct kt_ruleset *bi = NULL;
		struct kt_rule_info ri;
		size_t n;
		int i;

		assert_int_equal(kt_ruleset_load_builtin(ctx, &bi), 0);
		n = kt_ruleset_count(bi);
		assert_int_equal(kt_ruleset_add_dir(ctx, bi, dir), 0);
		assert_int_equal(kt_ruleset_count(bi), n);
		i = kt_ruleset_find(bi, "enic-jumbo-frames");
		assert_true(i >= 0);
		assert_int_equal(kt_ruleset_info(bi, (size_t)i, &ri), 0);
		assert_string_equal(ri.title, "Local override");
		kt_ruleset_free(bi);
	}

	unlink(a);
	unlink(b);
	unlink(c);
	rmdir(dir);
	kt_ruleset_free(rs);
	kt_ctx_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_builtin),
		cmocka_unit_test(test_dirs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
