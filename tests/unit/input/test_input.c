/* Unit tests: input (line splitting, compression, long lines, stdin, errors). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include <cmocka.h>

#include <ktriage/error.h>
#include <ktriage/limits.h>

#include "input/input.h"
#include "testfs.h"

struct lines_case {
	const char *name;
	const char *data;
	size_t len;		/* 0: strlen */
	int n;			/* expected lines */
	const char *lines[4];
	size_t lens[4];		/* 0: strlen(lines[i]) */
};

static const struct lines_case lines_cases[] = {
	{ "lf", "a\nb\nc\n", 0, 3, { "a", "b", "c" }, { 0 } },
	{ "no-final-newline", "a\nb\nc", 0, 3, { "a", "b", "c" }, { 0 } },
	{ "crlf", "a\r\nb\r\n", 0, 2, { "a", "b" }, { 0 } },
	{ "one-cr-only", "a\r\r\nb", 0, 2, { "a\r", "b" }, { 0 } },
	{ "empty", "", 0, 0, { 0 }, { 0 } },
	{ "only-newline", "\n", 0, 1, { "" }, { 0 } },
	{ "blank-lines", "x\n\n\ny", 0, 4, { "x", "", "", "y" }, { 0 } },
	{ "nul-bytes", "a\0b\nc\0", 6, 2, { "a\0b", "c\0" }, { 3, 2 } },
	{ "bare-cr-line", "\r\n", 0, 1, { "" }, { 0 } },
};

static void
check_lines(struct kt_input *in, const struct lines_case *c)
{
	struct kt_str line;
	uint32_t no;
	bool trunc;
	int i = 0, r;

	while ((r = kt_input_next(in, &line, &no, &trunc)) == 1) {
		assert_true(i < c->n);
		size_t want = c->lens[i] ? c->lens[i] : strlen(c->lines[i]);
		assert_int_equal(line.len, want);
		assert_memory_equal(line.p, c->lines[i], want);
		assert_int_equal(no, i + 1);
		assert_false(trunc);
		i++;
	}
	assert_int_equal(r, 0);
	assert_int_equal(i, c->n);
	/* EOF is sticky */
	assert_int_equal(kt_input_next(in, &line, &no, &trunc), 0);
}

static void
test_lines(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();

	(void)state;
	for (size_t k = 0; k < sizeof(lines_cases) / sizeof(lines_cases[0]); k++) {
		const struct lines_case *c = &lines_cases[k];
		size_t len = c->len ? c->len : strlen(c->data);
		struct kt_input *in;
		char rel[64];

		fprintf(stderr, "# case %s\n", c->name);
		assert_int_equal(kt_input_open_mem(ctx, c->name, c->data, len, &in), 0);
		assert_string_equal(kt_input_name(in), c->name);
		check_lines(in, c);
		assert_int_equal(kt_input_bytes_read(in), len);
		kt_input_free(in);

		snprintf(rel, sizeof(rel), "lines-%s.txt", c->name);
		assert_int_equal(kt_input_open(ctx, testfs_write(rel, c->data, len), &in), 0);
		assert_false(kt_input_compressed(in));
		check_lines(in, c);
		assert_int_equal(kt_input_bytes_read(in), len);
		kt_input_free(in);
	}
	kt_input_free(NULL);
	kt_ctx_free(ctx);
}

