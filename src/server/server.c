/*
 * server: the HTTP plumbing of `ktriage serve` on GNU libmicrohttpd
 * (https://www.gnu.org/software/libmicrohttpd/manual/libmicrohttpd.html):
 * a thread pool, limits on connections, header memory and body size, bearer
 * token checks (tokens kept as SHA-256 hashes), a per-host token-bucket
 * rate limit, routing, and one log line per request.
 *
 * Request bodies are never held in memory: each chunk libmicrohttpd hands
 * over is appended to an unlinked temp file, which the handler maps when
 * the body is complete. Store handles come from a small pool, one per
 * running request (a kt_store is used by one thread at a time).
 */
#include <ktriage/server.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server/internal.h"

#define DEFAULT_LISTEN "127.0.0.1:8474"
#define DEFAULT_MAX_BODY (256ull << 20)
#define DEFAULT_THREADS 4
#define DEFAULT_CONNECTIONS 256
#define DEFAULT_RATE 600
#define DEFAULT_BURST 120
#define HEADER_MEMORY (64 * 1024)	/* per-connection memory: request line + headers */
#define CONNECTION_TIMEOUT 60		/* seconds of silence before a connection is closed */
#define MAX_TOKENS 1024
#define RATE_SLOTS 4096			/* rate-limit table size (bounded memory) */
#define DISCARD_SLACK (1ull << 20)	/* body bytes read past the limit before hanging up */
#define SPOOL_BODIES 4			/* bodies of --max-body spooled at once, at most */
#define SPOOL_MIN (1ull << 30)		/* ... but allow 1 GiB in flight whatever --max-body */

enum route {
	R_NONE,
	R_UPLOAD,
	R_FACTS,
	R_HEARTBEAT,
};

struct store_slot {
	struct kt_ctx *ctx;
	struct kt_store *st;
	struct kt_analyzer *an;
};

struct rate_slot {
	char key[64];
	double tokens;
	double at;
};

struct kt_server {
	struct kt_ctx *ctx;
	struct MHD_Daemon *d;
	char *db_url;
	char *tmpdir;
	uint64_t max_body;
	unsigned port;
	kt_server_log_fn log;
	void *log_ud;

	pthread_mutex_t lock;	/* guards the store pool and the rate table */
	struct store_slot *free_slots;
	size_t n_free, cap_free;

	uint64_t spooled;	/* body bytes on disk for running requests (atomic) */
	uint64_t spool_limit;

	char (*tokens)[65];	/* SHA-256 hex of each accepted token */
	size_t n_tokens;
	bool have_token_file;

	double rate_per_sec, rate_burst;
	struct rate_slot *rates;
	struct kt_ruleset *rules;
};

/* ---- small helpers -------------------------------------------------------- */

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

const char *
kt_srv_tmpdir(const struct kt_server *s)
{
	return s->tmpdir;
}

const struct kt_ruleset *
kt_srv_rules(const struct kt_server *s)
{
	return s->rules;
}

const char *
kt_srv_arg(const struct req *q, const char *name)
{
	return MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *
kt_srv_header(const struct req *q, const char *name)
{
	return MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, name);
}

bool
kt_srv_want_json(const struct req *q)
{
	const char *f = kt_srv_arg(q, "format");

	return f && !strcmp(f, "json");
}

bool
kt_srv_name_ok(const char *s)
{
	size_t n;

	if (!s || !*s)
		return false;
	n = strlen(s);
	if (n > KT_SRV_MAX_NAME || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '/' || c == '\\')
			return false;
		if (c >= 0x80) {
			size_t l = kt_utf8_len((const unsigned char *)s + i, n - i);

			if (!l)
				return false;
			i += l - 1;
		}
	}
	return true;
}

bool
kt_srv_parse_id(const char *s, int64_t *ret)
{
	int64_t v = 0;

	if (!s || !*s || strlen(s) > 18)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (*p - '0');
	}
	if (v <= 0)
		return false;
	*ret = v;
	return true;
}

int
kt_srv_status_of(int code)
{
	switch (code) {
	case KT_ENOTFOUND: return 404;
	case KT_EINVAL:
	case KT_EFORMAT: return 400;
	default: return 503;
	}
}

void
kt_srv_json(struct resp *r, int status, json_t *j)
{
	r->status = status;
	r->ctype = "application/json";
	r->body = j ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	if (!r->body)
		r->body = strdup("null");
	r->len = strlen(r->body);
	json_decref(j);
}

