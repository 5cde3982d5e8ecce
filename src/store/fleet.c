/*
 * store: additions for the fleet server (<ktriage/store_fleet.h>):
 * heartbeats, per-issue daily counts and the newest host-facts document.
 *
 * The heartbeat table is created on first use (CREATE TABLE IF NOT EXISTS,
 * outside any transaction) rather than by a schema migration, so that this
 * file stays separate from the store's schema; both engines accept the
 * same statement.
 */
#include <ktriage/store_fleet.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_int.h"

#define MAX_IDS 1000

static int
ensure_heartbeat(struct kt_store *s)
{
	int rc = kt_db_script(s->db, "SELECT 1 FROM kt_heartbeat LIMIT 1");

	if (!rc)
		return 0;
	rc = kt_db_script(s->db,
		"CREATE TABLE IF NOT EXISTS kt_heartbeat(host_id BIGINT NOT NULL,"
		" boot_id TEXT NOT NULL, kernel TEXT, uptime DOUBLE PRECISION,"
		" first_at TEXT NOT NULL, last_at TEXT NOT NULL, PRIMARY KEY(host_id, boot_id))");

	/* Two PostgreSQL sessions creating it at once: one fails on the
	 * catalog's unique index; the table is there all the same. */
	if (rc)
		rc = kt_db_script(s->db, "SELECT 1 FROM kt_heartbeat LIMIT 1");
	return rc;
}

/* Id of a host or pool by name, inserted if missing. SQL text is always a
 * literal: the SQLite driver caches statements by the text's address. */
static int
named_id(struct kt_store *s, bool host, const char *name, const char *now, int64_t *ret)
{
	struct kt_dbv p[2] = { KT_DBV_TEXT(name), KT_DBV_TEXT(now) };
	const char *sel = host ? "SELECT id FROM kt_host WHERE name = $1"
			       : "SELECT id FROM kt_pool WHERE name = $1";
	int rc = kt_db_int(s->db, sel, p, 1, ret);

	if (rc != KT_ENOTFOUND)
		return rc;
	if (host)
		rc = kt_db_exec(s->db, "INSERT INTO kt_host(name, first_seen, last_seen) "
				"VALUES($1, $2, $2) ON CONFLICT(name) DO NOTHING", p, 2);
	else
		rc = kt_db_exec(s->db, "INSERT INTO kt_pool(name) VALUES($1) "
				"ON CONFLICT(name) DO NOTHING", p, 1);
	return rc ? rc : kt_db_int(s->db, sel, p, 1, ret);
}

int
kt_store_heartbeat(struct kt_store *s, const char *host, const char *pool, const char *boot_id,
		   const char *kernel, double uptime, json_t **ret)
{
	char now[32];
	int64_t host_id, pool_id, boots = 0, seen = 0;
	int rc;

	if (!host || !*host || !boot_id || !*boot_id)
		return kt_error(s->ctx, KT_EINVAL, "heartbeat needs a host and a boot id");
	rc = ensure_heartbeat(s);
	if (rc)
		return rc;
	kt_store_now(now);
	rc = kt_db_begin(s->db);
	if (rc)
		return rc;
	rc = named_id(s, true, host, now, &host_id);
	if (!rc && pool) {
		rc = named_id(s, false, pool, now, &pool_id);
		if (!rc) {
			struct kt_dbv p[2] = { KT_DBV_INT(pool_id), KT_DBV_INT(host_id) };

			rc = kt_db_exec(s->db, "UPDATE kt_host SET pool_id = $1 WHERE id = $2 "
					"AND pool_id IS NULL", p, 2);
		}
	}
	if (!rc) {
		struct kt_dbv p[2] = { KT_DBV_INT(host_id), KT_DBV_TEXT(boot_id) };

		rc = kt_db_int(s->db, "SELECT count(*) FROM kt_heartbeat WHERE host_id = $1 "
			       "AND boot_id = $2", p, 2, &seen);
	}
	if (!rc) {
		struct kt_dbv p[5] = { KT_DBV_INT(host_id), KT_DBV_TEXT(boot_id), KT_DBV_TEXT(kernel),
				       uptime >= 0 ? (struct kt_dbv){ .t = KT_DBT_REAL, .d = uptime } : KT_DBV_NULL,
				       KT_DBV_TEXT(now) };

		rc = kt_db_exec(s->db, "INSERT INTO kt_heartbeat(host_id, boot_id, kernel, uptime, "
				"first_at, last_at) VALUES($1, $2, $3, $4, $5, $5) "
				"ON CONFLICT(host_id, boot_id) DO UPDATE SET kernel = excluded.kernel, "
				"uptime = excluded.uptime, last_at = excluded.last_at", p, 5);
	}
	if (!rc) {
		struct kt_dbv p[2] = { KT_DBV_TEXT(now), KT_DBV_INT(host_id) };

		rc = kt_db_exec(s->db, "UPDATE kt_host SET last_seen = $1 WHERE id = $2 "
				"AND last_seen < $1", p, 2);
	}
	if (!rc) {
		struct kt_dbv p[1] = { KT_DBV_INT(host_id) };

		rc = kt_db_int(s->db, "SELECT count(*) FROM kt_heartbeat WHERE host_id = $1",
			       p, 1, &boots);
	}
	if (!rc)
		rc = kt_db_commit(s->db);
	if (rc) {
		kt_db_rollback(s->db);
		return rc;
	}
	if (ret)
		*ret = json_pack("{s:s,s:s,s:I,s:s}", "host", host, "boot_id", boot_id,
				 "boots", (json_int_t)boots, "status", seen ? "seen" : "new");
	return 0;
}

