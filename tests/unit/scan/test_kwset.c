/*
 * Unit tests of scan/kwset: keyword search per engine (table of texts, and
 * random texts checked against the naive engine), newline counting and the
 * joining-control scan, at every alignment the SIMD loops care about.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ktriage/error.h>

#include "scan/kwset.h"

static const char *const keywords[] = {
	"BUG:", "WARNING:", "INFO:", "Kernel panic", "general protection fault",
	"kernel BUG", "invalid opcode:", "Unable to handle kernel", "int3:",
	"Panic on CPU", ") crashed on cpu#", "*** DOUBLE FAULT ***", "Assertion '",
	"UBSAN:", "Watchdog detected hard LOCKUP", "list_del corruption",
};
#define N_KW (sizeof(keywords) / sizeof(keywords[0]))

static const enum kt_kwset_engine engines[] = {
	KT_KWSET_TEDDY, KT_KWSET_VECTORSCAN, KT_KWSET_NAIVE,
};

struct find_row {
	const char *text;
	long line;	/* 0-based line index of the expected hit, -1 for none */
};

static const struct find_row find_rows[] = {
	{ "", -1 },
	{ "BUG:", 0 },
	{ "BUG", -1 },
	{ "xBUG:", 0 },
	{ "hello world\nnothing here\n", -1 },
	{ "[    1.0] ok\n[    2.0] BUG: unable to handle\n", 1 },
	{ "a\nb\nc\nKernel panic - not syncing: x\nBUG: y\n", 3 },
	{ "BUG:\nBUG:\n", 0 },
	{ "INFO: task hung\n", 0 },
	{ "info: task hung\nWARNING\n", -1 },
	{ "(XEN) Panic on CPU 3:\n", 0 },
	{ "(XEN) Domain 11 (vcpu#1) crashed on cpu#0:\n", 0 },
	{ "line one is long enough to cross the thirty-two byte vector width general "
	  "protection fault: 0000\n", 0 },
	{ "partial keyword at the very end: Kernel pani", -1 },
	{ "x\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n*** DOUBLE FAULT ***", 34 },
	{ "UBSAN UBSA UBSAN- UBSAN:", 0 },
	{ "Assertion 'x' failed\n", 0 },
	{ "bytes \x80\xff\x01 then int3: trap\n", 0 },
	/* 0xc2 & 0x7f is 'B': the whole-byte tables fold bytes >= 0x80 onto
	 * their low 7 bits, so this passes the filter and must be rejected. */
	{ "high bytes over the 64-byte round of the AVX-512 loop ........ \xc2" "UG: "
	  "\xc9NFO: \xd5" "BSAN: \xc2UG\n then BUG: here\n", 1 },
	{ "a keyword that straddles the 64-byte round ..................WARNING: x\n", 0 },
};

/* Every SIMD level of Teddy this CPU runs (KT_KWSET_ISA_*), best first;
 * the tests below run each engine at each. */
static int isa_level;

static struct kt_kwset *
make_set(enum kt_kwset_engine e)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_kwset *s = NULL;
	int r = kt_kwset_new(ctx, keywords, N_KW, e, &s);

	kt_ctx_free(ctx);
	if (r == KT_EUNSUPPORTED)
		return NULL;
	assert_int_equal(r, 0);
	if (e == KT_KWSET_TEDDY && kt_kwset_set_isa(s, isa_level) != isa_level) {
		kt_kwset_free(s);	/* this CPU does not run that level */
		return NULL;
	}
	return s;
}

static long
line_of(const char *p, size_t off)
{
	long n = 0;
	for (size_t i = 0; i < off; i++)
		n += p[i] == '\n';
	return n;
}

static bool
is_keyword_at(const char *p, size_t len, size_t off)
{
	for (size_t k = 0; k < N_KW; k++) {
		size_t l = strlen(keywords[k]);
		if (off + l <= len && memcmp(p + off, keywords[k], l) == 0)
			return true;
	}
	return false;
}

