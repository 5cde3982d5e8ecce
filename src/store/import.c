/*
 * store: importing uploads. The bytes are analysed first (outside any
 * transaction), then stored in one transaction: blob (once per SHA-256),
 * upload (once per host + source + SHA-256), and per crash an occurrence
 * keyed by host + occurrence key, linked to the issue of its bucket, with
 * every place it was seen (kt_crash_seen). A repeated upload changes
 * nothing; a crash already known through another path only gains a place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ktriage/ktriage.h>
#include <ktriage/net.h>

#include "store/store_int.h"
#include "util/mem.h"
#include "util/str.h"

/* One crash as analysed, before it is stored. */
struct crec {
	char *json;		/* kt_render_json, compact */
	char *title, *bucket, *kind, *kernel, *xen, *taint, *hardware, *rule, *header;
	char *host, *file, *wallclock;
	char *state;		/* the machine state at the crash (kt_store_crash_state), or NULL */
	double ts;
	uint32_t first, last;
	bool corrupted;
	char *excerpt;
	size_t excerpt_len;
	uint32_t excerpt_line;	/* line of the header in the excerpt */
	json_t *findings;
};

struct collect {
	struct kt_vec recs;	/* struct crec */
	const char *path;	/* what the analyzer was given */
	const char *name;	/* how the upload is called in the store */
	const char *bytes;	/* the upload's bytes, when PATH is that one file */
	size_t len;
	int units;
};

static char *
dup_or_null(const char *s)
{
	return s ? kt_strdup(s) : NULL;
}

/* Lines first..last (1-based) of a text, with up to 20 lines of context
 * before, so that a later analyzer sees the header's surroundings. */
static char *
cut_lines(const char *p, size_t len, uint32_t first, uint32_t last, size_t *ret_len)
{
	uint32_t from = first > 20 ? first - 20 : 1, no = 1;
	const char *start = NULL, *end = p + len;

	for (const char *q = p; q < p + len; q++) {
		if (no == from && !start)
			start = q;
		if (*q == '\n') {
			if (no == last) {
				end = q + 1;
				break;
			}
			no++;
		}
	}
	if (!start)
		start = p + len;
	*ret_len = (size_t)(end - start);
	return kt_strndup(start, *ret_len);
}

static char *
join_lines(const struct kt_report *r, size_t *ret_len)
{
	size_t n = 0, k = 0;
	char *out;

	for (size_t i = 0; i < r->n_lines; i++)
		n += strlen(r->lines[i]) + 1;
	out = kt_malloc(n + 1);
	for (size_t i = 0; i < r->n_lines; i++) {
		size_t l = strlen(r->lines[i]);

		memcpy(out + k, r->lines[i], l);
		k += l;
		out[k++] = '\n';
	}
	out[k] = '\0';
	*ret_len = k;
	return out;
}

/* "G           O" -> "G O"; NULL when not tainted. */
static char *
taint_text(const struct kt_report *r)
{
	char *t;
	size_t k = 0;

	if (!r->kernel.tainted)
		return r->kernel.not_tainted ? kt_strdup("not tainted") : NULL;
	t = kt_malloc(strlen(r->kernel.tainted) + 1);
	for (const char *p = r->kernel.tainted; *p; p++)
		if (*p != ' ' || (k && t[k - 1] != ' '))
			t[k++] = *p;
	while (k && t[k - 1] == ' ')
		k--;
	t[k] = '\0';
	return t;
}

/* What tells one occurrence from another whatever the log's format: the
 * CPU, PID and command, and every register value the report printed. The
 * same oops read from a dmesg file (printk time, no wall clock) and from
 * `journalctl` (wall clock, no printk time) shares it; two occurrences of
 * one bug almost never do (stack pointers and registers differ). NULL
 * when the report printed fewer than 4 registers (too little to tell). */
char *
kt_store_crash_state(const struct kt_report *r)
{
	struct kt_buf b;

	if (r->n_regs < 4)
		return NULL;
	kt_buf_init(&b);
	kt_buf_printf(&b, "%d|%d|%s|", r->cpu, r->pid, r->comm ? r->comm : "");
	for (size_t i = 0; i < r->n_regs; i++)
		kt_buf_printf(&b, "%s=%llx;", r->regs[i].name ? r->regs[i].name : "?",
			      (unsigned long long)r->regs[i].value);
	return b.p;
}

static void
on_report(void *ud, const char *unit, struct kt_report *r)
{
	struct collect *c = ud;
	struct crec *e = kt_vec_push(&c->recs);
	size_t plen = strlen(c->path);
	const char *file = r->source.file ? r->source.file : unit;

	/* the stored report names the upload, never this machine's paths */
	if (file && strncmp(file, c->path, plen) == 0)
		r->source.file = kt_report_printf(r, "%s%s", c->name, file + plen);
	else if (!file)
		r->source.file = kt_report_strdup(r, c->name);
	e->file = kt_strdup(r->source.file);
	e->json = kt_render_json(r, 0);
	e->title = kt_strdup(r->title ? r->title : "unknown crash");
	e->bucket = kt_strdup(r->bucket[0] ? r->bucket : "0000000000000000");
	e->kind = kt_strdup(kt_kind_name(r->kind));
	e->kernel = dup_or_null(r->kernel.release);
	e->xen = dup_or_null(r->xen.present ? r->xen.version : NULL);
	e->taint = taint_text(r);
	e->hardware = dup_or_null(r->hardware);
	e->rule = dup_or_null(r->n_findings ? r->findings[0].rule : NULL);
	e->header = kt_strdup(r->header ? r->header : "");
	e->host = dup_or_null(r->source.host);
	e->wallclock = dup_or_null(r->source.wallclock);
	e->state = kt_store_crash_state(r);
	e->ts = r->source.timestamp;
	e->first = r->source.first_line;
	e->last = r->source.last_line;
	e->corrupted = r->corrupted;
	e->excerpt_line = 1;
	if (c->bytes && unit && strcmp(unit, c->path) == 0 && e->first && e->last >= e->first) {
		e->excerpt = cut_lines(c->bytes, c->len, e->first, e->last, &e->excerpt_len);
		e->excerpt_line = e->first > 20 ? 21 : e->first;
	} else {
		e->excerpt = join_lines(r, &e->excerpt_len);
	}
	e->findings = json_array();
	for (size_t i = 0; i < r->n_findings; i++)
		json_array_append_new(e->findings, json_pack("{s:s?,s:s?}", "rule", r->findings[i].rule,
							     "title", r->findings[i].title));
	kt_report_free(r);
}