static time_t
iso_time(const char *iso)
{
	struct tm tm = { 0 };

	if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec) < 3)
		return (time_t)-1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

/* "YYYY-MM-DD" of t, and of the day after t's. */
static void
day_of(time_t t, char out[11], char next[11])
{
	char iso[32];

	kt_time_iso(t, iso);
	snprintf(out, 11, "%.10s", iso);
	kt_time_iso(t + 86400, iso);
	snprintf(next, 11, "%.10s", iso);
}

/* The days and windows asked: `days` UTC days from day0, and the last
 * 24 h, 7 d, 30 d before now. A window counts the whole days after its
 * start day from the per-issue summary (kt_issue_value 'day' rows, kept at
 * import) and the part of its start day, [start, next day), from kt_crash
 * (an index range scan of at most a day): the same counts as reading every
 * crash since the start. */
struct span {
	int days;
	time_t day0;
	char wt[3][32], wday[3][11], wnext[3][11];
	char lo[11];		/* the first day any answer needs */
};

static const char *const win_key[3] = { "h24", "d7", "d30" };

static void
span_init(struct span *sp, int days, time_t tnow)
{
	static const time_t len[3] = { 86400, 7 * 86400, 30 * 86400 };
	char unused[11];

	sp->days = days;
	sp->day0 = (tnow / 86400 - (days - 1)) * 86400;
	for (int w = 0; w < 3; w++) {
		kt_time_iso(tnow - len[w], sp->wt[w]);
		day_of(tnow - len[w], sp->wday[w], sp->wnext[w]);
	}
	day_of(sp->day0, sp->lo, unused);
	if (strcmp(sp->wnext[2], sp->lo) < 0)
		memcpy(sp->lo, sp->wnext[2], sizeof(sp->lo));
}

static void
add_count(json_t *o, const char *key, int64_t n)
{
	json_object_set_new(o, key, json_integer(json_integer_value(json_object_get(o, key)) + n));
}

/* One summary day row of an issue into its entry. */
static void
add_day(const struct span *sp, json_t *o, const char *d, int64_t n)
{
	char day[32];
	long idx;

	if (!o || !d)
		return;
	for (int w = 0; w < 3; w++)
		if (strcmp(d, sp->wday[w]) > 0)
			add_count(o, win_key[w], n);
	snprintf(day, sizeof(day), "%.10sT00:00:00Z", d);
	idx = (long)((iso_time(day) - sp->day0) / 86400);
	if (idx >= 0 && idx < sp->days)
		json_array_set_new(json_object_get(o, "days"), (size_t)idx, json_integer(n));
}

