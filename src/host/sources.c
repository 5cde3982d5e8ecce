/*
 * host: find the crash material a host keeps (include/ktriage/host.h says
 * where), under a root directory so that a copied filesystem can be read
 * as the host itself. Discovery only lists; kt_host_source_load() makes
 * the text of a pstore record (parts stitched) or a journal boot.
 *
 * Sources of the layouts:
 *   XenServer crash folders: xen-crashdump-analyser writes
 *     /var/crash/<YYYYMMDD-hhmmss>/{xen.log,dom0.log,...}
 *     (https://github.com/xenserver/xen-crashdump-analyser, README)
 *   kdump-tools: /var/crash/<YYYYMMDDhhmm>/dmesg.<YYYYMMDDhhmm>
 *     (https://salsa.debian.org/debian/kdump-tools, kdump-config: kdump_save_core)
 *   kexec-tools: /var/crash/<host>-<date>/vmcore-dmesg.txt
 *     (https://github.com/horms/kexec-tools, vmcore-dmesg/vmcore-dmesg.c)
 *   pstore: linux fs/pstore/inode.c (pstore_mkfile: "dmesg-<backend>-<id>"),
 *     fs/pstore/platform.c (pstore_dump: "<reason>#<count> Part<n>" header,
 *     Part1 = newest lines; the parts are stitched by normalize/pstore.h
 *     when the record is analysed); systemd src/pstore/pstore.c archives the
 *     files to /var/lib/systemd/pstore/ (one folder per record, dmesg.txt)
 *   journal: sd-journal (man sd_journal_open, SD_JOURNAL_OS_ROOT),
 *     kernel messages have _TRANSPORT=kernel (man systemd.journal-fields)
 */
#include <ktriage/host.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#ifdef KT_HAVE_SDJOURNAL
#include <systemd/sd-id128.h>
#include <systemd/sd-journal.h>
#endif

#include "normalize/pstore.h"
#include "util/mem.h"
#include "util/str.h"

#define MAX_DIR_ENTRIES 4096	/* entries looked at per directory */
#define MAX_PART_BYTES (4u << 20)	/* one pstore part */
#define MAX_BOOTS 256

static const char *const kind_names[KT_HOST_KIND_COUNT] = {
	[KT_HOST_CRASH_FOLDER] = "crash-folder",
	[KT_HOST_KDUMP] = "kdump",
	[KT_HOST_PSTORE] = "pstore",
	[KT_HOST_JOURNAL] = "journal",
	[KT_HOST_SYSLOG] = "syslog",
};

const char *
kt_host_kind_name(enum kt_host_kind k)
{
	return (unsigned)k < KT_HOST_KIND_COUNT ? kind_names[k] : "?";
}

static char *
xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (!p)
		abort();
	return p;
}

/* ROOT + "/var/crash" ("/" or NULL root: the path itself). */
static char *
under(const char *root, const char *rel)
{
	if (!root || !*root || !strcmp(root, "/"))
		return xstrdup(rel);
	return kt_asprintf("%s%s%s", root, root[strlen(root) - 1] == '/' ? "" : "/",
		       rel[0] == '/' ? rel + 1 : rel);
}

static struct kt_host_source *
add(struct kt_host_sources *S, enum kt_host_kind kind)
{
	struct kt_host_source *v = realloc(S->v, (S->n + 1) * sizeof(*v));

	if (!v)
		abort();
	S->v = v;
	v[S->n] = (struct kt_host_source){ .kind = kind };
	return &v[S->n++];
}