static void
on_unit(void *ud, const char *unit)
{
	((struct collect *)ud)->units++;
}

static void
collect_free(struct collect *c)
{
	for (size_t i = 0; i < c->recs.n; i++) {
		struct crec *e = KT_VEC_AT(&c->recs, struct crec, i);

		free(e->json); free(e->title); free(e->bucket); free(e->kind); free(e->kernel);
		free(e->xen); free(e->taint); free(e->hardware); free(e->rule); free(e->header);
		free(e->host); free(e->file); free(e->wallclock); free(e->excerpt); free(e->state);
		json_decref(e->findings);
	}
	kt_vec_deinit(&c->recs);
}

/* Analyse `path` (the upload's bytes are `bytes` when it is one file). */
static int
analyse(struct kt_store *s, const char *path, unsigned flags, const char *name, const char *bytes,
	size_t len, struct collect *c)
{
	struct kt_analyzer *a;
	struct kt_analyze_cb cb = { .unit_begin = on_unit, .report = on_report, .ud = c };
	int rc = kt_store_analyzer(s, &a);

	kt_vec_init(&c->recs, sizeof(struct crec));
	c->path = path;
	c->name = name;
	c->bytes = bytes;
	c->len = len;
	if (rc)
		return rc;
	return kt_analyze_piece(a, path, flags, &cb);
}

/* ---- the transaction ---- */

static int
upsert_pool(struct kt_store *s, const char *pool, int64_t *ret)
{
	struct kt_dbv p[1] = { KT_DBV_TEXT(pool) };
	int rc;

	*ret = 0;
	if (!pool)
		return 0;
	rc = kt_db_exec(s->db, "INSERT INTO kt_pool(name) VALUES ($1) ON CONFLICT(name) DO NOTHING",
			p, 1);
	return rc ? rc : kt_db_int(s->db, "SELECT id FROM kt_pool WHERE name = $1", p, 1, ret);
}

int kt_store_host_id(struct kt_store *s, const char *name, int64_t pool_id, const char *at,
		     int64_t *ret);

/* A host moved into pool `pool_id` (from `old`, 0: none): its crashes'
 * pool facet rows follow it (as the rebuild would count them), and so do
 * the per-value summary rows of both pools. Runs in the caller's
 * transaction; rare (a host changes pool once, if ever). */
static int
host_pool_moved(struct kt_store *s, int64_t host_id, int64_t old, int64_t pool_id)
{
	struct kt_dbv ph[1] = { KT_DBV_INT(host_id) };
	struct kt_dbv pp[2] = { KT_DBV_INT(old), KT_DBV_INT(pool_id) };
	int rc = kt_db_exec(s->db, "DELETE FROM kt_facet WHERE host_id = $1 AND key = 'pool'", ph, 1);

	if (rc == 0)
		rc = kt_db_exec(s->db,
			"INSERT INTO kt_facet(issue_id, key, value, host_id, n, first_seen, last_seen)"
			" SELECT c.issue_id, 'pool', p.name, c.host_id, count(*), min(c.crashed_at),"
			" max(c.crashed_at) FROM kt_crash c JOIN kt_host h ON h.id = c.host_id"
			" JOIN kt_pool p ON p.id = h.pool_id WHERE c.host_id = $1"
			" GROUP BY c.issue_id, p.name, c.host_id", ph, 1);
	if (rc == 0)
		rc = kt_db_exec(s->db, "DELETE FROM kt_issue_by WHERE key = 'pool' AND value IN"
				" (SELECT name FROM kt_pool WHERE id IN ($1, $2))", pp, 2);
	if (rc == 0)
		rc = kt_db_exec(s->db,
			"INSERT INTO kt_issue_by(key, value, issue_id, crashes, hosts, first_seen, last_seen)"
			" SELECT key, value, issue_id, sum(n), count(*), min(first_seen), max(last_seen)"
			" FROM kt_facet WHERE key = 'pool' AND value IN"
			" (SELECT name FROM kt_pool WHERE id IN ($1, $2)) GROUP BY key, value, issue_id",
			pp, 2);
	return rc;
}

int
kt_store_host_id(struct kt_store *s, const char *name, int64_t pool_id, const char *at,
		 int64_t *ret)
{
	struct kt_dbv p[3] = { KT_DBV_TEXT(name), pool_id ? KT_DBV_INT(pool_id) : KT_DBV_NULL,
			       KT_DBV_TEXT(at) };
	int64_t old = -1;	/* -1: a new host */
	int rc = 0;

	if (pool_id) {	/* is the host changing pool? */
		rc = kt_db_int(s->db, "SELECT coalesce(pool_id, 0) FROM kt_host WHERE name = $1", p, 1,
			       &old);
		if (rc == KT_ENOTFOUND)
			old = -1, rc = 0;
		if (rc)
			return rc;
	}
	rc = kt_db_exec(s->db,
		"INSERT INTO kt_host(name, pool_id, first_seen, last_seen) VALUES ($1, $2, $3, $3)"
		" ON CONFLICT(name) DO UPDATE SET"
		" pool_id = coalesce(excluded.pool_id, kt_host.pool_id),"
		" first_seen = CASE WHEN excluded.first_seen < kt_host.first_seen"
		"  THEN excluded.first_seen ELSE kt_host.first_seen END,"
		" last_seen = CASE WHEN excluded.last_seen > kt_host.last_seen"
		"  THEN excluded.last_seen ELSE kt_host.last_seen END", p, 3);
	if (rc == 0)
		rc = kt_db_int(s->db, "SELECT id FROM kt_host WHERE name = $1", p, 1, ret);
	if (rc == 0 && old >= 0 && old != pool_id)
		rc = host_pool_moved(s, *ret, old, pool_id);
	return rc;
}

