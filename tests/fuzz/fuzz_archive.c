/*
 * fuzz: libFuzzer target for the archive readers of stage input: the data is
 * walked as an archive (gzip/xz/zstd/bzip2 around tar or zip, archives
 * inside it), every unit's members are read to the end as lines. Problems
 * (truncated, corrupt, too deep ...) are fine; crashes, hangs and unbounded
 * memory are not. Checks that lines stay within the line limit.
 */
#include <stdint.h>
#include <stdlib.h>

#include <ktriage/error.h>
#include <ktriage/limits.h>

#include "input/input.h"
#include "input/walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
read_unit(void *ud, const struct kt_unit *u)
{
	struct kt_ctx *ctx = ud;

	for (size_t i = 0; i < u->n_members; i++) {
		struct kt_input *in;
		struct kt_str line;
		uint32_t no;
		bool trunc;

		if (kt_unit_open(ctx, u, i, &in) != 0)
			continue;
		while (kt_input_next(in, &line, &no, &trunc) == 1)
			if (line.len > KT_MAX_LINE)
				abort();
		kt_input_free(in);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_ctx *ctx = kt_ctx_new();

	(void)kt_walk_archive_mem(ctx, "fuzz", data, size, read_unit, ctx);
	kt_ctx_free(ctx);
	return 0;
}