static void
check_find(struct kt_kwset *s, const char *p, size_t len, long want_line)
{
	size_t off = 0, first = len;

	for (size_t i = 0; i < len; i++)
		if (is_keyword_at(p, len, i)) {
			first = i;
			break;
		}
	bool found = kt_kwset_find(s, p, len, &off, NULL);

	if (want_line < 0) {
		assert_false(found);
		return;
	}
	assert_true(found);
	assert_true(is_keyword_at(p, len, off));
	if (kt_kwset_engine(s) != KT_KWSET_TEDDY)
		assert_int_equal(off, first);
	assert_int_equal(line_of(p, off), want_line);
}

static void
test_find_table(void **state)
{
	(void)state;
	for (size_t e = 0; e < sizeof(engines) / sizeof(engines[0]); e++) {
		struct kt_kwset *s = make_set(engines[e]);
		if (!s)
			continue;
		for (size_t i = 0; i < sizeof(find_rows) / sizeof(find_rows[0]); i++) {
			/* At several alignments: copy after a prefix of no keyword. */
			for (size_t pad = 0; pad < 40; pad += 13) {
				size_t n = strlen(find_rows[i].text);
				char *buf = malloc(pad + n + 1);
				memset(buf, 'z', pad);
				memcpy(buf + pad, find_rows[i].text, n);
				check_find(s, buf + pad, n, find_rows[i].line);
				free(buf);
			}
		}
		kt_kwset_free(s);
	}
}

/* A match must lie wholly inside the range: no reading past len. */
static void
test_find_bounds(void **state)
{
	(void)state;
	for (size_t e = 0; e < sizeof(engines) / sizeof(engines[0]); e++) {
		struct kt_kwset *s = make_set(engines[e]);
		size_t off;
		if (!s)
			continue;
		const char *t = "padding padding padding padding padding WARNING:";
		size_t n = strlen(t);
		for (size_t cut = 0; cut < n; cut++) {
			bool found = kt_kwset_find(s, t, cut, &off, NULL);
			assert_int_equal(found, cut == n);
		}
		assert_true(kt_kwset_find(s, t, n, &off, NULL));
		assert_int_equal(off, n - strlen("WARNING:"));
		kt_kwset_free(s);
	}
}

static uint64_t rng = 88172645463325252ull;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Random log-like text with keywords, pieces of keywords and newlines;
 * every engine must agree with the naive one on the line of the hit. */
static void
test_find_random(void **state)
{
	(void)state;
	struct kt_kwset *naive = make_set(KT_KWSET_NAIVE);
	static const char alphabet[] = "abcdefghijklmnop ACGIKNUW:_#*'()[]0123456789.\n";

	for (size_t e = 0; e < sizeof(engines) / sizeof(engines[0]); e++) {
		struct kt_kwset *s = make_set(engines[e]);
		if (!s)
			continue;
		for (int iter = 0; iter < 3000; iter++) {
			char buf[600];
			size_t n = 1 + rnd(sizeof(buf) - 1), i = 0;
			while (i < n) {
				if (rnd(60) == 0) {
					const char *k = keywords[rnd(N_KW)];
					size_t l = strlen(k);
					if (rnd(2))
						l = 1 + rnd((unsigned)l);	/* a piece */
					for (size_t j = 0; j < l && i < n; j++)
						buf[i++] = k[j];
				} else {
					buf[i++] = alphabet[rnd(sizeof(alphabet) - 1)];
				}
			}
			size_t o1 = 0, o2 = 0;
			bool f1 = kt_kwset_find(naive, buf, n, &o1, NULL);
			bool f2 = kt_kwset_find(s, buf, n, &o2, NULL);
			assert_int_equal(f1, f2);
			if (f1) {
				assert_true(is_keyword_at(buf, n, o2));
				assert_int_equal(line_of(buf, o1), line_of(buf, o2));
			}
		}
		kt_kwset_free(s);
	}
	kt_kwset_free(naive);
}