void
kt_srv_html(struct resp *r, int status, struct kt_buf *b)
{
	r->status = status;
	r->ctype = "text/html; charset=utf-8";
	r->body = b->p;
	r->len = b->len;
	b->p = NULL;
	b->len = b->cap = 0;
}

static const char *
reason(int status)
{
	switch (status) {
	case 400: return "bad request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not found";
	case 405: return "method not allowed";
	case 413: return "payload too large";
	case 415: return "unsupported media type";
	case 429: return "too many requests";
	case 500: return "internal error";
	case 503: return "store unavailable";
	default: return "error";
	}
}

void
kt_srv_error(struct resp *r, int status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kt_srv_json(r, status, json_pack("{s:{s:i,s:s,s:s}}", "error", "status", status,
					 "reason", reason(status), "message", msg));
}

/* ---- store pool ----------------------------------------------------------- */

static int
store_get(struct kt_server *s, struct store_slot *ret)
{
	struct store_slot slot = { 0 };
	int rc;

	pthread_mutex_lock(&s->lock);
	if (s->n_free) {
		*ret = s->free_slots[--s->n_free];
		pthread_mutex_unlock(&s->lock);
		return 0;
	}
	pthread_mutex_unlock(&s->lock);
	slot.ctx = kt_ctx_new();
	rc = kt_store_open(slot.ctx, s->db_url, NULL, &slot.st);
	if (rc) {
		kt_ctx_free(slot.ctx);
		return rc;
	}
	*ret = slot;
	return 0;
}

/* Give a handle back; one that failed with a database error is closed so
 * that the next request reconnects (a restarted PostgreSQL). */
static void
store_put(struct kt_server *s, struct store_slot *slot, bool broken)
{
	if (!broken) {
		pthread_mutex_lock(&s->lock);
		if (s->n_free == s->cap_free) {
			size_t cap = s->cap_free ? 2 * s->cap_free : 8;
			struct store_slot *v = realloc(s->free_slots, cap * sizeof(*v));

			if (v) {
				s->free_slots = v;
				s->cap_free = cap;
			}
		}
		if (s->n_free < s->cap_free) {
			s->free_slots[s->n_free++] = *slot;
			pthread_mutex_unlock(&s->lock);
			return;
		}
		pthread_mutex_unlock(&s->lock);
	}
	kt_analyzer_free(slot->an);
	kt_store_close(slot->st);
	kt_ctx_free(slot->ctx);
}

/* ---- auth and rate limit -------------------------------------------------- */

static bool
is_loopback(const struct sockaddr *sa)
{
	if (!sa)
		return false;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		const uint8_t *a = in6->sin6_addr.s6_addr;

		if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return true;
		return IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && a[12] == 127;
	}
	return false;
}

/* Constant-time over the candidate list: every stored hash is compared in
 * full, so timing tells nothing about which bytes matched. */
static bool
token_ok(const struct kt_server *s, const char *auth)
{
	char h[65];
	unsigned ok = 0;

	if (!auth || strncasecmp(auth, "Bearer ", 7))
		return false;
	auth += 7;
	while (*auth == ' ')
		auth++;
	if (!*auth || strlen(auth) > 4096)
		return false;
	kt_srv_sha256_hex(auth, strlen(auth), h);
	for (size_t i = 0; i < s->n_tokens; i++) {
		unsigned diff = 0;

		for (size_t k = 0; k < 64; k++)
			diff |= (unsigned)(h[k] ^ s->tokens[i][k]);
		ok |= diff == 0;
	}
	return ok != 0;
}

/* Token bucket per key, in a fixed table (a key hashes to one slot; a
 * colliding key takes the slot over with a full bucket: memory stays
 * bounded whatever hosts claim to be). */
static bool
rate_ok(struct kt_server *s, const char *key)
{
	uint64_t h = 1469598103934665603ull;
	struct rate_slot *r;
	double t = now_sec();
	bool ok;

	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	pthread_mutex_lock(&s->lock);
	r = &s->rates[h % RATE_SLOTS];
	if (strncmp(r->key, key, sizeof(r->key) - 1)) {
		snprintf(r->key, sizeof(r->key), "%s", key);
		r->tokens = s->rate_burst;
		r->at = t;
	}
	r->tokens += (t - r->at) * s->rate_per_sec;
	if (r->tokens > s->rate_burst)
		r->tokens = s->rate_burst;
	r->at = t;
	ok = r->tokens >= 1.0;
	if (ok)
		r->tokens -= 1.0;
	pthread_mutex_unlock(&s->lock);
	return ok;
}

