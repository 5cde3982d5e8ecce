/*
 * store: the read side: issue list, one issue (representative crash,
 * facets, lift, crash list), one crash (excerpt and analysis), hosts and
 * one host. The unfiltered issue list reads the per-issue summary
 * (kt_issue_sum, kt_issue_value: O(issues)); a list filtered on one host,
 * pool or kernel reads the per-value summary (kt_issue_by: O(issues with
 * the value)); a list since a day or time reads the summary's day counts,
 * one day of crashes and the host facet rows active since then; the
 * facets read kt_facet (O(issues x hosts)); a filter on time and a facet
 * together, or on several facets, reads kt_crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/mem.h"

static size_t
limit_of(const struct kt_store_filter *f)
{
	return f && f->limit ? f->limit : 100;
}

/* Each listed issue's kernels (most crashes first, at most 5) and top rule,
 * from one query over the per-issue summary values (not two per issue: on
 * PostgreSQL the round trips would dominate). With `listed` (the summary
 * list's parameters) only the listed issues' values are read; else all
 * issues' (a few rows per issue). */
static int
add_kernels_rules(struct kt_store *s, json_t *out, const struct kt_dbv *listed)
{
	json_t *by_id = json_object();
	struct kt_dbq *q;
	char key[32];
	int rc;

	for (size_t i = 0; i < json_array_size(out); i++) {
		json_t *o = json_array_get(out, i);

		snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(json_object_get(o, "id")));
		json_object_set(by_id, key, o);
		json_object_set_new(o, "kernels", json_array());
		json_object_set_new(o, "rule", json_null());
	}
	if (json_array_size(out) == 0)
		rc = 0;
	else if (listed)
		rc = kt_db_query(s->db, "SELECT v.issue_id, v.key, v.value FROM kt_issue_value v"
				 " JOIN (SELECT s.issue_id FROM kt_issue_sum s JOIN kt_issue i"
				 "  ON i.id = s.issue_id WHERE ($1 IS NULL OR i.status = $1)"
				 "  ORDER BY s.crashes DESC, s.issue_id LIMIT $2 OFFSET $3) l"
				 " ON l.issue_id = v.issue_id WHERE v.key IN ('kernel', 'rule')"
				 " ORDER BY v.issue_id, v.key, v.n DESC, v.value", listed, 3, &q);
	else
		rc = kt_db_query(s->db, "SELECT issue_id, key, value FROM kt_issue_value"
				 " WHERE key IN ('kernel', 'rule') ORDER BY issue_id, key, n DESC, value",
				 NULL, 0, &q);
	if (rc || json_array_size(out) == 0) {
		json_decref(by_id);
		return rc;
	}
	while (kt_dbq_next(q)) {
		json_t *o, *k;

		snprintf(key, sizeof(key), "%lld", (long long)kt_dbq_int(q, 0));
		o = json_object_get(by_id, key);
		if (!o)
			continue;
		k = json_object_get(o, "kernels");
		if (strcmp(kt_dbq_text(q, 1), "kernel") == 0 && json_array_size(k) < 5)
			json_array_append_new(k, json_string(kt_dbq_text(q, 2)));
		else if (strcmp(kt_dbq_text(q, 1), "rule") == 0 && json_is_null(json_object_get(o, "rule")))
			json_object_set_new(o, "rule", json_string(kt_dbq_text(q, 2)));
	}
	json_decref(by_id);
	return kt_dbq_end(q);
}

/* Columns: id, title, kind, status, fixed_in, crashes, hosts, first, last. */
static json_t *
issue_row(struct kt_dbq *q)
{
	return json_pack("{s:I,s:s,s:o,s:s,s:o,s:I,s:I,s:o,s:o}",
		"id", (json_int_t)kt_dbq_int(q, 0), "title", kt_dbq_text(q, 1),
		"kind", kt_json_str(kt_dbq_text(q, 2)), "status", kt_dbq_text(q, 3),
		"fixed_in", kt_json_str(kt_dbq_text(q, 4)),
		"crashes", (json_int_t)kt_dbq_int(q, 5), "hosts", (json_int_t)kt_dbq_int(q, 6),
		"first_seen", kt_json_str(kt_dbq_text(q, 7)), "last_seen", kt_json_str(kt_dbq_text(q, 8)));
}

