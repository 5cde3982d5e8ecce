/*
 * fuzz: libFuzzer target for input + normalize. The data is read as a log
 * (decompressed if it starts with a compression magic), split into lines and
 * every line normalized (or, for a `journalctl -o export` stream, fed to
 * the export decoder as the pipeline does; a pstore dump is stitched first);
 * checks the invariants the later
 * stages rely on.
 */
#include <stdint.h>
#include <stdlib.h>

#include <ktriage/error.h>
#include <ktriage/limits.h>

#include "input/input.h"
#include "normalize/journal.h"
#include "normalize/pstore.h"
#include "normalize/normalize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_normalizer *n = kt_normalizer_new();
	struct kt_jexport *jx = NULL;
	struct kt_pstore *ps = NULL;
	struct kt_input *in;
	struct kt_str line;
	struct kt_line out;
	uint32_t no;
	bool trunc;

	if (kt_input_open_mem(ctx, "fuzz", data, size, &in) == 0) {
		while (kt_input_next(in, &line, &no, &trunc) == 1) {
			if (line.len > KT_MAX_LINE)
				abort();
			if (no == 1 && kt_jexport_sniff(line))
				jx = kt_jexport_new();
			else if (no == 1 && kt_pstore_header(line, NULL, NULL, NULL))
				ps = kt_pstore_new();
			if (ps) {
				kt_pstore_add_line(ps, line, no);
				continue;
			}
			if (jx) {
				if (kt_jexport_feed(jx, line, trunc)) {
					kt_normalize_jexport(n, jx, no, &out);
					if (out.text.len > KT_JOURNAL_MSG_MAX || out.level < -1 ||
					    out.level > 7)
						abort();
				}
				continue;
			}
			kt_normalize(n, line, no, &out);
			if (out.text.len > line.len || out.level < -1 || out.level > 7 ||
			    (unsigned)out.fmt >= KT_FMT_COUNT || out.no != no)
				abort();
		}
		if (jx && kt_jexport_end(jx))
			kt_normalize_jexport(n, jx, no, &out);
		while (ps && kt_pstore_next(ps, &line, &no)) {
			if (line.len > KT_MAX_LINE)
				abort();
			kt_normalize(n, line, no, &out);
		}
		kt_input_free(in);
	}
	kt_jexport_free(jx);
	kt_pstore_free(ps);
	kt_normalizer_free(n);
	kt_ctx_free(ctx);
	return 0;
}
