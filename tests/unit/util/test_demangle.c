/* Unit tests: Rust v0 demangling (util/demangle.h). The symbols are built
 * by hand from the grammar (rustc book, "v0 Symbol Format"); back-reference
 * offsets count from the byte after "_R". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/demangle.h"

static void
test_demangle(void **state)
{
	static const struct { const char *sym, *want; } ok[] = {
		{ "_RNvC7mycrate7example", "mycrate::example" },
		/* crate disambiguator (a hash) is not printed */
		{ "_RNvCs1234_7mycrate3foo", "mycrate::foo" },
		/* inherent impl, the type naming its crate by back-reference */
		{ "_RNvMC7mycrateNtB2_3Foo3bar", "<mycrate::Foo>::bar" },
		{ "_RNvMs3_NtCs1a_5mycr84modaNtB5_4Type6method", "<mycr8::moda::Type>::method" },
		/* trait impl and trait definition */
		{ "_RNvXC7mycrateNtB2_3FooNtB2_2Tr3run", "<mycrate::Foo as mycrate::Tr>::run" },
		{ "_RNvYNtC7mycrate3FooNtB4_2Tr3run", "<mycrate::Foo as mycrate::Tr>::run" },
		/* closures and shims */
		{ "_RNCNvC7mycrate4main0", "mycrate::main::{closure#0}" },
		{ "_RNCNvC7mycrate4mains_0", "mycrate::main::{closure#1}" },
		/* generic arguments: types, references, tuples, arrays, consts */
		{ "_RINvC7mycrate3fooReE", "mycrate::foo::<&str>" },
		{ "_RINvC7mycrate3fooNtB2_3FooE", "mycrate::foo::<mycrate::Foo>" },
		{ "_RINvC7mycrate3fooTlmEQShE", "mycrate::foo::<(i32, u32), &mut [u8]>" },
		{ "_RINvC7mycrate3fooAhj10_Kja_E", "mycrate::foo::<[u8; 16], 10>" },
		{ "_RINvC7mycrate3fooTEPyE", "mycrate::foo::<(), *const u64>" },
		{ "_RINvC7mycrate3fooTuEE", "mycrate::foo::<((),)>" },
		/* an instantiating-crate suffix is ignored */
		{ "_RNvC7mycrate3fooC4core", "mycrate::foo" },
	};
	static const char *const bad[] = {
		"", "_R", "_Z3foo", "foo", "_RNvC7mycrate",	/* truncated */
		"_RNvC7mycrate99x", "_RB_", "_RB0_", "_RNvC7mycrateFxx", "_RNvCu7mycrate3foo",
		"_RINvC7mycrate3foo", "_RNvMC7mycrateDxE3bar", "_RNvC2\xc3\xa9x3foo",
	};
	char out[128];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (!kt_rust_demangle(ok[i].sym, strlen(ok[i].sym), out, sizeof(out)))
			fail_msg("'%s' did not demangle", ok[i].sym);
		if (strcmp(out, ok[i].want) != 0)
			fail_msg("'%s' -> '%s', want '%s'", ok[i].sym, out, ok[i].want);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (kt_rust_demangle(bad[i], strlen(bad[i]), out, sizeof(out)))
			fail_msg("'%s' demangled to '%s'", bad[i], out);
	/* does not fit */
	assert_false(kt_rust_demangle("_RNvC7mycrate7example", 21, out, 8));
	/* deep nesting is refused, not a stack overflow */
	{
		char deep[4096];
		size_t n = 0;

		memcpy(deep, "_R", 2);
		n = 2;
		while (n < sizeof(deep) - 16)
			deep[n++] = 'I';
		deep[n] = '\0';
		assert_false(kt_rust_demangle(deep, n, out, sizeof(out)));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demangle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