/* One issue: two queries (its day rows; its three start-day parts). */
static int
one_issue(struct kt_store *s, const struct span *sp, int64_t id, json_t *o)
{
	struct kt_dbq *q = NULL;
	int rc;
	{
		struct kt_dbv p[2] = { KT_DBV_INT(id), KT_DBV_TEXT(sp->lo) };

		rc = kt_db_query(s->db, "SELECT value, n FROM kt_issue_value WHERE issue_id = $1"
				 " AND key = 'day' AND value >= $2", p, 2, &q);
	}
	while (!rc && kt_dbq_next(q))
		add_day(sp, o, kt_dbq_text(q, 0), kt_dbq_int(q, 1));
	if (!rc)
		rc = kt_dbq_end(q);
	if (rc)
		return rc;
	{
		struct kt_dbv p[7] = { KT_DBV_INT(id), KT_DBV_TEXT(sp->wt[0]), KT_DBV_TEXT(sp->wnext[0]),
				       KT_DBV_TEXT(sp->wt[1]), KT_DBV_TEXT(sp->wnext[1]),
				       KT_DBV_TEXT(sp->wt[2]), KT_DBV_TEXT(sp->wnext[2]) };

		q = NULL;
		rc = kt_db_query(s->db, "SELECT"
				 " (SELECT count(*) FROM kt_crash WHERE issue_id = $1"
				 "  AND crashed_at >= $2 AND crashed_at < $3),"
				 " (SELECT count(*) FROM kt_crash WHERE issue_id = $1"
				 "  AND crashed_at >= $4 AND crashed_at < $5),"
				 " (SELECT count(*) FROM kt_crash WHERE issue_id = $1"
				 "  AND crashed_at >= $6 AND crashed_at < $7)", p, 7, &q);
	}
	if (!rc && kt_dbq_next(q))
		for (int w = 0; w < 3; w++)
			add_count(o, win_key[w], kt_dbq_int(q, w));
	return rc ? rc : kt_dbq_end(q);
}

/* Several issues: the same two queries for all issues at once (two round
 * trips, not two per issue: on PostgreSQL they would dominate a page);
 * rows of issues not asked for are skipped. They read the day rows of
 * every issue since sp->lo (index kt_issue_value_day) and the crashes of
 * the three start days (index kt_crash_time). */
static int
all_issues(struct kt_store *s, const struct span *sp, json_t *out)
{
	struct kt_dbq *q = NULL;
	char key[24];
	int rc;
	{
		struct kt_dbv p[1] = { KT_DBV_TEXT(sp->lo) };

		rc = kt_db_query(s->db, "SELECT issue_id, value, n FROM kt_issue_value"
				 " WHERE key = 'day' AND value >= $1", p, 1, &q);
	}
	while (!rc && kt_dbq_next(q)) {
		snprintf(key, sizeof(key), "%lld", (long long)kt_dbq_int(q, 0));
		add_day(sp, json_object_get(out, key), kt_dbq_text(q, 1), kt_dbq_int(q, 2));
	}
	if (!rc)
		rc = kt_dbq_end(q);
	if (rc)
		return rc;
	{
		struct kt_dbv p[6] = { KT_DBV_TEXT(sp->wt[0]), KT_DBV_TEXT(sp->wnext[0]),
				       KT_DBV_TEXT(sp->wt[1]), KT_DBV_TEXT(sp->wnext[1]),
				       KT_DBV_TEXT(sp->wt[2]), KT_DBV_TEXT(sp->wnext[2]) };

		q = NULL;
		rc = kt_db_query(s->db, "SELECT 0, issue_id, count(*) FROM kt_crash"
				 " WHERE crashed_at >= $1 AND crashed_at < $2 GROUP BY issue_id"
				 " UNION ALL SELECT 1, issue_id, count(*) FROM kt_crash"
				 " WHERE crashed_at >= $3 AND crashed_at < $4 GROUP BY issue_id"
				 " UNION ALL SELECT 2, issue_id, count(*) FROM kt_crash"
				 " WHERE crashed_at >= $5 AND crashed_at < $6 GROUP BY issue_id", p, 6, &q);
	}
	while (!rc && kt_dbq_next(q)) {
		int64_t w = kt_dbq_int(q, 0);
		json_t *o;

		snprintf(key, sizeof(key), "%lld", (long long)kt_dbq_int(q, 1));
		o = json_object_get(out, key);
		if (o && w >= 0 && w < 3)
			add_count(o, win_key[w], kt_dbq_int(q, 2));
	}
	return rc ? rc : kt_dbq_end(q);
}

