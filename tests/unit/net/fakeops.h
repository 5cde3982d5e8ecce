/* Test helper: an in-memory struct kt_host_ops (files, symlinks, a
 * recording command runner that fails on demand). Header-only, static. */
#ifndef KT_TEST_FAKEOPS_H
#define KT_TEST_FAKEOPS_H

#include <stdlib.h>
#include <string.h>

#include <ktriage/net.h>

struct fake_entry {
	const char *path;	/* absolute, e.g. "/sys/class/net/eth0/mtu" */
	const char *content;	/* file content, or NULL */
	const char *link;	/* symlink target, or NULL */
};

struct fake_fs {
	const struct fake_entry *e;
	size_t n;
	char log[16384];	/* every command run, one per line */
	const char *fail_on;	/* a command containing this exits 1 */
	int runs;
};

static int
fake_read_file(void *ud, const char *path, size_t limit, char **ret, size_t *ret_len)
{
	struct fake_fs *fs = ud;

	for (size_t i = 0; i < fs->n; i++) {
		if (fs->e[i].content && strcmp(fs->e[i].path, path) == 0) {
			size_t len = strlen(fs->e[i].content);

			if (len > limit)
				len = limit;
			*ret = strndup(fs->e[i].content, len);
			*ret_len = len;
			return 0;
		}
	}
	return KT_ENOTFOUND;
}

static int
fake_list_dir(void *ud, const char *path, char ***ret, size_t *ret_n)
{
	struct fake_fs *fs = ud;
	size_t plen = strlen(path), n = 0;
	char **v = calloc(fs->n + 1, sizeof(*v));
	bool found = false;

	for (size_t i = 0; i < fs->n; i++) {
		const char *p = fs->e[i].path, *rest;
		size_t len;
		bool dup = false;

		if (strncmp(p, path, plen) != 0 || p[plen] != '/')
			continue;
		found = true;
		rest = p + plen + 1;
		len = strcspn(rest, "/");
		for (size_t j = 0; j < n; j++)
			if (strlen(v[j]) == len && strncmp(v[j], rest, len) == 0)
				dup = true;
		if (!dup)
			v[n++] = strndup(rest, len);
	}
	if (!found) {
		free(v);
		return KT_ENOTFOUND;
	}
	for (size_t i = 1; i < n; i++)	/* sort */
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	*ret = v;
	*ret_n = n;
	return 0;
}

static int
fake_read_link(void *ud, const char *path, char **ret)
{
	struct fake_fs *fs = ud;

	for (size_t i = 0; i < fs->n; i++)
		if (fs->e[i].link && strcmp(fs->e[i].path, path) == 0) {
			*ret = strdup(fs->e[i].link);
			return 0;
		}
	return KT_ENOTFOUND;
}

static int
fake_run(void *ud, const char *const *argv, size_t limit, char **ret_out, int *ret_status)
{
	struct fake_fs *fs = ud;
	char line[1024] = "";

	(void)limit;
	for (size_t i = 0; argv[i]; i++) {
		strncat(line, argv[i], sizeof(line) - strlen(line) - 2);
		strncat(line, argv[i + 1] ? " " : "", sizeof(line) - strlen(line) - 1);
	}
	strncat(fs->log, line, sizeof(fs->log) - strlen(fs->log) - 2);
	strncat(fs->log, "\n", sizeof(fs->log) - strlen(fs->log) - 1);
	fs->runs++;
	*ret_out = strdup("");
	*ret_status = fs->fail_on && strstr(line, fs->fail_on) ? 1 : 0;
	return 0;
}

static struct kt_host_ops
fake_ops(struct fake_fs *fs)
{
	struct kt_host_ops ops = { fs, fake_read_file, fake_list_dir, fake_read_link, fake_run, NULL };

	return ops;
}

#endif
