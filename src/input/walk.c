/*
 * input: walking what the user named into units (see walk.h). Directories
 * are listed and sorted; crash folders are recognised by their xen.log /
 * dom0.log; archives (tar or zip, any compression) are streamed once and the
 * members worth reading are copied into memory under a fixed budget.
 * Deciding what a unit *contains* (oopses, Xen panics) is not done here.
 */
#include "input/walk.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ktriage/limits.h>

#include "util/arena.h"
#include "util/ctx.h"
#include "util/mem.h"
#include "util/str.h"

/* Bytes of archive members kept in memory for one archive. */
#ifndef ARCHIVE_BUDGET
#define ARCHIVE_BUDGET	((size_t)256 << 20)
#endif
/* Bytes looked at to decide whether a file is text. */
#define SNIFF_LEN	4096

static const char *const role_names[KT_ROLE_COUNT] = {
	[KT_ROLE_LOG] = "log",
	[KT_ROLE_DOM0_LOG] = "dom0",
	[KT_ROLE_DOMN_LOG] = "domN",
	[KT_ROLE_XEN_LOG] = "xen",
	[KT_ROLE_XCA_LOG] = "xca",
	[KT_ROLE_KEXEC_DMESG] = "kexec-dmesg",
	[KT_ROLE_LSPCI] = "lspci",
	[KT_ROLE_OTHER] = "other",
};

/* Crash-folder file names, first match wins. Source:
 * https://github.com/xenserver/xen-crashdump-analyser (inventory written by
 * the kdump script and xen-crashdump-analyser, xcp-ng-rpms/kexec-tools
 * SOURCES/kdump). */
static const struct {
	const char *glob;
	enum kt_member_role role;
} crash_names[] = {
	{ "xen.log", KT_ROLE_XEN_LOG },
	{ "dom0.log", KT_ROLE_DOM0_LOG },
	{ "dom[0-9]*.structures.log", KT_ROLE_OTHER },
	{ "dom[0-9]*.log", KT_ROLE_DOMN_LOG },
	{ "xen-crashdump-analyser.log", KT_ROLE_XCA_LOG },
	{ "dmesg.kexec.log", KT_ROLE_KEXEC_DMESG },
	{ "lspci-*.out", KT_ROLE_LSPCI },
	{ "xen.pcpu*.stack.log", KT_ROLE_OTHER },
};

/* Archive members named like kernel logs: syslog files and their rotations,
 * dmesg captures, Xen console logs. Source: https://github.com/xenserver/xen-bugtool
 * (xen-bugtool system-logs and xen-info capabilities: kern.log, messages,
 * syslog, dmesg, xen-dmesg, xen/hypervisor.log, xl-dmesg.out). */
static const char *const log_globs[] = {
	"*.log", "*.log.*", "kern.log*", "messages*", "syslog*", "dmesg*", "*-dmesg*",
	"*.dmesg", "console*",
};

/* Logs in a status report that never carry kernel messages (xapi, storage
 * manager, audit, HA, Open vSwitch, the bug tool itself) and per-PCPU stack
 * dumps of a crash folder. Sources:
 * https://github.com/xenserver/xen-crashdump-analyser,
 * https://github.com/xenserver/xen-bugtool. */
static const char *const not_kernel_globs[] = {
	"xensource.log*", "SMlog*", "audit.log*", "xha.log*", "ovs-vswitchd.log*",
	"ovsdb-server.log*", "xen-bugtool.log*", "xcp-rrdd*", "xenopsd*", "squeezed*",
	"xcp-networkd*", "daemon.log*", "user.log*", "secure*", "cron*", "maillog*",
	"yum.log*", "*.structures.log", "xen.pcpu*.stack.log",
};

/* Archives inside an archive, walked too (one level deep): a XenCenter
 * "server status report" zip holds one xen-bugtool tarball per host
 * (https://github.com/xenserver/xen-bugtool). */