static int
load_tokens(struct kt_server *s, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4200];
	unsigned lineno = 0;

	if (!f)
		return kt_error(s->ctx, KT_EIO, "token file '%s': %s", path, strerror(errno));
	s->tokens = calloc(MAX_TOKENS, sizeof(*s->tokens));
	if (!s->tokens) {
		fclose(f);
		return kt_error(s->ctx, KT_ENOMEM, "out of memory");
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *e;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strlen(p);
		while (e > p && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (!*p || *p == '#')
			continue;
		if (s->n_tokens == MAX_TOKENS) {
			fclose(f);
			return kt_error(s->ctx, KT_EINVAL, "token file '%s': more than %d tokens",
					path, MAX_TOKENS);
		}
		if (!strncmp(p, "sha256:", 7)) {
			p += 7;
			if (strlen(p) != 64 || strspn(p, "0123456789abcdefABCDEF") != 64) {
				fclose(f);
				return kt_error(s->ctx, KT_EINVAL, "token file '%s' line %u: sha256: "
						"takes 64 hex digits", path, lineno);
			}
			for (int i = 0; i < 64; i++)
				s->tokens[s->n_tokens][i] = (char)(p[i] | 0x20);
			s->tokens[s->n_tokens][64] = '\0';
		} else {
			kt_srv_sha256_hex(p, strlen(p), s->tokens[s->n_tokens]);
		}
		s->n_tokens++;
		memset(line, 0, sizeof(line));	/* no plain token left behind */
	}
	fclose(f);
	if (!s->n_tokens)
		return kt_error(s->ctx, KT_EINVAL, "token file '%s' holds no token", path);
	return 0;
}

/* ---- responses ------------------------------------------------------------ */

