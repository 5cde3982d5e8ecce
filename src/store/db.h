/*
 * store: the thin database driver layer under the crash store. One small
 * interface (exec, query, row cursor, transactions) with two backends:
 * SQLite (db_sqlite.c) and PostgreSQL through libpq (db_pg.c). SQL is
 * written once, with $1..$N placeholders, which both engines accept; only
 * the schema's column types differ (see schema.c). No domain knowledge here.
 */
#ifndef KT_STORE_DB_H
#define KT_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ktriage/store.h>

struct kt_ctx;

enum kt_dbt { KT_DBT_NULL, KT_DBT_INT, KT_DBT_REAL, KT_DBT_TEXT, KT_DBT_BLOB, KT_DBT_COUNT };

/* One bound parameter. Borrowed for the call. */
struct kt_dbv {
	enum kt_dbt t;
	int64_t i;
	double d;
	const char *s;		/* TEXT (NUL-terminated); NULL binds NULL */
	const void *b;		/* BLOB */
	size_t n;
};

static inline struct kt_dbv
kt_dbv_int(int64_t x)
{
	return (struct kt_dbv){ .t = KT_DBT_INT, .i = x };
}

static inline struct kt_dbv
kt_dbv_text(const char *x)
{
	return (struct kt_dbv){ .t = KT_DBT_TEXT, .s = x };	/* s NULL: a NULL of type text */
}

static inline struct kt_dbv
kt_dbv_blob(const void *p, size_t n)
{
	return (struct kt_dbv){ .t = KT_DBT_BLOB, .b = p, .n = n };
}

#define KT_DBV_INT(x)	kt_dbv_int(x)
#define KT_DBV_TEXT(x)	kt_dbv_text(x)
#define KT_DBV_BLOB(p, len) kt_dbv_blob((p), (len))
#define KT_DBV_NULL	((struct kt_dbv){ .t = KT_DBT_NULL })

struct kt_db;
struct kt_dbq;

struct kt_db_ops {
	int (*exec)(struct kt_db *db, const char *sql, const struct kt_dbv *p, int n);
	int (*query)(struct kt_db *db, const char *sql, const struct kt_dbv *p, int n,
		     struct kt_dbq **ret);
	bool (*next)(struct kt_dbq *q);
	bool (*is_null)(struct kt_dbq *q, int col);
	int64_t (*col_int)(struct kt_dbq *q, int col);
	double (*col_real)(struct kt_dbq *q, int col);
	const char *(*col_text)(struct kt_dbq *q, int col);
	const void *(*col_blob)(struct kt_dbq *q, int col, size_t *len);
	int (*end)(struct kt_dbq *q);
	int (*begin)(struct kt_db *db);
	/* Serialize writers on `key` until the transaction ends (PostgreSQL
	 * advisory lock; SQLite writers are serialized by BEGIN IMMEDIATE). */
	int (*lock)(struct kt_db *db, int64_t key);
	void (*close)(struct kt_db *db);
};

struct kt_db {
	const struct kt_db_ops *ops;
	struct kt_ctx *ctx;
	enum kt_store_backend backend;
};

int kt_db_sqlite_open(struct kt_ctx *ctx, const char *path, int busy_ms, struct kt_db **ret);
int kt_db_pg_open(struct kt_ctx *ctx, const char *conninfo, struct kt_db **ret);

static inline int
kt_db_exec(struct kt_db *db, const char *sql, const struct kt_dbv *p, int n)
{
	return db->ops->exec(db, sql, p, n);
}

static inline int
kt_db_query(struct kt_db *db, const char *sql, const struct kt_dbv *p, int n, struct kt_dbq **ret)
{
	return db->ops->query(db, sql, p, n, ret);
}

/* Row cursor: while (kt_dbq_next(q)) ...; then rc = kt_dbq_end(q) (0 or
 * KT_EDB with the message on the ctx). Column getters are valid until the
 * next kt_dbq_next(). */
struct kt_dbq_head { struct kt_db *db; };

static inline bool
kt_dbq_next(struct kt_dbq *q)
{
	return ((struct kt_dbq_head *)q)->db->ops->next(q);
}
#define KT_DBQ_OPS(q) (((struct kt_dbq_head *)(q))->db->ops)
static inline bool kt_dbq_null(struct kt_dbq *q, int c) { return KT_DBQ_OPS(q)->is_null(q, c); }
static inline int64_t kt_dbq_int(struct kt_dbq *q, int c) { return KT_DBQ_OPS(q)->col_int(q, c); }
static inline double kt_dbq_real(struct kt_dbq *q, int c) { return KT_DBQ_OPS(q)->col_real(q, c); }
static inline const char *kt_dbq_text(struct kt_dbq *q, int c) { return KT_DBQ_OPS(q)->col_text(q, c); }
static inline const void *
kt_dbq_blob(struct kt_dbq *q, int c, size_t *len)
{
	return KT_DBQ_OPS(q)->col_blob(q, c, len);
}
static inline int kt_dbq_end(struct kt_dbq *q) { return q ? KT_DBQ_OPS(q)->end(q) : 0; }

/* Run a script of ';'-separated statements without parameters. */
static inline int kt_db_script(struct kt_db *db, const char *sql) { return db->ops->exec(db, sql, NULL, -1); }
static inline int kt_db_begin(struct kt_db *db) { return db->ops->begin(db); }
static inline int kt_db_commit(struct kt_db *db) { return kt_db_exec(db, "COMMIT", NULL, 0); }
static inline void kt_db_rollback(struct kt_db *db) { (void)kt_db_exec(db, "ROLLBACK", NULL, 0); }
static inline int kt_db_lock(struct kt_db *db, int64_t key) { return db->ops->lock(db, key); }

/* First column of the first row as an integer; *ret untouched if no row.
 * Returns 0, KT_ENOTFOUND (no row) or KT_EDB. */
int kt_db_int(struct kt_db *db, const char *sql, const struct kt_dbv *p, int n, int64_t *ret);

#endif
