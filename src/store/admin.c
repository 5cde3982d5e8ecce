/*
 * store: what changes stored knowledge rather than adding crashes: host
 * facts snapshots (and the crash -> snapshot links), issue status, the
 * derived facet table, and rebucketing (re-analysing every stored excerpt
 * with this build's analyzer; issue ids stay stable, nothing is deleted).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ktriage/ktriage.h>

#include "store/store_int.h"
#include "util/mem.h"

int kt_store_host_id(struct kt_store *s, const char *name, int64_t pool_id, const char *at,
		     int64_t *ret);

static const char rebuild_all_sql[] =
	"DELETE FROM kt_facet;"
	"INSERT INTO kt_facet(issue_id, key, value, host_id, n, first_seen, last_seen)"
	" SELECT c.issue_id, 'host', h.name, c.host_id, count(*), min(c.crashed_at), max(c.crashed_at)"
	" FROM kt_crash c JOIN kt_host h ON h.id = c.host_id GROUP BY c.issue_id, h.name, c.host_id;"
	KT_STORE_POOL_FACETS
	"INSERT INTO kt_facet(issue_id, key, value, host_id, n, first_seen, last_seen)"
	" SELECT issue_id, 'kernel', kernel, host_id, count(*), min(crashed_at), max(crashed_at)"
	" FROM kt_crash WHERE kernel IS NOT NULL GROUP BY issue_id, kernel, host_id;"
	"INSERT INTO kt_facet(issue_id, key, value, host_id, n, first_seen, last_seen)"
	" SELECT issue_id, 'xen', xen, host_id, count(*), min(crashed_at), max(crashed_at)"
	" FROM kt_crash WHERE xen IS NOT NULL GROUP BY issue_id, xen, host_id;"
	"INSERT INTO kt_facet(issue_id, key, value, host_id, n, first_seen, last_seen)"
	" SELECT issue_id, 'taint', taint, host_id, count(*), min(crashed_at), max(crashed_at)"
	" FROM kt_crash WHERE taint IS NOT NULL GROUP BY issue_id, taint, host_id;"
	"INSERT INTO kt_facet(issue_id, key, value, host_id, n, first_seen, last_seen)"
	" SELECT issue_id, 'hardware', hardware, host_id, count(*), min(crashed_at), max(crashed_at)"
	" FROM kt_crash WHERE hardware IS NOT NULL GROUP BY issue_id, hardware, host_id;"
	"INSERT INTO kt_facet(issue_id, key, value, host_id, n, first_seen, last_seen)"
	" SELECT issue_id, 'rule', rule, host_id, count(*), min(crashed_at), max(crashed_at)"
	" FROM kt_crash WHERE rule IS NOT NULL GROUP BY issue_id, rule, host_id;"
	"INSERT INTO kt_facet(issue_id, key, value, host_id, n, first_seen, last_seen)"
	" SELECT c.issue_id, ff.key, ff.value, c.host_id, count(*), min(c.crashed_at), max(c.crashed_at)"
	" FROM kt_crash c JOIN kt_facts_facet ff ON ff.facts_id = c.facts_id"
	" GROUP BY c.issue_id, ff.key, ff.value, c.host_id;"
	"DELETE FROM kt_issue_by;" KT_STORE_BY_FILL;

int
kt_store_rebuild_facets(struct kt_store *s)
{
	return kt_db_script(s->db, rebuild_all_sql);
}

int
kt_store_rebuild_summary(struct kt_store *s)
{
	return kt_db_script(s->db, "DELETE FROM kt_issue_sum; DELETE FROM kt_issue_value;"
			    KT_STORE_SUMMARY_FILL);
}

int
kt_store_rebuild_host_facts_facets(struct kt_store *s, int64_t host_id)
{
	struct kt_dbv p[1] = { KT_DBV_INT(host_id) };
	int rc = kt_db_exec(s->db, "DELETE FROM kt_facet WHERE host_id = $1"
			    " AND key IN ('driver_mtu', 'backend')", p, 1);

	if (rc == 0)
		rc = kt_db_exec(s->db,
			"INSERT INTO kt_facet(issue_id, key, value, host_id, n, first_seen, last_seen)"
			" SELECT c.issue_id, ff.key, ff.value, c.host_id, count(*), min(c.crashed_at),"
			" max(c.crashed_at) FROM kt_crash c JOIN kt_facts_facet ff"
			" ON ff.facts_id = c.facts_id WHERE c.host_id = $1"
			" GROUP BY c.issue_id, ff.key, ff.value, c.host_id", p, 1);
	return rc;
}

/* What the store keeps of a facts snapshot besides its bytes: a one-line
 * summary per interface, the backend (OVS or Linux bridge), and the facet
 * values driver@mtu (physical NICs) and backend. */
