/*
 * input: streaming decompressors (see decomp.h). Formats: gzip RFC 1952
 * (zlib inflate with gzip header, windowBits 15 + 16), xz (liblzma stream
 * decoder, LZMA_CONCATENATED), zstd RFC 8878 (ZSTD_decompressStream), bzip2
 * (libbz2 BZ2_bzDecompress).
 */
#include "input/decomp.h"

#include <bzlib.h>
#include <lzma.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "util/mem.h"

/* Memory the xz decoder may use: xz -9 needs 65 MiB, --lzma2=dict=256MiB
 * about 257 MiB (xz(1), "Memory usage"); a header asking for more is
 * refused, not obeyed. */
#define XZ_MEMLIMIT	((uint64_t)512 << 20)

enum fmt { F_GZIP, F_XZ, F_ZSTD, F_BZIP2 };

struct kt_decomp {
	enum fmt fmt;
	bool ended;		/* the last stream ended; more input = a new stream */
	bool dead;		/* damaged: no more output */
	z_stream z;
	lzma_stream x;
	ZSTD_DStream *zs;
	bz_stream b;
	bool b_init;
};

struct kt_decomp *
kt_decomp_new(const char *format)
{
	struct kt_decomp *d;

	if (!format)
		return NULL;
	d = kt_calloc(1, sizeof(*d));
	if (strcmp(format, "gzip") == 0) {
		d->fmt = F_GZIP;
		if (inflateInit2(&d->z, 15 + 16) != Z_OK)
			kt_oom(sizeof(d->z));
	} else if (strcmp(format, "xz") == 0) {
		d->fmt = F_XZ;
		d->x = (lzma_stream)LZMA_STREAM_INIT;
		if (lzma_stream_decoder(&d->x, XZ_MEMLIMIT, LZMA_CONCATENATED) != LZMA_OK)
			kt_oom(sizeof(d->x));
	} else if (strcmp(format, "zstd") == 0) {
		d->fmt = F_ZSTD;
		d->zs = ZSTD_createDStream();
		if (!d->zs)
			kt_oom(sizeof(void *));
		(void)ZSTD_initDStream(d->zs);
	} else if (strcmp(format, "bzip2") == 0) {
		d->fmt = F_BZIP2;
		if (BZ2_bzDecompressInit(&d->b, 0, 0) != BZ_OK)
			kt_oom(sizeof(d->b));
		d->b_init = true;
	} else {
		free(d);
		return NULL;
	}
	return d;
}

void
kt_decomp_free(struct kt_decomp *d)
{
	if (!d)
		return;
	switch (d->fmt) {
	case F_GZIP: (void)inflateEnd(&d->z); break;
	case F_XZ: lzma_end(&d->x); break;
	case F_ZSTD: (void)ZSTD_freeDStream(d->zs); break;
	case F_BZIP2: if (d->b_init) (void)BZ2_bzDecompressEnd(&d->b); break;
	}
	free(d);
}

static int
run_gzip(struct kt_decomp *d, const unsigned char *in, size_t *in_len, unsigned char *out,
	 size_t out_cap, size_t *out_len, const char **msg)
{
	size_t used = 0, made = 0;
	int r = 0;

	while (used < *in_len && made < out_cap) {
		if (d->ended) {
			/* another gzip member follows (pigz, cat a.gz b.gz);
			 * anything else after the end is trailing garbage */
			if (in[used] != 0x1f) {
				used = *in_len;	/* ignored, as gzip -d does with a warning */
				r = 1;
				break;
			}
			(void)inflateReset(&d->z);
			d->ended = false;
		}
		d->z.next_in = (Bytef *)(uintptr_t)(in + used);
		d->z.avail_in = (uInt)(*in_len - used > UINT32_MAX ? UINT32_MAX : *in_len - used);
		d->z.next_out = out + made;
		d->z.avail_out = (uInt)(out_cap - made > UINT32_MAX ? UINT32_MAX : out_cap - made);
		int zr = inflate(&d->z, Z_NO_FLUSH);
		size_t took = (size_t)(d->z.next_in - (in + used));
		size_t gave = (size_t)(d->z.next_out - (out + made));

		used += took;
		made += gave;
		if (zr == Z_STREAM_END) {
			d->ended = true;
			r = 1;
			continue;
		}
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			*msg = d->z.msg ? d->z.msg : "invalid deflate data";
			r = -1;
			break;
		}
		r = 0;
		if (took == 0 && gave == 0)
			break;
	}
	*in_len = used;
	*out_len = made;
	return r;
}

