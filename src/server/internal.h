/*
 * server: what the request plumbing (server.c), the JSON API (api.c) and
 * the pages (pages.c) share. A handler gets the request and a store handle
 * (one per running request, from the server's pool) and fills a `struct
 * resp`; server.c turns that into an HTTP response with the security
 * headers and logs it.
 */
#ifndef KT_SERVER_INTERNAL_H
#define KT_SERVER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <microhttpd.h>

#include <ktriage/server.h>
#include <ktriage/store.h>
#include <ktriage/store_fleet.h>
#include <ktriage/analyze.h>
#include <ktriage/diagnose.h>

#include "util/str.h"

#define KT_SRV_MAX_NAME 255	/* host, pool, source header values */

struct kt_server;

struct resp {
	int status;
	const char *ctype;	/* static string */
	char *body;		/* malloc'd; owned by resp */
	size_t len;
	char *disposition;	/* Content-Disposition for downloads, malloc'd or NULL */
};

/* One request. `body_fd` is the spooled body (unlinked temp file) of a POST. */
struct req {
	struct kt_server *srv;
	struct MHD_Connection *conn;
	const char *method;
	const char *url;
	int route;
	int body_fd;
	uint64_t body_len;
	uint64_t discarded;
	uint64_t spooled;	/* bytes of this body counted in the server's spool total */
	bool too_big;
	bool overloaded;	/* the server's spool total is full: 503 */
	bool answered;
	int status;
	size_t bytes_out;
	double t0;
	char client[64];
	struct kt_ctx *sctx;		/* the store handle's ctx (its error messages) */
	struct kt_analyzer **an;	/* the handle's analyzer, made on first use */
};

/* Query argument or request header (borrowed, valid during the request). */
const char *kt_srv_arg(const struct req *q, const char *name);
const char *kt_srv_header(const struct req *q, const char *name);
/* True when the caller asked for JSON (?format=json). */
bool kt_srv_want_json(const struct req *q);

/* Fill r with a JSON body (steals j) / an HTML body (steals the buffer) /
 * a JSON error {"error": {"status", "message"}}. */
void kt_srv_json(struct resp *r, int status, json_t *j);
void kt_srv_html(struct resp *r, int status, struct kt_buf *b);
void kt_srv_error(struct resp *r, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* An error for a page: HTML unless ?format=json or an /api/ path. */
void kt_page_error(const struct req *q, struct resp *r, int status, const char *msg);
/* Map a store error code to an HTTP status (KT_ENOTFOUND 404, KT_EINVAL /
 * KT_EFORMAT 400, KT_EDB and others 503). */
int kt_srv_status_of(int code);

/* A name from a path or header: 1..KT_SRV_MAX_NAME bytes of printable
 * ASCII or UTF-8 without '/', '\\' or control bytes. */
bool kt_srv_name_ok(const char *s);
/* A positive decimal id, all of s. */
bool kt_srv_parse_id(const char *s, int64_t *ret);

/* api.c: bodies are in q->body_fd (q->body_len bytes). */
void kt_api_upload(struct req *q, struct kt_store *st, struct resp *r);
void kt_api_facts(struct req *q, struct kt_store *st, struct resp *r);
void kt_api_heartbeat(struct req *q, struct kt_store *st, struct resp *r);
void kt_api_issues(struct req *q, struct kt_store *st, struct resp *r);
void kt_api_issue(struct req *q, struct kt_store *st, int64_t id, struct resp *r);

/* sha256.c: SHA-256 of `len` bytes as 64 lower-case hex digits + NUL. */
void kt_srv_sha256_hex(const void *data, size_t len, char hex[65]);

/* pages.c */
void kt_page_index(struct req *q, struct kt_store *st, struct resp *r);
void kt_page_issue(struct req *q, struct kt_store *st, int64_t id, struct resp *r);
void kt_page_crash(struct req *q, struct kt_store *st, int64_t id, struct resp *r);
void kt_page_crash_raw(struct req *q, struct kt_store *st, int64_t id, struct resp *r);
void kt_page_upload_raw(struct req *q, struct kt_store *st, int64_t id, struct resp *r);
void kt_page_host(struct req *q, struct kt_store *st, const char *name, struct resp *r);
void kt_page_pool(struct req *q, struct kt_store *st, const char *name, struct resp *r);
void kt_page_not_found(struct req *q, struct resp *r);

/* The issue list's JSON (also used by the index page): the store's list
 * with `url` and the 24 h / 7 d / 30 d counts and 30 daily counts added. */
int kt_srv_issue_list(struct req *q, struct kt_store *st, json_t **ret);

/* Filters from the query string into f (strings borrowed from the
 * request). Returns false (and fills r with 400) on a bad value. */
bool kt_srv_filter(struct req *q, struct kt_store_filter *f, struct resp *r);

/* Map an ISO-8601 UTC time "YYYY-MM-DDTHH:MM:SSZ" to seconds since the
 * epoch; -1 if not in that form. */
int64_t kt_srv_parse_time(const char *s);

/* Temp directory for re-rendering crashes; the knowledge base (read-only,
 * shared by all threads) for the issue list's remedies. */
const char *kt_srv_tmpdir(const struct kt_server *s);
const struct kt_ruleset *kt_srv_rules(const struct kt_server *s);

#endif