/* Text made of pieces of the keywords (so some window of each is common)
 * with a whole keyword on rare lines: Teddy re-plans its windows while
 * searching; every hit must still be in the line the naive engine finds. */
static void
test_find_adapt(void **state)
{
	(void)state;
	struct kt_kwset *naive = make_set(KT_KWSET_NAIVE);
	struct kt_kwset *s = make_set(KT_KWSET_TEDDY);
	size_t n = (size_t)3 << 20, i = 0, at = 0, hits = 0;
	char *buf;

	if (!s) {
		kt_kwset_free(naive);
		return;
	}
	buf = malloc(n);
	while (i < n) {
		const char *k = keywords[rnd(N_KW)];
		size_t l = strlen(k), o, m;
		if (rnd(4000) == 0) {
			o = 0, m = l;			/* the whole keyword */
		} else {
			m = l > 5 ? 5 : l - 1;		/* a piece of it */
			o = rnd((unsigned)(l - m + 1));
			if (m == 0)
				continue;
		}
		for (size_t j = 0; j < m && i < n; j++)
			buf[i++] = k[o + j];
		if (i < n)
			buf[i++] = rnd(12) == 0 ? '\n' : ' ';
	}
	while (at < n) {
		size_t o1 = 0, o2 = 0;
		bool f1 = kt_kwset_find(naive, buf + at, n - at, &o1, NULL);
		bool f2 = kt_kwset_find(s, buf + at, n - at, &o2, NULL);
		assert_int_equal(f1, f2);
		if (!f1)
			break;
		assert_true(is_keyword_at(buf + at, n - at, o2));
		assert_int_equal(line_of(buf + at, o1), line_of(buf + at, o2));
		const char *nl = memchr(buf + at + o1, '\n', n - at - o1);
		at = nl ? (size_t)(nl - buf) + 1 : n;
		hits++;
	}
	assert_true(hits > 100);
	assert_true(kt_kwset_replans(s) > 0);
	free(buf);
	kt_kwset_free(s);
	kt_kwset_free(naive);
}

/* Many keywords (many per bucket, short ones among them): every level
 * agrees with the naive engine on the line of the first hit. */
static void
test_many_keywords(void **state)
{
	(void)state;
	enum { NK = 1500 };
	static char store[NK][24];
	const char *kw[NK];
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz :[]_ABCXYZ0123";
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_kwset *s = NULL, *naive = NULL;

	for (size_t k = 0; k < NK; k++) {
		size_t l = 1 + rnd(k % 7 == 0 ? 3 : 20);
		for (size_t j = 0; j < l; j++)
			store[k][j] = alphabet[rnd(sizeof(alphabet) - 1)];
		store[k][l] = 0;
		kw[k] = store[k];
	}
	/* drop the one- and two-byte keywords but a few: they would hit
	 * everywhere */
	for (size_t k = 0; k < NK; k++)
		if (strlen(kw[k]) < 3 && k % 50 != 0)
			memcpy(store[k] + strlen(store[k]), "Qq", 3);
	assert_int_equal(kt_kwset_new(ctx, kw, NK, KT_KWSET_TEDDY, &s), 0);
	assert_int_equal(kt_kwset_new(ctx, kw, NK, KT_KWSET_NAIVE, &naive), 0);
	if (kt_kwset_set_isa(s, isa_level) == isa_level) {
		for (int iter = 0; iter < 200; iter++) {
			char buf[700];
			size_t n = 1 + rnd(sizeof(buf) - 1);
			for (size_t i = 0; i < n; i++)
				buf[i] = rnd(30) == 0 ? '\n' : alphabet[rnd(sizeof(alphabet) - 1)];
			size_t o1 = 0, o2 = 0, l1 = 0, l2 = 0;
			bool f1 = kt_kwset_find(naive, buf, n, &o1, &l1);
			bool f2 = kt_kwset_find(s, buf, n, &o2, &l2);
			assert_int_equal(f1, f2);
			if (f1) {
				assert_int_equal(line_of(buf, o1), line_of(buf, o2));
				assert_true(o2 + l2 <= n);
				bool is_kw = false;
				for (size_t k = 0; k < NK && !is_kw; k++)
					is_kw = strlen(kw[k]) == l2 && memcmp(buf + o2, kw[k], l2) == 0;
				assert_true(is_kw);
			}
		}
	}
	kt_kwset_free(s);
	kt_kwset_free(naive);
	kt_ctx_free(ctx);
}

