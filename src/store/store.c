/*
 * store: opening a crash store (URL -> backend), its schema and migrations,
 * totals, and raw upload bytes. The schema is written once; @ID@ and @BLOB@
 * become each engine's types. Sources of truth are kt_blob, kt_upload,
 * kt_crash (with its compressed excerpt), kt_crash_seen, kt_facts and the
 * kt_issue tables; kt_facet is derived (kt_store_rebuild_facets() rebuilds
 * it from kt_crash) and only makes the list and show pages fast.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store_int.h"
#include "util/mem.h"

static const char *const backend_names[KT_STORE_BACKEND_COUNT] = {
	[KT_STORE_SQLITE] = "sqlite",
	[KT_STORE_POSTGRESQL] = "postgresql",
};

const char *
kt_store_backend_name(enum kt_store_backend b)
{
	return (unsigned)b < KT_STORE_BACKEND_COUNT ? backend_names[b] : "unknown";
}

enum kt_store_backend
kt_store_get_backend(const struct kt_store *s)
{
	return s->db->backend;
}

/* Version 1: the first schema. Later versions append a migration below;
 * never edit a released one. */
static const char schema_v1[] =
	"CREATE TABLE kt_pool(id @ID@, name TEXT NOT NULL UNIQUE);"
	"CREATE TABLE kt_host(id @ID@, name TEXT NOT NULL UNIQUE,"
	" pool_id BIGINT REFERENCES kt_pool(id), first_seen TEXT NOT NULL, last_seen TEXT NOT NULL);"
	"CREATE TABLE kt_blob(sha256 TEXT PRIMARY KEY, size BIGINT NOT NULL,"
	" codec TEXT NOT NULL, data @BLOB@ NOT NULL);"
	"CREATE TABLE kt_upload(id @ID@, host_id BIGINT NOT NULL REFERENCES kt_host(id),"
	" source TEXT NOT NULL, name TEXT NOT NULL, sha256 TEXT NOT NULL REFERENCES kt_blob(sha256),"
	" received_at TEXT NOT NULL, UNIQUE(host_id, source, sha256));"
	"CREATE TABLE kt_facts(id @ID@, host_id BIGINT NOT NULL REFERENCES kt_host(id),"
	" sha256 TEXT NOT NULL, collected_at TEXT NOT NULL, source TEXT, backend TEXT,"
	" summary TEXT NOT NULL, data @BLOB@ NOT NULL, UNIQUE(host_id, sha256));"
	"CREATE INDEX kt_facts_host ON kt_facts(host_id, collected_at);"
	"CREATE TABLE kt_facts_facet(facts_id BIGINT NOT NULL REFERENCES kt_facts(id),"
	" key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY(facts_id, key, value));"
	"CREATE INDEX kt_facts_facet_kv ON kt_facts_facet(key, value);"
	"CREATE TABLE kt_issue(id @ID@, title TEXT NOT NULL, kind TEXT,"
	" status TEXT NOT NULL DEFAULT 'open', fixed_in TEXT, note TEXT, created_at TEXT NOT NULL);"
	"CREATE TABLE kt_issue_bucket(bucket TEXT PRIMARY KEY,"
	" issue_id BIGINT NOT NULL REFERENCES kt_issue(id), linked_at TEXT NOT NULL, how TEXT NOT NULL);"
	"CREATE INDEX kt_issue_bucket_issue ON kt_issue_bucket(issue_id);"
	"CREATE TABLE kt_crash(id @ID@, host_id BIGINT NOT NULL REFERENCES kt_host(id),"
	" occ_key TEXT NOT NULL, issue_id BIGINT NOT NULL REFERENCES kt_issue(id),"
	" bucket TEXT NOT NULL, title TEXT NOT NULL, kind TEXT, kernel TEXT, xen TEXT, taint TEXT,"
	" hardware TEXT, rule TEXT, corrupted INTEGER NOT NULL, crashed_at TEXT NOT NULL,"
	" received_at TEXT NOT NULL, facts_id BIGINT REFERENCES kt_facts(id), analyzer TEXT NOT NULL,"
	" excerpt @BLOB@ NOT NULL, excerpt_line INTEGER NOT NULL, report @BLOB@ NOT NULL,"
	" UNIQUE(host_id, occ_key));"
	"CREATE INDEX kt_crash_issue ON kt_crash(issue_id, crashed_at, host_id);"
	"CREATE INDEX kt_crash_host ON kt_crash(host_id, crashed_at);"
	/* covering: "issues --since T" reads only this index, not the crash rows */
	"CREATE INDEX kt_crash_time ON kt_crash(crashed_at, issue_id, host_id);"
	"CREATE TABLE kt_crash_seen(crash_id BIGINT NOT NULL REFERENCES kt_crash(id),"
	" upload_id BIGINT NOT NULL REFERENCES kt_upload(id), file TEXT,"
	" first_line BIGINT NOT NULL, last_line BIGINT NOT NULL,"
	" PRIMARY KEY(crash_id, upload_id, first_line));"
	"CREATE INDEX kt_crash_seen_upload ON kt_crash_seen(upload_id);"
	"CREATE TABLE kt_event(id @ID@, issue_id BIGINT REFERENCES kt_issue(id), crash_id BIGINT,"
	" at TEXT NOT NULL, what TEXT NOT NULL);"
	"CREATE INDEX kt_event_issue ON kt_event(issue_id);"
	/* derived: per issue, facet key/value and host: crashes, first/last */
	"CREATE TABLE kt_facet(issue_id BIGINT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
	" host_id BIGINT NOT NULL, n BIGINT NOT NULL, first_seen TEXT NOT NULL,"
	" last_seen TEXT NOT NULL, PRIMARY KEY(issue_id, key, value, host_id));"
	/* covering: issue lists read only this index */
	"CREATE INDEX kt_facet_cover ON kt_facet(key, issue_id, value, host_id, n, first_seen,"
	" last_seen);";

