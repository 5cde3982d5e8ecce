/*
 * store: rebucketing. Every stored crash excerpt is re-analysed with this
 * build's analyzer; each new bucket is linked to an issue: the one already
 * linked to it, else the issue that holds most of its crashes when that is
 * at least half of them (overlap reuse, as ABRT FAF's create-problems
 * reuses problem ids: abrt/faf src/pyfaf/actions/create_problems.py), else
 * a new issue. Issue ids, statuses and events stay; no crash, excerpt or
 * upload is deleted. The derived facet and summary tables are rebuilt at
 * the end, in the same transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ktriage/ktriage.h>

#include "store/store_int.h"
#include "util/mem.h"

struct rc_crash {
	int64_t id, issue, target;
	char bucket[17], nbucket[17];
	char *title, *ntitle, *nkind, *nrule, *njson;
	bool analysed, has_skey;
	char skey[65];		/* the new state key (import.c), when has_skey */
};

struct pick {
	uint32_t line;		/* the header's line in the excerpt */
	struct kt_report *best;
};

static uint32_t
dist(uint32_t a, uint32_t b)
{
	return a > b ? a - b : b - a;
}

/* The crash's own report: the one starting on (or nearest to) the header's
 * line in the excerpt (import.c keeps up to 20 lines of context before). */
static void
pick_report(void *ud, const char *unit, struct kt_report *r)
{
	struct pick *p = ud;

	if (!p->best || dist(r->source.first_line, p->line) < dist(p->best->source.first_line, p->line)) {
		kt_report_free(p->best);
		p->best = r;
	} else {
		kt_report_free(r);
	}
}

static int
reanalyse(struct kt_store *s, struct rc_crash *c, const char *excerpt, size_t len, uint32_t line)
{
	struct kt_analyzer *a;
	struct pick p = { .line = line };
	struct kt_analyze_cb cb = { .report = pick_report, .ud = &p };
	char tmp[4096];
	FILE *f;
	int rc = kt_store_analyzer(s, &a);

	if (rc == 0)
		rc = kt_store_tmpname(s, "excerpt.log", tmp, sizeof(tmp));
	if (rc)
		return rc;
	f = fopen(tmp, "wb");
	if (!f)
		return kt_error(s->ctx, KT_EIO, "writing a temporary file");
	if (fwrite(excerpt, 1, len, f) != len)
		rc = kt_error(s->ctx, KT_EIO, "writing a temporary file");
	fclose(f);
	if (rc == 0)
		rc = kt_analyze_path(a, tmp, &cb);
	unlink(tmp);
	if (rc == 0 && p.best && p.best->bucket[0]) {
		c->analysed = true;
		memcpy(c->nbucket, p.best->bucket, 17);
		c->ntitle = kt_strdup(p.best->title ? p.best->title : "unknown crash");
		c->nkind = kt_strdup(kt_kind_name(p.best->kind));
		c->nrule = p.best->n_findings ? kt_strdup(p.best->findings[0].rule) : NULL;
		c->njson = kt_render_json(p.best, 0);
		{	/* the state key follows the new bucket (kept NULL where it was) */
			char *state = kt_store_crash_state(p.best);

			if (state) {
				kt_store_state_key(p.best->kernel.release, c->nbucket, p.best->header,
						   state, c->skey);
				c->has_skey = true;
			}
			free(state);
		}
	}
	kt_report_free(p.best);
	return rc;
}

static int
cmp_nbucket(const void *a, const void *b)
{
	const struct rc_crash *x = a, *y = b;
	int c = strcmp(x->nbucket, y->nbucket);

	return c ? c : (x->id > y->id) - (x->id < y->id);
}

