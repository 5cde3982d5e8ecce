/*
 * store: the SQLite backend of the driver layer. WAL journal (readers do
 * not block the writer), synchronous=NORMAL (a commit survives a killed
 * process; WAL keeps the file consistent after a power cut), a busy
 * timeout so concurrent importers wait instead of failing, and writes in
 * BEGIN IMMEDIATE transactions so two writers never deadlock on a lock
 * upgrade (https://www.sqlite.org/wal.html, https://www.sqlite.org/lang_transaction.html).
 * Prepared statements are cached by SQL text pointer (all SQL is static).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "util/mem.h"

#define CACHE_SIZE 128

struct sdb {
	struct kt_db base;
	sqlite3 *h;
	struct { const char *sql; sqlite3_stmt *st; bool inuse; } cache[CACHE_SIZE];
};

struct sq {
	struct kt_dbq_head head;
	sqlite3_stmt *st;
	int slot;		/* cache slot, or -1 for a one-off statement */
	int rc;
};

static int
fail(struct sdb *d, const char *what)
{
	return kt_error(d->base.ctx, KT_EDB, "sqlite: %s: %s", what, sqlite3_errmsg(d->h));
}

/* A statement for `sql`: the cached one when its slot is free, else a
 * one-off (a nested query that collides with a running one). */
static int
prepare(struct sdb *d, const char *sql, sqlite3_stmt **st, int *ret_slot)
{
	int slot = (int)(((uintptr_t)sql >> 4) % CACHE_SIZE);

	if (d->cache[slot].inuse)
		slot = -1;
	else if (d->cache[slot].sql == sql && d->cache[slot].st) {
		*st = d->cache[slot].st;
		d->cache[slot].inuse = true;
		*ret_slot = slot;
		return 0;
	}
	if (sqlite3_prepare_v3(d->h, sql, -1, slot >= 0 ? SQLITE_PREPARE_PERSISTENT : 0,
			       st, NULL) != SQLITE_OK)
		return fail(d, sql);
	if (slot >= 0) {
		if (d->cache[slot].st)
			sqlite3_finalize(d->cache[slot].st);
		d->cache[slot].sql = sql;
		d->cache[slot].st = *st;
		d->cache[slot].inuse = true;
	}
	*ret_slot = slot;
	return 0;
}

static int
bind(struct sdb *d, sqlite3_stmt *st, const struct kt_dbv *p, int n)
{
	char name[16];

	for (int i = 0; i < n; i++) {
		int idx, rc = SQLITE_OK;

		snprintf(name, sizeof(name), "$%d", i + 1);
		idx = sqlite3_bind_parameter_index(st, name);
		if (idx == 0)
			continue;
		switch (p[i].t) {
		case KT_DBT_INT: rc = sqlite3_bind_int64(st, idx, p[i].i); break;
		case KT_DBT_REAL: rc = sqlite3_bind_double(st, idx, p[i].d); break;
		case KT_DBT_TEXT:
			rc = p[i].s ? sqlite3_bind_text(st, idx, p[i].s, -1, SQLITE_STATIC)
				    : sqlite3_bind_null(st, idx);
			break;
		case KT_DBT_BLOB: rc = sqlite3_bind_blob64(st, idx, p[i].b ? p[i].b : "",
							   p[i].n, SQLITE_STATIC); break;
		default: rc = sqlite3_bind_null(st, idx); break;
		}
		if (rc != SQLITE_OK)
			return fail(d, "bind");
	}
	return 0;
}

static int s_end(struct kt_dbq *qq);

static int
s_query(struct kt_db *db, const char *sql, const struct kt_dbv *p, int n, struct kt_dbq **ret)
{
	struct sdb *d = (struct sdb *)db;
	sqlite3_stmt *st;
	int slot = -1;
	struct sq *q;
	int rc = prepare(d, sql, &st, &slot);

	if (rc)
		return rc;
	q = kt_calloc(1, sizeof(*q));
	q->head.db = db;
	q->st = st;
	q->slot = slot;
	rc = bind(d, st, p, n);
	if (rc) {
		q->rc = SQLITE_DONE;
		(void)s_end((struct kt_dbq *)q);
		return rc;
	}
	q->rc = SQLITE_ROW;
	*ret = (struct kt_dbq *)q;
	return 0;
}

