/*
 * server: the web view. Server-rendered HTML with the style sheet of
 * render/html.c, inline SVG for sparklines and daily bars, plain links and
 * GET forms for filters: every page works without JavaScript (there is
 * none, and the Content-Security-Policy forbids it). Every page is also
 * JSON with ?format=json (the data it was drawn from).
 *
 * Everything from the store is untrusted text (it came from logs and
 * uploads): it enters the page only through kt_html_esc() and, in links,
 * through url_part() (percent-encoding) and then kt_html_esc().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ktriage/ktriage.h>

#include "render/html.h"
#include "server/internal.h"

#define SPARK_DAYS 30
#define MATRIX_ISSUES 8		/* issue columns on a pool page */
#define POOL_HOSTS 200		/* hosts read for a pool page */

/* ---- small helpers -------------------------------------------------------- */

static const char *
jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static long long
jint(const json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

/* Percent-encode everything but RFC 3986 §2.3 unreserved characters. */
static void
url_part(struct kt_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			kt_buf_addc(b, (char)*p);
		} else {
			kt_buf_addc(b, '%');
			kt_buf_addc(b, hex[*p >> 4]);
			kt_buf_addc(b, hex[*p & 15]);
		}
	}
}

/* <a href="/PREFIX/NAME">NAME</a> */
static void
name_link(struct kt_buf *b, const char *prefix, const char *name)
{
	if (!name) {
		kt_buf_adds(b, "<span class=\"empty\">unknown</span>");
		return;
	}
	kt_buf_printf(b, "<a href=\"/%s/", prefix);
	url_part(b, name);
	kt_buf_adds(b, "\">");
	kt_html_esc(b, name);
	kt_buf_adds(b, "</a>");
}

/* "2026-12-05T21:30:00Z" shown as "2026-12-05 21:30". */
static void
when(struct kt_buf *b, const char *iso)
{
	char t[20];

	if (!iso) {
		kt_buf_adds(b, "<span class=\"empty\">-</span>");
		return;
	}
	if (strlen(iso) >= 16 && iso[10] == 'T') {
		memcpy(t, iso, 16);
		t[10] = ' ';
		t[16] = '\0';
		kt_buf_adds(b, "<time>");
		kt_html_esc(b, t);
		kt_buf_adds(b, "</time>");
		return;
	}
	kt_html_esc(b, iso);
}

int64_t
kt_srv_parse_time(const char *s)
{
	struct tm tm = { 0 };
	int n = 0;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			 &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6)
		return -1;
	if (strcmp(s + n, "Z") && strcmp(s + n, "+00:00") && s[n] != '.')
		return -1;
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm);
}