static enum MHD_Result
send_resp(struct req *q, struct resp *r)
{
	struct MHD_Response *m;
	enum MHD_Result ret;

	if (!r->body) {
		r->body = strdup("");
		r->len = 0;
	}
	m = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
	if (!m) {
		free(r->body);
		free(r->disposition);
		return MHD_NO;
	}
	MHD_add_response_header(m, "Content-Type", r->ctype ? r->ctype : "text/plain");
	MHD_add_response_header(m, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(m, "X-Frame-Options", "DENY");
	MHD_add_response_header(m, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(m, "Cache-Control", "no-store");
	MHD_add_response_header(m, "Content-Security-Policy",
				"default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
				"form-action 'self'; frame-ancestors 'none'");
	if (r->disposition)
		MHD_add_response_header(m, "Content-Disposition", r->disposition);
	if (r->status == 429 || r->status == 503)
		MHD_add_response_header(m, "Retry-After", "1");
	if (r->status == 401)
		MHD_add_response_header(m, "WWW-Authenticate", "Bearer realm=\"ktriage\"");
	ret = MHD_queue_response(q->conn, (unsigned)r->status, m);
	q->status = r->status;
	q->bytes_out = r->len;
	q->answered = true;
	MHD_destroy_response(m);
	free(r->disposition);
	return ret;
}

/* ---- routing -------------------------------------------------------------- */

static bool
split_prefix(const char *url, const char *prefix, const char **rest)
{
	size_t n = strlen(prefix);

	if (strncmp(url, prefix, n) || !url[n])
		return false;
	*rest = url + n;
	return true;
}

static void
route_get(struct req *q, struct kt_store *st, struct resp *r)
{
	const char *url = q->url, *rest;
	int64_t id;

	if (!strcmp(url, "/")) {
		kt_page_index(q, st, r);
	} else if (!strcmp(url, "/api/v1/issues")) {
		kt_api_issues(q, st, r);
	} else if (split_prefix(url, "/api/v1/issues/", &rest)) {
		if (kt_srv_parse_id(rest, &id))
			kt_api_issue(q, st, id, r);
		else
			kt_srv_error(r, 404, "no such issue");
	} else if (split_prefix(url, "/issues/", &rest) && kt_srv_parse_id(rest, &id)) {
		kt_page_issue(q, st, id, r);
	} else if (split_prefix(url, "/crashes/", &rest)) {
		char num[24];
		size_t n = strcspn(rest, "/");

		if (n >= sizeof(num)) {
			kt_page_not_found(q, r);
			return;
		}
		memcpy(num, rest, n);
		num[n] = '\0';
		if (!kt_srv_parse_id(num, &id))
			kt_page_not_found(q, r);
		else if (!rest[n])
			kt_page_crash(q, st, id, r);
		else if (!strcmp(rest + n, "/raw"))
			kt_page_crash_raw(q, st, id, r);
		else
			kt_page_not_found(q, r);
	} else if (split_prefix(url, "/uploads/", &rest)) {
		char num[24];
		size_t n = strcspn(rest, "/");

		if (n < sizeof(num) && !strcmp(rest + n, "/raw")) {
			memcpy(num, rest, n);
			num[n] = '\0';
			if (kt_srv_parse_id(num, &id)) {
				kt_page_upload_raw(q, st, id, r);
				return;
			}
		}
		kt_page_not_found(q, r);
	} else if (split_prefix(url, "/hosts/", &rest) && kt_srv_name_ok(rest)) {
		kt_page_host(q, st, rest, r);
	} else if (split_prefix(url, "/pools/", &rest) && kt_srv_name_ok(rest)) {
		kt_page_pool(q, st, rest, r);
	} else {
		kt_page_not_found(q, r);
	}
}

static enum route
post_route(const char *url)
{
	if (!strcmp(url, "/api/v1/uploads"))
		return R_UPLOAD;
	if (!strcmp(url, "/api/v1/facts"))
		return R_FACTS;
	if (!strcmp(url, "/api/v1/heartbeat"))
		return R_HEARTBEAT;
	return R_NONE;
}

static bool
ctype_ok(enum route rt, const char *ct)
{
	static const char *const raw[] = {
		"application/octet-stream", "text/plain", "application/gzip",
		"application/x-gzip", "application/x-tar", "application/x-xz",
		"application/zstd", "application/x-bzip2", "application/x-compressed-tar",
	};
	size_t n;

	if (!ct || !*ct)
		return true;
	n = strcspn(ct, "; \t");
	if (rt != R_UPLOAD)
		return n == 16 && !strncasecmp(ct, "application/json", n);
	for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++)
		if (strlen(raw[i]) == n && !strncasecmp(ct, raw[i], n))
			return true;
	return false;
}

/* First call of a POST: everything that can be refused before the body. */
static bool
post_admit(struct req *q, enum route rt, struct resp *r)
{
	struct kt_server *s = q->srv;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(q->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const char *len = kt_srv_header(q, "Content-Length");
	const char *host = kt_srv_header(q, "X-Ktriage-Host");
	char tmpl[4096];

	if (rt == R_NONE) {
		kt_srv_error(r, 404, "no such endpoint");
		return false;
	}
	if (s->have_token_file) {
		if (!token_ok(s, kt_srv_header(q, "Authorization"))) {
			kt_srv_error(r, 401, "missing or unknown bearer token");
			return false;
		}
	} else if (!is_loopback(ci ? ci->client_addr : NULL)) {
		kt_srv_error(r, 401, "this server takes uploads from loopback only "
			     "(it runs without --token-file)");
		return false;
	}
	if (host && !kt_srv_name_ok(host)) {
		kt_srv_error(r, 400, "bad X-Ktriage-Host header");
		return false;
	}
	if (!ctype_ok(rt, kt_srv_header(q, "Content-Type"))) {
		kt_srv_error(r, 415, "unsupported Content-Type for this endpoint");
		return false;
	}
	if (len && strtoull(len, NULL, 10) > s->max_body) {
		kt_srv_error(r, 413, "body over the limit of %llu bytes",
			     (unsigned long long)s->max_body);
		return false;
	}
	if (!rate_ok(s, host ? host : q->client)) {
		kt_srv_error(r, 429, "rate limit for this host; retry later");
		return false;
	}
	snprintf(tmpl, sizeof(tmpl), "%s/ktriage-body-XXXXXX", s->tmpdir);
	q->body_fd = mkstemp(tmpl);
	if (q->body_fd < 0) {
		kt_srv_error(r, 503, "cannot spool the request body");
		return false;
	}
	(void)unlink(tmpl);
	return true;
}

static bool
spool(struct req *q, const char *data, size_t n)
{
	struct kt_server *s = q->srv;

	if (!q->too_big && !q->overloaded && q->body_len + n <= s->max_body &&
	    __atomic_add_fetch(&s->spooled, n, __ATOMIC_RELAXED) > s->spool_limit) {
		/* the temp directory holds enough bodies already: 503 */
		__atomic_sub_fetch(&s->spooled, n, __ATOMIC_RELAXED);
		q->overloaded = true;
	} else if (!q->too_big && !q->overloaded && q->body_len + n <= s->max_body) {
		q->spooled += n;
	}
	if (q->too_big || q->overloaded || q->body_len + n > s->max_body) {
		q->too_big = !q->overloaded;
		q->discarded += n;
		return q->discarded <= DISCARD_SLACK + s->max_body;
	}
	while (n) {
		ssize_t w = write(q->body_fd, data, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		data += w;
		n -= (size_t)w;
		q->body_len += (uint64_t)w;
	}
	return true;
}

static void
post_finish(struct req *q, struct kt_store *st, struct resp *r)
{
	if (q->overloaded) {
		kt_srv_error(r, 503, "too many request bodies in flight; retry later");
		return;
	}
	if (q->too_big) {
		kt_srv_error(r, 413, "body over the limit of %llu bytes",
			     (unsigned long long)q->srv->max_body);
		return;
	}
	if (!q->body_len) {
		kt_srv_error(r, 400, "empty body");
		return;
	}
	switch (q->route) {
	case R_UPLOAD: kt_api_upload(q, st, r); break;
	case R_FACTS: kt_api_facts(q, st, r); break;
	case R_HEARTBEAT: kt_api_heartbeat(q, st, r); break;
	default: kt_srv_error(r, 404, "no such endpoint"); break;
	}
}

/* Run a handler with a store handle; 503 when the store cannot be had. */
static void
with_store(struct req *q, struct resp *r, bool post)
{
	struct store_slot slot;
	int rc = store_get(q->srv, &slot);

	if (rc) {
		if (post)
			kt_srv_error(r, 503, "store unavailable");
		else
			kt_page_error(q, r, 503, "The crash store is unavailable");
		return;
	}
	q->sctx = slot.ctx;
	q->an = &slot.an;
	if (post)
		post_finish(q, slot.st, r);
	else
		route_get(q, slot.st, r);
	q->an = NULL;
	store_put(q->srv, &slot, r->status == 503);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	   const char *version, const char *upload_data, size_t *upload_data_size,
	   void **con_cls)
{
	struct kt_server *s = cls;
	struct req *q = *con_cls;
	struct resp r = { 0 };

	if (!q) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

		q = calloc(1, sizeof(*q));
		if (!q)
			return MHD_NO;
		q->srv = s;
		q->conn = conn;
		q->method = method;
		q->url = url;
		q->body_fd = -1;
		q->t0 = now_sec();
		if (ci && ci->client_addr) {
			const struct sockaddr *sa = ci->client_addr;

			if (sa->sa_family == AF_INET)
				inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
					  q->client, sizeof(q->client));
			else if (sa->sa_family == AF_INET6)
				inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
					  q->client, sizeof(q->client));
		}
		if (!q->client[0])
			snprintf(q->client, sizeof(q->client), "-");
		*con_cls = q;
		if (!strcmp(method, "POST")) {
			q->route = post_route(url);
			if (!post_admit(q, q->route, &r))
				return send_resp(q, &r);
			return MHD_YES;
		}
		if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
			kt_srv_error(&r, 405, "method not allowed");
			return send_resp(q, &r);
		}
	}
	q->conn = conn;
	if (!strcmp(method, "POST")) {
		if (*upload_data_size) {
			size_t n = *upload_data_size;

			*upload_data_size = 0;
			return spool(q, upload_data, n) ? MHD_YES : MHD_NO;
		}
		if (q->answered)
			return MHD_YES;
		with_store(q, &r, true);
		return send_resp(q, &r);
	}
	if (*upload_data_size) {	/* a body on a GET: ignored */
		*upload_data_size = 0;
		return MHD_YES;
	}
	with_store(q, &r, false);
	return send_resp(q, &r);
}

