/*
 * The public API as an outside program uses it: only <ktriage/...> headers,
 * linked against the shared libktriage (so every symbol it needs must be
 * exported). Analyses the sample crash folder and checks the answer. TAP.
 */
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
	printf("1..4\n%s 1 - analyzer created%s%s\n", rc ? "not ok" : "ok", rc ? ": " : "",
	       rc ? kt_ctx_errmsg(ctx) : "");
	if (!rc)
		rc = kt_analyze_path(a, argv[1], &cb);
	printf("%s 2 - kt_analyze_path returns 0\n", rc ? "not ok" : "ok");
	printf("%s 3 - one report titled in ip_fragment\n",
	       s.reports == 1 && s.right_title == 1 ? "ok" : "not ok");
	printf("%s 4 - JSON and text renderers\n", s.has_json == 1 ? "ok" : "not ok");
	kt_analyzer_free(a);
	kt_ctx_free(ctx);
	return !(rc == 0 && s.reports == 1 && s.right_title == 1 && s.has_json == 1);
}
