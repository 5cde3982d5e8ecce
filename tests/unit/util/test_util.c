/* Unit tests: util (arena, string views, number parsing, buffer, data). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/arena.h"
#include "util/data.h"
#include "util/str.h"

static void
test_arena_strings(void **state)
{
	struct kt_arena *a = kt_arena_new();
	char *s = kt_arena_strdup(a, "memcpy");
	char *t = kt_arena_printf(a, "%s+0x%x", s, 6);
	int *big = kt_arena_alloc(a, 1 << 20);

	(void)state;
	assert_string_equal(t, "memcpy+0x6");
	assert_int_equal(big[12345], 0);
	assert_true(kt_arena_used(a) >= (1u << 20));
	kt_arena_free(a);
	kt_arena_free(NULL);
}

static void
test_arena_push(void **state)
{
	struct kt_arena *a = kt_arena_new();
	int *v = NULL;
	size_t n = 0, cap = 0;

	(void)state;
	for (int i = 0; i < 1000; i++)
		*(int *)kt_arena_push(a, (void **)&v, &n, &cap, sizeof(int)) = i;
	assert_int_equal(n, 1000);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(v[i], i);
	kt_arena_free(a);
}

struct hex_case {
	const char *in;
	size_t used;
	uint64_t value;
};

static void
test_parse_hex(void **state)
{
	static const struct hex_case cases[] = {
		{ "ffff8801705505c0", 16, 0xffff8801705505c0ull },
		{ "0x5dc", 5, 0x5dc },
		{ "5C8 rest", 3, 0x5c8 },
		{ "zz", 0, 0 },
		{ "0x", 1, 0 },
		{ "ffffffffffffffffff", 18, UINT64_MAX },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 0;

		assert_int_equal(kt_parse_hex(kt_str_cstr(cases[i].in), &v), cases[i].used);
		if (cases[i].used)
			assert_true(v == cases[i].value);
	}
}

static void
test_str_views(void **state)
{
	struct kt_str s = kt_str_cstr("  Call Trace:  \r\n");

	(void)state;
	assert_true(kt_str_eq_cstr(kt_str_trim(s), "Call Trace:"));
	assert_int_equal(kt_str_find(s, "Trace"), 7);
	assert_int_equal(kt_str_find(s, "nope"), -1);
	assert_true(kt_str_starts_with(kt_str_ltrim(s), "Call"));
	assert_true(kt_str_eq_cstr(kt_str_sub(kt_str_cstr("abcdef"), 2, 3), "cde"));
	assert_true(kt_str_eq_cstr(kt_str_skip(kt_str_cstr("ab"), 9), ""));
}

static void
test_buf(void **state)
{
	struct kt_buf b;

	(void)state;
	kt_buf_init(&b);
	for (int i = 0; i < 100; i++)
		kt_buf_printf(&b, "%d,", i);
	assert_int_equal(b.len, 290);
	assert_memory_equal(b.p, "0,1,2,", 6);
	kt_buf_deinit(&b);
}

/* kt_memmem agrees with memmem on every position, length and alphabet
 * (a small alphabet makes partial matches and overlaps common). */
static void
test_memmem(void **state)
{
	char hay[300], needle[40];
	uint32_t seed = 12345;

	(void)state;
	for (int round = 0; round < 20000; round++) {
		size_t hl, nl;
		int alpha;

		seed = seed * 1103515245u + 12345u;
		hl = (seed >> 8) % sizeof(hay);
		seed = seed * 1103515245u + 12345u;
		nl = (seed >> 8) % 24;
		alpha = 2 + round % 3;
		for (size_t i = 0; i < hl; i++) {
			seed = seed * 1103515245u + 12345u;
			hay[i] = (char)('a' + (seed >> 16) % (uint32_t)alpha);
		}
		if (nl && hl >= nl && round % 2) {	/* plant the needle */
			seed = seed * 1103515245u + 12345u;
			memcpy(needle, hay + (seed >> 8) % (hl - nl + 1), nl);
		} else {
			for (size_t i = 0; i < nl; i++) {
				seed = seed * 1103515245u + 12345u;
				needle[i] = (char)('a' + (seed >> 16) % (uint32_t)alpha);
			}
		}
		assert_ptr_equal(kt_memmem(hay, hl, needle, nl), memmem(hay, hl, needle, nl));
	}
	assert_null(kt_memmem("abc", 3, "abcd", 4));
	assert_ptr_equal(kt_memmem(hay, 0, "", 0), hay);
}

static void
test_embedded_data_sorted(void **state)
{
	(void)state;
	for (size_t i = 1; i < kt_embedded_data_count; i++)
		assert_true(strcmp(kt_embedded_data[i - 1].path, kt_embedded_data[i].path) < 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena_strings),
		cmocka_unit_test(test_arena_push),
		cmocka_unit_test(test_parse_hex),
		cmocka_unit_test(test_str_views),
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_memmem),
		cmocka_unit_test(test_embedded_data_sorted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
