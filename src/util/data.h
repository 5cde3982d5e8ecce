/*
 * util: access to the knowledge files under data/. They are embedded at build
 * time (scripts/embed-data.py); a context with a data directory set
 * (kt_ctx_set_data_dir) reads that directory instead, file by file, falling
 * back to the embedded copy for files it does not have.
 */
#ifndef KT_UTIL_DATA_H
#define KT_UTIL_DATA_H

#include <stdbool.h>
#include <stddef.h>

struct kt_ctx;

struct kt_data_file {
	const char *path;	/* relative to data/, e.g. "rules/enic-jumbo.yaml" */
	const char *data;
	size_t len;
};

extern const struct kt_data_file kt_embedded_data[];
extern const size_t kt_embedded_data_count;

/* The contents of one data file. `owned` is non-NULL when read from disk. */
struct kt_data_blob {
	const char *data;
	size_t len;
	char *owned;
	const char *origin;	/* "embedded:PATH" or the disk path (owned too) */
	char *owned_origin;
};

/* Read data file PATH (relative to data/). Returns 0, KT_ENOTFOUND or KT_EIO.
 * Release with kt_data_blob_deinit(). */
int kt_data_read(struct kt_ctx *ctx, const char *path, struct kt_data_blob *ret);
void kt_data_blob_deinit(struct kt_data_blob *b);

typedef int (*kt_data_each_fn)(void *userdata, const char *path);
/* Call fn for each data file whose path starts with `prefix` (e.g. "rules/"),
 * in sorted order: the embedded set, plus files only in the data directory.
 * Stops early and returns fn's value if it returns non-zero. */
int kt_data_each(struct kt_ctx *ctx, const char *prefix, kt_data_each_fn fn, void *userdata);

#endif
