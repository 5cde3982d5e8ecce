/*
 * server: the JSON API. Uploads are committed to the store (raw bytes
 * first, in the store's one transaction) before the answer is sent; the
 * answer for bytes seen before is the first answer, with status 200.
 * Shapes are in docs/server.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "server/internal.h"

/* X-Ktriage-Source values (how the bytes were collected on the host). */
static const char *const sources[] = {
	"kdump", "pstore", "journal", "kmsg", "crash-folder", "status-report", "file",
};

static bool
source_ok(const char *s)
{
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++)
		if (!strcmp(s, sources[i]))
			return true;
	return false;
}

/* The body, mapped read-only; NULL on failure. */
static void *
map_body(struct req *q)
{
	void *p;

	if (!q->body_len || q->body_fd < 0)
		return NULL;
	p = mmap(NULL, q->body_len, PROT_READ, MAP_PRIVATE, q->body_fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* A file name for the store's reader when the client gave none: the
 * archive kind from the magic bytes (gzip RFC 1952 §2.3.1: 1f 8b; bzip2:
 * "BZh"; xz: fd 37 7a 58 5a 00; zstd RFC 8878 §3.1.1: 28 b5 2f fd; POSIX
 * tar: "ustar" at offset 257). */
static const char *
guess_name(const unsigned char *p, size_t n, const char *source)
{
	bool archive = source && (!strcmp(source, "crash-folder") ||
				  !strcmp(source, "status-report"));

	if (n > 262 && !memcmp(p + 257, "ustar", 5))
		return "upload.tar";
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return archive ? "upload.tar.gz" : "upload.log.gz";
	if (n >= 3 && !memcmp(p, "BZh", 3))
		return archive ? "upload.tar.bz2" : "upload.log.bz2";
	if (n >= 6 && !memcmp(p, "\xfd" "7zXZ", 6))
		return archive ? "upload.tar.xz" : "upload.log.xz";
	if (n >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4))
		return archive ? "upload.tar.zst" : "upload.log.zst";
	return "upload.log";
}

static json_t *
issue_ref(json_t *issue)
{
	json_t *id = json_object_get(issue, "id");
	char url[48];

	if (!json_is_integer(id))
		return json_null();
	snprintf(url, sizeof(url), "/issues/%lld", (long long)json_integer_value(id));
	return json_pack("{s:O,s:O,s:s,s:O,s:O}", "id", id, "status",
			 json_object_get(issue, "status") ? json_object_get(issue, "status")
							  : json_null(),
			 "url", url,
			 "new", json_object_get(issue, "new") ? json_object_get(issue, "new")
							  : json_false(),
			 "regression", json_object_get(issue, "regression")
					       ? json_object_get(issue, "regression") : json_false());
}

/* Findings with their remedy: the import result names the rule and its
 * title; the remedy steps are the rule's, from the knowledge base. */
static json_t *
findings_of(struct req *q, json_t *crash)
{
	const struct kt_ruleset *rs = kt_srv_rules(q->srv);
	json_t *out = json_array(), *f;
	size_t i;

	json_array_foreach(json_object_get(crash, "findings"), i, f) {
		const char *rule = json_string_value(json_object_get(f, "rule"));
		struct kt_rule_info info;
		int k = rs && rule ? kt_ruleset_find(rs, rule) : KT_ENOTFOUND;
		json_t *steps = json_array();

		if (k >= 0 && !kt_ruleset_info(rs, (size_t)k, &info))
			for (size_t n = 0; n < info.n_remedy; n++)
				json_array_append_new(steps, json_string(info.remedy[n]));
		json_array_append_new(out, json_pack("{s:O,s:O,s:O,s:o}",
			"rule", json_object_get(f, "rule") ?: json_null(),
			"title", json_object_get(f, "title") ?: json_null(),
			"remedy", json_array_get(steps, 0) ?: json_null(),
			"remedy_steps", steps));
	}
	return out;
}

void
kt_api_upload(struct req *q, struct kt_store *st, struct resp *r)
{
	struct kt_upload_meta m = { 0 };
	const char *name = kt_srv_header(q, "X-Ktriage-Name");
	const char *src = kt_srv_header(q, "X-Ktriage-Source");
	const char *pool = kt_srv_header(q, "X-Ktriage-Pool");
	const char *kernel = kt_srv_header(q, "X-Ktriage-Kernel");
	json_t *res = NULL, *out, *crashes, *c;
	const char *status;
	char now[32];
	int64_t pending = 0;
	bool known = false;	/* same bytes from the same host and source before */
	void *body;
	size_t i;
	int rc;

	if (src && !source_ok(src)) {
		kt_srv_error(r, 400, "X-Ktriage-Source must be one of kdump, pstore, journal, "
			     "kmsg, crash-folder, status-report, file");
		return;
	}
	if ((name && !kt_srv_name_ok(name)) || (pool && !kt_srv_name_ok(pool)) ||
	    (kernel && !kt_srv_name_ok(kernel))) {
		kt_srv_error(r, 400, "bad X-Ktriage-Name, X-Ktriage-Pool or X-Ktriage-Kernel header");
		return;
	}
	body = map_body(q);
	if (!body) {
		kt_srv_error(r, 503, "cannot read the spooled body");
		return;
	}
	m.name = name ? name : guess_name(body, q->body_len, src);
	m.host = kt_srv_header(q, "X-Ktriage-Host");
	m.pool = pool;
	m.kernel = kernel;
	m.source = src ? src : "file";
	{
		time_t t = time(NULL);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
		m.received_at = now;
	}
	/* Raw first: the bytes are committed before they are analysed; an
	 * import cut short (crash, kill) is redone when the server starts. */
	if (!m.host || kt_store_upload_known(st, m.host, m.source, body, q->body_len, &known))
		known = false;
	rc = known ? 0 : kt_store_raw_stash(st, &m, body, q->body_len, &pending);
	if (rc) {
		munmap(body, q->body_len);
		kt_srv_error(r, kt_srv_status_of(rc), "upload not stored: %s", kt_ctx_errmsg(q->sctx));
		return;
	}
	rc = kt_store_import(st, &m, body, q->body_len, &res);
	munmap(body, q->body_len);
	if (!known)
		(void)kt_store_raw_done(st, pending, rc ? kt_ctx_errmsg(q->sctx) : NULL);
	if (rc) {
		kt_srv_error(r, kt_srv_status_of(rc), "the upload is stored but its import failed: %s",
			     kt_ctx_errmsg(q->sctx));
		return;
	}
	status = json_string_value(json_object_get(res, "status"));
	crashes = json_array();
	json_array_foreach(json_object_get(res, "crashes"), i, c) {
		json_array_append_new(crashes, json_pack("{s:O,s:O,s:O,s:O,s:O,s:o,s:o}",
			"id", json_object_get(c, "id"),
			"occurrence", json_object_get(c, "occurrence"),
			"title", json_object_get(c, "title") ? json_object_get(c, "title") : json_null(),
			"bucket", json_object_get(c, "bucket") ? json_object_get(c, "bucket") : json_null(),
			"kind", json_object_get(c, "kind") ? json_object_get(c, "kind") : json_null(),
			"issue", issue_ref(json_object_get(c, "issue")),
			"findings", findings_of(q, c)));
	}
	out = json_pack("{s:O,s:s,s:O,s:O,s:o}", "upload", json_object_get(res, "upload"),
			"status", status ? status : "new",
			"sha256", json_object_get(res, "sha256") ? json_object_get(res, "sha256") : json_null(),
			"host", json_object_get(res, "host") ? json_object_get(res, "host") : json_null(),
			"crashes", crashes);
	rc = status && !strcmp(status, "seen") ? 200 : 201;
	json_decref(res);
	kt_srv_json(r, rc, out);
}

/* The JSON body parsed (at most the body limit, already checked). */
static json_t *
body_json(struct req *q, struct resp *r)
{
	void *body = map_body(q);
	json_error_t err;
	json_t *j;

	if (!body) {
		kt_srv_error(r, 503, "cannot read the spooled body");
		return NULL;
	}
	j = json_loadb(body, q->body_len, JSON_REJECT_DUPLICATES, &err);
	munmap(body, q->body_len);
	if (!j)
		kt_srv_error(r, 400, "malformed JSON at line %d: %s", err.line, err.text);
	return j;
}

void
kt_api_facts(struct req *q, struct kt_store *st, struct resp *r)
{
	const char *host = kt_srv_header(q, "X-Ktriage-Host");
	const char *pool = kt_srv_header(q, "X-Ktriage-Pool");
	const char *at = kt_srv_header(q, "X-Ktriage-Collected-At");
	json_t *j, *res = NULL;
	void *body;
	int rc;

	if (!host) {
		kt_srv_error(r, 400, "facts need an X-Ktriage-Host header");
		return;
	}
	if ((pool && !kt_srv_name_ok(pool)) || (at && kt_srv_parse_time(at) < 0)) {
		kt_srv_error(r, 400, "bad X-Ktriage-Pool or X-Ktriage-Collected-At header");
		return;
	}
	j = body_json(q, r);	/* well-formed JSON before the store sees it */
	if (!j)
		return;
	if (!json_is_object(j)) {
		json_decref(j);
		kt_srv_error(r, 400, "host facts must be a JSON object");
		return;
	}
	json_decref(j);
	body = map_body(q);
	if (!body) {
		kt_srv_error(r, 503, "cannot read the spooled body");
		return;
	}
	rc = kt_store_facts(st, host, pool, body, q->body_len, at, &res);
	munmap(body, q->body_len);
	if (rc) {
		kt_srv_error(r, kt_srv_status_of(rc), "facts not stored: %s", kt_ctx_errmsg(q->sctx));
		return;
	}
	kt_srv_json(r, strcmp(json_string_value(json_object_get(res, "status")) ?: "new", "seen")
			       ? 201 : 200, res);
}

void
kt_api_heartbeat(struct req *q, struct kt_store *st, struct resp *r)
{
	json_t *j = body_json(q, r), *res = NULL;
	const char *host, *boot, *kernel;
	json_t *up;
	int rc;

	if (!j)
		return;
	host = json_string_value(json_object_get(j, "host"));
	boot = json_string_value(json_object_get(j, "boot_id"));
	kernel = json_string_value(json_object_get(j, "kernel"));
	up = json_object_get(j, "uptime");
	if (!kt_srv_name_ok(host) || !kt_srv_name_ok(boot) || (kernel && !kt_srv_name_ok(kernel)) ||
	    (up && !json_is_number(up)) || (up && json_number_value(up) < 0)) {
		json_decref(j);
		kt_srv_error(r, 400, "heartbeat takes {\"host\", \"boot_id\", \"kernel\", "
			     "\"uptime\"}: names of 1..255 printable bytes, uptime seconds >= 0");
		return;
	}
	rc = kt_store_heartbeat(st, host, kt_srv_header(q, "X-Ktriage-Pool"), boot, kernel,
				up ? json_number_value(up) : -1, &res);
	json_decref(j);
	if (rc) {
		kt_srv_error(r, kt_srv_status_of(rc), "heartbeat not stored: %s", kt_ctx_errmsg(q->sctx));
		return;
	}
	kt_srv_json(r, 200, res);
}

void
kt_api_issues(struct req *q, struct kt_store *st, struct resp *r)
{
	json_t *list;
	int rc = kt_srv_issue_list(q, st, &list);

	if (rc == KT_EINVAL) {
		kt_srv_error(r, 400, "bad filter");
		return;
	}
	if (rc) {
		kt_srv_error(r, kt_srv_status_of(rc), "%s", kt_strerror(rc));
		return;
	}
	kt_srv_json(r, 200, json_pack("{s:o}", "issues", list));
}

void
kt_api_issue(struct req *q, struct kt_store *st, int64_t id, struct resp *r)
{
	json_t *j;
	int rc = kt_store_issue(st, id, &j);

	if (rc) {
		kt_srv_error(r, kt_srv_status_of(rc), "%s", rc == KT_ENOTFOUND ? "no such issue"
										 : kt_strerror(rc));
		return;
	}
	kt_srv_json(r, 200, j);
}
