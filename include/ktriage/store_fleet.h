/*
 * Crash store additions for the fleet server (`ktriage serve`): heartbeats
 * (the denominator of crash rates), per-issue daily counts for the web
 * view's sparklines and bars, and the stored host-facts JSON for "hosts at
 * risk". Same conventions as <ktriage/store.h>: results are jansson
 * objects the caller owns (json_decref()), times are ISO-8601 UTC text.
 */
#ifndef KTRIAGE_STORE_FLEET_H
#define KTRIAGE_STORE_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <ktriage/export.h>
#include <ktriage/store.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Record a heartbeat: host `host` (created if new, in `pool` if not NULL)
 * is up in boot `boot_id` on `kernel` (may be NULL) for `uptime` seconds
 * (< 0: unknown). One row per host and boot (the newest heartbeat wins).
 * *ret (may be NULL): { "host", "boot_id", "boots": N (boots seen for the
 * host), "status": "new"|"seen" (first heartbeat of this boot or not) }.
 * Returns 0, KT_EINVAL or KT_EDB.
 */
KT_API int kt_store_heartbeat(struct kt_store *s, const char *host, const char *pool,
			      const char *boot_id, const char *kernel, double uptime,
			      json_t **ret);

/*
 * Daily crash counts of the issues `ids` (n of them) over the `days` UTC
 * days ending with the day of `now` (ISO-8601; NULL: the current time).
 * *ret: { "ID": [count of the oldest day, ..., count of today], ... } with
 * an entry for every id asked (zeros when none). days is 1..366.
 * Returns 0, KT_EINVAL or KT_EDB.
 */
KT_API int kt_store_issue_days(struct kt_store *s, const int64_t *ids, size_t n, int days,
			       const char *now, json_t **ret);

/*
 * The newest stored host-facts document of `host` (the `net audit --format
 * json` object as uploaded), with "collected_at" added.
 * Returns 0, KT_ENOTFOUND (no facts for the host) or KT_EDB.
 */
KT_API int kt_store_host_facts_json(struct kt_store *s, const char *host, json_t **ret);

/*
 * Heartbeat totals of a host: { "boots": N, "last_heartbeat": "T"|null,
 * "uptime": seconds|null, "kernel": "..."|null }.
 * Returns 0 or KT_EDB.
 */
KT_API int kt_store_host_heartbeats(struct kt_store *s, const char *host, json_t **ret);

/*
 * Boots seen through heartbeats (host, boot_id pairs) whose last heartbeat is
 * at or after `since` (ISO-8601; NULL: all): the denominator of crash rates.
 * Returns 0 or KT_EDB.
 */
KT_API int kt_store_boots(struct kt_store *s, const char *since, int64_t *ret);

/*
 * Crashes per host and issue in a pool, in one query: { "HOST": { "ISSUE-ID":
 * N, ... }, ... } for every host of the pool that crashed.
 * Returns 0 or KT_EDB.
 */
KT_API int kt_store_pool_matrix(struct kt_store *s, const char *pool, json_t **ret);

/*
 * Raw first: commit an upload's bytes (blob, content-addressed like
 * kt_store_import()'s) and a "pending" record of its metadata before it is
 * analysed, so that nothing is lost if the analysis or the process fails.
 * m->received_at NULL: now. *ret_id: the pending record.
 * Returns 0, KT_EIO or KT_EDB.
 */
KT_API int kt_store_raw_stash(struct kt_store *s, const struct kt_upload_meta *m,
			      const void *bytes, size_t len, int64_t *ret_id);
/* Whether host `host` already uploaded these bytes from `source` (then
 * kt_store_import() only answers "seen" and nothing needs stashing):
 * *ret true or false. Returns 0 or KT_EDB. */
KT_API int kt_store_upload_known(struct kt_store *s, const char *host, const char *source,
				 const void *bytes, size_t len, bool *ret);
/* The pending record's import is done (error NULL: delete the record) or
 * failed (error kept on the record, the bytes stay). Returns 0 or KT_EDB. */
KT_API int kt_store_raw_done(struct kt_store *s, int64_t id, const char *error);
/* Pending records without an error (interrupted imports), oldest first, at
 * most `limit`: [ { "id", "sha256", "host", "pool", "source", "name",
 * "received_at" } ]. Returns 0 or KT_EDB. */
KT_API int kt_store_raw_pending(struct kt_store *s, size_t limit, json_t **ret);
/* The bytes of a stored blob. Caller owns *ret; free with free().
 * Returns 0, KT_ENOTFOUND or KT_EDB. */
KT_API int kt_store_blob(struct kt_store *s, const char *sha256, void **ret, size_t *ret_len);

/*
 * Row counts only (cheap, unlike kt_store_stats(), which sums blob sizes):
 * { "issues": N, "crashes": N, "hosts": N, "uploads": N }.
 * Returns 0 or KT_EDB.
 */
KT_API int kt_store_counts(struct kt_store *s, json_t **ret);

#ifdef __cplusplus
}
#endif
#endif
