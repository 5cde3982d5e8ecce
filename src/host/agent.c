/*
 * host: the agent. Each round it finds new crash material on the host
 * (host.h: /var/crash, pstore, the journal's earlier boots; /dev/kmsg of
 * the running boot; the syslog file when it is the only log), puts each
 * new piece in a spool, and sends what the spool holds to `ktriage serve`.
 *
 * The spool (ROOT/var/lib/ktriage/ unless told otherwise):
 *   incoming/<stamp>-<key>.body + .meta   to send (the .meta, written last,
 *                                          makes an item complete)
 *   sent/, failed/                         after a 2xx / a permanent refusal
 *   state/seen                             keys of everything spooled once
 *   state/kmsg, state/syslog, state/facts, state/heartbeat   cursors
 * A key is a hash of what the piece is and its size/time, so a piece is
 * spooled once however often it is seen, and an item stays in incoming/
 * until the server took it: nothing is sent twice, nothing is lost while
 * the server is down or the agent restarts. Memory stays bounded: bodies
 * are files, sent as they are read; the seen keys are 8 bytes each.
 */
#include <ktriage/ktriage.h>

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "net/inventory.h"
#include "util/mem.h"
#include "util/str.h"

/* --db URL: items go into the crash store (include/ktriage/store.h) when
 * the library is built with it, instead of over HTTP. */
#if defined(__has_include)
#if __has_include(<ktriage/store.h>)
#include <ktriage/store.h>
#define KT_AGENT_STORE 1
#endif
#endif

#define MAX_SEEN 200000		/* keys remembered (the oldest are dropped) */
#define MAX_BODY (64u << 20)	/* one item */
#define SENT_KEEP 200		/* items kept in sent/ for a look */
#define SYSLOG_SETTLE 5		/* seconds a syslog file must be quiet to be read */
#define HEARTBEAT_EVERY 3600

struct kt_agent {
	struct kt_ctx *ctx;
	struct kt_analyzer *an;
	struct kt_agent_opts o;
	char *spool, *incoming, *sent, *failed, *state;
	char kernel[128];	/* ROOT/proc/sys/kernel/osrelease, or "" */
	char pool[64];		/* the pool uuid of the local xapi database, or "" */
	uint64_t *seen;
	size_t n_seen, cap_seen;
	struct kt_follow *kmsg;	/* held open: each round reads only what is new */
	char boot[40];		/* this boot's id (kmsg cursor) */
#ifdef KT_AGENT_STORE
	struct kt_store *store;	/* --db */
#endif
	unsigned counter;
};

/* ---- small helpers -------------------------------------------------------- */

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t
key_of(const char *what, const char *fingerprint)
{
	uint64_t h = 0xcbf29ce484222325ull;

	h = fnv(h, what, strlen(what));
	h = fnv(h, "\t", 1);
	return fnv(h, fingerprint, strlen(fingerprint));
}