/* Lines of varying length, about 6 MB: crosses many read blocks. */
static char *
make_log(size_t *ret_len, int *ret_lines)
{
	size_t cap = 8u << 20, len = 0;
	char *buf = malloc(cap);
	int n = 0;

	while (len < (6u << 20)) {
		len += (size_t)snprintf(buf + len, cap - len, "[%6d.%06d] line %d %.*s\n", n / 1000,
					n % 1000, n, n % 97, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		n++;
	}
	*ret_len = len;
	*ret_lines = n;
	return buf;
}

static void
check_log(struct kt_input *in, const char *buf, size_t len, int nlines)
{
	struct kt_str line;
	uint32_t no;
	bool trunc;
	size_t off = 0;
	int n = 0, r;

	while ((r = kt_input_next(in, &line, &no, &trunc)) == 1) {
		const char *nl = memchr(buf + off, '\n', len - off);

		assert_non_null(nl);
		assert_int_equal(line.len, (size_t)(nl - (buf + off)));
		assert_memory_equal(line.p, buf + off, line.len);
		off += line.len + 1;
		n++;
		assert_int_equal(no, n);
	}
	assert_int_equal(r, 0);
	assert_int_equal(n, nlines);
}

static const char *const tools[][2] = {
	{ "gzip", "gz" }, { "xz", "xz" }, { "zstd", "zst" }, { "bzip2", "bz2" },
};

static void
test_compressed(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	size_t len;
	int nlines;
	char *buf = make_log(&len, &nlines);
	/* (testfs_path() reuses one buffer: keep a copy) */
	char *plain = strdup(testfs_write("big.log", buf, len));
	struct kt_input *in;
	struct stat st;

	(void)state;
	assert_int_equal(kt_input_open(ctx, plain, &in), 0);
	check_log(in, buf, len, nlines);
	kt_input_free(in);

	for (size_t t = 0; t < sizeof(tools) / sizeof(tools[0]); t++) {
		char cmd[1024], rel[64];

		snprintf(rel, sizeof(rel), "big.log.%s", tools[t][1]);
		snprintf(cmd, sizeof(cmd), "%s -c '%%s' > '%s' 2>/dev/null", tools[t][0],
			 testfs_path(rel));
		if (!testfs_sh(cmd, plain)) {
			fprintf(stderr, "# %s not available, skipped\n", tools[t][0]);
			continue;
		}
		fprintf(stderr, "# %s\n", tools[t][0]);
		assert_int_equal(kt_input_open(ctx, testfs_path(rel), &in), 0);
		assert_true(kt_input_compressed(in));
		check_log(in, buf, len, nlines);
		assert_int_equal(stat(testfs_path(rel), &st), 0);
		assert_int_equal(kt_input_bytes_read(in), (uint64_t)st.st_size);
		kt_input_free(in);
	}

	/* compressed bytes in memory */
	{
		FILE *f = fopen(testfs_path("big.log.gz"), "rb");
		char *gz = malloc(len);
		size_t n = fread(gz, 1, len, f);

		fclose(f);
		assert_int_equal(kt_input_open_mem(ctx, "mem.gz", gz, n, &in), 0);
		assert_true(kt_input_compressed(in));
		check_log(in, buf, len, nlines);
		kt_input_free(in);
		free(gz);
	}
	free(plain);
	free(buf);
	kt_ctx_free(ctx);
}

static long
maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* A 20 MB line is cut to KT_MAX_LINE and memory stays bounded. */
static void
test_long_line(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	const char *path = testfs_path("long.log");
	FILE *f = fopen(path, "wb");
	char chunk[65536];
	struct kt_input *in;
	struct kt_str line;
	uint32_t no;
	bool trunc;
	long before;

	(void)state;
	memset(chunk, 'y', sizeof(chunk));
	for (int i = 0; i < 320; i++)	/* 20 MiB */
		fwrite(chunk, 1, sizeof(chunk), f);
	fputs("\r\nend\n", f);
	fclose(f);
	(void)testfs_sh("gzip -k -f '%s'", path);

	before = maxrss_kb();
	for (int pass = 0; pass < 2; pass++) {
		const char *p = pass ? testfs_path("long.log.gz") : path;

		if (pass && access(p, R_OK) != 0)
			continue;
		assert_int_equal(kt_input_open(ctx, p, &in), 0);
		assert_int_equal(kt_input_next(in, &line, &no, &trunc), 1);
		assert_int_equal(line.len, KT_MAX_LINE);
		assert_true(trunc);
		assert_int_equal(line.p[0], 'y');
		assert_int_equal(line.p[KT_MAX_LINE - 1], 'y');
		assert_int_equal(kt_input_next(in, &line, &no, &trunc), 1);
		assert_int_equal(no, 2);
		assert_int_equal(line.len, 3);
		assert_memory_equal(line.p, "end", 3);
		assert_false(trunc);
		assert_int_equal(kt_input_next(in, &line, &no, &trunc), 0);
		kt_input_free(in);
	}
	/* read buffer (1 MiB) + libarchive window: far below the 20 MiB line */
	fprintf(stderr, "# maxrss grew by %ld KiB\n", maxrss_kb() - before);
	assert_true(maxrss_kb() - before < 8 * 1024);
	kt_ctx_free(ctx);
}

/* Lines of exactly KT_MAX_LINE bytes are not truncated, also with CR. */
static void
test_limit_edges(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	size_t len = 3 * (KT_MAX_LINE + 2) + 16;
	char *buf = malloc(len), *p = buf;
	struct kt_input *in;
	struct kt_str line;
	uint32_t no;
	bool trunc;

	(void)state;
	memset(p, 'a', KT_MAX_LINE);
	p += KT_MAX_LINE;
	*p++ = '\n';
	memset(p, 'b', KT_MAX_LINE);
	p += KT_MAX_LINE;
	*p++ = '\r';
	*p++ = '\n';
	memset(p, 'c', KT_MAX_LINE + 1);
	p += KT_MAX_LINE + 1;
	/* in memory (one block) and from a file */
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 0)
			assert_int_equal(kt_input_open_mem(ctx, "edges", buf, (size_t)(p - buf), &in), 0);
		else
			assert_int_equal(kt_input_open(ctx, testfs_write("edges.log", buf,
									 (size_t)(p - buf)), &in), 0);
		assert_int_equal(kt_input_next(in, &line, &no, &trunc), 1);
		assert_int_equal(line.len, KT_MAX_LINE);
		assert_false(trunc);
		assert_int_equal(kt_input_next(in, &line, &no, &trunc), 1);
		assert_int_equal(line.len, KT_MAX_LINE);
		assert_int_equal(line.p[KT_MAX_LINE - 1], 'b');
		assert_false(trunc);
		assert_int_equal(kt_input_next(in, &line, &no, &trunc), 1);
		assert_int_equal(line.len, KT_MAX_LINE);
		assert_true(trunc);
		assert_int_equal(kt_input_next(in, &line, &no, &trunc), 0);
		kt_input_free(in);
	}
	free(buf);
	kt_ctx_free(ctx);
}