/* Version 2: a per-issue summary kept in the transaction that changes
 * crashes (import.c: store_crash; rebucket.c: apply), so that the issue
 * list and the web view's windows read one row per issue instead of
 * aggregating crashes or facets. kt_issue_sum: crashes, distinct hosts,
 * first/last seen; kt_issue_value: per issue crashes per kernel, per top
 * rule and per UTC day (key 'kernel', 'rule', 'day'). Filled from the
 * crashes already stored (KT_STORE_SUMMARY_FILL, also the rebuild). And
 * kt_crash.state_key: one crash seen through two sources of a host. */
static const char schema_v2[] =
	"CREATE TABLE kt_issue_sum(issue_id BIGINT PRIMARY KEY REFERENCES kt_issue(id),"
	" crashes BIGINT NOT NULL, hosts BIGINT NOT NULL, first_seen TEXT NOT NULL,"
	" last_seen TEXT NOT NULL);"
	"CREATE INDEX kt_issue_sum_crashes ON kt_issue_sum(crashes, issue_id);"
	"CREATE TABLE kt_issue_value(issue_id BIGINT NOT NULL REFERENCES kt_issue(id),"
	" key TEXT NOT NULL, value TEXT NOT NULL, n BIGINT NOT NULL,"
	" PRIMARY KEY(issue_id, key, value));"
	/* covering: the web view's days of all listed issues at once */
	"CREATE INDEX kt_issue_value_day ON kt_issue_value(key, value, issue_id, n);"
	/* the cross-source key (import.c state_key): NULL for older crashes */
	"ALTER TABLE kt_crash ADD COLUMN state_key TEXT;"
	"ALTER TABLE kt_crash ADD COLUMN printk_ts TEXT;"
	"ALTER TABLE kt_crash ADD COLUMN wall_at TEXT;"
	"CREATE INDEX kt_crash_state ON kt_crash(host_id, state_key) WHERE state_key IS NOT NULL;"
	KT_STORE_SUMMARY_FILL;

