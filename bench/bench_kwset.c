/*
 * bench: measure the scanner's hot loop alone (keyword search + newline
 * counting) per engine on a file, reading it the way the scanner does
 * (1 MiB read() blocks). Prints MB/s, candidate lines and newlines.
 *
 * Usage: bench_kwset FILE [ENGINE...]   (engines: teddy vectorscan naive;
 *        teddy:N runs Teddy at SIMD level N: 0 scalar, 1 AVX2, 2 AVX-512 VBMI)
 * Keywords: the "header" lines of data/parse/headers.txt, embedded.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ktriage/ktriage.h>

#include "scan/kwset.h"
#include "util/data.h"

static double
clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "header | ID | KEYWORD [| FLAGS]" -> KEYWORD */
static size_t
load_keywords(struct kt_ctx *ctx, char ***ret)
{
	struct kt_data_blob b;
	char **kw = NULL;
	size_t n = 0;

	if (kt_data_read(ctx, "parse/headers.txt", &b) < 0)
		return 0;
	char *text = strndup(b.data, b.len);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "header | ", 9) != 0)
			continue;
		char *k = strstr(line + 9, " | ");
		if (!k)
			continue;
		k += 3;
		char *e = strstr(k, " | ");
		kw = realloc(kw, (n + 1) * sizeof(*kw));
		kw[n++] = e ? strndup(k, (size_t)(e - k)) : strdup(k);
	}
	free(text);
	kt_data_blob_deinit(&b);
	*ret = kw;
	return n;
}

static int
run(struct kt_kwset *s, const char *path)
{
	enum { BLK = 1 << 20 };
	char *buf = malloc(2 * BLK);
	size_t have = 0;
	unsigned long long lines = 0, cands = 0, bytes = 0;
	int fd = open(path, O_RDONLY);
	double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);

	if (fd < 0 || !buf)
		return 1;
	for (;;) {
		ssize_t n = read(fd, buf + have, BLK);
		if (n <= 0)
			break;
		bytes += (unsigned long long)n;
		have += (size_t)n;
		const char *end = memrchr(buf, '\n', have);
		size_t len = end ? (size_t)(end - buf) + 1 : 0;
		size_t at = 0, off;
		while (at < len && kt_kwset_find(s, buf + at, len - at, &off, NULL)) {
			const char *nl = memchr(buf + at + off, '\n', len - at - off);
			lines += kt_count_newlines(buf + at, off);
			cands++;
			size_t next = (size_t)(nl - buf) + 1;
			lines++;
			at = next;
		}
		lines += kt_count_newlines(buf + at, len - at);
		memmove(buf, buf + len, have - len);
		have -= len;
		if (have >= BLK)	/* a huge line: forget its head */
			have = 0;
	}
	double dt = clock_s(CLOCK_MONOTONIC) - t0, ct = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	printf("%-11s %7.0f MB/s wall %7.0f MB/s cpu  %6.3f s  candidate lines %llu  lines %llu\n",
	       kt_kwset_engine_name(kt_kwset_engine(s)), (double)bytes / dt / 1e6,
	       (double)bytes / ct / 1e6, dt, cands, lines);
	close(fd);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	struct kt_ctx *ctx = kt_ctx_new();
	char **kw;
	size_t n;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_kwset FILE [ENGINE...]\n");
		return 2;
	}
	n = load_keywords(ctx, &kw);
	if (n == 0) {
		fprintf(stderr, "bench_kwset: no keywords\n");
		return 1;
	}
	const char *def[] = { "teddy", "vectorscan", NULL };
	const char **engines = argc > 2 ? (const char **)argv + 2 : def;
	for (size_t i = 0; engines[i]; i++) {
		struct kt_kwset *s;
		char name[32];
		int isa = -1;
		snprintf(name, sizeof(name), "%s", engines[i]);
		if (strchr(name, ':')) {
			isa = atoi(strchr(name, ':') + 1);
			*strchr(name, ':') = 0;
		}
		enum kt_kwset_engine e = kt_kwset_engine_from_name(name);
		if (kt_kwset_new(ctx, (const char *const *)kw, n, e, &s) < 0) {
			fprintf(stderr, "bench_kwset: %s: %s\n", engines[i], kt_ctx_errmsg(ctx));
			continue;
		}
		if (isa >= 0 && kt_kwset_set_isa(s, isa) != isa) {
			fprintf(stderr, "bench_kwset: this CPU does not run SIMD level %d\n", isa);
			kt_kwset_free(s);
			continue;
		}
		if (kt_kwset_engine(s) == KT_KWSET_TEDDY)
			printf("(teddy SIMD level %d) ", kt_kwset_isa(s));
		run(s, argv[1]);
		kt_kwset_free(s);
	}
	kt_ctx_free(ctx);
	return 0;
}
