/* Unit tests: libraries opened on first call (util/lazylib.h). The first
 * call through a trampoline loads its library and reaches the real function
 * with every argument intact (Vectorscan's hs_compile_lit_multi takes eight,
 * two on the stack); a library or function that is missing is an error
 * that names it, and stores nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <capstone/capstone.h>
#include <hs/hs.h>

#include "util/lazylib.h"

#include <ktriage/error.h>

static int
on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
	 void *ctx)
{
	(void)from;
	(void)flags;
	*(unsigned long long *)ctx = to * 100 + id;
	return 0;
}

/* Vectorscan: first call has 8 arguments (6 in registers, 2 on the stack). */
static void
first_call_loads_vectorscan(void **state)
{
	const char *lits[] = { "Oops", "BUG:" };
	unsigned flags[] = { 0, 0 }, ids[] = { 7, 9 };
	size_t lens[] = { 4, 4 };
	hs_database_t *db = NULL;
	hs_compile_error_t *err = NULL;
	hs_scratch_t *scratch = NULL;
	unsigned long long hit = 0;
	const char text[] = "kernel: BUG: unable to handle";

	(void)state;
	assert_int_equal(kt_lazylib_loaded("hs"), 0);
	assert_int_equal(hs_compile_lit_multi(lits, flags, ids, lens, 2, HS_MODE_BLOCK, NULL,
					      &db, &err), HS_SUCCESS);
	assert_int_equal(kt_lazylib_loaded("hs"), 1);
	assert_int_equal(hs_alloc_scratch(db, &scratch), HS_SUCCESS);
	assert_int_equal(hs_scan(db, text, (unsigned)strlen(text), 0, scratch, on_match, &hit),
			 HS_SUCCESS);
	assert_int_equal(hit, 12 * 100 + 9);	/* "BUG:" ends at 12, id 9 */
	hs_free_scratch(scratch);
	hs_free_database(db);
}

/* Capstone through kt_lazylib_require(), then its functions. */
static void
require_then_call_capstone(void **state)
{
	static const uint8_t code[] = { 0x48, 0x89, 0xe5 };	/* mov rbp, rsp */
	csh h;
	cs_insn *insn;
	size_t n;

	(void)state;
	assert_int_equal(kt_lazylib_loaded("capstone"), 0);
	assert_int_equal(kt_lazylib_require("capstone"), 0);
	assert_int_equal(kt_lazylib_loaded("capstone"), 1);
	assert_int_equal(kt_lazylib_require("capstone"), 0);	/* again: a no-op */
	assert_int_equal(cs_open(CS_ARCH_X86, CS_MODE_64, &h), CS_ERR_OK);
	n = cs_disasm(h, code, sizeof(code), 0x1000, 0, &insn);
	assert_int_equal(n, 1);
	assert_string_equal(insn[0].mnemonic, "mov");
	assert_string_equal(insn[0].op_str, "rbp, rsp");
	cs_free(insn, n);
	cs_close(&h);
}

static void
unknown_name_is_einval(void **state)
{
	(void)state;
	assert_int_equal(kt_lazylib_require("no-such-library"), KT_EINVAL);
	assert_int_equal(kt_lazylib_loaded("no-such-library"), 0);
}

static void
missing_library_names_it(void **state)
{
	static const char *const syms[] = { "fn" };
	const struct kt_lazylib lib = { "ktmissing", "libktriage-missing.so.0", syms, 0, 1 };
	void *slots[1] = { NULL };
	char why[512];

	(void)state;
	assert_int_equal(kt_lazylib_bind(&lib, slots, why, sizeof(why)), KT_ENOTFOUND);
	assert_non_null(strstr(why, "libktriage-missing.so.0"));
	assert_null(slots[0]);
}

static void
missing_function_names_it_and_stores_nothing(void **state)
{
	static const char *const syms[] = { "zlibVersion", "kt_no_such_function" };
	const struct kt_lazylib lib = { "z", "libz.so.1", syms, 0, 2 };
	void *slots[2] = { NULL, NULL };
	char why[512];

	(void)state;
	assert_int_equal(kt_lazylib_bind(&lib, slots, why, sizeof(why)), KT_ENOTFOUND);
	assert_non_null(strstr(why, "libz.so.1 has no function kt_no_such_function"));
	assert_null(slots[0]);
	assert_null(slots[1]);
}

static void
bind_fills_the_slots(void **state)
{
	static const char *const syms[] = { "zlibVersion" };
	const struct kt_lazylib lib = { "z", "libz.so.1", syms, 0, 1 };
	void *slots[1] = { NULL };
	char why[512];
	const char *(*version)(void);

	(void)state;
	assert_int_equal(kt_lazylib_bind(&lib, slots, why, sizeof(why)), 0);
	assert_non_null(slots[0]);
	*(void **)&version = slots[0];
	assert_int_equal(version()[0], '1');	/* zlib 1.x */
}

/* The generated table: every library has a SONAME with a major version and
 * its functions own consecutive slots. */
static void
table_is_consistent(void **state)
{
	size_t next = 0;

	(void)state;
	assert_true(kt_lazylib_count >= 10);
	for (size_t i = 0; i < kt_lazylib_count; i++) {
		const struct kt_lazylib *l = &kt_lazylibs[i];

		assert_int_equal(l->first, next);
		assert_true(l->n > 0);
		assert_non_null(strstr(l->soname, ".so."));
		next += l->n;
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_is_consistent),
		cmocka_unit_test(first_call_loads_vectorscan),
		cmocka_unit_test(require_then_call_capstone),
		cmocka_unit_test(unknown_name_is_einval),
		cmocka_unit_test(missing_library_names_it),
		cmocka_unit_test(missing_function_names_it_and_stores_nothing),
		cmocka_unit_test(bind_fills_the_slots),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
