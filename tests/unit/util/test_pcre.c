/* Unit tests: how ktriage runs PCRE2 (util/pcre.h): the lazy JIT, results
 * that do not depend on the engine, threads sharing a pattern, per-thread
 * match data, and the build-time copies of the table regexes. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/ctx.h"
#include "util/pcre.h"

static bool
have_jit(void)
{
	uint32_t jit = 0;

	(void)pcre2_config(PCRE2_CONFIG_JIT, &jit);
	return jit != 0;
}

static struct kt_pcre *
make(const char *pat)
{
	struct kt_pcre *p = malloc(sizeof(*p));
	int err;
	PCRE2_SIZE off;

	assert_non_null(p);
	kt_pcre_init(p, kt_pcre_compile(NULL, pat, PCRE2_ZERO_TERMINATED, 0, &err, &off));
	assert_non_null(p->code);
	return p;
}

static void
drop(struct kt_pcre *p)
{
	kt_pcre_deinit(p);
	free(p);
}

/* A pattern runs in the interpreter until it has done enough work, then
 * JIT-compiled; the answers and captures stay the same. */
static void
test_lazy_jit(void **state)
{
	struct kt_pcre *p = make("port (\\d+) link (up|down)");
	const char *s = "e1000e: port 3 link down";
	pcre2_match_data *md = kt_pcre_scratch(3);
	(void)state;

	assert_int_equal(kt_pcre_match(p, s, strlen(s), 0, md, NULL), 3);
	assert_null(atomic_load(&p->jit));
	for (int i = 0; i < 2 * KT_PCRE_JIT_AFTER; i++) {
		PCRE2_SIZE *v;

		assert_int_equal(kt_pcre_match(p, s, strlen(s), 0, md, NULL), 3);
		v = pcre2_get_ovector_pointer(md);
		assert_int_equal(v[2], 13);
		assert_int_equal(v[4], 20);
		assert_int_equal(kt_pcre_match(p, "link up", 7, 0, md, NULL), PCRE2_ERROR_NOMATCH);
	}
	if (have_jit())
		assert_non_null(atomic_load(&p->jit));
	drop(p);
}

/* A long subject counts as much work as many short ones: the JIT comes at
 * once for a pattern the interpreter must try at every position. */
static void
test_jit_by_work(void **state)
{
	struct kt_pcre *p = make("(?=\\S+ x)\\S+ x!");
	char big[8192];
	pcre2_match_data *md = kt_pcre_scratch(1);
	(void)state;

	memset(big, 'a', sizeof(big));
	assert_int_equal(kt_pcre_match(p, big, sizeof(big), 0, md, NULL), PCRE2_ERROR_NOMATCH);
	if (have_jit())
		assert_non_null(atomic_load(&p->jit));
	drop(p);
}

/* A match that stops at a backtracking limit gives the same answer before
 * and after the JIT copy exists (here: the limit in both engines). */
static void
test_limit_same_answer(void **state)
{
	struct kt_pcre *p = make("(a+)+$");
	pcre2_match_context *mc = pcre2_match_context_create(NULL);
	const char *s = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab!";
	pcre2_match_data *md = kt_pcre_scratch(2);
	int first;
	(void)state;

	(void)pcre2_set_match_limit(mc, 1000);
	first = kt_pcre_match(p, s, strlen(s), 0, md, mc);
	assert_true(first < 0);
	for (int i = 0; i < 4 * KT_PCRE_JIT_AFTER; i++)
		assert_int_equal(kt_pcre_match(p, s, strlen(s), 0, md, mc), first);
	assert_int_equal(kt_pcre_match(p, "aaa", 3, 0, md, mc), 2);
	pcre2_match_context_free(mc);
	drop(p);
}

struct job {
	struct kt_pcre *p;
	int bad;
};

static void *
hammer(void *arg)
{
	struct job *j = arg;
	char s[64];

	for (int i = 0; i < 3000; i++) {
		int n = snprintf(s, sizeof(s), "CPU: %d PID: %d at x", i % 64, i);
		pcre2_match_data *md = kt_pcre_scratch(3);
		PCRE2_SIZE *v;

		if (kt_pcre_match(j->p, s, (size_t)n, 0, md, NULL) != 3) {
			j->bad++;
			continue;
		}
		v = pcre2_get_ovector_pointer(md);
		if (strtol(s + v[2], NULL, 10) != i % 64 || strtol(s + v[4], NULL, 10) != i)
			j->bad++;
	}
	return NULL;
}