/* No filter but the status: one summary row per issue (schema version 2). */
static const char issues_sum[] =
	"SELECT i.id, i.title, i.kind, i.status, i.fixed_in, s.crashes, s.hosts, s.first_seen,"
	" s.last_seen FROM kt_issue_sum s JOIN kt_issue i ON i.id = s.issue_id"
	" WHERE ($1 IS NULL OR i.status = $1) ORDER BY s.crashes DESC, s.issue_id LIMIT $2 OFFSET $3";

/* One host, pool or kernel (schema version 3): one row per issue that
 * has the value, whatever the number of its hosts or crashes. */
static const char issues_by[] =
	"SELECT i.id, i.title, i.kind, i.status, i.fixed_in, b.crashes, b.hosts, b.first_seen,"
	" b.last_seen FROM kt_issue_by b JOIN kt_issue i ON i.id = b.issue_id"
	" WHERE b.key = $1 AND b.value = $2 AND ($3 IS NULL OR i.status = $3)"
	" ORDER BY b.crashes DESC, i.id LIMIT $4 OFFSET $5";

/* Since T ($1; $2 its day, $3 its day + "U", above every time of that
 * day): per issue seen since T, the crashes of the whole days after T's
 * day from the summary's day counts (one range of the day index for all
 * issues, not one per issue) plus those of the rest of T's day
 * (an index range of at most one day of the issue's crashes), the hosts
 * whose last crash of the issue is at or after T (the host facet rows,
 * partial index kt_facet_host_last: the hosts active since T), the first
 * crash at or after T (one index seek) and the issue's last. */
static const char issues_since_sum[] =
	"SELECT i.id, i.title, i.kind, i.status, i.fixed_in, a.n, a.h, a.f, a.l FROM"
	" (SELECT s.issue_id, coalesce(d.n, 0)"
	"  + (SELECT count(*) FROM kt_crash c WHERE c.issue_id = s.issue_id"
	"   AND c.crashed_at >= $1 AND c.crashed_at < $3) AS n,"
	"  (SELECT count(*) FROM kt_facet f WHERE f.key = 'host' AND f.issue_id = s.issue_id"
	"   AND f.last_seen >= $1) AS h,"
	"  CASE WHEN s.first_seen >= $1 THEN s.first_seen ELSE (SELECT c.crashed_at FROM kt_crash c"
	"   WHERE c.issue_id = s.issue_id AND c.crashed_at >= $1 ORDER BY c.crashed_at LIMIT 1)"
	"  END AS f, s.last_seen AS l FROM kt_issue_sum s"
	"  LEFT JOIN (SELECT issue_id, sum(n) AS n FROM kt_issue_value WHERE key = 'day'"
	"   AND value > $2 GROUP BY issue_id) d ON d.issue_id = s.issue_id"
	"  WHERE s.last_seen >= $1) a"
	" JOIN kt_issue i ON i.id = a.issue_id WHERE ($4 IS NULL OR i.status = $4)"
	" ORDER BY a.n DESC, i.id LIMIT $5 OFFSET $6";

/* Since T and one host, pool or kernel ($1 the value, $2 T): the crashes
 * since T of that host (index kt_crash_host: its crashes since T), of the
 * hosts of that pool (index kt_crash_time, covering), or with that kernel
 * (kt_crash_time, then each row). */
#define ISSUES_SINCE_BY(where) \
	"SELECT i.id, i.title, i.kind, i.status, i.fixed_in, count(*), count(DISTINCT c.host_id)," \
	" min(c.crashed_at), max(c.crashed_at) FROM kt_crash c JOIN kt_issue i ON i.id = c.issue_id" \
	" WHERE " where " AND c.crashed_at >= $2 AND ($3 IS NULL OR i.status = $3)" \
	" GROUP BY i.id, i.title, i.kind, i.status, i.fixed_in ORDER BY 6 DESC, i.id LIMIT $4 OFFSET $5"
static const char *const issues_since_by[] = {
	ISSUES_SINCE_BY("c.host_id = (SELECT id FROM kt_host WHERE name = $1)"),
	ISSUES_SINCE_BY("c.host_id IN (SELECT h.id FROM kt_host h JOIN kt_pool p ON p.id = h.pool_id"
			" WHERE p.name = $1)"),
	ISSUES_SINCE_BY("c.kernel = $1"),
};

