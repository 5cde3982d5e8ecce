/* Unit tests: the built-in rules parsed at build time (rules_bake.c) give
 * the same rules as parsing the embedded YAML text at run time: same ids,
 * lines, titles, explanations, conditions, remedies and references, file by
 * file, and every embedded rule file is baked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "diagnose/diagnose.h"
#include "diagnose/rules.h"
#include "util/data.h"

static void
same_str(const char *a, const char *b)
{
	if (!a || !b)
		assert_true(a == b);
	else
		assert_string_equal(a, b);
}

static void
same_rule(const struct kt_rule *a, const struct kt_rule *b)
{
	same_str(a->id, b->id);
	same_str(a->title, b->title);
	same_str(a->severity, b->severity);
	same_str(a->file, b->file);
	assert_int_equal(a->line, b->line);
	same_str(a->explanation, b->explanation);
	assert_int_equal(a->n_conds, b->n_conds);
	assert_int_equal(a->n_combos, b->n_combos);
	assert_int_equal(a->n_remedy, b->n_remedy);
	for (size_t i = 0; i < a->n_remedy; i++)
		same_str(a->remedy[i], b->remedy[i]);
	assert_int_equal(a->n_references, b->n_references);
	for (size_t i = 0; i < a->n_references; i++)
		same_str(a->references[i], b->references[i]);
	for (size_t i = 0; a->cond_text && i < a->n_conds; i++)
		same_str(a->cond_text[i], b->cond_text[i]);
}

static void
baked_equals_text(void **state)
{
	size_t files = 0;

	(void)state;
	assert_true(kt_baked_rules_count > 0);
	for (size_t i = 0; i < kt_baked_rules_count; i++) {
		const struct kt_baked_rules *bk = &kt_baked_rules[i];
		struct kt_data_blob blob;
		struct kt_ruleset *rs = kt_ruleset_new();
		struct kt_rule **vt, **vb;
		size_t nt, nb;

		assert_int_equal(kt_data_read(NULL, bk->path, &blob), 0);
		assert_int_equal(kt_rules_parse(rs, blob.origin, blob.data, blob.len, NULL, NULL,
						&vt, &nt), 0);
		assert_int_equal(kt_rules_parse_baked(rs, bk, NULL, NULL, &vb, &nb), 0);
		assert_int_equal(nt, nb);
		assert_true(nt > 0);
		for (size_t j = 0; j < nt; j++)
			same_rule(vt[j], vb[j]);
		kt_data_blob_deinit(&blob);
		kt_ruleset_free(rs);
		files++;
	}
	assert_int_equal(files, kt_baked_rules_count);
}

static int
count_yaml(void *ud, const char *path)
{
	size_t n = strlen(path);

	if (n > 5 && !strcmp(path + n - 5, ".yaml")) {
		size_t i;

		for (i = 0; i < kt_baked_rules_count; i++)
			if (!strcmp(kt_baked_rules[i].path, path))
				break;
		assert_true(i < kt_baked_rules_count);	/* every rule file is baked */
		(*(size_t *)ud)++;
	}
	return 0;
}

static void
every_rule_file_is_baked(void **state)
{
	size_t n = 0;

	(void)state;
	assert_int_equal(kt_data_each(NULL, "rules/", count_yaml, &n), 0);
	assert_int_equal(n, kt_baked_rules_count);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(baked_equals_text),
		cmocka_unit_test(every_rule_file_is_baked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
