/* Test helpers for input: a temporary directory and files written into it. */
#ifndef KT_TEST_TESTFS_H
#define KT_TEST_TESTFS_H

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Not every test program uses every helper. */
#define TESTFS_FN static __attribute__((unused))

static char testfs_root[256];

TESTFS_FN int
testfs_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Create the temporary directory (once per test program). */
TESTFS_FN const char *
testfs_init(void)
{
	snprintf(testfs_root, sizeof(testfs_root), "/tmp/kt-input-test-XXXXXX");
	if (!mkdtemp(testfs_root)) {
		perror("mkdtemp");
		abort();
	}
	return testfs_root;
}

TESTFS_FN void
testfs_cleanup(void)
{
	if (testfs_root[0])
		(void)nftw(testfs_root, testfs_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Path below the test root, in a static rotating buffer. */
TESTFS_FN const char *
testfs_path(const char *rel)
{
	static char bufs[8][512];
	static int k;
	char *b = bufs[k++ & 7];

	snprintf(b, 512, "%s/%s", testfs_root, rel);
	return b;
}

/* Create directories along rel (like mkdir -p). */
TESTFS_FN void
testfs_mkdir(const char *rel)
{
	char p[1024];

	if (snprintf(p, sizeof(p), "%s/%s", testfs_root, rel) >= (int)sizeof(p))
		return;
	for (char *s = p + strlen(testfs_root) + 1; *s; s++) {
		if (*s == '/') {
			*s = 0;
			(void)mkdir(p, 0755);
			*s = '/';
		}
	}
	(void)mkdir(p, 0755);
}

/* Write len bytes to rel (parent directories are created). */
TESTFS_FN const char *
testfs_write(const char *rel, const void *data, size_t len)
{
	const char *path = testfs_path(rel);
	char dir[512];
	char *slash;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", rel);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = 0;
		testfs_mkdir(dir);
	}
	f = fopen(path, "wb");
	if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
		perror(path);
		abort();
	}
	return path;
}

TESTFS_FN const char *
testfs_write_str(const char *rel, const char *s)
{
	return testfs_write(rel, s, strlen(s));
}

/* Run a shell command; true on exit status 0. */
TESTFS_FN bool
testfs_sh(const char *fmt, const char *arg)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), fmt, arg);
	return system(cmd) == 0;
}

/* cmocka group fixtures: a fresh scratch tree for the group, removed after. */
static inline int
testfs_setup(void **state)
{
	(void)state;
	testfs_init();
	return 0;
}

static inline int
testfs_teardown(void **state)
{
	(void)state;
	testfs_cleanup();
	return 0;
}

#endif