/* Any other time, or several facets: every crash since T. */
static const char issues_since[] =
	"SELECT i.id, i.title, i.kind, i.status, i.fixed_in, a.n, a.h, a.f, a.l FROM"
	" (SELECT issue_id, count(*) AS n, count(DISTINCT host_id) AS h, min(crashed_at) AS f,"
	"  max(crashed_at) AS l FROM kt_crash WHERE crashed_at >= $1 GROUP BY issue_id) a"
	" JOIN kt_issue i ON i.id = a.issue_id WHERE ($2 IS NULL OR i.status = $2)"
	" ORDER BY a.n DESC, i.id LIMIT $3 OFFSET $4";

static const char issues_slow[] =
	"SELECT i.id, i.title, i.kind, i.status, i.fixed_in, count(*), count(DISTINCT c.host_id),"
	" min(c.crashed_at), max(c.crashed_at)"
	" FROM kt_crash c JOIN kt_issue i ON i.id = c.issue_id"
	" JOIN kt_host h ON h.id = c.host_id LEFT JOIN kt_pool p ON p.id = h.pool_id"
	" WHERE ($1 IS NULL OR c.crashed_at >= $1) AND ($2 IS NULL OR h.name = $2)"
	" AND ($3 IS NULL OR c.kernel = $3) AND ($4 IS NULL OR i.status = $4)"
	" AND ($5 IS NULL OR p.name = $5)"
	" GROUP BY i.id, i.title, i.kind, i.status, i.fixed_in"
	" ORDER BY 6 DESC, i.id LIMIT $6 OFFSET $7";

/* A time the day-count path can split: "YYYY-MM-DD" alone or followed by
 * 'T' (stored times are "YYYY-MM-DDTHH:MM:SSZ", so a day is a prefix). */
static bool
iso_day(const char *t)
{
	static const char shape[] = "dddd-dd-dd";

	for (size_t i = 0; i < 10; i++)
		if (shape[i] == 'd' ? !(t[i] >= '0' && t[i] <= '9') : t[i] != shape[i])
			return false;
	return t[10] == '\0' || t[10] == 'T';
}

