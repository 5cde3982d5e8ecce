/*
 * libFuzzer target for the scanner (src/scan/): scans the input twice, once
 * skipping (the fast path, with a window chunk size taken from the first
 * byte so keywords and lines cross chunk boundaries) and once feeding every
 * line to the parser (the reference), and traps if they find different
 * crashes (header line number + title). Also checks that the input never
 * crashes, hangs or leaks the scanner.
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
	kt_ctx_free(ctx);
	return 0;
}
