/*
 * The crash store: every crash of a fleet in one database (SQLite by
 * default, PostgreSQL for fleets), behind one interface, `struct kt_store`.
 *
 * Raw is the truth: the bytes of every upload are kept (zlib-compressed,
 * content-addressed by SHA-256) and every crash keeps its excerpt; titles,
 * buckets and issues are derived from them by this build's analyzer and can
 * be rebuilt (kt_store_rebucket()). Importing the same bytes twice changes
 * no count; one crash seen through several paths (dmesg, kern.log, a crash
 * folder) is one occurrence, with every place it was seen kept.
 *
 * Results are jansson objects (json_t *); their keys are documented at each
 * function and in docs/store.md. Every result is owned by the caller: release
 * it with json_decref(). Timestamps are ISO-8601 UTC text
 * ("2026-12-05T21:30:00Z"); ids are JSON integers.
 *
 * Threads: a kt_store (and the kt_ctx it was opened with) is used by one
 * thread at a time. Open one store per thread (or per worker): several
 * stores on the same database, in one process or many, may import at the
 * same time; each import is one transaction (SQLite WAL + busy timeout,
 * PostgreSQL upserts), so concurrent importers lose and duplicate nothing.
 */
#ifndef KTRIAGE_STORE_H
#define KTRIAGE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <ktriage/error.h>
#include <ktriage/export.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kt_store;

/* Largest upload kt_store_import() and kt_store_import_path() accept
 * (a bigger file is refused with KT_EINVAL): 1 GiB. */
#define KT_STORE_MAX_UPLOAD	((size_t)1 << 30)

enum kt_store_backend {
	KT_STORE_SQLITE,
	KT_STORE_POSTGRESQL,
	KT_STORE_BACKEND_COUNT
};

/* "sqlite" / "postgresql". Static string. */
KT_API const char *kt_store_backend_name(enum kt_store_backend b);

/* Options for kt_store_open(); a zeroed struct (or NULL) means defaults. */
struct kt_store_opts {
	/* Extra rule directories for the analyzer (NULL-terminated), as
	 * `analyze --rules`. Borrowed: must outlive the store. */
	const char *const *rule_dirs;
	/* How long to wait for a lock held by another writer (SQLite busy
	 * timeout), in milliseconds; 0 means 30000. */
	int busy_timeout_ms;
	/* Directory for the short-lived files the analyzer reads (uploads
	 * given as bytes); NULL: "/tmp". Borrowed: must outlive the store. */
	const char *tmp_dir;
};

/*
 * The default store URL, from the values of $KTRIAGE_DB, $XDG_DATA_HOME and
 * $HOME (any may be NULL or ""; the library reads no environment itself):
 * KTRIAGE_DB if set, else "sqlite:$XDG_DATA_HOME/ktriage/ktriage.db", else
 * "sqlite:$HOME/.local/share/ktriage/ktriage.db". Returns NULL when none is
 * set. Caller owns the result; free with free().
 */
KT_API char *kt_store_default_url(const char *ktriage_db, const char *xdg_data_home,
				  const char *home);

/*
 * Open (and create or migrate) the store at `url`:
 *   "sqlite:PATH" or a bare PATH  SQLite file (its directory is created);
 *   "postgresql://..." or "postgres://..."  libpq connection URI.
 * The schema carries a version (table kt_meta); an older schema is migrated
 * in one transaction, a newer one is refused (KT_EUNSUPPORTED).
 * Caller owns the result; free with kt_store_close(). `opts` is copied.
 * Returns 0, KT_EINVAL (bad URL), KT_EDB (cannot open/connect/migrate) or
 * KT_EUNSUPPORTED (message on ctx). The ctx is borrowed and must outlive
 * the store; error details of later calls are put on it too.
 */
KT_API int kt_store_open(struct kt_ctx *ctx, const char *url, const struct kt_store_opts *opts,
			 struct kt_store **ret);
/* Close the store; NULL is a no-op. */
KT_API void kt_store_close(struct kt_store *s);
KT_API enum kt_store_backend kt_store_get_backend(const struct kt_store *s);

/* What an upload is and where it came from. Copied; the strings may be
 * freed after the call. */
struct kt_upload_meta {
	/* File name as given ("kern.log", "dom0.log", "bugtool.tar.gz",
	 * "20261205-101010-UTC" for a packed crash folder). Its extension
	 * selects the reader for archives; NULL: "upload". */
	const char *name;
	/* Host name. NULL: taken from the input (status report, syslog host
	 * field); if the input names none either, the crashes belong to host
	 * "unknown" and are never merged with another upload's crashes. */
	const char *host;
	const char *pool;	/* pool name or uuid, or NULL */
	/* How it arrived: "cli", "http", "agent", "kdump", "pstore",
	 * "journal", "crash-folder", "status-report" ...; NULL: "cli". */
	const char *source;
	/* When the server/CLI received it (ISO-8601 UTC); NULL: now. */
	const char *received_at;
	/* The kernel release the host ran when these crashes happened, when
	 * the uploader knows it (the agent, for the running boot's crashes);
	 * taken for a crash whose own text names no release. NULL: none. */
	const char *kernel;
};