/* Log text: printable ASCII only (the URL is the client's). */
static void
clean(char *dst, size_t cap, const char *src)
{
	size_t i = 0;

	for (; src && *src && i + 1 < cap; src++)
		dst[i++] = (*src > 0x20 && *src < 0x7f && *src != '"') ? *src : '?';
	dst[i] = '\0';
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
	     enum MHD_RequestTerminationCode toe)
{
	struct kt_server *s = cls;
	struct req *q = *con_cls;
	char url[256], method[16], line[512];

	(void)conn;
	if (!q)
		return;
	if (s->log) {
		clean(url, sizeof(url), q->url);
		clean(method, sizeof(method), q->method);
		snprintf(line, sizeof(line), "%s \"%s %s\" %d %llu %zu %.1fms%s", q->client, method,
			 url, q->answered ? q->status : 0, (unsigned long long)q->body_len,
			 q->bytes_out, (now_sec() - q->t0) * 1e3,
			 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
		s->log(s->log_ud, line);
	}
	if (q->body_fd >= 0)
		close(q->body_fd);
	if (q->spooled)
		__atomic_sub_fetch(&s->spooled, q->spooled, __ATOMIC_RELAXED);
	free(q);
	*con_cls = NULL;
}

/* ---- lifecycle ------------------------------------------------------------ */

/* Imports cut short by a crash or kill of an earlier run: their bytes were
 * committed first (kt_store_raw_stash()); import them now, before serving.
 * Bounded: at most RECOVER_MAX records per start. */
#define RECOVER_MAX 10000
static void
recover(struct kt_server *s, struct store_slot *slot)
{
	size_t done = 0, failed = 0;
	char line[160];

	while (done + failed < RECOVER_MAX) {
		json_t *list = NULL, *it;
		size_t i;

		if (kt_store_raw_pending(slot->st, 100, &list) || !json_array_size(list)) {
			json_decref(list);
			break;
		}
		json_array_foreach(list, i, it) {
			struct kt_upload_meta m = {
				.name = json_string_value(json_object_get(it, "name")),
				.host = json_string_value(json_object_get(it, "host")),
				.pool = json_string_value(json_object_get(it, "pool")),
				.source = json_string_value(json_object_get(it, "source")),
				.received_at = json_string_value(json_object_get(it, "received_at")),
			};
			int64_t id = json_integer_value(json_object_get(it, "id"));
			void *bytes = NULL;
			size_t len = 0;
			json_t *res = NULL;
			int rc = kt_store_blob(slot->st, json_string_value(json_object_get(it, "sha256")),
					       &bytes, &len);

			if (!rc)
				rc = kt_store_import(slot->st, &m, bytes, len, &res);
			free(bytes);
			json_decref(res);
			(void)kt_store_raw_done(slot->st, id, rc ? kt_ctx_errmsg(slot->ctx) : NULL);
			if (rc)
				failed++;
			else
				done++;
		}
		json_decref(list);
	}
	if ((done || failed) && s->log) {
		snprintf(line, sizeof(line), "recovered %zu interrupted upload(s), %zu failed again "
			 "(kept with their error)", done, failed);
		s->log(s->log_ud, line);
	}
}

static int
parse_listen(struct kt_ctx *ctx, const char *listen, struct sockaddr_storage *ss)
{
	char host[128];
	const char *colon, *port_s;
	char *end;
	long port;

	if (listen[0] == '[') {
		const char *rb = strchr(listen, ']');

		if (!rb || rb[1] != ':' || (size_t)(rb - listen - 1) >= sizeof(host))
			return kt_error(ctx, KT_EINVAL, "--listen '%s': expected [ADDR]:PORT", listen);
		memcpy(host, listen + 1, (size_t)(rb - listen - 1));
		host[rb - listen - 1] = '\0';
		port_s = rb + 2;
	} else {
		colon = strrchr(listen, ':');
		if (!colon || (size_t)(colon - listen) >= sizeof(host))
			return kt_error(ctx, KT_EINVAL, "--listen '%s': expected ADDR:PORT", listen);
		memcpy(host, listen, (size_t)(colon - listen));
		host[colon - listen] = '\0';
		port_s = colon + 1;
	}
	errno = 0;
	port = strtol(port_s, &end, 10);
	if (!*port_s || *end || port < 0 || port > 65535)
		return kt_error(ctx, KT_EINVAL, "--listen '%s': bad port", listen);
	memset(ss, 0, sizeof(*ss));
	if (!host[0] || !strcmp(host, "*"))
		snprintf(host, sizeof(host), "0.0.0.0");
	if (strchr(host, ':')) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
			return kt_error(ctx, KT_EINVAL, "--listen '%s': bad IPv6 address", listen);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
			return kt_error(ctx, KT_EINVAL, "--listen '%s': bad IPv4 address "
					"(names are not resolved)", listen);
	}
	return 0;
}