/* Version 3: per-value issue summaries, so that the list filtered on one
 * host, pool or kernel reads one row per issue holding the value (not the
 * issue x host facet rows nor the crashes), and a partial index that lets
 * "--since T" count each issue's hosts active since T from the host facet
 * rows without reading crashes. kt_issue_by(key, value, issue): crashes,
 * distinct hosts, first/last seen of the issue's crashes with that value;
 * a roll-up of kt_facet's host, pool and kernel rows, kept in the import
 * transaction (import.c: add_by) and rebuilt with the facets. */
static const char schema_v3[] =
	"CREATE TABLE kt_issue_by(key TEXT NOT NULL, value TEXT NOT NULL,"
	" issue_id BIGINT NOT NULL REFERENCES kt_issue(id), crashes BIGINT NOT NULL,"
	" hosts BIGINT NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,"
	" PRIMARY KEY(key, value, issue_id));"
	"CREATE INDEX kt_facet_host_last ON kt_facet(issue_id, last_seen) WHERE key = 'host';"
	"DELETE FROM kt_facet WHERE key = 'pool';" KT_STORE_POOL_FACETS
	KT_STORE_BY_FILL;

static const struct { int version; const char *sql; } migrations[] = {
	{ 1, schema_v1 },
	{ 2, schema_v2 },
	{ 3, schema_v3 },
};

/* Replace @ID@ and @BLOB@ with the engine's column types. */
static char *
dialect(enum kt_store_backend b, const char *sql)
{
	const char *id = b == KT_STORE_SQLITE ? "INTEGER PRIMARY KEY" : "BIGSERIAL PRIMARY KEY";
	const char *blob = b == KT_STORE_SQLITE ? "BLOB" : "BYTEA";
	size_t cap = strlen(sql) * 2 + 1, n = 0;
	char *out = kt_malloc(cap);

	while (*sql) {
		const char *rep = NULL;
		size_t skip = 0;

		if (strncmp(sql, "@ID@", 4) == 0)
			rep = id, skip = 4;
		else if (strncmp(sql, "@BLOB@", 6) == 0)
			rep = blob, skip = 6;
		if (rep) {
			memcpy(out + n, rep, strlen(rep));
			n += strlen(rep);
			sql += skip;
		} else {
			out[n++] = *sql++;
		}
	}
	out[n] = '\0';
	return out;
}

static int
schema_version(struct kt_store *s, int64_t *ret)
{
	static const char q[] = "SELECT value FROM kt_meta WHERE key = 'schema_version'";
	struct kt_dbq *cur;
	int rc = kt_db_query(s->db, q, NULL, 0, &cur);

	*ret = 0;
	if (rc)
		return rc;
	if (kt_dbq_next(cur))
		*ret = strtoll(kt_dbq_text(cur, 0), NULL, 10);
	return kt_dbq_end(cur);
}

/* Bring the schema to KT_STORE_SCHEMA_VERSION in one transaction. On
 * PostgreSQL an advisory lock keeps two first-time openers apart. */
static int
migrate(struct kt_store *s)
{
	int64_t v = 0;
	int rc;

	rc = kt_db_script(s->db, "CREATE TABLE IF NOT EXISTS kt_meta(key TEXT PRIMARY KEY,"
			  " value TEXT NOT NULL)");
	if (rc && s->db->backend == KT_STORE_POSTGRESQL) /* raced with another creator */
		rc = kt_db_script(s->db, "SELECT 1 FROM kt_meta LIMIT 1");
	if (rc)
		return rc;
	rc = schema_version(s, &v);
	if (rc == 0 && v == KT_STORE_SCHEMA_VERSION)
		return 0;
	rc = kt_db_begin(s->db);
	if (rc == 0)
		rc = kt_db_lock(s->db, 0x6b74737472ll);	/* "ktstr" */
	if (rc == 0)
		rc = schema_version(s, &v);
	if (rc == 0 && v > KT_STORE_SCHEMA_VERSION)
		rc = kt_error(s->ctx, KT_EUNSUPPORTED,
			      "store schema version %lld is newer than this ktriage (%d)",
			      (long long)v, KT_STORE_SCHEMA_VERSION);
	for (size_t i = 0; rc == 0 && i < sizeof(migrations) / sizeof(migrations[0]); i++) {
		char *sql, num[32];
		struct kt_dbv p[1];

		if (migrations[i].version <= v)
			continue;
		sql = dialect(s->db->backend, migrations[i].sql);
		rc = kt_db_script(s->db, sql);
		free(sql);
		snprintf(num, sizeof(num), "%d", migrations[i].version);
		p[0] = KT_DBV_TEXT(num);
		if (rc == 0)
			rc = kt_db_exec(s->db, "INSERT INTO kt_meta(key, value) VALUES ('schema_version', $1)"
					" ON CONFLICT(key) DO UPDATE SET value = excluded.value", p, 1);
	}
	if (rc == 0)
		return kt_db_commit(s->db);
	kt_db_rollback(s->db);
	return rc;
}

