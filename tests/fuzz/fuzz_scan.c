/*
 * libFuzzer target for the scanner (src/scan/): scans the input twice, once
 * skipping (the fast path, with a window chunk size taken from the first
 * byte so keywords and lines cross chunk boundaries) and once feeding every
 * line to the parser (the reference), and traps if they find different
 * crashes (header line number + title). Then it scans the same bytes as a
 * file (a memfd) on one thread and cut into 2-4 byte ranges at offsets
 * taken from the input (scan -j N, src/scan/scan.c scan_parallel()), and
 * traps if the ranges give anything else than one thread. Also checks that
 * the input never crashes, hangs or leaks the scanner.
 *
 * Build (not registered in meson):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Isrc -Ibuild/src \
 *     tests/fuzz/fuzz_scan.c build/libktriage.a $(pkg-config --libs ...) -o fuzz_scan
 * or with meson: -Dfuzz=true in a clang build directory (see tests/fuzz/).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ktriage/ktriage.h>

#include "input/input.h"
#include "scan/scan.h"

struct found {
	char buf[1 << 16];
	size_t len;
	size_t n;
};

static void
on_report(void *ud, const char *unit, struct kt_report *r)
{
	struct found *f = ud;
	int k;

	(void)unit;
	k = snprintf(f->buf + f->len, sizeof(f->buf) - f->len, "%u|%s\n",
		     (unsigned)r->source.first_line, r->title ? r->title : "");
	if (k > 0 && (size_t)k < sizeof(f->buf) - f->len)
		f->len += (size_t)k;
	f->n++;
	kt_report_free(r);
}

static void
scan_once(struct kt_ctx *ctx, const uint8_t *data, size_t size, bool full, size_t chunk,
	  struct found *out)
{
	struct kt_scan_opts opts = { .engine = KT_KWSET_TEDDY, .full = full, .chunk = chunk };
	struct kt_scan_cb cb = { .report = on_report, .ud = out };
	struct kt_scanner *s = NULL;
	struct kt_input *in = NULL;

	if (kt_scanner_new(ctx, &opts, &s) != 0)
		abort();	/* embedded data tables must load */
	if (kt_input_open_mem(ctx, "fuzz", data, size, &in) == 0) {
		(void)kt_scan_input(s, in, "fuzz", &cb);
		kt_input_free(in);
	}
	kt_scanner_free(s);
}

/* Scan the file `path` on `jobs` threads, ranges cut at `cuts`. */
static void
scan_path(struct kt_ctx *ctx, const char *path, unsigned jobs, const uint64_t *cuts,
	  struct found *out)
{
	struct kt_scan_opts opts = { .engine = KT_KWSET_TEDDY, .jobs = jobs, .cuts = cuts,
				     .n_cuts = jobs > 1 ? jobs - 1 : 0 };
	struct kt_scan_cb cb = { .report = on_report, .ud = out };
	struct kt_scanner *s = NULL;

	if (kt_scanner_new(ctx, &opts, &s) != 0)
		abort();
	(void)kt_scan_path(s, path, &cb);
	kt_scanner_free(s);
}

/* -j 1 against 2-4 ranges cut at offsets derived from the input. */
static void
check_ranges(struct kt_ctx *ctx, const uint8_t *data, size_t size)
{
	static struct found one, par;
	uint64_t cuts[3];
	unsigned n;
	char path[64];
	int fd;

	if (size < 4)
		return;
	fd = memfd_create("fuzz-scan", 0);
	if (fd < 0)
		return;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return;
	}
	n = 1 + data[1] % 3;
	for (unsigned i = 0; i < n; i++)
		cuts[i] = 1 + ((uint64_t)data[2 + i % 2] * 2654435761u + i * 40503u) % size;
	for (unsigned i = 1; i < n; i++)	/* ascending */
		for (unsigned j = i; j > 0 && cuts[j - 1] > cuts[j]; j--) {
			uint64_t t = cuts[j];
			cuts[j] = cuts[j - 1];
			cuts[j - 1] = t;
		}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	one.len = one.n = par.len = par.n = 0;
	scan_path(ctx, path, 1, NULL, &one);
	scan_path(ctx, path, n + 1, cuts, &par);
	close(fd);
	if (one.n != par.n || one.len != par.len || memcmp(one.buf, par.buf, one.len) != 0) {
		fprintf(stderr, "scan -j 1 and %u ranges disagree:\n--- one\n%.*s--- ranges\n%.*s",
			n + 1, (int)one.len, one.buf, (int)par.len, par.buf);
		__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct found fast, ref;
	struct kt_ctx *ctx = kt_ctx_new();
	size_t chunk = size ? 1 + data[0] % 97 : 1;

	fast.len = fast.n = ref.len = ref.n = 0;
	scan_once(ctx, data, size, false, chunk, &fast);
	scan_once(ctx, data, size, true, 0, &ref);
	if (fast.n != ref.n || fast.len != ref.len || memcmp(fast.buf, ref.buf, fast.len) != 0) {
		fprintf(stderr, "scan (skipping) and scan --full disagree:\n--- fast\n%.*s--- full\n%.*s",
			(int)fast.len, fast.buf, (int)ref.len, ref.buf);
		__builtin_trap();
	}
	check_ranges(ctx, data, size);
	kt_ctx_free(ctx);
	return 0;
}
