/* Unit tests: literal prefilters of regexes (util/prefilter.h).
 * A prefilter must never reject a text the regex matches; it should find
 * the selective literal where the syntax is understood, and give none
 * (always run the regex) where it is not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "util/prefilter.h"
#include "util/arena.h"
#include "util/data.h"

#include <ktriage/error.h>

/* The literals joined by " | " in order, "" when there is no prefilter. */
static const char *
lits_of(struct kt_arena *a, const char *pattern, char *buf, size_t size)
{
	struct kt_lit *v;
	size_t n = kt_prefilter_literals(pattern, a, &v), len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%.*s", i ? " | " : "",
					(int)v[i].len, v[i].s);
	return buf;
}

static void
test_literals(void **state)
{
	static const struct { const char *pattern, *want; } cases[] = {
		/* the longest run of a sequence */
		{ "(\\S+): dropped over-mtu packet: (\\d+) > (\\d+)", ": dropped over-mtu packet: " },
		{ "BUG: Bad page (state|map|cache) in process (\\S+)", "BUG: Bad page " },
		/* an alternation needs every branch */
		{ "invoked oom-killer|Out of memory: Kill(?:ed)? process",
		  "invoked oom-killer | Out of memory: Kill" },
		{ "foo|\\w+", "" },
		{ "abcdef|ab", "" },			/* a branch too short */
		/* a group's set when it beats the runs around it */
		{ "x(?:alpha|beta)y", "alpha | beta" },
		{ "(?:alpha|beta)?xyz", "xyz" },	/* optional group: not required */
		{ "(?:alpha|beta)*", "" },
		{ "(?:abcdef)+z", "abcdef" },
		/* quantified characters break the run */
		{ "abcd?efgh", "efgh" },
		{ "abcde*fg", "abcd" },
		{ "abc+defg", "defg" },
		{ "abcde{2}fg", "abcde" },
		{ "abcdefg{0,3}", "abcdef" },
		{ "list_(?:add|del) corruption\\.? *(.*)", " corruption" },
		/* escaped punctuation is literal, type escapes are not */
		{ "\\[Hardware Error\\]", "[Hardware Error]" },
		{ "kernel BUG at fs/ext4/", "kernel BUG at fs/ext4/" },
		{ "ab\\dcdef", "cdef" },
		{ "a.bcd[xyz]efgh", "efgh" },
		/* a branch reset group is a group; a lookaround requires nothing */
		{ "(?|NETDEV WATCHDOG: (\\S+)|(?=\\S+ (\\S+): x)(\\S+) NETDEV WATCHDOG: CPU:)",
		  "NETDEV WATCHDOG:  |  NETDEV WATCHDOG: CPU:" },
		{ "(?=abc)abcdef", "abcdef" },
		{ "(?!abcdefgh)xyzw", "xyzw" },
		{ "(?<=abcdefgh)xyzw", "xyzw" },
		{ "(?<!abcdefgh)xyzw", "xyzw" },
		{ "abcd(?=efghij)efg", "abcd" },
		{ "(?=ab|c)", "" },
		{ "(?=(?i)abcd)efgh", "" },		/* inner syntax must be understood */
		/* outside the understood subset: no prefilter */
		{ "(?i)hardware name: xen", "" },
		{ "(?<name>abc)defg", "" },
		{ "abc\\x41defg", "" },
		{ "abcd\\1", "" },
		{ "[[:alpha:]]abcd", "" },
		{ "\\Qabc\\E", "" },
		{ "abc{x}def", "" },
		{ "caf\xc3\xa9?s", "" },
		{ "abc)", "" },
		{ "(abc", "" },
		{ "[abc", "" },
		{ "ab", "" },
		{ "", "" },
	};
	struct kt_arena *a = kt_arena_new();
	char buf[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		lits_of(a, cases[i].pattern, buf, sizeof(buf));
		if (strcmp(buf, cases[i].want) != 0)
			fail_msg("pattern '%s': literals '%s', want '%s'", cases[i].pattern, buf,
				 cases[i].want);
	}
	kt_arena_free(a);
}

/* Never wrong: wherever PCRE2 matches, the prefilter passes. */
static void
check_subjects(struct kt_arena *a, const char *pattern, const char *const *subjects, size_t n)
{
	int err;
	PCRE2_SIZE off;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
					 PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_MULTILINE,
					 &err, &off, NULL);
	pcre2_match_data *md;
	struct kt_lit *v;
	size_t nl = kt_prefilter_literals(pattern, a, &v);

	assert_non_null(code);
	md = pcre2_match_data_create_from_pattern(code, NULL);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(subjects[i]);
		bool matches = pcre2_match(code, (PCRE2_SPTR)subjects[i], len, 0, 0, md, NULL) >= 0;

		if (matches && nl && !kt_prefilter_pass(v, nl, subjects[i], len))
			fail_msg("pattern '%s' matches '%s' but the prefilter rejects it", pattern,
				 subjects[i]);
	}
	pcre2_match_data_free(md);
	pcre2_code_free(code);
}