/* The issue of a bucket; a new one (status open) when the bucket is new. */
static int
issue_for_bucket(struct kt_store *s, const struct crec *e, const char *now, int64_t *ret,
		 bool *ret_new)
{
	struct kt_dbv p[4] = { KT_DBV_TEXT(e->bucket) };
	int rc;

	*ret_new = false;
	rc = kt_db_lock(s->db, (int64_t)strtoull(e->bucket, NULL, 16));
	if (rc == 0)
		rc = kt_db_int(s->db, "SELECT issue_id FROM kt_issue_bucket WHERE bucket = $1", p, 1, ret);
	if (rc != KT_ENOTFOUND)
		return rc;
	p[0] = KT_DBV_TEXT(e->title);
	p[1] = KT_DBV_TEXT(e->kind);
	p[2] = KT_DBV_TEXT(now);
	rc = kt_db_int(s->db, "INSERT INTO kt_issue(title, kind, status, created_at)"
		       " VALUES ($1, $2, 'open', $3) RETURNING id", p, 3, ret);
	if (rc)
		return rc;
	p[0] = KT_DBV_TEXT(e->bucket);
	p[1] = KT_DBV_INT(*ret);
	rc = kt_db_exec(s->db, "INSERT INTO kt_issue_bucket(bucket, issue_id, linked_at, how)"
			" VALUES ($1, $2, $3, 'new') ON CONFLICT(bucket) DO NOTHING", p, 3);
	if (rc == 0) {	/* a rebucket may have linked the bucket meanwhile: it wins */
		int64_t created = *ret;

		rc = kt_db_int(s->db, "SELECT issue_id FROM kt_issue_bucket WHERE bucket = $1", p, 1, ret);
		*ret_new = *ret == created;
	}
	return rc;
}

/* The occurrence key: one crash seen through several paths gets the same
 * key; two different crashes never do. With a host and a printk time (or a
 * log wall-clock time) the key is host-scoped: kernel release + time +
 * header + bucket. Without a time, or without a known host, it is scoped to
 * the upload's bytes: the same bytes give the same key (idempotent), other
 * bytes never merge. `ordinal` tells apart identical reports in one upload. */
static void
occ_key(const struct crec *e, bool host_known, const char *sha, int ordinal, char out[65])
{
	char *k;
	size_t n;

	if (host_known && e->ts >= 0)
		n = (size_t)asprintf(&k, "t|%s|%.6f|%s|%s", e->kernel ? e->kernel : "", e->ts,
				     e->header, e->bucket);
	else if (host_known && e->wallclock)
		n = (size_t)asprintf(&k, "w|%s|%s|%s|%s|%d", e->kernel ? e->kernel : "", e->wallclock,
				     e->header, e->bucket, ordinal);
	else
		n = (size_t)asprintf(&k, "u|%s|%d|%s|%s", sha, ordinal, e->header, e->bucket);
	kt_sha256_hex(k, n, out);
	free(k);
}

/* The cross-source key (schema version 2, kt_crash.state_key): host-scoped
 * like the occurrence key, from kernel + bucket + header + the machine
 * state. Only for crashes with a known host and a time (printk or wall
 * clock): crashes keyed by their upload's bytes are never merged. */
void
kt_store_state_key(const char *kernel, const char *bucket, const char *header, const char *state,
		   char out[65])
{
	char *k;
	int n = asprintf(&k, "s|%s|%s|%s|%s", kernel ? kernel : "", bucket, header ? header : "",
			 state);

	if (n < 0)
		kt_oom(0);
	kt_sha256_hex(k, (size_t)n, out);
	free(k);
}

static bool
state_key(const struct crec *e, bool host_known, char out[65])
{
	if (!host_known || !e->state || (e->ts < 0 && !e->wallclock))
		return false;
	kt_store_state_key(e->kernel, e->bucket, e->header, e->state, out);
	return true;
}

static int
facts_for(struct kt_store *s, int64_t host_id, const char *at, int64_t *ret)
{
	struct kt_dbv p[2] = { KT_DBV_INT(host_id), KT_DBV_TEXT(at) };
	int rc = kt_db_int(s->db, "SELECT id FROM kt_facts WHERE host_id = $1 AND collected_at <= $2"
			   " ORDER BY collected_at DESC, id DESC LIMIT 1", p, 2, ret);

	if (rc == KT_ENOTFOUND)
		rc = kt_db_int(s->db, "SELECT id FROM kt_facts WHERE host_id = $1"
			       " ORDER BY collected_at, id LIMIT 1", p, 1, ret);
	if (rc == KT_ENOTFOUND) {
		*ret = 0;
		rc = 0;
	}
	return rc;
}

/* The pool of a crash: the upload's ($5), else the one its host ($2) is
 * in (as kt_store_rebuild_facets() sees it). */
#define HOST_POOL "coalesce($5, (SELECT p.name FROM kt_host h JOIN kt_pool p" \
	" ON p.id = h.pool_id WHERE h.id = $2))"

/* One statement for the seven facets of a crash (a round trip each would
 * dominate PostgreSQL imports); rows whose value is NULL are skipped. */
static const char facet_upsert[] =
	"INSERT INTO kt_facet(issue_id, key, value, host_id, n, first_seen, last_seen)"
	" SELECT column1, column2, column3, column4, column5, column6, column7 FROM (VALUES"
	" ($1, 'host', $4, $2, 1, $3, $3), ($1, 'pool', " HOST_POOL ", $2, 1, $3, $3),"
	" ($1, 'kernel', $6, $2, 1, $3, $3), ($1, 'xen', $7, $2, 1, $3, $3),"
	" ($1, 'taint', $8, $2, 1, $3, $3), ($1, 'hardware', $9, $2, 1, $3, $3),"
	" ($1, 'rule', $10, $2, 1, $3, $3)) AS v WHERE column3 IS NOT NULL"
	" ON CONFLICT(issue_id, key, value, host_id)"
	" DO UPDATE SET n = kt_facet.n + 1,"
	" first_seen = CASE WHEN excluded.first_seen < kt_facet.first_seen"
	"  THEN excluded.first_seen ELSE kt_facet.first_seen END,"
	" last_seen = CASE WHEN excluded.last_seen > kt_facet.last_seen"
	"  THEN excluded.last_seen ELSE kt_facet.last_seen END";