int
kt_server_start(struct kt_ctx *ctx, const struct kt_server_opts *o, struct kt_server **ret)
{
	struct kt_server *s;
	struct sockaddr_storage ss;
	struct store_slot probe;
	const union MHD_DaemonInfo *di;
	const char *tmp;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC;
	int rc;

	if (!o || !o->db_url)
		return kt_error(ctx, KT_EINVAL, "no store URL");
	rc = parse_listen(ctx, o->listen ? o->listen : DEFAULT_LISTEN, &ss);
	if (rc)
		return rc;
	s = calloc(1, sizeof(*s));
	if (!s)
		return kt_error(ctx, KT_ENOMEM, "out of memory");
	s->ctx = ctx;
	pthread_mutex_init(&s->lock, NULL);
	s->db_url = strdup(o->db_url);
	tmp = o->tmpdir ? o->tmpdir : getenv("TMPDIR");
	s->tmpdir = strdup(tmp && *tmp ? tmp : "/tmp");
	s->max_body = o->max_body ? o->max_body : DEFAULT_MAX_BODY;
	s->spool_limit = s->max_body > SPOOL_MIN / SPOOL_BODIES ? s->max_body * SPOOL_BODIES
								 : SPOOL_MIN;
	s->rate_per_sec = (o->rate_per_minute ? o->rate_per_minute : DEFAULT_RATE) / 60.0;
	s->rate_burst = o->rate_burst ? o->rate_burst : DEFAULT_BURST;
	s->rates = calloc(RATE_SLOTS, sizeof(*s->rates));
	s->log = o->log;
	s->log_ud = o->log_ud;
	if (!s->db_url || !s->tmpdir || !s->rates) {
		kt_server_free(s);
		return kt_error(ctx, KT_ENOMEM, "out of memory");
	}
	if (o->token_file) {
		s->have_token_file = true;
		rc = load_tokens(s, o->token_file);
		if (rc) {
			kt_server_free(s);
			return rc;
		}
	}
	/* Open one store handle now: a bad URL or a missing server is an
	 * error at start, not a 503 on the first request. */
	rc = store_get(s, &probe);
	if (rc) {
		rc = kt_error(ctx, KT_EDB, "store '%s': %s", o->db_url, kt_strerror(rc));
		kt_server_free(s);
		return rc;
	}
	recover(s, &probe);
	store_put(s, &probe, false);
	if (kt_ruleset_load_builtin(ctx, &s->rules))
		s->rules = NULL;	/* titles then show rule ids */
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				MHD_OPTION_THREAD_POOL_SIZE,
				(unsigned)(o->threads ? o->threads : DEFAULT_THREADS),
				MHD_OPTION_CONNECTION_LIMIT,
				(unsigned)(o->max_connections ? o->max_connections : DEFAULT_CONNECTIONS),
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HEADER_MEMORY,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				MHD_OPTION_END);
	if (!s->d) {
		rc = kt_error(ctx, KT_EIO, "cannot listen on %s: %s",
			      o->listen ? o->listen : DEFAULT_LISTEN, strerror(errno));
		kt_server_free(s);
		return rc;
	}
	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : 0;
	*ret = s;
	return 0;
}

unsigned
kt_server_port(const struct kt_server *s)
{
	return s->port;
}

void
kt_server_free(struct kt_server *s)
{
	if (!s)
		return;
	if (s->d)
		MHD_stop_daemon(s->d);
	for (size_t i = 0; i < s->n_free; i++) {
		kt_analyzer_free(s->free_slots[i].an);
		kt_store_close(s->free_slots[i].st);
		kt_ctx_free(s->free_slots[i].ctx);
	}
	free(s->free_slots);
	if (s->tokens)
		memset(s->tokens, 0, MAX_TOKENS * sizeof(*s->tokens));
	free(s->tokens);
	free(s->rates);
	kt_ruleset_free(s->rules);
	free(s->db_url);
	free(s->tmpdir);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
