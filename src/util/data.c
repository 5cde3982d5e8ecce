/* util: embedded knowledge files and the --data override (see data.h). */
#include "util/data.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/ctx.h"
#include "util/mem.h"
#include "util/str.h"

/* Data files are small text tables; anything larger is a mistake. */
#define MAX_DATA_FILE (16u << 20)

void
kt_ctx_set_data_dir(struct kt_ctx *ctx, const char *dir)
{
	ctx->data_dir = dir;
}

static const struct kt_data_file *
find_embedded(const char *path)
{
	size_t lo = 0, hi = kt_embedded_data_count;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(kt_embedded_data[mid].path, path);

		if (c == 0)
			return &kt_embedded_data[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int
read_disk(struct kt_ctx *ctx, const char *full, struct kt_data_blob *ret)
{
	FILE *f = fopen(full, "rb");
	struct kt_buf b;
	char chunk[8192];
	size_t n;

	if (!f)
		return errno == ENOENT ? KT_ENOTFOUND
				       : kt_error(ctx, KT_EIO, "%s: %s", full, strerror(errno));
	kt_buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		kt_buf_add(&b, chunk, n);
		if (b.len > MAX_DATA_FILE) {
			(void)fclose(f);
			kt_buf_deinit(&b);
			return kt_error(ctx, KT_EIO, "%s: larger than %u bytes", full,
					MAX_DATA_FILE);
		}
	}
	(void)fclose(f);
	if (!b.p)
		kt_buf_add(&b, "", 0);
	ret->data = b.p;
	ret->len = b.len;
	ret->owned = b.p;
	ret->owned_origin = kt_strdup(full);
	ret->origin = ret->owned_origin;
	return 0;
}

int
kt_data_read(struct kt_ctx *ctx, const char *path, struct kt_data_blob *ret)
{
	const struct kt_data_file *e;

	memset(ret, 0, sizeof(*ret));
	if (ctx && ctx->data_dir) {
		char full[4096];
		int rc;

		(void)snprintf(full, sizeof(full), "%s/%s", ctx->data_dir, path);
		rc = read_disk(ctx, full, ret);
		if (rc != KT_ENOTFOUND)
			return rc;
	}
	e = find_embedded(path);
	if (!e)
		return kt_error(ctx, KT_ENOTFOUND, "data file '%s' not found", path);
	ret->data = e->data;
	ret->len = e->len;
	ret->origin = e->path;
	return 0;
}

void
kt_data_blob_deinit(struct kt_data_blob *b)
{
	free(b->owned);
	free(b->owned_origin);
	memset(b, 0, sizeof(*b));
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files in DATA_DIR/prefix-directory that are not embedded (one level). */
static void
disk_extras(struct kt_ctx *ctx, const char *prefix, struct kt_vec *out)
{
	char dir[4096];
	const char *slash = strrchr(prefix, '/');
	size_t dlen = slash ? (size_t)(slash - prefix) : 0;
	DIR *d;
	struct dirent *de;

	if (!ctx || !ctx->data_dir)
		return;
	(void)snprintf(dir, sizeof(dir), "%s/%.*s", ctx->data_dir, (int)dlen, prefix);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		char rel[4096];

		if (de->d_name[0] == '.')
			continue;
		(void)snprintf(rel, sizeof(rel), "%.*s%s%s", (int)dlen, prefix,
			       dlen ? "/" : "", de->d_name);
		if (strncmp(rel, prefix, strlen(prefix)) != 0 || find_embedded(rel))
			continue;
		*(char **)kt_vec_push(out) = kt_strdup(rel);
	}
	(void)closedir(d);
}

int
kt_data_each(struct kt_ctx *ctx, const char *prefix, kt_data_each_fn fn, void *userdata)
{
	struct kt_vec names;
	size_t plen = strlen(prefix);
	int rc = 0;

	kt_vec_init(&names, sizeof(char *));
	for (size_t i = 0; i < kt_embedded_data_count; i++)
		if (strncmp(kt_embedded_data[i].path, prefix, plen) == 0)
			*(char **)kt_vec_push(&names) = kt_strdup(kt_embedded_data[i].path);
	disk_extras(ctx, prefix, &names);
	if (names.n)
		qsort(names.v, names.n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < names.n && rc == 0; i++)
		rc = fn(userdata, *KT_VEC_AT(&names, char *, i));
	for (size_t i = 0; i < names.n; i++)
		free(*KT_VEC_AT(&names, char *, i));
	kt_vec_deinit(&names);
	return rc;
}