int
kt_store_issues(struct kt_store *s, const struct kt_store_filter *fin, json_t **ret)
{
	struct kt_store_filter f = { 0 };
	struct kt_dbv listed[3] = { KT_DBV_NULL, KT_DBV_NULL, KT_DBV_NULL };
	char day[11], next[12];	/* bound without a copy: they live until the rows are read */
	struct kt_dbq *q;
	json_t *out;
	int rc, nfacet;

	if (fin)
		f = *fin;
	if (f.status && strcmp(f.status, "open") && strcmp(f.status, "fixed") &&
	    strcmp(f.status, "ignored"))
		return kt_error(s->ctx, KT_EINVAL, "unknown status '%s' (open, fixed, ignored)", f.status);
	nfacet = !!f.host + !!f.kernel + !!f.pool;
	if (!f.since && nfacet == 0) {
		struct kt_dbv p[3] = { KT_DBV_TEXT(f.status), KT_DBV_INT((int64_t)limit_of(&f)),
				       KT_DBV_INT((int64_t)f.offset) };

		memcpy(listed, p, sizeof(p));
		rc = kt_db_query(s->db, issues_sum, p, 3, &q);
	} else if (!f.since && nfacet == 1) {
		const char *key = f.host ? "host" : f.kernel ? "kernel" : "pool";
		const char *val = f.host ? f.host : f.kernel ? f.kernel : f.pool;
		struct kt_dbv p[5] = { KT_DBV_TEXT(key), KT_DBV_TEXT(val), KT_DBV_TEXT(f.status),
				       KT_DBV_INT((int64_t)limit_of(&f)), KT_DBV_INT((int64_t)f.offset) };

		rc = kt_db_query(s->db, issues_by, p, 5, &q);
	} else if (nfacet == 0 && iso_day(f.since)) {
		struct kt_dbv p[6] = { KT_DBV_TEXT(f.since), KT_DBV_TEXT(day), KT_DBV_TEXT(next),
				       KT_DBV_TEXT(f.status), KT_DBV_INT((int64_t)limit_of(&f)),
				       KT_DBV_INT((int64_t)f.offset) };

		snprintf(day, sizeof(day), "%.10s", f.since);
		snprintf(next, sizeof(next), "%.10sU", f.since);
		rc = kt_db_query(s->db, issues_since_sum, p, 6, &q);
	} else if (nfacet == 1) {
		int k = f.host ? 0 : f.pool ? 1 : 2;
		struct kt_dbv p[5] = { KT_DBV_TEXT(f.host ? f.host : f.pool ? f.pool : f.kernel),
				       KT_DBV_TEXT(f.since), KT_DBV_TEXT(f.status),
				       KT_DBV_INT((int64_t)limit_of(&f)), KT_DBV_INT((int64_t)f.offset) };

		rc = kt_db_query(s->db, issues_since_by[k], p, 5, &q);
	} else if (nfacet == 0) {
		struct kt_dbv p[4] = { KT_DBV_TEXT(f.since), KT_DBV_TEXT(f.status),
				       KT_DBV_INT((int64_t)limit_of(&f)), KT_DBV_INT((int64_t)f.offset) };

		rc = kt_db_query(s->db, issues_since, p, 4, &q);
	} else {
		struct kt_dbv p[7] = { KT_DBV_TEXT(f.since), KT_DBV_TEXT(f.host), KT_DBV_TEXT(f.kernel),
				       KT_DBV_TEXT(f.status), KT_DBV_TEXT(f.pool),
				       KT_DBV_INT((int64_t)limit_of(&f)), KT_DBV_INT((int64_t)f.offset) };

		rc = kt_db_query(s->db, issues_slow, p, 7, &q);
	}
	if (rc)
		return rc;
	out = json_array();
	while (kt_dbq_next(q))
		json_array_append_new(out, issue_row(q));
	rc = kt_dbq_end(q);
	if (rc == 0)
		rc = add_kernels_rules(s, out, listed[1].t == KT_DBT_INT ? listed : NULL);
	return kt_store_give_json(rc, out, ret);
}

/* The analysis JSON stored with a crash (NULL if it cannot be read). */
static json_t *
report_json(struct kt_dbq *q, int col)
{
	size_t n, len;
	const void *b = kt_dbq_blob(q, col, &n);
	char *text;
	json_t *j;

	if (!b || kt_z_inflate(b, n, (size_t)64 << 20, &text, &len))
		return json_null();
	j = json_loadb(text, len, 0, NULL);
	free(text);
	return j ? j : json_null();
}

static int
representative(struct kt_store *s, int64_t issue, json_t **ret)
{
	static const char *const sql[] = {
		"SELECT id, report FROM kt_crash WHERE issue_id = $1 AND corrupted = 0"
		" ORDER BY crashed_at DESC, id DESC LIMIT 1",
		"SELECT id, report FROM kt_crash WHERE issue_id = $1"
		" ORDER BY crashed_at DESC, id DESC LIMIT 1",
	};
	struct kt_dbv p[1] = { KT_DBV_INT(issue) };

	*ret = json_null();
	for (size_t i = 0; i < 2; i++) {
		struct kt_dbq *q;
		bool found = false;
		int rc = kt_db_query(s->db, sql[i], p, 1, &q);

		if (rc)
			return rc;
		if (kt_dbq_next(q)) {
			found = true;
			*ret = json_pack("{s:I,s:o}", "crash", (json_int_t)kt_dbq_int(q, 0),
					 "report", report_json(q, 1));
		}
		rc = kt_dbq_end(q);
		if (rc || found)
			return rc;
	}
	return 0;
}

static const char *const facet_keys[] = {
	"host", "pool", "kernel", "xen", "driver_mtu", "backend", "taint", "hardware", "rule",
};