static void
test_bad_keywords(void **state)
{
	(void)state;
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_kwset *s = NULL;
	const char *empty[] = { "" };
	const char *nl[] = { "a\nb" };
	const char *shortk[] = { "ab", "x" };
	size_t off;

	assert_int_equal(kt_kwset_new(ctx, empty, 1, KT_KWSET_TEDDY, &s), KT_EINVAL);
	assert_int_equal(kt_kwset_new(ctx, nl, 1, KT_KWSET_TEDDY, &s), KT_EINVAL);
	assert_int_equal(kt_kwset_new(ctx, shortk, 0, KT_KWSET_TEDDY, &s), KT_EINVAL);
	/* Keywords shorter than the fingerprint still work. */
	assert_int_equal(kt_kwset_new(ctx, shortk, 2, KT_KWSET_TEDDY, &s), 0);
	const char *z = "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzab";
	assert_true(kt_kwset_find(s, z, strlen(z), &off, NULL));
	assert_int_equal(off, strlen(z) - 2);
	(void)kt_kwset_set_isa(s, isa_level);
	/* Past the 64-byte rounds of the AVX-512 loop, and inside one. */
	char longz[300];
	memset(longz, 'z', sizeof(longz));
	memcpy(longz + 150, "ab", 2);
	assert_true(kt_kwset_find(s, longz, sizeof(longz), &off, NULL));
	assert_int_equal(off, 150);
	longz[150] = 'q';
	assert_false(kt_kwset_find(s, longz, sizeof(longz), &off, NULL));
	longz[263] = 'x';
	assert_true(kt_kwset_find(s, longz, sizeof(longz), &off, NULL));
	assert_int_equal(off, 263);
	assert_true(kt_kwset_find(s, "qqx", 3, &off, NULL));
	assert_int_equal(off, 2);
	assert_false(kt_kwset_find(s, "qqq", 3, &off, NULL));
	kt_kwset_free(s);
	assert_int_equal(kt_kwset_engine_from_name("teddy"), KT_KWSET_TEDDY);
	assert_int_equal(kt_kwset_engine_from_name("nope"), KT_KWSET_ENGINE_COUNT);
	assert_string_equal(kt_kwset_engine_name(KT_KWSET_NAIVE), "naive");
	kt_ctx_free(ctx);
}

static void
test_newlines(void **state)
{
	(void)state;
	char buf[3000];

	for (int iter = 0; iter < 500; iter++) {
		size_t n = rnd(sizeof(buf)), start = rnd(64);
		uint64_t want = 0;
		if (start > n)
			start = n;
		for (size_t i = 0; i < n; i++) {
			unsigned r = rnd(10);
			buf[i] = r == 0 ? '\n' : r == 1 ? '\r' : r == 2 ? (char)0xff : 'a';
		}
		for (size_t i = start; i < n; i++)
			want += buf[i] == '\n';
		assert_int_equal(kt_count_newlines(buf + start, n - start), want);
		assert_int_equal(kt_count_newlines_isa(isa_level, buf + start, n - start), want);
	}
	/* More than 255 rounds of 32 bytes of newlines (counter overflow). */
	memset(buf, '\n', sizeof(buf));
	assert_int_equal(kt_count_newlines(buf, sizeof(buf)), sizeof(buf));
	assert_int_equal(kt_count_newlines_isa(isa_level, buf, sizeof(buf)), sizeof(buf));
}