static void
note(struct kt_host_sources *S, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
note(struct kt_host_sources *S, const char *fmt, ...)
{
	va_list ap;
	char *p, **v;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		abort();
	va_end(ap);
	v = realloc(S->notes, (S->n_notes + 1) * sizeof(*v));
	if (!v)
		abort();
	S->notes = v;
	S->notes[S->n_notes++] = p;
}

void
kt_host_sources_free(struct kt_host_sources *S)
{
	if (!S)
		return;
	for (size_t i = 0; i < S->n; i++) {
		struct kt_host_source *s = &S->v[i];

		free(s->id);
		free(s->name);
		free(s->path);
		free(s->detail);
		for (size_t k = 0; k < s->n_parts; k++)
			free(s->parts[k]);
		free(s->parts);
		free(s->boot);
		free(s->root);
	}
	free(S->v);
	for (size_t i = 0; i < S->n_notes; i++)
		free(S->notes[i]);
	free(S->notes);
	free(S);
}

/* ---- directories ---------------------------------------------------------- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in `dir` (no dot-files), at most MAX_DIR_ENTRIES. */
static char **
list_dir(const char *dir, size_t *ret_n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0;

	*ret_n = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d)) != NULL && n < MAX_DIR_ENTRIES) {
		char **nv;

		if (e->d_name[0] == '.')
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv)
			abort();
		v = nv;
		v[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	*ret_n = n;
	return v;
}