static int
facets(struct kt_store *s, int64_t issue, json_t *out)
{
	for (size_t k = 0; k < sizeof(facet_keys) / sizeof(facet_keys[0]); k++) {
		struct kt_dbv p[2] = { KT_DBV_INT(issue), KT_DBV_TEXT(facet_keys[k]) };
		struct kt_dbq *q;
		json_t *arr = json_array();
		int rc = kt_db_query(s->db, "SELECT value, sum(n), count(*), min(first_seen),"
				     " max(last_seen) FROM kt_facet WHERE issue_id = $1 AND key = $2"
				     " GROUP BY value ORDER BY 2 DESC, value LIMIT 50", p, 2, &q);

		if (rc) {
			json_decref(arr);
			return rc;
		}
		while (kt_dbq_next(q))
			json_array_append_new(arr, json_pack("{s:s,s:I,s:I,s:s,s:s}",
				"value", kt_dbq_text(q, 0), "crashes", (json_int_t)kt_dbq_int(q, 1),
				"hosts", (json_int_t)kt_dbq_int(q, 2), "first_seen", kt_dbq_text(q, 3),
				"last_seen", kt_dbq_text(q, 4)));
		json_object_set_new(out, facet_keys[k], arr);
		if ((rc = kt_dbq_end(q)))
			return rc;
	}
	return 0;
}

/* "14 of 16 hosts with enic@9000 crashed, 0 of 120 without": hosts whose
 * stored facts ever showed the value, against the other hosts with facts. */
static int
lift(struct kt_store *s, int64_t issue, json_t *fac, json_t *out)
{
	static const char *const keys[] = { "driver_mtu", "backend" };
	int64_t all_hosts = 0, all_crashed = 0;
	struct kt_dbv pi[1] = { KT_DBV_INT(issue) };
	int rc;

	rc = kt_db_int(s->db, "SELECT count(DISTINCT host_id) FROM kt_facts", NULL, 0, &all_hosts);
	if (rc || all_hosts == 0)
		return rc;
	rc = kt_db_int(s->db, "SELECT count(DISTINCT host_id) FROM kt_facet WHERE issue_id = $1"
		       " AND key = 'host' AND host_id IN (SELECT host_id FROM kt_facts)", pi, 1,
		       &all_crashed);
	for (size_t k = 0; rc == 0 && k < 2; k++) {
		json_t *vals = json_object_get(fac, keys[k]);

		for (size_t i = 0; rc == 0 && i < json_array_size(vals) && i < 5; i++) {
			const char *v = json_string_value(json_object_get(json_array_get(vals, i), "value"));
			struct kt_dbv p[3] = { KT_DBV_TEXT(keys[k]), KT_DBV_TEXT(v), KT_DBV_INT(issue) };
			int64_t with = 0, crashed = 0;
			char text[512];

			rc = kt_db_int(s->db, "SELECT count(DISTINCT f.host_id) FROM kt_facts f"
				       " JOIN kt_facts_facet ff ON ff.facts_id = f.id"
				       " WHERE ff.key = $1 AND ff.value = $2", p, 2, &with);
			if (rc == 0)
				rc = kt_db_int(s->db, "SELECT count(DISTINCT f.host_id) FROM kt_facts f"
					       " JOIN kt_facts_facet ff ON ff.facts_id = f.id"
					       " WHERE ff.key = $1 AND ff.value = $2 AND f.host_id IN"
					       " (SELECT host_id FROM kt_facet WHERE issue_id = $3"
					       " AND key = 'host')", p, 3, &crashed);
			if (rc)
				break;
			snprintf(text, sizeof(text), "%lld of %lld hosts with %s crashed, %lld of %lld without",
				 (long long)crashed, (long long)with, v, (long long)(all_crashed - crashed),
				 (long long)(all_hosts - with));
			json_array_append_new(out, json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:s}",
				"facet", keys[k], "value", v, "crashed_hosts", (json_int_t)crashed,
				"hosts", (json_int_t)with,
				"other_crashed_hosts", (json_int_t)(all_crashed - crashed),
				"other_hosts", (json_int_t)(all_hosts - with), "text", text));
		}
	}
	return rc;
}