static int
mkdir_p(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

char *
kt_store_default_url(const char *ktriage_db, const char *xdg_data_home, const char *home)
{
	char buf[4096];

	if (ktriage_db && *ktriage_db)
		return kt_strdup(ktriage_db);
	if (xdg_data_home && *xdg_data_home)
		snprintf(buf, sizeof(buf), "sqlite:%s/ktriage/ktriage.db", xdg_data_home);
	else if (home && *home)
		snprintf(buf, sizeof(buf), "sqlite:%s/.local/share/ktriage/ktriage.db", home);
	else
		return NULL;
	return kt_strdup(buf);
}

int
kt_store_open(struct kt_ctx *ctx, const char *url, const struct kt_store_opts *opts,
	      struct kt_store **ret)
{
	struct kt_store *s;
	int rc;

	if (!url || !*url)
		return kt_error(ctx, KT_EINVAL, "no store URL");
	s = kt_calloc(1, sizeof(*s));
	s->ctx = ctx;
	if (opts)
		s->opts = *opts;
	if (s->opts.busy_timeout_ms <= 0)
		s->opts.busy_timeout_ms = 30000;
	if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
		rc = kt_db_pg_open(ctx, url, &s->db);
	} else {
		char *path = kt_strdup(strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url);

		if (!*path)
			rc = kt_error(ctx, KT_EINVAL, "empty SQLite path in '%s'", url);
		else if (mkdir_p(path) != 0)
			rc = kt_error(ctx, KT_EDB, "creating the directory of '%s': %s", path,
				      strerror(errno));
		else
			rc = kt_db_sqlite_open(ctx, path, s->opts.busy_timeout_ms, &s->db);
		free(path);
	}
	if (rc == 0)
		rc = migrate(s);
	if (rc) {
		kt_store_close(s);
		return rc;
	}
	*ret = s;
	return 0;
}

void
kt_store_close(struct kt_store *s)
{
	if (!s)
		return;
	if (s->db)
		s->db->ops->close(s->db);
	kt_analyzer_free(s->an);
	if (s->tmp[0])
		(void)rmdir(s->tmp);
	free(s);
}

int
kt_store_analyzer(struct kt_store *s, struct kt_analyzer **ret)
{
	struct kt_analyze_opts o = { .rule_dirs = s->opts.rule_dirs };
	int rc;

	if (!s->an) {
		rc = kt_analyzer_new(s->ctx, &o, &s->an);
		if (rc)
			return rc;
	}
	*ret = s->an;
	return 0;
}

int
kt_store_tmpname(struct kt_store *s, const char *name, char *out, size_t cap)
{
	char clean[128];
	size_t n = 0;

	if (!s->tmp[0]) {
		snprintf(s->tmp, sizeof(s->tmp), "%s/ktriage-store-XXXXXX",
			 s->opts.tmp_dir && *s->opts.tmp_dir ? s->opts.tmp_dir : "/tmp");
		if (!mkdtemp(s->tmp)) {
			s->tmp[0] = '\0';
			return kt_error(s->ctx, KT_EIO, "creating a temporary directory: %s",
					strerror(errno));
		}
	}
	/* keep the name's extension (it selects the archive reader), drop
	 * anything that is not a plain file name character */
	for (const char *p = name ? name : "upload"; *p && n < sizeof(clean) - 1; p++)
		if (*p != '/') {
			clean[n] = (*p == '.' && n == 0) ? '_' : *p;
			n++;
		}
	clean[n] = '\0';
	snprintf(out, cap, "%s/%u-%s", s->tmp, s->tmp_seq++, n ? clean : "upload");
	return 0;
}