static void
digest_facts(const struct kt_host_facts *hf, json_t *summary, json_t *facets, const char **backend)
{
	bool bridge = false, ovs = false;

	for (size_t i = 0; i < hf->n_ifaces; i++) {
		const struct kt_host_iface *f = &hf->ifaces[i];
		char line[256];

		if (f->kind && strcmp(f->kind, "ovs") == 0)
			ovs = true;
		if (f->kind && strcmp(f->kind, "bridge") == 0)
			bridge = true;
		if (f->kind && strcmp(f->kind, "physical") == 0 && f->driver) {
			snprintf(line, sizeof(line), "%s@%d", f->driver, f->mtu);
			json_array_append_new(facets, json_string(line));
			snprintf(line, sizeof(line), "%s %s@%d", f->name ? f->name : "?", f->driver, f->mtu);
		} else {
			snprintf(line, sizeof(line), "%s %s mtu %d", f->name ? f->name : "?",
				 f->kind ? f->kind : "?", f->mtu);
		}
		json_array_append_new(summary, json_string(line));
	}
	*backend = ovs ? "ovs" : bridge ? "bridge" : NULL;
}

static int
load_facts(struct kt_store *s, const char *json, size_t len, struct kt_host_facts **ret)
{
	char tmp[4096];
	FILE *f;
	int rc = kt_store_tmpname(s, "facts.json", tmp, sizeof(tmp));

	if (rc)
		return rc;
	f = fopen(tmp, "wb");
	if (!f)
		return kt_error(s->ctx, KT_EIO, "writing a temporary file");
	if (fwrite(json, 1, len, f) != len)
		rc = kt_error(s->ctx, KT_EIO, "writing a temporary file");
	fclose(f);
	if (rc == 0)
		rc = kt_host_facts_load_json(s->ctx, tmp, ret);
	unlink(tmp);
	return rc;
}

static int
relink_host(struct kt_store *s, int64_t host_id)
{
	struct kt_dbv p[1] = { KT_DBV_INT(host_id) };
	int rc = kt_db_exec(s->db,
		"UPDATE kt_crash SET facts_id = (SELECT f.id FROM kt_facts f"
		" WHERE f.host_id = kt_crash.host_id AND f.collected_at <= kt_crash.crashed_at"
		" ORDER BY f.collected_at DESC, f.id DESC LIMIT 1) WHERE host_id = $1", p, 1);

	if (rc == 0)
		rc = kt_db_exec(s->db,
			"UPDATE kt_crash SET facts_id = (SELECT f.id FROM kt_facts f"
			" WHERE f.host_id = kt_crash.host_id ORDER BY f.collected_at, f.id LIMIT 1)"
			" WHERE host_id = $1 AND facts_id IS NULL", p, 1);
	if (rc == 0)
		rc = kt_store_rebuild_host_facts_facets(s, host_id);
	return rc;
}

int
kt_store_facts(struct kt_store *s, const char *host, const char *pool, const char *json,
	       size_t len, const char *collected_at, json_t **ret)
{
	return kt_store_facts_from(s, host, pool, json, len, collected_at, NULL, ret);
}

int
kt_store_facts_from(struct kt_store *s, const char *host, const char *pool, const char *json,
		    size_t len, const char *collected_at, const char *source, json_t **ret)
{
	struct kt_host_facts *hf = NULL;
	json_t *summary = json_array(), *facets = json_array();
	const char *backend = NULL;
	char sha[65], now[32], *sum_text = NULL;
	void *z = NULL;
	size_t nz = 0;
	int64_t pool_id = 0, host_id = 0, id = 0;
	bool seen = false;
	int rc;

	if (!host || !*host) {
		rc = kt_error(s->ctx, KT_EINVAL, "host facts need a host name");
		goto out;
	}
	rc = load_facts(s, json, len, &hf);
	if (rc)
		goto out;
	digest_facts(hf, summary, facets, &backend);
	kt_sha256_hex(json, len, sha);
	kt_store_now(now);
	if (!collected_at)
		collected_at = now;
	sum_text = json_dumps(summary, JSON_COMPACT);
	if (kt_z_deflate(json, len, &z, &nz)) {
		rc = kt_error(s->ctx, KT_EIO, "compressing host facts failed");
		goto out;
	}
	rc = kt_db_begin(s->db);
	if (rc)
		goto out;
	if (pool) {
		struct kt_dbv p[1] = { KT_DBV_TEXT(pool) };

		rc = kt_db_exec(s->db, "INSERT INTO kt_pool(name) VALUES ($1)"
				" ON CONFLICT(name) DO NOTHING", p, 1);
		if (rc == 0)
			rc = kt_db_int(s->db, "SELECT id FROM kt_pool WHERE name = $1", p, 1, &pool_id);
	}
	if (rc == 0)
		rc = kt_store_host_id(s, host, pool_id, collected_at, &host_id);
	if (rc == 0)
		rc = kt_db_lock(s->db, host_id);
	if (rc == 0) {
		struct kt_dbv p[7] = { KT_DBV_INT(host_id), KT_DBV_TEXT(sha), KT_DBV_TEXT(collected_at),
				       KT_DBV_TEXT(source ? source : hf->source), KT_DBV_TEXT(backend),
				       KT_DBV_TEXT(sum_text), KT_DBV_BLOB(z, nz) };

		rc = kt_db_int(s->db, "INSERT INTO kt_facts(host_id, sha256, collected_at, source,"
			       " backend, summary, data) VALUES ($1, $2, $3, $4, $5, $6, $7)"
			       " ON CONFLICT(host_id, sha256) DO NOTHING RETURNING id", p, 7, &id);
		if (rc == KT_ENOTFOUND) {
			seen = true;
			rc = kt_db_int(s->db, "SELECT id FROM kt_facts WHERE host_id = $1"
				       " AND sha256 = $2", p, 2, &id);
		}
	}
	for (size_t i = 0; rc == 0 && !seen && i < json_array_size(facets) + (backend ? 1 : 0); i++) {
		bool is_backend = i == json_array_size(facets);
		struct kt_dbv p[3] = { KT_DBV_INT(id), KT_DBV_TEXT(is_backend ? "backend" : "driver_mtu"),
				       KT_DBV_TEXT(is_backend ? backend
						   : json_string_value(json_array_get(facets, i))) };

		rc = kt_db_exec(s->db, "INSERT INTO kt_facts_facet(facts_id, key, value)"
				" VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", p, 3);
	}
	if (rc == 0 && !seen)
		rc = relink_host(s, host_id);
	if (rc == 0)
		rc = kt_db_commit(s->db);
	if (rc) {
		kt_db_rollback(s->db);
		goto out;
	}
	if (ret)
		*ret = json_pack("{s:I,s:s,s:s,s:O,s:o}", "id", (json_int_t)id, "host", host,
				 "status", seen ? "seen" : "new", "summary", summary,
				 "backend", kt_json_str(backend));
out:
	kt_host_facts_free(hf);
	json_decref(summary);
	json_decref(facets);
	free(sum_text);
	free(z);
	return rc;
}