static int
issue_lists(struct kt_store *s, int64_t issue, json_t *o)
{
	struct kt_dbv p[1] = { KT_DBV_INT(issue) };
	struct kt_dbq *q;
	json_t *arr;
	int rc;

	arr = json_array();
	json_object_set_new(o, "buckets", arr);
	rc = kt_db_query(s->db, "SELECT bucket FROM kt_issue_bucket WHERE issue_id = $1"
			 " ORDER BY bucket", p, 1, &q);
	if (rc)
		return rc;
	while (kt_dbq_next(q))
		json_array_append_new(arr, json_string(kt_dbq_text(q, 0)));
	if ((rc = kt_dbq_end(q)))
		return rc;
	arr = json_array();
	json_object_set_new(o, "events", arr);
	rc = kt_db_query(s->db, "SELECT at, what, crash_id FROM kt_event WHERE issue_id = $1"
			 " ORDER BY id LIMIT 100", p, 1, &q);
	if (rc)
		return rc;
	while (kt_dbq_next(q))
		json_array_append_new(arr, json_pack("{s:s,s:s}", "at", kt_dbq_text(q, 0),
						     "what", kt_dbq_text(q, 1)));
	if ((rc = kt_dbq_end(q)))
		return rc;
	arr = json_array();
	json_object_set_new(o, "crash_list", arr);
	rc = kt_db_query(s->db, "SELECT c.id, h.name, c.kernel, c.crashed_at, c.title"
			 " FROM kt_crash c JOIN kt_host h ON h.id = c.host_id WHERE c.issue_id = $1"
			 " ORDER BY c.crashed_at DESC, c.id DESC LIMIT 100", p, 1, &q);
	if (rc)
		return rc;
	while (kt_dbq_next(q))
		json_array_append_new(arr, json_pack("{s:I,s:s,s:o,s:s,s:s}",
			"id", (json_int_t)kt_dbq_int(q, 0), "host", kt_dbq_text(q, 1),
			"kernel", kt_json_str(kt_dbq_text(q, 2)), "crashed_at", kt_dbq_text(q, 3),
			"title", kt_dbq_text(q, 4)));
	return kt_dbq_end(q);
}

int
kt_store_issue(struct kt_store *s, int64_t issue, json_t **ret)
{
	struct kt_dbv p[1] = { KT_DBV_INT(issue) };
	struct kt_dbq *q;
	json_t *o = NULL, *fac, *lifts, *rep;
	int rc = kt_db_query(s->db,
		"SELECT i.id, i.title, i.kind, i.status, i.fixed_in, coalesce(s.crashes, 0),"
		" coalesce(s.hosts, 0), s.first_seen, s.last_seen, i.note FROM kt_issue i"
		" LEFT JOIN kt_issue_sum s ON s.issue_id = i.id WHERE i.id = $1", p, 1, &q);

	if (rc)
		return rc;
	if (kt_dbq_next(q)) {
		o = issue_row(q);
		json_object_set_new(o, "note", kt_json_str(kt_dbq_text(q, 9)));
	}
	rc = kt_dbq_end(q);
	if (rc == 0 && !o)
		rc = kt_error(s->ctx, KT_ENOTFOUND, "no issue %lld", (long long)issue);
	if (rc) {
		json_decref(o);
		return rc;
	}
	rc = representative(s, issue, &rep);
	json_object_set_new(o, "representative", rc ? json_null() : rep);
	fac = json_object();
	json_object_set_new(o, "facets", fac);
	lifts = json_array();
	json_object_set_new(o, "lift", lifts);
	if (rc == 0)
		rc = facets(s, issue, fac);
	if (rc == 0)
		rc = lift(s, issue, fac, lifts);
	if (rc == 0)
		rc = issue_lists(s, issue, o);
	if (rc) {
		json_decref(o);
		return rc;
	}
	*ret = o;
	return 0;
}

/* The excerpt as a JSON string: untrusted bytes, so anything that is not
 * valid UTF-8 becomes '?'. */
static json_t *
excerpt_json(char *text)
{
	json_t *j;

	if (!text)
		return json_null();
	j = json_string(text);
	if (j)
		return j;
	for (unsigned char *p = (unsigned char *)text; *p; p++)
		if (*p >= 0x80 || (*p < 0x20 && *p != '\n' && *p != '\t'))
			*p = '?';
	j = json_string(text);
	return j ? j : json_null();
}