int
kt_store_issue_days(struct kt_store *s, const int64_t *ids, size_t n, int days, const char *now,
		    json_t **ret)
{
	time_t tnow = now ? iso_time(now) : time(NULL);
	struct span sp;
	json_t *out;
	int rc;

	if (days < 1 || days > 366 || n > MAX_IDS || tnow == (time_t)-1)
		return kt_error(s->ctx, KT_EINVAL, "issue days: 1..366 days, at most %d issues, "
				"an ISO-8601 time", MAX_IDS);
	span_init(&sp, days, tnow);
	out = json_object();
	for (size_t i = 0; i < n; i++) {
		char key[24];
		json_t *d = json_array();

		for (int k = 0; k < days; k++)
			json_array_append_new(d, json_integer(0));
		snprintf(key, sizeof(key), "%lld", (long long)ids[i]);
		json_object_set_new(out, key, json_pack("{s:o,s:i,s:i,s:i}", "days", d, "h24", 0,
							"d7", 0, "d30", 0));
	}
	if (n == 1) {
		char key[24];

		snprintf(key, sizeof(key), "%lld", (long long)ids[0]);
		rc = one_issue(s, &sp, ids[0], json_object_get(out, key));
	} else {
		rc = n ? all_issues(s, &sp, out) : 0;
	}
	return kt_store_give_json(rc, out, ret);
}

int
kt_store_host_facts_json(struct kt_store *s, const char *host, json_t **ret)
{
	struct kt_dbv p[1] = { KT_DBV_TEXT(host) };
	struct kt_dbq *q = NULL;
	json_t *j = NULL;
	int rc;

	rc = kt_db_query(s->db, "SELECT f.data, f.collected_at FROM kt_facts f JOIN kt_host h "
			 "ON h.id = f.host_id WHERE h.name = $1 ORDER BY f.collected_at DESC, "
			 "f.id DESC LIMIT 1", p, 1, &q);
	if (!rc && kt_dbq_next(q)) {
		size_t zlen = 0, len = 0;
		const void *z = kt_dbq_blob(q, 0, &zlen);
		char *text = NULL;

		if (z && !kt_z_inflate(z, zlen, 64u << 20, &text, &len))
			j = json_loadb(text, len, 0, NULL);
		free(text);
		if (json_is_object(j))
			json_object_set_new(j, "collected_at", kt_json_str(kt_dbq_text(q, 1)));
	}
	if (!rc)
		rc = kt_dbq_end(q);
	else
		(void)kt_dbq_end(q);
	if (rc) {
		json_decref(j);
		return rc;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		return kt_error(s->ctx, KT_ENOTFOUND, "no facts for host '%s'", host);
	}
	*ret = j;
	return 0;
}

int
kt_store_host_heartbeats(struct kt_store *s, const char *host, json_t **ret)
{
	struct kt_dbv p[1] = { KT_DBV_TEXT(host) };
	struct kt_dbq *q = NULL;
	json_t *out = json_pack("{s:i,s:n,s:n,s:n}", "boots", 0, "last_heartbeat", "uptime",
				"kernel");
	int64_t boots = 0;
	int rc = ensure_heartbeat(s);

	if (!rc)
		rc = kt_db_int(s->db, "SELECT count(*) FROM kt_heartbeat b JOIN kt_host h "
			       "ON h.id = b.host_id WHERE h.name = $1", p, 1, &boots);
	if (!rc) {
		json_object_set_new(out, "boots", json_integer(boots));
		rc = kt_db_query(s->db, "SELECT b.last_at, b.uptime, b.kernel FROM kt_heartbeat b "
				 "JOIN kt_host h ON h.id = b.host_id WHERE h.name = $1 "
				 "ORDER BY b.last_at DESC LIMIT 1", p, 1, &q);
	}
	if (!rc && kt_dbq_next(q)) {
		json_object_set_new(out, "last_heartbeat", kt_json_str(kt_dbq_text(q, 0)));
		if (!kt_dbq_null(q, 1))
			json_object_set_new(out, "uptime", json_real(kt_dbq_real(q, 1)));
		json_object_set_new(out, "kernel", kt_json_str(kt_dbq_text(q, 2)));
	}
	if (!rc)
		rc = kt_dbq_end(q);
	return kt_store_give_json(rc, out, ret);
}

int
kt_store_counts(struct kt_store *s, json_t **ret)
{
	static const struct { const char *key, *sql; } q[] = {
		{ "issues", "SELECT count(*) FROM kt_issue" },
		/* from the per-issue summary: count(*) reads every crash on PostgreSQL */
		{ "crashes", "SELECT coalesce(sum(crashes), 0) FROM kt_issue_sum" },
		{ "hosts", "SELECT count(*) FROM kt_host" },
		{ "uploads", "SELECT count(*) FROM kt_upload" },
	};
	json_t *out = json_object();

	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		int64_t n = 0;
		int rc = kt_db_int(s->db, q[i].sql, NULL, 0, &n);

		if (rc) {
			json_decref(out);
			return rc;
		}
		json_object_set_new(out, q[i].key, json_integer(n));
	}
	*ret = out;
	return 0;
}

