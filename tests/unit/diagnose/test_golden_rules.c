/* Unit test: every rule's golden pair (tests/golden/rules/<id>/fire.log must
 * produce a finding of <id>, miss.log must not), run through normalize ->
 * parse -> fields -> sign -> decode -> diagnose, plus the seed crash. Also
 * checks that every built-in rule has a pair. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include <ktriage/diagnose.h>

#include "decode/decode.h"
#include "normalize/normalize.h"
#include "parse/fields.h"
#include "parse/parser.h"
#include "sign/sign.h"

static const char *
source_root(void)
{
	const char *s = getenv("KT_SOURCE_ROOT");

	return s ? s : ".";
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	(void)fseek(f, 0, SEEK_END);
	n = ftell(f);
	(void)fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	*len = fread(buf, 1, (size_t)n, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* Runs the pipeline over one log; calls back for each diagnosed report. */
typedef void (*report_fn)(void *ud, const struct kt_report *r);

static void
analyze(struct kt_ctx *ctx, const struct kt_ruleset *rs, const char *path, report_fn fn, void *ud)
{
	size_t len = 0, start = 0;
	char *text = slurp(path, &len);
	struct kt_normalizer *nz = kt_normalizer_new();
	struct kt_parser *p = kt_parser_new(ctx, path);
	struct kt_report *r;
	uint32_t no = 0;

	if (!text)
		fail_msg("cannot read %s", path);
	assert_non_null(p);
	for (size_t i = 0; i <= len; i++) {
		struct kt_line l;

		if (i < len && text[i] != '\n')
			continue;
		if (i == len && start == len)
			break;
		kt_normalize(nz, kt_str_make(text + start, i - start), ++no, &l);
		kt_parser_feed(p, &l);
		start = i + 1;
	}
	kt_parser_end(p);
	while ((r = kt_parser_take(p)) != NULL) {
		kt_fields_extract(r);
		(void)kt_sign_run(ctx, r);
		(void)kt_decode_run(ctx, r, NULL);
		assert_int_equal(kt_diagnose_run(ctx, rs, NULL, r), 0);
		fn(ud, r);
		kt_report_free(r);
	}
	kt_parser_free(p);
	kt_normalizer_free(nz);
	free(text);
}

struct seen {
	const char *rule;
	size_t reports;
	bool fired;
	char confidence[16];
};

static void
on_report(void *ud, const struct kt_report *r)
{
	struct seen *s = ud;

	s->reports++;
	for (size_t i = 0; i < r->n_findings; i++)
		if (!strcmp(r->findings[i].rule, s->rule)) {
			s->fired = true;
			(void)snprintf(s->confidence, sizeof(s->confidence), "%s",
				       r->findings[i].confidence);
		}
}

static void
test_pairs(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_ruleset *rs = NULL;
	size_t failures = 0;

	(void)state;
	assert_int_equal(kt_ruleset_load_builtin(ctx, &rs), 0);
	for (size_t i = 0; i < kt_ruleset_count(rs); i++) {
		struct kt_rule_info ri;
		char path[4096];

		(void)kt_ruleset_info(rs, i, &ri);
		for (int miss = 0; miss < 2; miss++) {
			struct seen s = { .rule = ri.id };

			(void)snprintf(path, sizeof(path), "%s/tests/golden/rules/%s/%s",
				       source_root(), ri.id, miss ? "miss.log" : "fire.log");
			analyze(ctx, rs, path, on_report, &s);
			if (!miss && (!s.reports || !s.fired)) {
				print_message("# %s: fire.log did not fire (%zu reports)\n", ri.id,
					      s.reports);
				failures++;
			} else if (miss && s.fired) {
				print_message("# %s: miss.log fired (%s)\n", ri.id, s.confidence);
				failures++;
			} else if (!miss) {
				print_message("# %-28s fire.log: %s (%zu reports)\n", ri.id, s.confidence,
					      s.reports);
			} else if (miss && !s.reports) {
				/* a near miss must still be a crash report */
				print_message("# %s: miss.log has no report\n", ri.id);
				failures++;
			}
		}
	}
	kt_ruleset_free(rs);
	kt_ctx_free(ctx);
	assert_int_equal(failures, 0);
}

/* The seed crash (dom0.log of the XenServer enic case, the bundled example)
 * fires the general rule from the log alone (bridge refragmenting a guest
 * frame: high) and the enic rule only at low confidence (enic loaded, no
 * evidence of a vNIC below the network MTU), with its story. */
struct seed {
	bool fired, general;
	const char *confidence;
	bool story_netback, story_fault, story_panic;
};

static void
on_seed(void *ud, const struct kt_report *r)
{
	struct seed *s = ud;

	for (size_t i = 0; i < r->n_findings; i++) {
		const struct kt_finding *f = &r->findings[i];

		print_message("# finding %s (%s, score %.2f)\n", f->rule, f->confidence, f->score);
		for (size_t k = 0; k < f->n_evidence; k++)
			print_message("#   evidence: %s\n", f->evidence[k]);
		if (!strcmp(f->rule, "enic-jumbo-frames")) {
			s->fired = true;
			s->confidence = strcmp(f->confidence, "low") ? "other" : "low";
		}
		if (!strcmp(f->rule, "bridge-refragment-guest-vif"))
			s->general = !strcmp(f->confidence, "high");
	}
	for (size_t i = 0; i < r->n_story; i++) {
		print_message("# story: %s\n", r->story[i]);
		s->story_netback |= strstr(r->story[i], "xen-netback") != NULL;
		s->story_fault |= strstr(r->story[i], "0xffff8801705505c0") != NULL;
		s->story_panic |= strstr(r->story[i], "Fatal exception in interrupt") != NULL;
	}
}

static void
test_seed(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_ruleset *rs = NULL;
	struct seed s = { 0 };
	char path[4096];
	struct stat st;

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/examples/xenserver-enic-jumbo/dom0.log",
		       source_root());
	if (stat(path, &st) != 0) {
		kt_ctx_free(ctx);
		skip();
	}
	assert_int_equal(kt_ruleset_load_builtin(ctx, &rs), 0);
	analyze(ctx, rs, path, on_seed, &s);
	assert_true(s.fired);
	assert_string_equal(s.confidence, "low");
	assert_true(s.general);
	assert_true(s.story_netback);
	assert_true(s.story_fault);
	assert_true(s.story_panic);
	kt_ruleset_free(rs);
	kt_ctx_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pairs),
		cmocka_unit_test(test_seed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