static int
load(struct kt_store *s, struct kt_vec *v)
{
	struct kt_dbq *q;
	int rc = kt_db_query(s->db, "SELECT id, issue_id, bucket, title, excerpt, excerpt_line"
			     " FROM kt_crash ORDER BY id", NULL, 0, &q);

	if (rc)
		return rc;
	while (rc == 0 && kt_dbq_next(q)) {
		struct rc_crash *c = kt_vec_push(v);
		size_t n, len;
		const void *b = kt_dbq_blob(q, 4, &n);
		char *text = NULL;

		c->id = kt_dbq_int(q, 0);
		c->issue = c->target = kt_dbq_int(q, 1);
		snprintf(c->bucket, sizeof(c->bucket), "%s", kt_dbq_text(q, 2));
		c->title = kt_strdup(kt_dbq_text(q, 3));
		memcpy(c->nbucket, c->bucket, 17);
		if (b && kt_z_inflate(b, n, (size_t)64 << 20, &text, &len) == 0) {
			rc = reanalyse(s, c, text, len, (uint32_t)kt_dbq_int(q, 5));
			free(text);
		}
		if (!c->analysed) {	/* nothing found any more: keep it as it is */
			c->ntitle = kt_strdup(c->title);
			memcpy(c->nbucket, c->bucket, 17);
		}
	}
	{
		int rc2 = kt_dbq_end(q);

		return rc ? rc : rc2;
	}
}

/* Decide the target issue of each group of crashes with the same new
 * bucket. Returns the new issues' (planned) titles in `news`; their
 * target is -(index + 1) until created. */
static int
link_groups(struct kt_store *s, struct rc_crash *v, size_t n, json_t *news)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i, best_n = 0;
		int64_t linked = 0, best = 0;
		struct kt_dbv p[1] = { KT_DBV_TEXT(v[i].nbucket) };
		int rc;

		while (j < n && strcmp(v[j].nbucket, v[i].nbucket) == 0)
			j++;
		rc = kt_db_int(s->db, "SELECT issue_id FROM kt_issue_bucket WHERE bucket = $1", p, 1,
			       &linked);
		if (rc && rc != KT_ENOTFOUND)
			return rc;
		if (rc == KT_ENOTFOUND) {
			for (size_t a = i; a < j; a++) {	/* the issue holding most */
				size_t cnt = 0;

				for (size_t b = i; b < j; b++)
					cnt += v[b].issue == v[a].issue;
				if (cnt > best_n || (cnt == best_n && v[a].issue < best)) {
					best_n = cnt;
					best = v[a].issue;
				}
			}
			if (best_n * 2 >= j - i) {
				linked = best;
			} else {
				linked = -(int64_t)json_array_size(news) - 1;
				json_array_append_new(news, json_pack("{s:n,s:s,s:I,s:s}", "id",
					"title", v[i].ntitle, "crashes", (json_int_t)(j - i),
					"bucket", v[i].nbucket));
			}
		}
		for (size_t a = i; a < j; a++)
			v[a].target = linked;
		i = j;
	}
	return 0;
}

static int
cmp_pair(const void *x, const void *y)
{
	const int64_t *a = x, *b = y;

	if (a[0] != b[0])
		return (a[0] > b[0]) - (a[0] < b[0]);
	return (a[1] > b[1]) - (a[1] < b[1]);
}

/* Moves, merges and splits, for the report. */
static void
describe(struct rc_crash *v, size_t n, json_t *o)
{
	json_t *moves = json_array(), *merges = json_array(), *splits = json_array();
	size_t changed = 0;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].bucket, v[i].nbucket) || strcmp(v[i].title, v[i].ntitle) ||
		    v[i].issue != v[i].target)
			changed++;
		if (v[i].issue != v[i].target && json_array_size(moves) < 1000)
			json_array_append_new(moves, json_pack("{s:I,s:I,s:o,s:s,s:s}",
				"crash", (json_int_t)v[i].id, "from_issue", (json_int_t)v[i].issue,
				"to_issue", v[i].target > 0 ? json_integer(v[i].target) : json_null(),
				"old_title", v[i].title, "new_title", v[i].ntitle));
	}
	/* merges: a target receiving crashes of several old issues;
	 * splits: an old issue whose crashes go to several targets */
	{
		struct pair { int64_t a, b; } *pr = kt_calloc(n + 1, sizeof(*pr));

		for (int pass = 0; pass < 2; pass++) {
			size_t i = 0;

			for (size_t k = 0; k < n; k++) {
				pr[k].a = pass ? v[k].issue : v[k].target;
				pr[k].b = pass ? v[k].target : v[k].issue;
			}
			qsort(pr, n, sizeof(*pr), cmp_pair);
			while (i < n) {
				size_t j = i;
				json_t *others = json_array();

				for (; j < n && pr[j].a == pr[i].a; j++)
					if (j == i || pr[j].b != pr[j - 1].b)
						json_array_append_new(others, pr[j].b > 0 ? json_integer(pr[j].b)
											  : json_null());
				if (json_array_size(others) > 1) {
					json_t *key = pr[i].a > 0 ? json_integer(pr[i].a) : json_null();

					json_array_append_new(pass ? splits : merges,
						pass ? json_pack("{s:o,s:o}", "issue", key, "into", others)
						     : json_pack("{s:o,s:o}", "into", key, "from", others));
				} else {
					json_decref(others);
				}
				i = j;
			}
		}
		free(pr);
	}
	json_object_set_new(o, "changed", json_integer((json_int_t)changed));
	json_object_set_new(o, "moves", moves);
	json_object_set_new(o, "merges", merges);
	json_object_set_new(o, "splits", splits);
}