static int
mkdirs(const char *path)
{
	char *p = strdup(path);

	if (!p)
		abort();
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	free(p);
	return mkdir(path, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

/* Write a small file atomically (tmp + fsync + rename). */
static int
write_atomic(const char *path, const char *data, size_t len)
{
	char *tmp = kt_asprintf("%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int rc = -1;

	if (fd >= 0) {
		if (write(fd, data, len) == (ssize_t)len && fsync(fd) == 0)
			rc = 0;
		close(fd);
		if (rc == 0)
			rc = rename(tmp, path);
	}
	if (rc)
		(void)unlink(tmp);
	free(tmp);
	return rc;
}

static char *
state_path(struct kt_agent *ag, const char *name)
{
	return kt_asprintf("%s/%s", ag->state, name);
}

/* ---- seen keys ------------------------------------------------------------ */

static void
seen_load(struct kt_agent *ag)
{
	char *p = state_path(ag, "seen");
	FILE *f = fopen(p, "r");
	char line[64];

	ag->n_seen = 0;
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (ag->n_seen == ag->cap_seen) {
				ag->cap_seen = ag->cap_seen ? ag->cap_seen * 2 : 1024;
				ag->seen = realloc(ag->seen, ag->cap_seen * sizeof(*ag->seen));
				if (!ag->seen)
					abort();
			}
			ag->seen[ag->n_seen++] = strtoull(line, NULL, 16);
		}
		fclose(f);
	}
	if (ag->n_seen > MAX_SEEN) {	/* keep the newest */
		memmove(ag->seen, ag->seen + (ag->n_seen - MAX_SEEN), MAX_SEEN * sizeof(*ag->seen));
		ag->n_seen = MAX_SEEN;
	}
	free(p);
}

static bool
seen_has(struct kt_agent *ag, uint64_t k)
{
	for (size_t i = 0; i < ag->n_seen; i++)
		if (ag->seen[i] == k)
			return true;
	return false;
}

static void
seen_add(struct kt_agent *ag, uint64_t k)
{
	char *p = state_path(ag, "seen");
	FILE *f = fopen(p, "a");

	if (f) {
		fprintf(f, "%016llx\n", (unsigned long long)k);
		fflush(f);
		(void)fsync(fileno(f));
		fclose(f);
	}
	free(p);
	if (ag->n_seen == ag->cap_seen) {
		ag->cap_seen = ag->cap_seen ? ag->cap_seen * 2 : 1024;
		ag->seen = realloc(ag->seen, ag->cap_seen * sizeof(*ag->seen));
		if (!ag->seen)
			abort();
	}
	ag->seen[ag->n_seen++] = k;
}

/* An item with this key is waiting in incoming/. */
static bool
queued(struct kt_agent *ag, uint64_t k)
{
	char want[24];
	DIR *d = opendir(ag->incoming);
	struct dirent *e;
	bool found = false;

	snprintf(want, sizeof(want), "-%016llx.", (unsigned long long)k);
	if (!d)
		return false;
	while (!found && (e = readdir(d)) != NULL)
		found = strstr(e->d_name, want) != NULL;
	closedir(d);
	return found;
}

/* ---- spooling ------------------------------------------------------------- */

struct item {
	const char *source;	/* X-Ktriage-Source */
	const char *endpoint;	/* "/api/v1/uploads" or "/api/v1/facts" */
	const char *type;	/* Content-Type */
	const char *id, *name;
	/* the kernel release its crashes happened on, when known (a crash of
	 * the running boot); NULL: the server reads it from the crash text */
	const char *kernel;
};

/* Make an item from the body written at `tmp`: rename it into incoming/
 * and write its .meta; remember its key. */
static int
spool_item(struct kt_agent *ag, uint64_t key, const char *tmp, const struct item *it,
	   struct kt_agent_stats *st)
{
	struct timespec now;
	char *base;

	clock_gettime(CLOCK_REALTIME, &now);	/* names sort in spooling order */
	base = kt_asprintf("%s/%010lld%09ld-%016llx", ag->incoming, (long long)now.tv_sec, now.tv_nsec,
		       (unsigned long long)key);
	char *body = kt_asprintf("%s.body", base), *meta = kt_asprintf("%s.meta", base);
	/* what the server needs to file it, as it is now: host, pool and
	 * kernel travel with the item (sent after a reboot or a rename, it
	 * still says where and on what it happened) */
	char *m = kt_asprintf("source=%s\nendpoint=%s\ntype=%s\nid=%s\nname=%s\nhost=%s\npool=%s\n"
			  "kernel=%s\n", it->source, it->endpoint, it->type, it->id, it->name,
			  ag->o.http.host ? ag->o.http.host : "", ag->o.http.pool ? ag->o.http.pool : "",
			  it->kernel ? it->kernel : "");
	int rc = rename(tmp, body);

	if (rc == 0)
		rc = write_atomic(meta, m, strlen(m));
	if (rc == 0) {
		seen_add(ag, key);
		st->spooled++;
	} else {
		(void)unlink(tmp);
		(void)unlink(body);
		rc = kt_error(ag->ctx, KT_EIO, "spooling '%s': %s", it->name, strerror(errno));
	}
	free(base);
	free(body);
	free(meta);
	free(m);
	return rc;
}

static char *
tmp_path(struct kt_agent *ag)
{
	return kt_asprintf("%s/.tmp-%d-%u", ag->incoming, (int)getpid(), ag->counter++);
}

static int
spool_text(struct kt_agent *ag, uint64_t key, const char *text, size_t len,
	   const struct item *it, struct kt_agent_stats *st)
{
	char *tmp = tmp_path(ag);
	int rc = write_atomic(tmp, text, len) == 0 ? spool_item(ag, key, tmp, it, st)
		: kt_error(ag->ctx, KT_EIO, "spooling '%s': %s", it->name, strerror(errno));

	free(tmp);
	return rc;
}

static int
copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out;
	char buf[65536];
	size_t n, total = 0;
	int rc = 0;

	if (!in)
		return -1;
	out = fopen(to, "wb");
	if (!out) {
		fclose(in);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0 && total < MAX_BODY) {
		if (fwrite(buf, 1, n, out) != n)
			rc = -1;
		total += n;
	}
	if (fflush(out) != 0 || fsync(fileno(out)) != 0)
		rc = -1;
	fclose(in);
	fclose(out);
	return rc;
}