static void
free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static bool
is_dir(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool
is_file(const char *p, struct stat *st)
{
	return lstat(p, st) == 0 && S_ISREG(st->st_mode);
}

static bool
has_file(const char *dir, const char *name)
{
	char *p = kt_asprintf("%s/%s", dir, name);
	struct stat st;
	bool ok = is_file(p, &st);

	free(p);
	return ok;
}

/* "rel" shown as on the host: "/var/crash/x" whatever the root. */
static void
set_file(struct kt_host_source *s, const char *root, const char *rel, const struct stat *st)
{
	s->id = xstrdup(rel);
	s->name = xstrdup(rel);
	s->path = under(root, rel);
	if (st) {
		s->size = (uint64_t)st->st_size;
		s->mtime = st->st_mtime;
	}
}

/* ---- /var/crash ------------------------------------------------------------ */

static bool
kdump_name(const char *n)
{
	return !strncmp(n, "dmesg.", 6) || !strcmp(n, "vmcore-dmesg.txt") ||
	       !strcmp(n, "vmcore-dmesg-incomplete.txt");
}

static void
scan_crash(struct kt_host_sources *S, const char *root)
{
	char *dir = under(root, "/var/crash");
	size_t n, m;
	char **names = list_dir(dir, &n);

	for (size_t i = 0; i < n; i++) {
		char *rel = kt_asprintf("/var/crash/%s", names[i]);
		char *p = under(root, rel);
		char **files;

		if (!is_dir(p)) {
			free(rel);
			free(p);
			continue;
		}
		if (has_file(p, "xen.log") || has_file(p, "dom0.log")) {
			struct stat st;

			set_file(add(S, KT_HOST_CRASH_FOLDER), root, rel, NULL);
			if (lstat(p, &st) == 0)
				S->v[S->n - 1].mtime = st.st_mtime;
			S->v[S->n - 1].detail = xstrdup("XenServer/XCP-ng crash folder");
		} else {
			files = list_dir(p, &m);
			for (size_t k = 0; k < m; k++) {
				char *frel = kt_asprintf("%s/%s", rel, files[k]);
				char *fp = under(root, frel);
				struct stat st;

				if (kdump_name(files[k]) && is_file(fp, &st)) {
					set_file(add(S, KT_HOST_KDUMP), root, frel, &st);
					S->v[S->n - 1].detail = xstrdup(files[k][0] == 'd'
						? "kdump-tools dmesg" : "kexec-tools vmcore-dmesg");
				}
				free(frel);
				free(fp);
			}
			free_list(files, m);
		}
		free(rel);
		free(p);
	}
	free_list(names, n);
	free(dir);
}

/* ---- pstore ----------------------------------------------------------------- */

/* "Oops#1 Part3" at the start of a part (normalize/pstore.h reads the
 * header): the record ("Oops#1") and the part number. */
static bool
part_header(const char *s, size_t len, char *rec, size_t rec_cap, unsigned *part)
{
	const char *nl = memchr(s, '\n', len);
	struct kt_str reason;
	uint64_t count, no;

	if (!kt_pstore_header(kt_str_make(s, nl ? (size_t)(nl - s) : len), &reason, &count, &no) ||
	    no == 0 || no > 100000)
		return false;
	snprintf(rec, rec_cap, "%.*s#%llu", (int)(reason.len > 32 ? 32 : reason.len), reason.p,
		 (unsigned long long)count);
	*part = (unsigned)no;
	return true;
}

struct part {
	char *rel;		/* path under ROOT */
	char rec[64];		/* "Oops#1", or "" (no header) */
	char group[96];		/* backend + record (+ efi timestamp) */
	unsigned no;
	int64_t mtime;
	uint64_t size;
};

static int
cmp_part(const void *pa, const void *pb)
{
	const struct part *a = pa, *b = pb;
	int d = strcmp(a->group, b->group);

	if (d)
		return d;
	return a->no < b->no ? -1 : a->no > b->no;	/* Part1 (newest) first */
}

/* Backend of "dmesg-efi-1557413376" -> "dmesg-efi", and for efi-pstore the
 * record's timestamp (its id is (timestamp * 100 + part) * 1000 + count:
 * linux drivers/firmware/efi/efi-pstore.c, generic_id()). */
static void
group_of(struct part *p, const char *name)
{
	const char *dash = strrchr(name, '-');
	size_t blen = dash ? (size_t)(dash - name) : strlen(name);
	char extra[32] = "";

	if (blen == 9 && !strncmp(name, "dmesg-efi", 9) && dash) {
		unsigned long long id = strtoull(dash + 1, NULL, 10);

		snprintf(extra, sizeof(extra), "@%llu", id / 100000);
	}
	snprintf(p->group, sizeof(p->group), "%.*s/%s%s", (int)(blen > 40 ? 40 : blen), name,
		 p->rec[0] ? p->rec : name, extra);
}

/* The dmesg-* and console-* files of one pstore directory, grouped into
 * records. `rel` is the directory under ROOT. */
static void
scan_pstore_dir(struct kt_host_sources *S, const char *root, const char *rel)
{
	char *dir = under(root, rel);
	size_t n;
	char **names = list_dir(dir, &n);
	struct part *parts = n ? calloc(n, sizeof(*parts)) : NULL;
	size_t np = 0;

	if (n && !parts)
		abort();
	for (size_t i = 0; i < n; i++) {
		char *frel = kt_asprintf("%s/%s", rel, names[i]);
		char *fp = under(root, frel);
		struct stat st;
		char head[128];
		size_t hl = 0;
		FILE *f;

		if ((strncmp(names[i], "dmesg-", 6) && strncmp(names[i], "console-", 8) &&
		     strcmp(names[i], "dmesg.txt")) || !is_file(fp, &st)) {
			free(frel);
			free(fp);
			continue;
		}
		if (strstr(names[i], ".enc.z")) {
			note(S, "%s: a compressed pstore record", frel);
			free(frel);
			free(fp);
			continue;
		}
		f = fopen(fp, "rb");
		if (f) {
			hl = fread(head, 1, sizeof(head) - 1, f);
			fclose(f);
		}
		head[hl] = '\0';
		parts[np].rel = frel;
		parts[np].mtime = st.st_mtime;
		parts[np].size = (uint64_t)st.st_size;
		if (!part_header(head, hl, parts[np].rec, sizeof(parts[np].rec), &parts[np].no)) {
			parts[np].rec[0] = '\0';
			parts[np].no = 1;
		}
		group_of(&parts[np], names[i]);
		np++;
		free(fp);
	}
	if (np)
		qsort(parts, np, sizeof(*parts), cmp_part);
	for (size_t i = 0; i < np;) {
		size_t j = i;
		struct kt_host_source *s;

		/* one record: same group, part numbers 1, 2, ... (a repeated
		 * number is another dump with the same header) */
		while (j < np && !strcmp(parts[j].group, parts[i].group) &&
		       (j == i || parts[j].no != parts[j - 1].no))
			j++;
		s = add(S, KT_HOST_PSTORE);
		s->id = kt_asprintf("pstore:%s", parts[i].rel);
		s->name = xstrdup(parts[i].rel);
		s->n_parts = j - i;
		s->parts = calloc(s->n_parts, sizeof(char *));
		if (!s->parts)
			abort();
		for (size_t k = i; k < j; k++) {
			s->parts[k - i] = under(root, parts[k].rel);
			s->size += parts[k].size;
			if (parts[k].mtime > s->mtime)
				s->mtime = parts[k].mtime;
		}
		if (s->n_parts > 1)
			s->detail = kt_asprintf("pstore record %s, %zu parts stitched", parts[i].rec,
					    s->n_parts);
		else
			s->detail = kt_asprintf("pstore record%s%s", parts[i].rec[0] ? " " : "",
					    parts[i].rec);
		i = j;
	}
	for (size_t i = 0; i < np; i++)
		free(parts[i].rel);
	free(parts);
	free_list(names, n);
	free(dir);
}

static void
scan_pstore(struct kt_host_sources *S, const char *root)
{
	char *dir;
	size_t n;
	char **names;

	scan_pstore_dir(S, root, "/sys/fs/pstore");
	/* systemd-pstore: files, or one folder per record with dmesg.txt */
	scan_pstore_dir(S, root, "/var/lib/systemd/pstore");
	dir = under(root, "/var/lib/systemd/pstore");
	names = list_dir(dir, &n);
	for (size_t i = 0; i < n; i++) {
		char *rel = kt_asprintf("/var/lib/systemd/pstore/%s", names[i]);
		char *p = under(root, rel);

		if (is_dir(p)) {
			if (has_file(p, "dmesg.txt")) {
				char *frel = kt_asprintf("%s/dmesg.txt", rel);
				char *fp = under(root, frel);
				struct stat st;

				if (is_file(fp, &st)) {
					set_file(add(S, KT_HOST_PSTORE), root, frel, &st);
					S->v[S->n - 1].detail =
						xstrdup("pstore record archived by systemd-pstore");
				}
				free(frel);
				free(fp);
			} else {
				scan_pstore_dir(S, root, rel);
			}
		}
		free(rel);
		free(p);
	}
	free_list(names, n);
	free(dir);
}

/* The record's parts one after the other, each ending in a newline: the
 * analysis stitches them (normalize/pstore.h: highest part first, headers
 * dropped), and an upload carries them as the kernel wrote them. */
static int
load_pstore(struct kt_ctx *ctx, const struct kt_host_source *src, char **ret, size_t *ret_len)
{
	struct kt_buf b;

	kt_buf_init(&b);
	for (size_t i = 0; i < src->n_parts; i++) {
		size_t len;
		char *t = kt_read_small(src->parts[i], MAX_PART_BYTES, &len);

		if (!t) {
			kt_buf_deinit(&b);
			return kt_error(ctx, KT_EIO, "reading '%s': %s", src->parts[i], strerror(errno));
		}
		kt_buf_add(&b, t, len);
		if (len && t[len - 1] != '\n')
			kt_buf_addc(&b, '\n');
		free(t);
	}
	if (!b.p)
		kt_buf_adds(&b, "");
	*ret = b.p;
	*ret_len = b.len;
	return 0;
}

/* ---- journal ---------------------------------------------------------------- */

#ifdef KT_HAVE_SDJOURNAL
static int
journal_open(const char *root, sd_journal **j)
{
	if (root && *root && strcmp(root, "/"))
		return sd_journal_open_directory(j, root, SD_JOURNAL_OS_ROOT);
	return sd_journal_open(j, SD_JOURNAL_LOCAL_ONLY);
}

struct boot {
	char id[33];
	uint64_t first, last;	/* realtime usec */
};

static int
cmp_boot(const void *pa, const void *pb)
{
	const struct boot *a = pa, *b = pb;

	return a->first < b->first ? -1 : a->first > b->first;
}

static void
boot_span(sd_journal *j, struct boot *b)
{
	char m[64];

	sd_journal_flush_matches(j);
	snprintf(m, sizeof(m), "_BOOT_ID=%s", b->id);
	(void)sd_journal_add_match(j, m, 0);
	(void)sd_journal_add_match(j, "_TRANSPORT=kernel", 0);
	if (sd_journal_seek_head(j) >= 0 && sd_journal_next(j) > 0)
		(void)sd_journal_get_realtime_usec(j, &b->first);
	if (sd_journal_seek_tail(j) >= 0 && sd_journal_previous(j) > 0)
		(void)sd_journal_get_realtime_usec(j, &b->last);
}

/* Returns whether a journal with kernel messages was found. */
static bool
scan_journal(struct kt_host_sources *S, const char *root, unsigned flags)
{
	sd_journal *j = NULL;
	struct boot *boots = NULL;
	size_t nb = 0;
	const void *d;
	size_t l;
	sd_id128_t cur;
	char curs[33] = "";
	bool local = !root || !*root || !strcmp(root, "/");
	bool covered = false;
	int r = journal_open(root, &j);

	if (r < 0) {
		note(S, "the journal: %s", strerror(-r));
		return false;
	}
	if (local && sd_id128_get_boot(&cur) >= 0)
		sd_id128_to_string(cur, curs);
	(void)sd_journal_add_match(j, "_TRANSPORT=kernel", 0);
	if (sd_journal_query_unique(j, "_BOOT_ID") >= 0) {
		SD_JOURNAL_FOREACH_UNIQUE(j, d, l) {
			struct boot *nbv;

			if (l != 9 + 32 || memcmp(d, "_BOOT_ID=", 9) || nb >= MAX_BOOTS)
				continue;
			nbv = realloc(boots, (nb + 1) * sizeof(*boots));
			if (!nbv)
				abort();
			boots = nbv;
			memset(&boots[nb], 0, sizeof(boots[nb]));
			memcpy(boots[nb].id, (const char *)d + 9, 32);
			nb++;
		}
	}
	for (size_t i = 0; i < nb; i++)
		boot_span(j, &boots[i]);
	if (nb)
		qsort(boots, nb, sizeof(*boots), cmp_boot);
	for (size_t i = 0; i < nb; i++) {
		struct kt_host_source *s;

		if (!curs[0] || strcmp(boots[i].id, curs))
			covered = true;
		if (curs[0] && !strcmp(boots[i].id, curs) && !(flags & KT_HOST_ALL_BOOTS)) {
			note(S, "journal boot %s: the running boot (earlier boots only; --all-boots)",
			     boots[i].id);
			continue;
		}
		s = add(S, KT_HOST_JOURNAL);
		s->id = kt_asprintf("journal:%s", boots[i].id);
		s->name = kt_asprintf("journal boot %s", boots[i].id);
		s->boot = xstrdup(boots[i].id);
		s->root = local ? NULL : xstrdup(root);
		s->mtime = (int64_t)(boots[i].last / 1000000);
		{
			time_t t0 = (time_t)(boots[i].first / 1000000), t1 = (time_t)s->mtime;
			struct tm a, b;
			char sa[32] = "?", sb[32] = "?";

			if (gmtime_r(&t0, &a))
				strftime(sa, sizeof(sa), "%Y-%m-%d %H:%M:%S", &a);
			if (gmtime_r(&t1, &b))
				strftime(sb, sizeof(sb), "%Y-%m-%d %H:%M:%S", &b);
			s->detail = kt_asprintf("kernel messages %s .. %s UTC", sa, sb);
		}
	}
	free(boots);
	sd_journal_close(j);
	/* a journal with earlier boots is persistent: it has what the syslog
	 * file has; one with the running boot only is volatile (XenServer) */
	return covered;
}

static const char *
field(sd_journal *j, const char *name, size_t *len)
{
	const void *d;
	size_t l, n = strlen(name);

	if (sd_journal_get_data(j, name, &d, &l) < 0 || l <= n + 1)
		return NULL;
	*len = l - n - 1;
	return (const char *)d + n + 1;
}

/* Keep the newest KT_HOST_MAX_TEXT bytes: drop the oldest half at once. */
static void
bound(struct kt_buf *b)
{
	const char *nl;
	size_t cut;

	if (b->len <= KT_HOST_MAX_TEXT)
		return;
	nl = memchr(b->p + b->len / 2, '\n', b->len - b->len / 2);
	cut = nl ? (size_t)(nl - b->p) + 1 : b->len;
	memmove(b->p, b->p + cut, b->len - cut);
	b->len -= cut;
	b->p[b->len] = '\0';
}

/* One boot's kernel messages as kern.log lines: "Mon DD hh:mm:ss HOST
 * kernel: [ssss.uuuuuu] MESSAGE" (the syslog format normalize reads). */
static int
load_journal(struct kt_ctx *ctx, const struct kt_host_source *src, char **ret, size_t *ret_len)
{
	sd_journal *j = NULL;
	struct kt_buf b;
	char m[64];
	int r = journal_open(src->root, &j);

	if (r < 0)
		return kt_error(ctx, KT_EIO, "opening the journal: %s", strerror(-r));
	(void)sd_journal_set_data_threshold(j, 65536);
	snprintf(m, sizeof(m), "_BOOT_ID=%s", src->boot);
	(void)sd_journal_add_match(j, m, 0);
	(void)sd_journal_add_match(j, "_TRANSPORT=kernel", 0);
	kt_buf_init(&b);
	SD_JOURNAL_FOREACH(j) {
		uint64_t rt = 0, mono = 0;
		size_t ml = 0, hl = 0, sl = 0;
		const char *msg = field(j, "MESSAGE", &ml);
		const char *host = field(j, "_HOSTNAME", &hl);
		const char *smono = field(j, "_SOURCE_MONOTONIC_TIMESTAMP", &sl);
		time_t t;
		struct tm tm;
		char ts[32] = "Jan  1 00:00:00";

		if (!msg)
			continue;
		(void)sd_journal_get_realtime_usec(j, &rt);
		if (smono && sl < 24) {
			char tmp[24];

			memcpy(tmp, smono, sl);
			tmp[sl] = '\0';
			mono = strtoull(tmp, NULL, 10);
		} else {
			sd_id128_t bid;

			(void)sd_journal_get_monotonic_usec(j, &mono, &bid);
		}
		t = (time_t)(rt / 1000000);
		if (gmtime_r(&t, &tm))
			strftime(ts, sizeof(ts), "%b %e %H:%M:%S", &tm);
		kt_buf_printf(&b, "%s %.*s kernel: [%5llu.%06llu] ", ts, (int)(host ? hl : 9),
			      host ? host : "localhost", (unsigned long long)(mono / 1000000),
			      (unsigned long long)(mono % 1000000));
		for (size_t i = 0; i < ml; i++)	/* one message, one line */
			kt_buf_addc(&b, msg[i] == '\n' ? ' ' : msg[i]);
		kt_buf_addc(&b, '\n');
		bound(&b);
	}
	sd_journal_close(j);
	if (!b.p)
		kt_buf_adds(&b, "");
	*ret = b.p;
	*ret_len = b.len;
	return 0;
}
#endif

/* ---- syslog ------------------------------------------------------------------ */

static void
scan_syslog(struct kt_host_sources *S, const char *root, bool journal)
{
	static const char *const files[] = { "/var/log/kern.log", "/var/log/messages" };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *p = under(root, files[i]);
		struct stat st;
		bool ok = is_file(p, &st);

		free(p);
		if (!ok)
			continue;
		if (journal) {
			note(S, "%s: the journal (persistent) holds the same kernel messages", files[i]);
			return;
		}
		set_file(add(S, KT_HOST_SYSLOG), root, files[i], &st);
		return;
	}
}