static int
apply(struct kt_store *s, struct rc_crash *v, size_t n, json_t *news)
{
	char now[32];
	int64_t *ids = kt_calloc(json_array_size(news) + 1, sizeof(*ids));
	int rc;

	kt_store_now(now);
	rc = kt_db_begin(s->db);
	for (size_t i = 0; rc == 0 && i < json_array_size(news); i++) {
		json_t *o = json_array_get(news, i);
		struct kt_dbv p[3] = { KT_DBV_TEXT(json_string_value(json_object_get(o, "title"))),
				       KT_DBV_TEXT(NULL), KT_DBV_TEXT(now) };

		rc = kt_db_int(s->db, "INSERT INTO kt_issue(title, kind, status, created_at)"
			       " VALUES ($1, $2, 'open', $3) RETURNING id", p, 3, &ids[i]);
		if (rc == 0)
			json_object_set_new(o, "id", json_integer(ids[i]));
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct rc_crash *c = &v[i];
		int64_t target = c->target > 0 ? c->target : ids[-c->target - 1];
		void *z = NULL;
		size_t nz = 0;

		if (c->target < 0)
			c->target = target;
		{
			struct kt_dbv p[4] = { KT_DBV_TEXT(c->nbucket), KT_DBV_INT(target), KT_DBV_TEXT(now),
					       KT_DBV_TEXT("rebucket") };

			rc = kt_db_exec(s->db, "INSERT INTO kt_issue_bucket(bucket, issue_id, linked_at, how)"
					" VALUES ($1, $2, $3, $4) ON CONFLICT(bucket) DO NOTHING", p, 4);
		}
		if (rc || !c->analysed)
			continue;
		if (kt_z_deflate(c->njson, strlen(c->njson), &z, &nz)) {
			rc = kt_error(s->ctx, KT_EIO, "compressing a report failed");
			break;
		}
		{
			struct kt_dbv p[8] = { KT_DBV_INT(c->id), KT_DBV_TEXT(c->nbucket),
					       KT_DBV_TEXT(c->ntitle), KT_DBV_TEXT(c->nkind),
					       KT_DBV_TEXT(c->nrule), KT_DBV_INT(target), KT_DBV_BLOB(z, nz),
					       KT_DBV_TEXT(c->has_skey ? c->skey : NULL) };

			rc = kt_db_exec(s->db, "UPDATE kt_crash SET bucket = $2, title = $3, kind = $4,"
					" rule = $5, issue_id = $6, report = $7, state_key = CASE WHEN"
					" state_key IS NULL THEN NULL ELSE $8 END WHERE id = $1", p, 8);
		}
		free(z);
		if (rc == 0 && target != c->issue) {
			char what[512];
			struct kt_dbv p[4] = { KT_DBV_INT(target), KT_DBV_INT(c->id), KT_DBV_TEXT(now),
					       KT_DBV_TEXT(what) };

			snprintf(what, sizeof(what), "rebucket: crash %lld moved here from issue %lld",
				 (long long)c->id, (long long)c->issue);
			rc = kt_db_exec(s->db, "INSERT INTO kt_event(issue_id, crash_id, at, what)"
					" VALUES ($1, $2, $3, $4)", p, 4);
			if (rc == 0) {
				snprintf(what, sizeof(what), "rebucket: crash %lld moved to issue %lld",
					 (long long)c->id, (long long)target);
				p[0] = KT_DBV_INT(c->issue);
				rc = kt_db_exec(s->db, "INSERT INTO kt_event(issue_id, crash_id, at, what)"
						" VALUES ($1, $2, $3, $4)", p, 4);
			}
		}
	}
	if (rc == 0)
		rc = kt_store_rebuild_facets(s);
	if (rc == 0)
		rc = kt_store_rebuild_summary(s);
	if (rc == 0)
		rc = kt_db_commit(s->db);
	if (rc)
		kt_db_rollback(s->db);
	free(ids);
	return rc;
}