static const char facet_upsert_facts[] =
	"INSERT INTO kt_facet(issue_id, key, value, host_id, n, first_seen, last_seen)"
	" SELECT $1, key, value, $2, 1, $3, $3 FROM kt_facts_facet WHERE facts_id = $4"
	" ON CONFLICT(issue_id, key, value, host_id)"
	" DO UPDATE SET n = kt_facet.n + 1,"
	" first_seen = CASE WHEN excluded.first_seen < kt_facet.first_seen"
	"  THEN excluded.first_seen ELSE kt_facet.first_seen END,"
	" last_seen = CASE WHEN excluded.last_seen > kt_facet.last_seen"
	"  THEN excluded.last_seen ELSE kt_facet.last_seen END";

/* Count one new crash in the issue's summary (schema version 2). Runs
 * after add_facets(): the crash's host is new to the issue when the
 * issue's 'host' facet row for it now counts 1 crash. Concurrent importers
 * upserting that facet row wait for each other (its primary key), so
 * exactly one of them sees 1, whatever the order; a check before the facet
 * upsert could be passed by two PostgreSQL transactions at once. */
static const char sum_upsert[] =
	"INSERT INTO kt_issue_sum(issue_id, crashes, hosts, first_seen, last_seen)"
	" VALUES ($1, 1, 1, $3, $3) ON CONFLICT(issue_id) DO UPDATE SET"
	" crashes = kt_issue_sum.crashes + 1,"
	" hosts = kt_issue_sum.hosts + CASE WHEN (SELECT n FROM kt_facet"
	"  WHERE issue_id = $1 AND key = 'host' AND value = $4 AND host_id = $2) = 1 THEN 1 ELSE 0 END,"
	" first_seen = CASE WHEN excluded.first_seen < kt_issue_sum.first_seen"
	"  THEN excluded.first_seen ELSE kt_issue_sum.first_seen END,"
	" last_seen = CASE WHEN excluded.last_seen > kt_issue_sum.last_seen"
	"  THEN excluded.last_seen ELSE kt_issue_sum.last_seen END";

static const char value_upsert[] =
	"INSERT INTO kt_issue_value(issue_id, key, value, n)"
	" SELECT column1, column2, column3, 1 FROM (VALUES"
	" ($1, 'kernel', $2), ($1, 'rule', $3), ($1, 'day', $4)) AS v WHERE column3 IS NOT NULL"
	" ON CONFLICT(issue_id, key, value) DO UPDATE SET n = kt_issue_value.n + 1";

static int
add_summary(struct kt_store *s, int64_t issue, int64_t host_id, const char *host,
	    const struct crec *e, const char *at)
{
	char day[11];
	struct kt_dbv p[4] = { KT_DBV_INT(issue), KT_DBV_INT(host_id), KT_DBV_TEXT(at),
			       KT_DBV_TEXT(host) };
	int rc = kt_db_exec(s->db, sum_upsert, p, 4);

	snprintf(day, sizeof(day), "%.10s", at);
	if (rc == 0) {
		struct kt_dbv pv[4] = { KT_DBV_INT(issue), KT_DBV_TEXT(e->kernel),
					KT_DBV_TEXT(e->rule), KT_DBV_TEXT(day) };

		rc = kt_db_exec(s->db, value_upsert, pv, 4);
	}
	return rc;
}

/* Count one new crash in the per-value issue summary (schema version 3):
 * a roll-up of the host, pool and kernel facet rows just upserted. The
 * host is new to the issue's value when its facet row now counts 1 (as
 * for kt_issue_sum: the facet row's key serializes concurrent importers). */
static const char by_upsert[] =
	"INSERT INTO kt_issue_by(key, value, issue_id, crashes, hosts, first_seen, last_seen)"
	" SELECT key, value, issue_id, 1, CASE WHEN n = 1 THEN 1 ELSE 0 END, $3, $3"
	" FROM kt_facet WHERE issue_id = $1 AND host_id = $2 AND ((key = 'host' AND value = $4)"
	"  OR (key = 'pool' AND value = " HOST_POOL ") OR (key = 'kernel' AND value = $6))"
	" ON CONFLICT(key, value, issue_id) DO UPDATE SET crashes = kt_issue_by.crashes + 1,"
	" hosts = kt_issue_by.hosts + excluded.hosts,"
	" first_seen = CASE WHEN excluded.first_seen < kt_issue_by.first_seen"
	"  THEN excluded.first_seen ELSE kt_issue_by.first_seen END,"
	" last_seen = CASE WHEN excluded.last_seen > kt_issue_by.last_seen"
	"  THEN excluded.last_seen ELSE kt_issue_by.last_seen END";

/* Count one new crash in the derived facet table and its roll-up. */
static int
add_facets(struct kt_store *s, int64_t issue, int64_t host_id, const char *host, const char *pool,
	   const struct crec *e, const char *at, int64_t facts_id)
{
	struct kt_dbv p[10] = {
		KT_DBV_INT(issue), KT_DBV_INT(host_id), KT_DBV_TEXT(at), KT_DBV_TEXT(host),
		KT_DBV_TEXT(pool), KT_DBV_TEXT(e->kernel), KT_DBV_TEXT(e->xen), KT_DBV_TEXT(e->taint),
		KT_DBV_TEXT(e->hardware), KT_DBV_TEXT(e->rule),
	};
	int rc = kt_db_exec(s->db, facet_upsert, p, 10);

	if (rc == 0)
		rc = kt_db_exec(s->db, by_upsert, p, 6);
	if (rc == 0 && facts_id) {
		struct kt_dbv pf[4] = { KT_DBV_INT(issue), KT_DBV_INT(host_id), KT_DBV_TEXT(at),
					KT_DBV_INT(facts_id) };

		rc = kt_db_exec(s->db, facet_upsert_facts, pf, 4);
	}
	return rc;
}

/* A crash on a fixed issue: a regression unless its kernel is older than
 * the release the fix went into (then it is a host not yet updated). */