static void
test_read_block(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	size_t len, off;
	int nlines;
	char *buf = make_log(&len, &nlines);
	const char *plain = testfs_write("blocks.log", buf, len);
	const char *p;
	size_t n;
	int r;

	(void)state;
	assert_true(testfs_sh("gzip -k -f '%s'", plain));
	for (int pass = 0; pass < 2; pass++) {
		struct kt_input *in;

		assert_int_equal(kt_input_open(ctx, pass ? testfs_path("blocks.log.gz") : plain, &in), 0);
		off = 0;
		while ((r = kt_input_read_block(in, &p, &n)) == 1) {
			assert_true(n > 0 && off + n <= len);
			assert_memory_equal(p, buf + off, n);
			off += n;
		}
		assert_int_equal(r, 0);
		assert_int_equal(off, len);
		kt_input_free(in);
	}
	free(buf);
	kt_ctx_free(ctx);
}

static void
test_stdin(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	const char *path = testfs_write_str("stdin.log", "first\nsecond\n");
	int saved = dup(0), fd = open(path, O_RDONLY);
	struct kt_input *in;
	struct kt_str line;
	uint32_t no;
	bool trunc;

	(void)state;
	assert_true(fd >= 0 && saved >= 0);
	assert_int_equal(dup2(fd, 0), 0);
	close(fd);
	assert_int_equal(kt_input_open(ctx, "-", &in), 0);
	assert_string_equal(kt_input_name(in), "-");
	assert_int_equal(kt_input_next(in, &line, &no, &trunc), 1);
	assert_memory_equal(line.p, "first", 5);
	assert_int_equal(kt_input_next(in, &line, &no, &trunc), 1);
	assert_int_equal(kt_input_next(in, &line, &no, &trunc), 0);
	kt_input_free(in);
	/* stdin is not closed by kt_input_free */
	assert_int_equal(fcntl(0, F_GETFD), 0);
	dup2(saved, 0);
	close(saved);
	kt_ctx_free(ctx);
}