int
kt_store_pool_matrix(struct kt_store *s, const char *pool, json_t **ret)
{
	struct kt_dbv p[1] = { KT_DBV_TEXT(pool) };
	struct kt_dbq *q = NULL;
	json_t *out = json_object();
	int rc = kt_db_query(s->db, "SELECT h.name, c.issue_id, count(*) FROM kt_crash c "
			     "JOIN kt_host h ON h.id = c.host_id JOIN kt_pool p ON p.id = h.pool_id "
			     "WHERE p.name = $1 GROUP BY h.name, c.issue_id", p, 1, &q);

	while (!rc && kt_dbq_next(q)) {
		const char *host = kt_dbq_text(q, 0);
		char key[24];
		json_t *row;

		if (!host)
			continue;
		row = json_object_get(out, host);
		if (!row) {
			row = json_object();
			json_object_set_new(out, host, row);
		}
		snprintf(key, sizeof(key), "%lld", (long long)kt_dbq_int(q, 1));
		json_object_set_new(row, key, json_integer(kt_dbq_int(q, 2)));
	}
	if (!rc)
		rc = kt_dbq_end(q);
	return kt_store_give_json(rc, out, ret);
}

int
kt_store_boots(struct kt_store *s, const char *since, int64_t *ret)
{
	struct kt_dbv p[1] = { KT_DBV_TEXT(since ? since : "") };
	int rc = ensure_heartbeat(s);

	if (!rc)
		rc = kt_db_int(s->db, "SELECT count(*) FROM kt_heartbeat WHERE last_at >= $1",
			       p, 1, ret);
	return rc;
}

/* ---- raw first ----------------------------------------------------------- */

static int
ensure_pending(struct kt_store *s)
{
	int rc = kt_db_script(s->db, "SELECT 1 FROM kt_pending LIMIT 1");

	if (!rc)
		return 0;
	rc = kt_db_script(s->db, s->db->backend == KT_STORE_POSTGRESQL
		? "CREATE TABLE IF NOT EXISTS kt_pending(id BIGINT GENERATED BY DEFAULT AS IDENTITY"
		  " PRIMARY KEY, sha256 TEXT NOT NULL, host TEXT, pool TEXT, source TEXT, name TEXT,"
		  " received_at TEXT NOT NULL, error TEXT)"
		: "CREATE TABLE IF NOT EXISTS kt_pending(id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL,"
		  " host TEXT, pool TEXT, source TEXT, name TEXT, received_at TEXT NOT NULL,"
		  " error TEXT)");
	if (rc)
		rc = kt_db_script(s->db, "SELECT 1 FROM kt_pending LIMIT 1");
	return rc;
}

int
kt_store_raw_stash(struct kt_store *s, const struct kt_upload_meta *m, const void *bytes,
		   size_t len, int64_t *ret_id)
{
	char sha[65], now[32];
	int64_t exists = 0, id = 0;
	void *z = NULL;
	size_t nz = 0;
	int rc = ensure_pending(s);

	if (rc)
		return rc;
	kt_sha256_hex(bytes, len, sha);
	kt_store_now(now);
	{
		struct kt_dbv p[1] = { KT_DBV_TEXT(sha) };

		rc = kt_db_int(s->db, "SELECT 1 FROM kt_blob WHERE sha256 = $1", p, 1, &exists);
		if (rc == KT_ENOTFOUND)
			rc = 0, exists = 0;
	}
	if (!rc && !exists && kt_z_deflate(bytes, len, &z, &nz))
		rc = kt_error(s->ctx, KT_EIO, "compressing the upload failed");
	if (!rc)
		rc = kt_db_begin(s->db);
	if (rc) {
		free(z);
		return rc;
	}
	if (!exists) {
		struct kt_dbv p[4] = { KT_DBV_TEXT(sha), KT_DBV_INT((int64_t)len), KT_DBV_TEXT("zlib"),
				       KT_DBV_BLOB(z, nz) };

		rc = kt_db_exec(s->db, "INSERT INTO kt_blob(sha256, size, codec, data)"
				" VALUES ($1, $2, $3, $4) ON CONFLICT(sha256) DO NOTHING", p, 4);
	}
	if (!rc) {
		struct kt_dbv p[6] = { KT_DBV_TEXT(sha), KT_DBV_TEXT(m->host), KT_DBV_TEXT(m->pool),
				       KT_DBV_TEXT(m->source), KT_DBV_TEXT(m->name),
				       KT_DBV_TEXT(m->received_at ? m->received_at : now) };

		rc = kt_db_int(s->db, "INSERT INTO kt_pending(sha256, host, pool, source, name,"
			       " received_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id", p, 6, &id);
	}
	if (!rc)
		rc = kt_db_commit(s->db);
	free(z);
	if (rc) {
		kt_db_rollback(s->db);
		return rc;
	}
	*ret_id = id;
	return 0;
}

