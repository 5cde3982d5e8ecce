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
	size_t split_pieces;	/* pieces given to split */
	size_t entries;		/* directory/archive entries examined */
	bool entries_noted;
	size_t budget;		/* archive bytes that may still be copied */
	size_t depth;
	size_t units_or_files;	/* files looked at (kt_walk: say when none) */
	dev_t devs[KT_MAX_DIR_DEPTH + 2];	/* directories being walked */
	ino_t inos[KT_MAX_DIR_DEPTH + 2];
};

static bool
count_entry(struct walker *w, const char *where)
{
	size_t max = w->ctx->limits.max_members ? w->ctx->limits.max_members
						: KT_DEFAULT_MAX_MEMBERS;

	if (w->entries >= max) {
		if (!w->entries_noted)
			kt_problem(w->ctx, where, KT_PROBLEM_LIMIT, NULL, -1,
				   "stopped after %zu files and archive members (--max-members %zu)",
				   max, max);
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

/* A unit of one file; `in` (or NULL) is the input already reading it, taken
 * by kt_unit_open() (freed here if the unit did not open it). */
static int
emit_file_in(struct walker *w, const char *path, struct kt_input *in)
{
	struct kt_arena *a = kt_arena_new();
	struct kt_unit_member *m = kt_arena_alloc(a, sizeof(*m));
	struct kt_unit u = { .display = path, .n_members = 1, .members = m };
	int r;

	m->name = kt_arena_strdup(a, base_name(path));
	m->role = strcmp(path, "-") == 0 ? KT_ROLE_LOG : file_role(m->name);
	m->path_ = path;
	m->in_ = in ? &in : NULL;
	r = emit(w, &u);
	kt_input_free(in);
	kt_arena_free(a);
	return r;
}

static int
emit_file(struct walker *w, const char *path)
{
	return emit_file_in(w, path, NULL);
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
		kt_input_set_quiet(in, true);
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

/* What the regular file at path holds (as sniff_file()), opened once: when
 * it is neither compressed nor an archive, *ret_in is the input that goes
 * on reading it (the unit takes it), else NULL. `st`: the file's stat, or
 * NULL. Returns 0 or KT_ENOTFOUND/KT_EIO (sniff_file()'s message). */
static int
look_file(struct walker *w, const char *path, const struct stat *st, enum sniff *ret,
	  struct kt_input **ret_in)
{
	struct stat own;
	struct kt_input *in;
	const char *p;
	size_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*ret_in = NULL;
	if (fd < 0)
		return sniff_file(w->ctx, path, ret);	/* says why */
	if (!st && fstat(fd, &own) == 0)
		st = &own;
	if (!st || !S_ISREG(st->st_mode)) {
		(void)close(fd);
		return sniff_file(w->ctx, path, ret);
	}
	if (kt_input_open_fd(w->ctx, path, fd, st, true, &in) < 0)	/* compressed */
		return sniff_file(w->ctx, path, ret);
	if (kt_input_raw_head(in, SNIFF_LEN, &p, &n) < 0) {
		kt_input_free(in);
		return sniff_file(w->ctx, path, ret);
	}
	if (n == 0)
		*ret = SNIFF_EMPTY;
	else if (n >= 4 && (memcmp(p, "PK\x03\x04", 4) == 0 || memcmp(p, "PK\x05\x06", 4) == 0))
		*ret = SNIFF_ARCHIVE;
	else if (n >= 262 && memcmp(p + 257, "ustar", 5) == 0)
		*ret = SNIFF_ARCHIVE;
	else
		*ret = looks_text((const unsigned char *)p, n) ? SNIFF_TEXT : SNIFF_BINARY;
	if (*ret == SNIFF_ARCHIVE)
		kt_input_free(in);
	else
		*ret_in = in;
	return 0;
}

/* --- archives ------------------------------------------------------------ */

struct copy {
	char *path;		/* member path, without leading "./" or "/" */
	const char *base;	/* in path */
	size_t dir_len;		/* length of the directory part, with its '/' */
	char *data;
	size_t len;
	/* what went wrong copying it, reported when its unit opens it */
	int prob_kind;		/* KT_PROBLEM_*, or -1 */
	int64_t prob_off;
	char *prob_msg;
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

/* Kind of an archive failure: a cut or damaged compressed stream below
 * the archive says which; else libarchive's words do. */
static enum kt_problem_kind
archive_kind(struct kt_input *under, const char *msg, const char **why)
{
	int k = under ? kt_input_damage(under, why, NULL) : -1;

	if (k >= 0)
		return (enum kt_problem_kind)k;
	*why = msg;
	return msg && (strstr(msg, "runcat") || strstr(msg, "remature") || strstr(msg, "EOF"))
		? KT_PROBLEM_TRUNCATED : KT_PROBLEM_CORRUPT;
}

/* Copy the current member's data, within *budget. Returns false when the
 * archive is broken and reading must stop. */
static bool
copy_data(struct walker *w, struct archive *ar, const char *what, struct copy *c,
	  struct kt_input *under)
{
	size_t *budget = &w->budget;
	size_t cap = 0;

	for (;;) {
		char tmp[65536];
		la_ssize_t k = archive_read_data(ar, tmp, sizeof(tmp));

		if (k == 0)
			return true;
		if (k == ARCHIVE_RETRY || k == ARCHIVE_WARN)
			continue;
		if (k < 0) {
			const char *why = NULL;
			enum kt_problem_kind kind = archive_kind(under, archive_error_string(ar), &why);

			struct kt_buf b;

			kt_buf_init(&b);
			kt_buf_printf(&b, "archive '%s' %s inside this member, after %zu bytes of "
				      "it: %s", what, kind == KT_PROBLEM_TRUNCATED ? "ends" : "is damaged",
				      c->len, why ? why : "unreadable");
			c->prob_kind = (int)kind;
			c->prob_off = (int64_t)c->len;
			c->prob_msg = b.p;
			return false;
		}
		if ((size_t)k > *budget) {
			struct kt_buf b;

			kt_buf_init(&b);
			kt_buf_printf(&b, "member cut at %zu bytes: crash-folder members of one "
				      "archive are kept in memory up to %zu KiB", c->len + *budget,
				      (size_t)ARCHIVE_BUDGET >> 10);
			c->prob_kind = KT_PROBLEM_LIMIT;
			c->prob_off = (int64_t)(c->len + *budget);
			c->prob_msg = b.p;
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

static void
free_copies(struct kt_vec *copies)
{
	for (size_t i = 0; i < copies->n; i++) {
		free(KT_VEC_AT(copies, struct copy, i)->path);
		free(KT_VEC_AT(copies, struct copy, i)->data);
		free(KT_VEC_AT(copies, struct copy, i)->prob_msg);
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
	m->prob_kind_ = c->prob_kind;
	m->prob_off_ = c->prob_off;
	m->prob_msg_ = c->prob_msg;
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

/* An archive member read as a stream (a log analysed as it is read, or an
 * archive inside the archive): bytes come from archive_read_data(). */
struct member_rd {
	struct walker *w;
	struct archive *ar;
	struct kt_input *under;	/* the archive's own (decoded) bytes, for the cause */
	const char *display;	/* the archive */
	const char *member;	/* member path */
	uint64_t off;
	bool failed;
	char buf[65536];
};

static int
member_read(void *ud, const char **p, size_t *len)
{
	struct member_rd *m = ud;
	la_ssize_t k;

	if (m->failed)
		return KT_EFORMAT;
	do
		k = archive_read_data(m->ar, m->buf, sizeof(m->buf));
	while (k == ARCHIVE_RETRY);
	if (k > 0) {
		*p = m->buf;
		*len = (size_t)k;
		m->off += (uint64_t)k;
		return 1;
	}
	if (k == 0 || k == ARCHIVE_WARN)
		return 0;
	const char *msg = archive_error_string(m->ar), *why = NULL;
	enum kt_problem_kind kind = archive_kind(m->under, msg, &why);

	m->failed = true;
	kt_problem(m->w->ctx, m->display, kind, m->member, (int64_t)m->off,
		   "archive '%s' %s inside this member, after %llu bytes of it: %s",
		   m->display, kind == KT_PROBLEM_TRUNCATED ? "ends" : "is damaged",
		   (unsigned long long)m->off, why ? why : "unreadable");
	return KT_EFORMAT;
}

/* libarchive reads the archive's bytes from a kt_input (decoded). */
static la_ssize_t
input_cb_read(struct archive *a, void *ud, const void **buf)
{
	struct kt_input *in = ud;
	const char *p = NULL;
	size_t len = 0;
	int r = kt_input_read_block(in, &p, &len);

	if (r < 0) {
		archive_set_error(a, EIO, "%s", "read error");
		return -1;
	}
	if (r == 0)
		return 0;
	*buf = p;
	return (la_ssize_t)len;
}

static size_t
max_depth(const struct walker *w)
{
	size_t d = w->ctx->limits.max_depth;

	return d == 0 ? KT_DEFAULT_MAX_DEPTH : d == SIZE_MAX ? 0 : d;
}

static int walk_stream_archive(struct walker *w, const char *display, struct kt_input *in,
			       const char *path, size_t depth);

/* A member named like a log, analysed as it is read. */
static void
emit_streamed(struct walker *w, const char *display, const char *name, struct member_rd *m)
{
	struct kt_arena *a = kt_arena_new();
	struct kt_unit_member *um = kt_arena_alloc(a, sizeof(*um));
	struct kt_unit u = { .n_members = 1, .members = um };

	u.display = kt_arena_printf(a, "%s:%s", display, name);
	um->name = base_name(name);
	um->role = file_role(um->name);
	um->reader_ = member_read;
	um->reader_ud_ = m;
	(void)emit(w, &u);
	kt_arena_free(a);
}

/* Copies looked at to tell whether a log's folder is a crash folder: tar
 * and zip keep a folder's files together, so its xen.log or dom0.log is
 * among the last ones (bounded: an archive of many tiny crash folders
 * stays linear). */
#define CRASH_DIR_LOOKBACK 256

/* Whether a member's directory holds xen.log or dom0.log (seen so far). */
static bool
in_crash_dir(const struct kt_vec *copies, const char *name)
{
	const char *base = base_name(name);
	size_t dl = (size_t)(base - name);
	size_t from = copies->n > CRASH_DIR_LOOKBACK ? copies->n - CRASH_DIR_LOOKBACK : 0;

	for (size_t i = from; i < copies->n; i++) {
		const struct copy *c = KT_VEC_AT(copies, struct copy, i);
		enum kt_member_role r = kt_member_role_of(c->base);

		if ((r == KT_ROLE_XEN_LOG || r == KT_ROLE_DOM0_LOG) && c->dir_len == dl &&
		    memcmp(c->path, name, dl) == 0)
			return true;
	}
	return false;
}

/* Read one archive as a stream, once: logs are analysed as they come
 * (nothing kept), crash-folder members are copied (bounded by the budget)
 * and grouped into units at the end, archives inside are read the same way
 * (to max_depth). `in` gives the archive's decoded bytes, or `path` names a
 * zip file (read with seeking). Problems go to kt_problem(). Returns 0, or
 * KT_EFORMAT when not even the first header could be read. */
static int
walk_stream_archive(struct walker *w, const char *display, struct kt_input *in,
		    const char *path, size_t depth)
{
	struct archive *ar = archive_read_new();
	struct archive_entry *ent;
	struct kt_vec copies;
	struct member_rd *m = kt_calloc(1, sizeof(*m));
	char *last = NULL;
	size_t seen = 0;
	int r;

	if (!ar)
		kt_oom(sizeof(void *));
	kt_vec_init(&copies, sizeof(struct copy));
	(void)archive_read_support_filter_all(ar);
	(void)archive_read_support_format_tar(ar);
	(void)archive_read_support_format_zip(ar);
	r = path ? archive_read_open_filename(ar, path, 1 << 16)
		 : archive_read_open(ar, in, NULL, input_cb_read, NULL);
	m->w = w;
	m->ar = ar;
	m->under = in;
	m->display = display;
	while (r == ARCHIVE_OK && !w->stop) {
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
		if (!name)
			continue;
		while (name[0] == '/' || (name[0] == '.' && name[1] == '/'))
			name += name[0] == '/' ? 1 : 2;
		free(last);
		last = kt_strdup(name);
		if (archive_entry_filetype(ent) != AE_IFREG)
			continue;
		const char *base = base_name(name);
		enum kt_member_role role = kt_member_role_of(base);

		m->member = last;
		m->off = 0;
		m->failed = false;
		if ((role != KT_ROLE_OTHER && role != KT_ROLE_LOG) ||
		    (role == KT_ROLE_LOG && in_crash_dir(&copies, name))) {
			if (w->budget == 0) {
				kt_problem(w->ctx, display, KT_PROBLEM_LIMIT, last, -1,
					   "skipped: the memory for crash-folder members "
					   "(%zu KiB per archive) is used up", (size_t)ARCHIVE_BUDGET >> 10);
				continue;
			}
			struct copy *c = kt_vec_push(&copies);
			memset(c, 0, sizeof(*c));
			c->prob_kind = -1;
			c->path = kt_strdup(name);
			c->base = base_name(c->path);
			c->dir_len = (size_t)(c->base - c->path);
			if (!copy_data(w, ar, display, c, in)) {
				m->failed = true;	/* reported, with the member */
				r = ARCHIVE_FATAL;
			}
		} else if (role == KT_ROLE_LOG) {
			emit_streamed(w, display, last, m);
			if (m->failed)
				r = ARCHIVE_FATAL;
		} else if (match_any(archive_globs, N_ELEMS(archive_globs), base)) {
			struct kt_arena *a;
			struct kt_input *sub;

			if (depth + 1 > max_depth(w)) {
				kt_problem(w->ctx, display, KT_PROBLEM_TOO_DEEP, last, -1,
					   "archive inside %zu archive%s not read (--max-depth %zu)",
					   depth + 1, depth ? "s" : "", max_depth(w));
				continue;
			}
			if (kt_input_open_reader(w->ctx, last, member_read, m, &sub) < 0) {
				r = ARCHIVE_FATAL;
				continue;
			}
			kt_input_set_quiet(sub, true);
			a = kt_arena_new();
			const char *sd = kt_arena_printf(a, "%s:%s", display, last);
			if (walk_stream_archive(w, sd, sub, NULL, depth + 1) < 0)
				kt_problem(w->ctx, display, KT_PROBLEM_UNSUPPORTED, last, -1,
					   "%s", kt_ctx_errmsg(w->ctx));
			kt_input_free(sub);
			kt_arena_free(a);
			if (m->failed)
				r = ARCHIVE_FATAL;
		}
	}
	if (r != ARCHIVE_EOF && r != ARCHIVE_OK && !m->failed) {
		const char *msg = archive_error_string(ar), *why = NULL;
		enum kt_problem_kind kind = archive_kind(in, msg, &why);

		if (seen == 0) {
			r = kt_error(w->ctx, KT_EFORMAT, "reading archive '%s': %s", display,
				     why ? why : "unreadable");
			goto out;
		}
		if (last)
			kt_problem(w->ctx, display, kind, last, -1,
				   "archive %s after member '%s' (%zu entries read): %s",
				   kind == KT_PROBLEM_TRUNCATED ? "ends" : "is damaged", last, seen,
				   why ? why : "unreadable");
		else
			kt_problem(w->ctx, display, kind, NULL, -1, "archive %s: %s",
				   kind == KT_PROBLEM_TRUNCATED ? "ends early" : "is damaged",
				   why ? why : "unreadable");
	}
	r = 0;
	if (copies.n > 1)
		qsort(copies.v, copies.n, sizeof(struct copy), cmp_copy);
	if (!w->stop)
		emit_archive_units(w, display, copies.v, copies.n);
out:
	free_copies(&copies);
	free(last);
	free(m);
	(void)archive_read_free(ar);
	return r;
}

/* An archive file. */
static int
walk_archive(struct walker *w, const char *path)
{
	struct kt_input *in = NULL;
	unsigned char head[8];
	int fd, r;
	ssize_t n = 0;
	bool zip;

	w->budget = ARCHIVE_BUDGET;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kt_error(w->ctx, KT_EIO, "opening '%s': %s", path, strerror(errno));
	n = read(fd, head, sizeof(head));
	(void)close(fd);
	zip = n >= 4 && memcmp(head, "PK", 2) == 0;
	if (zip)	/* a zip is read with seeking (its central directory) */
		return walk_stream_archive(w, path, NULL, path, 0);
	r = kt_input_open(w->ctx, path, &in);
	if (r < 0)
		return r;
	kt_input_set_quiet(in, true);
	r = walk_stream_archive(w, path, in, NULL, 0);
	kt_input_free(in);
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

	w->split_pieces++;
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
	struct kt_input *in;

	if (w->split) {
		/* What the file holds is looked at when the piece is walked
		 * (kt_walk_member), in parallel. A name that rules out a log
		 * leaves only an archive: that needs a look now. */
		if (!match_any(not_log_globs, N_ELEMS(not_log_globs), base_name(path)) ||
		    (sniff_file(w->ctx, path, &kind) == 0 && kind == SNIFF_ARCHIVE))
			(void)emit_split(w, path, KT_SPLIT_MEMBER);
		return;
	}
	if (look_file(w, path, NULL, &kind, &in) < 0) {
		kt_problem(w->ctx, path, KT_PROBLEM_UNREADABLE, NULL, -1, "%s",
			   kt_ctx_errmsg(w->ctx));
		return;
	}
	w->units_or_files++;
	if (kind == SNIFF_ARCHIVE) {
		if (walk_archive(w, path) < 0)
			kt_problem(w->ctx, path, KT_PROBLEM_CORRUPT, NULL, -1, "%s",
				   kt_ctx_errmsg(w->ctx));
	} else if (kind == SNIFF_TEXT &&
		   !match_any(not_log_globs, N_ELEMS(not_log_globs), base_name(path))) {
		(void)emit_file_in(w, path, in);
		return;
	}
	kt_input_free(in);
}

static void
walk_entry(struct walker *w, const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		kt_problem(w->ctx, path, KT_PROBLEM_UNREADABLE, NULL, -1, "%s", strerror(errno));
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		if (w->depth >= KT_MAX_DIR_DEPTH) {
			kt_problem(w->ctx, path, KT_PROBLEM_TOO_DEEP, NULL, -1,
				   "directory not entered: deeper than %d levels", KT_MAX_DIR_DEPTH);
			return;
		}
		if (walk_dir(w, path) < 0) {
			if (w->split)	/* analysing the piece reports it */
				(void)emit_split(w, path, 0);
			else
				kt_problem(w->ctx, path, KT_PROBLEM_UNREADABLE, NULL, -1, "%s",
					   kt_ctx_errmsg(w->ctx));
		}
	} else if (S_ISREG(st.st_mode)) {
		walk_file(w, path);
	}
}

/* A directory argument with nothing in it to look at: say so. */
static void
note_empty(struct walker *w, const char *path)
{
	char **names = NULL;
	size_t n = 0, dots = 0;

	if (w->units_or_files || w->split_pieces)
		return;
	if (list_dir(w, path, &names, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		dots += names[i][0] == '.';
	if (n == 0)
		kt_problem(w->ctx, path, KT_PROBLEM_EMPTY, NULL, -1,
			   "nothing to analyse: the directory is empty");
	else if (dots == n)
		kt_problem(w->ctx, path, KT_PROBLEM_EMPTY, NULL, -1,
			   "nothing to analyse: the directory holds only hidden (dot) files, "
			   "which are skipped");
	free_names(names, n);
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

/* Standard input, looked at like a file: its (decoded) head decides
 * whether it is an archive or a log; then it is read once, from the head. */
struct stdin_rd {
	struct kt_ctx *ctx;
	struct kt_input *in;	/* fd 0, decoded, quiet */
	char *head;
	size_t head_len;
	bool head_done, end_done;
};

static int
stdin_read(void *ud, const char **p, size_t *len)
{
	struct stdin_rd *s = ud;
	int r;

	if (!s->head_done) {
		s->head_done = true;
		if (s->head_len) {
			*p = s->head;
			*len = s->head_len;
			return 1;
		}
	}
	if (s->end_done)
		return 0;
	r = kt_input_read_block(s->in, p, len);
	if (r == 0) {
		const char *msg;
		uint64_t off;
		int k = kt_input_damage(s->in, &msg, &off);

		s->end_done = true;
		if (k >= 0)	/* a cut or damaged compressed stream */
			kt_problem(s->ctx, NULL, (enum kt_problem_kind)k, NULL, (int64_t)off, "%s",
				   msg);
	}
	return r;
}

static int
walk_stdin(struct walker *w)
{
	struct stdin_rd s = { .ctx = w->ctx };
	struct kt_input *in;
	const char *p;
	size_t len, cap = 0;
	int r;

	r = kt_input_open(w->ctx, "-", &s.in);
	if (r < 0)
		return r;
	kt_input_set_quiet(s.in, true);
	while (s.head_len < SNIFF_LEN && (r = kt_input_read_block(s.in, &p, &len)) > 0) {
		if (s.head_len + len > cap) {
			cap = s.head_len + len;
			s.head = kt_realloc(s.head, cap);
		}
		memcpy(s.head + s.head_len, p, len);
		s.head_len += len;
	}
	if (r < 0)
		goto out;
	r = 0;
	if (s.head_len >= 4 && (memcmp(s.head, "PK\x03\x04", 4) == 0 ||
				memcmp(s.head, "PK\x05\x06", 4) == 0 ||
				(s.head_len >= 262 && memcmp(s.head + 257, "ustar", 5) == 0))) {
		w->budget = ARCHIVE_BUDGET;
		r = kt_input_open_reader(w->ctx, "-", stdin_read, &s, &in);
		if (r == 0) {
			kt_input_set_quiet(in, true);
			r = walk_stream_archive(w, "-", in, NULL, 0);
			kt_input_free(in);
		}
	} else {
		struct kt_unit_member m = { .name = "-", .role = KT_ROLE_LOG,
					    .reader_ = stdin_read, .reader_ud_ = &s };
		struct kt_unit u = { .display = "-", .n_members = 1, .members = &m };

		(void)emit(w, &u);
	}
out:
	free(s.head);
	kt_input_free(s.in);
	return r < 0 ? r : w->stop;
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
	if (strcmp(path, "-") == 0)
		return walk_stdin(&w);
	if (stat(path, &st) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return kt_error(ctx, KT_ENOTFOUND, "'%s': no such file or directory", path);
		return kt_error(ctx, KT_EIO, "'%s': %s", path, strerror(errno));
	}
	if (S_ISDIR(st.st_mode)) {
		r = walk_dir(&w, path);
		if (r == 0 && !w.stop)
			note_empty(&w, path);
		return r < 0 ? r : w.stop;
	}
	if (S_ISREG(st.st_mode)) {
		struct kt_input *in;

		r = look_file(&w, path, &st, &kind, &in);
		if (r < 0)
			return r;
		if (kind == SNIFF_ARCHIVE) {
			r = walk_archive(&w, path);
			return r < 0 ? r : w.stop;
		}
		(void)emit_file_in(&w, path, in);
		return w.stop;
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
	if (r == 0 && !w.stop && w.split_pieces == 0)
		return fn(ud, path, 0);	/* nothing in it: analysing it says so */
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

int
kt_walk_archive_mem(struct kt_ctx *ctx, const char *name, const void *data, size_t len,
		    kt_unit_fn fn, void *ud)
{
	struct walker w = { .ctx = ctx, .fn = fn, .ud = ud, .budget = ARCHIVE_BUDGET };
	struct kt_input *in;
	int r;

	if (!fn)
		return kt_error(ctx, KT_EINVAL, "kt_walk_archive_mem: no callback");
	r = kt_input_open_mem(ctx, name ? name : "<memory>", data, len, &in);
	if (r < 0)
		return r;
	kt_input_set_quiet(in, true);
	r = walk_stream_archive(&w, name ? name : "<memory>", in, NULL, 0);
	kt_input_free(in);
	return r < 0 ? r : w.stop;
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
	if (m->in_ && *m->in_) {	/* opened while the walk looked at it */
		*ret = *m->in_;
		*m->in_ = NULL;
		return 0;
	}
	if (m->path_)
		return kt_input_open(ctx, m->path_, ret);
	if (m->reader_)
		return kt_input_open_reader(ctx, u->display, m->reader_, m->reader_ud_, ret);
	if (m->prob_msg_ && m->prob_kind_ >= 0)	/* what went wrong copying it */
		kt_problem(ctx, u->display, (enum kt_problem_kind)m->prob_kind_, m->name,
			   m->prob_off_, "%s", m->prob_msg_);
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