static int
check_regression(struct kt_store *s, int64_t issue, const struct crec *e, int64_t crash,
		 const char *now, bool *ret)
{
	struct kt_dbv p[3] = { KT_DBV_INT(issue) };
	struct kt_dbq *q;
	bool fixed = false, older = false;
	int rc = kt_db_query(s->db, "SELECT status, fixed_in FROM kt_issue WHERE id = $1", p, 1, &q);

	*ret = false;
	if (rc)
		return rc;
	if (kt_dbq_next(q) && strcmp(kt_dbq_text(q, 0), "fixed") == 0) {
		const char *fixed_in = kt_dbq_text(q, 1);

		fixed = true;
		older = fixed_in && *fixed_in && (!e->kernel || strverscmp(e->kernel, fixed_in) < 0);
	}
	rc = kt_dbq_end(q);
	if (rc || !fixed || older)
		return rc;
	*ret = true;
	rc = kt_db_exec(s->db, "UPDATE kt_issue SET status = 'open' WHERE id = $1", p, 1);
	if (rc == 0) {
		char *what;

		if (asprintf(&what, "regression: crash on kernel %s after the fix",
			     e->kernel ? e->kernel : "(unknown)") < 0)
			kt_oom(0);
		p[1] = KT_DBV_INT(crash);
		p[2] = KT_DBV_TEXT(now);
		{
			struct kt_dbv ev[4] = { p[0], p[1], p[2], KT_DBV_TEXT(what) };

			rc = kt_db_exec(s->db, "INSERT INTO kt_event(issue_id, crash_id, at, what)"
					" VALUES ($1, $2, $3, $4)", ev, 4);
		}
		free(what);
	}
	return rc;
}

static json_t *
issue_json(struct kt_store *s, int64_t issue, bool is_new, bool regression)
{
	struct kt_dbv p[1] = { KT_DBV_INT(issue) };
	struct kt_dbq *q;
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(issue));
	if (kt_db_query(s->db, "SELECT status, title FROM kt_issue WHERE id = $1", p, 1, &q) == 0) {
		if (kt_dbq_next(q)) {
			json_object_set_new(o, "status", json_string(kt_dbq_text(q, 0)));
			json_object_set_new(o, "title", json_string(kt_dbq_text(q, 1)));
		}
		(void)kt_dbq_end(q);
	}
	json_object_set_new(o, "new", json_boolean(is_new));
	json_object_set_new(o, "regression", json_boolean(regression));
	return o;
}

/* Store one crash record; appends its result to `out`. */
static int
store_crash(struct kt_store *s, const struct kt_upload_meta *m, const char *sha, int64_t upload,
	    int64_t pool_id, const char *received, const char *now, struct crec *e, int ordinal,
	    json_t *out)
{
	const char *host = m->host ? m->host : e->host ? e->host : "unknown";
	bool host_known = m->host || e->host;

	if (!e->kernel && m->kernel)	/* the text names none; the uploader knew it */
		e->kernel = kt_strdup(m->kernel);
	char key[65], skey[65], at[32], ts[48], wall_at[32];
	int64_t host_id, crash = 0, issue = 0, facts_id = 0;
	bool seen = false, is_new = false, regression = false, has_skey, wall;
	struct kt_dbq *q;
	int rc;

	if (s->tx_host_id && strcmp(s->tx_host, host) == 0) {	/* same host as the last crash */
		host_id = s->tx_host_id;
	} else {
		rc = kt_store_host_id(s, host, pool_id, received, &host_id);
		if (rc)
			return rc;
		snprintf(s->tx_host, sizeof(s->tx_host), "%s", host);
		s->tx_host_id = strlen(host) < sizeof(s->tx_host) ? host_id : 0;
	}
	occ_key(e, host_known, sha, ordinal, key);
	has_skey = state_key(e, host_known, skey);
	/* the same occurrence through this path, else through another source
	 * of the same host (a dmesg file and the journal); the bucket locks
	 * taken up front keep two importers of one crash apart */
	if (e->ts >= 0)
		snprintf(ts, sizeof(ts), "%.6f", e->ts);
	wall = e->wallclock && kt_time_parse(e->wallclock, received, wall_at);
	for (int pass = 0; pass < 2 && !seen; pass++) {
		struct kt_dbv p[4] = { KT_DBV_INT(host_id), KT_DBV_TEXT(pass ? skey : key),
				       KT_DBV_TEXT(e->ts >= 0 ? ts : NULL),
				       KT_DBV_TEXT(wall ? wall_at : NULL) };

		if (pass && !has_skey)
			break;
		/* two printk times, or two wall clocks, that differ: two crashes */
		rc = kt_db_query(s->db, pass ? "SELECT id, issue_id FROM kt_crash WHERE host_id = $1"
				 " AND state_key = $2 AND ($3 IS NULL OR printk_ts IS NULL OR printk_ts = $3)"
				 " AND ($4 IS NULL OR wall_at IS NULL OR wall_at = $4) ORDER BY id LIMIT 1"
				 : "SELECT id, issue_id FROM kt_crash WHERE host_id = $1"
				 " AND occ_key = $2", p, pass ? 4 : 2, &q);
		if (rc)
			return rc;
		if (kt_dbq_next(q)) {
			seen = true;
			crash = kt_dbq_int(q, 0);
			issue = kt_dbq_int(q, 1);
		}
		if ((rc = kt_dbq_end(q)))
			return rc;
	}
	if (!seen) {
		void *zx = NULL, *zr = NULL;
		size_t nzx = 0, nzr = 0;
		const char *analyzer = "ktriage " KT_VERSION_STRING;

		if (!kt_time_parse(e->wallclock, received, at))
			snprintf(at, sizeof(at), "%s", received);
		rc = issue_for_bucket(s, e, now, &issue, &is_new);
		if (rc == 0)
			rc = facts_for(s, host_id, at, &facts_id);
		if (rc)
			return rc;
		if (kt_z_deflate(e->excerpt, e->excerpt_len, &zx, &nzx) ||
		    kt_z_deflate(e->json ? e->json : "{}", e->json ? strlen(e->json) : 2, &zr, &nzr)) {
			free(zx);
			free(zr);
			return kt_error(s->ctx, KT_EIO, "compressing a crash failed");
		}
		{
			struct kt_dbv p[22] = {
				KT_DBV_INT(host_id), KT_DBV_TEXT(key), KT_DBV_INT(issue),
				KT_DBV_TEXT(e->bucket), KT_DBV_TEXT(e->title), KT_DBV_TEXT(e->kind),
				KT_DBV_TEXT(e->kernel), KT_DBV_TEXT(e->xen), KT_DBV_TEXT(e->taint),
				KT_DBV_TEXT(e->hardware), KT_DBV_TEXT(e->rule),
				KT_DBV_INT(e->corrupted), KT_DBV_TEXT(at), KT_DBV_TEXT(received),
				facts_id ? KT_DBV_INT(facts_id) : KT_DBV_NULL,
				KT_DBV_TEXT(analyzer), KT_DBV_BLOB(zx, nzx), KT_DBV_BLOB(zr, nzr),
				KT_DBV_INT(e->excerpt_line), KT_DBV_TEXT(has_skey ? skey : NULL),
				KT_DBV_TEXT(e->ts >= 0 ? ts : NULL), KT_DBV_TEXT(wall ? wall_at : NULL),
			};

			rc = kt_db_query(s->db, "INSERT INTO kt_crash(host_id, occ_key, issue_id,"
				" bucket, title, kind, kernel, xen, taint, hardware, rule, corrupted,"
				" crashed_at, received_at, facts_id, analyzer, excerpt, report, excerpt_line,"
				" state_key, printk_ts, wall_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
				" $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)"
				" ON CONFLICT(host_id, occ_key) DO NOTHING RETURNING id", p, 22, &q);
		}
		if (rc == 0) {	/* the statement runs here: the blobs must still exist */
			if (kt_dbq_next(q))
				crash = kt_dbq_int(q, 0);
			rc = kt_dbq_end(q);
		}
		free(zx);
		free(zr);
		if (rc)
			return rc;
		if (!crash) {	/* a concurrent importer stored it first */
			struct kt_dbv p[2] = { KT_DBV_INT(host_id), KT_DBV_TEXT(key) };

			seen = true;
			rc = kt_db_int(s->db, "SELECT id FROM kt_crash WHERE host_id = $1"
				       " AND occ_key = $2", p, 2, &crash);
			if (rc == 0)
				rc = kt_db_int(s->db, "SELECT issue_id FROM kt_crash WHERE host_id = $1"
					       " AND occ_key = $2", p, 2, &issue);
			if (rc)
				return rc;
		} else {
			rc = add_facets(s, issue, host_id, host, m->pool, e, at, facts_id);
			if (rc == 0)
				rc = add_summary(s, issue, host_id, host, e, at);
			if (rc == 0)
				rc = check_regression(s, issue, e, crash, now, &regression);
			if (rc)
				return rc;
		}
	}
	{
		struct kt_dbv p[5] = { KT_DBV_INT(crash), KT_DBV_INT(upload), KT_DBV_TEXT(e->file),
				       KT_DBV_INT(e->first), KT_DBV_INT(e->last) };

		rc = kt_db_exec(s->db, "INSERT INTO kt_crash_seen(crash_id, upload_id, file,"
				" first_line, last_line) VALUES ($1, $2, $3, $4, $5)"
				" ON CONFLICT DO NOTHING", p, 5);
		if (rc)
			return rc;
	}
	json_array_append_new(out, json_pack("{s:I,s:s,s:s,s:s,s:s,s:o,s:o,s:O}",
		"id", (json_int_t)crash, "occurrence", seen ? "seen" : "new",
		"title", e->title, "kind", e->kind, "bucket", e->bucket,
		"kernel", kt_json_str(e->kernel),
		"issue", issue_json(s, issue, is_new, regression), "findings", e->findings));
	return 0;
}