/*
 * Import one upload: `len` raw bytes (a log, a tarball of a crash folder or
 * a status report). Copied; the bytes may be freed after return. The bytes
 * are stored (once per SHA-256), analysed, and each crash in them becomes an
 * occurrence (new, or one already known through another path) linked to an
 * issue. One transaction: on failure nothing is stored.
 * *ret (caller owns it; json_decref()):
 *   { "upload": ID, "sha256": "hex", "status": "new"|"seen", "host": "name",
 *     "crashes": [ { "id": ID, "occurrence": "new"|"seen", "title": "...",
 *                    "kind": "...", "bucket": "hex16", "kernel": "..."|null,
 *                    "issue": { "id": ID, "status": "open"|"fixed"|"ignored",
 *                               "title": "...", "new": true|false,
 *                               "regression": true|false },
 *                    "findings": [ { "rule": "id", "title": "..." } ] } ] }
 * A repeated upload (same host, source and bytes) answers "status": "seen"
 * with the crashes of the first import, and changes nothing.
 * Returns 0, KT_EINVAL, KT_EIO or KT_EDB (message on the store's ctx).
 */
KT_API int kt_store_import(struct kt_store *s, const struct kt_upload_meta *m,
			   const void *bytes, size_t len, json_t **ret);

/*
 * Import what `analyze` takes at PATH: "-" (standard input, one upload
 * named "stdin"), a file (one upload), a crash folder
 * (packed as one upload, a tar with sorted members and no timestamps so
 * the same folder always gives the same bytes) or a directory (each crash
 * folder and each file in it is one upload, as kt_analyze_split()).
 * m->name is ignored (each piece's own name is used).
 * *ret (caller owns it): a JSON array of kt_store_import() results, one per
 * upload, each with an extra "path" key. Each upload is its own
 * transaction; one that fails is reported with "error": "message" and the
 * others go on. Returns 0, KT_ENOTFOUND (PATH missing), KT_EIO or KT_EDB.
 */
KT_API int kt_store_import_path(struct kt_store *s, const char *path,
				const struct kt_upload_meta *m, json_t **ret);

/* Filters for the list functions; a zeroed struct means "all". Strings are
 * borrowed for the call. */
struct kt_store_filter {
	const char *since;	/* last seen at or after this ISO-8601 time */
	const char *host;	/* crashed on this host (name) */
	const char *pool;	/* crashed on a host of this pool */
	const char *kernel;	/* crashed on this kernel release */
	const char *status;	/* "open", "fixed", "ignored" */
	size_t limit;		/* at most this many rows; 0: 100 */
	size_t offset;		/* skip this many rows first (paging) */
};

/*
 * List issues, most crashes first. *ret (caller owns it): a JSON array of
 *   { "id": ID, "title": "...", "kind": "...", "status": "...",
 *     "fixed_in": "..."|null, "crashes": N, "hosts": N,
 *     "first_seen": "T", "last_seen": "T", "kernels": ["..."],
 *     "rule": "top finding rule id"|null }
 * Counts respect the filter (e.g. crashes on that host only).
 * Returns 0, KT_EINVAL or KT_EDB.
 */
KT_API int kt_store_issues(struct kt_store *s, const struct kt_store_filter *f, json_t **ret);

/*
 * One issue. *ret (caller owns it):
 *   { "id", "title", "kind", "status", "fixed_in", "note", "crashes",
 *     "hosts", "first_seen", "last_seen", "buckets": ["hex16"],
 *     "representative": { "crash": ID, "report": {analyze JSON} },
 *     "facets": { "host"|"pool"|"kernel"|"xen"|"driver_mtu"|"backend"|
 *                 "taint"|"hardware"|"rule": [ { "value": "...",
 *                 "crashes": N, "hosts": N, "first_seen": "T",
 *                 "last_seen": "T" } ] },
 *     "lift": [ { "facet": "driver_mtu", "value": "enic@9000",
 *                 "crashed_hosts": 14, "hosts": 16,
 *                 "other_crashed_hosts": 0, "other_hosts": 120,
 *                 "text": "14 of 16 hosts with enic@9000 crashed, 0 of
 *                          120 without" } ],  (only when host facts exist)
 *     "events": [ { "at", "what" } ],
 *     "crash_list": [ { "id", "host", "kernel", "crashed_at", "title" } ] }
 * The crash list is the newest 100. Returns 0, KT_ENOTFOUND or KT_EDB.
 */
KT_API int kt_store_issue(struct kt_store *s, int64_t issue_id, json_t **ret);