/* Threads share one pattern (and its JIT copy, made while they run); each
 * has its own match data. */
static void
test_threads(void **state)
{
	struct kt_pcre *p = make("CPU: (\\d+) PID: (\\d+)");
	pthread_t t[4];
	struct job j[4];
	(void)state;

	for (int i = 0; i < 4; i++) {
		j[i] = (struct job){ p, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, hammer, &j[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(j[i].bad, 0);
	}
	drop(p);
}

static void
test_scratch_grows(void **state)
{
	(void)state;
	assert_true(pcre2_get_ovector_count(kt_pcre_scratch(1)) >= 1);
	assert_true(pcre2_get_ovector_count(kt_pcre_scratch(100)) >= 100);
	assert_true(pcre2_get_ovector_count(kt_pcre_scratch(2)) >= 100);
}

/* The build's copies are what pcre2_compile() gives now, byte for byte
 * (same PCRE2 at build and test time), and are found by pattern and flags. */
static void
test_baked_equal_compiled(void **state)
{
	const struct kt_pcre_bake *b = &kt_pcre_baked_regexes;
	(void)state;

	assert_true(b->n > 200);	/* headers, titles, rules, story */
	for (size_t i = 0; i < b->n; i++) {
		const struct kt_pcre_baked *e = &b->v[i];
		int err;
		PCRE2_SIZE off, n;
		pcre2_code *fresh = pcre2_compile((PCRE2_SPTR)e->pat, e->len, e->flags, &err, &off,
						  NULL);
		const pcre2_code *c = fresh;
		uint8_t *bytes;

		if (i)
			assert_true(e[-1].len < e->len ||
				    (e[-1].len == e->len && memcmp(e[-1].pat, e->pat, e->len) <= 0));
		assert_non_null(fresh);
		assert_int_equal(pcre2_serialize_encode(&c, 1, &bytes, &n, NULL), 1);
		assert_int_equal(n, b->prefix_len + e->size);
		assert_memory_equal(bytes, b->prefix, b->prefix_len);
		assert_memory_equal(bytes + b->prefix_len, b->codes + e->off, e->size);
		pcre2_serialize_free(bytes);
		pcre2_code_free(fresh);
	}
}

/* kt_pcre_compile_with(): a baked pattern decodes; another pattern, other
 * flags or a build of another PCRE2 (a damaged header) compile. */
static void
test_compile_with(void **state)
{
	const char *pat = "Oops: (\\w+)";
	int err;
	PCRE2_SIZE off, n, size = 0;
	pcre2_code *fresh = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &err, &off,
					  NULL);
	const pcre2_code *c = fresh;
	uint8_t *bytes;
	unsigned char prefix[4096];
	struct kt_pcre_baked e;
	struct kt_pcre_bake b;
	pcre2_code *got;
	(void)state;

	assert_int_equal(pcre2_serialize_encode(&c, 1, &bytes, &n, NULL), 1);
	assert_int_equal(pcre2_pattern_info(fresh, PCRE2_INFO_SIZE, &size), 0);
	assert_true(n - size <= sizeof(prefix));
	memcpy(prefix, bytes, n - size);
	e = (struct kt_pcre_baked){ pat, (uint32_t)strlen(pat), 0, 0, (uint32_t)size };
	b = (struct kt_pcre_bake){ prefix, n - size, bytes + (n - size), &e, 1 };

	got = kt_pcre_compile_with(&b, pat, PCRE2_ZERO_TERMINATED, 0, &err, &off);
	assert_non_null(got);
	assert_int_equal(pcre2_pattern_info(got, PCRE2_INFO_CAPTURECOUNT, &size), 0);
	assert_int_equal(size, 1);
	pcre2_code_free(got);
	got = kt_pcre_compile_with(&b, pat, PCRE2_ZERO_TERMINATED, PCRE2_CASELESS, &err, &off);
	assert_non_null(got);	/* other flags: compiled */
	pcre2_code_free(got);
	prefix[4] ^= 0xff;	/* the version word: decode refuses, compile instead */
	got = kt_pcre_compile_with(&b, pat, PCRE2_ZERO_TERMINATED, 0, &err, &off);
	assert_non_null(got);
	pcre2_code_free(got);
	assert_null(kt_pcre_compile_with(&b, "(", PCRE2_ZERO_TERMINATED, 0, &err, &off));
	pcre2_serialize_free(bytes);
	pcre2_code_free(fresh);
}


/* The JIT copy of a decoded (baked) pattern has character tables of its
 * own: decoded tables carry a reference count that pcre2_code_copy()
 * changes without a lock, and threads racing to JIT one pattern lost
 * counts (the tables were freed early and written after the free).
 * Counted through the pattern's own allocator: making the copy allocates
 * its tables too, and after threads race on one fresh pattern, freeing it
 * returns every block exactly once. */
static int live_blocks;

static void *
count_malloc(size_t n, void *ud)
{
	(void)ud;
	__atomic_add_fetch(&live_blocks, 1, __ATOMIC_RELAXED);
	return malloc(n);
}

static void
count_free(void *p, void *ud)
{
	(void)ud;
	if (p)
		__atomic_sub_fetch(&live_blocks, 1, __ATOMIC_RELAXED);
	free(p);
}

static int
live(void)
{
	return __atomic_load_n(&live_blocks, __ATOMIC_RELAXED);
}

static pcre2_code *
decode_one(pcre2_general_context *gc, const char *pat)
{
	int err;
	PCRE2_SIZE off, n;
	pcre2_code *fresh = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &err, &off,
					  NULL);
	const pcre2_code *c = fresh;
	uint8_t *bytes;
	pcre2_code *code;

	assert_non_null(fresh);
	assert_int_equal(pcre2_serialize_encode(&c, 1, &bytes, &n, NULL), 1);
	assert_int_equal(pcre2_serialize_decode(&code, 1, bytes, gc), 1);
	pcre2_serialize_free(bytes);
	pcre2_code_free(fresh);
	return code;
}

