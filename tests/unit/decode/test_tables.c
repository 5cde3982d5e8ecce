/* Unit tests: the data/decode/ table loader and the invariants of every
 * table (columns, complete fields, sources, unique keys, valid numbers). */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ktriage/error.h>

#include "decode/decode.h"

struct parse_case {
	const char *text;
	int rc;
	size_t rows;
	const char *r0c1;	/* row 0, column 1, or NULL */
};

static void
test_parse(void **state)
{
	static const struct parse_case cases[] = {
		{ "a\tb\n1\t2\n", 0, 1, "2" },
		{ "# comment\n\na\tb\r\n1\t2\r\n# more\n3\t4", 0, 2, "2" },
		{ "a\tb\n1\t\n", 0, 1, "" },
		{ "a\tb\n1\t2\t3\n", KT_EFORMAT, 0, NULL },
		{ "a\tb\n1\n", KT_EFORMAT, 0, NULL },
		{ "# only a comment\n", KT_EFORMAT, 0, NULL },
		{ "", KT_EFORMAT, 0, NULL },
		{ "a\t\tb\n", KT_EFORMAT, 0, NULL },
		{ "a\tb\n", 0, 0, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kt_ctx *ctx = kt_ctx_new();
		struct kt_dtable t;
		int rc = kt_dtable_parse(ctx, "test.tsv", cases[i].text, strlen(cases[i].text), &t);

		assert_int_equal(rc, cases[i].rc);
		if (rc == 0) {
			assert_int_equal(t.n_rows, cases[i].rows);
			assert_int_equal(t.n_cols, 2);
			if (cases[i].r0c1)
				assert_string_equal(kt_dtable_get(&t, 0, 1), cases[i].r0c1);
			assert_string_equal(kt_dtable_get(&t, 0, -1), "");
			assert_string_equal(kt_dtable_get(&t, 99, 0), "");
			assert_int_equal(kt_dtable_col(&t, "b"), 1);
			assert_int_equal(kt_dtable_col(&t, "zz"), -1);
			kt_dtable_deinit(&t);
		} else {
			assert_non_null(strstr(kt_ctx_errmsg(ctx), "test.tsv"));
		}
		kt_ctx_free(ctx);
	}
	{
		struct kt_dtable t = { 0 };

		assert_int_equal(kt_dtable_parse(NULL, "nul.tsv", "a\0b\n", 4, &t), KT_EFORMAT);
		assert_null(t.text);	/* not written on failure */
		kt_dtable_deinit(&t);	/* a zeroed table: no-op */
	}
}

static void
test_numbers(void **state)
{
	uint64_t v;
	unsigned lo, hi;

	(void)state;
	assert_true(kt_dtable_num("0x1f", &v));
	assert_int_equal(v, 31);
	assert_true(kt_dtable_num("1500", &v));
	assert_int_equal(v, 1500);
	assert_true(kt_dtable_num("0xdead000000000100", &v));
	assert_int_equal(v, 0xdead000000000100ull);
	assert_false(kt_dtable_num("", &v));
	assert_false(kt_dtable_num("12x", &v));
	assert_false(kt_dtable_num("-1", &v));
	assert_true(kt_dtable_bits("9", &lo, &hi));
	assert_int_equal(lo, 9);
	assert_int_equal(hi, 9);
	assert_true(kt_dtable_bits("12-51", &lo, &hi));
	assert_int_equal(lo, 12);
	assert_int_equal(hi, 51);
	assert_false(kt_dtable_bits("13-12", &lo, &hi));
	assert_false(kt_dtable_bits("64", &lo, &hi));
	assert_false(kt_dtable_bits("x", &lo, &hi));
	assert_false(kt_dtable_bits("3-", &lo, &hi));
}

/* Every column of every row is non-empty and the source names something. */
static void
check_complete(const struct kt_dtable *t, const char *const *cols, size_t ncols)
{
	int src = kt_dtable_col(t, "source");

	assert_true(t->n_rows > 0);
	assert_true(src >= 0);
	for (size_t c = 0; c < ncols; c++)
		assert_true(kt_dtable_col(t, cols[c]) >= 0);
	for (size_t i = 0; i < t->n_rows; i++) {
		for (size_t c = 0; c < t->n_cols; c++)
			if (kt_dtable_get(t, i, (int)c)[0] == '\0') {
				print_error("%s:%u: empty column %s\n", t->path, (unsigned)t->line[i],
					    t->head[c]);
				fail();
			}
		assert_true(strlen(kt_dtable_get(t, i, src)) >= 6);
	}
}

/* Values of column `col` are unique. */
static void
check_unique(const struct kt_dtable *t, const char *col)
{
	int c = kt_dtable_col(t, col);

	for (size_t i = 0; i < t->n_rows; i++)
		for (size_t j = i + 1; j < t->n_rows; j++)
			if (strcmp(kt_dtable_get(t, i, c), kt_dtable_get(t, j, c)) == 0) {
				print_error("%s: '%s' twice (lines %u, %u)\n", t->path,
					    kt_dtable_get(t, i, c), (unsigned)t->line[i],
					    (unsigned)t->line[j]);
				fail();
			}
}

static void
check_bit_table(const struct kt_dtable *t)
{
	static const char *const cols[] = { "bits", "name", "set", "clear" };
	uint64_t used = 0;

	check_complete(t, cols, 4);
	check_unique(t, "name");
	for (size_t i = 0; i < t->n_rows; i++) {
		unsigned lo, hi;
		uint64_t m;

		assert_true(kt_dtable_bits(kt_dtable_get(t, i, kt_dtable_col(t, "bits")), &lo, &hi));
		m = (hi - lo + 1 >= 64 ? ~0ull : ((1ull << (hi - lo + 1)) - 1)) << lo;
		assert_int_equal(used & m, 0);	/* no bit described twice */
		used |= m;
		if (i > 0) {	/* sorted by bit */
			unsigned plo, phi;

			assert_true(kt_dtable_bits(kt_dtable_get(t, i - 1, kt_dtable_col(t, "bits")),
						   &plo, &phi));
			assert_true(phi < lo);
		}
	}
}

static void
check_numeric_key(const struct kt_dtable *t, const char *col, uint64_t max)
{
	int c = kt_dtable_col(t, col);
	uint64_t prev = 0;

	for (size_t i = 0; i < t->n_rows; i++) {
		uint64_t v;

		assert_true(kt_dtable_num(kt_dtable_get(t, i, c), &v));
		assert_true(v <= max);
		if (i > 0)
			assert_true(v > prev);	/* sorted and unique */
		prev = v;
	}
}

static void
test_tables_load(void **state)
{
	struct kt_decode_tables t;

	(void)state;
	assert_int_equal(kt_decode_tables_load(NULL, &t), 0);
	check_bit_table(&t.pf_error);
	check_bit_table(&t.rflags);
	check_bit_table(&t.cr0);
	check_bit_table(&t.cr4);
	check_bit_table(&t.pte);
	{
		static const char *const cols[] = { "ec", "name", "meaning" };

		check_complete(&t.esr_ec, cols, 3);
		check_numeric_key(&t.esr_ec, "ec", 0x3f);
	}
	{
		static const char *const cols[] = { "code", "name", "meaning" };

		check_complete(&t.fsc, cols, 3);
		check_numeric_key(&t.fsc, "code", 0x3f);
	}
	{
		static const char *const cols[] = { "value", "meaning" };

		check_complete(&t.mtu, cols, 2);
		check_numeric_key(&t.mtu, "value", 65535);
	}
	kt_decode_tables_deinit(&t);
	kt_decode_tables_deinit(&t);	/* zeroed after deinit: no-op */
}

static void
test_taint_table(void **state)
{
	static const char *const cols[] = { "letter", "bit", "state", "name", "per_module", "meaning" };
	struct kt_decode_tables t;
	const struct kt_dtable *d = &t.taint;
	int c_bit, c_state, c_letter, c_pm;
	uint64_t bits_set = 0;

	(void)state;
	assert_int_equal(kt_decode_tables_load(NULL, &t), 0);
	check_complete(d, cols, 6);
	check_unique(d, "letter");
	c_bit = kt_dtable_col(d, "bit");
	c_state = kt_dtable_col(d, "state");
	c_letter = kt_dtable_col(d, "letter");
	c_pm = kt_dtable_col(d, "per_module");
	for (size_t i = 0; i < d->n_rows; i++) {
		const char *l = kt_dtable_get(d, i, c_letter), *st = kt_dtable_get(d, i, c_state);
		const char *pm = kt_dtable_get(d, i, c_pm);
		uint64_t bit;

		assert_int_equal(strlen(l), 1);
		assert_true(l[0] >= 'A' && l[0] <= 'Z');
		assert_true(kt_dtable_num(kt_dtable_get(d, i, c_bit), &bit));
		assert_true(bit < 32);
		assert_true(strcmp(st, "set") == 0 || strcmp(st, "clear") == 0);
		assert_true(strcmp(pm, "yes") == 0 || strcmp(pm, "no") == 0);
		if (strcmp(st, "set") == 0) {
			assert_int_equal(bits_set & (1ull << bit), 0);	/* one letter per bit */
			bits_set |= 1ull << bit;
		}
	}
	/* the documented table is complete: bits 0..19 */
	assert_int_equal(bits_set, 0xfffff);
	kt_decode_tables_deinit(&t);
}

static void
test_other_tables(void **state)
{
	struct kt_decode_tables t;

	(void)state;
	assert_int_equal(kt_decode_tables_load(NULL, &t), 0);
	{
		static const char *const cols[] = { "value", "mask", "scope", "name", "meaning" };
		const struct kt_dtable *d = &t.poison;

		check_complete(d, cols, 5);
		for (size_t i = 0; i < d->n_rows; i++) {
			uint64_t v, m;
			const char *scope = kt_dtable_get(d, i, kt_dtable_col(d, "scope"));

			assert_true(kt_dtable_num(kt_dtable_get(d, i, kt_dtable_col(d, "value")), &v));
			assert_true(kt_dtable_num(kt_dtable_get(d, i, kt_dtable_col(d, "mask")), &m));
			assert_int_equal(v & m, v);	/* the row can match */
			assert_true(strcmp(scope, "any") == 0 || strcmp(scope, "operand") == 0);
			/* no earlier row shadows this one completely */
			for (size_t j = 0; j < i; j++) {
				uint64_t pv, pm;

				assert_true(kt_dtable_num(kt_dtable_get(d, j, kt_dtable_col(d, "value")), &pv));
				assert_true(kt_dtable_num(kt_dtable_get(d, j, kt_dtable_col(d, "mask")), &pm));
				assert_false((pm & m) == pm && (v & pm) == pv);
			}
		}
	}
	{
		static const char *const cols[] = { "function", "context", "meaning" };
		const struct kt_dtable *d = &t.ctx_frames;

		check_complete(d, cols, 3);
		check_unique(d, "function");
		for (size_t i = 0; i < d->n_rows; i++) {
			const char *c = kt_dtable_get(d, i, kt_dtable_col(d, "context"));

			assert_true(strcmp(c, "softirq") == 0 || strcmp(c, "hardirq") == 0 ||
				    strcmp(c, "nmi") == 0 || strcmp(c, "task") == 0);
		}
	}
	kt_decode_tables_deinit(&t);
}

static int diag_count;

static void
count_diag(void *ud, enum kt_sev sev, const char *what, const char *msg)
{
	(void)ud;
	(void)sev;
	(void)msg;
	if (strcmp(what, "decode/taint.tsv") == 0)
		diag_count++;
}

/* --data DIR with a broken table: that table is empty (reported through the
 * diagnostics callback), the others come from the embedded copies, and the
 * stage still runs. */
static void
test_data_override(void **state)
{
	char dir[] = "/tmp/kt-decode-data-XXXXXX", path[128], cmd[160];
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_decode_tables t;
	struct kt_report *r;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	(void)snprintf(path, sizeof(path), "%s/decode", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	(void)snprintf(path, sizeof(path), "%s/decode/taint.tsv", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	(void)fputs("letter\tbit\nO\n", f);
	(void)fclose(f);
	kt_ctx_set_data_dir(ctx, dir);
	kt_ctx_set_diag(ctx, count_diag, NULL);
	assert_int_equal(kt_decode_tables_load(ctx, &t), KT_EFORMAT);
	assert_int_equal(diag_count, 1);
	assert_int_equal(t.taint.n_rows, 0);
	assert_true(t.pf_error.n_rows > 0);
	kt_decode_tables_deinit(&t);
	r = kt_report_new();
	r->kernel.tainted = "G   O";
	assert_int_equal(kt_decode_run(ctx, r, NULL), 0);
	assert_string_equal(r->kernel.taint.v[0].meaning,
			    "taint letter not in the mainline table (vendor-specific?)");
	kt_report_free(r);
	kt_ctx_free(ctx);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)system(cmd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_tables_load),
		cmocka_unit_test(test_taint_table),
		cmocka_unit_test(test_other_tables),
		cmocka_unit_test(test_data_override),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