int
kt_store_rebucket(struct kt_store *s, bool dry_run, json_t **ret)
{
	struct kt_vec v;
	json_t *o = json_object(), *news = json_array();
	struct rc_crash *c;
	int rc;

	kt_vec_init(&v, sizeof(struct rc_crash));
	rc = load(s, &v);
	c = v.v;
	if (rc == 0) {
		qsort(c, v.n, sizeof(*c), cmp_nbucket);
		rc = link_groups(s, c, v.n, news);
	}
	if (rc == 0 && !dry_run)
		rc = apply(s, c, v.n, news);
	if (rc == 0) {
		json_object_set_new(o, "crashes", json_integer((json_int_t)v.n));
		json_object_set_new(o, "dry_run", json_boolean(dry_run));
		describe(c, v.n, o);
		json_object_set(o, "new_issues", news);
	}
	for (size_t i = 0; i < v.n; i++) {
		free(c[i].title);
		free(c[i].ntitle);
		free(c[i].nkind);
		free(c[i].nrule);
		free(c[i].njson);
	}
	kt_vec_deinit(&v);
	json_decref(news);
	if (rc) {
		json_decref(o);
		return rc;
	}
	*ret = o;
	return 0;
}

int
kt_store_crash_text(struct kt_store *s, int64_t crash, const struct kt_render_opts *o, char **ret)
{
	struct kt_dbv p[1] = { KT_DBV_INT(crash) };
	struct kt_dbq *q;
	struct kt_analyzer *a;
	struct pick pk = { .line = 1 };
	struct kt_analyze_cb cb = { .report = pick_report, .ud = &pk };
	char *text = NULL, tmp[4096];
	size_t len = 0;
	FILE *f;
	int rc = kt_db_query(s->db, "SELECT excerpt, excerpt_line FROM kt_crash WHERE id = $1",
			     p, 1, &q);

	if (rc)
		return rc;
	if (kt_dbq_next(q)) {
		size_t n;
		const void *b = kt_dbq_blob(q, 0, &n);

		if (!b || kt_z_inflate(b, n, (size_t)64 << 20, &text, &len))
			text = NULL;
		pk.line = (uint32_t)kt_dbq_int(q, 1);
	}
	rc = kt_dbq_end(q);
	if (rc == 0 && !text)
		rc = kt_error(s->ctx, KT_ENOTFOUND, "no crash %lld", (long long)crash);
	if (rc == 0)
		rc = kt_store_analyzer(s, &a);
	if (rc == 0)
		rc = kt_store_tmpname(s, "excerpt.log", tmp, sizeof(tmp));
	if (rc == 0) {
		f = fopen(tmp, "wb");
		if (!f || fwrite(text, 1, len, f) != len)
			rc = kt_error(s->ctx, KT_EIO, "writing a temporary file");
		if (f)
			fclose(f);
		if (rc == 0)
			rc = kt_analyze_path(a, tmp, &cb);
		unlink(tmp);
	}
	free(text);
	if (rc == 0 && !pk.best)
		rc = kt_error(s->ctx, KT_ENOTFOUND, "crash %lld: the analyzer finds no crash in its"
			      " excerpt any more", (long long)crash);
	if (rc == 0) {
		pk.best->source.file = kt_report_printf(pk.best, "crash %lld", (long long)crash);
		*ret = kt_render_text(pk.best, o);
	}
	kt_report_free(pk.best);
	return rc;
}