/*
 * One crash. *ret (caller owns it):
 *   { "id", "host", "pool", "kernel", "crashed_at", "received_at",
 *     "issue": ID, "title", "bucket", "kind", "facts": ID|null,
 *     "seen": [ { "upload": ID, "name": "...", "source": "...",
 *                 "first_line": N, "last_line": N } ],
 *     "excerpt": "raw text of the crash",
 *     "report": {analyze JSON} }
 * Returns 0, KT_ENOTFOUND or KT_EDB.
 */
KT_API int kt_store_crash(struct kt_store *s, int64_t crash_id, json_t **ret);

/*
 * A crash as `ktriage analyze` prints it in text: its stored excerpt
 * re-analysed with this build's analyzer and rendered with kt_render_text().
 * Caller owns *ret; free with free(). Returns 0, KT_ENOTFOUND or KT_EDB.
 */
struct kt_render_opts;
KT_API int kt_store_crash_text(struct kt_store *s, int64_t crash_id,
			       const struct kt_render_opts *o, char **ret);

/*
 * Hosts, most recently seen first (filter: pool, since, limit, offset).
 * *ret: JSON array of { "name", "pool", "first_seen", "last_seen",
 * "crashes": N, "issues": N, "kernel": "latest"|null,
 * "facts_at": "T"|null }. Returns 0 or KT_EDB.
 */
KT_API int kt_store_hosts(struct kt_store *s, const struct kt_store_filter *f, json_t **ret);

/*
 * One host: { "name", "pool", "first_seen", "last_seen",
 *   "facts": [ { "id", "collected_at", "source", "summary":
 *                ["eth0 enic@9000", "xenbr0 bridge"], "backend": "bridge"|"ovs"|null } ],
 *   "crashes": [ { "id", "crashed_at", "kernel", "issue", "title" } ] }
 * (facts oldest first, the newest 200 crashes newest first).
 * Returns 0, KT_ENOTFOUND or KT_EDB.
 */
KT_API int kt_store_host(struct kt_store *s, const char *name, json_t **ret);

/*
 * Store a host-facts snapshot: `json` is `ktriage net audit --format json`
 * output (`len` bytes), collected at `collected_at` (ISO-8601; NULL: now).
 * Idempotent (same host and bytes: stored once). Crashes link to the
 * newest snapshot collected at or before they happened (or, failing that,
 * the oldest one). *ret (may be NULL): { "id", "host", "status":
 * "new"|"seen" }. Returns 0, KT_EFORMAT (not host facts JSON), KT_EINVAL
 * or KT_EDB.
 */
KT_API int kt_store_facts(struct kt_store *s, const char *host, const char *pool,
			  const char *json, size_t len, const char *collected_at, json_t **ret);

/*
 * Set an issue's status: "open", "fixed" (fixed_in: the first kernel
 * release with the fix, or NULL) or "ignored"; `note` may be NULL. An event
 * is recorded. A crash on a fixed issue is a regression only on a kernel
 * release not older than fixed_in (kernel version order). *ret (may be
 * NULL): { "id", "title", "status", "fixed_in", "note", "crashes", "hosts" }.
 * Returns 0, KT_EINVAL, KT_ENOTFOUND or KT_EDB.
 */
KT_API int kt_store_set_status(struct kt_store *s, int64_t issue_id, const char *status,
			       const char *fixed_in, const char *note, json_t **ret);

/*
 * Re-analyse every stored crash excerpt with this build's analyzer; link
 * each new bucket to the existing issue holding most of its crashes (issue
 * ids stay stable, ignored/fixed issues keep their status; a bucket whose
 * crashes were in no issue gets a new one). Nothing is deleted. With
 * dry_run nothing is written. *ret (caller owns it):
 *   { "crashes": N, "changed": N, "dry_run": bool,
 *     "moves": [ { "crash": ID, "from_issue": ID, "to_issue": ID|null,
 *                  "old_title", "new_title" } ]   (first 1000),
 *     "new_issues": [ { "id": ID|null, "title", "crashes": N } ],
 *     "merges": [ { "into": ID, "from": [ID...] } ],
 *     "splits": [ { "issue": ID, "into": [ID|null...] } ] }
 * Returns 0 or KT_EDB.
 */
KT_API int kt_store_rebucket(struct kt_store *s, bool dry_run, json_t **ret);

/*
 * The raw bytes of an upload (decompressed). Caller owns *ret; free with
 * free(). Returns 0, KT_ENOTFOUND or KT_EDB.
 */
KT_API int kt_store_upload_bytes(struct kt_store *s, int64_t upload_id, void **ret,
				 size_t *ret_len);

/*
 * Totals: { "backend", "schema_version", "uploads", "blobs", "blob_bytes"
 * (stored, compressed), "raw_bytes", "crashes", "excerpt_bytes",
 * "report_bytes", "issues", "hosts", "facts" }. Caller owns *ret.
 * Returns 0 or KT_EDB.
 */
KT_API int kt_store_stats(struct kt_store *s, json_t **ret);

#ifdef __cplusplus
}
#endif
#endif