static int
run_xz(struct kt_decomp *d, const unsigned char *in, size_t *in_len, unsigned char *out,
       size_t out_cap, size_t *out_len, const char **msg)
{
	lzma_ret lr;

	d->x.next_in = in;
	d->x.avail_in = *in_len;
	d->x.next_out = out;
	d->x.avail_out = out_cap;
	lr = lzma_code(&d->x, *in_len ? LZMA_RUN : LZMA_FINISH);
	*in_len -= d->x.avail_in;
	*out_len = out_cap - d->x.avail_out;
	if (lr == LZMA_STREAM_END)
		return 1;
	if (lr == LZMA_OK || lr == LZMA_BUF_ERROR)
		return 0;
	*msg = lr == LZMA_DATA_ERROR ? "compressed data is corrupt" :
	       lr == LZMA_FORMAT_ERROR ? "not an xz stream" :
	       lr == LZMA_MEMLIMIT_ERROR ? "the stream needs more than 512 MiB of memory to decode" :
	       lr == LZMA_MEM_ERROR ? "out of memory" :
	       "unsupported or damaged xz data";
	return -1;
}

static int
run_zstd(struct kt_decomp *d, const unsigned char *in, size_t *in_len, unsigned char *out,
	 size_t out_cap, size_t *out_len, const char **msg)
{
	ZSTD_inBuffer ib = { in, *in_len, 0 };
	ZSTD_outBuffer ob = { out, out_cap, 0 };
	size_t zr = ZSTD_decompressStream(d->zs, &ob, &ib);

	*in_len = ib.pos;
	*out_len = ob.pos;
	if (ZSTD_isError(zr)) {
		*msg = ZSTD_getErrorName(zr);
		return -1;
	}
	return zr == 0 ? 1 : 0;	/* 0: a frame is complete and flushed */
}

static int
run_bzip2(struct kt_decomp *d, const unsigned char *in, size_t *in_len, unsigned char *out,
	  size_t out_cap, size_t *out_len, const char **msg)
{
	size_t used = 0, made = 0;
	int r = 0;

	while (used < *in_len && made < out_cap) {
		if (d->ended) {	/* pbzip2: concatenated streams */
			if (in[used] != 'B') {
				used = *in_len;
				r = 1;
				break;
			}
			(void)BZ2_bzDecompressEnd(&d->b);
			memset(&d->b, 0, sizeof(d->b));
			if (BZ2_bzDecompressInit(&d->b, 0, 0) != BZ_OK)
				kt_oom(sizeof(d->b));
			d->ended = false;
		}
		size_t ia = *in_len - used > UINT32_MAX ? UINT32_MAX : *in_len - used;
		size_t oa = out_cap - made > UINT32_MAX ? UINT32_MAX : out_cap - made;

		d->b.next_in = (char *)(uintptr_t)(in + used);
		d->b.avail_in = (unsigned)ia;
		d->b.next_out = (char *)(out + made);
		d->b.avail_out = (unsigned)oa;
		int br = BZ2_bzDecompress(&d->b);
		size_t took = ia - d->b.avail_in, gave = oa - d->b.avail_out;

		used += took;
		made += gave;
		if (br == BZ_STREAM_END) {
			d->ended = true;
			r = 1;
			continue;
		}
		if (br != BZ_OK) {
			*msg = br == BZ_DATA_ERROR ? "compressed data is corrupt" :
			       br == BZ_DATA_ERROR_MAGIC ? "not a bzip2 stream" :
			       "damaged bzip2 data";
			r = -1;
			break;
		}
		r = 0;
		if (took == 0 && gave == 0)
			break;
	}
	*in_len = used;
	*out_len = made;
	return r;
}

int
kt_decomp_run(struct kt_decomp *d, const void *in, size_t *in_len, void *out, size_t out_cap,
	      size_t *out_len, const char **msg)
{
	int r;

	*msg = NULL;
	if (d->dead) {
		*in_len = *out_len = 0;
		*msg = "damaged data";
		return -1;
	}
	switch (d->fmt) {
	case F_GZIP: r = run_gzip(d, in, in_len, out, out_cap, out_len, msg); break;
	case F_XZ: r = run_xz(d, in, in_len, out, out_cap, out_len, msg); break;
	case F_ZSTD: r = run_zstd(d, in, in_len, out, out_cap, out_len, msg); break;
	default: r = run_bzip2(d, in, in_len, out, out_cap, out_len, msg); break;
	}
	if (r < 0)
		d->dead = true;
	return r;
}