static const char *const archive_globs[] = {
	"*.tar", "*.tar.*", "*.tgz", "*.tbz", "*.tbz2", "*.txz", "*.zip",
};

/* Text files in a directory walk that are configuration or data, not logs. */
static const char *const not_log_globs[] = {
	"*.xml", "*.json", "*.htm", "*.html", "*.c", "*.h", "*.py", "*.sh", "*.md",
	"*.rst", "*.yaml", "*.yml", "*.conf", "*.cfg", "*.ini", "*.csv", "*.tsv",
	"*.db", "*.rules", "*.rule",
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static bool
match_any(const char *const *globs, size_t n, const char *base)
{
	for (size_t i = 0; i < n; i++)
		if (fnmatch(globs[i], base, 0) == 0)
			return true;
	return false;
}

const char *
kt_member_role_name(enum kt_member_role r)
{
	return (unsigned)r < KT_ROLE_COUNT ? role_names[r] : "other";
}

enum kt_member_role
kt_member_role_from_name(const char *name)
{
	for (int i = 0; i < KT_ROLE_COUNT; i++)
		if (name && strcmp(role_names[i], name) == 0)
			return (enum kt_member_role)i;
	return KT_ROLE_COUNT;
}

/* Named like a kernel log and not like a known user-space log. */
static bool
log_named(const char *base)
{
	return match_any(log_globs, N_ELEMS(log_globs), base) &&
	       !match_any(not_kernel_globs, N_ELEMS(not_kernel_globs), base);
}

enum kt_member_role
kt_member_role_of(const char *base)
{
	for (size_t i = 0; i < N_ELEMS(crash_names); i++)
		if (fnmatch(crash_names[i].glob, base, 0) == 0)
			return crash_names[i].role;
	return log_named(base) ? KT_ROLE_LOG : KT_ROLE_OTHER;
}

/* Role of a file that is a unit on its own. */
static enum kt_member_role
file_role(const char *base)
{
	enum kt_member_role r = kt_member_role_of(base);

	return r == KT_ROLE_OTHER ? KT_ROLE_LOG : r;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

struct walker {
	struct kt_ctx *ctx;
	kt_unit_fn fn;
	kt_split_fn split;	/* kt_walk_split: report paths instead of units */
	void *ud;
	int stop;		/* fn's non-zero return: end the walk */
	size_t entries;		/* directory/archive entries examined */
	bool entries_noted;
	size_t budget;		/* archive bytes that may still be copied */
	size_t depth;
	dev_t devs[KT_MAX_DIR_DEPTH + 2];	/* directories being walked */
	ino_t inos[KT_MAX_DIR_DEPTH + 2];
};

static bool
count_entry(struct walker *w, const char *where)
{
	if (w->entries >= KT_MAX_DIR_FILES) {
		if (!w->entries_noted)
			kt_diag(w->ctx, KT_SEV_WARN, where,
				"stopped after %d files (KT_MAX_DIR_FILES)", KT_MAX_DIR_FILES);
		w->entries_noted = true;
		return false;
	}
	w->entries++;
	return true;
}

static int
emit(struct walker *w, const struct kt_unit *u)
{
	int r = w->fn(w->ud, u);

	if (r != 0)
		w->stop = r;
	return r;
}

static char *
join(struct kt_arena *a, const char *dir, const char *name)
{
	size_t n = strlen(dir);

	if (n > 0 && dir[n - 1] == '/')
		return kt_arena_printf(a, "%s%s", dir, name);
	return kt_arena_printf(a, "%s/%s", dir, name);
}

static int
emit_file(struct walker *w, const char *path)
{
	struct kt_arena *a = kt_arena_new();
	struct kt_unit_member *m = kt_arena_alloc(a, sizeof(*m));
	struct kt_unit u = { .display = path, .n_members = 1, .members = m };
	int r;

	m->name = kt_arena_strdup(a, base_name(path));
	m->role = strcmp(path, "-") == 0 ? KT_ROLE_LOG : file_role(m->name);
	m->path_ = path;
	r = emit(w, &u);
	kt_arena_free(a);
	return r;
}

/* --- what a file holds -------------------------------------------------- */

enum sniff { SNIFF_EMPTY, SNIFF_TEXT, SNIFF_BINARY, SNIFF_ARCHIVE };


/* Text unless an executable, or more than 1/16 of the non-NUL bytes are
 * control characters or invalid UTF-8. NUL bytes are ignored: logs written
 * just before a crash often have runs of them, and stay logs. */
static bool
looks_text(const unsigned char *p, size_t n)
{
	size_t nonnul = 0, bad = 0;

	if (n >= 4 && memcmp(p, "\x7f" "ELF", 4) == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];

		if ((c >= 0x20 && c < 0x7f) || c == '\n') {	/* almost every byte */
			nonnul++;
			continue;
		}
		if (c == 0)
			continue;
		nonnul++;
		if (c >= 0x80) {
			size_t l = kt_utf8_len(p + i, n - i);

			if (l == 0 && n - i >= 4)	/* a cut sequence at the end is fine */
				bad++;
			else if (l > 0) {
				nonnul += l - 1;
				i += l - 1;
			}
		} else if ((c < 0x20 && !strchr("\t\n\r\f\v\b\a\x1b", c)) || c == 0x7f) {
			bad++;
		}
	}
	return nonnul > 0 && bad * 16 <= nonnul;
}

static bool
probe_archive(const char *path)
{
	struct archive *ar = archive_read_new();
	struct archive_entry *ent;
	int r;

	if (!ar)
		kt_oom(sizeof(void *));
	(void)archive_read_support_filter_all(ar);
	(void)archive_read_support_format_tar(ar);
	(void)archive_read_support_format_zip(ar);
	r = archive_read_open_filename(ar, path, 65536);
	if (r == ARCHIVE_OK)
		r = archive_read_next_header(ar, &ent);
	(void)archive_read_free(ar);
	return r == ARCHIVE_OK || r == ARCHIVE_WARN;
}

/* Decide what the file at path is. Returns 0 or KT_ENOTFOUND/KT_EIO. */
static int
sniff_file(struct kt_ctx *ctx, const char *path, enum sniff *ret)
{
	unsigned char head[SNIFF_LEN];
	size_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return kt_error(ctx, errno == ENOENT ? KT_ENOTFOUND : KT_EIO, "opening '%s': %s",
				path, strerror(errno));
	while (n < sizeof(head)) {
		ssize_t k = read(fd, head + n, sizeof(head) - n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = errno;

			(void)close(fd);
			return kt_error(ctx, KT_EIO, "reading '%s': %s", path, strerror(e));
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	(void)close(fd);

	if (n == 0)
		*ret = SNIFF_EMPTY;
	else if (n >= 4 && (memcmp(head, "PK\x03\x04", 4) == 0 || memcmp(head, "PK\x05\x06", 4) == 0))
		*ret = SNIFF_ARCHIVE;
	else if (n >= 262 && memcmp(head + 257, "ustar", 5) == 0)
		*ret = SNIFF_ARCHIVE;
	else if (!kt_input_sniff_compression(head, n))
		*ret = looks_text(head, n) ? SNIFF_TEXT : SNIFF_BINARY;
	else if (probe_archive(path))
		*ret = SNIFF_ARCHIVE;
	else {
		/* A compressed file: judge the decompressed head. */
		struct kt_input *in;
		const char *p;
		size_t len;
		int r = kt_input_open(ctx, path, &in);

		if (r < 0)
			return r;
		r = kt_input_read_block(in, &p, &len);
		if (r < 0) {
			kt_input_free(in);
			return r;
		}
		if (r == 0)
			*ret = SNIFF_EMPTY;
		else
			*ret = looks_text((const unsigned char *)p, len < SNIFF_LEN ? len : SNIFF_LEN)
				? SNIFF_TEXT : SNIFF_BINARY;
		kt_input_free(in);
	}
	return 0;
}

/* --- archives ------------------------------------------------------------ */

struct copy {
	char *path;		/* member path, without leading "./" or "/" */
	const char *base;	/* in path */
	size_t dir_len;		/* length of the directory part, with its '/' */
	char *data;
	size_t len;
};

/* Order by directory, then name, so that one folder's members are adjacent. */
static int
cmp_copy(const void *pa, const void *pb)
{
	const struct copy *a = pa, *b = pb;
	size_t n = a->dir_len < b->dir_len ? a->dir_len : b->dir_len;
	int c = memcmp(a->path, b->path, n);

	if (c != 0)
		return c;
	if (a->dir_len != b->dir_len)
		return a->dir_len < b->dir_len ? -1 : 1;
	return strcmp(a->base, b->base);
}

/* Whether an archive member is worth copying. */
static bool
wanted(const char *base)
{
	return kt_member_role_of(base) != KT_ROLE_OTHER;
}

/* Copy the current member's data, within *budget. Returns false when the
 * archive is broken and reading must stop. */
static bool
copy_data(struct walker *w, struct archive *ar, const char *what, struct copy *c)
{
	size_t *budget = &w->budget;
	size_t cap = 0;

	for (;;) {
		char tmp[65536];
		la_ssize_t k = archive_read_data(ar, tmp, sizeof(tmp));

		if (k == 0)
			return true;
		if (k < 0) {
			kt_diag(w->ctx, KT_SEV_WARN, what, "reading archive member: %s",
				archive_error_string(ar) ? archive_error_string(ar) : "error");
			return k == ARCHIVE_WARN || k == ARCHIVE_RETRY;
		}
		if ((size_t)k > *budget) {
			kt_diag(w->ctx, KT_SEV_WARN, what,
				"archive members exceed the %zu KiB memory budget; member cut at %zu bytes",
				(size_t)ARCHIVE_BUDGET >> 10, c->len + *budget);
			k = (la_ssize_t)*budget;
		}
		if (c->len + (size_t)k > cap) {
			cap = cap ? cap * 2 : 65536;
			while (cap < c->len + (size_t)k)
				cap *= 2;
			c->data = kt_realloc(c->data, cap);
		}
		memcpy(c->data + c->len, tmp, (size_t)k);
		c->len += (size_t)k;
		*budget -= (size_t)k;
		if (*budget == 0)
			return true;
	}
}

/* Read an archive (file `path`, or `mem` when path is NULL) once, copying
 * wanted members into `copies` and, if `nested` is not NULL, archives inside
 * it into `nested`. Returns 0 or KT_EFORMAT when not even the first header
 * could be read. */
static int
read_archive(struct walker *w, const char *display, const char *path, const void *mem,
	     size_t len, struct kt_vec *copies, struct kt_vec *nested)
{
	struct archive *ar = archive_read_new();
	struct archive_entry *ent;
	size_t seen = 0;
	int r;

	if (!ar)
		kt_oom(sizeof(void *));
	(void)archive_read_support_filter_all(ar);
	(void)archive_read_support_format_tar(ar);
	(void)archive_read_support_format_zip(ar);
	r = path ? archive_read_open_filename(ar, path, 1 << 20)
		 : archive_read_open_memory(ar, mem, len);
	while (r == ARCHIVE_OK) {
		struct kt_vec *into;

		r = archive_read_next_header(ar, &ent);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			break;
		r = ARCHIVE_OK;
		seen++;
		if (!count_entry(w, display))
			break;
		const char *name = archive_entry_pathname(ent);
		if (archive_entry_filetype(ent) != AE_IFREG || !name)
			continue;
		while (name[0] == '/' || (name[0] == '.' && name[1] == '/'))
			name += name[0] == '/' ? 1 : 2;
		if (wanted(base_name(name)))
			into = copies;
		else if (nested && match_any(archive_globs, N_ELEMS(archive_globs), base_name(name)))
			into = nested;
		else
			continue;
		if (w->budget == 0) {
			kt_diag(w->ctx, KT_SEV_WARN, display,
				"member '%s' skipped: the %zu KiB memory budget is used up", name,
				(size_t)ARCHIVE_BUDGET >> 10);
			continue;
		}
		struct copy *c = kt_vec_push(into);
		c->path = kt_strdup(name);
		c->base = base_name(c->path);
		c->dir_len = (size_t)(c->base - c->path);
		if (!copy_data(w, ar, c->path, c))
			r = ARCHIVE_FATAL;
	}
	if (r != ARCHIVE_EOF && r != ARCHIVE_OK) {
		const char *msg = archive_error_string(ar) ? archive_error_string(ar) : "unreadable";

		if (seen == 0) {
			r = kt_error(w->ctx, KT_EFORMAT, "reading archive '%s': %s", display, msg);
			(void)archive_read_free(ar);
			return r;
		}
		kt_diag(w->ctx, KT_SEV_WARN, display, "archive ends early: %s", msg);
	}
	(void)archive_read_free(ar);
	return 0;
}

static void
free_copies(struct kt_vec *copies)
{
	for (size_t i = 0; i < copies->n; i++) {
		free(KT_VEC_AT(copies, struct copy, i)->path);
		free(KT_VEC_AT(copies, struct copy, i)->data);
	}
	kt_vec_deinit(copies);
}

static bool
same_dir(const struct copy *a, const struct copy *b)
{
	return a->dir_len == b->dir_len && memcmp(a->path, b->path, a->dir_len) == 0;
}

static int
cmp_unit(const void *a, const void *b)
{
	return strcmp(((const struct kt_unit *)a)->display, ((const struct kt_unit *)b)->display);
}

static void
set_copy(struct kt_unit_member *m, const struct copy *c, enum kt_member_role role)
{
	m->name = c->base;
	m->role = role;
	m->data_ = c->data ? c->data : "";
	m->len_ = c->len;
}

/* Group copied members (sorted by cmp_copy) into units: a folder holding
 * xen.log or dom0.log is one crash-folder unit, other logs are units of
 * their own. Emit them sorted by display name. */
static void
emit_archive_units(struct walker *w, const char *path, const struct copy *v, size_t n)
{
	struct kt_arena *a = kt_arena_new();
	struct kt_unit *units = NULL, *u;
	size_t nu = 0, cap = 0, j;

	for (size_t i = 0; i < n; i = j) {
		bool crash = false;

		for (j = i; j < n && same_dir(&v[i], &v[j]); j++) {
			enum kt_member_role r = kt_member_role_of(v[j].base);

			crash = crash || r == KT_ROLE_XEN_LOG || r == KT_ROLE_DOM0_LOG;
		}
		if (crash) {
			size_t mcap = 0;

			u = kt_arena_push(a, (void **)&units, &nu, &cap, sizeof(*u));
			u->display = v[i].dir_len == 0 ? path :	/* folder at the archive root */
				kt_arena_printf(a, "%s:%.*s", path, (int)v[i].dir_len, v[i].path);
			u->crash_folder = true;
			for (size_t k = i; k < j; k++) {
				enum kt_member_role role = kt_member_role_of(v[k].base);

				if (role != KT_ROLE_OTHER)
					set_copy(kt_arena_push(a, (void **)&u->members, &u->n_members,
							       &mcap, sizeof(struct kt_unit_member)),
						 &v[k], role);
			}
			continue;
		}
		for (size_t k = i; k < j; k++) {
			if (!log_named(v[k].base))
				continue;
			u = kt_arena_push(a, (void **)&units, &nu, &cap, sizeof(*u));
			u->display = kt_arena_printf(a, "%s:%s", path, v[k].path);
			u->n_members = 1;
			u->members = kt_arena_alloc(a, sizeof(*u->members));
			set_copy(u->members, &v[k], file_role(v[k].base));
		}
	}
	if (nu > 1)
		qsort(units, nu, sizeof(*units), cmp_unit);
	for (size_t i = 0; i < nu && !w->stop; i++)
		(void)emit(w, &units[i]);
	kt_arena_free(a);
}

/* Units of one archive (see read_archive for path/mem/nested). */
static int
archive_units(struct walker *w, const char *display, const char *path, const void *mem,
	      size_t len, struct kt_vec *nested)
{
	struct kt_vec copies;
	int r;

	kt_vec_init(&copies, sizeof(struct copy));
	r = read_archive(w, display, path, mem, len, &copies, nested);
	if (r == 0) {
		if (copies.n > 1)
			qsort(copies.v, copies.n, sizeof(struct copy), cmp_copy);
		emit_archive_units(w, display, copies.v, copies.n);
	}
	free_copies(&copies);
	return r;
}

/* An archive file: its units, then those of the archives inside it. */
static int
walk_archive(struct walker *w, const char *path)
{
	struct kt_vec nested;
	int r;

	kt_vec_init(&nested, sizeof(struct copy));
	w->budget = ARCHIVE_BUDGET;
	r = archive_units(w, path, path, NULL, 0, &nested);
	if (nested.n > 1)
		qsort(nested.v, nested.n, sizeof(struct copy), cmp_copy);
	for (size_t i = 0; i < nested.n && r == 0 && !w->stop; i++) {
		struct copy *c = KT_VEC_AT(&nested, struct copy, i);
		struct kt_arena *a = kt_arena_new();
		const char *display = kt_arena_printf(a, "%s:%s", path, c->path);

		if (archive_units(w, display, NULL, c->data ? c->data : "", c->len, NULL) < 0)
			kt_diag(w->ctx, KT_SEV_WARN, display, "%s", kt_ctx_errmsg(w->ctx));
		kt_arena_free(a);
	}
	free_copies(&nested);
	return r;
}

/* --- directories --------------------------------------------------------- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in a directory (without "." and ".."). Free with free_names. */
static int
list_dir(struct walker *w, const char *path, char ***ret, size_t *ret_n)
{
	DIR *d = opendir(path);
	struct kt_vec names;
	struct dirent *de;

	if (!d)
		return kt_error(w->ctx, errno == ENOENT ? KT_ENOTFOUND : KT_EIO,
				"opening directory '%s': %s", path, strerror(errno));
	kt_vec_init(&names, sizeof(char *));
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (!count_entry(w, path))
			break;
		*(char **)kt_vec_push(&names) = kt_strdup(de->d_name);
	}
	(void)closedir(d);
	if (names.n > 1)
		qsort(names.v, names.n, sizeof(char *), cmp_str);
	*ret = names.v;
	*ret_n = names.n;
	return 0;
}

static void
free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static bool
is_regular(const char *dir, const char *name)
{
	struct kt_arena *a = kt_arena_new();
	struct stat st;
	bool r = stat(join(a, dir, name), &st) == 0 && S_ISREG(st.st_mode);

	kt_arena_free(a);
	return r;
}

static bool
is_crash_folder(const char *path, char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((strcmp(names[i], "xen.log") == 0 || strcmp(names[i], "dom0.log") == 0) &&
		    is_regular(path, names[i]))
			return true;
	return false;
}

/* kt_walk_split: the path is one piece of the walk. */
static int
emit_split(struct walker *w, const char *path, unsigned flags)
{
	int r = w->split(w->ud, path, flags);

	if (r != 0)
		w->stop = r;
	return r;
}

static int
emit_crash_folder(struct walker *w, const char *path, char **names, size_t n)
{
	struct kt_arena *a;
	struct kt_unit u = { .display = path, .crash_folder = true };
	size_t cap = 0;
	int r;

	if (w->split)
		return emit_split(w, path, 0);
	a = kt_arena_new();

	for (size_t i = 0; i < n; i++) {
		if (!is_regular(path, names[i]))
			continue;
		struct kt_unit_member *m = kt_arena_push(a, (void **)&u.members, &u.n_members,
							 &cap, sizeof(*m));
		m->name = kt_arena_strdup(a, names[i]);
		m->role = kt_member_role_of(names[i]);
		m->path_ = join(a, path, names[i]);
	}
	r = emit(w, &u);
	kt_arena_free(a);
	return r;
}

static int walk_dir(struct walker *w, const char *path);

/* A file met while walking a directory: problems are diagnostics. */
static void
walk_file(struct walker *w, const char *path)
{
	enum sniff kind;

	if (w->split) {
		/* What the file holds is looked at when the piece is walked
		 * (kt_walk_member), in parallel. A name that rules out a log
		 * leaves only an archive: that needs a look now. */
		if (!match_any(not_log_globs, N_ELEMS(not_log_globs), base_name(path)) ||
		    (sniff_file(w->ctx, path, &kind) == 0 && kind == SNIFF_ARCHIVE))
			(void)emit_split(w, path, KT_SPLIT_MEMBER);
		return;
	}
	if (sniff_file(w->ctx, path, &kind) < 0) {
		kt_diag(w->ctx, KT_SEV_WARN, path, "%s", kt_ctx_errmsg(w->ctx));
		return;
	}
	if (kind == SNIFF_ARCHIVE) {
		if (walk_archive(w, path) < 0)
			kt_diag(w->ctx, KT_SEV_WARN, path, "%s", kt_ctx_errmsg(w->ctx));
	} else if (kind == SNIFF_TEXT &&
		   !match_any(not_log_globs, N_ELEMS(not_log_globs), base_name(path))) {
		(void)emit_file(w, path);
	}
}

static void
walk_entry(struct walker *w, const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		kt_diag(w->ctx, KT_SEV_WARN, path, "%s", strerror(errno));
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		if (w->depth >= KT_MAX_DIR_DEPTH) {
			kt_diag(w->ctx, KT_SEV_INFO, path, "not entered: deeper than %d levels",
				KT_MAX_DIR_DEPTH);
			return;
		}
		if (walk_dir(w, path) < 0)
			kt_diag(w->ctx, KT_SEV_WARN, path, "%s", kt_ctx_errmsg(w->ctx));
	} else if (S_ISREG(st.st_mode)) {
		walk_file(w, path);
	}
}

static int
walk_dir(struct walker *w, const char *path)
{
	struct stat st;
	char **names = NULL;
	size_t n = 0;
	int r;

	if (stat(path, &st) != 0)
		return kt_error(w->ctx, KT_EIO, "'%s': %s", path, strerror(errno));
	for (size_t i = 0; i < w->depth; i++)
		if (w->devs[i] == st.st_dev && w->inos[i] == st.st_ino) {
			kt_diag(w->ctx, KT_SEV_INFO, path, "skipped: directory loop");
			return 0;
		}
	r = list_dir(w, path, &names, &n);
	if (r < 0)
		return r;
	if (is_crash_folder(path, names, n)) {
		(void)emit_crash_folder(w, path, names, n);
		free_names(names, n);
		return 0;
	}
	w->devs[w->depth] = st.st_dev;
	w->inos[w->depth] = st.st_ino;
	w->depth++;
	for (size_t i = 0; i < n && !w->stop; i++) {
		if (names[i][0] == '.')
			continue;
		struct kt_arena *a = kt_arena_new();
		walk_entry(w, join(a, path, names[i]));
		kt_arena_free(a);
	}
	w->depth--;
	free_names(names, n);
	return 0;
}

int
kt_walk(struct kt_ctx *ctx, const char *path, kt_unit_fn fn, void *ud)
{
	struct walker w = { .ctx = ctx, .fn = fn, .ud = ud };
	struct stat st;
	enum sniff kind;
	int r;

	if (!path || !fn)
		return kt_error(ctx, KT_EINVAL, "kt_walk: no path or callback");
	if (strcmp(path, "-") == 0) {
		(void)emit_file(&w, path);
		return w.stop;
	}
	if (stat(path, &st) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return kt_error(ctx, KT_ENOTFOUND, "'%s': no such file or directory", path);
		return kt_error(ctx, KT_EIO, "'%s': %s", path, strerror(errno));
	}
	if (S_ISDIR(st.st_mode)) {
		r = walk_dir(&w, path);
		return r < 0 ? r : w.stop;
	}
	if (S_ISREG(st.st_mode)) {
		r = sniff_file(ctx, path, &kind);
		if (r < 0)
			return r;
		if (kind == SNIFF_ARCHIVE) {
			r = walk_archive(&w, path);
			return r < 0 ? r : w.stop;
		}
	}
	/* Named explicitly: analysed whatever it looks like (FIFOs included). */
	(void)emit_file(&w, path);
	return w.stop;
}

int
kt_walk_split(struct kt_ctx *ctx, const char *path, kt_split_fn fn, void *ud)
{
	struct walker w = { .ctx = ctx, .split = fn, .ud = ud };
	struct stat st;
	int r;

	if (!path || !fn)
		return kt_error(ctx, KT_EINVAL, "kt_walk_split: no path or callback");
	if (strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return fn(ud, path, 0);	/* one piece; kt_walk reports its problems */
	r = walk_dir(&w, path);
	return r < 0 ? r : w.stop;
}

int
kt_walk_member(struct kt_ctx *ctx, const char *path, kt_unit_fn fn, void *ud)
{
	struct walker w = { .ctx = ctx, .fn = fn, .ud = ud };

	if (!path || !fn)
		return kt_error(ctx, KT_EINVAL, "kt_walk_member: no path or callback");
	walk_file(&w, path);
	return w.stop;
}

/* --- opening members ----------------------------------------------------- */

int
kt_unit_open(struct kt_ctx *ctx, const struct kt_unit *u, size_t member, struct kt_input **ret)
{
	const struct kt_unit_member *m;
	struct kt_buf name;
	int r;

	if (!u || member >= u->n_members)
		return kt_error(ctx, KT_EINVAL, "no member %zu in '%s'", member,
				u && u->display ? u->display : "");
	m = &u->members[member];
	if (m->path_)
		return kt_input_open(ctx, m->path_, ret);
	kt_buf_init(&name);
	kt_buf_adds(&name, u->display);
	if (u->crash_folder) {
		if (name.len > 0 && name.p[name.len - 1] != '/' && name.p[name.len - 1] != ':')
			kt_buf_addc(&name, '/');
		kt_buf_adds(&name, m->name);
	}
	r = kt_input_open_mem(ctx, name.p, m->data_, m->len_, ret);
	kt_buf_deinit(&name);
	return r;
}

long
kt_unit_find(const struct kt_unit *u, enum kt_member_role role)
{
	for (size_t i = 0; i < u->n_members; i++)
		if (u->members[i].role == role)
			return (long)i;
	return -1;
}

/* "INFO  COMPLETE", or at the highest verbosity
 * "INFO  (main.cpp:123 main()) COMPLETE" (xen-crashdump-analyser src/main.cpp). */
static bool
is_complete_line(struct kt_str s)
{
	s = kt_str_trim(s);
	return kt_str_starts_with(s, "INFO") && kt_str_ends_with(s, " COMPLETE");
}

int
kt_xca_complete(struct kt_ctx *ctx, const struct kt_unit *u, bool *ret)
{
	long i = kt_unit_find(u, KT_ROLE_XCA_LOG);
	struct kt_input *in;
	struct kt_str line;
	uint32_t no;
	bool trunc, complete = false;
	int r;

	if (i < 0)
		return kt_error(ctx, KT_ENOTFOUND, "'%s' has no xen-crashdump-analyser.log",
				u->display);
	r = kt_unit_open(ctx, u, (size_t)i, &in);
	if (r < 0)
		return r;
	while ((r = kt_input_next(in, &line, &no, &trunc)) > 0)
		if (is_complete_line(line))
			complete = true;
	kt_input_free(in);
	if (r < 0)
		return r;
	*ret = complete;
	return 0;
}