/* The crashes of an upload already stored (a repeated upload). */
static int
seen_crashes(struct kt_store *s, int64_t upload, json_t *out)
{
	struct kt_dbv p[1] = { KT_DBV_INT(upload) };
	struct kt_dbq *q;
	int rc = kt_db_query(s->db, "SELECT c.id, c.title, c.kind, c.bucket, c.kernel, c.issue_id"
			     " FROM kt_crash_seen cs JOIN kt_crash c ON c.id = cs.crash_id"
			     " WHERE cs.upload_id = $1 ORDER BY cs.first_line, c.id", p, 1, &q);

	if (rc)
		return rc;
	while (kt_dbq_next(q)) {
		json_array_append_new(out, json_pack("{s:I,s:s,s:s,s:s?,s:s,s:o,s:o,s:[]}",
			"id", (json_int_t)kt_dbq_int(q, 0), "occurrence", "seen",
			"title", kt_dbq_text(q, 1), "kind", kt_dbq_text(q, 2),
			"bucket", kt_dbq_text(q, 3), "kernel", kt_json_str(kt_dbq_text(q, 4)),
			"issue", issue_json(s, kt_dbq_int(q, 5), false, false), "findings"));
	}
	return kt_dbq_end(q);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Take the advisory lock of every bucket of the upload up front, in one
 * order for all importers: taken crash by crash, two uploads meeting the
 * same two buckets in opposite orders would deadlock on PostgreSQL. */
static int
lock_buckets(struct kt_store *s, struct collect *c)
{
	uint64_t *k;
	int rc = 0;

	if (c->recs.n == 0)
		return 0;
	k = kt_calloc(c->recs.n, sizeof(*k));
	for (size_t i = 0; i < c->recs.n; i++)
		k[i] = strtoull(KT_VEC_AT(&c->recs, struct crec, i)->bucket, NULL, 16);
	qsort(k, c->recs.n, sizeof(*k), cmp_u64);
	for (size_t i = 0; rc == 0 && i < c->recs.n; i++)
		if (i == 0 || k[i] != k[i - 1])
			rc = kt_db_lock(s->db, (int64_t)k[i]);
	free(k);
	return rc;
}

static int
store_upload(struct kt_store *s, const struct kt_upload_meta *m, const void *bytes, size_t len,
	     struct collect *c, json_t **ret)
{
	char sha[65], now[32], received[32];
	const char *source = m->source ? m->source : "cli";
	const char *host = m->host;
	void *z = NULL;
	size_t nz = 0;
	int64_t pool_id = 0, host_id = 0, upload = 0, exists = 0;
	json_t *crashes = json_array();
	bool seen = false;
	int rc;

	kt_sha256_hex(bytes, len, sha);
	kt_store_now(now);
	snprintf(received, sizeof(received), "%s", m->received_at ? m->received_at : now);
	for (size_t i = 0; !host && i < c->recs.n; i++)
		host = KT_VEC_AT(&c->recs, struct crec, i)->host;
	if (!host)
		host = "unknown";
	{	/* compress only bytes not stored yet */
		struct kt_dbv p[1] = { KT_DBV_TEXT(sha) };

		rc = kt_db_int(s->db, "SELECT 1 FROM kt_blob WHERE sha256 = $1", p, 1, &exists);
		if (rc == KT_ENOTFOUND)
			rc = 0, exists = 0;
		if (rc)
			goto fail_nt;
		if (!exists && kt_z_deflate(bytes, len, &z, &nz)) {
			rc = kt_error(s->ctx, KT_EIO, "compressing the upload failed");
			goto fail_nt;
		}
	}
	rc = kt_db_begin(s->db);
	if (rc)
		goto fail_nt;
	s->tx_host_id = 0;
	rc = lock_buckets(s, c);
	if (rc == 0)
		rc = upsert_pool(s, m->pool, &pool_id);
	if (rc == 0)
		rc = kt_store_host_id(s, host, pool_id, received, &host_id);
	if (rc == 0 && !exists) {
		struct kt_dbv p[4] = { KT_DBV_TEXT(sha), KT_DBV_INT((int64_t)len), KT_DBV_TEXT("zlib"),
				       KT_DBV_BLOB(z, nz) };

		rc = kt_db_exec(s->db, "INSERT INTO kt_blob(sha256, size, codec, data)"
				" VALUES ($1, $2, $3, $4) ON CONFLICT(sha256) DO NOTHING", p, 4);
	}
	if (rc == 0) {
		struct kt_dbv p[5] = { KT_DBV_INT(host_id), KT_DBV_TEXT(source),
				       KT_DBV_TEXT(m->name ? m->name : "upload"), KT_DBV_TEXT(sha),
				       KT_DBV_TEXT(received) };

		rc = kt_db_int(s->db, "INSERT INTO kt_upload(host_id, source, name, sha256, received_at)"
			       " VALUES ($1, $2, $3, $4, $5) ON CONFLICT(host_id, source, sha256)"
			       " DO NOTHING RETURNING id", p, 5, &upload);
		if (rc == KT_ENOTFOUND) {
			seen = true;
			rc = kt_db_int(s->db, "SELECT id FROM kt_upload WHERE host_id = $1"
				       " AND source = $2 AND sha256 = $4", p, 4, &upload);
		}
	}
	if (rc == 0 && seen)
		rc = seen_crashes(s, upload, crashes);
	for (size_t i = 0; rc == 0 && !seen && i < c->recs.n; i++) {
		struct crec *e = KT_VEC_AT(&c->recs, struct crec, i);
		int ordinal = 0;

		for (size_t j = 0; j < i; j++) {
			struct crec *o = KT_VEC_AT(&c->recs, struct crec, j);

			ordinal += strcmp(o->header, e->header) == 0 && strcmp(o->bucket, e->bucket) == 0;
		}
		rc = store_crash(s, m, sha, upload, pool_id, received, now, e, ordinal, crashes);
	}
	if (rc == 0)
		rc = kt_db_commit(s->db);
	if (rc) {
		kt_db_rollback(s->db);
		goto fail_nt;
	}
	free(z);
	*ret = json_pack("{s:I,s:s,s:s,s:s,s:o}", "upload", (json_int_t)upload, "sha256", sha,
			 "status", seen ? "seen" : "new", "host", host, "crashes", crashes);
	return 0;
fail_nt:
	free(z);
	json_decref(crashes);
	return rc;
}

/* The host an upload belongs to: the caller's, else the first syslog or
 * journal host field of its crashes. NULL when unknown. */
static const char *
upload_host(const struct kt_upload_meta *m, struct collect *c)
{
	for (size_t i = 0; !m->host && i < c->recs.n; i++)
		if (KT_VEC_AT(&c->recs, struct crec, i)->host)
			return KT_VEC_AT(&c->recs, struct crec, i)->host;
	return m->host;
}

/* A status report brings its own host facts and names its host: its
 * network state, audited as `ktriage net audit --status-report FILE
 * --format json` would, is stored as a facts snapshot of the upload's
 * host (before the crashes, so they link to it); without a caller's host,
 * the report's own host name (inventory.xml) becomes the upload's host,
 * before the host fields of its log lines: m->host then points into
 * `host_buf`; likewise without a caller's pool, the pool uuid of its
 * xapi-db.xml becomes the upload's pool (`pool_buf`). Anything that is not
 * a status report is left alone. */
static int
status_report(struct kt_store *s, const char *path, const char *name, struct kt_upload_meta *m,
	      struct collect *c, char host_buf[256], char pool_buf[64])
{
	static const char *const ext[] = { ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz",
					   ".tar.zst", ".zip" };
	struct kt_net_inventory *inv = NULL;
	struct kt_driver_db *db = NULL;
	size_t nl = strlen(name);
	bool archive = false;
	const char *host;
	char *json;
	int rc;

	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		archive |= nl > strlen(ext[i]) && strcmp(name + nl - strlen(ext[i]), ext[i]) == 0;
	if (!archive || kt_net_inventory_new(s->ctx, &inv))
		return 0;
	rc = kt_net_inventory_status_report(s->ctx, path, inv);
	if (!m->host && inv->hostname && strlen(inv->hostname) < 256) {
		snprintf(host_buf, 256, "%s", inv->hostname);
		m->host = host_buf;
	}
	if (!m->pool && inv->pool_uuid && strlen(inv->pool_uuid) < 64) {
		snprintf(pool_buf, 64, "%s", inv->pool_uuid);
		m->pool = pool_buf;
	}
	host = upload_host(m, c);
	if (rc || !host || kt_driver_db_load(s->ctx, &db)) {
		kt_net_inventory_free(inv);
		return 0;	/* not a status report: no facts */
	}
	kt_net_inventory_resolve(inv, db);
	(void)kt_net_audit(s->ctx, inv, db);
	json = kt_net_audit_json(inv);
	if (json) {
		char src[1100];

		snprintf(src, sizeof(src), "status-report:%s", name);
		rc = kt_store_facts_from(s, host, m->pool, json, strlen(json), m->received_at, src, NULL);
	} else {
		rc = 0;
	}
	free(json);
	kt_driver_db_free(db);
	kt_net_inventory_free(inv);
	return rc;
}

static void
fill_meta(struct kt_upload_meta *m, const struct kt_upload_meta *in)
{
	if (in)
		*m = *in;
	else
		memset(m, 0, sizeof(*m));
}

int
kt_store_import(struct kt_store *s, const struct kt_upload_meta *min, const void *bytes,
		size_t len, json_t **ret)
{
	struct kt_upload_meta m;
	struct collect c = { 0 };
	char tmp[4096], host_buf[256], pool_buf[64];
	FILE *f;
	int rc;

	fill_meta(&m, min);
	if (!m.name)
		m.name = "upload";
	if (len > KT_STORE_MAX_UPLOAD)
		return kt_error(s->ctx, KT_EINVAL, "upload of %zu bytes is over the limit", len);
	rc = kt_store_tmpname(s, m.name, tmp, sizeof(tmp));
	if (rc)
		return rc;
	f = fopen(tmp, "wb");
	if (!f)
		return kt_error(s->ctx, KT_EIO, "writing a temporary file");
	if (fwrite(bytes, 1, len, f) != len) {
		fclose(f);
		unlink(tmp);
		return kt_error(s->ctx, KT_EIO, "writing a temporary file");
	}
	fclose(f);
	rc = analyse(s, tmp, 0, m.name, bytes, len, &c);
	if (rc == 0)
		rc = status_report(s, tmp, m.name, &m, &c, host_buf, pool_buf);
	unlink(tmp);
	if (rc == 0)
		rc = store_upload(s, &m, bytes, len, &c, ret);
	collect_free(&c);
	return rc;
}

static int
read_file(struct kt_ctx *ctx, const char *path, char **ret, size_t *ret_len)
{
	bool in = strcmp(path, "-") == 0;
	FILE *f = in ? stdin : fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (!f)
		return kt_error(ctx, KT_EIO, "reading '%s'", path);
	do {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 262144;
			if (cap > KT_STORE_MAX_UPLOAD) {
				free(buf);
				if (!in)
					fclose(f);
				return kt_error(ctx, KT_EINVAL, "'%s' is too large", path);
			}
			buf = kt_realloc(buf, cap + 1);
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	if (!in)
		fclose(f);
	buf[n] = '\0';
	*ret = buf;
	*ret_len = n;
	return 0;
}

struct piece_ctx {
	struct kt_store *s;
	const struct kt_upload_meta *m;
	json_t *out;
	int rc;
};

static int
import_piece(void *ud, const char *piece, unsigned flags)
{
	struct piece_ctx *pc = ud;
	struct kt_store *s = pc->s;
	struct kt_upload_meta m = *pc->m;
	struct collect c = { 0 };
	struct stat st;
	const char *base = strrchr(piece, '/');
	char *bytes = NULL, name[1024], host_buf[256], pool_buf[64];
	struct kt_folder_meta fm;
	size_t len = 0;
	json_t *res = NULL;
	bool dir;
	int rc;

	/* a trailing slash: the folder's own name */
	snprintf(name, sizeof(name), "%s", base && base[1] ? base + 1 : piece);
	for (size_t n = strlen(name); n > 1 && name[n - 1] == '/'; n--)
		name[n - 1] = '\0';
	if (strrchr(name, '/') && strrchr(name, '/')[1])
		memmove(name, strrchr(name, '/') + 1, strlen(strrchr(name, '/')));
	dir = stat(piece, &st) == 0 && S_ISDIR(st.st_mode);
	if (dir) {
		void *tar;

		kt_store_folder_meta(s, piece, &fm);
		if (!m.host && fm.host[0])
			m.host = fm.host;
		if (!m.pool && fm.pool[0])
			m.pool = fm.pool;

		rc = kt_pack_folder(s->ctx, piece, name, &tar, &len);
		bytes = tar;
		if (rc == 0 && strlen(name) + 5 < sizeof(name))
			strcat(name, ".tar");
	} else {
		rc = read_file(s->ctx, piece, &bytes, &len);
	}
	m.name = name;
	if (rc == 0)
		rc = analyse(s, piece, flags, name, dir ? NULL : bytes, len, &c);
	if (rc == 0 && c.units == 0 && (flags & KT_PIECE_MEMBER)) {
		collect_free(&c);	/* not a log (binary, empty): not an upload */
		free(bytes);
		return 0;
	}
	if (rc == 0 && !dir)
		rc = status_report(s, piece, name, &m, &c, host_buf, pool_buf);
	for (size_t i = 0; rc == 0 && dir && fm.line_host[0] && i < c.recs.n; i++) {
		struct crec *e = KT_VEC_AT(&c.recs, struct crec, i);

		if (!e->host)	/* the crash's own lines name no host */
			e->host = kt_strdup(fm.line_host);
	}
	if (rc == 0)
		rc = store_upload(s, &m, bytes, len, &c, &res);
	collect_free(&c);
	free(bytes);
	if (rc) {
		res = json_pack("{s:s}", "error", kt_ctx_errmsg(s->ctx));
		if (rc == KT_EDB)
			pc->rc = rc;
	}
	json_object_set_new(res, "path", json_string(piece));
	json_array_append_new(pc->out, res);
	return 0;
}

int
kt_store_import_path(struct kt_store *s, const char *path, const struct kt_upload_meta *min,
		     json_t **ret)
{
	struct kt_upload_meta m;
	struct piece_ctx pc = { .s = s, .m = &m, .out = json_array() };
	struct stat st;
	int rc;

	fill_meta(&m, min);
	if (strcmp(path, "-") == 0) {	/* standard input: one upload of its bytes */
		char *bytes = NULL;
		size_t len = 0;
		json_t *res = NULL;

		m.name = "stdin";
		rc = read_file(s->ctx, path, &bytes, &len);
		if (rc == 0)
			rc = kt_store_import(s, &m, bytes, len, &res);
		free(bytes);
		if (rc)
			res = json_pack("{s:s}", "error", kt_ctx_errmsg(s->ctx));
		json_object_set_new(res, "path", json_string("-"));
		json_array_append_new(pc.out, res);
		*ret = pc.out;
		return rc == KT_EDB ? rc : 0;
	}
	if (stat(path, &st) != 0) {
		json_decref(pc.out);
		return kt_error(s->ctx, KT_ENOTFOUND, "'%s' does not exist", path);
	}
	rc = kt_analyze_split(s->ctx, path, import_piece, &pc);
	if (rc == 0)
		rc = pc.rc;
	*ret = pc.out;
	return rc;
}
