/*
 * store: internals shared by the crash store's files (store.c: open,
 * schema; import.c; query.c: read side; admin.c: facts, status, rebucket;
 * blob.c: hashes, compression, packing, times).
 */
#ifndef KT_STORE_INT_H
#define KT_STORE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include <ktriage/analyze.h>
#include <ktriage/store.h>

#include "store/db.h"

/* The tail of a query that builds JSON: hand `out` to the caller, or free
 * it and pass the error on. */
static inline int
kt_store_give_json(int rc, json_t *out, json_t **ret)
{
	if (rc) {
		json_decref(out);
		return rc;
	}
	*ret = out;
	return 0;
}

#define KT_STORE_SCHEMA_VERSION 3

/* The per-issue summary (schema version 2) computed from kt_crash: the
 * migration's fill and kt_store_rebuild_summary(); tests compare it with
 * what import and rebucket keep up to date. */
#define KT_STORE_SUMMARY_FILL \
	"INSERT INTO kt_issue_sum(issue_id, crashes, hosts, first_seen, last_seen)" \
	" SELECT issue_id, count(*), count(DISTINCT host_id), min(crashed_at), max(crashed_at)" \
	" FROM kt_crash GROUP BY issue_id;" \
	"INSERT INTO kt_issue_value(issue_id, key, value, n)" \
	" SELECT issue_id, 'kernel', kernel, count(*) FROM kt_crash WHERE kernel IS NOT NULL" \
	" GROUP BY issue_id, kernel;" \
	"INSERT INTO kt_issue_value(issue_id, key, value, n)" \
	" SELECT issue_id, 'rule', rule, count(*) FROM kt_crash WHERE rule IS NOT NULL" \
	" GROUP BY issue_id, rule;" \
	"INSERT INTO kt_issue_value(issue_id, key, value, n)" \
	" SELECT issue_id, 'day', substr(crashed_at, 1, 10), count(*) FROM kt_crash" \
	" GROUP BY issue_id, substr(crashed_at, 1, 10);"

/* The pool facet rows from the crashes and their hosts' pools (the
 * rebuild; the version 3 migration adds those that imports before it
 * skipped: they counted a pool only when the upload named it). */
#define KT_STORE_POOL_FACETS \
	"INSERT INTO kt_facet(issue_id, key, value, host_id, n, first_seen, last_seen)" \
	" SELECT c.issue_id, 'pool', p.name, c.host_id, count(*), min(c.crashed_at), max(c.crashed_at)" \
	" FROM kt_crash c JOIN kt_host h ON h.id = c.host_id JOIN kt_pool p ON p.id = h.pool_id" \
	" GROUP BY c.issue_id, p.name, c.host_id;"

/* The per-value issue summary (schema version 3) as a roll-up of the
 * facet table's host, pool and kernel rows (one row per issue, value and
 * host): the migration's fill and the rebuild after the facets. */
#define KT_STORE_BY_FILL \
	"INSERT INTO kt_issue_by(key, value, issue_id, crashes, hosts, first_seen, last_seen)" \
	" SELECT key, value, issue_id, sum(n), count(*), min(first_seen), max(last_seen)" \
	" FROM kt_facet WHERE key IN ('host', 'pool', 'kernel') GROUP BY key, value, issue_id;"

struct kt_store {
	struct kt_ctx *ctx;
	struct kt_db *db;
	struct kt_store_opts opts;
	struct kt_analyzer *an;		/* created on first use */
	char tmp[4096];			/* private temporary directory, or "" */
	unsigned tmp_seq;
	/* the host of the last crash stored in the current transaction */
	char tx_host[256];
	int64_t tx_host_id;
};

/* The analyzer, created on first use. */
int kt_store_analyzer(struct kt_store *s, struct kt_analyzer **ret);
/* A fresh file name in the store's private temporary directory. */
int kt_store_tmpname(struct kt_store *s, const char *name, char *out, size_t cap);
/* Now as ISO-8601 UTC. */
void kt_store_now(char out[32]);
/* Rebuild the derived facet table (all of it, or one host's facts facets). */
int kt_store_rebuild_facets(struct kt_store *s);
int kt_store_rebuild_host_facts_facets(struct kt_store *s, int64_t host_id);
/* import.c: the machine state a report printed (CPU, PID, command,
 * registers; NULL when fewer than 4 registers; free()), and the
 * cross-source key kt_crash.state_key made of it. */
char *kt_store_crash_state(const struct kt_report *r);
void kt_store_state_key(const char *kernel, const char *bucket, const char *header,
			const char *state, char out[65]);
/* Rebuild the per-issue summary (kt_issue_sum, kt_issue_value) from kt_crash. */
int kt_store_rebuild_summary(struct kt_store *s);
/* kt_store_facts() with the snapshot's source named by the caller (NULL:
 * the "source" of the facts JSON). */
int kt_store_facts_from(struct kt_store *s, const char *host, const char *pool, const char *json,
			size_t len, const char *collected_at, const char *source, json_t **ret);
/* Add a JSON key only when the text is not NULL (else JSON null). */
json_t *kt_json_str(const char *s);

/* folder.c: what a crash folder on disk says of its host: the host and
 * pool of an unpacked status report holding it (inventory.xml,
 * xapi-db.xml), and the host a line of its logs names
 * (data/store/host-names.tsv). Empty strings when nothing says. */
struct kt_folder_meta {
	char host[256];
	char pool[64];
	char line_host[256];
};
void kt_store_folder_meta(struct kt_store *s, const char *dir, struct kt_folder_meta *ret);

/* blob.c */
void kt_sha256_hex(const void *p, size_t n, char out[65]);
int kt_z_deflate(const void *p, size_t n, void **ret, size_t *ret_len);
/* Inflate at most about `limit` bytes; the result is NUL-terminated. */
int kt_z_inflate(const void *p, size_t n, size_t limit, char **ret, size_t *ret_len);
int kt_pack_folder(struct kt_ctx *ctx, const char *dir, const char *name, void **ret,
		   size_t *ret_len);
void kt_time_iso(time_t t, char out[32]);
bool kt_time_parse(const char *s, const char *received, char out[32]);

#endif