/* A crash folder as a .tar.gz, members under the folder's name. */
static int
tar_folder(const char *dir, const char *to)
{
	struct archive *a = archive_write_new();
	const char *base = strrchr(dir, '/');
	DIR *d;
	struct dirent *e;
	int rc = 0;

	base = base ? base + 1 : dir;
	archive_write_add_filter_gzip(a);
	archive_write_set_format_pax_restricted(a);
	if (archive_write_open_filename(a, to) != ARCHIVE_OK) {
		archive_write_free(a);
		return -1;
	}
	d = opendir(dir);
	while (d && (e = readdir(d)) != NULL && rc == 0) {
		char *p = kt_asprintf("%s/%s", dir, e->d_name);
		struct stat st;

		if (e->d_name[0] != '.' && lstat(p, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_size < (off_t)MAX_BODY) {
			struct archive_entry *en = archive_entry_new();
			char *name = kt_asprintf("%s/%s", base, e->d_name);
			FILE *f = fopen(p, "rb");
			char buf[65536];
			size_t n;

			archive_entry_set_pathname(en, name);
			archive_entry_set_size(en, st.st_size);
			archive_entry_set_filetype(en, AE_IFREG);
			archive_entry_set_perm(en, 0644);
			archive_entry_set_mtime(en, st.st_mtime, 0);
			if (archive_write_header(a, en) != ARCHIVE_OK)
				rc = -1;
			while (f && rc == 0 && (n = fread(buf, 1, sizeof(buf), f)) > 0)
				if (archive_write_data(a, buf, n) < 0)
					rc = -1;
			if (f)
				fclose(f);
			archive_entry_free(en);
			free(name);
		}
		free(p);
	}
	if (d)
		closedir(d);
	if (archive_write_close(a) != ARCHIVE_OK)
		rc = -1;
	archive_write_free(a);
	return rc;
}

/* Size and newest time of a folder's files: its fingerprint. */
static char *
folder_fingerprint(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	long long size = 0, mtime = 0, n = 0;

	while (d && (e = readdir(d)) != NULL) {
		char *p = kt_asprintf("%s/%s", dir, e->d_name);
		struct stat st;

		if (e->d_name[0] != '.' && lstat(p, &st) == 0 && S_ISREG(st.st_mode)) {
			size += st.st_size;
			if (st.st_mtime > mtime)
				mtime = st.st_mtime;
			n++;
		}
		free(p);
	}
	if (d)
		closedir(d);
	return kt_asprintf("%lld files %lld bytes %lld", n, size, mtime);
}

/* ---- crashes found by analysis (journal boot, syslog, kmsg) ----------------- */

/* A crash's key: its kernel time and its lines, whatever log it came
 * from (/dev/kmsg and kern.log show the same lines once their prefixes are
 * stripped), so it is spooled once. */
static uint64_t
crash_key(const struct kt_report *r, struct kt_buf *body)
{
	char ts[32];

	kt_buf_clear(body);
	for (size_t i = 0; i < r->n_lines && body->len < MAX_BODY; i++) {
		kt_buf_adds(body, r->lines[i]);
		kt_buf_addc(body, '\n');
	}
	snprintf(ts, sizeof(ts), "%.6f", r->source.timestamp);
	return key_of(ts, body->p ? body->p : "");
}

struct collect {
	struct kt_agent *ag;
	struct kt_agent_stats *st;
	const char *source, *name;	/* NULL source: count only */
	size_t reports;
};

static int spool_text(struct kt_agent *ag, uint64_t key, const char *text, size_t len,
		      const struct item *it, struct kt_agent_stats *st);
static bool seen_has(struct kt_agent *ag, uint64_t k);
static bool queued(struct kt_agent *ag, uint64_t k);

/* One crash found by analysis (of the running boot: /dev/kmsg or the
 * syslog file): an item of its own, once, with the running kernel. */
static void
spool_report(struct kt_agent *ag, const struct kt_report *r, const char *source,
	     const char *name, struct kt_agent_stats *st)
{
	struct kt_buf b;
	uint64_t key;
	struct item it = { source, "/api/v1/uploads", "text/plain", source, name,
			   ag->kernel[0] ? ag->kernel : NULL };

	kt_buf_init(&b);
	key = crash_key(r, &b);
	if (b.p && !seen_has(ag, key) && !queued(ag, key))
		(void)spool_text(ag, key, b.p, b.len, &it, st);
	kt_buf_deinit(&b);
}

static void
collect_report(void *ud, const char *unit, struct kt_report *r)
{
	struct collect *c = ud;

	(void)unit;
	c->reports++;
	if (c->source)
		spool_report(c->ag, r, c->source, c->name, c->st);
	kt_report_free(r);
}

/* Crashes in `text`: counted, and spooled one by one when `source` is set. */
static size_t
find_crashes(struct kt_agent *ag, const char *name, const char *text, size_t len,
	     const char *source, struct kt_agent_stats *st)
{
	struct collect c = { ag, st, source, name, 0 };
	struct kt_analyze_cb cb = { NULL, collect_report, NULL, &c };

	if (kt_analyze_text(ag->an, name, text, len, &cb) != 0)
		return 0;
	return c.reports;
}

/* ---- sources -------------------------------------------------------------- */

static const char *const source_names[KT_HOST_KIND_COUNT] = {
	[KT_HOST_CRASH_FOLDER] = "crash-folder",
	[KT_HOST_KDUMP] = "kdump",
	[KT_HOST_PSTORE] = "pstore",
	[KT_HOST_JOURNAL] = "journal",
	[KT_HOST_SYSLOG] = "file",
};

static bool
boot_covered_by_kmsg(struct kt_agent *ag, const char *boot)
{
	char *p = state_path(ag, "kmsg-boots");
	char *s = kt_read_small(p, 1u << 20, NULL);
	bool yes = s && boot && strstr(s, boot);

	free(p);
	free(s);
	return yes;
}

static int
take_source(struct kt_agent *ag, const struct kt_host_source *s, struct kt_agent_stats *st)
{
	char *fp = NULL, *tmp = NULL;
	struct item it = { source_names[s->kind], "/api/v1/uploads", "text/plain", s->id, s->name,
			   NULL };
	uint64_t key;
	int rc = 0;

	if (s->kind == KT_HOST_SYSLOG)
		return 0;	/* by its cursor (syslog_round) */
	if (s->kind == KT_HOST_KDUMP && s->size == 0)
		return 0;	/* being written (created, no bytes yet): next round, not
				 * an empty upload whose key would then differ */
	if (s->kind == KT_HOST_CRASH_FOLDER)
		fp = folder_fingerprint(s->path);
	else
		fp = kt_asprintf("%llu %lld", (unsigned long long)s->size, (long long)s->mtime);
	key = key_of(s->id, fp);
	free(fp);
	st->found++;
	if (seen_has(ag, key))
		return 0;
	if (queued(ag, key)) {
		seen_add(ag, key);
		return 0;
	}
	if (s->kind == KT_HOST_JOURNAL && boot_covered_by_kmsg(ag, s->boot)) {
		seen_add(ag, key);	/* its crashes went up from /dev/kmsg */
		return 0;
	}
	tmp = tmp_path(ag);
	if (s->kind == KT_HOST_CRASH_FOLDER) {
		it.type = "application/gzip";
		if (tar_folder(s->path, tmp) == 0)
			rc = spool_item(ag, key, tmp, &it, st);
		else
			rc = kt_error(ag->ctx, KT_EIO, "packing '%s'", s->path);
	} else if (s->path) {
		if (copy_file(s->path, tmp) == 0)
			rc = spool_item(ag, key, tmp, &it, st);
		else
			rc = kt_error(ag->ctx, KT_EIO, "copying '%s': %s", s->path, strerror(errno));
	} else {
		char *text = NULL;
		size_t len = 0;

		rc = kt_host_source_load(ag->ctx, s, &text, &len);
		if (!rc && s->kind == KT_HOST_JOURNAL && !find_crashes(ag, s->name, text, len, NULL, st))
			seen_add(ag, key);	/* a boot without a crash: nothing to send */
		else if (!rc)
			rc = spool_text(ag, key, text, len, &it, st);
		free(text);
	}
	(void)unlink(tmp);
	free(tmp);
	return rc;
}

/* The syslog file from its cursor ("dev ino offset"): crashes in what was
 * added since, each an item. Read only once the file has been quiet for a
 * few seconds (a crash being written is not cut in two). */
static void
syslog_round(struct kt_agent *ag, const struct kt_host_source *s, struct kt_agent_stats *st)
{
	char *cp = state_path(ag, "syslog"), *cur = kt_read_small(cp, 256, NULL), *text;
	unsigned long long dev = 0, ino = 0, off = 0;
	struct stat sb;
	FILE *f;
	size_t len;
	char buf[128];

	if (cur)
		(void)sscanf(cur, "%llu %llu %llu", &dev, &ino, &off);
	free(cur);
	if (stat(s->path, &sb) != 0 || time(NULL) - sb.st_mtime < SYSLOG_SETTLE) {
		free(cp);
		return;
	}
	if (dev != (unsigned long long)sb.st_dev || ino != (unsigned long long)sb.st_ino ||
	    off > (unsigned long long)sb.st_size)
		off = 0;	/* rotated or truncated: the new file from its start */
	if (off == (unsigned long long)sb.st_size) {
		free(cp);
		return;		/* nothing new: no work */
	}
	f = fopen(s->path, "rb");
	if (!f || fseeko(f, (off_t)off, SEEK_SET) != 0) {
		if (f)
			fclose(f);
		free(cp);
		return;
	}
	text = malloc(MAX_BODY + 1);
	if (!text)
		abort();
	len = fread(text, 1, MAX_BODY, f);
	fclose(f);
	while (len && text[len - 1] != '\n')	/* up to the last whole line */
		len--;
	(void)find_crashes(ag, s->name, text, len, "file", st);
	free(text);
	snprintf(buf, sizeof(buf), "%llu %llu %llu\n", (unsigned long long)sb.st_dev,
		 (unsigned long long)sb.st_ino, off + len);
	(void)write_atomic(cp, buf, strlen(buf));
	free(cp);
}

/* This boot's /dev/kmsg since the cursor ("boot seq"): each crash an item. */
static void
kmsg_round(struct kt_agent *ag, struct kt_agent_stats *st)
{
	char *cp = state_path(ag, "kmsg"), *cur = kt_read_small(cp, 256, NULL);
	char boot[40] = "";
	unsigned long long seq = 0;
	struct kt_stream *sm = NULL;
	struct kt_follow_stats fs;
	struct kt_report *r;
	const char *line;
	size_t len;

	if (cur)
		(void)sscanf(cur, "%39s %llu", boot, &seq);
	free(cur);
	if (strcmp(boot, ag->boot))
		seq = 0;	/* another boot: its ring from the start */
	if (!ag->kmsg && kt_follow_kmsg(ag->ctx, ag->o.kmsg_path, true, seq, &ag->kmsg) != 0) {
		free(cp);
		return;
	}
	if (kt_stream_new(ag->an, "kmsg", &sm) != 0) {
		free(cp);
		return;
	}
	while (kt_follow_next(ag->kmsg, 0, &line, &len) > 0)
		kt_stream_feed(sm, line, len);
	kt_stream_flush(sm);
	while ((r = kt_stream_take(sm)) != NULL) {
		spool_report(ag, r, "kmsg", "/dev/kmsg", st);
		kt_report_free(r);
	}
	kt_stream_free(sm);
	kt_follow_get_stats(ag->kmsg, &fs);
	if (fs.last_seq) {
		char buf[96];
		char *bp = state_path(ag, "kmsg-boots"), *boots = kt_read_small(bp, 1u << 20, NULL);

		snprintf(buf, sizeof(buf), "%s %llu\n", ag->boot, (unsigned long long)fs.last_seq);
		(void)write_atomic(cp, buf, strlen(buf));
		if (!boots || !strstr(boots, ag->boot)) {
			FILE *f = fopen(bp, "a");

			if (f) {
				fprintf(f, "%s\n", ag->boot);
				fclose(f);
			}
		}
		free(boots);
		free(bp);
	}
	st->lost += fs.lost;
	free(cp);
}

/* The host's network facts (net audit), spooled when they changed. */
static void
facts_round(struct kt_agent *ag, struct kt_agent_stats *st)
{
	char *sys = ag->o.root ? kt_asprintf("%s/sys", ag->o.root) : NULL;
	struct kt_host_ops *ops = kt_host_ops_system_new(sys);
	struct kt_net_inventory *inv = NULL;
	struct kt_driver_db *db = NULL;
	char *json = NULL;

	if (ops && kt_driver_db_load(ag->ctx, &db) == 0 && kt_net_inventory_new(ag->ctx, &inv) == 0 &&
	    kt_net_inventory_sysfs(ag->ctx, ops, inv) == 0 && kt_net_audit(ag->ctx, inv, db) == 0)
		json = kt_net_audit_json(inv);
	if (json) {
		char hash[32], *hp = state_path(ag, "facts"), *old = kt_read_small(hp, 64, NULL);
		uint64_t key = key_of("facts", json);
		struct item it = { "facts", "/api/v1/facts", "application/json", "facts", "net audit",
				   NULL };

		snprintf(hash, sizeof(hash), "%016llx\n", (unsigned long long)key);
		if ((!old || strcmp(old, hash)) && !queued(ag, key) &&
		    spool_text(ag, key, json, strlen(json), &it, st) == 0)
			(void)write_atomic(hp, hash, strlen(hash));
		free(old);
		free(hp);
	}
	free(json);
	kt_net_inventory_free(inv);
	kt_driver_db_free(db);
	kt_host_ops_system_free(ops);
	free(sys);
}

/* ---- sending -------------------------------------------------------------- */

static char *
meta_get(const char *meta, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = meta; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len > n && !strncmp(p, key, n) && p[n] == '=')
			return strndup(p + n + 1, len - n - 1);
		p = nl ? nl + 1 : NULL;
	}
	return strdup("");
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
move_item(struct kt_agent *ag, const char *stem, const char *to)
{
	/* the body first, the .meta last: an item whose .meta is gone is done */
	for (int i = 0; i < 2; i++) {
		const char *ext = i ? ".meta" : ".body";
		char *a = kt_asprintf("%s/%s%s", ag->incoming, stem, ext);
		char *b = kt_asprintf("%s/%s%s", to, stem, ext);

		(void)rename(a, b);
		free(a);
		free(b);
	}
}

