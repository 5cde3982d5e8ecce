/*
 * Unit tests: sign/nameset, the literal fast path of the name pattern lists
 * (skip lists, anchors). Its answer must equal the one of the PCRE2
 * alternation of all patterns, for crafted and for random names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parse/detect.h"
#include "sign/nameset.h"
#include "util/ctx.h"

static const char *const patterns[] = {
	"^ab$", "^a", "^abc", "^abcx", "^b_", "^ba", "xa$", "c_b", "bb", "x",
	"^crc[0-9]*", "^str[a-z]*$", "^_+kmalloc", "^ca|^cb|a_c$", "^(?:__x|_c)*b_ioctl$",
	"^core::", "kasan", "^do_trap",
};

static const char *const names[] = {
	"", "a", "ab", "abc", "abcx", "abd", "b", "b_", "ba", "bab", "cxa", "c_b", "zc_bz",
	"crc32", "strlen", "str2", "__kmalloc", "kmalloc", "__xb_ioctl", "b_ioctl",
	"core::fmt", "__kasan_report", "do_trap", "do_tra", "cab", "cb", "dda_c", "yyy",
};

/* The reference: all patterns as one alternation, as the loader used to. */
static struct kt_rx *
reference(struct kt_ctx *ctx, const char *const *pats, size_t n)
{
	char buf[2048] = "";
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(buf, "|");
		strcat(buf, "(?:");
		strcat(buf, pats[i]);
		strcat(buf, ")");
	}
	struct kt_rx *rx;
	assert_int_equal(kt_rx_new(ctx, n ? buf : "(?!)", 0, &rx), 0);
	return rx;
}

static struct kt_nameset *
build(struct kt_ctx *ctx, const char *const *pats, size_t n)
{
	struct kt_nameset *ns = kt_nameset_new();
	for (size_t i = 0; i < n; i++)
		kt_nameset_add(ns, kt_str_cstr(pats[i]));
	assert_int_equal(kt_nameset_build(ctx, ns), 0);
	assert_int_equal(kt_nameset_count(ns), n);
	return ns;
}

static void
check(const struct kt_nameset *ns, const struct kt_rx *rx, const char *name)
{
	bool want = kt_rx_match(rx, kt_str_cstr(name), 0, NULL, 0);
	if (kt_nameset_match(ns, name) != want)
		fail_msg("name '%s': want %d", name, want);
}

static void
test_crafted(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	size_t np = sizeof(patterns) / sizeof(patterns[0]);
	(void)state;
	struct kt_nameset *ns = build(ctx, patterns, np);
	struct kt_rx *rx = reference(ctx, patterns, np);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		check(ns, rx, names[i]);
	kt_nameset_free(ns);
	kt_rx_free(rx);
	kt_ctx_free(ctx);
}

static void
test_random(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	size_t np = sizeof(patterns) / sizeof(patterns[0]);
	static const char alphabet[] = "abcx_:0";
	uint32_t seed = 12345;
	(void)state;
	struct kt_nameset *ns = build(ctx, patterns, np);
	struct kt_rx *rx = reference(ctx, patterns, np);
	for (int k = 0; k < 20000; k++) {
		char name[12];
		seed = seed * 1103515245u + 12345u;
		size_t len = (seed >> 16) % 9;
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			name[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		name[len] = 0;
		check(ns, rx, name);
	}
	kt_nameset_free(ns);
	kt_rx_free(rx);
	kt_ctx_free(ctx);
}

static void
test_edges(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	(void)state;
	/* empty set: nothing matches */
	struct kt_nameset *ns = build(ctx, NULL, 0);
	assert_false(kt_nameset_match(ns, "a"));
	assert_false(kt_nameset_match(ns, ""));
	kt_nameset_free(ns);
	/* an empty alternative matches everything (as in PCRE2) */
	static const char *const empty_alt[] = { "a||b" };
	ns = build(ctx, empty_alt, 1);
	assert_true(kt_nameset_match(ns, "zzz"));
	kt_nameset_free(ns);
	/* a broken regex is an error */
	ns = kt_nameset_new();
	kt_nameset_add(ns, kt_str_cstr("a("));
	assert_int_not_equal(kt_nameset_build(ctx, ns), 0);
	kt_nameset_free(ns);
	kt_nameset_free(NULL);
	kt_ctx_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crafted),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