int
kt_store_crash(struct kt_store *s, int64_t crash, json_t **ret)
{
	struct kt_dbv p[1] = { KT_DBV_INT(crash) };
	struct kt_dbq *q;
	json_t *o = NULL, *seen;
	int rc = kt_db_query(s->db,
		"SELECT c.id, h.name, pl.name, c.kernel, c.crashed_at, c.received_at, c.issue_id,"
		" c.title, c.bucket, c.kind, c.facts_id, c.excerpt, c.report, c.analyzer"
		" FROM kt_crash c JOIN kt_host h ON h.id = c.host_id"
		" LEFT JOIN kt_pool pl ON pl.id = h.pool_id WHERE c.id = $1", p, 1, &q);

	if (rc)
		return rc;
	if (kt_dbq_next(q)) {
		size_t n, len;
		const void *b = kt_dbq_blob(q, 11, &n);
		char *text = NULL;

		if (b)
			(void)kt_z_inflate(b, n, (size_t)64 << 20, &text, &len);
		o = json_pack("{s:I,s:s,s:o,s:o,s:s,s:s,s:I,s:s,s:s,s:o,s:o,s:o,s:s}",
			"id", (json_int_t)kt_dbq_int(q, 0), "host", kt_dbq_text(q, 1),
			"pool", kt_json_str(kt_dbq_text(q, 2)), "kernel", kt_json_str(kt_dbq_text(q, 3)),
			"crashed_at", kt_dbq_text(q, 4), "received_at", kt_dbq_text(q, 5),
			"issue", (json_int_t)kt_dbq_int(q, 6), "title", kt_dbq_text(q, 7),
			"bucket", kt_dbq_text(q, 8), "kind", kt_json_str(kt_dbq_text(q, 9)),
			"facts", kt_dbq_null(q, 10) ? json_null() : json_integer(kt_dbq_int(q, 10)),
			"excerpt", excerpt_json(text),
			"analyzer", kt_dbq_text(q, 13));
		free(text);
		if (o)
			json_object_set_new(o, "report", report_json(q, 12));
	}
	rc = kt_dbq_end(q);
	if (rc == 0 && !o)
		rc = kt_error(s->ctx, KT_ENOTFOUND, "no crash %lld", (long long)crash);
	if (rc == 0) {
		seen = json_array();
		json_object_set_new(o, "seen", seen);
		rc = kt_db_query(s->db, "SELECT u.id, u.name, u.source, cs.file, cs.first_line,"
				 " cs.last_line, u.received_at FROM kt_crash_seen cs"
				 " JOIN kt_upload u ON u.id = cs.upload_id WHERE cs.crash_id = $1"
				 " ORDER BY u.id, cs.first_line", p, 1, &q);
		if (rc == 0) {
			while (kt_dbq_next(q))
				json_array_append_new(seen, json_pack("{s:I,s:s,s:s,s:o,s:I,s:I,s:s}",
					"upload", (json_int_t)kt_dbq_int(q, 0), "name", kt_dbq_text(q, 1),
					"source", kt_dbq_text(q, 2), "file", kt_json_str(kt_dbq_text(q, 3)),
					"first_line", (json_int_t)kt_dbq_int(q, 4),
					"last_line", (json_int_t)kt_dbq_int(q, 5),
					"received_at", kt_dbq_text(q, 6)));
			rc = kt_dbq_end(q);
		}
	}
	if (rc) {
		json_decref(o);
		return rc;
	}
	*ret = o;
	return 0;
}

static const char hosts_sql[] =
	"SELECT h.name, p.name, h.first_seen, h.last_seen, coalesce(a.n, 0), coalesce(a.i, 0),"
	" (SELECT c.kernel FROM kt_crash c WHERE c.host_id = h.id"
	"  ORDER BY c.crashed_at DESC, c.id DESC LIMIT 1),"
	" (SELECT max(collected_at) FROM kt_facts x WHERE x.host_id = h.id)"
	" FROM kt_host h LEFT JOIN kt_pool p ON p.id = h.pool_id"
	" LEFT JOIN (SELECT host_id, sum(n) AS n, count(*) AS i FROM kt_facet WHERE key = 'host'"
	"  GROUP BY host_id) a ON a.host_id = h.id"
	" WHERE ($1 IS NULL OR p.name = $1) AND ($2 IS NULL OR h.last_seen >= $2)"
	" ORDER BY h.last_seen DESC, h.name LIMIT $3 OFFSET $4";