int
kt_store_set_status(struct kt_store *s, int64_t issue, const char *status, const char *fixed_in,
		    const char *note, json_t **ret)
{
	char now[32], what[1024];
	int64_t one = 0;
	int rc;

	if (!status || (strcmp(status, "open") && strcmp(status, "fixed") && strcmp(status, "ignored")))
		return kt_error(s->ctx, KT_EINVAL, "status must be open, fixed or ignored");
	if (fixed_in && strcmp(status, "fixed"))
		return kt_error(s->ctx, KT_EINVAL, "--fixed-in goes with status fixed");
	kt_store_now(now);
	snprintf(what, sizeof(what), "status %s%s%s%s%s", status, fixed_in ? " (fixed in " : "",
		 fixed_in ? fixed_in : "", fixed_in ? ")" : "", note ? ": " : "");
	if (note)
		snprintf(what + strlen(what), sizeof(what) - strlen(what), "%s", note);
	rc = kt_db_begin(s->db);
	if (rc)
		return rc;
	{
		struct kt_dbv p[1] = { KT_DBV_INT(issue) };

		rc = kt_db_int(s->db, "SELECT 1 FROM kt_issue WHERE id = $1", p, 1, &one);
		if (rc == KT_ENOTFOUND)
			rc = kt_error(s->ctx, KT_ENOTFOUND, "no issue %lld", (long long)issue);
	}
	if (rc == 0) {
		struct kt_dbv p[4] = { KT_DBV_INT(issue), KT_DBV_TEXT(status), KT_DBV_TEXT(fixed_in),
				       KT_DBV_TEXT(note) };

		rc = kt_db_exec(s->db, "UPDATE kt_issue SET status = $2, fixed_in = $3,"
				" note = coalesce($4, note) WHERE id = $1", p, 4);
	}
	if (rc == 0) {
		struct kt_dbv p[3] = { KT_DBV_INT(issue), KT_DBV_TEXT(now), KT_DBV_TEXT(what) };

		rc = kt_db_exec(s->db, "INSERT INTO kt_event(issue_id, at, what) VALUES ($1, $2, $3)",
				p, 3);
	}
	if (rc == 0)
		rc = kt_db_commit(s->db);
	if (rc) {
		kt_db_rollback(s->db);
		return rc;
	}
	if (ret) {
		struct kt_store_filter f = { .limit = 1 };
		json_t *all = NULL, *one_issue = NULL;

		/* the issue as the list shows it */
		rc = kt_store_issue(s, issue, &one_issue);
		if (rc)
			return rc;
		all = json_object();
		json_object_set(all, "id", json_object_get(one_issue, "id"));
		json_object_set(all, "title", json_object_get(one_issue, "title"));
		json_object_set(all, "status", json_object_get(one_issue, "status"));
		json_object_set(all, "fixed_in", json_object_get(one_issue, "fixed_in"));
		json_object_set(all, "note", json_object_get(one_issue, "note"));
		json_object_set(all, "crashes", json_object_get(one_issue, "crashes"));
		json_object_set(all, "hosts", json_object_get(one_issue, "hosts"));
		json_decref(one_issue);
		(void)f;
		*ret = all;
	}
	return 0;
}