struct span_row {
	const char *text;
	size_t len;
	size_t stop;		/* offset of the first joining control, or len */
	uint64_t newlines;	/* before it */
};

#define ROW(s, stop, nl) { s, sizeof(s) - 1, stop, nl }
static const struct span_row span_rows[] = {
	ROW("", 0, 0),
	ROW("plain\ttext\r\nwith CRLF\r\n", 23, 2),
	ROW("a\x1b[31mred", 1, 0),
	ROW("line\nBU\0G: x\n", 7, 1),
	ROW("\x7f", 0, 0),
	ROW("x\n\x01" "4 soh level\n", 2, 1),
	ROW("utf-8 \xc3\xa9 and invalid \xff bytes are not controls\n", 46, 1),
	ROW("0123456789012345678901234567890123456789012345678901234567890123456789\n\x0b", 71, 1),
	ROW("0123456789012345678901234567890123456789012345678901234567890123456789\n", 71, 1),
};

static void
test_span_scan(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(span_rows) / sizeof(span_rows[0]); i++) {
		const struct span_row *r = &span_rows[i];
		uint64_t nl = 99;
		assert_int_equal(kt_span_scan(r->text, r->len, &nl), r->stop);
		assert_int_equal(nl, r->newlines);
		nl = 99;
		assert_int_equal(kt_span_scan_isa(isa_level, r->text, r->len, &nl), r->stop);
		assert_int_equal(nl, r->newlines);
	}
	/* Long random spans against the byte-wise rule, with TAB, CR and
	 * DEL (the slow path of the 64-byte rounds) too. */
	char buf[2000];
	for (int iter = 0; iter < 300; iter++) {
		size_t n = rnd(sizeof(buf)), stop = n;
		uint64_t want = 0, nl;
		for (size_t i = 0; i < n; i++)
			buf[i] = rnd(300) == 0 ? (char)rnd(32) : rnd(600) == 0 ? (char)0x7f :
				 rnd(20) == 0 ? '\n' : rnd(40) == 0 ? '\t' : rnd(40) == 0 ? '\r' : 'q';
		for (size_t i = 0; i < n; i++)
			if (kt_is_joining_control((unsigned char)buf[i])) {
				stop = i;
				break;
			}
		for (size_t i = 0; i < stop; i++)
			want += buf[i] == '\n';
		assert_int_equal(kt_span_scan(buf, n, &nl), stop);
		assert_int_equal(nl, want);
		assert_int_equal(kt_span_scan_isa(isa_level, buf, n, &nl), stop);
		assert_int_equal(nl, want);
	}
}

static int
isa_vbmi(void **state)
{
	(void)state;
	isa_level = KT_KWSET_ISA_AVX512VBMI;
	return 0;
}

static int
isa_avx2(void **state)
{
	(void)state;
	isa_level = KT_KWSET_ISA_AVX2;
	return 0;
}

static int
isa_scalar(void **state)
{
	(void)state;
	isa_level = KT_KWSET_ISA_SCALAR;
	return 0;
}

/* Each test at each SIMD level (a level the CPU lacks: engines skipped). */
#define AT_LEVELS(f) \
	{ #f " (avx512vbmi)", f, isa_vbmi, NULL, NULL }, \
	{ #f " (avx2)", f, isa_avx2, NULL, NULL }, \
	{ #f " (scalar)", f, isa_scalar, NULL, NULL }

int
main(void)
{
	const struct CMUnitTest tests[] = {
		AT_LEVELS(test_find_table),
		AT_LEVELS(test_find_bounds),
		AT_LEVELS(test_find_random),
		AT_LEVELS(test_find_adapt),
		AT_LEVELS(test_many_keywords),
		AT_LEVELS(test_bad_keywords),
		AT_LEVELS(test_newlines),
		AT_LEVELS(test_span_scan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