static void *
race(void *arg)
{
	struct job *j = arg;
	size_t n = 70000;	/* one call is enough work to JIT */
	char *big = malloc(n);
	pcre2_match_data *md = kt_pcre_scratch(3);

	if (!big) {
		j->bad++;
		return NULL;
	}
	memset(big, 'x', n);
	if (kt_pcre_match(j->p, big, n, 0, md, NULL) != PCRE2_ERROR_NOMATCH)
		j->bad++;
	free(big);
	return NULL;
}

static void
test_jit_copy_own_tables(void **state)
{
	pcre2_general_context *gc = pcre2_general_context_create(count_malloc, count_free, NULL);
	const char *pat = "CPU: (\\d+) PID: (\\d+)";
	pcre2_code *a, *b;
	int base = live(), one, copy;	/* the context itself is one block */
	(void)state;

	assert_non_null(gc);
	if (!have_jit())
		skip();
	/* what pcre2_code_copy_with_tables() allocates, JIT included */
	a = decode_one(gc, pat);
	one = live();
	b = pcre2_code_copy_with_tables(a);
	assert_int_equal(pcre2_jit_compile(b, PCRE2_JIT_COMPLETE), 0);
	copy = live() - one;
	pcre2_code_free(b);
	pcre2_code_free(a);
	assert_int_equal(live(), base);
	for (int round = 0; round < 50; round++) {
		struct kt_pcre p;
		pthread_t t[4];
		struct job j[4];

		kt_pcre_init(&p, decode_one(gc, pat));
		assert_int_equal(live(), one);
		for (int i = 0; i < 4; i++) {
			j[i] = (struct job){ &p, 0 };
			assert_int_equal(pthread_create(&t[i], NULL, race, &j[i]), 0);
		}
		for (int i = 0; i < 4; i++) {
			pthread_join(t[i], NULL);
			assert_int_equal(j[i].bad, 0);
		}
		assert_non_null(atomic_load(&p.jit));
		assert_int_equal(live(), one + copy);	/* the losers' copies are gone */
		kt_pcre_deinit(&p);
		assert_int_equal(live(), base);
	}
	pcre2_general_context_free(gc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lazy_jit),
		cmocka_unit_test(test_jit_by_work),
		cmocka_unit_test(test_limit_same_answer),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_scratch_grows),
		cmocka_unit_test(test_baked_equal_compiled),
		cmocka_unit_test(test_compile_with),
		cmocka_unit_test(test_jit_copy_own_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