static void
test_errors(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_input *in = NULL;

	(void)state;
	assert_int_equal(kt_input_open(ctx, testfs_path("no-such-file.log"), &in), KT_ENOTFOUND);
	assert_null(in);
	assert_non_null(strstr(kt_ctx_errmsg(ctx), "no-such-file.log"));
	testfs_mkdir("adir");
	assert_int_equal(kt_input_open(ctx, testfs_path("adir"), &in), KT_EIO);
	assert_int_equal(kt_input_open(ctx, NULL, &in), KT_EINVAL);
	assert_int_equal(kt_input_open_mem(ctx, "x", NULL, 3, &in), KT_EINVAL);
	assert_int_equal(kt_input_open_mem(ctx, "x", NULL, 0, &in), 0);
	kt_input_free(in);
	kt_ctx_free(ctx);
}

static int n_warn;

static void
count_diag(void *ud, enum kt_sev sev, const char *what, const char *msg)
{
	(void)ud;
	(void)what;
	fprintf(stderr, "# diag %s: %s\n", kt_sev_name(sev), msg);
	if (sev == KT_SEV_WARN)
		n_warn++;
}

/* A cut or corrupt compressed file yields what was decoded and a warning. */
static void
test_broken_compressed(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	size_t len;
	int nlines;
	char *buf = make_log(&len, &nlines);
	const char *plain = testfs_write("cut.log", buf, len);
	struct kt_input *in;
	struct kt_str line;
	uint32_t no;
	bool trunc;
	int r, n = 0;
	FILE *f;
	char *gz = malloc(len);
	size_t gzlen;

	(void)state;
	kt_ctx_set_diag(ctx, count_diag, NULL);
	assert_true(testfs_sh("gzip -k -f '%s'", plain));
	f = fopen(testfs_path("cut.log.gz"), "rb");
	gzlen = fread(gz, 1, len, f);
	fclose(f);

	n_warn = 0;
	assert_int_equal(kt_input_open_mem(ctx, "cut.gz", gz, gzlen / 2, &in), 0);
	while ((r = kt_input_next(in, &line, &no, &trunc)) == 1)
		n++;
	assert_int_equal(r, 0);
	assert_true(n > 0 && n < nlines);
	assert_int_equal(n_warn, 1);
	kt_input_free(in);

	/* garbage after a valid magic */
	n_warn = 0;
	assert_int_equal(kt_input_open_mem(ctx, "junk.gz", "\x1f\x8b\x08\0\0\0\0\0\0\x03\xff\xff junk junk", 22, &in), 0);
	while ((r = kt_input_next(in, &line, &no, &trunc)) == 1)
		;
	assert_int_equal(r, 0);
	assert_true(n_warn >= 1);
	kt_input_free(in);
	free(gz);
	free(buf);
	kt_ctx_free(ctx);
}

static void
test_sniff(void **state)
{
	static const struct {
		const char *head;
		size_t len;
		const char *want;
	} rows[] = {
		{ "\x1f\x8b\x08\x00", 4, "gzip" },
		{ "\xfd" "7zXZ\0\0", 7, "xz" },
		{ "\x28\xb5\x2f\xfd\x24", 5, "zstd" },
		{ "\x04\x22\x4d\x18\x64", 5, "lz4" },
		{ "BZh91AY&SY\0\0", 12, "bzip2" },
		{ "BZh9 text that is not bzip2", 27, NULL },
		{ "[   12.345678] x", 16, NULL },
		{ "\x1f", 1, NULL },
		{ "\x1f\x8b text", 7, NULL },
		{ "", 0, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *got = kt_input_sniff_compression(rows[i].head, rows[i].len);

		if (rows[i].want)
			assert_string_equal(got, rows[i].want);
		else
			assert_null(got);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_line),	/* first: measures memory growth */
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_compressed),
		cmocka_unit_test(test_limit_edges),
		cmocka_unit_test(test_read_block),
		cmocka_unit_test(test_stdin),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_broken_compressed),
		cmocka_unit_test(test_sniff),
	};

	return cmocka_run_group_tests(tests, testfs_setup, testfs_teardown);
}