/* Keep the newest SENT_KEEP items in sent/. */
static void
prune_sent(struct kt_agent *ag)
{
	DIR *d = opendir(ag->sent);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0;

	while (d && (e = readdir(d)) != NULL) {
		char **nv;

		if (e->d_name[0] == '.')
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv)
			abort();
		v = nv;
		v[n++] = strdup(e->d_name);
	}
	if (d)
		closedir(d);
	if (n > 2 * SENT_KEEP) {
		qsort(v, n, sizeof(*v), cmp_str);
		for (size_t i = 0; i < n - 2 * SENT_KEEP; i++) {
			char *p = kt_asprintf("%s/%s", ag->sent, v[i]);

			(void)unlink(p);
			free(p);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* --db: import an item into the crash store; a store that cannot be
 * written now (KT_EDB) keeps it for later, one that refuses it for good
 * (KT_EINVAL, KT_EFORMAT) moves it to failed/. */
static void
store_item(struct kt_agent *ag, const char *stem, const char *bp, const char *meta,
	   struct kt_agent_stats *st)
{
#ifdef KT_AGENT_STORE
	char *src = meta_get(meta, "source"), *ep = meta_get(meta, "endpoint");
	char *name = meta_get(meta, "name"), *host = meta_get(meta, "host");
	char *pool = meta_get(meta, "pool"), *kernel = meta_get(meta, "kernel");
	FILE *f = fopen(bp, "rb");
	char *body = malloc(MAX_BODY + 1);
	size_t len = 0;
	json_t *ret = NULL;
	int rc;

	if (!body)
		abort();
	if (f) {
		len = fread(body, 1, MAX_BODY, f);
		fclose(f);
	}
	if (strstr(ep, "/facts")) {
		rc = kt_store_facts(ag->store, *host ? host : ag->o.http.host, *pool ? pool : NULL, body,
				    len, NULL, &ret);
	} else {
		struct kt_upload_meta m = { .name = name, .host = *host ? host : ag->o.http.host,
					    .pool = *pool ? pool : NULL, .source = src,
					    .kernel = *kernel ? kernel : NULL };

		rc = kt_store_import(ag->store, &m, body, len, &ret);
	}
	json_decref(ret);
	if (rc == 0) {
		move_item(ag, stem, ag->sent);
		st->sent++;
	} else if (rc == KT_EDB || rc == KT_EIO) {
		st->server_down = true;
		st->pending++;
		free(st->last_error);
		st->last_error = strdup(kt_ctx_errmsg(ag->ctx));
	} else {
		move_item(ag, stem, ag->failed);
		st->failed++;
	}
	free(body);
	free(src);
	free(ep);
	free(name);
	free(host);
	free(pool);
	free(kernel);
#else
	(void)ag; (void)stem; (void)bp; (void)meta;
	st->pending++;
#endif
}

/* Send what incoming/ holds, oldest first; stop at the first item the
 * server could not take now (down, overloaded): it stays for next time. */
static void
send_round(struct kt_agent *ag, struct kt_agent_stats *st)
{
	DIR *d = opendir(ag->incoming);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0;

	while (d && (e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		char **nv;

		if (l < 6 || strcmp(e->d_name + l - 5, ".meta"))
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv)
			abort();
		v = nv;
		v[n++] = strndup(e->d_name, l - 5);
	}
	if (d)
		closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char *mp = kt_asprintf("%s/%s.meta", ag->incoming, v[i]);
		char *bp = kt_asprintf("%s/%s.body", ag->incoming, v[i]);
		char *meta = kt_read_small(mp, 8192, NULL);
		char *src = meta_get(meta, "source"), *ep = meta_get(meta, "endpoint");
		char *type = meta_get(meta, "type"), *host = meta_get(meta, "host");
		char *pool = meta_get(meta, "pool"), *kernel = meta_get(meta, "kernel");
		struct kt_http_opts ho = ag->o.http;
		long status = 0;
		int rc;

		/* an item spooled before these keys existed: the agent's own */
		if (*host)
			ho.host = host;
		if (*pool)
			ho.pool = pool;
		ho.kernel = *kernel ? kernel : NULL;

		if (access(bp, F_OK) != 0) {
			/* moved on an earlier run that stopped before its .meta */
			move_item(ag, v[i], ag->sent);
		} else if (ag->o.db_url) {
			store_item(ag, v[i], bp, meta, st);
		} else if (st->server_down || !ag->o.http.url) {
			st->pending++;
		} else {
			rc = kt_http_post_file(ag->ctx, &ho, ep[0] ? ep : "/api/v1/uploads",
					       !strcmp(src, "facts") ? NULL : src, type, bp, &status,
					       NULL);
			st->last_status = status;
			if (rc) {
				st->server_down = true;
				st->pending++;
				free(st->last_error);
				st->last_error = strdup(kt_ctx_errmsg(ag->ctx));
			} else if (status >= 200 && status < 300) {
				move_item(ag, v[i], ag->sent);
				st->sent++;
			} else if (status == 400 || status == 413 || status == 415) {
				move_item(ag, v[i], ag->failed);	/* will never be taken */
				st->failed++;
			} else {
				/* 401/403 (token), 429, 5xx: later */
				st->server_down = true;
				st->pending++;
				free(st->last_error);
				st->last_error = kt_asprintf("the server answered HTTP %ld", status);
			}
		}
		free(meta);
		free(src);
		free(ep);
		free(type);
		free(host);
		free(pool);
		free(kernel);
		free(mp);
		free(bp);
		free(v[i]);
	}
	free(v);
	if (st->sent)
		prune_sent(ag);
}

/* ---- heartbeat ------------------------------------------------------------ */

static void
heartbeat_round(struct kt_agent *ag, struct kt_agent_stats *st)
{
	char *hp = state_path(ag, "heartbeat"), *old = kt_read_small(hp, 128, NULL);
	char buf[128], *body;
	long long last = 0;
	char oldboot[40] = "";
	struct utsname u;
	double up = 0;
	FILE *f;
	long status = 0;

	if (old)
		(void)sscanf(old, "%39s %lld", oldboot, &last);
	free(old);
	if (!strcmp(oldboot, ag->boot) && time(NULL) - last < HEARTBEAT_EVERY) {
		free(hp);
		return;
	}
	if ((f = fopen("/proc/uptime", "r")) != NULL) {
		if (fscanf(f, "%lf", &up) != 1)
			up = 0;
		fclose(f);
	}
	(void)uname(&u);
	body = kt_asprintf("{\"host\": \"%s\", \"boot_id\": \"%s\", \"kernel\": \"%s\", \"uptime\": %.0f, "
		       "\"xe_crashdumps\": %d}", ag->o.http.host ? ag->o.http.host : "",
		       ag->boot, u.release, up, st->xe_crashdumps);
	if (kt_http_post(ag->ctx, &ag->o.http, "/api/v1/heartbeat", NULL, "application/json", body,
			 strlen(body), &status, NULL) == 0 && status >= 200 && status < 300) {
		snprintf(buf, sizeof(buf), "%s %lld\n", ag->boot, (long long)time(NULL));
		(void)write_atomic(hp, buf, strlen(buf));
	}
	free(body);
	free(hp);
}

/* XenServer/XCP-ng dom0: the crash dumps xapi knows (xe host-crashdump-list,
 * https://docs.xenserver.com/en-us/xenserver/8/command-line-interface.html). */
static int
xe_crashdumps(void)
{
	FILE *p;
	char buf[4096];
	size_t n;
	int count = 0;

	if (access("/etc/xensource-inventory", R_OK) != 0)
		return -1;
	p = popen("xe host-crashdump-list --minimal 2>/dev/null", "r");
	if (!p)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	if (pclose(p) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		count += buf[i] == ',';
	return n && buf[0] != '\n' ? count + 1 : 0;
}

/* ---- the agent ------------------------------------------------------------ */

static void
read_boot_id(struct kt_agent *ag)
{
	char *s = kt_read_small("/proc/sys/kernel/random/boot_id", 64, NULL);

	snprintf(ag->boot, sizeof(ag->boot), "%s", s ? s : "unknown");
	ag->boot[strcspn(ag->boot, "\n")] = '\0';
	free(s);
}

/* A kernel release as uname prints it: letters, digits, . - + _ ~ */
static bool
plain_release(const char *p, size_t n)
{
	if (n == 0 || n > 100)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9') || strchr(".-+_~", p[i])))
			return false;
	return true;
}

/* The running kernel (ROOT/proc/sys/kernel/osrelease, as uname -r) and,
 * on a XenServer/XCP-ng host, its pool: xapi names its database file in
 * /etc/xensource/db.conf (the first "[PATH]" line, as xen-bugtool's
 * dump_filtered_xapi_db() reads it, xenserver/status-report), every host
 * of a pool keeps a copy of the pool's database (the master pushes it to
 * the others, xapi-project/xen-api ocaml/xapi/pool_db_backup.ml), and its
 * one pool row holds the pool's uuid (kt_net_sr_pool_uuid). --pool wins. */
static void
read_kernel_pool(struct kt_agent *ag, const char *root)
{
	char *s = kt_asprintf("%s/proc/sys/kernel/osrelease", root ? root : "");
	char *rel = kt_read_small(s, 128, NULL), *conf, *db = NULL;

	free(s);
	if (rel && plain_release(rel, strcspn(rel, "\n")))
		snprintf(ag->kernel, sizeof(ag->kernel), "%.*s", (int)strcspn(rel, "\n"), rel);
	free(rel);
	if (ag->o.http.pool)
		return;
	s = kt_asprintf("%s/etc/xensource/db.conf", root ? root : "");
	conf = kt_read_small(s, 8192, NULL);
	free(s);
	for (char *l = conf, *nl; l && *l; l = nl ? nl + 1 : NULL) {
		size_t n = (nl = strchr(l, '\n')) ? (size_t)(nl - l) : strlen(l);

		if (n > 2 && l[0] == '[' && l[n - 1] == ']' && l[1] == '/') {
			db = kt_asprintf("%s%.*s", root ? root : "", (int)(n - 2), l + 1);
			break;
		}
	}
	free(conf);
	if (db && kt_net_sr_pool_uuid_file(db, ag->pool))
		ag->o.http.pool = ag->pool;
	free(db);
}

int
kt_agent_new(struct kt_ctx *ctx, struct kt_analyzer *an, const struct kt_agent_opts *o,
	     struct kt_agent **ret)
{
	struct kt_agent *ag = calloc(1, sizeof(*ag));
	const char *root = o->root && strcmp(o->root, "/") ? o->root : NULL;

	if (!ag)
		return KT_ENOMEM;
	ag->ctx = ctx;
	ag->an = an;
	ag->o = *o;
	ag->o.root = root;
	ag->spool = o->spool ? strdup(o->spool) : kt_asprintf("%s/var/lib/ktriage", root ? root : "");
	ag->incoming = kt_asprintf("%s/incoming", ag->spool);
	ag->sent = kt_asprintf("%s/sent", ag->spool);
	ag->failed = kt_asprintf("%s/failed", ag->spool);
	ag->state = kt_asprintf("%s/state", ag->spool);
	if (mkdirs(ag->incoming) || mkdirs(ag->sent) || mkdirs(ag->failed) || mkdirs(ag->state)) {
		int rc = kt_error(ctx, KT_EIO, "making the spool '%s': %s", ag->spool, strerror(errno));

		kt_agent_free(ag);
		return rc;
	}
	if (o->db_url) {
#ifdef KT_AGENT_STORE
		int rc = kt_store_open(ctx, o->db_url, NULL, &ag->store);

		if (rc) {
			kt_agent_free(ag);
			return rc;
		}
#else
		kt_agent_free(ag);
		return kt_error(ctx, KT_EUNSUPPORTED, "--db: this build has no crash store; "
				"use --server");
#endif
	}
	if (root)
		snprintf(ag->boot, sizeof(ag->boot), "root");
	else
		read_boot_id(ag);
	read_kernel_pool(ag, root);
	*ret = ag;
	return 0;
}

void
kt_agent_free(struct kt_agent *ag)
{
	if (!ag)
		return;
	kt_follow_free(ag->kmsg);
#ifdef KT_AGENT_STORE
	kt_store_close(ag->store);
#endif
	free(ag->spool);
	free(ag->incoming);
	free(ag->sent);
	free(ag->failed);
	free(ag->state);
	free(ag->seen);
	free(ag);
}

const char *
kt_agent_spool(const struct kt_agent *ag)
{
	return ag->spool;
}

int
kt_agent_round(struct kt_agent *ag, struct kt_agent_stats *st)
{
	struct kt_host_sources *S = NULL;
	bool live = !ag->o.root;
	int rc;

	free(st->last_error);
	*st = (struct kt_agent_stats){ .xe_crashdumps = -1 };
	seen_load(ag);
	rc = kt_host_discover(ag->ctx, ag->o.root, 0, &S);
	if (rc)
		return rc;
	for (size_t i = 0; i < S->n; i++) {
		if (take_source(ag, &S->v[i], st) != 0) {
			st->errors++;
			free(st->last_error);
			st->last_error = strdup(kt_ctx_errmsg(ag->ctx));
		}
		/* the syslog file (when there is no journal): its crashes are
		 * keyed like /dev/kmsg's, so one seen in both goes up once */
		if (S->v[i].kind == KT_HOST_SYSLOG)
			syslog_round(ag, &S->v[i], st);
	}
	kt_host_sources_free(S);
	if (live && !ag->o.no_kmsg)
		kmsg_round(ag, st);
	if (!ag->o.no_facts)
		facts_round(ag, st);
	if (live)
		st->xe_crashdumps = xe_crashdumps();
	send_round(ag, st);
	if (ag->o.http.url && !ag->o.db_url && !st->server_down && !ag->o.no_heartbeat)
		heartbeat_round(ag, st);
	return 0;
}
