/* Unit tests: input problems. A cut or damaged compressed stream hands out
 * every line decoded before the damage and reports one problem with its
 * kind and offset; an archive cut inside a member names the member; caps
 * are reported, never silent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include <ktriage/error.h>
#include <ktriage/input.h>
#include <ktriage/limits.h>

#include "input/input.h"
#include "input/walk.h"
#include "testfs.h"
#include "util/ctx.h"

struct got {
	int n;
	enum kt_problem_kind kind;
	char member[256];
	char input[256];
	int64_t offset;
	char msg[512];
};

static void
on_problem(void *ud, const char *input, const struct kt_problem *p)
{
	struct got *g = ud;

	fprintf(stderr, "# problem %s %s %s %lld: %s\n", kt_problem_kind_name(p->kind),
		input ? input : "-", p->member ? p->member : "-", (long long)p->offset, p->message);
	g->n++;
	g->kind = p->kind;
	g->offset = p->offset;
	snprintf(g->member, sizeof(g->member), "%s", p->member ? p->member : "");
	snprintf(g->input, sizeof(g->input), "%s", input ? input : "");
	snprintf(g->msg, sizeof(g->msg), "%s", p->message);
}

/* A log of numbered lines with noise, so that compressors make many blocks. */
static char *
make_log(size_t *len)
{
	size_t cap = 4u << 20, n = 0;
	char *buf = malloc(cap);
	unsigned x = 12345;

	for (int i = 0; n + 200 < cap; i++) {
		n += (size_t)snprintf(buf + n, cap - n, "[%8d.000000] line %d ", i, i);
		for (int k = 0; k < 60; k++) {
			x = x * 1103515245u + 12345u;
			buf[n++] = (char)('a' + (x >> 16) % 26);
		}
		buf[n++] = '\n';
	}
	*len = n;
	return buf;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = malloc(8u << 20);

	assert_non_null(f);
	*len = fread(p, 1, 8u << 20, f);
	fclose(f);
	return p;
}

static const char *const tools[][2] = {
	{ "gzip", "gz" }, { "xz", "xz" }, { "zstd", "zst" }, { "bzip2 -1", "bz2" },
};

static void
test_cut_and_corrupt_streams(void **state)
{
	size_t len;
	char *log = make_log(&len);
	char *plain = strdup(testfs_write("p.log", log, len));

	(void)state;
	for (size_t t = 0; t < sizeof(tools) / sizeof(tools[0]); t++) {
		char rel[64], cmd[512];
		size_t zlen;

		snprintf(rel, sizeof(rel), "p.log.%s", tools[t][1]);
		snprintf(cmd, sizeof(cmd), "%s -c '%%s' > '%s' 2>/dev/null", tools[t][0],
			 testfs_path(rel));
		if (!testfs_sh(cmd, plain)) {
			fprintf(stderr, "# %s not available, skipped\n", tools[t][0]);
			continue;
		}
		char *z = slurp(testfs_path(rel), &zlen);

		for (int corrupt = 0; corrupt < 2; corrupt++) {
			struct kt_ctx *ctx = kt_ctx_new();
			struct got g = { 0 };
			struct kt_input *in;
			struct kt_str line;
			uint32_t no;
			bool trunc;
			size_t bytes = 0;
			int lines = 0, r;
			char *copy = malloc(zlen);

			memcpy(copy, z, zlen);
			if (corrupt)	/* 16 bytes overwritten in the middle */
				memset(copy + zlen / 2, 0x55, 16);
			ctx->problem = on_problem;
			ctx->problem_data = &g;
			fprintf(stderr, "# %s %s\n", tools[t][0], corrupt ? "corrupt" : "cut");
			assert_int_equal(kt_input_open_mem(ctx, rel, copy,
							   corrupt ? zlen : zlen * 3 / 4, &in), 0);
			while ((r = kt_input_next(in, &line, &no, &trunc)) == 1) {
				/* a cut stream hands out lines of the log only
				 * (damaged deflate data may decode to garbage
				 * before the check fails) */
				if (!corrupt)
					assert_memory_equal(line.p, log + bytes, line.len);
				bytes += line.len + 1;
				lines++;
			}
			assert_int_equal(r, 0);
			kt_input_free(in);
			assert_int_equal(g.n, 1);
			assert_true(lines > 100);	/* a good part was salvaged */
			assert_true(bytes < len + 1);
			assert_int_equal(g.kind, corrupt && strcmp(tools[t][1], "zst") != 0 &&
						 strcmp(tools[t][1], "xz") != 0
					 ? KT_PROBLEM_CORRUPT
					 : g.kind);	/* zstd/xz may see a cut frame */
			if (!corrupt) {
				assert_int_equal(g.kind, KT_PROBLEM_TRUNCATED);
				assert_true(g.offset > 0 && (uint64_t)g.offset >= bytes - 1);
			}
			free(copy);
			kt_ctx_free(ctx);
		}
		free(z);
	}
	free(plain);
	free(log);
}