void
kt_store_now(char out[32])
{
	kt_time_iso(time(NULL), out);
}

json_t *
kt_json_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

int
kt_db_int(struct kt_db *db, const char *sql, const struct kt_dbv *p, int n, int64_t *ret)
{
	struct kt_dbq *q;
	int rc = kt_db_query(db, sql, p, n, &q);
	bool found = false;

	if (rc)
		return rc;
	if (kt_dbq_next(q)) {
		found = true;
		*ret = kt_dbq_null(q, 0) ? 0 : kt_dbq_int(q, 0);
	}
	rc = kt_dbq_end(q);
	return rc ? rc : found ? 0 : KT_ENOTFOUND;
}

int
kt_store_stats(struct kt_store *s, json_t **ret)
{
	static const struct { const char *key, *sql; } q[] = {
		{ "uploads", "SELECT count(*) FROM kt_upload" },
		{ "blobs", "SELECT count(*) FROM kt_blob" },
		{ "blob_bytes", "SELECT coalesce(sum(length(data)), 0) FROM kt_blob" },
		{ "raw_bytes", "SELECT coalesce(sum(size), 0) FROM kt_blob" },
		{ "crashes", "SELECT count(*) FROM kt_crash" },
		{ "excerpt_bytes", "SELECT coalesce(sum(length(excerpt)), 0) FROM kt_crash" },
		{ "report_bytes", "SELECT coalesce(sum(length(report)), 0) FROM kt_crash" },
		{ "issues", "SELECT count(*) FROM kt_issue" },
		{ "hosts", "SELECT count(*) FROM kt_host" },
		{ "facts", "SELECT count(*) FROM kt_facts" },
	};
	json_t *o = json_object();

	json_object_set_new(o, "backend", json_string(kt_store_backend_name(s->db->backend)));
	json_object_set_new(o, "schema_version", json_integer(KT_STORE_SCHEMA_VERSION));
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		int64_t v = 0;
		int rc = kt_db_int(s->db, q[i].sql, NULL, 0, &v);

		if (rc) {
			json_decref(o);
			return rc;
		}
		json_object_set_new(o, q[i].key, json_integer(v));
	}
	*ret = o;
	return 0;
}

int
kt_store_upload_bytes(struct kt_store *s, int64_t upload_id, void **ret, size_t *ret_len)
{
	struct kt_dbv p[1] = { KT_DBV_INT(upload_id) };
	struct kt_dbq *q;
	int rc = kt_db_query(s->db, "SELECT b.data, b.size FROM kt_upload u JOIN kt_blob b"
			     " ON b.sha256 = u.sha256 WHERE u.id = $1", p, 1, &q);
	char *out = NULL;
	size_t len = 0;
	bool found = false;

	if (rc)
		return rc;
	if (kt_dbq_next(q)) {
		size_t n;
		const void *b = kt_dbq_blob(q, 0, &n);
		size_t size = (size_t)kt_dbq_int(q, 1);

		found = true;
		rc = kt_z_inflate(b, n, size + 1, &out, &len);
		if (rc)
			rc = kt_error(s->ctx, KT_EDB, "upload %lld: stored bytes do not inflate",
				      (long long)upload_id);
	}
	if (kt_dbq_end(q) && rc == 0)
		rc = KT_EDB;
	if (rc == 0 && !found)
		rc = kt_error(s->ctx, KT_ENOTFOUND, "no upload %lld", (long long)upload_id);
	if (rc) {
		free(out);
		return rc;
	}
	*ret = out;
	*ret_len = len;
	return 0;
}
