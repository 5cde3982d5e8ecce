/*
 * The public API as an outside program uses it: only <ktriage/...> headers,
 * linked against the shared libktriage (so every symbol it needs must be
 * exported). Analyses the sample crash folder and checks the answer. TAP.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktriage/ktriage.h>

struct seen {
	int reports;
	int right_title;
	int has_json;
};

static void
on_report(void *ud, const char *unit, struct kt_report *r)
{
	struct seen *s = ud;
	char *json = kt_render_json(r, 0);
	char *text = kt_render_text(r, NULL);

	(void)unit;
	s->reports++;
	if (r->title && strcmp(r->title, "BUG: unable to handle kernel paging request in ip_fragment") == 0)
		s->right_title++;
	if (json && strstr(json, "\"bucket\"") && text && strstr(text, "ip_fragment"))
		s->has_json++;
	free(json);
	free(text);
	kt_report_free(r);
}

struct pieces {
	struct kt_analyzer *a;
	const struct kt_analyze_cb *cb;
	int n;
	int rc;
};

static int
on_piece(void *ud, const char *piece, unsigned flags)
{
	struct pieces *p = ud;

	p->n++;
	p->rc |= kt_analyze_piece(p->a, piece, flags, p->cb);
	return 0;
}

int
main(int argc, char **argv)
{
	struct seen s = { 0 };
	struct kt_analyze_cb cb = { NULL, on_report, NULL, &s };
	struct kt_analyze_opts opts = { 0 };
	struct kt_ctx *ctx = kt_ctx_new();
	struct kt_analyzer *a = NULL;
	int rc;

	if (argc != 2)
		return 2;
	rc = kt_analyzer_new(ctx, &opts, &a);
	printf("1..5\n%s 1 - analyzer created%s%s\n", rc ? "not ok" : "ok", rc ? ": " : "",
	       rc ? kt_ctx_errmsg(ctx) : "");
	if (!rc)
		rc = kt_analyze_path(a, argv[1], &cb);
	printf("%s 2 - kt_analyze_path returns 0\n", rc ? "not ok" : "ok");
	printf("%s 3 - one report titled in ip_fragment\n",
	       s.reports == 1 && s.right_title == 1 ? "ok" : "not ok");
	printf("%s 4 - JSON and text renderers\n", s.has_json == 1 ? "ok" : "not ok");
	{
		/* a crash folder is one piece, which analyses like the path */
		struct seen s2 = { 0 };
		struct kt_analyze_cb cb2 = { NULL, on_report, NULL, &s2 };
		struct pieces p = { a, &cb2, 0, 0 };
		int src = a ? kt_analyze_split(ctx, argv[1], on_piece, &p) : -1;
		bool ok = src == 0 && p.rc == 0 && p.n == 1 && s2.reports == 1 && s2.right_title == 1;

		printf("%s 5 - kt_analyze_split and kt_analyze_piece\n", ok ? "ok" : "not ok");
		if (!ok)
			rc = rc ? rc : 1;
	}
	kt_analyzer_free(a);
	kt_ctx_free(ctx);
	return !(rc == 0 && s.reports == 1 && s.right_title == 1 && s.has_json == 1);
}
