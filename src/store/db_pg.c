/*
 * store: the PostgreSQL backend of the driver layer, through libpq
 * (https://www.postgresql.org/docs/15/libpq-exec.html). Parameters are sent
 * with explicit types (int8, float8, text, bytea) so that "$1 IS NULL"
 * needs no casts; BLOBs go in binary format, results come back as text
 * (bytea unescaped with PQunescapeBytea). Concurrent writers are made safe
 * by unique keys with ON CONFLICT and transaction-scoped advisory locks
 * (https://www.postgresql.org/docs/15/explicit-locking.html#ADVISORY-LOCKS).
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "util/mem.h"

/* Type OIDs from PostgreSQL's pg_type.dat (src/include/catalog/pg_type.dat). */
#define OID_INT8 20
#define OID_TEXT 25
#define OID_BYTEA 17
#define OID_FLOAT8 701

struct pdb {
	struct kt_db base;
	PGconn *c;
};

struct pq {
	struct kt_dbq_head head;
	PGresult *res;
	int row, nrows;
	unsigned char *blob;	/* unescaped bytea of the current row */
};

static int
p_query(struct kt_db *db, const char *sql, const struct kt_dbv *p, int n, struct kt_dbq **ret)
{
	struct pdb *d = (struct pdb *)db;
	Oid types[32] = { 0 };
	const char *vals[32] = { NULL };
	int lens[32] = { 0 }, fmts[32] = { 0 };
	char num[32][32];
	PGresult *res;
	struct pq *q;

	if (n > 32)
		return kt_error(db->ctx, KT_EINVAL, "postgresql: too many parameters");
	for (int i = 0; i < n; i++) {
		fmts[i] = 0;
		lens[i] = 0;
		switch (p[i].t) {
		case KT_DBT_INT:
			types[i] = OID_INT8;
			snprintf(num[i], sizeof(num[i]), "%lld", (long long)p[i].i);
			vals[i] = num[i];
			break;
		case KT_DBT_REAL:
			types[i] = OID_FLOAT8;
			snprintf(num[i], sizeof(num[i]), "%.17g", p[i].d);
			vals[i] = num[i];
			break;
		case KT_DBT_TEXT:
			types[i] = OID_TEXT;
			vals[i] = p[i].s;
			break;
		case KT_DBT_BLOB:
			types[i] = OID_BYTEA;
			vals[i] = p[i].b ? p[i].b : "";
			lens[i] = (int)p[i].n;
			fmts[i] = 1;
			break;
		default:
			types[i] = 0;	/* unknown: inferred from the context */
			vals[i] = NULL;
			break;
		}
	}
	res = PQexecParams(d->c, sql, n, types, vals, lens, fmts, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK) {
		int rc = kt_error(db->ctx, KT_EDB, "postgresql: %s", PQresultErrorMessage(res));

		PQclear(res);
		return rc;
	}
	q = kt_calloc(1, sizeof(*q));
	q->head.db = db;
	q->res = res;
	q->row = -1;
	q->nrows = PQntuples(res);
	*ret = (struct kt_dbq *)q;
	return 0;
}

static bool
p_next(struct kt_dbq *qq)
{
	struct pq *q = (struct pq *)qq;

	if (q->blob) {
		PQfreemem(q->blob);
		q->blob = NULL;
	}
	if (q->row + 1 >= q->nrows)
		return false;
	q->row++;
	return true;
}

static int
p_end(struct kt_dbq *qq)
{
	struct pq *q = (struct pq *)qq;

	if (q->blob)
		PQfreemem(q->blob);
	PQclear(q->res);
	free(q);
	return 0;
}

static int
p_exec(struct kt_db *db, const char *sql, const struct kt_dbv *p, int n)
{
	struct kt_dbq *q;
	int rc;

	if (n < 0) {
		struct pdb *d = (struct pdb *)db;
		PGresult *res = PQexec(d->c, sql);

		rc = 0;
		if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
			rc = kt_error(db->ctx, KT_EDB, "postgresql: %s", PQresultErrorMessage(res));
		PQclear(res);
		return rc;
	}
	rc = p_query(db, sql, p, n, &q);
	if (rc)
		return rc;
	return p_end(q);
}

static bool
p_null(struct kt_dbq *qq, int c)
{
	struct pq *q = (struct pq *)qq;

	return PQgetisnull(q->res, q->row, c);
}

static int64_t
p_int(struct kt_dbq *qq, int c)
{
	struct pq *q = (struct pq *)qq;

	return strtoll(PQgetvalue(q->res, q->row, c), NULL, 10);
}

static double
p_real(struct kt_dbq *qq, int c)
{
	struct pq *q = (struct pq *)qq;

	return strtod(PQgetvalue(q->res, q->row, c), NULL);
}

static const char *
p_text(struct kt_dbq *qq, int c)
{
	struct pq *q = (struct pq *)qq;

	if (PQgetisnull(q->res, q->row, c))
		return NULL;
	return PQgetvalue(q->res, q->row, c);
}

static const void *
p_blob(struct kt_dbq *qq, int c, size_t *len)
{
	struct pq *q = (struct pq *)qq;

	*len = 0;
	if (PQgetisnull(q->res, q->row, c))
		return NULL;
	if (q->blob)
		PQfreemem(q->blob);
	q->blob = PQunescapeBytea((const unsigned char *)PQgetvalue(q->res, q->row, c), len);
	return q->blob;
}

static int
p_begin(struct kt_db *db)
{
	return p_exec(db, "BEGIN", NULL, 0);
}

static int
p_lock(struct kt_db *db, int64_t key)
{
	struct kt_dbv v = KT_DBV_INT(key);

	return p_exec(db, "SELECT pg_advisory_xact_lock($1)", &v, 1);
}

static void
p_close(struct kt_db *db)
{
	struct pdb *d = (struct pdb *)db;

	PQfinish(d->c);
	free(d);
}

static const struct kt_db_ops pg_ops = {
	.exec = p_exec, .query = p_query, .next = p_next, .is_null = p_null,
	.col_int = p_int, .col_real = p_real, .col_text = p_text, .col_blob = p_blob,
	.end = p_end, .begin = p_begin, .lock = p_lock, .close = p_close,
};

int
kt_db_pg_open(struct kt_ctx *ctx, const char *conninfo, struct kt_db **ret)
{
	struct pdb *d = kt_calloc(1, sizeof(*d));
	int rc;

	d->base.ops = &pg_ops;
	d->base.ctx = ctx;
	d->base.backend = KT_STORE_POSTGRESQL;
	d->c = PQconnectdb(conninfo);
	if (!d->c || PQstatus(d->c) != CONNECTION_OK) {
		rc = kt_error(ctx, KT_EDB, "postgresql: connecting: %s",
			      d->c ? PQerrorMessage(d->c) : "out of memory");
		p_close(&d->base);
		return rc;
	}
	rc = p_exec(&d->base, "SET client_min_messages = warning", NULL, 0);
	if (rc) {
		p_close(&d->base);
		return rc;
	}
	*ret = &d->base;
	return 0;
}