int
kt_host_discover(struct kt_ctx *ctx, const char *root, unsigned flags,
		 struct kt_host_sources **ret)
{
	struct kt_host_sources *S = calloc(1, sizeof(*S));
	bool journal = false;

	(void)ctx;
	if (!S)
		return KT_ENOMEM;
	scan_crash(S, root);
	scan_pstore(S, root);
#ifdef KT_HAVE_SDJOURNAL
	journal = scan_journal(S, root, flags);
#else
	(void)flags;
	note(S, "the journal: built without libsystemd");
#endif
	scan_syslog(S, root, journal);
	*ret = S;
	return 0;
}

int
kt_host_source_load(struct kt_ctx *ctx, const struct kt_host_source *src, char **ret_text,
		    size_t *ret_len)
{
	switch (src->kind) {
	case KT_HOST_PSTORE:
		if (src->n_parts)
			return load_pstore(ctx, src, ret_text, ret_len);
		break;
	case KT_HOST_JOURNAL:
#ifdef KT_HAVE_SDJOURNAL
		return load_journal(ctx, src, ret_text, ret_len);
#else
		return kt_error(ctx, KT_EUNSUPPORTED, "built without libsystemd: no journal");
#endif
	default:
		break;
	}
	return kt_error(ctx, KT_EINVAL, "%s: read it as a file", src->name);
}