int
kt_store_hosts(struct kt_store *s, const struct kt_store_filter *fin, json_t **ret)
{
	struct kt_store_filter f = { 0 };
	struct kt_dbq *q;
	json_t *out;
	int rc;

	if (fin)
		f = *fin;
	{
		struct kt_dbv p[4] = { KT_DBV_TEXT(f.pool), KT_DBV_TEXT(f.since),
				       KT_DBV_INT((int64_t)limit_of(&f)), KT_DBV_INT((int64_t)f.offset) };

		rc = kt_db_query(s->db, hosts_sql, p, 4, &q);
	}
	if (rc)
		return rc;
	out = json_array();
	while (kt_dbq_next(q))
		json_array_append_new(out, json_pack("{s:s,s:o,s:s,s:s,s:I,s:I,s:o,s:o}",
			"name", kt_dbq_text(q, 0), "pool", kt_json_str(kt_dbq_text(q, 1)),
			"first_seen", kt_dbq_text(q, 2), "last_seen", kt_dbq_text(q, 3),
			"crashes", (json_int_t)kt_dbq_int(q, 4), "issues", (json_int_t)kt_dbq_int(q, 5),
			"kernel", kt_json_str(kt_dbq_text(q, 6)),
			"facts_at", kt_json_str(kt_dbq_text(q, 7))));
	rc = kt_dbq_end(q);
	return kt_store_give_json(rc, out, ret);
}

int
kt_store_host(struct kt_store *s, const char *name, json_t **ret)
{
	struct kt_dbv p[1] = { KT_DBV_TEXT(name) };
	struct kt_dbq *q;
	json_t *o = NULL, *arr;
	int64_t id = 0;
	int rc = kt_db_query(s->db, "SELECT h.id, h.name, p.name, h.first_seen, h.last_seen"
			     " FROM kt_host h LEFT JOIN kt_pool p ON p.id = h.pool_id"
			     " WHERE h.name = $1", p, 1, &q);

	if (rc)
		return rc;
	if (kt_dbq_next(q)) {
		id = kt_dbq_int(q, 0);
		o = json_pack("{s:s,s:o,s:s,s:s}", "name", kt_dbq_text(q, 1),
			      "pool", kt_json_str(kt_dbq_text(q, 2)), "first_seen", kt_dbq_text(q, 3),
			      "last_seen", kt_dbq_text(q, 4));
	}
	rc = kt_dbq_end(q);
	if (rc == 0 && !o)
		rc = kt_error(s->ctx, KT_ENOTFOUND, "no host '%s'", name);
	if (rc)
		return rc;
	p[0] = KT_DBV_INT(id);
	arr = json_array();
	json_object_set_new(o, "facts", arr);
	rc = kt_db_query(s->db, "SELECT id, collected_at, source, summary, backend FROM kt_facts"
			 " WHERE host_id = $1 ORDER BY collected_at, id", p, 1, &q);
	if (rc == 0) {
		while (kt_dbq_next(q)) {
			json_t *sum = json_loads(kt_dbq_text(q, 3), 0, NULL);

			json_array_append_new(arr, json_pack("{s:I,s:s,s:o,s:o,s:o}",
				"id", (json_int_t)kt_dbq_int(q, 0), "collected_at", kt_dbq_text(q, 1),
				"source", kt_json_str(kt_dbq_text(q, 2)), "summary", sum ? sum : json_array(),
				"backend", kt_json_str(kt_dbq_text(q, 4))));
		}
		rc = kt_dbq_end(q);
	}
	arr = json_array();
	json_object_set_new(o, "crashes", arr);
	if (rc == 0)
		rc = kt_db_query(s->db, "SELECT id, crashed_at, kernel, issue_id, title FROM kt_crash"
				 " WHERE host_id = $1 ORDER BY crashed_at DESC, id DESC LIMIT 200",
				 p, 1, &q);
	if (rc == 0) {
		while (kt_dbq_next(q))
			json_array_append_new(arr, json_pack("{s:I,s:s,s:o,s:I,s:s}",
				"id", (json_int_t)kt_dbq_int(q, 0), "crashed_at", kt_dbq_text(q, 1),
				"kernel", kt_json_str(kt_dbq_text(q, 2)), "issue", (json_int_t)kt_dbq_int(q, 3),
				"title", kt_dbq_text(q, 4)));
		rc = kt_dbq_end(q);
	}
	if (rc) {
		json_decref(o);
		return rc;
	}
	*ret = o;
	return 0;
}
