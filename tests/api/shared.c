/*
 * Contexts that share their compiled tables (kt_ctx_share_tables(), public
 * API only, TAP): analyzers on four such contexts, in four threads at once,
 * give every report of a directory of logs (argv[1]: tests/golden) exactly
 * as one analyzer on a context of its own does; a context that has built
 * tables, or reads another data directory, cannot share; the tables outlive
 * the context that built them. CI runs the same -j path under
 * ThreadSanitizer (ktriage analyze -j 4).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktriage/ktriage.h>

#include "tap.h"

#define THREADS 4

static const char *dir;

/* A run's reports as JSON lines, and how many there were. */
struct text {
	struct buf b;
	size_t reports;
};

static void
on_begin(void *ud, const char *unit)
{
	struct text *t = ud;

	put(&t->b, "unit ");
	put(&t->b, unit);
	put(&t->b, "\n");
}

static void
on_report(void *ud, const char *unit, struct kt_report *r)
{
	struct text *t = ud;
	char *j = kt_render_json(r, 0);

	(void)unit;
	put(&t->b, j ? j : "(no json)");
	put(&t->b, "\n");
	t->reports++;
	free(j);
	kt_report_free(r);
}

static void
on_end(void *ud, const char *unit, int status)
{
	struct text *t = ud;

	(void)unit;
	put(&t->b, status ? "end (failed)\n" : "end\n");
}

/* Every report of `dir` analysed on ctx, as JSON lines. */
static struct text
analyze(struct kt_ctx *ctx)
{
	struct text t = { 0 };
	struct kt_analyze_cb cb = { on_begin, on_report, on_end, &t };
	struct kt_analyzer *a;

	put(&t.b, "");
	if (kt_analyzer_new(ctx, NULL, &a) != 0) {
		put(&t.b, "analyzer failed");
		return t;
	}
	(void)kt_analyze_path(a, dir, &cb);
	kt_analyzer_free(a);
	return t;
}

struct worker {
	pthread_t tid;
	struct kt_ctx *ctx;
	struct text out;
};

static void *
run(void *arg)
{
	struct worker *w = arg;

	w->out = analyze(w->ctx);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct worker w[THREADS];
	struct kt_ctx *own, *late, *other;
	struct text ref, again;
	bool same = true;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	own = kt_ctx_new();
	ref = analyze(own);
	ok(ref.reports >= 20, "the directory gives reports");

	for (int i = 0; i < THREADS; i++) {
		w[i].ctx = kt_ctx_new();
		if (i)
			ok(kt_ctx_share_tables(w[i].ctx, w[0].ctx) == 0, "a new context shares");
	}
	for (int i = 0; i < THREADS; i++)
		if (pthread_create(&w[i].tid, NULL, run, &w[i]) != 0)
			abort();
	for (int i = 0; i < THREADS; i++) {
		pthread_join(w[i].tid, NULL);
		same = same && w[i].out.b.len == ref.b.len && !memcmp(w[i].out.b.p, ref.b.p, ref.b.len);
	}
	ok(same, "four threads on shared tables: the reports of one context alone");

	/* own has built its tables: it cannot take others */
	ok(kt_ctx_share_tables(own, w[0].ctx) == KT_EINVAL, "a context with tables cannot share");
	other = kt_ctx_new();
	kt_ctx_set_data_dir(other, dir);
	ok(kt_ctx_share_tables(other, w[0].ctx) == KT_EINVAL,
	   "a context reading other data cannot share");
	kt_ctx_free(other);

	/* the tables live until the last context goes */
	late = kt_ctx_new();
	ok(kt_ctx_share_tables(late, w[1].ctx) == 0, "a late context shares");
	for (int i = 0; i < THREADS; i++) {
		kt_ctx_free(w[i].ctx);
		free(w[i].out.b.p);
	}
	again = analyze(late);
	ok(again.b.len == ref.b.len && !memcmp(again.b.p, ref.b.p, ref.b.len),
	   "the tables outlive the contexts that built them");
	kt_ctx_free(late);
	kt_ctx_free(own);
	free(ref.b.p);
	free(again.b.p);
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