struct units {
	struct kt_ctx *ctx;
	int n;
	size_t bytes;
};

/* Count the unit and read its members (a streamed member must be read
 * while the unit is open). */
static int
count_unit(void *ud, const struct kt_unit *u)
{
	struct units *s = ud;

	s->n++;
	for (size_t i = 0; i < u->n_members; i++) {
		struct kt_input *in;
		const char *p;
		size_t len;

		assert_int_equal(kt_unit_open(s->ctx, u, i, &in), 0);
		while (kt_input_read_block(in, &p, &len) == 1)
			s->bytes += len;
		kt_input_free(in);
	}
	return 0;
}

static void
test_cut_archive_names_member(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct archive *a = archive_write_new();
	struct got g = { 0 };
	size_t len, tlen;
	char *log = make_log(&len);
	const char *names[] = { "c/dom0.log", "c/xen.log", "var/log/kern.log" };
	struct units units = { ctx, 0, 0 };

	(void)state;
	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, testfs_path("t.tar")), ARCHIVE_OK);
	for (int i = 0; i < 3; i++) {
		struct archive_entry *e = archive_entry_new();
		size_t n = i == 2 ? len : 100000;

		archive_entry_set_pathname(e, names[i]);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)n);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, log, n), (la_ssize_t)n);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	char *tar = slurp(testfs_path("t.tar"), &tlen);

	ctx->problem = on_problem;
	ctx->problem_data = &g;
	/* cut inside kern.log: the crash folder and the start of kern.log */
	assert_int_equal(kt_walk_archive_mem(ctx, "t.tar", tar, tlen - 100000, count_unit, &units),
			 0);
	assert_int_equal(units.n, 2);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.kind, KT_PROBLEM_TRUNCATED);
	assert_string_equal(g.member, "var/log/kern.log");
	assert_string_equal(g.input, "t.tar");
	assert_non_null(strstr(g.msg, "inside this member"));
	/* all of the crash folder, and kern.log up to the cut (libarchive's
	 * tar reader may keep back its last read-ahead block, < 64 KiB) */
	assert_true(g.offset > 0 && g.offset + 100000 + 65536 >= (int64_t)len);
	assert_true(units.bytes == 200000 + (size_t)g.offset);

	/* --max-members 1: a limit problem naming the option, no constant */
	memset(&g, 0, sizeof(g));
	units.n = 0;
	ctx->limits.max_members = 1;
	assert_int_equal(kt_walk_archive_mem(ctx, "t.tar", tar, tlen, count_unit, &units), 0);
	assert_int_equal(g.kind, KT_PROBLEM_LIMIT);
	assert_non_null(strstr(g.msg, "--max-members 1"));
	assert_null(strstr(g.msg, "KT_"));
	free(tar);
	free(log);
	kt_ctx_free(ctx);
}

static void
test_cut_lines_reported(void **state)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct got g = { 0 };
	struct kt_input *in;
	struct kt_str line;
	uint32_t no;
	bool trunc;
	char buf[1000];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	buf[500] = '\n';
	ctx->problem = on_problem;
	ctx->problem_data = &g;
	ctx->limits.max_line = 100;
	assert_int_equal(kt_input_open_mem(ctx, "long", buf, sizeof(buf), &in), 0);
	while (kt_input_next(in, &line, &no, &trunc) == 1)
		assert_true(line.len <= 100 && trunc);
	kt_input_free(in);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.kind, KT_PROBLEM_LIMIT);
	assert_non_null(strstr(g.msg, "2 lines longer than 100 bytes"));
	assert_non_null(strstr(g.msg, "--max-line"));
	kt_ctx_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cut_and_corrupt_streams),
		cmocka_unit_test(test_cut_archive_names_member),
		cmocka_unit_test(test_cut_lines_reported),
	};

	return cmocka_run_group_tests(tests, testfs_setup, testfs_teardown);
}
