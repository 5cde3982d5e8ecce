/* Unit tests: normalize/pstore, stitching multi-part pstore records
 * ("Oops#1 Part1" headers written by linux fs/pstore/platform.c
 * pstore_dump(); Part1 is the newest chunk). Inputs are written here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "normalize/pstore.h"

static void
stitched(struct kt_pstore *ps, char *out, size_t cap)
{
	struct kt_str l;
	uint32_t no;
	size_t n = 0;

	out[0] = '\0';
	while (kt_pstore_next(ps, &l, &no))
		n += (size_t)snprintf(out + n, cap - n, "%.*s|", (int)l.len, l.p);
}

static void
test_header(void **state)
{
	struct kt_str reason;
	uint64_t count, part;

	(void)state;
	assert_true(kt_pstore_header(kt_str_make("Panic#2 Part3", 13), &reason, &count, &part));
	assert_true(kt_str_eq_cstr(reason, "Panic"));
	assert_int_equal(count, 2);
	assert_int_equal(part, 3);
	assert_true(kt_pstore_header(kt_str_make("Oops#1 Part1\r", 13), NULL, NULL, NULL));
	assert_false(kt_pstore_header(kt_str_make("Oops#1 Part1 x", 14), NULL, NULL, NULL));
	assert_false(kt_pstore_header(kt_str_make("Oops: 0000 [#1] SMP", 19), NULL, NULL, NULL));
	assert_false(kt_pstore_header(kt_str_make("Panic#", 6), NULL, NULL, NULL));
}

/* Parts stored newest first (as /sys/fs/pstore lists them) come out oldest
 * first; a second record follows the first; a duplicate part is read once. */
static void
test_stitch_order(void **state)
{
	static const char dump[] = "Oops#1 Part1\nc3\nc4\nOops#1 Part3\na1\nOops#1 Part2\nb2\n"
				   "Panic#2 Part1\nz\nOops#1 Part2\nb2\n";
	struct kt_pstore *ps = kt_pstore_new();
	char out[256];

	(void)state;
	kt_pstore_add(ps, dump, sizeof(dump) - 1);
	assert_int_equal(kt_pstore_records(ps), 2);
	assert_false(kt_pstore_gaps(ps));
	stitched(ps, out, sizeof(out));
	assert_string_equal(out, "a1|b2|c3|c4|z|");
	kt_pstore_free(ps);
}

/* Files fed one by one, in any order; a missing part is a gap; lines
 * before any header stay in front. */
static void
test_files_and_gaps(void **state)
{
	struct kt_pstore *ps = kt_pstore_new();
	char out[256];

	(void)state;
	kt_pstore_add_line(ps, kt_str_make("boot line", 9), 1);
	kt_pstore_add(ps, "Panic#1 Part1\nnewest\n", 21);
	kt_pstore_add(ps, "Panic#1 Part3\noldest", 20);
	assert_true(kt_pstore_gaps(ps));
	stitched(ps, out, sizeof(out));
	assert_string_equal(out, "boot line|oldest|newest|");
	kt_pstore_free(ps);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_stitch_order),
		cmocka_unit_test(test_files_and_gaps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