int
kt_store_raw_done(struct kt_store *s, int64_t id, const char *error)
{
	struct kt_dbv p[2] = { KT_DBV_INT(id), KT_DBV_TEXT(error) };

	if (!error)
		return kt_db_exec(s->db, "DELETE FROM kt_pending WHERE id = $1", p, 1);
	return kt_db_exec(s->db, "UPDATE kt_pending SET error = $2 WHERE id = $1", p, 2);
}

int
kt_store_raw_pending(struct kt_store *s, size_t limit, json_t **ret)
{
	struct kt_dbv p[1] = { KT_DBV_INT((int64_t)(limit ? limit : 100)) };
	struct kt_dbq *q = NULL;
	json_t *out;
	int rc = ensure_pending(s);

	if (rc)
		return rc;
	rc = kt_db_query(s->db, "SELECT id, sha256, host, pool, source, name, received_at"
			 " FROM kt_pending WHERE error IS NULL ORDER BY id LIMIT $1", p, 1, &q);
	if (rc)
		return rc;
	out = json_array();
	while (kt_dbq_next(q))
		json_array_append_new(out, json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o}",
			"id", (json_int_t)kt_dbq_int(q, 0), "sha256", kt_json_str(kt_dbq_text(q, 1)),
			"host", kt_json_str(kt_dbq_text(q, 2)), "pool", kt_json_str(kt_dbq_text(q, 3)),
			"source", kt_json_str(kt_dbq_text(q, 4)), "name", kt_json_str(kt_dbq_text(q, 5)),
			"received_at", kt_json_str(kt_dbq_text(q, 6))));
	rc = kt_dbq_end(q);
	return kt_store_give_json(rc, out, ret);
}

int
kt_store_blob(struct kt_store *s, const char *sha256, void **ret, size_t *ret_len)
{
	struct kt_dbv p[1] = { KT_DBV_TEXT(sha256) };
	struct kt_dbq *q = NULL;
	char *text = NULL;
	size_t len = 0;
	bool found = false;
	int rc = kt_db_query(s->db, "SELECT data FROM kt_blob WHERE sha256 = $1", p, 1, &q);

	if (rc)
		return rc;
	if (kt_dbq_next(q)) {
		size_t nz = 0;
		const void *z = kt_dbq_blob(q, 0, &nz);

		found = z && !kt_z_inflate(z, nz, KT_STORE_MAX_UPLOAD, &text, &len);
	}
	rc = kt_dbq_end(q);
	if (rc || !found) {
		free(text);
		return rc ? rc : kt_error(s->ctx, KT_ENOTFOUND, "no blob %s", sha256);
	}
	*ret = text;
	*ret_len = len;
	return 0;
}

int
kt_store_upload_known(struct kt_store *s, const char *host, const char *source,
		      const void *bytes, size_t len, bool *ret)
{
	char sha[65];
	int64_t one = 0;
	int rc;

	kt_sha256_hex(bytes, len, sha);
	{
		struct kt_dbv p[3] = { KT_DBV_TEXT(host), KT_DBV_TEXT(source), KT_DBV_TEXT(sha) };

		rc = kt_db_int(s->db, "SELECT 1 FROM kt_upload u JOIN kt_host h ON h.id = u.host_id"
			       " WHERE h.name = $1 AND u.source = $2 AND u.sha256 = $3", p, 3, &one);
	}
	if (rc && rc != KT_ENOTFOUND)
		return rc;
	*ret = rc == 0;
	return 0;
}