static void
test_never_wrong(void **state)
{
	static const char *const subjects[] = {
		"eth0: dropped over-mtu packet: 9014 > 1500",
		"BUG: Bad page state in process swapper/0  pfn:1234",
		"Out of memory: Killed process 123 (java)",
		"Out of memory: Kill process 123 (java)",
		"x: invoked oom-killer: gfp_mask=0x0",
		"xalphay", "xbetay", "xyz", "abcdefabcdefz", "abcefgh", "abcdddefgh",
		"abcdfg", "abcdeeeefg", "abccccdefg", "abcdeefg", "abcdef", "abcdefggg",
		"list_add corruption. next->prev should be prev",
		"list_del corruption, ffff8800 ",
		"[Hardware Error]: Machine check events logged",
		"kernel BUG at fs/ext4/inode.c:1234!",
		"ab7cdef", "aXbcdyefgh",
		"line one\nBUG: Bad page map in process x\nline three",
		"NETDEV WATCHDOG: eth0 (e1000): transmit queue 0 timed out",
		"host kern eth1: NETDEV WATCHDOG: CPU: 1: transmit queue 3 timed out",
		"abcdef", "xyzw", "abcdefghxyzw", "abcdefghij",
	};
	static const char *const patterns[] = {
		"(\\S+): dropped over-mtu packet: (\\d+) > (\\d+)",
		"BUG: Bad page (state|map|cache) in process (\\S+)",
		"invoked oom-killer|Out of memory: Kill(?:ed)? process",
		"x(?:alpha|beta)y", "(?:alpha|beta)?xyz", "(?:abcdef)+z", "abcd?efgh", "abcde*fg",
		"abc+defg", "abcde{2}fg", "abcdefg{0,3}", "list_(?:add|del) corruption\\.? *(.*)",
		"\\[Hardware Error\\]", "kernel BUG at fs/ext4/", "ab\\dcdef", "a.bcd[xyz]efgh",
		"^BUG: Bad page (?:state|map) in process \\S+$",
		"(?|NETDEV WATCHDOG: (\\S+) \\((\\S+)\\): transmit (?:queue \\d+ )?timed out|"
		"(?=\\S+ \\S+ (\\S+): NETDEV WATCHDOG: CPU:)(\\S+) \\S+ \\S+: NETDEV WATCHDOG: CPU: "
		"\\d+: transmit queue \\d+ timed out)",
		"(?=abc)abcdef", "(?!abcdefgh)xyzw", "(?<=abcdefgh)xyzw", "(?<!abcdefgh)xyzw",
		"abcd(?=efghij)efg",
	};
	struct kt_arena *a = kt_arena_new();

	(void)state;
	for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++)
		check_subjects(a, patterns[i], subjects, sizeof(subjects) / sizeof(subjects[0]));
	kt_arena_free(a);
}

static void
test_pass(void **state)
{
	struct kt_lit v[2] = { { "needle", 6 }, { "pin", 3 } };
	static const char hay[] = "a haystack with a pin in it";

	(void)state;
	assert_true(kt_prefilter_pass(v, 2, hay, sizeof(hay) - 1));
	assert_false(kt_prefilter_pass(v, 1, hay, sizeof(hay) - 1));
	assert_false(kt_prefilter_pass(v + 1, 1, hay, 18));	/* "pin" starts at 18 */
	assert_true(kt_prefilter_pass(v + 1, 1, hay, 21));
}

/* One scan finds exactly the literals memmem finds, with shared first
 * bigrams, literals that are prefixes of others, and matches at the end. */
static void
test_litset(void **state)
{
	static const char *const lits[] = { "abc", "abcd", "abd", "bca", "cab", "zz!", "ab",
					    "a\nb", "xyzzy" };
	struct kt_litset *s = kt_litset_new();
	size_t ids[sizeof(lits) / sizeof(lits[0])];
	char text[200];
	bool present[16];
	uint32_t seed = 7;

	(void)state;
	for (size_t i = 0; i < sizeof(lits) / sizeof(lits[0]); i++)
		ids[i] = kt_litset_add(s, lits[i], strlen(lits[i]));
	assert_int_equal(kt_litset_add(s, "abc", 3), ids[0]);	/* same literal, same index */
	assert_int_equal(kt_litset_count(s), sizeof(lits) / sizeof(lits[0]));
	for (int round = 0; round < 5000; round++) {
		size_t len;

		seed = seed * 1103515245u + 12345u;
		len = (seed >> 8) % sizeof(text);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			text[i] = "abcdz!\nxy"[(seed >> 16) % 10];
		}
		kt_litset_scan(s, text, len, present);
		for (size_t i = 0; i < sizeof(lits) / sizeof(lits[0]); i++)
			if (present[ids[i]] != (memmem(text, len, lits[i], strlen(lits[i])) != NULL))
				fail_msg("literal '%s' in '%.*s': scan says %d", lits[i], (int)len,
					 text, present[ids[i]]);
	}
	kt_litset_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_never_wrong),
		cmocka_unit_test(test_pass),
		cmocka_unit_test(test_litset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