static bool
s_next(struct kt_dbq *qq)
{
	struct sq *q = (struct sq *)qq;

	if (q->rc != SQLITE_ROW)
		return false;
	q->rc = sqlite3_step(q->st);
	return q->rc == SQLITE_ROW;
}

static int
s_end(struct kt_dbq *qq)
{
	struct sq *q = (struct sq *)qq;
	struct sdb *d = (struct sdb *)q->head.db;
	int rc = 0;

	if (q->rc != SQLITE_ROW && q->rc != SQLITE_DONE)
		rc = fail(d, "step");
	sqlite3_reset(q->st);
	sqlite3_clear_bindings(q->st);
	if (q->slot < 0)
		sqlite3_finalize(q->st);
	else
		d->cache[q->slot].inuse = false;
	free(q);
	return rc;
}

static int
s_exec(struct kt_db *db, const char *sql, const struct kt_dbv *p, int n)
{
	struct kt_dbq *q;
	int rc;

	if (n < 0) {	/* a script of several statements (schema) */
		struct sdb *d = (struct sdb *)db;

		if (sqlite3_exec(d->h, sql, NULL, NULL, NULL) != SQLITE_OK)
			return fail(d, "exec");
		return 0;
	}
	rc = s_query(db, sql, p, n, &q);
	if (rc)
		return rc;
	while (s_next(q))
		;
	return s_end(q);
}

static bool
s_null(struct kt_dbq *q, int c)
{
	return sqlite3_column_type(((struct sq *)q)->st, c) == SQLITE_NULL;
}

static int64_t
s_int(struct kt_dbq *q, int c)
{
	return sqlite3_column_int64(((struct sq *)q)->st, c);
}

static double
s_real(struct kt_dbq *q, int c)
{
	return sqlite3_column_double(((struct sq *)q)->st, c);
}

static const char *
s_text(struct kt_dbq *q, int c)
{
	return (const char *)sqlite3_column_text(((struct sq *)q)->st, c);
}

static const void *
s_blob(struct kt_dbq *q, int c, size_t *len)
{
	const void *b = sqlite3_column_blob(((struct sq *)q)->st, c);

	*len = (size_t)sqlite3_column_bytes(((struct sq *)q)->st, c);
	return b;
}

static int
s_begin(struct kt_db *db)
{
	return s_exec(db, "BEGIN IMMEDIATE", NULL, 0);
}

static int
s_lock(struct kt_db *db, int64_t key)
{
	return 0;
}

static void
s_close(struct kt_db *db)
{
	struct sdb *d = (struct sdb *)db;

	for (size_t i = 0; i < CACHE_SIZE; i++)
		if (d->cache[i].st)
			sqlite3_finalize(d->cache[i].st);
	sqlite3_close(d->h);
	free(d);
}

static const struct kt_db_ops sqlite_ops = {
	.exec = s_exec, .query = s_query, .next = s_next, .is_null = s_null,
	.col_int = s_int, .col_real = s_real, .col_text = s_text, .col_blob = s_blob,
	.end = s_end, .begin = s_begin, .lock = s_lock, .close = s_close,
};

int
kt_db_sqlite_open(struct kt_ctx *ctx, const char *path, int busy_ms, struct kt_db **ret)
{
	struct sdb *d = kt_calloc(1, sizeof(*d));
	int rc;

	d->base.ops = &sqlite_ops;
	d->base.ctx = ctx;
	d->base.backend = KT_STORE_SQLITE;
	if (sqlite3_open_v2(path, &d->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = kt_error(ctx, KT_EDB, "sqlite: opening '%s': %s", path,
			      d->h ? sqlite3_errmsg(d->h) : "out of memory");
		sqlite3_close(d->h);
		free(d);
		return rc;
	}
	sqlite3_busy_timeout(d->h, busy_ms);
	rc = s_exec(&d->base, "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
		    "PRAGMA foreign_keys=ON;PRAGMA cache_size=-32000;", NULL, -1);
	if (rc) {
		s_close(&d->base);
		return rc;
	}
	*ret = &d->base;
	return 0;
}