static void
iso_of(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
status_badge(struct kt_buf *b, const char *status)
{
	static const char *const known[] = { "open", "fixed", "ignored", "regressed" };
	const char *cls = "open";

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (status && !strcmp(status, known[i]))
			cls = known[i];
	kt_buf_printf(b, "<span class=\"badge st-%s\">", cls);
	kt_html_esc(b, status ? status : "open");
	kt_buf_adds(b, "</span>");
}

static void
page_begin(struct kt_buf *b, const char *title)
{
	kt_html_page_open(b, title);
	kt_buf_adds(b, "<header class=\"top\"><a class=\"brand\" href=\"/\">ktriage</a>"
		       "<a href=\"/\">Issues</a></header>\n<main>\n");
}

static void
page_end(struct kt_buf *b, const char *json_href)
{
	kt_buf_adds(b, "<footer>ktriage " KT_VERSION_STRING);
	if (json_href) {
		kt_buf_adds(b, " · <a href=\"");
		kt_html_esc(b, json_href);
		kt_buf_adds(b, "\">this page as JSON</a>");
	}
	kt_buf_adds(b, "</footer></main>\n");
	kt_html_page_close(b);
}

/* A sparkline: one bar per day, scaled to the largest. */
static void
sparkline(struct kt_buf *b, const json_t *days)
{
	size_t n = json_array_size(days);
	long long max = 1;
	const int w = 3, gap = 1, h = 24;

	for (size_t i = 0; i < n; i++)
		if (json_integer_value(json_array_get(days, i)) > max)
			max = json_integer_value(json_array_get(days, i));
	kt_buf_printf(b, "<svg class=\"spark\" width=\"%zu\" height=\"%d\" viewBox=\"0 0 %zu %d\" "
		      "role=\"img\" aria-label=\"crashes per day, last %zu days\">",
		      n * (w + gap), h, n * (w + gap), h, n);
	kt_buf_printf(b, "<line x1=\"0\" y1=\"%d\" x2=\"%zu\" y2=\"%d\"/>", h - 1,
		      n * (w + gap), h - 1);
	for (size_t i = 0; i < n; i++) {
		long long v = json_integer_value(json_array_get(days, i));
		int bh = v ? (int)(1 + (h - 1) * v / max) : 0;

		if (bh)
			kt_buf_printf(b, "<rect x=\"%zu\" y=\"%d\" width=\"%d\" height=\"%d\"><title>%lld"
				      "</title></rect>", i * (w + gap), h - bh, w, bh, v);
	}
	kt_buf_adds(b, "</svg>");
}

/* Daily bars with a day axis: `days` counts ending today (UTC). */
static void
day_bars(struct kt_buf *b, const json_t *days)
{
	size_t n = json_array_size(days);
	long long max = 1;
	const int w = 26, gap = 4, h = 120, top = 14, bottom = 18;
	int64_t today = (int64_t)time(NULL) / 86400;

	for (size_t i = 0; i < n; i++)
		if (json_integer_value(json_array_get(days, i)) > max)
			max = json_integer_value(json_array_get(days, i));
	kt_buf_printf(b, "<svg class=\"bars\" width=\"%zu\" height=\"%d\" role=\"img\" "
		      "aria-label=\"crashes per day\">", n * (w + gap), h + top + bottom);
	for (size_t i = 0; i < n; i++) {
		long long v = json_integer_value(json_array_get(days, i));
		int bh = v ? (int)(2 + (h - 2) * v / max) : 0;
		int64_t day = today - (int64_t)(n - 1 - i);
		char iso[32];

		iso_of(day * 86400, iso);
		if (bh)
			kt_buf_printf(b, "<rect x=\"%zu\" y=\"%d\" width=\"%d\" height=\"%d\"><title>%.10s: "
				      "%lld</title></rect><text x=\"%zu\" y=\"%d\" text-anchor=\"middle\">"
				      "%lld</text>", i * (w + gap), top + h - bh, w, bh, iso, v,
				      i * (w + gap) + w / 2, top + h - bh - 3, v);
		if (i % 5 == 0 || i == n - 1)
			kt_buf_printf(b, "<text x=\"%zu\" y=\"%d\" text-anchor=\"middle\">%.5s</text>",
				      i * (w + gap) + w / 2, top + h + 13, iso + 5);
	}
	kt_buf_adds(b, "</svg>");
}

/* ---- errors --------------------------------------------------------------- */

void
kt_page_error(const struct req *q, struct resp *r, int status, const char *msg)
{
	struct kt_buf b;

	if (kt_srv_want_json(q) || !strncmp(q->url, "/api/", 5)) {
		kt_srv_error(r, status, "%s", msg);
		return;
	}
	kt_buf_init(&b);
	page_begin(&b, msg);
	kt_buf_printf(&b, "<h1>%d</h1><p>", status);
	kt_html_esc(&b, msg);
	kt_buf_adds(&b, "</p><p><a href=\"/\">All issues</a></p>");
	page_end(&b, NULL);
	kt_srv_html(r, status, &b);
}

void
kt_page_not_found(struct req *q, struct resp *r)
{
	kt_page_error(q, r, 404, "Not found");
}

/* ---- filters and the issue list ------------------------------------------ */

bool
kt_srv_filter(struct req *q, struct kt_store_filter *f, struct resp *r)
{
	const char *since = kt_srv_arg(q, "since");
	const char *limit = kt_srv_arg(q, "limit");
	const char *offset = kt_srv_arg(q, "offset");
	const char *status = kt_srv_arg(q, "status");
	int64_t v;

	memset(f, 0, sizeof(*f));
	f->host = kt_srv_arg(q, "host");
	f->pool = kt_srv_arg(q, "pool");
	f->kernel = kt_srv_arg(q, "kernel");
	if (f->host && !*f->host)
		f->host = NULL;
	if (f->pool && !*f->pool)
		f->pool = NULL;
	if (f->kernel && !*f->kernel)
		f->kernel = NULL;
	if ((f->host && !kt_srv_name_ok(f->host)) || (f->pool && !kt_srv_name_ok(f->pool)) ||
	    (f->kernel && !kt_srv_name_ok(f->kernel))) {
		kt_page_error(q, r, 400, "bad host, pool or kernel filter");
		return false;
	}
	if (status && *status && strcmp(status, "all")) {
		if (strcmp(status, "open") && strcmp(status, "fixed") && strcmp(status, "ignored")) {
			kt_page_error(q, r, 400, "status is open, fixed, ignored or all");
			return false;
		}
		f->status = status;
	}
	if (limit && *limit) {
		if (!kt_srv_parse_id(limit, &v) || v > 1000) {
			kt_page_error(q, r, 400, "limit is 1..1000");
			return false;
		}
		f->limit = (size_t)v;
	}
	if (offset && *offset && strcmp(offset, "0")) {
		if (!kt_srv_parse_id(offset, &v) || v > 1000000) {
			kt_page_error(q, r, 400, "bad offset");
			return false;
		}
		f->offset = (size_t)v;
	}
	if (since && *since && strcmp(since, "all")) {
		if (strcmp(since, "24h") && strcmp(since, "7d") && strcmp(since, "30d") &&
		    kt_srv_parse_time(since) < 0) {
			kt_page_error(q, r, 400, "since is 24h, 7d, 30d, all or an ISO-8601 UTC time");
			return false;
		}
		f->since = since;	/* resolved to a time by resolve_since() */
	}
	return true;
}

/* The relative `since` values become a time (buf lives in the caller). */
static void
resolve_since(struct kt_store_filter *f, char buf[32])
{
	int64_t back = 0;

	if (!f->since)
		return;
	if (!strcmp(f->since, "24h"))
		back = 86400;
	else if (!strcmp(f->since, "7d"))
		back = 7 * 86400;
	else if (!strcmp(f->since, "30d"))
		back = 30 * 86400;
	if (back) {
		iso_of((int64_t)time(NULL) - back, buf);
		f->since = buf;
	}
}

int
kt_srv_issue_list(struct req *q, struct kt_store *st, json_t **ret)
{
	struct kt_store_filter f;
	struct resp dummy = { 0 };
	char since[32];
	json_t *list = NULL, *days = NULL, *it;
	int64_t *ids, days_boots = 0;
	size_t n, i;
	int rc;

	if (!kt_srv_filter(q, &f, &dummy)) {
		free(dummy.body);
		return KT_EINVAL;
	}
	resolve_since(&f, since);
	rc = kt_store_issues(st, &f, &list);
	if (rc)
		return rc;
	n = json_array_size(list);
	ids = calloc(n ? n : 1, sizeof(*ids));
	json_array_foreach(list, i, it)
		ids[i] = json_integer_value(json_object_get(it, "id"));
	rc = n ? kt_store_issue_days(st, ids, n, SPARK_DAYS, NULL, &days) : 0;
	free(ids);
	if (rc) {
		json_decref(list);
		return rc;
	}
	{
		char since30[32];
		int64_t boots = 0;

		iso_of((int64_t)time(NULL) - 30 * 86400, since30);
		if (kt_store_boots(st, since30, &boots))
			boots = 0;
		days_boots = boots;
	}
	json_array_foreach(list, i, it) {
		char key[24], url[48];
		json_t *d;

		snprintf(key, sizeof(key), "%lld", jint(it, "id"));
		snprintf(url, sizeof(url), "/issues/%lld", jint(it, "id"));
		d = json_object_get(days, key);
		json_object_set_new(it, "url", json_string(url));
		json_object_set(it, "crashes_24h", json_object_get(d, "h24") ?: json_integer(0));
		json_object_set(it, "crashes_7d", json_object_get(d, "d7") ?: json_integer(0));
		json_object_set(it, "crashes_30d", json_object_get(d, "d30") ?: json_integer(0));
		json_object_set(it, "days", json_object_get(d, "days") ?: json_array());
		/* crashes per 1,000 boots seen by heartbeat in the same 30 days */
		json_object_set_new(it, "per_1000_boots_30d", days_boots ? json_real(
			1000.0 * (double)json_integer_value(json_object_get(it, "crashes_30d")) /
			(double)days_boots) : json_null());
	}
	json_decref(days);
	*ret = list;
	return 0;
}

/* ---- / -------------------------------------------------------------------- */

static void
filter_input(struct kt_buf *b, struct req *q, const char *name, const char *label)
{
	const char *v = kt_srv_arg(q, name);

	kt_buf_printf(b, "<label>%s<input name=\"%s\" size=\"14\" value=\"", label, name);
	kt_html_esc(b, v ? v : "");
	kt_buf_adds(b, "\"></label>");
}

static void
filter_select(struct kt_buf *b, struct req *q, const char *name, const char *label,
	      const char *const *opts, size_t n)
{
	const char *v = kt_srv_arg(q, name);

	kt_buf_printf(b, "<label>%s<select name=\"%s\">", label, name);
	for (size_t i = 0; i < n; i++)
		kt_buf_printf(b, "<option%s>%s</option>", v && !strcmp(v, opts[i]) ? " selected" : "",
			      opts[i]);
	kt_buf_adds(b, "</select></label>");
}

/* The rule's first remedy step, from the knowledge base. */
static const char *
top_remedy(struct req *q, const char *rule, const char **title)
{
	const struct kt_ruleset *rs = kt_srv_rules(q->srv);
	struct kt_rule_info info;
	int i = rs ? kt_ruleset_find(rs, rule) : KT_ENOTFOUND;

	*title = NULL;
	if (i < 0 || kt_ruleset_info(rs, (size_t)i, &info))
		return NULL;
	*title = info.title;
	return info.n_remedy ? info.remedy[0] : NULL;
}

void
kt_page_index(struct req *q, struct kt_store *st, struct resp *r)
{
	static const char *const statuses[] = { "all", "open", "fixed", "ignored" };
	static const char *const sinces[] = { "all", "24h", "7d", "30d" };
	json_t *list, *it, *stats = NULL;
	struct kt_buf b;
	size_t i;
	int rc = kt_srv_issue_list(q, st, &list);

	if (rc == KT_EINVAL) {
		struct kt_store_filter f;

		(void)kt_srv_filter(q, &f, r);	/* fills r with the 400 */
		return;
	}
	if (rc) {
		kt_page_error(q, r, kt_srv_status_of(rc), "The store could not list issues");
		return;
	}
	if (kt_srv_want_json(q)) {
		kt_srv_json(r, 200, json_pack("{s:o}", "issues", list));
		return;
	}
	(void)kt_store_counts(st, &stats);
	kt_buf_init(&b);
	page_begin(&b, "ktriage: issues");
	kt_buf_adds(&b, "<h1>Crash issues</h1>");
	if (stats) {
		kt_buf_printf(&b, "<div class=\"cards\"><div class=\"card\"><div class=\"v\">%lld</div>"
			      "<div class=\"k\">issues</div></div><div class=\"card\"><div class=\"v\">"
			      "%lld</div><div class=\"k\">crashes</div></div><div class=\"card\"><div "
			      "class=\"v\">%lld</div><div class=\"k\">hosts</div></div><div class=\"card\">"
			      "<div class=\"v\">%lld</div><div class=\"k\">uploads</div></div></div>",
			      jint(stats, "issues"), jint(stats, "crashes"), jint(stats, "hosts"),
			      jint(stats, "uploads"));
		json_decref(stats);
	}
	kt_buf_adds(&b, "<form class=\"filters\" method=\"get\" action=\"/\">");
	filter_input(&b, q, "pool", "pool");
	filter_input(&b, q, "host", "host");
	filter_input(&b, q, "kernel", "kernel");
	filter_select(&b, q, "status", "status", statuses, 4);
	filter_select(&b, q, "since", "last seen", sinces, 4);
	kt_buf_adds(&b, "<button type=\"submit\">Filter</button></form>\n");
	if (!json_array_size(list)) {
		kt_buf_adds(&b, "<p class=\"empty\">No crash issue matches.</p>");
	} else {
		kt_buf_adds(&b, "<table class=\"issues\"><thead><tr><th>issue</th><th>status</th>"
			       "<th class=\"num\">24 h</th><th class=\"num\">7 d</th>"
			       "<th class=\"num\">30 d</th><th class=\"num\">all</th>"
			       "<th class=\"num\">hosts</th><th class=\"num\" title=\"crashes in 30 days per "
			       "1,000 boots reported by heartbeats\">/1k boots</th><th>30 days</th>"
			       "<th>first / last seen</th>"
			       "<th>top finding</th></tr></thead><tbody>\n");
	}
	json_array_foreach(list, i, it) {
		const char *rule = jstr(it, "rule"), *rtitle = NULL, *remedy;

		kt_buf_printf(&b, "<tr><td><a class=\"issue\" href=\"/issues/%lld\">", jint(it, "id"));
		kt_html_esc(&b, jstr(it, "title") ? jstr(it, "title") : "(untitled)");
		kt_buf_printf(&b, "</a><div class=\"meta\">#%lld · ", jint(it, "id"));
		kt_html_esc(&b, jstr(it, "kind"));
		kt_buf_adds(&b, "</div></td><td>");
		status_badge(&b, jstr(it, "status"));
		kt_buf_printf(&b, "</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td>"
			      "<td class=\"num\">%lld</td><td class=\"num\">%lld</td>"
			      "<td class=\"num\">%lld</td><td class=\"num\">", jint(it, "crashes_24h"),
			      jint(it, "crashes_7d"), jint(it, "crashes_30d"), jint(it, "crashes"),
			      jint(it, "hosts"));
		if (json_is_number(json_object_get(it, "per_1000_boots_30d")))
			kt_buf_printf(&b, "%.1f", json_number_value(json_object_get(it, "per_1000_boots_30d")));
		else
			kt_buf_adds(&b, "<span class=\"empty\">-</span>");
		kt_buf_adds(&b, "</td><td>");
		sparkline(&b, json_object_get(it, "days"));
		kt_buf_adds(&b, "</td><td class=\"seen\">");
		when(&b, jstr(it, "first_seen"));
		kt_buf_adds(&b, "<br>");
		when(&b, jstr(it, "last_seen"));
		kt_buf_adds(&b, "</td><td class=\"finding\">");
		remedy = rule ? top_remedy(q, rule, &rtitle) : NULL;
		if (rule) {
			kt_buf_adds(&b, "<b>");
			kt_html_esc(&b, rtitle ? rtitle : rule);
			kt_buf_adds(&b, "</b>");
			if (remedy) {
				kt_buf_adds(&b, "<div class=\"meta\">");
				kt_html_esc(&b, remedy);
				kt_buf_adds(&b, "</div>");
			}
		} else {
			kt_buf_adds(&b, "<span class=\"empty\">none</span>");
		}
		kt_buf_adds(&b, "</td></tr>\n");
	}
	if (json_array_size(list))
		kt_buf_adds(&b, "</tbody></table>");
	json_decref(list);
	page_end(&b, "/api/v1/issues");
	kt_srv_html(r, 200, &b);
}

/* ---- crash rendering ------------------------------------------------------ */

struct one_report {
	struct kt_buf *b;
	const json_t *seen;	/* the crash's first "seen" place */
	const char *extra;
	int n;
};

/* Show where the excerpt came from (the uploaded file and its lines), not
 * the temporary file it was analysed from. */
static void
on_report(void *ud, const char *unit, struct kt_report *rep)
{
	struct one_report *o = ud;
	const char *file = jstr(o->seen, "file") ? jstr(o->seen, "file") : jstr(o->seen, "name");
	long long first = jint(o->seen, "first_line");

	(void)unit;
	if (!o->n++) {
		uint32_t shift = first > 1 && first < 0x7fffffff ? (uint32_t)first - 1 : 0;

		rep->source.file = file ? kt_report_strdup(rep, file) : NULL;
		rep->source.first_line += shift;
		rep->source.last_line += shift;
		for (size_t i = 0; rep->line_nos && i < rep->n_lines; i++)
			rep->line_nos[i] += shift;
		kt_html_report_with(o->b, rep, o->extra);
	}
	kt_report_free(rep);
}

/* The report section of a crash: its excerpt analysed again (raw is the
 * truth) and rendered like `analyze --format html`. Falls back to the
 * stored analysis's title and story when the excerpt alone yields none. */
static void
crash_report(struct req *q, struct kt_buf *b, const json_t *crash, const char *extra)
{
	const char *excerpt = jstr(crash, "excerpt");
	const json_t *rep = json_object_get(crash, "report");
	struct one_report o = { b, json_array_get(json_object_get(crash, "seen"), 0), extra, 0 };
	struct kt_analyze_cb cb = { .report = on_report, .ud = &o };
	char path[4096];
	int fd;

	if (excerpt && q->an && q->sctx) {
		if (!*q->an) {
			struct kt_analyze_opts ao = { 0 };

			(void)kt_analyzer_new(q->sctx, &ao, q->an);
		}
		snprintf(path, sizeof(path), "%s/ktriage-crash-XXXXXX", kt_srv_tmpdir(q->srv));
		fd = *q->an ? mkstemp(path) : -1;
		if (fd >= 0) {
			size_t len = strlen(excerpt);
			bool ok = write(fd, excerpt, len) == (ssize_t)len;

			close(fd);
			if (ok)
				(void)kt_analyze_path(*q->an, path, &cb);
			unlink(path);
		}
	}
	if (o.n)
		return;
	kt_buf_adds(b, "<article class=\"report\"><h1 class=\"title\">");
	kt_html_esc(b, jstr(rep, "title") ? jstr(rep, "title") : jstr(crash, "title"));
	kt_buf_adds(b, "</h1>");
	if (extra)
		kt_buf_adds(b, extra);
	if (json_array_size(json_object_get(rep, "story"))) {
		size_t i;
		json_t *s;

		kt_buf_adds(b, "<h2>What happened</h2><ul class=\"story\">");
		json_array_foreach(json_object_get(rep, "story"), i, s) {
			kt_buf_adds(b, "<li>");
			kt_html_esc(b, json_string_value(s));
			kt_buf_adds(b, "</li>");
		}
		kt_buf_adds(b, "</ul>");
	}
	if (excerpt) {
		kt_buf_adds(b, "<h2>Report text</h2><pre class=\"lines\">");
		kt_html_esc(b, excerpt);
		kt_buf_adds(b, "</pre>");
	}
	kt_buf_adds(b, "</article>");
}

/* ---- /crashes/ID ---------------------------------------------------------- */

void
kt_page_crash(struct req *q, struct kt_store *st, int64_t id, struct resp *r)
{
	json_t *c, *s;
	struct kt_buf b, w;
	char json_href[64];
	size_t i;
	int rc = kt_store_crash(st, id, &c);

	if (rc) {
		kt_page_error(q, r, kt_srv_status_of(rc), rc == KT_ENOTFOUND ? "No such crash"
									      : "The store failed");
		return;
	}
	if (kt_srv_want_json(q)) {
		kt_srv_json(r, 200, c);
		return;
	}
	kt_buf_init(&b);
	kt_buf_init(&w);
	page_begin(&b, jstr(c, "title") ? jstr(c, "title") : "crash");
	kt_buf_printf(&b, "<nav class=\"meta\"><a href=\"/issues/%lld\">issue #%lld</a>"
		      "<span>crash #%lld</span></nav>", jint(c, "issue"), jint(c, "issue"), (long long)id);
	kt_buf_adds(&w, "<section id=\"where\"><h2>Where it was seen</h2><dl class=\"kv\"><dt>host</dt><dd>");
	name_link(&w, "hosts", jstr(c, "host"));
	kt_buf_adds(&w, "</dd><dt>pool</dt><dd>");
	if (jstr(c, "pool"))
		name_link(&w, "pools", jstr(c, "pool"));
	else
		kt_buf_adds(&w, "<span class=\"empty\">none</span>");
	kt_buf_adds(&w, "</dd><dt>kernel</dt><dd>");
	kt_html_esc(&w, jstr(c, "kernel") ? jstr(c, "kernel") : "unknown");
	kt_buf_adds(&w, "</dd><dt>crashed at</dt><dd>");
	when(&w, jstr(c, "crashed_at"));
	kt_buf_adds(&w, "</dd><dt>received</dt><dd>");
	when(&w, jstr(c, "received_at"));
	kt_buf_adds(&w, "</dd><dt>bucket</dt><dd><code>");
	kt_html_esc(&w, jstr(c, "bucket"));
	kt_buf_printf(&w, "</code></dd></dl><table class=\"seen\"><thead><tr><th>upload</th><th>file"
		      "</th><th>source</th><th>lines</th></tr></thead><tbody>");
	json_array_foreach(json_object_get(c, "seen"), i, s) {
		kt_buf_printf(&w, "<tr><td><a href=\"/uploads/%lld/raw\">#%lld (raw)</a></td><td>",
			      jint(s, "upload"), jint(s, "upload"));
		kt_html_esc(&w, jstr(s, "file") ? jstr(s, "file") : jstr(s, "name"));
		kt_buf_adds(&w, "</td><td>");
		kt_html_esc(&w, jstr(s, "source"));
		kt_buf_printf(&w, "</td><td>%lld-%lld</td></tr>", jint(s, "first_line"),
			      jint(s, "last_line"));
	}
	kt_buf_printf(&w, "</tbody></table><p><a class=\"raw\" href=\"/crashes/%lld/raw\">Download "
		      "the crash text</a></p></section>\n", (long long)id);
	crash_report(q, &b, c, w.p);
	kt_buf_deinit(&w);
	json_decref(c);
	snprintf(json_href, sizeof(json_href), "/crashes/%lld?format=json", (long long)id);
	page_end(&b, json_href);
	kt_srv_html(r, 200, &b);
}

void
kt_page_crash_raw(struct req *q, struct kt_store *st, int64_t id, struct resp *r)
{
	json_t *c;
	const char *ex;
	int rc = kt_store_crash(st, id, &c);

	if (rc) {
		kt_page_error(q, r, kt_srv_status_of(rc), rc == KT_ENOTFOUND ? "No such crash"
									      : "The store failed");
		return;
	}
	ex = jstr(c, "excerpt");
	r->status = 200;
	r->ctype = "text/plain; charset=utf-8";
	r->body = strdup(ex ? ex : "");
	r->len = strlen(r->body);
	if (asprintf(&r->disposition, "attachment; filename=\"crash-%lld.txt\"", (long long)id) < 0)
		r->disposition = NULL;
	json_decref(c);
}

void
kt_page_upload_raw(struct req *q, struct kt_store *st, int64_t id, struct resp *r)
{
	void *bytes;
	size_t len;
	int rc = kt_store_upload_bytes(st, id, &bytes, &len);

	if (rc) {
		kt_page_error(q, r, kt_srv_status_of(rc), rc == KT_ENOTFOUND ? "No such upload"
									      : "The store failed");
		return;
	}
	r->status = 200;
	r->ctype = "application/octet-stream";
	r->body = bytes;
	r->len = len;
	if (asprintf(&r->disposition, "attachment; filename=\"upload-%lld.bin\"", (long long)id) < 0)
		r->disposition = NULL;
}

/* ---- /issues/ID ----------------------------------------------------------- */

static void
facets(struct kt_buf *b, const json_t *fac)
{
	const char *key;
	json_t *rows, *row;
	size_t i;

	if (!json_object_size(fac))
		return;
	kt_buf_adds(b, "<section id=\"facets\"><h2>Facets</h2><div class=\"cards\">");
	json_object_foreach((json_t *)fac, key, rows) {
		if (!json_array_size(rows))
			continue;
		kt_buf_adds(b, "<div class=\"card\"><div class=\"k\">");
		kt_html_esc(b, key);
		kt_buf_adds(b, "</div><table><tr><th>value</th><th class=\"num\">crashes</th><th "
			       "class=\"num\">hosts</th><th>first</th><th>last</th></tr>");
		json_array_foreach(rows, i, row) {
			if (i >= 10)
				break;
			kt_buf_adds(b, "<tr><td>");
			if (!strcmp(key, "host"))
				name_link(b, "hosts", jstr(row, "value"));
			else if (!strcmp(key, "pool"))
				name_link(b, "pools", jstr(row, "value"));
			else
				kt_html_esc(b, jstr(row, "value"));
			kt_buf_printf(b, "</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td><td>",
				      jint(row, "crashes"), jint(row, "hosts"));
			when(b, jstr(row, "first_seen"));
			kt_buf_adds(b, "</td><td>");
			when(b, jstr(row, "last_seen"));
			kt_buf_adds(b, "</td></tr>");
		}
		kt_buf_adds(b, "</table></div>");
	}
	kt_buf_adds(b, "</div></section>\n");
}

void
kt_page_issue(struct req *q, struct kt_store *st, int64_t id, struct resp *r)
{
	json_t *is, *days = NULL, *rep_crash = NULL, *x;
	struct kt_buf b;
	char key[24], json_href[64];
	size_t i;
	int rc = kt_store_issue(st, id, &is);

	if (rc) {
		kt_page_error(q, r, kt_srv_status_of(rc), rc == KT_ENOTFOUND ? "No such issue"
									      : "The store failed");
		return;
	}
	snprintf(key, sizeof(key), "%lld", (long long)id);
	if (!kt_store_issue_days(st, &id, 1, SPARK_DAYS, NULL, &days))
		json_object_set(is, "days", json_object_get(json_object_get(days, key), "days"));
	json_decref(days);
	if (kt_srv_want_json(q)) {
		kt_srv_json(r, 200, is);
		return;
	}
	kt_buf_init(&b);
	page_begin(&b, jstr(is, "title") ? jstr(is, "title") : "issue");
	kt_buf_printf(&b, "<nav class=\"meta\"><a href=\"/\">issues</a><span>issue #%lld</span></nav>"
		      "<h1 class=\"title\">", (long long)id);
	kt_html_esc(&b, jstr(is, "title") ? jstr(is, "title") : "(untitled)");
	kt_buf_adds(&b, "</h1><div class=\"meta\">");
	status_badge(&b, jstr(is, "status"));
	kt_buf_adds(&b, "<span class=\"badge\">");
	kt_html_esc(&b, jstr(is, "kind"));
	kt_buf_adds(&b, "</span>");
	if (jstr(is, "fixed_in")) {
		kt_buf_adds(&b, "<span>fixed in ");
		kt_html_esc(&b, jstr(is, "fixed_in"));
		kt_buf_adds(&b, "</span>");
	}
	kt_buf_printf(&b, "</div><div class=\"cards\"><div class=\"card\"><div class=\"v\">%lld</div>"
		      "<div class=\"k\">crashes</div></div><div class=\"card\"><div class=\"v\">%lld"
		      "</div><div class=\"k\">hosts</div></div><div class=\"card\"><div class=\"v\">",
		      jint(is, "crashes"), jint(is, "hosts"));
	when(&b, jstr(is, "first_seen"));
	kt_buf_adds(&b, "</div><div class=\"k\">first seen</div></div><div class=\"card\"><div "
		       "class=\"v\">");
	when(&b, jstr(is, "last_seen"));
	kt_buf_adds(&b, "</div><div class=\"k\">last seen</div></div></div>\n");
	json_array_foreach(json_object_get(is, "lift"), i, x) {
		kt_buf_adds(&b, "<p class=\"lift\"><b>Lift:</b> ");
		kt_html_esc(&b, jstr(x, "text"));
		kt_buf_adds(&b, "</p>");
	}
	if (jstr(is, "note")) {
		kt_buf_adds(&b, "<p class=\"warn\">");
		kt_html_esc(&b, jstr(is, "note"));
		kt_buf_adds(&b, "</p>");
	}
	kt_buf_adds(&b, "<section id=\"daily\"><h2>Crashes per day (30 days, UTC)</h2>");
	day_bars(&b, json_object_get(is, "days"));
	kt_buf_adds(&b, "</section>\n");
	x = json_object_get(json_object_get(is, "representative"), "crash");
	if (json_is_integer(x) && !kt_store_crash(st, json_integer_value(x), &rep_crash)) {
		kt_buf_printf(&b, "<section id=\"representative\"><h2>Representative crash "
			      "<a href=\"/crashes/%lld\">#%lld</a></h2>", json_integer_value(x),
			      json_integer_value(x));
		crash_report(q, &b, rep_crash, NULL);
		kt_buf_adds(&b, "</section>\n");
		json_decref(rep_crash);
	}
	facets(&b, json_object_get(is, "facets"));
	kt_buf_adds(&b, "<section id=\"crashes\"><h2>Crashes (newest first)</h2><table "
		       "class=\"crashes\"><thead><tr><th>crash</th><th>host</th><th>kernel</th>"
		       "<th>crashed at</th><th>title</th></tr></thead><tbody>");
	json_array_foreach(json_object_get(is, "crash_list"), i, x) {
		kt_buf_printf(&b, "<tr><td><a href=\"/crashes/%lld\">#%lld</a></td><td>",
			      jint(x, "id"), jint(x, "id"));
		name_link(&b, "hosts", jstr(x, "host"));
		kt_buf_adds(&b, "</td><td>");
		kt_html_esc(&b, jstr(x, "kernel"));
		kt_buf_adds(&b, "</td><td>");
		when(&b, jstr(x, "crashed_at"));
		kt_buf_adds(&b, "</td><td>");
		kt_html_esc(&b, jstr(x, "title"));
		kt_buf_adds(&b, "</td></tr>");
	}
	kt_buf_adds(&b, "</tbody></table></section>\n");
	if (json_array_size(json_object_get(is, "events"))) {
		kt_buf_adds(&b, "<section id=\"events\"><h2>Events</h2><div class=\"tl\">");
		json_array_foreach(json_object_get(is, "events"), i, x) {
			kt_buf_adds(&b, "<div class=\"ev\"><div class=\"when\">");
			when(&b, jstr(x, "at"));
			kt_buf_adds(&b, "</div>");
			kt_html_esc(&b, jstr(x, "what"));
			kt_buf_adds(&b, "</div>");
		}
		kt_buf_adds(&b, "</div></section>");
	}
	json_decref(is);
	snprintf(json_href, sizeof(json_href), "/api/v1/issues/%lld", (long long)id);
	page_end(&b, json_href);
	kt_srv_html(r, 200, &b);
}

/* ---- /hosts/NAME ---------------------------------------------------------- */

/* Whether a[i] already occurred in a[0..i) (a pool-wide audit repeats a
 * line per host: shown once). */
static bool
dup_before(const json_t *a, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (json_equal(json_array_get(a, k), json_array_get(a, i)))
			return true;
	return false;
}

/* Items of `now` not in `before` (summary string arrays). */
static void
diff_items(struct kt_buf *b, const json_t *before, const json_t *now, const char *sign)
{
	size_t i, j;
	json_t *x, *y;

	json_array_foreach((json_t *)now, i, x) {
		bool found = dup_before(now, i);

		json_array_foreach((json_t *)before, j, y)
			found |= json_equal(x, y);
		if (!found) {
			kt_buf_printf(b, "<div class=\"mono\">%s ", sign);
			kt_html_esc(b, json_string_value(x));
			kt_buf_adds(b, "</div>");
		}
	}
}

void
kt_page_host(struct req *q, struct kt_store *st, const char *name, struct resp *r)
{
	json_t *h, *hb = NULL, *facts, *crashes, *x;
	struct kt_buf b;
	size_t fi = 0, ci, i;
	int rc = kt_store_host(st, name, &h);

	if (rc) {
		kt_page_error(q, r, kt_srv_status_of(rc), rc == KT_ENOTFOUND ? "No such host"
									      : "The store failed");
		return;
	}
	if (!kt_store_host_heartbeats(st, name, &hb))
		json_object_set_new(h, "heartbeats", hb);
	if (kt_srv_want_json(q)) {
		kt_srv_json(r, 200, h);
		return;
	}
	facts = json_object_get(h, "facts");
	crashes = json_object_get(h, "crashes");
	kt_buf_init(&b);
	page_begin(&b, name);
	kt_buf_adds(&b, "<nav class=\"meta\"><a href=\"/\">issues</a><span>host</span></nav><h1>");
	kt_html_esc(&b, name);
	kt_buf_adds(&b, "</h1><dl class=\"kv\"><dt>pool</dt><dd>");
	if (jstr(h, "pool"))
		name_link(&b, "pools", jstr(h, "pool"));
	else
		kt_buf_adds(&b, "<span class=\"empty\">none</span>");
	kt_buf_adds(&b, "</dd><dt>first seen</dt><dd>");
	when(&b, jstr(h, "first_seen"));
	kt_buf_adds(&b, "</dd><dt>last seen</dt><dd>");
	when(&b, jstr(h, "last_seen"));
	kt_buf_printf(&b, "</dd><dt>crashes</dt><dd>%zu</dd>", json_array_size(crashes));
	if ((hb = json_object_get(h, "heartbeats"))) {
		kt_buf_printf(&b, "<dt>boots seen</dt><dd>%lld</dd><dt>last heartbeat</dt><dd>",
			      jint(hb, "boots"));
		when(&b, jstr(hb, "last_heartbeat"));
		kt_buf_adds(&b, "</dd>");
	}
	kt_buf_adds(&b, "</dl>\n<section id=\"timeline\"><h2>Facts and crashes over time</h2>"
		       "<p class=\"meta\">Oldest first: what changed in the host's facts (kernel, "
		       "drivers, MTUs, bridge or Open vSwitch) and the crashes on the same line.</p>"
		       "<div class=\"tl\">");
	/* Merge facts (oldest first) with crashes (newest first: walk back). */
	ci = json_array_size(crashes);
	while (fi < json_array_size(facts) || ci > 0) {
		json_t *f = json_array_get(facts, fi);
		json_t *c = ci ? json_array_get(crashes, ci - 1) : NULL;
		const char *ft = jstr(f, "collected_at"), *ct = jstr(c, "crashed_at");

		if (f && (!c || (ft && ct && strcmp(ft, ct) <= 0) || !ct)) {
			kt_buf_adds(&b, "<div class=\"ev facts\"><div class=\"when\">");
			when(&b, ft);
			kt_buf_adds(&b, " · facts");
			if (jstr(f, "source")) {
				kt_buf_adds(&b, " from ");
				kt_html_esc(&b, jstr(f, "source"));
			}
			if (jstr(f, "backend")) {
				kt_buf_adds(&b, " · ");
				kt_html_esc(&b, jstr(f, "backend"));
			}
			kt_buf_adds(&b, "</div>");
			if (fi == 0) {
				json_array_foreach(json_object_get(f, "summary"), i, x) {
					if (dup_before(json_object_get(f, "summary"), i))
						continue;
					kt_buf_adds(&b, "<div class=\"mono\">");
					kt_html_esc(&b, json_string_value(x));
					kt_buf_adds(&b, "</div>");
				}
			} else {
				json_t *prev = json_object_get(json_array_get(facts, fi - 1), "summary");

				diff_items(&b, prev, json_object_get(f, "summary"), "+");
				diff_items(&b, json_object_get(f, "summary"), prev, "−");
			}
			kt_buf_adds(&b, "</div>");
			fi++;
		} else {
			kt_buf_adds(&b, "<div class=\"ev crash\"><div class=\"when\">");
			when(&b, ct);
			kt_buf_adds(&b, " · crash on ");
			kt_html_esc(&b, jstr(c, "kernel") ? jstr(c, "kernel") : "unknown kernel");
			kt_buf_printf(&b, "</div><a href=\"/crashes/%lld\">", jint(c, "id"));
			kt_html_esc(&b, jstr(c, "title"));
			kt_buf_printf(&b, "</a> <span class=\"meta\">issue <a href=\"/issues/%lld\">#%lld"
				      "</a></span></div>", jint(c, "issue"), jint(c, "issue"));
			ci--;
		}
	}
	if (!json_array_size(facts) && !json_array_size(crashes))
		kt_buf_adds(&b, "<p class=\"empty\">Nothing recorded yet.</p>");
	kt_buf_adds(&b, "</div></section>\n");
	json_decref(h);
	page_end(&b, NULL);
	kt_srv_html(r, 200, &b);
}

/* ---- /pools/NAME ---------------------------------------------------------- */

/* Hosts at risk: hosts of the pool with no crash whose newest facts carry
 * a medium, high or critical audit finding (net audit's knowledge: a driver
 * that cannot carry the configured MTU or carries it only if the port
 * does, a bridge whose VIF MTU exceeds the PIF MTU ...), with the finding's
 * remedy (the checks and the `ktriage net plan` command). */
static json_t *
at_risk(struct kt_store *st, const json_t *hosts)
{
	json_t *out = json_array(), *h;
	size_t i;

	json_array_foreach((json_t *)hosts, i, h) {
		json_t *facts = NULL, *f;
		size_t j;

		if (jint(h, "crashes") > 0 || !jstr(h, "name"))
			continue;
		if (kt_store_host_facts_json(st, jstr(h, "name"), &facts))
			continue;
		json_array_foreach(json_object_get(facts, "findings"), j, f) {
			const char *sev = jstr(f, "severity");
			const char *fh = jstr(f, "host");

			if (!sev || (strcmp(sev, "medium") && strcmp(sev, "high") &&
				     strcmp(sev, "critical")))
				continue;
			if (fh && strcmp(fh, jstr(h, "name")))
				continue;	/* a pool-wide audit: another host's finding */
			json_array_append_new(out, json_pack("{s:s,s:O,s:O,s:O,s:O,s:O,s:O}",
				"host", jstr(h, "name"),
				"rule", json_object_get(f, "id") ?: json_null(),
				"severity", json_object_get(f, "severity"),
				"subject", json_object_get(f, "subject") ?: json_null(),
				"summary", json_object_get(f, "summary") ?: json_null(),
				"remedy", json_object_get(f, "remedy") ?: json_null(),
				"collected_at", json_object_get(facts, "collected_at") ?: json_null()));
		}
		json_decref(facts);
	}
	return out;
}

void
kt_page_pool(struct req *q, struct kt_store *st, const char *name, struct resp *r)
{
	struct kt_store_filter f = { .pool = name, .limit = POOL_HOSTS };
	struct kt_store_filter fi = { .pool = name, .limit = MATRIX_ISSUES };
	json_t *hosts = NULL, *issues = NULL, *risk, *matrix, *h, *is, *out;
	struct kt_buf b;
	size_t i, j;
	int rc;

	rc = kt_store_hosts(st, &f, &hosts);
	if (!rc)
		rc = kt_store_issues(st, &fi, &issues);
	if (rc) {
		json_decref(hosts);
		kt_page_error(q, r, kt_srv_status_of(rc), "The store failed");
		return;
	}
	if (!json_array_size(hosts)) {
		json_decref(hosts);
		json_decref(issues);
		kt_page_error(q, r, 404, "No such pool");
		return;
	}
	/* hosts x issues: crashes per host on each of the top issues */
	if (kt_store_pool_matrix(st, name, &matrix))
		matrix = json_object();
	risk = at_risk(st, hosts);
	out = json_pack("{s:s,s:o,s:o,s:o,s:o}", "pool", name, "hosts", hosts, "issues", issues,
			"matrix", matrix, "at_risk", risk);
	if (kt_srv_want_json(q)) {
		kt_srv_json(r, 200, out);
		return;
	}
	kt_buf_init(&b);
	page_begin(&b, name);
	kt_buf_adds(&b, "<nav class=\"meta\"><a href=\"/\">issues</a><span>pool</span></nav><h1>");
	kt_html_esc(&b, name);
	kt_buf_printf(&b, "</h1><p class=\"meta\">%zu hosts · <a href=\"/?pool=", json_array_size(hosts));
	url_part(&b, name);
	kt_buf_adds(&b, "\">this pool's issues</a></p>");
	kt_buf_adds(&b, "<section id=\"at-risk\"><h2>Hosts at risk</h2><p class=\"meta\">No crash "
		       "yet, but their newest facts meet a known crash's preconditions.</p>");
	if (!json_array_size(risk))
		kt_buf_adds(&b, "<p class=\"empty\">None: no host without crashes has a medium, "
			       "high or critical network finding.</p>");
	else
		kt_buf_adds(&b, "<table class=\"risk\"><thead><tr><th>host</th><th>finding</th>"
			       "<th>fix</th></tr></thead><tbody>");
	json_array_foreach(risk, i, h) {
		kt_buf_adds(&b, "<tr><td>");
		name_link(&b, "hosts", jstr(h, "host"));
		kt_buf_adds(&b, "</td><td><span class=\"badge ");
		kt_buf_adds(&b, !strcmp(jstr(h, "severity") ? jstr(h, "severity") : "", "medium")
				? "sev-medium\">" : "sev-high\">");
		kt_html_esc(&b, jstr(h, "severity"));
		kt_buf_adds(&b, "</span> <code>");
		kt_html_esc(&b, jstr(h, "rule"));
		kt_buf_adds(&b, "</code> ");
		kt_html_esc(&b, jstr(h, "summary"));
		kt_buf_adds(&b, "</td><td>");
		kt_html_esc(&b, jstr(h, "remedy"));
		kt_buf_adds(&b, "</td></tr>");
	}
	if (json_array_size(risk))
		kt_buf_adds(&b, "</tbody></table>");
	kt_buf_adds(&b, "</section><section id=\"matrix\"><h2>Hosts × issues</h2><table "
		       "class=\"matrix\"><thead><tr><th>host</th>");
	json_array_foreach(issues, j, is) {
		kt_buf_printf(&b, "<th class=\"num\"><a href=\"/issues/%lld\" title=\"", jint(is, "id"));
		kt_html_esc(&b, jstr(is, "title"));
		kt_buf_printf(&b, "\">#%lld</a></th>", jint(is, "id"));
	}
	kt_buf_adds(&b, "<th>kernel</th><th>last seen</th></tr></thead><tbody>");
	json_array_foreach(hosts, i, h) {
		json_t *row = json_object_get(matrix, jstr(h, "name") ? jstr(h, "name") : "");

		kt_buf_adds(&b, "<tr><td>");
		name_link(&b, "hosts", jstr(h, "name"));
		kt_buf_adds(&b, "</td>");
		json_array_foreach(issues, j, is) {
			char key[24];
			long long n;

			snprintf(key, sizeof(key), "%lld", jint(is, "id"));
			n = (long long)json_integer_value(json_object_get(row, key));
			if (n)
				kt_buf_printf(&b, "<td class=\"num\"><b>%lld</b></td>", n);
			else
				kt_buf_adds(&b, "<td class=\"num empty\">·</td>");
		}
		kt_buf_adds(&b, "<td>");
		kt_html_esc(&b, jstr(h, "kernel"));
		kt_buf_adds(&b, "</td><td>");
		when(&b, jstr(h, "last_seen"));
		kt_buf_adds(&b, "</td></tr>");
	}
	kt_buf_adds(&b, "</tbody></table></section>");
	json_decref(out);
	page_end(&b, NULL);
	kt_srv_html(r, 200, &b);
}
